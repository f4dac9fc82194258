"""Render the HTML pages and PDFs of the held-out corpus (benchmarks/corpus-fresh/) from their sources.

    .venv/bin/python benchmarks/fresh_make.py        # writes benchmarks/corpus-fresh/*.html, *.pdf

The sources (benchmarks/fresh-src/*.src) hold the text, written for this corpus; this script only lays it
out, in the shapes of real UN pages and documents, with a layout engine unlike tests/docmaker.py (which the
PDF extractor was built against): fpdf2's own text flow (``write``: ragged right, first-line indents,
hanging indents, italics inside a line, superscript note markers in mid-line, notes at the foot of the page,
running headers on alternating sides, job-number and "Please recycle" footers), and HTML pages with the
chrome of press.un.org (page title outside the <article>, masthead fields, disclaimer), un.org/sg
(no <article>, breadcrumb, translations, tags) and news.un.org (photo caption, share bar, related
stories, audio box).

A source starts with ``key: value`` lines, a blank line, then body lines (see the two renderers).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SRC = ROOT / "fresh-src"
OUT = ROOT / "corpus-fresh"
FONTS = Path("/usr/share/fonts/truetype/dejavu")


def read_src(path: Path) -> tuple[dict, list[str]]:
    head, body = path.read_text(encoding="utf-8").split("\n\n", 1)
    meta = {}
    for line in head.splitlines():
        k, v = line.split(":", 1)
        meta[k.strip()] = v.strip()
    return meta, [x for x in body.splitlines() if x.strip()]


def human(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B')} {d.year}"


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------


def inline(s: str) -> str:
    s = html.escape(s, quote=False)
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", s)


def body_html(lines: list[str]) -> str:
    out, in_list = [], False
    for ln in lines:
        if ln.startswith("- "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"  <li>{inline(ln[2:])}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if ln.startswith("## "):
            out.append(f"<h2>{inline(ln[3:])}</h2>")
        elif ln.strip() == "* *** *":
            out.append('<p class="text-center">* *** *</p>')
        else:
            out.append(f"<p>{inline(ln)}</p>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


LANGS = '<ul class="language-switcher"><li><a href="/ar">العربية</a></li><li><a href="/zh">中文</a></li><li class="active"><a href="/en">English</a></li><li><a href="/fr">Français</a></li><li><a href="/ru">Русский</a></li><li><a href="/es">Español</a></li></ul>'


def press_page(m: dict, lines: list[str]) -> str:
    organ = m["organ"]
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(m['title'])} | Meetings Coverage and Press Releases</title>
<meta property="og:site_name" content="UN Press">
<meta property="og:title" content="{html.escape(m['title'])}">
<link rel="stylesheet" href="/themes/custom/un_press/css/style.css">
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
</head>
<body class="path-node page-node-type-press-release">
<a href="#main-content" class="visually-hidden focusable skip-link">Skip to main content</a>
<div class="dialog-off-canvas-main-canvas">
<div class="un-top-bar"><span>Welcome to the United Nations</span>{LANGS}</div>
<header role="banner" class="site-header">
  <a href="/en" class="logo"><img src="/logo.svg" alt="United Nations"> Meetings Coverage and Press Releases</a>
  <form class="search-block-form" action="/en/search"><input type="search" name="keys" placeholder="Search"><button>Search</button></form>
</header>
<nav role="navigation" aria-label="Main navigation" class="main-menu">
  <ul><li><a href="/en/content/secretary-general">Secretary-General</a></li><li><a href="/en/content/general-assembly">General Assembly</a></li><li><a href="/en/content/security-council">Security Council</a></li><li><a href="/en/content/economic-and-social-council">Economic and Social Council</a></li><li><a href="/en/content/press-briefing">Press Briefings</a></li><li><a href="/en/content/press-material">Press Materials</a></li></ul>
</nav>
<main role="main">
<a id="main-content" tabindex="-1"></a>
<div class="region region-content">
  <div id="block-un-press-breadcrumbs"><nav aria-label="breadcrumb"><ol class="breadcrumb"><li><a href="/en">Home</a></li><li><a href="/en/content/meetings-coverage">Meetings Coverage</a></li><li><a href="/en/content/{organ.lower().replace(' ', '-')}">{organ}</a></li></ol></nav></div>
  <div id="block-un-press-page-title"><h1 class="page-header"><span>{html.escape(m['title'])}</span></h1></div>
  <div id="block-un-press-content">
  <article role="article" class="node node--type-press-release node--view-mode-full">
    <div class="node__content">
      <div class="field field--name-field-display-type">Meetings Coverage</div>
      <div class="field field--name-field-organ">{organ}</div>
      <div class="field field--name-field-meeting-number">{html.escape(m['meeting'])}</div>
      <div class="field field--name-field-document-symbol">{m['symbol']}</div>
      <div class="field field--name-field-dated"><time datetime="{m['date']}T12:00:00Z">{human(m['date'])}</time></div>
      <div class="field field--name-field-disclaimer">For information media. Not an official record.</div>
      <div class="field field--name-field-sub-title"><h2>{html.escape(m['subtitle'])}</h2></div>
      <div class="clearfix text-formatted field field--name-body">
{body_html(lines)}
      </div>
      <div class="field field--name-field-body-disclaimer"><p>For information media. Not an official record.</p></div>
    </div>
  </article>
  </div>
</div>
</main>
<footer role="contentinfo" class="site-footer">
  <ul><li><a href="/en/about-us">About Us</a></li><li><a href="https://www.un.org/en/about-us/copyright">Copyright</a></li><li><a href="https://www.un.org/en/about-us/fraud-alert">Fraud Alert</a></li><li><a href="https://www.un.org/en/about-us/privacy-notice">Privacy Notice</a></li><li><a href="https://www.un.org/en/about-us/terms-of-use">Terms of Use</a></li></ul>
</footer>
</div>
</body>
</html>
"""


def sg_page(m: dict, lines: list[str]) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{html.escape(m['title'])} | United Nations Secretary-General</title>
<meta name="description" content="{html.escape(lines[-1][:150])}">
<style>.element-invisible{{position:absolute;clip:rect(1px,1px,1px,1px)}}</style>
</head>
<body class="html not-front page-node node-type-statement">
<div id="skip-link"><a href="#main-content" class="element-invisible element-focusable">Skip to main content</a></div>
<div id="header-top">{LANGS}</div>
<div id="header"><a href="/sg/en" title="Home"><img src="/sg/logo.png" alt="Home"></a><div class="site-name">United Nations Secretary-General</div></div>
<div id="main-menu" class="region-navigation"><ul class="menu"><li>The Secretary-General</li><li>Priorities</li><li>Spokesperson</li><li>Speeches</li><li>Statements</li><li>Messages</li><li>Multimedia</li></ul></div>
<div class="breadcrumb"><a href="/sg/en">Home</a> » <a href="/sg/en/content/sg/statements">{m['kind']}</a> » {html.escape(m['title'][:60])}…</div>
<div id="main">
<div id="content" class="column"><a id="main-content"></a>
<h1 class="title" id="page-title">{html.escape(m['title'])}</h1>
<div class="field field-name-field-dateline"><span class="date-display-single">{m['place']}, {human(m['date'])}</span></div>
<div class="field field-name-body"><div class="field-items"><div class="field-item even" property="content:encoded">
{body_html(lines)}
</div></div></div>
<div class="field field-name-field-topics"><div class="field-label">Topics:&nbsp;</div><div class="field-items"><a href="/sg/en/topics">Peace and security</a></div></div>
<div class="translations"><span>Read in:</span> <a href="/sg/fr">Français</a> <a href="/sg/es">Español</a></div>
</div>
<div id="sidebar-second" class="column sidebar"><div class="block"><h2>Related links</h2><ul><li><a href="#">Daily press briefings</a></li><li><a href="#">Secretary-General's travels</a></li></ul></div></div>
</div>
<div id="footer"><p>United Nations · Copyright · Terms of use · Privacy notice · Fraud alert</p></div>
</body>
</html>
"""


def news_page(m: dict, lines: list[str]) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(m['title'])} | UN News</title>
<meta property="og:type" content="article">
<meta property="article:published_time" content="{m['date']}T14:20:00-04:00">
<script src="/js/analytics.js"></script>
</head>
<body>
<header id="header"><a href="/en/" class="brand">UN News</a><span class="tagline">Global perspective Human stories</span>
<nav class="menu"><a href="/en/">Home</a> <a href="/en/news/topic">Topics</a> <a href="/en/in-depth">In depth</a> <a href="/en/audio-hub">Audio hub</a> <a href="/en/">Secretary-General</a></nav></header>
<div class="container">
<div class="story-topic"><a href="/en/news/topic/humanitarian-aid">{m['topic']}</a></div>
<div class="col-main">
<article class="story">
  <h1 class="story-title">{html.escape(m['title'])}</h1>
  <div class="story-date"><time datetime="{m['date']}">{human(m['date'])}</time></div>
  <figure class="story-image"><img src="/photo.jpg" alt=""><figcaption>{html.escape(m['figure'])} <span class="credit">© WHO/Photo Unit</span></figcaption></figure>
  <div class="field-name-field-news-story-lead"><p><strong>{html.escape(m['lead'])}</strong></p></div>
  <div class="share-bar"><a>Facebook</a> <a>Twitter</a> <a>Print</a> <a>Email</a></div>
  <div class="story-body">
{body_html(lines)}
  </div>
  <div class="audio-box"><h3>Audio</h3><p>Listen to our podcast: the week in review.</p></div>
</article>
</div>
<aside class="related-stories"><h2>Related Stories</h2><ul><li><a href="#">WHO declares COVID-19 a pandemic</a></li><li><a href="#">Guterres calls for global ceasefire</a></li></ul></aside>
</div>
<footer><div class="newsletter">Get the daily UN News brief <input type="email"></div><p>UN News · Privacy notice · Terms of use</p></footer>
</body>
</html>
"""


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


def new_document(Doc, lines: list[str], bottom: float):
    """An A4 document of the fpdf2 class ``Doc`` in DejaVu Serif, its first page added; with ``rich(text,
    size)``, which writes from the current position (_italic_ runs, ^n note markers raised, the note kept for
    the page's foot from the source's ``note: n …`` lines), and ``para(text, first, left, after)``, a paragraph
    whose first line starts at ``first``. Returns ``(pdf, rich, para, line height)``."""
    pdf = Doc(format="A4", unit="mm")
    Doc.notes = {}
    pdf.set_margins(20, 24, 20)
    pdf.set_auto_page_break(True, margin=bottom)
    for style, suffix in (("", ""), ("B", "-Bold"), ("I", "-Italic"), ("BI", "-BoldItalic")):
        pdf.add_font("serif", style, str(FONTS / f"DejaVuSerif{suffix}.ttf"))
    pdf.add_page()
    note_text = {ln[6:].split(" ", 1)[0]: ln[6:] for ln in lines if ln.startswith("note: ")}
    lead_h = 5.0

    def rich(text: str, size: float = 10.0) -> None:
        for part in re.split(r"(_[^_]+_|\^\d+)", text):
            if not part:
                continue
            if part.startswith("^"):
                num = part[1:]
                pdf.char_vpos = "SUP"
                pdf.set_font("serif", "", size)
                pdf.write(lead_h, num)
                pdf.char_vpos = "LINE"
                Doc.notes.setdefault(pdf.page_no(), []).append(note_text[num])
            elif part.startswith("_"):
                pdf.set_font("serif", "I", size)
                pdf.write(lead_h, part[1:-1])
            else:
                pdf.set_font("serif", "", size)
                pdf.write(lead_h, part)

    def para(text: str, first: float, left: float = 20.0, after: float = 2.5) -> None:
        pdf.set_left_margin(left)
        pdf.set_x(first)
        rich(text)
        pdf.ln(lead_h + after)
        pdf.set_left_margin(20)

    return pdf, rich, para, lead_h


def masthead_top(pdf, meta: dict, symbol_size: float) -> None:
    """The top of a UN document's first page: "United Nations", the symbol at the right over a rule, the organ
    in large bold, the distribution and its date at the right."""
    pdf.set_font("serif", "", 11)
    pdf.set_xy(20, 12)
    pdf.cell(60, 8, "United Nations")
    pdf.set_font("serif", "B", symbol_size)
    pdf.cell(110, 8, meta["symbol"], align="R")
    pdf.line(20, 21, 190, 21)
    pdf.set_xy(20, 26)
    pdf.set_font("serif", "B", 20)
    pdf.cell(100, 10, meta["organ"])
    pdf.set_font("serif", "", 9)
    pdf.set_xy(140, 26)
    pdf.cell(50, 4.5, meta["distr"])
    pdf.set_xy(140, 30.5)
    pdf.cell(50, 4.5, meta["distr_date"])


def write_notes(pdf, notes: list[str], margin: bool = False) -> None:
    """A page's notes ("3 text") at its foot, over a short rule, their numbers raised; ``margin``: set the
    left margin back to the page's first, as a page in columns moved it."""
    if not notes:
        return
    pdf.set_font("serif", "", 8)
    y = 297 - 22 - 4.2 * sum(1 + len(n) // 110 for n in notes)
    pdf.line(20, y - 2, 60, y - 2)
    pdf.set_xy(20, y)
    for n in notes:
        num, text = n.split(" ", 1)
        if margin:
            pdf.set_left_margin(20)
        pdf.set_x(20)
        pdf.char_vpos = "SUP"
        pdf.write(4.2, num)
        pdf.char_vpos = "LINE"
        pdf.write(4.2, " " + text)
        pdf.ln(4.2)


def reproducible(data: bytes, name: str) -> bytes:
    """``data`` (a PDF fpdf2 wrote) with its creation time fixed and its random file identifier made from
    ``name``, of the same length: the same source gives the same bytes."""
    pdf_date = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    data = re.sub(rb"D:\d{14}Z?[^)]*", pdf_date.strftime("D:%Y%m%d%H%M%SZ").encode(), data)
    ident = hashlib.md5(name.encode()).hexdigest().upper().encode()
    return re.sub(rb"/ID \[<[0-9A-F]{32}><[0-9A-F]{32}>\]", b"/ID [<" + ident + b"><" + ident + b">]", data)


def make_pdf(meta: dict, lines: list[str]) -> bytes:
    from fpdf import FPDF

    resolution = meta["style"] in ("resolution", "report")

    class Doc(FPDF):
        notes: dict[int, list[str]] = {}

        def header(self):
            if self.page_no() == 1:
                return
            self.set_font("serif", "", 8.5)
            left = meta.get("symbol") or ""
            right = meta.get("short") or meta.get("running", "")
            if resolution and self.page_no() % 2 == 0:
                left, right = right, left
            self.set_xy(20, 10)
            if resolution:
                self.cell(85, 5, left)
                self.cell(85, 5, right, align="R")
                self.line(20, 16, 190, 16)
            else:
                self.set_font("serif", "I", 8.5)
                self.cell(170, 5, meta["running"], align="C")
            self.set_y(24)

        def footer(self):
            write_notes(self, self.notes.get(self.page_no(), []))
            self.set_font("serif", "", 8)
            if resolution:
                self.set_xy(20, 285)
                if self.page_no() == 1:
                    self.cell(85, 4, meta["job"])
                    self.cell(85, 4, "Please recycle", align="R")
                    self.set_xy(20, 289)
                    self.cell(85, 4, "*" + re.sub(r"\D", "", meta["job"]) + "*")
                else:
                    num = f"{self.page_no()}/{{nb}}"
                    job = meta["job"].split()[0]
                    a, b = (num, job) if self.page_no() % 2 == 0 else (job, num)
                    self.cell(85, 4, a)
                    self.cell(85, 4, b, align="R")
            else:
                self.set_xy(20, 285)
                self.cell(170, 4, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf, rich, para, lead_h = new_document(Doc, lines, bottom=40)

    if resolution:
        masthead_top(pdf, meta, 16 if meta["symbol"].startswith("A/") else 14)
        y = 40
        if meta.get("session"):
            pdf.set_xy(20, y)
            pdf.set_font("serif", "B", 10)
            pdf.cell(100, 5, meta["session"])
            pdf.set_xy(20, y + 5)
            pdf.set_font("serif", "", 10)
            pdf.cell(100, 5, meta["agenda"])
            y += 12
        pdf.line(20, y + 2, 190, y + 2)
        pdf.set_y(y + 8)
    else:
        pdf.set_y(30)

    for ln in lines:
        kind, _, text = ln.partition(": ")
        if kind == "note":
            continue
        if kind == "title":
            pdf.set_font("serif", "B", 14 if not resolution else 12)
            pdf.set_x(20)
            pdf.multi_cell(170, 7, text, align="C" if not resolution else "L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind == "subtitle":
            pdf.set_font("serif", "", 11)
            pdf.multi_cell(170, 6, text, align="C", new_x="LMARGIN", new_y="NEXT")
            if ln == [x for x in lines if x.startswith("subtitle: ")][-1]:
                pdf.ln(6)
        elif kind == "center":
            pdf.set_font("serif", "", 10)
            pdf.multi_cell(170, 5, text, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind == "center-bold":
            pdf.ln(2)
            pdf.set_font("serif", "B", 10)
            pdf.multi_cell(170, 5, text, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind == "h":
            pdf.ln(2)
            pdf.set_font("serif", "B", 11)
            pdf.multi_cell(170, 6, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        elif kind == "lead":
            para(f"_{text}_", 32.5)
        elif kind in ("pre", "op"):
            para(text, 32.5)  # first-line indent, the following lines at the margin
        elif kind == "item":
            para(text, 45.0)
        elif kind == "np":  # numbered paragraph with a hanging indent
            num, rest = text.split(" ", 1)
            pdf.set_font("serif", "", 10)
            pdf.set_x(20)
            pdf.cell(10, lead_h, num)
            para(rest, 30.0, left=30.0)
        elif kind == "agenda-text":  # the agenda item's title under the masthead, in bold, indented
            pdf.set_font("serif", "B", 10)
            pdf.set_x(40)
            pdf.multi_cell(100, 5, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        elif kind == "summary":  # a framed summary, as on the first page of a report
            pdf.ln(3)
            y = pdf.get_y()
            pdf.set_font("serif", "B", 10)
            pdf.cell(170, 6, "Summary", align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("serif", "", 10)
            pdf.set_x(30)
            pdf.multi_cell(150, 5, text, align="J", new_x="LMARGIN", new_y="NEXT")
            pdf.rect(25, y - 2, 160, pdf.get_y() - y + 4)
            pdf.ln(6)
        elif kind in ("h", "h2"):  # numbered heading with its number hanging in the margin
            num, rest = text.split(" ", 1)
            pdf.ln(3)
            pdf.set_font("serif", "B", 11 if kind == "h" else 10)
            y = pdf.get_y()
            pdf.set_xy(32 if kind == "h" else 37, y)
            pdf.cell(10, 6, num)
            pdf.set_xy(42, y)
            pdf.multi_cell(148, 6, rest, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind in ("jp", "ji"):  # justified paragraph or item, number hanging before a text block
            num, rest = text.split(" ", 1)
            pdf.set_font("serif", "", 10)
            y = pdf.get_y()
            x = 42 if kind == "jp" else 52
            if y + 10 > pdf.page_break_trigger:
                pdf.add_page()
                y = pdf.get_y()
            pdf.set_xy(x - 10, y)
            pdf.cell(10, 5, num)
            pdf.set_xy(x, y)
            pdf.multi_cell(190 - x, 5, rest, align="J", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2.5)
        elif kind == "right":
            pdf.set_font("serif", "I", 10)
            pdf.cell(170, 5, text, align="R", new_x="LMARGIN", new_y="NEXT")
        elif kind == "annex":
            pdf.add_page()
            pdf.set_font("serif", "B", 12)
            pdf.cell(170, 7, text, align="C", new_x="LMARGIN", new_y="NEXT")
        elif kind == "annex-title":
            pdf.set_font("serif", "B", 12)
            pdf.cell(170, 7, text, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(5)
        elif kind == "row":
            who, what = [x.strip() for x in text.split("|")]
            y = pdf.get_y()
            pdf.set_font("serif", "B", 10)
            pdf.set_xy(20, y)
            pdf.multi_cell(45, 5, who)
            y1 = pdf.get_y()
            pdf.set_font("serif", "", 10)
            pdf.set_xy(68, y)
            pdf.multi_cell(122, 5, what)
            pdf.set_y(max(y1, pdf.get_y()) + 2)
        else:
            raise SystemExit(f"unknown line kind {kind!r}: {ln[:60]}")
    return bytes(pdf.output())


def main() -> int:
    for src in sorted(SRC.glob("*.src")):
        meta, lines = read_src(src)
        if "style" in meta:
            (OUT / f"{src.stem}.pdf").write_bytes(reproducible(make_pdf(meta, lines), src.stem))
        else:
            page = {"press": press_page, "sg": sg_page, "news": news_page}[meta["template"]](meta, lines)
            (OUT / f"{src.stem}.html").write_text(page, encoding="utf-8")
        print("wrote", src.stem)
    return 0


if __name__ == "__main__":
    sys.exit(main())
