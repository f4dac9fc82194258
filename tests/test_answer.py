"""The answering sentence: question kinds, names of the asked-for kind, date ranges."""

import pytest

from hsqa.answer import citation_date
from hsqa.entities import new_entities, question_kinds


@pytest.mark.parametrize(
    "question, kinds",
    [
        ("Who were the Co-Chairs of the second meeting?", {"person"}),
        ("Which country created a ministry for human security?", {"country"}),
        ("Which UN agencies described their initiatives?", {"org"}),
        ("How many States sent written submissions?", {"number"}),
        ("What fraction of its volume has the sea lost?", {"number"}),
        ("When is the group going to convene again?", {"date"}),
        ("Where and on what day will the OSCE workshop be held?", {"place", "date"}),
        ("In which city was the trafficking workshop?", {"place"}),
        ("Why did the group decide not to seek a legal definition?", set()),
        ("Is the concept the same thing as R2P?", set()),
    ],
)
def test_question_kinds(question, kinds):
    assert question_kinds(question) == kinds


def test_names_the_question_or_the_document_already_has_do_not_count():
    q = "Who co-chaired the second meeting of the Friends of Human Security?"
    meeting = 'The second meeting of the "Friends of Human Security" (FHS) was held in New York.'
    chairs = "H.E. Mr. Yukio Takasu and H.E. Mr. Claude Heller acted as Co-Chairs of the meeting."
    known = 'Chair\'s Summary: Second Meeting of the "Friends of Human Security" New York'
    assert new_entities(meeting, {"person", "org"}, q, known) == []
    found = [chairs[a:b] for a, b in new_entities(chairs, {"person"}, q, known)]
    assert "H.E. Mr. Yukio" in found[0] and any("Claude" in f for f in found)


def test_places_dates_numbers_and_countries_are_spotted():
    s = "He mentioned two meetings, the OSCE Workshop (Vienna, May 2007) and one held in Ljubljana."
    assert {s[a:b] for a, b in new_entities(s, {"place"}, "Where?")} >= {"Vienna", "Ljubljana"}
    assert "May 2007" in {s[a:b] for a, b in new_entities(s, {"date"}, "When?")}
    assert "two" in {s[a:b] for a, b in new_entities(s, {"number"}, "How many?")}
    t = "The representative of Spain, as Chairman of the OSCE, spoke after Viet Nam."
    assert {t[a:b] for a, b in new_entities(t, {"country"}, "Which country chaired it?")} == {"Spain", "Viet Nam"}


def test_date_ranges_are_cited_whole():
    assert citation_date("2013-03-12", "2013-03-13") == "12–13 March 2013"
    assert citation_date("2010-06-30", "2010-07-02") == "30 June – 2 July 2010"
    assert citation_date("2012-12-31", "2013-01-01") == "31 December 2012 – 1 January 2013"
    assert citation_date("2007-04-20", None) == "20 April 2007"
    assert citation_date(None, None) == ""


def _result(text, rank=1, source="list.txt"):
    from hsqa.search import Result

    return Result(rank, rank, 1, source, "List of participants", "2024-05-07", "Suva", "", 2, 1.0, text, 0, len(text))


def test_a_list_passage_is_quoted_one_line_at_a_time():
    """Found in a tmux session: a list of participants (no full stops) was quoted whole, forty lines long."""
    from hsqa.answer import annotate
    from hsqa.search import SearchResponse

    text = (
        "Pacific island countries\n"
        "Cook Islands: Mr. Tangi Marsters, Director, Climate Change Cook Islands\n"
        "Fiji: Mr. Josaia Tikoisuva, Director, Climate Change and International Cooperation Division\n"
        "Tuvalu: Ms. Teleise Seluka, Assistant Secretary, Ministry of Foreign Affairs\n"
        "Vanuatu: Mr. Esau Motuliki, Director, Department of Climate Change"
    )
    r = _result(text)
    answer = annotate(SearchResponse("Who represented Tuvalu?", "lexical", [r]))
    assert answer.sentence == "Tuvalu: Ms. Teleise Seluka, Assistant Secretary, Ministry of Foreign Affairs"
    a, b = r.highlight
    assert text[a:b] == answer.sentence


def test_a_bare_symbol_is_never_the_quote():
    """Found in a tmux session: "What does resolution 75/278 declare?" quoted "75/278." (a heading)."""
    from hsqa.answer import annotate
    from hsqa.search import SearchResponse

    text = "75/278. Declaring the Aral Sea region a zone of ecological innovations and technologies"
    answer = annotate(SearchResponse("What does resolution 75/278 declare?", "lexical", [_result(text)]))
    assert answer.sentence.startswith("Declaring the Aral Sea region")


def test_in_a_follow_up_the_name_it_brings_outweighs_the_carried_words():
    """Found in a tmux session: "And what did Thailand say there?" after a Kazakhstan question quoted the
    Kazakhstan sentence, closer in meaning to the question with its carried-over words."""
    import numpy as np

    from hsqa.answer import annotate
    from hsqa.chunking import text_hash
    from hsqa.documents import strip_markup
    from hsqa.search import SearchResponse

    kaz = "The representative of Kazakhstan announced that his Government would host a regional workshop."
    thai = "The representative of Thailand said that her Government would contribute to the Trust Fund in 2013."
    r = _result(f"{kaz} {thai}")
    r.similarity = 0.6
    qvec = np.array([1.0, 0.0], dtype=np.float32)

    class Vectors:
        def view_vectors(self, ids):
            near, far = np.array([0.9, 0.1], dtype=np.float32), np.array([0.5, 0.5], dtype=np.float32)
            return {r.chunk_id: {text_hash(strip_markup(kaz)): near, text_hash(strip_markup(thai)): far}}

        def expansions(self, text):
            return []

    context = ["What did Kazakhstan tell the Friends it would host, at their December 2012 meeting?"]
    resp = SearchResponse("x", "hybrid", [r], None, qvec)
    answer = annotate(resp, Vectors(), question="And what did Thailand say there?", context=context)
    assert answer.sentence == thai


def test_the_passage_the_answer_is_quoted_from_leads_and_ranks_are_renumbered():
    """Found in tmux: "Who co-chaired the second meeting?" quoted the right sentence from card [3] under a
    card [1] that only says "The Co-Chairs proposed holding the third meeting"."""
    from hsqa.answer import annotate
    from hsqa.search import SearchResponse

    office = _result("The Co-Chairs proposed holding the third meeting in about six months.", rank=1, source="a.txt")
    other = _result("The meeting discussed the follow-up to the World Summit Outcome.", rank=2, source="b.txt")
    named = _result("Mr. Yukio Takasu of Japan and Mr. Claude Heller of Mexico acted as Co-Chairs of the meeting.",
                    rank=3, source="c.txt")
    for r in (office, other, named):
        r.relevant = True
    resp = SearchResponse("Who co-chaired the meeting?", "lexical", [office, other, named])
    answer = annotate(resp)
    assert answer.result is named
    resp.lead_with(answer.result)
    assert [r.source for r in resp.results] == ["c.txt", "a.txt", "b.txt"]
    assert [r.rank for r in resp.results] == [1, 2, 3] and answer.result.rank == 1
    resp.lead_with(None)  # no answer: the order stays
    assert [r.source for r in resp.results] == ["c.txt", "a.txt", "b.txt"]


def test_a_follow_up_quotes_the_document_the_previous_answer_came_from():
    """"What about South Africa?" after "What did Norway say at the fifth meeting of the Friends?" quoted South
    Africa at another meeting, though the fifth meeting's summary said what South Africa said there."""
    from hsqa.answer import annotate
    from hsqa.search import SearchResponse

    other = _result("South Africa, speaking as an observer, said that South Africa would host the next workshop.",
                    rank=1, source="ministerial.txt")
    fifth = _result("The representative of South Africa said that many developing countries remained cautious.",
                    rank=2, source="fifth-meeting.txt")
    for r in (other, fifth):
        r.relevant = True

    def quoted(**kw):
        return annotate(SearchResponse("What about South Africa?", "lexical", [other, fifth]),
                        question="What about South Africa?", context=["What did Norway say?"], **kw).sentence

    assert quoted() == other.text  # on its own, the sentence naming South Africa twice
    assert quoted(same_document="fifth-meeting.txt") == fifth.text
    assert quoted(same_document="elsewhere.txt") == other.text
