"""ANN index by size: recall@50 of the IVF index hsqa builds past ``IVF_MIN`` vs exact flat search, on vectors
of the REAL model (hashing vectors have no cluster structure), and the search cost of each index.

    .venv/bin/python benchmarks/ann.py [--passages 10000] [--model M]

Vector sets: (1) the evaluation corpus's stored vectors (passages and sentences; the index of
benchmarks/tune.py), (2) passages of the synthetic corpus (benchmarks/synthcorpus.py) embedded with the real
model (cached in benchmarks/.cache/ann-*.npy). Queries: the dev and test questions and synthetic questions,
embedded with the same model. For each set: flat fp16 (what hsqa uses below IVF_MIN) and IVF-SQ8 with
hsqa's nlist for the set's size at several nprobe, recall@50 against exact float32 search, and the CPU ms per
single query (one thread). Writes benchmarks/ANN.md and ANN.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import synthcorpus  # noqa: E402
from common import machine  # noqa: E402
from hsqa.config import DEFAULT_MODEL  # noqa: E402
from hsqa.store import vectors as V  # noqa: E402

CACHE = ROOT / "benchmarks" / ".cache"
K = 50


def questions(model_emb) -> np.ndarray:
    qs = []
    for name in ("dev.jsonl", "test.jsonl"):
        for line in (ROOT / "benchmarks" / "questions" / name).read_text().splitlines():
            if line.strip():
                qs.append(json.loads(line)["question"])
    qs += synthcorpus.questions(12, 200)
    return np.vstack([model_emb.embed_query(q) for q in qs]).astype(np.float32)


def eval_vectors(model: str) -> np.ndarray:
    from tune import open_searcher

    s = open_searcher(model)
    with s.store.snapshot() as snap:
        ids = [r[0] for r in snap.execute("SELECT id FROM vectors ORDER BY id")]
        return snap.vectors(ids)


def synthetic_vectors(emb, n_passages: int) -> np.ndarray:
    from hsqa.chunking import chunk_document
    from hsqa.extract import parse_bytes

    path = CACHE / f"ann-synthetic-{n_passages}.npy"
    if path.exists():
        return np.load(path)
    corpus = CACHE / f"ann-corpus-{n_passages}"
    synthcorpus.generate(-(-n_passages // synthcorpus.PARAGRAPHS_PER_DOC), corpus)
    texts = []
    for p in sorted(corpus.rglob("*")):
        if p.suffix in (".txt", ".md"):
            texts += [c.embed_text for c in chunk_document(parse_bytes(p.read_bytes(), p.name))]
    texts = texts[:n_passages]
    t = time.perf_counter()
    vecs = np.vstack([emb.embed(texts[i : i + 256]) for i in range(0, len(texts), 256)]).astype(np.float32)
    print(f"embedded {len(texts)} synthetic passages in {time.perf_counter() - t:.0f} s", flush=True)
    np.save(path, vecs)
    return vecs


def timed(index, q: np.ndarray, k: int) -> tuple[np.ndarray, float]:
    t = time.process_time()
    out = np.vstack([index.search(q[i : i + 1], k)[1] for i in range(len(q))])
    return out, (time.process_time() - t) * 1000 / len(q)


def recall(got: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(g) & set(t)) / len(t) for g, t in zip(got, truth)]))


def measure(name: str, vecs: np.ndarray, q: np.ndarray) -> list[dict]:
    import faiss

    faiss.omp_set_num_threads(1)
    n, d = vecs.shape
    ids = np.arange(n, dtype=np.int64)
    exact = faiss.IndexFlatIP(d)
    exact.add(vecs)
    truth, flat_ms = timed(exact, q, K)
    rows = [{"set": name, "n": n, "index": "flat float32 (before)", "recall@50": 1.0, "ms": round(flat_ms, 2)}]
    sq8 = faiss.IndexScalarQuantizer(d, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
    sq8.train(vecs)
    sq8.add(vecs)
    got, ms = timed(sq8, q, K)
    rows.append({"set": name, "n": n, "index": "flat SQ8", "recall@50": round(recall(got, truth), 4), "ms": round(ms, 2)})
    fp16 = faiss.IndexIDMap2(faiss.IndexScalarQuantizer(d, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT))
    fp16.add_with_ids(vecs, ids)
    got, ms = timed(fp16, q, K)
    rows.append({"set": name, "n": n, "index": "flat fp16 (before schema 6)", "recall@50": round(recall(got, truth), 4), "ms": round(ms, 2)})
    flat = V.build_index(d, ids, vecs)  # what hsqa builds below IVF_MIN: 8-bit codes over trained ranges + margin
    got, ms = timed(flat, q, K)
    rows.append({"set": name, "n": n, "index": "flat SQ8 + margin (hsqa)", "recall@50": round(recall(got, truth), 4), "ms": round(ms, 2)})
    rng = np.random.default_rng(0)
    sample = vecs[np.sort(rng.choice(n, size=min(n, V.nlist_for(n) * 64), replace=False))]
    t = time.process_time()
    ivf = V.new_index(d, n, sample, ivf=True)  # the IVF hsqa builds past IVF_MIN, at this n
    ivf.add_with_ids(vecs, ids)
    build = time.process_time() - t
    inner = faiss.downcast_index(ivf.index)
    for nprobe in sorted({4, 8, 16, 32, 64, 128, V.nprobe_for(inner.nlist)} & set(range(1, inner.nlist + 1))):
        inner.nprobe = nprobe
        got, ms = timed(ivf, q, K)
        rows.append({"set": name, "n": n, "index": f"IVF{inner.nlist}-SQ8 nprobe {nprobe}"
                     + (" (hsqa)" if nprobe == V.nprobe_for(inner.nlist) else ""),
                     "recall@50": round(recall(got, truth), 4), "ms": round(ms, 2), "build_s": round(build, 1)})
    for r in rows:
        print(r, flush=True)
    return rows


def cost_by_size(d: int = 384, sizes=(25_000, 50_000, 100_000, 200_000)) -> list[dict]:
    """CPU ms per single query (one thread, top 50) of flat float32, flat float16 and IVF-SQ8 by collection
    size. Cost does not depend on the vectors' structure: random unit vectors."""
    import faiss

    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(0)
    q = rng.standard_normal((100, d)).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    rows = []
    for n in sizes:
        x = rng.standard_normal((n, d)).astype(np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        row = {"n": n}
        f32 = faiss.IndexFlatIP(d)
        f32.add(x)
        row["flat float32"] = round(timed(f32, q, K)[1], 2)
        fp16 = V.build_index(d, np.arange(n, dtype=np.int64), x)
        row["flat float16"] = round(timed(fp16, q, K)[1], 2)  # (hsqa's flat: 8-bit codes since schema 6)
        sample = x[: V.nlist_for(n) * 64]
        ivf = V.new_index(d, n, sample, ivf=True)
        ivf.add_with_ids(x, np.arange(n, dtype=np.int64))
        row["ivf"] = f"IVF{faiss.downcast_index(ivf.index).nlist}-SQ8 nprobe {faiss.downcast_index(ivf.index).nprobe}"
        row["ivf ms"] = round(timed(ivf, q, K)[1], 2)
        print(row, flush=True)
        rows.append(row)
    return rows


def main() -> None:
    from hsqa.embedding import make_embedder

    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--passages", type=int, default=10000)
    a = ap.parse_args()
    emb = make_embedder(a.model)
    emb.load()
    q = questions(emb)
    rows = measure("eval corpus (passages + sentences)", eval_vectors(a.model), q)
    np.save(CACHE / "ann-questions.npy", q)
    rows += measure(f"synthetic passages ({a.passages})", synthetic_vectors(emb, a.passages), q)
    costs = cost_by_size()
    (ROOT / "benchmarks" / "ANN.json").write_text(json.dumps({"recall": rows, "cost": costs}, indent=1) + "\n")
    lines = [
        "# ANN index by size (`benchmarks/ann.py`)", "",
        f"Machine: {machine()}. Model {a.model}; {len(q)} queries (dev + test questions + 200 synthetic), "
        f"recall@{K} against exact float32 flat search; CPU ms per single query on one thread. The IVF rows are "
        "the IVF hsqa builds when `IVF_MIN` is set (IndexIVFScalarQuantizer, 8-bit residual codes, nlist ≈ 4·√n), "
        "forced at each set's size, at several nprobe.", "",
        "**Result**: on real-model vectors IVF needs most of its lists probed for recall@50 ≥ 0.99 against flat "
        "(synthetic passages: 0.96 at half of them; the eval corpus: 0.99 only at 80 %), which leaves little "
        "speed-up; HNSW32 (which cannot remove ids) measured 0.93 / 0.97 at efSearch 128 / 256 on the synthetic set. "
        "So hsqa keeps exact flat float16 search over passage vectors (`IVF_MIN = None`): it costs ≤ ~10 ms per "
        "query up to ~170k passages at 384-d (table below), 3× the 50k target. Past that, the options are a "
        "larger probe share (IVF code path kept and tested: `hsqa/store/vectors.py`) or an engine with its own "
        "ANN (docs/scaling.md).", "",
        "| vectors | n | index | recall@50 | CPU ms/query | IVF train+add s |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['set']} | {r['n']:,} | {r['index']} | {r['recall@50']:.4f} | {r['ms']} | {r.get('build_s', '')} |")
    lines += ["", "## Cost by size (384-d, random unit vectors: cost does not depend on structure)", "",
              "| passage vectors | flat float32 ms | flat float16 ms (hsqa below IVF_MIN) | IVF (hsqa past IVF_MIN) | IVF ms |",
              "|---|---|---|---|---|"]
    for c in costs:
        lines.append(f"| {c['n']:,} | {c['flat float32']} | {c['flat float16']} | {c['ivf']} | {c['ivf ms']} |")
    (ROOT / "benchmarks" / "ANN.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
