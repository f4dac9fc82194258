"""Do two versions of the search code rank the same? Top-k of every question, every mode, side by side.

Per-question speed-ups must not change what is found. This dumps, for each question of the dev and test
splits (and optionally the scale benchmark's question set) and each mode, the top-k results of one code
tree on one index, and compares two dumps::

    git archive main | tar -x -C /tmp/hsqa-base                     # the code to compare against
    python benchmarks/rank_identity.py dump --code /tmp/hsqa-base --out /tmp/base.json
    python benchmarks/rank_identity.py dump --code . --out /tmp/new.json
    python benchmarks/rank_identity.py compare /tmp/base.json /tmp/new.json

``--prune-min-rows 0`` makes the new code leave common terms out of FTS5 queries even on the small
evaluation corpus (by default only from 4,000 matching rows). ``--index DIR --corpus DIR`` use an existing index (e.g. a kept ``benchmarks/scale.py`` index, with
``--questions /tmp/hsqa-scale/questions.json``); by default the evaluation corpus (corpus/ +
benchmarks/corpus/) is indexed once into ``--workdir`` with ``--model`` (default ``hashing``), by the code
under test, and both dumps read that same index.

A difference counts as a tie order only when the swapped results' scores are equal to within ``--tie``
(default 1e-9 relative); anything else is reported as a ranking change (exit status 1).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "benchmarks" / "questions"
FIELDS = ("chunk_id", "score", "confidence", "relevant", "lexical_rank", "dense_rank", "similarity", "terms")


def load_questions(paths: list[str]) -> list[str]:
    out = []
    for p in paths:
        text = Path(p).read_text(encoding="utf-8")
        if p.endswith(".json"):
            out += json.loads(text)
        else:
            out += [json.loads(line)["question"] for line in text.splitlines() if line.strip()]
    return out


def dump(a) -> None:
    sys.path.insert(0, str(Path(a.code).resolve()))
    from hsqa.config import Config
    from hsqa.embedding import make_embedder
    from hsqa.search import Searcher

    import hsqa

    assert Path(hsqa.__file__).resolve().is_relative_to(Path(a.code).resolve()), hsqa.__file__
    if a.prune_min_rows is not None:  # exercise common-term pruning on a small corpus too
        from hsqa.search import lexical

        assert hasattr(lexical, "PRUNE_MIN_ROWS"), "this code tree has no common-term pruning"
        lexical.PRUNE_MIN_ROWS = a.prune_min_rows
    emb = make_embedder(a.model)
    if a.index:
        cfg = Config(corpus_dir=Path(a.corpus), index_dir=Path(a.index), model=a.model)
    else:
        sys.path.insert(1, str(ROOT / "benchmarks"))
        from tune import eval_corpus

        from hsqa.indexer import Indexer

        slug = "".join(ch if ch.isalnum() else "-" for ch in a.model)[-40:]
        cfg = Config(corpus_dir=eval_corpus(), index_dir=Path(a.workdir) / f"eval-{slug}", model=a.model)
        Indexer(cfg, emb).run()
    searcher = Searcher(cfg, embedder=emb)
    questions = load_questions(a.questions or [str(QUESTIONS / "dev.jsonl"), str(QUESTIONS / "test.jsonl")])
    out: dict = {"code": str(a.code), "index": str(cfg.index_dir), "k": a.k, "modes": {}}
    cpu = 0.0
    plans: dict[str, int] = {}
    for mode in a.modes.split(","):
        rows = []
        for q in questions:
            c = time.process_time()
            resp = searcher.search(q, k=a.k, mode=mode)
            cpu += time.process_time() - c
            rows.append({"q": q, "results": [{f: getattr(r, f) for f in FIELDS} for r in resp.results]})
            if mode != "dense":  # how the lexical top-N was computed (postings, FTS5 full or pruned query)
                plan = getattr(searcher.lexical, "last_plan", "") or "?"
                plans[plan] = plans.get(plan, 0) + 1
        out["modes"][mode] = rows
    out["cpu_s"] = round(cpu, 2)
    out["lexical_plans"] = plans
    Path(a.out).write_text(json.dumps(out))
    print(f"{a.out}: {len(questions)} questions × {len(out['modes'])} modes, search CPU {cpu:.1f} s; lexical plans {plans}")


def _close(x: float, y: float, tol: float) -> bool:
    return abs(x - y) <= tol * max(1.0, abs(x), abs(y))


def compare(a) -> int:
    base, new = json.loads(Path(a.base).read_text()), json.loads(Path(a.new).read_text())
    bad = 0
    for mode, brows in base["modes"].items():
        nrows = new["modes"][mode]
        same = ties = changed = 0
        max_diff = 0.0
        for b, n in zip(brows, nrows, strict=True):
            assert b["q"] == n["q"]
            bids = [r["chunk_id"] for r in b["results"]]
            nids = [r["chunk_id"] for r in n["results"]]
            bscore = {r["chunk_id"]: r for r in b["results"]}
            for r in n["results"]:
                if r["chunk_id"] in bscore:
                    max_diff = max(max_diff, abs(r["score"] - bscore[r["chunk_id"]]["score"]))
            if bids == nids and all(_same(x, y, a.tie) for x, y in zip(b["results"], n["results"])):
                same += 1
                continue
            if _tie_only(b["results"], n["results"], a.tie):
                ties += 1
                continue
            changed += 1
            if changed <= a.show:
                print(f"  [{mode}] {b['q']!r}\n    base {_brief(b['results'])}\n    new  {_brief(n['results'])}")
        bad += changed
        print(f"{mode}: {len(brows)} questions: identical {same}, tie order only {ties}, changed {changed}; "
              f"max |score diff| of a shared result {max_diff:.3g}")
    print(f"CPU: base {base.get('cpu_s')} s, new {new.get('cpu_s')} s")
    return 1 if bad else 0


def _tie_only(b: list[dict], n: list[dict], tol: float) -> bool:
    """Same results, same fields except order, and every reordered pair scores equal (within ``tol``)."""
    if len(b) != len(n):
        return False
    for i, (x, y) in enumerate(zip(b, n)):
        if x["chunk_id"] == y["chunk_id"]:
            if not _same(x, y, tol):
                return False
            continue
        if not _close(x["score"], y["score"], tol):
            return False
    key = lambda r: r["chunk_id"]  # noqa: E731
    return all(_same(x, y, tol) for x, y in zip(sorted(b, key=key), sorted(n, key=key)))


def _same(x: dict, y: dict, tol: float) -> bool:
    """Equal results; floats equal to within ``tol`` (sums over sets differ in their last bits from run to run)."""
    for f in FIELDS:
        u, v = x.get(f), y.get(f)
        if isinstance(u, float) and isinstance(v, float):
            if not _close(u, v, tol):
                return False
        elif u != v:
            return False
    return True


def _brief(results: list[dict]) -> str:
    return " ".join(f"{r['chunk_id']}:{r['score']:.6f}" for r in results)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--code", default=str(ROOT), help="the code tree whose hsqa package is imported")
    d.add_argument("--out", required=True)
    d.add_argument("--model", default="hashing")
    d.add_argument("--modes", default="hybrid,lexical,dense")
    d.add_argument("--k", type=int, default=10)
    d.add_argument("--index")
    d.add_argument("--corpus")
    d.add_argument("--questions", action="append", help="a .jsonl split or a .json list (repeatable)")
    d.add_argument("--workdir", default="/tmp/hsqa-rank-identity")
    d.add_argument("--prune-min-rows", type=int, help="set hsqa.search.lexical.PRUNE_MIN_ROWS (0: always prune)")
    c = sub.add_parser("compare")
    c.add_argument("base")
    c.add_argument("new")
    c.add_argument("--tie", type=float, default=1e-9)
    c.add_argument("--show", type=int, default=5)
    a = ap.parse_args()
    if a.what == "dump":
        dump(a)
    else:
        sys.exit(compare(a))


if __name__ == "__main__":
    main()
