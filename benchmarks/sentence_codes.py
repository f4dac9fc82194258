"""How much does storing sentence vectors with fewer bits move the sentence feature? (benchmarks/DISK.md)

    python benchmarks/sentence_codes.py [--model M] [--out benchmarks/DISK.json]

Every sentence view of the evaluation corpus (corpus/ + benchmarks/corpus/, as ``Chunk.views`` makes them) and
every dev and test question is embedded in float32 with the real model; each sentence vector is then stored
as each format would store it and decoded. Reported per format: bytes per 384-d vector, the error of
cos(question, sentence) against float32 over all pairs (mean, p99, max), the error of the ranker's feature
(best sentence cosine per passage), how often the best sentence of a passage stays the same (what the answer
step quotes), and the overlap of each question's 10 nearest sentences. Formats: today's 8-bit codes, hsqa's
6/5/4-bit codes (``hsqa.store.vectors.encode(v, bits)``, ``HSQA_SENTENCE_BITS``), 4-bit scaled by the largest
component only, 2-bit and sign bits (+ mean magnitude) for reference.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from hsqa.config import DEFAULT_MODEL  # noqa: E402


def sentences() -> tuple[list[str], list[int]]:
    """Sentence texts of the evaluation corpus and the passage (running number) each belongs to."""
    from hsqa.chunking import SENTENCE, chunk_document
    from hsqa.extract import parse_bytes
    from tune import eval_corpus

    texts, owner, n = [], [], 0
    for path in sorted(eval_corpus().iterdir()):
        try:
            doc = parse_bytes(path.read_bytes(), path.name)
        except Exception:  # noqa: BLE001 - a file hsqa skips is skipped here too
            continue
        for c in chunk_document(doc):
            for kind, t in c.views():
                if kind == SENTENCE:
                    texts.append(t)
                    owner.append(n)
            n += 1
    return texts, owner


def questions() -> list[str]:
    out = []
    for split in ("dev", "test"):
        with open(ROOT / "benchmarks" / "questions" / f"{split}.jsonl", encoding="utf-8") as f:
            out += [json.loads(line)["question"] for line in f if line.strip()]
    return out


def formats() -> dict:
    from hsqa.store.vectors import decode_many, encode_many

    def hsqa_codes(bits):
        return lambda v: decode_many(encode_many(v, bits), v.shape[1])

    def max4(v):
        s = np.abs(v).max(1, keepdims=True) / 7
        return np.clip(np.rint(v / s), -8, 7) * s

    def two_bit(v):
        s = v.std(1, keepdims=True)
        return np.array([-1.51, -0.45, 0.45, 1.51])[np.digitize(v / s, [-0.98, 0, 0.98])] * s

    def sign(v):
        return np.sign(v) * np.abs(v).mean(1, keepdims=True)

    from hsqa.store.vectors import blob_bytes

    out = {"8-bit (hsqa default, passages and sentences)": (hsqa_codes(8), blob_bytes)}
    for bits in (6, 5, 4):
        out[f"{bits}-bit (HSQA_SENTENCE_BITS={bits})"] = (hsqa_codes(bits), lambda d, b=bits: blob_bytes(d, b))
    return {**out,
            "4-bit, max-scaled only": (max4, lambda d: 4 + d // 2),
            "2-bit": (two_bit, lambda d: 4 + d // 4),
            "sign bits + magnitude": (sign, lambda d: 4 + d // 8)}


def fidelity(S: np.ndarray, Q: np.ndarray, owner: list[int]) -> list[dict]:
    true = Q @ S.T
    groups: dict[int, list[int]] = {}
    for i, o in enumerate(owner):
        groups.setdefault(o, []).append(i)
    multi = [np.array(g) for g in groups.values()]
    out = []
    for name, (fn, size) in formats().items():
        A = fn(S).astype(np.float32)
        A /= np.linalg.norm(A, axis=1, keepdims=True)
        est = Q @ A.T
        err = np.abs(est - true)
        same = sum(int((true[:, g].argmax(1) == est[:, g].argmax(1)).sum()) for g in multi)
        feat = np.concatenate([np.abs(true[:, g].max(1) - est[:, g].max(1)) for g in multi])
        top_t, top_e = np.argsort(-true, 1)[:, :10], np.argsort(-est, 1)[:, :10]
        out.append({
            "format": name, "bytes": size(S.shape[1]), "cos_err_mean": float(err.mean()),
            "cos_err_p99": float(np.quantile(err, 0.99)), "cos_err_max": float(err.max()),
            "feature_err_mean": float(feat.mean()), "feature_err_max": float(feat.max()),
            "best_sentence_same": same / (len(Q) * len(multi)),
            "top10_overlap": float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top_t, top_e)])),
        })
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "DISK.json"))
    a = ap.parse_args()
    from hsqa.embedding import make_embedder

    texts, owner = sentences()
    qs = questions()
    emb = make_embedder(a.model)
    S = np.vstack([emb.embed(texts[i : i + 64]) for i in range(0, len(texts), 64)]).astype(np.float32)
    Q = np.vstack([emb.embed(qs[i : i + 64]) for i in range(0, len(qs), 64)]).astype(np.float32)
    rows = fidelity(S, Q, owner)
    res = {"model": a.model, "sentences": len(texts), "passages_with_sentences": len(set(owner)),
           "questions": len(qs), "formats": rows}
    Path(a.out).write_text(json.dumps(res, indent=1) + "\n")
    print(f"{len(texts)} sentences of {len(set(owner))} passages, {len(qs)} questions ({a.model})")
    print("| format | bytes / vector | cos error mean / p99 / max | feature error mean / max | best sentence same | top-10 overlap |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['format']} | {r['bytes']} | {r['cos_err_mean']:.4f} / {r['cos_err_p99']:.4f} / {r['cos_err_max']:.4f} | "
              f"{r['feature_err_mean']:.4f} / {r['feature_err_max']:.4f} | {r['best_sentence_same']:.3f} | {r['top10_overlap']:.3f} |")


if __name__ == "__main__":
    main()
