"""Every INSERT, UPDATE and DELETE hsqa makes, as methods of :class:`Writer`.

A ``Writer`` exists only inside ``Store.transaction()`` (one ``BEGIN IMMEDIATE`` … ``COMMIT``), except
:func:`put_embeddings`, which stores one group of fresh embeddings in its own short transaction so a killed
run resumes where it stopped.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np

from ..chunking import text_hash
from ..documents import Document, human_date
from ..text import find_acronyms
from .schema import key_hex, text_key
from . import vectors as _vectors
from .vectors import encode_many

#: embeddings no live passage uses are kept while they were last used within this many generations…
RECENT_GENERATIONS = 20
#: …and at most this many of them (plus a quarter of the live ones), most recently used first
RECENT_MIN = 2000


def fts_meta(date: str | None, date_end: str | None, place: str | None, path: str) -> str:
    """The lexical 'meta' column: date words, year, place, file name words (for 'the 2007 meeting')."""
    words = [human_date(date), human_date(date_end), place or "", Path(path).stem.replace("-", " ").replace("_", " ")]
    return " ".join(w for w in words if w)


#: the model number of a model name (``models.id``), for SQL that takes the name
MODEL_ID = "(SELECT id FROM models WHERE name = ?)"

#: FTS5 rows of a document's passages, as the lexical index's content view computes them
_FTS_ROWS = "SELECT id, body, section, title, meta FROM chunks_fts_src WHERE id IN (SELECT id FROM chunk_rows WHERE doc_id = ?)"


def model_id(conn: sqlite3.Connection, model: str) -> int:
    """``models.id`` of ``model``, added when new (call inside a write transaction)."""
    conn.execute("INSERT OR IGNORE INTO models(name) VALUES(?)", (model,))
    return conn.execute("SELECT id FROM models WHERE name=?", (model,)).fetchone()[0]


def put_embeddings(conn: sqlite3.Connection, model: str, items: list[tuple[str, np.ndarray]], used: int,
                   passages: set[str] | None = None) -> None:
    """Store fresh embeddings (``(text hash, vector)``) in one transaction of their own. With ``passages``
    (the hashes of whole-passage texts), the other texts — sentences only — are stored with
    ``vectors.SENTENCE_BITS`` bits per dimension.

    Committed with ``synchronous=NORMAL``: in WAL mode that stays consistent after a crash, and a group
    lost to a power cut is only embedded again; the run's own commit (``FULL``) makes them durable."""
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("BEGIN IMMEDIATE")
    try:
        mid = model_id(conn, model)
        rows = []
        for whole in (True, False):  # passages with 8 bits, texts only sentences use with SENTENCE_BITS
            part = [(h, v) for h, v in items if (passages is None or h in passages) == whole]
            if part:
                blobs = encode_many(np.vstack([v for _, v in part]), 8 if whole else _vectors.SENTENCE_BITS)
                rows += [(mid, text_key(h), b, used) for (h, _), b in zip(part, blobs)]
        conn.executemany("INSERT OR REPLACE INTO embeddings(model, key, vector, used) VALUES(?,?,?,?)", rows)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back already (a full disk does)
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute("PRAGMA synchronous=FULL")


class Writer:
    """Row changes inside one write transaction."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._lexical_deferred = False

    def rewrite_lexical_index(self) -> None:
        """Passages added or removed in this transaction are not indexed one by one: :meth:`rebuild_lexical_index`
        writes the lexical index anew from what the transaction leaves. For a rebuild: removing a passage from
        FTS5 takes the values it indexed, which the content view no longer gives once how passages are
        tokenized changed (``LEXICAL_VERSION``, the parser), and a wrong removal corrupts the index."""
        self._lexical_deferred = True

    def rebuild_lexical_index(self) -> None:
        self.conn.execute("INSERT INTO chunks_fts(chunks_fts) VALUES('rebuild')")
        self._lexical_deferred = False

    # -- documents ---------------------------------------------------------------------------
    def delete_document(self, doc_id: int) -> list[tuple[int, str]]:
        """Delete a document's rows; return ``(FAISS id, text key as hex)`` of each of its vectors (the store's
        methods that take text hashes take these too)."""
        conn = self.conn
        vids = [
            (r[0], key_hex(r[1]))
            for r in conn.execute(
                "SELECT v.id, v.key FROM vectors v JOIN chunk_rows c ON c.id=v.chunk_id WHERE c.doc_id=?", (doc_id,)
            )
        ]
        self._unindex(doc_id)
        conn.execute("DELETE FROM documents WHERE id=?", (doc_id,))  # cascades: paragraphs, headings, chunks, vectors
        return vids

    def _unindex(self, doc_id: int) -> None:
        """Remove a document's passages from the lexical index. External content: FTS5 needs the values it
        indexed, which the content view gives while the rows are still there."""
        if self._lexical_deferred:
            return
        self.conn.execute(
            "INSERT INTO chunks_fts(chunks_fts, rowid, body, section, title, meta) SELECT 'delete', * FROM "
            f"({_FTS_ROWS})", (doc_id,))

    def _reindex(self, doc_id: int) -> None:
        if self._lexical_deferred:
            return
        self.conn.execute(f"INSERT INTO chunks_fts(rowid, body, section, title, meta) {_FTS_ROWS}", (doc_id,))

    def insert_document(self, rel: str, sha: str, size: int, mtime_ns: int, doc: Document, chunks,
                        views=None) -> list[tuple[int, str, int]]:
        """Insert a parsed document and its chunks; return ``(vector id, text hash, kind)`` for each vector
        row. ``views``: each chunk's ``(kind, text hash)`` list when the caller already computed them."""
        conn = self.conn
        d = doc
        doc_id = conn.execute(
            "INSERT INTO documents(path, sha256, size, mtime_ns, title, date, date_end, place, header_end, n_paragraphs)"
            " VALUES(?,?,?,?,?,?,?,?,?,?)",
            (rel, sha, size, mtime_ns, d.title, d.date, d.date_end, d.place, d.header_end, len(d.paragraphs)),
        ).lastrowid
        # a paragraph's text is the document text's [start:end] (stored once, in document_text): its own
        # column stays empty (rows written before schema 5 keep theirs; Reads.paragraphs reads either)
        conn.executemany(
            "INSERT INTO paragraphs(doc_id, number, section, start, end, text, page) VALUES(?,?,?,?,?,'',?)",
            [(doc_id, q.number, q.section, q.start, q.end, q.page) for q in d.paragraphs],
        )
        # the text as extracted and parsed: what passages are verbatim slices of (PDF and HTML as text files)
        conn.execute(
            "INSERT OR REPLACE INTO document_text(doc_id, kind, text, pages) VALUES(?,?,?,?)",
            (doc_id, d.kind, d.text, json.dumps(d.pages) if d.pages else None),
        )
        conn.executemany(
            "INSERT INTO headings(doc_id, level, title, start, end) VALUES(?,?,?,?,?)",
            [(doc_id, h.level, h.title, h.start, h.end) for h in d.headings],
        )
        conn.executemany(
            "INSERT INTO acronyms(doc_id, acronym, expansion) VALUES(?,?,?)",
            [(doc_id, a, x) for a, x in find_acronyms(d.text).items()],
        )
        ids = []
        for n, c in enumerate(chunks):
            # a passage's text is stored once, in document_text ('' here), unless it is not that slice
            own = "" if d.text[c.start : c.end] == c.text else c.text
            cid = conn.execute(
                "INSERT INTO chunk_rows(doc_id, paragraph, ordinal, start, end, section, text) VALUES(?,?,?,?,?,?,?)",
                (doc_id, c.paragraph, c.ordinal, c.start, c.end, c.section, own),
            ).lastrowid
            for kind, h in views[n] if views is not None else [(k, text_hash(t)) for k, t in c.views()]:
                vid = conn.execute("INSERT INTO vectors(chunk_id, kind, key) VALUES(?,?,?)", (cid, kind, text_key(h))).lastrowid
                ids.append((vid, h, kind))
        self._reindex(doc_id)  # the lexical rows, from the content view (what a later delete will read back)
        return ids

    def rename_document(self, doc_id: int, rel: str, size: int, mtime_ns: int, title: str) -> None:
        """A file moved with its bytes unchanged: new path, stat and (for files without a title block, whose
        title comes from the file name) title; the lexical rows follow."""
        self._unindex(doc_id)  # with the old path and title
        self.conn.execute(
            "UPDATE documents SET path=?, size=?, mtime_ns=?, title=? WHERE id=?", (rel, size, mtime_ns, title, doc_id)
        )
        self._reindex(doc_id)

    def touch_documents(self, stats: list[tuple[int, int, int]]) -> None:
        """``(size, mtime_ns, id)``: files whose bytes are unchanged but whose stat moved."""
        self.conn.executemany("UPDATE documents SET size=?, mtime_ns=? WHERE id=?", stats)

    def document_ids(self) -> list[tuple[int, str]]:
        return [(r[0], r[1]) for r in self.conn.execute("SELECT id, path FROM documents")]

    # -- index state -------------------------------------------------------------------------
    def set_meta(self, **values) -> None:
        self.conn.executemany(
            "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            [(k, str(v)) for k, v in values.items()],
        )

    def replace_skipped(self, entries: list[tuple[str, str, int | None, int | None]]) -> None:
        """The files the run skipped: ``(path, reason, size, mtime_ns)``."""
        self.conn.execute("DELETE FROM skipped")
        self.conn.executemany("INSERT INTO skipped(path, reason, size, mtime_ns) VALUES(?,?,?,?)", entries)

    # -- embedding cache -----------------------------------------------------------------------
    def mark_used(self, model: str, hashes: list[str], generation: int) -> None:
        """Record that ``generation`` used (or just stopped using) these cached embeddings."""
        keys = [text_key(h) for h in hashes]
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            self.conn.execute(
                f"UPDATE embeddings SET used=? WHERE model={MODEL_ID} AND key IN ({','.join('?' * len(part))})",
                (generation, model, *part),
            )

    def prune_embeddings(self, generation: int) -> int:
        """Drop cached embeddings no passage uses, beyond a recent window: those last used more than
        ``RECENT_GENERATIONS`` generations ago, and the oldest beyond ``RECENT_MIN`` + a quarter of the live
        ones. Returns how many were dropped."""
        conn = self.conn
        unused = "key NOT IN (SELECT key FROM vectors)"  # one pass over the vector rows (no index on key)
        n = conn.execute(f"DELETE FROM embeddings WHERE used < ? AND {unused}", (generation - RECENT_GENERATIONS,)).rowcount
        live = conn.execute("SELECT count(*) FROM vectors").fetchone()[0]
        cap = RECENT_MIN + live // 4
        n += conn.execute(
            f"DELETE FROM embeddings WHERE (model, key) IN (SELECT model, key FROM embeddings WHERE {unused} "
            "ORDER BY used DESC LIMIT -1 OFFSET ?)",
            (cap,),
        ).rowcount
        return n
