"""The headless core never imports textual, and nothing on the start-up path imports torch."""

import subprocess
import sys

import pytest

CORE = [
    "hsqa.config",
    "hsqa.errors",
    "hsqa.documents",
    "hsqa.extract",
    "hsqa.extract.pdf",
    "hsqa.extract.html",
    "hsqa.chunking",
    "hsqa.text",
    "hsqa.embedding",
    "hsqa.embedding.onnx",
    "hsqa.embedding.export",
    "hsqa.embedding.sentence_transformers",
    "hsqa.store",
    "hsqa.indexer",
    "hsqa.search",
    "hsqa.answer",
    "hsqa.evaluate",
    "hsqa.scope",
    "hsqa.engine",
    "hsqa.conversation",
    "hsqa.entities",
    "hsqa.measure",
    "hsqa.doctor",
    "hsqa.watch",
    "hsqa.faults",
    "hsqa.cli",
]


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_neither_textual_nor_torch(module):
    code = (
        f"import sys, {module}\n"
        "bad = [m for m in ('textual', 'torch', 'sentence_transformers', 'transformers') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_the_app_module_does_not_import_torch_at_start():
    code = (
        "import sys, hsqa.tui.app\n"
        "print(','.join(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


# -- the question path with the real model: onnxruntime + tokenizers, never torch ------------------

_BLOCK_TORCH = """
import importlib.abc, json, sys
HEAVY = ('torch', 'sentence_transformers', 'transformers')
tried = []
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in HEAVY:
            tried.append(name)
            raise ImportError('blocked by the test: ' + name)
sys.meta_path.insert(0, Block())
"""

_REPORT = "\nprint(json.dumps({'tried': tried, 'loaded': [m for m in HEAVY if m in sys.modules]}), file=sys.stderr)\n"

_QUESTION_PATHS = {
    "ask": "from hsqa.cli import main\nrc = main(['ask', '--json', 'Which government created a ministry for human security?'])\n"
    "assert rc == 0, rc\n",
    "eval": "from hsqa.cli import main\nrc = main(['eval', sys.argv[1], '--json'])\nassert rc == 0, rc\n",
    "app engine": "from hsqa.config import Config\nfrom hsqa.engine import Engine\n"
    "s = Engine(Config.resolve())\ns.open_index()\ns.load_model()\nt = s.ask('Which government created a ministry?')\n"
    "assert s.model_ready and t.mode == 'hybrid', t\nprint(json.dumps(t.results[0]))\n",
}


@pytest.mark.slow
@pytest.mark.parametrize("path", list(_QUESTION_PATHS))
def test_questions_are_embedded_without_torch(path, real_index, tmp_path):
    """`hsqa ask`, `hsqa eval` and the app's session embed questions with the cached ONNX export; any
    attempt to import torch, transformers or sentence-transformers fails in this subprocess, and is recorded."""
    import json
    import os

    config, _ = real_index
    qa = tmp_path / "qa.jsonl"
    qa.write_text(json.dumps({"question": "Which government created a ministry for human security?",
                              "document": "2007-04-20-friends-of-human-security-second-meeting.txt",
                              "answer": "Ministry of Social Development and Human Security"}) + "\n")
    env = dict(os.environ, HSQA_CORPUS=str(config.corpus_dir), HSQA_INDEX=str(config.index_dir), HF_HUB_OFFLINE="1")
    env.pop("HSQA_MODEL", None)
    code = _BLOCK_TORCH + _QUESTION_PATHS[path] + _REPORT
    p = subprocess.run([sys.executable, "-c", code, str(qa)], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stderr.strip().splitlines()[-1])
    assert report == {"tried": [], "loaded": []}
    assert "Thailand" in p.stdout or '"recall@1": 1.0' in p.stdout


@pytest.mark.slow
def test_first_question_exports_the_model_once_then_never_imports_torch(real_index, tmp_path):
    """With an empty cache the first `hsqa ask` exports the model (that run pays torch, with a notice);
    the next process answers without importing torch."""
    import json
    import os

    config, _ = real_index
    env = dict(os.environ, HSQA_CORPUS=str(config.corpus_dir), HSQA_INDEX=str(config.index_dir),
               HSQA_CACHE=str(tmp_path / "cache"), HF_HUB_OFFLINE="1")
    env.pop("HSQA_MODEL", None)
    q = "Is human security the same thing as the responsibility to protect?"
    first = subprocess.run([sys.executable, "-m", "hsqa.cli", "ask", "--json", q], capture_output=True, text=True,
                           env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "one-time ONNX export" in first.stderr
    code = _BLOCK_TORCH + f"from hsqa.cli import main\nassert main(['ask', '--json', {q!r}]) == 0\n" + _REPORT
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stderr.strip().splitlines()[-1]) == {"tried": [], "loaded": []}
    assert "export" not in second.stderr
    a, b = json.loads(first.stdout.splitlines()[-1]), json.loads(second.stdout.splitlines()[-1])
    assert a["results"] == b["results"]
    assert any("distinct from the responsibility to protect" in r["text"] for r in b["results"])
