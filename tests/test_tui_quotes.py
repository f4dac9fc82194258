"""A small screen (80×24) that reads well: a long quote is clamped to a few lines ending in "…" and the
ctrl+o hint (the lines kept are the speaker's and those with the question's words), so the citation card
starts in the upper half; ctrl+o (or a click, or the palette) shows it whole; a follow-up's note and a
document scope take one line each; a long question wraps under its own start; the viewer's heading never
ends in a separator. At 120×40 nothing of this changes; copies and exports stay verbatim and whole."""

import pytest
from rich.console import Console
from rich.text import Text

from hsqa.tui.widgets import render
from hsqa.tui.widgets.cards import CitationCard
from hsqa.tui.widgets.transcript import EXPAND_HINT, QUOTE_LINES, Transcript

from .tui_support import SIZE, SMALL, ask, run, settle

CANADA = "What did the representative of Canada say?"


def flat(s: str) -> str:
    return " ".join(s.split())


def test_clamp_cuts_to_whole_lines_and_ends_with_the_tail():
    console = Console(width=200)
    text = Text(" ".join(f"word{i}" for i in range(60)))
    tail = Text("…” [1]")
    cut = render.clamp(text, 40, 3, tail, console)
    lines = cut.plain.split("\n")
    assert len(lines) == 3 and all(len(line) <= 40 for line in lines)
    assert lines[-1].endswith("…” [1]") and lines[0].startswith("word0 word1")
    assert render.clamp(Text("short"), 40, 3, tail, console) is None  # fits: shown whole
    four = Text(" ".join(f"word{i}" for i in range(20)))  # four lines: one more is shown rather than cut
    assert render.clamp(four, 40, 3, tail, console) is None
    assert render.clamp(four, 40, 2, tail, console) is not None


def test_clamp_keeps_the_first_line_and_the_lines_with_the_question_words():
    console = Console(width=200)
    words = [f"w{i:02d}" for i in range(80)]
    words[50] = "Ministry"
    words[52] = "development"
    text = Text(" ".join(words) + "” [1]")  # 10 words a line at width 40
    hint = Text("  ctrl+o")
    cut = render.clamp(text, 40, 3, Text("…” [1]"), console, keys={"ministry", "development"}, hint=hint).plain
    lines = cut.split("\n")
    assert len(lines) == 3 and all(len(line) <= 40 for line in lines)
    assert lines[0].startswith("w00") and lines[0].endswith(" …")  # the speaker's line, then a gap
    assert "Ministry" in cut and "development" in cut
    assert lines[-1].endswith("…” [1]  ctrl+o")
    # the quote's own end in the window: no second "…”"
    end = render.clamp(Text(" ".join(words[:30]) + " Ministry” [1]"), 40, 2, Text("…” [1]"), console, {"ministry"}, hint)
    assert end.plain.endswith("Ministry” [1]  ctrl+o") and end.plain.count("”") == 1


@pytest.mark.parametrize("size", [SMALL, SIZE], ids=["80x24", "120x40"])
def test_a_long_quote_is_clamped_on_a_short_screen_only(app_factory, size, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    async def go():
        app = app_factory()
        async with app.run_test(size=size) as pilot:
            await settle(pilot, app)
            await ask(pilot, app, CANADA)
            await pilot.pause()
            view = app.query_one(Transcript).latest()
            sentence = flat(view.turn.answer["sentence"])
            assert len(sentence.split()) > 40  # two sentences: the reported speech and who said it
            block = view.answer_block()
            shown = flat(block.shown())
            if size == SIZE:
                assert sentence in shown and EXPAND_HINT not in shown
                return
            assert block.size.height == QUOTE_LINES
            assert "…”" in shown and EXPAND_HINT in shown and sentence not in shown
            assert shown.startswith("“" + sentence[:30])
            # the first card starts in the upper half of the transcript, its title and passage in view
            transcript = app.query_one(Transcript)
            card = view.query(CitationCard).first()
            assert card.region.y - transcript.region.y <= transcript.region.height // 2
            # the whole quote is in the card, highlighted
            a, b = card.result["highlight"]
            assert flat(card.result["text"][a:b]) == sentence
            # ctrl+o shows it whole, and again clamps it
            await pilot.press("ctrl+o")
            await pilot.pause()
            assert sentence in flat(block.shown()) and block.size.height > QUOTE_LINES
            await pilot.press("ctrl+o")
            await pilot.pause()
            assert EXPAND_HINT in block.shown() and block.size.height == QUOTE_LINES
            # the copy and the export stay whole and verbatim
            await pilot.press("ctrl+y")
            assert "ctrl+o" not in app.clipboard
            await pilot.press("ctrl+s")
            await settle(pilot, app)
            # a taller terminal shows it whole without asking
            await pilot.resize_terminal(*SIZE)
            await pilot.pause()
            await pilot.pause()
            assert sentence in flat(block.shown()) and block.size.height > QUOTE_LINES

            return sentence

    sentence = run(go())
    if size == SMALL:
        md = next(tmp_path.glob("hsqa-conversation-*.md")).read_text()
        assert sentence in flat(md) and EXPAND_HINT not in md


def test_the_whole_quote_from_the_palette_and_by_a_click(app_factory):
    async def go():
        app = app_factory()
        async with app.run_test(size=SMALL) as pilot:
            await settle(pilot, app)
            await ask(pilot, app, CANADA)
            view = app.query_one(Transcript).latest()
            sentence = flat(view.turn.answer["sentence"])
            block = view.answer_block()
            await pilot.click(block)
            await pilot.pause()
            assert sentence in flat(block.shown())
            await pilot.click(block)
            await pilot.pause()
            assert EXPAND_HINT in block.shown()
            commands = [c.title for c in app.get_system_commands(app.screen)]
            assert "Show the whole quote" in commands
            # a lexical answer upgraded (replaced in place) keeps the reader's choice
            await pilot.press("ctrl+o")
            await view.replace(view.turn)
            await pilot.pause()
            assert sentence in flat(view.answer_block().shown())
            # typing after the click still goes to the question box
            await pilot.press("w", "h", "o")
            await pilot.pause()
            assert app.query_one("#question").value == "who"

    run(go())


def test_on_a_short_screen_a_follow_up_says_how_it_was_read_in_one_line(app_factory):
    """At 80×24 the follow-up note was four lines ("following up on: <the question just above> — read as:
    … (ctrl+n asks it afresh)") before a three-line quote: the card started at the bottom of the screen."""

    async def go(size):
        app = app_factory()
        async with app.run_test(size=size) as pilot:
            await settle(pilot, app)
            await ask(pilot, app, "What did the Secretary-General report say about the common understanding?")
            await ask(pilot, app, "And what about the definition?")
            view = app.query_one(Transcript).latest()
            assert view.turn.followup and view.turn.followup.get("read_as")
            shown = view.answer_block().shown()
            read_as = view.turn.followup["read_as"]
            if size == SIZE:
                assert shown.startswith("following up on: What did the Secretary-General")
                return
            assert flat(shown).startswith(f"↪ read as: {read_as}") and "following up on" not in shown
            assert "ctrl+n" in shown
            card = view.query(CitationCard).first()
            transcript = app.query_one(Transcript)
            assert card.region.y - transcript.region.y <= transcript.region.height // 2

    run(go(SMALL))
    run(go(SIZE))


def test_on_a_short_screen_the_follow_up_hint_is_never_split(app_factory):
    """"(ctrl+n: afresh)" wrapped as "(ctrl+n:" / "afresh)" under a follow-up of a long question."""

    async def go():
        app = app_factory()
        async with app.run_test(size=SMALL) as pilot:
            await settle(pilot, app)
            await ask(pilot, app, "When was the second meeting of the Friends of Human Security held?")
            await ask(pilot, app, "Who chaired it?")
            view = app.query_one(Transcript).latest()
            assert view.turn.followup
            block = view.answer_block()
            lines = block.shown().split("\n")
            assert len(lines[0]) <= block.content_size.width  # the note: one line
            assert not any(line.rstrip().endswith("(ctrl+n:") for line in lines)
            assert lines[0].startswith("↪ ") and "(ctrl+n: afresh)" in lines[0]

    run(go())


def test_on_a_short_screen_a_document_scope_takes_one_line(app_factory):
    """At 80×24 a document scope (a 130-character UN title) took three lines above the question box and
    three more in each answer."""
    from hsqa.tui.widgets.status import ScopeBar

    from .test_tui_polish import GA_TITLE

    async def go(size):
        app = app_factory()
        async with app.run_test(size=size) as pilot:
            await settle(pilot, app)
            await pilot.press("ctrl+g")  # the second run restores the first one's scope (the shared history)
            await settle(pilot, app)
            await pilot.press("ctrl+b", "down", "enter")
            await settle(pilot, app)
            bar = app.query_one(ScopeBar)
            assert GA_TITLE in str(bar.render())  # the scope is the whole document
            await ask(pilot, app, "What did delegations say about legal obligations?")
            await pilot.pause()
            block = app.query_one(Transcript).latest().answer_block()
            scope_lines = [line for line in block.shown().split("\n") if line.startswith("scope:")]
            if size == SIZE:
                assert bar.size.height >= 1 and f"scope: doc:{GA_TITLE}" in flat(block.shown())
                return
            assert bar.size.height == 1 and "(ctrl+g to clear)" in bar.render().line(bar.size.width).plain
            assert "…" in bar.render().line(bar.size.width).plain
            assert len(scope_lines) == 1 and scope_lines[0].endswith("…") and len(scope_lines[0]) <= block.content_size.width
            await pilot.resize_terminal(*SIZE)  # a taller screen: whole again
            await pilot.pause()
            await pilot.pause()
            assert f"scope: doc:{GA_TITLE}" in flat(block.shown())
            assert bar.size.height == 2

    run(go(SMALL))
    run(go(SIZE))


def test_a_long_question_wraps_under_its_own_start(app_factory):
    """At 80×24 a long question's second line started under "You", at the transcript's edge."""

    async def go():
        app = app_factory()
        async with app.run_test(size=SMALL) as pilot:
            await settle(pilot, app)
            q = "partnership between inter alia Governments international organizations civil society actors"
            await ask(pilot, app, q)
            view = app.query_one(Transcript).latest()
            who, text = view.query_one(".who"), view.query_one(".question-text")
            assert text.region.height >= 2 and text.region.x == who.region.x + 5
            assert str(who.render()) == "You" and str(text.render()) == q

    run(go())


@pytest.mark.parametrize("size", [SMALL, SIZE], ids=["80x24", "120x40"])
def test_the_viewer_heading_never_ends_a_line_with_a_separator(app_factory, size):
    """At 80×24 the viewer's heading read "4 June 2012 · New York ·" with the file name on the next line."""
    from hsqa.tui.screens.viewer import SourceViewer

    from .conftest import GA_2012

    async def go():
        app = app_factory()
        async with app.run_test(size=size) as pilot:
            await settle(pilot, app)
            await ask(pilot, app, "delegations legal obligations Member States three pillars")
            view = app.query_one(Transcript).latest()
            rank = next(r["rank"] for r in view.turn.results if r["source"] == GA_2012)
            await pilot.press(str(rank))
            await settle(pilot, app)
            viewer = app.screen
            assert isinstance(viewer, SourceViewer)
            title = viewer.query_one("#doc-title")
            lines = [title.render_line(y).text.strip() for y in range(title.size.height)]
            assert not any(line.rstrip().endswith("·") for line in lines), lines
            assert "4 June 2012 · New York" in lines[-1] or "4 June 2012 · New York" in lines[-2]
            assert GA_2012 in lines[-1]
            assert len([line for line in lines if GA_2012 in line]) == 1
            if size == SIZE:
                assert lines[-1] == f"4 June 2012 · New York · {GA_2012}"  # one line when it fits

    run(go())
