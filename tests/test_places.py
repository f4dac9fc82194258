"""States named by their people or their capital ("the Thai delegate", "Libreville's envoy") are searched for
by name too (issue 7: a better query-side treatment of names)."""

import pytest

from hsqa.embedding import HashingEmbedder
from hsqa.indexer import Indexer
from hsqa.search import Searcher
from hsqa.search.places import states_meant
from hsqa.search.query import parse

from .conftest import FHS_2007


@pytest.mark.parametrize(
    "question, states",
    [
        ("What did Libreville's envoy say the neighbourhood had achieved?", ["Gabon"]),
        ("How did the Tokyo envoy characterise it?", ["Japan"]),
        ("What did the Swedish and the Costa Rican co-chairs propose?", ["Sweden", "Costa Rica"]),
        ("Which Papua New Guinean and Bissau-Guinean delegates spoke?", ["Papua New Guinea", "Guinea-Bissau"]),
        ("what did the swedish dsg say", ["Sweden"]),  # typed all in lower case
        ("What did Reykjavík's envoy and the Nuku'alofa delegation pledge?", ["Iceland", "Tonga"]),  # folded and exact forms
        ("What did Tokyo pledge to the Fund?", ["Japan"]),
        ("What did the Japanese delegation say in Tokyo?", ["Japan"]),  # once
        # named already, a region, a sea, a compound, an instrument, a venue, one left out: no State added
        ("What did Japan say about Japanese aid?", []),
        ("Which South American giant spoke of an entitlement to progress?", []),
        ("How did the Indian Ocean tsunami affect the region?", []),
        ("Who came on behalf of the Brussels-based bloc?", []),
        ("What does the Rome Statute say about it? And the Addis Ababa Action Agenda?", []),
        ("Who represented Switzerland at the Bamako ministerial?", []),
        ("Which hotel hosted the dialogue in Suva?", []),
        ("Besides Tokyo, which capitals had begun paying into the fund?", []),
        ("landmine conference ministers Bamako Where was it to be held?", []),  # carried words: a place
        ("Why was the measure so brief?", []),
    ],
)
def test_the_states_a_question_names_by_demonym_or_capital(question, states):
    assert states_meant(question) == states


def test_the_state_is_searched_for_and_embedded_but_not_required():
    q = parse("What did the Thai delegate say at the second meeting?")
    assert "thailand" in q.terms and q.embed_text.endswith("(Thailand)")
    assert q.countries == ()  # a passage need not name Thailand to answer (the EU is "the Brussels-based bloc")


@pytest.fixture
def searcher(fake_config):
    Indexer(fake_config, HashingEmbedder(64)).run()
    return Searcher(fake_config, HashingEmbedder(64))


def test_a_demonym_finds_the_states_statement(searcher):
    # "Thai" is not a word of the passage ("The representative of Thailand stated …"); "priority" is in others
    res = searcher.search("What priority did the Thai delegation describe?", k=5, mode="lexical").results
    assert res[0].source == FHS_2007 and "Thailand" in res[0].text
