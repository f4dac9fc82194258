"""``hsqa doctor``: check the index against itself and the corpus, and say plainly what is wrong."""

from __future__ import annotations

import fcntl
import os
import sqlite3

import numpy as np

from .config import Config
from .errors import HsqaError
from .indexer import scan_corpus, staleness
from .store import FORMAT_VERSION, Store


def _lock_holder(config: Config) -> str | None:
    """pid of a running ``hsqa index``, or None (probes the lock without taking it for long)."""
    try:
        fd = os.open(config.lock_path, os.O_RDWR)
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
    problems: list[str] = []
    notes: list[str] = []
    out: dict = {"ok": False, "index": str(config.index_dir), "corpus": str(config.corpus_dir)}
    if not config.db_path.exists():
        out["problems"] = [f"no index at {config.index_dir}/: run 'hsqa index'"]
        out["lines"] = ["✗ " + out["problems"][0]]
        return out
    store = Store(config, readonly=True)
    info = store.info()
    if info is None:
        problems.append("the index has never been completed: run 'hsqa index'")
    else:
        docs, chunks = store.counts()
        n_vec = store.conn.execute("SELECT count(*) FROM vectors").fetchone()[0]
        out.update(
            documents=docs, passages=chunks, vectors=n_vec, model=info.model, dim=info.dim,
            format_version=info.format_version, generation=info.generation,
        )
        notes.append(f"{docs} documents, {chunks} passages, {n_vec} vectors; model {info.model} ({info.dim}-d)")
        if info.format_version != FORMAT_VERSION:
            problems.append(f"index format {info.format_version}, this hsqa writes {FORMAT_VERSION}: run 'hsqa index'")
        # FAISS <-> SQLite
        path = config.vectors_path(info.generation)
        faiss_state = {"file": path.name, "exists": path.exists()}
        if not path.exists():
            problems.append(f"vector file {path.name} is missing (answers rebuild it in memory): run 'hsqa index'")
        else:
            import faiss

            try:
                index = faiss.read_index(str(path))
                ids = np.sort(faiss.vector_to_array(index.id_map))
                rows = np.array([r[0] for r in store.conn.execute("SELECT id FROM vectors ORDER BY id")], dtype=np.int64)
                faiss_state.update(ntotal=int(index.ntotal), dim=int(index.d), ids_match=bool(np.array_equal(ids, rows)))
                if index.d != info.dim:
                    problems.append(f"vector file has dimension {index.d}, the index says {info.dim}: run 'hsqa index --rebuild'")
                elif not faiss_state["ids_match"]:
                    problems.append(
                        f"vector file holds {index.ntotal} vectors but the database has {n_vec}: run 'hsqa index' to repair"
                    )
            except RuntimeError as e:
                problems.append(f"vector file {path.name} cannot be read ({e}): run 'hsqa index' to repair")
        out["faiss"] = faiss_state
        missing = store.conn.execute(
            "SELECT count(*) FROM vectors v LEFT JOIN embeddings e ON e.model=? AND e.hash=v.hash WHERE e.hash IS NULL",
            (info.model,),
        ).fetchone()[0]
        if missing:
            problems.append(f"{missing} vectors have no stored embedding: run 'hsqa index --rebuild'")
        n_fts = store.conn.execute("SELECT count(*) FROM chunks_fts").fetchone()[0]
        if n_fts != chunks:
            problems.append(f"lexical index has {n_fts} rows for {chunks} passages: run 'hsqa index --rebuild'")
        try:
            rw = sqlite3.connect(config.db_path, timeout=5)
            rw.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES('integrity-check', 1)")
            check = rw.execute("PRAGMA quick_check").fetchone()[0]
            rw.close()
            if check != "ok":
                problems.append(f"SQLite reports: {check}")
        except sqlite3.DatabaseError as e:
            problems.append(f"database check failed ({e}): run 'hsqa index --rebuild'")
        # passages are verbatim in files that did not change
        bad = []
        for d in store.conn.execute("SELECT id, path, size, mtime_ns FROM documents"):
            p = config.corpus_dir / d["path"]
            try:
                st = p.stat()
                if (st.st_size, st.st_mtime_ns) != (d["size"], d["mtime_ns"]) or st.st_size > 4 << 20:
                    continue
                from .documents import read_text
                from .extract import kind_of, parse_bytes

                data = p.read_bytes()
                # PDF and HTML passages are slices of the extracted text: extract again (deterministic)
                text = read_text(data, d["path"])[0] if kind_of(d["path"]) == "text" else parse_bytes(data, d["path"]).text
            except (OSError, HsqaError):
                continue
            for c in store.conn.execute("SELECT start, end, text FROM chunks WHERE doc_id=?", (d["id"],)):
                if text[c["start"] : c["end"]] != c["text"]:
                    bad.append(d["path"])
                    break
        if bad:
            problems.append(f"passages no longer match their files: {', '.join(bad)}: run 'hsqa index --rebuild'")
        out["skipped"] = [
            {"path": r["path"], "reason": r["reason"]} for r in store.conn.execute("SELECT path, reason FROM skipped")
        ]
    # corpus freshness
    try:
        st = staleness(config, store)
        out["stale"] = {"new": st.new, "changed": st.changed, "deleted": st.deleted}
        if st.stale:
            problems.append(f"the corpus changed since the last index ({st.summary()}): run 'hsqa index'")
        else:
            notes.append(f"corpus {config.corpus_dir}/ matches the index ({len(scan_corpus(config.corpus_dir).files)} files)")
    except HsqaError as e:
        problems.append(str(e))
    holder = _lock_holder(config)
    out["indexing_pid"] = holder
    if holder:
        notes.append(f"an index run is in progress (pid {holder})")
    for s in out.get("skipped", []):
        notes.append(f"skipped {s['path']}: {s['reason']}")
    out["problems"] = problems
    out["ok"] = not problems
    out["lines"] = [f"✓ {n}" for n in notes] + [f"✗ {p}" for p in problems] + (
        ["index OK"] if not problems else [f"{len(problems)} problem(s)"]
    )
    return out
