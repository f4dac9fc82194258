import os
import shutil
from pathlib import Path

import pytest

from hsqa.config import Config
from hsqa.embedding import HashingEmbedder
from hsqa.errors import IndexBusy, ModelMismatch
from hsqa.indexer import Indexer, staleness, writer_lock
from hsqa.search import Searcher
from hsqa.store import Store

from .conftest import FHS_2007, GA_2012


class CountingEmbedder(HashingEmbedder):
    def __init__(self, dim=64):
        super().__init__(dim)
        self.calls = 0
        self.texts = 0

    def embed_batch(self, texts):
        self.calls += 1
        self.texts += len(texts)
        return super().embed_batch(texts)


def run(config, emb=None, **kw):
    return Indexer(config, emb or CountingEmbedder()).run(**kw)


def test_first_index_then_noop(fake_config):
    r = run(fake_config)
    assert (r.added, r.updated, r.removed, r.unchanged) == (2, 0, 0, 0)
    assert r.documents == 2 and r.chunks == 31
    emb = CountingEmbedder()
    r2 = run(fake_config, emb)
    assert (r2.added, r2.updated, r2.removed, r2.unchanged) == (0, 0, 0, 2)
    assert emb.calls == 0 and r2.generation == r.generation


def test_edit_embeds_only_changed_paragraphs(fake_config):
    run(fake_config)
    p = fake_config.corpus_dir / FHS_2007
    text = p.read_text()
    p.write_text(text.replace("climate change, which poses", "climate change and sea-level rise, which pose"))
    emb = CountingEmbedder()
    r = run(fake_config, emb)
    assert (r.added, r.updated, r.removed, r.unchanged) == (0, 1, 0, 1)
    # one paragraph changed: its passage vector and its changed sentence(s) only
    assert 1 <= emb.texts <= 3
    s = Searcher(fake_config, HashingEmbedder(64))
    hits = s.search("sea-level rise", k=3, mode="lexical").results
    assert hits and "sea-level rise" in hits[0].text
    assert not s.search('"poses serious implications"', k=3, mode="lexical").results or all(
        "poses serious implications" not in h.text for h in s.search("poses serious implications", k=10).results
    )


def test_remove_and_rename(fake_config):
    run(fake_config)
    c = fake_config.corpus_dir
    os.rename(c / GA_2012, c / "renamed.md")
    emb = CountingEmbedder()
    r = run(fake_config, emb)
    assert (r.added, r.updated, r.removed, r.renamed, r.unchanged) == (0, 0, 0, 1, 1)
    assert emb.calls == 0
    assert {d["path"] for d in Store(fake_config).documents()} == {"renamed.md", FHS_2007}
    (c / "renamed.md").unlink()
    r = run(fake_config)
    assert (r.added, r.removed, r.documents) == (0, 1, 1)
    s = Searcher(fake_config, HashingEmbedder(64))
    assert all(h.source == FHS_2007 for h in s.search("General Assembly plenary 64/291", k=10).results)


def test_hostile_corpus_is_skipped_with_reasons_and_nothing_is_lost(fake_config):
    run(fake_config)
    c = fake_config.corpus_dir
    (c / "empty.txt").write_text("")
    (c / "binary.txt").write_bytes(b"\x00\x01\x02binary" * 50)
    (c / "fake.md").write_bytes(b"%PDF-1.4 not text")
    (c / "folder.txt").mkdir()
    (c / "~$draft.txt").write_text("temp")
    (c / "notes.swp").write_text("temp")
    (c / ".hidden.txt").write_text("hidden text.")
    (c / "image.png").write_bytes(b"\x89PNG....")
    (c / "loop").symlink_to(c)
    (c / "dangling.txt").symlink_to(c / "nowhere.txt")
    (c / "latin1.txt").write_bytes("Title\n\nThe d\xe9l\xe9gu\xe9 spoke about s\xe9curit\xe9 humaine.\n".encode("latin-1"))
    r = run(fake_config)
    reasons = {s["path"]: s["reason"] for s in r.skipped}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "PDF" in reasons["fake.md"]
    assert "directory" in reasons["folder.txt"]
    assert "temporary" in reasons["~$draft.txt"] and "temporary" in reasons["notes.swp"]
    assert "unsupported" in reasons["image.png"]
    assert "loop" in reasons["loop"]
    assert "broken symlink" in reasons["dangling.txt"]
    assert ".hidden.txt" not in reasons
    assert r.added == 1 and r.documents == 3  # the latin-1 file is indexed, the seeds kept


def test_model_mismatch_is_reported_and_model_change_rebuilds(fake_config):
    run(fake_config)
    other = Config(fake_config.corpus_dir, fake_config.index_dir, model="hashing:32")
    with pytest.raises(ModelMismatch, match="hashing:64"):
        Searcher(other, HashingEmbedder(32))
    r = Indexer(other, HashingEmbedder(32)).run()
    assert r.rebuild and "model changed" in r.rebuild
    assert r.documents == 2 and r.chunks == 31
    s = Searcher(other, HashingEmbedder(32))
    vectors, _ = s.store.load_faiss()
    assert vectors.d == 32 and vectors.ntotal == Store(other).conn.execute("select count(*) from vectors where kind=0").fetchone()[0]


def test_lock_refuses_a_second_writer(fake_config):
    with writer_lock(fake_config):
        with pytest.raises(IndexBusy, match=f"pid {os.getpid()}"):
            run(fake_config)


def test_missing_vector_file_is_repaired_from_stored_embeddings(fake_config):
    r = run(fake_config)
    fake_config.vectors_path(r.generation).unlink()
    s = Searcher(fake_config, HashingEmbedder(64))
    assert s.search("Thailand ministry", k=1).results
    assert s.repaired
    r2 = run(fake_config)
    assert r2.repaired and fake_config.vectors_path(r2.generation).exists()


def test_staleness(fake_config):
    run(fake_config)
    c = fake_config.corpus_dir
    shutil.copy(c / FHS_2007, c / "copy.txt")
    (c / GA_2012).write_text((c / GA_2012).read_text() + "\nAn added closing paragraph.\n")
    os.utime(c / FHS_2007)  # touched, same bytes: not a change
    st = staleness(fake_config, Store(fake_config))
    assert (st.new, st.changed, st.deleted) == (["copy.txt"], [GA_2012], [])


def test_multi_megabyte_single_line_file_is_indexed(fake_config):
    line = "The delegates discussed human security and the protection of civilians in armed conflict " * 20000
    (fake_config.corpus_dir / "huge.txt").write_text(line)
    r = run(fake_config)
    assert r.added == 3 and not r.skipped
    store = Store(fake_config)
    (doc_id,) = [d["id"] for d in store.documents() if d["path"] == "huge.txt"]
    rows = store.conn.execute("SELECT start, end, text, paragraph FROM chunks WHERE doc_id=?", (doc_id,)).fetchall()
    assert len(rows) > 100 and {r["paragraph"] for r in rows} == {1}
    assert all(line[r["start"] : r["end"]] == r["text"] for r in rows[:50])


def test_oversized_file_is_skipped_and_file_vanishing_is_reported(fake_config, monkeypatch):
    cfg = Config(fake_config.corpus_dir, fake_config.index_dir, fake_config.model, max_file_bytes=4096)
    r = run(cfg)
    assert {s["path"] for s in r.skipped} == {FHS_2007, GA_2012}
    assert all("too large" in s["reason"] for s in r.skipped)
    # a file that disappears between the scan and the read
    import hsqa.indexer as ix

    real_scan = ix.scan_corpus

    def scan_then_delete(corpus):
        s = real_scan(corpus)
        (corpus / FHS_2007).unlink()
        return s

    monkeypatch.setattr(ix, "scan_corpus", scan_then_delete)
    r = run(fake_config)
    assert {"path": FHS_2007, "reason": "vanished while being read"} in r.skipped
    assert r.added == 1


def test_file_changing_during_indexing_ends_consistent(fake_config, monkeypatch):
    import hsqa.indexer as ix

    run(fake_config)
    real_scan = ix.scan_corpus
    target = fake_config.corpus_dir / FHS_2007
    target.write_text(target.read_text().replace("Chiang Mai", "Chiang Saen"))  # a change the scan sees

    def scan_then_edit(corpus):
        s = real_scan(corpus)
        target.write_text(target.read_text().replace("Chiang Saen", "Chiang Rai"))  # after the stat, before the read
        return s

    monkeypatch.setattr(ix, "scan_corpus", scan_then_edit)
    r = run(fake_config)
    assert r.updated == 1
    monkeypatch.setattr(ix, "scan_corpus", real_scan)
    s = Searcher(fake_config, HashingEmbedder(64))
    assert "Chiang Rai" in s.search("Chiang", k=1, mode="lexical").results[0].text  # the bytes it read
    emb = CountingEmbedder()
    r = run(fake_config, emb)  # the newer mtime is noticed, the bytes are the ones indexed: nothing to embed
    assert (r.updated, r.unchanged, emb.calls) == (0, 2, 0)
    assert not staleness(fake_config, Store(fake_config)).stale


def test_a_fixed_skipped_file_is_seen_as_new(fake_config):
    (fake_config.corpus_dir / "draft.txt").write_text("")
    r = run(fake_config)
    assert r.skipped == [{"path": "draft.txt", "reason": "empty file"}]
    assert not staleness(fake_config, Store(fake_config)).stale  # known and skipped: not "new" again
    (fake_config.corpus_dir / "draft.txt").write_text("Title\n\nNow it has a paragraph about deserts.\n")
    assert staleness(fake_config, Store(fake_config)).new == ["draft.txt"]
    r = run(fake_config)
    assert r.added == 1 and r.skipped == []


def test_schema_migrations_upgrade_an_old_database(tmp_path):
    import sqlite3

    from hsqa.store import MIGRATIONS, migrate, _statements

    db = sqlite3.connect(tmp_path / "old.sqlite3", isolation_level=None)
    for stmt in _statements(MIGRATIONS[0]):  # a database as version 1 left it
        db.execute(stmt)
    db.execute("PRAGMA user_version=1")
    db.execute("INSERT INTO skipped(path, reason) VALUES('a.txt', 'empty file')")
    assert migrate(db) == len(MIGRATIONS)
    row = db.execute("SELECT path, reason, size, mtime_ns FROM skipped").fetchone()
    assert row == ("a.txt", "empty file", None, None)


@pytest.mark.parametrize("what", ["CHUNKER_VERSION", "PARSER_VERSION", "FORMAT_VERSION"])
def test_chunker_parser_or_format_change_rebuilds_cleanly(fake_config, monkeypatch, what):
    import hsqa.indexer as ix

    run(fake_config)
    monkeypatch.setattr(ix, what, getattr(ix, what) + 1)
    emb = CountingEmbedder()
    r = run(fake_config, emb)
    assert r.rebuild and r.documents == 2 and r.chunks == 31
    assert emb.calls == 0  # same texts, same model: the embedding cache serves the rebuild
    meta = Store(fake_config).meta()
    key = {"CHUNKER_VERSION": "chunker_version", "PARSER_VERSION": "parser_version", "FORMAT_VERSION": "format_version"}[what]
    assert int(meta[key]) == getattr(ix, what)


def test_readers_upgrade_an_index_written_by_an_older_version(fake_config):
    import sqlite3

    from hsqa.store import MIGRATIONS

    import numpy as np

    from hsqa.store.vectors import decode

    from hsqa.store.schema import text_key

    # an index as hsqa at schema 5 wrote it (tests/data/index-v5), taken back to what version 1 looked like
    shutil.copytree(Path(__file__).parent / "data" / "index-v5", fake_config.index_dir,
                    ignore=shutil.ignore_patterns("*.md"))
    db = sqlite3.connect(fake_config.db_path)
    # as hsqa before schema 5 wrote them: float32 vectors, each paragraph's own text
    before = {h: decode(v) for h, v in db.execute("SELECT hash, vector FROM embeddings")}
    db.executemany("UPDATE embeddings SET vector=? WHERE hash=?", [(v.astype("<f4").tobytes(), h) for h, v in before.items()])
    db.execute("UPDATE paragraphs SET text=(SELECT substr(t.text, paragraphs.start + 1, paragraphs.end - paragraphs.start) "
               "FROM document_text t WHERE t.doc_id=paragraphs.doc_id)")
    db.execute("ALTER TABLE skipped DROP COLUMN size")
    db.execute("ALTER TABLE skipped DROP COLUMN mtime_ns")
    db.execute("ALTER TABLE embeddings DROP COLUMN used")  # and undo migration 3: a database as version 1 left it
    db.execute("DROP INDEX vectors_hash")
    db.execute("ALTER TABLE paragraphs DROP COLUMN page")  # and migration 4
    db.execute("DROP TABLE document_text")
    db.execute("PRAGMA user_version=1")
    db.commit()
    db.close()
    s = Searcher(fake_config, HashingEmbedder(64))  # read-only opener
    assert not staleness(fake_config, s.store).stale
    assert s.store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    after = {k: decode(v) for k, v in s.store.conn.execute("SELECT key, vector FROM embeddings")}
    assert after.keys() == {text_key(h) for h in before}
    # each vector as it was (8-bit codes), or, used only by sentences, as 4-bit codes of the same direction
    assert all(np.allclose(after[text_key(h)], v, atol=1e-6) or float(after[text_key(h)] @ v) / float(v @ v) > 0.97
               for h, v in before.items())
    assert all(p["text"] for d in s.store.documents() for p in s.store.paragraphs(d["id"]))
    assert s.search("Thailand ministry", k=1).results


def test_passages_only_index_embeds_no_sentence_and_switching_rebuilds(fake_config):
    import dataclasses

    full = run(fake_config)
    store = Store(fake_config)
    n_sent = store.conn.execute("SELECT count(*) FROM vectors WHERE kind=1").fetchone()[0]
    assert n_sent > 0
    lean = dataclasses.replace(fake_config, sentence_vectors=False)
    emb = CountingEmbedder()
    r = Indexer(lean, emb).run()
    assert r.rebuild == "sentence vectors turned off" and emb.calls == 0  # passages come from the cache
    assert store.conn.execute("SELECT count(*) FROM vectors WHERE kind=1").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM vectors").fetchone()[0] == full.chunks
    s = Searcher(lean, HashingEmbedder(64))
    res = s.search("Thailand ministry", k=3).results
    assert res and all(r.similarity is not None for r in res)
    assert Indexer(lean, CountingEmbedder()).run().rebuild is None  # the setting is remembered
    r = Indexer(fake_config, CountingEmbedder()).run()
    assert r.rebuild == "sentence vectors turned on"
    assert store.conn.execute("SELECT count(*) FROM vectors WHERE kind=1").fetchone()[0] == n_sent


def test_passages_only_setting_from_the_environment(monkeypatch):
    monkeypatch.setenv("HSQA_SENTENCE_VECTORS", "0")
    assert Config().sentence_vectors is False
    monkeypatch.setenv("HSQA_SENTENCE_VECTORS", "1")
    assert Config().sentence_vectors is True


def test_a_change_in_how_passages_are_tokenized_rebuilds_the_lexical_index_sound(fake_config, monkeypatch):
    """Found when the lexical version went to 3: the rebuild removed each old passage from the FTS5 index with
    the values the content view computes now, not those it indexed, and every later search failed with
    "database disk image is malformed". A rebuild writes the lexical index anew instead."""
    import hsqa.indexer
    import hsqa.store.schema as schema

    Indexer(fake_config, HashingEmbedder(64)).run()
    old_body = schema.fts_body
    monkeypatch.setattr(schema, "fts_body", lambda t: None if t is None else old_body(t) + " zzqmarker")
    monkeypatch.setattr(hsqa.indexer, "LEXICAL_VERSION", schema.LEXICAL_VERSION + 1)
    report = Indexer(fake_config, HashingEmbedder(64)).run()
    assert report.rebuild == "the lexical index format changed"
    conn = schema.connect(fake_config.db_path)
    conn.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES('integrity-check', 1)")  # raises when corrupt
    assert conn.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'zzqmarker'").fetchone()[0] == 31
    conn.close()
    res = Searcher(fake_config, HashingEmbedder(64)).search("Thailand ministry", k=3, mode="lexical").results
    assert res and res[0].source == FHS_2007
