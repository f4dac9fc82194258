"""Render the PDFs of the second held-out corpus (benchmarks/corpus-fresh2/) from their sources.

    .venv/bin/python benchmarks/fresh2_make.py        # writes benchmarks/corpus-fresh2/*.pdf

The sources (benchmarks/fresh2-src/*.src) hold the text, written for this corpus; this script lays it out
with fpdf2, in two shapes the first probe (fresh_make.py) did not have:

* ``style: un`` — a UN masthead whose session block runs over several lines (Human Rights Council, session,
  dates, agenda item and its title), a presidential statement whose paragraphs are each opened by a curly
  quote (the last one closed), sub-items "(i)" nested under lettered items, a vote line in brackets after
  the meeting and date, notes at the foot of the page, job-number footers;
* ``style: columns`` — a magazine article in two columns (UN Chronicle): a kicker and a title across the
  page, a byline, bold sub-headings and paragraphs flowing from the left column into the right one and on to
  the next page, superscript note markers, notes across the foot of the page, a running header.

The HTML and text documents of the corpus are written directly (see its README.md).
A source starts with ``key: value`` lines, a blank line, then body lines ``kind: text``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SRC = ROOT / "fresh2-src"
OUT = ROOT / "corpus-fresh2"
FONTS = Path("/usr/share/fonts/truetype/dejavu")
sys.path.insert(0, str(ROOT))
from fresh_make import masthead_top, new_document, read_src, reproducible, write_notes  # noqa: E402  (the first probe's renderer)


def _doc_class(meta: dict):
    from fpdf import FPDF

    columns = meta["style"] == "columns"

    class Doc(FPDF):
        notes: dict[int, list[str]] = {}
        col = 0

        def header(self):
            if self.page_no() == 1:
                return
            self.set_font("serif", "", 8.5)
            self.set_xy(20, 10)
            if columns:
                self.set_font("serif", "I", 8.5)
                self.cell(170, 5, meta["running"], align="L" if self.page_no() % 2 else "R")
            else:
                left, right = meta["symbol"], ""
                if self.page_no() % 2 == 0:
                    left, right = right, left
                self.cell(85, 5, left)
                self.cell(85, 5, right, align="R")
            self.line(20, 16, 190, 16)
            self.set_y(24)

        def footer(self):
            write_notes(self, self.notes.get(self.page_no(), []), margin=True)
            self.set_font("serif", "", 8)
            self.set_xy(20, 285)
            if columns:
                self.cell(170, 4, str(self.page_no()), align="C")
            elif self.page_no() == 1:
                self.cell(85, 4, meta["job"])
                self.cell(85, 4, "Please recycle", align="R")
                self.set_xy(20, 289)
                self.cell(85, 4, "*" + re.sub(r"\D", "", meta["job"]) + "*")
            else:
                num, job = f"{self.page_no()}/{{nb}}", meta["job"].split()[0]
                a, b = (num, job) if self.page_no() % 2 == 0 else (job, num)
                self.cell(85, 4, a)
                self.cell(85, 4, b, align="R")

        @property
        def accept_page_break(self):  # a property in fpdf2
            if not columns:
                return True
            if self.col == 0:  # flow on into the right column of the same page
                self.col = 1
                self.set_left_margin(108)
                self.set_right_margin(20)
                self.set_xy(108, self.top)
                return False
            self.col = 0
            self.set_left_margin(20)
            self.set_right_margin(108)
            return True

    return Doc


def make_pdf(meta: dict, lines: list[str]) -> bytes:
    Doc = _doc_class(meta)
    pdf, rich, para, lead_h = new_document(Doc, lines, bottom=45)

    if meta["style"] == "columns":
        _columns(pdf, meta, lines, rich, lead_h)
        return bytes(pdf.output())
    _masthead(pdf, meta)
    for ln in lines:
        kind, _, text = ln.partition(": ")
        if kind == "note":
            continue
        if kind == "title":
            pdf.set_font("serif", "B", 12)
            pdf.set_x(20)
            pdf.multi_cell(170, 6, text, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        elif kind == "center":
            pdf.set_font("serif", "", 10)
            pdf.multi_cell(170, 5, text, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        elif kind == "center-bold":
            pdf.set_font("serif", "B", 12)
            pdf.multi_cell(170, 6, text, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        elif kind == "lead":
            para(f"_{text}_", 32.5)
        elif kind in ("pre", "op", "quote"):
            para(text, 32.5)
        elif kind == "item":
            para(text, 45.0)
        elif kind == "sub":  # a roman sub-item under a lettered item, indented further
            para(text, 55.0, left=55.0)
        elif kind == "right":
            pdf.set_font("serif", "I", 10)
            pdf.cell(170, 5, text, align="R", new_x="LMARGIN", new_y="NEXT")
        elif kind == "contents-head":  # "Contents" and the "Page" column label
            pdf.set_font("serif", "B", 11)
            pdf.cell(170, 6, text, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("serif", "I", 9)
            pdf.cell(170, 5, "Page", align="R", new_x="LMARGIN", new_y="NEXT")
        elif kind == "toc":  # a contents line: number, title, dot leaders, page number
            num, rest = text.split(" ", 1)
            title, page = rest.rsplit(" ", 1)
            pdf.set_font("serif", "", 10)
            pdf.set_x(30)
            pdf.cell(12, 5, num)
            leader = title + " "
            while pdf.get_string_width(leader + ". ") < 128:
                leader += ". "
            pdf.cell(130, 5, leader)
            pdf.cell(18, 5, page, align="R", new_x="LMARGIN", new_y="NEXT")
        elif kind == "newpage":
            pdf.add_page()
        elif kind == "chapter":  # a numbered chapter heading, its number hanging
            num, rest = text.split(" ", 1)
            pdf.ln(3)
            pdf.set_font("serif", "B", 11)
            y = pdf.get_y()
            pdf.set_xy(30, y)
            pdf.cell(12, 6, num)
            pdf.set_xy(42, y)
            pdf.multi_cell(148, 6, rest, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind == "np":  # a numbered paragraph: the number hanging before a justified block
            num, rest = text.split(" ", 1)
            pdf.set_font("serif", "", 10)
            y = pdf.get_y()
            if y + 12 > pdf.page_break_trigger:
                pdf.add_page()
                y = pdf.get_y()
            pdf.set_xy(30, y)
            pdf.cell(12, 5, num)
            pdf.set_xy(42, y)
            pdf.set_left_margin(42)
            rich(text[len(num) + 1:]) if "^" in rest else pdf.multi_cell(148, 5, rest, align="J", new_x="LMARGIN", new_y="NEXT")
            if "^" in rest:
                pdf.ln(5)
            pdf.set_left_margin(20)
            pdf.ln(2.5)
        elif kind == "table-title":
            pdf.ln(2)
            pdf.set_font("serif", "B", 10)
            pdf.set_x(42)
            pdf.multi_cell(148, 5, text, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif kind in ("thead", "trow"):  # a table row: cells at fixed columns, the header in italics
            cells = [c.strip() for c in text.split("|")]
            pdf.set_font("serif", "I" if kind == "thead" else "", 9.5)
            y = pdf.get_y()
            for x, w, c in zip((42, 112, 152), (70, 38, 38), cells):
                pdf.set_xy(x, y)
                pdf.cell(w, 5, c, align="L" if x == 42 else "R")
            pdf.set_y(y + 5.5)
            if kind == "thead":
                pdf.line(42, y + 5.3, 190, y + 5.3)
        else:
            raise SystemExit(f"unknown line kind {kind!r}: {ln[:60]}")
    return bytes(pdf.output())


def _masthead(pdf, meta: dict) -> None:
    masthead_top(pdf, meta, 14)
    y = 40
    if meta.get("session"):
        for i, part in enumerate(meta["session"].split("|")):
            pdf.set_xy(20, y)
            pdf.set_font("serif", "B" if i in (0, 1, 4) else "", 10)
            pdf.multi_cell(110, 5, part, align="L", new_x="LMARGIN", new_y="NEXT")
            y = pdf.get_y()
        y += 2
    pdf.line(20, y + 2, 190, y + 2)
    pdf.set_y(y + 8)


def _columns(pdf, meta: dict, lines: list[str], rich, lead_h: float) -> None:
    pdf.set_font("serif", "", 8.5)
    pdf.set_xy(20, 14)
    pdf.cell(170, 5, meta["kicker"])
    pdf.set_xy(20, 24)
    pdf.set_font("serif", "B", 18)
    pdf.multi_cell(170, 8, meta["title"], align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("serif", "I", 10)
    pdf.cell(170, 5, meta["byline"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("serif", "", 9)
    pdf.cell(170, 5, meta["date"], new_x="LMARGIN", new_y="NEXT")
    pdf.line(20, pdf.get_y() + 2, 190, pdf.get_y() + 2)
    pdf.ln(6)
    pdf.top = pdf.get_y()  # the right column of page 1 starts under the title too
    pdf.col = 0
    pdf.set_left_margin(20)
    pdf.set_right_margin(108)
    first = True
    for ln in lines:
        kind, _, text = ln.partition(": ")
        if kind == "note":
            continue
        if kind == "h":
            pdf.ln(2)
            pdf.set_font("serif", "B", 10.5)
            pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
            first = True
        elif kind == "p":
            pdf.set_x(pdf.l_margin + (0 if first else 5))
            rich(text, 9.5)
            pdf.ln(lead_h + (0.8))
            first = False
        else:
            raise SystemExit(f"unknown line kind {kind!r}: {ln[:60]}")
        if pdf.page_no() > 1 and pdf.top != 24:
            pdf.top = 24


def main() -> int:
    for src in sorted(SRC.glob("*.src")):
        meta, lines = read_src(src)
        (OUT / f"{src.stem}.pdf").write_bytes(reproducible(make_pdf(meta, lines), src.stem))
        print("wrote", src.stem)
    return 0


if __name__ == "__main__":
    sys.exit(main())
