"""SQLite (documents, paragraphs, chunks, FTS5, embedding cache, metadata) + FAISS vectors.

FAISS ids are ``vectors.id`` (``IndexIDMap2`` / ``add_with_ids``), never positions; a vector row belongs
to one chunk (its whole text, or one of its sentences). Each committed state of
the index has a generation number; its vectors live in ``vectors-<generation>.faiss``, written to a temp
file, fsynced and renamed *before* the SQLite transaction that moves ``meta.generation`` forward commits.
A reader therefore always finds the file of the generation it reads; a mismatch (lost or partial file)
is detected on open and repaired from the embedding cache, without the model.

One sqlite connection per thread (``threading.local``); WAL mode so readers never wait for the writer.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import Config
from .errors import IndexMissing, ModelMismatch

FORMAT_VERSION = 1

MIGRATIONS: list[str] = [
    # 1: initial schema
    """
    CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE documents(
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        path TEXT NOT NULL UNIQUE,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        title TEXT NOT NULL,
        date TEXT,
        date_end TEXT,
        place TEXT,
        header_end INTEGER NOT NULL DEFAULT 0,
        n_paragraphs INTEGER NOT NULL,
        indexed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
    );
    CREATE INDEX documents_sha ON documents(sha256);
    CREATE TABLE paragraphs(
        doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        section TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY(doc_id, number)
    ) WITHOUT ROWID;
    CREATE TABLE headings(
        doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        level INTEGER NOT NULL,
        title TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL
    );
    CREATE INDEX headings_doc ON headings(doc_id);
    CREATE TABLE chunks(
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        paragraph INTEGER NOT NULL,
        ordinal INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        section TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE INDEX chunks_doc ON chunks(doc_id);
    CREATE TABLE vectors(
        id INTEGER PRIMARY KEY AUTOINCREMENT,  -- the FAISS id
        chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
        kind INTEGER NOT NULL,                 -- 0 whole passage, 1 one sentence of it
        hash TEXT NOT NULL                     -- sha256 of the embedded text: key into embeddings
    );
    CREATE INDEX vectors_chunk ON vectors(chunk_id);
    CREATE VIRTUAL TABLE chunks_fts USING fts5(
        body, section, title, meta, tokenize = 'porter unicode61 remove_diacritics 2'
    );
    CREATE TABLE embeddings(
        model TEXT NOT NULL,
        hash TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY(model, hash)
    ) WITHOUT ROWID;
    CREATE TABLE acronyms(
        doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        acronym TEXT NOT NULL,
        expansion TEXT NOT NULL
    );
    CREATE TABLE skipped(
        path TEXT PRIMARY KEY,
        reason TEXT NOT NULL
    );
    """,
    # 2: remember the size and mtime of skipped files, so a fixed file shows up as new
    """
    ALTER TABLE skipped ADD COLUMN size INTEGER;
    ALTER TABLE skipped ADD COLUMN mtime_ns INTEGER;
    """,
    # 3 (docs branch): the page where a paragraph starts (PDF), and each document's text as extracted and
    # parsed — what passages are verbatim slices of, for PDF and HTML as for text files
    """
    ALTER TABLE paragraphs ADD COLUMN page INTEGER;
    CREATE TABLE document_text(
        doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,            -- text | pdf | html
        text TEXT NOT NULL,
        pages TEXT                     -- PDF: JSON [[offset, page], ...] where each page's text starts
    );
    """,
]


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30, check_same_thread=True)
    else:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=True)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    if not readonly:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Apply numbered migrations past ``PRAGMA user_version``; return the resulting version."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, sql in enumerate(MIGRATIONS[version:], start=version + 1):
        conn.execute("BEGIN IMMEDIATE")
        for stmt in _statements(sql):
            conn.execute(stmt)
        conn.execute(f"PRAGMA user_version={number}")
        conn.execute("COMMIT")
        version = number
    return version


def _statements(sql: str) -> list[str]:
    out, buf = [], ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    return out


@dataclass(frozen=True)
class IndexInfo:
    format_version: int
    model: str
    dim: int
    chunker_version: int
    parser_version: int
    generation: int


class Store:
    """Access to one index folder. Safe to share between threads: each thread gets its own connection."""

    def __init__(self, config: Config, readonly: bool = False):
        self.config = config
        self.readonly = readonly
        self._local = threading.local()

    # -- connections ---------------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self.readonly and not self.config.db_path.exists():
                raise IndexMissing(
                    f"no index at {self.config.index_dir}/: build it with 'hsqa index' "
                    f"(corpus: {self.config.corpus_dir}/)"
                )
            if not self.readonly:
                self.config.index_dir.mkdir(parents=True, exist_ok=True)
            conn = connect(self.config.db_path, readonly=self.readonly)
            if not self.readonly:
                migrate(conn)
            elif conn.execute("PRAGMA user_version").fetchone()[0] < len(MIGRATIONS):
                self._upgrade()  # an index written by an older hsqa: bring its schema up to date first
            self._local.conn = conn
        return conn

    def _upgrade(self) -> None:
        try:
            rw = connect(self.config.db_path)
            try:
                migrate(rw)
            finally:
                rw.close()
        except sqlite3.OperationalError as e:
            raise IndexMissing(
                f"the index at {self.config.index_dir}/ was made by an older hsqa and cannot be upgraded here ({e}): "
                "run 'hsqa index' where the folder is writable"
            ) from None

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- metadata ------------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        try:
            return {r["key"]: r["value"] for r in self.conn.execute("SELECT key, value FROM meta")}
        except sqlite3.OperationalError:
            return {}

    def info(self) -> IndexInfo | None:
        m = self.meta()
        if "model" not in m:
            return None
        return IndexInfo(
            format_version=int(m.get("format_version", 0)),
            model=m["model"],
            dim=int(m.get("dim", 0)),
            chunker_version=int(m.get("chunker_version", 0)),
            parser_version=int(m.get("parser_version", 0)),
            generation=int(m.get("generation", 0)),
        )

    def generation(self) -> int:
        row = self.conn.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def set_meta(self, **values) -> None:
        self.conn.executemany(
            "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            [(k, str(v)) for k, v in values.items()],
        )

    def require_model(self, model_name: str) -> IndexInfo:
        """Info of a usable index built with ``model_name``; raise clear errors otherwise."""
        info = self.info()
        if info is None:
            raise IndexMissing(
                f"no index at {self.config.index_dir}/ yet: build it with 'hsqa index' "
                f"(corpus: {self.config.corpus_dir}/)"
            )
        if info.format_version != FORMAT_VERSION:
            raise ModelMismatch(
                f"the index at {self.config.index_dir}/ has format {info.format_version}, this hsqa reads "
                f"format {FORMAT_VERSION}: run 'hsqa index' to rebuild it"
            )
        if info.model != model_name:
            raise ModelMismatch(
                f"the index at {self.config.index_dir}/ was built with model '{info.model}', not "
                f"'{model_name}': run 'hsqa index --model {model_name}' to rebuild it for that model, "
                f"or ask without --model/HSQA_MODEL"
            )
        return info

    # -- documents -------------------------------------------------------------------------
    def documents(self) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT d.*, (SELECT count(*) FROM chunks c WHERE c.doc_id = d.id) AS n_chunks "
            "FROM documents d ORDER BY d.date, d.path"
        ).fetchall()

    def document(self, doc_id: int) -> sqlite3.Row | None:
        return self.conn.execute("SELECT * FROM documents WHERE id=?", (doc_id,)).fetchone()

    def paragraphs(self, doc_id: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM paragraphs WHERE doc_id=? ORDER BY number", (doc_id,)
        ).fetchall()

    def document_text(self, doc_id: int) -> sqlite3.Row | None:
        """``(kind, text, pages)`` of a document as indexed: the text its passages are verbatim slices of."""
        return self.conn.execute("SELECT kind, text, pages FROM document_text WHERE doc_id=?", (doc_id,)).fetchone()

    def documents_matching(self, source: str) -> list[sqlite3.Row]:
        """The document whose path is ``source``, else every document whose path contains it."""
        row = self.conn.execute("SELECT * FROM documents WHERE path=?", (source,)).fetchone()
        if row is not None:
            return [row]
        return self.conn.execute(
            "SELECT * FROM documents WHERE path LIKE '%' || ? || '%' ESCAPE '\\' ORDER BY path",
            (source.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"),),
        ).fetchall()

    def paragraph_pages(self, keys: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
        """Page of each ``(doc_id, paragraph number)`` that has one (PDF paragraphs)."""
        doc_ids = sorted({d for d, _ in keys})
        rows = self.select_in(
            "SELECT doc_id, number, page FROM paragraphs WHERE page IS NOT NULL AND doc_id IN ({in_})", doc_ids
        )
        want = set(keys)
        return {(r[0], r[1]): r[2] for r in rows if (r[0], r[1]) in want}

    @staticmethod
    def write_document_text(conn: sqlite3.Connection, doc_id: int, kind: str, text: str, pages) -> None:
        import json

        conn.execute(
            "INSERT OR REPLACE INTO document_text(doc_id, kind, text, pages) VALUES(?,?,?,?)",
            (doc_id, kind, text, json.dumps(pages) if pages else None),
        )

    def headings(self, doc_id: int) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT * FROM headings WHERE doc_id=? ORDER BY start", (doc_id,)).fetchall()

    def acronyms(self) -> dict[str, str]:
        """Acronyms the corpus defines ("Friends of Human Security (FHS)"), most common expansion first."""
        rows = self.conn.execute(
            "SELECT acronym, expansion, count(*) n FROM acronyms GROUP BY acronym, expansion ORDER BY n"
        ).fetchall()
        return {r["acronym"]: r["expansion"] for r in rows}

    def counts(self) -> tuple[int, int]:
        d = self.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        c = self.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        return d, c

    def select_in(self, sql: str, values: list, *args) -> list[sqlite3.Row]:
        """Rows of ``sql`` whose ``{in}`` is bound to ``values``, in batches under SQLite's variable limit;
        ``args`` bind the placeholders before it."""
        rows: list[sqlite3.Row] = []
        for i in range(0, len(values), 500):
            part = list(values[i : i + 500])
            rows += self.conn.execute(sql.format(in_=",".join("?" * len(part))), (*args, *part)).fetchall()
        return rows

    # -- vectors ---------------------------------------------------------------------------
    def cached_vectors(self, model: str, hashes: list[str]) -> dict[str, np.ndarray]:
        rows = self.select_in("SELECT hash, vector FROM embeddings WHERE model=? AND hash IN ({in_})", hashes, model)
        return {h: np.frombuffer(blob, dtype=np.float32) for h, blob in rows}

    def all_vectors(self, model: str, dim: int) -> tuple[np.ndarray, np.ndarray]:
        """``(ids, vectors)`` of every vector row from the embedding cache (rebuilding FAISS needs no model)."""
        rows = self.conn.execute(
            "SELECT v.id, e.vector FROM vectors v LEFT JOIN embeddings e ON e.model=? AND e.hash=v.hash "
            "ORDER BY v.id",
            (model,),
        ).fetchall()
        missing = sum(1 for r in rows if r[1] is None)
        if missing:
            raise IndexMissing(
                f"{missing} passages have no stored embedding for model '{model}': run 'hsqa index --rebuild'"
            )
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        if not rows:
            return ids, np.zeros((0, dim), dtype=np.float32)
        return ids, np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])

    def load_faiss(self, info: IndexInfo):
        """The FAISS index of the committed generation, checked against SQLite.

        Returns ``(index, repaired)``; ``repaired`` says the file was missing or inconsistent and the index
        was rebuilt in memory from the embedding cache (the next ``hsqa index`` writes it back).
        """
        import faiss

        n_vectors = self.conn.execute("SELECT count(*) FROM vectors").fetchone()[0]
        path = self.config.vectors_path(info.generation)
        index = None
        if path.exists():
            try:
                index = faiss.read_index(str(path))
            except RuntimeError:
                index = None
        if index is not None and index.ntotal == n_vectors and index.d == info.dim:
            if n_vectors == 0 or _ids_match(self.conn, index):
                return index, False
        return self.build_faiss(info.model, info.dim), True

    def build_faiss(self, model: str, dim: int):
        import faiss

        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        ids, vecs = self.all_vectors(model, dim)
        if len(ids):
            index.add_with_ids(vecs, ids)
        return index


def _ids_match(conn: sqlite3.Connection, index) -> bool:
    import faiss

    stored = np.sort(faiss.vector_to_array(index.id_map))
    ids = np.array([r[0] for r in conn.execute("SELECT id FROM vectors ORDER BY id")], dtype=np.int64)
    return stored.shape == ids.shape and bool(np.all(stored == ids))


def write_faiss_atomic(index, path: Path) -> None:
    """Write ``index`` to ``path`` durably: temp file in the same folder, fsync, rename, fsync folder."""
    import faiss

    data = faiss.serialize_index(index)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data.tobytes())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
