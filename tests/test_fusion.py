"""The hybrid mix: pure functions, no index."""

import math

from hsqa.search import fuse


def _mix(low=0.25, high=0.75, coverage=0.4):
    lexical = fuse.Model({"coverage": 4.0, "bm25": 2.0}, -3.0)
    dense = fuse.Model({"passage": 6.0, "sentence": 2.0}, -4.0)
    return fuse.Mix(lexical, dense, low, high, coverage, scale=2.0, bias=-1.0)


def test_mix_is_one_linear_model_at_each_lexical_share():
    mix = _mix()
    c = fuse.Candidate(1, 1, passage=0.5, sentence=0.6, bm25=0.8, coverage=0.3)
    for a in (0.0, 0.25, 1.0):
        want = 2.0 * (a * mix.lexical.score(c) + (1 - a) * mix.dense.score(c)) - 1.0
        assert math.isclose(mix.at(a).score(c), want)


def test_mix_leans_on_words_only_when_some_passage_holds_the_question_s_words():
    mix = _mix()
    paraphrase = [fuse.Candidate(1, 1, coverage=0.2), fuse.Candidate(2, 1, coverage=0.1)]
    worded = [fuse.Candidate(1, 1, coverage=0.2), fuse.Candidate(2, 1, coverage=0.9)]
    assert mix.share(paraphrase) == 0.25 and mix.share(worded) == 0.75
    assert mix.share([]) == 0.25


def test_hybrid_ranks_by_meaning_for_a_paraphrase_and_by_words_for_a_worded_question():
    params = fuse.Params({"hybrid": _mix(low=0.0, high=1.0)}, 0.0)
    # no passage holds the question's words: the one closest in meaning wins despite an incidental word
    close = fuse.Candidate(1, 1, passage=0.7, sentence=0.7, coverage=0.0)
    incidental = fuse.Candidate(2, 1, passage=0.3, sentence=0.3, bm25=1.0, coverage=0.3)
    assert [s.chunk_id for s in fuse.fuse([incidental, close], "hybrid", params)] == [1, 2]
    # one passage holds the question's words: it wins over one that is only close in meaning
    exact = fuse.Candidate(3, 1, passage=0.3, sentence=0.3, bm25=1.0, coverage=1.0)
    assert [s.chunk_id for s in fuse.fuse([close, exact], "hybrid", params)][0] == 3


def test_shipped_weights_load_with_a_hybrid_mix():
    params = fuse.Params.load()
    hybrid = params.models["hybrid"]
    assert isinstance(hybrid, fuse.Mix)
    assert 0.0 <= hybrid.low <= hybrid.high <= 1.0
    assert set(hybrid.lexical.weights) <= set(fuse.LEXICAL_FEATURES)
    assert set(hybrid.dense.weights) <= set(fuse.DENSE_FEATURES)


def test_relevance_dots_follow_the_calibrated_confidence_and_the_answering_threshold():
    from hsqa.tui.widgets.render import relevance

    assert relevance(0.95, True) == "●●●●●"
    assert relevance(0.5, True) == "●●○○○"
    assert relevance(0.02, True) == "●○○○○"  # it answers: never fewer than one dot
    assert relevance(0.6, False) == "○○○○○"  # shown only as the nearest passage: no dots
    assert relevance(None, True) == ""


def test_returned_passages_are_calibrated_against_the_top_result():
    cal = fuse.Calibration(weight=0.3, margin=1.0, bias=-0.2)
    top = cal.confidence(5.0, 5.0)
    assert top > cal.confidence(4.0, 5.0) > cal.confidence(1.0, 5.0)
    # the same score reads lower when another passage is far ahead of it
    assert cal.confidence(3.0, 3.0) > cal.confidence(3.0, 6.0)
    params = fuse.Params({"hybrid": _mix()}, 0.0, {"hybrid": cal})
    ranked = fuse.fuse([fuse.Candidate(1, 1, passage=0.8, sentence=0.8, coverage=0.9, bm25=1.0),
                        fuse.Candidate(2, 1, passage=0.2, sentence=0.2)], "hybrid", params)
    confs = [params.confidence("hybrid", s, ranked[0]) for s in ranked]
    assert confs == sorted(confs, reverse=True) and math.isclose(confs[0], cal.confidence(ranked[0].rank_score, ranked[0].rank_score))


def test_a_meeting_no_document_is_about_is_answered_only_by_a_passage_that_mentions_it():
    from hsqa.search.query import meeting_refs

    docs = fuse.MeetingIndex.build({1: {"second", "2007"}, 2: {"sixth", "2004"}})
    assert fuse.unknown_ordinals(meeting_refs("What was decided at the eighteenth meeting?"), docs) == {"eighteenth"}
    assert fuse.unknown_ordinals(meeting_refs("What was decided at the second meeting?"), docs) == set()
    assert fuse.unknown_ordinals(meeting_refs("Why was the idea first launched?"), docs) == set()
    model = fuse.Model({"sentence": 10.0}, -5.0, threshold=0.5, gate="sentence")
    strong = fuse.Candidate(1, 1, sentence=0.9)
    assert model.answers(strong)
    assert not model.answers(fuse.Candidate(1, 1, sentence=0.9, other_meeting=True))


def test_a_passage_holding_the_symbol_asked_about_answers():
    """Found in tmux: "What is A/66/763?" got "nothing in the corpus answers this clearly" while ¶1 of the 2012
    summary names the report (A/66/763): a bare symbol embeds poorly, so its sentence cosine stayed under the bar."""
    params = fuse.Params.load()
    weak = dict(passage=0.1, sentence=0.1, bm25=1.0, coverage=1.0)
    model = fuse.model_for([fuse.Candidate(1, 1, **weak)], "hybrid", params)
    assert not model.answers(fuse.Candidate(1, 1, **weak))
    assert model.answers(fuse.Candidate(1, 1, symbol=True, **weak))
    assert not model.answers(fuse.Candidate(1, 1, symbol=True, missing_country=True, **weak))  # cannot answer


def test_ask_answers_a_question_about_a_symbol_the_corpus_holds(fake_config):
    from hsqa.engine import Engine
    from hsqa.indexer import Indexer

    Indexer(fake_config).run()
    engine = Engine(fake_config)
    engine.load_model()
    reply = engine.ask_text("What is A/66/763?")
    assert reply.answer and "(A/66/763)" in reply.answer["sentence"]
    assert engine.ask_text("What is A/62/695?").answer is None  # a symbol no passage holds: no answer
