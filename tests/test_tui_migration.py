"""Opening an index made by an older hsqa runs the schema migrations (schema 6 rewrites passage storage: tens
of seconds on a large index). They are shown, never silent: the CLI prints them on stderr, the app in its
status line (messages from its worker: nothing is written to the terminal under the app)."""

import asyncio
import shutil
import sqlite3
import threading
from pathlib import Path

from hsqa import cli
from hsqa.config import Config
from hsqa.embedding import HashingEmbedder
from hsqa.engine import Engine
from hsqa.store import MIGRATIONS, MigrationStep, connect, migrate
from hsqa.tui.app import HsqaApp
from hsqa.tui.widgets.status import StatusLine
from hsqa.tui.widgets.transcript import Transcript

from .tui_support import SMALL, ask, settle

V5 = Path(__file__).parent / "data" / "index-v5"


def old_index(fake_config, tmp_path) -> Config:
    shutil.copytree(V5, tmp_path / "v5", ignore=shutil.ignore_patterns("*.md"))
    return Config(fake_config.corpus_dir, tmp_path / "v5", model="hashing:64")


def version(config) -> int:
    db = sqlite3.connect(config.db_path)
    try:
        return db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()


def test_migrate_reports_each_step_and_each_commit(fake_config, tmp_path):
    config = old_index(fake_config, tmp_path)
    steps: list[MigrationStep] = []
    conn = connect(config.db_path)
    assert migrate(conn, steps.append) == len(MIGRATIONS)
    conn.close()
    assert {s.schema for s in steps} == {6}
    assert [s.step for s in steps] == list(range(steps[0].steps + 1))  # each statement, then the commit
    assert str(steps[0]) == f"migrating index to schema 6: step 1/{steps[0].steps}"
    assert steps[-1].done and str(steps[-1]) == "index migrated to schema 6"


def test_the_cli_says_it_is_upgrading_an_old_index(fake_config, tmp_path, capsys):
    config = old_index(fake_config, tmp_path)
    argv = ["--corpus", str(config.corpus_dir), "--index", str(config.index_dir), "--model", "hashing:64"]
    assert cli.main([*argv, "ask", "--mode", "lexical", "Thailand ministry"]) == 0
    out = capsys.readouterr()
    assert f"upgrading the index at {config.index_dir}/, made by an older hsqa" in out.err
    assert "migrating index to schema 6: step 1/" in out.err and "index migrated to schema 6 (" in out.err
    assert "Thailand" in out.out and "migrat" not in out.out  # stdout (JSON, answers) stays clean
    assert version(config) == len(MIGRATIONS)
    assert cli.main([*argv, "ask", "--mode", "lexical", "Thailand ministry"]) == 0
    assert "migrat" not in capsys.readouterr().err  # once


class HeldMigration(Engine):
    """An engine whose migration pauses at its fourth statement until the test lets it go on."""

    def __init__(self, config):
        super().__init__(config, HashingEmbedder(64))
        self.reached, self.gate = threading.Event(), threading.Event()

    def open_index(self, migration=None):
        def held(step):
            migration(step)
            if step.step == 3:
                self.reached.set()
                self.gate.wait(30)

        return super().open_index(held)


def test_the_app_shows_the_migration_in_its_status_line(fake_config, tmp_path):
    config = old_index(fake_config, tmp_path)
    engine = HeldMigration(config)

    async def go(size):
        app = HsqaApp(config, engine, watch=False)
        async with app.run_test(size=size) as pilot:
            for _ in range(200):
                await pilot.pause(0.02)
                if engine.reached.is_set():
                    break
            await pilot.pause(0.05)
            status = app.query_one(StatusLine)
            assert status.index.startswith("migrating index to schema 6: step 4/")
            line = str(status.render())
            assert "schema 6: step 4/" in line and "…" not in line, line  # whole, at 80 columns too
            assert "older hsqa" in app.sub_title
            # a question asked meanwhile is told why it waits, not that there is no index
            app.query_one("#question").value = "Thailand ministry"
            await pilot.press("enter")
            await pilot.pause()
            notes = " ".join(str(n.render()) for n in app.query_one(Transcript).query(".note"))
            assert "being upgraded" in notes and "no index" not in notes
            engine.gate.set()
            await settle(pilot, app)
            assert status.index.startswith("index: 2 documents") and not app.migrating
            await ask(pilot, app, "Thailand ministry")
            assert app.query_one(Transcript).latest().turn.results

    asyncio.run(go(SMALL))
    assert version(config) == len(MIGRATIONS)


def test_the_app_brings_an_index_an_older_hsqa_made_up_to_date(fake_config, monkeypatch):
    """An index whose passages an older hsqa parsed or tokenized (here: lexical version 2) was opened as it
    was, its old parse answering until a file changed; the app now updates it when it opens it."""
    import hsqa.indexer
    import hsqa.text
    from hsqa.indexer import Indexer, outdated
    from hsqa.store import LEXICAL_VERSION, Store

    monkeypatch.setattr(hsqa.text, "place_words", lambda place: place or "")
    monkeypatch.setattr(hsqa.indexer, "LEXICAL_VERSION", 2)
    Indexer(fake_config, HashingEmbedder(64)).run()
    monkeypatch.undo()
    assert outdated(Store(fake_config, readonly=True).info())

    async def go():
        app = HsqaApp(fake_config, Engine(fake_config, HashingEmbedder(64)), watch=False)
        async with app.run_test(size=SMALL) as pilot:
            await settle(pilot, app)
            assert Store(fake_config, readonly=True).info().lexical_version == LEXICAL_VERSION
            assert app.query_one(StatusLine).index.startswith("index: 2 documents") and not app.indexing
            await ask(pilot, app, "Thailand ministry")
            assert app.query_one(Transcript).latest().turn.results

    asyncio.run(go())
