"""The corpus folder: scanning it (stat only) and reading a document's bytes, inside its boundary.

Only files whose resolved path lies inside the corpus folder are documents: a symlink to a file or folder
inside it is fine, one pointing elsewhere (``passwd.txt -> /etc/passwd``) is reported and never read.
Symlink loops are skipped; folders of any depth are walked without recursion. A folder that cannot be
listed is reported and the documents indexed from it are kept as they are (nothing says they changed).
"""

from __future__ import annotations

import errno
import os
import stat as _stat
from dataclasses import dataclass, field
from pathlib import Path

from .config import DOCUMENT_EXTENSIONS
from .errors import CorpusMissing, DocumentError

_TEMP_SUFFIXES = (".swp", ".swo", ".swx", ".tmp", ".part", ".crdownload", "~")


@dataclass(frozen=True)
class FileStat:
    rel: str
    path: Path
    size: int
    mtime_ns: int


@dataclass
class Scan:
    files: dict[str, FileStat] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    #: folders (relative, "" for none) that could not be listed: what was indexed from them is kept
    unreadable: list[str] = field(default_factory=list)

    def covers(self, rel: str) -> bool:
        """Whether ``rel`` lies in a folder this scan could not list (so its absence means nothing)."""
        return any(rel.startswith(d + "/") for d in self.unreadable)


def skip_reason(name: str) -> str | None:
    """Why a file name is not a document (``None``: it is one). Hidden files return ``""`` (silent)."""
    if name.startswith("."):
        return ""
    low = name.lower()
    if name.startswith(("~$", "#")) or low.endswith(_TEMP_SUFFIXES):
        return "editor temporary file"
    if not low.endswith(DOCUMENT_EXTENSIONS):
        ext = os.path.splitext(name)[1] or "(no extension)"
        return f"unsupported file type {ext}: hsqa reads {', '.join(DOCUMENT_EXTENSIONS)}"
    return None


def check_corpus(corpus: Path) -> None:
    if not corpus.exists():
        raise CorpusMissing(f"corpus folder {corpus}/ does not exist: create it or pass --corpus DIR")
    if not corpus.is_dir():
        raise CorpusMissing(f"corpus path {corpus} is not a folder: pass --corpus DIR")


def inside(root: str, real: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def scan_corpus(corpus: Path) -> Scan:
    """Every document file under ``corpus`` with its size and mtime; everything else with a reason."""
    check_corpus(corpus)
    root = os.path.realpath(corpus)
    scan = Scan()
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Path, str]] = [(corpus, "")]
    while stack:
        d, rel = stack.pop()
        try:
            st = os.stat(d)
        except OSError:
            continue  # vanished while scanning: what it held is gone
        key = (st.st_dev, st.st_ino)
        if key in seen:
            scan.skipped[rel or "."] = "symlink loop or duplicate folder"
            continue
        seen.add(key)
        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: e.name)
        except FileNotFoundError:
            continue
        except OSError as e:
            if not rel:
                raise CorpusMissing(f"corpus folder {corpus}/ cannot be read ({e.strerror}): check its permissions") from None
            scan.skipped[rel] = f"unreadable folder ({e.strerror}): documents indexed from it are kept as they were"
            scan.unreadable.append(rel)
            continue
        subdirs = _scan_entries(scan, root, entries, rel)
        stack.extend(reversed(subdirs))
    return scan


def _scan_entries(scan: Scan, root: str, entries: list[os.DirEntry], rel: str) -> list[tuple[Path, str]]:
    """Record the files of one folder; return its subfolders to walk."""
    subdirs = []
    for e in entries:
        r = f"{rel}/{e.name}" if rel else e.name
        reason = skip_reason(e.name)
        if reason == "":
            continue
        try:
            link = e.is_symlink()
            is_dir = e.is_dir(follow_symlinks=True)
            is_file = e.is_file(follow_symlinks=True)
        except OSError:
            link, is_dir, is_file = False, False, False
        if link and (is_dir or is_file):
            target = os.path.realpath(e.path)
            if not inside(root, target):
                scan.skipped[r] = f"links outside the corpus folder (to {target}): not indexed"
                continue
        if is_dir:
            if reason is None:  # a folder named like a document
                scan.skipped[r] = "is a directory, not a document"
            subdirs.append((Path(e.path), r))
            continue
        if reason is not None:
            scan.skipped[r] = reason
            continue
        fs = _file_stat(scan, e, r, is_file)
        if fs is not None:
            scan.files[r] = fs
    return subdirs


def _file_stat(scan: Scan, e: os.DirEntry, r: str, is_file: bool) -> FileStat | None:
    try:
        st = os.stat(e.path)
    except OSError as err:
        scan.skipped[r] = "broken symlink" if err.errno == errno.ENOENT else f"unreadable ({err.strerror})"
        return None
    if not is_file or not _stat.S_ISREG(st.st_mode):
        scan.skipped[r] = "not a regular file"
        return None
    return FileStat(r, Path(e.path), st.st_size, st.st_mtime_ns)


def read_document_bytes(corpus: Path, fs: FileStat) -> bytes:
    """The bytes of a scanned file, checking again (now, at read time) that it resolves inside the corpus."""
    real = os.path.realpath(fs.path)
    if not inside(os.path.realpath(corpus), real):
        raise DocumentError(fs.rel, f"links outside the corpus folder (to {real}): not indexed")
    try:
        with open(real, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise DocumentError(fs.rel, "vanished while being read") from None
    except OSError as e:
        raise DocumentError(fs.rel, f"unreadable ({e.strerror})") from None


def display_path(path: str) -> str:
    """A path fit for one line of output: control characters (a newline in a file name) escaped."""
    if path.isprintable():
        return path
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in path)
