"""FTS5's BM25, term at a time over per-generation postings in numpy: the same top-N and the same scores as
``ORDER BY bm25(chunks_fts, …) LIMIT n``, without SQLite scoring every row that matches any term.

FTS5 stays the tokenizer, the store of record and the fallback. The postings are *read from FTS5's own index*
(an ``fts5vocab`` ``instance`` table: every token as FTS5 stored it, with its row and column), together with
each row's token count (``chunks_fts_docsize``) and the index's averages record, when an index run commits a
generation; they are saved next to that generation's vector file (``lexical-<generation>.npz``, with a format
version) and checked against the snapshot's FTS5 statistics when loaded. A missing, stale or damaged file
means FTS5 answers, never a wrong answer.

Per row and term only the token's count in each column is kept (as a code into the few distinct count
combinations); scores are computed as fts5_aux.c computes them: idf from the term's row count (clamped to
1e-6 when <= 0), the column-weighted frequency summed instance by instance in column order, the row length
over the mean length, phrases added in query order. Phrases of several tokens (``A/64/701``, CJK bigrams,
``co-chaired``) are not in the postings: FTS5 finds their rows; a short doclist's counts per column come back
exactly from its bm25 with one column weighted 1 (an integer count inverted from the score, then checked by
recomputing the score bit for bit), a long one's from its tokens' positions in FTS5's index.

An index run updates the previous generation's postings (rows gone dropped, new or renamed rows tokenized by
FTS5 in a temporary table) and checks that every row's and every column's token count adds up to FTS5's
docsize and averages records; anything that does not is built whole (2.3 s CPU at 50k passages). Questions
are tokenized by FTS5 too (an in-memory FTS5 table with the same tokenizer, cached per term).
"""

from __future__ import annotations

import functools
import math
import sqlite3
import threading
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..fsutil import write_atomically

#: format of the saved postings; another value is not read (FTS5 answers until the next index run).
#: 2: row positions stored as differences within each term (sorted, so small) in a compressed zip: ~4x smaller
FORMAT = 2
#: bm25 shares kept per generation, in postings (8 bytes each: 16 MB), for phrases that come back
SHARE_CACHE = 2_000_000
#: fts5_aux.c's bm25 parameters
K1, B = 1.2, 0.75
CLAMPED_IDF = 1e-6
TOKENIZER = "porter unicode61 remove_diacritics 2"


class PostingsError(Exception):
    """The postings cannot answer this exactly (the caller asks FTS5 instead)."""


def path_for(index_dir: Path, generation: int) -> Path:
    return Path(index_dir) / f"lexical-{generation:06d}.npz"


def idf_of(nhit: int, nrow: int) -> float:
    """fts5_aux.c: ``log((nRow - nHit + 0.5) / (nHit + 0.5))``, 1e-6 when that is <= 0."""
    idf = math.log((nrow - nhit + 0.5) / (nhit + 0.5))
    return idf if idf > 0.0 else CLAMPED_IDF


def weighted_freq(counts: np.ndarray, weights) -> np.ndarray:
    """``(m, ncol)`` integer counts -> the column-weighted frequency bm25 sums instance by instance, in column
    order (``aFreq += w`` per instance: repeated addition, which for weights like 0.3 is not ``w * count``)."""
    f = np.zeros(len(counts), dtype=np.float64)
    for c, w in enumerate(weights):
        col = counts[:, c]
        for k in range(1, int(col.max(initial=0)) + 1):
            f = np.where(col >= k, f + float(w), f)
    return f


# -- FTS5 statistics -------------------------------------------------------------------------------
def varints(blob: bytes) -> list[int]:
    """SQLite varints (FTS5's docsize and averages records)."""
    out, i = [], 0
    while i < len(blob):
        v = 0
        for k in range(9):
            c = blob[i]
            i += 1
            if k == 8:
                v = (v << 8) | c
                break
            v = (v << 7) | (c & 0x7F)
            if c < 0x80:
                break
        out.append(v)
    return out


def averages(conn: sqlite3.Connection) -> tuple[int, ...]:
    """FTS5's averages record: ``(rows, tokens of column 0, column 1, …)``; ``()`` when there is none."""
    try:
        row = conn.execute("SELECT block FROM chunks_fts_data WHERE id = 1").fetchone()
    except sqlite3.OperationalError:
        return ()
    return tuple(varints(row[0])) if row and row[0] else ()


def _row_length(blob: bytes) -> int:
    return sum(blob) if max(blob, default=0) < 0x80 else sum(varints(blob))


def _columns(conn: sqlite3.Connection) -> list[str]:
    return [r[1] for r in conn.execute("PRAGMA table_info(chunks_fts)")]


# -- building -----------------------------------------------------------------------------------------
def _rows(conn: sqlite3.Connection, avg: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rowids, tokens per row, doc id per row)`` of the FTS index, rowids ascending."""
    sizes = conn.execute("SELECT id, sz FROM chunks_fts_docsize ORDER BY id").fetchall()
    rowids = np.array([r[0] for r in sizes], dtype=np.int64)
    ncol = len(avg) - 1
    blobs = [r[1] for r in sizes]
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    if len(raw) == ncol * len(blobs) and (len(raw) == 0 or int(raw.max()) < 0x80):
        length = raw.reshape(-1, ncol).sum(axis=1, dtype=np.int64)  # one single-byte varint per column
    else:
        length = np.array([_row_length(b) for b in blobs], dtype=np.int64)
    chunks = np.array(conn.execute("SELECT id, doc_id FROM chunks ORDER BY id").fetchall(), dtype=np.int64).reshape(-1, 2)
    if len(rowids) != avg[0] or not np.array_equal(chunks[:, 0], rowids):
        raise PostingsError("FTS rows and chunk rows disagree")
    return rowids, length, chunks[:, 1].copy()


#: bits per column of a count combination's key (:func:`_read`): four columns fit an int64
COUNT_BITS = 15
#: token instances read from FTS5 per step while building (bounds the build's memory: ~15 MB a step)
READ_STEP = 1 << 18


def _read(conn: sqlite3.Connection, schema: str, table: str, cols: list[str], rowids: np.ndarray,
          combos: dict[int, int]):
    """Every (token, row) of an FTS5 table from its own index: ``(tokens, posting token, posting row position
    in rowids, posting code)``, postings by token then row. A code stands for the token's counts in the
    row's columns: ``combos`` maps each combination's key (``COUNT_BITS`` bits per column) to its code and
    gets the new ones. Read in steps of about ``READ_STEP`` instances (ranges of tokens)."""
    ncol = len(cols)
    if ncol * COUNT_BITS > 62:
        raise PostingsError("too many columns for the count keys")
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_vrow USING fts5vocab({schema}, {table}, row)")
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_vinst USING fts5vocab({schema}, {table}, instance)")
    vocab = conn.execute(f"SELECT term, doc, cnt FROM temp.{table}_vrow").fetchall()
    case = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(cols))
    # every token instance as one integer (row * ncol + column), in the index's order: term, row, column,
    # offset; built into one string by SQLite and parsed by numpy (a Python tuple per instance costs 5x more)
    sql = (f"SELECT group_concat(doc * {ncol} + CASE col {case} END, ',') FROM temp.{table}_vinst "
           "WHERE term >= ? AND term <= ?")
    # the postings arrays, filled step by step (their size is fts5vocab's row count summed over tokens)
    total = sum(r[1] for r in vocab)
    p_term = np.zeros(total, dtype=np.int32)
    p_pos = np.zeros(total, dtype=np.uint16 if len(rowids) <= 1 << 16 else np.int32)
    p_code = np.zeros(total, dtype=np.uint16)
    at = 0
    lo = 0
    while lo < len(vocab):
        hi, n = lo, 0
        while hi < len(vocab) and (n == 0 or n + vocab[hi][2] <= READ_STEP):
            n += vocab[hi][2]
            hi += 1
        text = conn.execute(sql, (vocab[lo][0], vocab[hi - 1][0])).fetchone()[0] or ""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            inst = np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64)
        del text
        cnt = np.array([r[2] for r in vocab[lo:hi]], dtype=np.int64)
        if int(cnt.sum()) != len(inst):
            raise PostingsError("fts5vocab tables disagree")
        term, pos, key = _postings_of(inst, np.repeat(np.arange(lo, hi, dtype=np.int64), cnt), ncol, rowids)
        del inst
        distinct, local = np.unique(key, return_inverse=True)
        for k in distinct.tolist():
            combos.setdefault(k, len(combos))
        if len(combos) > 1 << 16 or at + len(term) > total:
            raise PostingsError("count combinations or postings beyond what the arrays hold")
        codes = np.array([combos[k] for k in distinct.tolist()], dtype=np.uint16)
        p_term[at : at + len(term)], p_pos[at : at + len(term)] = term, pos
        p_code[at : at + len(term)] = codes[local.reshape(-1)]
        at += len(term)
        lo = hi
    if at != total:
        raise PostingsError("fts5vocab tables disagree")
    if not np.array_equal(np.bincount(p_term, minlength=len(vocab)), np.array([r[1] for r in vocab], dtype=np.int64)):
        raise PostingsError("row counts disagree with fts5vocab")
    return [r[0] for r in vocab], p_term, p_pos, p_code


def _postings_of(inst: np.ndarray, term_of: np.ndarray, ncol: int, rowids: np.ndarray):
    """Instances (row * ncol + column, by token, row, column) -> postings ``(token, row position, count key)``."""
    # runs of one (term, row, column): their length is the token's count in that column
    run = np.ones(len(inst), dtype=bool)
    run[1:] = (inst[1:] != inst[:-1]) | (term_of[1:] != term_of[:-1])
    starts = np.flatnonzero(run)
    counts = np.diff(np.append(starts, len(inst)))
    if len(counts) and int(counts.max()) >= 1 << COUNT_BITS:
        raise PostingsError("a count the keys cannot hold")
    r_term, r_key = term_of[starts], inst[starts]
    del run, starts, inst, term_of
    r_row, r_col = r_key // ncol, r_key % ncol
    new = np.ones(len(r_row), dtype=bool)
    new[1:] = (r_row[1:] != r_row[:-1]) | (r_term[1:] != r_term[:-1])
    first = np.flatnonzero(new)
    shifted = counts << (COUNT_BITS * (ncol - 1 - r_col))  # one column per run: disjoint bits
    key = np.add.reduceat(shifted, first) if len(first) else np.zeros(0, dtype=np.int64)
    return r_term[new].astype(np.int32), _positions(rowids, r_row[new]).astype(np.int32), key


def _positions(rowids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    pos = np.searchsorted(rowids, wanted)
    if len(pos) and (pos.max() >= len(rowids) or not np.array_equal(rowids[pos], wanted)):
        raise PostingsError("a token's row has no docsize record")
    return pos


def _arrays(generation: int, avg, rowids, length, docs, terms: list[str], indptr, row, code, combos) -> dict:
    blob = [t.encode("utf-8") for t in terms]
    combos = np.asarray(combos)
    arrays = {
        "header": np.array([FORMAT, generation, len(avg) - 1, *avg], dtype=np.int64),
        "rowids": rowids,
        "docs": docs,
        "length": length.astype(np.int32),
        "terms": np.frombuffer(b"".join(blob), dtype=np.uint8),
        "term_end": np.cumsum([len(b) for b in blob], dtype=np.int64),
        "indptr": np.asarray(indptr, dtype=np.int64),
        "row": np.asarray(row).astype(np.uint16 if len(rowids) <= 1 << 16 else np.int32, copy=False),  # half the file to 65k rows
        "code": np.asarray(code).reshape(-1).astype(np.uint16 if len(combos) > 255 else np.uint8, copy=False),
        "combos": combos.astype(np.uint16 if combos.max(initial=0) > 255 else np.uint8),
    }
    _check(arrays)
    return arrays


def _check(a: dict) -> None:
    """Every token of every row is in the postings: each row's counts add up to its docsize record, and each
    column's to the averages record."""
    combos = a["combos"].astype(np.int64)
    tokens = combos.sum(axis=1).astype(np.float64)
    nrow = len(a["rowids"])
    if len(a["row"]) and (int(a["row"].min()) < 0 or int(a["row"].max()) >= nrow):
        raise PostingsError("postings of rows that are not there")
    per_row = np.zeros(nrow, dtype=np.float64)
    for i in range(0, len(a["row"]), READ_STEP):  # in steps: bounded memory
        per_row += np.bincount(a["row"][i : i + READ_STEP], weights=tokens[a["code"][i : i + READ_STEP]], minlength=nrow)
    if not np.array_equal(per_row, a["length"].astype(np.float64)):
        raise PostingsError("postings do not account for every token of every row")
    totals = np.bincount(a["code"], minlength=len(combos)) @ combos if len(combos) else np.zeros(0, np.int64)
    if tuple(int(x) for x in totals) != tuple(int(x) for x in a["header"][4:]) or int(a["header"][3]) != nrow:
        raise PostingsError("postings disagree with FTS5's averages record")


def _combo_table(combos: dict[int, int], ncol: int) -> np.ndarray:
    """The count combinations of ``combos`` (key -> code) as rows of counts, by code."""
    keys = np.array(sorted(combos, key=combos.get), dtype=np.int64)
    shifts = COUNT_BITS * np.arange(ncol - 1, -1, -1, dtype=np.int64)
    return (keys[:, None] >> shifts) & ((1 << COUNT_BITS) - 1) if len(keys) else np.zeros((0, ncol), np.int64)


def _combo_key(counts, ncol: int) -> int:
    return sum(int(c) << (COUNT_BITS * (ncol - 1 - i)) for i, c in enumerate(counts))


def build(conn: sqlite3.Connection, generation: int) -> dict[str, np.ndarray]:
    """The postings of the FTS index as ``conn`` sees it (the writer's transaction, or a snapshot)."""
    avg, cols = averages(conn), _columns(conn)
    if not avg or len(avg) != len(cols) + 1:
        raise PostingsError("no FTS5 averages record")
    rowids, length, docs = _rows(conn, avg)
    combos: dict[int, int] = {}
    terms, p_term, pos, code = _read(conn, "main", "chunks_fts", cols, rowids, combos)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(p_term, minlength=len(terms)))])
    return _arrays(generation, avg, rowids, length, docs, terms, indptr, pos, code, _combo_table(combos, len(cols)))


def update(conn: sqlite3.Connection, base: Path, base_generation: int, generation: int,
           changed_docs: list[int]) -> dict[str, np.ndarray]:
    """The postings of ``generation`` from those of ``base_generation`` (the file ``base``): rows gone are
    dropped; new rows, and the rows of ``changed_docs`` (whose title or meta columns changed in place), are
    read from FTS5 by copying their column text into a temporary FTS5 table with the same tokenizer and
    reading its index. Raises :class:`PostingsError` when anything does not add up (then :func:`build`)."""
    avg, cols = averages(conn), _columns(conn)
    ncol = len(cols)
    if not avg or len(avg) != ncol + 1 or not same_tokenizer(conn):
        raise PostingsError("no FTS5 averages record or another tokenizer")
    old = _load_arrays(base)
    if int(old["header"][0]) != FORMAT or int(old["header"][1]) != base_generation or int(old["header"][2]) != ncol:
        raise PostingsError("base postings of another format or generation")
    rowids, length, docs = _rows(conn, avg)
    changed = set(np.setdiff1d(rowids, old["rowids"]).tolist())
    for i in range(0, len(changed_docs), 500):
        part = changed_docs[i : i + 500]
        changed.update(r[0] for r in conn.execute(
            f"SELECT id FROM chunks WHERE doc_id IN ({','.join('?' * len(part))})", part))
    # the base's postings that stay (rows still there and unchanged), at their new positions: still sorted by
    # token, then row
    stays = np.isin(old["rowids"], rowids) & ~np.isin(old["rowids"], np.fromiter(changed, dtype=np.int64, count=len(changed)))
    moved = np.searchsorted(rowids, old["rowids"]).astype(np.int32)
    if not np.array_equal(rowids[moved[stays]], old["rowids"][stays]):
        raise PostingsError("base rows not found")
    keep = stays[old["row"]]
    old_terms = _term_list(old)
    combos = {_combo_key(c, ncol): i for i, c in enumerate(old["combos"].tolist())}
    # (compact types throughout: this runs in the index run's write stage, whose memory is bounded)
    k_term = np.repeat(np.arange(len(old_terms), dtype=np.int32), np.diff(old["indptr"]))[keep]
    k_pos = moved[old["row"][keep]]
    k_code = old["code"][keep].astype(np.int32)
    del keep, old
    # the new and changed rows, tokenized by FTS5 itself
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.hsqa_delta USING fts5({', '.join(cols)}, tokenize = '{TOKENIZER}')")
    conn.execute("DELETE FROM temp.hsqa_delta")
    ids = sorted(changed)
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        conn.execute(f"INSERT INTO temp.hsqa_delta(rowid, {', '.join(cols)}) SELECT rowid, {', '.join(cols)} "
                     f"FROM main.chunks_fts WHERE rowid IN ({','.join('?' * len(part))})", part)
    d_terms, d_term, d_pos, d_code = _read(conn, "temp", "hsqa_delta", cols, rowids, combos)
    conn.execute("DELETE FROM temp.hsqa_delta")
    index = {t: i for i, t in enumerate(old_terms)}
    terms = list(old_terms)
    for t in d_terms:
        if t not in index:
            index[t] = len(terms)
            terms.append(t)
    d_term = np.array([index[t] for t in d_terms], dtype=np.int32)[d_term] if len(d_terms) else d_term
    # merge the few new postings into the kept ones (both by token, then row)
    d_order = np.lexsort((d_pos, d_term))
    d_term, d_pos, d_code = d_term[d_order], d_pos[d_order], d_code[d_order]
    at = np.searchsorted((k_term.astype(np.int64) << 32) | k_pos, (d_term.astype(np.int64) << 32) | d_pos)
    t_all, p_all, c_all = np.insert(k_term, at, d_term), np.insert(k_pos, at, d_pos), np.insert(k_code, at, d_code)
    del k_term, k_pos, k_code
    indptr = np.concatenate([[0], np.cumsum(np.bincount(t_all, minlength=len(terms)))])
    return _arrays(generation, avg, rowids, length, docs, terms, indptr, p_all, c_all, _combo_table(combos, ncol))


def same_tokenizer(conn: sqlite3.Connection) -> bool:
    """Whether the index's FTS5 table uses the tokenizer :func:`tokens` uses for questions."""
    row = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'chunks_fts'").fetchone()
    return bool(row) and f"tokenize = '{TOKENIZER}'" in (row[0] or "")


def _term_list(a: dict) -> list[str]:
    raw = a["terms"].tobytes()
    ends = a["term_end"].tolist()
    return [raw[s:e].decode("utf-8") for s, e in zip([0, *ends[:-1]], ends)]


def save(arrays: dict[str, np.ndarray], path: Path) -> int:
    """Write the postings durably (temp file in the same folder, fsync, rename, fsync the folder)."""
    return write_atomically(path, lambda f: np.savez_compressed(f, **_delta_rows(arrays)))


def write(conn: sqlite3.Connection, index_dir: Path, generation: int, base_generation: int | None = None,
          changed_docs: list[int] | None = None) -> int:
    """Save the postings of ``generation`` (as ``conn`` sees the FTS index): updated from the file of
    ``base_generation`` when it is there and adds up, else built whole. On failure make sure no file of that
    generation remains (a reader then asks FTS5). Returns the bytes written (0: none)."""
    path = path_for(index_dir, generation)
    try:
        arrays = None
        base = path_for(index_dir, base_generation) if base_generation is not None else None
        if base is not None and base.exists():
            try:
                arrays = update(conn, base, base_generation, generation, changed_docs or [])
            except (PostingsError, ValueError, KeyError, UnicodeDecodeError):
                arrays = None
        return save(arrays if arrays is not None else build(conn, generation), path)
    except (PostingsError, sqlite3.Error, MemoryError, ValueError, OSError):
        try:
            path.unlink()
        except OSError:
            pass
        return 0


def status(conn: sqlite3.Connection, index_dir: Path, generation: int) -> str | None:
    """None when a sound postings file of ``generation`` (``conn``'s snapshot) is there, else why not."""
    path = path_for(index_dir, generation)
    if not path.exists():
        return f"{path.name} is missing"
    try:
        if not same_tokenizer(conn):
            return "the lexical index uses another tokenizer"
        top = conn.execute("SELECT max(id) FROM chunks_fts_docsize").fetchone()[0]
        load(path, generation, averages(conn), top, (1.0,) * len(_columns(conn)))
        return None
    except (PostingsError, sqlite3.Error) as e:
        return f"{path.name} cannot be used ({e})"


def ensure(conn: sqlite3.Connection, index_dir: Path, generation: int) -> bool:
    """Write the postings of the committed ``generation`` (read in ``conn``'s snapshot) unless a sound file of
    it is there. Returns whether one is there now."""
    if status(conn, index_dir, generation) is None:
        return True
    return write(conn, index_dir, generation) > 0


def remove_others(index_dir: Path, keep_generation: int | None) -> None:
    """Remove postings files of other generations, and temp files of runs that died mid-write."""
    keep = path_for(index_dir, keep_generation).name if keep_generation is not None else None
    for p in [*Path(index_dir).glob("lexical-*.npz"), *Path(index_dir).glob(".lexical-*.tmp")]:
        if p.name != keep:
            try:
                p.unlink()
            except OSError:
                pass


# -- reading ------------------------------------------------------------------------------------------
@dataclass
class Postings:
    """One generation's postings, loaded and checked against its FTS5 statistics."""

    generation: int
    nrow: int
    avgdl: float
    rowids: np.ndarray
    docs: np.ndarray
    norm: np.ndarray  #: ``k1 * (1 - b + b * D / avgdl)`` per row, as fts5_aux.c computes it
    terms: dict[str, int]
    indptr: np.ndarray
    row: np.ndarray
    code: np.ndarray
    freqs: np.ndarray  #: the weighted frequency of each count combination (``code``)
    combos: np.ndarray
    weights: tuple[float, ...]
    _shares: dict = field(default_factory=dict, repr=False)  #: phrase key -> its bm25 share of each of its rows
    _shared: int = 0

    def df(self, token: str) -> int:
        t = self.terms.get(token)
        return 0 if t is None else int(self.indptr[t + 1] - self.indptr[t])

    def token(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        """``(row positions, weighted frequencies)`` of one token."""
        t = self.terms.get(token)
        if t is None:
            return np.zeros(0, dtype=np.int32), np.zeros(0)
        a, b = self.indptr[t], self.indptr[t + 1]
        return self.row[a:b], self.freqs[self.code[a:b]]

    def token_share(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        """``(row positions, bm25 share of each)`` of one token (the share kept: it is fixed per generation)."""
        t = self.terms.get(token)
        if t is None:
            return np.zeros(0, dtype=np.int32), np.zeros(0)
        a, b = self.indptr[t], self.indptr[t + 1]
        share = self._shares.get(token)
        if share is None:
            share = self.share(token, self.row[a:b], self.freqs[self.code[a:b]])
        return self.row[a:b], share

    def share(self, key, rows: np.ndarray, f: np.ndarray) -> np.ndarray:
        """A phrase's bm25 share of each of its ``rows`` (weighted frequencies ``f``), fts5_aux.c's expression in
        its order: ``idf * (f * (k1 + 1)) / (f + k1 * (1 - b + b * D / avgdl))``; kept under ``key``."""
        got = self._shares.get(key)
        if got is not None and len(got) == len(rows):
            return got
        share = idf_of(len(rows), self.nrow) * ((f * (K1 + 1.0)) / (f + self.norm[rows]))
        if self._shared + len(share) > SHARE_CACHE:
            self._shares, self._shared = {}, 0
        self._shares[key] = share
        self._shared += len(share)
        return share

    def top(self, phrases: list[tuple[np.ndarray, np.ndarray]], n: int,
            allowed: np.ndarray | None) -> list[tuple[int, float]]:
        """``[(rowid, score)]``: the ``n`` best rows matching any phrase (``(rows, bm25 shares)`` in query
        order, rows ascending), by score, then rowid (the order of FTS5's scan, which SQLite's sorter keeps
        for ties)."""
        if n <= 0:
            return []
        common = [i for i, (rows, _) in enumerate(phrases) if len(rows) and idf_of(len(rows), self.nrow) == CLAMPED_IDF]
        if common and len(common) < len(phrases):
            got = self._top_without_common(phrases, common, n, allowed)
            if got is not None:
                return got
        acc = np.zeros(self.nrow, dtype=np.float64)
        hit = np.zeros(self.nrow, dtype=bool)
        for rows, share in phrases:
            if len(rows):
                acc[rows] += share
                hit[rows] = True
        if allowed is not None:
            hit &= allowed
        idx = np.flatnonzero(hit)
        return self._best(idx, acc[idx], n)

    def _top_without_common(self, phrases, common: list[int], n: int, allowed) -> list[tuple[int, float]] | None:
        """:meth:`top` when some phrases are in half the rows or more (idf clamped to 1e-6: "human" and
        "security" in a human-security archive): rank by the other phrases first; a row can then gain at most
        ``1e-6 * (k1 + 1)`` per common phrase, so only rows within that of the n-th best can be in the top
        ``n``. Their exact scores are then summed phrase by phrase in query order, as FTS5 sums them. None
        when the other phrases match fewer than ``n`` rows by more than that margin (then every row counts)."""
        acc = np.zeros(self.nrow, dtype=np.float64)
        hit = np.zeros(self.nrow, dtype=bool)
        for i, (rows, share) in enumerate(phrases):
            if i not in common and len(rows):
                acc[rows] += share
                hit[rows] = True
        if allowed is not None:
            hit &= allowed
        idx = np.flatnonzero(hit)
        if len(idx) < n:
            return None
        part = acc[idx]
        nth = -np.partition(-part, n - 1)[n - 1]
        margin = CLAMPED_IDF * (K1 + 1.0) * len(common) * 1.001
        if nth <= margin * 2:
            return None  # rows matching only the common phrases could still reach the top n
        cand = idx[part >= nth - margin]
        score = np.zeros(len(cand), dtype=np.float64)
        for rows, share in phrases:
            if len(rows) == 0:
                continue
            j = np.minimum(np.searchsorted(rows, cand), len(rows) - 1)
            score += np.where(rows[j] == cand, share[j], 0.0)
        return self._best(cand, score, n)

    def _best(self, idx: np.ndarray, scores: np.ndarray, n: int) -> list[tuple[int, float]]:
        """The ``n`` best of rows ``idx`` (ascending) with ``scores``: by score, then rowid."""
        if len(idx) > n:
            kth = -np.partition(-scores, n - 1)[n - 1]
            above = scores > kth
            ties = np.flatnonzero(scores == kth)[: n - int(above.sum())]
            keep = np.concatenate([np.flatnonzero(above), ties])
            idx, scores = idx[keep], scores[keep]
        order = np.lexsort((idx, -scores))
        return list(zip(self.rowids[idx[order]].tolist(), scores[order].tolist()))

    def positions(self, rowids: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(self.rowids, rowids)
        if len(pos) and (pos.max() >= len(self.rowids) or not np.array_equal(self.rowids[pos], rowids)):
            raise PostingsError("a row FTS5 found is not in the postings")
        return pos

    def allowed(self, doc_ids) -> np.ndarray:
        return np.isin(self.docs, np.fromiter(doc_ids, dtype=np.int64))


ARRAYS = ("header", "rowids", "docs", "length", "terms", "term_end", "indptr", "row", "code", "combos")


def _load_arrays(path: Path) -> dict[str, np.ndarray]:
    import zipfile  # (np.load imports it anyway; not at start-up)

    try:
        with np.load(path, allow_pickle=False) as z:  # a zip: every array's CRC-32 is checked as it is read
            a = {k: z[k] for k in ARRAYS if k != "row"}
            a["row"] = _undelta_rows(z["row_delta"], a["indptr"], len(a["rowids"]))
            return a
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError, zlib.error) as e:
        raise PostingsError(f"unreadable postings file ({e})") from None


def _delta_rows(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``arrays`` with ``row`` replaced by ``row_delta``: each term's row positions as differences from the
    previous one (the first as is), which compress to about a third."""
    out = {k: v for k, v in arrays.items() if k != "row"}
    row = arrays["row"].astype(np.int64)
    delta = np.diff(row, prepend=0)
    starts = _segment_starts(arrays["indptr"], len(row))
    delta[starts] = row[starts]
    signed = len(delta) and int(delta.min()) < 0  # rows out of order within a term: still exact, larger
    out["row_delta"] = delta.astype(np.int32 if signed else arrays["row"].dtype)
    return out


def _undelta_rows(delta: np.ndarray, indptr: np.ndarray, nrow: int) -> np.ndarray:
    """The row positions :func:`_delta_rows` stored (the same dtype :func:`_arrays` gives them)."""
    total = np.cumsum(delta.astype(np.int64))
    starts = _segment_starts(indptr, len(total))
    base = np.zeros(len(total), dtype=np.int64)
    if len(starts):
        before = np.where(starts > 0, total[np.maximum(starts - 1, 0)], 0)
        marks = np.zeros(len(total), dtype=np.int64)
        marks[starts] = before - np.concatenate(([0], before[:-1]))
        base = np.cumsum(marks)
    return (total - base).astype(np.uint16 if nrow <= 1 << 16 else np.int32)


def _segment_starts(indptr: np.ndarray, n: int) -> np.ndarray:
    """Where each non-empty term's rows begin."""
    starts = np.asarray(indptr[:-1], dtype=np.int64)
    return np.unique(starts[(starts < n) & (starts < np.asarray(indptr[1:], dtype=np.int64))])


def load(path: Path, generation: int, fts_averages: tuple[int, ...], max_rowid: int | None,
         weights) -> Postings:
    """The postings in ``path``, if they are of ``generation`` and of the FTS index whose averages record is
    ``fts_averages`` (rows and tokens per column) and whose largest rowid is ``max_rowid``; else
    :class:`PostingsError`."""
    a = _load_arrays(path)
    h = a["header"]
    if len(h) < 3 or int(h[0]) != FORMAT or int(h[1]) != generation or tuple(int(x) for x in h[3:]) != tuple(fts_averages):
        raise PostingsError("postings of another format, generation or FTS index")
    ncol, nrow = int(h[2]), int(h[3])
    rowids, indptr, row, code, combos = a["rowids"], a["indptr"], a["row"], a["code"], a["combos"]
    ok = (
        ncol == len(weights) and len(rowids) == nrow == len(a["docs"]) == len(a["length"]) and nrow > 0
        and int(rowids[-1]) == max_rowid and bool(np.all(np.diff(rowids) > 0))
        and len(indptr) == len(a["term_end"]) + 1 and indptr[0] == 0 and indptr[-1] == len(row) == len(code)
        and bool(np.all(np.diff(indptr) >= 0)) and (len(row) == 0 or (int(row.min()) >= 0 and int(row.max()) < nrow))
        and combos.ndim == 2 and combos.shape[1] == ncol and (len(code) == 0 or int(code.max()) < len(combos))
        and (len(a["term_end"]) == 0 or int(a["term_end"][-1]) == len(a["terms"]))
    )
    if not ok:
        raise PostingsError("inconsistent postings file")
    avgdl = float(sum(int(x) for x in h[4:])) / float(nrow)
    length = a["length"].astype(np.float64)
    norm = K1 * ((1 - B) + (B * length) / avgdl)
    try:
        terms = {t: i for i, t in enumerate(_term_list(a))}
    except UnicodeDecodeError:
        raise PostingsError("inconsistent postings file") from None
    return Postings(generation, nrow, avgdl, rowids, a["docs"], norm, terms, indptr, row, code,
                    weighted_freq(combos.astype(np.int64), weights), combos, tuple(weights))


#: bits of a token's offset in a column in :func:`token_positions`' keys, and the longest phrase matched from
#: them (an offset plus a phrase's length never reaches the next column's keys)
OFFSET_BITS = 20
MAX_PHRASE = 256


def token_positions(conn: sqlite3.Connection, token: str) -> np.ndarray:
    """Every instance of ``token`` in FTS5's index (``conn``'s snapshot) as one sorted key:
    ``(row * columns + column) << OFFSET_BITS | offset``."""
    cols = _columns(conn)
    case = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(cols))
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_fts_vinst USING fts5vocab(main, chunks_fts, instance)")
    docs, col, off = conn.execute(
        f"SELECT group_concat(doc, ','), group_concat(CASE col {case} END, ','), group_concat(offset, ',') "
        "FROM temp.chunks_fts_vinst WHERE term = ?", (token,)).fetchone()
    if not docs:
        return np.zeros(0, dtype=np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        docs, col, off = (np.fromstring(x, dtype=np.int64, sep=",") for x in (docs, col, off))
    if not len(docs) == len(col) == len(off) or off.max() >= (1 << OFFSET_BITS) - MAX_PHRASE:
        raise PostingsError("token positions the keys cannot hold")
    return np.sort(((docs * len(cols) + col) << OFFSET_BITS) + off)


# -- FTS5's tokenizer, for question terms -----------------------------------------------------------
_local = threading.local()


def _tokenizer_conn() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(":memory:")
        conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, tokenize = '{TOKENIZER}')")
        conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
        _local.conn = conn
    return conn


@functools.lru_cache(maxsize=16384)
def tokens(text: str) -> tuple[str, ...]:
    """The tokens FTS5 (this index's tokenizer) makes of ``text``, in order: the phrase a quoted query string
    of ``text`` is."""
    conn = _tokenizer_conn()
    with conn:
        conn.execute("INSERT INTO t(rowid, x) VALUES(1, ?)", (text,))
        out = tuple(r[0] for r in conn.execute("SELECT term FROM v ORDER BY offset"))
        conn.execute("DELETE FROM t")
    return out
