"""From retrieved passages to an answer: the best single sentence, quoted verbatim, with its citation.

Nothing is generated: the answer is always a sentence of a cited passage. Sentences are scored by cosine
similarity to the question (using the sentence vectors stored at index time, so no model call) plus the
share of question terms they contain, with a mild preference for higher-ranked passages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .chunking import sentence_spans, text_hash
from .documents import human_date, strip_markup
from .search import Result, SearchResponse, split_filters
from .text import TOKEN, query_terms, stem

#: how many top passages compete for the answering sentence
ANSWER_POOL = 3


@dataclass
class Answer:
    sentence: str  #: verbatim sentence from the passage
    result: Result  #: the passage it comes from (its citation)
    span: tuple[int, int]  #: sentence offsets within ``result.text``


def _overlap(sentence: str, qstems: set[str]) -> float:
    if not qstems:
        return 0.0
    words = {stem(w) for w in TOKEN.findall(sentence)}
    return len(words & qstems) / len(qstems)


def annotate(response: SearchResponse, searcher=None, question: str | None = None, context=()) -> Answer | None:
    """Set ``highlight`` on every result and return the best sentence overall (``None`` if none is relevant).

    ``question``: the question's own words (default: the query searched, minus ``doc:``/``year:`` filters);
    ``context``: words carried over from earlier turns. With a ``searcher`` and a dense question vector,
    sentences are scored with the sentence vectors stored at index time (no model call); otherwise by
    question-term overlap alone.
    """
    if question is None:
        question, _ = split_filters(response.query)
    qstems = {stem(t) for t in query_terms(question)}
    cands: list[tuple[Result, tuple[int, int], str]] = []
    for r in response.results:
        for a, b in sentence_spans(r.text) or [(0, len(r.text))]:
            cands.append((r, (a, b), r.text[a:b]))
    if not cands:
        return None
    lex = np.array([_overlap(s, qstems) for _, _, s in cands], dtype=np.float32)
    dense = np.zeros(len(cands), dtype=np.float32)
    qvec = response.qvec
    if searcher is not None and qvec is not None and response.mode != "lexical":
        views = searcher.view_vectors([r.chunk_id for r in response.results])
        for i, (r, _, sent) in enumerate(cands):
            v = views.get(r.chunk_id, {}).get(text_hash(strip_markup(sent)))
            dense[i] = float(v @ qvec) if v is not None else (r.similarity or 0.0)
    score = dense + 0.35 * lex
    best_per: dict[int, int] = {}
    for i, (r, _, _) in enumerate(cands):
        j = best_per.get(r.rank)
        if j is None or score[i] > score[j]:
            best_per[r.rank] = i
    for i in best_per.values():
        cands[i][0].highlight = cands[i][1]
    overall = [i for i in best_per.values() if cands[i][0].rank <= ANSWER_POOL and cands[i][0].relevant]
    if not overall:
        return None
    best = max(overall, key=lambda i: score[i] - 0.03 * (cands[i][0].rank - 1))
    r, span, sentence = cands[best]
    return Answer(sentence=sentence, result=r, span=span)


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
    """``Title (date), section, ¶n: "passage"`` — the form users paste into their notes."""
    parts = [f"{r.title} ({citation_date(r.date, date_end) or 'undated'})"]
    if r.section:
        parts.append(r.section)
    parts.append(f"¶{r.paragraph}")
    head = ", ".join(parts)
    if not with_text:
        return head
    body = " ".join(r.text.split())
    return f'{head}: "{body}"'
