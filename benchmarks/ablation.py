"""Does each piece of evidence pay on documents it was not chosen on? Refit without it on dev, compare on test.

    .venv/bin/python benchmarks/ablation.py          # writes benchmarks/ABLATION.md

Every variant is fitted on the dev split exactly as ``benchmarks/tune.py`` fits the default (the hybrid mix:
regularisation and lexical shares by grouped CV, then the fit on all dev questions; meeting weight as
shipped) and measured on the test split, whose questions are about other documents. The difference to the
default on test comes with a 95 % paired bootstrap interval over test questions: a piece whose interval
includes 0 is within noise there.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import common  # noqa: E402
import tune  # noqa: E402
from hsqa.config import DEFAULT_MODEL  # noqa: E402
from hsqa.evaluate import load_qa  # noqa: E402
from hsqa.search import fuse as fusion  # noqa: E402

BOOT = 2000


def per_question_rr(questions: list[dict], params: fusion.Params) -> list[float]:
    return [tune.rank_metrics([q], params, "hybrid")["mrr"] for q in questions if q["answerable"]]


def fit_variant(dev: list[dict], shipped: fusion.Params, lexical: tuple[str, ...], mixed: bool) -> fusion.Params:
    saved = fusion.LEXICAL_FEATURES, dict(fusion.MODE_FEATURES)
    fusion.LEXICAL_FEATURES = lexical
    fusion.MODE_FEATURES["hybrid"] = fusion.DENSE_FEATURES + lexical
    try:
        base = fusion.Params(dict(shipped.models), 0.0)
        if mixed:
            p = tune.tune_mix(dev, base, {})
        else:  # one logistic model over all features (the fusion before the mix)
            p = tune.tune_mode(dev, base, "hybrid", {})
        return fusion.Params(p.models, shipped.meeting_weight)
    finally:
        fusion.LEXICAL_FEATURES, fusion.MODE_FEATURES = saved[0], saved[1]


def bootstrap(a: list[float], b: list[float], seed: int = 7) -> tuple[float, float]:
    rng = random.Random(seed)
    n = len(a)
    diffs = sorted(sum(a[i] - b[i] for i in idx) / n for idx in ([rng.randrange(n) for _ in range(n)] for _ in range(BOOT)))
    return diffs[int(0.025 * BOOT)], diffs[int(0.975 * BOOT) - 1]


def main() -> None:
    searcher = tune.open_searcher(DEFAULT_MODEL)
    dev = tune.collect(searcher, load_qa(tune.QUESTIONS / "dev.jsonl"))
    test = tune.collect(searcher, load_qa(tune.QUESTIONS / "test.jsonl"))
    shipped = fusion.Params.load()
    full = fusion.LEXICAL_FEATURES
    variants = {"default (shipped weights)": None}
    variants["default, refitted"] = (full, True)
    for f in full:
        variants[f"without {f}"] = (tuple(x for x in full if x != f), True)
    variants["one logistic model, no mix"] = (full, False)
    ref = per_question_rr(test, shipped)
    rows = []
    for name, spec in variants.items():
        p = shipped if spec is None else fit_variant(dev, shipped, *spec)
        d, t = tune.rank_metrics(dev, p, "hybrid"), tune.rank_metrics(test, p, "hybrid")
        rr = per_question_rr(test, p)
        lo, hi = bootstrap(rr, ref)
        rows.append(f"| {name} | {d['mrr']:.3f} | {t['r1']:.3f} | {t['r5']:.3f} | {t['mrr']:.3f} | "
                    f"{t['mrr'] - sum(ref) / len(ref):+.3f} [{lo:+.3f}, {hi:+.3f}] |")
        print(rows[-1], flush=True)
    lines = [
        "# Ablation: what each piece of ranking evidence is worth on unseen documents", "",
        f"Written by `python benchmarks/ablation.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"model {DEFAULT_MODEL}. Each variant is refitted on **dev** as `benchmarks/tune.py` does and measured on "
        "**test** (other documents). Dev MRR is in-sample (fitted there); the last column is the test MRR "
        "difference to the shipped default with a 95 % paired bootstrap interval over test questions.", "",
        "| variant | dev MRR (fit) | test R@1 | test R@5 | test MRR | test MRR vs default [95 % CI] |",
        "|---|---|---|---|---|---|", *rows, "",
    ]
    common.write_keeping_notes(ROOT / "benchmarks" / "ABLATION.md", lines)


if __name__ == "__main__":
    main()
