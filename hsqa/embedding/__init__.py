"""Embedders: one abstract ``embed_batch``; real models run through onnxruntime, torch only when needed.

- :class:`OnnxEmbedder` (the default for real models): the model's ONNX export, made once from its own
  weights and cached (:mod:`.export`); questions are embedded without importing torch.
- :class:`SentenceTransformerEmbedder`: the reference implementation, the exporter's source and the
  fallback for a model that cannot be exported.
- :class:`HashingEmbedder`: deterministic and instant, for plumbing tests (``--model hashing``).

Nothing here downloads weights (see :func:`resolve_model_path`). Importing this package is cheap.
"""

from __future__ import annotations

import os

from ..errors import ModelUnavailable
from .base import HASHING_PREFIX, Embedder, canonical_model_name, notice, resolve_model_path
from .hashing import HashingEmbedder
from .onnx import OnnxEmbedder
from .sentence_transformers import SentenceTransformerEmbedder

#: backends for real models; "onnx" falls back to "sentence-transformers" when a model cannot be exported
BACKENDS = ("onnx", "sentence-transformers")

__all__ = [
    "BACKENDS",
    "HASHING_PREFIX",
    "Embedder",
    "HashingEmbedder",
    "OnnxEmbedder",
    "SentenceTransformerEmbedder",
    "canonical_model_name",
    "make_embedder",
    "notice",
    "resolve_model_path",
]


def make_embedder(model: str, backend: str | None = None) -> Embedder:
    """Embedder for a model name or path. Cheap: the real model loads on first use (``.load()``).

    ``backend``: ``"onnx"`` (the default; measured faster here for questions and for indexing,
    benchmarks/RESULTS.md) or ``"sentence-transformers"``; ``$HSQA_EMBEDDER`` when not given (an escape
    hatch, and how the benchmarks compare the two). The hashing model ignores it.
    """
    backend = backend or os.environ.get("HSQA_EMBEDDER") or "onnx"
    if model.startswith(HASHING_PREFIX):
        _, _, dim = model.partition(":")
        try:
            return HashingEmbedder(int(dim) if dim else 256)
        except ValueError:
            raise ModelUnavailable(f"bad hashing model '{model}': use 'hashing' or 'hashing:DIM'") from None
    if backend == "sentence-transformers":
        return SentenceTransformerEmbedder(model)
    if backend != "onnx":
        raise ModelUnavailable(f"unknown embedding backend '{backend}': use one of {', '.join(BACKENDS)}")
    return OnnxEmbedder(model)
