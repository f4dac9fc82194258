"""A question, parsed: the text to search, its terms, acronym expansions, filters and meeting references.

Pure functions of the question (and, for filters, of the document list): no SQL, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import HsqaError
from ..scope import Scope
from ..text import TOKEN, expand_acronyms, query_terms
from .names import SPEECH, countries_named, country_names
from .places import speaking_states, states_meant

FILTER = re.compile(r"(?<!\S)(doc|year):(\"[^\"]+\"|\S+)", re.I)

_UNITS = "first second third fourth fifth sixth seventh eighth ninth".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
#: ordinal words 1st..99th in order ("twenty-fifth"): UN meetings and sessions are numbered far past twenty
ORDINALS = (
    _UNITS
    + "tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth".split()
    + [w for t in _TENS for w in [t[:-1] + "ieth", *(f"{t}-{u}" for u in _UNITS)]]
)
_ORDINAL_SET = frozenset(ORDINALS)
_NUMERIC_ORDINAL = re.compile(r"([1-9]\d?)(?:st|nd|rd|th)")
MONTHS = "january february march april may june july august september october november december".split()
#: Nouns that name a meeting or event: an ordinal, year or place next to one of these refers to a meeting.
MEETING_NOUNS = frozenset(
    """meeting meetings session sessions debate debates gathering gatherings event events ministerial ministerials
    conference conferences summit summits workshop workshops dialogue dialogues forum forums roundtable
    roundtables seminar seminars symposium consultation consultations plenary assembly briefing panel
    retreat""".split()
)
_YEAR = re.compile(r"^(19[89]\d|20[0-4]\d)$")
#: words that introduce a date or place ("in 2008", "held in Tokyo", "on 22 May")
_DATE_PREPS = frozenset("in on at during of from held".split())


@dataclass
class MeetingRef:
    """What a question says about *which* meeting it means: only explicit references count.

    "the second meeting", "the 2012 debate", "in May 2008", "at the Bangkok workshop" are references; "the
    third report", "by 2015", "the idea was first launched", "what may the Fund finance" are not.
    """

    ordinals: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    months: set[str] = field(default_factory=set)
    #: the question's words, lower-cased: a document's place counts where the question says "in/at <place>"
    #: or "<place> meeting" (see :func:`hsqa.search.fuse.meeting_match`)
    text: str = ""

    def __bool__(self) -> bool:
        return bool(self.ordinals or self.years or self.months or self.text)


@dataclass
class Query:
    raw: str
    text: str  #: the question without filters
    terms: list[str]  #: content terms, then those of the expansions
    #: long forms of the acronyms the question uses, then the States it names by demonym or capital
    expansions: list[str]
    filters: list[tuple[str, str]]  #: ("doc", "friends"), ("year", "2007")
    ref: MeetingRef
    #: the countries the question is about, each as the set of its names (:mod:`hsqa.search.names`)
    countries: tuple[frozenset[str], ...] = ()
    #: it asks what was said ("What did Australia say …?"): being on a list of countries does not answer it
    speech: bool = False

    @property
    def embed_text(self) -> str:
        """What the model embeds: the question, with its expansions appended."""
        return f"{self.text} ({'; '.join(self.expansions)})" if self.expansions else self.text


def split_filters(text: str) -> tuple[str, str]:
    """``("rest of the question", "doc:x year:2007")``: the filters a question contains, unparsed."""
    filters = " ".join(m.group(0) for m in FILTER.finditer(text))
    return " ".join(FILTER.sub(" ", text).split()), filters


def parse(raw: str, acronyms: dict[str, str] | None = None) -> Query:
    """Parse a question; ``acronyms`` are the corpus's own definitions (the glossary is always used)."""
    raw = raw.strip()
    filters = [(m.group(1).lower(), m.group(2).strip('"')) for m in FILTER.finditer(raw)]
    text = " ".join(FILTER.sub(" ", raw).split())
    expansions = expand_acronyms(text, acronyms or {}) + states_meant(text)
    terms = query_terms(text)
    terms += [t for t in query_terms(" ".join(expansions)) if t not in terms]
    countries = countries_named(text)
    countries += tuple(g for g in map(country_names, speaking_states(text)) if g not in countries)
    return Query(raw, text, terms, expansions, filters, meeting_refs(text), countries, bool(SPEECH.search(text)))



def ordinal_word(token: str) -> str | None:
    """The ordinal a token spells, as a lower-case word: "Second" -> "second", "25th" and "Twenty-Fifth" ->
    "twenty-fifth"; ``None`` for anything else."""
    low = token.lower()
    if low in _ORDINAL_SET:
        return low
    m = _NUMERIC_ORDINAL.fullmatch(low)
    return ORDINALS[int(m.group(1)) - 1] if m else None


def ordinals_in(text: str) -> set[str]:
    """Every ordinal ``text`` spells (see :func:`ordinal_word`)."""
    return {o for o in map(ordinal_word, TOKEN.findall(text)) if o}


def mentions_ref(text: str, ref: MeetingRef) -> bool:
    """Whether ``text`` itself names one of the years, months (capitalised) or meeting numbers of ``ref``."""
    words = TOKEN.findall(text)
    if ref.years and any(w.isdigit() and int(w) in ref.years for w in words if len(w) == 4):
        return True
    if ref.months and any(w.lower() in ref.months and w[0].isupper() for w in words):
        return True
    return bool(ref.ordinals and ref.ordinals & ordinals_in(text))


def meeting_refs(text: str) -> MeetingRef:
    """Ordinals, years and months that refer to a meeting or a date (see :class:`MeetingRef`)."""
    words = TOKEN.findall(text)
    low = [w.lower() for w in words]
    ref = MeetingRef()
    near_meeting = _near(low, MEETING_NOUNS, 3)
    for i, w in enumerate(low):
        ordinal = ordinal_word(w)
        if ordinal and i in near_meeting:
            ref.ordinals.add(ordinal)
        elif _YEAR.match(w) and (i in near_meeting or _dated(low, i)):
            ref.years.add(int(w))
        elif w in MONTHS and _is_month(words, low, i):
            ref.months.add(w)
    ref.text = " ".join(low)
    return ref


def _near(low: list[str], nouns: frozenset[str], window: int) -> set[int]:
    """Positions within ``window`` words before a meeting noun (or 2 after it: "the meeting of 2008")."""
    out: set[int] = set()
    for j, w in enumerate(low):
        if w in nouns:
            out.update(range(max(0, j - window), j))
            out.update(range(j + 1, min(len(low), j + 3)))
    return out


def _dated(low: list[str], i: int) -> bool:
    """A year used as a date: "in 2008", "May 2008", "22 May 2008" — not "by 2015" or "2010 was decisive"."""
    prev = low[i - 1] if i else ""
    return prev in _DATE_PREPS or prev in MONTHS


def _is_month(words: list[str], low: list[str], i: int) -> bool:
    """A month word used as a date: capitalised "May" next to a day number or a year, or after "in"."""
    w = words[i]
    if not w[0].isupper() and low[i] == "may":
        return False  # the verb
    nxt = low[i + 1] if i + 1 < len(low) else ""
    prev = low[i - 1] if i else ""
    if low[i] == "may" and i == 0:
        return False  # "May the Trust Fund finance ...?"
    return bool(_YEAR.match(nxt) or nxt.isdigit() or prev.isdigit() or prev in ("in", "during", "of") and w[0].isupper())


def resolve_filters(filters: list[tuple[str, str]], documents) -> Scope:
    """The scope of ``doc:``/``year:`` filters; ``documents`` rows need ``id``, ``path`` and ``title``."""
    scope = Scope()
    for kind, val in filters:
        if kind == "year" and re.fullmatch(r"\d{4}(-\d{4})?", val):
            a, _, b = val.partition("-")
            scope.years.update(range(int(a), int(b or a) + 1))
            scope.labels.append(f"year:{val}")
        elif kind == "doc":
            low = val.lower()
            hits = {d["id"] for d in documents if low in d["path"].lower() or low in d["title"].lower() or low == str(d["id"])}
            if not hits:
                raise HsqaError(f"no document matches 'doc:{val}': use a word from its title or file name")
            scope.doc_ids |= hits
            scope.labels.append(f"doc:{val}")
    return scope
