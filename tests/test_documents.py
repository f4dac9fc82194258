import codecs

import pytest

from hsqa.documents import find_date, load_document, parse_document, read_text, strip_markup
from hsqa.errors import DocumentError

from .conftest import CORPUS, FHS_2007, GA_2012


def load(name):
    doc, _ = load_document(CORPUS / name, name)
    return doc


def test_ga_2012_title_block():
    d = load(GA_2012)
    assert d.title == (
        "General Assembly Plenary Meeting on the Report of the Secretary-General: "
        "Follow-up to General Assembly Resolution 64/291 on Human Security"
    )
    assert d.date == "2012-06-04"
    assert d.place == "New York"


def test_ga_2012_headings_bold_and_markdown():
    d = load(GA_2012)
    assert [h.title for h in d.headings] == ["Introduction", "Opening remarks", "Inputs by Member States", "Conclusion"]
    assert [p.section for p in d.paragraphs].count("Inputs by Member States") == 4
    assert d.paragraphs[-1].section == "Conclusion"


def test_ga_2012_page_break_paragraph_is_repaired():
    d = load(GA_2012)
    assert len(d.paragraphs) == 8
    p5 = d.paragraphs[4]
    assert "many Member States were\n\nseeking without prioritizing" in p5.text
    assert p5.text.endswith("application of the human security approach.")


def test_fhs_2007_title_date_place_and_sections():
    d = load(FHS_2007)
    assert d.title == 'Chair\'s Summary: Second Meeting of the "Friends of Human Security"'
    assert d.date == "2007-04-20"
    assert d.place == "United Nations Headquarters, New York"
    assert [h.title for h in d.headings] == [
        "General Information and Agenda",
        "Opening Statements",
        "Presentations of Human Security-related Initiatives",
        "Following up on the World Summit Outcome Document",
        "Conclusion",
    ]
    assert len(d.paragraphs) == 23


def test_fhs_2007_list_items_stay_with_their_paragraph():
    d = load(FHS_2007)
    agenda = d.paragraphs[3]
    assert agenda.text.startswith("The agenda covered the following areas:")
    assert "1.) ways to follow up" in agenda.text and "2.) common areas of interest" in agenda.text


def test_back_to_index_is_dropped():
    for name in (GA_2012, FHS_2007):
        d = load(name)
        assert not any("Back to Index" in p.text for p in d.paragraphs)
    assert load(FHS_2007).paragraphs[-1].text.endswith("in due course.")


@pytest.mark.parametrize("name", [GA_2012, FHS_2007])
def test_paragraphs_are_verbatim_numbered_slices(name):
    d = load(name)
    raw = (CORPUS / name).read_text(encoding="utf-8")
    for n, p in enumerate(d.paragraphs, 1):
        assert p.number == n
        assert raw[p.start : p.end] == p.text
        assert p.text == p.text.strip()


@pytest.mark.parametrize(
    "text,start,end",
    [
        ("held on 4 June 2012 in", "2012-06-04", None),
        ("20 April 2007", "2007-04-20", None),
        ("Tokyo, 20-21 May 2010", "2010-05-20", "2010-05-21"),
        ("June 4, 2012", "2012-06-04", None),
        ("on 2014-03-05", "2014-03-05", None),
        ("31 February 2012", None, None),
    ],
)
def test_dates(text, start, end):
    m = find_date(text)
    if start is None:
        assert m is None
    else:
        assert m.start.isoformat() == start
        assert (m.end.isoformat() if m.end else None) == end


SAMPLE = "Meeting of Friends\n\n4 June 2012\n\nIntroduction\n\nThe caf\u00e9 opened. Delegates met.\n"


@pytest.mark.parametrize(
    "encoded",
    [
        SAMPLE.encode("utf-8"),
        codecs.BOM_UTF8 + SAMPLE.encode("utf-8"),
        SAMPLE.encode("utf-16"),
        SAMPLE.encode("cp1252"),
        SAMPLE.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "cp1252", "crlf"],
)
def test_encodings_and_line_endings(encoded):
    text, _ = read_text(encoded)
    d = parse_document(text)
    assert d.date == "2012-06-04"
    assert d.title == "Meeting of Friends"
    assert [p.text for p in d.paragraphs] == ["The caf\u00e9 opened. Delegates met."]
    assert [h.title for h in d.headings] == ["Introduction"]


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"", "empty"),
        (b"  \n\n\t ", "empty"),
        (b"%PDF-1.7\n...", "PDF"),
        (b"PK\x03\x04rest", "ZIP"),
        (b"abc\x00def" * 10, "binary"),
        (bytes(range(1, 32)) * 40, "binary"),
    ],
)
def test_bad_input_is_refused_with_a_reason(data, reason):
    with pytest.raises(DocumentError) as e:
        read_text(data, "x.txt")
    assert reason.lower() in e.value.reason.lower()


def test_directory_named_like_a_document(tmp_path):
    (tmp_path / "notes.txt").mkdir()
    with pytest.raises(DocumentError, match="directory"):
        load_document(tmp_path / "notes.txt")


def test_markdown_heading_title_and_strip_markup():
    d = parse_document("# Annual Review\n\n## Part One\n\nSome **bold** and *italic* text here.\n")
    assert d.title == "Annual Review"
    assert d.headings[0].title == "Part One"
    assert strip_markup(d.paragraphs[0].text) == "Some bold and italic text here."


def test_no_header_uses_file_name():
    d = parse_document("This is a plain paragraph of text that ends with a full stop.\n", "2020-01-01-my-notes.txt")
    assert d.title == "My Notes"
    assert len(d.paragraphs) == 1


def test_numbered_paragraphs_stay_separate_but_introduced_lists_stay_together():
    text = (
        "Summary of the Meeting\n\n12 March 2015\n\nDiscussion\n\n"
        "1. The meeting opened with remarks by the Chair on the protection of civilians.\n\n"
        "2. Delegates then discussed the situation of internally displaced persons.\n\n"
        "The participants agreed on the following points:\n\n"
        "(a) that outreach should continue;\n\n"
        "(b) that a report would be prepared.\n\n"
        "- A bullet paragraph standing alone after the list ends here.\n"
    )
    d = parse_document(text)
    assert [p.text.split()[0] for p in d.paragraphs] == ["1.", "2.", "The", "-"]
    assert d.paragraphs[2].text.endswith("(b) that a report would be prepared.")


def test_single_newline_paragraphs_and_labelled_venue():
    d = parse_document(
        "Report of the Workshop on Human Security in Africa\n"
        "The workshop met in Addis Ababa on 3-4 March 2011 to discuss the protection of communities.\n"
        "Participants agreed to meet again.\n",
        "plain.txt",
    )
    assert d.title == "Report of the Workshop on Human Security in Africa"
    assert (d.date, d.date_end) == ("2011-03-03", "2011-03-04")
    assert [p.text for p in d.paragraphs][1] == "Participants agreed to meet again."
    d = parse_document("# Debate\n\n**Date:** 22 May 2008\n**Venue:** Tokyo, Japan\n\n## Summary\n\nThe debate was held.\n")
    assert (d.title, d.date, d.place) == ("Debate", "2008-05-22", "Tokyo, Japan")


def test_hard_wrapped_prose_stays_one_paragraph():
    d = parse_document(
        "Title\n\nThe delegates discussed at length the situation\nof refugees and displaced persons in the\nregion.\n"
    )
    assert len(d.paragraphs) == 1 and d.paragraphs[0].text.endswith("region.")


@pytest.mark.parametrize("gap", ["\n\n- 3 -\n\n", "\n\nPage 3 of 9\n\n", "\nBack to Index\n\n"])
def test_page_break_repair_never_pulls_in_dropped_boilerplate(gap):
    text = (
        "Meeting Title\n\n4 June 2012\n\nDelegates affirmed that this provided the clarity that so many of the Member States were"
        f"{gap}seeking without prioritizing certain threats.\n\nA second paragraph ends here.\n"
    )
    d = parse_document(text, "x.txt")
    for p in d.paragraphs:
        assert text[p.start : p.end] == p.text
        assert not any(p.start < b and a < p.end for a, b in d.dropped), (p.text, d.dropped)
    assert not any(x in p.text for p in d.paragraphs for x in ("- 3 -", "Page 3", "Back to Index"))
    assert d.paragraphs[0].text.startswith("Delegates affirmed") and d.paragraphs[-1].text == "A second paragraph ends here."


def test_press_release_masthead_gives_headline_title_symbol_and_date():
    d = parse_document(
        "GA/10941\n20 May 2010\n\nGeneral Assembly\nPlenary\nSixty-fourth General Assembly\n88th & 89th Meetings (AM & PM)\n\n"
        "HUMAN SECURITY APPROACH CAN JOIN UP RESPONSES, SECRETARY-GENERAL TELLS ASSEMBLY\n\n"
        "Some Delegations Welcome Report as 'Milestone'; Others Warn against Blurring Line with Responsibility to Protect, Question Need for New Notion\n\n"
        "The General Assembly today began its first formal debate on human security.\n\n"
        "* *** *\n"
    )
    assert d.title == "HUMAN SECURITY APPROACH CAN JOIN UP RESPONSES, SECRETARY-GENERAL TELLS ASSEMBLY (GA/10941)"
    assert d.date == "2010-05-20"
    assert [p.text.split()[0] for p in d.paragraphs] == ["Some", "The"]  # masthead and end mark are not passages


def test_resolution_uses_adoption_date_and_its_own_title():
    d = parse_document(
        "United Nations                                   A/RES/66/290\n\n"
        "General Assembly                                 Distr.: General\n"
        "                                                 25 October 2012\n\n"
        "Sixty-sixth session\nAgenda items 14 and 117\n\n"
        "Resolution adopted by the General Assembly on 10 September 2012\n\n"
        "66/290. Follow-up to paragraph 143 on human security of the 2005 World Summit Outcome\n\n"
        "The General Assembly,\n\nRecalling the 2005 World Summit Outcome,\n\n1. Takes note of the report;\n"
    )
    assert d.title.startswith("66/290. Follow-up to paragraph 143") and d.title.endswith("(A/RES/66/290)")
    assert d.date == "2012-09-10"
    assert d.paragraphs[0].text == "The General Assembly,"


def test_statement_salutations_and_thanks_are_not_passages():
    d = parse_document(
        "SG/SM/12893\n20 May 2010\n\nSecretary-General Tells Assembly Human Security Puts People First\n\n"
        "New York, 20 May 2010\n\nMr. President,\nExcellencies,\nLadies and Gentlemen,\n\n"
        "I am pleased to present my first report on human security.\n\nThank you.\n"
    )
    assert d.place == "New York" and d.date == "2010-05-20"
    assert [p.text for p in d.paragraphs] == ["I am pleased to present my first report on human security."]


def test_list_of_participants_title_block_separates_meeting_and_place():
    d = parse_document(
        "Human Security Network\nSixth Ministerial Meeting\nBamako, 27-29 May 2004\nList of Participants\n\n"
        "Chair\nMali: Mr. Boubacar Sidibe, Secretary-General\n"
    )
    assert d.title == "Human Security Network: Sixth Ministerial Meeting: List of Participants"
    assert (d.place, d.date, d.date_end) == ("Bamako", "2004-05-27", "2004-05-29")
    d = parse_document("Friends of Human Security\nFirst Meeting, New York, 19 October 2006\nList of Participants\n\nCo-Chairs\nJapan: Mr. A\n")
    assert (d.title, d.place) == ("Friends of Human Security: First Meeting: List of Participants", "New York")
