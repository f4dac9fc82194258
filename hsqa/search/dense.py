"""Dense retrieval: ANN search over the passage vectors of one snapshot's generation; cosines with the whole
passage and with each of its sentences for the candidates, from their stored vectors."""

from __future__ import annotations

import sqlite3

import numpy as np

from ..chunking import PASSAGE
from ..scope import Scope
from ..store import Snapshot
from ..store.vectors import index_nprobe, is_ivf
from .lexical import scope_sql


class DenseRetriever:
    """The FAISS index is the snapshot's (loaded once per generation and shared by the store)."""

    def __init__(self) -> None:
        self.repaired = False  #: a vector file was missing or inconsistent and was rebuilt from stored embeddings

    def search(self, snap: Snapshot, qvec: np.ndarray, n: int, scope: Scope | None) -> list[int]:
        """Up to ``n`` candidate chunk ids, nearest passage vector first (the ANN index holds passage vectors
        only; sentences are scored for the candidates by :meth:`scores`)."""
        import faiss

        index = snap.faiss()
        self.repaired = self.repaired or snap.repaired
        if index.ntotal == 0:
            return []
        faiss.omp_set_num_threads(1)  # single queries are faster on one thread (FACTS.md)
        params = None
        if scope:
            sql, args = scope_sql(
                "SELECT v.id FROM vectors v JOIN chunks c ON c.id = v.chunk_id WHERE v.kind = 0", [], scope)
            allowed = np.array([r[0] for r in snap.execute(sql, args)], dtype=np.int64)
            if len(allowed) == 0:
                return []
            sel = faiss.IDSelectorBatch(allowed)
            params = faiss.SearchParametersIVF(sel=sel, nprobe=index_nprobe(index)) if is_ivf(index) \
                else faiss.SearchParameters(sel=sel)
        _, ids = index.search(qvec.reshape(1, -1).astype(np.float32), min(n, index.ntotal), params=params)
        vids = [int(i) for i in ids[0] if i >= 0]
        owner = {r[0]: r[1] for r in snap.select_in("SELECT id, chunk_id FROM vectors WHERE id IN ({in_})", vids)}
        return list(dict.fromkeys(owner[v] for v in vids if v in owner))[:n]

    def views(self, snap: Snapshot, chunk_ids: list[int]) -> tuple[list[sqlite3.Row], np.ndarray]:
        """Every vector row (passage and sentences) of ``chunk_ids``, with its stored vector."""
        return snap.view_vectors(chunk_ids)

    def scores(self, snap: Snapshot, chunk_ids: list[int], qvec: np.ndarray) -> dict[int, tuple[float, float]]:
        """``{chunk_id: (cos(passage), best cos(sentence))}``; a passage without sentences uses its own."""
        rows, vecs = self.views(snap, chunk_ids)
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
