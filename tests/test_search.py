import shutil

import pytest

from hsqa.embedding import HashingEmbedder
from hsqa.indexer import Indexer
from hsqa.search import Searcher
from hsqa.text import find_acronyms, fts_query, query_terms

from .conftest import FHS_2007, GA_2012


@pytest.fixture
def searcher(fake_config):
    Indexer(fake_config, HashingEmbedder(64)).run()
    return Searcher(fake_config, HashingEmbedder(64))


HOSTILE = [
    'AND OR NOT "unbalanced',
    "NEAR(human security, 3)",
    "human* -security: {col}",
    "'; DROP TABLE chunks; --",
    '""""',
    "^caret $dollar @at",
    "x" * 5000,
    "security " * 700,
    "???",
    "",
    "   ",
]


@pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_hostile_queries_never_break(searcher, q, mode):
    resp = searcher.search(q, k=5, mode=mode)
    assert isinstance(resp.results, list)


@pytest.mark.parametrize(
    "q,doc,needle",
    [
        ("A/66/763", GA_2012, "A/66/763"),
        ("64/291", GA_2012, "64/291"),
        ("1612", FHS_2007, "1612"),
        ("HIV/AIDS", FHS_2007, "HIV/AIDS"),
        ("Co-Chairs", FHS_2007, "Co-Chairs"),
        ('"Friends of Human Security"', FHS_2007, "Friends of Human Security"),
    ],
)
def test_exact_tokens_match_lexically(searcher, q, doc, needle):
    top = searcher.search(q, k=3, mode="lexical").results[0]
    assert top.source == doc and needle in top.text


def test_fts_query_quotes_every_token():
    assert fts_query(query_terms('A/62/695 AND "x" NEAR')) == '"a/62/695" OR "x" OR "near"'
    assert fts_query(['a"b']) == '"a""b"'


def test_metadata_year_and_ordinal_pull_the_right_document(searcher):
    for q, doc in [("what happened at the 2012 debate", GA_2012), ("the second meeting", FHS_2007)]:
        res = searcher.search(q, k=3, mode="lexical").results
        assert res[0].source == doc


def test_scope_filters(searcher):
    res = searcher.search("human security year:2012", k=10).results
    assert res and all(r.source == GA_2012 for r in res)
    res = searcher.search("doc:friends human security", k=10).results
    assert res and all(r.source == FHS_2007 for r in res)


def test_near_identical_passages_are_returned_once(fake_config):
    shutil.copy(fake_config.corpus_dir / FHS_2007, fake_config.corpus_dir / "duplicate.txt")
    Indexer(fake_config, HashingEmbedder(64)).run()
    s = Searcher(fake_config, HashingEmbedder(64))
    res = s.search("Ministry of Social Development and Human Security", k=5).results
    texts = [r.text for r in res]
    assert len(texts) == len(set(texts))


def test_acronyms_from_corpus_and_glossary(searcher):
    assert find_acronyms('the "Friends of Human Security" (FHS) met') == {"FHS": "Friends of Human Security"}
    assert "responsibility to protect" in searcher.expansions("Is it the same as R2P?")
    assert searcher.expansions("who spoke first?") == []  # "who" is not WHO


def test_results_are_verbatim_slices(searcher, fake_config):
    for r in searcher.search("human security definition", k=10).results:
        raw = (fake_config.corpus_dir / r.source).read_text(encoding="utf-8")
        assert raw[r.start : r.end] == r.text


def test_only_doc_and_year_are_filters(searcher):
    resp = searcher.search("what was said in: Tokyo", k=3, mode="lexical")
    assert resp.scope is None or not resp.scope
    assert resp.results and "Tokyo" in resp.results[0].text
    resp = searcher.search('doc:"Friends of Human" climate', k=3)
    assert {r.source for r in resp.results} == {FHS_2007}
