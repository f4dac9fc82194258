"""Text helpers against SQLite itself: the stemmer agrees with FTS5's porter tokenizer; CJK words match."""

import random
import re
import sqlite3

from hsqa.embedding import HashingEmbedder
from hsqa.indexer import Indexer
from hsqa.search import Searcher
from hsqa.text import TOKEN, stem, term_spans

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


# -- the per-candidate fast paths (distinct words stemmed once, ASCII lower-cased first) agree with the
# -- plain definitions, word by word, on every passage of the bundled corpus and on tricky text
def _plain_stems(text):
    out = set()
    for w in TOKEN.findall(text):
        out.add(stem(w))
        if "-" in w or "/" in w:
            out.update(stem(part) for part in re.split(r"[/\-]", w) if part)
            if re.fullmatch(r"[^\W\d_]+(?:-[^\W\d_]+)+", w):
                out.add("-".join(stem(p) for p in w.split("-")))
    return out


def _plain_spans(text, terms):
    stems = {stem(t) for t in terms}
    whole = {t.lower() for t in terms}
    out = []
    for m in TOKEN.finditer(text):
        w = m.group(0)
        if w.lower() in whole or stem(w) in stems:
            out.append(m.span())
        elif "-" in w or "/" in w:
            pos = m.start()
            for part in re.split(r"([/\-])", w):
                if part and part not in "/-" and (part.lower() in whole or stem(part) in stems):
                    out.append((pos, pos + len(part)))
                pos += len(part)
    return out


TRICKY = [
    "İstanbul and ISTANBUL; Côte d’Ivoire; Secretary-General’s HIV/AIDS A/62/695 co-chairs Co-Chairs",
    "The States' measures: measure, measured, MEASURES and state-building (S/RES/1325) in 2003.",
    "人间安全 human security — Ⅻ ﬁnance ǅ",
    "U.N.'s staff, the State's-led plan, States' views, X's.Y and d’Ivoire; a.b-c a-b.c; Co-Chairs’s note.",
    "HIV/AIDS-related non-governmental Secretary-General's eys iyed STATE'S State’S agreed--measures ..agree",
    "Measures/measured; state's'y; ‘human’ “security” – securities… secure humans 2003's 1325-resolution",
]


def _passages():
    from hsqa.chunking import chunk_document
    from hsqa.documents import parse_document, read_text

    from .conftest import CORPUS, ROOT

    out = list(TRICKY)
    for p in sorted([*CORPUS.iterdir(), *(ROOT / "benchmarks" / "corpus").iterdir()]):
        if p.suffix in (".txt", ".md"):
            out += [c.text for c in chunk_document(parse_document(read_text(p.read_bytes(), p)[0], p.name))]
    return out


def test_term_matching_fast_paths_equal_the_plain_definitions():
    from hsqa.text import _stems_of, matched_terms, query_terms

    texts = _passages()
    assert len(texts) > 300
    questions = ["Which measures did the States agree on HIV/AIDS?", "Secretary-General report A/62/695",
                 "human security in Côte d'Ivoire and İstanbul", "co-chairs of the 2003 meeting", "人间安全",
                 "U.N. staff of the State and X's plan", "Ivoire b.c a.b non-governmental eys AIDS related",
                 "Annan's report 1325 resolution securities", "What did Japan’s delegate say about Co-Chairs?"]
    for text in texts:
        assert _stems_of(text) == _plain_stems(text), text
        for q in questions:
            terms = query_terms(q)
            low = text.lower()
            plain = _plain_stems(text)
            want = {t for t in terms if stem(t) in plain or (not t.isalpha() and t.lower() in low)
                    or (re.fullmatch(r"[^\W\d_]+(?:-[^\W\d_]+)+", t) and "-".join(stem(p) for p in t.split("-")) in plain)}
            assert matched_terms(text, terms) == want, (text, q)
            assert term_spans(text, terms) == _plain_spans(text, terms), (text, q)


def test_term_matching_fast_path_on_random_joins():
    """Words glued by every joiner and punctuation mark in every order: the fast path agrees with the definition."""
    from hsqa.text import _matched_plain, matched_terms

    rng = random.Random(7)
    words = ["state", "States", "measure", "eys", "U", "N", "s", "S", "co", "Chairs", "agreed", "2003", "AIDS",
             "HIV", "human", "securities", "Ivoire", "d", "ies", "a", "b"]
    glue = [" ", "-", "/", ".", "'", "’", "'s", "’s", "'S", "--", "..", " '", "' ", "“", "”", "–", "…", ",", "\u00a0"]
    for _ in range(4000):
        text = "".join(rng.choice(words) + rng.choice(glue) for _ in range(rng.randint(1, 6)))
        terms = rng.sample(words + ["U.N", "co-chairs", "HIV/AIDS", "state's", "a.b"], rng.randint(1, 4))
        assert matched_terms(text, terms) == _matched_plain(text, terms), (text, terms)


def test_stem_cache_keeps_passages_that_come_back_and_stays_bounded(monkeypatch):
    from hsqa import text as T

    monkeypatch.setattr(T, "STEM_CACHE_SIZE", 8)
    monkeypatch.setattr(T, "_stem_sets", T.OrderedDict())
    monkeypatch.setattr(T, "_sightings", T.OrderedDict())
    texts = [f"The {i} measures of human security agreed by States-parties" for i in range(30)]
    for _ in range(3):
        for t in texts:
            assert T.matched_terms(t, ["measure", "state", "agree", "security"]) == {"measure", "state", "agree",
                                                                                      "security"}
    assert len(T._stem_sets) <= 8 and len(T._sightings) <= 8
    for t in texts[-3:]:
        T.matched_terms(t, ["human"])
    assert texts[-1] in T._stem_sets  # seen again: its stems are kept


def test_term_spans_fast_path_on_random_joins():
    rng = random.Random(11)
    words = ["state", "States", "measure", "eys", "U", "N", "s", "S", "co", "Chairs", "agreed", "2003", "AIDS",
             "HIV", "human", "securities", "Ivoire", "d", "ies", "a", "b", "62", "695", "A"]
    glue = [" ", "-", "/", ".", "'", "’", "'s", "’s", "'S", "--", "..", " '", "' ", "“", "”", "–", "…", ",", "\u00a0", "-/"]
    for _ in range(4000):
        text = "".join(rng.choice(words) + rng.choice(glue) for _ in range(rng.randint(1, 7)))
        terms = rng.sample(words + ["U.N", "co-chairs", "HIV/AIDS", "state's", "a.b", "A/62/695", "d'Ivoire"],
                           rng.randint(1, 4))
        assert term_spans(text, terms) == _plain_spans(text, terms), (text, terms)


def test_word_set_is_the_lower_cased_words():
    from hsqa.text import word_set

    for text in [*TRICKY, *_passages()[:200]]:
        assert word_set(text) == {w.lower() for w in TOKEN.findall(text)}, text


def test_a_hyphenated_question_word_matches_by_its_parts_as_in_fts5():
    # "co-chaired" is indexed by FTS5 as "co" + "chair": a passage with "Co-Chairs" holds it (found in a
    # session: every passage had ~0 coverage for "Who co-chaired the second meeting?")
    from hsqa.text import matched_terms

    text = "H.E. Mr. Yukio Takasu and H.E. Mr. Claude Heller acted as Co-Chairs of the meeting."
    assert matched_terms(text, ["co-chaired", "meeting"]) == {"co-chaired", "meeting"}
    assert matched_terms("The chair spoke.", ["co-chaired"]) == set()  # every part must be there
    assert matched_terms("co-operation with the chair", ["co-chaired"]) == set()  # ... in one word
    assert matched_terms("document A/64/701", ["a/64/701"]) == {"a/64/701"}  # symbols: as written
    assert matched_terms("document A/64/702", ["a/64/701"]) == set()
