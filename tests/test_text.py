"""Text helpers against SQLite itself: the stemmer agrees with FTS5's porter tokenizer; CJK words match."""

import random
import re
import sqlite3

from hsqa.embedding import HashingEmbedder
from hsqa.indexer import Indexer
from hsqa.search import Searcher
from hsqa.text import stem, term_spans

from .conftest import CORPUS


def fts5_tokens(words: list[str]) -> list[list[str]]:
    """What ``porter unicode61 remove_diacritics 2`` (the index's tokenizer) makes of each word."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(b, tokenize = 'porter unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance')")
    db.executemany("INSERT INTO f(rowid, b) VALUES(?, ?)", list(enumerate(words)))
    out: list[list[str]] = [[] for _ in words]
    for term, doc, _col, _off in db.execute("SELECT term, doc, col, offset FROM v ORDER BY doc, offset"):
        out[doc].append(term)
    return out


def test_stem_agrees_with_fts5_porter_on_the_corpus_and_known_pairs():
    words = sorted({w for p in CORPUS.iterdir() for w in re.findall(r"[^\W_]+", p.read_text(encoding="utf-8"))})
    words += "measure measures issue issues state States agree agreed agreeing sécurité Défense".split()
    for w, toks in zip(words, fts5_tokens(words)):
        if len(toks) == 1:
            assert stem(w) == toks[0], (w, stem(w), toks[0])
    assert stem("measure") == stem("measures") and stem("issue") == stem("issues")
    assert stem("state") == stem("States") and stem("agree") == stem("agreed")


def test_stem_agrees_with_fts5_porter_on_generated_words():
    rng = random.Random(7)
    suffixes = ("s es ies sses ed eed ing at bl iz y ational tional enci anci izer logi bli alli entli eli ousli "
                "ization ation ator alism iveness fulness ousness aliti iviti biliti ical ness icate iciti ful ative "
                "alize al ance ence er ic able ible ant ement ment ent sion tion ou ism ate iti ous ive ize e ll").split()
    words = []
    for _ in range(20000):
        w = "".join(rng.choice("bcdfghlmnprstvwxyz" if rng.random() < 0.6 else "aeiouy") for _ in range(rng.randint(1, 7)))
        words.append(w + "".join(rng.choice(suffixes) for _ in range(rng.randint(0, 2))))
    bad = [(w, stem(w), t[0]) for w, t in zip(words, fts5_tokens(words)) if len(t) == 1 and stem(w) != t[0]]
    assert not bad, bad[:10]


def test_highlights_follow_what_bm25_matched():
    text = "Member States agreed on measures to address the issues raised."
    got = [text[a:b] for a, b in term_spans(text, ["state", "agree", "measure", "issue"])]
    assert got == ["States", "agreed", "measures", "issues"]


def test_a_cjk_word_inside_a_sentence_matches_lexically(fake_config):
    c = fake_config.corpus_dir
    (c / "zh.txt").write_text(
        "人间安全会议\n\n2010年5月20日\n\n会议讨论了人间安全问题，并且强调了气候变化的影响。\n", encoding="utf-8"
    )
    Indexer(fake_config, HashingEmbedder(64)).run()
    s = Searcher(fake_config, HashingEmbedder(64))
    for q in ("人间安全", "气候变化", "安全问题"):
        hits = s.search(q, k=3, mode="lexical").results
        assert hits and hits[0].source == "zh.txt", q
    assert not [h for h in s.search("安全会谈", k=3, mode="lexical").results if h.source == "zh.txt"]  # a phrase, not any bigram
