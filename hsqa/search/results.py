"""What a search returns: cited passages (one per paragraph) and the response around them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from ..scope import Scope


@dataclass
class Result:
    rank: int
    chunk_id: int
    doc_id: int
    source: str
    title: str
    date: str | None
    place: str | None
    section: str
    paragraph: int
    score: float
    text: str
    start: int  #: offset of ``text`` in the document
    end: int
    similarity: float | None = None  #: cosine similarity to the question (dense), if computed
    lexical_rank: int | None = None
    dense_rank: int | None = None
    relevant: bool = True
    terms: list[tuple[int, int]] = field(default_factory=list)  #: query-term spans within ``text``
    highlight: tuple[int, int] | None = None  #: answering sentence span within ``text``
    #: calibrated probability (0–1) that this passage answers the question; drives abstention and the dots
    confidence: float = 0.0
    date_end: str | None = None
    page: int | None = None  #: PDF: the page where the paragraph starts
    #: the confidence the ranking gave, before the answer was chosen (:meth:`Searcher.lead_with`)
    ranked_confidence: float | None = field(default=None, repr=False, compare=False)

    def as_json(self) -> dict:
        d = asdict(self)
        d.pop("ranked_confidence")
        d["score"] = round(self.score, 6)
        d["confidence"] = round(self.confidence, 4)
        if self.similarity is not None:
            d["similarity"] = round(float(self.similarity), 4)
        d["highlight"] = list(self.highlight) if self.highlight else None
        d["terms"] = [list(t) for t in self.terms]
        return d


@dataclass
class SearchResponse:
    query: str
    mode: str  #: the mode actually used ("lexical" when no model is available)
    results: list[Result]
    scope: Scope | None = None
    qvec: np.ndarray | None = None  #: the question's vector, for reuse (answer sentence scoring)

    @property
    def any_relevant(self) -> bool:
        return any(r.relevant for r in self.results)

    def lead_with(self, quoted: Result | None) -> None:
        """Put ``quoted`` (the passage the answer is quoted from) first, the others after it in their order,
        and renumber."""
        if quoted is None or not self.results or self.results[0] is quoted:
            return
        self.results[:] = [quoted, *(r for r in self.results if r is not quoted)]
        for i, r in enumerate(self.results, 1):
            r.rank = i
