import os
import subprocess
import sys
import threading
import time

from .conftest import FHS_2007, GA_2012, ROOT


def test_watch_follows_add_edit_rename_delete(fake_config):
    env = dict(
        os.environ,
        HSQA_CORPUS=str(fake_config.corpus_dir),
        HSQA_INDEX=str(fake_config.index_dir),
        HSQA_MODEL=fake_config.model,
    )
    p = subprocess.Popen(
        [sys.executable, "-m", "hsqa.cli", "watch", "--interval", "0.2", "--debounce", "0.4"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: list[str] = []
    threading.Thread(target=lambda: [lines.append(x.rstrip()) for x in p.stdout], daemon=True).start()

    def wait_for(text, timeout=20):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(text in x for x in lines):
                return
            time.sleep(0.05)
        raise AssertionError(f"no line with {text!r} in {lines}")

    c = fake_config.corpus_dir
    try:
        wait_for(f"+ added {FHS_2007}")
        wait_for("= 2 documents")
        (c / "new.txt").write_text("Title\n\nA paragraph about oceans.\n")
        wait_for("+ added new.txt")
        (c / "new.txt").write_text("Title\n\nA paragraph about rivers.\n")
        wait_for("~ updated new.txt")
        os.rename(c / "new.txt", c / "renamed.txt")
        wait_for("> renamed renamed.txt (was new.txt)")
        (c / GA_2012).unlink()
        wait_for(f"- removed {GA_2012}")
        (c / "empty.txt").write_text("")
        wait_for("! skipped empty.txt: empty file")
    finally:
        p.terminate()
        p.wait(10)


class Watcher:
    """``hsqa watch`` in a subprocess, its output lines collected."""

    def __init__(self, config, *args, fault=None):
        env = dict(os.environ, HSQA_CORPUS=str(config.corpus_dir), HSQA_INDEX=str(config.index_dir), HSQA_MODEL=config.model)
        env.pop("HSQA_FAULT", None)
        if fault:
            env["HSQA_FAULT"] = fault
        self.p = subprocess.Popen(
            [sys.executable, "-m", "hsqa.cli", "watch", *args],
            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=lambda: [self.lines.append(x.rstrip()) for x in self.p.stdout], daemon=True).start()

    def wait_for(self, text, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(text in x for x in self.lines):
                return
            assert self.p.poll() is None, f"watch exited ({self.p.returncode}): {self.lines}"
            time.sleep(0.05)
        raise AssertionError(f"no line with {text!r} in {self.lines}")

    def stop(self):
        self.p.terminate()
        self.p.wait(10)


def test_watch_never_loses_an_edit_saved_during_a_run(fake_config):
    from hsqa.doctor import _lock_holder
    from hsqa.embedding import HashingEmbedder
    from hsqa.search import Searcher

    c = fake_config.corpus_dir
    w = Watcher(fake_config, "--interval", "0.2", "--debounce", "0.3", fault="parsed:2:sleep=4")
    try:
        w.wait_for("= 2 documents")
        (c / "new.txt").write_text("Title\n\nA paragraph about oceans.\n")
        deadline = time.monotonic() + 20
        while _lock_holder(fake_config) is None:  # the second run has started; it sleeps after parsing
            assert time.monotonic() < deadline
            time.sleep(0.02)
        time.sleep(1.0)
        (c / "new.txt").write_text("Title\n\nA paragraph about the rivers of the world.\n")  # saved during the run
        w.wait_for("+ added new.txt")
        w.wait_for("~ updated new.txt")
        s = Searcher(fake_config, HashingEmbedder(64))
        assert "rivers" in s.search("rivers oceans", k=1, mode="lexical").results[0].text
    finally:
        w.stop()


def test_watch_survives_a_full_disk_and_a_vanishing_corpus(fake_config):
    c = fake_config.corpus_dir
    w = Watcher(fake_config, "--interval", "0.2", "--debounce", "0.6", fault="rows-written:2:enospc")
    try:
        w.wait_for("= 2 documents")
        (c / "new.txt").write_text("Title\n\nA paragraph about oceans.\n")
        w.wait_for("is full")  # the second run fails as on a full disk…
        w.wait_for("+ added new.txt")  # …and is retried
        (c / "other.txt").write_text("Title\n\nA paragraph about deserts.\n")
        time.sleep(0.3)  # seen, and now in the debounce window
        os.rename(c, c.with_name("corpus-away"))
        w.wait_for("does not exist")
        time.sleep(0.5)
        os.rename(c.with_name("corpus-away"), c)
        w.wait_for("+ added other.txt")
        assert w.p.poll() is None
    finally:
        w.stop()
