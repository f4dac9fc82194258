"""``hsqa watch``: keep the index in step with the corpus folder, a line per change.

Polls file sizes and mtimes (cheap, works on every filesystem, needs no extra package); when the corpus
differs from what the last run started from and then stays quiet for ``debounce`` seconds, runs the
indexer with one embedding model kept loaded between runs.

Never loses an edit: the baseline for "changed since" is the corpus as it was *before* each run, so a file
saved while a run is in progress differs from it and triggers the next run. Keeps running through
transient errors (disk full, the corpus folder vanishing for a moment, a busy index): it says what went
wrong and tries again after a pause that doubles each time, up to ``max_backoff`` seconds.
"""

from __future__ import annotations

import sqlite3
import sys
import time

from .config import Config
from .corpus import display_path
from .embedding import make_embedder
from .errors import HsqaError, IndexBusy
from .indexer import IndexReport, Indexer, scan_corpus

SIGNS = {"added": "+", "updated": "~", "removed": "-", "renamed": ">", "withdrawn": "!"}


def _signature(config: Config) -> dict:
    scan = scan_corpus(config.corpus_dir)
    return {rel: (f.size, f.mtime_ns) for rel, f in scan.files.items()} | {f"!{k}": v for k, v in scan.skipped.items()}


def report_lines(report: IndexReport) -> list[str]:
    """The lines ``watch`` prints for one run: each change, each newly skipped file, then a total."""
    lines = []
    withdrawn = set()
    for c in report.changes:
        path = display_path(c["path"])
        if c["change"] == "renamed":
            lines.append(f"> renamed {path} (was {display_path(c['from'])})")
        elif c["change"] == "withdrawn":
            withdrawn.add(c["path"])
            lines.append(f"! withdrawn {path}: {c['reason']}")
        else:
            lines.append(f"{SIGNS[c['change']]} {c['change']} {path}")
    lines += [f"! skipped {display_path(s['path'])}: {s['reason']}" for s in report.new_skips if s["path"] not in withdrawn]
    if report.changes or report.rebuild:
        lines.append(f"= {report.documents} documents, {report.chunks} passages ({report.seconds:.2f} s)")
    return lines


def watch(
    config: Config,
    interval: float = 1.0,
    debounce: float = 1.5,
    max_runs: int | None = None,
    out=None,
    max_backoff: float = 60.0,
) -> int:
    out = out or sys.stdout
    embedder = make_embedder(config.model)  # loaded on the first run that needs it, then kept

    def say(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    def quiet(sig: dict) -> dict:
        """Wait until the folder stops changing for ``debounce`` seconds (editors write in several steps)."""
        since = time.monotonic()
        while time.monotonic() - since < debounce:
            time.sleep(min(interval, debounce) / 2)
            nxt = _signature(config)
            if nxt != sig:
                sig, since = nxt, time.monotonic()
        return sig

    say(f"watching {config.corpus_dir}/ → {config.index_dir}/ (ctrl+c to stop)")
    runs = failures = 0
    last: dict | None = None  # the corpus as the last successful run found it when it started
    due = True  # a run is owed: at start, and after a failed one
    try:
        while max_runs is None or runs < max_runs:
            try:
                sig = _signature(config)
                if not due and sig == last:
                    time.sleep(interval)
                    continue
                if not due:
                    sig = quiet(sig)
                due = True
                report = Indexer(config, embedder).run(wait=True)
                for line in report_lines(report):
                    say(line)
                last, due, failures = sig, False, 0
                runs += 1
            except IndexBusy as e:
                say(f"waiting: {e}")
                time.sleep(interval)
            except (HsqaError, sqlite3.Error, OSError) as e:
                failures += 1
                delay = min(max_backoff, interval * 2**failures)
                say(f"error: {_message(e)} (trying again in {delay:.1f} s)")
                time.sleep(delay)
    except KeyboardInterrupt:
        say("stopped")
    return 0


def _message(e: BaseException) -> str:
    return str(e) if isinstance(e, HsqaError) else f"{type(e).__name__}: {e}"
