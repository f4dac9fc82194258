"""Property-based tests (hypothesis) for the parser and the chunker on arbitrary, messy text."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hsqa.chunking import chunk_document
from hsqa.documents import parse_document, read_text
from hsqa.errors import DocumentError

LINES = st.sampled_from(
    [
        "",
        "",
        "   ",
        "\f",
        "Back to Index",
        "**Opening remarks**",
        "## **Conclusion**",
        "# Title of the meeting",
        "Opening Statements",
        "4 June 2012",
        "20-21 May 2010",
        "New York",
        "13:15 to 17:00",
        "1.) ways to follow up on the reference",
        "- a bullet item",
        "The agenda covered the following areas:",
        "Delegates affirmed that this provided the clarity many Member States were",
        "seeking without prioritizing certain threats. H.E. Mr. Takasu spoke.",
        "The representative of Thailand stated that her Government, e.g. the Ministry, acted.",
        "A/66/763 and resolution 64/291 were cited (FHS).",
        "word " * 300,
        "*inter alia* the café — “quoted” text…",
    ]
)
DOCS = st.one_of(
    st.lists(LINES, max_size=30).map("\n".join),
    st.lists(st.one_of(LINES, st.text(max_size=80)), max_size=20).map(lambda xs: "\r\n".join(xs)),
    st.text(max_size=400),
)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(DOCS)
def test_parser_never_raises_and_paragraphs_are_verbatim(text):
    doc = parse_document(text, "x.txt")
    last_end = -1
    for n, p in enumerate(doc.paragraphs, 1):
        assert p.number == n
        assert text[p.start : p.end] == p.text
        assert p.text.strip() == p.text and p.text
        assert p.start > last_end  # in order, never overlapping
        last_end = p.end
        # dropped boilerplate ("Back to Index", page numbers) is never part of a paragraph's text
        assert not any(p.start < b and a < p.end for a, b in doc.dropped), (p, doc.dropped)


@SETTINGS
@given(DOCS)
def test_every_non_boilerplate_character_belongs_somewhere(text):
    doc = parse_document(text, "x.txt")
    covered = [(0, doc.header_end)]
    covered += [(h.start, h.end) for h in doc.headings]
    covered += [(p.start, p.end) for p in doc.paragraphs]
    covered += doc.dropped
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        assert any(a <= i < b for a, b in covered), f"character {i} ({ch!r}) belongs to nothing"


@SETTINGS
@given(DOCS)
def test_chunks_are_verbatim_slices_of_their_paragraph(text):
    doc = parse_document(text, "x.txt")
    paras = {p.number: p for p in doc.paragraphs}
    for c in chunk_document(doc, max_units=40):
        p = paras[c.paragraph]
        assert text[c.start : c.end] == c.text
        assert p.start <= c.start < c.end <= p.end
        assert c.views()[0][1] == c.embed_text


@SETTINGS
@given(st.binary(max_size=300))
def test_decoding_arbitrary_bytes_never_crashes(data):
    try:
        text, enc = read_text(data)
    except DocumentError as e:
        assert e.reason
    else:
        parse_document(text)


QUESTION_WORDS = st.sampled_from(
    ["What", "did", "the", "Thai", "delegation", "say", "Libreville's", "envoy", "Tokyo", "South", "American",
     "Indian", "Ocean", "Rome", "Statute", "apart from", "Japan", "besides", "Brussels-based", "Kinshasa",
     "Côte d'Ivoire", "CÃ´te", "A/66/763", "year:2007", "doc:x", "?", "and", "in", "at", "Bamako", "ministerial",
     "Papua New Guinean", "Bissau-Guinean", "Male", "male", "representatives", "said", "’s", "-"]
)
QUESTIONS = st.one_of(st.lists(QUESTION_WORDS, max_size=20).map(" ".join), st.text(max_size=200))


@SETTINGS
@given(QUESTIONS)
def test_reading_a_question_never_raises_and_adds_only_state_names(question):
    """Whatever is typed, parsing it never raises; what the places table adds is a State's name, never one
    the question already names, and a State added as a gate is one of its names."""
    import re

    from hsqa.search.names import fold
    from hsqa.search.places import _STATE_OF, speaking_states, states_meant
    from hsqa.search.query import parse

    q = parse(question)
    states = set(_STATE_OF.values())
    added = states_meant(question)
    assert set(added) <= states and len(added) == len(set(added))
    folded = " ".join(fold(question).lower().split())
    assert not any(re.search(rf"(?<![\w-]){re.escape(fold(s).lower())}(?![\w-])", folded) for s in added)
    assert set(speaking_states(question)) <= states
    assert q.embed_text.startswith(q.text)
