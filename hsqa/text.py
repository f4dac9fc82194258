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
