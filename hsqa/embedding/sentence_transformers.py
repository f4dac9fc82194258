"""The reference implementation: a sentence-transformers model on torch (CPU).

Importing it costs 6-12 s (torch + transformers), so it is imported only inside :func:`load_st_model`.
It is used to export the ONNX model, as the fallback when a model cannot be exported, and as the
reference that the ONNX vectors are checked against.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from ..config import DEFAULT_MODEL
from ..errors import ModelUnavailable
from .base import Embedder, _unavailable, canonical_model_name, resolve_model_path


def load_st_model(name: str, path: Path):
    """A ``SentenceTransformer`` for the local model folder ``path`` (``name`` is for messages)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        return SentenceTransformer(str(path), device="cpu", local_files_only=True)
    except ImportError as e:
        raise ModelUnavailable(f"sentence-transformers is not installed ({e}): run 'make setup'") from e
    except Exception as e:  # noqa: BLE001 - any loader failure becomes one clear message
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise _unavailable(name, first[:200]) from e


def st_dimension(model) -> int:
    getdim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(getdim())


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model on the CPU, loaded on first use (the import costs ~6 s)."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 16):
        self.name = canonical_model_name(model)
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()  # loading
        self._encode_lock = threading.Lock()  # a HF fast tokenizer is not safe under concurrent calls
        self.dim = 0

    @property
    def ready(self) -> bool:
        return self._model is not None

    def load(self) -> "SentenceTransformerEmbedder":
        with self._lock:
            if self._model is None:
                model = load_st_model(self.name, resolve_model_path(self.name))
                self.dim = st_dimension(model)
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
        with self._encode_lock:
            vecs = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vecs, dtype=np.float32)
