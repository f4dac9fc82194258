"""PDF shapes of real UN documents found by the unseen-shapes probe (benchmarks/FRESH.md), laid out by fpdf2's
own text flow (not tests/docmaker.py): a resolution masthead in two cells, job-number / bar-code / "Please
recycle" footers, a raised note marker in mid-line, notes whose numbers are raised, a two-column table."""

from __future__ import annotations

from pathlib import Path

import pytest

from hsqa.extract.pdf import extract_pdf

fpdf = pytest.importorskip("fpdf")
FONTS = Path("/usr/share/fonts/truetype/dejavu")
pytestmark = pytest.mark.skipif(not (FONTS / "DejaVuSerif.ttf").exists(), reason="DejaVu fonts not installed")

NOTE = "The earthquake of 11 March 2011 and the tsunami that followed it claimed more than 18,000 lives."
LONG = ("Recalling also the Hyogo Framework for Action 2005–2015, which the World Conference on Disaster Reduction "
        "adopted in Kobe, Japan, in January 2005,")
REST = " and acknowledging what States have achieved in carrying it out over the past decade,"


def _pdf() -> bytes:
    class Doc(fpdf.FPDF):
        def footer(self):
            self.set_font("serif", "", 6)
            if self.page_no() == 1:
                for i, n in enumerate(["1", "2"]):
                    self.set_xy(20, 255 + 5 * i)
                    self.char_vpos = "SUP"
                    self.write(4, n)
                    self.char_vpos = "LINE"
                    self.write(4, " " + (NOTE if n == "1" else "A/CONF.224/16."))
            self.set_font("serif", "", 8)
            self.set_xy(20, 285)
            if self.page_no() == 1:
                self.cell(85, 4, "15-07543 (E)")
                self.cell(85, 4, "Please recycle", align="R")
                self.set_xy(20, 289)
                self.cell(85, 4, "*1507543*")
            else:
                self.cell(85, 4, "2/2")
                self.cell(85, 4, "15-07543", align="R")

    pdf = Doc(format="A4", unit="mm")
    pdf.set_margins(20, 24, 20)
    pdf.set_auto_page_break(True, margin=45)
    _masthead(pdf, "A/RES/69/283", "23 June 2015")
    pdf.set_y(50)
    pdf.set_font("serif", "", 10)
    pdf.multi_cell(170, 5, "Resolution adopted by the General Assembly on 3 June 2015", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("serif", "B", 12)
    pdf.multi_cell(170, 7, "69/283. Sendai Framework for Disaster Risk Reduction 2015–2030", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("serif", "", 10)
    pdf.set_x(32.5)
    pdf.write(5, LONG)
    pdf.char_vpos = "SUP"
    pdf.write(5, "1")
    pdf.char_vpos = "LINE"
    pdf.write(5, REST)
    pdf.ln(8)
    for who, what in [("Austria", "Mr. Georg Kleinfeld, Director, Human Rights Department, Federal Ministry for European and International Affairs"),
                      ("Chile", "Mr. Rodrigo Alvear Pinto, Ambassador of Chile to Greece"),
                      ("South Africa (observer)", "Mr. Themba Nkosi, Ambassador of South Africa to Greece")]:
        y = pdf.get_y()
        pdf.set_font("serif", "B", 10)
        pdf.set_xy(20, y)
        pdf.multi_cell(45, 5, who)
        pdf.set_font("serif", "", 10)
        pdf.set_xy(68, y)
        pdf.multi_cell(122, 5, what)
        pdf.set_y(pdf.get_y() + 2)
    pdf.set_font("serif", "", 10)
    pdf.ln(2)
    pdf.set_x(32.5)
    pdf.write(5, "3. Calls upon all States to give effect to the Framework, namely:")
    pdf.ln(7)
    pdf.set_x(45)
    pdf.write(5, "(a) To reduce substantially the global mortality caused by disasters by 2030;")
    pdf.add_page()
    pdf.set_x(45)
    pdf.write(5, "(b) To reduce direct economic loss from disasters by 2030;")
    pdf.ln(7)
    pdf.set_x(32.5)
    pdf.write(5, "8. Decides to include the sub-item in the provisional agenda of its seventieth session.")
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def doc():
    return extract_pdf(_pdf(), "res.pdf")


def test_resolution_masthead_gives_title_and_adoption_date(doc):
    assert doc.title == "69/283. Sendai Framework for Disaster Risk Reduction 2015–2030 (A/RES/69/283)"
    assert doc.date == "2015-06-03"


def test_page_furniture_is_dropped(doc):
    for junk in ("15-07543", "Please recycle", "1507543", "2/2"):
        assert junk not in doc.text


def test_a_raised_note_marker_does_not_split_the_paragraph(doc):
    assert any(p.text == LONG + REST for p in doc.paragraphs)


def test_notes_with_raised_numbers_are_one_paragraph_each(doc):
    texts = [p.text for p in doc.paragraphs]
    assert "1 " + NOTE in texts
    assert "2 A/CONF.224/16." in texts


def test_table_rows_keep_their_wrapped_cells(doc):
    texts = [p.text for p in doc.paragraphs]
    assert ("Austria   Mr. Georg Kleinfeld, Director, Human Rights Department, Federal Ministry for European and "
            "International Affairs") in texts
    assert "Chile   Mr. Rodrigo Alvear Pinto, Ambassador of Chile to Greece" in texts
    assert not any("Chile" in h.title or "Ministry" in h.title for h in doc.headings)
    # a row whose left cell wraps: the producer writes "South Africa", "(observer)", then the right cell
    row = [p.text for p in doc.paragraphs if "Themba Nkosi" in p.text]
    assert len(row) == 1 and "South" in row[0] and "(observer)" in row[0]


def test_lettered_items_carry_on_across_the_page_and_its_notes(doc):
    item = next(p for p in doc.paragraphs if p.text.startswith("3. Calls upon"))
    assert item.text.endswith("(b) To reduce direct economic loss from disasters by 2030;")
    assert "A/CONF.224/16" not in item.text
    assert item.page == 1


SUMMARY = ("The present report responds to resolution 64/291, in which the General Assembly decided to continue its "
           "discussion of human security and to agree on a definition of the notion. It draws on the views Member "
           "States expressed in a series of informal consultations and sets out a common understanding.")
AGENDA = ("Integrated and coordinated implementation of and follow-up to the outcomes of the major United Nations "
          "conferences and summits in the economic, social and related fields")


def _report() -> bytes:
    pdf = fpdf.FPDF(format="A4", unit="mm")
    pdf.set_margins(20, 24, 20)
    _masthead(pdf, "A/66/763", "5 April 2012")
    pdf.set_xy(20, 40)
    pdf.set_font("serif", "", 10)
    pdf.cell(100, 5, "Agenda items 14 and 117")
    pdf.set_xy(40, 50)
    pdf.set_font("serif", "B", 10)
    pdf.multi_cell(100, 5, AGENDA, align="J", new_x="LMARGIN", new_y="NEXT")  # a narrow justified block
    pdf.ln(3)
    pdf.set_font("serif", "B", 12)
    pdf.multi_cell(170, 7, "Follow-up to General Assembly resolution 64/291 on human security", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("serif", "", 11)
    pdf.multi_cell(170, 6, "Report of the Secretary-General", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)
    pdf.set_font("serif", "", 10)
    pdf.set_x(30)
    pdf.multi_cell(150, 5, SUMMARY, align="J", new_x="LMARGIN", new_y="NEXT")  # framed summary: narrower than the page
    pdf.ln(4)
    pdf.set_x(20)
    pdf.multi_cell(170, 5, "1. In its resolution 64/291 of 16 July 2010, the General Assembly took note of the first report "
                   "of the Secretary-General on human security and decided to continue its discussion.", align="J")
    return bytes(pdf.output())


def test_report_title_block_and_narrow_justified_blocks():
    doc = extract_pdf(_report(), "report.pdf")
    assert doc.title == ("Follow-up to General Assembly resolution 64/291 on human security: Report of the "
                         "Secretary-General (A/66/763)")
    assert doc.date == "2012-04-05"
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == SUMMARY  # one paragraph, not one per justified line
    assert AGENDA not in texts and not any(AGENDA[:40] in p for p in texts)


def test_a_list_of_short_lines_keeps_its_line_breaks():
    """Guard for the narrow-justified-block rule: the longest of a few short lines is no block edge."""
    pdf = fpdf.FPDF(format="A4", unit="mm")
    pdf.add_font("serif", "", str(FONTS / "DejaVuSerif.ttf"))
    pdf.add_page()
    pdf.set_font("serif", "", 10)
    pdf.set_xy(20, 30)
    pdf.multi_cell(170, 5, "The following States were represented at the meeting of the Network in Athens, in the "
                   "order in which they took the floor during the opening session:", new_x="LMARGIN", new_y="NEXT")
    for name in ["Austria", "Canada", "Netherlands", "Norway", "Slovenia"]:
        pdf.cell(60, 5, name, new_x="LMARGIN", new_y="NEXT")
    doc = extract_pdf(bytes(pdf.output()), "list.pdf")
    assert "Austria\nCanada\nNetherlands\nNorway\nSlovenia" in doc.text


def _masthead(pdf, symbol: str, distributed: str) -> None:
    """Page 1 of a GA document as the UN lays it out: "United Nations" and the symbol on one line, the organ,
    the distribution block at the right."""
    pdf.add_font("serif", "", str(FONTS / "DejaVuSerif.ttf"))
    pdf.add_font("serif", "B", str(FONTS / "DejaVuSerif-Bold.ttf"))
    pdf.add_page()
    pdf.set_font("serif", "", 11)
    pdf.set_xy(20, 12)
    pdf.cell(60, 8, "United Nations")
    pdf.set_font("serif", "B", 16)
    pdf.cell(110, 8, symbol, align="R")
    pdf.set_xy(20, 26)
    pdf.set_font("serif", "B", 20)
    pdf.cell(100, 10, "General Assembly")
    pdf.set_font("serif", "", 9)
    pdf.set_xy(140, 26)
    pdf.cell(50, 4.5, "Distr.: General")
    pdf.set_xy(140, 30.5)
    pdf.cell(50, 4.5, distributed)
