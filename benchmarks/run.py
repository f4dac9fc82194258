"""hsqa benchmarks: one command, results in benchmarks/RESULTS.md.

    make bench            # or: .venv/bin/python benchmarks/run.py [--quick]

Measures, side by side in one run on this machine:
  1. (retrieval quality is benchmarks/quality.py, run by `make bench` too: benchmarks/QUALITY.md);
  2. index throughput as a ratio to raw ``model.encode`` on exactly the texts the indexer embeds;
  3. warm per-question latency (search, and search + answer sentence) over the question set;
  4. cold ``hsqa ask`` process time and peak memory (RSS) of that process and of ``hsqa index``;
     the chat app's first paint and first answer in tmux (benchmarks/tui.py);
  5. incremental costs: a no-op re-index, and adding one summary to a ~5,000-passage index;
  6. parse + chunk time of one 120 KB and one 8 MiB file (three kinds of text): linear means 8 MiB costs
     about 8 MiB / 120 KB = 70 times as much (``--only chunking`` runs this section alone).
  7. the torch-free question path, ONNX vs sentence-transformers side by side (benchmarks/onnx_path.py);
  8. (the archive-size benchmark is benchmarks/scale.py, too slow for every run: its SCALE.md is included).
Timings are medians of repeated runs; ratios compare runs made alternately in the same process.
"""

from __future__ import annotations

import argparse
import datetime as dt
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

from hsqa.answer import annotate  # noqa: E402
from hsqa.chunking import chunk_document, text_hash  # noqa: E402
from hsqa.config import Config  # noqa: E402
from hsqa.documents import load_document  # noqa: E402
from hsqa.embedding import make_embedder  # noqa: E402
from hsqa.evaluate import load_qa  # noqa: E402
from hsqa.indexer import Indexer  # noqa: E402
from hsqa.search import Searcher  # noqa: E402
from hsqa.store import Store  # noqa: E402
from common import child, machine, pct  # noqa: E402
from onnx_path import corpus_texts  # noqa: E402

QA = ROOT / "tests" / "data" / "qa.jsonl"
HSQA = str(Path(sys.executable).parent / "hsqa")


def throughput(corpus: Path, emb, reps: int):
    """Indexer wall time vs raw encode of the same texts, alternated; model already loaded for both."""
    texts = corpus_texts(corpus)
    raw, idx = [], []
    for _ in range(reps):
        t = time.perf_counter()
        emb.embed(texts)  # the embedder alone (ONNX by default: batches by length, as the indexer does)
        raw.append(time.perf_counter() - t)
        with tempfile.TemporaryDirectory() as tmp:
            cfg = Config(corpus_dir=corpus, index_dir=Path(tmp) / "index")
            t = time.perf_counter()
            Indexer(cfg, emb).run()
            idx.append(time.perf_counter() - t)
    r, i = statistics.median(raw), statistics.median(idx)
    return {"texts": len(texts), "raw_s": r, "index_s": i, "ratio": r / i}


def latency(config, emb, reps: int):
    s = Searcher(config, emb)
    qs = [x["question"] for x in load_qa(QA)]
    s.search(qs[0])  # warm: FAISS loaded, SQLite pages cached
    search_ms, full_ms, embed_ms = [], [], []
    for _ in range(reps):
        for q in qs:
            t = time.perf_counter()
            emb.embed_query(q)
            embed_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            resp = s.search(q, k=5)
            search_ms.append((time.perf_counter() - t) * 1000)
            annotate(resp, s)
            full_ms.append((time.perf_counter() - t) * 1000)
    return {
        "questions": len(search_ms),
        "embed_median": statistics.median(embed_ms),
        "search_median": statistics.median(search_ms),
        "search_p95": pct(search_ms, 95),
        "answer_median": statistics.median(full_ms),
        "answer_p95": pct(full_ms, 95),
    }


def cold(config, reps: int):
    env = dict(os.environ, HSQA_CORPUS=str(config.corpus_dir), HSQA_INDEX=str(config.index_dir), HF_HUB_OFFLINE="1")
    asks = [child([HSQA, "ask", "--json", "Which government created a ministry for human security?"], env) for _ in range(reps)]
    with tempfile.TemporaryDirectory() as tmp:
        env2 = dict(env, HSQA_INDEX=str(Path(tmp) / "i"))
        idx = child([HSQA, "index", "-q"], env2)
    return {
        "ask_wall_median": statistics.median(a[0] for a in asks),
        "ask_rss_mib": max(a[1] for a in asks),
        "index_wall": idx[0],
        "index_rss_mib": idx[1],
    }


def big_corpus(dst: Path, pairs: int) -> None:
    """``pairs`` copies of the two seeds, each with a unique closing paragraph: a large index (every copy
    is a separate document with its own passages and vectors) that builds fast, because the seeds' texts
    hit the embedding cache."""
    dst.mkdir(parents=True)
    for i in range(pairs):
        for s in sorted((ROOT / "corpus").iterdir()):
            text = s.read_text(encoding="utf-8") + f"\n\nArchive record {i} of {s.stem}, filed for reference.\n"
            (dst / f"{i:04d}-{s.name}").write_text(text, encoding="utf-8")


def novel_summary(path: Path) -> None:
    """A summary none of whose passages or sentences is in the index: every one must be embedded."""
    seed = sorted((ROOT / "corpus").iterdir())[0]
    paras = seed.read_text(encoding="utf-8").split("\n\n")
    path.write_text(
        "\n\n".join(p + f" Addendum {j} was noted." if len(p) > 200 else p for j, p in enumerate(paras)),
        encoding="utf-8",
    )


def incremental(emb, pairs: int):
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        big_corpus(corpus, pairs)
        cfg = Config(corpus_dir=corpus, index_dir=Path(tmp) / "index")
        t = time.perf_counter()
        first = Indexer(cfg, emb).run()
        build = time.perf_counter() - t
        noop = []
        for _ in range(5):
            t = time.perf_counter()
            Indexer(cfg).run()  # no embedder passed: a no-op must not need the model
            noop.append(time.perf_counter() - t)
        new = corpus / "zzzz-new-summary.txt"
        novel_summary(new)
        doc, _ = load_document(new, new.name)
        texts = list(dict.fromkeys(t for c in chunk_document(doc) for _, t in c.views()))
        cached = Store(cfg).cached_vectors(emb.name, [text_hash(t) for t in texts])
        texts = [t for t in texts if text_hash(t) not in cached]  # what the indexer will have to embed
        t = time.perf_counter()
        emb.embed(texts)
        encode_s = time.perf_counter() - t
        t = time.perf_counter()
        rep = Indexer(cfg, emb).run()
        add_s = time.perf_counter() - t
        assert rep.added == 1 and rep.embedded == len(texts), (rep, len(texts))
        return {
            "documents": first.documents,
            "passages": first.chunks,
            "build_s": build,
            "noop_median_s": statistics.median(noop),
            "add_one_texts": len(texts),
            "add_one_s": add_s,
            "add_one_encode_s": encode_s,
            "add_one_overhead_s": add_s - encode_s,
        }


CHUNK_SIZES = (120_000, 8 * 1024 * 1024)


def _chunk_texts() -> dict:
    """Generators of one paragraph-heavy text of ``n`` characters: the cases that once went quadratic
    (rejected sentence ends: "word1. next word2. next …"; unwrapped lowercase prose) and real prose."""

    def rejected_ends(n):
        out, i, size = [], 0, 0
        while size < n:
            piece = f"word{i}. next "
            out.append(piece)
            size += len(piece)
            i += 1
        return "".join(out)

    def lowercase(n):
        base = ("the delegates discussed human security and the protection of civilians in armed conflict. "
                "then they agreed e.g. to meet again. ")
        return (base * (n // len(base) + 1))[:n]

    seed = sorted((ROOT / "corpus").iterdir())[0].read_text(encoding="utf-8")
    body = seed.split("\n\n", 3)[-1]

    def prose(n):
        return (body * (n // len(body) + 1))[:n]

    return {"one paragraph, rejected sentence ends": rejected_ends, "one paragraph, lowercase prose": lowercase,
            "real prose, many paragraphs": prose}


def chunking() -> dict:
    """Seconds to parse + chunk (+ sentence views) one file of each size; the ratio 8 MiB / 120 KB."""
    from hsqa.documents import parse_document

    out = {}
    for name, gen in _chunk_texts().items():
        secs = {}
        for n in CHUNK_SIZES:
            text = "Title\n\n" + gen(n) + "\n"
            t = time.perf_counter()
            doc = parse_document(text, "big.txt")
            for c in chunk_document(doc):
                c.views()
            secs[n] = time.perf_counter() - t
        out[name] = {"small_s": secs[CHUNK_SIZES[0]], "large_s": secs[CHUNK_SIZES[1]],
                     "ratio": secs[CHUNK_SIZES[1]] / secs[CHUNK_SIZES[0]]}
    return out


def chunking_lines(ch: dict) -> list[str]:
    linear = CHUNK_SIZES[1] / CHUNK_SIZES[0]
    return [
        "## Chunking time vs file size (`parse_document` + `chunk_document` + sentence views)",
        "",
        f"Linear time means the 8 MiB file costs about {linear:.0f}× the 120 KB one (before the fix, rejected",
        "sentence ends made a 120 KB paragraph take 37 s).",
        "",
        "| text | 120 KB | 8 MiB | ratio |",
        "|---|---|---|---|",
        *[f"| {name} | {v['small_s']:.2f} s | {v['large_s']:.1f} s | {v['ratio']:.0f}× |" for name, v in ch.items()],
        "",
    ]


def embedded(name: str, command: str) -> list[str]:
    """benchmarks/<name> (written by ``command``), its headings one level down, as a section of this file."""
    path = ROOT / "benchmarks" / name
    if not path.exists():
        return [f"Run `{command}` (benchmarks/{name}).", ""]
    body = path.read_text(encoding="utf-8").splitlines()
    return [("#" + ln if ln.startswith("#") else ln) for ln in body] + [""]


def quality_lines() -> list[str]:
    """Retrieval quality: benchmarks/QUALITY.md (benchmarks/quality.py, which `make bench` runs first)."""
    return embedded("QUALITY.md", "python benchmarks/quality.py")


def scale_lines() -> list[str]:
    """The archive-size benchmark: benchmarks/SCALE.md (benchmarks/scale.py: sizes 1k–200k take from minutes to
    half an hour, so `make bench` does not rerun it; its date and commit are in the section)."""
    return embedded("SCALE.md", "python benchmarks/scale.py --sizes 1k,10k,50k")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repetitions, smaller incremental corpus")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    ap.add_argument("--only", choices=["chunking"], help="run one section and print it (RESULTS.md untouched)")
    args = ap.parse_args()
    if args.only == "chunking":
        print("\n".join(chunking_lines(chunking())))
        return
    reps = 2 if args.quick else 5
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    emb = make_embedder(Config.resolve().model)
    emb.load()
    tmp = Path(tempfile.mkdtemp())
    corpus = tmp / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    config = Config(corpus_dir=corpus, index_dir=tmp / "index")
    Indexer(config, emb).run()

    print("throughput…", flush=True)
    thr = throughput(corpus, emb, reps)
    print("latency…", flush=True)
    lat = latency(config, emb, 3 if args.quick else 10)
    print("cold process…", flush=True)
    cp = cold(config, reps)
    print("tui…", flush=True)
    from tui import measure as tui_measure

    tui = tui_measure(3)
    print("incremental…", flush=True)
    inc = incremental(emb, 40 if args.quick else 160)
    print("chunking…", flush=True)
    chk = chunking()
    print("onnx query path…", flush=True)
    import onnx_path  # noqa: F811 (the section itself; corpus_texts is shared above)

    onnx_res = onnx_path.measure(reps)
    shutil.rmtree(tmp)

    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# hsqa benchmark results",
        "",
        f"Written by `{' '.join(['python', 'benchmarks/run.py', *sys.argv[1:]])}` (or `make bench`) on {when}.",
        f"Machine: {machine()}. Model: all-MiniLM-L6-v2 (CPU).",
        "",
        *quality_lines(),
        "## Indexing throughput (bundled corpus, model loaded, median of alternating runs)",
        "",
        f"- texts embedded (passages + their sentences): {thr['texts']}",
        f"- the embedder alone (`embed`) on those texts: {thr['raw_s']:.2f} s",
        f"- `Indexer.run()` into a fresh index (parse, chunk, embed, SQLite, FAISS, fsync): {thr['index_s']:.2f} s",
        f"- **throughput ratio (raw / indexer): {thr['ratio']:.2f}** (target ≥ 0.9)",
        "",
        "## Warm per-question latency (bundled corpus, model loaded)",
        "",
        f"- {lat['questions']} questions timed; query embedding alone: median {lat['embed_median']:.1f} ms",
        f"- search (embed + FAISS + FTS5 + fusion): **median {lat['search_median']:.1f} ms**, p95 {lat['search_p95']:.1f} ms (target ≤ 30 ms)",
        f"- search + answering-sentence selection (scores the returned passages' sentences with their stored vectors): median {lat['answer_median']:.1f} ms, p95 {lat['answer_p95']:.1f} ms",
        "",
        "## Cold process",
        "",
        f"- `hsqa ask --json QUESTION` wall time: median {cp['ask_wall_median']:.2f} s; peak RSS {cp['ask_rss_mib']:.0f} MiB",
        f"- `hsqa index` of the bundled corpus, fresh: {cp['index_wall']:.2f} s; peak RSS {cp['index_rss_mib']:.0f} MiB",
        "  (questions are embedded with onnxruntime, without torch; indexing a fresh corpus loads the model's",
        "  ONNX export, made once per model: see the ONNX section below)",
        "",
        "## Chat app in a real terminal (tmux 120×40, `benchmarks/tui.py`)",
        "",
        *(
            [
                f"- first paint: median **{tui['paint_median']:.2f} s**, worst {tui['paint_max']:.2f} s of {len(tui['runs'])} launches (target ≤ 1 s)",
                f"- first answer after Enter (model still loading, so keyword search; {tui['lexical_first']}/{len(tui['runs'])} were): median {tui['answer_median']:.2f} s",
                f"- semantic search ready and the answer upgraded in place: median {tui['semantic_median']:.1f} s after launch",
            ]
            if tui
            else ["- tmux not installed: not measured"]
        ),
        "",
        "## Incremental indexing",
        "",
        f"- index of {inc['documents']} documents, {inc['passages']} passages (built in {inc['build_s']:.1f} s; the copies share",
        "  most texts, so the embedding cache makes the build fast; every passage still has its own rows and vectors)",
        f"- no-op re-index (nothing changed, model not loaded): median **{inc['noop_median_s']*1000:.0f} ms**",
        f"- adding one new summary ({inc['add_one_texts']} new texts): {inc['add_one_s']:.2f} s; embedding those texts alone takes {inc['add_one_encode_s']:.2f} s:",
        f"  **overhead {inc['add_one_overhead_s']:.2f} s** (target < 1 s)",
        "",
        *chunking_lines(chk),
    ]
    lines += onnx_path.lines(onnx_res)
    lines += ["", *scale_lines()]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    json.dump({"throughput": thr, "latency": lat, "cold": cp, "tui": tui, "incremental": inc, "chunking": chk, "onnx_path": onnx_res},
              open(Path(args.out).with_suffix(".json"), "w"), indent=1)


if __name__ == "__main__":
    main()
