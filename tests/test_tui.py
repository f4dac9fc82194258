"""Pilot tests of the chat app (Textual ``run_test``) and snapshots of its main screens."""

import json
import threading

import pytest

from hsqa.config import Config
from hsqa.embedding import HashingEmbedder
from hsqa.errors import ModelUnavailable
from hsqa.indexer import Indexer
from hsqa.engine import Engine
from hsqa.tui.app import HsqaApp
from hsqa.tui.screens.viewer import SourceViewer
from hsqa.tui.widgets.cards import CitationCard
from hsqa.tui.widgets.status import StatusLine
from hsqa.tui.widgets.transcript import TurnView

from .conftest import FHS_2007, GA_2012
from .tui_support import SIZE, ask, drive, run, settle

THAILAND = "Which country created a ministry for social development and human security?"


class GatedEmbedder(HashingEmbedder):
    """A 'model' that finishes loading only when the test says so (or fails to)."""

    def __init__(self, fail=False):
        super().__init__(64)
        self.gate = threading.Event()
        self.fail = fail

    def load(self):
        self.gate.wait(60)
        if self.fail:
            raise ModelUnavailable("cannot load embedding model 'broken' (test)")
        return self


@pytest.fixture
def hashing_app(fake_config):
    Indexer(fake_config, HashingEmbedder(64)).run()

    def make(**kw):
        return HsqaApp(fake_config, Engine(fake_config, HashingEmbedder(64)), watch=False, **kw)

    return make


# -- with the real model --------------------------------------------------------------------------


@pytest.mark.slow
def test_thailand_question_cites_the_2007_summary_and_opens_the_paragraph(real_index):
    config, embedder = real_index
    config = Config(config.corpus_dir, config.index_dir.parent / "index", config.model)

    async def steps(pilot, app):
        await ask(pilot, app, THAILAND)
        view = app.query(TurnView).last()
        assert view.turn.mode == "hybrid"
        card = view.query(CitationCard).first()  # this answer's: the app may restore earlier turns above it
        r = card.result
        assert (r["source"], r["paragraph"]) == (FHS_2007, 11)
        a, b = r["highlight"]
        assert "created a Ministry of Social Development and Human Security" in r["text"][a:b]
        assert "Ministry of Social Development" in view.turn.answer["sentence"]
        await pilot.press("1")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, SourceViewer)
        current = screen.query_one(".current")
        assert current.id == "para-11" and current.has_class("cited")
        await pilot.press("escape")
        assert not isinstance(app.screen, SourceViewer)

    drive(HsqaApp(config, Engine(config, embedder), watch=False), steps)


# -- flows, with the fast hashing embedder ----------------------------------------------------------


def test_lexical_answer_first_then_upgraded_in_place(fake_config):
    Indexer(fake_config, HashingEmbedder(64)).run()
    emb = GatedEmbedder()
    engine = Engine(fake_config, emb)
    engine.model_ready = False

    async def go():
        app = HsqaApp(fake_config, engine, watch=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.query_one("#question").value = "Thailand ministry"
            await pilot.press("enter")
            for _ in range(400):
                await pilot.pause(0.05)
                if app.query(TurnView):
                    break
            view = app.query(TurnView).last()
            assert view.turn.mode == "lexical"
            assert "keyword search only" in str(view.query(".answer").first().render())
            turn_id = view.turn.id
            emb.gate.set()
            await settle(pilot, app)
            views = list(app.query(TurnView))
            assert len(views) == 1 and views[0].turn.id == turn_id and views[0].turn.mode == "hybrid"
            assert "model ready" in app.query_one(StatusLine).model

    run(go())


def test_model_failure_leaves_visible_lexical_mode(fake_config):
    Indexer(fake_config, HashingEmbedder(64)).run()
    emb = GatedEmbedder(fail=True)
    emb.gate.set()
    engine = Engine(fake_config, emb)
    engine.model_ready = False

    async def steps(pilot, app):
        assert "keyword search only" in app.query_one(StatusLine).model
        await ask(pilot, app, "Thailand ministry")
        assert app.query(TurnView).last().turn.mode == "lexical"

    drive(HsqaApp(fake_config, engine, watch=False), steps)


def test_scope_to_a_document_from_the_sidebar(hashing_app):
    async def steps(pilot, app):
        await pilot.press("ctrl+b")
        docs = app.query_one("#documents")
        target = next(i for i, d in enumerate(app.docs.values()) if d["path"] == GA_2012)
        docs.highlighted = target
        await pilot.press("enter")
        await pilot.pause()
        assert "Scope:" in str(app.query_one("#scope").render())
        await ask(pilot, app, "human security")
        turn = app.query(TurnView).last().turn
        assert turn.results and {r["source"] for r in turn.results} == {GA_2012}
        await pilot.press("ctrl+g")
        await ask(pilot, app, "Thailand ministry")
        assert app.query(TurnView).last().turn.results[0]["source"] == FHS_2007

    drive(hashing_app(), steps)


def test_typed_year_filter_scopes_the_question(hashing_app):
    async def steps(pilot, app):
        await ask(pilot, app, "human security year:2007")
        turn = app.query(TurnView).last().turn
        assert turn.scope_labels == ["year:2007"] and {r["source"] for r in turn.results} == {FHS_2007}
        await ask(pilot, app, "year:2012")  # a filter on its own scopes the next questions
        assert "year:2012" in str(app.query_one("#scope").render())
        await ask(pilot, app, "human security")
        assert {r["source"] for r in app.query(TurnView).last().turn.results} == {GA_2012}
        await ask(pilot, app, "the Thailand ministry")
        assert {r["source"] for r in app.query(TurnView).last().turn.results} == {GA_2012}
        await pilot.press("ctrl+g")
        await ask(pilot, app, "the Thailand ministry")
        assert app.query(TurnView).last().turn.results[0]["source"] == FHS_2007

    drive(hashing_app(), steps)


def test_copy_citation_and_export(hashing_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    async def go():
        app = hashing_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await ask(pilot, app, "Thailand ministry")
            await pilot.press("ctrl+y")
            assert app.clipboard.startswith("Chair's Summary: Second Meeting of the \"Friends of Human Security\" (20 April 2007)")
            assert "¶11" in app.clipboard and "Chiang Mai" in app.clipboard
            await pilot.press("ctrl+s")
            await pilot.pause()
        files = list(tmp_path.glob("hsqa-conversation-*.md"))
        assert len(files) == 1
        md = files[0].read_text()
        assert "## Q: Thailand ministry" in md and "¶11" in md and FHS_2007 in md

    run(go())


def test_history_survives_a_restart(hashing_app, fake_config):
    async def first():
        app = hashing_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await ask(pilot, app, "Thailand ministry")

    async def second():
        app = hashing_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            views = list(app.query(TurnView))
            assert [v.turn.question for v in views] == ["Thailand ministry"]
            assert views[0].turn.results[0]["paragraph"] == 11
            await pilot.press("up")  # the question history came back too
            assert app.query_one("#question").value == "Thailand ministry"

    run(first())
    assert json.loads(fake_config.history_path.read_text())["turns"][0]["question"] == "Thailand ministry"
    run(second())


def test_reindex_after_a_document_is_added(hashing_app, fake_config):
    async def steps(pilot, app):
        (fake_config.corpus_dir / "2010-05-20-tokyo.txt").write_text(
            "Third Meeting of the Friends\n\n20-21 May 2010\nTokyo\n\nDiscussion\n\n"
            "Participants discussed glacier melt in the Himalayas and food security.\n"
        )
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert "3 documents" in app.sub_title
        await ask(pilot, app, "glacier melt")
        assert app.query(TurnView).last().turn.results[0]["source"] == "2010-05-20-tokyo.txt"

    drive(hashing_app(), steps)


def test_corpus_change_is_noticed_and_indexed_automatically(hashing_app, fake_config):
    async def go():
        app = hashing_app()
        app.watch_corpus = True
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            (fake_config.corpus_dir / FHS_2007).unlink()
            app.check_corpus()
            await settle(pilot, app)
            assert app.sub_title.startswith("1 documents")
            await ask(pilot, app, "Thailand ministry")
            assert all(r["source"] != FHS_2007 for r in app.query(TurnView).last().turn.results)

    run(go())


def test_missing_index_is_offered_and_built(fake_config):
    async def steps(pilot, app):
        assert "ctrl+r" in app.query_one(StatusLine).index
        notes = " ".join(str(n.render()) for n in app.query(".note"))
        assert "no index" in notes
        await ask(pilot, app, "anything")  # refused politely, no crash
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert app.sub_title.startswith("2 documents · 31 passages")

    drive(HsqaApp(fake_config, Engine(fake_config, HashingEmbedder(64)), watch=False), steps)


# -- snapshots ----------------------------------------------------------------------------------------


def test_snapshot_empty_state(snap_app, snap_compare):
    async def before(pilot):
        await settle(pilot, snap_app)

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=before)


def test_snapshot_answer(snap_app, snap_compare):
    async def before(pilot):
        await settle(pilot, snap_app)
        await ask(pilot, snap_app, "Thailand ministry of social development")

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=before)


def test_snapshot_viewer(snap_app, snap_compare):
    async def before(pilot):
        await settle(pilot, snap_app)
        await ask(pilot, snap_app, "Thailand ministry of social development")
        await pilot.press("1")
        await settle(pilot, snap_app)

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=before)


def test_index_built_with_another_model_is_a_message_not_a_crash(fake_config):
    Indexer(fake_config, HashingEmbedder(32)).run()  # built with hashing:32, the app asks for hashing:64

    async def steps(pilot, app):
        notes = " ".join(str(n.render()) for n in app.query(".note"))
        assert "was built with model 'hashing:32'" in notes
        assert "unusable" in app.query_one(StatusLine).index
        await pilot.press("ctrl+r")  # rebuild for the app's model
        await settle(pilot, app)
        assert app.sub_title.startswith("2 documents")
        await ask(pilot, app, "Thailand ministry")
        assert app.query(TurnView).last().turn.results[0]["source"] == FHS_2007

    drive(HsqaApp(fake_config, Engine(fake_config, HashingEmbedder(64)), watch=False), steps)


def test_viewer_jumps_between_cited_paragraphs_and_returns(hashing_app):
    async def steps(pilot, app):
        await ask(pilot, app, "Thailand Switzerland Slovenia representative")
        turn = app.query(TurnView).last().turn
        cited = sorted({r["paragraph"] for r in turn.results if r["source"] == turn.results[0]["source"]})
        assert len(cited) >= 2
        await pilot.press("1")
        await settle(pilot, app)
        viewer = app.screen
        assert isinstance(viewer, SourceViewer)
        first = viewer.current
        assert viewer.query_one(".current").id == f"para-{first}"
        await pilot.press("n")
        nxt = cited[(cited.index(first) + 1) % len(cited)]
        assert viewer.current == nxt and viewer.query_one(".current").id == f"para-{nxt}"
        await pilot.press("p")
        assert viewer.current == first
        await pilot.press("2", "ctrl+b")  # conversation keys do nothing over the viewer
        await settle(pilot, app)
        assert app.screen is viewer and len(app.screen_stack) == 2
        assert all(viewer.query_one(f"#para-{n}").has_class("cited") for n in cited)
        await pilot.press("escape")
        assert not isinstance(app.screen, SourceViewer) and app.query(TurnView)

    drive(hashing_app(), steps)


def test_nothing_relevant_is_said_plainly_with_dimmed_passages(hashing_app):
    async def steps(pilot, app):
        await ask(pilot, app, "lasagna recipe with basil")
        view = app.query(TurnView).last()
        assert not view.turn.relevant and view.turn.answer is None
        assert "Nothing in the corpus answers this clearly" in str(view.query(".answer").first().render())
        cards = list(view.query(CitationCard))
        assert cards and all(c.has_class("dim") for c in cards)

    drive(hashing_app(), steps)
