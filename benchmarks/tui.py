"""Time to first paint and to first answer of the chat app in a real terminal (tmux, 120×40).

    .venv/bin/python benchmarks/tui.py      # also run as part of benchmarks/run.py

Polls ``tmux capture-pane`` every 10 ms: first paint = the question box's placeholder is on screen;
first answer = a citation card "[1]" is on screen after the question is typed (keyword search if the
model is still loading); semantic answer = the status line says the model is ready and the answer was
upgraded; quit = ctrl+q until the process has ended (after the model loaded, and while it is still loading).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HSQA = str(Path(sys.executable).parent / "hsqa")
QUESTION = "Which country created a ministry for social development and human security?"


def _screen(name: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout


def _wait(name: str, pred, t0: float, timeout: float = 60.0) -> float:
    while time.perf_counter() - t0 < timeout:
        if pred(_screen(name)):
            return time.perf_counter() - t0
        time.sleep(0.01)
    raise TimeoutError(f"screen never matched:\n{_screen(name)}")


def _env(corpus: Path, index: Path) -> str:
    extra = f" PYTHONPATH={os.environ['PYTHONPATH']}" if os.environ.get("PYTHONPATH") else ""  # a worktree's code
    return f"HF_HUB_OFFLINE=1 HSQA_CORPUS={corpus} HSQA_INDEX={index}{extra}"


def _quit(name: str) -> float:
    """Seconds from ctrl+q until the app's process has ended (its tmux session closes with it)."""
    t = time.perf_counter()
    subprocess.run(["tmux", "send-keys", "-t", name, "C-q"], check=True)
    while time.perf_counter() - t < 30:
        if subprocess.run(["tmux", "has-session", "-t", name], capture_output=True).returncode != 0:
            return time.perf_counter() - t
        time.sleep(0.01)
    raise TimeoutError("the app did not quit within 30 s")


def quit_while_loading(corpus: Path, index: Path) -> float:
    """ctrl+q as soon as the app has painted, while the model is still loading in its thread."""
    name = f"hsqa-bench-q-{os.getpid()}"
    env = _env(corpus, index)
    t0 = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "40", f"env {env} {HSQA}"], check=True)
    try:
        _wait(name, lambda s: "Ask a question" in s, t0)
        return _quit(name)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def once(corpus: Path, index: Path) -> dict:
    name = f"hsqa-bench-{os.getpid()}"
    env = _env(corpus, index)
    t0 = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "40", f"env {env} {HSQA}"], check=True)
    try:
        paint = _wait(name, lambda s: "Ask a question" in s, t0)
        subprocess.run(["tmux", "send-keys", "-t", name, "-l", QUESTION], check=True)
        t1 = time.perf_counter()
        subprocess.run(["tmux", "send-keys", "-t", name, "Enter"], check=True)
        first = _wait(name, lambda s: "[1]" in s, t1)
        lexical = "keyword search only" in _screen(name)
        ready = _wait(name, lambda s: "model ready" in s and "keyword search only" not in s, t0)
        quit_s = _quit(name)
        return {"paint": paint, "answer": first, "answer_lexical": lexical, "semantic_ready": ready, "quit": quit_s}
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def measure(reps: int = 3) -> dict:
    if not shutil.which("tmux"):
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(ROOT / "corpus", corpus)
        index = Path(tmp) / "index"
        subprocess.run([HSQA, "index", "-q", "--corpus", str(corpus), "--index", str(index)], check=True,
                       env=dict(os.environ, HF_HUB_OFFLINE="1"))
        runs = []
        for _ in range(reps):
            (index / "conversation.json").unlink(missing_ok=True)
            runs.append(once(corpus, index))
        loading = [quit_while_loading(corpus, index) for _ in range(reps)]
    return {
        "runs": runs,
        "paint_median": statistics.median(r["paint"] for r in runs),
        "paint_max": max(r["paint"] for r in runs),
        "answer_median": statistics.median(r["answer"] for r in runs),
        "semantic_median": statistics.median(r["semantic_ready"] for r in runs),
        "lexical_first": sum(r["answer_lexical"] for r in runs),
        "quit_median": statistics.median(r["quit"] for r in runs),
        "quit_while_loading_median": statistics.median(loading),
        "quit_while_loading_max": max(loading),
    }


if __name__ == "__main__":
    print(measure())
