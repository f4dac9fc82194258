"""Which vectors pay: quality of the dense side with and without sentence vectors, and at lower precision.

    .venv/bin/python benchmarks/embed_pays.py [--model M] [--variants all,passage-ann,...]

On the evaluation corpus (real model), every dev and test question's candidates are collected with each
variant of the dense retriever; the fusion weights are refitted on dev for each (benchmarks/tune.py's
procedure: a variant that changes a feature's meaning deserves its own weights) and reported on dev
(in-sample) and test (never used for a choice). Variants:

- ``all``: today's: FAISS flat over passage + sentence vectors; sentence = best cosine of a sentence.
- ``passage-ann``: FAISS over passage vectors only; sentence cosines only for the candidates (from their
  stored sentence vectors): same features, no sentence vector in the ANN index.
- ``no-sentence``: FAISS over passage vectors only and no sentence vectors at all: sentence = passage.
- ``passage-ann-sq8``: ``passage-ann`` with the ANN index at 8 bits per dimension (FAISS ``QT_8bit``).
- ``passage-ann-int8``: ``passage-ann`` with every stored vector as 8-bit codes with one scale per vector.

Vectors come from the embedding cache, float16 since schema migration 5 (an earlier run of this script on
float32 vectors gave identical metrics for float16-rounded vectors).

Writes benchmarks/EMBED-PAYS.json and prints a markdown table.
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

from hsqa.chunking import PASSAGE  # noqa: E402
from hsqa.config import DEFAULT_MODEL  # noqa: E402
from hsqa.evaluate import load_qa  # noqa: E402
from hsqa.search import fuse as fusion  # noqa: E402
from hsqa.search.dense import DenseRetriever  # noqa: E402
from tune import QUESTIONS, collect, open_searcher, rank_metrics, tune  # noqa: E402

VARIANTS = ("all", "passage-ann", "no-sentence", "passage-ann-sq8", "passage-ann-int8")


class VariantDense(DenseRetriever):
    """The dense retriever of one variant, over the same stored vectors (a passage-only index built once)."""

    def __init__(self, variant: str):
        super().__init__()
        self.variant = variant
        self._index = None
        self._kind: dict[int, tuple[int, int]] = {}  # vector id -> (chunk id, kind)
        self._vec: dict[int, np.ndarray] = {}

    def _prepare(self, snap) -> None:
        import faiss

        if self._index is not None:
            return
        rows = snap.execute("SELECT id, chunk_id, kind FROM vectors ORDER BY id").fetchall()
        self._kind = {r[0]: (r[1], r[2]) for r in rows}
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        vecs = snap.vectors(ids)  # the stored vectors (float16 in the embedding cache since migration 5)
        if self.variant.endswith("int8"):  # per-vector symmetric 8-bit codes (the cache's int8 candidate)
            scale = np.abs(vecs).max(axis=1, keepdims=True) / 127.0
            vecs = (np.round(vecs / scale).clip(-127, 127) * scale).astype(np.float32)
        self._vec = dict(zip(ids.tolist(), vecs))
        keep = np.array([i for i in ids.tolist() if self._kind[i][1] == PASSAGE], dtype=np.int64)
        pv = np.vstack([self._vec[i] for i in keep.tolist()])
        d = pv.shape[1]
        if self.variant == "all":  # every vector, as the index held them before (flat)
            pv, keep = vecs, ids
        inner = faiss.IndexScalarQuantizer(d, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT) \
            if self.variant.endswith("sq8") else faiss.IndexFlatIP(d)
        if self.variant == "all":
            inner = faiss.IndexFlatIP(d)
        if not inner.is_trained:
            inner.train(pv)
        self._index = faiss.IndexIDMap2(inner)
        self._index.add_with_ids(pv, keep)

    def search(self, snap, qvec, n, scope):
        self._prepare(snap)
        _, ids = self._index.search(qvec.reshape(1, -1).astype(np.float32), min(n * (6 if self.variant == "all" else 1), self._index.ntotal))
        out = [self._kind[int(i)][0] for i in ids[0] if i >= 0]
        return list(dict.fromkeys(out))[:n]

    def scores(self, snap, chunk_ids, qvec):
        self._prepare(snap)
        want = set(chunk_ids)
        q = qvec.astype(np.float32)
        passage, sentence = {}, {}
        for vid, (cid, kind) in self._kind.items():
            if cid not in want:
                continue
            sim = float(self._vec[vid] @ q)
            if kind == PASSAGE:
                passage[cid] = sim
            elif self.variant != "no-sentence":
                sentence[cid] = max(sentence.get(cid, -1.0), sim)
        return {cid: (p, sentence.get(cid, p)) for cid, p in passage.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "EMBED-PAYS.json"))
    args = ap.parse_args()
    searcher = open_searcher(args.model)
    dev, test = load_qa(QUESTIONS / "dev.jsonl"), load_qa(QUESTIONS / "test.jsonl")
    base = fusion.Params.load()
    out = {}
    for variant in args.variants.split(","):
        t0 = time.time()
        searcher.dense = VariantDense(variant)
        qd, qt = collect(searcher, dev), collect(searcher, test)
        params, _ = tune(qd, base)
        res = {}
        for mode in ("dense", "hybrid"):
            res[mode] = {
                "dev (today's weights)": rank_metrics(qd, base, mode),
                "test (today's weights)": rank_metrics(qt, base, mode),
                "dev (refitted, in-sample)": rank_metrics(qd, params, mode),
                "test (refitted on dev)": rank_metrics(qt, params, mode),
            }
        res["weights"] = {m: v.weights for m, v in params.models.items() if m != "lexical"}
        res["rr_hybrid"] = {"dev": [rank_metrics([q], params, "hybrid")["mrr"] for q in qd if q["answerable"]],
                            "test": [rank_metrics([q], params, "hybrid")["mrr"] for q in qt if q["answerable"]]}
        res["seconds"] = round(time.time() - t0, 1)
        out[variant] = res
        print(variant, json.dumps(res["hybrid"]), flush=True)
    base_v = next(iter(out))
    for v in list(out)[1:]:
        for split in ("dev", "test"):
            a, b = np.array(out[base_v]["rr_hybrid"][split]), np.array(out[v]["rr_hybrid"][split])
            rng = np.random.default_rng(0)
            boot = [float((b[i] - a[i]).mean()) for i in (rng.integers(0, len(a), len(a)) for _ in range(2000))]
            out[v].setdefault("paired_bootstrap_vs_" + base_v, {})[split] = {
                "mrr_diff": round(float((b - a).mean()), 4),
                "ci95": [round(float(np.percentile(boot, 2.5)), 4), round(float(np.percentile(boot, 97.5)), 4)]}
        print(v, "vs", base_v, out[v]["paired_bootstrap_vs_" + base_v])
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print("| variant | split | weights | hybrid R@1 | R@5 | MRR | answered | abstained | dense MRR |")
    print("|---|---|---|---|---|---|---|---|---|")
    for v, res in out.items():
        for key in res["hybrid"]:
            h, d = res["hybrid"][key], res["dense"][key]
            print(f"| {v} | {key} | | {h['r1']:.3f} | {h['r5']:.3f} | {h['mrr']:.3f} | {h['answered']:.3f} | "
                  f"{h['abstained']:.3f} | {d['mrr']:.3f} |")


if __name__ == "__main__":
    main()
