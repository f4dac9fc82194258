"""The headless core never imports textual, and nothing on the start-up path imports torch."""

import subprocess
import sys

import pytest

CORE = [
    "hsqa.config",
    "hsqa.errors",
    "hsqa.documents",
    "hsqa.chunking",
    "hsqa.text",
    "hsqa.embedding",
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
