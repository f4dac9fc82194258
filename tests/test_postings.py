"""The lexical postings (hsqa/search/postings.py) rank exactly as FTS5's bm25 does, follow the index from
generation to generation, and never answer from a file that is missing, stale or damaged (FTS5 does then)."""

import shutil

import numpy as np
import pytest

from hsqa.embedding import HashingEmbedder
from hsqa.indexer import Indexer
from hsqa.scope import Scope
from hsqa.search import Searcher
from hsqa.search import lexical, postings

from .conftest import bundled_questions

EXTRA = {
    # non-ASCII words (diacritics folded by unicode61), a combining mark, typographic quotes, CJK (indexed as
    # bigrams: a word is a phrase of several tokens), symbols and hyphenated words (phrases), repeated words
    # in title and section (the 0.3 and 0.5 weights summed instance by instance)
    "2009-03-02-côte-d-ivoire-consultation.txt": """Consultation on Human Security in Côte d’Ivoire

2 March 2009
Abidjan

Sécurité humaine — première session

The Co-Chairs of the consultation, held in Abidjan, said that la sécurité humaine and the “freedom from fear” of
the people of Côte d'Ivoire required protection and empowerment. Delegates discussed document A/64/701 and
resolution A/RES/66/290 on human security, and the report A/64/701 again, and the HIV/AIDS response.

Naïve approaches were rejected; the co-chaired sessions on human security reviewed projects in São Tomé, in
Zürich and in Reykjavík. The Cafe\u0301 workshop (with a combining accent) met twice.

人间安全 session

The delegation of Japan presented 人间安全 and 人间安全保障 as the Japanese and Chinese terms for human
security, security security security of people, and spoke again of 人间安全.
""",
    "2009-06-10-security-security.md": """# Security Security Security: Human Security Human Security

10 June 2009
Geneva

## Security and human security, security

Security, security and again security: the human security of people, of communities and of states was discussed
at length, with human rights, human development and human dignity. Document A/64/701 was introduced.

## Other matters

Nothing else: the meeting adjourned after a short exchange on the Trust Fund for Human Security.
""",
}

QUESTIONS = bundled_questions() + [
    "What is human security?",
    "human security in the General Assembly",
    "security security",
    "What was said about A/64/701 and A/RES/66/290?",
    "sécurité humaine in Côte d'Ivoire",
    "cote divoire securite",
    "Who co-chaired the consultation?",
    "HIV/AIDS response",
    "人间安全 and 人间安全保障",
    "Zurich Reykjavik Sao Tome cafe naive",
    "Café workshop",
    "freedom from fear",
    "zzzunknownword",
    "the of and",
    "Mexico",
]


def _index(config):
    for name, text in EXTRA.items():
        (config.corpus_dir / name).write_text(text, encoding="utf-8")
    return Indexer(config, HashingEmbedder(64)).run()


@pytest.fixture
def searcher(fake_config):
    _index(fake_config)
    return Searcher(fake_config, HashingEmbedder(64))


def _mismatches(searcher, questions=QUESTIONS, ns=(0, 1, 3, 10, 50, 10_000), scopes=(None,)):
    """Every question through the postings and through FTS5's ``ORDER BY bm25 LIMIT n``: exact equality of
    chunk ids, order and float scores. Returns ``(plans, mismatches)``."""
    plans, bad = [], []

    def run(snap):
        for q in questions:
            terms = searcher.parse(q)[0].terms
            for n in ns:
                for scope in scopes:
                    got = searcher.lexical.search(snap.conn, terms, n, scope, snap.generation)
                    plans.append(searcher.lexical.last_plan)
                    want = searcher.lexical._top(snap.conn, terms, n, scope)
                    if got != want:
                        bad.append((q, n, scope, got[:5], want[:5]))

    searcher.store.read(run)
    return plans, bad


def test_postings_rank_and_score_exactly_as_fts5_bm25(searcher):
    plans, bad = _mismatches(searcher)
    assert not bad, bad[:2]
    assert set(plans) == {"postings"}


def test_exact_within_scopes(searcher):
    docs = sorted(searcher.documents)
    years = {int(d["date"][:4]) for d in searcher.documents.values() if d["date"]}
    scopes = [Scope(doc_ids={docs[0]}), Scope(doc_ids=set(docs[1:])), Scope(years={min(years)}),
              Scope(doc_ids={docs[-1]}, years={max(years)}), Scope(doc_ids={10**9})]
    plans, bad = _mismatches(searcher, ns=(3, 50), scopes=scopes)
    assert not bad, bad[:2]
    assert set(plans) == {"postings"}


def test_phrases_of_several_tokens_and_non_ascii_words_really_match(searcher):
    """The corpus above exercises what it is meant to: phrases (symbols, CJK bigrams, hyphens) and words FTS5
    folds (é, ô, a combining accent)."""
    assert len(postings.tokens("A/64/701")) == 3 and len(postings.tokens(lexical.cjk_segment("人间安全").strip())) == 3
    assert postings.tokens("Sécurité") == postings.tokens("securite") == ("securit",)

    def run(snap):
        for q in ("A/64/701", "人间安全", "co-chaired", "Café", "Côte"):
            terms = searcher.parse(q)[0].terms
            assert searcher.lexical.search(snap.conn, terms, 10, None, snap.generation), q

    searcher.store.read(run)


def test_weighted_frequency_is_summed_instance_by_instance():
    """0.3 added six times is not 0.3 * 6 in floating point, nor 3.5 + 0.3 * 3: FTS5 adds, so the postings add."""
    counts = np.array([[2, 3, 2, 1], [0, 0, 0, 6], [0, 0, 0, 0]])
    f = postings.weighted_freq(counts, (1.0, 0.5, 0.3, 0.3))
    want = []
    for row in counts:
        x = 0.0
        for c, w in zip(row, (1.0, 0.5, 0.3, 0.3)):
            for _ in range(c):
                x += w
        want.append(x)
    assert f.tolist() == want
    assert want[0] != 3.5 + 0.3 * 3 and want[1] != 0.3 * 6


def test_the_index_run_writes_one_postings_file_per_generation_and_follows_changes(fake_config):
    _index(fake_config)
    s = Searcher(fake_config, HashingEmbedder(64))
    idx = fake_config.index_dir
    assert [p.name for p in idx.glob("lexical-*.npz")] == ["lexical-000001.npz"]
    # a changed document, a removed one, a renamed one: each run a new generation, its postings exact again
    changed = fake_config.corpus_dir / "2009-06-10-security-security.md"
    changed.write_text(changed.read_text().replace("Geneva", "Geneva, Nairobi and Reykjavík"), encoding="utf-8")
    Indexer(fake_config, HashingEmbedder(64)).run()
    (fake_config.corpus_dir / "2009-03-02-côte-d-ivoire-consultation.txt").unlink()
    Indexer(fake_config, HashingEmbedder(64)).run()
    first = sorted(fake_config.corpus_dir.iterdir())[0]
    first.rename(first.with_name("renamed-" + first.name))
    rep = Indexer(fake_config, HashingEmbedder(64)).run()
    assert rep.generation == 4
    assert [p.name for p in idx.glob("lexical-*.npz")] == ["lexical-000004.npz"]
    assert not list(idx.glob(".lexical-*"))
    s.refresh()
    plans, bad = _mismatches(s, ns=(3, 50))
    assert not bad, bad[:2]
    assert set(plans) == {"postings"}
    assert s.search("Nairobi", mode="lexical").results


def _results(s):
    return [[(r.chunk_id, r.score) for r in s.search(q, k=10, mode="lexical").results] for q in QUESTIONS]


def _fresh(config):
    return Searcher(config, HashingEmbedder(64))


def test_a_missing_postings_file_means_fts5_and_the_next_run_writes_it(fake_config):
    _index(fake_config)
    want = _results(_fresh(fake_config))
    path = postings.path_for(fake_config.index_dir, 1)
    path.unlink()
    s = _fresh(fake_config)
    assert _results(s) == want
    assert s.lexical.last_plan != "postings"
    rep = Indexer(fake_config, HashingEmbedder(64)).run()  # nothing changed: same generation, file written again
    assert rep.generation == 1 and path.exists()
    s = _fresh(fake_config)
    assert _results(s) == want and s.lexical.last_plan == "postings"


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "other generation", "other index", "format"])
def test_a_damaged_or_stale_postings_file_is_never_used(fake_config, tmp_path, damage):
    _index(fake_config)
    want = _results(_fresh(fake_config))
    path = postings.path_for(fake_config.index_dir, 1)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "garbage":
        raw = bytearray(path.read_bytes())
        raw[len(raw) // 2 : len(raw) // 2 + 64] = b"\xff" * 64
        path.write_bytes(bytes(raw))
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "format":
        arrays = postings._load_arrays(path)
        arrays["header"][0] = postings.FORMAT + 1
        postings.save(arrays, path)
    else:
        # the postings of a different index (fewer documents) under this generation's name
        other = tmp_path / "other"
        shutil.copytree(fake_config.corpus_dir, other / "corpus")
        (other / "corpus" / "2009-06-10-security-security.md").unlink()
        cfg = type(fake_config)(corpus_dir=other / "corpus", index_dir=other / "index", model="hashing:64")
        Indexer(cfg, HashingEmbedder(64)).run()
        if damage == "other generation":
            Indexer(cfg, HashingEmbedder(64)).run(rebuild=True)
            shutil.copy(postings.path_for(cfg.index_dir, 2), path)
        else:
            shutil.copy(postings.path_for(cfg.index_dir, 1), path)
    s = _fresh(fake_config)
    got = _results(s)
    if s.lexical.last_plan == "postings":  # only a flip that leaves a sound, matching file may still be used
        assert damage == "garbage"
    assert got == want


def test_postings_counts_match_fts5s_document_frequencies(searcher):
    def run(snap):
        post = searcher.lexical.postings(snap.conn, snap.generation)
        assert post is not None
        snap.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.t_vocab USING fts5vocab(main, chunks_fts, row)")
        vocab = snap.conn.execute("SELECT term, doc FROM temp.t_vocab").fetchall()
        assert len(vocab) == len(post.terms) > 100
        assert all(post.df(t) == d for t, d in vocab)

    searcher.store.read(run)


def _same_postings(a: postings.Postings, b: postings.Postings) -> bool:
    if not (np.array_equal(a.rowids, b.rowids) and np.array_equal(a.docs, b.docs) and np.array_equal(a.norm, b.norm)):
        return False
    for t in set(a.terms) | set(b.terms):
        (ra, fa), (rb, fb) = a.token(t), b.token(t)
        if not (np.array_equal(ra, rb) and np.array_equal(fa, fb)):
            return False
    return True


def test_each_run_updates_the_previous_postings_instead_of_rebuilding_them(fake_config, monkeypatch):
    """After the first run the postings of a new generation come from the previous file plus the changed rows
    (tokenized by FTS5 in a temporary table), and equal a whole build of the same index."""
    _index(fake_config)
    builds = []
    real_build = postings.build
    monkeypatch.setattr(postings, "build", lambda *a, **k: builds.append(1) or real_build(*a, **k))
    corpus = fake_config.corpus_dir
    steps = [
        lambda: (corpus / "2009-06-10-security-security.md").write_text(
            (corpus / "2009-06-10-security-security.md").read_text().replace("Geneva", "Geneva, Nairobi and Reykjavík"),
            encoding="utf-8"),
        lambda: (corpus / "2009-03-02-côte-d-ivoire-consultation.txt").unlink(),
        lambda: sorted(corpus.iterdir())[0].rename(corpus / ("renamed-" + sorted(corpus.iterdir())[0].name)),
        lambda: (corpus / "2010-01-01-new.txt").write_text(EXTRA["2009-03-02-côte-d-ivoire-consultation.txt"].replace(
            "Abidjan", "Nairobi"), encoding="utf-8"),
    ]
    s = Searcher(fake_config, HashingEmbedder(64))
    for step in steps:
        step()
        gen = Indexer(fake_config, HashingEmbedder(64)).run().generation

        def check(snap):
            assert snap.generation == gen
            saved = s.lexical.postings(snap.conn, gen)
            assert saved is not None
            whole = postings.load(_save_tmp(real_build(snap.conn, gen), fake_config.index_dir), gen,
                                  postings.averages(snap.conn), int(saved.rowids[-1]), lexical.COLUMN_WEIGHTS)
            assert _same_postings(saved, whole)

        s.refresh()
        s.store.read(check)
        plans, bad = _mismatches(s, ns=(3, 50))
        assert not bad and set(plans) == {"postings"}
    assert builds == []


def _save_tmp(arrays, folder):
    path = folder / "whole-build.npz"
    postings.save(arrays, path)
    return path


def test_an_update_that_does_not_add_up_is_built_whole(fake_config, monkeypatch):
    """A base file that lost rows (or any disagreement with FTS5's counts) is not patched: built whole."""
    _index(fake_config)
    path = postings.path_for(fake_config.index_dir, 1)
    a = postings._load_arrays(path)
    a["code"][: len(a["code"]) // 3] = 0  # wrong counts for a third of the postings; the file itself is sound
    postings.save(a, path)
    changed = fake_config.corpus_dir / "2009-06-10-security-security.md"
    changed.write_text(changed.read_text().replace("Geneva", "Nairobi"), encoding="utf-8")
    builds = []
    real_build = postings.build
    monkeypatch.setattr(postings, "build", lambda *a, **k: builds.append(1) or real_build(*a, **k))
    Indexer(fake_config, HashingEmbedder(64)).run()
    assert builds == [1]
    plans, bad = _mismatches(Searcher(fake_config, HashingEmbedder(64)), ns=(3, 50))
    assert not bad and set(plans) == {"postings"}


def test_an_index_with_another_tokenizer_is_answered_by_fts5(searcher, monkeypatch):
    """Questions are tokenized by an FTS5 table with the tokenizer the postings expect: an index made with
    another tokenizer is answered by FTS5, whatever postings file is there."""
    monkeypatch.setattr(postings, "TOKENIZER", "unicode61")
    searcher.lexical = lexical.LexicalRetriever(searcher.config.index_dir)
    plans, bad = _mismatches(searcher, questions=QUESTIONS[-6:], ns=(10,))
    assert not bad and "postings" not in plans


def test_a_file_left_by_a_run_that_died_before_committing_is_replaced(fake_config):
    """A killed run may leave the postings of the generation it never committed; the run that commits that
    generation number writes its own over it."""
    _index(fake_config)
    stale = postings.path_for(fake_config.index_dir, 2)
    shutil.copy(postings.path_for(fake_config.index_dir, 1), stale)  # sound file, wrong content for generation 2
    (fake_config.corpus_dir / "2009-06-10-security-security.md").unlink()
    assert Indexer(fake_config, HashingEmbedder(64)).run().generation == 2
    plans, bad = _mismatches(Searcher(fake_config, HashingEmbedder(64)), ns=(3, 50))
    assert not bad and set(plans) == {"postings"}


def test_doctor_tells_whether_the_postings_are_used(fake_config):
    from hsqa.doctor import diagnose

    _index(fake_config)
    rep = diagnose(fake_config)
    assert rep["ok"] and rep["lexical_postings"] == "ok"
    postings.path_for(fake_config.index_dir, 1).write_bytes(b"not a zip")
    rep = diagnose(fake_config)
    assert rep["ok"] and rep["lexical_postings"].startswith("lexical-000001.npz cannot be used")
    assert any("scored by FTS5" in line for line in rep["lines"])


@pytest.mark.parametrize("nrow", [100, 70_000])
def test_row_positions_are_stored_as_differences_within_each_term(nrow):
    """The file keeps each term's rows as differences (small, so they compress); reading gives them back
    exactly, with empty terms, the widths both sides of 65,536 rows, and rows out of order."""
    rng = np.random.default_rng(1)
    segs = [np.sort(rng.choice(nrow, size=k, replace=False)) for k in (0, 5, 0, 1, 30, 0)]
    indptr = np.cumsum([0] + [len(x) for x in segs])
    row = np.concatenate(segs).astype(np.uint16 if nrow <= 1 << 16 else np.int32)
    shuffled = row.copy()
    shuffled[indptr[4] : indptr[5]] = shuffled[indptr[4] : indptr[5]][::-1]
    for rows in (row, shuffled):
        stored = postings._delta_rows({"row": rows, "indptr": indptr})["row_delta"]
        back = postings._undelta_rows(stored, indptr, nrow)
        assert back.dtype == rows.dtype and np.array_equal(back, rows)
    assert int(postings._delta_rows({"row": row, "indptr": indptr})["row_delta"].max()) < int(row.max())

