"""Paragraph-level chunks.

The paragraph is the unit of citation. A paragraph longer than the embedding model's input limit is split
at sentence boundaries into several chunks that all cite the same paragraph. Every chunk's ``text`` is a
verbatim slice of the source (``doc.text[start:end]``); the cleaned ``embed_text`` (and, for dense search,
each sentence of it: ``Chunk.views``) is what the model and the lexical index see.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .documents import Document, strip_markup

CHUNKER_VERSION = 2

#: Budget in "word-or-punctuation" units per chunk. all-MiniLM-L6-v2 truncates at 256 wordpieces; English UN
#: prose runs ~1.05 wordpieces per unit (measured: a 184-unit paragraph is 193 wordpieces), so 220 stays inside.
MAX_UNITS = 220

_UNIT = re.compile(r"\w+|[^\w\s]")
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|No|Nos|Art|Arts|para|paras|Vol|vs|etc|approx|Amb|Gen|Sen|Rev|Jr|Sr|Co|Inc|Ltd|H\.E|e\.g|i\.e|U\.N|U\.S|cf|p|pp)|\b[A-Z])\.$"
)
#: characters an abbreviation (with its word boundary) can span at a sentence candidate's end
_ABBREV_WINDOW = 16
_SENT_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+)")


def count_units(text: str) -> int:
    return len(_UNIT.findall(text))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence boundaries as ``(start, end)`` offsets into ``text`` (whitespace between is excluded)."""
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    while start < n and text[start].isspace():
        start += 1
    for m in _SENT_END.finditer(text):
        end = m.end()
        if end <= start:
            continue
        # an abbreviation ends the candidate? look only at its last few characters (searching the whole
        # sentence so far made a long run of rejected candidates quadratic)
        stop = end
        while stop > start and text[stop - 1] in "\"'”’)]":
            stop -= 1
        if _ABBREV.search(text, max(start, stop - _ABBREV_WINDOW), stop):
            continue
        nxt = end
        while nxt < n and text[nxt].isspace():
            nxt += 1
        if nxt < n and not (text[nxt].isupper() or text[nxt].isdigit() or text[nxt] in "\"“‘'(*[#-•"):
            continue  # "e.g. the" / "p. 12": not a boundary
        spans.append((start, end))
        start = nxt
    if start < n:
        end = len(text.rstrip())
        if end > start:
            spans.append((start, end))
    return spans


PASSAGE, SENTENCE = 0, 1


@dataclass(frozen=True)
class Chunk:
    paragraph: int  #: 1-based paragraph number cited
    ordinal: int  #: 0-based position within the paragraph
    start: int  #: offsets into the document text
    end: int
    text: str  #: verbatim source slice
    section: str
    embed_text: str  #: the text without markup, whitespace collapsed: what the model and FTS see

    def views(self) -> list[tuple[int, str]]:
        """What gets a vector: the whole passage, and each of its sentences when it has several.

        A question usually matches one sentence; a passage vector averages several claims. Dense search
        scores a passage by both (measured on tests/data/qa.jsonl: benchmarks/RESULTS.md).
        """
        out = [(PASSAGE, self.embed_text)]
        sents = [strip_markup(self.text[a:b]) for a, b in sentence_spans(self.text)]
        if len(sents) > 1:
            out += [(SENTENCE, s) for s in dict.fromkeys(sents) if s]
        return out


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _pieces(text: str, max_units: int) -> list[tuple[int, int]]:
    """Greedy packing of sentences (or, for a monster sentence, word runs) under ``max_units``."""
    if count_units(text) <= max_units:
        return [(0, len(text))]
    units: list[tuple[int, int]] = []
    for a, b in sentence_spans(text):
        if count_units(text[a:b]) <= max_units:
            units.append((a, b))
            continue
        words = [m.span() for m in re.finditer(r"\S+", text[a:b])]
        i = 0
        while i < len(words):
            j, used = i, 0
            while j < len(words):
                c = count_units(text[a + words[j][0] : a + words[j][1]])
                if used and used + c > max_units:
                    break
                used += c
                j += 1
            units.append((a + words[i][0], a + words[j - 1][1]))
            i = j
    out: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    cur_units = 0
    for a, b in units:
        u = count_units(text[a:b])
        if cur is not None and cur_units + u <= max_units:
            cur = (cur[0], b)
            cur_units += u
        else:
            if cur is not None:
                out.append(cur)
            cur, cur_units = (a, b), u
    if cur is not None:
        out.append(cur)
    return out


def chunk_document(doc: Document, max_units: int = MAX_UNITS) -> list[Chunk]:
    chunks: list[Chunk] = []
    for p in doc.paragraphs:
        for i, (a, b) in enumerate(_pieces(p.text, max_units)):
            verbatim = p.text[a:b]
            chunks.append(
                Chunk(
                    paragraph=p.number,
                    ordinal=i,
                    start=p.start + a,
                    end=p.start + b,
                    text=verbatim,
                    section=p.section,
                    embed_text=strip_markup(verbatim),
                )
            )
    return chunks
