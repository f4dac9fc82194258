"""Lexical retrieval: SQLite FTS5 BM25 over passage text, section, title and date/place words."""

from __future__ import annotations

import math
import sqlite3

from ..errors import HsqaError
from ..scope import Scope
from ..text import fts_query, matched_terms

#: BM25 column weights: body, section, title, meta (date and place words)
COLUMN_WEIGHTS = (1.0, 0.5, 0.3, 0.3)


def scope_sql(sql: str, args: list, scope: Scope | None) -> tuple[str, list]:
    """``sql`` (whose chunk table is aliased ``c``) restricted to ``scope``."""
    if scope and scope.doc_ids:
        sql += f" AND c.doc_id IN ({','.join('?' * len(scope.doc_ids))})"
        args += sorted(scope.doc_ids)
    if scope and scope.years:
        sql += (
            " AND c.doc_id IN (SELECT id FROM documents WHERE CAST(substr(date,1,4) AS INTEGER) "
            f"IN ({','.join('?' * len(scope.years))}))"
        )
        args += sorted(scope.years)
    return sql, args


class LexicalRetriever:
    """BM25 top-N and term statistics; every call takes the connection of the caller's read transaction."""

    def __init__(self) -> None:
        self._idf: dict[str, float] = {}
        self._idf_gen = -1

    def search(self, conn: sqlite3.Connection, terms: list[str], n: int, scope: Scope | None) -> list[tuple[int, float]]:
        """``[(chunk_id, bm25)]``, best first; BM25 made positive (higher is better)."""
        q = fts_query(terms)
        if q is None:
            return []
        w = ", ".join(str(x) for x in COLUMN_WEIGHTS)
        # the join with chunks is only needed to filter by scope (it costs a third of the query at 50k passages)
        join = " JOIN chunks c ON c.id = f.rowid" if scope else ""
        sql = f"SELECT f.rowid, bm25(chunks_fts, {w}) AS s FROM chunks_fts f{join} WHERE chunks_fts MATCH ?"
        sql, args = scope_sql(sql, [q], scope)
        sql += " ORDER BY s LIMIT ?"
        args.append(n)
        try:
            return [(r[0], -r[1]) for r in conn.execute(sql, args)]
        except sqlite3.OperationalError as e:  # should not happen with quoted tokens; never crash a question
            raise HsqaError(f"lexical search failed on this question ({e})") from e

    def idf(self, conn: sqlite3.Connection, terms: list[str], generation: int) -> dict[str, float]:
        """Inverse passage frequency of each term (cached per index generation), never negative."""
        if self._idf_gen != generation:
            self._idf, self._idf_gen = {}, generation
        missing = [t for t in terms if t not in self._idf]
        if missing:
            n = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
            for t in missing:
                q = fts_query([t])
                df = conn.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (q,)).fetchone()[0] if q else 0
                self._idf[t] = max(math.log((n + 1) / (df + 0.5)), 0.0)
        return {t: self._idf[t] for t in terms}


def coverage(text: str, terms: list[str], idf: dict[str, float]) -> float:
    """The idf-weighted share of the question's terms that ``text`` contains (0–1)."""
    total = sum(idf.get(t, 0.0) for t in terms)
    if total <= 0:
        return 0.0
    return sum(idf.get(t, 0.0) for t in matched_terms(text, terms)) / total
