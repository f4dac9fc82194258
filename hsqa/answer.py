"""From retrieved passages to an answer: the best single sentence, quoted verbatim, with its citation.

Nothing is generated: the answer is always a sentence of a cited passage. Each sentence of the top
passages is scored by

- its cosine similarity to the question (sentence vectors stored at index time: no model call),
- the weighted share of the question's words it contains (acronyms count with their long forms; words of the
  passage's own title, date or place count little there: they name the document, not the answer; words
  carried over from an earlier question count half),
- a bonus when the question asks *who / which country / which body / where / when / how many* and the
  sentence names such a thing that the question does not already name, near the question's words,

with a mild preference for higher-ranked passages. ``doc:`` / ``year:`` filter words take no part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .chunking import sentence_spans, text_hash
from .documents import human_date, strip_markup
from .entities import new_entities, question_kinds
from .search import Result, SearchResponse, split_filters
from .text import STOPWORDS, TOKEN, query_terms, stem

#: how many top passages compete for the answering sentence
ANSWER_POOL = 3
#: weight of the question-word share against the cosine similarity
LEXICAL_WEIGHT = 0.6
#: weight of a question word in a passage whose title, date or place contains it
TITLE_WORD_WEIGHT = 0.3
#: weight of a word carried over from an earlier question (a follow-up)
CONTEXT_WEIGHT = 0.25
#: bonus for naming the kind of thing the question asks for (half for a weaker kind: a body for "who")
KIND_BONUS = 0.3
#: an answering name counts fully within this many words of a question word in the sentence, half as much
#: at twice the distance
NEAR_WORDS = 20
#: penalty for a sentence about another meeting or session than the question's ("third" for "second")
ORDINAL_PENALTY = 0.15
#: a follow-up that names something new ("And what did Thailand say there?") is about it: a sentence that
#: does not name it is quoted only when no cited sentence does
FOCUS_PENALTY = 1.0
#: a "sentence" of fewer words is a heading or a symbol ("75/278."), not an answer
MIN_WORDS = 3
#: score lost per rank below the first passage
RANK_PENALTY = 0.06


@dataclass
class Answer:
    sentence: str  #: verbatim sentence from the passage
    result: Result  #: the passage it comes from (its citation)
    span: tuple[int, int]  #: sentence offsets within ``result.text``


def _stems(text: str) -> list[tuple[str, int, int]]:
    """``(stem, start, end)`` of every word of ``text``, hyphenated and slashed words also by their parts
    ("Co-Chairs" gives co-chairs, co, chair)."""
    out = []
    for m in TOKEN.finditer(text):
        w = m.group(0)
        out.append((stem(w), m.start(), m.end()))
        if "-" in w or "/" in w:
            pos = m.start()
            for part in w.replace("/", "-").split("-"):
                if part:
                    out.append((stem(part), pos, pos + len(part)))
                pos += len(part) + 1
    return out


def question_weights(question: str, expansions=(), context=()) -> dict[str, float]:
    """Stem -> weight: the question's words (and the long forms of its acronyms) 1, carried-over words less."""
    weights: dict[str, float] = {}
    for text, w in ((question, 1.0), (" ".join(expansions), 1.0), (" ".join(context), CONTEXT_WEIGHT)):
        for t in query_terms(text) if text.strip() else []:
            if t.lower() in STOPWORDS and text is not question:
                continue
            for s, _, _ in _stems(t):
                weights[s] = max(weights.get(s, 0.0), w)
    return weights


def _title_stems(r: Result) -> set[str]:
    words = " ".join(x for x in (r.title, r.place or "", human_date(r.date)) if x)
    return {s for s, _, _ in _stems(words)}


def _overlap(sentence: str, weights: dict[str, float], title: set[str]) -> tuple[float, list[int]]:
    """Weighted share of the question's words in ``sentence``; and where in it they are (offsets)."""
    if not weights:
        return 0.0, []
    eff = {s: w * (TITLE_WORD_WEIGHT if s in title else 1.0) for s, w in weights.items()}
    found, where = set(), []
    for s, a, _ in _stems(sentence):
        if s in eff:
            found.add(s)
            where.append(a)
    total = sum(eff.values()) or 1.0
    return sum(eff[s] for s in found) / total, where


def _kind_bonus(sentence: str, kinds: set[str], question: str, where: list[int], known: str = "") -> float:
    """Up to KIND_BONUS when ``sentence`` names what the question asks for, the more the nearer the
    question's words."""
    if not kinds:
        return 0.0
    strong = set(kinds)
    weak = {"org", "country"} - strong if "person" in kinds else set()
    for group, weight in ((strong, 1.0), (weak, 0.5)):
        spans = new_entities(sentence, group, question, known) if group else []
        if not spans:
            continue
        ents = [len(TOKEN.findall(sentence[:a])) for a, _ in spans]
        terms = [len(TOKEN.findall(sentence[:a])) for a in where]
        if not terms:
            return KIND_BONUS * weight * 0.5
        dist = min(abs(e - t) for e in ents for t in terms)
        return KIND_BONUS * weight * max(0.5, min(1.0, 1.0 - 0.5 * (dist - NEAR_WORDS) / NEAR_WORDS))
    return 0.0


_ORDINAL = re.compile(
    r"\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(?:first|second|third|fourth|fifth|sixth|seventh|"
    r"eighth|ninth)|\d+(?:st|nd|rd|th))\b",
    re.I,
)


def _ordinal_clash(sentence: str, question: str) -> bool:
    """The question names one meeting or session ("the second meeting") and the sentence only others."""
    q = {m.group(0).lower() for m in _ORDINAL.finditer(question)}
    if not q:
        return False
    s = {m.group(0).lower() for m in _ORDINAL.finditer(sentence)}
    return bool(s) and not (s & q)


def annotate(response: SearchResponse, searcher=None, question: str | None = None, context=()) -> Answer | None:
    """Set ``highlight`` on every result and return the best sentence overall (``None`` if none is relevant).

    ``question``: the question's own words (default: the query searched, minus ``doc:``/``year:`` filters);
    ``context``: words carried over from earlier turns. With a ``searcher`` and a dense question vector,
    sentences are scored with the sentence vectors stored at index time (no model call).
    """
    if question is None:
        question, _ = split_filters(response.query)
    else:
        question, _ = split_filters(question)
    expansions = searcher.expansions(question) if searcher is not None and hasattr(searcher, "expansions") else []
    weights = question_weights(question, expansions, context)
    kinds = question_kinds(question)
    cands: list[tuple[Result, tuple[int, int], str]] = []
    for r in response.results:
        for a, b in answer_spans(r.text):
            cands.append((r, (a, b), r.text[a:b]))
    if not cands:
        return None
    quotable = [c for c in cands if len(TOKEN.findall(c[2])) >= MIN_WORDS]
    cands = quotable if {c[0].rank for c in quotable} == {c[0].rank for c in cands} else cands
    titles = {r.rank: _title_stems(r) for r in response.results}
    focus = _new_names(question, context)
    lex = np.zeros(len(cands), dtype=np.float32)
    bonus = np.zeros(len(cands), dtype=np.float32)
    for i, (r, _, sent) in enumerate(cands):
        lex[i], where = _overlap(sent, weights, titles[r.rank])
        bonus[i] = _kind_bonus(sent, kinds, question, where, f"{r.title} {r.place or ''}")
        bonus[i] -= ORDINAL_PENALTY if _ordinal_clash(sent, question) else 0.0
        if focus and not focus & {s for s, _, _ in _stems(sent)}:
            bonus[i] -= FOCUS_PENALTY
    dense = _dense(cands, response, searcher)
    score = dense + LEXICAL_WEIGHT * lex + bonus
    best_per: dict[int, int] = {}
    for i, (r, _, _) in enumerate(cands):
        j = best_per.get(r.rank)
        if j is None or score[i] > score[j]:
            best_per[r.rank] = i
    for i in best_per.values():
        cands[i][0].highlight = cands[i][1]
    # the top passages compete, and any passage naming what a follow-up newly asks about
    named = {r.rank for r in response.results if focus & {s for s, _, _ in _stems(r.text)}}
    overall = [
        i
        for i in best_per.values()
        if (cands[i][0].rank <= ANSWER_POOL and cands[i][0].relevant) or cands[i][0].rank in named
    ]
    if not overall:
        return None
    best = max(overall, key=lambda i: score[i] - RANK_PENALTY * (cands[i][0].rank - 1))
    r, span, sentence = cands[best]
    return Answer(sentence=sentence, result=r, span=span)


def _new_names(question: str, context) -> set[str]:
    """Stems of the names a follow-up brings that its carried-over context does not have."""
    if not context:
        return set()
    known = {s for s, _, _ in _stems(" ".join(context))}
    names = {stem(m.group(0)) for m in re.finditer(r"(?<!^)\b[A-Z][\w'’-]+", question.strip())}
    return {n for n in names if n not in known and n not in STOPWORDS}


def answer_spans(text: str) -> list[tuple[int, int]]:
    """The quotable units of a passage: its sentences, and the lines of a list (a list of participants has no
    full stops: quoted whole it would be forty lines)."""
    out = []
    for a, b in sentence_spans(text) or [(0, len(text))]:
        if text.count("\n", a, b) < 2:
            out.append((a, b))
            continue
        before = len(out)
        pos = a
        for line in text[a:b].split("\n"):
            start = pos + len(line) - len(line.lstrip())
            end = pos + len(line.rstrip())
            if end > start and len(text[start:end].split()) >= 5:  # not a heading of the list
                out.append((start, end))
            pos += len(line) + 1
        if len(out) == before:
            out.append((a, b))
    return out


def _dense(cands, response: SearchResponse, searcher) -> np.ndarray:
    dense = np.zeros(len(cands), dtype=np.float32)
    qvec = response.qvec
    if searcher is None or qvec is None or response.mode == "lexical":
        return dense
    views = searcher.view_vectors([r.chunk_id for r in response.results])
    for i, (r, _, sent) in enumerate(cands):
        v = views.get(r.chunk_id, {}).get(text_hash(strip_markup(sent)))
        dense[i] = float(v @ qvec) if v is not None else (r.similarity or 0.0)
    return dense


def citation_date(date: str | None, date_end: str | None = None) -> str:
    """``12 March 2013``, or a meeting's whole span: ``12–13 March 2013``, ``30 June – 2 July 2010``."""
    if not date:
        return ""
    start = human_date(date)
    if not date_end or date_end <= date:
        return start
    end = human_date(date_end)
    d1, m1, y1 = start.split()
    d2, m2, y2 = end.split()
    if (m1, y1) == (m2, y2):
        return f"{d1}–{d2} {m2} {y2}"
    if y1 == y2:
        return f"{d1} {m1} – {end}"
    return f"{start} – {end}"


def citation(r: Result, with_text: bool = True, date_end: str | None = None) -> str:
    """``Title (date), section, p. 3 ¶n: "passage"`` — the form users paste into their notes (the page for
    PDF documents; a meeting's whole span of days)."""
    parts = [f"{r.title} ({citation_date(r.date, date_end or getattr(r, 'date_end', None)) or 'undated'})"]
    if r.section:
        parts.append(r.section)
    parts.append(f"p. {r.page} ¶{r.paragraph}" if getattr(r, "page", None) else f"¶{r.paragraph}")
    head = ", ".join(parts)
    if not with_text:
        return head
    body = " ".join(r.text.split())
    return f'{head}: "{body}"'
