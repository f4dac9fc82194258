import json
import os
import subprocess
import sys

import pytest

from hsqa.cli import main

from .conftest import FHS_2007, ROOT


@pytest.fixture
def env(fake_config, monkeypatch):
    monkeypatch.setenv("HSQA_CORPUS", str(fake_config.corpus_dir))
    monkeypatch.setenv("HSQA_INDEX", str(fake_config.index_dir))
    monkeypatch.setenv("HSQA_MODEL", fake_config.model)
    return fake_config


def last_json(out: str):
    return json.loads(out.strip().splitlines()[-1])


def test_index_json_contract(env, capsys):
    assert main(["index", "--json"]) == 0
    d = last_json(capsys.readouterr().out)
    assert list(d)[:8] == ["added", "updated", "removed", "unchanged", "documents", "chunks", "skipped", "seconds"]
    assert (d["added"], d["documents"], d["chunks"], d["skipped"]) == (2, 2, 31, [])
    (env.corpus_dir / "bad.txt").write_bytes(b"\x00\x00")
    assert main(["index", "--json"]) == 0
    d = last_json(capsys.readouterr().out)
    assert d["unchanged"] == 2 and d["skipped"] == [{"path": "bad.txt", "reason": "binary file (contains NUL bytes)"}]


def test_ask_json_contract_and_verbatim_text(env, capsys):
    main(["index", "-q"])
    capsys.readouterr()
    assert main(["ask", "-k", "3", "--json", "Thailand ministry", "Co-Chairs of the meeting"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    for line in lines:
        obj = json.loads(line)
        assert set(obj) >= {"question", "results"}
        assert len(obj["results"]) == 3
        for r in obj["results"]:
            assert set(r) >= {"rank", "source", "title", "date", "section", "paragraph", "score", "text"}
            raw = (env.corpus_dir / r["source"]).read_text(encoding="utf-8")
            assert r["text"] in raw
    first = json.loads(lines[0])["results"][0]
    assert first["source"] == FHS_2007 and first["paragraph"] == 11 and first["date"] == "2007-04-20"


def test_options_after_subcommand_and_questions_file(env, tmp_path, capsys):
    idx = tmp_path / "other-index"
    assert main(["index", "-q", "--index", str(idx)]) == 0
    qfile = tmp_path / "q.txt"
    qfile.write_text("Thailand ministry\n\n# comment\nclimate change\n")
    capsys.readouterr()
    assert main(["ask", "--index", str(idx), "--json", "--questions", str(qfile), "-k", "1"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert [json.loads(x)["question"] for x in out] == ["Thailand ministry", "climate change"]


def test_readable_output(env, capsys):
    main(["index", "-q"])
    capsys.readouterr()
    assert main(["ask", "-k", "2", "Thailand ministry social development"]) == 0
    out = capsys.readouterr().out
    assert "[1] Chair's Summary" in out and "¶11" in out and "20 April 2007" in out


def test_stale_corpus_is_reported(env, capsys):
    main(["index", "-q"])
    (env.corpus_dir / "new.txt").write_text("Title\n\nA brand new paragraph about oceans.\n")
    capsys.readouterr()
    main(["ask", "oceans"])
    assert "corpus changed since the last index (1 new)" in capsys.readouterr().err


def test_a_passage_no_longer_in_its_changed_file_is_not_quoted(env, capsys):
    """Found by editing a summary without re-indexing: `hsqa ask` warned that the corpus changed, then quoted
    the old wording in quotation marks as the file's verbatim text."""
    main(["index", "-q"])
    path = env.corpus_dir / FHS_2007
    path.write_text(path.read_text(encoding="utf-8").replace("Human Security. Thailand", "Human Safety. Thailand"),
                    encoding="utf-8")
    capsys.readouterr()
    assert main(["ask", "--json", "--mode", "lexical", "-k", "3", "Thailand ministry social development"]) == 0
    obj = last_json(capsys.readouterr().out)
    first = obj["results"][0]
    assert first["source"] == FHS_2007 and first["paragraph"] == 11 and first["in_file"] is False
    assert obj["answer"] is None and "no longer in its file" in obj["note"]
    assert all("in_file" not in r for r in obj["results"][1:])  # other passages of the same file are still there
    main(["ask", "--mode", "lexical", "-k", "3", "Thailand ministry social development"])
    out = capsys.readouterr().out
    assert "A:  " not in out and "⚠ no longer in its file" in out
    main(["index", "-q"])
    capsys.readouterr()
    main(["ask", "--json", "--mode", "lexical", "-k", "3", "Thailand ministry social development"])
    obj = last_json(capsys.readouterr().out)
    assert obj["answer"] and "Human Safety" in obj["results"][0]["text"] and "in_file" not in obj["results"][0]


def test_exit_codes(env, capsys, tmp_path):
    assert main(["ask", "--index", str(tmp_path / "none"), "anything"]) == 1
    assert "hsqa index" in capsys.readouterr().err
    assert main(["ask"]) == 2
    with pytest.raises(SystemExit) as e:
        main(["ask", "-k", "zero", "q"])
    assert e.value.code == 2
    assert main(["index", "--corpus", str(tmp_path / "missing")]) == 1
    assert "does not exist" in capsys.readouterr().err
    main(["index", "-q"])
    assert main(["ask", "--model", "hashing:32", "q"]) == 1
    assert "was built with model 'hashing:64'" in capsys.readouterr().err


def test_unknown_model_is_a_clear_error(env, capsys):
    main(["index", "-q"])
    assert main(["index", "--model", "/nonexistent/model"]) == 1
    err = capsys.readouterr().err
    assert "cannot load embedding model" in err and "never downloaded" in err


def test_eval_runs_all_modes(env, tmp_path, capsys):
    main(["index", "-q"])
    qa = tmp_path / "qa.jsonl"
    qa.write_text(json.dumps({"question": "Thailand ministry", "document": FHS_2007, "answer": "Chiang Mai"}) + "\n")
    capsys.readouterr()
    assert main(["eval", str(qa), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert set(rep["metrics"]) == {"hybrid", "lexical", "dense"}
    assert rep["metrics"]["lexical"]["recall@1"] == 1.0


def test_console_script_runs_as_a_process(env):
    p = subprocess.run(
        [sys.executable, "-m", "hsqa.cli", "--version"], capture_output=True, text=True, cwd=ROOT, env=os.environ
    )
    assert p.returncode == 0 and p.stdout.startswith("hsqa ")


def test_empty_corpus_and_model_aliases(tmp_path, capsys):
    c = tmp_path / "c"
    c.mkdir()
    common = ["--corpus", str(c), "--index", str(tmp_path / "i"), "--model", "hashing"]
    assert main(["index", "-q", *common]) == 0
    assert main(["ask", *common, "anything"]) == 0
    assert "No passage matches" in capsys.readouterr().out
    assert main(["doctor", *common]) == 0


def test_questions_batch_reports_a_bad_line_and_answers_the_rest(env, tmp_path, capsys):
    main(["index", "-q"])
    qfile = tmp_path / "q.txt"
    qfile.write_text("Thailand ministry\ndoc:nosuchdocument climate\n#MeToo movement and women\n# a comment\n#\nclimate change\n")
    capsys.readouterr()
    assert main(["ask", "--json", "--questions", str(qfile), "-k", "1"]) == 1  # one question failed
    out, err = capsys.readouterr()
    objs = [json.loads(x) for x in out.strip().splitlines()]
    assert [o["question"] for o in objs] == [
        "Thailand ministry", "doc:nosuchdocument climate", "#MeToo movement and women", "climate change"
    ]
    assert "error" in objs[1] and objs[1]["results"] == [] and objs[3]["results"]
    assert f"{qfile}, line 2: no document matches 'doc:nosuchdocument'" in err


def test_questions_file_with_invalid_utf8_names_file_and_line(env, tmp_path, capsys):
    main(["index", "-q"])
    qfile = tmp_path / "q.txt"
    qfile.write_bytes(b"Thailand ministry\nclimate \xff\xfe change\n")
    capsys.readouterr()
    assert main(["ask", "--questions", str(qfile)]) == 1
    err = capsys.readouterr().err
    assert f"{qfile}, line 2: not valid UTF-8" in err and "unexpected" not in err


def test_plain_ask_shows_the_same_confidence_as_the_json_and_the_app(env, capsys):
    """The plain output printed the raw sentence similarity as "relevance" (0.50 for a passage the JSON and
    the app's dots give 0.35): one number for one passage, the calibrated confidence."""
    main(["index", "-q"])
    capsys.readouterr()
    assert main(["ask", "-k", "3", "--json", "Thailand ministry"]) == 0
    want = [f"confidence {r['confidence']:.2f}" for r in last_json(capsys.readouterr().out)["results"]]
    assert main(["ask", "-k", "3", "Thailand ministry"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # headings wrap
    at = [out.find(f"[{i}] ") for i in (1, 2, 3)] + [len(out)]
    assert all(want[i] in out[at[i] : at[i + 1]] for i in range(3)) and "relevance" not in out
