"""Retrieval quality on the evaluation corpus: dev and test splits, per mode, per question kind, abstention.

    .venv/bin/python benchmarks/quality.py [--model M]      (or: make quality; part of make bench)

The corpus is the bundled one plus benchmarks/corpus/; the questions are benchmarks/questions/dev.jsonl
(the fusion weights, threshold and meeting weight were fitted on it by benchmarks/tune.py) and test.jsonl
(never used for any choice). Writes benchmarks/QUALITY.md and QUALITY.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from hsqa.config import DEFAULT_MODEL  # noqa: E402
from hsqa.evaluate import evaluate, load_qa  # noqa: E402
from hsqa.search import fuse as fusion  # noqa: E402
from tune import QUESTIONS, open_searcher  # noqa: E402

import common  # noqa: E402

MODES = ("lexical", "dense", "hybrid")


def table(report: dict) -> list[str]:
    k = report["k"]
    lines = ["| questions | n | mode | Recall@1 | Recall@5 | MRR |", "|---|---|---|---|---|---|"]
    rows = [("**all answerable**", report["metrics"])] + [(kind, per) for kind, per in report["kinds"].items()]
    for name, per in rows:
        best = max(v["mrr"] for v in per.values())
        for mode in MODES:
            v = per[mode]
            mrr = f"**{v['mrr']:.3f}**" if v["mrr"] == best else f"{v['mrr']:.3f}"
            label = "hybrid (default)" if mode == "hybrid" else mode
            lines.append(f"| {name} | {v['n']} | {label} | {v['recall@1']:.3f} | {v[f'recall@{k}']:.3f} | {mrr} |")
    return lines


def calibration(searcher, items: list[dict]) -> list[str]:
    """Reliability of the confidence shown with each returned passage (hybrid, k=5, as `hsqa ask` shows it): in
    each band of confidence, the share of passages that are hits (unanswerable questions' passages are all
    misses)."""
    from hsqa.evaluate import is_hit

    from hsqa.answer import annotate

    pairs = []
    for item in items:  # as `hsqa ask` shows them: after the answer is chosen (Searcher.lead_with)
        resp = searcher.search(item["question"], k=5)
        ans = annotate(resp, searcher)
        searcher.lead_with(resp, ans.result if ans else None)
        pairs += [(r.confidence, is_hit(r, item)) for r in resp.results]
    bands = [(0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.01)]
    lines = ["| confidence | passages | mean confidence | share that answer |", "|---|---|---|---|"]
    for lo, hi in bands:
        got = [(c, h) for c, h in pairs if lo <= c < hi]
        if got:
            lines.append(f"| {lo:.1f}–{min(hi, 1.0):.1f} | {len(got)} | {sum(c for c, _ in got) / len(got):.2f} | "
                         f"{sum(h for _, h in got) / len(got):.2f} |")
    return lines


def ahead_of_default(report: dict) -> list[str]:
    """The kinds (10+ questions) where a single mode has a higher MRR than the default (hybrid) on this split;
    why is explained by hand in the notes below."""
    rows = [(kind, mode, per[mode]["mrr"], per["hybrid"]["mrr"]) for kind, per in report["kinds"].items()
            if per["hybrid"]["n"] >= 10 for mode in ("lexical", "dense") if per[mode]["mrr"] > per["hybrid"]["mrr"]]
    if not rows:
        return ["On test, the default is at least as good as each single mode on every kind with 10+ questions.", ""]
    return ["Kinds with 10+ test questions where a single mode is ahead of the default (MRR): "
            + "; ".join(f"{k}: {m} {a:.3f} vs {h:.3f}" for k, m, a, h in rows) + " (see the notes).", ""]


def abstention(report: dict) -> list[str]:
    lines = ["| mode | unanswerable abstained (null) | answerable answered |", "|---|---|---|"]
    for mode in MODES:
        a = report["abstention"][mode]
        lines.append(f"| {mode} | {a['unanswerable_abstained']:.3f} (of {a['unanswerable']}) | {a['answerable_answered']:.3f} |")
    return lines


def search_order(report: dict) -> str:
    """The metrics of each mode in the search's own order, before the quoted passage is put first."""
    parts = []
    for m in MODES:
        a, b = report["search_metrics"][m], report["metrics"][m]
        parts.append(f"{m} Recall@1 {a['recall@1']:.3f} → {b['recall@1']:.3f}, MRR {a['mrr']:.3f} → {b['mrr']:.3f}")
    return "Search order → quoted passage first: " + "; ".join(parts) + "."


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "QUALITY.md"))
    args = ap.parse_args()
    searcher = open_searcher(args.model)
    n_docs = len(searcher.documents)
    reports, ablation, calib = {}, {}, {}
    chosen = searcher.params
    for split in ("dev", "test"):
        items = load_qa(QUESTIONS / f"{split}.jsonl")
        reports[split] = evaluate(searcher, items, k=5, modes=MODES)
        searcher.params = fusion.Params(chosen.models, 0.0)  # the same, without the meeting-reference lift
        ablation[split] = evaluate(searcher, items, k=5, modes=("hybrid",))["metrics"]["hybrid"]
        searcher.params = chosen
        calib[split] = calibration(searcher, items)
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Retrieval quality",
        "",
        f"Written by `python benchmarks/quality.py` (part of `make bench`) on {when}; model {args.model};",
        f"{n_docs} documents (corpus/ + benchmarks/corpus/). A hit is a passage of an expected document containing",
        "its key phrase. Fusion weights, abstention thresholds and the meeting weight were fitted on **dev** by",
        "`benchmarks/tune.py` (cross-validated); **test** questions are about other documents and were never used",
        "for any choice. Best MRR per row group in bold. Ranks are those `hsqa ask` shows: the passage the answer",
        "is quoted from first (`Searcher.lead_with`); the search's own order is given below each table.",
        "",
    ]
    for split, rep in reports.items():
        lines += [f"## {split} ({rep['n']} questions, {rep['answerable']} answerable)", "", *table(rep), "",
                  "Abstention (`\"answer\": null`):", "", *abstention(rep), ""]
        if rep.get("answer_sentence") is not None:
            lines += [f"Quoted answer sentence contains the key phrase (hybrid): {rep['answer_sentence']:.3f}", ""]
        lines += ["Confidence shown with each returned passage (hybrid, top 5) against how often it answers:", "",
                  *calib[split], ""]
        lines += [search_order(rep), ""]
        a = ablation[split]
        lines += [f"Without the meeting-reference lift (weight {chosen.meeting_weight} → 0), hybrid: Recall@1 "
                  f"{a['recall@1']:.3f}, Recall@5 {a['recall@5']:.3f}, MRR {a['mrr']:.3f}.", ""]
        misses = [q for q in rep["questions"] if q["answerable"] and (q["ranks"].get("hybrid") or 99) > 5]
        if misses:
            lines += [f"Hybrid misses (not in top 5), {len(misses)}:", ""] + [f"- [{q['kind']}] {q['question']}" for q in misses] + [""]
    lines += ahead_of_default(reports["test"])
    common.write_keeping_notes(args.out, lines)
    Path(args.out).with_suffix(".json").write_text(
        json.dumps({"reports": reports, "without_meeting_lift": ablation}, indent=1, ensure_ascii=False), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
