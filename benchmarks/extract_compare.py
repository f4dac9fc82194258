"""PDF and HTML extraction: the candidate libraries compared on documents written here, and hsqa's speed.

    .venv/bin/pip install -e '.[test,compare]'      # the candidates that were not chosen
    .venv/bin/python benchmarks/extract_compare.py [--dev DIR] [--repeat N]

Test documents: every .txt/.md of corpus/ (and of the dev corpus, benchmarks/corpus/, when present) laid out
by tests/docmaker.py as a multi-page PDF (justified with per-word placement, or ragged; running headers,
"- n -" / "Page n of m" footers, footnotes, line-end hyphens) and as an HTML page with site chrome (navigation,
cookie banner, share links, related stories, newsletter box, scripts, styles, footer), plus the same page
without <article>, as "div soup" (no semantic elements, neutral class names) and as a heavy portal page
(~250 KB: mega menu, inline script, big footer). Ground truth is what the writers wrote.

PDF measures (raw library text, before any reconstruction, and hsqa's result):
  words in order   share of the written body words found in order (difflib over word lists, hyphens ignored)
  noise            share of output words written nowhere on purpose (headers, footers, page numbers, marks)
  paragraphs       share of written paragraphs that come out as one blank-line-separated block
  pages/s          pages extracted per second (each candidate timed alternately on the same files)
HTML measures: content paragraphs found, chrome phrases leaked, headings kept as lines, ms per page.
Results: printed as Markdown and written to benchmarks/extract-results.json.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hsqa.documents import human_date  # noqa: E402
from hsqa.extract import parse_bytes  # noqa: E402
from hsqa.extract.html import extract_text as hsqa_html  # noqa: E402
from tests.docmaker import CHROME_TEXTS, make_html, make_pdf, source_from_file  # noqa: E402


def words(s: str) -> list[str]:
    s = s.replace("\ufffe", "").replace("-", "")
    return re.findall(r"\w+", s.lower())


def blocks(s: str) -> list[str]:
    return [" ".join(b.replace("-", "").split()) for b in re.split(r"\n\s*\n", s) if b.strip()]


# -- PDF candidates: bytes -> text ------------------------------------------------------------------


def pdf_pypdfium2(data: bytes) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    out = []
    for page in pdf:
        tp = page.get_textpage()
        out.append(tp.get_text_range().replace("\r\n", "\n"))
        tp.close()
        page.close()
    pdf.close()
    return "\n\n".join(out)


def pdf_pypdf(data: bytes) -> str:
    import io

    import pypdf

    return "\n\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def pdf_pdfminer(data: bytes) -> str:
    import io

    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


def pdf_hsqa(data: bytes) -> str:
    return parse_bytes(data, "x.pdf").text


PDF_CANDIDATES = {
    "pypdfium2 (raw)": pdf_pypdfium2,
    "pypdf": pdf_pypdf,
    "pdfminer.six": pdf_pdfminer,
    "hsqa (pypdfium2 + layout)": pdf_hsqa,
}


def pdf_scores(text: str, truth, src, symbol: str) -> dict:
    body = [w for t, _ in truth.paragraphs for w in words(t)]
    got = words(text)
    sm = difflib.SequenceMatcher(None, body, got, autojunk=False)
    matched = sum(b.size for b in sm.get_matching_blocks())
    # noise: output words beyond everything written on purpose (title block, headings, body, footnotes)
    written = Counter(words(" ".join([symbol, src.title, src.place or "", human_date(src.date), *truth.headings, *(t for t, _ in truth.paragraphs), *(t for t, _ in truth.footnotes)])))
    extra = sum((Counter(got) - written).values())
    paras = set(blocks(text))
    exact = sum(" ".join(t.replace("-", "").split()) in paras for t, _ in truth.paragraphs)
    return {"in_order": matched / len(body), "noise": extra / max(len(got), 1), "paragraphs": exact / len(truth.paragraphs)}


def html_readability(page: str) -> str:
    from readability import Document

    from hsqa.extract.html import extract_text

    summary = Document(page).summary(html_partial=True)
    return extract_text(f"<html><body><article>{summary}</article></body></html>")[0]


def html_trafilatura(page: str) -> str:
    import trafilatura

    return trafilatura.extract(page, include_comments=False, include_tables=True, favor_recall=True) or ""


def html_hsqa(page: str) -> str:
    return hsqa_html(page)[0]


HTML_CANDIDATES = {"trafilatura": html_trafilatura, "readability-lxml (+ hsqa blocks)": html_readability, "hsqa (selectolax + rules)": html_hsqa}


def html_scores(text: str, src) -> dict:
    flat = " ".join(text.replace("-", "").split())
    paras = [" ".join(t.replace("-", "").split()) for k, t in src.blocks if k == "para"]
    heads = [t for k, t in src.blocks if k == "heading"]
    lines = {ln.strip("# ").strip() for ln in text.splitlines()}
    return {
        "content": sum(p in flat for p in paras) / max(len(paras), 1),
        "chrome": sum(c in text for c in CHROME_TEXTS),
        "headings": sum(h in lines for h in heads) / len(heads) if heads else None,
    }


def div_soup(page: str) -> str:
    """The page with no semantic elements and neutral class names: only the layout tells chrome apart."""
    for tag in ("header", "nav", "main", "article", "aside", "footer"):
        page = page.replace(f"<{tag}", "<div").replace(f"</{tag}>", "</div>")
    return re.sub(r'(class|id)="[^"]*"', lambda m: f'{m.group(1)}="region"', page)


def heavy(page: str) -> str:
    """The page with the weight of a real portal page: a 600-link mega menu, 150 KB of inline script and
    JSON, a 200-link footer (~250 KB in all)."""
    menu = "".join(f'<li><a href="/topic/{i}">Topic number {i} of the site menu</a></li>' for i in range(600))
    foot = "".join(f'<li><a href="/foot/{i}">Footer link {i}</a></li>' for i in range(200))
    script = "<script>var state = " + json.dumps({f"key{i}": "x" * 60 for i in range(2000)}) + ";</script>"
    page = page.replace('<nav class="main-menu"><ul>', f'<nav class="main-menu"><ul>{menu}', 1)
    page = page.replace('<footer class="site-footer"><ul>', f'<footer class="site-footer"><ul>{foot}', 1)
    return page.replace("</head>", script + "</head>", 1)


def timed(fn, items, repeat: int) -> float:
    """Median seconds for one pass over ``items``."""
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for it in items:
            fn(it)
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dev", default=str(ROOT / "benchmarks" / "corpus"), help="dev corpus folder (if present)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "extract-results.json"))
    args = ap.parse_args()
    files = sorted((ROOT / "corpus").glob("*.[tm][xd]*"))
    dev = Path(args.dev)
    if dev.is_dir():
        files += sorted(p for p in dev.iterdir() if p.suffix in (".txt", ".md") and p.name != "README.md")
    srcs = [source_from_file(p) for p in files]
    pdfs = []
    for i, s in enumerate(srcs):
        data, truth = make_pdf(s, symbol=f"HS/BENCH/{i + 1}", footer=("dash", "pageof")[i % 2], justify=i % 3 != 2)
        pdfs.append((data, truth))
    n_pages = sum(t.pages for _, t in pdfs)
    pages = []
    for s in srcs:
        page = make_html(s)
        pages += [(page, s), (page.replace("<article", "<div").replace("</article>", "</div>"), s), (div_soup(page), s), (heavy(page), s)]

    report = {"documents": len(srcs), "pdf_pages": n_pages, "html_pages": len(pages), "pdf": {}, "html": {}}
    for name, fn in PDF_CANDIDATES.items():
        try:
            scores = [pdf_scores(fn(d), t, s, f"HS/BENCH/{i + 1}") for i, ((d, t), s) in enumerate(zip(pdfs, srcs))]
        except ImportError as e:
            report["pdf"][name] = {"error": f"not installed ({e.name})"}
            continue
        secs = timed(fn, [d for d, _ in pdfs], args.repeat)
        report["pdf"][name] = {
            **{k: round(statistics.mean(s[k] for s in scores), 4) for k in scores[0]},
            "worst_in_order": round(min(s["in_order"] for s in scores), 4),
            "pages_per_s": round(n_pages / secs, 1),
            "ms_per_page": round(1000 * secs / n_pages, 2),
        }
    for name, fn in HTML_CANDIDATES.items():
        try:
            scores = [html_scores(fn(p), s) for p, s in pages]
        except ImportError as e:
            report["html"][name] = {"error": f"not installed ({e.name})"}
            continue
        per = []
        for p, _ in pages:
            per.append(timed(fn, [p], args.repeat))
        report["html"][name] = {
            "content": round(statistics.mean(s["content"] for s in scores), 4),
            "chrome_leaks": sum(s["chrome"] for s in scores),
            "headings": round(statistics.mean(s["headings"] for s in scores if s["headings"] is not None), 4),
            "ms_per_page": round(1000 * statistics.median(per), 2),
            "ms_max": round(1000 * max(per), 2),
        }
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    print(markdown(report))


def markdown(r: dict) -> str:
    out = [
        f"PDF: {r['documents']} documents as {r['pdf_pages']} pages; HTML: {r['html_pages']} pages.",
        "",
        "| PDF library | words in order | worst doc | noise words | paragraphs intact | pages/s | ms/page |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, v in r["pdf"].items():
        if "error" in v:
            out.append(f"| {name} | {v['error']} | | | | | |")
            continue
        out.append(
            f"| {name} | {v['in_order']:.3f} | {v['worst_in_order']:.3f} | {v['noise']:.3f} | {v['paragraphs']:.3f} "
            f"| {v['pages_per_s']} | {v['ms_per_page']} |"
        )
    out += ["", "| HTML extractor | content paragraphs | chrome phrases leaked | headings kept | ms/page (median) | ms max |", "|---|---|---|---|---|---|"]
    for name, v in r["html"].items():
        if "error" in v:
            out.append(f"| {name} | {v['error']} | | | | |")
            continue
        out.append(f"| {name} | {v['content']:.3f} | {v['chrome_leaks']} | {v['headings']:.3f} | {v['ms_per_page']} | {v['ms_max']} |")
    return "\n".join(out)


if __name__ == "__main__":
    main()
