"""Issue 8, items 3 and 4: the research log survives ctrl+l, races and corruption; citations of earlier
answers survive re-indexing."""

import json
import os
import threading


from hsqa.tui.screens.viewer import SourceViewer
from hsqa.tui.widgets.transcript import Transcript, TurnView

from .conftest import FHS_2007
from .tui_support import SIZE, ask, drive, run, settle

THAILAND = "Thailand ministry of social development"
THAILAND_TEXT = "has created a Ministry of Social Development and Human Security"


def saved_questions(config):
    return [t["question"] for t in json.loads(config.history_path.read_text())["turns"]]


# -- item 4: the research log ------------------------------------------------------------------------


def test_ctrl_l_clears_the_screen_but_keeps_the_saved_conversation(app_factory, fake_config, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    async def go():
        app = app_factory()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await ask(pilot, app, THAILAND)
            await ask(pilot, app, "OSCE workshop in Vienna")
            await pilot.press("ctrl+l")
            await settle(pilot, app)
            assert not app.query(TurnView)
            assert saved_questions(fake_config) == [THAILAND, "OSCE workshop in Vienna"]
            await pilot.press("ctrl+s")  # the export still has the whole conversation
            await settle(pilot, app)
            await ask(pilot, app, "climate change")
        assert saved_questions(fake_config) == [THAILAND, "OSCE workshop in Vienna", "climate change"]
        md = next(tmp_path.glob("hsqa-conversation-*.md")).read_text()
        assert f"## Q: {THAILAND}" in md and "## Q: OSCE workshop in Vienna" in md

    run(go())


def test_history_saves_from_two_threads_never_share_a_temp_file(app_factory, fake_config, monkeypatch):
    """Saves from two workers at once: every save writes a temp file of its own, and all succeed."""
    app = app_factory()
    real_replace = os.replace
    temps = []

    def replace(src, dst):
        if str(dst) == str(fake_config.history_path):
            temps.append(str(src))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    errors = []

    def save():
        for _ in range(10):
            try:
                app.conversation.save()
            except Exception as e:  # noqa: BLE001
                errors.append(e)

    fake_config.index_dir.mkdir(exist_ok=True)
    threads = [threading.Thread(target=save) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(temps) == 20 and len(set(temps)) == 20
    assert json.loads(fake_config.history_path.read_text())["turns"] == []
    assert not [p for p in fake_config.index_dir.iterdir() if p.name.endswith(".tmp")]


def test_a_corrupt_history_is_kept_aside_and_reported(app_factory, fake_config):
    fake_config.index_dir.mkdir(exist_ok=True)
    fake_config.history_path.write_text('{"version": 1, "turns": [{"question": "trunc')

    async def go():
        app = app_factory()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            notes = " ".join(str(n.render()) for n in app.query(".note"))
            assert "conversation.json.bak" in notes and "could not be read" in notes
            await ask(pilot, app, THAILAND)
        bak = fake_config.history_path.with_name("conversation.json.bak")
        assert bak.read_text() == '{"version": 1, "turns": [{"question": "trunc'
        assert saved_questions(fake_config) == [THAILAND]

    run(go())


# -- item 3: stable citations --------------------------------------------------------------------------


async def open_card(pilot, app, view, rank=1):
    view.card(rank).focus()
    await pilot.press("enter")
    await settle(pilot, app)
    return app.screen


def test_a_whitespace_edit_keeps_earlier_citations_working(app_factory, fake_config):
    async def steps(pilot, app):
        await ask(pilot, app, THAILAND)
        with open(fake_config.corpus_dir / FHS_2007, "a") as f:
            f.write("\n")
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        view = app.query_one(Transcript).latest()
        assert "changed since" not in str(view.card(1).render())
        viewer = await open_card(pilot, app, view)
        assert isinstance(viewer, SourceViewer) and viewer.current == 11
        assert THAILAND_TEXT in str(viewer.query_one("#para-11").render())
        notes = " ".join(str(n.render()) for n in app.query(".note"))
        notes += " ".join(str(n.message) for n in app._notifications)  # a card that cannot open says so here
        assert "no longer in the index" not in notes

    drive(app_factory(), steps)
    run(_restart_opens(app_factory, 11))


async def _restart_opens(app_factory, number):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        viewer = await open_card(pilot, app, app.query_one(Transcript).latest())
        assert isinstance(viewer, SourceViewer) and viewer.current == number
        assert THAILAND_TEXT in str(viewer.query_one(f"#para-{number}").render())


def test_a_moved_paragraph_is_found_again(app_factory, fake_config):
    path = fake_config.corpus_dir / FHS_2007

    async def steps(pilot, app):
        await ask(pilot, app, THAILAND)
        text = path.read_text()
        anchor = "The representative of Switzerland"
        path.write_text(text.replace(anchor, "A new paragraph about something else entirely.\n\n" + anchor, 1))
        # and the Thailand paragraph moves below Switzerland's: renumbered
        text = path.read_text()
        thai = next(p for p in text.split("\n\n") if THAILAND_TEXT in p)
        swiss = next(p for p in text.split("\n\n") if p.startswith(anchor))
        path.write_text(text.replace(thai + "\n\n" + "A new", "A new").replace(swiss, swiss + "\n\n" + thai))
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        view = app.query_one(Transcript).latest()
        viewer = await open_card(pilot, app, view)
        assert isinstance(viewer, SourceViewer) and viewer.current != 11
        assert THAILAND_TEXT in str(viewer.query_one(f"#para-{viewer.current}").render())
        assert viewer.query_one(".current").id == f"para-{viewer.current}"

    drive(app_factory(), steps)


def test_a_changed_paragraph_is_flagged_and_the_quote_kept(app_factory, fake_config):
    path = fake_config.corpus_dir / FHS_2007

    async def steps(pilot, app):
        await ask(pilot, app, THAILAND)
        path.write_text(path.read_text().replace("has created a Ministry", "has established a Ministry"))
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        card = app.query_one(Transcript).latest().card(1)
        shown = str(card.render())
        assert "changed since this answer" in shown and "open the current version" in shown
        assert THAILAND_TEXT in shown  # the text as it was quoted
        viewer = await open_card(pilot, app, app.query_one(Transcript).latest())
        assert isinstance(viewer, SourceViewer) and viewer.view.path == FHS_2007
        assert "changed since" in str(viewer.query_one("#doc-title").content)

    drive(app_factory(), steps)


def test_a_restart_restores_the_scope_the_last_question_stood_under(app_factory):
    """Found in tmux (80x24): after a restart the last answer said "scope: year:2007" but the next question
    searched every document."""
    from hsqa.tui.widgets.status import ScopeBar

    async def steps(pilot, app):
        await ask(pilot, app, "year:2007")
        await ask(pilot, app, THAILAND)
        assert app.scope.labels == ["year:2007"]

    drive(app_factory(), steps)

    async def again(pilot, app):
        assert app.scope.labels == ["year:2007"]
        assert "year:2007" in str(app.query_one(ScopeBar).render())
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        assert not app.scope

    drive(app_factory(), again)
