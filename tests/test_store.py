"""The store: consistent read snapshots, index paths, disk errors, vector-file repair, embedding-cache pruning."""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from hsqa.cli import main
from hsqa.config import Config
from hsqa.doctor import diagnose
from hsqa.embedding import HashingEmbedder
from hsqa.errors import HsqaError, StaleSnapshot
from hsqa.indexer import Indexer
from hsqa.store import Store
from hsqa.store.writes import RECENT_GENERATIONS

from .conftest import CORPUS, FHS_2007, GA_2012, ROOT


def index(config, emb=None):
    return Indexer(config, emb or HashingEmbedder(64)).run()


def cli(config, *args, fault=None):
    env = dict(os.environ, HSQA_CORPUS=str(config.corpus_dir), HSQA_INDEX=str(config.index_dir), HSQA_MODEL=config.model)
    env.pop("HSQA_FAULT", None)
    if fault:
        env["HSQA_FAULT"] = fault
    return subprocess.run(
        [sys.executable, "-m", "hsqa.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


# ---------------------------------------------------------------------------------------------
# 1. consistent reads
# ---------------------------------------------------------------------------------------------


def _read_one_generation(snap) -> tuple[int, int]:
    """What a search does, in separate statements with pauses between them (widening every race window):
    FTS hits -> their chunk rows -> their vector rows -> their stored vectors. Returns (generation, hits)."""
    hits = [r[0] for r in snap.execute("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH '\"security\"'")]
    time.sleep(0.002)
    rows = {r["id"]: r for r in snap.select_in("SELECT id, doc_id, text FROM chunks WHERE id IN ({in_})", hits)}
    assert set(hits) <= set(rows), f"FTS rows without chunk rows in generation {snap.generation}"
    marker = snap.execute("SELECT text FROM chunks WHERE text LIKE 'Revision %'").fetchone()
    assert marker is None or marker[0] == f"Revision {snap.generation}.", (marker[0], snap.generation)
    time.sleep(0.002)
    vrows = snap.select_in("SELECT id FROM vectors WHERE chunk_id IN ({in_})", hits)
    vecs = snap.vectors([r[0] for r in vrows])
    assert vecs.shape == (len(vrows), 64) and np.all(np.abs(vecs).sum(axis=1) > 0)
    assert snap.faiss().ntotal == len(snap.vector_ids())  # the passage vectors
    return snap.generation, len(hits)


def test_snapshot_reads_one_generation_while_a_writer_commits(fake_config):
    """Chunk rows, FTS rows and FAISS vectors seen by one snapshot always belong to one commit."""
    config = fake_config
    target = config.corpus_dir / FHS_2007
    original = target.read_text(encoding="utf-8")
    index(config)
    store = Store(config, readonly=True)
    stop = threading.Event()
    seen: set[int] = set()
    failures: list[BaseException] = []

    def writer():
        try:
            for _ in range(12):
                gen = Store(config).info().generation + 1
                # each generation changes the matching passages and names itself in a 'Revision N.' paragraph
                extra = "".join(f"\n\nHuman security item {gen}-{i} was discussed." for i in range(gen % 4 + 1))
                target.write_text(original + extra + f"\n\nRevision {gen}.\n", encoding="utf-8")
                index(config)
        except BaseException as e:  # noqa: BLE001
            failures.append(e)
        finally:
            stop.set()

    def reader():
        while not stop.is_set():
            try:
                gen, n = store.read(_read_one_generation)
                seen.add(gen)
            except BaseException as e:  # noqa: BLE001
                failures.append(e)
                return

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not failures, failures[0]
    assert len(seen) >= 3  # the readers really ran across several generations


def test_a_snapshot_whose_vector_file_was_superseded_is_read_again(fake_config):
    config = fake_config
    index(config)
    store = Store(config, readonly=True)
    with store.snapshot() as snap:
        gen = snap.generation
        (config.corpus_dir / "new.txt").write_text("Title\n\nA paragraph about glaciers.\n")
        index(config)  # commits gen + 1 and removes vectors of gen: the snapshot still reads gen's rows
        assert not config.vectors_path(gen).exists()
        assert snap.execute("SELECT count(*) FROM documents").fetchone()[0] == 2
        with pytest.raises(StaleSnapshot):
            snap.faiss()
    attempts = []

    def count(snap):
        attempts.append(snap.generation)
        return snap.generation, snap.faiss().ntotal, len(snap.vector_ids())

    g, ntotal, nvec = store.read(count)
    assert g == gen + 1 and ntotal == nvec and attempts == [gen + 1]


def test_a_lost_vector_file_is_rebuilt_for_the_snapshot_and_reconstruct_errors_raise(fake_config):
    config = fake_config
    r = index(config)
    config.vectors_path(r.generation).unlink()
    store = Store(config, readonly=True)
    with store.snapshot() as snap:
        assert snap.faiss().ntotal == len(snap.vector_ids()) and snap.repaired
        bad = int(snap.vector_ids().max()) + 1000
        with pytest.raises(HsqaError, match="run 'hsqa index'"):
            snap.vectors([bad])


# ---------------------------------------------------------------------------------------------
# 3. index paths with %, #, ?
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["idx%41", "idx#1", "idx?x=1"])
def test_index_path_with_uri_characters_opens_that_folder(tmp_path, name, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    shutil.copy(CORPUS / FHS_2007, a)
    shutil.copy(CORPUS / GA_2012, b)
    common = ["--model", "hashing:64"]
    assert main(["index", "-q", "--corpus", str(a), "--index", str(tmp_path / name), *common]) == 0
    assert main(["index", "-q", "--corpus", str(b), "--index", str(tmp_path / "idxA"), *common]) == 0
    capsys.readouterr()
    assert main(["ask", "--json", "--corpus", str(a), "--index", str(tmp_path / name), *common, "security"]) == 0
    import json

    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["results"] and {r["source"] for r in out["results"]} == {FHS_2007}


# ---------------------------------------------------------------------------------------------
# 12. read-only index folder, index path that is a file
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def make_read_only():
    """Make a folder read-only for this process: chmod for normal users; a read-only bind mount for root
    (root ignores permissions). Skips when neither is possible."""
    mounted = []

    def ro(path):
        if os.geteuid() != 0:
            for p in [path, *path.iterdir()]:
                p.chmod(0o555 if p.is_dir() else 0o444)
            return
        r = subprocess.run(f"mount --bind '{path}' '{path}' && mount -o remount,ro,bind '{path}'", shell=True, capture_output=True)
        if r.returncode != 0:
            subprocess.run(["umount", str(path)], capture_output=True)
            pytest.skip(f"cannot make a read-only mount here: {r.stderr.decode().strip()}")
        mounted.append(path)

    yield ro
    for p in mounted:
        subprocess.run(["umount", "-l", str(p)], capture_output=True)


def test_read_only_index_folder_answers_and_explains(fake_config, make_read_only, monkeypatch, capsys):
    config = fake_config
    for k, v in (("HSQA_CORPUS", config.corpus_dir), ("HSQA_INDEX", config.index_dir), ("HSQA_MODEL", config.model)):
        monkeypatch.setenv(k, str(v))
    assert main(["index", "-q"]) == 0
    make_read_only(config.index_dir)
    capsys.readouterr()
    assert main(["ask", "--json", "Thailand ministry"]) == 0
    assert '"source"' in capsys.readouterr().out
    rep = diagnose(config)
    assert rep["ok"], rep["problems"]
    assert any("read-only" in n or "not writable" in n for n in rep["lines"])
    (config.corpus_dir / "new.txt").write_text("Title\n\nA paragraph.\n")
    assert main(["index", "-q"]) == 1
    err = capsys.readouterr().err
    assert "not writable" in err and "unexpected" not in err


def test_index_path_that_is_a_file(fake_config, tmp_path, capsys):
    f = tmp_path / "afile"
    f.write_text("x")
    for cmd in (["index", "-q"], ["ask", "q"], ["doctor"]):
        assert main([*cmd, "--corpus", str(fake_config.corpus_dir), "--index", str(f), "--model", "hashing:64"]) == 1
        err = capsys.readouterr().err
        assert "is a file, not a folder" in err and "unexpected" not in err, (cmd, err)


# ---------------------------------------------------------------------------------------------
# 9. disk full, temp files, embedding cache
# ---------------------------------------------------------------------------------------------


def test_disk_full_while_writing_vectors_is_a_clear_message_and_leaves_nothing_behind(fake_config):
    config = fake_config
    index(config)
    before = Store(config).info().generation
    (config.corpus_dir / "new.txt").write_text("Title\n\nA paragraph about glaciers.\n")
    p = cli(config, "index", "-q", fault="faiss-write:enospc")
    assert p.returncode == 1
    assert "is full" in p.stderr and "free some space" in p.stderr and "unexpected" not in p.stderr, p.stderr
    assert not list(config.index_dir.glob(".vectors-*")), "temp file left behind"
    assert Store(config).info().generation == before
    p = cli(config, "index", "-q")
    assert p.returncode == 0, p.stderr
    assert Store(config).info().generation == before + 1


def test_temp_files_of_a_killed_writer_are_removed_by_the_next_run(fake_config):
    config = fake_config
    index(config)
    (config.corpus_dir / "new.txt").write_text("Title\n\nA paragraph about glaciers.\n")
    p = cli(config, "index", "-q", fault="faiss-write")
    assert p.returncode == -signal.SIGKILL
    assert list(config.index_dir.glob(".vectors-*.tmp"))
    assert cli(config, "index", "-q").returncode == 0
    assert not list(config.index_dir.glob(".vectors-*.tmp"))


@pytest.fixture
def tiny_disk(tmp_path):
    d = tmp_path / "disk"
    d.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(d)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {r.stderr.decode().strip()}")
    yield d
    subprocess.run(["umount", "-l", str(d)], capture_output=True)


def test_really_full_disk(fake_config, tiny_disk):
    config = Config(fake_config.corpus_dir, tiny_disk / "index", fake_config.model)
    assert cli(config, "index", "-q").returncode == 0
    before = Store(config).info().generation
    filler = tiny_disk / "filler"
    with open(filler, "wb", buffering=0) as f:  # fill the disk to the last block (unbuffered: close flushes nothing)
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    big = "\n\n".join(f"Paragraph {i} about the protection of civilians, number {i}." for i in range(400))
    (config.corpus_dir / "big.txt").write_text("Big Title\n\n" + big)
    p = cli(config, "index", "-q")
    assert p.returncode == 1
    assert "is full" in p.stderr and "unexpected" not in p.stderr, p.stderr
    filler.unlink()
    assert not list(config.index_dir.glob(".vectors-*.tmp"))
    assert Store(config).info().generation == before
    p = cli(config, "index", "-q")
    assert p.returncode == 0, p.stderr
    assert diagnose(config)["ok"]


def test_embedding_cache_keeps_live_vectors_and_a_recent_window(fake_config):
    config = fake_config
    index(config)
    target = config.corpus_dir / FHS_2007
    original = target.read_text(encoding="utf-8")
    runs = RECENT_GENERATIONS + 10
    for i in range(runs):
        target.write_text(original + f"\n\nA closing remark number {i} on glaciers.\n", encoding="utf-8")
        index(config)
    store = Store(config)
    live = store.conn.execute("SELECT count(DISTINCT key) FROM vectors").fetchone()[0]
    total = store.embedding_count()
    # each edit leaves one unused vector (its closing paragraph); only the recent window of them is kept
    assert live < total <= live + RECENT_GENERATIONS + 1, (live, total)
    from tests.test_indexer import CountingEmbedder

    emb = CountingEmbedder()
    target.write_text(original + f"\n\nA closing remark number {runs - 3} on glaciers.\n", encoding="utf-8")
    Indexer(config, emb).run()
    assert emb.calls == 0  # a recent version comes back from the cache
    emb = CountingEmbedder()
    target.write_text(original + "\n\nA closing remark number 0 on glaciers.\n", encoding="utf-8")
    Indexer(config, emb).run()
    assert emb.texts == 1  # the oldest one was pruned


# ---------------------------------------------------------------------------------------------
# 11. truncated vector file
# ---------------------------------------------------------------------------------------------


def test_truncated_vector_file_is_repaired_by_a_plain_index_run(fake_config):
    config = fake_config
    r = index(config)
    path = config.vectors_path(r.generation)
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size // 2)
    rep = diagnose(config)
    assert not rep["ok"]
    r2 = index(config)
    assert r2.repaired
    assert diagnose(config)["ok"]


# ---------------------------------------------------------------------------------------------
# 13. an index written before schema 5 (float32 cache, every vector in FAISS) upgrades without loss
# ---------------------------------------------------------------------------------------------


def _as_the_fixture_parsed(monkeypatch, config) -> None:
    """Run the indexer with the parser version the fixture index was written with: these tests are about the
    schema and the vector file, and a parser upgrade (which re-parses every document instead of repairing)
    has its own test (tests/test_indexer.py)."""
    import sqlite3

    import hsqa.indexer

    db = sqlite3.connect(config.db_path)
    stored = int(db.execute("SELECT value FROM meta WHERE key = 'parser_version'").fetchone()[0])
    lexical = db.execute("SELECT value FROM meta WHERE key = 'lexical_version'").fetchone()
    db.close()
    monkeypatch.setattr(hsqa.indexer, "PARSER_VERSION", stored)
    monkeypatch.setattr(hsqa.indexer, "LEXICAL_VERSION", int(lexical[0]) if lexical else 0)


def _as_the_fixture_tokenized(monkeypatch) -> None:
    """The lexical index's view reads a document's place whole, as when the fixtures were written (lexical
    version 2; version 3 leaves the UN's premises out, :func:`hsqa.text.place_words`): a migration keeps the
    scores of the tokens it is given, and a change of tokens is the next index run's rebuild
    (tests/test_indexer.py)."""
    import hsqa.text

    monkeypatch.setattr(hsqa.text, "place_words", lambda place: place or "")


def test_an_index_built_by_schema_4_upgrades_without_losing_anything(fake_config, tmp_path, monkeypatch):
    import sqlite3

    from hsqa.search import Searcher
    from hsqa.store import MIGRATIONS
    from hsqa.store.schema import text_key
    from hsqa.store.vectors import LAYOUT, SENTENCE_BITS, blob_bytes, decode
    from tests.test_indexer import CountingEmbedder

    old = tmp_path / "old-index"
    shutil.copytree(ROOT / "tests" / "data" / "index-v4", old, ignore=shutil.ignore_patterns("*.md"))
    config = Config(fake_config.corpus_dir, old, model="hashing:64")
    db = sqlite3.connect(config.db_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 4
    before = {h: np.frombuffer(v, dtype=np.float32) for h, v in db.execute("SELECT hash, vector FROM embeddings")}
    counts = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("documents", "chunks", "vectors")]
    db.close()

    index(fake_config)  # the same corpus indexed from scratch by today's code
    questions = ["Thailand ministry", "human security fund", "follow-up to resolution 64/291"]
    want = {q: [r.text for r in Searcher(fake_config, HashingEmbedder(64)).search(q).results] for q in questions}

    s = Searcher(config, HashingEmbedder(64))  # a reader upgrades the schema; its old vector file is not used
    assert s.store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert {q: [r.text for r in s.search(q).results] for q in questions} == want
    rows = dict(s.store.conn.execute("SELECT key, vector FROM embeddings").fetchall())
    assert set(rows) == {text_key(h) for h in before}  # nothing lost: every cached vector, now 8-bit codes and a scale
    four = 0
    for h, v in before.items():
        got = rows[text_key(h)]
        if len(got) == 4 + len(v):
            assert np.allclose(decode(got), v, atol=np.abs(v).max() / 254 + 1e-7)
        else:  # a vector only sentences use: SENTENCE_BITS-bit codes (schema 6)
            four += 1
            assert len(got) == blob_bytes(len(v), SENTENCE_BITS) and float(decode(got) @ v) / float(v @ v) > 0.97
    assert (0 < four < len(before)) if SENTENCE_BITS < 8 else four == 0
    assert [s.store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("documents", "chunks", "vectors")] == counts
    for d in s.store.documents():  # paragraphs written with their own text read back as before
        full = s.store.document_text(d["id"])["text"]
        assert all(p["text"] == full[p["start"] : p["end"]] for p in s.store.paragraphs(d["id"]))

    emb = CountingEmbedder()
    _as_the_fixture_parsed(monkeypatch, config)
    r = Indexer(config, emb).run()  # the next run rewrites the vector file in today's layout, embedding nothing
    assert emb.calls == 0 and r.repaired and r.generation == 2
    assert Store(config).info().vectors_layout == LAYOUT and diagnose(config)["ok"], diagnose(config)["lines"]
    # passage vectors only, float16: a quarter of the old file (every vector, float32) at most
    assert config.vectors_path(2).stat().st_size < (ROOT / "tests/data/index-v4/vectors-000001.faiss").stat().st_size / 4


def test_paragraph_text_is_read_from_the_document_text_verbatim(fake_config):
    """Paragraph text is stored once (the document text); each paragraph reads back as its exact slice,
    also past non-ASCII characters (SQLite's substr counts characters, like Python)."""
    text = "Título: Réunion — 会议\n\nPremier paragraphe: sécurité humaine, 人間の安全保障.\n\nSecond 🙂 paragraph here.\n"
    (fake_config.corpus_dir / "accents.txt").write_text(text, encoding="utf-8")
    index(fake_config)
    store = Store(fake_config)
    for d in store.documents():
        full = store.document_text(d["id"])["text"]
        paras = store.paragraphs(d["id"])
        assert paras and all(p["text"] and p["text"] == full[p["start"] : p["end"]] for p in paras)
    (doc,) = [d for d in store.documents() if d["path"] == "accents.txt"]
    assert [p["text"] for p in store.paragraphs(doc["id"])][-1] == "Second 🙂 paragraph here."
    assert store.conn.execute("SELECT count(*) FROM paragraphs WHERE text != ''").fetchone()[0] == 0


def test_an_index_run_compacts_the_database_when_a_quarter_of_it_is_free(fake_config):
    big = fake_config.corpus_dir / "big.txt"
    big.write_text("Big record\n\n" + "\n\n".join(f"Paragraph {i} on glaciers and the sea, long text {'x' * 900}." for i in range(300)))
    index(fake_config)

    def size():  # pages in use and free, wherever they are (database file or write-ahead log)
        conn = Store(fake_config).conn
        return conn.execute("PRAGMA page_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]

    grown = size()
    big.unlink()
    r = index(fake_config)
    # the run's own writes (FTS5 delete markers, vector rows) may add a few pages before VACUUM gives back the rest
    assert r.compacted > grown / 2 and grown - r.compacted <= size() <= grown - r.compacted + 8 * 4096
    assert fake_config.db_path.with_name("hsqa.sqlite3-wal").stat().st_size == 0  # the log was truncated
    assert Store(fake_config).conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert index(fake_config).compacted == 0 and diagnose(fake_config)["ok"]


# ---------------------------------------------------------------------------------------------
# 14. the ANN index by size: flat float16, then IVF (which supports removal) past IVF_MIN
# ---------------------------------------------------------------------------------------------


def test_ann_index_turns_ivf_past_its_threshold_and_follows_changes(fake_config, monkeypatch):
    import faiss

    from hsqa.scope import Scope
    from hsqa.search import Searcher
    from hsqa.store import vectors as V

    for i in range(12):
        paras = "\n\n".join(f"Paragraph {j} of record {i}: delegates discussed glaciers, fisheries and drought {i * 100 + j}."
                            for j in range(20))
        (fake_config.corpus_dir / f"record-{i:02d}.txt").write_text(f"Record {i}\n\n{paras}\n")
    index(fake_config)
    assert V.kind_of(Store(fake_config).load_faiss()[0]) == "flat"

    monkeypatch.setattr(V, "IVF_MIN", 150)
    (fake_config.corpus_dir / "record-99.txt").write_text("Record 99\n\nOne more paragraph on glaciers.\n")
    index(fake_config)  # the size now asks for an IVF: rebuilt from the cache as one
    store = Store(fake_config, readonly=True)
    ivf, repaired = store.load_faiss()
    inner = faiss.downcast_index(ivf.index)
    n = len(store.vector_ids())
    assert V.kind_of(ivf) == "ivf" and not repaired and ivf.ntotal == n > 150
    assert inner.nlist == V.nlist_for(n) and inner.nprobe == V.nprobe_for(inner.nlist)  # nprobe set on load

    (fake_config.corpus_dir / "record-03.txt").unlink()  # removal from an IVF (remove_ids), no rebuild
    index(fake_config)
    store = Store(fake_config, readonly=True)
    ivf, _ = store.load_faiss()
    assert V.kind_of(ivf) == "ivf" and ivf.ntotal == len(store.vector_ids()) == n - 20 and diagnose(fake_config)["ok"]

    s = Searcher(fake_config, HashingEmbedder(64))
    res = s.search("glaciers fisheries record 7", k=5, mode="dense").results
    assert res
    doc = next(d for d in store.documents() if d["path"] == "record-07.txt")
    scoped = s.search("glaciers fisheries", k=5, mode="dense", scope=Scope(doc_ids={doc["id"]})).results
    assert scoped and {r.source for r in scoped} == {"record-07.txt"}


def test_cached_vectors_round_trip_within_a_step_of_their_codes():
    from hsqa.store.vectors import decode, encode

    rng = np.random.default_rng(1)
    for v in [rng.standard_normal(384).astype(np.float32), np.zeros(8, np.float32), np.array([1e-30, -2e-30], np.float32)]:
        v /= max(np.linalg.norm(v), 1e-30) if np.any(v) else 1.0
        blob = encode(v)
        assert len(blob) == 4 + len(v)
        assert np.all(np.abs(decode(blob) - v) <= np.abs(v).max() / 254 + 1e-12)
    a, b = rng.standard_normal((2, 384)).astype(np.float32)
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    assert abs(float(decode(encode(a)) @ decode(encode(b))) - float(a @ b)) < 2e-3


# ---------------------------------------------------------------------------------------------
# 15. schema 6: texts stored once (document text; the lexical index's content is a view), 64-bit keys
# ---------------------------------------------------------------------------------------------

LEXICAL_PROBES = ["security", "human security", "Thailand", "Mexico", "resolution", "fund", "meeting", "2007",
                  "April", "plenary", "Co-Chairs", "ga", "friends", "New York", "glaciers", "Wellington", "follow"]


def _bm25(conn, term: str) -> dict[tuple, float]:
    """``{(path, paragraph, ordinal): bm25}`` of the FTS5 rows matching ``term`` (as the searcher quotes it)."""
    from hsqa.text import fts_query

    q = fts_query([term])
    rows = conn.execute(
        "SELECT f.rowid, bm25(chunks_fts, 1.0, 0.5, 0.5, 0.3) FROM chunks_fts f WHERE chunks_fts MATCH ?", (q,)).fetchall()
    out = {}
    for rowid, score in rows:
        key = conn.execute("SELECT d.path, c.paragraph, c.ordinal FROM chunks c JOIN documents d ON d.id=c.doc_id "
                           "WHERE c.id=?", (rowid,)).fetchone()
        out[tuple(key) if key else ("<no passage>", rowid, 0)] = round(score, 9)
    return out


def _lexical_state(config) -> dict:
    conn = Store(config, readonly=True).conn
    return {t: _bm25(conn, t) for t in LEXICAL_PROBES}


@pytest.mark.parametrize("bits", [8, 6])
def test_an_index_built_by_schema_5_upgrades_with_the_same_rows_and_scores(fake_config, tmp_path, bits, monkeypatch):
    """An index written by main@a8a5957 (schema 5: chunk text and FTS content copied, hex keys) upgrades in
    place: same passages, verbatim texts, vectors and bm25 scores; nothing embedded again; texts stored once."""
    import sqlite3

    from hsqa.search import Searcher
    from hsqa.store import MIGRATIONS
    from hsqa.store.schema import fts_integrity_check, text_key
    from hsqa.store.vectors import decode
    from tests.test_indexer import CountingEmbedder

    from hsqa.store import vectors as vectors_mod

    monkeypatch.setattr(vectors_mod, "SENTENCE_BITS", bits)  # 6: sentence-only vectors are narrowed on the way
    _as_the_fixture_tokenized(monkeypatch)
    old = tmp_path / "v5"
    shutil.copytree(ROOT / "tests" / "data" / "index-v5", old, ignore=shutil.ignore_patterns("*.md"))
    config = Config(fake_config.corpus_dir, old, model="hashing:64")
    db = sqlite3.connect(config.db_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 5
    before_scores = {t: _bm25(db, t) for t in LEXICAL_PROBES}
    chunks = {r[0]: tuple(r[1:]) for r in db.execute("SELECT id, doc_id, paragraph, ordinal, start, end, section, text FROM chunks")}
    vectors = {r[0]: (r[1], r[2], text_key(r[3])) for r in db.execute("SELECT id, chunk_id, kind, hash FROM vectors")}
    cache = {text_key(h): v for h, v in db.execute("SELECT hash, vector FROM embeddings")}
    db.close()
    assert sum(len(v) for v in before_scores.values()) > 50

    s = Searcher(config, HashingEmbedder(64))  # a reader upgrades the schema
    conn = s.store.conn
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert {t: _bm25(conn, t) for t in LEXICAL_PROBES} == before_scores
    assert {r[0]: tuple(r[1:]) for r in conn.execute(
        "SELECT id, doc_id, paragraph, ordinal, start, end, section, text FROM chunks")} == chunks
    assert {r[0]: tuple(r[1:]) for r in conn.execute("SELECT id, chunk_id, kind, key FROM vectors")} == vectors
    after = dict(conn.execute("SELECT key, vector FROM embeddings").fetchall())
    assert after.keys() == cache.keys()
    passages = {k for _, kind, k in vectors.values() if kind == 0}
    sentences = {k for _, kind, k in vectors.values() if kind == 1} - passages
    narrowed = sentences if bits < 8 else set()
    assert sentences and all(after[k] == cache[k] for k in cache if k not in narrowed)  # as they were
    for k in narrowed:  # sentence-only vectors: fewer bits now, the same direction
        old_v, new_v = decode(cache[k]), decode(after[k])
        assert len(after[k]) < len(cache[k]) and float(old_v @ new_v) / float(old_v @ old_v) > 0.97
    assert conn.execute("SELECT count(*) FROM chunk_rows WHERE text != ''").fetchone()[0] == 0  # stored once
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name='chunks_fts_content'").fetchone()[0] == 0
    fts_integrity_check(config.db_path)

    index(fake_config)  # the same corpus indexed from scratch by today's code ranks the same
    questions = ["Thailand ministry", "human security fund", "follow-up to resolution 64/291"]
    fresh = Searcher(fake_config, HashingEmbedder(64))
    for q in questions:  # scores differ only by the sentence codes (4-bit from 8-bit here, from float32 there)
        got, want = s.search(q).results, fresh.search(q).results
        assert [r.text for r in got] == [r.text for r in want]
        assert all(abs(a.score - b.score) < 0.1 and abs(a.similarity - b.similarity) < 0.03 for a, b in zip(got, want))
    emb = CountingEmbedder()
    _as_the_fixture_parsed(monkeypatch, config)
    r = Indexer(config, emb).run()
    # nothing embedded; the vector file is rewritten in today's layout (8-bit codes: smaller than float16)
    assert emb.calls == 0 and r.repaired and r.rebuild is None and r.generation == 2
    assert config.vectors_path(2).stat().st_size < (ROOT / "tests/data/index-v5/vectors-000001.faiss").stat().st_size * 0.75
    assert diagnose(config)["ok"]


def test_the_lexical_index_follows_updates_removals_and_renames(fake_config, tmp_path):
    """External content: FTS5 deletes need the indexed values, read back from the content view. After edits,
    a removal, a rename and new files (markup, CJK, accents), the lexical index passes FTS5's integrity check,
    holds no stale row, and scores every probe exactly as an index built from scratch on the final corpus."""
    from hsqa.store.schema import fts_integrity_check

    corpus = fake_config.corpus_dir
    (corpus / "glaciers.md").write_text("# Glaciers in Wellington\n\nThe **glaciers** of *New Zealand* retreat.\n\n"
                                        "A [link](http://x.org) to the record on glaciers.\n", encoding="utf-8")
    (corpus / "cjk.txt").write_text("会议记录\n\n人间安全基金 supports Thailand.\n\nSécurité humaine à Genève.\n",
                                    encoding="utf-8")
    index(fake_config)
    fts_integrity_check(fake_config.db_path)
    t = corpus / FHS_2007
    t.write_text(t.read_text(encoding="utf-8").replace("Thailand", "Wellington"), encoding="utf-8")  # updated
    (corpus / "cjk.txt").rename(corpus / "plenary-notes.txt")  # renamed: the meta column (file name words) moves
    (corpus / GA_2012).unlink()  # removed
    index(fake_config)
    fts_integrity_check(fake_config.db_path)
    with Store(fake_config, readonly=True).snapshot() as snap:
        assert snap.fts_count() == snap.counts()[1]
    got = _lexical_state(fake_config)
    assert not any(k[0] == "<no passage>" for v in got.values() for k in v), "a deleted passage still matches"
    assert any(k[0] == "plenary-notes.txt" for k in got["plenary"]) and not any(k[0] == GA_2012 for k in got["plenary"])

    fresh = Config(corpus, tmp_path / "fresh", model="hashing:64")
    index(fresh)
    assert got == _lexical_state(fresh)


@pytest.mark.parametrize("bits", [4, 6, 8])
def test_sentence_only_vectors_have_fewer_bits_and_a_sentence_that_becomes_a_passage_gets_8(fake_config, bits, monkeypatch):
    from hsqa.chunking import sentence_spans
    from hsqa.documents import strip_markup
    from hsqa.store import vectors
    from hsqa.store.vectors import blob_bytes
    from tests.test_indexer import CountingEmbedder

    monkeypatch.setattr(vectors, "SENTENCE_BITS", bits)
    index(fake_config)
    assert diagnose(fake_config)["ok"]
    conn = Store(fake_config).conn

    def lengths(kind_sql: str) -> set[int]:
        return {r[0] for r in conn.execute(
            f"SELECT DISTINCT length(e.vector) FROM embeddings e WHERE e.key IN ({kind_sql})")}

    passages = "SELECT key FROM vectors WHERE kind=0"
    assert lengths(passages) == {blob_bytes(64)}
    assert lengths(f"SELECT key FROM vectors WHERE kind=1 EXCEPT {passages}") == {blob_bytes(64, bits)}
    # a new file whose one paragraph is a sentence of an indexed passage: that text is now a passage (searched
    # in the ANN index), so it is embedded again and stored with 8 bits
    row = conn.execute("SELECT c.text FROM chunks c JOIN vectors v ON v.chunk_id=c.id AND v.kind=1 LIMIT 1").fetchone()
    a, b = max(sentence_spans(row[0]), key=lambda s: s[1] - s[0])
    sentence = strip_markup(row[0][a:b])
    (fake_config.corpus_dir / "quote.txt").write_text(f"Quoted\n\n{sentence}\n", encoding="utf-8")
    emb = CountingEmbedder()
    Indexer(fake_config, emb).run()
    assert emb.texts == (1 if bits < 8 else 0)
    assert lengths(passages) == {blob_bytes(64)}
    assert diagnose(fake_config)["ok"]


def test_a_run_that_fills_the_embedding_cache_compacts_it(fake_config, monkeypatch):
    """Embeddings arrive in random key order, leaving b-tree pages part empty; a run that stored a large share of
    the cache afresh (a first build) rewrites the database packed."""
    import hsqa.store as store_mod

    big = fake_config.corpus_dir / "big.txt"
    big.write_text("Big record\n\n" + "\n\n".join(f"Paragraph {i} on glaciers {i * 7919} and the sea. Second "
                                                  f"sentence {i}." for i in range(400)))
    monkeypatch.setattr(store_mod, "COMPACT_FRESH_MIN", 100)
    r = index(fake_config)
    assert r.compacted > 0
    conn = Store(fake_config).conn
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert index(fake_config).compacted == 0  # nothing new: nothing to do
    monkeypatch.setattr(store_mod, "COMPACT_FRESH_MIN", 10**9)
    big.write_text(big.read_text() + "\n\nOne more paragraph.\n")
    assert index(fake_config).compacted == 0 and diagnose(fake_config)["ok"]


def test_the_flat_index_holds_8_bit_codes_trained_on_the_passages_and_retrains_as_it_grows():
    import faiss

    from hsqa.store import vectors as V

    rng = np.random.default_rng(3)
    x = rng.standard_normal((400, 48)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    ids = np.arange(1000, 1400, dtype=np.int64)
    index = V.build_index(48, ids[:300], x[:300])
    assert V.kind_of(index) == "flat" and faiss.downcast_index(index.index).code_size == 48  # one byte per dimension
    index.add_with_ids(x[300:], ids[300:])  # vectors added after training: within the ranges' margin, or clipped
    exact = x @ x[:50].T
    _, got = index.search(x[:50], 10)
    want = ids[np.argsort(-exact, axis=0)[:10].T]
    assert np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got, want)]) > 0.95
    assert V.wants_rebuild(V.new_index(48), 10)  # never trained: built from the cache instead
    assert not V.wants_rebuild(index, 400 + 50) and V.wants_rebuild(index, 400 + 100)
    assert not V.wants_rebuild(V.new_index(48), 0)
