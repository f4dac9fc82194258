"""The search pipeline: parse the question, retrieve lexically and densely in one read transaction, fuse.

Results are paragraphs (the unit of citation): the best chunk of a paragraph stands for it, and
near-identical passages are returned once. User text never reaches ``MATCH`` unquoted.
"""

from __future__ import annotations

import dataclasses
import re
import sqlite3
import threading

import numpy as np

from ..config import Config
from ..documents import human_date
from ..embedding import Embedder, canonical_model_name
from ..errors import HsqaError
from ..scope import Scope
from ..store import IndexInfo, Store
from ..store.reads import require_model
from ..text import is_symbol, matched_terms, place_words, term_spans, word_set
from . import fuse as fusion
from .dense import DenseRetriever
from .lexical import LexicalRetriever, coverage
from .names import mentions
from .query import MeetingRef, Query, mentions_ref, ordinals_in, parse, resolve_filters
from .results import Result, SearchResponse

MODES = ("hybrid", "lexical", "dense")
#: candidates taken from each retriever
CANDIDATES = 50
#: passages sharing this share of their words with one already returned are not returned again
NEAR_DUPLICATE = 0.9


class Searcher:
    """Answers questions from one index folder. Thread-safe; follows the index to each new generation."""

    def __init__(self, config: Config, embedder: Embedder | None = None, model_name: str | None = None,
                 params: fusion.Params | None = None):
        self.config = config
        self.store = Store(config, readonly=True)
        self.embedder = embedder
        self.model_name = model_name or (embedder.name if embedder else canonical_model_name(config.model))
        self.params = params or fusion.Params.load()
        self.info: IndexInfo = self.store.require_model(self.model_name)
        self.lexical = LexicalRetriever(config.index_dir)
        self.dense = DenseRetriever()
        self._meta_gen = -1
        self._docs: dict[int, sqlite3.Row] = {}
        self._meetings = fusion.MeetingIndex({}, 0)
        self._acronyms: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def repaired(self) -> bool:
        """The vector file was missing or inconsistent and was rebuilt in memory from stored embeddings."""
        return self.dense.repaired

    # -- index state ----------------------------------------------------------------------------
    def refresh(self) -> int:
        """Follow the index to its latest committed generation; return it."""
        with self._lock:
            gen = self.store.generation()
            if gen != self._meta_gen:
                self.info = self.store.require_model(self.model_name)
                self._load_docs()
                self._meta_gen = gen
            return gen

    def _load_docs(self) -> None:
        self._acronyms = self.store.acronyms()
        self._docs = {r["id"]: r for r in self.store.documents()}
        self._meetings = fusion.MeetingIndex.build({d["id"]: _meeting_terms(d) for d in self._docs.values()})

    def _titled(self, symbols: list[str]) -> set[int]:
        """The documents whose title holds one of the document symbols the question names ("What does
        A/RES/69/283 ask …?": the resolution, whose paragraphs never repeat their own symbol)."""
        out: set[int] = set()
        for sym in symbols:
            numbers = re.findall(r"\d+", sym)
            maybe = set.intersection(*(self._meetings.docs.get(f"number:{n}", set()) for n in numbers)) if numbers else set()
            out |= {d for d in maybe if matched_terms(self._docs[d]["title"], [sym])}
        return out

    @property
    def documents(self) -> dict[int, sqlite3.Row]:
        self.refresh()
        return self._docs

    def expansions(self, text: str) -> list[str]:
        """What the question adds to its own words: long forms of its acronyms (corpus definitions first, then the
        glossary) and the States it names by demonym or capital."""
        self.refresh()
        return parse(text, self._acronyms).expansions

    def parse(self, question: str, scope: Scope | None = None) -> tuple[Query, Scope | None]:
        """The parsed question and its effective scope (``scope`` merged with the question's filters)."""
        self.refresh()
        query = parse(question, self._acronyms)
        if query.filters:
            scope = (scope or Scope()).merged(resolve_filters(query.filters, self._docs.values()))
        return query, scope

    # -- search -----------------------------------------------------------------------------------
    def search(self, question: str, k: int = 5, mode: str = "hybrid", scope: Scope | None = None,
               qvec: np.ndarray | None = None, countries: tuple[frozenset[str], ...] | None = None) -> SearchResponse:
        """The top ``k`` passages for ``question``. ``countries``: the countries a passage must name to answer,
        when not those ``question`` names (a follow-up searched with carried words: :mod:`hsqa.engine`)."""
        query, scope, mode, qvec, got = self.candidates(question, k, mode, scope, qvec, countries)
        if got is None:
            return SearchResponse(query.raw, mode, [], scope, qvec)
        cands, rows = got
        results = self._results(fusion.fuse(cands, mode, self.params), rows, query, k, mode)
        if results:
            pages = self.store.paragraph_pages([(r.doc_id, r.paragraph) for r in results])
            for r in results:
                r.page = pages.get((r.doc_id, r.paragraph))
        return SearchResponse(query.raw, mode, results, scope, qvec)

    def candidates(self, question: str, k: int = 5, mode: str = "hybrid", scope: Scope | None = None,
                   qvec: np.ndarray | None = None, countries: tuple[frozenset[str], ...] | None = None):
        """Parse and retrieve without ranking: ``(query, scope, mode, qvec, (candidates, chunk rows) | None)``.

        The candidates are the union of both retrievers' top ``max(CANDIDATES, 4k)`` with every feature
        :func:`fuse.fuse` needs; all of them read in one transaction (one committed generation).
        """
        if mode not in MODES:
            raise HsqaError(f"unknown search mode '{mode}': use one of {', '.join(MODES)}")
        query, scope = self.parse(question, scope)
        if countries is not None:
            query = dataclasses.replace(query, countries=countries)
        if mode != "lexical" and self.embedder is None:
            mode = "lexical"
        if not query.text:
            return query, scope, mode, qvec, None
        if mode != "lexical" and qvec is None:
            qvec = self.embedder.embed_query(query.embed_text)
        # one snapshot: FTS rows, chunk rows and vectors of one committed generation (retried if a writer
        # replaced that generation's vector file meanwhile)
        got = self.store.read(lambda snap: self._retrieve(snap, query, k, mode, scope, qvec))
        return query, scope, mode, qvec, got

    def _retrieve(self, snap, query: Query, k: int, mode: str, scope, qvec):
        require_model(snap.info, self.model_name, self.config)
        n = max(CANDIDATES, k * 4)
        lex = self.lexical.search(snap.conn, query.terms, n, scope, snap.generation) if mode != "dense" else []
        den = self.dense.search(snap, qvec, n, scope) if mode != "lexical" else []
        ids = list(dict.fromkeys([*(c for c, _ in lex), *den]))
        rows = {r["id"]: r for r in snap.select_in(
            "SELECT id, doc_id, paragraph, ordinal, start, end, section, text FROM chunks WHERE id IN ({in_})", ids)}
        cands = self._candidates(snap, query, lex, den, rows, qvec if mode != "lexical" else None)
        return list(cands.values()), rows

    def _candidates(self, snap, query: Query, lex, den, rows, qvec) -> dict[int, fusion.Candidate]:
        top = max((s for _, s in lex), default=0.0) or 1.0
        meeting = fusion.meeting_match(query.ref, self._meetings)
        unknown = fusion.unknown_ordinals(query.ref, self._meetings)
        idf = self.lexical.idf(snap.conn, query.terms, snap.generation)
        cands: dict[int, fusion.Candidate] = {}
        titles: dict[int, tuple[float, bool]] = {}  # title coverage, and whether it names the question's countries
        symbols = [t for t in query.terms if is_symbol(t)]
        # a document named by its symbol is a reference to it, as a meeting named by its number or date is: the
        # same bounded lift for its passages that match the question otherwise (fuse.fuse), never a gate
        titled = self._titled(symbols) if symbols else set()
        for cid, row in rows.items():
            d = row["doc_id"]
            if d not in titles:
                doc = self._docs.get(d) or snap.document(d)
                heading = f"{doc['title']} {place_words(doc['place'])}"
                titles[d] = coverage(heading, query.terms, idf), mentions(heading, query.countries, query.speech)
            cands[cid] = fusion.Candidate(
                cid, d, coverage=coverage(row["text"], query.terms, idf), meeting=1.0 if d in titled else meeting.get(d, 0.0), title=titles[d][0],
                other_meeting=_other_meeting(row["text"], d, query.ref, meeting, unknown),
                missing_country=not titles[d][1] and not self._names_countries(snap, row, query),
                symbol=bool(symbols) and bool(matched_terms(row["text"], symbols)))
        for r, (cid, s) in enumerate(lex, 1):
            if cid in cands:
                cands[cid].bm25, cands[cid].lexical_rank = s / top, r
        for r, cid in enumerate(den, 1):
            if cid in cands:
                cands[cid].dense_rank = r
        if qvec is not None:
            for cid, (p, s) in self.dense.scores(snap, list(cands), qvec).items():
                cands[cid].passage, cands[cid].sentence = p, s
        return cands

    @staticmethod
    def _names_countries(snap, row, query: Query) -> bool:
        """Whether the passage names the question's countries, or continues a passage that does: one that
        starts in lower case carries on the sentence before it, split by a page break ("... what happens
        when" / "- 2 -" / "systems designed ... She called for ...")."""
        if mentions(row["text"], query.countries, query.speech):
            return True
        if not row["text"][:1].islower():
            return False
        before = snap.chunk_before(row["doc_id"], row["start"])
        return before is not None and mentions(before, query.countries, query.speech)

    def _results(self, ranked: list[fusion.Scored], rows, query: Query, k: int, mode: str) -> list[Result]:
        results: list[Result] = []
        seen: set[tuple[int, int]] = set()
        kept: list[set[str]] = []
        for s in ranked:
            row = rows[s.chunk_id]
            key = (row["doc_id"], row["paragraph"])
            if key in seen:
                continue
            words = word_set(row["text"])
            if any(_jaccard(words, w) >= NEAR_DUPLICATE for w in kept):
                continue  # near-identical passage already returned (e.g. the same text in two files)
            seen.add(key)
            kept.append(words)
            confidence = self.params.confidence(mode, s, ranked[0])
            results.append(self._result(len(results) + 1, s, row, query, confidence))
            if len(results) >= k:
                break
        return results

    def _result(self, rank: int, s: fusion.Scored, row, query: Query, confidence: float) -> Result:
        doc = self._docs.get(row["doc_id"]) or self.store.document(row["doc_id"])
        c = s.candidate
        return Result(
            rank=rank, chunk_id=c.chunk_id, doc_id=row["doc_id"], source=doc["path"], title=doc["title"],
            date=doc["date"], date_end=doc["date_end"], place=doc["place"], section=row["section"],
            paragraph=row["paragraph"], score=s.score, text=row["text"], start=row["start"], end=row["end"],
            similarity=c.sentence if c.dense_rank is not None or c.passage else None,
            lexical_rank=c.lexical_rank, dense_rank=c.dense_rank,
            relevant=s.answers, confidence=confidence, ranked_confidence=confidence,
            terms=term_spans(row["text"], query.terms),
        )

    def lead_with(self, response: SearchResponse, quoted: Result | None) -> None:
        """The answer is quoted from ``quoted``: it leads (card [1]) and counts as answering, and every returned
        passage's confidence is recalibrated knowing which one the answer is quoted from
        (:class:`fuse.Requote`; chosen on the dev split, benchmarks/QUALITY.md)."""
        response.lead_with(quoted)
        if quoted is not None and quoted.confidence > 0.0:  # 0: it cannot answer (a gate), whatever is quoted
            quoted.relevant = True
        requote = self.params.requote.get(response.mode)
        if requote is None:
            return
        for r in response.results:
            if r.ranked_confidence:  # 0: it cannot answer; None: not made by a search
                r.confidence = requote.confidence(r.ranked_confidence, r is quoted)

    def view_vectors(self, chunk_ids: list[int]) -> dict[int, dict[str, np.ndarray]]:
        """Stored vectors of each chunk's views (passage and sentences), keyed by text hash."""
        return self.store.read(lambda snap: snap.views_by_hash(chunk_ids))


def _meeting_terms(doc) -> set[str]:
    """A document's explicit meeting metadata: year and month of its date(s), each part of its place as a
    phrase ("place:new york"), an ordinal in its title ("Second Meeting"), the numbers of its title."""
    terms: set[str] = set()
    for iso in (doc["date"], doc["date_end"]):
        if iso:
            terms.add(iso[:4])
            human = human_date(iso).split()
            if len(human) >= 2:
                terms.add(human[1].lower())
    for part in (doc["place"] or "").split(","):
        if part.strip():
            terms.add("place:" + part.strip().lower())
    terms |= ordinals_in(doc["title"])
    # each number of the title, to find the documents a symbol names (``Searcher._titled``); no question's
    # meeting reference asks for these terms
    terms |= {f"number:{n}" for n in re.findall(r"\d+", doc["title"] or "")}
    return terms


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _other_meeting(text: str, doc_id: int, ref: MeetingRef, meeting: dict[int, float], unknown: set[str]) -> bool:
    """The question names a meeting this passage is not from and does not mention: a meeting number no
    document has ("the eighteenth meeting"), or one some documents match (``meeting``) but not this one."""
    if unknown and not unknown & ordinals_in(text):
        return True
    return bool(meeting) and doc_id not in meeting and not mentions_ref(text, ref)

