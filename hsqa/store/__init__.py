"""SQLite (documents, paragraphs, chunks, FTS5, embedding cache, metadata) + FAISS vectors.

FAISS ids are ``vectors.id`` (``IndexIDMap2`` / ``add_with_ids``), never positions; a vector row belongs
to one chunk (its whole text, or one of its sentences). Each committed state of the index has a generation
number; its vectors live in ``vectors-<generation>.faiss``, written to a temp file, fsynced and renamed
*before* the SQLite transaction that moves ``meta.generation`` forward commits. A reader in a
:class:`Snapshot` (one read transaction) therefore finds the file of the generation it reads; a lost or
partial file is detected on load and rebuilt in memory from the embedding cache, without the model.

Layout: :mod:`.schema` (migrations, connections), :mod:`.reads` (queries, ``Snapshot``), :mod:`.writes`
(every INSERT/UPDATE/DELETE), :mod:`.vectors` (FAISS files). One sqlite connection per thread
(``threading.local``); WAL mode so readers never wait for the writer.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

import numpy as np

from ..config import Config
from ..errors import BadIndexPath, HsqaError, IndexMissing, StaleSnapshot
from . import vectors as _vectors
from .reads import IndexInfo, Reads, Snapshot, info_from_meta
from .schema import (
    FORMAT_VERSION, LEXICAL_VERSION, MIGRATIONS, MigrationProgress, MigrationStep, _statements, connect, migrate,
    translate,
)
from .vectors import fsync_dir
from .vectors import write_atomic as _write_atomic
from .writes import Writer, fts_meta, put_embeddings

__all__ = [
    "FORMAT_VERSION", "LEXICAL_VERSION", "MIGRATIONS", "IndexInfo", "MigrationStep", "Snapshot", "Store", "Writer",
    "connect",
    "fsync_dir", "fts_meta", "migrate", "write_faiss_atomic",
]

T = TypeVar("T")

#: snapshots whose generation was superseded mid-read are retried this many times
READ_ATTEMPTS = 5
#: the database is compacted (VACUUM) after an index run when this share of its pages is free
COMPACT_FREE_SHARE = 0.25
#: …or when the run stored this share of the embedding cache afresh (a first build, a new model), and this many
COMPACT_FRESH_SHARE = 0.25
COMPACT_FRESH_MIN = 4096


class Store(Reads):
    """Access to one index folder. Safe to share between threads: each thread gets its own connection."""

    def __init__(self, config: Config, readonly: bool = False):
        self.config = config
        self.readonly = readonly
        self._local = threading.local()
        self._faiss_lock = threading.Lock()
        self._faiss_cache: dict[int, tuple[object, bool]] = {}  # generation -> (index, repaired)

    # -- connections ---------------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open()
            self._local.conn = conn
        return conn

    def _open(self) -> sqlite3.Connection:
        index_dir = self.config.index_dir
        if index_dir.exists() and not index_dir.is_dir():
            raise BadIndexPath(f"index path {index_dir} is a file, not a folder: pass --index DIR")
        if self.readonly:
            if not self.config.db_path.exists():
                raise IndexMissing(
                    f"no index at {index_dir}/: build it with 'hsqa index' (corpus: {self.config.corpus_dir}/)"
                )
            conn = connect(self.config.db_path, readonly=True)
            if conn.execute("PRAGMA user_version").fetchone()[0] < len(MIGRATIONS):
                self._upgrade()  # an index written by an older hsqa: bring its schema up to date first
            return conn
        try:
            index_dir.mkdir(parents=True, exist_ok=True)
            conn = connect(self.config.db_path)
            migrate(conn)
        except (OSError, sqlite3.OperationalError) as e:
            raise translate(e, index_dir) from None
        return conn

    def upgrade(self, progress: MigrationProgress | None = None) -> bool:
        """Bring an index written by an older hsqa up to today's schema now, telling ``progress`` (opening it
        would do the same, silently); False when there is nothing to upgrade (no index, or up to date)."""
        if not self.config.db_path.exists():
            return False
        conn = connect(self.config.db_path, readonly=True)
        try:
            old = conn.execute("PRAGMA user_version").fetchone()[0] < len(MIGRATIONS)
        finally:
            conn.close()
        if old:
            self._upgrade(progress)
        return old

    def _upgrade(self, progress: MigrationProgress | None = None) -> None:
        try:
            rw = connect(self.config.db_path)
            try:
                migrate(rw, progress)
            finally:
                rw.close()
        except (sqlite3.OperationalError, HsqaError) as e:
            raise IndexMissing(
                f"the index at {self.config.index_dir}/ was made by an older hsqa and cannot be upgraded here ({e}): "
                "run 'hsqa index' where the folder is writable"
            ) from None

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- consistent reads ------------------------------------------------------------------
    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """One read transaction: everything read through the snapshot (or ``self.conn`` on this thread)
        inside the block sees one committed generation. Re-entrant: a nested call yields the open one."""
        snap = getattr(self._local, "snap", None)
        if snap is not None:
            yield snap
            return
        conn = self.conn
        conn.execute("BEGIN")
        try:
            snap = Snapshot(self, conn)
            self._local.snap = snap
            yield snap
        finally:
            self._local.snap = None
            if conn.in_transaction:
                conn.execute("COMMIT")  # a read transaction: nothing to commit, it only ends

    def read(self, fn: Callable[[Snapshot], T], attempts: int = READ_ATTEMPTS) -> T:
        """``fn(snapshot)``, retried in a fresh snapshot when its generation's vector file was replaced
        meanwhile (:class:`~hsqa.errors.StaleSnapshot`)."""
        nested = getattr(self._local, "snap", None) is not None
        for _ in range(attempts):
            try:
                with self.snapshot() as snap:
                    return fn(snap)
            except StaleSnapshot:
                if nested:
                    raise
        raise HsqaError(f"the index at {self.config.index_dir}/ keeps changing under this reader: try again in a moment")

    def _committed_generation(self) -> int:
        """The newest committed generation, read outside this thread's (possibly open) transaction."""
        conn = connect(self.config.db_path, readonly=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
            return int(row[0]) if row else 0
        finally:
            conn.close()

    def _faiss_for(self, snap: Snapshot) -> tuple[object, bool]:
        """``(index, repaired)`` of ``snap``'s generation: from the cache, the generation's file, or, when
        that file is lost or does not match the snapshot's vector rows, rebuilt from the embedding cache."""
        info = snap.info
        if info is None:
            raise IndexMissing(f"no index at {self.config.index_dir}/ yet: build it with 'hsqa index'")
        with self._faiss_lock:
            hit = self._faiss_cache.get(snap.generation)
            if hit is not None:
                return hit
            index = _vectors.read_index(self.config.vectors_path(snap.generation))
            repaired = info.vectors_layout != _vectors.LAYOUT or not _vectors.matches(index, info.dim, snap.vector_ids())
            if repaired:
                if self._committed_generation() != snap.generation:
                    raise StaleSnapshot(f"generation {snap.generation} was superseded while it was being read")
                index = self._build_faiss(snap, info.model, info.dim)
            self._faiss_cache = {g: v for g, v in self._faiss_cache.items() if g > snap.generation - 2}
            self._faiss_cache[snap.generation] = (index, repaired)
            return index, repaired

    @staticmethod
    def _build_faiss(reads: Reads, model: str, dim: int):
        """The ANN index of every passage vector, from the embedding cache (flat or IVF by size)."""
        ids, vecs = reads.all_vectors(model, dim)
        return _vectors.build_index(dim, ids, vecs)

    # -- vectors (compatibility: the searcher of before snapshots) ---------------------------
    def load_faiss(self, info: IndexInfo | None = None):
        """``(index, repaired)`` of the latest committed generation (shared with its snapshots: do not
        modify it); ``repaired`` says its file was missing or inconsistent and it was rebuilt from the
        embedding cache."""
        return self.read(self._faiss_for)

    def private_faiss(self, info: IndexInfo):
        """``(index, repaired)``: a private copy of the committed generation's vectors, for the writer to
        change (read from the file, or rebuilt from the embedding cache when the file does not match)."""
        index = _vectors.read_index(self.config.vectors_path(info.generation))
        if info.vectors_layout == _vectors.LAYOUT and _vectors.matches(index, info.dim, self.vector_ids()):
            return index, False
        return self._build_faiss(self, info.model, info.dim), True

    def build_faiss(self, model: str, dim: int):
        return self._build_faiss(self, model, dim)

    # -- writes ----------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Writer]:
        """One write transaction (``BEGIN IMMEDIATE``); a full or read-only disk becomes a clear error."""
        if getattr(self._local, "snap", None) is not None:
            raise RuntimeError("a write transaction cannot start inside a read snapshot")
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise translate(e, self.config.index_dir) from None
        try:
            yield Writer(conn)
            conn.execute("COMMIT")
        except BaseException as e:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(e, (OSError, sqlite3.OperationalError)):
                err = translate(e, self.config.index_dir)
                if err is not e:
                    raise err from None
            raise

    def compact(self, min_free_share: float = COMPACT_FREE_SHARE, fresh_rows: int = 0) -> int:
        """``VACUUM`` the database when at least ``min_free_share`` of its pages (and 64) are free — after
        pruning, a rebuild, or a migration — or when ``fresh_rows`` embeddings just stored are at least
        ``COMPACT_FRESH_SHARE`` of the cache (and ``COMPACT_FRESH_MIN``): rows keyed by hashes arrive in random
        key order and leave the cache's b-tree pages ~17 % empty (benchmarks/SCALE.md). Then truncate the
        write-ahead log. Call it under the writer lock, outside any transaction. Returns the bytes given back
        to the file system."""
        conn = self.conn
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        fresh = fresh_rows >= COMPACT_FRESH_MIN and fresh_rows >= self.embedding_count() * COMPACT_FRESH_SHARE
        if not fresh and (free < pages * min_free_share or free < 64):
            return 0
        try:
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:
            # not enough room for the copy VACUUM writes, or busy: the index is complete as it is (the run
            # committed before this); the next run tries again
            return 0
        return (pages - conn.execute("PRAGMA page_count").fetchone()[0]) * page

    def put_embeddings(self, model: str, items: list[tuple[str, np.ndarray]], used: int,
                       passages: set[str] | None = None) -> None:
        try:
            put_embeddings(self.conn, model, items, used, passages)
        except sqlite3.OperationalError as e:
            raise translate(e, self.config.index_dir) from None


def write_faiss_atomic(index, path) -> int:
    """Write ``index`` to ``path`` durably; return its size (see :func:`hsqa.store.vectors.write_atomic`)."""
    return _write_atomic(index, path)


def _ids_match(conn: sqlite3.Connection, index) -> bool:
    ids = np.array([r[0] for r in conn.execute("SELECT id FROM vectors WHERE kind=0 ORDER BY id")], dtype=np.int64)
    return _vectors.matches(index, index.d, ids)


__all__ += ["info_from_meta", "_ids_match", "_statements"]
