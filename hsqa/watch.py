"""``hsqa watch``: keep the index in step with the corpus folder, a line per change.

Polls file sizes and mtimes (cheap, works on every filesystem, needs no extra package); when the corpus
differs from what was last indexed and then stays quiet for ``debounce`` seconds, runs the indexer with
one embedding model kept loaded between runs.
"""

from __future__ import annotations

import sys
import time

from .config import Config
from .embedding import make_embedder
from .errors import HsqaError, IndexBusy
from .indexer import Indexer, scan_corpus


def _signature(config: Config) -> dict:
    scan = scan_corpus(config.corpus_dir)
    return {rel: (f.size, f.mtime_ns) for rel, f in scan.files.items()} | {f"!{k}": v for k, v in scan.skipped.items()}


def watch(config: Config, interval: float = 1.0, debounce: float = 1.5, max_runs: int | None = None, out=None) -> int:
    out = out or sys.stdout
    embedder = make_embedder(config.model)  # loaded on the first run that needs it, then kept

    def say(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    def run_once() -> bool:
        try:
            report = Indexer(config, embedder).run(wait=True)
        except IndexBusy as e:
            say(f"waiting: {e}")
            return False
        except HsqaError as e:
            say(f"error: {e}")
            return False
        for c in report.changes:
            sign = {"added": "+", "updated": "~", "removed": "-", "renamed": ">"}[c["change"]]
            extra = f" (was {c['from']})" if c["change"] == "renamed" else ""
            say(f"{sign} {c['change']} {c['path']}{extra}")
        for s in report.skipped:
            if s["path"] not in skipped_seen:
                say(f"! skipped {s['path']}: {s['reason']}")
        skipped_seen.clear()
        skipped_seen.update(s["path"] for s in report.skipped)
        if report.changes or report.rebuild:
            say(f"= {report.documents} documents, {report.chunks} passages ({report.seconds:.2f} s)")
        return True

    skipped_seen: set[str] = set()
    say(f"watching {config.corpus_dir}/ → {config.index_dir}/ (ctrl+c to stop)")
    runs = 0
    run_once()
    last = _signature(config)
    try:
        while max_runs is None or runs < max_runs:
            time.sleep(interval)
            try:
                sig = _signature(config)
            except HsqaError as e:
                say(f"error: {e}")
                continue
            if sig == last:
                continue
            # debounce: wait until the folder stops changing (editors write in several steps)
            quiet_since = time.monotonic()
            while time.monotonic() - quiet_since < debounce:
                time.sleep(min(interval, debounce) / 2)
                nxt = _signature(config)
                if nxt != sig:
                    sig, quiet_since = nxt, time.monotonic()
            if run_once():
                runs += 1
            last = _signature(config)
    except KeyboardInterrupt:
        say("stopped")
    return 0
