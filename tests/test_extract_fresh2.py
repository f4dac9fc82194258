"""PDF shapes found by the second unseen-shapes probe (benchmarks/FRESH2.md), laid out by fpdf2: an article in
two columns under a title across the page, with a magazine's issue line and the author's byline; a data table
set without gaps between its rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from hsqa.extract.pdf import extract_pdf

fpdf = pytest.importorskip("fpdf")
FONTS = Path("/usr/share/fonts/truetype/dejavu")
pytestmark = pytest.mark.skipif(not (FONTS / "DejaVuSerif.ttf").exists(), reason="DejaVu fonts not installed")

PARAS = [
    "When the Human Development Report came out in 1994, the cold war had ended but the promised peace dividend had "
    "not reached most people. The report argued that security should be measured in the lives of individuals.",
    "Two freedoms framed the idea. Freedom from fear addressed violence and conflict; freedom from want addressed "
    "poverty, disease and hunger. A third, freedom to live in dignity, was added in the years that followed.",
] + [f"Paragraph {n} of the article says something about human security in the world, with words enough to fill "
     f"several lines of a narrow column in a magazine page." for n in range(3, 16)]


def _article() -> bytes:
    class Doc(fpdf.FPDF):
        col = 0

        @property
        def accept_page_break(self):
            if self.col == 0:
                self.col = 1
                self.set_left_margin(108)
                self.set_right_margin(20)
                self.set_xy(108, 60)
                return False
            return True

    pdf = Doc(format="A4", unit="mm")
    for style, suffix in (("", ""), ("B", "-Bold"), ("I", "-Italic")):
        pdf.add_font("serif", style, str(FONTS / f"DejaVuSerif{suffix}.ttf"))
    pdf.set_auto_page_break(True, margin=30)
    pdf.add_page()
    pdf.set_font("serif", "", 8.5)
    pdf.set_xy(20, 14)
    pdf.cell(170, 5, "UN CHRONICLE · VOLUME LXI · MAY 2024")
    pdf.set_xy(20, 24)
    pdf.set_font("serif", "B", 18)
    pdf.multi_cell(170, 8, "Human Security at Thirty", align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("serif", "I", 10)
    pdf.cell(170, 5, "By Mariam Okonkwo-Lindqvist, Senior Policy Adviser", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("serif", "", 9)
    pdf.cell(170, 5, "20 May 2024", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(60)
    pdf.set_left_margin(20)
    pdf.set_right_margin(108)
    for i, text in enumerate(PARAS):
        pdf.set_font("serif", "", 9.5)
        pdf.set_x(pdf.l_margin + (5 if i else 0))
        pdf.write(5, text)
        pdf.ln(5.8)
    return bytes(pdf.output())


def test_two_column_article():
    """Lines of a column end at the column's margin, not the page's: each paragraph is whole (before, every
    line of the left column "ended early"; a line ending in ";" split its paragraph), one that runs on into the
    right column is joined with a space, the issue line is no part of the title, and the byline is a passage."""
    doc = extract_pdf(_article(), "chronicle.pdf")
    assert doc.title == "Human Security at Thirty"
    assert doc.date == "2024-05-20"
    got = [p.text for p in doc.paragraphs]
    assert got[0] == "By Mariam Okonkwo-Lindqvist, Senior Policy Adviser"
    assert got[1:] == PARAS


ROWS = [("Region", "Programmes", "Share (per cent)"), ("Africa", "78", "37"), ("Asia and the Pacific", "64", "30"),
        ("Latin America and the Caribbean", "27", "13"), ("Total", "210", "100")]


def _table() -> bytes:
    pdf = fpdf.FPDF(format="A4", unit="mm")
    pdf.add_font("serif", "", str(FONTS / "DejaVuSerif.ttf"))
    pdf.add_page()
    pdf.set_font("serif", "", 10)
    pdf.set_xy(30, 30)
    pdf.multi_cell(150, 5, "5. The Trust Fund remained the main vehicle for putting the approach into practice. The "
                   "table below shows the programmes it had supported by the end of 2013, region by region, with "
                   "the share of each region in the total.", align="J", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for row in ROWS:
        y = pdf.get_y()
        for x, w, c in zip((42, 112, 152), (70, 38, 38), row):
            pdf.set_xy(x, y)
            pdf.cell(w, 5, c, align="L" if x == 42 else "R")
        pdf.set_y(y + 5.5)
    pdf.ln(4)
    pdf.set_x(30)
    pdf.multi_cell(150, 5, "6. Evaluations found that programmes designed with the affected communities lasted "
                   "longer than those designed for them.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_table_rows_without_gaps_are_one_passage_a_row_a_line():
    """Rows set at the text's own line pitch read as lines of one paragraph (before, the whole table was one
    line: "Region Programmes Share (per cent) Africa 78 37 Asia …"); each row is now a line of the table's
    passage, under its column names."""
    doc = extract_pdf(_table(), "report.pdf")
    got = [p.text for p in doc.paragraphs]
    assert "\n".join("   ".join(r) for r in ROWS) in got
