"""Per-passage evidence beyond BM25 and cosine, pure functions of the question and the passage text.

- :func:`name_terms`: the question's terms that it writes as names (capitalised inside the sentence,
  all-capital acronyms, symbols with digits or slashes): "Tuvalu", "ECOWAS", "A/64/701", "2009".
- :func:`sentence_coverage`: the best share of the question's terms (idf-weighted) one sentence holds; a
  passage that answers usually says it in one sentence, one that merely shares words spreads them out.
- :func:`asks_who` and :func:`is_list`: "who attended / represented …" is answered by lists of
  participants ("Country: Mr. Name, Title" lines), which share few words and little meaning with it.
"""

from __future__ import annotations

import re

from ..chunking import sentence_spans
from ..text import STOPWORDS, TOKEN, stem
from .lexical import coverage

_WHO = re.compile(
    r"^\W*(?:and\s+)?(?:who\b|whom\b|which\s+(?:\w+\s+)?(?:officials?|persons?|people|ministers?|ambassadors?|"
    r"delegates?|representatives?|participants?|speakers?|experts?)\b)",
    re.I,
)
#: a participant-list line: "Country: Mr. Name, Title" or "Name, Title" under a heading
_LIST_LINE = re.compile(r"^[^\n:]{2,80}:\s*\S")


def name_terms(text: str, terms: list[str]) -> list[str]:
    """The terms of ``terms`` that ``text`` writes as a name, acronym, number or symbol."""
    names: set[str] = set()
    for i, tok in enumerate(TOKEN.findall(text)):
        if tok.lower() in STOPWORDS:
            continue
        capital = tok[0].isupper() and (i > 0 or tok.isupper() and len(tok) > 1)
        if capital or any(ch.isdigit() for ch in tok) or "/" in tok:
            names.add(stem(tok))
    return [t for t in terms if stem(t) in names]


def asks_who(text: str) -> bool:
    """The question asks for a person or delegation ("Who …", "Which officials …")."""
    return bool(_WHO.search(text))


def is_list(text: str) -> bool:
    """Three or more lines, most of them "Label: entry" lines: a list of participants or speakers."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return len(lines) >= 3 and sum(1 for ln in lines if _LIST_LINE.match(ln.strip())) * 2 >= len(lines)


def sentence_coverage(text: str, terms: list[str], idf: dict[str, float]) -> float:
    """The largest idf-weighted share of ``terms`` that a single sentence of ``text`` contains."""
    spans = sentence_spans(text) or [(0, len(text))]
    return max(coverage(text[a:b], terms, idf) for a, b in spans)
