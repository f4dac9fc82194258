"""Retrieval evaluation: Recall@1, Recall@k and MRR for lexical, dense and hybrid, side by side.

A question file is JSON lines: ``{"question": ..., "document": ..., "answer": ...}`` where ``document`` is
the cited file (its path relative to the corpus, or a unique part of it) and ``answer`` a phrase the
returned passage must contain (compared case-insensitively, whitespace collapsed).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import HsqaError
from .search import MODES, Searcher


def _norm(s: str) -> str:
    s = re.sub(r"[*_]", "", s)
    return " ".join(s.lower().split())


def load_qa(path: Path) -> list[dict]:
    items = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise HsqaError(f"cannot read {path}: {e.strerror}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise HsqaError(f"{path}:{n}: not valid JSON ({e.msg})") from None
        missing = [k for k in ("question", "document", "answer") if not obj.get(k)]
        if missing:
            raise HsqaError(f"{path}:{n}: missing {', '.join(missing)}")
        items.append(obj)
    if not items:
        raise HsqaError(f"{path} has no questions")
    return items


def is_hit(result, item: dict) -> bool:
    return item["document"] in result.source and _norm(item["answer"]) in _norm(result.text)


def evaluate(searcher: Searcher, items: list[dict], k: int = 5, modes=MODES) -> dict:
    """Metrics per mode plus, per question, the rank of the first correct passage in each mode."""
    per_mode = {m: {"r1": 0, "rk": 0, "mrr": 0.0} for m in modes}
    rows = []
    depth = max(k, 10)
    for item in items:
        qvec = None
        ranks = {}
        for m in ("dense", *[x for x in modes if x != "dense"]):
            if m not in modes:
                continue
            resp = searcher.search(item["question"], k=depth, mode=m, qvec=qvec)
            qvec = resp.qvec
            rank = next((r.rank for r in resp.results if is_hit(r, item)), None)
            ranks[m] = rank
            if rank is not None:
                per_mode[m]["r1"] += rank == 1
                per_mode[m]["rk"] += rank <= k
                per_mode[m]["mrr"] += 1.0 / rank
        rows.append({"question": item["question"], "ranks": ranks})
    n = len(items)
    metrics = {
        m: {"recall@1": v["r1"] / n, f"recall@{k}": v["rk"] / n, "mrr": v["mrr"] / n} for m, v in per_mode.items()
    }
    return {"n": n, "k": k, "metrics": metrics, "questions": rows}


def format_table(report: dict, name: str = "") -> str:
    k = report["k"]
    lines = [
        f"{report['n']} questions{f' from {name}' if name else ''}",
        f"{'mode':<9} {'Recall@1':>9} {f'Recall@{k}':>9} {'MRR':>7}",
    ]
    for m, v in report["metrics"].items():
        lines.append(f"{m:<9} {v['recall@1']:>9.3f} {v[f'recall@{k}']:>9.3f} {v['mrr']:>7.3f}")
    misses = [r for r in report["questions"] if r["ranks"].get("hybrid") is None or r["ranks"]["hybrid"] > k]
    if misses:
        lines.append(f"hybrid misses (not in top {k}):")
        lines += [f"  - {r['question']}" for r in misses]
    return "\n".join(lines)
