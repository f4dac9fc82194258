"""Verify fresh.jsonl against benchmarks/corpus-fresh as hsqa extracts it (PDF/HTML through hsqa.extract).

Each key phrase must occur in the extracted text of its document (whitespace and emphasis collapsed, case
ignored); a phrase that occurs in the text but in no single parsed paragraph is reported apart ("split"):
that is a parsing defect, not a wrong question. Paraphrase questions must share no content word with the
paragraph that holds their phrase (verify_a's rule).

    PYTHONPATH=. .venv/bin/python benchmarks/questions/verify_fresh.py
    PYTHONPATH=. .venv/bin/python benchmarks/questions/verify_fresh.py \
        --questions benchmarks/questions/fresh2.jsonl --corpus benchmarks/corpus-fresh2
"""
import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from hsqa.extract import load  # noqa: E402
from verify_a import shared  # noqa: E402

CORPUS = ROOT / "benchmarks" / "corpus-fresh"


def norm(s: str) -> str:
    return " ".join(re.sub(r"[*_]", "", s).lower().split())


_docs = {}


def doc(name):
    if name not in _docs:
        _docs[name] = load(CORPUS / name, name)
    return _docs[name]


def check(name, phrase, q, kind, errs, split, tag):
    if not (CORPUS / name).exists():
        errs.append(f"{tag}: missing document {name}")
        return
    n = len(phrase.split())
    if not 1 <= n <= 12:
        errs.append(f"{tag}: answer has {n} words")
    d = doc(name)
    if norm(phrase) not in norm(d.text):
        errs.append(f"{tag}: phrase not in the extracted text of {name}: {phrase!r}")
        return
    hits = [p for p in d.paragraphs if norm(phrase) in norm(p.text)]
    if not hits:
        split.append(f"{tag}: phrase in the text but in no single paragraph of {name}: {phrase!r}")
        return
    if kind == "paraphrase":
        sh = shared(q, hits[0].text)
        if sh:
            errs.append(f"{tag}: paraphrase shares content words {sh}")


def main() -> int:
    global CORPUS
    ap = argparse.ArgumentParser(description="check the key phrases of a held-out question set")
    ap.add_argument("--questions", default=str(HERE / "fresh.jsonl"))
    ap.add_argument("--corpus", default=str(CORPUS))
    args = ap.parse_args()
    CORPUS = Path(args.corpus).resolve()
    errs, split = [], []
    items = [json.loads(x) for x in Path(args.questions).read_text(encoding="utf-8").splitlines() if x.strip()]
    ids = set()
    for r in items:
        if r["id"] in ids:
            errs.append(f"duplicate id {r['id']}")
        ids.add(r["id"])
        if r["kind"].startswith("unanswerable"):
            if r["document"] is not None or r["answer"] is not None:
                errs.append(f"{r['id']}: unanswerable with an answer")
            continue
        pairs = [(a["document"], a["answer"]) for a in r.get("answers") or []] or [(r["document"], r["answer"])]
        if r["kind"] == "multi-doc" and len({d for d, _ in pairs}) < 2:
            errs.append(f"{r['id']}: multi-doc with <2 documents")
        for d, a in pairs:
            check(d, a, r["question"], r["kind"], errs, split, r["id"])
    kinds = {}
    for r in items:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    print("questions:", len(items), "kinds:", dict(sorted(kinds.items())))
    for e in errs:
        print("FAIL", e)
    for s in split:
        print("SPLIT", s)
    print("failures:", len(errs), "| phrases split across paragraphs by the parser:", len(split))
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
