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
