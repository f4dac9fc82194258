"""The ONNX path: parity with sentence-transformers, the export cache and its bad states, thread safety.

Tests marked slow use the real bundled model (the session's cache gets one export, tests/conftest.py);
the others check the cache logic on copies of that export or on folders made here, without torch.
"""

import json
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest

from hsqa.chunking import chunk_document
from hsqa.cli import main
from hsqa.config import DEFAULT_MODEL, cache_dir, onnx_cache_dir
from hsqa.documents import load_document
from hsqa.embedding import OnnxEmbedder, SentenceTransformerEmbedder, make_embedder, resolve_model_path
from hsqa.embedding import export as ex
from hsqa.embedding import onnx as onnx_mod
from hsqa.errors import ModelUnavailable
from hsqa.store import Store

from .conftest import CORPUS, ROOT

MIN_COSINE = 0.99999


def corpus_views(folder):
    """Every text the indexer embeds for the documents of ``folder`` (passages and their sentences)."""
    out = {}
    for p in sorted(folder.iterdir()):
        if p.is_file():
            doc, _ = load_document(p, p.name)
            for c in chunk_document(doc):
                for _, t in c.views():
                    out[t] = None
    return list(out)


def parity_texts() -> list[str]:
    """≥ 200 real texts: all passages and sentences of corpus/ (and of the development corpus
    benchmarks/corpus/ when the checkout has it), the evaluation questions, the first half of each long
    passage, and neighbouring passages joined (longer than the model's 256 wordpieces: truncation must
    agree too)."""
    views = corpus_views(CORPUS)
    if (ROOT / "benchmarks" / "corpus").is_dir():
        views += corpus_views(ROOT / "benchmarks" / "corpus")
    questions = [
        json.loads(line)["question"]
        for name in ("qa.jsonl", "qa_heldout.jsonl")
        for line in (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    passages = [t for t in corpus_views(CORPUS) if len(t) > 300]
    joined = [f"{a}\n\n{b}\n\n{a}" for a, b in zip(passages, passages[1:])]
    halves = [" ".join(t.split()[: len(t.split()) // 2]) for t in passages]  # a passage cut mid-sentence
    texts = list(dict.fromkeys(views + questions + joined + halves))
    assert len(texts) >= 200 and max(map(len, texts)) > 1500  # > 256 wordpieces
    return texts


def default_model_path():
    return resolve_model_path(DEFAULT_MODEL)


@pytest.fixture(scope="session")
def loaded():
    """The bundled model through ONNX, loaded (exported into the session cache if it is not there yet)."""
    emb = OnnxEmbedder(DEFAULT_MODEL).load()
    assert emb.backend == "onnx" and emb.export_id.startswith("onnx:")
    return emb


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    """An empty cache of this test's own, and a private temporary folder for the read-only fallback."""
    monkeypatch.setenv("HSQA_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    return tmp_path / "cache"


def seed(session_cache, dst):
    """Copy the session's exports (with their mtimes) into ``dst``; return the export folder."""
    shutil.copytree(session_cache / "onnx", dst / "onnx", copy_function=shutil.copy2)
    folders = [p for p in (dst / "onnx").glob("*/*") if p.is_dir() and not p.name.startswith(".")]
    assert len(folders) == 1
    return folders[0]


# -- parity ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_onnx_and_sentence_transformers_vectors_are_interchangeable(loaded):
    texts = parity_texts()
    got = loaded.embed(texts)
    ref = SentenceTransformerEmbedder(DEFAULT_MODEL).embed(texts)
    assert got.shape == ref.shape == (len(texts), 384) and got.dtype == np.float32
    cos = np.sum(got * ref, axis=1)
    worst = int(np.argmin(cos))
    assert cos.min() >= MIN_COSINE, (cos.min(), texts[worst][:80])
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    # a text alone gives the vector it gets in a padded batch
    for i in (0, worst, len(texts) - 1):
        assert float(loaded.embed_query(texts[i]) @ got[i]) >= MIN_COSINE


@pytest.mark.slow
def test_index_records_the_export_it_used(real_index):
    config, embedder = real_index
    export, _ = ex.find_export(default_model_path())
    assert Store(config).meta()["embedding_export"] == export.id == embedder.export_id


# -- the cache --------------------------------------------------------------------------------------


def test_cache_folder_follows_hsqa_cache_then_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("HSQA_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert onnx_cache_dir() == tmp_path / "xdg" / "hsqa" / "onnx"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert cache_dir() == Path.home() / ".cache" / "hsqa"
    monkeypatch.setenv("HSQA_CACHE", str(tmp_path / "c"))
    assert onnx_cache_dir() == tmp_path / "c" / "onnx"


@pytest.mark.slow
def test_damaged_exports_are_detected_without_loading_them(loaded, model_cache, own_cache):
    folder = seed(model_cache, own_cache)
    assert ex.check_export(folder)[0] is not None
    model = folder / "model.onnx"

    size = model.stat().st_size
    with open(model, "r+b") as f:  # same size, different bytes (its mtime moves): the hash catches it
        f.seek(size // 2)
        b = f.read(1)
        f.seek(size // 2)
        f.write(bytes([b[0] ^ 0xFF]))
    assert "hash mismatch" in ex.check_export(folder)[1]
    with open(model, "r+b") as f:
        f.truncate(size // 3)  # a short file
    assert "bytes" in ex.check_export(folder)[1]
    (folder / "manifest.json").write_text("{not json")
    assert "unreadable manifest" in ex.check_export(folder)[1]
    (folder / "manifest.json").unlink()  # killed before the manifest was written
    assert "did not finish" in ex.check_export(folder)[1]
    export, problems = ex.find_export(default_model_path())
    assert export is None and problems and str(folder) in problems[0]


@pytest.mark.slow
def test_a_truncated_export_is_rebuilt(loaded, model_cache, own_cache, capsys):
    folder = seed(model_cache, own_cache)
    with open(folder / "model.onnx", "r+b") as f:
        f.truncate(1000)
    emb = OnnxEmbedder(DEFAULT_MODEL).load()
    err = capsys.readouterr().err
    assert "rebuilding it" in err and "one-time ONNX export" in err
    assert emb.backend == "onnx" and ex.check_export(folder)[0] is not None
    assert (folder / "model.onnx").stat().st_size > 50_000_000
    assert float(emb.embed_query("human security") @ loaded.embed_query("human security")) >= MIN_COSINE


@pytest.mark.slow
def test_an_export_killed_mid_write_leaves_nothing_that_is_used(loaded, model_cache, own_cache, capsys):
    folder = seed(model_cache, own_cache)
    shutil.rmtree(folder)  # the rename never happened...
    partial = folder.parent / ".tmp-killed"
    partial.mkdir()
    (partial / "model.onnx").write_bytes(b"\x08\x07" * 1000)  # ...and this is what was being written
    assert ex.find_export(default_model_path())[0] is None
    emb = OnnxEmbedder(DEFAULT_MODEL).load()
    assert "one-time ONNX export" in capsys.readouterr().err
    assert emb.backend == "onnx" and ex.check_export(folder)[0] is not None
    assert not partial.exists()


def unwritable_dir(path):
    """Make ``path`` a folder that this process cannot write (root ignores modes: chattr +i then)."""
    path.chmod(0o555)
    if os.access(path, os.W_OK) and os.geteuid() == 0 and shutil.which("chattr"):
        subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    probe = path / ".probe"
    try:
        probe.write_text("x")
    except OSError:
        return True
    probe.unlink()
    return False


def writable_again(path):
    if shutil.which("chattr"):
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)
    path.chmod(0o755)


@pytest.mark.slow
def test_unwritable_cache_falls_back_to_a_temporary_folder(loaded, own_cache, tmp_path, monkeypatch, capsys):
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("HSQA_CACHE", str(tmp_path / "a-file" / "cache"))  # cannot be created
    emb = OnnxEmbedder(DEFAULT_MODEL).load()
    lines = [line for line in capsys.readouterr().err.splitlines() if "cannot write the model cache" in line]
    assert len(lines) == 1 and str(tmp_path / "tmp") in lines[0] and "HSQA_CACHE" in lines[0]
    assert emb.backend == "onnx" and str(tmp_path / "tmp") in str(emb._export.folder)
    again = OnnxEmbedder(DEFAULT_MODEL).load()  # the next process finds it there: no second export
    assert again._export.folder == emb._export.folder and "export" not in capsys.readouterr().err


@pytest.mark.slow
def test_read_only_cache_with_a_valid_export_is_used_as_it_is(loaded, model_cache, own_cache, capsys):
    folder = seed(model_cache, own_cache)
    ex.weights_hash(default_model_path(), [folder.parent])  # memo present, as after any export
    ro = own_cache / "onnx"
    try:
        if not unwritable_dir(ro) or not unwritable_dir(folder.parent):
            pytest.skip("cannot make a read-only folder here")
        emb = OnnxEmbedder(DEFAULT_MODEL).load()
    finally:
        writable_again(folder.parent)
        writable_again(ro)
    assert emb._export.folder == folder and capsys.readouterr().err == ""


@pytest.mark.slow
def test_read_only_empty_cache_exports_to_a_temporary_folder(loaded, own_cache, tmp_path, capsys):
    own_cache.mkdir()
    try:
        if not unwritable_dir(own_cache):
            pytest.skip("cannot make a read-only folder here")
        emb = OnnxEmbedder(DEFAULT_MODEL).load()
    finally:
        writable_again(own_cache)
    err = capsys.readouterr().err
    assert "cannot write the model cache" in err and emb.backend == "onnx"
    assert str(emb._export.folder).startswith(str(tmp_path / "tmp"))


def test_model_folder_without_weights_is_a_clear_error(fake_config, tmp_path, monkeypatch, capsys):
    src = default_model_path()
    bare = tmp_path / "my-model"
    shutil.copytree(src, bare, ignore=shutil.ignore_patterns("*.safetensors", "*.bin"))
    for make in (lambda: OnnxEmbedder(str(bare)), lambda: SentenceTransformerEmbedder(str(bare))):
        with pytest.raises(ModelUnavailable) as e:
            make().load()
        assert str(bare) in str(e.value) and "no weight file" in str(e.value)
    monkeypatch.setenv("HSQA_CORPUS", str(fake_config.corpus_dir))
    monkeypatch.setenv("HSQA_INDEX", str(fake_config.index_dir))
    assert main(["index", "-q", "--model", str(bare)]) == 1
    err = capsys.readouterr().err
    assert f"the model folder {bare} has no weight file" in err and err.count("\n") == 1


def test_hub_names_resolve_to_the_local_hugging_face_cache_only(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    snap = tmp_path / "hub" / "models--sentence-transformers--tiny" / "snapshots" / "abc123"
    snap.mkdir(parents=True)
    (snap / "config.json").write_text("{}")
    (snap / "model.safetensors").write_bytes(b"0")
    (snap.parent.parent / "refs").mkdir()
    (snap.parent.parent / "refs" / "main").write_text("abc123")
    assert resolve_model_path("sentence-transformers/tiny") == snap
    assert resolve_model_path("tiny") == snap
    with pytest.raises(ModelUnavailable, match="never downloaded"):
        resolve_model_path("someone/absent-model")


@pytest.mark.slow
def test_a_model_that_cannot_be_exported_falls_back_with_one_notice(own_cache, monkeypatch, capsys):
    def refuse(*a, **k):
        raise ex.ExportFailed("torch.onnx.export failed: unsupported operator (test)")

    monkeypatch.setattr(ex, "build_export", refuse)
    emb = make_embedder(DEFAULT_MODEL).load()
    notices = [line for line in capsys.readouterr().err.splitlines() if "using sentence-transformers" in line]
    assert len(notices) == 1 and "unsupported operator" in notices[0]
    assert emb.backend == "sentence-transformers" and emb.ready and emb.export_id is None
    assert emb.embed(["a", "b"]).shape == (2, 384)


# -- threads ------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["onnx", "sentence-transformers"])
def test_concurrent_embedding_while_loading(loaded, backend, monkeypatch):
    texts = corpus_views(CORPUS)
    ref = loaded.embed(texts)
    made = []

    class Counting(onnx_mod.OnnxModel):
        def __init__(self, *a, **k):
            made.append(1)
            super().__init__(*a, **k)

    monkeypatch.setattr(onnx_mod, "OnnxModel", Counting)
    emb = make_embedder(DEFAULT_MODEL, backend=backend)
    assert not emb.ready
    start = threading.Barrier(5)
    errors, results = [], []

    def hammer(k):
        try:
            start.wait()
            for r in range(4):
                idx = list(range((k + r) % 5, len(texts), 5))
                results.append((idx, emb.embed_batch([texts[i] for i in idx])))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def load():
        start.wait()
        emb.load()

    threads = [threading.Thread(target=hammer, args=(k,)) for k in range(4)] + [threading.Thread(target=load)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors and len(results) == 16 and emb.ready
    for idx, vecs in results:
        assert np.min(np.sum(vecs * ref[idx], axis=1)) >= MIN_COSINE
    assert len(made) == (1 if backend == "onnx" else 0)


@pytest.mark.slow
def test_damage_that_keeps_size_and_mtime_is_caught_by_onnxruntime_and_rebuilt(loaded, model_cache, own_cache, capsys):
    folder = seed(model_cache, own_cache)
    model = folder / "model.onnx"
    st = model.stat()
    model.write_bytes(b"\xff" * st.st_size)  # same size; the mtime is put back, so only loading can tell
    os.utime(model, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert ex.check_export(folder)[0] is not None
    emb = OnnxEmbedder(DEFAULT_MODEL).load()
    assert "onnxruntime cannot read the cached export" in capsys.readouterr().err
    assert emb.backend == "onnx"
    assert float(emb.embed_query("human security") @ loaded.embed_query("human security")) >= MIN_COSINE


def test_preload_opens_a_made_export_in_the_background_and_never_exports(loaded, model_cache, own_cache, monkeypatch):
    """The app's start-up opens the model while it imports and paints (hsqa.cli.cmd_tui): with an export
    already made, a background thread loads it; without one it does nothing (no torch, no export, no
    notice on a terminal the app is about to take over): load() does that, where the app reports it."""
    cold = OnnxEmbedder(DEFAULT_MODEL)  # own_cache: empty
    cold.preload().join(60)
    assert not cold.ready and not list(own_cache.glob("onnx/*/*/model.onnx"))

    monkeypatch.setenv("HSQA_CACHE", str(model_cache))  # the session's cache holds the bundled model's export
    warm = OnnxEmbedder(DEFAULT_MODEL)
    warm.preload().join(60)
    assert warm.ready
    assert warm.preload() is None  # loaded: nothing more to start
    assert np.allclose(warm.embed_query("human security"), loaded.embed_query("human security"), atol=1e-5)
