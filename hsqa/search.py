"""Hybrid retrieval: FAISS dense top-N + FTS5 BM25 top-N, fused by a convex combination, plus document metadata.

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
from .chunking import PASSAGE
from .scope import Scope
from .store import IndexInfo, Store
from .text import TOKEN, expand_acronyms, fts_query, matched_terms, query_terms, stem, term_spans

MODES = ("hybrid", "lexical", "dense")
CANDIDATES = 50
#: hybrid score = dense score + LEXICAL_WEIGHT * BM25 / (best BM25 for this question) * idf-weighted coverage
LEXICAL_WEIGHT = 0.2
#: reciprocal rank fusion constant, for ``fusion="rrf"`` (kept for comparison in the benchmarks)
RRF_K = 60
#: lift for the passages of a document whose date, place or ordinal the question names, as a share of the
#: gap between the best and the worst candidate score
META_WEIGHT = 1.0
#: dense score of a passage = w * cos(whole passage) + (1 - w) * best cos(one of its sentences)
PASSAGE_WEIGHT = 0.3
#: A passage is "relevant" when its dense score reaches this, or it matches enough query terms. Measured:
#: off-topic questions top out near 0.28, answerable ones in tests/data/qa.jsonl start near 0.26 (those match
#: their terms lexically).
MIN_SIMILARITY = 0.30
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()


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
    qvec: np.ndarray | None = None  #: the question's vector, for reuse (answer sentence scoring)

    @property
    def any_relevant(self) -> bool:
        return any(r.relevant for r in self.results)


_FILTER = re.compile(r"(?<!\S)(doc|year):(\"[^\"]+\"|\S+)", re.I)


def split_filters(text: str) -> tuple[str, str]:
    """``("rest of the question", "doc:x year:2007")``: the filters a question contains, unparsed."""
    filters = " ".join(m.group(0) for m in _FILTER.finditer(text))
    return " ".join(_FILTER.sub(" ", text).split()), filters


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
        elif kind == "doc":
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

    def __init__(
        self,
        config: Config,
        embedder: Embedder | None = None,
        model_name: str | None = None,
        fusion: str = "convex",
        lexical_weight: float = LEXICAL_WEIGHT,
    ):
        self.config = config
        self.fusion = fusion
        self.lexical_weight = lexical_weight
        self.store = Store(config, readonly=True)
        self.embedder = embedder
        self.model_name = model_name or (embedder.name if embedder else canonical_model_name(config.model))
        self.info: IndexInfo = self.store.require_model(self.model_name)
        self._faiss = None
        self._faiss_gen = -1
        self._doc_meta_gen = -1
        self._doc_terms: dict[int, set[str]] = {}
        self._docs: dict[int, sqlite3.Row] = {}
        self._acronyms: dict[str, str] = {}
        self._idf_cache: dict[str, float] = {}
        self._idf_gen = -1
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

    def expansions(self, text: str) -> list[str]:
        """Long forms of acronyms in the question (corpus definitions first, then the glossary)."""
        return expand_acronyms(text, self._acronyms)

    def _load_docs(self) -> None:
        self._acronyms = self.store.acronyms()
        self._docs = {r["id"]: r for r in self.store.documents()}
        self._doc_terms = {}
        for d in self._docs.values():
            # explicit metadata only: year and month of the meeting, each part of its place as a phrase
            # ("New York", "Tokyo"; not "nations" alone), and an ordinal in its title ("Second Meeting")
            terms: set[str] = set()
            for iso in (d["date"], d["date_end"]):
                if iso:
                    terms.add(iso[:4])
                    terms.add(human_date(iso).split()[1].lower())
            for part in (d["place"] or "").split(","):
                if part.strip():
                    terms.add("place:" + part.strip().lower())
            terms |= {w for w in _ORDINALS if re.search(rf"\b{w}\b", d["title"], re.I)}
            self._doc_terms[d["id"]] = terms

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

    def _idf(self, terms: list[str]) -> dict[str, float]:
        """Inverse passage frequency of each question term (cached per index generation)."""
        if self._idf_gen != self._doc_meta_gen:
            self._idf_cache, self._idf_gen = {}, self._doc_meta_gen
        n = None
        out = {}
        for t in terms:
            if t not in self._idf_cache:
                if n is None:
                    n = self.store.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
                q = fts_query([t])
                df = self.store.conn.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (q,)).fetchone()[0] if q else 0
                self._idf_cache[t] = math.log((n + 1) / (df + 0.5))
            out[t] = max(self._idf_cache[t], 0.0)
        return out

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
        """Top ``n`` chunks by dense score: FAISS finds candidate vectors (passages and sentences), then
        every candidate chunk is scored exactly from all its vectors (see :meth:`dense_scores`)."""
        import faiss

        index = self._index()
        if index.ntotal == 0:
            return []
        faiss.omp_set_num_threads(1)  # single queries are faster on one thread (FACTS.md)
        params = None
        if scope:
            sql, args = self._scope_sql("SELECT v.id FROM vectors v JOIN chunks c ON c.id = v.chunk_id WHERE 1", [], scope)
            allowed = np.array([r[0] for r in self.store.conn.execute(sql, args)], dtype=np.int64)
            if len(allowed) == 0:
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))
        _, I = index.search(qvec.reshape(1, -1).astype(np.float32), min(n * 6, index.ntotal), params=params)
        vids = [int(i) for i in I[0] if i >= 0]
        owner = self._vector_owners(vids)
        cands = list(dict.fromkeys(owner[v][0] for v in vids if v in owner))[:n]
        scores = self.dense_scores(cands, qvec)
        return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))

    def _vector_owners(self, vids: list[int]) -> dict[int, tuple[int, int]]:
        rows = self.store.select_in("SELECT id, chunk_id, kind FROM vectors WHERE id IN ({in_})", vids)
        return {r[0]: (r[1], r[2]) for r in rows}

    def _chunk_views(self, chunk_ids: list[int]) -> tuple[list[sqlite3.Row], np.ndarray | None]:
        """Every vector row (passage and sentences) of ``chunk_ids``, with the vectors from FAISS."""
        rows = self.store.select_in("SELECT id, chunk_id, kind, hash FROM vectors WHERE chunk_id IN ({in_})", chunk_ids)
        if not rows:
            return [], None
        try:
            return rows, self._index().reconstruct_batch(np.array([r[0] for r in rows], dtype=np.int64))
        except RuntimeError:
            return [], None

    def view_vectors(self, chunk_ids: list[int]) -> dict[int, dict[str, np.ndarray]]:
        """Stored vectors of each chunk's views (passage and sentences), keyed by text hash."""
        rows, vecs = self._chunk_views(chunk_ids)
        out: dict[int, dict[str, np.ndarray]] = {}
        for r, v in zip(rows, vecs if vecs is not None else []):
            out.setdefault(r["chunk_id"], {})[r["hash"]] = v
        return out

    def dense_scores(self, chunk_ids: list[int], qvec: np.ndarray) -> dict[int, float]:
        """``PASSAGE_WEIGHT * cos(passage) + (1 - PASSAGE_WEIGHT) * max cos(sentence)`` per chunk."""
        rows, vecs = self._chunk_views(chunk_ids)
        if vecs is None:
            return {}
        sims = vecs @ qvec.astype(np.float32)
        passage: dict[int, float] = {}
        sentence: dict[int, float] = {}
        for (vid, cid, kind, _), sim in zip(rows, sims):
            if kind == PASSAGE:
                passage[cid] = float(sim)
            else:
                sentence[cid] = max(sentence.get(cid, -1.0), float(sim))
        return {
            cid: PASSAGE_WEIGHT * p + (1 - PASSAGE_WEIGHT) * sentence.get(cid, p) for cid, p in passage.items()
        }

    def _meta_boost(self, query: str) -> dict[int, float]:
        """Per-document score in [0, 1] for explicit metadata in the question: a year or month, a place,
        an ordinal ("the second meeting"). Other title words are left to the lexical and dense rankers."""
        docs = self._doc_terms
        if len(docs) < 2:
            return {}
        low = query.lower()
        q = {w.lower() for w in TOKEN.findall(query)}
        q |= {t for ts in docs.values() for t in ts if t.startswith("place:") and re.search(rf"\b{re.escape(t[6:])}\b", low)}
        n = len(docs)
        df: dict[str, int] = {}
        for ts in docs.values():
            for t in q & ts:
                df[t] = df.get(t, 0) + 1
        scores = {}
        for doc_id, ts in docs.items():
            s = sum(math.log(n / df[t]) for t in q & ts if df[t] < n)
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
        expansions = self.expansions(text)
        terms = query_terms(text)
        terms += [t for t in query_terms(" ".join(expansions)) if t not in terms]
        if mode != "lexical" and self.embedder is None:
            mode = "lexical"
        if not text:
            return SearchResponse(query, mode, [], scope)
        n = max(CANDIDATES, k * 4)
        lex = self.lexical(terms, n, scope) if mode in ("hybrid", "lexical") else []
        den: list[tuple[int, float]] = []
        if mode in ("hybrid", "dense"):
            if qvec is None:
                qvec = self.embedder.embed_query(f"{text} ({'; '.join(expansions)})" if expansions else text)
            den = self.dense(qvec, n, scope)
        lex_rank = {cid: r for r, (cid, _) in enumerate(lex, 1)}
        den_rank = {cid: r for r, (cid, _) in enumerate(den, 1)}
        sims = dict(den)
        if qvec is not None and mode != "lexical":
            sims.update(self.dense_scores([c for c in lex_rank if c not in sims], qvec))
        # Convex combination: dense score (cosine) + LEXICAL_WEIGHT * BM25 scaled by the question's best BM25
        # and by the share of the question (idf-weighted) the passage contains, so a passage matching one
        # common word gets little lexical credit. Beat reciprocal-rank fusion and plain BM25 scaling on
        # tests/data/qa.jsonl (benchmarks/RESULTS.md, "fusion").
        top_lex = max((sc for _, sc in lex), default=0.0) or 1.0
        lexn = {cid: sc / top_lex for cid, sc in lex}
        rows = self._chunk_rows(list(dict.fromkeys([*lex_rank, *den_rank])))
        if mode == "hybrid" and self.fusion == "convex" and lexn:
            idf = self._idf(terms)
            total = sum(idf.values()) or 1.0
            for cid in lexn:
                got = matched_terms(rows[cid]["text"], terms)
                lexn[cid] *= sum(idf[t] for t in got) / total
        fused: dict[int, float] = {}
        for cid in rows:
            if mode == "lexical":
                fused[cid] = lexn.get(cid, 0.0)
            elif mode == "dense":
                fused[cid] = sims.get(cid, 0.0)
            elif self.fusion == "rrf":
                fused[cid] = sum(1.0 / (RRF_K + r[cid]) for r in (lex_rank, den_rank) if cid in r)
            else:
                fused[cid] = sims.get(cid, 0.0) + self.lexical_weight * lexn.get(cid, 0.0)
        boost = self._meta_boost(text)
        if boost and fused:
            # scale-free: a named year/place/ordinal lifts a document's passages by a share of the gap
            # between the best and the worst candidate, whatever the mode's score scale
            vals = sorted(fused.values())
            spread = vals[-1] - vals[0]
            for cid in fused:
                fused[cid] += META_WEIGHT * spread * boost.get(rows[cid]["doc_id"], 0.0)
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
        return SearchResponse(query, mode, results, scope, qvec)

    def _chunk_rows(self, ids: list[int]) -> dict[int, sqlite3.Row]:
        sql = "SELECT id, doc_id, paragraph, ordinal, start, end, section, text FROM chunks WHERE id IN ({in_})"
        return {r["id"]: r for r in self.store.select_in(sql, ids)}


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
