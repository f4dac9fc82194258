"""``hsqa doctor``: check the index against itself and the corpus, and say plainly what is wrong.

Every check reads one snapshot (one committed generation), so a concurrent index run cannot make the
index look inconsistent; checks that would need the write lock are skipped with a note while a run holds
it, or when the index folder is read-only. Exit status 1 only for something actually wrong.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3

from .config import Config
from .corpus import display_path, read_document_bytes, scan_corpus
from .documents import read_text
from .extract import kind_of, parse_bytes
from .errors import BadIndexPath, HsqaError, StaleSnapshot
from .indexer import outdated, staleness
from .search import postings as _postings
from .store import FORMAT_VERSION, Store
from .store import vectors as _vectors
from .store.reads import Snapshot


def _lock_holder(config: Config) -> str | None:
    """pid of a running ``hsqa index``, or None (probes the lock without taking it for long)."""
    try:
        fd = os.open(config.lock_path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    except BlockingIOError:
        return os.pread(fd, 32, 0).decode().strip() or "?"
    finally:
        os.close(fd)


def diagnose(config: Config) -> dict:
    if config.index_dir.exists() and not config.index_dir.is_dir():
        raise BadIndexPath(f"index path {config.index_dir} is a file, not a folder: pass --index DIR")
    out: dict = {"ok": False, "index": str(config.index_dir), "corpus": str(config.corpus_dir)}
    if not config.db_path.exists():
        out["problems"] = [f"no index at {config.index_dir}/: run 'hsqa index'"]
        out["lines"] = ["✗ " + out["problems"][0]]
        return out
    problems: list[str] = []
    notes: list[str] = []
    holder = _lock_holder(config)
    writable = os.access(config.index_dir, os.W_OK)
    store = Store(config, readonly=True)
    found = store.read(lambda snap: _check_snapshot(snap, config, out))
    problems += found["problems"]
    notes += found["notes"]
    if out.get("generation") is not None:
        _check_database(config, holder, writable, problems, notes, lexical=not out.get("outdated"))
    if not writable:
        notes.append(f"the index folder {config.index_dir}/ is read-only: answers work, 'hsqa index' cannot update it")
    _check_corpus(config, store, holder, problems, notes, out)
    out["indexing_pid"] = holder
    if holder:
        notes.append(f"an index run is in progress (pid {holder})")
    for s in out.get("skipped", []):
        notes.append(f"skipped {display_path(s['path'])}: {s['reason']}")
    out["problems"] = problems
    out["ok"] = not problems
    out["lines"] = [f"✓ {n}" for n in notes] + [f"✗ {p}" for p in problems] + (
        ["index OK"] if not problems else [f"{len(problems)} problem(s)"]
    )
    return out


def _check_snapshot(snap: Snapshot, config: Config, out: dict) -> dict:
    """Checks of one committed generation: counts, vector file, embedding cache, FTS rows, verbatim text."""
    problems: list[str] = []
    notes: list[str] = []
    info = snap.info
    if info is None:
        return {"problems": ["the index has never been completed: run 'hsqa index'"], "notes": []}
    docs, chunks = snap.counts()
    n_vec = snap.vector_count()
    out.update(
        documents=docs, passages=chunks, vectors=n_vec, model=info.model, dim=info.dim,
        format_version=info.format_version, generation=info.generation,
    )
    notes.append(f"{docs} documents, {chunks} passages, {n_vec} vectors; model {info.model} ({info.dim}-d)")
    if info.format_version != FORMAT_VERSION:
        problems.append(f"index format {info.format_version}, this hsqa writes {FORMAT_VERSION}: run 'hsqa index'")
    old = outdated(info)
    if old:
        out["outdated"] = old
        problems.append(f"the index was made by an older hsqa ({old}): run 'hsqa index' (it reads the corpus again "
                        "once; embeddings come from the cache)")
    problems += _check_vectors(snap, config, out)
    why = _postings.status(snap.conn, config.index_dir, info.generation)
    out["lexical_postings"] = why or "ok"
    if why:  # not a problem: FTS5 answers alike, only slower on a large index
        notes.append(f"lexical postings {why}: questions are scored by FTS5 (same results, slower): 'hsqa index' writes them")
    missing = snap.missing_embeddings(info.model)
    if missing:
        problems.append(f"{missing} vectors have no stored embedding: run 'hsqa index --rebuild'")
    n_fts = snap.fts_count()
    if n_fts != chunks:
        problems.append(f"lexical index has {n_fts} rows for {chunks} passages: run 'hsqa index --rebuild'")
    bad = _not_verbatim(snap, config)
    if bad:
        problems.append(f"passages no longer match their files: {', '.join(bad)}: run 'hsqa index --rebuild'")
    out["skipped"] = [{"path": p, "reason": r["reason"]} for p, r in sorted(snap.skipped_rows().items())]
    return {"problems": problems, "notes": notes}


def _check_vectors(snap: Snapshot, config: Config, out: dict) -> list[str]:
    info = snap.info
    path = config.vectors_path(info.generation)
    state = {"file": path.name, "exists": path.exists(), "ids_match": False}
    out["faiss"] = state
    index = _vectors.read_index(path)
    if index is None and snap.store._committed_generation() != snap.generation:
        raise StaleSnapshot("a newer generation committed meanwhile")  # read everything again
    if not state["exists"]:
        return [f"vector file {path.name} is missing (answers rebuild it in memory): run 'hsqa index' to repair it"]
    if index is None:
        return [f"vector file {path.name} cannot be read (truncated or damaged): run 'hsqa index' to repair it"]
    ids = snap.vector_ids()
    state.update(ntotal=int(index.ntotal), dim=int(index.d), ids_match=_vectors.matches(index, index.d, ids))
    if index.d != info.dim:
        return [f"vector file has dimension {index.d}, the index says {info.dim}: run 'hsqa index --rebuild'"]
    if not state["ids_match"]:
        return [f"vector file holds {index.ntotal} vectors but the database has {len(ids)}: run 'hsqa index' to repair"]
    return []


def _not_verbatim(snap: Snapshot, config: Config) -> list[str]:
    """Documents (unchanged on disk) whose stored passages are not the file's text at their offsets."""
    bad = []
    for path, d in sorted(snap.manifest().items()):
        fs = _unchanged_file(config, d)
        if fs is None:
            continue
        try:
            data = read_document_bytes(config.corpus_dir, fs)
            # PDF and HTML passages are slices of the extracted text: extract again (deterministic)
            text = read_text(data, path)[0] if kind_of(path) == "text" else parse_bytes(data, path).text
        except HsqaError:
            continue
        if any(text[c["start"] : c["end"]] != c["text"] for c in snap.chunks_of(d["id"])):
            bad.append(display_path(path))
    return bad


def _unchanged_file(config: Config, d):
    from .corpus import FileStat

    p = config.corpus_dir / d["path"]
    try:
        st = p.stat()
    except OSError:
        return None
    if (st.st_size, st.st_mtime_ns) != (d["size"], d["mtime_ns"]) or st.st_size > 4 << 20:
        return None
    return FileStat(d["path"], p, st.st_size, st.st_mtime_ns)


def _check_database(config: Config, holder: str | None, writable: bool, problems: list[str], notes: list[str],
                    lexical: bool = True) -> None:
    """SQLite's own checks. ``quick_check`` reads (it never waits for a writer); the FTS5 integrity check is
    a write statement, so it runs only when no index run holds the lock and the folder is writable, and not
    on an index an older hsqa tokenized (``lexical`` false): it would compare its tokens with today's."""
    from .store.schema import fts_integrity_check, quick_check

    try:
        check = quick_check(config.db_path)
    except sqlite3.DatabaseError as e:
        problems.append(f"database check failed ({e}): run 'hsqa index --rebuild'")
        return
    if check != "ok":
        problems.append(f"SQLite reports: {check}: run 'hsqa index --rebuild'")
        return
    if holder or not writable or not lexical:
        why = (f"an index run (pid {holder}) is writing" if holder else "the index folder is read-only" if not writable
               else "the index was tokenized by an older hsqa")
        notes.append(f"lexical index integrity check skipped: {why}")
        return
    try:
        fts_integrity_check(config.db_path)
    except sqlite3.OperationalError as e:
        if "locked" in str(e) or "busy" in str(e):
            notes.append("lexical index integrity check skipped: the index is busy (another process is writing)")
            return
        problems.append(f"lexical index check failed ({e}): run 'hsqa index --rebuild'")
    except sqlite3.DatabaseError as e:
        problems.append(f"lexical index check failed ({e}): run 'hsqa index --rebuild'")


def _check_corpus(config: Config, store: Store, holder: str | None, problems: list[str], notes: list[str], out: dict) -> None:
    try:
        st = staleness(config, store)
    except HsqaError as e:
        problems.append(str(e))
        return
    out["stale"] = {"new": st.new, "changed": st.changed, "deleted": st.deleted}
    if st.stale and holder:
        notes.append(f"the corpus changed since the last index ({st.summary()}): the running index run will catch up")
    elif st.stale:
        problems.append(f"the corpus changed since the last index ({st.summary()}): run 'hsqa index'")
    else:
        notes.append(f"corpus {config.corpus_dir}/ matches the index ({len(scan_corpus(config.corpus_dir).files)} files)")
