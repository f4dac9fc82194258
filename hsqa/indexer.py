"""Build and update the index from the corpus folder: incremental by content, crash-safe, one writer.

A run, in three stages:

1. **plan** (:mod:`hsqa.plan`, pure): take the writer lock → scan the corpus (stat only) → compare with the
   manifest → read and hash only files whose size or mtime changed → recognise renames by hash → parse;
2. **embed**: chunk texts not already in the embedding cache go to the model, stored per group (so a
   killed run resumes where it stopped);
3. **commit**: one SQLite transaction (:meth:`hsqa.store.Store.transaction`) for every row change, with the
   new FAISS generation written (temp + fsync + rename) before it commits.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from .chunking import CHUNKER_VERSION, PASSAGE, chunk_document, text_hash
from .config import Config
from .corpus import FileStat, Scan, check_corpus, read_document_bytes, scan_corpus  # noqa: F401 (re-exported)
from .documents import Document
from .extract import PARSER_VERSION, parse_bytes
from .embedding import Embedder, canonical_model_name, make_embedder
from .errors import BadIndexPath, DocumentError, IndexBusy
from .faults import checkpoint
from .plan import Indexed, KnownSkip, Resolution, plan, resolve, settle
from .search import postings as _postings
from .store import FORMAT_VERSION, LEXICAL_VERSION, Store, fts_meta  # noqa: F401 (fts_meta re-exported)
from .store import vectors as _vectors
from .store.schema import translate

Progress = Callable[[str, int, int], None]

#: progress stages, in order, with the words shown to users
STAGE_LABELS = {"scan": "scanning", "parse": "parsing", "model": "loading model", "embed": "embedding", "write": "writing"}

#: texts sent to the embedder per call (progress is reported after each)
EMBED_GROUP = 128
#: fresh embeddings are stored in the cache (one short transaction each, so a killed run resumes where it
#: stopped) once this many are waiting, or STORE_SECONDS after the last store
STORE_GROUP = 2048
STORE_SECONDS = 2.0
#: passage vectors read back from the cache and added to the ANN index per step (bounded memory)
ADD_GROUP = 8192


# ---------------------------------------------------------------------------------------------
# Staleness (what `ask` and `doctor` warn about)
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


def outdated(info) -> str:
    """What of an index's making this hsqa does differently ('' if nothing): how it parses and extracts,
    chunks, or tokenizes for the lexical index. The next run re-reads the corpus for it (embeddings come from
    the cache); :func:`hsqa.doctor.diagnose` says so."""
    parts = [f"{name} {was}, now {now}" for name, was, now in (
        ("parser", info.parser_version, PARSER_VERSION), ("chunker", info.chunker_version, CHUNKER_VERSION),
        ("lexical index", info.lexical_version, LEXICAL_VERSION)) if was != now]
    return "; ".join(parts)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def staleness(config: Config, store: Store) -> Staleness:
    """What changed in the corpus since the last index: stat first, hash only when the stat differs."""
    scan = scan_corpus(config.corpus_dir)
    with store.snapshot() as snap:
        rows = snap.manifest()
        skipped = {p: (r["size"], r["mtime_ns"]) for p, r in snap.skipped_rows().items()}
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
    out.deleted = sorted(p for p in set(rows) - set(scan.files) if not scan.covers(p))
    return out


# ---------------------------------------------------------------------------------------------
# Locking
# ---------------------------------------------------------------------------------------------


@contextmanager
def writer_lock(config: Config, wait: bool = False) -> Iterator[None]:
    """Exclusive writer lock on the index folder; raises :class:`IndexBusy` unless ``wait``."""
    if config.index_dir.exists() and not config.index_dir.is_dir():
        raise BadIndexPath(f"index path {config.index_dir} is a file, not a folder: pass --index DIR")
    try:
        config.index_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(config.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise translate(e, config.index_dir) from None
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
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError as e:
            raise translate(e, config.index_dir) from None
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
    #: {"path", "change": added|updated|removed|renamed|withdrawn} (+ "from" for renames, "reason" for withdrawals)
    changes: list[dict] = field(default_factory=list)
    generation: int = 0
    model: str = ""
    withdrawn: int = 0  #: documents taken out of answers because their file can no longer be read or parsed
    new_skips: list[dict] = field(default_factory=list)  #: the skipped files not reported by the previous run
    pruned: int = 0  #: cached embeddings dropped (no passage uses them, beyond the recent window)
    compacted: int = 0  #: bytes the database gave back (VACUUM when a quarter of it was free)

    def as_json(self) -> dict:
        d = asdict(self)
        d["seconds"] = round(self.seconds, 3)
        return d


@dataclass
class _Pending:
    rel: str
    fs: FileStat
    sha: str
    doc: Document
    chunks: list
    existing_id: int | None
    views: list = field(default_factory=list)  #: per chunk, its ``(kind, text hash)`` list (computed once)


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
            _vectors.remove_temp_files(self.config.index_dir)  # left by a writer that died (we hold the lock)
            # scanned under the lock: a run that waited sees what the previous writer left
            report = self._run(scan_corpus(self.config.corpus_dir), rebuild)
        report.seconds = time.perf_counter() - t0
        return report

    # -- the run ---------------------------------------------------------------------------
    def _run(self, scan: Scan, rebuild: bool) -> IndexReport:
        store = self.store
        info = store.info()
        report = IndexReport(model=self.model_name, rebuild=self._rebuild_reason(info, rebuild))
        full = report.rebuild is not None
        manifest = {p: Indexed(r["id"], p, r["sha256"], r["size"], r["mtime_ns"]) for p, r in store.manifest().items()}
        known = {p: KnownSkip(r["reason"], r["size"], r["mtime_ns"]) for p, r in store.skipped_rows().items()}

        # 1. plan: what changed (pure), read what must be read, parse
        p = plan(scan, manifest, known, full=full, max_bytes=self.config.max_file_bytes)
        data, errors = self._read(scan, [r for r in p.read if r not in p.skipped])
        res = resolve(p, manifest, {r: sha for r, (_, sha) in data.items()}, errors)
        pending, titles, parse_errors = self._parse(scan, res, data, manifest)
        res = settle(res, manifest, parse_errors)
        checkpoint("parsed")
        report.unchanged = len(p.unchanged) + len(res.touch) + len(p.kept)
        report.skipped = [{"path": k, "reason": v} for k, v in sorted(res.skipped.items())]
        report.new_skips = [s for s in report.skipped if known.get(s["path"], KnownSkip("", 0, 0)).reason != s["reason"]]

        # 2. embed what the cache does not have (stored in the cache as it goes, not kept in memory)
        dim = self._embed(pending, report, next_generation=(info.generation if info else 0) + 1) or self._dim(info, pending)

        # 3. commit (or nothing, when nothing changed and the vector file is sound)
        if res.nothing_to_write(full) and info is not None and self._vectors_ok(info):
            self._settle_skipped(res.skipped, scan, known)
            _vectors.remove_others(self.config.index_dir, self.config.vectors_path(info.generation))
            with store.snapshot() as snap:  # an index from before postings files (or one lost): write it now
                _postings.ensure(snap.conn, self.config.index_dir, snap.generation)
            _postings.remove_others(self.config.index_dir, info.generation)
            report.generation = info.generation
        else:
            report.generation = self._commit(info, res, pending, titles, dim, scan, report)
        report.compacted = store.compact(fresh_rows=report.embedded)
        report.documents, report.chunks = store.counts()
        return report

    def _rebuild_reason(self, info, rebuild: bool) -> str | None:
        if rebuild:
            return "requested with --rebuild"
        if info is None:
            return None
        if info.model != self.model_name:
            return f"model changed from '{info.model}' to '{self.model_name}'"
        if info.format_version != FORMAT_VERSION:
            return f"index format changed from {info.format_version} to {FORMAT_VERSION}"
        if info.chunker_version != CHUNKER_VERSION or info.parser_version != PARSER_VERSION:
            return "the parser or chunker changed"
        if info.lexical_version != LEXICAL_VERSION:
            return "the lexical index format changed"
        if info.sentence_vectors != self.config.sentence_vectors:
            return f"sentence vectors turned {'on' if self.config.sentence_vectors else 'off'}"
        return None

    def _read(self, scan: Scan, rels: list[str]) -> tuple[dict[str, tuple[bytes, str]], dict[str, str]]:
        """``({path: (bytes, sha256)}, {path: why unreadable})`` for the files the plan must read."""
        data, errors = {}, {}
        for i, rel in enumerate(rels):
            self.progress("scan", i + 1, len(rels))
            try:
                raw = read_document_bytes(self.config.corpus_dir, scan.files[rel])
            except DocumentError as e:
                errors[rel] = e.reason
                continue
            data[rel] = (raw, hashlib.sha256(raw).hexdigest())
        return data, errors

    def _parse(self, scan: Scan, res: Resolution, data, manifest) -> tuple[list[_Pending], dict[str, str], dict[str, str]]:
        """Parse and chunk new and changed files; parse renamed ones for their title (it may come from the
        file name). Returns ``(pending, {renamed path: title}, {path: why it does not parse})``."""
        pending, titles, errors = [], {}, {}
        todo = res.parse + [rel for rel, _, _ in res.renames]
        for i, rel in enumerate(todo):
            self.progress("parse", i + 1, len(todo))
            raw, sha = data[rel]
            try:
                doc = parse_bytes(raw, rel)  # by extension: text, PDF or HTML
            except DocumentError as e:
                if rel in res.parse:
                    errors[rel] = e.reason
                continue
            if rel not in res.parse:
                titles[rel] = doc.title
                continue
            row = manifest.get(rel)
            pending.append(_Pending(rel, scan.files[rel], sha, doc, chunk_document(doc), row.id if row else None))
        return pending, titles, errors

    def _embed(self, pending: list[_Pending], report: IndexReport, next_generation: int) -> int | None:
        """Embed every text ``pending`` needs that the cache does not hold, storing the vectors in the cache
        as they come (nothing is kept in memory). Returns the model's dimension if anything was embedded."""
        texts: dict[str, str] = {}
        passages: set[str] = set()  # whole-passage texts: cached with 8 bits (sentences only: fewer, see the store)
        for p in pending:
            p.views = []
            for c in p.chunks:
                # the sentence split runs once per chunk; sentences only when the index keeps their vectors
                vs = [(kind, text_hash(t), t) for kind, t in c.views() if kind == PASSAGE or self.config.sentence_vectors]
                p.views.append([(kind, h) for kind, h, _ in vs])
                passages.add(vs[0][1])
                for _, h, t in vs:
                    texts.setdefault(h, t)
        cached = self.store.cached_hashes(self.model_name, list(texts), full=passages) if texts else set()
        todo = [h for h in texts if h not in cached]
        report.reused = len(texts) - len(todo)
        if not todo:
            return None
        texts = {h: texts[h] for h in todo}
        emb = self.embedder
        if not emb.ready:  # a model not loaded yet (0.5 s; ~10 s the first time: ONNX export)
            self.progress("model", 0, 1)
            emb.load()
            self.progress("model", 1, 1)
        self.progress("embed", 0, len(todo))
        # sorted by length so each model batch pads little (as model.encode does internally)
        todo.sort(key=lambda h: len(texts[h]))
        waiting: list[tuple[str, np.ndarray]] = []
        last, dim = time.monotonic(), None
        for i in range(0, len(todo), EMBED_GROUP):
            part = todo[i : i + EMBED_GROUP]
            vecs = emb.embed([texts.pop(h) for h in part])
            dim = dim or int(vecs[0].shape[0])
            waiting += zip(part, vecs)
            if len(waiting) >= STORE_GROUP or time.monotonic() - last >= STORE_SECONDS or i + EMBED_GROUP >= len(todo):
                self.store.put_embeddings(self.model_name, waiting, next_generation, passages)
                waiting, last = [], time.monotonic()
                checkpoint("embedded-group")
            self.progress("embed", min(i + EMBED_GROUP, len(todo)), len(todo))
        report.embedded = len(todo)
        return dim

    def _dim(self, info, pending: list[_Pending]) -> int:
        """The vectors' dimension when nothing was embedded this run: a cached vector's, the index's, or the
        model's."""
        first = next((v[0][1] for p in pending for v in p.views if v), None)
        if first is not None:
            got = self.store.cached_vectors(self.model_name, [first])
            if got:
                return int(next(iter(got.values())).shape[0])
        if info is not None and info.model == self.model_name:
            return info.dim
        emb = self.embedder
        if getattr(emb, "dim", 0) == 0 and hasattr(emb, "load"):
            emb.load()
        return emb.dim

    def _vectors_ok(self, info) -> bool:
        """Whether the committed generation's vector file is whole: its size as written, or (an index from
        before sizes were recorded) its ids matching the database."""
        if info.vectors_layout != _vectors.LAYOUT:
            return False  # written by an older hsqa (all vectors, float32): rewrite it as today's layout
        path = self.config.vectors_path(info.generation)
        try:
            size = path.stat().st_size
        except OSError:
            return False
        if info.vectors_bytes is not None:
            return size == info.vectors_bytes
        return _vectors.matches(_vectors.read_index(path), info.dim, self.store.vector_ids())

    def _settle_skipped(self, skipped: dict[str, str], scan: Scan, known: dict[str, KnownSkip]) -> None:
        rows = self._skip_rows(skipped, scan)
        if {r[0]: KnownSkip(*r[1:]) for r in rows} != known:
            with self.store.transaction() as w:
                w.replace_skipped(rows)

    @staticmethod
    def _skip_rows(skipped: dict[str, str], scan: Scan) -> list[tuple]:
        stats = {rel: (f.size, f.mtime_ns) for rel, f in scan.files.items()}
        return [(p, r, *stats.get(p, (None, None))) for p, r in sorted(skipped.items())]

    # -- commit ----------------------------------------------------------------------------
    def _commit(self, info, res: Resolution, pending, titles, dim: int, scan: Scan, report: IndexReport) -> int:
        """One transaction for every row change; the new generation's vector file is written before it
        commits. Returns the new generation."""
        store, full = self.store, report.rebuild is not None
        new_gen = (info.generation if info else 0) + 1
        self.progress("write", 0, 1)
        if full or info is None:
            index, base_ok = _vectors.new_index(dim), False
        else:
            (index, report.repaired), base_ok = store.private_faiss(info), True
        with store.transaction() as w:
            if full:
                w.rewrite_lexical_index()
            dead = self._apply_removals(w, res, report)
            for rel, doc_id, _ in res.renames:
                fs = scan.files[rel]
                title = titles.get(rel) or store.document(doc_id)["title"]
                w.rename_document(doc_id, rel, fs.size, fs.mtime_ns, title)
            w.touch_documents([(scan.files[rel].size, scan.files[rel].mtime_ns, doc_id) for rel, doc_id in res.touch])
            added: list[tuple[int, str, int]] = []
            for i, p in enumerate(pending):
                self.progress("write", i, len(pending))
                if p.existing_id is not None:
                    dead += w.delete_document(p.existing_id)
                    report.updated += 1
                else:
                    report.added += 1
                if not full:
                    report.changes.append({"path": p.rel, "change": "updated" if p.existing_id else "added"})
                added += w.insert_document(p.rel, p.sha, p.fs.size, p.fs.mtime_ns, p.doc, p.chunks, p.views)
                p.doc = p.chunks = p.views = None  # written: let the parsed text go
            if full:
                # a rebuild keeps only what was parsed this run: old rows have no vectors for the new model
                keep = {p.rel for p in pending}
                for doc_id, path in w.document_ids():
                    if path not in keep:
                        dead += w.delete_document(doc_id)
                        report.removed += path not in scan.files
            index = self._update_vectors(index, base_ok, full, dead, added, dim)
            w.mark_used(self.model_name, sorted({h for _, h in dead} | {h for _, h, _ in added}), new_gen)
            report.pruned = w.prune_embeddings(new_gen)
            checkpoint("rows-written")
            size = _vectors.write_atomic(index, self.config.vectors_path(new_gen))
            checkpoint("faiss-written")
            if full:
                w.rebuild_lexical_index()
            # the lexical postings of this generation, from the FTS rows this transaction wrote (when they cannot
            # be built, no file of this generation remains and FTS5 scores the questions)
            _postings.write(w.conn, self.config.index_dir, new_gen, None if full or info is None else info.generation,
                            [doc_id for _, doc_id, _ in res.renames])
            checkpoint("postings-written")
            w.set_meta(
                format_version=FORMAT_VERSION, model=self.model_name, dim=dim, chunker_version=CHUNKER_VERSION,
                parser_version=PARSER_VERSION, lexical_version=LEXICAL_VERSION, generation=new_gen,
                vectors_layout=_vectors.LAYOUT, sentence_vectors=int(self.config.sentence_vectors),
                **({"embedding_export": self._embedder.export_id} if getattr(self._embedder, "export_id", None) else {}),
                vectors_bytes=size,
            )
            w.replace_skipped(self._skip_rows(res.skipped, scan))
        checkpoint("committed")
        self.progress("write", 1, 1)
        _vectors.remove_others(self.config.index_dir, self.config.vectors_path(new_gen))
        _postings.remove_others(self.config.index_dir, new_gen)
        checkpoint("done")
        return new_gen

    @staticmethod
    def _apply_removals(w, res: Resolution, report: IndexReport) -> list[tuple[int, str]]:
        dead: list[tuple[int, str]] = []
        for doc_id, rel in res.removed.items():
            dead += w.delete_document(doc_id)
            report.removed += 1
            report.changes.append({"path": rel, "change": "removed"})
        for doc_id, rel in res.withdraw.items():
            dead += w.delete_document(doc_id)
            report.withdrawn += 1
            report.changes.append({"path": rel, "change": "withdrawn", "reason": res.skipped[rel]})
        for rel, _, old in res.renames:
            report.renamed += 1
            report.changes.append({"path": rel, "change": "renamed", "from": old})
        return dead

    def _update_vectors(self, index, base_ok: bool, full: bool, dead, added, dim: int):
        """The new generation's ANN index: ``index`` less the dead vectors plus the added passage vectors
        (read back from the cache in groups), or rebuilt from the cache when a rebuild, or its size, asks."""
        if full:
            return self.store.build_faiss(self.model_name, dim)
        if base_ok and dead:
            index.remove_ids(np.array([vid for vid, _ in dead], dtype=np.int64))  # sentence ids: not there, ignored
        new = [(vid, h) for vid, h, kind in added if kind == PASSAGE]
        if _vectors.wants_rebuild(index, index.ntotal + len(new)):
            return self.store.build_faiss(self.model_name, dim)  # rows are written: it reads this transaction's
        for i in range(0, len(new), ADD_GROUP):
            part = new[i : i + ADD_GROUP]
            got = self.store.cached_vectors(self.model_name, sorted({h for _, h in part}))
            index.add_with_ids(np.vstack([got[h] for _, h in part]), np.array([vid for vid, _ in part], dtype=np.int64))
        return index
