"""Typed configuration and every path hsqa uses, in one place.

Resolution order for each setting: explicit argument (CLI flag) > environment variable > default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"

#: File name extensions that hsqa reads as documents.
DOCUMENT_EXTENSIONS = (".txt", ".md", ".markdown", ".pdf", ".html", ".htm")


def cache_dir() -> Path:
    """hsqa's cache folder (rebuildable data only): ``$HSQA_CACHE``, else ``$XDG_CACHE_HOME/hsqa``,
    else ``~/.cache/hsqa``. Read at each call, so tests can point it at a temporary folder."""
    env = os.environ
    if env.get("HSQA_CACHE"):
        return Path(env["HSQA_CACHE"]).expanduser()
    xdg = env.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "hsqa"


def onnx_cache_dir() -> Path:
    """ONNX exports of embedding models: ``<cache>/onnx/<model path key>/<weights hash>/``."""
    return cache_dir() / "onnx"


@dataclass(frozen=True)
class Config:
    corpus_dir: Path = field(default_factory=lambda: Path("corpus"))
    """Folder of documents (``.txt`` / ``.md`` / ``.pdf`` / ``.html``); ``$HSQA_CORPUS``, default ``./corpus``."""

    index_dir: Path = field(default_factory=lambda: Path("index"))
    """Folder holding the SQLite database and FAISS vectors; ``$HSQA_INDEX``, default ``./index``."""

    model: str = DEFAULT_MODEL
    """Sentence-transformers model name or local path; ``$HSQA_MODEL``. Never downloaded."""

    k: int = 5
    """Number of passages returned per question."""

    max_file_bytes: int = 8 * 1024 * 1024
    """Documents larger than this are skipped with a reason (they would take minutes to embed)."""

    sentence_vectors: bool = field(default_factory=lambda: os.environ.get("HSQA_SENTENCE_VECTORS", "1").lower()
                                   not in ("0", "no", "off", "false"))
    """Embed each sentence of a multi-sentence passage besides the passage (the ``sentence`` feature and the
    answer's sentence choice use them); ``$HSQA_SENTENCE_VECTORS=0`` embeds passages only: ~4.5× less
    embedding work and index, sentence cosines then equal the passage's (benchmarks/EMBED-PAYS.md)."""

    @classmethod
    def resolve(
        cls,
        corpus: str | os.PathLike | None = None,
        index: str | os.PathLike | None = None,
        model: str | None = None,
        **kw,
    ) -> "Config":
        env = os.environ
        return cls(
            corpus_dir=Path(corpus or env.get("HSQA_CORPUS") or "corpus"),
            index_dir=Path(index or env.get("HSQA_INDEX") or "index"),
            model=model or env.get("HSQA_MODEL") or DEFAULT_MODEL,
            **kw,
        )

    # -- paths inside the index folder -------------------------------------------------
    @property
    def db_path(self) -> Path:
        """SQLite database: documents, paragraphs, chunks, FTS5, embedding cache, metadata."""
        return self.index_dir / "hsqa.sqlite3"

    @property
    def lock_path(self) -> Path:
        """Writer lock: one ``hsqa index`` at a time."""
        return self.index_dir / "write.lock"

    def vectors_path(self, generation: int) -> Path:
        """FAISS file for one committed generation of the index."""
        return self.index_dir / f"vectors-{generation:06d}.faiss"

    @property
    def history_path(self) -> Path:
        """The TUI conversation, kept beside the index so it survives a restart."""
        return self.index_dir / "conversation.json"
