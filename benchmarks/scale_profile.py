"""Where the time goes per question and per index build, at scale (py-spy sampling; cProfile fallback).

    .venv/bin/python benchmarks/scale.py --sizes 50k --keep          # leaves /tmp/hsqa-scale/index-50k-hashing
    .venv/bin/python benchmarks/scale_profile.py search --size 50k    # per-question cost by stage
    .venv/bin/python benchmarks/scale_profile.py index --size 10k     # index build by function
    .venv/bin/python benchmarks/scale_profile.py disk --size 50k      # SQLite bytes per table / FTS5 segment
    git archive main hsqa | tar -x -C /tmp/hsqa-base                    # another version of the code, then:
    .venv/bin/python benchmarks/scale_profile.py versus --base-code /tmp/hsqa-base --sizes 1k,10k,50k
                                                  # CPU per question of both versions side by side + same top-k
    .venv/bin/python benchmarks/scale_profile.py stages --sizes 1k,50k   # CPU per search stage (hybrid)
    .venv/bin/python benchmarks/scale_profile.py postings --sizes 1k,10k,50k   # lexical postings vs FTS5 bm25:
                                                  # exact equality, CPU, build/load cost, file size

py-spy (a dev tool, ``pip install py-spy`` into the venv; not a project dependency) samples the process at
200 Hz without slowing Python code down, unlike cProfile, which inflates function-call-heavy loops several
times. Samples are attributed to the innermost frame that matches a stage below; the stage names follow
the search code as of this commit (hsqa/search/*.py), so after a refactor unmatched samples show up as
"other hsqa" / "other" and the function table still tells where the time went.
Raw stacks are kept in ``--workdir`` (flamegraph "collapsed" format).
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

#: (label, frame match), innermost match wins. A match is "function (file" as py-spy prints it.
SEARCH_STAGES = [
    ("FAISS flat search (sentence+passage vectors)", ["IndexIDMap_search", "replacement_search"]),
    ("FAISS reconstruct_batch (candidate views)", ["replacement_reconstruct_batch", "reconstruct_batch"]),
    ("FTS5 BM25 top-N (LexicalRetriever.search)", ["LexicalRetriever.search (hsqa/search/lexical.py"]),
    ("idf: per-term df queries (LexicalRetriever.idf)", ["LexicalRetriever.idf (hsqa/search/lexical.py"]),
    ("coverage(): matched_terms per candidate", ["coverage (hsqa/search/lexical.py"]),
    ("_name_miss(): matched_terms per candidate", ["_name_miss (hsqa/search/searcher.py"]),
    ("meeting_match(): loop over all documents", ["meeting_match (hsqa/search/fuse.py"]),
    ("vector->chunk rows (DenseRetriever.search select_in)", ["DenseRetriever.search (hsqa/search/dense.py"]),
    ("vector rows of candidates (DenseRetriever.views select_in)", ["DenseRetriever.views (hsqa/search/dense.py"]),
    ("cosine + per-row loop (DenseRetriever.scores)", ["DenseRetriever.scores (hsqa/search/dense.py"]),
    ("candidate chunk rows (Searcher._retrieve select_in)", ["Searcher._retrieve (hsqa/search/searcher.py"]),
    ("candidate features loop (Searcher._candidates)", ["Searcher._candidates (hsqa/search/searcher.py"]),
    ("fusion scoring (fuse.fuse)", ["fuse (hsqa/search/fuse.py"]),
    ("dedup: token sets + jaccard (Searcher._results)", ["Searcher._results (hsqa/search/searcher.py"]),
    ("result rows + term_spans highlight (Searcher._result)", ["Searcher._result (hsqa/search/searcher.py"]),
    ("query parse (+ refresh, meta reads)", ["Searcher.parse (hsqa/search/searcher.py", "Searcher.refresh"]),
    ("require_model / generation (meta reads)", ["Store.require_model", "Store.info", "Store.meta"]),
    ("answer sentence (annotate)", ["annotate (hsqa/answer.py"]),
    ("read transaction (BEGIN/rollback)", ["Searcher._read"]),
]

INDEX_STAGES = [
    ("hashing embedder (blake2b per token)", ["HashingEmbedder.embed_batch"]),
    ("model embedding", ["SentenceTransformerEmbedder", "encode (sentence_transformers"]),
    ("parse documents", ["parse_document (hsqa/documents.py", "read_text (hsqa/documents.py"]),
    ("chunking", ["chunk_document (hsqa/chunking.py"]),
    ("sentence split for vectors (Chunk.views)", ["Chunk.views (hsqa/chunking.py"]),
    ("acronyms", ["find_acronyms (hsqa/text.py"]),
    ("text_hash (sha256 of views)", ["text_hash (hsqa/chunking.py"]),
    ("row inserts (Indexer._insert_doc)", ["Indexer._insert_doc (hsqa/indexer.py"]),
    ("embedding cache lookups (cached_vectors)", ["Store.cached_vectors"]),
    ("all_vectors: rebuild FAISS input from cache", ["Store.all_vectors"]),
    ("FAISS add + serialize + write", ["write_faiss_atomic", "replacement_add_with_ids", "add_with_ids"]),
    ("scan", ["scan_corpus (hsqa/indexer.py"]),
]


def parse_raw(path: Path, skip_until: str | None = None) -> list[tuple[list[str], int]]:
    out = []
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = stack.split(";")
        if skip_until and not any(skip_until in f for f in frames):
            continue
        out.append((frames, int(n)))
    return out


def attribute(samples, stages) -> Counter:
    c: Counter = Counter()
    for frames, n in samples:
        label = None
        for f in reversed(frames):
            for name, pats in stages:
                if any(p in f for p in pats):
                    label = name
                    break
            if label:
                break
        if label is None:
            label = "other hsqa" if any("hsqa/" in f for f in frames) else "other"
        c[label] += n
    return c


def functions(samples, top: int = 25) -> list[tuple[str, int, int]]:
    """``(function, inclusive samples, self samples)`` for hsqa and library functions, largest first."""
    incl: Counter = Counter()
    self_: Counter = Counter()
    for frames, n in samples:
        names = [f.split(" (")[0] + " (" + f.split(" (")[1].split(":")[0] + ")" if " (" in f else f for f in frames]
        for name in set(names):
            incl[name] += n
        self_[names[-1]] += n
    return [(f, incl[f], self_[f]) for f, _ in incl.most_common(top)]


def lines(samples, top: int = 25) -> list[tuple[str, int]]:
    """Innermost frames with their line numbers (self samples): for C calls (SQLite, FAISS) the Python line
    that made them."""
    c: Counter = Counter()
    for frames, n in samples:
        c[frames[-1]] += n
    return c.most_common(top)


def pyspy() -> str | None:
    exe = Path(sys.executable).parent / "py-spy"
    return str(exe) if exe.exists() else shutil.which("py-spy")


def sample(cmd: list[str], out: Path, rate: int = 200, idle: bool = False) -> None:
    """py-spy over ``cmd``; ``idle`` also samples waits (fsync, I/O), so shares are of wall time."""
    spy = pyspy()
    if spy is None:
        raise SystemExit("py-spy is not installed: .venv/bin/pip install py-spy (a dev tool, not a dependency)")
    subprocess.run([spy, "record", "-r", str(rate), "-f", "raw", "-o", str(out), *(["--idle"] if idle else []),
                    "--", *cmd], check=True)


SEARCH_LOOP = """
import json, sys, time
sys.path.insert(0, {bench!r})
from pathlib import Path
from hsqa.config import Config
from hsqa.embedding import make_embedder
from hsqa.search import Searcher
import scale
from hsqa.answer import annotate
qs = json.loads(Path({questions!r}).read_text())
cfg = Config(corpus_dir=Path({corpus!r}), index_dir=Path({index!r}), model={model!r})
s = Searcher(cfg, embedder=scale._cached_embedder(make_embedder({model!r})))
def run():
    for q in qs:
        r = s.search(q, k=5, mode={mode!r})
        if {answer!r}:
            annotate(r, s)
for q in qs:
    s.search(q, k=5, mode={mode!r})
def timed_pass():
    t = time.perf_counter()
    run()
    return (time.perf_counter() - t) / len(qs) * 1000
print(json.dumps({{"ms_per_question": timed_pass()}}))
"""


def profile_search(a) -> dict:
    work = Path(a.workdir)
    index = work / f"index-{a.size}-hashing"
    if not index.exists():
        raise SystemExit(f"{index} missing: run benchmarks/scale.py --sizes {a.size} --keep first")
    res = {}
    for mode in a.modes.split(","):
        code = SEARCH_LOOP.format(bench=str(ROOT / "benchmarks"), questions=str(work / "questions.json"),
                                  corpus=str(work / f"corpus-{a.size}"), index=str(index), model="hashing",
                                  mode=mode, answer=mode == "hybrid")
        script = work / "profile_loop.py"
        script.write_text(code)
        raw = work / f"profile-search-{a.size}-{mode}.txt"
        t = time.perf_counter()
        sample([sys.executable, str(script)], raw)
        samples = parse_raw(raw, skip_until="timed_pass")
        total = sum(n for _, n in samples) or 1
        res[mode] = {
            "samples": total, "wall_s": round(time.perf_counter() - t, 1),
            "stages": [(k, round(v / total * 100, 1)) for k, v in attribute(samples, SEARCH_STAGES).most_common()],
            "functions": [(f, round(i / total * 100, 1), round(s / total * 100, 1))
                          for f, i, s in functions(samples, 30)],
            "lines": [(f, round(n / total * 100, 1)) for f, n in lines(samples, 30)],
        }
    return res


def profile_index(a) -> dict:
    work = Path(a.workdir)
    corpus = work / f"corpus-{a.size}"
    if not corpus.exists():
        raise SystemExit(f"{corpus} missing: run benchmarks/scale.py --sizes {a.size} first")
    index = work / f"index-{a.size}-profile"
    shutil.rmtree(index, ignore_errors=True)
    index.mkdir()
    raw = work / f"profile-index-{a.size}.txt"
    out = work / "profile-index-result.json"
    sample([sys.executable, str(ROOT / "benchmarks" / "scale.py"), "_index", "--corpus", str(corpus), "--index",
            str(index), "--model", a.model, "--out", str(out)], raw, rate=100, idle=True)
    samples = parse_raw(raw)
    total = sum(n for _, n in samples) or 1
    result = json.loads(out.read_text())
    shutil.rmtree(index, ignore_errors=True)
    return {
        "result": result, "samples": total,
        "stages": [(k, round(v / total * 100, 1)) for k, v in attribute(samples, INDEX_STAGES).most_common()],
        "functions": [(f, round(i / total * 100, 1), round(s / total * 100, 1)) for f, i, s in functions(samples, 40)],
        "lines": [(f, round(n / total * 100, 1)) for f, n in lines(samples, 30)],
    }


def profile_disk(a) -> dict:
    import sqlite3

    index = Path(a.workdir) / f"index-{a.size}-hashing"
    db = next(index.glob("*.sqlite3"))
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    tables = conn.execute("SELECT name, SUM(pgsize), SUM(payload), SUM(ncell) FROM dbstat GROUP BY name "
                          "ORDER BY 2 DESC").fetchall()
    out = {"file": db.stat().st_size, "tables": tables}
    try:
        out["embeddings"] = conn.execute("SELECT count(*), SUM(length(vector)), SUM(length(hash)), "
                                         "SUM(length(model)) FROM embeddings").fetchone()
        out["vectors"] = conn.execute("SELECT kind, count(*) FROM vectors GROUP BY kind").fetchall()
        out["fts_content"] = conn.execute("SELECT SUM(length(c0)), SUM(length(c1)), SUM(length(c2)), "
                                          "SUM(length(c3)) FROM chunks_fts_content").fetchone()
        out["chunk_text"] = conn.execute("SELECT SUM(length(text)) FROM chunks").fetchone()[0]
        out["paragraph_text"] = conn.execute("SELECT SUM(length(text)) FROM paragraphs").fetchone()[0]
    except sqlite3.OperationalError as e:  # a later schema: the dbstat table above still holds
        out["schema_note"] = str(e)
    conn.close()
    return out


def _timed(fn, reps: int = 1) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(reps):
        c = time.thread_time()
        out = fn()
        best = min(best, time.thread_time() - c)
    return best * 1000, out


def micro(a) -> dict:
    """Alternatives for the two corpus-size-dependent stages, timed in CPU ms on the kept index (schema of
    this commit): FTS5 top-N variants, cold idf lookups, and FAISS index types over the same vectors."""
    import sqlite3
    import statistics

    import faiss
    import numpy as np

    from hsqa.config import Config
    from hsqa.embedding import make_embedder
    from hsqa.search import Searcher
    from hsqa.text import fts_query

    work = Path(a.workdir)
    index = work / f"index-{a.size}-hashing"
    qs = json.loads((work / "questions.json").read_text())
    cfg = Config(corpus_dir=work / f"corpus-{a.size}", index_dir=index, model="hashing")
    searcher = Searcher(cfg, embedder=make_embedder("hashing"))
    terms = [searcher.parse(q)[0].terms for q in qs]
    conn = sqlite3.connect(f"file:{next(index.glob('*.sqlite3'))}?mode=ro", uri=True)
    n_chunks = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
    w = "1.0, 0.5, 0.3, 0.3"
    sql_join = (f"SELECT f.rowid, bm25(chunks_fts, {w}) AS s FROM chunks_fts f JOIN chunks c ON c.id = f.rowid "
                "WHERE chunks_fts MATCH ? ORDER BY s LIMIT 50")
    sql_plain = f"SELECT rowid, bm25(chunks_fts, {w}) AS s FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY s LIMIT 50"
    df_cache: dict[str, int] = {}
    res: dict = {"passages": n_chunks, "questions": len(qs)}
    rows = {"join": [], "plain": [], "plain_no_half": [], "overlap_no_half": [], "rare_only": [], "idf_cold": [],
            "matched": [], "overlap": [], "dropped": []}
    for ts in terms:
        q = fts_query(ts)
        if not q:
            continue
        ms, _ = _timed(lambda: [fts_query([t]) and conn.execute(
            "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (fts_query([t]),)).fetchone() for t in ts])
        rows["idf_cold"].append(ms)
        for t in ts:
            if t not in df_cache:
                fq = fts_query([t])
                df_cache[t] = conn.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?",
                                           (fq,)).fetchone()[0] if fq else 0
        count_sql = "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?"
        rows["matched"].append(conn.execute(count_sql, (q,)).fetchone()[0])
        ms, top = _timed(lambda: conn.execute(sql_join, (q,)).fetchall())
        rows["join"].append(ms)
        ms, _ = _timed(lambda: conn.execute(sql_plain, (q,)).fetchall())
        rows["plain"].append(ms)
        # terms in more than half the passages: FTS5's bm25 clamps their idf to 1e-6, so they only cost time
        half = [t for t in ts if df_cache[t] <= 0.5 * n_chunks] or [min(ts, key=lambda t: df_cache[t])]
        hq = fts_query(half)
        ms, top3 = _timed(lambda: conn.execute(sql_plain, (hq,)).fetchall())
        rows["plain_no_half"].append(ms)
        rows["overlap_no_half"].append(len({r[0] for r in top} & {r[0] for r in top3}) / max(1, len(top)))
        # terms in more than 5 % of passages leave the MATCH (they still count in coverage / fusion features)
        rare = [t for t in ts if df_cache[t] <= 0.05 * n_chunks]
        rows["dropped"].append(len(ts) - len(rare))
        rq = fts_query(rare)
        if rq:
            ms, top2 = _timed(lambda: conn.execute(sql_plain, (rq,)).fetchall())
            rows["rare_only"].append(ms)
            rows["overlap"].append(len({r[0] for r in top} & {r[0] for r in top2}) / max(1, len(top)))
    med = {k: round(statistics.median(v), 2) for k, v in rows.items() if v}
    p95 = {k: round(pct95(v), 2) for k, v in rows.items() if v}
    res["fts"] = {"median": med, "p95": p95,
                  "note": "CPU ms per question; join = today's query, plain = without the JOIN on chunks, "
                  "plain_no_half = also without terms in > 50 % of passages (FTS5 bm25 idf clamped to 1e-6), "
                  "rare_only = without terms in > 5 % of passages; matched = rows matching today's OR query; "
                  "overlap* = share of today's top-50 kept"}

    # FAISS: the same vectors in other index types (hashing vectors: recall here is only indicative)
    faiss.omp_set_num_threads(1)
    fidx = faiss.read_index(str(sorted(index.glob("*.faiss"))[-1]))
    ids = faiss.vector_to_array(fidx.id_map)
    xb = fidx.index.reconstruct_n(0, fidx.ntotal)
    kind = dict(conn.execute("SELECT id, kind FROM vectors").fetchall())
    passage_rows = np.array([i for i, vid in enumerate(ids) if kind.get(int(vid)) == 0])
    emb = make_embedder("hashing")
    xq = emb.embed_batch([searcher.parse(q)[0].embed_text for q in qs[:200]]).astype(np.float32)
    k = 300
    flat = faiss.IndexFlatIP(xb.shape[1])
    flat.add(xb)
    truth = flat.search(xq, 50)[1]

    def per_query(index, nprobe=None):
        if nprobe:
            index.nprobe = nprobe
        times, found = [], []
        for i in range(len(xq)):
            c = time.thread_time()
            _, got = index.search(xq[i : i + 1], k)
            times.append((time.thread_time() - c) * 1000)
            found.append(len(set(got[0]) & set(truth[i])) / 50)
        return {"p50_ms": round(statistics.median(times), 2), "p95_ms": round(pct95(times), 2),
                "recall50_in_top300": round(statistics.fmean(found), 4)}

    fa: dict = {"vectors": int(xb.shape[0]), "dim": int(xb.shape[1]), "passage_vectors": int(len(passage_rows))}
    fa["flat_all"] = per_query(flat)
    pflat = faiss.IndexFlatIP(xb.shape[1])
    pflat.add(xb[passage_rows])
    fa["flat_passages_only"] = {k2: v for k2, v in per_query(pflat).items() if k2 != "recall50_in_top300"}
    nlist = int(4 * math.sqrt(xb.shape[0]))
    quant = faiss.IndexFlatIP(xb.shape[1])
    ivf = faiss.IndexIVFFlat(quant, xb.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(0)
    c = time.perf_counter()
    ivf.train(xb[rng.choice(len(xb), min(len(xb), 40 * nlist), replace=False)])
    ivf.add(xb)
    fa["ivf_build_s"] = round(time.perf_counter() - c, 1)
    fa["nlist"] = nlist
    for nprobe in (8, 16, 32, 64):
        fa[f"ivf_flat_nprobe{nprobe}"] = per_query(ivf, nprobe)
    sq = faiss.IndexScalarQuantizer(xb.shape[1], faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
    sq.train(xb)
    sq.add(xb)
    fa["flat_sq8"] = per_query(sq)
    res["faiss"] = fa
    return res


STAGE_FUNCS = [  # (module path, attribute, label): CPU of each call accumulated per question
    ("hsqa.search.lexical", "LexicalRetriever.search", "lexical top-N (LexicalRetriever.search)"),
    ("hsqa.search.lexical", "LexicalRetriever.idf", "idf of the terms (LexicalRetriever.idf)"),
    ("hsqa.search.dense", "DenseRetriever.search", "FAISS + vector->chunk rows (DenseRetriever.search)"),
    ("hsqa.search.dense", "DenseRetriever.scores", "candidate view vectors + cosines (DenseRetriever.scores)"),
    ("hsqa.search.searcher", "coverage", "coverage per candidate (matched_terms)"),
    ("hsqa.search.searcher", "fusion.meeting_match", "meeting_match (fuse.py)"),
    ("hsqa.search.searcher", "fusion.fuse", "fusion scoring (fuse.fuse)"),
    ("hsqa.search.searcher", "Searcher._results", "dedup + results + term_spans (Searcher._results)"),
    ("hsqa.search.searcher", "Searcher._candidates", "all candidate features (Searcher._candidates)"),
    ("hsqa.search.searcher", "Searcher._retrieve", "whole read transaction (Searcher._retrieve)"),
]


def stages(a) -> dict:
    """CPU ms per question of each search stage (functions wrapped with ``time.thread_time``; the wrapper
    adds ~1 µs per call, so many-call stages such as coverage read slightly high). Warm pass, then timed."""
    import functools
    import importlib
    import statistics

    from hsqa.config import Config
    from hsqa.embedding import make_embedder
    from hsqa.search import Searcher

    work = Path(a.workdir)
    qs = json.loads((work / "questions.json").read_text())
    acc: dict[str, float] = {}
    for mod, attr, label in STAGE_FUNCS:
        owner = importlib.import_module(mod)
        *path, name = attr.split(".")
        for p in path:
            owner = getattr(owner, p)
        fn = getattr(owner, name)

        def wrapped(*args, _fn=fn, _label=label, **kw):
            c = time.thread_time()
            try:
                return _fn(*args, **kw)
            finally:
                acc[_label] = acc.get(_label, 0.0) + time.thread_time() - c

        setattr(owner, name, functools.wraps(fn)(wrapped))
    res: dict = {"questions": len(qs), "sizes": {}}
    for size in a.sizes.split(","):
        cfg = Config(corpus_dir=work / f"corpus-{size}", index_dir=work / f"index-{size}-hashing", model="hashing")
        emb = _query_cache(importlib.import_module("hsqa.embedding"), make_embedder("hashing"))
        s = Searcher(cfg, embedder=emb)
        for q in qs:
            s.search(q, k=5, mode="hybrid")
        acc.clear()
        total = []
        for q in qs:
            c = time.thread_time()
            s.search(q, k=5, mode="hybrid")
            total.append((time.thread_time() - c) * 1000)
        row = {"cpu_p50": round(statistics.median(total), 2), "cpu_p95": round(pct95(total), 2),
               "cpu_mean": round(statistics.fmean(total), 2),
               "stages_mean_ms": {k: round(v / len(qs) * 1000, 2) for k, v in sorted(acc.items(), key=lambda x: -x[1])}}
        res["sizes"][size] = row
        print(size, json.dumps(row), flush=True)
    return res


def _import_as(code: Path, name: str):
    """The ``hsqa`` package of the tree ``code`` imported as package ``name`` (all its imports are relative),
    so two versions of the search code run side by side in one process."""
    import importlib

    link_dir = Path(f"/tmp/hsqa-versus-{name}")
    link_dir.mkdir(exist_ok=True)
    link = link_dir / name
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(code.resolve() / "hsqa", target_is_directory=True)
    sys.path.insert(0, str(link_dir))
    try:
        return {m: importlib.import_module(f"{name}.{m}") for m in ("config", "embedding", "search")}
    finally:
        sys.path.remove(str(link_dir))


def _query_cache(emb_mod, inner):
    """``inner`` answering repeated texts from memory (the query embedding is left out of the timings)."""

    class Cached(emb_mod.Embedder):
        name = inner.name
        dim = inner.dim

        def __init__(self):
            self.cache = {}

        def embed_batch(self, texts):
            import numpy as np

            todo = [t for t in dict.fromkeys(texts) if t not in self.cache]
            if todo:
                self.cache.update(zip(todo, inner.embed_batch(todo)))
            return np.vstack([self.cache[t] for t in texts]) if texts else inner.embed_batch([])

    return Cached()


def versus(a) -> dict:
    """Hybrid (or ``--modes``) search CPU per question, this tree vs ``--base-code``, each question on both
    in turn (load swings hit both alike), on every kept index of ``--sizes``; and whether both return the
    same top-k (chunk ids in order, scores within 1e-9 relative)."""
    import statistics

    work = Path(a.workdir)
    qs = json.loads((work / "questions.json").read_text())
    versions = {"base": _import_as(Path(a.base_code), "hsqa_base"), "new": _import_as(ROOT, "hsqa_new")}
    res: dict = {"questions": len(qs), "base_code": a.base_code, "sizes": {}}
    for size in a.sizes.split(","):
        searchers = {}
        for label, mods in versions.items():
            cfg = mods["config"].Config(corpus_dir=work / f"corpus-{size}", index_dir=work / f"index-{size}-hashing",
                                        model="hashing")
            emb = _query_cache(mods["embedding"], mods["embedding"].make_embedder("hashing"))
            searchers[label] = mods["search"].Searcher(cfg, embedder=emb)
        for mode in a.modes.split(","):
            for s in searchers.values():  # warm pass: FAISS loaded, page cache warm, query vectors cached
                for q in qs:
                    s.search(q, k=5, mode=mode)
            cpu: dict[str, list[float]] = {k: [] for k in searchers}
            differ = []
            for q in qs:
                tops = {}
                for label, s in searchers.items():
                    c = time.thread_time()
                    r = s.search(q, k=a.k, mode=mode)
                    cpu[label].append((time.thread_time() - c) * 1000)
                    tops[label] = [(x.chunk_id, x.score) for x in r.results]
                b, n = tops["base"], tops["new"]
                if [c for c, _ in b] != [c for c, _ in n] or any(
                        abs(x - y) > 1e-9 * max(1.0, abs(x)) for (_, x), (_, y) in zip(b, n)):
                    differ.append(q)
            row = {label: {"cpu_p50": round(statistics.median(v), 2), "cpu_p95": round(pct95(v), 2),
                           "cpu_mean": round(statistics.fmean(v), 2)} for label, v in cpu.items()}
            row["p50_ratio_new_base"] = round(row["new"]["cpu_p50"] / row["base"]["cpu_p50"], 3)
            row["top_k_differs"] = len(differ)
            row["differs_examples"] = differ[:5]
            res["sizes"].setdefault(size, {})[mode] = row
            print(size, mode, json.dumps(row), flush=True)
    return res


def postings_check(a) -> dict:
    """The lexical postings (hsqa/search/postings.py) against FTS5's own ``ORDER BY bm25 LIMIT n``, on every
    kept index of ``--sizes``: every question at n = 10, 50 and 200, unscoped and scoped to a third of the
    documents; exact equality of ids, order and float scores. CPU per query of both, and the postings file's
    cost (whole build, size, load). Writes the postings file of an index that has none (built by older code)."""
    import statistics

    from hsqa.config import Config
    from hsqa.scope import Scope
    from hsqa.search import Searcher, lexical, postings

    work = Path(a.workdir)
    qs = json.loads((work / "questions.json").read_text())
    res: dict = {"questions": len(qs), "sizes": {}}
    for size in a.sizes.split(","):
        cfg = Config(corpus_dir=work / f"corpus-{size}", index_dir=work / f"index-{size}-hashing", model="hashing")
        s = Searcher(cfg)
        terms = [s.parse(q)[0].terms for q in qs]

        def run(snap, s=s, terms=terms, cfg=cfg):
            c = time.process_time()
            arrays = postings.build(snap.conn, snap.generation)
            build_s = time.process_time() - c
            path = postings.path_for(cfg.index_dir, snap.generation)
            if not path.exists():
                postings.save(arrays, path)
            c = time.process_time()
            postings.load(path, snap.generation, postings.averages(snap.conn),
                          snap.conn.execute("SELECT max(id) FROM chunks_fts_docsize").fetchone()[0], lexical.COLUMN_WEIGHTS)
            load_s = time.process_time() - c
            docs = [r[0] for r in snap.conn.execute("SELECT id FROM documents ORDER BY id")]
            scopes = [None, Scope(doc_ids=set(docs[::3]))]
            for t in terms:  # warm: postings loaded, phrase counts and df cached, pages in memory
                s.lexical.search(snap.conn, t, 50, None, snap.generation)
            cpu = {"postings": [], "fts5": []}
            compared = differ = 0
            plans: dict[str, int] = {}
            for t in terms:
                for n in (10, 50, 200):
                    for scope in scopes:
                        c = time.thread_time()
                        got = s.lexical.search(snap.conn, t, n, scope, snap.generation)
                        d1 = time.thread_time() - c
                        plans[s.lexical.last_plan] = plans.get(s.lexical.last_plan, 0) + 1
                        c = time.thread_time()
                        want = s.lexical._top(snap.conn, t, n, scope)
                        d2 = time.thread_time() - c
                        if n == 50 and scope is None:
                            cpu["postings"].append(d1 * 1000)
                            cpu["fts5"].append(d2 * 1000)
                        compared += 1
                        differ += got != want
            return {"compared": compared, "differ": differ, "plans": plans,
                    "cpu_ms_top50": {k: {"p50": round(statistics.median(v), 3), "p95": round(pct95(v), 3),
                                         "mean": round(statistics.fmean(v), 3)} for k, v in cpu.items()},
                    "build_cpu_s": round(build_s, 2), "load_cpu_s": round(load_s, 3),
                    "file_mb": round(path.stat().st_size / 1e6, 2),
                    "corpus_mb": round(sum(f.stat().st_size for f in cfg.corpus_dir.rglob("*") if f.is_file()) / 1e6, 2)}

        row = s.store.read(run)
        res["sizes"][size] = row
        print(size, json.dumps(row), flush=True)
    return res


def pct95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, math.ceil(0.95 * len(xs)) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["search", "index", "disk", "micro", "versus", "stages", "postings"])
    ap.add_argument("--size", default="50k")
    ap.add_argument("--model", default="hashing")
    ap.add_argument("--modes", default="hybrid,lexical,dense")
    ap.add_argument("--workdir", default="/tmp/hsqa-scale")
    ap.add_argument("--base-code", help="versus: a code tree (with hsqa/) to compare this one with")
    ap.add_argument("--sizes", default="1k,10k,50k", help="versus: kept index sizes")
    ap.add_argument("--k", type=int, default=10, help="versus: results compared per question")
    a = ap.parse_args()
    if a.what == "versus":
        a.modes = a.modes if a.modes != "hybrid,lexical,dense" else "hybrid"
    fn = {"search": profile_search, "index": profile_index, "disk": profile_disk, "micro": micro,
          "versus": versus, "stages": stages, "postings": postings_check}[a.what]
    res = fn(a)
    out = Path(a.workdir) / f"profile-{a.what}-{a.size}.json"
    out.write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
