"""Issue 8, item 7: small screens and polish — 80×24, the sidebar, markdown emphasis, date ranges, skipped
files, the command palette, export and quitting."""

import pytest
from rich.text import Text

from hsqa.embedding import HashingEmbedder
from hsqa.indexer import Indexer
from hsqa.tui import app as app_module
from hsqa.tui.screens.viewer import SourceViewer
from hsqa.tui.widgets.cards import CitationCard
from hsqa.tui.widgets.inputs import QuestionInput
from hsqa.tui.widgets.sidebar import DocumentList
from hsqa.tui.widgets.status import StatusLine
from hsqa.tui.widgets.transcript import Transcript

from .conftest import FHS_2007, GA_2012
from .tui_support import SIZE, SMALL, ask, drive, make_app, run, settle, type_text

GA_TITLE = (
    "General Assembly Plenary Meeting on the Report of the Secretary-General: Follow-up to General Assembly "
    "Resolution 64/291 on Human Security"
)
INTER_ALIA = "partnership between inter alia Governments international organizations and civil society actors"
TWO_DAY = "2013-03-12-friends-eleventh-meeting.txt"


def italic_words(text: Text) -> str:
    return " ".join(text.plain[s.start : s.end] for s in text.spans if "italic" in str(s.style))


def test_markdown_emphasis_is_rendered_but_copied_and_exported_verbatim(app_factory, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    async def go():
        app = app_factory()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await ask(pilot, app, INTER_ALIA)
            view = app.query_one(Transcript).latest()
            card = next(c for c in view.query(CitationCard) if "*inter alia*" in c.result["text"])
            shown = card.render()
            assert "inter alia" in shown.plain and "*inter alia*" not in shown.plain
            assert "inter" in italic_words(shown) and "alia" in italic_words(shown)
            if "*inter alia*" in view.turn.answer["sentence"]:  # the quote
                quote = view.query_one(".answer").render()
                assert "*inter" not in str(quote) and "inter alia" in str(quote)
            card.focus()
            await pilot.press("ctrl+y")
            assert "*inter alia*" in app.clipboard  # the copy is verbatim
            await pilot.press("enter")
            await settle(pilot, app)
            viewer = app.screen
            assert isinstance(viewer, SourceViewer)
            para = viewer.query_one(f"#para-{card.result['paragraph']}").render()
            assert "*inter alia*" not in para.plain and "inter" in italic_words(para)
            await pilot.press("escape")
            await pilot.press("ctrl+s")
            await settle(pilot, app)
        md = next(tmp_path.glob("hsqa-conversation-*.md")).read_text()
        assert "*inter alia*" in md

    run(go())


def test_a_two_day_meeting_is_cited_with_its_whole_date_range(fake_config):
    (fake_config.corpus_dir / TWO_DAY).write_text(
        "Eleventh Meeting of the Friends of Human Security\n\n12-13 March 2013\nGeneva\n\nDiscussion\n\n"
        "Participants reviewed disaster risk reduction and glacier melt in mountain regions.\n"
    )
    Indexer(fake_config, HashingEmbedder(64)).run()

    async def steps(pilot, app):
        await ask(pilot, app, "glacier melt disaster risk reduction")
        card = app.query_one(Transcript).latest().card(1)
        assert card.result["source"] == TWO_DAY
        assert "12–13 March 2013" in card.render().plain
        await pilot.press("ctrl+y")
        assert "(12–13 March 2013)" in app.clipboard
        await pilot.press("ctrl+b")
        await pilot.pause()
        listed = " ".join(str(app.query_one(DocumentList).get_option_at_index(i).prompt) for i in range(3))
        assert "12–13 March 2013" in listed

    drive(make_app(fake_config), steps)


def test_each_skipped_file_is_reported_once_until_it_changes(app_factory, fake_config):
    bad = fake_config.corpus_dir / "scan.txt"

    def notes(app):
        return [str(n.render()) for n in app.query(".note") if "skipped scan.txt" in str(n.render())]

    async def steps(pilot, app):
        bad.write_bytes(b"\x00\x01binary\x00" * 10)
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert len(notes(app)) == 1
        (fake_config.corpus_dir / FHS_2007).write_text((fake_config.corpus_dir / FHS_2007).read_text() + "\nMore.\n")
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert len(notes(app)) == 1  # the same bad file, untouched: not reported again
        bad.write_bytes(b"\x00\x02still binary\x00" * 12)
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert len(notes(app)) == 2  # it changed (and is still bad): reported again

    drive(app_factory(), steps)


def test_the_apps_commands_are_in_the_palette(app_factory):
    async def steps(pilot, app):
        titles = " | ".join(c.title for c in app.get_system_commands(app.screen))
        for word in ("Re-index", "Export", "Copy citation", "scope", "Clear the screen", "afresh"):
            assert word in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "Re-index the corpus")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.indexing or app.query_one(StatusLine).index.startswith(("indexing", "index:"))
        await settle(pilot, app)
        assert not app.indexing

    drive(app_factory(), steps)


@pytest.mark.parametrize("size", [SMALL, SIZE])
def test_the_sidebar_opens_on_a_highlighted_row_and_closes_after_a_choice(app_factory, size):
    async def steps(pilot, app):
        conversation_width = app.query_one("#conversation").size.width
        await pilot.press("ctrl+b")
        await pilot.pause()
        docs = app.query_one(DocumentList)
        assert app.query_one("#sidebar").has_class("visible") and app.focused is docs
        assert docs.highlighted == 0
        assert app.query_one("#conversation").size.width == conversation_width  # it overlays
        await pilot.press("down", "enter")
        await pilot.pause()
        assert not app.query_one("#sidebar").has_class("visible")
        assert isinstance(app.focused, QuestionInput)
        assert "Scope: doc:" in str(app.query_one("#scope").render())

    drive(app_factory(), steps, size)


def test_export_keeps_whole_titles_and_refuses_an_empty_conversation(app_factory, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    async def go():
        app = app_factory()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await pilot.press("ctrl+s")
            await settle(pilot, app)
            assert not list(tmp_path.glob("hsqa-conversation-*.md"))
            assert any("nothing to export" in str(n.message) for n in app._notifications)
            await pilot.press("ctrl+b")
            docs = app.query_one(DocumentList)
            docs.highlighted = docs.get_option_index(GA_2012)
            await pilot.press("enter")
            await ask(pilot, app, "human security")
            await pilot.press("ctrl+s")
            await settle(pilot, app)
        md = next(tmp_path.glob("hsqa-conversation-*.md")).read_text()
        assert f"*Scope: doc:{GA_TITLE}*" in md

    run(go())


def test_at_80x24_the_status_line_and_the_placeholder_are_not_clipped(app_factory, fake_config):
    async def steps(pilot, app):
        (fake_config.corpus_dir / FHS_2007).write_text("changed\n\n" + (fake_config.corpus_dir / FHS_2007).read_text())
        app.query_one(StatusLine).corpus = "1 changed since last index"
        await pilot.pause()
        status = app.query_one(StatusLine)
        line = status.render()
        assert line.cell_len <= status.size.width and "…" not in line.plain
        assert "1 changed" in line.plain and "31 passages" in line.plain
        box = app.query_one(QuestionInput)
        assert len(box.placeholder) <= box.content_region.width
        assert box.placeholder.startswith("Ask a question")

    drive(app_factory(), steps, SMALL)


def test_quit_saves_and_does_not_wait_for_threads(fake_config, monkeypatch):
    """run_app saves what is unsaved, then ends the process at once (no interpreter teardown, no wait for
    a model still loading)."""
    Indexer(fake_config, HashingEmbedder(64)).run()
    seen = {}

    class Quick(app_module.HsqaApp):
        def run(self):
            seen["quick_exit"] = self.quick_exit
            turn = self.conversation.ask(self.engine, "Thailand ministry")
            seen["turn"] = turn.id
            self._return_code = 0

    def exit_now(code):
        seen["code"] = code
        raise SystemExit(code)

    monkeypatch.setattr(app_module, "HsqaApp", Quick)
    monkeypatch.setattr(app_module.os, "_exit", exit_now)
    monkeypatch.setattr(app_module, "Engine", lambda config: make_engine(config))
    with pytest.raises(SystemExit):
        app_module.run_app(fake_config)
    assert seen["quick_exit"] is True and seen["code"] == 0
    assert '"Thailand ministry"' in fake_config.history_path.read_text()


def make_engine(config):
    from hsqa.engine import Engine

    return Engine(config, HashingEmbedder(64))
