"""Split the evaluation questions ONCE into dev (tune on it) and test (report only), by document.

    .venv/bin/python benchmarks/split.py

A question goes to the split of its (first) answering document, so test questions are about documents no
tuning ever looked at; unanswerable questions are split by their id. Documents are assigned by a hash of
their file name (about half each); the two bundled documents are dev. The older question sets
(tests/data/qa.jsonl, qa_heldout.jsonl) are not used: they were written for a two-document corpus and are
ambiguous in this one ("Who bears the main duty for keeping people safe?"); they stay the bundled corpus's
own test data. Writes
benchmarks/questions/{dev,test}.jsonl and followups-{dev,test}.jsonl; rerunning gives the same split.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
Q = ROOT / "benchmarks" / "questions"
BUNDLED = {p.name for p in (ROOT / "corpus").iterdir()}


def split_of(key: str) -> str:
    if key in BUNDLED:
        return "dev"
    return "test" if int(hashlib.sha256(key.encode()).hexdigest(), 16) % 2 else "dev"


def first_document(item: dict) -> str | None:
    if item.get("answers"):
        return item["answers"][0]["document"]
    if "turns" in item:
        return item["turns"][0].get("document")
    return item.get("document")


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    out = {"dev": [], "test": []}
    fout = {"dev": [], "test": []}
    for path in sorted(Q.glob("qa-*.jsonl")):
        for i, item in enumerate(read(path)):
            item.setdefault("id", f"{path.stem}-{i + 1:03d}")
            item.setdefault("kind", "fact")
            doc = first_document(item)
            out[split_of(doc) if doc else split_of(item["id"])].append(item)
    for path in sorted(p for p in Q.glob("followups-*.jsonl") if p.stem not in ("followups-dev", "followups-test")):
        for item in read(path):
            fout[split_of(first_document(item))].append(item)
    for name in ("dev", "test"):
        (Q / f"{name}.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in out[name]), encoding="utf-8")
        (Q / f"followups-{name}.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in fout[name]), encoding="utf-8")
        print(f"{name}: {len(out[name])} questions, {len(fout[name])} follow-up pairs")


if __name__ == "__main__":
    main()
