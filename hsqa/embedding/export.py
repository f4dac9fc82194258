"""ONNX export of a sentence-transformers model, kept in a local cache.

The exported graph is the whole model: transformer, the model's own pooling modules and L2 normalisation,
with dynamic batch and sequence axes, so onnxruntime + tokenizers give the same vectors as
sentence-transformers (checked on sample texts before an export is kept) without importing torch.

Cache layout (``hsqa.config.onnx_cache_dir()``; a temporary folder when that is not writable)::

    onnx/<model folder name>-<hash of its path>/
        weights.json             stat memo: the model files' sizes and mtimes -> their content hash
        <content hash>/          one export: model.onnx, tokenizer.json, manifest.json (written last)

An export folder is built under a temporary name and renamed into place, so it is complete or absent.
``manifest.json`` records each file's size and SHA-256: a file that was truncated or changed since is
detected (size always; hash when its mtime moved) and the export is rebuilt. Only exporting needs torch.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..config import onnx_cache_dir
from ..errors import HsqaError
from ..fsutil import fsync_path
from .base import model_files, notice

EXPORT_FORMAT = 1
OPSET = 17
MANIFEST = "manifest.json"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
#: an export is kept only if its vectors match sentence-transformers' this closely on the check texts
MIN_CHECK_COSINE = 0.9999
CHECK_TEXTS = [
    "",
    "Human security",
    "Which government created a ministry for social development and human security?",
    "Freedom from fear, freedom from want and freedom to live in dignity: the General Assembly "
    "agreed on a common understanding of human security (resolution 66/290, para. 3).",
    "ÉCOSOC · Côte d'Ivoire — 10 % « naïve » façade; 日本 人間の安全保障",
    " ".join(["The Friends of Human Security met in New York to discuss protection and empowerment."] * 40),
]


class ExportFailed(HsqaError):
    """This model cannot be exported to ONNX (the caller falls back to sentence-transformers)."""


@dataclass(frozen=True)
class Export:
    folder: Path
    manifest: dict

    @property
    def onnx_path(self) -> Path:
        return self.folder / MODEL_FILE

    @property
    def tokenizer_path(self) -> Path:
        return self.folder / TOKENIZER_FILE

    @property
    def id(self) -> str:
        """``onnx:<weights hash>:<model.onnx hash>`` (16 hex digits each): recorded in the index."""
        m = self.manifest
        return f"onnx:{m['weights_sha256'][:16]}:{m['files'][MODEL_FILE]['sha256'][:16]}"


# ---------------------------------------------------------------------------------------------
# Where
# ---------------------------------------------------------------------------------------------


def fallback_root() -> Path:
    """Where exports go when the cache folder cannot be written: a per-user temporary folder."""
    return Path(tempfile.gettempdir()) / f"hsqa-{os.getuid()}" / "onnx"


def cache_roots() -> list[Path]:
    return [onnx_cache_dir(), fallback_root()]


def path_key(model_path: Path) -> str:
    """A folder name for a model path: readable, and unique per absolute path."""
    real = str(Path(model_path).resolve())
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(real).name)[:40] or "model"
    return f"{slug}-{hashlib.sha256(real.encode()).hexdigest()[:12]}"


# ---------------------------------------------------------------------------------------------
# Hashing and validating
# ---------------------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _stats(model_path: Path) -> list[list]:
    out = []
    for p in model_files(model_path):
        st = p.stat()
        out.append([p.relative_to(model_path).as_posix(), st.st_size, st.st_mtime_ns])
    return out


def weights_hash(model_path: Path, memo_dirs: list[Path]) -> str:
    """SHA-256 over the model's files (weights, configs, vocabulary), names included.

    Hashing ~90 MB takes ~0.2 s, so the result is memoised per model path next to its exports and reused
    while every file keeps its size and mtime (as the indexer does for documents).
    """
    stats = _stats(model_path)
    for d in memo_dirs:
        try:
            memo = json.loads((d / "weights.json").read_text())
            if memo.get("files") == stats:
                return memo["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
    h = hashlib.sha256()
    for rel, _, _ in stats:
        h.update(rel.encode() + b"\0")
        h.update(bytes.fromhex(sha256_file(model_path / rel)))
    digest = h.hexdigest()
    for d in memo_dirs:
        with contextlib.suppress(OSError):
            _write_atomic(d / "weights.json", json.dumps({"files": stats, "sha256": digest}).encode())
            break
    return digest


def check_export(folder: Path) -> tuple[Export | None, str]:
    """``(export, "")`` if ``folder`` holds a complete, unchanged export, else ``(None, why not)``."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        return None, "no manifest (the export did not finish)"
    except (OSError, ValueError) as e:
        return None, f"unreadable manifest ({e})"
    if not isinstance(manifest, dict) or manifest.get("format") != EXPORT_FORMAT:
        return None, "an older export format"
    try:
        files = manifest["files"]
        for name in (MODEL_FILE, TOKENIZER_FILE):
            if name not in files:
                return None, f"{name} missing from the manifest"
        for name, rec in files.items():
            try:
                st = (folder / name).stat()
            except OSError:
                return None, f"{name} is missing"
            if st.st_size != rec["size"]:
                return None, f"{name} has {st.st_size} bytes, {rec['size']} expected"
            if st.st_mtime_ns != rec["mtime_ns"] and sha256_file(folder / name) != rec["sha256"]:
                return None, f"{name} changed since it was written (hash mismatch)"
    except (KeyError, TypeError, AttributeError) as e:
        return None, f"incomplete manifest ({e})"
    return Export(folder, manifest), ""


# ---------------------------------------------------------------------------------------------
# Finding or making an export
# ---------------------------------------------------------------------------------------------


def find_export(model_path: Path) -> tuple[Export | None, list[str]]:
    """A valid cached export of ``model_path`` (no torch), and the problems seen with damaged ones."""
    key = path_key(model_path)
    bases = [root / key for root in cache_roots()]
    digest = weights_hash(model_path, bases)
    problems = []
    for base in bases:
        folder = base / digest[:16]
        if folder.exists():
            export, why = check_export(folder)
            if export is not None and export.manifest.get("weights_sha256") == digest:
                return export, []
            problems.append(f"{folder}: {why or 'made from other weights'}")
    return None, problems


def ensure_export(name: str, model_path: Path, rebuild: bool = False) -> Export:
    """The cached export of ``model_path``; exported now (torch, ~3 s + imports) when missing or damaged.

    Raises :class:`ExportFailed` when the model cannot be exported, ``ModelUnavailable`` when it cannot
    even be loaded.
    """
    if not rebuild:
        export, problems = find_export(model_path)
        if export is not None:
            return export
        for p in problems:
            notice(f"the cached ONNX export {p}: rebuilding it")
    key = path_key(model_path)
    roots = cache_roots()
    for i, root in enumerate(roots):
        try:
            base = root / key
            base.mkdir(parents=True, exist_ok=True)
            with _locked(base / ".lock"):
                return _export_into(name, model_path, base, rebuild)
        except OSError as e:
            if i + 1 < len(roots):
                notice(
                    f"cannot write the model cache {root} ({e.strerror or e}): using {roots[i + 1]} for now "
                    "(set HSQA_CACHE to a writable folder)"
                )
                continue
            raise ExportFailed(f"cannot write an ONNX export to {root} ({e.strerror or e})") from e
    raise AssertionError("unreachable")


@contextlib.contextmanager
def _locked(path: Path):
    """One exporter per model path at a time (another process may be exporting the same model)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _export_into(name: str, model_path: Path, base: Path, rebuild: bool) -> Export:
    digest = weights_hash(model_path, [base])
    folder = base / digest[:16]
    if not rebuild:
        export, _ = check_export(folder)  # another process may have finished it while we waited
        if export is not None:
            return export
    for p in base.glob(".tmp-*"):  # left by a killed exporter: we hold the lock, so nobody is writing it
        shutil.rmtree(p, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=base))
    try:
        notice(f"preparing '{name}' for fast start-up: one-time ONNX export into {base} ...")
        t = time.perf_counter()
        manifest = build_export(name, model_path, tmp, digest)
        manifest["files"] = {}
        for p in sorted(tmp.iterdir()):
            fsync_path(p)
            manifest["files"][p.name] = {"size": p.stat().st_size, "mtime_ns": p.stat().st_mtime_ns, "sha256": sha256_file(p)}
        manifest["export_seconds"] = round(time.perf_counter() - t, 2)
        _write_atomic(tmp / MANIFEST, json.dumps(manifest, indent=1).encode())
        fsync_path(tmp)
        if folder.exists():
            old = base / f".tmp-old-{os.getpid()}"
            os.rename(folder, old)
            shutil.rmtree(old, ignore_errors=True)
        os.rename(tmp, folder)
        fsync_path(base)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    for p in base.iterdir():  # exports of weights this path no longer has
        if p.is_dir() and p.name != folder.name and not p.name.startswith("."):
            shutil.rmtree(p, ignore_errors=True)
    export, why = check_export(folder)
    if export is None:
        raise ExportFailed(f"the export written to {folder} does not check out ({why})")
    return export


# ---------------------------------------------------------------------------------------------
# The export itself (torch)
# ---------------------------------------------------------------------------------------------


def build_export(name: str, model_path: Path, dest: Path, weights_sha256: str) -> dict:
    """Write ``model.onnx`` and ``tokenizer.json`` into ``dest``; return the manifest (without files)."""
    from .sentence_transformers import load_st_model, st_dimension

    try:
        import torch
    except ImportError as e:
        raise ExportFailed(f"torch is not installed ({e})") from e
    st = load_st_model(name, model_path)
    first = st[0]
    hf, tokenizer = getattr(first, "auto_model", None), getattr(first, "tokenizer", None)
    if hf is None or tokenizer is None or not getattr(tokenizer, "is_fast", False):
        raise ExportFailed("its first module is not a Hugging Face transformer with a fast tokenizer")
    import inspect

    accepted = inspect.signature(hf.forward).parameters
    inputs = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in tokenizer.model_input_names and n in accepted]
    if inputs[:2] != ["input_ids", "attention_mask"]:
        raise ExportFailed(f"unexpected model inputs {tokenizer.model_input_names}")
    max_len = int(st.max_seq_length or tokenizer.model_max_length)
    do_lower = bool(getattr(first, "do_lower_case", False))
    wrapper = _pooled_module(torch, hf, list(st)[1:], inputs).eval()
    sample = tokenizer(["human security", "a longer sample sentence to pad the batch"], padding=True, return_tensors="pt")
    try:
        _torch_export(torch, wrapper, tuple(sample[n] for n in inputs), inputs, dest / MODEL_FILE)
    except Exception as e:  # noqa: BLE001 - whatever the exporter raises, this model falls back
        first_line = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise ExportFailed(f"torch.onnx.export failed: {first_line[:200]}") from e
    _save_tokenizer(tokenizer, dest, max_len)
    manifest = {
        "format": EXPORT_FORMAT,
        "model": name,
        "model_path": str(Path(model_path).resolve()),
        "weights_sha256": weights_sha256,
        "dim": st_dimension(st),
        "max_seq_length": max_len,
        "do_lower_case": do_lower,
        "inputs": inputs,
        "pad_id": int(tokenizer.pad_token_id or 0),
        "pad_token": str(tokenizer.pad_token or "[PAD]"),
        "opset": OPSET,
        "torch": torch.__version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    manifest["check_min_cosine"] = _check_against_reference(st, dest, manifest)
    return manifest


def _pooled_module(torch, hf, rest_modules, inputs):
    """transformer -> the model's own pooling (and dense, normalize...) modules -> L2 normalisation."""

    class Pooled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.hf = hf
            self.rest = torch.nn.ModuleList(rest_modules)

        def forward(self, *args):
            feats = dict(zip(inputs, args))
            out = self.hf(**feats)
            feats["token_embeddings"] = out[0]
            for m in self.rest:
                feats = m(feats)
            return torch.nn.functional.normalize(feats["sentence_embedding"], p=2, dim=1)

    return Pooled()


def _torch_export(torch, module, args, inputs, path: Path) -> None:
    import warnings

    axes = {n: {0: "batch", 1: "sequence"} for n in inputs}
    axes["sentence_embedding"] = {0: "batch"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            args,
            str(path),
            input_names=inputs,
            output_names=["sentence_embedding"],
            dynamic_axes=axes,
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )


def _save_tokenizer(tokenizer, dest: Path, max_len: int) -> None:
    """``tokenizer.json`` for the ``tokenizers`` library, truncating at ``max_len`` and padding batches."""
    tok = tokenizer.backend_tokenizer
    from tokenizers import Tokenizer

    tok = Tokenizer.from_str(tok.to_str())  # a copy: the model's own tokenizer is left as it was
    tok.enable_truncation(max_length=max_len)
    tok.enable_padding(pad_id=int(tokenizer.pad_token_id or 0), pad_token=str(tokenizer.pad_token or "[PAD]"))
    tok.save(str(dest / TOKENIZER_FILE))


def _check_against_reference(st, dest: Path, manifest: dict) -> float:
    """Min cosine between this export's vectors and sentence-transformers' on CHECK_TEXTS."""
    import numpy as np

    from .onnx import OnnxModel

    try:
        got = OnnxModel(Export(dest, manifest), threads=1).run(CHECK_TEXTS)
    except ImportError as e:
        raise ExportFailed(f"onnxruntime or tokenizers is not installed ({e})") from e
    except Exception as e:  # noqa: BLE001
        raise ExportFailed(f"onnxruntime cannot run the export ({str(e)[:200]})") from e
    ref = st.encode(CHECK_TEXTS, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    cos = float(np.min(np.sum(got * ref, axis=1)))
    if not cos >= MIN_CHECK_COSINE:
        raise ExportFailed(f"its ONNX vectors differ from sentence-transformers' (cosine {cos:.6f})")
    return round(cos, 8)


# ---------------------------------------------------------------------------------------------
# Durable writes
# ---------------------------------------------------------------------------------------------


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_path(path.parent)
