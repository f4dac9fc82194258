"""A deterministic stand-in model for plumbing tests (``--model hashing`` or ``hashing:DIM``)."""

from __future__ import annotations

import hashlib
import re

import numpy as np

from .base import HASHING_PREFIX, Embedder


class HashingEmbedder(Embedder):
    """Deterministic bag-of-words feature hashing.

    No semantics: it exists so plumbing tests run in milliseconds without a model. Real use wants a
    sentence-transformers model. Stateless, so thread-safe; nothing to load.
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
