"""FAISS vector files: one per committed generation, written atomically, checked against SQLite on load.

What the ANN index holds (``LAYOUT``): the passage vectors only, as 8-bit codes over per-dimension ranges
trained on them (flat search; the passage and sentence cosines that rank candidates come from the embedding
cache, so these codes only choose the dense candidates: benchmarks/DISK.md); past
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
from ..fsutil import fsync_path, write_atomically


#: what the vector file holds; an index written with another layout is rewritten by the next index run
LAYOUT = 3
#: the flat index's 8-bit ranges: each dimension's min..max over the passage vectors, widened by this share of
#: the span on both sides for vectors added later (values beyond it are clipped to it)
SQ8_MARGIN = 0.1
#: a flat index is rebuilt (its ranges trained again) when one run grows it by this factor, or it was never
#: trained (an index made before any vector)
RETRAIN_GROWTH = 1.25
#: passage vectors from which the ANN index is an inverted file; ``None``: never. Flat float16 search over
#: passage vectors passes ~10 ms per query only past ~170k 384-d vectors here, and on real-model vectors IVF
#: does not reach recall@50 >= 0.99 against flat without probing most lists (0.967 at half of them on the
#: synthetic corpus, 0.993 at 80 % on the eval corpus; HNSW: 0.973 at efSearch 256; benchmarks/ANN.md): so no
#: automatic switch yet. Set it (and NPROBE_SHARE) where a corpus's vectors show the recall.
IVF_MIN: int | None = None
#: share of the inverted lists probed per query, and the least probed (recall@50 vs flat: benchmarks/ANN.md)
NPROBE_SHARE = 1 / 2
NPROBE_MIN = 16


#: bits per dimension (2..8) of a cached vector that only ever serves as a sentence (scored for candidates and
#: for the quoted sentence, never searched); ``$HSQA_SENTENCE_BITS``. 8 (as passages): 6 and 4 bits cut the
#: real model's index from ~7.4× to ~6.7× / ~6.0× the corpus at 50k passages but cost test MRR 0.0015 / 0.003
#: (benchmarks/DISK.md). Vectors already cached keep their width; every width decodes.
SENTENCE_BITS = int(os.environ.get("HSQA_SENTENCE_BITS") or 8)
#: candidate steps of a low-bit code, as shares of (largest |component|) / (largest code); each vector keeps
#: the one that reconstructs it best (clipping a few large components beats coarse steps on dense vectors;
#: sparse ones keep the largest)
LOW_BIT_SHARES = (1.0, 0.8, 0.65, 0.5)


def encode(vec, bits: int = 8) -> bytes:
    """A vector as stored in the embedding cache.

    8 bits: its scale (float32, little-endian, positive) then one int8 code per dimension (symmetric,
    ``code * scale``): a quarter of float32, no measurable change in rankings (benchmarks/EMBED-PAYS.md),
    cosines within ~1e-3. Fewer bits (``SENTENCE_BITS``): minus its scale (float32: the sign tells the
    formats apart), its norm (float16), the number of bits (uint8), a 0 byte, then the codes
    ``-2^(b-1) .. 2^(b-1)-1`` (``code * scale``) offset to unsigned and bit-packed, most significant bit first;
    decoded back to the vector's norm."""
    return encode_many(np.asarray(vec, dtype=np.float32).reshape(1, -1), bits)[0]


def encode_many(vecs: np.ndarray, bits: int = 8) -> list[bytes]:
    """:func:`encode` of each row of ``vecs``, vectorised."""
    v = np.asarray(vecs, dtype=np.float32)
    if len(v) == 0:
        return []
    peak = np.abs(v).max(axis=1, keepdims=True)
    peak[peak == 0] = 1.0
    if bits == 8:
        scale = peak / 127.0
        codes = np.clip(np.rint(v / scale), -127, 127).astype(np.int8)
        return [sc.astype("<f4").tobytes() + c.tobytes() for sc, c in zip(scale, codes)]
    if not 2 <= bits < 8:
        raise ValueError(f"bits per dimension must be 2..8, not {bits}")
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    best = err = scale = None
    for share in LOW_BIT_SHARES:
        s = peak * share / hi
        c = np.clip(np.rint(v / s), lo, hi)
        e = ((c * s - v) ** 2).sum(axis=1, keepdims=True)
        if best is None:
            best, err, scale = c, e, s
        else:
            pick = e < err
            best, err, scale = np.where(pick, c, best), np.minimum(e, err), np.where(pick, s, scale)
    codes = (best - lo).astype(np.uint8)  # 0 .. 2^bits - 1
    planes = np.unpackbits(codes[:, :, None], axis=2)[:, :, 8 - bits :]  # (n, dim, bits), MSB first
    packed = np.packbits(planes.reshape(len(codes), -1), axis=1)
    out = []
    for sc, norm, q in zip(scale[:, 0], np.linalg.norm(v, axis=1), packed):
        head = np.float32(-sc).astype("<f4").tobytes() + np.float16(norm).astype("<f2").tobytes() + bytes([bits, 0])
        out.append(head + q.tobytes())
    return out


def _decode_low(raw: np.ndarray, dim: int) -> np.ndarray:
    """Rows of low-bit blobs of one bit width (``(n, 8 + ceil(dim * bits / 8))`` uint8) as ``(n, dim)``."""
    scale = -np.ascontiguousarray(raw[:, :4]).view("<f4")
    norm = np.ascontiguousarray(raw[:, 4:6]).view("<f2").astype(np.float32)
    bits = int(raw[0, 6])
    planes = np.unpackbits(raw[:, 8:], axis=1)[:, : dim * bits].reshape(len(raw), dim, bits)
    weights = (1 << np.arange(bits - 1, -1, -1)).astype(np.float32)
    out = (planes.astype(np.float32) @ weights + float(-(1 << (bits - 1)))) * scale
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return out * (norm / norms)


def blob_bytes(dim: int, bits: int = 8) -> int:
    """Length of an encoded vector of ``dim`` dimensions."""
    return 4 + dim if bits == 8 else 8 + (dim * bits + 7) // 8


def requantize(blob: bytes, bits: int) -> bytes:
    """An 8-bit blob as ``bits``-bit codes (low-bit blobs are kept: codes are never widened)."""
    return blob if bits == 8 or _low(blob) else encode(decode(blob), bits)


def _low(blob: bytes) -> bool:
    return bool(np.frombuffer(blob, dtype="<f4", count=1)[0] < 0)


def decode(blob: bytes) -> np.ndarray:
    if _low(blob):
        bits = blob[6]
        return _decode_low(np.frombuffer(blob, dtype=np.uint8).reshape(1, -1), (len(blob) - 8) * 8 // bits)[0]
    scale = np.frombuffer(blob, dtype="<f4", count=1)[0]
    return np.frombuffer(blob, dtype=np.int8, offset=4).astype(np.float32) * scale


def decode_many(blobs: list[bytes], dim: int) -> np.ndarray:
    """``(len(blobs), dim)`` float32: :func:`decode` of each blob (8-bit or fewer), vectorised per format."""
    if not blobs:
        return np.zeros((0, dim), dtype=np.float32)
    full = blob_bytes(dim)
    if all(len(b) == full for b in blobs):
        return _decode8(blobs, dim)
    out = np.zeros((len(blobs), dim), dtype=np.float32)
    groups: dict[int, list[int]] = {}
    for i, b in enumerate(blobs):
        groups.setdefault(len(b), []).append(i)
    for n, idx in groups.items():
        part = [blobs[i] for i in idx]
        if n == full:
            out[idx] = _decode8(part, dim)
        else:
            out[idx] = _decode_low(np.frombuffer(b"".join(part), dtype=np.uint8).reshape(len(part), n), dim)
    return out


def _decode8(blobs: list[bytes], dim: int) -> np.ndarray:
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
        flat = faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
        flat.sq.rangestat = faiss.ScalarQuantizer.RS_minmax
        flat.sq.rangestat_arg = SQ8_MARGIN
        if sample is not None and len(sample):
            flat.train(np.ascontiguousarray(sample, dtype=np.float32))
        return faiss.IndexIDMap2(flat)
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFScalarQuantizer(quantizer, dim, nlist_for(n), faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
    index.train(np.ascontiguousarray(sample, dtype=np.float32))
    index.nprobe = nprobe_for(index.nlist)
    return faiss.IndexIDMap2(index)  # faiss's Python wrappers keep the quantizer and ivf alive


def build_index(dim: int, ids: np.ndarray, vecs: np.ndarray, batch: int = 65536):
    """An ANN index of ``vecs`` (ids ``ids``): flat below ``IVF_MIN``, IVF past it, trained on (a sample of)
    them."""
    n = len(ids)
    sample = vecs[np.sort(np.random.default_rng(0).choice(n, size=200_000, replace=False))] if n > 200_000 else vecs
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
    """Whether an index about to hold ``n`` vectors should be rebuilt: it crossed ``IVF_MIN`` (either way), its
    inverted lists were trained for a collection 4× smaller or larger, or (flat) its 8-bit ranges were never
    trained or were trained on fewer than ``n / RETRAIN_GROWTH`` vectors."""
    import faiss

    ivf = kind_of(index) == "ivf"
    if not ivf and n > 0:
        inner = faiss.downcast_index(index.index)
        if not inner.is_trained or n >= RETRAIN_GROWTH * max(index.ntotal, 1):
            return True
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

    def write(f) -> None:
        # written by FAISS straight to the file: no in-memory serialised copy of the whole index
        faiss.write_index(index, faiss.PyCallbackIOWriter(f.write))
        checkpoint("faiss-write")

    return write_atomically(path, write)


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
