from hsqa.chunking import MAX_UNITS, PASSAGE, SENTENCE, chunk_document, count_units, sentence_spans
from hsqa.documents import load_document, parse_document

from .conftest import CORPUS, GA_2012


def test_short_paragraphs_are_one_chunk_each():
    doc, _ = load_document(CORPUS / GA_2012, GA_2012)
    chunks = chunk_document(doc)
    assert [c.paragraph for c in chunks] == list(range(1, 9))
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        assert "**" not in c.embed_text and "\n" not in c.embed_text


def test_long_paragraph_splits_at_sentences_and_cites_one_paragraph():
    sentence = "The delegate of Norway stressed that protection of civilians must remain central to the work. "
    body = (sentence * 40).strip()
    doc = parse_document(f"Title Line\n\n1 May 2020\n\nSection\n\n{body}\n\nA second paragraph ends here.\n")
    chunks = chunk_document(doc)
    first = [c for c in chunks if c.paragraph == 1]
    assert len(first) > 1
    assert [c.ordinal for c in first] == list(range(len(first)))
    for c in first:
        assert count_units(c.text) <= MAX_UNITS
        assert c.text.endswith("work.")  # ends on a sentence boundary
        assert doc.text[c.start : c.end] == c.text
    assert chunks[-1].paragraph == 2


def test_monster_sentence_is_split_on_words():
    words = " ".join(f"word{i}" for i in range(1000))
    doc = parse_document(f"Heading\n\n{words}.\n")
    chunks = chunk_document(doc)
    assert len(chunks) >= 1000 // MAX_UNITS
    assert all(doc.text[c.start : c.end] == c.text for c in chunks)


def test_sentence_spans_respect_abbreviations():
    text = "H.E. Mr. Takasu of Japan spoke. He cited resolution No. 1612, e.g. the mechanism. Then Ms. Lee replied."
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "H.E. Mr. Takasu of Japan spoke.",
        "He cited resolution No. 1612, e.g. the mechanism.",
        "Then Ms. Lee replied.",
    ]


def test_views_passage_and_sentences():
    doc = parse_document("Head\n\nFirst sentence here. Second sentence there.\n")
    (c,) = chunk_document(doc)
    assert c.views() == [
        (PASSAGE, "First sentence here. Second sentence there."),
        (SENTENCE, "First sentence here."),
        (SENTENCE, "Second sentence there."),
    ]


class _CountingPattern:
    """Wraps the abbreviation pattern to count the characters each search may scan."""

    def __init__(self, pattern):
        self.pattern, self.scanned = pattern, 0

    def search(self, string, pos=0, endpos=None):
        end = len(string) if endpos is None else endpos
        self.scanned += end - pos
        return self.pattern.search(string, pos, end)


def test_sentence_splitting_is_linear_in_the_paragraph_length(monkeypatch):
    """Many rejected sentence ends ("word1. next word2. next ...", unwrapped lowercase prose) once made every
    candidate re-scan the sentence so far: quadratic (a 120 KB paragraph took 37 s)."""
    import hsqa.chunking as ch

    counter = _CountingPattern(ch._ABBREV)
    monkeypatch.setattr(ch, "_ABBREV", counter)
    for text in (
        "".join(f"word{i}. next " for i in range(3000)),
        "the delegates met. then they agreed e.g. to meet again. " * 600,
    ):
        counter.scanned = 0
        doc = parse_document(f"Title\n\n{text}\n")
        chunks = chunk_document(doc)
        assert all(doc.text[c.start : c.end] == c.text for c in chunks)
        assert counter.scanned <= 20 * len(text), (counter.scanned, len(text))
