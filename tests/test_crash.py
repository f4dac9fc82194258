"""Crash safety and concurrency of the indexer, with real processes and SIGKILL."""

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from hsqa.doctor import _lock_holder, diagnose
from hsqa.embedding import HashingEmbedder
from hsqa.faults import CHECKPOINTS
from hsqa.indexer import Indexer
from hsqa.search import Searcher
from hsqa.store import Store

from .conftest import FHS_2007, GA_2012, ROOT

NEW_DOC = "Third Meeting of the Friends\n\n20-21 May 2010\nTokyo\n\nDiscussion\n\nParticipants discussed glacier melt in the Himalayas.\n"


def cli(config, *args, fault=None, **kw):
    env = dict(os.environ, HSQA_CORPUS=str(config.corpus_dir), HSQA_INDEX=str(config.index_dir), HSQA_MODEL=config.model)
    env.pop("HSQA_FAULT", None)
    if fault:
        env["HSQA_FAULT"] = fault
    return subprocess.Popen(
        [sys.executable, "-m", "hsqa.cli", *args], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw
    )


def state(config):
    """What a reader sees: the documents and an answer, through a fresh Searcher."""
    s = Searcher(config, HashingEmbedder(64))
    docs = sorted(d["path"] for d in s.documents.values())
    hits = s.search("glacier melt Himalayas", k=1)
    top = hits.results[0].source if hits.results else None
    return docs, top


def change_corpus(config):
    c = config.corpus_dir
    (c / "2010-tokyo.txt").write_text(NEW_DOC)
    p = c / FHS_2007
    p.write_text(p.read_text().replace("climate change", "climate change and glacier melt"))
    (c / GA_2012).unlink()


@pytest.fixture
def indexed(fake_config):
    Indexer(fake_config, HashingEmbedder(64)).run()
    return fake_config


@pytest.mark.parametrize("point", CHECKPOINTS)
def test_sigkill_at_every_checkpoint_leaves_a_consistent_index(indexed, point):
    config = indexed
    before = state(config)
    change_corpus(config)
    p = cli(config, "index", "-q", fault=point)
    p.communicate(timeout=60)
    assert p.returncode == -signal.SIGKILL, f"not killed at {point}"
    during = state(config)  # opens and answers: the previous state, or the new one once committed
    after_commit = CHECKPOINTS.index(point) >= CHECKPOINTS.index("committed")
    assert during[0] == (sorted(["2010-tokyo.txt", FHS_2007]) if after_commit else before[0])
    rep = diagnose(config)
    assert rep["faiss"]["ids_match"] or not rep["faiss"]["exists"], rep["problems"]
    p = cli(config, "index", "-q")
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert state(config) == (sorted(["2010-tokyo.txt", FHS_2007]), "2010-tokyo.txt")
    rep = diagnose(config)
    assert rep["ok"], rep["problems"]
    assert len(list(config.index_dir.glob("vectors-*.faiss"))) == 1
    assert [p.name for p in config.index_dir.glob("lexical-*.npz")] == [f"lexical-{_generation(config):06d}.npz"]


def _generation(config) -> int:
    import sqlite3

    conn = sqlite3.connect(config.db_path)
    try:
        return int(conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
    finally:
        conn.close()


def test_sigkill_at_random_moments(indexed):
    config = indexed
    rng = random.Random(1234)
    change_corpus(config)
    for _ in range(12):
        p = cli(config, "index", "-q")
        time.sleep(rng.uniform(0.0, 0.6))
        p.kill()
        p.communicate()
        docs, _ = state(config)  # never broken, whichever moment it died
        assert docs in (sorted([FHS_2007, GA_2012]), sorted(["2010-tokyo.txt", FHS_2007]))
    p = cli(config, "index", "-q")
    assert p.wait(60) == 0
    assert state(config) == (sorted(["2010-tokyo.txt", FHS_2007]), "2010-tokyo.txt")
    assert diagnose(config)["ok"]


def test_second_writer_is_refused_and_readers_are_not_blocked(indexed):
    config = indexed
    change_corpus(config)
    a = cli(config, "index", "-q", fault="rows-written:sleep=5")  # holds the lock inside its transaction
    deadline = time.monotonic() + 30
    while _lock_holder(config) != str(a.pid):  # wait until it really holds the lock (slow CI machines)
        assert time.monotonic() < deadline, "first writer never took the lock"
        time.sleep(0.05)
    time.sleep(0.5)
    b = cli(config, "index", "-q")
    _, err = b.communicate(timeout=30)
    assert b.returncode == 1
    assert f"another index run is in progress (pid {a.pid})" in err
    docs, _ = state(config)  # a reader during the write transaction sees the previous state...
    assert docs == sorted([FHS_2007, GA_2012])
    assert _lock_holder(config) == str(a.pid)  # ...without waiting: the writer still holds its lock
    w = cli(config, "index", "-q", "--wait")  # a waiting writer runs after the first
    assert a.wait(30) == 0 and w.wait(30) == 0
    assert state(config)[0] == sorted(["2010-tokyo.txt", FHS_2007])


def test_doctor_reports_a_missing_vector_file_and_index_repairs_it(indexed):
    config = indexed
    gen = Store(config).info().generation
    config.vectors_path(gen).unlink()
    rep = diagnose(config)
    assert not rep["ok"] and any("missing" in p for p in rep["problems"])
    p = cli(config, "doctor")
    assert p.wait(30) == 1
    Indexer(config, HashingEmbedder(64)).run()
    assert diagnose(config)["ok"]


def test_doctor_detects_corpus_drift_and_foreign_vectors(indexed):
    config = indexed
    (config.corpus_dir / "new.txt").write_text("Title\n\nA new paragraph.\n")
    rep = diagnose(config)
    assert rep["stale"]["new"] == ["new.txt"] and not rep["ok"]
    (config.corpus_dir / "new.txt").unlink()
    import faiss
    import numpy as np

    gen = Store(config).info().generation
    index = faiss.read_index(str(config.vectors_path(gen)))
    index.remove_ids(np.array([1], dtype=np.int64))
    faiss.write_index(index, str(config.vectors_path(gen)))
    rep = diagnose(config)
    assert any("vector file holds" in p for p in rep["problems"])
