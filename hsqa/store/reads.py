"""Every read of the index: metadata, documents, manifest, embedding cache, and :class:`Snapshot`.

A :class:`Snapshot` is one read transaction: every query made through it (or through ``store.conn`` on the
same thread while it is open) sees one committed generation, and its :meth:`Snapshot.faiss` is the vector
file of that same generation. Searches use one snapshot each, so FTS rows, chunk rows and vectors agree.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import HsqaError, IndexMissing, ModelMismatch
from ..chunking import text_hash
from .schema import FORMAT_VERSION, key_hex, text_key
from .vectors import decode, decode_many

#: the model number of a model name, for SQL that takes the name
MODEL_ID = "(SELECT id FROM models WHERE name = ?)"

#: ``vectors.kind`` of a whole passage (the vectors the ANN index holds); 1 is one sentence of it
PASSAGE = 0

if TYPE_CHECKING:  # pragma: no cover
    from . import Store


@dataclass(frozen=True)
class IndexInfo:
    format_version: int
    model: str
    dim: int
    chunker_version: int
    parser_version: int
    generation: int
    lexical_version: int = 0
    vectors_bytes: int | None = None  #: size of the generation's vector file when it was written
    vectors_layout: int = 1  #: what the vector file holds (``hsqa.store.vectors.LAYOUT``)
    sentence_vectors: bool = True  #: sentences were embedded besides passages


def info_from_meta(m: dict[str, str]) -> IndexInfo | None:
    if "model" not in m:
        return None
    return IndexInfo(
        format_version=int(m.get("format_version", 0)),
        model=m["model"],
        dim=int(m.get("dim", 0)),
        chunker_version=int(m.get("chunker_version", 0)),
        parser_version=int(m.get("parser_version", 0)),
        generation=int(m.get("generation", 0)),
        lexical_version=int(m.get("lexical_version", 0)),
        vectors_bytes=int(m["vectors_bytes"]) if "vectors_bytes" in m else None,
        vectors_layout=int(m.get("vectors_layout", 1)),
        sentence_vectors=m.get("sentence_vectors", "1") == "1",
    )


class Reads:
    """Read queries; ``self.conn`` is the calling thread's connection (inside its snapshot, if one is open)."""

    conn: sqlite3.Connection
    config: object

    # -- metadata ------------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        try:
            return {r["key"]: r["value"] for r in self.conn.execute("SELECT key, value FROM meta")}
        except sqlite3.OperationalError as e:
            if "no such table" in str(e):
                return {}
            raise

    def info(self) -> IndexInfo | None:
        return info_from_meta(self.meta())

    def generation(self) -> int:
        row = self.conn.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def require_model(self, model_name: str) -> IndexInfo:
        """Info of a usable index built with ``model_name``; raise clear errors otherwise."""
        return require_model(self.info(), model_name, self.config)

    # -- documents -------------------------------------------------------------------------
    def documents(self) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT d.*, (SELECT count(*) FROM chunks c WHERE c.doc_id = d.id) AS n_chunks "
            "FROM documents d ORDER BY d.date, d.path"
        ).fetchall()

    def document(self, doc_id: int) -> sqlite3.Row | None:
        return self.conn.execute("SELECT * FROM documents WHERE id=?", (doc_id,)).fetchone()

    def paragraphs(self, doc_id: int) -> list[sqlite3.Row]:
        """A document's paragraphs; ``text`` is its verbatim slice of the document text (SQLite's ``substr``
        counts characters, as Python's offsets do)."""
        return self.conn.execute(
            "SELECT p.doc_id, p.number, p.section, p.start, p.end, "
            "CASE WHEN p.text = '' AND t.text IS NOT NULL THEN substr(t.text, p.start + 1, p.end - p.start) "
            "ELSE p.text END AS text, p.page "
            "FROM paragraphs p LEFT JOIN document_text t ON t.doc_id = p.doc_id WHERE p.doc_id=? ORDER BY p.number",
            (doc_id,),
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

    def headings(self, doc_id: int) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT * FROM headings WHERE doc_id=? ORDER BY start", (doc_id,)).fetchall()

    def chunk_before(self, doc_id: int, start: int) -> str | None:
        """The text of the passage before the one starting at offset ``start`` of its document."""
        row = self.conn.execute(
            "SELECT text FROM chunks WHERE doc_id=? AND start < ? ORDER BY start DESC LIMIT 1", (doc_id, start)
        ).fetchone()
        return row[0] if row else None

    def chunks_of(self, doc_id: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT id, paragraph, ordinal, start, end, section, text FROM chunks WHERE doc_id=? ORDER BY id", (doc_id,)
        ).fetchall()

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
        """Rows of ``sql`` whose ``{in_}`` is bound to ``values``, in batches under SQLite's variable limit;
        ``args`` bind the placeholders before it."""
        rows: list[sqlite3.Row] = []
        for i in range(0, len(values), 500):
            part = list(values[i : i + 500])
            rows += self.conn.execute(sql.format(in_=",".join("?" * len(part))), (*args, *part)).fetchall()
        return rows

    # -- manifest (what the indexer compares the corpus with) -------------------------------
    def manifest(self) -> dict[str, sqlite3.Row]:
        """``{path: row(id, path, sha256, size, mtime_ns, title)}`` of every indexed document."""
        rows = self.conn.execute("SELECT id, path, sha256, size, mtime_ns, title FROM documents")
        return {r["path"]: r for r in rows}

    def skipped_rows(self) -> dict[str, sqlite3.Row]:
        """``{path: row(path, reason, size, mtime_ns)}`` of the files the last run skipped."""
        return {r["path"]: r for r in self.conn.execute("SELECT path, reason, size, mtime_ns FROM skipped")}

    # -- vectors ---------------------------------------------------------------------------
    def vector_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM vectors").fetchone()[0]

    def vector_ids(self) -> np.ndarray:
        """Sorted ids of the vectors the ANN index holds (passage vectors)."""
        rows = self.conn.execute("SELECT id FROM vectors WHERE kind=? ORDER BY id", (PASSAGE,))
        return np.array([r[0] for r in rows], dtype=np.int64)

    def fts_count(self) -> int:
        """Rows of the lexical index (its per-row size records: counting the table itself would read every row
        of its content view)."""
        return self.conn.execute("SELECT count(*) FROM chunks_fts_docsize").fetchone()[0]

    def missing_embeddings(self, model: str) -> int:
        """Vector rows whose embedding is not in the cache (FAISS could not be rebuilt for them)."""
        return self.conn.execute(
            f"SELECT count(*) FROM vectors v LEFT JOIN embeddings e ON e.model={MODEL_ID} AND e.key=v.key "
            "WHERE e.key IS NULL",
            (model,),
        ).fetchone()[0]

    def embedding_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM embeddings").fetchone()[0]

    def cached_vectors(self, model: str, hashes: list[str]) -> dict[str, np.ndarray]:
        """``{hash: vector}`` of those of ``hashes`` (text hashes) the embedding cache holds."""
        by_key = {text_key(h): h for h in hashes}
        rows = self.select_in(f"SELECT key, vector FROM embeddings WHERE model={MODEL_ID} AND key IN ({{in_}})",
                              list(by_key), model)
        return {by_key[k]: decode(blob) for k, blob in rows}

    def cached_hashes(self, model: str, hashes: list[str], full: set[str] | None = None) -> set[str]:
        """Which of ``hashes`` the embedding cache holds (without reading the vectors); those in ``full``
        (passages: the ANN index is built from them) only when stored with 8 bits, not as a sentence's 4."""
        by_key = {text_key(h): h for h in hashes}
        # the sign of the first float (its last byte, little-endian) tells 4-bit codes from 8-bit ones
        rows = self.select_in(f"SELECT key, substr(vector, 4, 1) FROM embeddings WHERE model={MODEL_ID} AND key IN ({{in_}})",
                              list(by_key), model)
        full = full or set()
        return {by_key[k] for k, b in rows if by_key[k] not in full or b[0] < 0x80}

    def all_vectors(self, model: str, dim: int) -> tuple[np.ndarray, np.ndarray]:
        """``(ids, vectors)`` of every passage vector from the embedding cache (rebuilding the ANN index needs
        no model), in id order, filled into one preallocated array."""
        (n,) = self.conn.execute("SELECT count(*) FROM vectors WHERE kind=?", (PASSAGE,)).fetchone()
        ids = np.zeros(n, dtype=np.int64)
        vecs = np.zeros((n, dim), dtype=np.float32)
        missing = 0
        rows = self.conn.execute(
            f"SELECT v.id, e.vector FROM vectors v LEFT JOIN embeddings e ON e.model={MODEL_ID} AND e.key=v.key "
            "WHERE v.kind=? ORDER BY v.id",
            (model, PASSAGE),
        )
        for start in range(0, n, 8192):  # decoded in groups: one vectorised step each, bounded memory
            part = rows.fetchmany(8192)
            if not part:
                break
            ids[start : start + len(part)] = [r[0] for r in part]
            missing += sum(1 for r in part if r[1] is None)
            if not missing:
                vecs[start : start + len(part)] = decode_many([r[1] for r in part], dim)
        if missing:
            raise IndexMissing(
                f"{missing} passages have no stored embedding for model '{model}': run 'hsqa index --rebuild'"
            )
        return ids, vecs

    def vectors_of_documents(self, doc_ids: list[int]) -> list[int]:
        """FAISS ids of every vector of ``doc_ids``."""
        rows = self.select_in(
            "SELECT v.id FROM vectors v JOIN chunk_rows c ON c.id=v.chunk_id WHERE c.doc_id IN ({in_})", doc_ids
        )
        return [r[0] for r in rows]

    def hashes_of_vectors(self, vector_ids: list[int]) -> list[str]:
        """Keys (as hex: the store's methods taking text hashes take them) of the texts of ``vector_ids``."""
        return [key_hex(r[0]) for r in self.select_in("SELECT key FROM vectors WHERE id IN ({in_})", vector_ids)]

    def chunk_rows(self, chunk_ids: list[int]) -> dict[int, sqlite3.Row]:
        """``{id: row(id, doc_id, paragraph, ordinal, start, end, section, text)}`` of passages (text verbatim)."""
        return {r["id"]: r for r in self.select_in(
            "SELECT id, doc_id, paragraph, ordinal, start, end, section, text FROM chunks WHERE id IN ({in_})", chunk_ids)}


def require_model(info: IndexInfo | None, model_name: str, config) -> IndexInfo:
    if info is None:
        raise IndexMissing(
            f"no index at {config.index_dir}/ yet: build it with 'hsqa index' (corpus: {config.corpus_dir}/)"
        )
    if info.format_version != FORMAT_VERSION:
        raise ModelMismatch(
            f"the index at {config.index_dir}/ has format {info.format_version}, this hsqa reads "
            f"format {FORMAT_VERSION}: run 'hsqa index' to rebuild it"
        )
    if info.model != model_name:
        raise ModelMismatch(
            f"the index at {config.index_dir}/ was built with model '{info.model}', not "
            f"'{model_name}': run 'hsqa index --model {model_name}' to rebuild it for that model, "
            f"or ask without --model/HSQA_MODEL"
        )
    return info


class Snapshot(Reads):
    """One read transaction on the calling thread's connection, pinned to one committed generation.

    ``generation`` and ``info`` are read inside the transaction; :meth:`faiss` returns the vector index of
    exactly that generation (loaded once per generation and shared by every snapshot of it). Use it only on
    the thread that opened it, and only inside its ``with`` block.
    """

    def __init__(self, store: "Store", conn: sqlite3.Connection):
        self.store = store
        self.config = store.config
        self.conn = conn
        self.meta_values = self.meta()  # the first read: it fixes the generation this transaction sees
        self.info = info_from_meta(self.meta_values)
        self.generation = self.info.generation if self.info else 0
        self.repaired = False  #: the vector file was missing or did not match and was rebuilt in memory
        self._faiss = None

    def execute(self, sql: str, args=()) -> sqlite3.Cursor:
        return self.conn.execute(sql, args)

    def faiss(self):
        """The FAISS index of this snapshot's generation. Raises :class:`~hsqa.errors.StaleSnapshot` when
        that generation's file was removed because a newer one committed (read again in a new snapshot:
        :meth:`Store.read` does it)."""
        if self._faiss is None:
            self._faiss, repaired = self.store._faiss_for(self)
            self.repaired = self.repaired or repaired
        return self._faiss

    def vectors(self, vector_ids) -> np.ndarray:
        """Stored vectors of ``vector_ids`` (vector row ids of this generation: passages and sentences),
        shape ``(n, dim)``, from the embedding cache (8-bit codes there). An id the generation does not hold is an
        error, never a silently missing score."""
        ids = [int(i) for i in vector_ids]
        if not ids:
            return np.zeros((0, self.info.dim if self.info else 0), dtype=np.float32)
        model = self.info.model if self.info else ""
        rows = self.select_in(
            # LEFT JOIN: SQLite then walks the vector rows and looks each up (an inner join here made it scan
            # the embedding cache: 40× slower)
            f"SELECT v.id, e.vector FROM vectors v LEFT JOIN embeddings e ON e.model={MODEL_ID} AND e.key=v.key "
            "WHERE v.id IN ({in_})", ids, model)
        got = {r[0]: r[1] for r in rows if r[1] is not None}
        lacking = [i for i in ids if i not in got]
        if lacking:
            raise HsqaError(
                f"the index in {self.config.index_dir}/ (generation {self.generation}) lacks the stored vectors of "
                f"{len(lacking)} vector rows (e.g. {lacking[0]}): run 'hsqa index' to repair it ('hsqa index --rebuild' if it persists)"
            )
        return decode_many([got[i] for i in ids], self.info.dim if self.info else len(decode(got[ids[0]])))

    def view_vectors(self, chunk_ids: list[int]) -> tuple[list[sqlite3.Row], np.ndarray]:
        """Every vector row (passage and sentences) of ``chunk_ids`` — ``(id, chunk_id, kind, key)`` — and its
        stored vector, shape ``(n, dim)``. A vector the cache lost is an error naming the repair."""
        rows = self.select_in(
            # LEFT JOIN: SQLite then walks the vector rows and looks each up
            f"SELECT v.id, v.chunk_id, v.kind, v.key, e.vector FROM vectors v LEFT JOIN embeddings e "
            f"ON e.model={MODEL_ID} AND e.key=v.key WHERE v.chunk_id IN ({{in_}})",
            chunk_ids, self.info.model if self.info else "")
        if any(r["vector"] is None for r in rows):
            return rows, self.vectors([r[0] for r in rows])
        return rows, decode_many([r["vector"] for r in rows], self.info.dim if self.info else 0)

    def views_by_hash(self, chunk_ids: list[int]) -> dict[int, dict[str, np.ndarray]]:
        """``{chunk_id: {text hash: stored vector}}`` of each passage's views (whole passage and sentences):
        the vector rows keep 64-bit keys, so the texts are split again (``Chunk.views``) to name them."""
        from ..chunking import Chunk
        from ..documents import strip_markup

        rows, vecs = self.view_vectors(chunk_ids)
        by_key: dict[int, dict[int, np.ndarray]] = {}
        for r, v in zip(rows, vecs):
            by_key.setdefault(r["chunk_id"], {})[r["key"]] = v
        out: dict[int, dict[str, np.ndarray]] = {}
        for cid, row in self.chunk_rows(list(by_key)).items():
            c = Chunk(row["paragraph"], row["ordinal"], row["start"], row["end"], row["text"], row["section"],
                      strip_markup(row["text"]))
            have = by_key[cid]
            for _, text in c.views():
                h = text_hash(text)
                if text_key(h) in have:
                    out.setdefault(cid, {})[h] = have[text_key(h)]
        return out
