"""Build and update the index from the corpus folder: incremental by content, crash-safe, one writer.

Steps of a run: take the writer lock → scan the corpus (stat only) → read and hash only files whose size or
mtime changed → recognise renames by hash → parse and chunk new/changed documents → embed only chunk texts
not already in the embedding cache (stored per batch, so a killed run resumes) → one SQLite transaction for
all row changes, with the new FAISS generation written (temp + fsync + rename) before it commits.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import stat as _stat
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from .chunking import CHUNKER_VERSION, chunk_document, text_hash
from .config import DOCUMENT_EXTENSIONS, Config
from .documents import PARSER_VERSION, Document, human_date, parse_document, read_text
from .embedding import Embedder, canonical_model_name, make_embedder
from .errors import CorpusMissing, DocumentError, IndexBusy
from .faults import checkpoint
from .text import find_acronyms
from .store import FORMAT_VERSION, Store, fsync_dir, write_faiss_atomic

Progress = Callable[[str, int, int], None]

#: progress stages, in order, with the words shown to users
STAGE_LABELS = {"scan": "scanning", "parse": "parsing", "model": "loading model", "embed": "embedding", "write": "writing"}

#: texts embedded (and stored in the embedding cache) per step
EMBED_GROUP = 128

#: skip reasons that depend only on a file's bytes (safe to reuse while size and mtime are unchanged;
#: not "unreadable" or "too large", which depend on permissions or settings)
_CONTENT_REASONS = ("empty file", "binary file", "not a text document", "cannot decode", "no paragraphs")

_TEMP_SUFFIXES = (".swp", ".swo", ".swx", ".tmp", ".part", ".crdownload", "~")


# ---------------------------------------------------------------------------------------------
# Scanning
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileStat:
    rel: str
    path: Path
    size: int
    mtime_ns: int


@dataclass
class Scan:
    files: dict[str, FileStat] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def _skip_reason(name: str) -> str | None:
    """Why a file name is not a document (``None``: it is one). Hidden files return ``""`` (silent)."""
    if name.startswith("."):
        return ""
    low = name.lower()
    if name.startswith(("~$", "#")) or low.endswith(_TEMP_SUFFIXES):
        return "editor temporary file"
    if not low.endswith(DOCUMENT_EXTENSIONS):
        ext = os.path.splitext(name)[1] or "(no extension)"
        return f"unsupported file type {ext}: hsqa reads {', '.join(DOCUMENT_EXTENSIONS)}"
    return None


def check_corpus(corpus: Path) -> None:
    if not corpus.exists():
        raise CorpusMissing(f"corpus folder {corpus}/ does not exist: create it or pass --corpus DIR")
    if not corpus.is_dir():
        raise CorpusMissing(f"corpus path {corpus} is not a folder: pass --corpus DIR")


def scan_corpus(corpus: Path) -> Scan:
    """Every document file under ``corpus`` with its size and mtime; symlink loops and oddities skipped."""
    check_corpus(corpus)
    scan = Scan()
    seen_dirs: set[tuple[int, int]] = set()

    def walk(d: Path, rel: str) -> None:
        try:
            st = d.stat()
        except OSError:
            return
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            scan.skipped[rel or "."] = "symlink loop or duplicate folder"
            return
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as e:
            scan.skipped[rel or "."] = f"unreadable folder ({e.strerror})"
            return
        for e in entries:
            r = f"{rel}/{e.name}" if rel else e.name
            reason = _skip_reason(e.name)
            try:
                is_dir = e.is_dir(follow_symlinks=True)
                is_file = e.is_file(follow_symlinks=True)
            except OSError:
                is_dir = is_file = False
            if is_dir:
                if e.name.startswith("."):
                    continue
                if reason is None:  # a folder named like a document
                    scan.skipped[r] = "is a directory, not a document"
                walk(Path(e.path), r)
                continue
            if reason == "":
                continue
            if reason is not None:
                scan.skipped[r] = reason
                continue
            if not is_file:
                try:
                    os.stat(e.path)
                    scan.skipped[r] = "not a regular file"
                except OSError as err:
                    scan.skipped[r] = "broken symlink" if err.errno == errno.ENOENT else "unreadable"
                continue
            try:
                st = os.stat(e.path)
            except OSError as err:
                scan.skipped[r] = f"unreadable ({err.strerror})"
                continue
            if not _stat.S_ISREG(st.st_mode):
                scan.skipped[r] = "not a regular file"
                continue
            scan.files[r] = FileStat(r, Path(e.path), st.st_size, st.st_mtime_ns)

    walk(corpus, "")
    return scan


# ---------------------------------------------------------------------------------------------
# Staleness
# ---------------------------------------------------------------------------------------------


@dataclass
class Staleness:
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return bool(self.new or self.changed or self.deleted)

    def summary(self) -> str:
        parts = [f"{len(v)} {k}" for k, v in (("new", self.new), ("changed", self.changed), ("deleted", self.deleted)) if v]
        return " · ".join(parts) if parts else "up to date"


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def staleness(config: Config, store: Store) -> Staleness:
    """What changed in the corpus since the last index: stat first, hash only when the stat differs."""
    scan = scan_corpus(config.corpus_dir)
    rows = {r["path"]: r for r in store.conn.execute("SELECT path, sha256, size, mtime_ns FROM documents")}
    skipped = {r["path"]: (r["size"], r["mtime_ns"]) for r in store.conn.execute("SELECT path, size, mtime_ns FROM skipped")}
    out = Staleness()
    for rel, fs in scan.files.items():
        row = rows.get(rel)
        if row is None:
            if skipped.get(rel) != (fs.size, fs.mtime_ns) and fs.size <= config.max_file_bytes:
                out.new.append(rel)
        elif (row["size"], row["mtime_ns"]) != (fs.size, fs.mtime_ns):
            try:
                if _sha256_file(fs.path) != row["sha256"]:
                    out.changed.append(rel)
            except OSError:
                out.changed.append(rel)
    out.deleted = sorted(set(rows) - set(scan.files))
    return out


# ---------------------------------------------------------------------------------------------
# Locking
# ---------------------------------------------------------------------------------------------


@contextmanager
def writer_lock(config: Config, wait: bool = False) -> Iterator[None]:
    """Exclusive writer lock on the index folder; raises :class:`IndexBusy` unless ``wait``."""
    config.index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(config.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            try:
                pid = os.pread(fd, 32, 0).decode().strip() or "?"
            except OSError:
                pid = "?"
            raise IndexBusy(
                f"another index run is in progress (pid {pid}): wait for it, or use 'hsqa index --wait'"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock


# ---------------------------------------------------------------------------------------------
# Indexing
# ---------------------------------------------------------------------------------------------


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    renamed: int = 0
    documents: int = 0
    chunks: int = 0
    skipped: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    embedded: int = 0  #: chunk texts sent to the model this run
    reused: int = 0  #: chunk vectors taken from the embedding cache
    rebuild: str | None = None  #: why everything was rebuilt, if it was
    repaired: bool = False  #: the FAISS file did not match SQLite and was rewritten
    changes: list[dict] = field(default_factory=list)  #: {"path", "change": added|updated|removed|renamed}
    generation: int = 0
    model: str = ""

    def as_json(self) -> dict:
        d = asdict(self)
        d["seconds"] = round(self.seconds, 3)
        return d


def fts_meta(doc_title: str, date: str | None, date_end: str | None, place: str | None, path: str) -> str:
    """The lexical 'meta' column: date words, year, place, file name words (for 'the 2007 meeting')."""
    words = [human_date(date), human_date(date_end), place or "", Path(path).stem.replace("-", " ").replace("_", " ")]
    return " ".join(w for w in words if w)


@dataclass
class _Pending:
    rel: str
    fs: FileStat
    sha: str
    doc: Document
    chunks: list
    existing_id: int | None


class Indexer:
    """One index run. ``embedder`` may be passed (tests, the TUI's loaded model) or is made from config."""

    def __init__(self, config: Config, embedder: Embedder | None = None, progress: Progress | None = None):
        self.config = config
        self.store = Store(config)
        self._embedder = embedder
        self.model_name = embedder.name if embedder else canonical_model_name(config.model)
        self.progress = progress or (lambda stage, done, total: None)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.config.model)
        return self._embedder

    def run(self, wait: bool = False, rebuild: bool = False) -> IndexReport:
        t0 = time.perf_counter()
        check_corpus(self.config.corpus_dir)  # a missing corpus fails here, before any lock or file is made
        with writer_lock(self.config, wait=wait):
            checkpoint("locked")
            # scanned under the lock: a run that waited sees what the previous writer left
            report = self._run(scan_corpus(self.config.corpus_dir), rebuild)
        report.seconds = time.perf_counter() - t0
        return report

    # -- the run ---------------------------------------------------------------------------
    def _run(self, scan: Scan, rebuild: bool) -> IndexReport:
        store, conn = self.store, self.store.conn
        report = IndexReport(model=self.model_name)
        info = store.info()
        if rebuild:
            report.rebuild = "requested with --rebuild"
        elif info is not None:
            if info.model != self.model_name:
                report.rebuild = f"model changed from '{info.model}' to '{self.model_name}'"
            elif info.format_version != FORMAT_VERSION:
                report.rebuild = f"index format changed from {info.format_version} to {FORMAT_VERSION}"
            elif info.chunker_version != CHUNKER_VERSION or info.parser_version != PARSER_VERSION:
                report.rebuild = "the parser or chunker changed"
        full = report.rebuild is not None

        rows = {r["path"]: r for r in conn.execute("SELECT id, path, sha256, size, mtime_ns FROM documents")}
        rows_by_id = {r["id"]: p for p, r in rows.items()}
        known_bad = {
            r["path"]: (r["reason"], r["size"], r["mtime_ns"])
            for r in conn.execute("SELECT path, reason, size, mtime_ns FROM skipped")
        }
        skipped: dict[str, str] = dict(scan.skipped)
        pending: list[_Pending] = []
        touch: list[tuple[int, int, int]] = []  # (size, mtime_ns, id) for content-identical files
        candidates: list[tuple[str, FileStat, bytes, str]] = []

        total = len(scan.files)
        for i, (rel, fs) in enumerate(sorted(scan.files.items())):
            self.progress("scan", i + 1, total)
            row = rows.get(rel)
            if row is not None and not full and (row["size"], row["mtime_ns"]) == (fs.size, fs.mtime_ns):
                report.unchanged += 1
                continue
            was = known_bad.get(rel)
            if row is None and was and was[1:] == (fs.size, fs.mtime_ns) and was[0].startswith(_CONTENT_REASONS):
                skipped[rel] = was[0]  # its bytes were refused before and are untouched since: not read again
                continue
            if fs.size > self.config.max_file_bytes:
                skipped[rel] = (
                    f"too large ({fs.size // 1024} KiB > {self.config.max_file_bytes // 1024} KiB limit)"
                )
                continue
            try:
                data = fs.path.read_bytes()
            except FileNotFoundError:
                skipped[rel] = "vanished while being read"
                continue
            except OSError as e:
                skipped[rel] = f"unreadable ({e.strerror})"
                continue
            sha = hashlib.sha256(data).hexdigest()
            if row is not None and not full and row["sha256"] == sha:
                touch.append((len(data), fs.mtime_ns, row["id"]))
                report.unchanged += 1
                continue
            candidates.append((rel, fs, data, sha))

        # renames: a new path whose bytes equal a document whose path is gone
        gone = {r["sha256"]: r for p, r in rows.items() if p not in scan.files}
        renames: list[tuple[str, FileStat, int]] = []
        if not full:
            keep = []
            for rel, fs, data, sha in candidates:
                if rel not in rows and sha in gone:
                    renames.append((rel, fs, gone.pop(sha)["id"]))
                else:
                    keep.append((rel, fs, data, sha))
            candidates = keep
        report.renamed = len(renames)
        report.changes += [{"path": rel, "change": "renamed", "from": rows_by_id[doc_id]} for rel, _, doc_id in renames]

        for i, (rel, fs, data, sha) in enumerate(candidates):
            self.progress("parse", i + 1, len(candidates))
            try:
                text, _ = read_text(data, rel)
                doc = parse_document(text, rel)
                if not doc.paragraphs:
                    raise DocumentError(rel, "no paragraphs of text found")
            except DocumentError as e:
                skipped[rel] = e.reason
                continue
            row = rows.get(rel)
            pending.append(_Pending(rel, fs, sha, doc, chunk_document(doc), row["id"] if row else None))
        # a previously indexed file that now fails keeps its indexed version (nothing indexed is lost)
        if not full:
            for rel in list(skipped):
                if rel in rows and rel in scan.files:
                    skipped[rel] += " (the previously indexed version is kept)"
        checkpoint("parsed")
        renamed_ids = {doc_id for _, _, doc_id in renames}
        removed_ids = [r["id"] for p, r in rows.items() if p not in scan.files and r["id"] not in renamed_ids]
        if full:
            removed_ids = []  # handled with the rest of the rebuild below

        # ---- embed what the cache does not have -------------------------------------------
        all_chunks = [c for p in pending for c in p.chunks]
        by_hash = {text_hash(t): t for c in all_chunks for _, t in c.views()}
        hashes = list(by_hash)
        cached = store.cached_vectors(self.model_name, hashes) if hashes else {}
        todo = [h for h in hashes if h not in cached]
        report.reused = len(hashes) - len(todo)
        if todo:
            emb = self.embedder
            if not emb.ready:  # a model not loaded yet (0.5 s; ~10 s the first time: ONNX export)
                self.progress("model", 0, 1)
                emb.load()
                self.progress("model", 1, 1)
            done = 0
            self.progress("embed", 0, len(todo))
            # sorted by length so each model batch pads little (as model.encode does internally); groups of
            # EMBED_GROUP are stored as they finish, so a killed run resumes where it stopped
            todo.sort(key=lambda h: len(by_hash[h]))
            for i in range(0, len(todo), EMBED_GROUP):
                part = todo[i : i + EMBED_GROUP]
                vecs = emb.embed([by_hash[h] for h in part])
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(
                    "INSERT OR REPLACE INTO embeddings(model, hash, vector) VALUES(?,?,?)",
                    [(self.model_name, h, v.astype(np.float32).tobytes()) for h, v in zip(part, vecs)],
                )
                conn.execute("COMMIT")
                for h, v in zip(part, vecs):
                    cached[h] = v
                done += len(part)
                self.progress("embed", done, len(todo))
                checkpoint("embedded-group")
            report.embedded = len(todo)
        dim = self._dim(info, cached)

        nothing = not (pending or renames or removed_ids or touch or full)
        vec_ok = info is not None and self.config.vectors_path(info.generation).exists()
        if nothing and vec_ok:
            self._cleanup_vectors(info.generation)
            self._record_skipped(conn, skipped, scan)
            report.skipped = [{"path": p, "reason": r} for p, r in sorted(skipped.items())]
            report.documents, report.chunks = store.counts()
            report.generation = info.generation
            return report

        # ---- one transaction for every row change; FAISS file written before it commits ----
        import faiss

        old_gen = info.generation if info else 0
        self.progress("write", 0, 1)
        if full or info is None or info.dim != dim:
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
            base_ok = False
        else:
            index, report.repaired = store.load_faiss(info)
            base_ok = True
        conn.execute("BEGIN IMMEDIATE")
        try:
            dead: list[int] = []
            for doc_id in removed_ids:
                dead += self._delete_doc(conn, doc_id)
                report.removed += 1
                report.changes.append({"path": rows_by_id[doc_id], "change": "removed"})
            for rel, fs, doc_id in renames:
                conn.execute(
                    "UPDATE documents SET path=?, size=?, mtime_ns=? WHERE id=?", (rel, fs.size, fs.mtime_ns, doc_id)
                )
                r = conn.execute("SELECT * FROM documents WHERE id=?", (doc_id,)).fetchone()
                meta = fts_meta(r["title"], r["date"], r["date_end"], r["place"], rel)
                conn.execute(
                    "UPDATE chunks_fts SET meta=? WHERE rowid IN (SELECT id FROM chunks WHERE doc_id=?)", (meta, doc_id)
                )
            conn.executemany("UPDATE documents SET size=?, mtime_ns=? WHERE id=?", touch)
            added_ids: list[int] = []
            added_vecs: list[np.ndarray] = []
            for i, p in enumerate(pending):
                self.progress("write", i, len(pending))
                if p.existing_id is not None:
                    dead += self._delete_doc(conn, p.existing_id)
                    report.updated += 1
                else:
                    report.added += 1
                if not full:
                    report.changes.append({"path": p.rel, "change": "updated" if p.existing_id else "added"})
                for vid, h in self._insert_doc(conn, p):
                    added_ids.append(vid)
                    added_vecs.append(cached[h])
            if full:
                # a rebuild keeps only what was parsed this run: old rows have no vectors for the new model
                pending_paths = {p.rel for p in pending}
                for r in conn.execute("SELECT id, path FROM documents").fetchall():
                    if r["path"] not in pending_paths:
                        dead += self._delete_doc(conn, r["id"])
                        report.removed += r["path"] not in scan.files
            if base_ok and dead:
                index.remove_ids(np.array(dead, dtype=np.int64))
            if full:
                index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
                ids, vecs = store.all_vectors(self.model_name, dim)
                if len(ids):
                    index.add_with_ids(vecs, ids)
            elif added_ids:
                index.add_with_ids(np.vstack(added_vecs).astype(np.float32), np.array(added_ids, dtype=np.int64))
            new_gen = old_gen + 1
            checkpoint("rows-written")
            write_faiss_atomic(index, self.config.vectors_path(new_gen))
            checkpoint("faiss-written")
            store.set_meta(
                format_version=FORMAT_VERSION,
                model=self.model_name,
                dim=dim,
                chunker_version=CHUNKER_VERSION,
                parser_version=PARSER_VERSION,
                generation=new_gen,
                **({"embedding_export": self._embedder.export_id} if getattr(self._embedder, "export_id", None) else {}),
            )
            self._record_skipped(conn, skipped, scan)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        checkpoint("committed")
        self.progress("write", 1, 1)
        self._cleanup_vectors(new_gen)
        checkpoint("done")
        report.generation = new_gen
        report.skipped = [{"path": p, "reason": r} for p, r in sorted(skipped.items())]
        report.documents, report.chunks = store.counts()
        return report

    # -- helpers -----------------------------------------------------------------------------
    def _dim(self, info, cached: dict) -> int:
        if cached:
            return int(next(iter(cached.values())).shape[0])
        if info is not None and info.model == self.model_name:
            return info.dim
        emb = self.embedder
        if getattr(emb, "dim", 0) == 0 and hasattr(emb, "load"):
            emb.load()
        return emb.dim

    @staticmethod
    def _delete_doc(conn, doc_id: int) -> list[int]:
        """Delete a document's rows; return its FAISS (vector) ids."""
        ids = [r[0] for r in conn.execute("SELECT id FROM chunks WHERE doc_id=?", (doc_id,))]
        vids = [
            r[0] for r in conn.execute("SELECT v.id FROM vectors v JOIN chunks c ON c.id=v.chunk_id WHERE c.doc_id=?", (doc_id,))
        ]
        conn.executemany("DELETE FROM chunks_fts WHERE rowid=?", [(i,) for i in ids])
        conn.execute("DELETE FROM documents WHERE id=?", (doc_id,))  # cascades: paragraphs, headings, chunks, vectors
        return vids

    @staticmethod
    def _insert_doc(conn, p: _Pending) -> list[tuple[int, str]]:
        """Insert a parsed document; return ``(vector id, text hash)`` for each vector row it needs."""
        d = p.doc
        cur = conn.execute(
            "INSERT INTO documents(path, sha256, size, mtime_ns, title, date, date_end, place, header_end, n_paragraphs)"
            " VALUES(?,?,?,?,?,?,?,?,?,?)",
            (p.rel, p.sha, p.fs.size, p.fs.mtime_ns, d.title, d.date, d.date_end, d.place, d.header_end, len(d.paragraphs)),
        )
        doc_id = cur.lastrowid
        conn.executemany(
            "INSERT INTO paragraphs(doc_id, number, section, start, end, text) VALUES(?,?,?,?,?,?)",
            [(doc_id, q.number, q.section, q.start, q.end, q.text) for q in d.paragraphs],
        )
        conn.executemany(
            "INSERT INTO headings(doc_id, level, title, start, end) VALUES(?,?,?,?,?)",
            [(doc_id, h.level, h.title, h.start, h.end) for h in d.headings],
        )
        conn.executemany(
            "INSERT INTO acronyms(doc_id, acronym, expansion) VALUES(?,?,?)",
            [(doc_id, a, x) for a, x in find_acronyms(d.text).items()],
        )
        meta = fts_meta(d.title, d.date, d.date_end, d.place, p.rel)
        ids = []
        for c in p.chunks:
            cid = conn.execute(
                "INSERT INTO chunks(doc_id, paragraph, ordinal, start, end, section, text) VALUES(?,?,?,?,?,?,?)",
                (doc_id, c.paragraph, c.ordinal, c.start, c.end, c.section, c.text),
            ).lastrowid
            conn.execute(
                "INSERT INTO chunks_fts(rowid, body, section, title, meta) VALUES(?,?,?,?,?)",
                (cid, c.embed_text, c.section, d.title, meta),
            )
            for kind, t in c.views():
                h = text_hash(t)
                vid = conn.execute("INSERT INTO vectors(chunk_id, kind, hash) VALUES(?,?,?)", (cid, kind, h)).lastrowid
                ids.append((vid, h))
        return ids

    @staticmethod
    def _record_skipped(conn, skipped: dict[str, str], scan: Scan) -> None:
        conn.execute("DELETE FROM skipped")
        stats = {rel: (f.size, f.mtime_ns) for rel, f in scan.files.items()}
        conn.executemany(
            "INSERT INTO skipped(path, reason, size, mtime_ns) VALUES(?,?,?,?)",
            [(p, r, *stats.get(p, (None, None))) for p, r in sorted(skipped.items())],
        )

    def _cleanup_vectors(self, keep: int) -> None:
        """Remove vector files of other generations and temp files (left by a run killed mid-way)."""
        keep_name = self.config.vectors_path(keep).name
        removed = False
        for p in [*self.config.index_dir.glob("vectors-*.faiss"), *self.config.index_dir.glob(".vectors-*.tmp")]:
            if p.name != keep_name:
                try:
                    p.unlink()
                    removed = True
                except OSError:
                    pass
        if removed:
            fsync_dir(self.config.index_dir)
