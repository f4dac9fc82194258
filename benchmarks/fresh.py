"""The unseen-shapes probe: hsqa on the held-out corpus (benchmarks/corpus-fresh/: HTML pages shaped like
press.un.org, un.org/sg and news.un.org, PDFs laid out like UN resolutions and a chair's summary, text
press releases) with its questions (benchmarks/questions/fresh.jsonl), never used to choose anything.

    PYTHONPATH=. HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fresh.py [--model M] [--json OUT] [--parse]
    PYTHONPATH=. HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fresh.py --corpus benchmarks/corpus-fresh2 \
        --questions benchmarks/questions/fresh2.jsonl [--json OUT] [--parse]     # the second probe (FRESH2.md)

Builds a throw-away index of the corpus (its README.md left out) and prints hsqa.evaluate's table: Recall@1,
Recall@5 and MRR for lexical, dense and hybrid, overall and per kind, and abstention. ``--parse`` prints
each document as parsed instead (title, date, place, sections and paragraphs), to look for parse defects.
``--compare BEFORE.json AFTER.json`` prints two saved reports side by side as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hsqa.config import DEFAULT_MODEL, Config  # noqa: E402
from hsqa.evaluate import evaluate, format_table, load_qa  # noqa: E402

CORPUS = ROOT / "benchmarks" / "corpus-fresh"
QUESTIONS = ROOT / "benchmarks" / "questions" / "fresh.jsonl"


def documents(corpus: Path = CORPUS) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if p.is_file() and p.name != "README.md")


def show_parse(corpus: Path = CORPUS) -> None:
    from hsqa.extract import load

    for path in documents(corpus):
        d = load(path, path.name)
        print(f"=== {path.name}\n  title: {d.title}\n  date: {d.date} {d.date_end or ''} place: {d.place}")
        for p in d.paragraphs:
            page = f" p.{p.page}" if p.page else ""
            print(f"  ¶{p.number}{page} [{p.section}] {p.text!r}")


def run(model: str, corpus_dir: Path = CORPUS, questions: Path = QUESTIONS) -> dict:
    from hsqa.embedding import make_embedder
    from hsqa.indexer import Indexer
    from hsqa.search import Searcher

    with tempfile.TemporaryDirectory(prefix="hsqa-fresh-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for p in documents(corpus_dir):
            shutil.copyfile(p, corpus / p.name)
        config = Config(corpus_dir=corpus, index_dir=Path(tmp) / "index", model=model)
        emb = make_embedder(model)
        Indexer(config, emb).run()
        searcher = Searcher(config, emb)
        report = evaluate(searcher, load_qa(questions), k=5)
        searcher.close() if hasattr(searcher, "close") else None
    return report


def compare(before: dict, after: dict) -> str:
    """Two reports (``--json`` files) side by side: overall and per kind, three modes, then abstention."""
    k = before["k"]
    rows = ["| questions | n | mode | R@1 before | R@1 after | R@%d before | R@%d after | MRR before | MRR after |" % (k, k),
            "|---|---|---|---|---|---|---|---|---|"]
    groups = [("**all answerable**", before["metrics"], after["metrics"])]
    groups += [(kind, per, after["kinds"][kind]) for kind, per in before["kinds"].items()]
    for name, b, a in groups:
        for mode in ("hybrid", "lexical", "dense"):
            x, y = b[mode], a[mode]
            rows.append(f"| {name} | {x['n']} | {mode} | {x['recall@1']:.3f} | {y['recall@1']:.3f} | "
                        f"{x[f'recall@{k}']:.3f} | {y[f'recall@{k}']:.3f} | {x['mrr']:.3f} | {y['mrr']:.3f} |")
    rows += ["", "| mode | unanswerable abstained before | after | answerable answered before | after |", "|---|---|---|---|---|"]
    for mode in ("hybrid", "lexical", "dense"):
        x, y = before["abstention"][mode], after["abstention"][mode]
        rows.append(f"| {mode} | {x['unanswerable_abstained']:.3f} (of {x['unanswerable']}) | {y['unanswerable_abstained']:.3f} | "
                    f"{x['answerable_answered']:.3f} | {y['answerable_answered']:.3f} |")
    rows += ["", f"Quoted sentence contains the key phrase (hybrid): {before['answer_sentence']:.3f} before, "
             f"{after['answer_sentence']:.3f} after."]
    return "\n".join(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--json", help="write the full report (per question ranks too) to this file")
    ap.add_argument("--parse", action="store_true", help="print the documents as parsed, and stop")
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="the held-out corpus (default: benchmarks/corpus-fresh)")
    ap.add_argument("--questions", type=Path, default=QUESTIONS, help="its questions (default: benchmarks/questions/fresh.jsonl)")
    ap.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"), help="print two saved reports side by side")
    args = ap.parse_args()
    if args.compare:
        b, a = (json.loads(Path(x).read_text(encoding="utf-8")) for x in args.compare)
        print(compare(b, a))
        return 0
    if args.parse:
        show_parse(args.corpus)
        return 0
    report = run(args.model, args.corpus, args.questions)
    print(format_table(report, str(args.questions)))
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
