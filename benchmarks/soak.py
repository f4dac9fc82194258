"""Soak test: ``hsqa ask --questions`` batches against a corpus that is edited and re-indexed meanwhile.

    .venv/bin/python benchmarks/soak.py [--seconds 75] [--model hashing|all-MiniLM-L6-v2] [--json]

A private copy of the bundled corpus is indexed, then for ``--seconds``:
  * an editor changes files every ~0.3 s (edits a paragraph, appends one, adds and deletes a file, renames a
    file, makes a file unparseable for a while, then restores it) and records every version it writes;
  * ``hsqa watch`` (model loaded once) re-indexes after each change;
  * batches of 50-150 questions (tests/data/qa*.jsonl, shuffled) run through ``hsqa ask --json --questions``
    in fresh processes, back to back.
Counted: failed batches (non-zero exit, a traceback or "unexpected error", a line that is not JSON, a
missing answer line), and citations whose text is not in any version of its source file that the editor
ever wrote. Both must be zero. Prints a summary (``--json``: one JSON object).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [json.loads(x)["question"] for f in ("qa.jsonl", "qa_heldout.jsonl")
             for x in (ROOT / "tests" / "data" / f).read_text(encoding="utf-8").splitlines() if x.strip()]


class Editor:
    """Changes the corpus in ways a user does, remembering every version of every path."""

    def __init__(self, corpus: Path, seed: int = 1):
        self.corpus = corpus
        self.rng = random.Random(seed)
        self.versions: dict[str, set[str]] = {}
        self.lock = threading.Lock()
        self.edits = 0
        for p in corpus.iterdir():
            self._remember(p.name, p.read_text(encoding="utf-8"))

    def _remember(self, name: str, text: str) -> None:
        with self.lock:
            self.versions.setdefault(name, set()).add(text)

    def _write(self, name: str, text: str) -> None:
        self._remember(name, text)  # before the write: a reader can see the file the moment it exists
        tmp = self.corpus / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.corpus / name)

    def has_text(self, source: str, text: str) -> bool:
        with self.lock:
            return any(text in v for v in self.versions.get(source, ()))

    def step(self, n: int) -> None:
        files = sorted(p.name for p in self.corpus.iterdir() if not p.name.startswith("."))
        kind = self.rng.choice(["edit", "edit", "edit", "append", "add", "delete", "rename", "break"])
        name = self.rng.choice(files)
        path = self.corpus / name
        if kind == "break" and not name.startswith("broken-"):
            data = path.read_bytes()
            path.write_bytes(b"\x00\x01 not text any more " * 10)  # unparseable for a moment…
            time.sleep(self.rng.uniform(0.5, 2.0))
            self._write(name, data.decode("utf-8"))  # …then restored
        elif kind == "add":
            self._write(f"extra-{n}.txt", f"Extra Meeting {n}\n\n{n % 28 + 1} May 2011\n\nParticipants discussed "
                        f"glacier melt number {n} and the protection of civilians.\n\nA second paragraph {n}.\n")
        elif kind == "delete" and name.startswith("extra-"):
            path.unlink()
        elif kind == "rename" and name.startswith("extra-"):
            new = f"renamed-{n}.txt"
            self._remember(new, path.read_text(encoding="utf-8"))
            os.rename(path, self.corpus / new)
        else:
            text = path.read_text(encoding="utf-8")
            paras = text.split("\n\n")
            if kind == "append" or len(paras) < 3:
                paras.append(f"A closing remark {n} on human security was noted.")
            else:
                i = self.rng.randrange(2, len(paras))
                words = paras[i].split(" ")
                j = self.rng.randrange(len(words))
                words[j] = f"{words[j]}{n}" if self.rng.random() < 0.5 else words[j].rstrip("0123456789")
                paras[i] = " ".join(words)
            self._write(name, "\n\n".join(paras))
        self.edits += 1


def hsqa(*args) -> list[str]:
    return [sys.executable, "-m", "hsqa.cli", *args]


def soak(seconds: float, model: str, seed: int = 1) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="hsqa-soak-"))
    corpus, index = tmp / "corpus", tmp / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    env = dict(os.environ, HSQA_CORPUS=str(corpus), HSQA_INDEX=str(index), HSQA_MODEL=model, HF_HUB_OFFLINE="1",
               PYTHONPATH=str(ROOT))
    env.pop("HSQA_FAULT", None)
    subprocess.run(hsqa("index", "-q"), env=env, cwd=ROOT, check=True, capture_output=True)
    editor = Editor(corpus, seed)
    watch_out = open(tmp / "watch.log", "w")
    watcher = subprocess.Popen(hsqa("watch", "--interval", "0.2", "--debounce", "0.3"), env=env, cwd=ROOT,
                               stdout=watch_out, stderr=subprocess.STDOUT, text=True)
    stop = threading.Event()

    def edit_loop():
        n = 0
        while not stop.is_set():
            n += 1
            editor.step(n)
            time.sleep(editor.rng.uniform(0.1, 0.5))

    t = threading.Thread(target=edit_loop, daemon=True)
    t.start()
    rng = random.Random(seed)
    stats = {"model": model, "seconds": seconds, "batches": 0, "failed_batches": 0, "questions": 0,
             "citations": 0, "bad_citations": 0, "failures": [], "bad": []}
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            qs = [rng.choice(QUESTIONS) for _ in range(rng.randint(50, 150))]
            qfile = tmp / "questions.txt"
            qfile.write_text("\n".join(qs) + "\n", encoding="utf-8")
            p = subprocess.run(hsqa("ask", "--json", "-k", "5", "--questions", str(qfile)), env=env,
                               cwd=ROOT, capture_output=True, text=True, timeout=600)
            check_batch(p, qs, editor, stats)
    finally:
        stop.set()
        t.join(10)
        watcher.terminate()
        watcher.wait(30)
        watch_out.close()
    log = (tmp / "watch.log").read_text(encoding="utf-8")
    stats["edits"] = editor.edits
    stats["index_runs"] = log.count("\n= ")
    stats["watch_errors"] = [x for x in log.splitlines() if x.startswith("error") or "Traceback" in x][:10]
    stats["watch_alive_until_stopped"] = watcher.returncode in (0, -15)
    shutil.rmtree(tmp, ignore_errors=True)
    return stats


def check_batch(p: subprocess.CompletedProcess, qs: list[str], editor: Editor, stats: dict) -> None:
    stats["batches"] += 1
    problem = None
    if p.returncode != 0 or "unexpected error" in p.stderr or "Traceback" in p.stderr:
        problem = f"exit {p.returncode}: {p.stderr.strip()[-300:]}"
    lines = p.stdout.strip().splitlines()
    if problem is None and len(lines) != len(qs):
        problem = f"{len(lines)} answer lines for {len(qs)} questions"
    for line in lines:
        try:
            obj = json.loads(line)
        except ValueError:
            problem = problem or f"not JSON: {line[:100]}"
            continue
        stats["questions"] += 1
        for r in obj.get("results", []):
            stats["citations"] += 1
            if not editor.has_text(r["source"], r["text"]):
                stats["bad_citations"] += 1
                if len(stats["bad"]) < 5:
                    stats["bad"].append({"source": r["source"], "text": r["text"][:120]})
    if problem:
        stats["failed_batches"] += 1
        if len(stats["failures"]) < 5:
            stats["failures"].append(problem)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=75)
    ap.add_argument("--model", default="hashing:256")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    stats = soak(args.seconds, args.model, args.seed)
    if args.json:
        print(json.dumps(stats, ensure_ascii=False))
        return
    print(f"model {stats['model']}, {stats['seconds']:.0f} s: {stats['edits']} edits, {stats['index_runs']} index runs")
    print(f"batches {stats['batches']}, failed {stats['failed_batches']}; questions {stats['questions']}; "
          f"citations {stats['citations']}, not in any version of their file {stats['bad_citations']}")
    for f in stats["failures"]:
        print("  failed:", f)
    for b in stats["bad"]:
        print("  bad citation:", b)
    for e in stats["watch_errors"]:
        print("  watch:", e)
    sys.exit(1 if stats["failed_batches"] or stats["bad_citations"] else 0)


if __name__ == "__main__":
    main()
