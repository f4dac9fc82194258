"""Test documents made here: a meeting summary (.txt/.md) turned into a PDF laid out like a UN document, or
into an HTML page with real-world site chrome around it, together with the ground truth of what was written.

PDF (fpdf2, a test extra): page 1 carries the document symbol at the top right, the title block, then the
body; later pages a running header (symbol + short title, the symbol repeated as a header) and every page a
page-number footer ("- 2 -" or "Page 2 of 5"). Lines are wrapped by the writer itself, justified lines place
every word separately (no space characters in the content stream, as many producers do), long words at line
ends are hyphenated, and some paragraphs get a footnote (a superscript marker, the note in small type at the
foot of the page). Paragraphs continue across page breaks wherever they happen to fall.

HTML: navigation, header, cookie banner, share links, a related-stories box, scripts, styles and a footer
around an <article> with <h1>, a dateline/<time>, <h2> sections, <p> paragraphs and <li> items.
"""

from __future__ import annotations

import html as _html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from hsqa.documents import human_date, parse_document, read_text, strip_markup

_DEJAVU = Path(os.environ.get("HSQA_TEST_FONTS", "/usr/share/fonts/truetype/dejavu"))
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "})


@dataclass
class Source:
    """A meeting summary reduced to what a writer lays out."""

    name: str
    title: str
    date: str | None
    place: str | None
    blocks: list[tuple[str, str]]  #: ("heading" | "para", text) in reading order


def source_from_text(text: str, name: str) -> Source:
    d = parse_document(text, name)
    items = [(h.start, "heading", h.title) for h in d.headings]
    items += [(p.start, "para", " ".join(strip_markup(_without_dropped(d, p)).split())) for p in d.paragraphs]
    return Source(name, d.title, d.date, d.place, [(k, t) for _, k, t in sorted(items)])


def _without_dropped(d, p) -> str:
    """A paragraph's text without the boilerplate the parser dropped inside it (a "- 3 -" page-break line)."""
    text, pos = "", p.start
    for a, b in sorted(d.dropped):
        if p.start <= a and b <= p.end:
            text += d.text[pos:a]
            pos = b
    return text + d.text[pos : p.end]


def source_from_file(path: Path) -> Source:
    text, _ = read_text(path.read_bytes(), path.name)
    return source_from_text(text, path.name)


@dataclass
class Written:
    """Ground truth of a written PDF."""

    paragraphs: list[tuple[str, int]] = field(default_factory=list)  #: (text, page where it starts)
    headings: list[str] = field(default_factory=list)
    footnotes: list[tuple[str, int]] = field(default_factory=list)
    running: list[str] = field(default_factory=list)  #: header/footer lines that must not reach a passage
    hyphenated: list[str] = field(default_factory=list)  #: words split at a line end
    pages: int = 0


FOOTNOTES = [
    "The full statement is available from the secretariat on request.",
    "Delegations were invited to submit written comments before the end of the month.",
    "The list of participants is annexed to the original summary.",
    "Figures quoted are those given by the speaker and were not verified.",
]


class _PdfWriter:
    def __init__(self, src: Source, symbol: str, footer: str, justify: bool, footnotes: bool, hyphenate: bool, total: int = 0):
        self.total = total
        from fpdf import FPDF

        self.src, self.symbol, self.footer_style = src, symbol, footer
        self.justify, self.with_notes, self.hyphenate = justify, footnotes, hyphenate
        self.truth = Written()
        pdf = FPDF(format="A4", unit="pt")
        pdf.set_auto_page_break(False)
        pdf.set_compression(True)
        if (_DEJAVU / "DejaVuSerif.ttf").exists():
            pdf.add_font("body", "", str(_DEJAVU / "DejaVuSerif.ttf"))
            pdf.add_font("body", "B", str(_DEJAVU / "DejaVuSerif-Bold.ttf"))
            self.fold = False
        else:  # the core Times font writes Latin-1 only
            self.fold = True
        self.font = "body" if not self.fold else "Times"
        self.pdf = pdf
        self.left, self.right, self.top, self.bottom = 72.0, 523.0, 80.0, 770.0
        self.size, self.lead = 11.0, 14.5
        self.page_notes: list[str] = []
        self.note_n = 0

    def t(self, s: str) -> str:
        return s.translate(_FOLD) if self.fold else s

    # -- pages --------------------------------------------------------------------------------
    def new_page(self) -> None:
        pdf = self.pdf
        if pdf.page:
            self.finish_page()
        pdf.add_page()
        self.page_notes = []
        n = pdf.page
        pdf.set_font(self.font, "", 9)
        if n == 1:
            pdf.text(self.right - pdf.get_string_width(self.symbol), 50, self.symbol)
        else:
            short = self.t(self.src.title)[:60]
            pdf.text(self.left, 50, self.symbol)
            pdf.text(self.right - pdf.get_string_width(short), 50, short)
            self.truth.running += [self.symbol, short]
        self.y = self.top

    def finish_page(self) -> None:
        pdf, n = self.pdf, self.pdf.page
        if self.page_notes:
            pdf.set_font(self.font, "", 8)
            y = self.bottom + 4 - 10.5 * len(self.page_notes)
            pdf.line(self.left, y - 9, self.left + 120, y - 9)
            for note in self.page_notes:
                pdf.text(self.left, y, note)
                y += 10.5
        pdf.set_font(self.font, "", 9)
        foot = f"- {n} -" if self.footer_style == "dash" else f"Page {n} of {self.total or '?'}"
        pdf.text((self.left + self.right) / 2 - pdf.get_string_width(foot) / 2, 805, foot)
        self.truth.running.append(foot)

    def limit(self) -> float:
        return self.bottom - 10.5 * len(self.page_notes) - (14 if self.page_notes else 0)

    # -- text ---------------------------------------------------------------------------------
    def lines_of(self, words: list[str], first: float, rest: float) -> list[list[str]]:
        """Words broken into lines: the first line ``first`` wide (it is indented), the others ``rest``."""
        pdf, lines, cur = self.pdf, [], []
        for w in words:
            width = first if not lines else rest
            trial = " ".join(cur + [w])
            if not cur or pdf.get_string_width(trial) <= width:
                cur.append(w)
                continue
            if self.hyphenate and re.fullmatch(r"[A-Za-z]{8,}[,.;:]?", w):
                k = len(w.rstrip(",.;:")) - 3
                while k >= 4 and pdf.get_string_width(" ".join(cur + [w[:k] + "-"])) > width:
                    k -= 1
                if k >= 4:
                    cur.append(w[:k] + "-")
                    self.truth.hyphenated.append(w.rstrip(",.;:"))
                    lines.append(cur)
                    cur = [w[k:]]
                    continue
            lines.append(cur)
            cur = [w]
        if cur:
            lines.append(cur)
        return lines

    def put_line(self, words: list[str], justified: bool, indent: float = 0.0) -> None:
        pdf, x0 = self.pdf, self.left + indent
        if not justified or len(words) < 2:
            pdf.text(x0, self.y, " ".join(words))
            return
        widths = [pdf.get_string_width(w) for w in words]
        gap = (self.right - x0 - sum(widths)) / (len(words) - 1)
        x = x0
        for w, wd in zip(words, widths):
            pdf.text(x, self.y, w)
            x += wd + gap

    def block(self, kind: str, text: str) -> None:
        pdf = self.pdf
        text = self.t(text)
        if kind == "heading":
            if self.y + 3 * self.lead > self.limit():
                self.new_page()
            self.y += 8
            pdf.set_font(self.font, "B", 11.5)
            pdf.text(self.left, self.y, text)
            self.truth.headings.append(text)
            self.y += self.lead + 4
            return
        note = None
        if self.with_notes and len(self.truth.paragraphs) % 4 == 2:
            self.note_n += 1
            note = self.t(FOOTNOTES[(self.note_n - 1) % len(FOOTNOTES)])
        pdf.set_font(self.font, "", self.size)
        lines = self.lines_of(text.split(), self.right - self.left - 18, self.right - self.left)
        start_page = None
        for i, ln in enumerate(lines):
            last = i == len(lines) - 1
            need = self.lead + (10.5 + 14 if last and note else 0)
            if self.y + need > self.limit() + self.lead:
                self.new_page()
                pdf.set_font(self.font, "", self.size)
            if start_page is None:
                start_page = pdf.page
            self.put_line(ln, self.justify and not last, 18 if i == 0 else 0)
            if last and note:
                end = self.left + (18 if i == 0 else 0) + self._width(ln)
                pdf.set_font(self.font, "", 7)
                pdf.text(end + 1, self.y - 4, str(self.note_n))
                pdf.set_font(self.font, "", self.size)
                self.page_notes.append(f"{self.note_n} {note}")
                self.truth.footnotes.append((f"{self.note_n} {note}", pdf.page))
            self.y += self.lead
        self.truth.paragraphs.append((text, start_page))
        self.y += 6

    def _width(self, words: list[str]) -> float:
        return self.pdf.get_string_width(" ".join(words))

    def write(self) -> tuple[bytes, Written]:
        pdf, src = self.pdf, self.src
        self.new_page()
        pdf.set_font(self.font, "B", 14)
        for line in _wrap_title(self.t(src.title)):
            pdf.text(self.left, self.y, line)
            self.y += 18
        pdf.set_font(self.font, "", 11)
        for line in [src.place, human_date(src.date)]:
            if line:
                pdf.text(self.left, self.y, self.t(line))
                self.y += self.lead
        self.y += 12
        for kind, text in src.blocks:
            self.block(kind, text)
        self.finish_page()
        self.truth.pages = pdf.page
        return bytes(pdf.output()), self.truth


def _wrap_title(title: str, width: int = 60) -> list[str]:
    words, lines, cur = title.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    return lines + ([cur] if cur else [])


def make_pdf(
    src: Source,
    symbol: str = "HS/2026/1",
    footer: str = "dash",
    justify: bool = True,
    footnotes: bool = True,
    hyphenate: bool = True,
) -> tuple[bytes, Written]:
    """Lay ``src`` out as a multi-page PDF; return its bytes and what was written where."""
    data, truth = _PdfWriter(src, symbol, footer, justify, footnotes, hyphenate).write()
    if footer == "pageof":  # "Page n of m": the page count is known after a first pass
        data, truth = _PdfWriter(src, symbol, footer, justify, footnotes, hyphenate, total=truth.pages).write()
    return data, truth


def image_only_pdf() -> bytes:
    """A 'scanned' page: one image, no text layer."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    img = Image.new("L", (600, 800), 255)
    draw = ImageDraw.Draw(img)
    for y in range(60, 760, 22):
        draw.rectangle([50, y, 550, y + 9], fill=40)
    pdf = FPDF(format="A4", unit="pt")
    pdf.add_page()
    pdf.image(img, x=40, y=40, w=500)
    return bytes(pdf.output())


def encrypted_pdf(src: Source, user_password: str | None = "user-secret") -> bytes:
    """Encrypted; with ``user_password=None`` anyone may open it (only editing is restricted)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.set_encryption(owner_password="owner-secret", user_password=user_password)
    pdf.add_page()
    pdf.set_font("Times", "", 11)
    pdf.multi_cell(0, 14, src.blocks[-1][1].translate(_FOLD).encode("latin-1", "replace").decode("latin-1"))
    return bytes(pdf.output())


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------

CHROME_TEXTS = [
    "Skip to main content",
    "Welcome to the United Nations",
    "Meetings Coverage and Press Releases",
    "We use cookies to improve your experience on our website",
    "Accept all cookies",
    "Share this story",
    "Related stories",
    "Deputy Secretary-General opens photo exhibition on ocean pollution",
    "Terms of use",
    "Privacy notice",
    "Fraud alert",
    "Copyright United Nations",
    "Subscribe to our newsletter",
    "window.dataLayer",
]


def make_html(src: Source, site: str = "UN Meetings Coverage", dateline: bool = True, meta_date: bool = True) -> str:
    """An HTML page: ``src`` as the article, surrounded by site navigation and other chrome."""
    e = _html.escape
    date_h = human_date(src.date)
    body = []
    for kind, text in src.blocks:
        if kind == "heading":
            body.append(f"<h2>{e(text)}</h2>")
        elif re.match(r"^\d+\.\)\s|^[-•]\s", text):
            body.append(f"<ul><li>{e(text)}</li></ul>")
        else:
            body.append(f"<p>{e(text)}</p>")
    meta = f'<meta property="article:published_time" content="{src.date}T10:00:00Z">' if meta_date and src.date else ""
    when = f'<p class="dateline"><time datetime="{src.date}">{e(date_h)}</time></p>' if dateline and src.date else ""
    place = f'<p class="place">{e(src.place)}</p>' if src.place else ""
    related = "".join(
        f'<li><a href="/story/{i}">{t}</a></li>'
        for i, t in enumerate([CHROME_TEXTS[7], "Security Council extends mandate of mission in Haiti", "General Assembly elects new members of the Human Rights Council"])
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{e(src.title)} | {site}</title>
{meta}
<meta name="viewport" content="width=device-width">
<style>body {{ font-family: sans-serif }} .cookie {{ position: fixed }} nav ul li {{ display: inline }}</style>
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}} gtag('js', new Date());</script>
</head><body>
<a class="skip" href="#main">Skip to main content</a>
<div class="cookie-banner" id="cookie-consent"><p>We use cookies to improve your experience on our website. By continuing you agree.</p><button>Accept all cookies</button></div>
<header class="site-header"><div class="brand">Welcome to the United Nations</div>
<nav class="main-menu"><ul><li><a href="/">Home</a></li><li><a href="/press">Meetings Coverage and Press Releases</a></li><li><a href="/sg">Secretary-General</a></li><li><a href="/ga">General Assembly</a></li><li><a href="/sc">Security Council</a></li></ul></nav>
<form class="search"><input type="text" placeholder="Search the United Nations"><button>Search</button></form>
</header>
<nav class="breadcrumb"><a href="/">Home</a> &rsaquo; <a href="/press">Press releases</a> &rsaquo; Human security</nav>
<main id="main"><div class="layout">
<article class="story">
<h1>{e(src.title)}</h1>
{when}
{place}
<div class="share"><span>Share this story</span> <a href="#">Facebook</a> <a href="#">X</a> <a href="#">Email</a> <a href="#">Print</a></div>
<div class="field-body">
{chr(10).join(body)}
</div>
</article>
<aside class="related"><h2>Related stories</h2><ul>{related}</ul></aside>
</div></main>
<div class="newsletter"><h3>Subscribe to our newsletter</h3><p>Get the latest news in your inbox every morning.</p></div>
<footer class="site-footer"><ul><li><a href="/terms">Terms of use</a></li><li><a href="/privacy">Privacy notice</a></li><li><a href="/fraud">Fraud alert</a></li></ul><p>Copyright United Nations</p></footer>
<script src="/analytics.js"></script><script>console.log("loaded")</script>
</body></html>
"""
