"""Shapes of real UN documents found by the unseen-shapes probe (benchmarks/corpus-fresh, benchmarks/FRESH.md):
press.un.org pages, un.org/sg statements, UN resolutions as PDFs, statements with combined salutations."""

from __future__ import annotations

from hsqa.documents import parse_document
from hsqa.extract.html import extract_html


def texts(doc):
    return [p.text for p in doc.paragraphs]


# --- text parser ---------------------------------------------------------------------------------


def test_combined_salutations_and_i_thank_you_are_dropped():
    doc = parse_document(
        "Remarks at the opening of the summit\n20 May 2016\n\n"
        "Your Excellency President Recep Tayyip Erdoğan,\nExcellencies, ladies and gentlemen, dear friends,\n\n"
        "I thank the Government of Turkey for hosting this summit.\n\n"
        "Mr. President, Excellencies, ladies and gentlemen,\n\n"
        "Distinguished delegates and dear colleagues,\n\n"
        "We must act now.\n\nI thank you.\n"
    )
    assert texts(doc) == ["I thank the Government of Turkey for hosting this summit.", "We must act now."]


def test_a_paragraph_opening_with_a_form_of_address_is_kept():
    doc = parse_document(
        "Remarks at the opening of the summit\n20 May 2016\n\nMr. President, I would like to begin by thanking you,\n\nFriends of Human Security,\n\n"
        "Dear friends, we must act,\n"
    )
    assert texts(doc) == ["Mr. President, I would like to begin by thanking you,", "Friends of Human Security,",
                          "Dear friends, we must act,"]


def test_press_release_disclaimer_is_dropped():
    doc = parse_document(
        "GA/11820\n19 September 2016\n\nWorld Leaders Adopt New York Declaration\n\n"
        "For information media. Not an official record.\n\nHeads of State gathered at Headquarters today.\n\n"
        "* *** *\n\nFor information media - not an official record\n"
    )
    assert texts(doc) == ["Heads of State gathered at Headquarters today."]


def test_dateline_after_the_date_gives_its_place_only():
    doc = parse_document("# Statement on the Arms Trade Treaty\n24 December 2014\nNew York, 24 December 2014\n\nThe Treaty enters into force today.\n")
    assert doc.place == "New York"
    assert doc.date == "2014-12-24"


def test_masthead_lines_after_the_date_are_no_place():
    doc = parse_document(
        "# Council Voices Concern over Climate Change\n20 July 2011\nMeetings Coverage\nSecurity Council\n"
        "6587th Meeting (AM & PM)\nSC/10332\n\nThe Council today expressed concern.\n"
    )
    assert doc.place is None
    assert doc.title == "Council Voices Concern over Climate Change"


def test_session_and_meetings_on_one_masthead_line():
    doc = parse_document(
        "GA/11820\nGeneral Assembly\nSeventy-first session, 3rd & 4th Meetings (AM & PM)\n19 September 2016\n\n"
        "World Leaders Adopt New York Declaration\n\nHeads of State gathered at Headquarters today.\n"
    )
    assert doc.title == "World Leaders Adopt New York Declaration (GA/11820)"
    assert texts(doc) == ["Heads of State gathered at Headquarters today."]


def test_resolution_masthead_in_many_blocks_with_a_year_symbol():
    """As extracted from a UN PDF, each masthead line is a block of its own, and an SC symbol carries its year."""
    text = (
        "United Nations   A/RES/69/283\n\nGeneral Assembly   Distr.: General\n\n23 June 2015\n\nSixty-ninth session\n\n"
        "Agenda item 19 (c)\n\nResolution adopted by the General Assembly on 3 June 2015\n\n"
        "[without reference to a Main Committee (A/69/L.67)]\n\n"
        "69/283. Sendai Framework for Disaster Risk Reduction 2015–2030\n\nThe General Assembly,\n\n"
        "Recalling its resolution 68/211 of 20 December 2013,\n"
    )
    doc = parse_document(text)
    assert doc.title == "69/283. Sendai Framework for Disaster Risk Reduction 2015–2030 (A/RES/69/283)"
    assert doc.date == "2015-06-03"  # adopted, not distributed
    assert texts(doc) == ["The General Assembly,", "Recalling its resolution 68/211 of 20 December 2013,"]
    sc = parse_document(
        "United Nations   S/RES/2250 (2015)\n\nSecurity Council   Distr.: General\n\n9 December 2015\n\n"
        "Resolution 2250 (2015)\n\nAdopted by the Security Council at its 7573rd meeting, on 9 December 2015\n\n"
        "The Security Council,\n"
    )
    assert sc.title.startswith("Resolution 2250 (2015)")
    assert sc.date == "2015-12-09"
    assert texts(sc)[0] == "Adopted by the Security Council at its 7573rd meeting, on 9 December 2015"


def test_table_rows_are_not_headings():
    doc = parse_document(
        "List of participants\n20 May 2008\n\nChile   Mr. Rodrigo Alvear Pinto, Ambassador of Chile to Greece\n\n"
        "Mali   Mr. Amadou Traoré, Minister Delegate for Malians Abroad\n"
    )
    assert not doc.headings
    assert [p.text for p in doc.paragraphs] == [
        "Chile   Mr. Rodrigo Alvear Pinto, Ambassador of Chile to Greece",
        "Mali   Mr. Amadou Traoré, Minister Delegate for Malians Abroad",
    ]


# --- HTML ----------------------------------------------------------------------------------------

PRESS = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Council Voices Concern | Meetings Coverage and Press Releases</title></head>
<body><nav role="navigation"><ul><li>Secretary-General</li><li>General Assembly</li></ul></nav>
<main><ol class="breadcrumb"><li>Home</li><li>Meetings Coverage</li></ol>
<h1 class="page-header">Security Council Voices Concern over Climate Change</h1>
<article class="node--type-press-release">
<div class="field--name-field-display-type">Meetings Coverage</div>
<div class="field--name-field-organ">Security Council</div>
<div class="field--name-field-meeting">Seventy-first session, 6587th Meeting (AM &amp; PM)</div>
<div class="field--name-field-symbol">SC/10332</div>
<div class="field--name-field-dated"><time datetime="2011-07-20">20 July 2011</time></div>
<div class="field--name-field-disclaimer">For information media. Not an official record.</div>
<div class="field--name-field-sub-title"><h2>Secretary-General Calls Changing Climate a Threat Multiplier; Pacific Island States Ask for Special Representative</h2></div>
<div class="field--name-body">
<p><strong>BAN KI-MOON</strong>, Secretary-General of the United Nations, said extreme weather was <em>already</em> wiping out gains.</p>
<figure><img src="x.jpg" alt=""><figcaption>A flooded village. © UN Photo</figcaption></figure>
<p><strong>SUSAN RICE</strong> (United States) said the outcome was a first step.<br>She wanted more.</p>
<p>* *** *</p>
</div>
<div class="field field-name-field-topics"><div class="field-label">Topics:</div><a href="#">Climate</a></div>
</article></main><footer>Copyright</footer></body></html>"""


def test_press_release_page_masthead_speakers_and_disclaimer():
    doc = extract_html(PRESS.encode(), "sc.html")
    assert doc.title == "Security Council Voices Concern over Climate Change (SC/10332)"
    assert doc.date == "2011-07-20"
    assert doc.place is None
    assert not doc.headings
    assert texts(doc) == [
        "Secretary-General Calls Changing Climate a Threat Multiplier; Pacific Island States Ask for Special Representative",
        "BAN KI-MOON, Secretary-General of the United Nations, said extreme weather was already wiping out gains.",
        "SUSAN RICE (United States) said the outcome was a first step. She wanted more.",
    ]


SG = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>Remarks | United Nations Secretary-General</title></head>
<body><div class="breadcrumb">Home » Statements</div><div id="content">
<h1 class="title">Secretary-General's remarks to the Security Council</h1>
<div class="field-name-field-dateline">New York, 22 May 2018</div>
<div class="field-name-body"><p>Mr. President, Excellencies, ladies and gentlemen,</p>
<p>I thank Poland for convening this debate.</p><p>Excellencies,</p><p>Civilians pay the price.</p><p>Thank you.</p></div>
</div></body></html>"""


def test_statement_page_dateline_and_salutations():
    doc = extract_html(SG.encode(), "sg.html")
    assert doc.place == "New York"
    assert doc.date == "2018-05-22"
    assert texts(doc) == ["I thank Poland for convening this debate.", "Civilians pay the price."]


def test_meeting_line_with_a_comma_in_brackets_stays_masthead():
    doc = parse_document(
        "SC/12076\nSecurity Council\n7533rd Meeting (AM, PM & Night)\n13 October 2015\n\n"
        "Security Council Adopts Resolution 2242 (2015)\n\nThe Security Council today adopted a resolution.\n"
    )
    assert doc.title == "Security Council Adopts Resolution 2242 (2015) (SC/12076)"


def test_venue_dateline_of_more_than_eight_words():
    doc = parse_document(
        '# Informal Interactive Dialogue on the Responsibility to Protect\n\n'
        "**General Assembly, Trusteeship Council Chamber, New York — 5 September 2012**\n\n"
        "## Overview\n\nThe President convened the dialogue.\n"
    )
    assert doc.date == "2012-09-05"
    assert doc.place == "General Assembly, Trusteeship Council Chamber, New York"
    assert [h.title for h in doc.headings] == ["Overview"]
    assert doc.title == "Informal Interactive Dialogue on the Responsibility to Protect"


OLD = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">
<title>SECURITY COUNCIL ASKS SECRETARY-GENERAL TO LIST PARTIES</title></head>
<body><table><tr><td><font size="2">Department of Public Information \x95 News and Media Division \x95 New York</font></td></tr></table>
<table><tr><td width="150"><a href="/">Press Releases</a><br><a href="/sc">Security Council</a></td>
<td valign="top"><p align="right"><font size="2">16 December 2010</font></p>
<p><font size="2">Security Council<br>SC/10128<br>6453rd Meeting (AM)</font></p>
<p align="center"><b>SECURITY COUNCIL ASKS SECRETARY-GENERAL
TO LIST PARTIES</b></p>
<p>The Security Council today adopted resolution 1960 (2010).</p>
<p><b>MARGOT WALLSTR\xd6M</b>, Special Representative, said impunity would end.</p>
<p align="center">* *** *</p><hr><p><font size="1">For information media \x95 not an official record</font></p>
</td></tr></table></body></html>"""


def test_old_style_press_page_masthead_in_one_paragraph_and_repeated_headline():
    doc = extract_html(OLD.encode("latin-1"), "sc10128.htm")
    assert doc.title == "SECURITY COUNCIL ASKS SECRETARY-GENERAL TO LIST PARTIES (SC/10128)"
    assert doc.date == "2010-12-16"
    assert texts(doc) == ["The Security Council today adopted resolution 1960 (2010).",
                          "MARGOT WALLSTRÖM, Special Representative, said impunity would end."]


def test_report_chapters_hold_their_sections_and_an_annex_stands_apart():
    doc = parse_document(
        "Report of the Secretary-General\n5 April 2012\n\nIII. The added value of the approach\n\n"
        "A. The Trust Fund for Human Security\n\nThe Fund has supported more than 200 projects.\n\n"
        "Human security\n\nA paragraph under a plain heading.\n\nAnnex\n\nList of participating countries\n"
    )
    assert [p.section for p in doc.paragraphs] == [
        "III. The added value of the approach > A. The Trust Fund for Human Security",
        "III. The added value of the approach > A. The Trust Fund for Human Security > Human security",
    ]
    assert [h.title for h in doc.headings][-2:] == ["Annex", "List of participating countries"]
    assert [h.level for h in doc.headings][-2] == 7


def test_preambular_paragraph_with_a_note_marker_is_no_heading_and_the_note_rule_is_dropped():
    doc = parse_document(
        "Resolution adopted by the General Assembly on 10 September 2012\n\n"
        "66/290. Follow-up to paragraph 143 on human security of the 2005 World Summit Outcome\n\n"
        "The General Assembly,\n\nHaving considered the second report of the Secretary-General on human security,²\n\n"
        "1. Agrees on a common understanding.\n\n_______________\n\n² A/66/763.\n"
    )
    assert [p.text for p in doc.paragraphs] == [
        "The General Assembly,",
        "Having considered the second report of the Secretary-General on human security,²",
        "1. Agrees on a common understanding.",
        "² A/66/763.",
    ]
    assert not doc.headings
