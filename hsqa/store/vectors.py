"""FAISS vector files: one per committed generation, written atomically, checked against SQLite on load.

What the ANN index holds (``LAYOUT``): the passage vectors only, as float16 (exact flat search); past
``IVF_MIN`` of them (off by default: see there) an inverted file with 8-bit residual codes
(``IndexIVFScalarQuantizer``, which supports ``remove_ids``; HNSW does not). Sentence vectors live only in the embedding cache: they are
scored for the candidates of a question, never searched (same quality on the eval set, and 4.5× fewer
vectors to search; benchmarks/EMBED-PAYS.md). Every vector is stored once in the embedding cache, as 8-bit
codes with a scale (:func:`encode`/:func:`decode`); the index file is the search structure built from them.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..faults import checkpoint
from ..fsutil import fsync_path


#: what the vector file holds; an index written with another layout is rewritten by the next index run
LAYOUT = 2
#: passage vectors from which the ANN index is an inverted file; ``None``: never. Flat float16 search over
#: passage vectors passes ~10 ms per query only past ~170k 384-d vectors here, and on real-model vectors IVF
#: does not reach recall@50 >= 0.99 against flat without probing most lists (0.967 at half of them on the
#: synthetic corpus, 0.993 at 80 % on the eval corpus; HNSW: 0.973 at efSearch 256; benchmarks/ANN.md): so no
#: automatic switch yet. Set it (and NPROBE_SHARE) where a corpus's vectors show the recall.
IVF_MIN: int | None = None
#: share of the inverted lists probed per query, and the least probed (recall@50 vs flat: benchmarks/ANN.md)
NPROBE_SHARE = 1 / 2
NPROBE_MIN = 16


def encode(vec) -> bytes:
    """A vector as stored in the embedding cache: its scale (float32, little-endian) then 8-bit codes, one per
    dimension (symmetric, ``code * scale``): a quarter of float32, no measurable change in rankings
    (benchmarks/EMBED-PAYS.md), cosines within ~1e-3."""
    v = np.asarray(vec, dtype=np.float32).reshape(-1)
    peak = float(np.abs(v).max()) if v.size else 0.0
    scale = peak / 127.0 if peak > 0 else 1.0
    codes = np.clip(np.rint(v / scale), -127, 127).astype(np.int8)
    return np.float32(scale).astype("<f4").tobytes() + codes.tobytes()


def decode(blob: bytes) -> np.ndarray:
    scale = np.frombuffer(blob, dtype="<f4", count=1)[0]
    return np.frombuffer(blob, dtype=np.int8, offset=4).astype(np.float32) * scale


def decode_many(blobs: list[bytes], dim: int) -> np.ndarray:
    """``(len(blobs), dim)`` float32: :func:`decode` of each blob, in one vectorised step."""
    if not blobs:
        return np.zeros((0, dim), dtype=np.float32)
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), dim + 4)
    scales = np.ascontiguousarray(raw[:, :4]).view("<f4")
    return raw[:, 4:].view(np.int8).astype(np.float32) * scales


def nprobe_for(nlist: int) -> int:
    return min(nlist, max(NPROBE_MIN, int(np.ceil(nlist * NPROBE_SHARE))))


def nlist_for(n: int) -> int:
    """Inverted lists for ``n`` vectors (~4·sqrt(n), the FAISS guideline, at least 39 vectors per list)."""
    return max(1, min(int(4 * np.sqrt(n)), n // 39))


def new_index(dim: int, n: int = 0, sample: np.ndarray | None = None, ivf: bool | None = None):
    """An empty ANN index for about ``n`` passage vectors (``sample``: vectors to train an IVF on; ``ivf``
    forces the kind, for benchmarks)."""
    import faiss

    if ivf is None:
        ivf = IVF_MIN is not None and n >= IVF_MIN and sample is not None and len(sample) >= nlist_for(n)
    if not ivf:
        return faiss.IndexIDMap2(faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT))
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFScalarQuantizer(quantizer, dim, nlist_for(n), faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
    index.train(np.ascontiguousarray(sample, dtype=np.float32))
    index.nprobe = nprobe_for(index.nlist)
    return faiss.IndexIDMap2(index)  # faiss's Python wrappers keep the quantizer and ivf alive


def build_index(dim: int, ids: np.ndarray, vecs: np.ndarray, batch: int = 65536):
    """An ANN index of ``vecs`` (ids ``ids``): flat below ``IVF_MIN``, IVF trained on (a sample of) them."""
    n = len(ids)
    sample = None
    if IVF_MIN is not None and n >= IVF_MIN:
        rng = np.random.default_rng(0)
        sample = vecs[np.sort(rng.choice(n, size=min(n, nlist_for(n) * 64), replace=False))]
    index = new_index(dim, n, sample)
    for i in range(0, n, batch):
        index.add_with_ids(np.ascontiguousarray(vecs[i : i + batch], dtype=np.float32), ids[i : i + batch])
    return index


def is_ivf(index) -> bool:
    return kind_of(index) == "ivf"


def index_nprobe(index) -> int:
    import faiss

    return faiss.downcast_index(index.index).nprobe


def kind_of(index) -> str:
    """``"flat"`` or ``"ivf"`` (what :func:`new_index` made)."""
    import faiss

    inner = faiss.downcast_index(index.index) if hasattr(index, "index") else index
    return "ivf" if isinstance(inner, faiss.IndexIVF) else "flat"


def wants_rebuild(index, n: int) -> bool:
    """Whether an index holding ``n`` vectors should be rebuilt: it crossed ``IVF_MIN`` (either way), or its
    inverted lists were trained for a collection 4× smaller or larger."""
    import faiss

    ivf = kind_of(index) == "ivf"
    wanted = IVF_MIN is not None and n >= IVF_MIN
    if ivf != wanted:
        return not (ivf and IVF_MIN is not None and n >= IVF_MIN // 2)  # hysteresis: an IVF stays one down to half
    if ivf:
        lists = faiss.downcast_index(index.index).nlist
        return not (nlist_for(n) / 2 <= lists <= nlist_for(n) * 2)
    return False


def prepare(index):
    """Search settings of a loaded index (nprobe is not saved with the file)."""
    import faiss

    if index is not None and kind_of(index) == "ivf":
        ivf = faiss.downcast_index(index.index)
        ivf.nprobe = nprobe_for(ivf.nlist)
    return index


def read_index(path: Path):
    """The index in ``path``, or ``None`` if it is missing or unreadable (truncated, not FAISS)."""
    import faiss

    try:
        return prepare(faiss.read_index(str(path)))
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

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            # written by FAISS straight to the file: no in-memory serialised copy of the whole index
            faiss.write_index(index, faiss.PyCallbackIOWriter(f.write))
            checkpoint("faiss-write")
            f.flush()
            os.fsync(f.fileno())
            size = f.tell()
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    fsync_dir(path.parent)
    return size


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


fsync_dir = fsync_path
