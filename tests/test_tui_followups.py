"""Issue 8, item 5: follow-up questions in the app — carried context shown, ctrl+n asks afresh."""


from hsqa.tui.widgets.transcript import Transcript

from .conftest import FHS_2007
from .tui_support import SIZE, ask, drive, run, settle


def test_a_follow_up_says_what_it_follows_and_ctrl_n_asks_it_afresh(app_factory, fake_config):
    async def go():
        app = app_factory()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await ask(pilot, app, "What did the representative of Canada say?")
            await ask(pilot, app, "And Spain?")
            view = app.query_one(Transcript).latest()
            fu = view.turn.followup
            assert fu["on"] == "What did the representative of Canada say?"
            assert fu["read_as"] == "What did the representative of Spain say?"
            shown = str(view.query_one(".answer").render())
            assert "following up on: What did the representative of Canada say?" in shown
            assert view.turn.results[0]["text"].startswith("The representative of Spain")
            turn_id = view.turn.id
            await pilot.press("ctrl+n")
            await settle(pilot, app)
            views = app.query_one(Transcript).turns()
            assert len(views) == 2 and views[-1].turn.id == turn_id
            assert views[-1].turn.followup is None and views[-1].turn.fresh
            assert "asked afresh" in str(views[-1].query_one(".answer").render())
        saved = app.conversation.turn(turn_id)
        assert saved.fresh and saved.followup is None

    run(go())


def test_a_follow_up_keeps_the_previous_questions_filters_and_documents(app_factory):
    async def steps(pilot, app):
        await ask(pilot, app, "year:2007 What did the representative of Canada say?")
        await ask(pilot, app, "Which resolution did she mention?")
        turn = app.query_one(Transcript).latest().turn
        assert turn.followup and turn.scope_labels == ["year:2007"]
        assert {r["source"] for r in turn.results} == {FHS_2007}
        # the passage where she mentions it comes first (the quote itself needs the real model's
        # similarities: tests/test_e2e.py::test_a_follow_up_quotes_what_she_mentioned)
        assert "Resolution 1612" in turn.results[0]["text"]

    drive(app_factory(), steps)


def test_ctrl_g_also_stops_a_follow_up_carrying_the_previous_questions_filter(app_factory):
    """Found in tmux: after ctrl+g ("questions search every document again"), a follow-up still carried the
    previous question's own year: filter."""

    async def steps(pilot, app):
        await ask(pilot, app, "year:2007 What did the representative of Canada say?")
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        await ask(pilot, app, "And what did Spain say?")
        turn = app.query_one(Transcript).latest().turn
        assert turn.followup and turn.scope_labels == []

    drive(app_factory(), steps)


def test_an_ellipsis_quotes_what_the_new_name_said(app_factory):
    """Found in a tmux session: "And Vanuatu?" after a question on what Fiji said about planned relocation
    quoted Fiji again (the topic words matched Fiji's sentence better)."""

    async def steps(pilot, app):
        await ask(pilot, app, "What did Thailand say about human trafficking?")
        await ask(pilot, app, "And Switzerland?")
        turn = app.query_one(Transcript).latest().turn
        assert turn.followup["read_as"] == "What did Switzerland say about human trafficking?"
        assert "Switzerland" in turn.answer["sentence"]

    drive(app_factory(), steps)
