"""What kind of thing a question asks for, and whether a sentence names one: people, countries,
organisations, places, dates, numbers. Plain patterns and general UN vocabulary (member States, honorifics,
names of bodies), no model.

Used to prefer, among sentences that match a question about equally, the one that actually answers it:
"Who co-chaired the meeting?" wants a sentence naming people, not the one repeating "the meeting".
"""

from __future__ import annotations

import re

KINDS = ("person", "office", "country", "org", "place", "date", "number")

#: a word between "which" and what it asks for ("which ECOWAS official", "which Asian country"), not a verb or an
#: article after one: "What did the group decide?" asks what, not which group
_MODIFIER = (
    r"(?!(?:did|does|do|was|were|is|are|has|have|had|will|would|can|could|should|might|must|the|a|an|this|that|"
    r"these|those|its|their|his|her)\b)[\w'’-]+"
)

_Q = [
    ("number", r"^\s*how\s+(?:many|much|often|long)\b|\b(?:what|which)\s+(?:number|percentage|share|proportion|fraction|amount)\b"),
    (
        "date",
        r"^\s*when\b|\b(?:what|which)\s+(?:date|day|year|month|time|week)\b|\bon\s+what\s+day\b|\bhow\s+long\b",
    ),
    (
        "country",
        rf"\b(?:which|what)\s+(?:{_MODIFIER}\s+)?(?:country|countries|nations?|member\s+states?|states?|kingdoms?|"
        r"republics?|governments?|delegations?)\b",
    ),
    (
        "org",
        rf"\b(?:which|what)\s+(?:{_MODIFIER}\s+){{0,2}}?(?:agenc(?:y|ies)|organi[sz]ations?|bod(?:y|ies)|institutions?|"
        r"lenders?|banks?|funds?|programmes?|programs?|committees?|councils?|commissions?|missions?|federations?|"
        r"networks?|entities|offices?|departments?|partners?|actors?|groups?)\b",
    ),
    ("place", r"^\s*where\b|\b(?:in\s+)?(?:which|what)\s+(?:city|cities|place|venue|capital|town|location|region)\b"),
    (
        "person",
        r"^\s*(?:who|whom|whose)\b|\b(?:which|what)\s+"
        rf"(?:{_MODIFIER}\s+){{0,3}}?(?:person|people|ambassador|representative|minister|official|officer|staff|expert|"
        r"activist|participant|delegate|speaker|chair|co-chairs?|president|envoy|adviser|advisor)s?\b|\bby\s+whom\b",
    ),
]
_QUESTION_KINDS = [(k, re.compile(p, re.I)) for k, p in _Q]


def question_kinds(question: str) -> set[str]:
    """The kinds of answer ``question`` asks for (empty for what/why/how/yes-no questions)."""
    return {k for k, pat in _QUESTION_KINDS if pat.search(question)}


# -- spotting entities in a sentence --------------------------------------------------------------------

#: UN member States and observers, with the short forms summaries use
COUNTRIES = """Afghanistan Albania Algeria Andorra Angola Antigua|Barbuda Argentina Armenia Australia Austria
Azerbaijan Bahamas Bahrain Bangladesh Barbados Belarus Belgium Belize Benin Bhutan Bolivia Bosnia|Herzegovina
Botswana Brazil Brunei Bulgaria Burkina|Faso Burundi Cabo|Verde Cambodia Cameroon Canada Central|African|Republic
Chad Chile China Colombia Comoros Congo Costa|Rica Côte|d'Ivoire Croatia Cuba Cyprus Czechia Czech|Republic
Denmark Djibouti Dominica Dominican|Republic Ecuador Egypt El|Salvador Equatorial|Guinea Eritrea Estonia Eswatini
Ethiopia Fiji Finland France Gabon Gambia Georgia Germany Ghana Greece Grenada Guatemala Guinea Guinea-Bissau
Guyana Haiti Honduras Hungary Iceland India Indonesia Iran Iraq Ireland Israel Italy Jamaica Japan Jordan
Kazakhstan Kenya Kiribati Kuwait Kyrgyzstan Lao Laos Latvia Lebanon Lesotho Liberia Libya Liechtenstein Lithuania
Luxembourg Madagascar Malawi Malaysia Maldives Mali Malta Marshall|Islands Mauritania Mauritius Mexico Micronesia
Monaco Mongolia Montenegro Morocco Mozambique Myanmar Namibia Nauru Nepal Netherlands New|Zealand Nicaragua Niger
Nigeria North|Macedonia Norway Oman Pakistan Palau Panama Papua|New|Guinea Paraguay Peru Philippines Poland
Portugal Qatar Republic|of|Korea Korea Republic|of|Moldova Moldova Romania Russian|Federation Russia Rwanda
Saint|Kitts|and|Nevis Saint|Lucia Saint|Vincent|and|the|Grenadines Samoa San|Marino Sao|Tome|and|Principe
São|Tomé|and|Príncipe Saudi|Arabia Senegal Serbia Seychelles Sierra|Leone Singapore Slovakia Slovenia
Solomon|Islands Somalia South|Africa South|Sudan Spain Sri|Lanka Sudan Suriname Sweden Switzerland Syria
Syrian|Arab|Republic Tajikistan Tanzania Thailand Timor-Leste Togo Tonga Trinidad|and|Tobago Tunisia Türkiye Turkey
Turkmenistan Tuvalu Uganda Ukraine United|Arab|Emirates United|Kingdom United|States Uruguay Uzbekistan Vanuatu
Venezuela Viet|Nam Vietnam Yemen Zambia Zimbabwe Holy|See Palestine""".split()
COUNTRY_PATTERN = re.compile(r"\b(?:" + "|".join(sorted((c.replace("|", r"\s+") for c in COUNTRIES), key=len, reverse=True)) + r")\b")

_HONORIFIC = (
    r"(?:H\.\s?E\.\s+)?(?:Mr|Mrs|Ms|Dr|Prof|Sir|Dame|Madam|Mme|M)\.?\s+[A-Z][\w'’-]+"
    r"|H\.\s?E\.\s+[A-Z][\w'’-]+"
    r"|\b(?:Ambassador|Minister|President|Prime\s+Minister|Foreign\s+Minister|Secretary-General|Special\s+Adviser|"
    r"Special\s+Rapporteur|Chairman|Chairperson|Chair|Co-Chairs?|Under-Secretary-General|Deputy\s+Secretary-General)"
    r"\s+(?:of\s+\w+\s+)?[A-Z][\w'’-]+"
)
#: "the representative of Canada", "the delegate of Japan": who spoke, in a summary
_SPEAKER = r"\b(?:representatives?|delegates?|delegations?|ambassadors?|ministers?|envoys?)\s+(?:of|from)\s+(?:the\s+)?[A-Z][\w'’-]+"
#: office-holders named by their office: "the Co-Chairs", "the President", "the Secretary-General"
_OFFICE = (
    r"\b(?:Co-Chairs?|Co-Chairmen|Chair(?:man|person)?s?|President|Vice-President|Secretary-General|Special\s+Adviser|"
    r"Permanent\s+Representatives?|"
    r"Special\s+Rapporteur|Ambassadors?|Ministers?|Facilitators?|Rapporteur)\b"
)
_PERSON = re.compile(f"{_HONORIFIC}|{_SPEAKER}")
#: an office named without its holder ("The Co-Chairs proposed ..."): a weaker answer to "who" than a name
_OFFICE_ONLY = re.compile(_OFFICE)

_ORG_WORD = (
    r"(?:Agency|Bank|Fund|Programme|Program|Organization|Organisation|Council|Commission|Committee|Union|"
    r"Federation|Office|Department|Network|Assembly|Secretariat|Forum|Institute|Society|Societies|Movement|"
    r"Court|Tribunal|Conference|Board|Group|Alliance|Association|Foundation|Mission|Partnership|Coalition|"
    r"States|Governments|Nations)"
)
_ORG = re.compile(
    r"\b[A-Z]{2,}[a-z]?s?\b"  # acronyms: UNDP, OCHA, NGOs
    r"|\b(?:[A-Z][\w'’-]+\s+(?:(?:of|for|on|and|the|de)\s+)*){0,6}" + _ORG_WORD + r"\b"
)
_PLACE = re.compile(
    r"\b(?:in|at|to|from|hosted\s+by|held\s+in)\s+((?:[A-Z][\w'’-]+)(?:\s+[A-Z][\w'’-]+)*)"
    r"|\(((?:[A-Z][\w'’-]+)(?:\s+[A-Z][\w'’-]+)*),\s"  # "(Vienna, May 2007)"
)
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_DATE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?(?:\s*[-–]\s*\d{{1,2}})?\s+{_MONTH}(?:\s+(?:19|20)\d{{2}})?"
    rf"|\b{_MONTH}(?:\s+\d{{1,2}}\b)?(?:,?\s+(?:19|20)\d{{2}})?|\b(?:19|20)\d{{2}}\b"
    r"|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|\b(?:in|within|after|for)\s+(?:about\s+|some\s+|the\s+next\s+)?(?:\w+\s+)?(?:days?|weeks?|months?|years?|decades?)\b"
    r"|\b(?:next|last|this)\s+(?:week|month|year|session)\b"
)
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|dozen|half|third|quarter|several)\b",
    re.I,
)
_MONTH_ONLY = re.compile(rf"^{_MONTH}$")

_FINDERS = {
    "person": _PERSON,
    "office": _OFFICE_ONLY,
    "country": COUNTRY_PATTERN,
    "org": _ORG,
    "date": _DATE,
    "number": _NUMBER,
}


def entity_spans(sentence: str, kind: str) -> list[tuple[int, int]]:
    """Spans of ``sentence`` naming a thing of ``kind``."""
    if kind == "place":
        out = []
        for m in _PLACE.finditer(sentence):
            g = 1 if m.group(1) else 2
            if not _MONTH_ONLY.match(m.group(g)):
                out.append(m.span(g))
        return out + [m.span() for m in COUNTRY_PATTERN.finditer(sentence)]
    return [m.span() for m in _FINDERS[kind].finditer(sentence)]


def new_entities(sentence: str, kinds: set[str], question: str, known: str = "") -> list[tuple[int, int]]:
    """Spans of ``sentence`` naming a thing of one of ``kinds`` that neither the question nor ``known`` (the
    document's title and place: the meeting names itself, it does not answer) already name."""
    q = question.lower()
    asked = _word_stems(question)
    seen = known.lower()
    initials = {"".join(w[0] for w in run.split() if w[0].isupper()) for run in _CAPITAL_RUN.findall(known)}
    out = []
    for kind in kinds:
        for a, b in entity_spans(sentence, kind):
            text = sentence[a:b].strip()
            low = text.lower()
            if not text or low in q or (seen and low in seen) or (text.isupper() and text.rstrip("s") in initials):
                continue
            if _word_stems(text) <= asked:  # "the Co-Chairs" for "Who co-chaired …?": the question's own word
                continue
            out.append((a, b))
    return out


def _word_stems(text: str) -> set[str]:
    """Stems of the words of ``text``, hyphenated words by their parts ("Co-Chairs" -> {"co", "chair"})."""
    from .text import stem

    return {stem(p) for w in re.findall(r"[\w'’-]+", text) for p in w.split("-") if p}


_CAPITAL_RUN = re.compile(r"[A-Z][\w'’-]*(?:\s+(?:of|for|on|and|the)?\s*[A-Z][\w'’-]*)+")
