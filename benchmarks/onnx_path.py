"""The torch-free question path (issue 10): onnxruntime + tokenizers vs sentence-transformers.

    .venv/bin/python benchmarks/onnx_path.py [--reps N]     # also a section of benchmarks/run.py

Measured on the bundled corpus, in processes that run this checkout's code (``python -c 'from hsqa.cli
import main'``, PYTHONPATH = this checkout), with a fresh model cache made at the start (so the one-time
export is measured too) and bytecode caching on, as for a user:
  1. the one-time ONNX export;
  2. cold ``hsqa ask --json QUESTION``: wall time and peak RSS of ≥ 5 processes (median), ONNX (the default)
     and sentence-transformers (``HSQA_EMBEDDER=sentence-transformers``) alternately;
  3. warm: ``hsqa ask --questions`` with 1 and with 50 questions: cost per extra question;
  4. embedding throughput per text on the texts the indexer embeds (passages + sentences), both models
     loaded, alternating runs, each batching by length; ONNX batch sizes; ``Indexer.run()`` per backend;
     cold ``hsqa index`` processes per backend;
  5. the chat app (tmux, benchmarks/tui.py): launch to semantic search ready.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import common  # noqa: E402

QUESTION = "Which government created a ministry for human security?"
RUN = "import sys; from hsqa.cli import main; sys.exit(main())"


def _env(corpus: Path, index: Path, cache: Path, backend: str = "onnx") -> dict:
    env = dict(os.environ, HSQA_CORPUS=str(corpus), HSQA_INDEX=str(index), HSQA_CACHE=str(cache),
               HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT), HSQA_EMBEDDER=backend)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users' processes read cached bytecode
    env.pop("HSQA_MODEL", None)
    return env


def child(args: list[str], env: dict, stdin: str | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one ``hsqa`` process."""
    return common.child([sys.executable, "-c", RUN, *args], env, stdin)


def corpus_texts(corpus: Path) -> list[str]:
    from hsqa.chunking import chunk_document
    from hsqa.documents import load_document

    texts = {}
    for p in sorted(corpus.iterdir()):
        doc, _ = load_document(p, p.name)
        for c in chunk_document(doc):
            for _, t in c.views():
                texts[t] = None
    return list(texts)


def export_once(cache: Path) -> float:
    """The one-time export into an empty cache, in its own process (torch imported there)."""
    code = "from hsqa.embedding import make_embedder; make_embedder('minilm').load()"
    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        env = dict(os.environ, HSQA_CACHE=str(cache), PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1")
        os.execve(sys.executable, [sys.executable, "-c", code], env)
    _, status, _ = os.wait4(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return time.perf_counter() - t


def cold_ask(corpus, index, cache, reps: int) -> dict:
    out = {"onnx": [], "sentence-transformers": []}
    for r in range(reps):
        out["onnx"].append(child(["ask", "--json", QUESTION], _env(corpus, index, cache)))
        if r < max(3, reps // 2):  # each costs 6-12 s: fewer, but side by side
            out["sentence-transformers"].append(child(["ask", "--json", QUESTION], _env(corpus, index, cache, "sentence-transformers")))
    return {
        k: {"runs": len(v), "wall_median": statistics.median(w for w, _ in v), "wall_max": max(w for w, _ in v),
            "rss_median": statistics.median(m for _, m in v), "rss_max": max(m for _, m in v)}
        for k, v in out.items()
    }


def warm_questions(corpus, index, cache, reps: int) -> dict:
    from hsqa.evaluate import load_qa

    qs = [x["question"] for x in load_qa(ROOT / "tests" / "data" / "qa.jsonl")][:50]
    env = _env(corpus, index, cache)
    one, fifty = [], []
    for _ in range(reps):
        one.append(child(["ask", "--json", "--questions", "-"], env, stdin=qs[0] + "\n")[0])
        fifty.append(child(["ask", "--json", "--questions", "-"], env, stdin="\n".join(qs) + "\n")[0])
    a, b = statistics.median(one), statistics.median(fifty)
    return {"questions": len(qs), "one_s": a, "fifty_s": b, "per_extra_ms": (b - a) / (len(qs) - 1) * 1000}


def throughput(corpus: Path, cache: Path, reps: int) -> dict:
    """Per-text embedding time of both backends (alternating), ONNX batch sizes, and ``Indexer.run()``."""
    os.environ["HSQA_CACHE"] = str(cache)
    from hsqa.config import Config
    from hsqa.embedding import OnnxEmbedder, SentenceTransformerEmbedder
    from hsqa.indexer import Indexer

    texts = corpus_texts(corpus)
    onnx, st = OnnxEmbedder().load(), SentenceTransformerEmbedder().load()
    onnx.embed(texts[:8]), st.embed(texts[:8])  # first-run costs out of the way
    enc = {"onnx": [], "sentence-transformers": []}
    idx = {"onnx": [], "sentence-transformers": []}
    for _ in range(reps):
        for name, emb in (("onnx", onnx), ("sentence-transformers", st)):
            t = time.perf_counter()
            emb.embed(texts)
            enc[name].append(time.perf_counter() - t)
            with tempfile.TemporaryDirectory() as tmp:
                t = time.perf_counter()
                Indexer(Config(corpus_dir=corpus, index_dir=Path(tmp) / "i"), emb).run()
                idx[name].append(time.perf_counter() - t)
    batches = {}
    default = onnx.batch_size
    for bs in (1, 4, 8, 16, 32):
        onnx.batch_size = bs
        runs = []
        for _ in range(max(2, reps // 2)):
            t = time.perf_counter()
            onnx.embed(texts)
            runs.append(time.perf_counter() - t)
        batches[bs] = len(texts) / statistics.median(runs)
    onnx.batch_size = default
    res = {"texts": len(texts), "onnx_batch": onnx.batch_size, "st_batch": st.batch_size, "batches": batches}
    for name in enc:
        res[name] = {"encode_s": statistics.median(enc[name]), "texts_per_s": len(texts) / statistics.median(enc[name]),
                     "index_s": statistics.median(idx[name])}
    res["onnx_vs_st"] = res["onnx"]["texts_per_s"] / res["sentence-transformers"]["texts_per_s"]
    return res


def cold_index(corpus, cache, reps: int) -> dict:
    out = {}
    for backend in ("onnx", "sentence-transformers"):
        runs = []
        for _ in range(max(2, reps // 2)):
            with tempfile.TemporaryDirectory() as tmp:
                runs.append(child(["index", "-q"], _env(corpus, Path(tmp) / "i", cache, backend)))
        out[backend] = {"wall_median": statistics.median(w for w, _ in runs), "rss_max": max(m for _, m in runs)}
    return out


def app_semantic_ready(corpus, index, cache, reps: int) -> dict:
    """benchmarks/tui.py's launch in tmux, running this checkout with the prepared cache."""
    if not shutil.which("tmux"):
        return {}
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import tui

    tui.HSQA = f"HSQA_CACHE={cache} PYTHONPATH={ROOT} {sys.executable} -c '{RUN}'"
    runs = []
    for _ in range(reps):
        (index / "conversation.json").unlink(missing_ok=True)
        runs.append(tui.once(corpus, index))
    return {"runs": runs, "paint_median": statistics.median(r["paint"] for r in runs),
            "semantic_median": statistics.median(r["semantic_ready"] for r in runs),
            "semantic_max": max(r["semantic_ready"] for r in runs)}


def measure(reps: int = 5) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpus, index, cache = tmp / "corpus", tmp / "index", tmp / "cache"
        shutil.copytree(ROOT / "corpus", corpus)
        print("  onnx: export…", flush=True)
        export_s = export_once(cache)
        child(["index", "-q"], _env(corpus, index, cache))
        child(["ask", "--json", QUESTION], _env(corpus, index, cache))  # bytecode cached, as for a user
        print("  onnx: cold ask…", flush=True)
        cold = cold_ask(corpus, index, cache, max(5, reps))
        print("  onnx: warm questions…", flush=True)
        warm = warm_questions(corpus, index, cache, max(3, reps // 2 + 1))
        print("  onnx: throughput…", flush=True)
        thr = throughput(corpus, cache, reps)
        idx = cold_index(corpus, cache, reps)
        print("  onnx: app…", flush=True)
        app = app_semantic_ready(corpus, index, cache, max(3, reps // 2 + 1))
    return {"export_s": export_s, "cold_ask": cold, "warm": warm, "throughput": thr, "cold_index": idx, "app": app}


def lines(r: dict) -> list[str]:
    c, w, t, i, a = r["cold_ask"], r["warm"], r["throughput"], r["cold_index"], r["app"]
    o, s = c["onnx"], c["sentence-transformers"]
    out = [
        "## Questions without torch: onnxruntime vs sentence-transformers (`benchmarks/onnx_path.py`)",
        "",
        f"- one-time ONNX export of the bundled model (own process, torch imported): {r['export_s']:.1f} s",
        f"- cold `hsqa ask --json QUESTION`, ONNX (default): **median {o['wall_median']:.2f} s** (worst {o['wall_max']:.2f} s, "
        f"{o['runs']} processes; target ≤ 1.0 s), **peak RSS median {o['rss_median']:.0f} MiB** (max {o['rss_max']:.0f}; target ≤ 300)",
        f"- the same with `HSQA_EMBEDDER=sentence-transformers`: median {s['wall_median']:.2f} s ({s['runs']} processes, "
        f"alternating), peak RSS {s['rss_median']:.0f} MiB: ratio {s['wall_median'] / o['wall_median']:.1f}×",
        f"- warm `hsqa ask --questions` with {w['questions']} questions: {w['fifty_s']:.2f} s vs {w['one_s']:.2f} s for one: "
        f"**{w['per_extra_ms']:.1f} ms per extra question** (target ≤ 20 ms)",
        f"- embedding the {t['texts']} texts the indexer embeds (passages + sentences), model loaded, batches by length: "
        f"ONNX {t['onnx']['texts_per_s']:.0f} texts/s (batch {t['onnx_batch']}), sentence-transformers "
        f"{t['sentence-transformers']['texts_per_s']:.0f} texts/s (batch {t['st_batch']}): **ONNX/ST {t['onnx_vs_st']:.2f}×**",
        "- ONNX texts/s by batch size: " + ", ".join(f"{bs}: {v:.0f}" for bs, v in t["batches"].items()),
        f"- `Indexer.run()` of the bundled corpus into a fresh index, model loaded: ONNX {t['onnx']['index_s']:.2f} s, "
        f"sentence-transformers {t['sentence-transformers']['index_s']:.2f} s",
        f"- cold `hsqa index` process, fresh index: ONNX {i['onnx']['wall_median']:.2f} s ({i['onnx']['rss_max']:.0f} MiB), "
        f"sentence-transformers {i['sentence-transformers']['wall_median']:.2f} s ({i['sentence-transformers']['rss_max']:.0f} MiB)",
    ]
    if a:
        out.append(
            f"- chat app in tmux: first paint median {a['paint_median']:.2f} s; **semantic search ready median "
            f"{a['semantic_median']:.2f} s** after launch (worst {a['semantic_max']:.2f} s; target ≤ 1.5 s)"
        )
    else:
        out.append("- chat app: tmux not installed, not measured")
    return out + [""]


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--json", metavar="FILE", help="also write the raw numbers here")
    ap.add_argument("--out", metavar="FILE", help="also write the section as markdown here (e.g. benchmarks/ONNX.md)")
    args = ap.parse_args()
    load0 = os.getloadavg()[0]
    res = measure(args.reps)
    print("\n".join(lines(res)))
    if args.out:
        head = ["# ONNX query path", "",
                f"Written by `python benchmarks/onnx_path.py --reps {args.reps} --out {args.out}` on "
                f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Machine: {common.machine()}; "
                f"load average (1 min) {load0:.2f} at the start, {os.getloadavg()[0]:.2f} at the end.", ""]
        Path(args.out).write_text("\n".join(head + lines(res)[2:]), encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1))
