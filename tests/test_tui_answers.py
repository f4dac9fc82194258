"""Issue 8, item 6: the quoted sentence answers the question; doc:/year: words take no part in choosing it."""

import pytest

from hsqa.config import Config
from hsqa.engine import Engine
from hsqa.tui.app import HsqaApp
from hsqa.tui.widgets.transcript import Transcript

from .tui_support import SIZE, ask, run, settle

CO_CHAIRS = "acted as Co-Chairs of the meeting"
RESOLUTION_1612 = "She went on to say that the adoption of Security Council Resolution 1612"


def canada_card(view):
    return next(c for c in view.turn.results if c["text"].startswith("The representative of Canada"))


def highlighted(r):
    a, b = r["highlight"]
    return r["text"][a:b]


def check_answers(app_factory):
    async def go():
        app = app_factory()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await ask(pilot, app, "Who were the Co-Chairs of the second meeting?")
            view = app.query_one(Transcript).latest()
            assert CO_CHAIRS in view.turn.answer["sentence"]
            assert CO_CHAIRS in str(view.query_one(".answer").render())
            await ask(pilot, app, "Which Security Council resolution on children in war did Canada highlight?")
            view = app.query_one(Transcript).latest()
            # "She went on to say ..." is quoted with the sentence naming who "she" is (the country)
            quote = highlighted(canada_card(view))
            assert quote.startswith("The representative of Canada stated") and RESOLUTION_1612 in quote

    run(go())


def test_who_questions_quote_the_sentence_naming_people(app_factory):
    check_answers(app_factory)


def test_filter_words_take_no_part_in_choosing_the_sentence(app_factory):
    async def go():
        app = app_factory()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            question = "What was said about the OSCE workshop?"
            await ask(pilot, app, question)
            plain = app.query_one(Transcript).latest().turn.answer["sentence"]
            await ask(pilot, app, f"year:2007 {question}")
            assert app.query_one(Transcript).latest().turn.answer["sentence"] == plain
            await ask(pilot, app, "year:2007")  # standing filters, typed on their own
            await ask(pilot, app, question)
            turn = app.query_one(Transcript).latest().turn
            assert turn.scope_labels == ["year:2007"] and turn.answer["sentence"] == plain

    run(go())


@pytest.mark.slow
def test_with_the_real_model_the_quote_answers_who_and_which(real_index):
    config, embedder = real_index
    config = Config(config.corpus_dir, config.index_dir.parent / "index", config.model)
    check_answers(lambda: HsqaApp(config, Engine(config, embedder), watch=False))
