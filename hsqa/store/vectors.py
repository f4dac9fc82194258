"""FAISS vector files: one per committed generation, written atomically, checked against SQLite on load."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..faults import checkpoint


def new_index(dim: int):
    import faiss

    return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))


def read_index(path: Path):
    """The index in ``path``, or ``None`` if it is missing or unreadable (truncated, not FAISS)."""
    import faiss

    try:
        return faiss.read_index(str(path))
    except RuntimeError:
        return None
    except OSError:
        return None


def index_ids(index) -> np.ndarray:
    import faiss

    return np.sort(faiss.vector_to_array(index.id_map))


def matches(index, dim: int, ids: np.ndarray) -> bool:
    """Whether ``index`` holds exactly the vectors ``ids`` (sorted) of dimension ``dim``."""
    if index is None or index.d != dim or index.ntotal != len(ids):
        return False
    return len(ids) == 0 or bool(np.array_equal(index_ids(index), ids))


def write_atomic(index, path: Path) -> int:
    """Write ``index`` to ``path`` durably (temp file in the same folder, fsync, rename, fsync folder); return
    its size in bytes. A failed write (disk full…) removes its temp file."""
    import faiss

    data = faiss.serialize_index(index)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data.tobytes())
            checkpoint("faiss-write")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    fsync_dir(path.parent)
    return len(data)


def remove_others(index_dir: Path, keep: Path | None) -> None:
    """Remove vector files other than ``keep`` and temp files left by a run that died mid-write."""
    removed = False
    for p in [*index_dir.glob("vectors-*.faiss"), *index_dir.glob(".vectors-*.tmp")]:
        if keep is None or p.name != keep.name:
            try:
                p.unlink()
                removed = True
            except OSError:
                pass
    if removed:
        fsync_dir(index_dir)


def remove_temp_files(index_dir: Path) -> None:
    """Temp files of dead writers (called under the writer lock, so none is being written)."""
    for p in index_dir.glob(".vectors-*.tmp"):
        try:
            p.unlink()
        except OSError:
            pass


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
