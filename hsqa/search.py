"""Hybrid retrieval: FAISS dense top-N + FTS5 BM25 top-N, fused by reciprocal rank, plus document metadata.

Results are paragraphs (the unit of citation): the best chunk of a paragraph stands for it, and
near-identical passages are returned once. User text never reaches ``MATCH`` unquoted.
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
from dataclasses import asdict, dataclass, field

import numpy as np

from .config import Config
from .documents import human_date
from .embedding import Embedder, canonical_model_name
from .errors import HsqaError
from .store import IndexInfo, Store
from .text import STOPWORDS, TOKEN, fts_query, query_terms, stem, term_spans

MODES = ("hybrid", "lexical", "dense")
RRF_K = 60
CANDIDATES = 50
#: A passage is "relevant" when its cosine similarity reaches this, or it matches enough query terms.
MIN_SIMILARITY = 0.35
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()


@dataclass
class Scope:
    """Restricts a search: documents (by id) and/or years."""

    doc_ids: set[int] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    labels: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.doc_ids or self.years)


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

    def as_json(self) -> dict:
        d = asdict(self)
        d["score"] = round(self.score, 6)
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

    @property
    def any_relevant(self) -> bool:
        return any(r.relevant for r in self.results)


_FILTER = re.compile(r"(?<!\S)(doc|year|in):(\"[^\"]+\"|\S+)", re.I)


def parse_filters(query: str, store: Store) -> tuple[str, Scope]:
    """Pull ``doc:WORD`` / ``year:YYYY`` filters out of a question; return the rest and the scope."""
    scope = Scope()
    docs = None
    for m in _FILTER.finditer(query):
        kind, val = m.group(1).lower(), m.group(2).strip('"')
        if kind == "year" and re.fullmatch(r"\d{4}(-\d{4})?", val):
            a, _, b = val.partition("-")
            scope.years.update(range(int(a), int(b or a) + 1))
            scope.labels.append(f"year:{val}")
        elif kind in ("doc", "in"):
            if docs is None:
                docs = store.documents()
            low = val.lower()
            hits = {d["id"] for d in docs if low in d["path"].lower() or low in d["title"].lower() or low == str(d["id"])}
            if not hits:
                raise HsqaError(f"no document matches '{m.group(0)}': use a word from its title or file name")
            scope.doc_ids |= hits
            scope.labels.append(f"doc:{val}")
    return _FILTER.sub(" ", query).strip(), scope


class Searcher:
    """Answers questions from one index folder. Thread-safe; reloads FAISS when a new generation commits."""

    def __init__(self, config: Config, embedder: Embedder | None = None, model_name: str | None = None):
        self.config = config
        self.store = Store(config, readonly=True)
        self.embedder = embedder
        self.model_name = model_name or (embedder.name if embedder else canonical_model_name(config.model))
        self.info: IndexInfo = self.store.require_model(self.model_name)
        self._faiss = None
        self._faiss_gen = -1
        self._doc_meta_gen = -1
        self._doc_terms: dict[int, set[str]] = {}
        self._docs: dict[int, sqlite3.Row] = {}
        self._lock = threading.Lock()
        self.repaired = False

    # -- state ----------------------------------------------------------------------------------
    def refresh(self) -> int:
        """Follow the index to its latest committed generation; return it."""
        gen = self.store.generation()
        if gen != self._doc_meta_gen:
            self.info = self.store.require_model(self.model_name)
            self._load_docs()
            self._doc_meta_gen = gen
        return gen

    def _load_docs(self) -> None:
        self._docs = {r["id"]: r for r in self.store.documents()}
        self._doc_terms = {}
        for d in self._docs.values():
            words = " ".join(
                filter(None, [d["title"], d["place"], d["date"], human_date(d["date"]), human_date(d["date_end"]),
                              d["path"].replace("-", " ").replace("_", " ")])
            )
            self._doc_terms[d["id"]] = {stem(w) for w in TOKEN.findall(words) if w.lower() not in STOPWORDS}

    def _index(self):
        with self._lock:
            for attempt in range(5):
                gen = self.store.generation()
                if self._faiss is not None and gen == self._faiss_gen:
                    return self._faiss
                self.info = self.store.require_model(self.model_name)
                try:
                    index, repaired = self.store.load_faiss(self.info)
                except (RuntimeError, OSError):
                    continue  # the writer replaced the file between our reads: read the generation again
                if self.store.generation() == gen:
                    self._faiss, self._faiss_gen = index, gen
                    self.repaired = self.repaired or repaired
                    return index
            raise HsqaError(f"the index at {self.config.index_dir}/ keeps changing: try again in a moment")

    @property
    def documents(self) -> dict[int, sqlite3.Row]:
        self.refresh()
        return self._docs

    # -- retrieval ----------------------------------------------------------------------------
    def lexical(self, terms: list[str], n: int, scope: Scope | None = None) -> list[tuple[int, float]]:
        q = fts_query(terms)
        if q is None:
            return []
        sql = (
            "SELECT f.rowid, bm25(chunks_fts, 1.0, 0.5, 0.3, 0.3) AS s FROM chunks_fts f "
            "JOIN chunks c ON c.id = f.rowid WHERE chunks_fts MATCH ?"
        )
        args: list = [q]
        sql, args = self._scope_sql(sql, args, scope)
        sql += " ORDER BY s LIMIT ?"
        args.append(n)
        try:
            return [(r[0], -r[1]) for r in self.store.conn.execute(sql, args)]
        except sqlite3.OperationalError as e:  # should not happen with quoted tokens; never crash a question
            raise HsqaError(f"lexical search failed on this question ({e})") from e

    def _scope_sql(self, sql: str, args: list, scope: Scope | None):
        if scope and scope.doc_ids:
            sql += f" AND c.doc_id IN ({','.join('?' * len(scope.doc_ids))})"
            args += sorted(scope.doc_ids)
        if scope and scope.years:
            sql += (
                f" AND c.doc_id IN (SELECT id FROM documents WHERE CAST(substr(date,1,4) AS INTEGER) "
                f"IN ({','.join('?' * len(scope.years))}))"
            )
            args += sorted(scope.years)
        return sql, args

    def dense(self, qvec: np.ndarray, n: int, scope: Scope | None = None) -> list[tuple[int, float]]:
        import faiss

        index = self._index()
        if index.ntotal == 0:
            return []
        faiss.omp_set_num_threads(1)  # single queries are faster on one thread (FACTS.md)
        params = None
        if scope:
            sql, args = self._scope_sql("SELECT c.id FROM chunks c WHERE 1", [], scope)
            allowed = np.array([r[0] for r in self.store.conn.execute(sql, args)], dtype=np.int64)
            if len(allowed) == 0:
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))
        k = min(n, index.ntotal)
        D, I = index.search(qvec.reshape(1, -1).astype(np.float32), k, params=params)
        return [(int(i), float(d)) for i, d in zip(I[0], D[0]) if i >= 0]

    def _meta_boost(self, query: str, terms: list[str]) -> dict[int, float]:
        """Per-document score in [0, 1] from title/date/place words the question names ("2007", "Tokyo")."""
        docs = self._doc_terms
        if len(docs) < 2:
            return {}
        qstems = {stem(t) for t in terms if not t.isdigit() or len(t) == 4}
        qstems |= {w for w in _ORDINALS if re.search(rf"\b{w}\b", query, re.I)}
        n = len(docs)
        df: dict[str, int] = {}
        for ts in docs.values():
            for t in qstems & ts:
                df[t] = df.get(t, 0) + 1
        scores = {}
        for doc_id, ts in docs.items():
            s = sum(math.log(n / df[t]) for t in qstems & ts if df[t] < n)
            if s > 0:
                scores[doc_id] = s
        if not scores:
            return {}
        top = max(scores.values())
        return {d: s / top for d, s in scores.items()}

    def search(
        self,
        query: str,
        k: int = 5,
        mode: str = "hybrid",
        scope: Scope | None = None,
        qvec: np.ndarray | None = None,
    ) -> SearchResponse:
        if mode not in MODES:
            raise HsqaError(f"unknown search mode '{mode}': use one of {', '.join(MODES)}")
        self.refresh()
        query = query.strip()
        text, inline = parse_filters(query, self.store)
        if inline:
            scope = _merge_scopes(scope, inline)
        terms = query_terms(text)
        if mode != "lexical" and self.embedder is None:
            mode = "lexical"
        if not text:
            return SearchResponse(query, mode, [], scope)
        n = max(CANDIDATES, k * 4)
        lex = self.lexical(terms, n, scope) if mode in ("hybrid", "lexical") else []
        den: list[tuple[int, float]] = []
        if mode in ("hybrid", "dense"):
            if qvec is None:
                qvec = self.embedder.embed_query(text)
            den = self.dense(qvec, n, scope)
        fused: dict[int, float] = {}
        lex_rank = {cid: r for r, (cid, _) in enumerate(lex, 1)}
        den_rank = {cid: r for r, (cid, _) in enumerate(den, 1)}
        sims = {cid: s for cid, s in den}
        for cid, r in lex_rank.items():
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + r)
        for cid, r in den_rank.items():
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + r)
        rows = self._chunk_rows(list(fused))
        boost = self._meta_boost(text, terms)
        if boost:
            for cid in fused:
                b = boost.get(rows[cid]["doc_id"], 0.0)
                fused[cid] += b * 1.0 / (RRF_K + 1)
        ordered = sorted(fused, key=lambda c: (-fused[c], c))
        results: list[Result] = []
        seen_paras: set[tuple[int, int]] = set()
        kept_words: list[set[str]] = []
        for cid in ordered:
            row = rows[cid]
            key = (row["doc_id"], row["paragraph"])
            if key in seen_paras:
                continue
            words = set(w.lower() for w in TOKEN.findall(row["text"]))
            if any(_jaccard(words, w) >= 0.9 for w in kept_words):
                continue  # near-identical passage already returned (e.g. the same text in two files)
            seen_paras.add(key)
            kept_words.append(words)
            doc = self._docs.get(row["doc_id"]) or self.store.document(row["doc_id"])
            spans = term_spans(row["text"], terms)
            sim = sims.get(cid)
            if sim is None and qvec is not None and mode != "lexical":
                sim = self._similarity(cid, qvec)
            results.append(
                Result(
                    rank=len(results) + 1,
                    chunk_id=cid,
                    doc_id=row["doc_id"],
                    source=doc["path"],
                    title=doc["title"],
                    date=doc["date"],
                    place=doc["place"],
                    section=row["section"],
                    paragraph=row["paragraph"],
                    score=fused[cid],
                    text=row["text"],
                    start=row["start"],
                    end=row["end"],
                    similarity=sim,
                    lexical_rank=lex_rank.get(cid),
                    dense_rank=den_rank.get(cid),
                    relevant=_relevant(sim, spans, row["text"], terms),
                    terms=spans,
                )
            )
            if len(results) >= k:
                break
        return SearchResponse(query, mode, results, scope)

    def _similarity(self, cid: int, qvec: np.ndarray) -> float | None:
        try:
            v = self._index().reconstruct(int(cid))
        except RuntimeError:
            return None
        return float(np.dot(v, qvec))

    def _chunk_rows(self, ids: list[int]) -> dict[int, sqlite3.Row]:
        out = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            q = f"SELECT id, doc_id, paragraph, ordinal, start, end, section, text FROM chunks WHERE id IN ({','.join('?' * len(part))})"
            for r in self.store.conn.execute(q, part):
                out[r["id"]] = r
        return out


def _merge_scopes(a: Scope | None, b: Scope) -> Scope:
    if not a:
        return b
    return Scope(a.doc_ids | b.doc_ids, a.years | b.years, a.labels + b.labels)


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _relevant(sim: float | None, spans, text: str, terms: list[str]) -> bool:
    if sim is not None and sim >= MIN_SIMILARITY:
        return True
    if not terms:
        return False
    matched = {stem(text[a:b]) for a, b in spans}
    coverage = len(matched) / len({stem(t) for t in terms})
    return coverage >= 0.5 if sim is None else (coverage >= 0.5 and sim >= MIN_SIMILARITY / 2)
