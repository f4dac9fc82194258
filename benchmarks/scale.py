"""Scale benchmark: index time, peak memory, disk and warm per-question latency as the corpus grows.

    .venv/bin/python benchmarks/scale.py                      # 1k, 10k, 50k passages, hashing embedder
    .venv/bin/python benchmarks/scale.py --sizes 200k          # the largest size (an hour or more here)
    .venv/bin/python benchmarks/scale.py --sizes 1k --real 10k # the real model at 10k (2k probe first)

Corpora are synthetic UN meeting summaries (benchmarks/synthcorpus.py; 25 passages per document,
deterministic), kept in ``--workdir`` between runs. For each size a fresh index is built in a child process
(its wall time, its peak RSS from ``wait4``), the index folder is measured on disk (SQLite and FAISS files
separately, SQLite per table with ``dbstat``), and a second child answers the question set warm: one
untimed pass, then a timed pass of ``Searcher.search`` per question. The query embedding is excluded: the
searcher's embedder answers from a cache filled in the warm pass (its cost is reported separately). Only
the public API is used (Config, Indexer, Searcher, make_embedder), so the script survives refactors.

Questions: the dev split (benchmarks/questions/dev.jsonl) plus 100 generated in the corpus vocabulary.
Results are merged by (size, model) into benchmarks/SCALE.json and rendered to benchmarks/SCALE.md (and
SCALE.png when matplotlib happens to be installed; it is not a dependency). The machine is shared: the
load average is recorded before and after every measurement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import synthcorpus  # noqa: E402
from common import machine, pct  # noqa: E402

RESULTS_JSON = BENCH / "SCALE.json"
RESULTS_MD = BENCH / "SCALE.md"
PLOT = BENCH / "SCALE.png"
DEV_QUESTIONS = BENCH / "questions" / "dev.jsonl"
REAL_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
MODES = ("hybrid", "lexical", "dense")


# ---------------------------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------------------------


def parse_size(s: str) -> int:
    s = s.strip().lower()
    mult = 1000 if s.endswith("k") else 1
    return int(float(s.rstrip("k")) * mult)


def size_label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "hsqa"], cwd=ROOT, capture_output=True, text=True)
        return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"


def vm_kib(field: str) -> int:
    try:
        for line in open("/proc/self/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_child(args: list[str], out: Path, env_extra: dict | None = None) -> dict:
    """Run this script as a child with ``args``; return its JSON result plus wall time, peak RSS, load."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", **(env_extra or {}))
    if out.exists():
        out.unlink()
    before = load()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *args, "--out", str(out)], env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode != 0 or not out.exists():
        raise SystemExit(f"child {' '.join(args[:1])} failed with exit code {proc.returncode}")
    res = json.loads(out.read_text())
    res["process"] = {
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: KiB
        "user_s": round(usage.ru_utime, 2),
        "sys_s": round(usage.ru_stime, 2),
        "load_before": before,
        "load_after": load(),
    }
    return res


# ---------------------------------------------------------------------------------------------
# child: build an index
# ---------------------------------------------------------------------------------------------


def child_index(a) -> None:
    from hsqa.config import Config
    from hsqa.embedding import make_embedder
    from hsqa.indexer import Indexer

    cfg = Config(corpus_dir=Path(a.corpus), index_dir=Path(a.index), model=a.model)
    stages: dict[str, dict] = {}
    order: list[str] = []
    t0 = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter() - t0
        if stage not in stages:
            if order:  # peak RSS so far closes the previous stage
                stages[order[-1]]["hwm_mb_at_end"] = round(vm_kib("VmHWM") / 1024, 1)
            stages[stage] = {"start_s": now, "hwm_mb_at_start": round(vm_kib("VmHWM") / 1024, 1)}
            order.append(stage)
        stages[stage]["last_s"] = now

    embedder = make_embedder(a.model)
    try:
        indexer = Indexer(cfg, embedder=embedder, progress=progress)
    except TypeError:
        indexer = Indexer(cfg, embedder=embedder)
    report = indexer.run()
    total = time.perf_counter() - t0
    if order:
        stages[order[-1]]["hwm_mb_at_end"] = round(vm_kib("VmHWM") / 1024, 1)
    for i, s in enumerate(order):  # a stage lasts until the next one starts
        end = stages[order[i + 1]]["start_s"] if i + 1 < len(order) else total
        stages[s]["seconds"] = round(end - stages[s]["start_s"], 2)
        for k in ("start_s", "last_s"):
            stages[s].pop(k, None)
    rep = report.as_json() if hasattr(report, "as_json") else dict(vars(report))
    keep = ("documents", "chunks", "embedded", "reused", "seconds", "generation", "model")
    Path(a.out).write_text(json.dumps({
        "report": {k: rep.get(k) for k in keep},
        "skipped": len(rep.get("skipped") or []),
        "index_s": round(total, 2),
        "stages": {s: stages[s] for s in order},
        "hwm_mb": round(vm_kib("VmHWM") / 1024, 1),
        "embedder": type(embedder).__name__,
    }))


# ---------------------------------------------------------------------------------------------
# child: warm search latency
# ---------------------------------------------------------------------------------------------


def _cached_embedder(inner):
    """An embedder that answers repeated texts from memory: the timed pass then excludes query embedding."""
    from hsqa.embedding import Embedder

    class CachedQueries(Embedder):
        def __init__(self):
            self.inner, self.cache, self.misses, self.miss_s = inner, {}, 0, 0.0
            self.name = inner.name
            self.batch_size = getattr(inner, "batch_size", 16)

        @property
        def dim(self):
            return self.inner.dim

        def __getattr__(self, item):  # load(), ready, ... of whatever the embedder grows
            return getattr(self.__dict__["inner"], item)

        def embed_batch(self, texts):
            import numpy as np

            todo = [t for t in dict.fromkeys(texts) if t not in self.cache]
            if todo:
                t0 = time.perf_counter()
                vecs = self.inner.embed_batch(todo)
                self.miss_s += time.perf_counter() - t0
                self.misses += len(todo)
                self.cache.update(zip(todo, vecs))
            return np.vstack([self.cache[t] for t in texts]) if texts else self.inner.embed_batch([])

        def embed_query(self, text):
            return self.embed_batch([text])[0]

    return CachedQueries()


def child_search(a) -> None:
    from hsqa.config import Config
    from hsqa.embedding import make_embedder
    from hsqa.search import Searcher

    try:
        from hsqa.answer import annotate
    except ImportError:
        annotate = None
    cfg = Config(corpus_dir=Path(a.corpus), index_dir=Path(a.index), model=a.model)
    questions = json.loads(Path(a.questions).read_text())
    inner = make_embedder(a.model)
    if hasattr(inner, "load"):
        inner.load()
    emb = _cached_embedder(inner)
    t = time.perf_counter()
    searcher = Searcher(cfg, embedder=emb)
    open_s = time.perf_counter() - t
    # the query embedding, measured on its own (one text at a time, as a question arrives)
    embed_ms = []
    for q in questions[:100]:
        t = time.perf_counter()
        inner.embed_batch([q])
        embed_ms.append((time.perf_counter() - t) * 1000)
    out: dict = {"open_s": round(open_s, 3), "questions": len(questions), "modes": {},
                 "embed_ms": {"p50": round(pct(embed_ms, 50), 2), "p95": round(pct(embed_ms, 95), 2)}}
    first_ms = None
    for mode in a.modes.split(","):
        for q in questions:  # warm pass: FAISS loaded, page cache warm, query vectors cached
            t = time.perf_counter()
            searcher.search(q, k=5, mode=mode)
            if first_ms is None:
                first_ms = (time.perf_counter() - t) * 1000
        search_ms, cpu_ms, answer_ms, hits = [], [], [], 0
        for _ in range(a.repeat):
            for q in questions:
                c, t = time.thread_time(), time.perf_counter()
                resp = searcher.search(q, k=5, mode=mode)
                t1, c1 = time.perf_counter(), time.thread_time()
                search_ms.append((t1 - t) * 1000)
                cpu_ms.append((c1 - c) * 1000)
                hits += bool(resp.results)
                if annotate is not None and mode == "hybrid":
                    annotate(resp, searcher)
                    answer_ms.append((time.perf_counter() - t1) * 1000)
        m = {"p50": round(pct(search_ms, 50), 2), "p95": round(pct(search_ms, 95), 2),
             "mean": round(statistics.fmean(search_ms), 2), "max": round(max(search_ms), 2),
             "cpu_p50": round(pct(cpu_ms, 50), 2), "cpu_p95": round(pct(cpu_ms, 95), 2), "with_results": hits}
        if answer_ms:
            m["answer_p50"], m["answer_p95"] = round(pct(answer_ms, 50), 2), round(pct(answer_ms, 95), 2)
        out["modes"][mode] = m
    out["first_question_ms"] = round(first_ms or 0.0, 1)
    out["embedder_misses_in_timed_pass"] = 0  # filled below: must stay 0 (all vectors cached by the warm pass)
    before = emb.misses
    for q in questions[:5]:
        searcher.search(q, k=5, mode="hybrid")
    out["embedder_misses_in_timed_pass"] = emb.misses - before
    Path(a.out).write_text(json.dumps(out))


def child_compare(a) -> None:
    """Hybrid search on several indexes in one process, question by question in turn: ratios between sizes
    measured side by side, so the machine's load swings hit every size alike."""
    from hsqa.config import Config
    from hsqa.embedding import make_embedder
    from hsqa.search import Searcher

    questions = json.loads(Path(a.questions).read_text())
    emb = _cached_embedder(make_embedder(a.model))
    searchers = {}
    for spec in a.indexes.split(","):
        label, corpus, index = spec.split("=", 1)[0], *spec.split("=", 1)[1].split(":", 1)
        searchers[label] = Searcher(Config(corpus_dir=Path(corpus), index_dir=Path(index), model=a.model), embedder=emb)
    for s in searchers.values():  # warm pass
        for q in questions:
            s.search(q, k=5, mode="hybrid")
    wall: dict[str, list[float]] = {k: [] for k in searchers}
    cpu: dict[str, list[float]] = {k: [] for k in searchers}
    for q in questions:
        for label, s in searchers.items():
            c, t = time.thread_time(), time.perf_counter()
            s.search(q, k=5, mode="hybrid")
            wall[label].append((time.perf_counter() - t) * 1000)
            cpu[label].append((time.thread_time() - c) * 1000)
    out = {label: {"p50": round(pct(wall[label], 50), 2), "p95": round(pct(wall[label], 95), 2),
                   "cpu_p50": round(pct(cpu[label], 50), 2), "cpu_p95": round(pct(cpu[label], 95), 2)}
           for label in searchers}
    Path(a.out).write_text(json.dumps(out))


# ---------------------------------------------------------------------------------------------
# parent: measure one size
# ---------------------------------------------------------------------------------------------


def disk_usage(index_dir: Path) -> dict:
    sizes = {"sqlite": 0, "faiss": 0, "other": 0}
    for p in index_dir.iterdir():
        if not p.is_file():
            continue
        n = p.stat().st_size
        if ".sqlite" in p.name or p.suffix in (".db", ".sqlite"):
            sizes["sqlite"] += n
        elif p.suffix == ".faiss":
            sizes["faiss"] += n
        else:
            sizes["other"] += n
    return sizes


def table_sizes(index_dir: Path) -> dict[str, int]:
    """Bytes per SQLite table or index (``dbstat``), largest first."""
    out: dict[str, int] = {}
    for p in sorted(index_dir.glob("*.sqlite3")) + sorted(index_dir.glob("*.db")):
        conn = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
        except sqlite3.OperationalError:  # no dbstat: page counts are not per table, report the file only
            rows = [(p.name, p.stat().st_size)]
        finally:
            conn.close()
        out.update({n: int(s) for n, s in rows})
    return out


def vector_count(index_dir: Path) -> int | None:
    """Embedded texts of the index (vector rows: passages and sentences), whatever its ANN index holds."""
    try:
        conn = sqlite3.connect(f"file:{index_dir / 'hsqa.sqlite3'}?mode=ro", uri=True)
        try:
            return int(conn.execute("SELECT count(*) FROM vectors").fetchone()[0])
        finally:
            conn.close()
    except Exception:  # noqa: BLE001 - informational only
        return None


def corpus_stats() -> dict:
    real = [p.read_text(errors="replace") for d in (BENCH / "corpus", ROOT / "corpus") if d.is_dir()
            for p in sorted(d.iterdir()) if p.suffix in (".txt", ".md")]
    return synthcorpus.compare_with(real) if real else {}


def questions_file(work: Path, n_synthetic: int) -> tuple[Path, dict]:
    qs = [json.loads(line)["question"] for line in DEV_QUESTIONS.read_text().splitlines() if line.strip()]
    syn = synthcorpus.questions(12, n_synthetic)
    p = work / "questions.json"
    p.write_text(json.dumps(qs + syn))
    return p, {"dev": len(qs), "synthetic": len(syn)}


def measure(n_passages: int, model: str, a, qfile: Path) -> dict:
    work = Path(a.workdir)
    label = size_label(n_passages)
    n_docs = math.ceil(n_passages / synthcorpus.PARAGRAPHS_PER_DOC)
    corpus = work / f"corpus-{label}"
    t = time.perf_counter()
    manifest = synthcorpus.generate(n_docs, corpus)
    gen_s = time.perf_counter() - t
    tag = ("hashing" if model.startswith("hashing") else "model") + ("-passages" if a.passages_only else "")
    index = work / f"index-{label}-{tag}"
    if index.exists():
        shutil.rmtree(index)
    index.mkdir(parents=True)
    print(f"[{label} {model}] corpus {n_docs} docs {manifest['bytes'] / 1e6:.1f} MB; indexing (load {load()})",
          flush=True)
    env = {"HSQA_SENTENCE_VECTORS": "0"} if a.passages_only else {"HSQA_SENTENCE_VECTORS": "1"}
    idx = run_child(["_index", "--corpus", str(corpus), "--index", str(index), "--model", model],
                    work / "index-result.json", env)
    disk = disk_usage(index)
    tables = table_sizes(index)
    corpus_bytes = manifest["bytes"]
    print(f"[{label} {model}] indexed in {idx['process']['wall_s']} s, peak RSS {idx['process']['peak_rss_mb']} MB, "
          f"disk {sum(disk.values()) / 1e6:.0f} MB; searching (load {load()})", flush=True)
    res: dict = {
        "passages_target": n_passages, "documents": n_docs, "corpus_bytes": corpus_bytes, "model": model,
        "variant": "passages only" if a.passages_only else "",
        "generate_s": round(gen_s, 1), "index": idx, "disk": disk,
        "disk_per_corpus_byte": {k: round(v / corpus_bytes, 2) for k, v in disk.items()},
        "disk_total_per_corpus_byte": round(sum(disk.values()) / corpus_bytes, 2),
        "sqlite_tables": tables, "vectors": vector_count(index),
        "when": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "commit": git_commit(),
    }
    if not a.no_search:
        res["search"] = run_child(["_search", "--corpus", str(corpus), "--index", str(index), "--model", model,
                                   "--questions", str(qfile), "--modes", a.modes, "--repeat", str(a.repeat)],
                                  work / "search-result.json")
        h = res["search"]["modes"].get("hybrid", {})
        print(f"[{label} {model}] hybrid p50 {h.get('p50')} ms p95 {h.get('p95')} ms (load {load()})", flush=True)
    res["index_dir"] = str(index)
    res["corpus_dir"] = str(corpus)
    return res


def measure_real(a, qfile: Path) -> dict:
    """The real model at ``--real`` passages if a probe at ``--real-probe`` says it fits ``--real-budget``."""
    target, probe = parse_size(a.real), parse_size(a.real_probe)
    out: dict = {"target": target, "probe": probe, "budget_s": a.real_budget}
    p = measure(probe, REAL_MODEL, a, qfile)
    out["probe_result"] = p
    pr, chunks = p["index"]["process"], p["index"]["report"]["chunks"]
    out["extrapolated_index_s"] = round(pr["wall_s"] / chunks * target, 0)
    out["extrapolated_index_cpu_s"] = round((pr["user_s"] + pr["sys_s"]) / chunks * target, 0)
    out["probe_texts_per_cpu_s"] = round(p["index"]["report"]["embedded"] / (pr["user_s"] + pr["sys_s"]), 1)
    out["probe_load"] = pr["load_before"][0]
    if target != probe and out["extrapolated_index_s"] <= a.real_budget:
        out["result"] = measure(target, REAL_MODEL, a, qfile)
    else:
        out["result"] = None
        out["note"] = (f"index time at {size_label(target)} extrapolated linearly from the {size_label(probe)} probe "
                       f"({out['extrapolated_index_s']:.0f} s > budget {a.real_budget:.0f} s): not run")
    return out


# ---------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB" if n < 1e9 else f"{n / 1e9:,.2f} GB"


def _row(r: dict, base: dict | None) -> str:
    idx, pr = r["index"], r["index"]["process"]
    s = r.get("search", {})
    h = s.get("modes", {}).get("hybrid", {})
    lx = s.get("modes", {}).get("lexical", {})
    de = s.get("modes", {}).get("dense", {})
    ratio = ""
    if base and h and base.get("search", {}).get("modes", {}).get("hybrid"):
        ratio = f"{h['cpu_p50'] / base['search']['modes']['hybrid']['cpu_p50']:.1f}×"
    embed_s = idx.get("stages", {}).get("embed", {}).get("seconds")
    d = r["disk"]
    return (
        f"| {idx['report']['chunks']:,} | {r['documents']:,} | {r['vectors'] or 0:,} | {_mb(r['corpus_bytes'])} "
        f"| {pr['wall_s']:.0f} s ({embed_s if embed_s is not None else '–'} s) | {pr['user_s'] + pr['sys_s']:.0f} s "
        f"| {pr['peak_rss_mb']:,.0f} MB "
        f"| {_mb(d['sqlite'])} ({r['disk_per_corpus_byte']['sqlite']:.1f}×) | {_mb(d['faiss'])} "
        f"({r['disk_per_corpus_byte']['faiss']:.1f}×) | {r['disk_total_per_corpus_byte']:.1f}× "
        f"| {h.get('p50', '–')} / {h.get('p95', '–')} | {h.get('cpu_p50', '–')} / {h.get('cpu_p95', '–')} "
        f"| {ratio} | {h.get('answer_p50', '–')} "
        f"| {lx.get('p50', '–')} / {lx.get('p95', '–')} | {de.get('p50', '–')} / {de.get('p95', '–')} "
        f"| {s.get('process', {}).get('peak_rss_mb', '–')} MB "
        f"| {pr['load_before'][0]}→{pr['load_after'][0]}, {s.get('process', {}).get('load_after', ['–'])[0]} |"
    )


def _stats_line(st: dict | None) -> str:
    if not st:
        return ""
    r, s = st["real"], st["synthetic"]
    return (f"Against the real corpus ({r['bytes'] / 1e3:.0f} KB of benchmarks/corpus + corpus), the same number of "
            f"synthetic bytes has {s['types']:,} word types vs {r['types']:,} and its 100 most frequent words cover "
            f"{s['top100_share']:.0%} of tokens vs {r['top100_share']:.0%}: a somewhat smaller, more repetitive "
            "vocabulary (common terms slightly over-represented, so FTS5 costs are if anything pessimistic), with a "
            "long tail of generated names that grows with size. ")


HEADER = (
    "| passages | docs | vectors | corpus | index build wall (embed stage) | index CPU | index peak RSS "
    "| SQLite (×corpus) "
    "| FAISS (×corpus) | disk total ×corpus | hybrid p50 / p95 ms | hybrid CPU p50 / p95 ms | CPU p50 vs 1k "
    "| answer step p50 ms "
    "| lexical p50 / p95 ms | dense p50 / p95 ms | search peak RSS | load 1-min (index start→end, search end) |\n"
    "|" + "---|" * 19
)


def _intro(results: dict) -> list[str]:
    q = results.get("questions", {})
    return [
        "# Scale benchmark",
        "",
        f"Written by `python benchmarks/scale.py` ({results['updated']}). Machine: {results['machine']}, shared with "
        "other engineers: the load average (1 min) is recorded with every measurement; treat single numbers as "
        "±30 %.",
        "",
        "Synthetic corpus (`benchmarks/synthcorpus.py`): UN meeting summaries of 25 passages each (title block, "
        "sections, speakers, countries, symbols, numbers), deterministic. "
        + _stats_line(results.get("corpus_stats"))
        + "Questions: "
        f"{q.get('dev', '?')} of the dev split + {q.get('synthetic', '?')} generated in the corpus vocabulary. "
        "Latency is warm `Searcher.search` (k=5) per question, one untimed pass then a timed pass, **excluding the "
        "query embedding** (served from a cache filled by the warm pass; measured separately below). The answer "
        "step is `hsqa.answer.annotate` after a hybrid search. Index build and peak RSS are of a child process "
        "(`wait4`); the embed stage is the time between the indexer's `embed` and `write` progress calls. "
        "Each row names the commit it was measured at; the index layout on disk (schema 6, 8-bit ANN index) and "
        "what it changed: `benchmarks/DISK.md`.",
    ]


def _real_notes(results: dict, real: list[dict]) -> list[str]:
    info = results.get("real") or {}
    lines = [""] + [f"(the {size_label(r['passages_target'])} row: measured at commit {r.get('commit', '?')}, "
                    f"{r.get('when', '?')}; not rerun since)" for r in real]
    if info.get("note"):
        lines += ["", info["note"] + f" (load {info.get('probe_load', '?')} during the probe)."]
        cpu = info.get("extrapolated_index_cpu_s")
        if cpu:
            lines += [f"In CPU time the probe embedded {info['probe_texts_per_cpu_s']} texts per CPU-second, so "
                      f"{size_label(info['target'])} needs ≈{cpu / 60:.0f} CPU-minutes (≈{cpu / 120:.0f} min on two "
                      "free cores; torch's threads also lose efficiency when the cores are oversubscribed, so a "
                      "quiet machine does better)."]
    elif info:
        lines += ["", f"Index time at {size_label(info['target'])} extrapolated from the "
                  f"{size_label(info['probe'])} probe: {info['extrapolated_index_s']:.0f} s; measured: see the table."]
    for r in real:
        e = r.get("search", {}).get("embed_ms")
        if e:
            lines += [f"Query embedding alone ({size_label(r['passages_target'])} run): p50 {e['p50']} ms, "
                      f"p95 {e['p95']} ms (not included in the latencies above)."]
    return lines


def _side_by_side(results: dict) -> list[str]:
    sbs = {k: v for k, v in (results.get("side_by_side") or {}).items() if k != "process"}
    if not sbs:
        return []
    pr = results["side_by_side"]["process"]
    first = next(iter(sbs.values()))
    lines = ["", "## Side by side (one process, each question on every size in turn)", "",
             "Hybrid search; the ratio is the fair comparison on a shared machine (load swings hit every size "
             f"alike). Load (1 min) {pr['load_before'][0]} → {pr['load_after'][0]}.", "",
             "| size | wall p50 / p95 ms | CPU p50 / p95 ms | CPU p50 vs smallest |", "|---|---|---|---|"]
    for label, v in sbs.items():
        lines.append(f"| {label} | {v['p50']} / {v['p95']} | {v['cpu_p50']} / {v['cpu_p95']} "
                     f"| {v['cpu_p50'] / first['cpu_p50']:.1f}× |")
    return lines


def _growth(hashing: list[dict]) -> list[str]:
    lines = ["", "## Growth", ""]
    if len(hashing) >= 2:
        a, b = hashing[0], hashing[-1]
        ha = a.get("search", {}).get("modes", {}).get("hybrid")
        hb = b.get("search", {}).get("modes", {}).get("hybrid")
        ia, ib = a["index"]["process"], b["index"]["process"]
        if ha and hb:
            lines.append(f"- {b['index']['report']['chunks'] / a['index']['report']['chunks']:.0f}× the passages: "
                         f"hybrid p50 ×{hb['p50'] / ha['p50']:.1f}, p95 ×{hb['p95'] / ha['p95']:.1f}; "
                         f"index build ×{ib['wall_s'] / ia['wall_s']:.0f}; "
                         f"peak RSS ×{ib['peak_rss_mb'] / ia['peak_rss_mb']:.1f}.")
    if PLOT.exists():
        lines += ["", f"![growth]({PLOT.name})"]
    else:  # no matplotlib (not a dependency): the same curves drawn as SVG by benchmarks/scale_plot.py
        lines += ["", "![growth](scale.svg)"]
    return lines


def _where_disk_goes(big: dict, title: str) -> list[str]:
    tot = sum(big["sqlite_tables"].values()) or 1
    lines = ["", f"## Where the disk goes (SQLite `dbstat`, {title})", "",
             f"{big['index']['report']['chunks']:,} passages, {big.get('vectors') or 0:,} vectors, corpus "
             f"{_mb(big['corpus_bytes'])}, model {big['model']}; FAISS file {_mb(big['disk']['faiss'])} "
             f"({big['disk']['faiss'] / big['corpus_bytes']:.1f}×), SQLite {_mb(big['disk']['sqlite'])}:", "",
             "| table / index | bytes | share of SQLite | ×corpus |", "|---|---|---|---|"]
    for name, n in list(big["sqlite_tables"].items())[:14]:
        lines.append(f"| {name} | {_mb(n)} | {n / tot:.0%} | {n / big['corpus_bytes']:.1f}× |")
    emb = big["sqlite_tables"].get("embeddings")
    if emb and big.get("vectors"):
        lines += ["", f"Embedding cache: {emb / big['vectors']:.0f} bytes per vector row on disk (passages 8-bit, "
                  "sentences fewer bits: hsqa.store.vectors.SENTENCE_BITS; b-tree pages included)."]
    return lines


def _largest(big: dict) -> list[str]:
    lines = _where_disk_goes(big, "largest size measured")
    lines += ["", "## Index build stages (largest size measured)", "",
              "| stage | seconds | peak RSS at its end |", "|---|---|---|"]
    for st, v in big["index"].get("stages", {}).items():
        lines.append(f"| {st} | {v.get('seconds')} | {v.get('hwm_mb_at_end', '–')} MB |")
    return lines


def render(results: dict) -> str:
    runs = sorted(results["runs"].values(), key=lambda r: r["passages_target"])
    lean = [r for r in runs if r.get("variant")]
    runs = [r for r in runs if not r.get("variant")]
    hashing = [r for r in runs if r["model"].startswith("hashing")]
    real = [r for r in runs if not r["model"].startswith("hashing")]
    base = next((r for r in hashing if r["passages_target"] == 1000), None)
    lines = _intro(results) + ["", "## Hashing embedder (`--model hashing`: hsqa's own costs, no model)", "", HEADER]
    lines += [_row(r, base) for r in hashing]
    if not any(r["passages_target"] >= 200_000 for r in hashing):
        big = max(hashing, key=lambda r: r["passages_target"], default=None)
        ratio = f"{big['disk_total_per_corpus_byte']:.0f}×" if big else "?"
        lines += ["", f"200k passages was not run here (half an hour or more on this shared 2-core machine; index "
                  f"≈ {ratio} the corpus): `python benchmarks/scale.py --sizes 200k`."]
    if lean:
        lines += ["", "## Passages only (`HSQA_SENTENCE_VECTORS=0`: no sentence vectors; hashing embedder)", "", HEADER]
        lines += [_row(r, base) for r in lean]
        lines += [""] + [f"(the {size_label(r['passages_target'])} passages-only row: measured at commit "
                         f"{r.get('commit', '?')}, {r.get('when', '?')}; not rerun since)" for r in lean]
    if real or results.get("real"):
        how = sorted({r["index"].get("embedder", "SentenceTransformerEmbedder") for r in real})
        lines += ["", f"## Real model ({REAL_MODEL}; {', '.join(how)} on CPU)", "", HEADER]
        lines += [_row(r, None) for r in real] + _real_notes(results, real)
        if real:
            lines += _where_disk_goes(max(real, key=lambda r: r["passages_target"]), "real model, largest size measured")
    lines += _side_by_side(results) + _growth(hashing)
    if hashing:
        lines += _largest(hashing[-1])
    lines += ["", "Raw numbers: `benchmarks/SCALE.json`. Profiles: `benchmarks/SCALE-PROFILE.md`.", ""]
    return "\n".join(lines)


def plot(results: dict) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        import scale_plot

        (ROOT / "benchmarks" / "scale.svg").write_text(scale_plot.svg(results), encoding="utf-8")
        return
    runs = sorted((r for r in results["runs"].values() if r["model"].startswith("hashing") and r.get("search")),
                  key=lambda r: r["passages_target"])
    if len(runs) < 2:
        return
    x = [r["index"]["report"]["chunks"] for r in runs]
    fig, ax = plt.subplots(1, 3, figsize=(13, 3.8))
    for m in MODES:
        ax[0].plot(x, [r["search"]["modes"].get(m, {}).get("p50") for r in runs], marker="o", label=f"{m} p50")
    ax[0].plot(x, [r["search"]["modes"]["hybrid"]["p95"] for r in runs], marker="x", ls="--", label="hybrid p95")
    ax[0].set(title="warm search (ms, excl. query embedding)", xscale="log", yscale="log", xlabel="passages")
    ax[0].legend(fontsize=7)
    ax[1].plot(x, [r["index"]["process"]["wall_s"] for r in runs], marker="o", label="index build (s)")
    ax[1].plot(x, [r["index"]["process"]["peak_rss_mb"] for r in runs], marker="o", label="peak RSS (MB)")
    ax[1].set(title="index build", xscale="log", yscale="log", xlabel="passages")
    ax[1].legend(fontsize=7)
    ax[2].plot(x, [r["disk_per_corpus_byte"]["sqlite"] for r in runs], marker="o", label="SQLite")
    ax[2].plot(x, [r["disk_per_corpus_byte"]["faiss"] for r in runs], marker="o", label="FAISS")
    ax[2].set(title="disk per corpus byte", xscale="log", xlabel="passages")
    ax[2].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(PLOT, dpi=110)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd")
    c = sub.add_parser("_compare")
    for opt in ("--indexes", "--model", "--questions", "--out"):
        c.add_argument(opt, required=True)
    for name in ("_index", "_search"):
        c = sub.add_parser(name)
        c.add_argument("--corpus", required=True)
        c.add_argument("--index", required=True)
        c.add_argument("--model", required=True)
        c.add_argument("--out", required=True)
        if name == "_search":
            c.add_argument("--questions", required=True)
            c.add_argument("--modes", default=",".join(MODES))
            c.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--sizes", default="1k,10k,50k", help="passages, comma-separated (1k,10k,50k,200k)")
    ap.add_argument("--model", default="hashing", help="embedder for the size sweep (default: hashing)")
    ap.add_argument("--real", default=None, help="also index this size with the real model (e.g. 10k)")
    ap.add_argument("--real-probe", default="2k", help="size indexed first with the real model, to extrapolate")
    ap.add_argument("--real-budget", type=float, default=900, help="run --real only if extrapolated ≤ this (s)")
    ap.add_argument("--workdir", default=os.environ.get("HSQA_SCALE_DIR", "/tmp/hsqa-scale"))
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--repeat", type=int, default=1, help="timed passes over the questions")
    ap.add_argument("--synthetic-questions", type=int, default=100)
    ap.add_argument("--keep", action="store_true", help="keep the index folders (for profiling)")
    ap.add_argument("--passages-only", action="store_true", help="index without sentence vectors (HSQA_SENTENCE_VECTORS=0)")
    ap.add_argument("--no-search", action="store_true")
    ap.add_argument("--no-write", action="store_true", help="print results, do not update SCALE.md/json")
    ap.add_argument("--render", action="store_true", help="only rewrite SCALE.md (and the plot) from SCALE.json")
    a = ap.parse_args(argv)
    if a.render:
        results = json.loads(RESULTS_JSON.read_text())
        results["corpus_stats"] = corpus_stats()
        plot(results)
        RESULTS_MD.write_text(render(results))
        return None
    if a.cmd == "_index":
        return child_index(a)
    if a.cmd == "_search":
        return child_search(a)
    if a.cmd == "_compare":
        return child_compare(a)

    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    qfile, qinfo = questions_file(work, a.synthetic_questions)
    results = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() and not a.no_write else {"runs": {}}
    results.update(machine=machine(), questions=qinfo, corpus_stats=corpus_stats())
    sizes = [parse_size(s) for s in a.sizes.split(",") if s.strip()]
    measured = []
    for n in sizes:
        r = measure(n, a.model, a, qfile)
        measured.append(r)
        results["runs"][f"{size_label(n)}/{r['model']}" + ("/passages-only" if a.passages_only else "")] = r
        if not a.no_write:
            results["updated"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
            RESULTS_JSON.write_text(json.dumps(results, indent=1) + "\n")
    if len(measured) >= 2 and not a.no_search and not a.passages_only:
        specs = ",".join(f"{size_label(r['passages_target'])}={r['corpus_dir']}:{r['index_dir']}" for r in measured)
        print(f"side-by-side hybrid comparison of {specs.count('=')} sizes (load {load()})", flush=True)
        cmp_ = run_child(["_compare", "--indexes", specs, "--model", a.model, "--questions", str(qfile)],
                         work / "compare-result.json")
        results["side_by_side"] = cmp_
    if not a.keep:
        for r in measured:
            shutil.rmtree(r["index_dir"], ignore_errors=True)
    if a.real:
        info = measure_real(a, qfile)
        for r in (info["probe_result"], info["result"]):
            if r:
                results["runs"][f"{size_label(r['passages_target'])}/{r['model']}"] = r
                if not a.keep:
                    shutil.rmtree(r["index_dir"], ignore_errors=True)
        results["real"] = {k: v for k, v in info.items() if k not in ("probe_result", "result")}
    results["updated"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if a.no_write:
        print(json.dumps(results, indent=1))
        return
    RESULTS_JSON.write_text(json.dumps(results, indent=1) + "\n")
    plot(results)
    RESULTS_MD.write_text(render(results))
    print(f"wrote {RESULTS_MD.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
