"""Fault injection for crash-safety tests: ``checkpoint(name)`` marks a point in the indexer.

With ``HSQA_FAULT=name[:n][:kill|sleep=S|enospc]`` in the environment, the n-th time (default 1st) the
process reaches that checkpoint it SIGKILLs itself, sleeps S seconds, or fails as a full disk does
(``OSError`` ENOSPC). Without the variable it does nothing
(one dictionary lookup). Used by tests/test_crash.py to kill the indexer at every stage in turn.
"""

from __future__ import annotations

import errno
import os
import signal
import time

_counts: dict[str, int] = {}


def checkpoint(name: str) -> None:
    spec = os.environ.get("HSQA_FAULT")
    if not spec:
        return
    parts = spec.split(":")
    if parts[0] != name:
        return
    nth = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 1
    action = next((p for p in parts[1:] if not p.isdigit()), "kill")
    _counts[name] = _counts.get(name, 0) + 1
    if _counts[name] != nth:
        return
    if action == "enospc":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)
    if action.startswith("sleep="):
        time.sleep(float(action.split("=", 1)[1]))
    else:
        os.kill(os.getpid(), signal.SIGKILL)


#: every checkpoint the indexer passes, in order (the crash test iterates over these)
CHECKPOINTS = [
    "locked",  # writer lock taken, nothing read yet
    "parsed",  # changed documents parsed and chunked
    "embedded-group",  # one group of embeddings stored in the cache (repeats)
    "rows-written",  # inside the transaction: rows changed, FAISS not yet written
    "faiss-write",  # the new generation's FAISS temp file written, not yet fsynced or renamed
    "faiss-written",  # new generation's FAISS file durable, SQLite not yet committed
    "postings-written",  # new generation's lexical postings file durable, SQLite not yet committed
    "committed",  # SQLite committed, old FAISS files not yet removed
    "done",  # old generation cleaned up
]
