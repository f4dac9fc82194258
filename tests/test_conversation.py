"""Follow-up questions without a language model: what counts as one, what it carries over."""

import pytest

from hsqa.conversation import Turn, follow_up, is_follow_up, rewrite
from hsqa.scope import Scope


@pytest.mark.parametrize(
    "question",
    [
        "And Egypt?",
        "What about the OSCE?",
        "When was that?",
        "Why?",
        "What did he appeal for in March?",
        "What did it ask the Friends to support?",
        "Who else spoke that day about internal affairs?",
        "Who was going to host the next one?",
        "What did the project combine?",
        "Tell me more",
        "Was there a manual to go with it?",
    ],
)
def test_follow_ups_are_recognised(question):
    assert is_follow_up(question)


@pytest.mark.parametrize(
    "question",
    [
        "Which country created a ministry for social development and human security?",
        "What did Timor-Leste say its main challenge was?",
        "What did Migiro say about the continent she comes from?",
        "What is document A/64/701?",
        "Thailand ministry",
        "human security",
        "Why did Ban Ki-moon miss the General Assembly's 2008 debate?",
        "Under resolution 66/290, is the approach meant to replace the protection that countries get?",
    ],
)
def test_questions_that_stand_alone_are_not_follow_ups(question):
    assert not is_follow_up(question)


def test_an_ellipsis_is_read_as_the_previous_question_with_one_part_replaced():
    prev = "What did Cuba say in the 2008 informal debate on human security?"
    assert rewrite("And Egypt?", prev) == ("What did Egypt say in the 2008 informal debate on human security?", "name")
    third = "What did Greece say at the third meeting of the Friends of Human Security?"
    assert rewrite("And at the fourth?", third)[0] == third.replace("third", "fourth")
    assert rewrite("And in 2010?", "What happened in 2008?") == ("What happened in 2010?", "year")
    assert rewrite("And what pillar does it want to add?", prev) == (None, None)


def turn(question, results=(), answer=None, scope=None, **kw):
    return Turn(1, question, "hybrid", list(results), answer, True, (scope or Scope()).as_json(), **kw)


def test_a_follow_up_carries_names_documents_and_its_own_filter_scope():
    results = [
        {"rank": 1, "source": "fhs-2007.txt", "relevant": True},
        {"rank": 2, "source": "ga-2012.md", "relevant": True},
    ]
    scoped = Scope.of_years({2007})
    prev = turn(
        "What did Thailand create? year:2007",
        results,
        {"sentence": "Thailand created a Ministry of Social Development.", "rank": 1},
        scoped,
    )
    fu = follow_up("When was it created?", prev)
    assert fu is not None and fu.of == 1 and fu.on == prev.question
    assert "Thailand" in fu.names and fu.sources == ["fhs-2007.txt", "ga-2012.md"]
    assert fu.scope.years == {2007} and fu.context == "What did Thailand create?"
    assert follow_up("Which country created a ministry for human security?", prev) is None
    # a standing scope (no filter words in the question) is not the follow-up's to carry
    assert follow_up("When was it created?", turn("What did Thailand create?", results, scope=scoped)).scope == Scope()
