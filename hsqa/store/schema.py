"""The index schema: numbered migrations, connections, and the errors a full or read-only disk turns into.

Every table hsqa keeps is created here (``MIGRATIONS``, applied in order past ``PRAGMA user_version``);
reads live in :mod:`hsqa.store.reads`, every INSERT/UPDATE/DELETE in :mod:`hsqa.store.writes`.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import DiskFull, IndexMissing, IndexReadOnly

#: format of the saved index as a whole; a change rebuilds every index
FORMAT_VERSION = 1

#: how passage text is written into the lexical (FTS5) index; a change rebuilds it from the embedding cache
#: (1: text as is; 2: runs of CJK characters also indexed as overlapping bigrams, see ``text.cjk_segment``)
#: 3: the 'meta' column reads the place without the UN's premises (:func:`hsqa.text.place_words`), and a word
#: hyphenated across a line break is one word in the 'body' column (``documents.strip_markup``)
LEXICAL_VERSION = 3

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
    # 3: the embedding cache remembers the generation that last used each vector, so vectors no live
    # passage uses can be pruned beyond a recent window; vectors(hash) makes "is it used" a lookup
    """
    ALTER TABLE embeddings ADD COLUMN used INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX vectors_hash ON vectors(hash);
    """,
    # 4: the page where a paragraph starts (PDF), and each document's text as extracted and parsed — what
    # passages are verbatim slices of, for PDF and HTML as for text files
    """
    ALTER TABLE paragraphs ADD COLUMN page INTEGER;
    CREATE TABLE document_text(
        doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,            -- text | pdf | html
        text TEXT NOT NULL,
        pages TEXT                     -- PDF: JSON [[offset, page], ...] where each page's text starts
    );
    """,
    # 5: cached embeddings as 8-bit codes with a float32 scale (hsqa.store.vectors.encode): a quarter of the
    # float32 bytes, and a row of a 384-d vector now fits in its b-tree page instead of spilling to an overflow
    # page (4.7 KB per vector before, ~0.6 KB after). Rankings are unchanged (benchmarks/EMBED-PAYS.md).
    """
    CREATE TABLE embeddings_q8(
        model TEXT NOT NULL,
        hash TEXT NOT NULL,
        vector BLOB NOT NULL,          -- float32 scale, then one int8 code per dimension
        used INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY(model, hash)
    ) WITHOUT ROWID;
    INSERT INTO embeddings_q8(model, hash, vector, used) SELECT model, hash, hsqa_q8(vector), used FROM embeddings;
    DROP TABLE embeddings;
    ALTER TABLE embeddings_q8 RENAME TO embeddings;
    """,
    # 6: each text stored once, and keys of 8 bytes (benchmarks/SCALE.md, "Where the disk goes"):
    # - the embedding cache and vector rows are keyed by the first 64 bits of the text's sha256 as an integer
    #   (``hsqa_key``; it was the 64-character hex digest, in the cache, the vector rows and an index on them),
    #   and by a model number instead of the model's name on every row;
    # - a passage's text is document_text's [start:end] (as paragraphs' are since schema 4): ``chunk_rows``
    #   keeps '' for it (or the text itself where it is not such a slice), and the view ``chunks`` has the
    #   columns the table had;
    # - vectors only ever used as a sentence's are stored with ``vectors.SENTENCE_BITS`` bits (4: half the bytes);
    # - the lexical index keeps no copy of what it indexes: ``chunks_fts`` is an external-content FTS5 table
    #   over the view ``chunks_fts_src``, which derives the four columns from passages and documents with the
    #   functions of :func:`register_functions` (registered on every connection hsqa opens). FTS5 tokens and
    #   bm25 are those of before; a change to what those functions return must bump ``LEXICAL_VERSION``.
    """
    CREATE TABLE models(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    INSERT INTO models(name) SELECT DISTINCT model FROM embeddings ORDER BY model;
    CREATE TABLE embeddings_k(
        model INTEGER NOT NULL,        -- models.id
        key INTEGER NOT NULL,          -- hsqa_key(sha256 hex digest of the embedded text)
        vector BLOB NOT NULL,          -- hsqa.store.vectors.encode
        used INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY(model, key)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO embeddings_k(model, key, vector, used)
        SELECT m.id, hsqa_key(e.hash), e.vector, e.used FROM embeddings e JOIN models m ON m.name = e.model;
    DROP TABLE embeddings;
    ALTER TABLE embeddings_k RENAME TO embeddings;
    CREATE TABLE chunk_rows(
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        paragraph INTEGER NOT NULL,
        ordinal INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        section TEXT NOT NULL,
        text TEXT NOT NULL             -- '' when it is document_text's [start:end]
    );
    INSERT INTO chunk_rows(id, doc_id, paragraph, ordinal, start, end, section, text)
        SELECT c.id, c.doc_id, c.paragraph, c.ordinal, c.start, c.end, c.section,
               CASE WHEN substr(t.text, c.start + 1, c.end - c.start) = c.text THEN '' ELSE c.text END
        FROM chunks c LEFT JOIN document_text t ON t.doc_id = c.doc_id ORDER BY c.id;
    CREATE TABLE vectors_k(
        id INTEGER PRIMARY KEY AUTOINCREMENT,  -- the FAISS id
        chunk_id INTEGER NOT NULL REFERENCES chunk_rows(id) ON DELETE CASCADE,
        kind INTEGER NOT NULL,                 -- 0 whole passage, 1 one sentence of it
        key INTEGER NOT NULL                   -- the embedded text's key into embeddings
    );
    INSERT INTO vectors_k(id, chunk_id, kind, key) SELECT id, chunk_id, kind, hsqa_key(hash) FROM vectors ORDER BY id;
    DELETE FROM sqlite_sequence WHERE name IN ('chunk_rows', 'vectors_k');
    INSERT INTO sqlite_sequence(name, seq) SELECT 'chunk_rows', seq FROM sqlite_sequence WHERE name = 'chunks';
    INSERT INTO sqlite_sequence(name, seq) SELECT 'vectors_k', seq FROM sqlite_sequence WHERE name = 'vectors';
    DROP TABLE vectors;
    DROP TABLE chunks_fts;
    DROP TABLE chunks;
    ALTER TABLE vectors_k RENAME TO vectors;
    CREATE INDEX vectors_chunk ON vectors(chunk_id);
    CREATE INDEX chunk_rows_doc ON chunk_rows(doc_id);
    CREATE VIEW chunks(id, doc_id, paragraph, ordinal, start, end, section, text) AS
        SELECT c.id, c.doc_id, c.paragraph, c.ordinal, c.start, c.end, c.section,
               CASE WHEN c.text = '' THEN substr(t.text, c.start + 1, c.end - c.start) ELSE c.text END
        FROM chunk_rows c LEFT JOIN document_text t ON t.doc_id = c.doc_id;
    CREATE VIEW chunks_fts_src(id, body, section, title, meta) AS
        SELECT c.id, hsqa_fts_body(c.text), hsqa_cjk(c.section), hsqa_cjk(d.title),
               hsqa_fts_meta(d.date, d.date_end, d.place, d.path)
        FROM chunks c JOIN documents d ON d.id = c.doc_id;
    CREATE VIRTUAL TABLE chunks_fts USING fts5(
        body, section, title, meta, content = 'chunks_fts_src', content_rowid = 'id',
        tokenize = 'porter unicode61 remove_diacritics 2'
    );
    INSERT INTO chunks_fts(chunks_fts) VALUES('rebuild');
    UPDATE embeddings SET vector = hsqa_sentence_codes(vector)
        WHERE key IN (SELECT key FROM vectors WHERE kind = 1 EXCEPT SELECT key FROM vectors WHERE kind = 0);
    """,
]

#: what the view ``chunks_fts_src`` computes, column by column (external content: FTS5 reads these values
#: back to delete a row's tokens, so they must be what was indexed)
FTS_FUNCTIONS = ("hsqa_fts_body", "hsqa_cjk", "hsqa_fts_meta")


def text_key(h: str) -> int:
    """The embedding cache's key of a text: the first 64 bits of its sha256 (hex digest ``h``, or a key's own
    16 hex digits) as a signed integer. Two texts share a key with probability ~n²/2⁶⁵ (1e-8 at a million)."""
    return int.from_bytes(bytes.fromhex(h[:16]), "big", signed=True)


def key_hex(key: int) -> str:
    """The 16 hex digits :func:`text_key` read (``text_key(key_hex(k)) == k``)."""
    return f"{key & 0xFFFFFFFFFFFFFFFF:016x}"


def fts_body(text: str | None) -> str | None:
    """The lexical 'body' column of a passage: its verbatim text without markup (``Chunk.embed_text``), CJK
    runs as bigrams."""
    from ..documents import strip_markup
    from ..text import cjk_segment

    return None if text is None else cjk_segment(strip_markup(text))


def fts_cjk(text: str | None) -> str | None:
    from ..text import cjk_segment

    return None if text is None else cjk_segment(text)


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def _date_words(iso: str | None) -> str:
    """``2007-04-20`` → ``20 April 2007`` in English whatever the process's locale (``documents.human_date``
    under the C locale)."""
    if not iso:
        return ""
    y, m, d = (int(x) for x in iso[:10].split("-"))
    return f"{d} {_MONTHS[m - 1]} {y}"


def fts_meta_words(date: str | None, date_end: str | None, place: str | None, path: str) -> str:
    """The lexical 'meta' column: date words, year, place, file name words (for 'the 2007 meeting'), CJK runs
    as bigrams."""
    from ..text import cjk_segment

    from ..text import place_words

    words = [_date_words(date), _date_words(date_end), place_words(place), Path(path).stem.replace("-", " ").replace("_", " ")]
    return cjk_segment(" ".join(w for w in words if w))


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions the schema uses (migrations and the views behind the lexical index)."""
    conn.create_function("hsqa_q8", 1, _q8, deterministic=True)
    conn.create_function("hsqa_sentence_codes", 1, _sentence_codes, deterministic=True)
    conn.create_function("hsqa_key", 1, lambda h: None if h is None else text_key(h), deterministic=True)
    conn.create_function("hsqa_fts_body", 1, fts_body, deterministic=True)
    conn.create_function("hsqa_cjk", 1, fts_cjk, deterministic=True)
    conn.create_function("hsqa_fts_meta", 4, fts_meta_words, deterministic=True)


def _q8(blob: bytes | None) -> bytes | None:
    """A float32 vector blob (migration 5's input) as the cache stores vectors now."""
    import numpy as np

    from .vectors import encode

    if blob is None:
        return None
    return encode(np.frombuffer(blob, dtype="<f4"))


def _sentence_codes(blob: bytes | None) -> bytes | None:
    """A cached vector as a sentence's is stored (migration 6)."""
    from .vectors import SENTENCE_BITS, requantize

    return None if blob is None else requantize(blob, SENTENCE_BITS)


#: memory map of the database for read-only connections, and their page cache (KiB)
READER_MMAP_BYTES = 256 << 20
READER_CACHE_KIB = 32 << 10


def _ro_uri(path: Path, immutable: bool = False) -> str:
    """``file:`` URI of ``path`` for a read-only connection. ``Path.as_uri`` percent-encodes ``%``, ``#``
    and ``?``, so an index folder named ``idx%41`` or ``idx#1`` opens that folder and no other."""
    uri = Path(os.path.abspath(path)).as_uri() + "?mode=ro"
    return uri + "&immutable=1" if immutable else uri


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (``isolation_level=None``: transactions are always explicit)."""
    if readonly:
        conn = _connect_ro(path)
    else:
        try:
            conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=True)
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as e:
            raise translate(e, path.parent) from None
    conn.row_factory = sqlite3.Row
    register_functions(conn)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    if readonly:
        # readers (searches) look up a few hundred stored vectors and FTS rows per question at random: memory-
        # mapped pages and a larger page cache halve that (writers keep the defaults: mapped pages would count
        # in the indexer's resident memory)
        conn.execute(f"PRAGMA mmap_size={READER_MMAP_BYTES}")
        conn.execute(f"PRAGMA cache_size=-{READER_CACHE_KIB}")
    if not readonly:
        conn.execute("PRAGMA synchronous=FULL")
    return conn


def _connect_ro(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(_ro_uri(path), uri=True, timeout=30, isolation_level=None, check_same_thread=True)
    try:
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        return conn
    except sqlite3.OperationalError as e:
        conn.close()
        if os.access(path.parent, os.W_OK):
            raise IndexMissing(f"cannot open the index at {path.parent}/ ({e}): run 'hsqa index'") from None
    # A WAL database in a folder we cannot write: SQLite cannot create its shared-memory file. With no
    # write-ahead log left behind the file is complete as it is, and nobody can change it from here.
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise IndexReadOnly(
            f"the index folder {path.parent}/ is read-only and holds an unfinished log ({wal.name}): "
            "open it once where it is writable (any 'hsqa ask' there finishes it)"
        )
    return sqlite3.connect(_ro_uri(path, immutable=True), uri=True, isolation_level=None, check_same_thread=True)


@dataclass(frozen=True)
class MigrationStep:
    """Progress of :func:`migrate`: statement ``step`` of ``steps`` of the migration to ``schema`` is starting
    (``step == steps``: that migration is committed). Some take a while on a large index (schema 6 rewrites
    passage storage: ≈45 s at 50k passages), so callers show them."""

    schema: int
    step: int
    steps: int

    @property
    def done(self) -> bool:
        return self.step >= self.steps

    def __str__(self) -> str:
        if self.done:
            return f"index migrated to schema {self.schema}"
        return f"migrating index to schema {self.schema}: step {self.step + 1}/{self.steps}"


MigrationProgress = Callable[[MigrationStep], None]


def migrate(conn: sqlite3.Connection, progress: MigrationProgress | None = None) -> int:
    """Apply numbered migrations past ``PRAGMA user_version``; return the resulting version. ``progress`` is
    told before each statement and after each migration commits (it must not raise)."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    register_functions(conn)
    for number, sql in enumerate(MIGRATIONS[version:], start=version + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            statements = _statements(sql)
            for i, stmt in enumerate(statements):
                if progress is not None:
                    progress(MigrationStep(number, i, len(statements)))
                conn.execute(stmt)
            conn.execute(f"PRAGMA user_version={number}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        version = number
        if progress is not None:
            progress(MigrationStep(number, len(statements), len(statements)))
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


# ---------------------------------------------------------------------------------------------
# SQLite's own checks (hsqa doctor)
# ---------------------------------------------------------------------------------------------


def quick_check(path: Path) -> str:
    """``PRAGMA quick_check`` on a read-only connection ("ok" when sound); never waits for a writer."""
    conn = connect(path, readonly=True)
    try:
        return conn.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        conn.close()


def fts_integrity_check(path: Path, timeout: float = 2.0) -> None:
    """FTS5's integrity check; raises ``sqlite3.DatabaseError`` when the lexical index is damaged. It is a
    write statement: it needs the database lock (``sqlite3.OperationalError`` "locked" when busy)."""
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    register_functions(conn)  # the lexical index's content is a view computed by them
    try:
        conn.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES('integrity-check', 1)")
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------
# Disk errors -> clear messages
# ---------------------------------------------------------------------------------------------


def is_disk_full(e: BaseException) -> bool:
    if isinstance(e, OSError):
        return e.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(e, sqlite3.Error) and "full" in str(e).lower()


def is_read_only(e: BaseException) -> bool:
    if isinstance(e, OSError):
        return e.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
    return isinstance(e, sqlite3.Error) and ("readonly" in str(e).lower() or "read-only" in str(e).lower())


def translate(e: BaseException, index_dir: Path) -> BaseException:
    """The library error a low-level disk error means, or ``e`` itself."""
    if is_disk_full(e):
        return DiskFull(
            f"the disk holding {index_dir}/ is full ({_why(e)}): free some space and run 'hsqa index' again "
            "(the index is unchanged: answers still come from the last completed run)"
        )
    if is_read_only(e):
        return IndexReadOnly(
            f"the index folder {index_dir}/ is not writable ({_why(e)}): make it writable, or pass "
            "--index DIR for a folder you can write"
        )
    return e


def _why(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e)
