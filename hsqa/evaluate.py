"""Retrieval evaluation: Recall@1, Recall@k, MRR per mode and per question kind, plus abstention.

A question file is JSON lines. An answerable question: ``{"question", "document", "answer", "kind"}`` where
``document`` is the cited file (its path relative to the corpus, or a unique part of it) and ``answer`` a
phrase the returned passage must contain (compared case-insensitively, whitespace and emphasis markers
collapsed); a question several documents answer may give ``"answers": [{"document", "answer"}, ...]``
instead. An unanswerable question has ``"document": null`` and ``"answer": null``: the right response is
no answer (JSON ``"answer": null``). Recall and MRR count answerable questions only; abstention reports
the share of unanswerable questions answered null and of answerable ones answered.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from .errors import HsqaError
from .search import MODES, SearchResponse, Searcher


def _norm(s: str) -> str:
    s = re.sub(r"[*_]", "", s)
    return " ".join(s.lower().split())


def load_qa(path: Path) -> list[dict]:
    items = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise HsqaError(f"cannot read {path}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise HsqaError(f"{path} is not UTF-8 text: save it as UTF-8 JSON lines") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise HsqaError(f"{path}:{n}: not valid JSON ({e.msg})") from None
        if not isinstance(obj, dict) or not obj.get("question"):
            raise HsqaError(f"{path}:{n}: missing question")
        if targets(obj) is None:
            raise HsqaError(f"{path}:{n}: give 'document' and 'answer' (both null for an unanswerable question)")
        items.append(obj)
    if not items:
        raise HsqaError(f"{path} has no questions")
    return items


def targets(item: dict) -> list[tuple[str, str]] | None:
    """The (document, phrase) pairs that answer ``item``; ``[]`` when unanswerable, ``None`` when malformed."""
    if item.get("answers"):
        pairs = [(a.get("document"), a.get("answer")) for a in item["answers"]]
    elif item.get("document") is None and item.get("answer") is None:
        return []
    else:
        pairs = [(item.get("document"), item.get("answer"))]
    return pairs if all(d and a for d, a in pairs) else None


def is_hit(result, item: dict) -> bool:
    text = _norm(result.text)
    return any(doc in result.source and _norm(phrase) in text for doc, phrase in targets(item) or [])


def answerable(item: dict) -> bool:
    return bool(targets(item))


def kind_of(item: dict) -> str:
    return item.get("kind") or ("answerable" if answerable(item) else "unanswerable")


def evaluate(searcher: Searcher, items: list[dict], k: int = 5, modes=MODES) -> dict:
    """Metrics per mode (overall and per kind), abstention per mode, and per question the rank of the first
    correct passage in each mode and whether the question was answered.

    Ranks are those ``hsqa ask`` shows: the passage the answer is quoted from first
    (:meth:`Searcher.lead_with`); ``search_ranks`` keeps the search's own order."""
    from .answer import annotate

    rows = []
    depth = max(k, 10)
    for item in items:
        qvec = None
        ranks, search_ranks, answered = {}, {}, {}
        sentence_ok = None
        for m in ("dense", *[x for x in modes if x != "dense"]):
            if m not in modes:
                continue
            resp = searcher.search(item["question"], k=depth, mode=m, qvec=qvec)
            qvec = resp.qvec if resp.qvec is not None else qvec
            search_ranks[m] = _first_hit(resp, item)
            # the answer as `hsqa ask -k k` chooses it: among the first k passages only
            ans = annotate(SearchResponse(resp.query, resp.mode, resp.results[:k], resp.scope, resp.qvec), searcher)
            searcher.lead_with(resp, ans.result if ans else None)
            ranks[m] = _first_hit(resp, item)
            answered[m] = resp.any_relevant
            if m == "hybrid" and answerable(item):
                sentence_ok = bool(ans) and any(_norm(p) in _norm(ans.sentence) for _, p in targets(item))
        rows.append({"question": item["question"], "kind": kind_of(item), "answerable": answerable(item),
                     "ranks": ranks, "search_ranks": search_ranks, "answered": answered, "sentence_ok": sentence_ok})
    return {"n": len(items), "k": k, **summarise(rows, k, modes), "questions": rows}


def _first_hit(resp, item: dict) -> int | None:
    return next((r.rank for r in resp.results if is_hit(r, item)), None)


def _metrics(rows: list[dict], mode: str, k: int, key: str = "ranks") -> dict:
    ranks = [r.get(key, {}).get(mode) for r in rows]
    n = len(ranks) or 1
    return {
        "n": len(ranks),
        "recall@1": sum(1 for x in ranks if x == 1) / n,
        f"recall@{k}": sum(1 for x in ranks if x is not None and x <= k) / n,
        "mrr": sum(1.0 / x for x in ranks if x) / n,
    }


def summarise(rows: list[dict], k: int, modes=MODES) -> dict:
    """Metrics of per-question ``rows`` (as :func:`evaluate` makes them)."""
    ans = [r for r in rows if r["answerable"]]
    unans = [r for r in rows if not r["answerable"]]
    kinds = defaultdict(list)
    for r in ans:
        kinds[r["kind"]].append(r)
    abstention = {}
    for m in modes:
        abstention[m] = {
            "unanswerable": len(unans),
            "unanswerable_abstained": sum(1 for r in unans if not r["answered"].get(m)) / (len(unans) or 1),
            "answerable_answered": sum(1 for r in ans if r["answered"].get(m)) / (len(ans) or 1),
        }
    sent = [r["sentence_ok"] for r in ans if r.get("sentence_ok") is not None]
    return {
        "answerable": len(ans),
        "metrics": {m: _metrics(ans, m, k) for m in modes},
        "search_metrics": {m: _metrics(ans, m, k, "search_ranks") for m in modes},
        "kinds": {kd: {m: _metrics(rs, m, k) for m in modes} for kd, rs in sorted(kinds.items())},
        "abstention": abstention,
        "answer_sentence": (sum(sent) / len(sent)) if sent else None,
    }


def format_table(report: dict, name: str = "") -> str:
    k = report["k"]
    lines = [
        f"{report['n']} questions{f' from {name}' if name else ''} ({report['answerable']} answerable)",
        f"{'':<20} {'mode':<8} {'n':>4} {'Recall@1':>9} {f'Recall@{k}':>9} {'MRR':>7}",
    ]
    for m, v in report["metrics"].items():
        lines.append(f"{'all':<20} {m:<8} {v['n']:>4} {v['recall@1']:>9.3f} {v[f'recall@{k}']:>9.3f} {v['mrr']:>7.3f}")
    if len(report["kinds"]) > 1:
        for kind, per in report["kinds"].items():
            for m, v in per.items():
                lines.append(f"{kind:<20} {m:<8} {v['n']:>4} {v['recall@1']:>9.3f} {v[f'recall@{k}']:>9.3f} {v['mrr']:>7.3f}")
    lines.append("abstention (answer null):")
    for m, a in report["abstention"].items():
        lines.append(f"  {m:<8} unanswerable abstained {a['unanswerable_abstained']:.3f} (of {a['unanswerable']}), "
                     f"answerable answered {a['answerable_answered']:.3f}")
    if report.get("answer_sentence") is not None:
        lines.append(f"quoted sentence contains the key phrase: {report['answer_sentence']:.3f}")
    misses = [r for r in report["questions"] if r["answerable"] and (r["ranks"].get("hybrid") or k + 1) > k]
    if misses and "hybrid" in report["metrics"]:
        lines.append(f"hybrid misses (not in top {k}):")
        lines += [f"  - {r['question']}" for r in misses]
    return "\n".join(lines)
