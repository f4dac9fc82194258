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
