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
from .search import Result, SearchResponse
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


def annotate(response: SearchResponse, searcher=None) -> Answer | None:
    """Set ``highlight`` on every result and return the best sentence overall (``None`` if none is relevant).

    With a ``searcher`` and a dense question vector, sentences are scored with the sentence vectors stored
    at index time (no model call); otherwise by question-term overlap alone.
    """
    qstems = {stem(t) for t in query_terms(response.query)}
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


def citation(r: Result, with_text: bool = True) -> str:
    """``Title (date), section, p. 3 ¶n: "passage"`` — the form users paste into their notes (the page for
    PDF documents)."""
    parts = [f"{r.title} ({human_date(r.date) or 'undated'})"]
    if r.section:
        parts.append(r.section)
    parts.append(f"p. {r.page} ¶{r.paragraph}" if getattr(r, "page", None) else f"¶{r.paragraph}")
    head = ", ".join(parts)
    if not with_text:
        return head
    body = " ".join(r.text.split())
    return f'{head}: "{body}"'
