"""Measures of the conversation layer, for ``benchmarks/conversation.py`` and ``hsqa.evaluate``:

- :func:`followup_recall`: share of follow-up pairs ("Who co-chaired the fifth meeting?" → "When was that?")
  whose follow-up finds the right passage in its top k, asked in a conversation after its first question,
  side by side with the same follow-up asked on its own; and the share whose quote holds the key phrase.
- :func:`quote_share`: share of questions whose quoted sentence contains the expected key phrase; and its
  ceiling, the share where some quote the cited passages offer contains it (a sentence or list line, with the
  sentence it leans on: :func:`hsqa.answer.quote_span`); and the quotes' mean length in words.

Both take an :class:`~hsqa.engine.Engine` (any index, any model) and JSON-lines question files in the
format of ``tests/data/qa.jsonl`` (``question``, ``document``, ``answer``; optional ``answers``: a list of
other acceptable ``{"document", "answer"}``) and, for pairs, ``{"turns": [turn, turn]}`` of that shape.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .answer import passage_quotes
from .text import TOKEN
from .conversation import Conversation
from .errors import HsqaError


def _norm(s: str) -> str:
    s = re.sub(r"[*_]", "", s)
    return " ".join(s.lower().split())


def _accepted(item: dict) -> list[tuple[str, str]]:
    out = [(item["document"], item["answer"])]
    out += [(a["document"], a["answer"]) for a in item.get("answers") or () if a.get("document") and a.get("answer")]
    return out


def answerable(items: list[dict]) -> list[dict]:
    """The items with an expected passage (question files also hold unanswerable questions)."""
    return [i for i in items if i.get("document") and i.get("answer")]


def hit(result: dict, item: dict) -> bool:
    """Is ``result`` (a turn's result row) the passage ``item`` expects?"""
    return any(doc in result["source"] and _norm(ans) in _norm(result["text"]) for doc, ans in _accepted(item))


def quoted(sentence: str | None, item: dict) -> bool:
    return bool(sentence) and any(_norm(ans) in _norm(sentence) for _, ans in _accepted(item))


def load_jsonl(path: Path) -> list[dict]:
    items = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise HsqaError(f"cannot read {path}: {e.strerror}") from None
    for n, line in enumerate(lines, 1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise HsqaError(f"{path}:{n}: not valid JSON ({e.msg})") from None
    return items


def load_followups(path: Path) -> list[dict]:
    pairs = load_jsonl(path)
    for n, p in enumerate(pairs, 1):
        turns = p.get("turns")
        if not isinstance(turns, list) or len(turns) < 2 or any(
            not all(t.get(k) for k in ("question", "document", "answer")) for t in turns
        ):
            raise HsqaError(f"{path}: pair {n} needs 'turns': two or more of question, document, answer")
    return pairs


def followup_recall(engine, pairs: list[dict], k: int = 5) -> dict:
    """Ask each pair's turns in one conversation; is the last turn's expected passage in its top ``k``?

    Also asks the last question alone (no conversation) for comparison, and records whether the earlier
    turns found theirs (a follow-up of a missed first answer starts from the wrong place).
    """
    rows = []
    for p in pairs:
        turns = p["turns"]
        conv = Conversation(None)
        asked = [conv.ask(engine, t["question"], k=k) for t in turns]
        last, want = asked[-1], turns[-1]
        alone = Conversation(None).ask(engine, want["question"], k=k)
        rows.append(
            {
                "id": p.get("id"),
                "question": want["question"],
                "after": turns[-2]["question"],
                "followup": bool(last.followup),
                "hit": any(hit(r, want) for r in last.results[:k]),
                "alone": any(hit(r, want) for r in alone.results[:k]),
                "first_hit": all(any(hit(r, t) for r in a.results[:k]) for a, t in zip(asked[:-1], turns[:-1])),
                "rank": next((r["rank"] for r in last.results if hit(r, want)), None),
                "quoted": quoted(last.answer["sentence"] if last.answer else None, want),
            }
        )
    n = len(rows) or 1
    return {
        "n": len(rows),
        "k": k,
        f"recall@{k}": sum(r["hit"] for r in rows) / n,
        f"recall@{k}_alone": sum(r["alone"] for r in rows) / n,
        "quote_share": sum(r["quoted"] for r in rows) / n,
        "taken_as_followup": sum(r["followup"] for r in rows) / n,
        "first_turn_found": sum(r["first_hit"] for r in rows) / n,
        "pairs": rows,
    }


def quote_share(engine, items: list[dict], k: int = 5) -> dict:
    """Share of questions whose quoted sentence contains the key phrase; also among those whose expected
    passage is retrieved in the top ``k`` (the quote cannot be right when the passage is missing)."""
    rows = []
    for item in answerable(items):
        reply = engine.ask_text(item["question"], k=k)
        sentence = reply.answer["sentence"] if reply.answer else None
        rows.append(
            {
                "question": item["question"],
                "quoted": quoted(sentence, item),
                "retrieved": any(hit(r, item) for r in reply.results[:k]),
                "quotable": any(quoted(r["text"][a:b], item) for r in reply.results[:k] for a, b in passage_quotes(r["text"])),
                "abstained": reply.answer is None,
                "sentence": sentence,
            }
        )
    n = len(rows) or 1
    found = [r for r in rows if r["retrieved"]]
    return {
        "n": len(rows),
        "quote_share": sum(r["quoted"] for r in rows) / n,
        "retrieved": len(found) / n,
        "quote_share_when_retrieved": sum(r["quoted"] for r in found) / (len(found) or 1),
        "ceiling": sum(r["quotable"] for r in rows) / n,
        "abstained": sum(r["abstained"] for r in rows) / n,
        "quote_words": sum(len(TOKEN.findall(r["sentence"])) for r in rows if r["sentence"]) / (sum(bool(r["sentence"]) for r in rows) or 1),
        "questions": rows,
    }


def standalone_in_conversation(engine, items: list[dict], k: int = 5) -> dict:
    """Questions that stand on their own, asked one after another in one conversation (the worst case for
    follow-up detection: every question taken as a follow-up borrows context it should not) against each
    asked alone: recall@k both ways."""
    conv = Conversation(None)
    rows = []
    for item in items:
        turn = conv.ask(engine, item["question"], k=k)
        if not (item.get("document") and item.get("answer")):
            continue  # asked (it is part of the conversation), not scored
        alone = Conversation(None).ask(engine, item["question"], k=k) if turn.followup else turn
        rows.append(
            {
                "question": item["question"],
                "followup": bool(turn.followup),
                "hit": any(hit(r, item) for r in turn.results[:k]),
                "alone": any(hit(r, item) for r in alone.results[:k]),
            }
        )
    n = len(rows) or 1
    return {
        "n": len(rows),
        f"recall@{k}_in_conversation": sum(r["hit"] for r in rows) / n,
        f"recall@{k}_alone": sum(r["alone"] for r in rows) / n,
        "taken_as_followup": sum(r["followup"] for r in rows) / n,
        "questions": rows,
    }
