"""Lexical retrieval cost cuts must not change what is found: common-term pruning and term statistics."""

import math
import unicodedata

import pytest

from hsqa.embedding import HashingEmbedder
from hsqa.indexer import Indexer
from hsqa.scope import Scope
from hsqa.search import Searcher
from hsqa.search import lexical
from hsqa.text import fts_query

from .conftest import bundled_questions

QUESTIONS = bundled_questions() + [
    "What is human security?",
    "human security in the General Assembly",
    "Which human security projects did the Trust Fund support?",
    "security of people and human dignity",
    "What did Mexico say about human security and the responsibility to protect?",
]


@pytest.fixture
def searcher(fake_config):
    Indexer(fake_config, HashingEmbedder(64)).run()
    return Searcher(fake_config, HashingEmbedder(64))


@pytest.fixture
def fts_searcher(searcher):
    """The searcher without the postings (tests/test_postings.py): FTS5 scores every query, the pruning path."""
    searcher.lexical = lexical.LexicalRetriever()
    return searcher


def _compare(searcher, questions, n, scope=None):
    """Pruned vs full FTS5 query for every question: ``(plans used, mismatches)``."""
    plans, bad = [], []

    def run(snap):
        for q in questions:
            terms = searcher.parse(q)[0].terms
            got = searcher.lexical.search(snap.conn, terms, n, scope, snap.generation)
            plans.append(searcher.lexical.last_plan)
            want = searcher.lexical._top(snap.conn, terms, n, scope)
            same = [c for c, _ in got] == [c for c, _ in want] and all(
                math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15) for (_, a), (_, b) in zip(got, want))
            if not same:
                bad.append((q, got, want))

    searcher.store.read(run)
    return plans, bad


@pytest.mark.parametrize("n", [3, 10, 50])
def test_common_term_pruning_gives_the_full_querys_ranking_and_scores(fts_searcher, monkeypatch, n):
    monkeypatch.setattr(lexical, "PRUNE_MIN_ROWS", 0)  # prune even on this small corpus
    plans, bad = _compare(fts_searcher, QUESTIONS, n)
    assert not bad, bad[:2]
    if n <= 10:  # the shortcut really ran ("human", "security" are everywhere here); 50 is most of this corpus
        assert plans.count("pruned") >= 5, plans
    assert "full after pruned" in plans or n <= 10


def test_common_term_pruning_within_a_scope(fts_searcher, monkeypatch):
    monkeypatch.setattr(lexical, "PRUNE_MIN_ROWS", 0)
    doc_id = min(fts_searcher.documents)
    plans, bad = _compare(fts_searcher, QUESTIONS, 10, Scope(doc_ids={doc_id}))
    assert not bad, bad[:2]
    assert "pruned" in plans


def test_pruning_keeps_search_results_identical(searcher, monkeypatch):
    def results(min_rows):
        monkeypatch.setattr(lexical, "PRUNE_MIN_ROWS", min_rows)
        searcher.lexical = lexical.LexicalRetriever()
        out = []
        for mode in ("lexical", "hybrid"):
            for q in QUESTIONS:
                r = searcher.search(q, k=10, mode=mode)
                out.append([(x.chunk_id, round(x.score, 9), x.lexical_rank, x.terms) for x in r.results])
        return out

    assert results(10**12) == results(0)


def test_column_text_unicode61_may_split_otherwise_falls_back_to_the_full_query(fts_searcher, monkeypatch):
    """A combining mark: Python's ``\\w`` and unicode61 may cut words differently there, so the common
    terms' share is not recounted in Python; the full query answers (same results)."""
    assert not lexical._plain(unicodedata.normalize("NFD", "Côte d'Ivoire human security"))
    assert lexical._plain("Côte d’Ivoire — human security")
    monkeypatch.setattr(lexical, "PRUNE_MIN_ROWS", 0)
    monkeypatch.setattr(lexical, "_plain", lambda text: False)
    plans, bad = _compare(fts_searcher, QUESTIONS, 10)
    assert not bad
    assert "pruned" not in plans and "full after pruned" in plans


def test_term_statistics_are_fts5s_own(searcher):
    """Passage count and mean length from the FTS5 averages record; df equals a count(*) MATCH."""

    def check(snap):
        conn = snap.conn
        terms = ["human", "security", "Mexico", "zzzunknown", "A/66/763"]
        df = searcher.lexical.frequencies(conn, terms, snap.generation)
        for t in terms:
            assert df[t] == conn.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?",
                                         (fts_query([t]),)).fetchone()[0]
        n, avgdl = searcher.lexical._averages(conn)
        assert n == conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        sizes = [sum(lexical._varints(r[0])) for r in conn.execute("SELECT sz FROM chunks_fts_docsize")]
        assert avgdl == pytest.approx(sum(sizes) / len(sizes), rel=1e-12)
        assert df["human"] * 2 >= n  # the corpus this test relies on: a term in most passages

    searcher.store.read(check)


def test_idf_unchanged(searcher):
    """idf is log((N + 1) / (df + 0.5)), floored at 0, per index generation."""

    def check(snap):
        idf = searcher.lexical.idf(snap.conn, ["human", "Mexico"], snap.generation)
        n = snap.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        df = snap.conn.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH '\"Mexico\"'").fetchone()[0]
        assert idf["Mexico"] == pytest.approx(math.log((n + 1) / (df + 0.5)))
        assert idf["human"] >= 0.0

    searcher.store.read(check)


def test_pruning_follows_a_changed_index(fake_config, monkeypatch):
    """Statistics are per generation: after a document is removed the counts (and results) are the new index's."""
    monkeypatch.setattr(lexical, "PRUNE_MIN_ROWS", 0)
    Indexer(fake_config, HashingEmbedder(64)).run()
    s = Searcher(fake_config, HashingEmbedder(64))
    s.lexical = lexical.LexicalRetriever()  # the FTS5 path (the postings follow too: tests/test_postings.py)
    s.search("human security in the General Assembly", mode="lexical")
    victim = sorted(fake_config.corpus_dir.iterdir())[0]
    victim.unlink()
    Indexer(fake_config, HashingEmbedder(64)).run()
    s.refresh()
    plans, bad = _compare(s, QUESTIONS, 10)
    assert not bad

    def count(snap):
        return snap.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]

    assert s.lexical._n == s.store.read(count)


def test_without_fts5_statistics_nothing_is_pruned_and_idf_is_unchanged(searcher, monkeypatch):
    """An FTS layout whose averages record cannot be read (another FTS5 version or layout): never prune,
    and the coverage idf still counts the chunks table."""
    monkeypatch.setattr(lexical, "PRUNE_MIN_ROWS", 0)
    monkeypatch.setattr(lexical.LexicalRetriever, "_averages", staticmethod(lambda conn: (0, 0.0)))
    searcher.lexical = lexical.LexicalRetriever()
    plans, bad = _compare(searcher, QUESTIONS, 10)
    assert not bad and set(plans) == {"full"}

    def check(snap):
        n = snap.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        df = snap.conn.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH '\"Mexico\"'").fetchone()[0]
        assert searcher.lexical.idf(snap.conn, ["Mexico"], snap.generation)["Mexico"] == pytest.approx(
            math.log((n + 1) / (df + 0.5)))

    searcher.store.read(check)
