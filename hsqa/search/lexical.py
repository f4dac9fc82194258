"""Lexical retrieval: SQLite FTS5 BM25 over passage text, section, title and date/place words."""

from __future__ import annotations

import functools
import math
import re
import sqlite3
import threading
import unicodedata
from pathlib import Path

import numpy as np

from ..errors import HsqaError
from ..scope import Scope
from ..text import cjk_segment, fts_query, matched_terms, stem
from . import postings as _postings
from .postings import PostingsError

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


#: FTS5's bm25 parameters (fts5_aux.c): a phrase adds at most ``idf * (k1 + 1)`` to a row's score
BM25_K1, BM25_B = 1.2, 0.75
#: the idf FTS5's bm25 gives a phrase found in half the rows or more (its formula would make it <= 0)
CLAMPED_IDF = 1e-6
#: common terms are left out of the MATCH only when they match at least this many passages in all: below it
#: scoring them costs less than adding their share back (~1.2 µs per matched row vs ~1.5 ms per question,
#: measured at 50k passages, benchmarks/SCALE-PROFILE.md); the results are the same either way
PRUNE_MIN_ROWS = 4000
#: a phrase of several tokens matching at most this many rows takes its counts from FTS5's bm25 (~7 µs a row);
#: a longer doclist from its tokens' positions (a cost switch: both are exact)
PHRASE_BM25_ROWS = 64
#: phrases kept counted (all of one generation)
PHRASE_CACHE = 512
#: a token as FTS5's unicode61 tokenizer cuts ASCII text (letters and digits)
_WORD = re.compile(r"[^\W_]+")


def clamped(df: int, n: int) -> bool:
    """FTS5's bm25 clamps the idf of a phrase in ``df`` of ``n`` rows to 1e-6 (fts5_aux.c, same formula)."""
    return math.log((n - df + 0.5) / (df + 0.5)) <= 0.0


_varints = _postings.varints


class LexicalRetriever:
    """BM25 top-N and term statistics; every call takes the connection of the caller's read transaction."""

    def __init__(self, index_dir: Path | None = None) -> None:
        #: where the per-generation postings files are (None: FTS5 scores every query)
        self.index_dir = Path(index_dir) if index_dir is not None else None
        self._post: tuple[int, object, _postings.Postings | None] | None = None  # (generation, file stat, postings)
        self._post_lock = threading.Lock()
        #: phrases of several tokens already counted: ``{(generation, tokens): (rows, frequencies)}`` (like the df
        #: cache; "Secretary-General" costs ~10 ms at 50k passages to count, a lookup once counted)
        self._phrases: dict[tuple[int, tuple[str, ...]], tuple[np.ndarray, np.ndarray]] = {}
        self._df: dict[str, int] = {}
        self._n = 0  #: rows of the FTS index, as its bm25 counts them
        self._passages = 0  #: rows of the chunks table (the idf of the coverage feature)
        self._avgdl = 0.0  #: mean tokens per row, as FTS5's bm25 computes it
        self._gen = -1
        #: how the last search ran: "postings", "full", "pruned" (without common terms) or "full after pruned"
        self.last_plan = ""

    def search(self, conn: sqlite3.Connection, terms: list[str], n: int, scope: Scope | None,
               generation: int | None = None) -> list[tuple[int, float]]:
        """``[(chunk_id, bm25)]``, best first; BM25 made positive (higher is better).

        With ``generation`` (the index generation the term statistics are cached for), single-word terms
        found in half the passages or more first stay out of the ``MATCH``: FTS5's bm25 clamps their idf
        to 1e-6, so they add less than 2.2e-6 each to any score while costing most of the query's time
        (every passage they match is scored; "human" and "security" are in most passages of a human-security
        archive). The shorter query's top ``n`` is the same set of passages when its n-th score leads the
        next by more than those terms can add (else the full query runs); their small share of each score
        is then added back exactly as FTS5 computes it, from their counts in the passage's columns, so
        scores and order are the full query's (to the last bits of a float sum).

        Before all that, with the generation's postings (:mod:`.postings`), the same ranking and scores are
        computed term at a time in numpy instead.
        """
        post = self.postings(conn, generation) if generation is not None else None
        if post is not None:
            try:
                got = self._search_postings(conn, post, terms, n, scope)
                self.last_plan = "postings"
                return got
            except PostingsError:
                pass
        common = self._common(conn, terms, generation) if generation is not None else []
        if common and len(common) < len(terms) and sum(self._df[t] for t in common) >= PRUNE_MIN_ROWS:
            rows = self._top(conn, [t for t in terms if t not in common], n + 1, scope)
            bound = CLAMPED_IDF * (BM25_K1 + 1.0) * len(common) * 1.001
            if len(rows) > n and rows[n - 1][1] - rows[n][1] > bound and rows[n - 1][1] > bound:
                exact = self._add_common(conn, rows[:n], [stem(t) for t in common])
                if exact is not None:
                    self.last_plan = "pruned"
                    return exact
            self.last_plan = "full after pruned"
        else:
            self.last_plan = "full"
        return self._top(conn, terms, n, scope)

    # -- postings ---------------------------------------------------------------------------------
    def postings(self, conn: sqlite3.Connection, generation: int) -> _postings.Postings | None:
        """The postings of ``generation`` (the snapshot ``conn`` reads), loaded once and checked against its FTS5
        statistics; None when there is no sound file for it (FTS5 then scores the query)."""
        if self.index_dir is None:
            return None
        path = _postings.path_for(self.index_dir, generation)
        try:
            st = path.stat()
            stat = (st.st_size, st.st_mtime_ns, st.st_ino)
        except OSError:
            stat = None
        with self._post_lock:
            cached = self._post
            if cached is not None and cached[0] == generation and cached[1] == stat:
                return cached[2]
            post = None
            if stat is not None:
                try:
                    top = conn.execute("SELECT max(id) FROM chunks_fts_docsize").fetchone()[0]
                    if _postings.same_tokenizer(conn):  # questions are tokenized as this tokenizer does
                        post = _postings.load(path, generation, _postings.averages(conn), top, COLUMN_WEIGHTS)
                except (PostingsError, sqlite3.Error):
                    post = None
            self._post = (generation, stat, post)
            return post

    def _search_postings(self, conn: sqlite3.Connection, post: _postings.Postings, terms: list[str], n: int,
                         scope: Scope | None) -> list[tuple[int, float]]:
        """:meth:`_top` computed from the postings: the query's phrases in its order (as :func:`fts_query`
        writes them); single tokens from the postings, phrases of several tokens from FTS5's doclist."""
        phrases = []
        for t in terms:
            if not re.search(r"\w", t):
                continue  # fts_query leaves it out
            toks = _postings.tokens(cjk_segment(t).strip())
            if len(toks) == 1:
                phrases.append(post.token_share(toks[0]))
            elif len(toks) > 1:
                key = (post.generation, toks)
                got = self._phrases.get(key)
                if got is None:
                    got = self._phrase(conn, post, t, toks)
                    if len(self._phrases) >= PHRASE_CACHE or any(k[0] != post.generation for k in self._phrases):
                        self._phrases = {}  # full, or counted in another generation
                    self._phrases[key] = got
                phrases.append((got[0], post.share(toks, *got)))
            # no token: FTS5's phrase matches no row and adds 0 to every score
        if not phrases:
            return []
        allowed = None
        if scope and (scope.doc_ids or scope.years):
            sql, args = scope_sql("SELECT c.doc_id FROM (SELECT id AS doc_id FROM documents) c WHERE 1", [], scope)
            allowed = post.allowed(r[0] for r in conn.execute(sql, args))
        return post.top(phrases, n, allowed)

    def _phrase(self, conn: sqlite3.Connection, post: _postings.Postings, term: str, toks: tuple[str, ...]):
        """``(row positions, weighted frequencies)`` of a phrase of several tokens. Its rows are FTS5's; a short
        doclist takes each column's count from FTS5's bm25 with that column alone weighted 1 (inverted to the
        integer count, then checked by recomputing the score exactly); a long one ("Secretary-General") counts
        the phrase's instances from its tokens' positions in FTS5's index (an ``fts5vocab`` table)."""
        q = fts_query([term])
        ncol = len(COLUMN_WEIGHTS)
        unit = [", ".join("1" if j == c else "0" for j in range(ncol)) for c in range(ncol)]
        sql = (f"SELECT rowid, {', '.join(f'bm25(chunks_fts, {u})' for u in unit)} FROM chunks_fts "
               f"WHERE chunks_fts MATCH ? LIMIT {PHRASE_BM25_ROWS + 1}")
        try:
            got = conn.execute(sql, (q,)).fetchall()
            if len(got) > PHRASE_BM25_ROWS:
                return self._phrase_positions(conn, post, q, toks)
        except sqlite3.OperationalError as e:
            raise PostingsError(str(e)) from None
        if not got:
            return np.zeros(0, dtype=np.int32), np.zeros(0)
        got.sort(key=lambda r: r[0])
        rows = post.positions(np.array([r[0] for r in got], dtype=np.int64))
        idf = _postings.idf_of(len(rows), post.nrow)
        norm = post.norm[rows]
        s = -np.array([r[1:] for r in got], dtype=np.float64)  # (rows, columns): each column's share
        counts = np.rint(s * norm[:, None] / (idf * (BM25_K1 + 1.0) - s)).astype(np.int64)
        counts[s == 0.0] = 0
        f = counts.astype(np.float64)
        if np.any(counts < 0) or not np.array_equal(np.where(counts > 0, idf * ((f * (BM25_K1 + 1.0)) / (f + norm[:, None])), 0.0), s):
            raise PostingsError(f"phrase counts of {term!r} do not reproduce FTS5's scores")
        return rows, _postings.weighted_freq(counts, COLUMN_WEIGHTS)

    def _phrase_positions(self, conn: sqlite3.Connection, post: _postings.Postings, q: str, toks: tuple[str, ...]):
        """A phrase's instances per row and column from its tokens' positions (token i at offset o + i of one
        column), checked against the rows FTS5 finds for it."""
        if len(toks) > _postings.MAX_PHRASE:
            raise PostingsError("phrase too long to match from positions")
        rowids = np.array([r[0] for r in conn.execute(
            "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rowid", (q,))], dtype=np.int64)
        starts = None
        for i, tok in enumerate(toks):
            keys = _postings.token_positions(conn, tok) - i
            starts = keys if starts is None else starts[np.isin(starts, keys, assume_unique=True)]
        where, counts = np.unique(starts >> _postings.OFFSET_BITS, return_counts=True)  # (row * ncol + column)
        ncol = len(COLUMN_WEIGHTS)
        doc, col = where // ncol, where % ncol
        ids = np.unique(doc)
        if not np.array_equal(ids, rowids):
            raise PostingsError("phrase instances disagree with FTS5's rows")
        table = np.zeros((len(ids), ncol), dtype=np.int64)
        table[np.searchsorted(ids, doc), col] = counts
        return post.positions(ids), _postings.weighted_freq(table, COLUMN_WEIGHTS)

    def _top(self, conn: sqlite3.Connection, terms: list[str], n: int, scope: Scope | None) -> list[tuple[int, float]]:
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

    def _add_common(self, conn: sqlite3.Connection, rows: list[tuple[int, float]], stems: list[str]):
        """``rows`` with each common term's bm25 share added as fts5_aux.c computes it (idf 1e-6, the term's
        column-weighted count, the row's length from its docsize record), re-sorted; None when a column
        holds characters on which Python's and unicode61's notion of a letter may differ."""
        ids = [r for r, _ in rows]
        marks = ",".join("?" * len(ids))
        try:
            # the columns as the FTS table sees them (body is the cleaned text, meta the date/place words),
            # and each row's token count (FTS5's docsize record: one varint per column)
            cols = {r[0]: r[1:] for r in conn.execute(
                f"SELECT rowid, body, section, title, meta FROM chunks_fts WHERE rowid IN ({marks})", ids)}
            sizes = dict(conn.execute(f"SELECT id, sz FROM chunks_fts_docsize WHERE id IN ({marks})", ids).fetchall())
        except sqlite3.OperationalError:  # an FTS layout without these (e.g. columnsize=0): the full query
            return None
        if self._avgdl <= 0:
            return None
        out = []
        for rid, score in rows:
            texts = cols.get(rid)
            if texts is None or rid not in sizes or not all(_plain(t) for t in texts):
                return None
            norm = BM25_K1 * (1 - BM25_B + BM25_B * sum(_varints(sizes[rid])) / self._avgdl)
            for st in stems:
                freq = 0.0
                for text, w in zip(texts, COLUMN_WEIGHTS):  # instances in (column, offset) order, as fts5 adds
                    for _ in range(_count_stem(text or "", st)):
                        freq += w
                score += CLAMPED_IDF * (freq * (BM25_K1 + 1.0)) / (freq + norm)
            out.append((rid, score))
        out.sort(key=lambda r: -r[1])
        return out

    def _common(self, conn: sqlite3.Connection, terms: list[str], generation: int) -> list[str]:
        """The single-word terms whose bm25 idf FTS5 clamps (found in half the passages or more)."""
        df = self.frequencies(conn, terms, generation)
        if self._n <= 0:
            return []
        return [t for t in terms if t.isascii() and _WORD.fullmatch(t) and len(stem(t)) >= 2 and clamped(df[t], self._n)]

    def frequencies(self, conn: sqlite3.Connection, terms: list[str], generation: int) -> dict[str, int]:
        """Passages matching each term, as FTS5 counts them (cached per index generation).

        One ``count(*) … MATCH`` per new term: FTS5 stores no document frequencies, and an ``fts5vocab`` table
        computes them by the same doclist scan (measured no faster, benchmarks/SCALE-PROFILE.md)."""
        if self._gen != generation:
            self._df, self._gen = {}, generation
            self._n, self._avgdl = self._averages(conn)
            self._passages = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        post = self.postings(conn, generation)
        for t in terms:
            if t not in self._df and post is not None and re.search(r"\w", t):
                toks = _postings.tokens(cjk_segment(t).strip())
                if len(toks) <= 1:
                    self._df[t] = post.df(toks[0]) if toks else 0
            if t not in self._df:
                q = fts_query([t])
                self._df[t] = conn.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (q,)).fetchone()[0] if q else 0
        return {t: self._df[t] for t in terms}

    @staticmethod
    def _averages(conn: sqlite3.Connection) -> tuple[int, float]:
        """Rows and mean tokens per row of the FTS index, from its averages record (what bm25 reads)."""
        try:
            row = conn.execute("SELECT block FROM chunks_fts_data WHERE id = 1").fetchone()
        except sqlite3.OperationalError:  # no averages record to read: never prune (n = 0)
            return 0, 0.0
        vals = _varints(row[0]) if row and row[0] else []
        if not vals or vals[0] == 0:
            return 0, 0.0
        return vals[0], float(sum(vals[1:])) / float(vals[0])

    def idf(self, conn: sqlite3.Connection, terms: list[str], generation: int) -> dict[str, float]:
        """Inverse passage frequency of each term (cached per index generation), never negative."""
        df = self.frequencies(conn, terms, generation)
        return {t: max(math.log((self._passages + 1) / (df[t] + 0.5)), 0.0) for t in terms}


def _plain(text: str | None) -> bool:
    r"""Text whose letters and digits Python's ``[^\W_]`` and FTS5's unicode61 delimit alike: ASCII, or
    without combining marks and private-use characters."""
    if not text or text.isascii():
        return True
    return not any(unicodedata.category(ch)[0] == "M" or unicodedata.category(ch) == "Co" for ch in text if ord(ch) > 127)


def _count_stem(text: str, st: str) -> int:
    """Tokens of ``text`` (unicode61 + porter) equal to ``st`` (a stem of 2+ characters)."""
    if text.isascii():
        # Porter only rewrites a token's last letters: a token whose stem is ``st`` starts with ``st`` minus its
        # last two letters (``-ation`` -> ``-ate``, ``-biliti`` -> ``-ble``), and always with its first two
        cands = _prefixed(st[: max(2, len(st) - 2)]).findall(text)
    else:
        cands = _WORD.findall(text)
    return sum(1 for w in cands if stem(w) == st)


@functools.lru_cache(maxsize=1024)
def _prefixed(prefix: str) -> re.Pattern:
    return re.compile(rf"(?<![^\W_]){re.escape(prefix)}[^\W_]*", re.IGNORECASE)


def coverage(text: str, terms: list[str], idf: dict[str, float]) -> float:
    """The idf-weighted share of the question's terms that ``text`` contains (0–1)."""
    total = sum(idf.get(t, 0.0) for t in terms)
    if total <= 0:
        return 0.0
    return sum(idf.get(t, 0.0) for t in matched_terms(text, terms)) / total
