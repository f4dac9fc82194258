"""The fast path: an exported model run by onnxruntime, tokenized by ``tokenizers``, with numpy.

Importing this module is cheap; onnxruntime and tokenizers (~0.2-0.4 s) load in :meth:`OnnxEmbedder.load`.
torch is imported only when the model has no valid export yet (once per model and machine), or as the
fallback when a model cannot be exported.
"""

from __future__ import annotations

import os
import threading

import numpy as np

from ..config import DEFAULT_MODEL
from ..errors import ModelUnavailable
from .base import Embedder, canonical_model_name, notice, resolve_model_path
from .export import Export, ExportFailed, ensure_export, find_export

#: texts per onnxruntime call, sorted by length so a batch pads little (benchmarks/RESULTS.md)
BATCH_SIZE = 8


class OnnxModel:
    """One export loaded in onnxruntime. ``run`` is safe from several threads: tokenizing (the
    ``tokenizers`` object is stateful) is serialised; ``InferenceSession.run`` is thread-safe."""

    def __init__(self, export: Export, threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        m = export.manifest
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or min(os.cpu_count() or 1, 4)
        opts.inter_op_num_threads = 1
        # idle intra-op threads sleep instead of spinning: on this shared 2-core machine spinning made a
        # query 2-3x slower under load (measured: 40 vs 15 ms median with two threads)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(export.onnx_path), opts, providers=["CPUExecutionProvider"])
        tok = Tokenizer.from_file(str(export.tokenizer_path))
        tok.enable_truncation(max_length=int(m["max_seq_length"]))
        tok.enable_padding(pad_id=int(m["pad_id"]), pad_token=str(m["pad_token"]))
        self.tokenizer = tok
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.lower = bool(m.get("do_lower_case"))
        self.dim = int(m["dim"])
        self._tok_lock = threading.Lock()

    def run(self, texts: list[str]) -> np.ndarray:
        """Vectors of one batch (padded to its longest text)."""
        if self.lower:
            texts = [t.lower() for t in texts]
        with self._tok_lock:
            enc = self.tokenizer.encode_batch(list(texts))
        cols = {
            "input_ids": [e.ids for e in enc],
            "attention_mask": [e.attention_mask for e in enc],
            "token_type_ids": [e.type_ids for e in enc],
        }
        feeds = {name: np.asarray(cols[name], dtype=np.int64) for name in self.inputs}
        out = self.session.run(None, feeds)[0]
        return np.ascontiguousarray(out, dtype=np.float32)


class OnnxEmbedder(Embedder):
    """A sentence-transformers model run through its ONNX export (exported on first use if needed).

    When the model cannot be exported or run this way, it falls back to sentence-transformers with a
    one-line notice; vectors are the same either way (tests/test_onnx.py checks it on the corpus).
    """

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = BATCH_SIZE, fallback: bool = True):
        self.name = canonical_model_name(model)
        self.batch_size = batch_size
        self.fallback = fallback
        self.dim = 0
        self.backend: str | None = None  #: "onnx" or "sentence-transformers" once loaded
        self._lock = threading.Lock()
        self._impl: OnnxModel | Embedder | None = None
        self._export: Export | None = None

    @property
    def ready(self) -> bool:
        return self._impl is not None

    @property
    def export_id(self) -> str | None:
        return self._export.id if self._export is not None and self.backend == "onnx" else None

    def preload(self) -> "threading.Thread | None":
        """Start opening an already-made export in a daemon thread, so that it overlaps other start-up work
        (the app imports and paints meanwhile); ``load()`` then waits for it or finds it done. Nothing
        happens when there is no valid export yet: the one-time export (torch, a notice) is left to
        ``load()``, where its caller shows it."""

        def run() -> None:
            try:
                path = resolve_model_path(self.name)
                if find_export(path)[0] is not None:
                    self.load()
            except Exception:  # noqa: BLE001 - load() raises it again where it is reported
                pass

        if self._impl is not None:
            return None
        thread = threading.Thread(target=run, name="hsqa-preload", daemon=True)
        thread.start()
        return thread

    def load(self) -> "OnnxEmbedder":
        if self._impl is None:
            with self._lock:
                if self._impl is None:
                    self._load()
        return self

    def _load(self) -> None:
        path = resolve_model_path(self.name)  # a clear ModelUnavailable for a missing model or weights
        try:
            export = ensure_export(self.name, path)
            impl = _open(export)
            if impl is None:  # passed the size/hash checks, yet onnxruntime refuses it: rebuild once
                notice(f"onnxruntime cannot read the cached export in {export.folder}: rebuilding it")
                export = ensure_export(self.name, path, rebuild=True)
                impl = _open(export)
                if impl is None:
                    raise ExportFailed("onnxruntime cannot read a freshly written export")
        except ExportFailed as e:
            if not self.fallback:
                raise ModelUnavailable(f"cannot use '{self.name}' with onnxruntime: {e}") from e
            notice(f"cannot run '{self.name}' with onnxruntime ({e}): using sentence-transformers (slower start)")
            from .sentence_transformers import SentenceTransformerEmbedder

            st = SentenceTransformerEmbedder(self.name, batch_size=16).load()
            self.dim, self.backend, self._impl = st.dim, "sentence-transformers", st
            return
        self._export = export
        self.dim, self.backend = impl.dim, "onnx"
        self._impl = impl  # published last: ``ready`` means fully loaded

    def embed(self, texts: list[str], progress=None) -> np.ndarray:
        """Vectors in the order of ``texts``; batches of similar length; ``progress(done, total)``."""
        self.load()
        impl = self._impl
        if isinstance(impl, Embedder):  # the sentence-transformers fallback
            return impl.embed(texts, progress)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for i in range(0, len(order), self.batch_size):
            idx = order[i : i + self.batch_size]
            out[idx] = impl.run([texts[j] for j in idx])
            if progress:
                progress(min(i + self.batch_size, len(texts)), len(texts))
        return out

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        return self.embed(list(texts))


def _open(export: Export) -> OnnxModel | None:
    """The export loaded in onnxruntime; ``None`` when onnxruntime rejects the file (damaged)."""
    try:
        return OnnxModel(export)
    except ImportError as e:
        raise ExportFailed(f"onnxruntime or tokenizers is not installed ({e}); run 'make setup'") from e
    except Exception:  # noqa: BLE001 - InvalidProtobuf, InvalidGraph, a bad tokenizer.json...
        return None
