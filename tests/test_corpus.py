"""The corpus boundary, files that stop parsing, unreadable and very deep folders, renames, odd names;
and the pure change plan (hsqa/plan.py) on its own."""

import os
import subprocess
import sys
import time
from pathlib import Path

from hsqa.cli import main
from hsqa.corpus import FileStat, Scan
from hsqa.doctor import _lock_holder, diagnose
from hsqa.embedding import HashingEmbedder
from hsqa.indexer import Indexer, staleness
from hsqa.plan import Indexed, KnownSkip, plan, resolve, settle
from hsqa.search import Searcher
from hsqa.store import Store

from .conftest import FHS_2007, GA_2012, ROOT
from .test_indexer import CountingEmbedder


def run(config, emb=None, **kw):
    return Indexer(config, emb or HashingEmbedder(64)).run(**kw)


def sources(config, question, k=10):
    s = Searcher(config, HashingEmbedder(64))
    return [(r.source, r.text) for r in s.search(question, k=k, mode="lexical").results]


# ---------------------------------------------------------------------------------------------
# 2. corpus boundary
# ---------------------------------------------------------------------------------------------


def test_files_and_folders_outside_the_corpus_are_never_indexed(fake_config, tmp_path):
    c = fake_config.corpus_dir
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_text("Secrets\n\nroot:x:0:0:root:/root:/bin/bash zebra\n")
    (outside / "folder" / "doc.txt").write_text("Other\n\nA private zebra note outside the corpus.\n")
    (c / "passwd.txt").symlink_to(outside / "secret.txt")
    (c / "linked").symlink_to(outside / "folder")
    (c / "sub").mkdir()
    (c / "sub" / "inner.txt").write_text("Inner\n\nA zebra crossing inside the corpus.\n")
    (c / "alias.txt").symlink_to(c / "sub" / "inner.txt")  # a link that stays inside is fine
    r = run(fake_config)
    reasons = {s["path"]: s["reason"] for s in r.skipped}
    assert "outside the corpus" in reasons["passwd.txt"] and "outside the corpus" in reasons["linked"]
    assert {d["path"] for d in Store(fake_config).documents()} == {FHS_2007, GA_2012, "sub/inner.txt", "alias.txt"}
    got = sources(fake_config, "zebra root bash")
    assert got and all("root:x" not in t and "private" not in t for _, t in got)


def test_a_link_redirected_outside_after_the_scan_is_not_read(fake_config, tmp_path, monkeypatch):
    import hsqa.indexer as ix

    secret = tmp_path / "secret.txt"
    secret.write_text("Secret\n\nroot:x:0:0 zebra\n")
    c = fake_config.corpus_dir
    (c / "ok.txt").write_text("Fine\n\nA zebra paragraph.\n")
    (c / "link.txt").symlink_to(c / "ok.txt")
    real_scan = ix.scan_corpus

    def scan_then_swap(corpus):
        s = real_scan(corpus)
        (c / "link.txt").unlink()
        (c / "link.txt").symlink_to(secret)  # swapped between the scan and the read
        return s

    monkeypatch.setattr(ix, "scan_corpus", scan_then_swap)
    r = run(fake_config)
    assert any(s["path"] == "link.txt" and "outside the corpus" in s["reason"] for s in r.skipped)
    assert all("root:x" not in t for _, t in sources(fake_config, "zebra root"))


# ---------------------------------------------------------------------------------------------
# 6. never cite text that is no longer in the file
# ---------------------------------------------------------------------------------------------


def test_a_file_that_stops_parsing_is_withdrawn_and_the_index_settles(fake_config, capsys):
    config = fake_config
    run(config)
    target = config.corpus_dir / FHS_2007
    good = target.read_bytes()
    assert any(s == FHS_2007 for s, _ in sources(config, "Chiang Mai"))
    target.write_bytes(b"\x00\x01binary now" * 20)
    r = run(config)
    assert r.withdrawn == 1 and [c["change"] for c in r.changes] == ["withdrawn"]
    assert all(s != FHS_2007 for s, _ in sources(config, "Chiang Mai"))  # its old text is not quoted any more
    gen = r.generation
    emb = CountingEmbedder()
    r2 = run(config, emb)
    assert r2.generation == gen and r2.changes == [] and r2.new_skips == []  # settled: a no-op, reported once
    assert not staleness(config, Store(config)).stale
    rep = diagnose(config)
    assert rep["ok"], rep["problems"]
    assert any(FHS_2007 in line and "withdrawn" in line for line in rep["lines"])
    target.write_bytes(good)
    r3 = run(config, emb)
    assert r3.added == 1 and emb.calls == 0  # back, from the embedding cache
    assert any(s == FHS_2007 for s, _ in sources(config, "Chiang Mai"))


def test_an_indexed_file_that_can_no_longer_be_read_is_withdrawn(fake_config, monkeypatch):
    import hsqa.indexer as ix
    from hsqa.errors import DocumentError

    config = fake_config
    run(config)
    target = config.corpus_dir / GA_2012
    target.write_text(target.read_text() + "\nA new closing paragraph.\n")
    real = ix.read_document_bytes

    def denied(corpus, fs):
        if fs.rel == GA_2012:
            raise DocumentError(fs.rel, "unreadable (Permission denied)")
        return real(corpus, fs)

    monkeypatch.setattr(ix, "read_document_bytes", denied)
    r = run(config)
    assert r.withdrawn == 1
    assert all(s != GA_2012 for s, _ in sources(config, "General Assembly 64/291"))
    r2 = run(config)
    assert r2.generation == r.generation and not r2.changes
    assert not staleness(config, Store(config)).stale


# ---------------------------------------------------------------------------------------------
# 7. unreadable subfolder
# ---------------------------------------------------------------------------------------------


def test_an_unreadable_subfolder_keeps_its_documents(fake_config, monkeypatch):
    config = fake_config
    sub = config.corpus_dir / "sub"
    sub.mkdir()
    (sub / "inner.txt").write_text("Inner\n\nA paragraph about glaciers in a subfolder.\n")
    run(config)
    if os.geteuid() != 0:
        sub.chmod(0)
        monkeypatch.setattr(sub, "chmod", sub.chmod)  # restored below
    else:  # root reads any folder: make this one fail to list as it would for a normal user
        real = os.scandir

        def scandir(p="."):
            if Path(p) == sub:
                raise PermissionError(13, "Permission denied", str(p))
            return real(p)

        monkeypatch.setattr(os, "scandir", scandir)
    try:
        r = run(config)
        assert r.removed == 0 and r.documents == 3
        assert any(s["path"] == "sub" and "unreadable folder" in s["reason"] and "kept" in s["reason"] for s in r.skipped)
        assert any(s == "sub/inner.txt" for s, _ in sources(config, "glaciers subfolder"))
        assert staleness(config, Store(config)).deleted == []
    finally:
        if os.geteuid() != 0:
            sub.chmod(0o755)


# ---------------------------------------------------------------------------------------------
# 10. very deep folders
# ---------------------------------------------------------------------------------------------


def _make_deep(top: Path, depth: int) -> Path:
    """A chain of ``depth`` folders named ``d`` (os.makedirs recurses, so one mkdir at a time)."""
    p = str(top)
    os.mkdir(p)
    for _ in range(depth - 1):
        p = os.path.join(p, "d")
        os.mkdir(p)
    return Path(p)


def _remove_deep(top: Path, bottom: Path) -> None:
    """Remove the chain without recursion (shutil.rmtree and os.walk recurse)."""
    p = str(bottom)
    for name in os.listdir(p):
        os.unlink(os.path.join(p, name))
    while True:
        os.rmdir(p)
        if p == str(top):
            return
        p = os.path.dirname(p)


def test_folders_a_thousand_deep_do_not_crash_any_command(fake_config, capsys):
    config = fake_config
    top = config.corpus_dir / "d"
    deep = _make_deep(top, 1000)
    (deep / "bottom.txt").write_text("Bottom\n\nA paragraph about the deepest glaciers.\n")
    try:
        common = ["--corpus", str(config.corpus_dir), "--index", str(config.index_dir), "--model", config.model]
        assert main(["index", "-q", *common]) == 0
        assert main(["ask", "--json", *common, "deepest glaciers"]) == 0
        out = capsys.readouterr().out
        assert "bottom.txt" in out
        assert main(["doctor", *common]) == 0
    finally:
        _remove_deep(top, deep)


# ---------------------------------------------------------------------------------------------
# 15. renamed file title, file names with a newline
# ---------------------------------------------------------------------------------------------


def test_renaming_a_file_without_a_title_block_retitles_it(fake_config):
    c = fake_config.corpus_dir
    (c / "notes-on-glaciers.txt").write_text("The glaciers are melting fast.\n\nSecond paragraph on the ice.\n")
    run(fake_config)
    titles = {d["path"]: d["title"] for d in Store(fake_config).documents()}
    assert titles["notes-on-glaciers.txt"] == "Notes On Glaciers"
    os.rename(c / "notes-on-glaciers.txt", c / "report-on-rivers.txt")
    emb = CountingEmbedder()
    r = run(fake_config, emb)
    assert r.renamed == 1 and emb.calls == 0
    titles = {d["path"]: d["title"] for d in Store(fake_config).documents()}
    assert titles["report-on-rivers.txt"] == "Report On Rivers"
    s = Searcher(fake_config, HashingEmbedder(64))
    assert s.search("rivers", k=1, mode="lexical").results[0].title == "Report On Rivers"  # the lexical title too


def test_a_newline_in_a_file_name_is_printed_escaped(fake_config, capsys):
    c = fake_config.corpus_dir
    (c / "evil\nname.txt").write_text("Evil\n\nA paragraph about penguins.\n")
    (c / "odd\nfile.png").write_bytes(b"\x89PNG")
    common = ["--corpus", str(c), "--index", str(fake_config.index_dir), "--model", fake_config.model]
    assert main(["index", "-q", *common]) == 0
    assert main(["ask", *common, "penguins"]) == 0
    assert main(["doctor", *common]) == 0
    out = capsys.readouterr()
    text = out.out + out.err
    assert "evil\\nname.txt" in text and "odd\\nfile.png" in text
    assert "evil\nname" not in text and "odd\nfile" not in text


# ---------------------------------------------------------------------------------------------
# 13. doctor while an index run holds a long write transaction
# ---------------------------------------------------------------------------------------------


def test_doctor_during_a_long_write_transaction(fake_config):
    config = fake_config
    run(config)
    (config.corpus_dir / "new.txt").write_text("Title\n\nA paragraph about glaciers.\n")
    env = dict(os.environ, HSQA_CORPUS=str(config.corpus_dir), HSQA_INDEX=str(config.index_dir),
               HSQA_MODEL=config.model, HSQA_FAULT="rows-written:sleep=8")
    p = subprocess.Popen([sys.executable, "-m", "hsqa.cli", "index", "-q"], env=env, cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while _lock_holder(config) != str(p.pid):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(1.0)  # inside its write transaction now
        t = time.monotonic()
        rep = diagnose(config)
        assert time.monotonic() - t < 6  # answered without waiting for the writer
        assert rep["ok"], rep["problems"]
        assert not any("rebuild" in line for line in rep["lines"])
        assert any("in progress" in line for line in rep["lines"])
    finally:
        p.wait(60)


# ---------------------------------------------------------------------------------------------
# the pure plan
# ---------------------------------------------------------------------------------------------


def _scan(files: dict[str, tuple[int, int]], unreadable=()) -> Scan:
    return Scan({r: FileStat(r, Path(r), s, m) for r, (s, m) in files.items()}, {}, list(unreadable))


def test_plan_reads_only_what_changed_and_recognises_renames_without_any_storage():
    manifest = {
        "a.txt": Indexed(1, "a.txt", "sha-a", 10, 1),
        "b.txt": Indexed(2, "b.txt", "sha-b", 20, 2),
        "old.txt": Indexed(3, "old.txt", "sha-c", 30, 3),
        "gone.txt": Indexed(4, "gone.txt", "sha-d", 40, 4),
        "locked/x.txt": Indexed(5, "locked/x.txt", "sha-e", 50, 5),
    }
    scan = _scan({"a.txt": (10, 1), "b.txt": (21, 9), "new-name.txt": (30, 7), "bad.txt": (5, 5)}, unreadable=["locked"])
    known = {"bad.txt": KnownSkip("binary file (contains NUL bytes)", 5, 5)}
    p = plan(scan, manifest, known, full=False, max_bytes=1000)
    assert p.unchanged == ["a.txt"] and p.read == ["b.txt", "new-name.txt"]
    assert p.skipped == {"bad.txt": "binary file (contains NUL bytes)"}  # untouched bad bytes: not read again
    assert p.gone == {3: "old.txt", 4: "gone.txt"} and p.kept == ["locked/x.txt"]
    res = resolve(p, manifest, {"b.txt": "sha-b2", "new-name.txt": "sha-c"}, {})
    assert res.renames == [("new-name.txt", 3, "old.txt")] and res.parse == ["b.txt"] and res.removed == {4: "gone.txt"}
    res = settle(res, manifest, {"b.txt": "no paragraphs of text found"})
    assert res.parse == [] and res.withdraw == {2: "b.txt"} and "withdrawn" in res.skipped["b.txt"]


def test_plan_touch_too_large_and_read_errors():
    manifest = {"a.txt": Indexed(1, "a.txt", "sha-a", 10, 1), "big.txt": Indexed(2, "big.txt", "sha-b", 10, 1)}
    scan = _scan({"a.txt": (10, 2), "big.txt": (5000, 2), "new.txt": (1, 1)})
    p = plan(scan, manifest, {}, full=False, max_bytes=1000)
    assert "too large" in p.skipped["big.txt"]
    res = resolve(p, manifest, {"a.txt": "sha-a"}, {"new.txt": "unreadable (Permission denied)"})
    assert res.touch == [("a.txt", 1)] and res.withdraw == {2: "big.txt"}
    assert res.skipped["new.txt"] == "unreadable (Permission denied)" and not res.parse


def test_doctor_says_an_index_from_an_older_hsqa_needs_an_index_run_not_that_it_is_corrupt(fake_config, monkeypatch, capsys):
    """Found checking an index built by the previous session's hsqa: `hsqa doctor` reported "lexical index
    check failed (database disk image is malformed): run 'hsqa index --rebuild'". The index was sound; the
    check recomputed what it had indexed with today's tokenization (lexical version 3). It is outdated, which
    one plain 'hsqa index' fixes."""
    import hsqa.doctor
    import hsqa.indexer
    import hsqa.text
    from hsqa.doctor import diagnose
    from hsqa.embedding import HashingEmbedder
    from hsqa.indexer import Indexer

    monkeypatch.setattr(hsqa.text, "place_words", lambda place: place or "")  # lexical version 2 read places whole
    monkeypatch.setattr(hsqa.indexer, "LEXICAL_VERSION", 2)
    Indexer(fake_config, HashingEmbedder(64)).run()
    monkeypatch.undo()
    rep = diagnose(fake_config)
    assert not rep["ok"]
    assert not any("malformed" in p or "--rebuild" in p for p in rep["problems"]), rep["problems"]
    assert any("older hsqa" in p and "'hsqa index'" in p for p in rep["problems"])
    from hsqa.cli import main

    main(["--corpus", str(fake_config.corpus_dir), "--index", str(fake_config.index_dir), "--model", fake_config.model,
          "ask", "--mode", "lexical", "Thailand"])
    assert "made by an older hsqa" in capsys.readouterr().err
    # `make run` (hsqa index --if-missing) brings it up to date instead of leaving it
    assert main(["--corpus", str(fake_config.corpus_dir), "--index", str(fake_config.index_dir), "--model",
                 fake_config.model, "index", "--if-missing", "-q"]) == 0
    assert diagnose(fake_config)["ok"]
    assert main(["--corpus", str(fake_config.corpus_dir), "--index", str(fake_config.index_dir), "--model",
                 fake_config.model, "index", "--if-missing", "-q"]) == 0  # up to date: nothing to do
