"""Library errors. The CLI and the TUI turn each into one clear message; no tracebacks for users."""


class HsqaError(Exception):
    """Base class: ``str(err)`` is a complete sentence that says what is wrong and what to do."""


class IndexMissing(HsqaError):
    """No index has been built at the configured index folder yet."""


class ModelMismatch(HsqaError):
    """The index was built with another embedding model (or dimension) than the one asked for."""


class ModelUnavailable(HsqaError):
    """The embedding model cannot be loaded (not installed, not a local path, or broken)."""


class IndexBusy(HsqaError):
    """Another process holds the index writer lock."""


class CorpusMissing(HsqaError):
    """The corpus folder does not exist or is not a folder."""


class DocumentError(HsqaError):
    """A file cannot be used as a document; ``reason`` is short enough for a ``skipped`` list."""

    def __init__(self, path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class DiskFull(HsqaError):
    """The disk holding the index is full; nothing was changed."""


class IndexReadOnly(HsqaError):
    """The index folder cannot be written (read-only file system or permissions)."""


class BadIndexPath(HsqaError):
    """The index path exists but is not a folder."""


class StaleSnapshot(HsqaError):
    """A read snapshot's generation was superseded before its vector file could be read: read again."""
