"""Helpers every benchmark script shares: the machine's description, percentiles, a timed child process."""

from __future__ import annotations

import math
import os
import platform
import tempfile
import time


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def pct(xs: list[float], p: float) -> float:
    """Nearest-rank percentile (``nan`` for no values)."""
    xs = sorted(xs)
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, max(0, math.ceil(p / 100 * len(xs)) - 1))]


def child(argv: list[str], env: dict, stdin: str | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB, from ``wait4``) of one child process; its stdout is discarded, and
    its stderr is shown if it fails."""
    err = tempfile.TemporaryFile()
    t = time.perf_counter()
    rfd = None
    if stdin is not None:
        rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        if rfd is not None:
            os.dup2(rfd, 0)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        os.dup2(err.fileno(), 2)
        os.execve(argv[0], argv, env)
    if rfd is not None:
        os.close(rfd)
        os.write(wfd, stdin.encode())
        os.close(wfd)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        err.seek(0)
        tail = err.read().decode(errors="replace").strip()[-500:]
        raise SystemExit(f"{' '.join(argv[-3:])} failed ({status=}): {tail}")
    err.close()
    return wall, usage.ru_maxrss / 1024


NOTES = "## Notes"


def write_keeping_notes(path, lines: list[str]) -> None:
    """Write a generated results file, keeping what follows its ``## Notes`` heading (hand-written:
    explanations, history, what was tried) from the version already there."""
    from pathlib import Path

    path = Path(path)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    notes = old.split(NOTES, 1)[1] if NOTES in old else ""
    path.write_text("\n".join(lines).rstrip("\n") + "\n" + (f"\n{NOTES}{notes}" if notes else ""), encoding="utf-8")
