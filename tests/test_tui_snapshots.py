"""Pictures of the app at 80×24 and 120×40 (pytest-textual-snapshot): small screens, follow-ups, the
document list, a citation whose paragraph changed, markdown emphasis."""

import pytest

from .conftest import FHS_2007
from .tui_support import SIZE, SMALL, ask, settle

SIZES = [pytest.param(SMALL, id="80x24"), pytest.param(SIZE, id="120x40")]


async def quiet(pilot, app):
    """Work done, messages handled, toasts gone, layout and scrolling settled, no blinking cursor."""
    for box in app.query("Input"):
        box.cursor_blink = False
    for _ in range(3):
        await settle(pilot, app)
        await pilot.pause(0.05)
    app.clear_notifications()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.05)


def after_asking(app, *questions, keys=()):
    """The ``run_before`` of a snapshot: start-up done, ``questions`` asked in turn, ``keys`` pressed, quiet."""

    async def before(pilot):
        await settle(pilot, app)
        for q in questions:
            await ask(pilot, app, q)
        if keys:
            await pilot.press(*keys)
        await quiet(pilot, app)

    return before


@pytest.mark.parametrize("state", ["empty", "answer", "viewer"])
def test_snapshot_small_screen(snap_app, snap_compare, state):
    questions = [] if state == "empty" else ["Thailand ministry of social development"]
    before = after_asking(snap_app, *questions, keys=("1",) if state == "viewer" else ())
    assert snap_compare(snap_app, terminal_size=SMALL, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_follow_up(snap_app, snap_compare, size):
    before = after_asking(snap_app, "What did the representative of Canada say?", "And Spain?")
    assert snap_compare(snap_app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_document_list(snap_app, snap_compare, size):
    before = after_asking(snap_app, "Thailand ministry of social development", keys=("ctrl+b",))
    assert snap_compare(snap_app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_changed_citation(snap_app, snap_compare, size):
    async def before(pilot):
        await settle(pilot, snap_app)
        await ask(pilot, snap_app, "Thailand ministry of social development")
        path = snap_app.config.corpus_dir / FHS_2007
        path.write_text(path.read_text().replace("has created a Ministry", "has established a Ministry"))
        await pilot.press("ctrl+r")
        await quiet(pilot, snap_app)
        snap_app.query_one("#transcript").scroll_home(animate=False)
        await quiet(pilot, snap_app)

    assert snap_compare(snap_app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_markdown_emphasis(snap_app, snap_compare, size):
    before = after_asking(snap_app, "partnership between inter alia Governments international organizations civil society")
    assert snap_compare(snap_app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_long_quote(snap_app, snap_compare, size):
    """A two-sentence quote: clamped to three lines at 80×24 (the card starts high on the screen), whole at
    120×40; then ctrl+o shows it whole at 80×24 too."""
    before = after_asking(snap_app, "What did the representative of Canada say?")
    assert snap_compare(snap_app, terminal_size=size, run_before=before)


def test_snapshot_long_quote_expanded(snap_app, snap_compare):
    before = after_asking(snap_app, "What did the representative of Canada say?", keys=("ctrl+o",))
    assert snap_compare(snap_app, terminal_size=SMALL, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_document_scope(snap_app, snap_compare, size):
    """A document chosen in the list: at 80×24 the scope bar and the answer's scope line keep to one line."""

    async def before(pilot):
        await settle(pilot, snap_app)
        await pilot.press("ctrl+b", "down", "enter")
        await ask(pilot, snap_app, "What did delegations say about legal obligations?")
        await quiet(pilot, snap_app)

    assert snap_compare(snap_app, terminal_size=size, run_before=before)
