"""The conversation layer measured: follow-up pairs and the quoted sentence.

    .venv/bin/python benchmarks/conversation.py                      # builds a temp index of benchmarks/corpus
    .venv/bin/python benchmarks/conversation.py --index DIR          # reuse an index of that corpus

- follow-ups: each pair of benchmarks/questions/followups-{dev,test}.jsonl asked in one conversation; share of
  pairs whose follow-up finds the expected passage in its top 5, against the follow-up asked on its own
  (``hsqa.measure.followup_recall``);
- standalone questions asked one after another in one conversation (benchmarks/questions/dev.jsonl): the
  cost of taking one for a follow-up, recall@5 against each asked alone;
- quote: share of questions whose quoted sentence contains the key phrase (tests/data/qa*.jsonl on the
  bundled corpus, benchmarks/questions/{dev,test}.jsonl on benchmarks/corpus) (``hsqa.measure.quote_share``).

Writes benchmarks/CONVERSATION.md and benchmarks/conversation.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import common  # noqa: E402

from hsqa.config import Config  # noqa: E402
from hsqa.engine import Engine  # noqa: E402
from hsqa.indexer import Indexer  # noqa: E402
from hsqa.measure import followup_recall, load_followups, load_jsonl, quote_share, standalone_in_conversation  # noqa: E402

QUESTIONS = ROOT / "benchmarks" / "questions"


def engine_for(corpus: Path, index: Path | None, tmp: Path) -> Engine:
    """The default model over ``index`` (built into ``tmp`` from a copy of ``corpus`` when not given)."""
    if index is None:  # a folder of its own: both corpora are folders named "corpus"
        work = Path(tempfile.mkdtemp(dir=tmp))
        shutil.copytree(corpus, work / "corpus")
        corpus, index = work / "corpus", work / "index"
        Indexer(Config(corpus, index)).run()
    engine = Engine(Config(corpus, index))
    engine.load_model()
    return engine


def summary(d: dict) -> dict:
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in d.items() if not isinstance(v, list)}


def quote_model_lines() -> list[str]:
    """How the quote model in use was fitted (hsqa/quote_weights.json, written by benchmarks/quote_fit.py)."""
    from hsqa.answer import QUOTE_WEIGHTS

    data = json.loads(QUOTE_WEIGHTS.read_text(encoding="utf-8"))
    lines = ["", f"Quote model: `{QUOTE_WEIGHTS.relative_to(ROOT)}`, fitted {data.get('fitted', '?')} on {data.get('data', '?')}:"]
    for mode, m in data["modes"].items():
        lines.append(
            f"- {mode}: C = {m['C']}, {m['with_key_phrase']} dev questions with the key phrase in a cited sentence; "
            f"held-out top-1 {m['cv_top1']:.3f} (5-fold grouped, repeated), on its training data {m['train_top1']:.3f}"
        )
    return lines + [f"- refit: `{data['command']}`"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, help="an index of benchmarks/corpus already built with the default model")
    ap.add_argument("--bundled-index", type=Path, help="an index of ./corpus already built with the default model")
    ap.add_argument("--corpus", type=Path, default=ROOT / "benchmarks" / "corpus", help="the corpus --index was built from")
    ap.add_argument("--questions", type=Path, default=QUESTIONS, help="folder of the question files")
    args = ap.parse_args()
    questions = args.questions
    out: dict = {"measured": time.strftime("%Y-%m-%d %H:%M")}
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        dev = engine_for(args.corpus, args.index, tmp)
        for split in ("dev", "test"):
            path = questions / f"followups-{split}.jsonl"
            if path.exists():
                out[f"followups-{split}"] = followup_recall(dev, load_followups(path))
        if (questions / "dev.jsonl").exists():
            out["standalone-in-conversation"] = standalone_in_conversation(dev, load_jsonl(questions / "dev.jsonl"))
        for split in ("dev", "test"):
            path = questions / f"{split}.jsonl"
            if path.exists():
                out[f"quote-{split}"] = quote_share(dev, load_jsonl(path))
        bundled = engine_for(ROOT / "corpus", args.bundled_index, tmp)
        for name in ("qa", "qa_heldout"):
            out[f"quote-{name}"] = quote_share(bundled, load_jsonl(ROOT / "tests" / "data" / f"{name}.jsonl"))
    (ROOT / "benchmarks" / "conversation.json").write_text(json.dumps(out, indent=1, ensure_ascii=False))
    lines = [
        "# Conversation layer (`benchmarks/conversation.py`)",
        "",
        f"Measured {out['measured']}; model all-MiniLM-L6-v2, k = 5.",
        "",
        "## Follow-up pairs (benchmarks/corpus)",
        "",
        "| pairs | n | follow-up finds its passage (top 5) | same question asked alone | first question found | follow-up's quote holds the key phrase |",
        "|---|---|---|---|---|---|",
    ]
    for split in ("dev", "test"):
        r = out.get(f"followups-{split}")
        if r:
            lines.append(
                f"| {split} | {r['n']} | **{r['recall@5']:.3f}** | {r['recall@5_alone']:.3f} | {r['first_turn_found']:.3f} | "
                f"{r['quote_share']:.3f} |"
            )
    s = out.get("standalone-in-conversation")
    if s:
        lines += [
            "",
            f"Standalone questions (dev.jsonl, {s['n']} answerable) asked one after another in one conversation: "
            f"recall@5 {s['recall@5_in_conversation']:.3f} against {s['recall@5_alone']:.3f} asked alone; "
            f"{s['taken_as_followup']:.0%} taken for follow-ups.",
        ]
    lines += [
        "",
        "## Quoted sentence contains the key phrase",
        "",
        "quote: share of questions whose quoted sentence holds the key phrase; ceiling: share where some quote "
        "(sentence or list line, with the sentence it leans on) of the 5 cited passages holds it (no sentence chooser "
        "can do better); abstained: no passage "
        "answers, nothing quoted; words: the quotes' mean length (a sentence, or two when one leans on the other).",
        "",
        "| questions | n | quote | passage retrieved | quote when retrieved | ceiling | abstained | words |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in ("quote-qa", "quote-qa_heldout", "quote-dev", "quote-test"):
        r = out.get(name)
        if r:
            lines.append(
                f"| {name[6:]} | {r['n']} | **{r['quote_share']:.3f}** | {r['retrieved']:.3f} | "
                f"{r['quote_share_when_retrieved']:.3f} | {r['ceiling']:.3f} | {r['abstained']:.3f} | {r['quote_words']:.1f} |"
            )
    lines += quote_model_lines()
    md = ROOT / "benchmarks" / "CONVERSATION.md"
    common.write_keeping_notes(md, lines)
    print("\n".join(lines))
    print(json.dumps({k: summary(v) for k, v in out.items() if isinstance(v, dict)}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
