"""The countries a question is about, and whether a passage speaks of them.

"What did Australia say at the third meeting?" can only be answered by a passage that names Australia (or
whose document does, in its title or place): a passage about the third meeting that never mentions
Australia does not answer it, however close its words. Used as a gate on answering (as a question about a
meeting no document records is, :attr:`hsqa.search.fuse.Candidate.other_meeting`), not as a ranking
feature. Member States and observers are general UN knowledge (:data:`hsqa.entities.COUNTRIES`); the other
names below are the official and common short forms UN texts use for the same State.
"""

from __future__ import annotations

import re
import unicodedata

from ..entities import COUNTRIES, COUNTRY_PATTERN

#: other names of one State, as UN documents and their readers write them (official name first)
ALIASES = (
    ("Türkiye", "Turkey", "Turkish"),
    ("Czechia", "Czech Republic", "Czech"),
    ("Côte d'Ivoire", "Ivory Coast", "Ivorian"),
    ("Russian Federation", "Russia", "Russian"),
    ("United Kingdom", "UK", "Britain", "British"),
    ("United States", "US", "USA", "American"),
    ("Republic of Korea", "Korea", "Korean"),
    ("Republic of Moldova", "Moldova"),
    ("Syrian Arab Republic", "Syria", "Syrian"),
    ("Viet Nam", "Vietnam", "Vietnamese"),
    ("Lao", "Laos", "Lao People's Democratic Republic"),
    ("Iran", "Islamic Republic of Iran", "Iranian"),
    ("Netherlands", "Dutch"),
    ("Switzerland", "Swiss"),
    ("France", "French"),
    ("Philippines", "Philippine", "Filipino"),
    ("Japan", "Japanese"),
    ("China", "Chinese"),
    ("Thailand", "Thai"),
    ("Canada", "Canadian"),
    ("Norway", "Norwegian"),
    ("Sweden", "Swedish"),
    ("Germany", "German"),
    ("Greece", "Greek"),
    ("Ireland", "Irish"),
    ("Spain", "Spanish"),
    ("Mexico", "Mexican"),
    ("Austria", "Austrian"),
    ("Slovenia", "Slovenian", "Slovene"),
    ("Cabo Verde", "Cape Verde"),
    ("Eswatini", "Swaziland"),
    ("Myanmar", "Burma"),
    ("North Macedonia", "Macedonia"),
    ("Timor-Leste", "East Timor"),
    ("Holy See", "Vatican"),
    ("Palestine", "State of Palestine", "Palestinian"),
)
#: "apart from Japan, which countries …": a country named to be left out is not what the answer must name
_EXCLUDED = re.compile(r"\b(?:apart\s+from|besides|other\s+than|except(?:\s+for)?|excluding|not\s+counting|beyond)\s+$", re.I)


def left_out(text: str, start: int) -> bool:
    """Whether the name at ``start`` of ``text`` is named to be left out ("apart from Japan"): only the words
    just before it are read (a long question is not read again for each name it holds)."""
    return bool(_EXCLUDED.search(text[max(0, start - 40) : start]))


def fold(text: str) -> str:
    """``text`` with mojibake undone where the whole text allows (UTF-8 read as cp1252: "CÃ´te" -> "Côte"),
    accents stripped and curly apostrophes straightened: how a name is compared."""
    if "Ã" in text or "â€" in text:
        try:
            text = text.encode("cp1252").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).replace("’", "'")


#: folded, lower-cased name -> all names of its State (folded)
_NAMES: dict[str, frozenset[str]] = {}
for _group in [*ALIASES, *((c.replace("|", " "),) for c in COUNTRIES)]:
    for _name in _group:
        _NAMES.setdefault(fold(_name).lower(), frozenset(fold(n) for n in _group))

#: country names that are also common words: not taken from a question typed all in lower case
_WORDS = frozenset("turkey chad jordan china guinea georgia".split())
_FOLDED = re.compile(fold(COUNTRY_PATTERN.pattern))
_ANY_CASE = re.compile(_FOLDED.pattern, re.I)


def country_names(state: str) -> frozenset[str]:
    """All the names of ``state`` (folded): "Thailand" -> {"Thailand", "Thai"}."""
    return _NAMES.get(fold(state).lower(), frozenset({fold(state)}))


def countries_named(question: str) -> tuple[frozenset[str], ...]:
    """The countries ``question`` asks about, each as the set of its names (any one of them will do); a
    country it names only to leave it out ("apart from Japan") is not included. Names count as capitalised,
    or in any case in a question typed all in lower case ("what did canada say")."""
    text = fold(question)
    lower = not any(ch.isupper() for ch in text)
    out: list[frozenset[str]] = []
    for m in (_ANY_CASE if lower else _FOLDED).finditer(text):
        if lower and m.group(0) in _WORDS:
            continue
        if left_out(text, m.start()):
            continue
        name = re.sub(r"\s+", " ", m.group(0))
        names = country_names(name)
        if names not in out:
            out.append(names)
    return tuple(out)


#: a question about what a country said ("What did Australia say / propose / announce …?")
SPEECH = re.compile(
    r"\b(?:say|said|says|state[sd]?|stress(?:ed|es)?|propos(?:e|ed|es)|announc(?:e|ed|es)|call(?:ed|s)?\s+for|"
    r"urg(?:e|ed|es)|describ(?:e|ed|es)|argu(?:e|ed|es)|suggest(?:ed|s)?|emphasi[sz](?:e|ed|es)|express(?:ed|es)?|"
    r"recommend(?:ed|s)?|warn(?:ed|s)?|criticis(?:e|ed|es)|criticiz(?:e|ed|es)|reported|told|speak|spoke|view|position|"
    r"mention(?:ed|s)?|refer(?:red|s)?\s+to|cit(?:e|ed|es)|"
    # the other verbs UN coverage reports speech with
    r"not(?:e|ed|es)|observ(?:e|ed|es)|point(?:ed|s)?\s+out|recall(?:ed|s)?|acknowledg(?:e|ed|es)|insist(?:ed|s)?|"
    r"assert(?:ed|s)?|claim(?:ed|s)?|declar(?:e|ed|es)|pledg(?:e|ed|es)|promis(?:e|ed|es)|vow(?:ed|s)?|"
    r"appeal(?:ed|s)?|affirm(?:ed|s)?|reaffirm(?:ed|s)?|underlin(?:e|ed|es)|highlight(?:ed|s)?|explain(?:ed|s)?|"
    r"liken(?:ed|s)?|compar(?:e|ed|es)|characteri[sz](?:e|ed|es)|welcom(?:e|ed|es)|deplor(?:e|ed|es)|"
    r"condemn(?:ed|s)?|repl(?:y|ied|ies)|respond(?:ed|s)?|add(?:ed|s)?)\b",
    re.I,
)
#: a passage naming this many different countries is a list (of participants, members, signatories): being
#: on it says nothing of what a country said
LIST_COUNTRIES = 8


def mentions(text: str, countries: tuple[frozenset[str], ...], speech: bool = False) -> bool:
    """Whether ``text`` names every one of ``countries`` (by any of its names, case as written); for a
    question about what they said (``speech``), not when ``text`` is a list of countries."""
    if not countries:
        return True
    folded = fold(text)
    if not all(any(_pattern(n).search(folded) for n in names) for names in countries):
        return False
    return not (speech and len({m.group(0) for m in _FOLDED.finditer(folded)}) >= LIST_COUNTRIES)


_PATTERNS: dict[str, re.Pattern] = {}


def _pattern(name: str) -> re.Pattern:
    p = _PATTERNS.get(name)
    if p is None:
        p = _PATTERNS[name] = re.compile(r"(?<![\w-])" + r"\s+".join(map(re.escape, name.split())) + r"(?![\w-])")
    return p
