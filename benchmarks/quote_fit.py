"""Fit the quote model (which sentence of the cited passages is quoted) on the DEV split only.

    .venv/bin/python benchmarks/quote_fit.py [--index DIR --corpus DIR] [--write]

Asks every answerable question of benchmarks/questions/dev.jsonl (and the follow-ups of
followups-dev.jsonl, in their conversation) against an index of benchmarks/corpus, takes every quotable unit
of the passages a reply cites with its features (``hsqa.answer.FEATURES``) and whether it holds the question's
key phrase, and fits, per mode (hybrid; lexical: no sentence vectors), a pairwise logistic regression: the
difference of a unit holding the key phrase and one that does not, of the same question, each question
weighing the same. The regularisation is chosen by 5-fold cross-validation grouped by question (share of
held-out questions whose top-scored unit holds the key phrase). ``--write`` stores the weights in
hsqa/quote_weights.json. The test split is never read here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from conversation import engine_for  # noqa: E402

from hsqa import answer as quote  # noqa: E402
from hsqa.conversation import Conversation  # noqa: E402
from hsqa.measure import answerable, load_followups, load_jsonl, quoted  # noqa: E402

QUESTIONS = ROOT / "benchmarks" / "questions"
CS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
FOLDS = 5
REPEATS = 4  #: cross-validation repeated with this many different fold assignments (150 questions: one is 0.7%)
COMMAND = "PYTHONPATH=$PWD HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/quote_fit.py --write"


class Recorder:
    """Wraps ``hsqa.answer.sentence_table`` to keep the table of each reply as it is computed."""

    def __init__(self):
        self.last = None
        self._real = quote.sentence_table

    def __call__(self, response, searcher, question, context=()):
        units, table = self._real(response, searcher, question, context)
        self.last = (units, table, response.any_relevant, quote.kind_preference(table, question))
        return units, table


def collect(engine, items: list[dict], pairs: list[dict], mode: str) -> list[dict]:
    """One group per question whose reply quotes at all: its feature table and the units' labels."""
    rec = Recorder()
    quote.sentence_table = rec
    groups = []
    try:
        for item in answerable(items):
            rec.last = None
            engine.ask_text(item["question"], k=5, mode=mode)
            groups += _group(rec.last, item)
        for p in pairs:
            conv = Conversation(None)
            for t in p["turns"][:-1]:
                conv.ask(engine, t["question"], k=5)
            rec.last = None
            if mode == "lexical":  # the conversation asks in the engine's mode: switch it for this turn
                engine.model_ready, ready = False, engine.model_ready
                conv.ask(engine, p["turns"][-1]["question"], k=5)
                engine.model_ready = ready
            else:
                conv.ask(engine, p["turns"][-1]["question"], k=5)
            groups += _group(rec.last, p["turns"][-1])
    finally:
        quote.sentence_table = rec._real
    return groups


def _group(last, item) -> list[dict]:
    if last is None or not last[2] or not last[0]:
        return []  # nothing quoted: no passage answers
    units, table, _, preference = last
    # a unit is right when what would be quoted for it holds the key phrase (with the sentence it leans on)
    y = np.array([quoted(_quote_text(units, i), item) for i in range(len(units))])
    return [{"X": table, "y": y, "question": item["question"], "preference": preference}]


def _quote_text(units, i: int) -> str:
    a, b = quote.quote_span(units, i)
    return units[i].result.text[a:b]


def pairs_of(groups: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Symmetric difference rows (positive - negative: 1, negative - positive: 0), each group weighing 1."""
    xs, ys, ws = [], [], []
    for g in groups:
        pos, neg = g["X"][g["y"]], g["X"][~g["y"]]
        if not len(pos) or not len(neg):
            continue
        d = (pos[:, None, :] - neg[None, :, :]).reshape(-1, pos.shape[1])
        w = 1.0 / len(d)
        xs += [d, -d]
        ys += [np.ones(len(d)), np.zeros(len(d))]
        ws += [np.full(len(d), w), np.full(len(d), w)]
    return np.vstack(xs), np.concatenate(ys), np.concatenate(ws)


def fit(groups: list[dict], c: float, scale: np.ndarray) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    x, y, w = pairs_of(groups)
    lr = LogisticRegression(C=c, fit_intercept=False, max_iter=5000)
    lr.fit(x / scale, y, sample_weight=w)
    return lr.coef_[0] / scale


def top1(groups: list[dict], weights: np.ndarray) -> float:
    """Share of groups (with a unit holding the key phrase) whose top-scored unit holds it, scored as
    ``hsqa.answer.annotate`` scores (with its preference for a unit naming the asked kind)."""
    scored = [g for g in groups if g["y"].any()]
    return sum(bool(g["y"][int(np.argmax(g["X"] @ weights + g["preference"]))]) for g in scored) / (len(scored) or 1)


def cross_validate(groups: list[dict], scale: np.ndarray) -> dict[float, float]:
    """Held-out top-1 share per C: FOLDS-fold, grouped by question, repeated REPEATS times."""
    rng = np.random.default_rng(8)
    folds = [rng.permutation(len(groups)) % FOLDS for _ in range(REPEATS)]
    out = {}
    for c in CS:
        hits = []
        for fold in folds:
            for f in range(FOLDS):
                train = [g for g, k in zip(groups, fold) if k != f]
                held = [g for g, k in zip(groups, fold) if k == f]
                w = fit(train, c, scale)
                hits += [top1([g], w) for g in held if g["y"].any()]
        out[c] = float(np.mean(hits))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, help="an index of benchmarks/corpus already built with the default model")
    ap.add_argument("--corpus", type=Path, default=ROOT / "benchmarks" / "corpus", help="the corpus --index was built from")
    ap.add_argument("--write", action="store_true", help="store the weights in hsqa/quote_weights.json")
    ap.add_argument("--without", nargs="*", default=[], help="features left out (weight 0), to compare feature sets")
    ap.add_argument("--C", type=float, help="use this regularisation instead of the cross-validated best (to compare)")
    args = ap.parse_args()
    items = load_jsonl(QUESTIONS / "dev.jsonl")
    pairs = load_followups(QUESTIONS / "followups-dev.jsonl")
    current = {m: quote.quote_weights(m) for m in ("hybrid", "lexical")}
    out = {
        "command": COMMAND,
        "fitted": time.strftime("%Y-%m-%d %H:%M"),
        "data": "benchmarks/questions/dev.jsonl + followups-dev.jsonl (last turns), benchmarks/corpus, k = 5",
        "features": list(quote.FEATURES),
        "modes": {},
    }
    with tempfile.TemporaryDirectory() as t:
        engine = engine_for(args.corpus, args.index, Path(t))
        for mode in ("hybrid", "lexical"):
            groups = collect(engine, items, pairs, mode)
            table = np.vstack([g["X"] for g in groups])
            scale = table.std(axis=0)
            scale[scale == 0] = 1.0
            for f in args.without:
                for g in groups:
                    g["X"][:, quote.FEATURES.index(f)] = 0.0
            cv = cross_validate(groups, scale)
            best = args.C or max(CS, key=lambda c: (round(cv[c], 4), -abs(np.log10(c))))
            w = fit(groups, best, scale)
            with_pos = int(sum(g["y"].any() for g in groups))
            out["modes"][mode] = {
                "C": float(best),
                "questions": len(groups),
                "with_key_phrase": with_pos,
                "cv_top1": round(cv.get(best, float("nan")), 4),
                "cv_by_C": {str(c): round(v, 4) for c, v in cv.items()},
                "train_top1": round(top1(groups, w), 4),
                "current_top1": round(top1(groups, current[mode]), 4),
                "weights": {f: round(float(v), 5) for f, v in zip(quote.FEATURES, w)},
            }
            print(mode, json.dumps({k: v for k, v in out["modes"][mode].items() if k != "weights"}))
            print("  ", out["modes"][mode]["weights"])
    if args.write:
        quote.QUOTE_WEIGHTS.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {quote.QUOTE_WEIGHTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
