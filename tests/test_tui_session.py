"""Sequences tried in tmux as a person would (session 5): after the viewer (2, n, Esc) and after ctrl+g, the
next answer is in view, top first. (In tmux they looked broken once: a partial capture of the screen; on a
full capture the answer was in view. These tests keep the sequences covered.)"""

import pytest

from hsqa.tui.screens.viewer import SourceViewer
from hsqa.tui.widgets.transcript import Transcript

from .test_tui_nav import assert_shown_top_first
from .tui_support import SIZE, SMALL, ask, drive, settle, type_text


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_a_short_answer_after_the_viewer_is_scrolled_into_view(app_factory, size):
    async def steps(pilot, app):
        await ask(pilot, app, "What is the added value of human security according to the report?")
        await pilot.press("2")
        await settle(pilot, app)
        assert isinstance(app.screen, SourceViewer)
        await pilot.press("n")
        await pilot.press("escape")
        await pilot.pause()
        await type_text(pilot, "year:1999 genocide")
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.pause()
        transcript = app.query_one(Transcript)
        view = transcript.latest()
        assert view.turn.question == "year:1999 genocide" and not view.turn.results
        assert_shown_top_first(transcript, view)

    drive(app_factory(), steps, size)


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_a_new_answer_after_ctrl_g_is_scrolled_into_view(app_factory, size):

    async def steps(pilot, app):
        await ask(pilot, app, "What is the added value of human security according to the report?")
        await ask(pilot, app, "year:1995 genocide")
        await pilot.press("ctrl+g")
        await type_text(pilot, "What did the representative of Canada say?")
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.pause()
        transcript = app.query_one(Transcript)
        view = transcript.latest()
        assert view.turn.question == "What did the representative of Canada say?"
        assert_shown_top_first(transcript, view)

    drive(app_factory(), steps, size)


def test_opening_a_card_of_a_removed_document_says_so_without_moving_the_conversation(app_factory, fake_config):
    """In tmux: 1 on a card whose document was deleted added a red note at the end of the transcript and
    scrolled there, away from the answer being read."""
    from .conftest import FHS_2007

    async def steps(pilot, app):
        await ask(pilot, app, "Thailand ministry of social development")
        transcript = app.query_one(Transcript)
        view = transcript.latest()
        rank = next(r["rank"] for r in view.turn.results if r["source"] == FHS_2007)
        (fake_config.corpus_dir / FHS_2007).unlink()
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        app.clear_notifications()
        notes = len(transcript.query(".note"))
        transcript.scroll_home(animate=False)  # reading an earlier answer
        await pilot.pause()
        before = transcript.scroll_y
        await pilot.press(str(rank))
        await settle(pilot, app)
        await pilot.pause()
        assert not isinstance(app.screen, SourceViewer)
        assert len(transcript.query(".note")) == notes and transcript.scroll_y == before
        assert any("no longer in the index" in str(n.message) for n in app._notifications)

    drive(app_factory(), steps, SMALL)


def test_a_note_added_while_reading_an_earlier_answer_does_not_move_the_conversation(app_factory, fake_config):
    """A re-index (the corpus watcher's, or ctrl+r) that skips a file adds a note at the end: it scrolled
    there even when the reader was on an earlier answer. At the end already, the note is brought into view."""

    async def steps(pilot, app):
        await ask(pilot, app, "Thailand ministry of social development")
        await ask(pilot, app, "What did the representative of Canada say?")
        transcript = app.query_one(Transcript)
        transcript.scroll_home(animate=False)
        transcript.unpin()
        await pilot.pause()
        (fake_config.corpus_dir / "scan.txt").write_bytes(b"\x00\x01binary\x00" * 10)
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        await pilot.pause()
        assert any("skipped scan.txt" in str(n.render()) for n in transcript.query(".note"))
        assert transcript.scroll_y == 0
        transcript.scroll_end(animate=False)
        await pilot.pause()
        (fake_config.corpus_dir / "scan2.txt").write_bytes(b"\x00\x02binary\x00" * 10)
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        await pilot.pause()
        assert transcript.scroll_y == transcript.max_scroll_y  # at the end: the new note is in view

    drive(app_factory(), steps, SMALL)


def test_a_note_answering_what_the_user_just_did_is_always_shown(fake_config):
    """No index yet: a question gets a note at the end; it is brought into view even when the reader was on
    an earlier answer (a restored conversation, read from its top)."""
    from .tui_support import make_app

    async def steps(pilot, app):
        transcript = app.query_one(Transcript)
        for i in range(30):
            transcript.note(f"line {i}")
        await pilot.pause()
        transcript.scroll_home(animate=False)
        await pilot.pause()
        await type_text(pilot, "What did Canada say?")
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.pause()
        assert "no index" in str(transcript.query(".note").last().render())
        assert transcript.scroll_y == transcript.max_scroll_y > 0

    drive(make_app(fake_config), steps, SMALL)


def test_the_export_toast_names_the_file_as_the_user_would_type_it(app_factory, tmp_path, monkeypatch):
    """At 80×24 the toast wrapped "/work/…/hsqa-conversation-20261" / "124-025612.md": the absolute path."""
    monkeypatch.chdir(tmp_path)

    async def steps(pilot, app):
        await ask(pilot, app, "Thailand ministry of social development")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        exported = next(tmp_path.glob("hsqa-conversation-*.md"))
        messages = [str(n.message) for n in app._notifications if "exported" in str(n.message)]
        assert messages == [f"Conversation exported to {exported.name}"]

    drive(app_factory(), steps, SMALL)
