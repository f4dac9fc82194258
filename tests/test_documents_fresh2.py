"""Shapes of real UN documents found by the second unseen-shapes probe (benchmarks/corpus-fresh2,
benchmarks/FRESH2.md): ODS text exports with form feeds, Word-exported HTML, press pages whose masthead
fields are inline, web stories with labelled dates and pull quotes, resolutions with multi-line agenda titles
and nested sub-items."""

from __future__ import annotations

from hsqa.documents import parse_document
from hsqa.extract.html import extract_html


def texts(doc):
    return [p.text for p in doc.paragraphs]


# --- text parser ---------------------------------------------------------------------------------

ODS = (
    "United Nations                                                  A/64/701\n"
    "General Assembly                                          Distr.: General\n"
    "                                                          8 March 2010\n\n"
    "Sixty-fourth session\nAgenda item 114\n\n\n"
    "          Human security\n\n\n          Report of the Secretary-General\n\n\n"
    "          1.   The threats that people face today rarely arrive one at a\n"
    "               time. A household that loses its\n\n"
    "__________________\n  1  See General Assembly resolution 60/1, para. 143.\n\n"
    "10-25682 (E)    150310\n*1025682*\fA/64/701\n\n\n"
    "               income in such a crisis may also lose access to health care.\n\n"
    "          2.   Human security does not replace State security.\n\n"
    "__________________\n  2  See the annual reports of the Human\n     Security Unit.\n\n"
    "2                                                            10-25682\f"
    "                                                                A/64/701\n\n"
    "          3.   Member States are encouraged to contribute.\n\n"
    "10-25682                                                            3\n"
)


def test_ods_page_furniture_is_no_passage():
    """The job number, bar code, running header (the symbol) and page footer of a text export are dropped, and
    a footnote rule over its notes does not open the note's passage."""
    doc = parse_document(ODS, "a-64-701.txt")
    assert doc.title == "Human security: Report of the Secretary-General (A/64/701)"
    got = [" ".join(t.split()) for t in texts(doc)]
    assert got == [
        "1. The threats that people face today rarely arrive one at a time. A household that loses its",
        "1 See General Assembly resolution 60/1, para. 143.",
        "income in such a crisis may also lose access to health care.",
        "2. Human security does not replace State security.",
        "2 See the annual reports of the Human Security Unit.",
        "3. Member States are encouraged to contribute.",
    ]


def test_a_lone_page_number_or_symbol_in_prose_is_not_furniture_unless_alone():
    doc = parse_document("Title line\n4 May 2010\n\nThe report A/64/701 has 3 parts.\n\nIt says 10-25682 things.\n")
    assert texts(doc) == ["The report A/64/701 has 3 parts.", "It says 10-25682 things."]


def test_venue_line_under_the_date_is_the_place_and_a_weekday_is_not():
    doc = parse_document(
        "Co-Chairs' Summary\nFifth Meeting of the Friends of Human Security\n28 May 2009\n"
        "Trusteeship Council Chamber, United Nations Headquarters, New York\n\nOpening\n\nThe meeting opened.\n"
    )
    assert doc.place == "Trusteeship Council Chamber, United Nations Headquarters, New York"
    assert texts(doc) == ["The meeting opened."]
    doc = parse_document("Story of the day\n8 March 2023\nDate: Wednesday, 8 March 2023\n\nThe story begins here.\n")
    assert doc.place is None
    doc = parse_document("Programme of the event\n14 March 2024\nThursday, 14 March 2024\n\nThe event begins.\n")
    assert doc.place is None


# --- HTML ----------------------------------------------------------------------------------------

WORD = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<meta http-equiv=Content-Type content="text/html; charset=windows-1252"><meta name=Generator content="Microsoft Word 15">
<title>Concept note</title></head><body><div class=WordSection1>
<p class=MsoNormal align=right><span style='font-size:9.0pt'>Draft as of 27 February 2024</span></p>
<p class=MsoTitle align=center><span lang=EN-GB>High-level event on the
Trust Fund for Human Security<o:p></o:p></span></p>
<p class=MsoNormal align=center><span>Thursday, 14 March 2024, 10:00 – 13:00<br>
Trusteeship Council Chamber, United Nations Headquarters, New York</span></p>
<h1><span>Background</span></h1>
<p class=MsoNormal><span>The Fund was established in March 1999 with a contribution
from Japan.<a style='mso-footnote-id:ftn1' href="#_ftn1" name="_ftnref1"><span class=MsoFootnoteReference>[1]</span></a></span></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span
style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;
</span></span></span><![endif]><span>To take stock of twenty-five years;</span></p>
<h1>Programme</h1>
<table class=MsoTableGrid border=1>
 <tr><td><p class=MsoNormal><b><span lang=EN-GB>Time</span></b></p></td><td><p class=MsoNormal><b>Session</b></p></td></tr>
 <tr><td><p class=MsoNormal>10:20 – 11:30</p></td>
  <td><p class=MsoNormal><b>Panel 1: Voices from the field</b></p>
  <p class=MsoNormal>Moderator: Ms. Inés Bergström-Yáñez, Chief, Human Security Unit</p></td></tr>
 <tr><td><p class=MsoNormal>12:40 – 13:00</p></td><td><p class=MsoNormal><b>Closing</b></p></td></tr>
</table>
</div>
<div style='mso-element:footnote-list'><div style='mso-element:footnote' id=ftn1>
<p class=MsoFootnoteText><a href="#_ftnref1" name="_ftn1">[1]</a> More than 290 programmes.</p></div></div>
</body></html>"""


def test_word_exported_page():
    """A page saved from Word: its Title-style paragraph is the title (not the first Heading 1), note
    references and list bullets are no text, each agenda row is one passage (the row of column names none),
    the draft stamp is no date."""
    doc = extract_html(WORD.encode("cp1252"), "note.htm")
    assert doc.title == "High-level event on the Trust Fund for Human Security"
    assert doc.date == "2024-03-14"
    assert doc.place == "Trusteeship Council Chamber, United Nations Headquarters, New York"
    assert texts(doc) == [
        "The Fund was established in March 1999 with a contribution from Japan.",
        "To take stock of twenty-five years;",
        "10:20 – 11:30   Panel 1: Voices from the field   Moderator: Ms. Inés Bergström-Yáñez, Chief, Human Security Unit",
        "12:40 – 13:00   Closing",
        "[1] More than 290 programmes.",
    ]
    assert [p.section for p in doc.paragraphs][2:4] == ["Programme", "Programme"]


def test_layout_table_is_not_a_row():
    page = ("<html><body><table><tr><td><a href='/'>Home</a></td><td>" + "<p>" + "Words of the story. " * 40
            + "</p><p>A second paragraph.</p></td></tr></table></body></html>")
    doc = extract_html(page.encode(), "old.htm")
    assert [t.split()[-1] for t in texts(doc)][-1] == "paragraph."


def test_press_masthead_fields_in_spans_stay_in_the_title_block():
    page = """<html><head><title>Third Committee Hears Special Rapporteurs | UN Press</title></head><body>
<article><div class="press-release-meta"><span>Seventy-seventh session, 21st &amp; 22nd Meetings (AM &amp; PM)</span>
<span>GA/SHC/4357</span> <span><time datetime="2022-10-20T12:00:00Z">20 October 2022</time></span></div>
<h1>Third Committee Hears Special Rapporteurs</h1>
<p>More than 59 million people were living as internally displaced persons at the end of 2021.</p>
</article></body></html>"""
    doc = extract_html(page.encode(), "gashc.html")
    assert doc.title == "Third Committee Hears Special Rapporteurs (GA/SHC/4357)"
    assert texts(doc) == ["More than 59 million people were living as internally displaced persons at the end of 2021."]


def test_pull_quote_keeps_its_attribution_and_a_labelled_date_is_no_place():
    page = """<html><head><meta property="article:published_time" content="2023-03-08T09:00:00-05:00"></head><body>
<article><h1>Women mediators in Bangsamoro</h1><div class="story-meta"><span>Date: Wednesday, 8 March 2023</span></div>
<p>When two families began arguing, she invited both mothers to her kitchen.</p>
<blockquote class="pull-quote"><p>“We are the early warning system.”</p><footer>— Norhaida Ampatuan, community mediator</footer></blockquote>
</article></body></html>"""
    doc = extract_html(page.encode(), "story.html")
    assert doc.place is None
    assert texts(doc)[-1] == "“We are the early warning system.” — Norhaida Ampatuan, community mediator"


# --- resolutions (as the PDF extractor gives them) -------------------------------------------------

HRC = (
    "United Nations   A/HRC/RES/48/13\n\nGeneral Assembly   Distr.: General\n\n18 October 2021\n\n"
    "Human Rights Council\nForty-eighth session\n\n13 September–11 October 2021\nAgenda item 3\n\n"
    "Promotion and protection of all human rights, civil,\n\npolitical, economic, social and cultural rights,\n"
    "including the right to development\n\n"
    "Resolution adopted by the Human Rights Council on 8 October 2021\n\n"
    "48/13. The human right to a clean, healthy and sustainable environment\n\n"
    "The Human Rights Council,\n\n"
    "4. Encourages States:\n\n(a) To build capacities;\n\n(b) To enhance cooperation, in particular through:\n\n"
    "(i) The exchange of good practices;\n\n(ii) Technical assistance to countries;\n\n(c) To share good practices;\n\n"
    "5. Invites the General Assembly to consider the matter;\n"
)


def test_resolution_masthead_with_a_multi_line_agenda_title():
    """The agenda item's title runs over lines (and blocks) between "Agenda item 3" and the adoption line: it is
    masthead, not the title; the title is the resolution's own, the date the adoption's."""
    doc = parse_document(HRC, "hrc.pdf")
    assert doc.title == "48/13. The human right to a clean, healthy and sustainable environment (A/HRC/RES/48/13)"
    assert doc.date == "2021-10-08"
    assert texts(doc)[0] == "The Human Rights Council,"
    assert all(p.section == "" for p in doc.paragraphs)


def test_roman_sub_items_and_the_lettered_items_after_them_stay_with_their_paragraph():
    doc = parse_document(HRC, "hrc.pdf")
    assert [t.split("\n\n")[0] for t in texts(doc)] == ["The Human Rights Council,", "4. Encourages States:",
                                                        "5. Invites the General Assembly to consider the matter;"]
    assert texts(doc)[1].endswith("(ii) Technical assistance to countries;\n\n(c) To share good practices;")


def test_numbered_paragraphs_after_a_list_are_not_list_items():
    doc = parse_document("A report\n3 May 2010\n\n1. It recommends:\n\n(a) One thing;\n\n(b) Another;\n\n"
                         "2. The Assembly may wish to act.\n\n(a) A new list that no colon introduces.\n")
    assert len(texts(doc)) == 3


def test_html_list_introduced_by_a_colon_stays_with_its_paragraph():
    page = """<html><body><article><h1>Segment opens</h1><p>The panel had the following panellists:</p>
<ul><li>the head of a unit of the Food and Agriculture Organization;</li><li>the president of a Red Crescent society.</li></ul>
<p>Panellists said that acting early costs less.</p><ul><li>A list no colon introduces.</li></ul></article></body></html>"""
    doc = extract_html(page.encode(), "ecosoc.html")
    assert texts(doc) == [
        "The panel had the following panellists:\n\n- the head of a unit of the Food and Agriculture Organization;"
        "\n\n- the president of a Red Crescent society.",
        "Panellists said that acting early costs less.",
        "A list no colon introduces.",
    ]


def test_a_hyphen_at_a_hard_wrapped_line_end_joins_the_word_for_search():
    from hsqa.chunking import chunk_document

    doc = parse_document(ODS.replace("A household that loses its", "It is the first report of the Secretary-\n"
                                     "               General on it."), "a.txt")
    assert "first report of the Secretary-General on it." in chunk_document(doc)[0].embed_text
    assert "Secretary-\n" in doc.paragraphs[0].text  # the passage itself stays verbatim


def test_a_chair_line_under_the_date_is_no_venue():
    doc = parse_document("Chair's Summary\nSixth Meeting\n3 May 2010\nConference Room 4, United Nations Headquarters, New York\n"
                         "H.E. Mr. Yukio Takasu, Permanent Representative of Japan\n\nThe meeting opened.\n")
    assert doc.place == "Conference Room 4, United Nations Headquarters, New York"


def test_table_of_contents_is_no_passage():
    """Contents lines (a dot leader to a page number) are dropped, one a line as in a text export, or run
    together as a PDF's lines of one block are; a title that merely ends in a number is kept."""
    text = ("Human security\nReport of the Secretary-General\n8 March 2010\n\nContents\n\n"
            "                                                                    Page\n"
            "           I.   Introduction . . . . . . . . . . . . . . . . . . . . . . . .   3\n"
            "          II.   The changing nature of threats . . . . . . . . . . . . . . .   4\n\n"
            "I. Introduction . . . . . . . . . . . 3 II. Applying the common understanding . . . . . . . . 3\n\n"
            "I. Introduction\n\n1. The threats that people face today rarely arrive one at a time.\n\n"
            "2. The Assembly adopted resolution 66/290 in 2012. It has 3\n")
    doc = parse_document(text, "report.txt")
    assert texts(doc) == ["1. The threats that people face today rarely arrive one at a time.",
                          "2. The Assembly adopted resolution 66/290 in 2012. It has 3"]
    assert doc.paragraphs[0].section == "I. Introduction"
