import shutil
from pathlib import Path

import pytest

from hsqa.config import Config

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GA_2012 = "2012-06-04-ga-plenary-human-security-follow-up-64-291.md"
FHS_2007 = "2007-04-20-friends-of-human-security-second-meeting.txt"


def bundled_questions() -> list[str]:
    """The questions of tests/data/qa.jsonl."""
    import json

    lines = (ROOT / "tests" / "data" / "qa.jsonl").read_text().splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory) -> Path:
    """hsqa's cache (ONNX exports) in a temporary folder for the whole run, never the user's ~/.cache.
    Set in the environment, so subprocesses use it too; the first real-model use exports into it."""
    import os

    d = tmp_path_factory.mktemp("hsqa-cache")
    old = os.environ.get("HSQA_CACHE")
    os.environ["HSQA_CACHE"] = str(d)
    yield d
    if old is None:
        os.environ.pop("HSQA_CACHE", None)
    else:
        os.environ["HSQA_CACHE"] = old


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A private copy of the bundled corpus."""
    d = tmp_path / "corpus"
    shutil.copytree(CORPUS, d)
    return d


@pytest.fixture
def fake_config(tmp_path, corpus) -> Config:
    """Config on the copied corpus with the deterministic hashing embedder (no torch)."""
    return Config(corpus_dir=corpus, index_dir=tmp_path / "index", model="hashing:64")


@pytest.fixture(scope="session")
def real_index(tmp_path_factory):
    """The bundled corpus indexed once with the real default model; ``(config, embedder)``."""
    from hsqa.embedding import make_embedder
    from hsqa.indexer import Indexer

    base = tmp_path_factory.mktemp("real")
    corpus = base / "corpus"
    shutil.copytree(CORPUS, corpus)
    config = Config(corpus_dir=corpus, index_dir=base / "index")
    embedder = make_embedder(config.model)
    Indexer(config, embedder).run()
    return config, embedder


@pytest.fixture
def app_factory(fake_config):
    """A chat app on the copied corpus, indexed with the hashing embedder (call it to make one)."""
    from hsqa.embedding import HashingEmbedder
    from hsqa.indexer import Indexer

    from .tui_support import make_app

    Indexer(fake_config, HashingEmbedder(64)).run()
    return lambda: make_app(fake_config)


@pytest.fixture
def snap_app(tmp_path):
    """A chat app for snapshots: fixed paths and the hashing model, so the pictures do not depend on the
    machine or the clock."""
    from hsqa.embedding import HashingEmbedder
    from hsqa.engine import Engine
    from hsqa.indexer import Indexer
    from hsqa.tui.app import HsqaApp

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    config = Config(corpus_dir=corpus, index_dir=tmp_path / "index", model="hashing:64")
    Indexer(config, HashingEmbedder(64)).run()
    return HsqaApp(config, Engine(config, HashingEmbedder(64)), watch=False)
