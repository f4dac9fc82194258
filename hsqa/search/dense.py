"""Dense retrieval: FAISS over passage and sentence vectors; owns the FAISS index of one generation."""

from __future__ import annotations

import sqlite3
import threading

import numpy as np

from ..chunking import PASSAGE
from ..scope import Scope
from ..store import IndexInfo, Store
from .lexical import scope_sql


class StaleGeneration(Exception):
    """The vector file of the generation being read was replaced by a writer: read again."""


class DenseRetriever:
    """Thread-safe: the FAISS index is loaded once per generation and shared by every reader."""

    def __init__(self, store: Store):
        self.store = store
        self._faiss = None
        self._gen = -1
        self._lock = threading.Lock()
        self.repaired = False

    def index(self, info: IndexInfo):
        """The FAISS index of ``info.generation`` (the caller's read transaction sees that generation)."""
        with self._lock:
            if self._faiss is not None and self._gen == info.generation:
                return self._faiss
            try:
                index, repaired = self.store.load_faiss(info)
            except (RuntimeError, OSError) as e:
                raise StaleGeneration(str(e)) from e
            self._faiss, self._gen = index, info.generation
            self.repaired = self.repaired or repaired
            return index

    def search(self, conn: sqlite3.Connection, index, qvec: np.ndarray, n: int, scope: Scope | None) -> list[int]:
        """Up to ``n`` candidate chunk ids, nearest first (by their nearest vector, passage or sentence)."""
        import faiss

        if index.ntotal == 0:
            return []
        faiss.omp_set_num_threads(1)  # single queries are faster on one thread (FACTS.md)
        params = None
        if scope:
            sql, args = scope_sql("SELECT v.id FROM vectors v JOIN chunks c ON c.id = v.chunk_id WHERE 1", [], scope)
            allowed = np.array([r[0] for r in conn.execute(sql, args)], dtype=np.int64)
            if len(allowed) == 0:
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))
        _, ids = index.search(qvec.reshape(1, -1).astype(np.float32), min(n * 6, index.ntotal), params=params)
        vids = [int(i) for i in ids[0] if i >= 0]
        rows = self.store.select_in("SELECT id, chunk_id FROM vectors WHERE id IN ({in_})", vids)
        owner = {r[0]: r[1] for r in rows}
        return list(dict.fromkeys(owner[v] for v in vids if v in owner))[:n]

    def views(self, index, chunk_ids: list[int]) -> tuple[list[sqlite3.Row], np.ndarray]:
        """Every vector row (passage and sentences) of ``chunk_ids``, with its vector from FAISS."""
        rows = self.store.select_in("SELECT id, chunk_id, kind, hash FROM vectors WHERE chunk_id IN ({in_})", chunk_ids)
        if not rows:
            return [], np.zeros((0, index.d), dtype=np.float32)
        try:
            vecs = index.reconstruct_batch(np.array([r[0] for r in rows], dtype=np.int64))
        except RuntimeError as e:  # ids of this transaction missing from this generation's file
            raise StaleGeneration(str(e)) from e
        return rows, vecs

    def scores(self, index, chunk_ids: list[int], qvec: np.ndarray) -> dict[int, tuple[float, float]]:
        """``{chunk_id: (cos(passage), best cos(sentence))}``; a passage without sentences uses its own."""
        rows, vecs = self.views(index, chunk_ids)
        sims = vecs @ qvec.astype(np.float32) if len(rows) else []
        passage: dict[int, float] = {}
        sentence: dict[int, float] = {}
        for r, sim in zip(rows, sims):
            cid = r["chunk_id"]
            if r["kind"] == PASSAGE:
                passage[cid] = float(sim)
            else:
                sentence[cid] = max(sentence.get(cid, -1.0), float(sim))
        return {cid: (p, sentence.get(cid, p)) for cid, p in passage.items()}
