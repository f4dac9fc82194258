"""What an index run has to do, decided without SQLite, FAISS or the model (pure functions).

Three steps, each from plain values to plain values:

1. :func:`plan` — a corpus :class:`~hsqa.corpus.Scan` + the manifest of indexed documents → which files are
   unchanged (same size and mtime: not even read), which must be read, which are skipped, which documents'
   files are gone, and which are kept because their folder cannot be listed.
2. :func:`resolve` — the hashes (or read errors) of the files read → same bytes with a new stat (touch),
   renames (a new path holding the bytes of a document whose path is gone), files to parse, documents to
   withdraw because their file can no longer be read, and documents removed.
3. :func:`settle` — the parse errors → documents withdrawn because their file no longer parses.

A withdrawn document leaves the index (its passages are never quoted again, since its file no longer holds
them) and its file is recorded as skipped with its size and mtime, so the next run does not retry it until
the file changes: the index settles. Its embeddings stay in the cache, so a fixed file costs no model time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from .corpus import Scan

#: skip reasons that depend only on a file's bytes (safe to reuse while size and mtime are unchanged;
#: not "unreadable" or "too large", which depend on permissions or settings)
CONTENT_REASONS = (
    "empty file", "binary file", "not a text document", "cannot decode", "no paragraphs",
    "no text layer", "encrypted PDF", "damaged PDF", "not an HTML page",
)

WITHDRAWN = "its previously indexed passages are withdrawn until the file can be read again"


@dataclass(frozen=True)
class Indexed:
    """One row of the manifest: an indexed document."""

    id: int
    path: str
    sha256: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class KnownSkip:
    """A file the previous run skipped, with the stat it had then."""

    reason: str
    size: int | None
    mtime_ns: int | None


@dataclass
class ChangePlan:
    unchanged: list[str] = field(default_factory=list)  #: indexed, same size and mtime: not read
    read: list[str] = field(default_factory=list)  #: to read and hash: new, stat changed, or a full rebuild
    skipped: dict[str, str] = field(default_factory=dict)  #: path -> reason
    gone: dict[int, str] = field(default_factory=dict)  #: doc id -> path of documents whose file is gone
    kept: list[str] = field(default_factory=list)  #: indexed paths under folders that cannot be listed
    full: bool = False  #: a rebuild: every document is parsed again, none survives unparsed


@dataclass
class Resolution:
    touch: list[tuple[str, int]] = field(default_factory=list)  #: (path, doc id): same bytes, new stat
    renames: list[tuple[str, int, str]] = field(default_factory=list)  #: (new path, doc id, old path)
    parse: list[str] = field(default_factory=list)  #: new or changed content, to parse and index
    withdraw: dict[int, str] = field(default_factory=dict)  #: doc id -> path: its file no longer reads
    removed: dict[int, str] = field(default_factory=dict)  #: doc id -> path: its file is gone
    skipped: dict[str, str] = field(default_factory=dict)  #: every skipped path -> reason

    def nothing_to_write(self, full: bool) -> bool:
        return not (full or self.touch or self.renames or self.parse or self.withdraw or self.removed)


def plan(
    scan: Scan,
    indexed: Mapping[str, Indexed],
    known: Mapping[str, KnownSkip],
    *,
    full: bool,
    max_bytes: int,
) -> ChangePlan:
    out = ChangePlan(skipped=dict(scan.skipped), full=full)
    for rel, fs in sorted(scan.files.items()):
        row = indexed.get(rel)
        if row is not None and not full and (row.size, row.mtime_ns) == (fs.size, fs.mtime_ns):
            out.unchanged.append(rel)
            continue
        was = known.get(rel)
        if row is None and was and (was.size, was.mtime_ns) == (fs.size, fs.mtime_ns) and was.reason.startswith(CONTENT_REASONS):
            out.skipped[rel] = was.reason  # its bytes were refused before and are untouched since: not read again
            continue
        if fs.size > max_bytes:
            out.skipped[rel] = f"too large ({fs.size // 1024} KiB > {max_bytes // 1024} KiB limit)"
            if row is not None:
                out.read.append(rel)  # resolve() withdraws it: its indexed text is no longer the file's
            continue
        out.read.append(rel)
    for rel, row in indexed.items():
        if rel in scan.files:
            continue
        if scan.covers(rel) and not full:
            out.kept.append(rel)
        else:
            out.gone[row.id] = rel
    return out


def resolve(
    p: ChangePlan,
    indexed: Mapping[str, Indexed],
    contents: Mapping[str, str],
    errors: Mapping[str, str],
) -> Resolution:
    """``contents``: path -> SHA-256 of the bytes read; ``errors``: path -> why it could not be read."""
    out = Resolution(skipped=dict(p.skipped))
    gone_by_sha: dict[str, tuple[int, str]] = {}
    if not p.full:
        for doc_id, rel in p.gone.items():
            gone_by_sha.setdefault(indexed[rel].sha256, (doc_id, rel))
    for rel in p.read:
        row = indexed.get(rel)
        if rel in errors or rel in p.skipped:
            out.skipped[rel] = errors.get(rel) or p.skipped[rel]
            if row is not None:
                _withdraw(out, row.id, rel)
            continue
        sha = contents[rel]
        if row is not None and not p.full and row.sha256 == sha:
            out.touch.append((rel, row.id))
        elif row is None and sha in gone_by_sha:
            out.renames.append((rel, *gone_by_sha.pop(sha)))
        else:
            out.parse.append(rel)
    renamed = {doc_id for _, doc_id, _ in out.renames}
    out.removed = {doc_id: rel for doc_id, rel in p.gone.items() if doc_id not in renamed}
    return out


def settle(res: Resolution, indexed: Mapping[str, Indexed], parse_errors: Mapping[str, str]) -> Resolution:
    """Files that failed to parse: skipped; an indexed one is withdrawn (its passages are not in it now)."""
    for rel, reason in parse_errors.items():
        res.skipped[rel] = reason
        if rel in res.parse:
            res.parse.remove(rel)
        row = indexed.get(rel)
        if row is not None:
            _withdraw(res, row.id, rel)
    return res


def _withdraw(res: Resolution, doc_id: int, rel: str) -> None:
    res.withdraw[doc_id] = rel
    if WITHDRAWN not in res.skipped[rel]:
        res.skipped[rel] += f"; {WITHDRAWN}"
