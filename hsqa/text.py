"""Small text helpers shared by search and answer: query terms, stopwords, a light stemmer, FTS5 quoting."""

from __future__ import annotations

import re

#: Words, and symbols such as A/62/695, 64/291, H1N1, HIV/AIDS, Co-Chairs (kept whole).
TOKEN = re.compile(r"[^\W_]+(?:[/.\-'’][^\W_]+)*")

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor
    not now of off on once only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yours yourself yourselves
    tell say said says show give find according mention mentioned please document documents text passage
    anything something thing things did does whose""".split()
)

MAX_QUERY_TERMS = 48


def stem(word: str) -> str:
    """A deliberately light stemmer: case, possessives and common English inflections."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.isalpha():
        for suf, rep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
            if w.endswith(suf) and len(w) - len(suf) >= 3 and not w.endswith("ss"):
                w = w[: len(w) - len(suf)] + rep
                break
    return w


def query_terms(text: str) -> list[str]:
    """Content terms of a question, in order, deduplicated; all terms if every one is a stopword."""
    toks = TOKEN.findall(text)
    seen: dict[str, None] = {}
    content = [t for t in toks if t.lower() not in STOPWORDS]
    for t in content or toks:
        key = t.lower()
        if key not in seen:
            seen[key] = None
        if len(seen) >= MAX_QUERY_TERMS:
            break
    return list(seen)


def fts_quote(term: str) -> str:
    """One FTS5 string token: always double-quoted, inner quotes doubled. Safe for any user text."""
    return '"' + term.replace('"', '""') + '"'


def fts_query(terms: list[str]) -> str | None:
    """``"a" OR "b" ...`` (each token quoted, so ``AND``/``NEAR``/``*``/``-``/``:`` are plain text)."""
    parts = [fts_quote(t) for t in terms if re.search(r"\w", t)]
    return " OR ".join(parts) if parts else None


def matched_terms(text: str, terms: list[str]) -> set[str]:
    """The question terms that ``text`` contains (by light stem, or as a whole symbol)."""
    found = {stem(text[a:b]) for a, b in term_spans(text, terms)}
    low = text.lower()
    return {t for t in terms if stem(t) in found or (not t.isalpha() and t.lower() in low)}


def term_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Spans in ``text`` of words matching any query term (by light stem, or whole symbol)."""
    if not terms:
        return []
    stems = {stem(t) for t in terms}
    whole = {t.lower() for t in terms}
    out = []
    for m in TOKEN.finditer(text):
        w = m.group(0)
        if w.lower() in whole or stem(w) in stems:
            out.append(m.span())
        elif "-" in w or "/" in w:
            # "Secretary-General" matches "secretary"; "HIV/AIDS" matches "aids"
            pos = m.start()
            for part in re.split(r"([/\-])", w):
                if part and part not in "/-" and (part.lower() in whole or stem(part) in stems):
                    out.append((pos, pos + len(part)))
                pos += len(part)
    return out


#: Acronyms common in UN human-security documents. Questions often use the short form while summaries
#: spell it out (or the reverse); the corpus's own "Long Form (LF)" definitions are added at index time.
GLOSSARY = {
    "R2P": "responsibility to protect",
    "RtoP": "responsibility to protect",
    "GA": "General Assembly",
    "UNGA": "United Nations General Assembly",
    "SG": "Secretary-General",
    "SC": "Security Council",
    "UNSC": "United Nations Security Council",
    "ECOSOC": "Economic and Social Council",
    "MDG": "Millennium Development Goal",
    "MDGs": "Millennium Development Goals",
    "SDG": "Sustainable Development Goal",
    "SDGs": "Sustainable Development Goals",
    "HSN": "Human Security Network",
    "FHS": "Friends of Human Security",
    "UNTFHS": "United Nations Trust Fund for Human Security",
    "CHS": "Commission on Human Security",
    "NGO": "non-governmental organization civil society",
    "NGOs": "non-governmental organizations civil society",
    "CSO": "civil society organization",
    "CSOs": "civil society organizations",
    "IDP": "internally displaced person",
    "IDPs": "internally displaced persons",
    "PBC": "Peacebuilding Commission",
    "DPKO": "Department of Peacekeeping Operations",
    "OCHA": "Office for the Coordination of Humanitarian Affairs",
    "UNDP": "United Nations Development Programme",
    "UNICEF": "United Nations Children's Fund",
    "UNHCR": "High Commissioner for Refugees",
    "UNFPA": "United Nations Population Fund",
    "WFP": "World Food Programme",
    "WHO": "World Health Organization",
    "DESA": "Department of Economic and Social Affairs",
    "OSCE": "Organization for Security and Co-operation in Europe",
    "ASEAN": "Association of Southeast Asian Nations",
    "AU": "African Union",
    "EU": "European Union",
    "ODA": "official development assistance",
    "DDR": "disarmament, demobilization and reintegration",
    "SALW": "small arms and light weapons",
    "HIV": "human immunodeficiency virus",
}

_ACRONYM_DEF = re.compile(r"((?:[A-Z][\w'’-]*[\s,]+(?:(?:of|the|for|and|on|in|to|de|la|&)\s+)*){1,9})\((?P<acr>[A-Z][A-Za-z0-9]{1,8})\)")


def find_acronyms(text: str) -> dict[str, str]:
    """``{"FHS": "Friends of Human Security"}`` for each "Long Form (LF)" whose initials spell LF."""
    out: dict[str, str] = {}
    for m in _ACRONYM_DEF.finditer(re.sub(r"[\"“”*_]", "", text)):
        acr = m.group("acr")
        letters = [ch for ch in acr.rstrip("s") if ch.isupper()]
        words = [w for w in re.split(r"[\s,]+", m.group(1).strip()) if w]
        # take the shortest tail of capitalised words whose initials spell the acronym
        caps = [w for w in words if w[0].isupper()]
        if len(letters) < 2 or len(caps) < len(letters):
            continue
        tail = caps[-len(letters):]
        if [w[0] for w in tail] == letters:
            first = len(words) - words[::-1].index(tail[0]) - 1
            out.setdefault(acr, " ".join(words[first:]).strip(" ,"))
    return out


def expand_acronyms(text: str, table: dict[str, str]) -> list[str]:
    """Long forms of the acronyms a question uses (exact-case tokens only: "WHO", not "who")."""
    out = []
    for tok in TOKEN.findall(text):
        long = table.get(tok) or GLOSSARY.get(tok)
        if long and long not in out and long.lower() not in text.lower():
            out.append(long)
    return out
