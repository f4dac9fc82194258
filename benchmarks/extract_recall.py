"""Done-when check for PDF/HTML: the same documents as .txt/.md, as PDF and as HTML get the same Recall@5.

    .venv/bin/python benchmarks/extract_recall.py [--set bundled|dev|all] [--dev DIR] [--questions DIR]

Each set of documents is converted by tests/docmaker.py (multi-page PDFs with running headers, page-number
footers, footnotes, justified lines and line-end hyphens; HTML pages with site chrome around the article),
the question files are pointed at the converted names, and each form is indexed with the real model and
evaluated with ``hsqa.evaluate`` (the code of ``hsqa eval``) side by side in one process. Also checked on
every converted index: no passage holds a running header/footer or navigation text, and every PDF passage
sits on the page the writer put it on.

Sets: "bundled" = corpus/ with tests/data/qa.jsonl; "dev" = benchmarks/corpus/ with
benchmarks/questions/qa-a.jsonl and qa-b.jsonl. Results: printed, and benchmarks/extract-recall.json.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hsqa.config import Config  # noqa: E402
from hsqa.embedding import make_embedder  # noqa: E402
from hsqa.evaluate import evaluate, load_qa  # noqa: E402
from hsqa.indexer import Indexer  # noqa: E402
from hsqa.search import Searcher  # noqa: E402
from tests.docmaker import CHROME_TEXTS, make_html, make_pdf, source_from_file  # noqa: E402

RUNNING = re.compile(r"- \d+ -|Page \d+ of \d+|HS/EVAL/\d+")


def convert(src_dir: Path, out: Path, kind: str) -> dict[str, dict]:
    """Write every .txt/.md of ``src_dir`` as ``kind`` into ``out``; return per-file ground truth."""
    out.mkdir(parents=True)
    truth = {}
    files = sorted(p for p in src_dir.iterdir() if p.suffix in (".txt", ".md") and p.name != "README.md")
    for i, p in enumerate(files):
        src = source_from_file(p)
        name = p.stem + "." + kind
        if kind == "pdf":
            data, t = make_pdf(src, symbol=f"HS/EVAL/{i + 1}", footer=("dash", "pageof")[i % 2], justify=i % 3 != 2)
            (out / name).write_bytes(data)
            truth[name] = {"pages": t.pages, "paragraphs": t.paragraphs}
        else:
            (out / name).write_text(make_html(src), encoding="utf-8")
            truth[name] = {}
    return truth


def renamed(items: list[dict], kind: str) -> list[dict]:
    out = []
    for it in items:
        doc = it["document"]
        if kind != "orig":
            doc = re.sub(r"\.(txt|md|markdown)$", "." + kind, doc)
        out.append({**it, "document": doc})
    return out


def answerable(path: Path) -> list[dict]:
    """The questions of a file that name a document and an answer (unanswerable ones are left out here)."""
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    keep = [r for r in rows if r.get("document") and r.get("answer")]
    tmp = Path(tempfile.mkdtemp()) / path.name
    tmp.write_text("".join(json.dumps(r) + "\n" for r in keep), encoding="utf-8")
    return load_qa(tmp)  # the checks of 'hsqa eval'


def norm(s: str) -> str:
    return " ".join(s.replace("-", "").split())


def check_passages(searcher: Searcher, truth: dict, kind: str) -> dict:
    """Running headers/footers/chrome in passages, and PDF pages against the writer's."""
    store = searcher.store
    leaks, wrong_page, checked = [], 0, 0
    for d in store.documents():
        want = {norm(t): pg for t, pg in truth.get(d["path"], {}).get("paragraphs", [])}
        for p in store.paragraphs(d["id"]):
            text = p["text"]
            if RUNNING.search(text) or any(c in text for c in CHROME_TEXTS):
                leaks.append(f"{d['path']} ¶{p['number']}")
            if kind == "pdf" and norm(text) in want:
                checked += 1
                wrong_page += p["page"] != want[norm(text)]
    return {"leaks": leaks, "pages_checked": checked, "wrong_pages": wrong_page}


def run_set(name: str, src_dir: Path, qa_files: list[Path], embedder, work: Path) -> dict:
    items = [it for f in qa_files for it in answerable(f)]
    res = {"documents": None, "questions": len(items), "forms": {}}
    for kind in ("orig", "pdf", "html"):
        corpus = work / name / kind / "corpus"
        if kind == "orig":
            shutil.copytree(src_dir, corpus, ignore=shutil.ignore_patterns("README.md"))
            truth = {}
        else:
            truth = convert(src_dir, corpus, kind)
        qa_file = work / name / kind / "qa.jsonl"
        qa_file.write_text("".join(json.dumps(it, ensure_ascii=False) + "\n" for it in renamed(items, kind)), encoding="utf-8")
        config = Config(corpus_dir=corpus, index_dir=work / name / kind / "index", model=embedder.name)
        t0 = time.perf_counter()
        report = Indexer(config, embedder).run()
        secs = time.perf_counter() - t0
        searcher = Searcher(config, embedder)
        ev = evaluate(searcher, renamed(items, kind), k=5)
        row = {
            "documents": report.documents,
            "passages": report.chunks,
            "skipped": report.skipped,
            "index_s": round(secs, 2),
            **{m: round(v["recall@5"], 4) for m, v in ev["metrics"].items()},
            "hybrid_r1": round(ev["metrics"]["hybrid"]["recall@1"], 4),
            "hybrid_mrr": round(ev["metrics"]["hybrid"]["mrr"], 4),
        }
        if kind != "orig":
            row.update(check_passages(searcher, truth, kind))
            base = res["forms"]["orig"]
            row["delta_hybrid_r5"] = round(row["hybrid"] - base["hybrid"], 4)
            misses = {q["question"] for q in ev["questions"] if (q["ranks"].get("hybrid") or 99) > 5}
            row["new_misses"] = sorted(misses - res["orig_misses"])
        else:
            res["orig_misses"] = {q["question"] for q in ev["questions"] if (q["ranks"].get("hybrid") or 99) > 5}
        res["forms"][kind] = row
        searcher.store.close()
    res.pop("orig_misses")
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", choices=["bundled", "dev", "all"], default="all")
    ap.add_argument("--dev", default=str(ROOT / "benchmarks" / "corpus"))
    ap.add_argument("--questions", default=str(ROOT / "benchmarks" / "questions"))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "extract-recall.json"))
    ap.add_argument("--keep", metavar="DIR", help="keep the converted corpora, indexes and question files here, "
                    "e.g. for: hsqa eval --corpus DIR/dev/pdf/corpus --index DIR/dev/pdf/index DIR/dev/pdf/qa.jsonl")
    args = ap.parse_args()
    sets = []
    if args.set in ("bundled", "all"):
        sets.append(("bundled", ROOT / "corpus", [ROOT / "tests" / "data" / "qa.jsonl"]))
    if args.set in ("dev", "all"):
        qdir = Path(args.questions)
        qa = [qdir / "qa-a.jsonl", qdir / "qa-b.jsonl"]
        if Path(args.dev).is_dir() and all(q.exists() for q in qa):
            sets.append(("dev", Path(args.dev), qa))
        else:
            print(f"dev set skipped: {args.dev} or {qdir}/qa-a.jsonl, qa-b.jsonl missing", file=sys.stderr)
    embedder = make_embedder(Config().model)
    embedder.load()
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        for name, src, qa in sets:
            out[name] = run_set(name, src, qa, embedder, work)
    Path(args.out).write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    print(markdown(out))


def markdown(out: dict) -> str:
    lines = [
        "| set | form | docs | passages | Recall@5 hybrid | Δ vs txt/md | lexical | dense | R@1 hybrid | MRR | header/footer/nav in passages | PDF pages right |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, res in out.items():
        for kind, r in res["forms"].items():
            delta = f"{r['delta_hybrid_r5']:+.3f}" if "delta_hybrid_r5" in r else ""
            leaks = str(len(r["leaks"])) if "leaks" in r else ""
            pages = f"{r['pages_checked'] - r['wrong_pages']}/{r['pages_checked']}" if kind == "pdf" else ""
            lines.append(
                f"| {name} ({res['questions']} q) | {kind} | {r['documents']} | {r['passages']} | {r['hybrid']:.3f} | {delta} "
                f"| {r['lexical']:.3f} | {r['dense']:.3f} | {r['hybrid_r1']:.3f} | {r['hybrid_mrr']:.3f} | {leaks} | {pages} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
