"""Small text helpers shared by search and answer: query terms, stopwords, a light stemmer, FTS5 quoting."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import OrderedDict

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


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The token FTS5's ``porter unicode61 remove_diacritics 2`` tokenizer makes of ``word``: case folded,
    diacritics removed, possessive dropped, then Porter-stemmed exactly as SQLite does (``measures`` and
    ``measure`` -> ``measur``, ``States`` -> ``state``), so highlights agree with what BM25 matched. A symbol
    the tokenizer would split (``A/62/695``, ``HIV/AIDS``) is only case folded."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = _fold_diacritics(w)
    if not w.isalnum():
        return w
    return _porter(w.encode("utf-8")).decode("utf-8")


def _fold_diacritics(w: str) -> str:
    if w.isascii():
        return w
    return "".join(ch for ch in unicodedata.normalize("NFKD", w) if not unicodedata.combining(ch))


# -- Porter stemming, as FTS5 implements it (fts5_tokenize.c): on UTF-8 bytes, tokens of 3..64 bytes; any
# -- byte that is not a, e, i, o, u (or y after a consonant) counts as a consonant.
_VOWELS = frozenset(b"aeiou")
_Y = ord("y")


def _is_vowel(c: int, y_is_vowel: bool) -> bool:
    return c in _VOWELS or (y_is_vowel and c == _Y)


def _gobble_vc(w: bytes, start: int, n: int, prev_cons: bool) -> int:
    """Offset just past the first vowel-then-consonant run in ``w[start:n]`` (relative to ``start``), or 0."""
    cons = prev_cons
    i = start
    while i < n:
        cons = not _is_vowel(w[i], cons)
        if not cons:
            break
        i += 1
    i += 1
    while i < n:
        cons = not _is_vowel(w[i], cons)
        if cons:
            return i + 1 - start
        i += 1
    return 0


def _m_gt0(w: bytes, n: int) -> bool:
    return _gobble_vc(w, 0, n, False) > 0


def _m_gt1(w: bytes, n: int) -> bool:
    k = _gobble_vc(w, 0, n, False)
    return k > 0 and _gobble_vc(w, k, n, True) > 0


def _m_eq1(w: bytes, n: int) -> bool:
    k = _gobble_vc(w, 0, n, False)
    return k > 0 and _gobble_vc(w, k, n, True) == 0


def _o_star(w: bytes, n: int) -> bool:
    """Ends consonant-vowel-consonant, the last consonant not w, x or y."""
    if w[n - 1] in b"wxy":
        return False
    mask, cons = 0, False
    for i in range(n):
        cons = not _is_vowel(w[i], cons)
        mask = (mask << 1) + cons
    return (mask & 7) == 5


def _has_vowel(w: bytes, n: int) -> bool:
    return any(_is_vowel(w[i], i > 0) for i in range(n))


def _m_gt1_s_or_t(w: bytes, n: int) -> bool:
    return w[n - 1] in b"st" and _m_gt1(w, n)


# (suffix, condition on the stem before it, replacement); the first rule whose suffix matches decides
_STEP2 = [(s.encode(), _m_gt0, r.encode()) for s, r in (
    ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"), ("logi", "log"),
    ("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"), ("ization", "ize"),
    ("ation", "ate"), ("ator", "ate"), ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"),
    ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"),
)]
_STEP3 = [(s.encode(), _m_gt0, r.encode()) for s, r in (
    ("ical", "ic"), ("ness", ""), ("icate", "ic"), ("iciti", "ic"), ("ful", ""), ("ative", ""), ("alize", "al"),
)]
_STEP4 = [(s.encode(), _m_gt1_s_or_t if s == "ion" else _m_gt1, b"") for s in (
    "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou", "ism", "ate",
    "iti", "ous", "ive", "ize",
)]


def _apply(w: bytearray, rules) -> None:
    n = len(w)
    for suffix, cond, rep in rules:
        k = len(suffix)
        if n > k and w.endswith(suffix):
            if cond(w, n - k):
                w[n - k :] = rep
            return


def _porter(token: bytes) -> bytes:
    if not 3 <= len(token) <= 64:
        return token
    w = bytearray(token)
    # step 1a: plurals
    if w[-1] == ord("s"):
        if w[-2] == ord("e"):
            if (len(w) > 4 and w[-4:-2] == b"ss") or (len(w) > 3 and w[-3] == ord("i")):
                del w[-2:]
            else:
                del w[-1:]
        elif w[-2] != ord("s"):
            del w[-1:]
    # step 1b: -eed, -ed, -ing
    removed = False
    if len(w) > 3 and w.endswith(b"eed"):
        if _m_gt0(w, len(w) - 3):
            del w[-1:]
    elif len(w) > 2 and w.endswith(b"ed"):
        if _has_vowel(w, len(w) - 2):
            del w[-2:]
            removed = True
    elif len(w) > 3 and w.endswith(b"ing"):
        if _has_vowel(w, len(w) - 3):
            del w[-3:]
            removed = True
    if removed and len(w) >= 2:
        if len(w) > 2 and w[-2:] in (b"at", b"bl", b"iz"):
            w.append(ord("e"))
        elif not _is_vowel(w[-1], False) and w[-1] not in b"lsz" and w[-1] == w[-2]:
            del w[-1:]
        elif _m_eq1(w, len(w)) and _o_star(w, len(w)):
            w.append(ord("e"))
    elif removed and _m_eq1(w, len(w)) and _o_star(w, len(w)):
        w.append(ord("e"))
    # step 1c: y -> i after a vowel
    if w[-1] == _Y and _has_vowel(w, len(w) - 1):
        w[-1] = ord("i")
    _apply(w, _STEP2)
    _apply(w, _STEP3)
    _apply(w, _STEP4)
    # step 5: a final -e, a final double l
    if w[-1] == ord("e"):
        n = len(w) - 1
        if _m_gt1(w, n) or (_m_eq1(w, n) and not _o_star(w, n)):
            del w[-1:]
    if len(w) > 1 and w[-1] == ord("l") and w[-2] == ord("l") and _m_gt1(w, len(w) - 1):
        del w[-1:]
    return bytes(w)


#: runs of Chinese, Japanese and Korean characters, which unicode61 cannot split into words
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0002fa1f]+")


def cjk_segment(text: str) -> str:
    """``text`` with every run of CJK characters replaced by its overlapping character bigrams ("人间安全"
    -> " 人间 间安 安全 "), the usual way to index languages written without spaces: a word inside a
    sentence then matches as the phrase of its bigrams. Text without CJK is returned unchanged."""
    if text.isascii():
        return text

    def bigrams(m: re.Match) -> str:
        run = m.group(0)
        if len(run) == 1:
            return f" {run} "
        return " " + " ".join(run[i : i + 2] for i in range(len(run) - 1)) + " "

    return _CJK_RUN.sub(bigrams, text)


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
    return '"' + cjk_segment(term).replace('"', '""').strip() + '"'


def fts_query(terms: list[str]) -> str | None:
    """``"a" OR "b" ...`` (each token quoted, so ``AND``/``NEAR``/``*``/``-``/``:`` are plain text)."""
    parts = [fts_quote(t) for t in terms if re.search(r"\w", t)]
    return " OR ".join(parts) if parts else None


def is_symbol(term: str) -> bool:
    """A query term that is a UN document symbol: parts joined by slashes, with a digit ("a/66/763", "66/290",
    "s/res/2250", "ga/10944")."""
    return "/" in term and any(ch.isdigit() for ch in term)


def matched_terms(text: str, terms: list[str]) -> set[str]:
    """The question terms that ``text`` contains (by stem, also inside "Secretary-General" or "HIV/AIDS",
    or as a whole symbol).

    Defined by the stems of all of ``text``'s words (:func:`_stems_of`), which are kept for passages that
    come back (candidates recur from question to question). A passage seen for the first time is checked
    from the few words that can have a term's stem instead (4× cheaper than stemming it all): Porter only
    rewrites a word's last letters, so such a word starts with the stem minus its last two letters. Text
    that is not ASCII once its quotes and dashes are (the stem folds accents) takes the defining path."""
    found = _known_stems(text)
    if found is None:
        plan = _term_plan(tuple(terms))
        ascii_text = text if text.isascii() else text.translate(_ASCII_PUNCT)
        if plan is not None and ascii_text.isascii():
            return _matched_fast(text, ascii_text, plan)
        found = _stems_of(text)
    return _matched(text, terms, found)


def _matched_plain(text: str, terms: list[str]) -> set[str]:
    """The definition of :func:`matched_terms`."""
    return _matched(text, terms, _stems_of(text))


def _matched(text: str, terms: list[str], found: frozenset[str]) -> set[str]:
    low = None
    out = set()
    for t in terms:
        if stem(t) in found:
            out.add(t)
        elif not t.isalpha():
            if low is None:
                low = text.lower()
            if t.lower() in low or joined_stem(t) in found:
                out.add(t)  # a symbol as written, or a hyphenated word by its parts' stems ("co-chaired": "Co-Chairs")
    return out


#: a hyphenated word of letters ("co-chaired", "Secretary-General"): FTS5 indexes its parts in a row, so it
#: matches a hyphenated word whose parts have the same stems
_HYPHENATED = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")


def joined_stem(word: str) -> str | None:
    """``"co-chair"`` for "co-chaired" and "Co-Chairs": the stems of a hyphenated word's parts, joined
    (``None`` for any other word)."""
    return "-".join(stem(p) for p in word.split("-")) if _HYPHENATED.fullmatch(word) else None


#: passages whose stems are kept (from their second sighting on), and passages seen once (bounded, oldest
#: dropped first)
STEM_CACHE_SIZE = 8192
_stem_sets: OrderedDict[str, frozenset[str]] = OrderedDict()
_sightings: OrderedDict[str, None] = OrderedDict()


def _known_stems(text: str) -> frozenset[str] | None:
    """Stems of ``text`` when it came before (computed now on its second sighting), else None."""
    found = _stem_sets.get(text)
    if found is not None:
        return found
    if text in _sightings:
        found = _stems_of(text)
        _bounded_put(_stem_sets, text, found)
        return found
    _bounded_put(_sightings, text, None)
    return None


def _bounded_put(d: OrderedDict, key, value) -> None:
    d[key] = value
    while len(d) > STEM_CACHE_SIZE:
        try:
            d.popitem(last=False)  # O(1), unlike popping a plain dict's first key again and again
        except KeyError:  # another searcher thread emptied it meanwhile
            break


def _matched_fast(text: str, ascii_text: str, plan) -> set[str]:
    targets, prefixes, substrings = plan
    out = set()
    low = ascii_text.lower()
    for p in prefixes:  # str.find is far cheaper than a regex scan of the whole passage
        i = low.find(p)
        while i >= 0:
            j = _ATOM_TAIL.match(low, i + len(p)).end()
            if i == 0 or not low[i - 1].isalnum():
                st = stem(low[i:j])
                if st in targets and _whole(low, i, j):
                    out.update(targets[st])
            i = low.find(p, j)
    if substrings:
        low = text.lower()
        out.update(t for t in substrings if t.lower() in low)
    return out


#: typographic punctuation mapped one-to-one to ASCII that the word pattern treats alike (’ joins words
#: as ' does; the others separate words)
_ASCII_PUNCT = str.maketrans({"’": "'", "‘": " ", "“": " ", "”": " ", "–": " ", "—": " ", "…": " ", "\u00a0": " "})
_JOIN = frozenset("/.-'")
_ATOM_TAIL = re.compile(r"[a-z0-9]*")
_PART = frozenset("/-")


def _alnum(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isalnum()


def _whole(text: str, a: int, b: int) -> bool:
    """``text[a:b]`` (a run of ASCII letters and digits) is a whole word of ``TOKEN`` or a whole part of a
    hyphenated or slashed word, or one followed by a possessive ``'s``."""
    if a > 0 and text[a - 1] in _JOIN and text[a - 1] not in _PART and _alnum(text, a - 2):
        return False  # inside "U.N" or "d'Ivoire"
    if b < len(text) and text[b] in _JOIN and _alnum(text, b + 1):
        if text[b] in _PART:
            return True
        if text[b] != "'" or text[b + 1] not in "sS" or _alnum(text, b + 2):
            return False
        b += 2  # "State's": stems as "state" when the possessive ends the word or part
        return not (b < len(text) and text[b] in _JOIN and text[b] not in _PART and _alnum(text, b + 1))
    return True


@functools.lru_cache(maxsize=1024)
def _term_plan(terms: tuple[str, ...]):
    """``({stem: [terms]}, prefixes of candidate words, [terms matched as substrings])`` for ``terms``; None
    when a term needs the defining path."""
    targets: dict[str, list[str]] = {}
    substrings = []
    for t in terms:
        st = stem(t)
        if _HYPHENATED.fullmatch(t):
            return None  # matched by its parts: the defining path
        if st.isascii() and st.isalnum():
            targets.setdefault(st, []).append(t)
            if not t.isalpha():
                substrings.append(t)
        elif t.isascii() and "'" not in t:
            # the stem is the lower-cased symbol ("a/62/695"): a word or part equal to it is also a
            # substring of the lower-cased text, the test the definition adds for such terms anyway
            substrings.append(t)
        else:
            return None
    # a word whose stem is ``st`` starts with ``st`` minus its last two letters (Porter only rewrites word
    # ends; "eys" -> "ei": one letter for the shortest stems), lower-cased
    prefixes = sorted({st[: max(1, len(st) - 2)].lower() for st in targets})
    return targets, prefixes, substrings


def _stems_of(text: str) -> frozenset[str]:
    """Stems of every word of ``text`` and of the parts of its hyphenated or slashed words."""
    out = set()
    for w in TOKEN.findall(text):
        out.add(stem(w))
        if "-" in w or "/" in w:
            out.update(stem(part) for part in re.split(r"[/\-]", w) if part)
            joined = joined_stem(w)
            if joined:
                out.add(joined)
    return frozenset(out)


def term_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Spans in ``text`` of words matching any query term (by light stem, or whole symbol)."""
    if not terms:
        return []
    stems = {stem(t) for t in terms}
    ascii_text = text if text.isascii() else text.translate(_ASCII_PUNCT)
    if ascii_text.isascii():
        return _spans_fast(ascii_text, stems)
    return [span for m in TOKEN.finditer(text) for span in _word_spans(m.group(0), m.start(), stems)]


def word_set(text: str) -> set[str]:
    """The distinct lower-cased words of ``text`` (ASCII text is lower-cased first: same words, one pass)."""
    if text.isascii():
        return set(TOKEN.findall(text.lower()))
    return {w.lower() for w in TOKEN.findall(text)}


def _word_spans(w: str, start: int, stems: set[str]) -> list[tuple[int, int]]:
    """The word ``w`` at ``start`` if its stem is a term's (a word equal to a term has its stem), else its
    matching parts ("Secretary-General" matches "secretary"; "HIV/AIDS" matches "aids")."""
    if stem(w) in stems:
        return [(start, start + len(w))]
    out = []
    if "-" in w or "/" in w:
        pos = start
        for part in re.split(r"([/\-])", w):
            if part and part not in "/-" and stem(part) in stems:
                out.append((pos, pos + len(part)))
            pos += len(part)
    return out


def _spans_fast(text: str, stems: set[str]) -> list[tuple[int, int]]:
    """:func:`term_spans` on ASCII text, from the words that can match only: those holding a letter run
    that starts like an alphanumeric stem (Porter rewrites word ends only) or the text of a symbol's stem;
    each such word is then judged as the definition does."""
    low = text.lower()
    starts = set()
    for st in stems:
        p = st[: max(1, len(st) - 2)] if st.isalnum() else st
        i = low.find(p)
        while i >= 0:
            starts.add(_word_start(text, i))
            i = low.find(p, i + 1)
    out = []
    for ws in sorted(starts):
        m = TOKEN.match(text, ws)
        if m:
            out += _word_spans(m.group(0), ws, stems)
    return out


def _word_start(text: str, i: int) -> int:
    """Start of the ``TOKEN`` word holding position ``i`` of ASCII ``text`` (at a letter or digit, or at the
    first letter of a symbol)."""
    while i > 0 and text[i - 1].isalnum():
        i -= 1
    while i >= 2 and text[i - 1] in _JOIN and text[i - 2].isalnum():
        i -= 2
        while i > 0 and text[i - 1].isalnum():
            i -= 1
    return i


#: parts of a place that name the UN's own premises rather than where in the world: "United Nations
#: Headquarters", "Conference Room 4", "Trusteeship Council Chamber" (and "United" stems as "Unit" does)
_PREMISES = re.compile(r"\b(?:United\s+Nations|UN|Headquarters|Room|Chamber|Hall|Building)\b", re.I)


def place_words(place: str | None) -> str:
    """The parts of a document's place that say where it was ("New York", "Almaty, Kazakhstan"): what the
    lexical index and the title match read of it. The UN's premises are left out: "United Nations
    Headquarters" is where most UN meetings are held, so it tells none apart, and its "United" (stemmed "unit")
    matched every question about the Human Security Unit."""
    return ", ".join(p.strip() for p in (place or "").split(",") if p.strip() and not _PREMISES.search(p))


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
    "NGO": "non-governmental organization",
    "NGOs": "non-governmental organizations",
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
    "ECOWAS": "Economic Community of West African States",
    "OHCHR": "Office of the High Commissioner for Human Rights",
    "UNEP": "United Nations Environment Programme",
    "FAO": "Food and Agriculture Organization",
    "ILO": "International Labour Organization",
    "IOM": "International Organization for Migration",
    "UNESCO": "United Nations Educational, Scientific and Cultural Organization",
    "UNOCHA": "Office for the Coordination of Humanitarian Affairs",
    "HSU": "Human Security Unit",
    "PGA": "President of the General Assembly",
    "DSG": "Deputy Secretary-General",
    "LDCs": "least developed countries",
    "SIDS": "small island developing States",
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
