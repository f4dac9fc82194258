"""End to end with the real all-MiniLM-L6-v2 model on the real bundled corpus."""

import json
import os
import subprocess
import sys

import pytest

from hsqa.answer import annotate
from hsqa.evaluate import evaluate, load_qa
from hsqa.search import Searcher

from .conftest import FHS_2007, GA_2012, ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engine(real_index):
    from hsqa.engine import Engine

    config, embedder = real_index
    engine = Engine(config, embedder)
    engine.load_model()
    return engine


@pytest.fixture(scope="module")
def searcher(real_index):
    config, embedder = real_index
    return Searcher(config, embedder)


def test_thailand_ministry(searcher):
    resp = searcher.search("Which government created a ministry for social development and human security?", k=5)
    top = resp.results[0]
    assert (top.source, top.paragraph, top.section) == (FHS_2007, 11, "Presentations of Human Security-related Initiatives")
    answer = annotate(resp, searcher)
    assert "created a Ministry of Social Development and Human Security" in answer.sentence
    assert answer.result is top
    assert top.text[top.highlight[0] : top.highlight[1]] == answer.sentence


def test_paraphrase_without_shared_words(searcher):
    resp = searcher.search("Is the concept the same thing as R2P?", k=5)
    assert any("distinct from the responsibility to protect" in r.text for r in resp.results)


def test_which_meeting_questions_use_metadata(searcher):
    # the year names the meeting; its passages match the question on their own, so the lift applies
    r = searcher.search("What was concluded at the 2012 plenary?", k=3).results[0]
    assert r.source == GA_2012
    r = searcher.search("What happened in Tokyo?", k=3).results[0]
    assert r.source == FHS_2007 and "Tokyo" in r.text


def test_off_topic_question_is_flagged_not_relevant(searcher):
    resp = searcher.search("What is the recipe for lasagna?", k=3)
    assert resp.results and not resp.any_relevant
    assert annotate(resp, searcher) is None


def test_every_passage_is_verbatim(searcher, real_index):
    config, _ = real_index
    for item in load_qa(ROOT / "tests/data/qa.jsonl")[:15]:
        for r in searcher.search(item["question"], k=5).results:
            raw = (config.corpus_dir / r.source).read_text(encoding="utf-8")
            assert raw[r.start : r.end] == r.text


def test_quality_on_the_question_set(searcher):
    rep = evaluate(searcher, load_qa(ROOT / "tests/data/qa.jsonl"), k=5)
    m = rep["metrics"]
    # regression guard below the measured numbers (Recall@5 0.964, MRR 0.881 with the hybrid mix fitted on the
    # evaluation corpus's dev split, not on these questions); hybrid must beat both parts
    assert m["hybrid"]["recall@5"] >= 0.94 and m["hybrid"]["mrr"] >= 0.84
    assert m["hybrid"]["mrr"] > m["lexical"]["mrr"] and m["hybrid"]["mrr"] > m["dense"]["mrr"]


def test_cli_process_with_real_model(real_index):
    config, _ = real_index
    env = dict(os.environ, HSQA_CORPUS=str(config.corpus_dir), HSQA_INDEX=str(config.index_dir), HF_HUB_OFFLINE="1")
    env.pop("HSQA_MODEL", None)
    p = subprocess.run(
        [sys.executable, "-m", "hsqa.cli", "ask", "--json", "-k", "2", "Who co-chaired the second Friends meeting?"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert p.returncode == 0, p.stderr
    obj = json.loads(p.stdout.strip().splitlines()[-1])
    assert obj["results"][0]["source"] == FHS_2007
    assert "Co-Chairs" in obj["results"][0]["text"]
    assert p.stderr == ""  # no progress bars, warnings or stale-corpus notes on a clean run


def test_a_follow_up_quotes_what_she_mentioned(engine):
    from hsqa.conversation import Conversation

    talk = Conversation()
    talk.ask(engine, "year:2007 What did the representative of Canada say?")
    turn = talk.ask(engine, "Which resolution did she mention?")
    assert turn.followup and turn.scope_labels == ["year:2007"]
    assert "resolution 1612" in turn.answer["sentence"].lower()


def test_nothing_answers_what_a_country_that_only_attended_said(searcher):
    """The second meeting's summary lists Australia among those attending, and nothing Australia said."""
    resp = searcher.search("What did Australia say at the second meeting of the Friends of Human Security?", k=5)
    assert resp.results and not resp.any_relevant and annotate(resp, searcher) is None


def test_card_one_is_the_passage_the_answer_quotes(engine):
    """Found in tmux: card [1] of "Who co-chaired the second meeting?" was ¶23 ("The Co-Chairs proposed holding
    the third meeting ...") while the quote, rightly, came from ¶1 (card [3])."""
    for question in ("Who co-chaired the second meeting?", "Who co-chaired the meeting?"):
        # without "second" no ordinal rules the third meeting out: the sentence naming people must win on its own
        reply = engine.ask_text(question)
        assert "Takasu" in reply.answer["sentence"] and reply.answer["rank"] == 1
        first = reply.results[0]
        assert first["source"] == FHS_2007 and first["paragraph"] == 1 and first["rank"] == 1
        assert [r["rank"] for r in reply.results] == list(range(1, len(reply.results) + 1))


def test_a_follow_up_chain_keeps_to_the_country_asked_about(engine):
    """Found in tmux: "Who co-chaired the second meeting?", "What did Canada say?", "Which resolution did she
    mention?" quoted resolution 64/291 from the 2012 debate. The names of the first answer (Japan, Mexico)
    were carried into the second search, where they counted as countries the passage must name, so Canada's
    statement could not answer; the third turn then had no cited document to stay in."""
    from hsqa.conversation import Conversation

    talk = Conversation()
    talk.ask(engine, "Who co-chaired the second meeting?")
    canada = talk.ask(engine, "What did Canada say?")
    assert canada.answer["sentence"].startswith("The representative of Canada")
    turn = talk.ask(engine, "Which resolution did she mention?")
    # it stays with Canada's statement (its cosine with the carried words sits at the answering bar: whether it
    # is quoted or only shown first may change with the model); it never quotes another document
    assert turn.results[0]["source"] == FHS_2007 and "Resolution 1612" in turn.results[0]["text"]
    assert turn.answer is None or "resolution 1612" in turn.answer["sentence"].lower()
