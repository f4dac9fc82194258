"""Fusion, pure: candidate features -> a linear score per mode and a calibrated probability of answering.

The lexical and dense modes are each a logistic model over a handful of features (weights fitted on the
development split by ``benchmarks/tune.py``, stored in ``weights.json`` beside this file). The hybrid mode
mixes a lexical and a dense model: ``a·lexical + (1−a)·dense``, where the lexical share ``a`` depends on the
question: high when some candidate passage holds much of the question's words (names, symbols, dates are
then best matched word for word), low when none does (a paraphrase: BM25 only finds incidental words). The
score ranks the passages; its sigmoid is the probability that the passage answers the question, which
decides abstention and the app's relevance dots. A meeting reference in the question ("the second meeting", "in May 2008") adds a
bounded lift to the passages of the matching document(s) that match the question on their own (clear
their mode's threshold, or contain some of its terms): a passage that does not otherwise match is never
lifted.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from .query import MEETING_NOUNS

LEXICAL_FEATURES = ("bm25", "coverage", "bm25_coverage", "title")
DENSE_FEATURES = ("passage", "sentence")
FEATURES = DENSE_FEATURES + LEXICAL_FEATURES
MODE_FEATURES = {"hybrid": FEATURES, "lexical": LEXICAL_FEATURES, "dense": DENSE_FEATURES}
WEIGHTS_PATH = Path(__file__).with_name("weights.json")


@dataclass
class Candidate:
    chunk_id: int
    doc_id: int
    passage: float = 0.0  #: cosine of the question and the whole passage
    sentence: float = 0.0  #: best cosine of the question and one sentence of the passage
    bm25: float = 0.0  #: BM25 divided by the question's best BM25 (0 when not a lexical hit)
    coverage: float = 0.0  #: idf-weighted share of the question's terms in the passage
    meeting: float = 0.0  #: 0–1: how well its document fits the meeting the question names
    #: idf-weighted share of the question's terms in its document's title, symbol and place
    title: float = 0.0
    #: the question names a meeting this passage's document is not about and the passage does not mention:
    #: a meeting number no document has ("the eighteenth meeting"), or a meeting, year or month that other
    #: documents match ("at the 2021 debate" for a passage of 2010 that says nothing of 2021): it cannot answer
    other_meeting: bool = False
    #: the question asks about a country ("What did Australia say …?") that neither this passage nor its
    #: document's title or place names: it cannot answer (:mod:`hsqa.search.names`)
    missing_country: bool = False
    #: the passage holds a document symbol the question names ("What is A/66/763?"): it answers, whatever
    #: the question's similarity to its sentences (a bare symbol embeds poorly)
    symbol: bool = False
    lexical_rank: int | None = None
    dense_rank: int | None = None

    @property
    def excluded(self) -> bool:
        """Whatever its score, this passage cannot answer the question."""
        return self.other_meeting or self.missing_country

    @property
    def bm25_coverage(self) -> float:
        return self.bm25 * self.coverage

    def feature(self, name: str) -> float:
        return float(getattr(self, name))


@dataclass(frozen=True)
class Model:
    weights: dict[str, float]
    bias: float
    #: a passage counts as answering when ``gate`` (a feature, or "probability") reaches ``threshold``
    threshold: float = 0.5
    gate: str = "probability"

    def answers(self, c: Candidate) -> bool:
        if c.excluded:
            return False
        if c.symbol:
            return True
        value = self.probability(c) if self.gate == "probability" else c.feature(self.gate)
        return value >= self.threshold

    def score(self, c: Candidate) -> float:
        return self.bias + sum(w * c.feature(f) for f, w in self.weights.items())

    def probability(self, c: Candidate) -> float:
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, self.score(c)))))


@dataclass(frozen=True)
class Mix:
    """The hybrid: ``a·lexical + (1−a)·dense`` (both fitted on the hybrid candidate pool), calibrated by
    ``scale`` and ``bias``; ``a`` is ``low`` when no candidate holds ``coverage`` of the question's terms
    (idf-weighted), else ``high``."""

    lexical: Model
    dense: Model
    low: float
    high: float
    coverage: float
    scale: float = 1.0
    bias: float = 0.0
    threshold: float = 0.5
    gate: str = "probability"

    def share(self, cands: list[Candidate]) -> float:
        """The lexical share ``a`` for the question these are the candidates of."""
        return self.high if max((c.coverage for c in cands), default=0.0) >= self.coverage else self.low

    def at(self, a: float) -> Model:
        """The mix at lexical share ``a`` as one linear model (a sum of linear models is linear)."""
        weights: dict[str, float] = {}
        for part, w in ((self.lexical, a), (self.dense, 1.0 - a)):
            for f, v in part.weights.items():
                weights[f] = weights.get(f, 0.0) + self.scale * w * v
        bias = self.scale * (a * self.lexical.bias + (1.0 - a) * self.dense.bias) + self.bias
        return Model(weights, bias, self.threshold, self.gate)


@dataclass(frozen=True)
class Calibration:
    """The probability that a *returned* passage answers, from its ranking score and its distance to the top
    result's: fitted on the passages a search returns (not on every candidate), so a clear first answer
    reads high and a crowd of near-equal passages reads low."""

    weight: float
    margin: float
    bias: float

    def confidence(self, score: float, top: float) -> float:
        z = self.bias + self.weight * score + self.margin * (score - top)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


@dataclass(frozen=True)
class Requote:
    """The confidence of a returned passage once the answer is chosen: ``sigmoid(bias + scale·logit(p))`` for a
    passage of calibrated confidence ``p``, with ``quoted + quoted_scale·logit(p)`` added for the one the answer
    is quoted from. The quote model weighs what the ranking does not (the kind of thing a sentence names, list lines);
    on dev, quoted passages answer far more often than their ranking confidence says and the others less.
    Fitted on dev by ``benchmarks/tune.py`` (live searches: the quote needs sentence vectors)."""

    scale: float
    quoted: float
    bias: float
    quoted_scale: float = 0.0  #: added to ``scale`` for the quoted passage

    def confidence(self, p: float, quoted: bool) -> float:
        p = min(max(p, 1e-6), 1.0 - 1e-6)
        logit = math.log(p / (1.0 - p))
        z = self.bias + self.scale * logit + ((self.quoted + self.quoted_scale * logit) if quoted else 0.0)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


@dataclass(frozen=True)
class Params:
    models: dict[str, Model | Mix]
    meeting_weight: float  #: lift (in score units) for a full meeting-reference match
    #: per mode; without one, a returned passage's confidence is its model probability
    calibration: dict[str, Calibration] = field(default_factory=dict)
    #: per mode: the confidence once the answer is chosen (:class:`Requote`); without one, unchanged
    requote: dict[str, Requote] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH) -> "Params":
        data = json.loads(path.read_text(encoding="utf-8"))
        models = {m: _model(v) for m, v in data["models"].items()}
        calibration = {m: Calibration(float(v["weight"]), float(v["margin"]), float(v["bias"]))
                       for m, v in data.get("calibration", {}).items()}
        requote = {m: Requote(float(v["scale"]), float(v["quoted"]), float(v["bias"]), float(v.get("quoted_scale", 0.0)))
                   for m, v in data.get("requote", {}).items()}
        return cls(models, float(data["meeting_weight"]), calibration, requote)

    def confidence(self, mode: str, s: "Scored", top: "Scored") -> float:
        if s.candidate.excluded:  # it cannot answer, however close its words
            return 0.0
        cal = self.calibration.get(mode)
        return cal.confidence(s.rank_score, top.rank_score) if cal else s.probability


def _model(v: dict) -> Model | Mix:
    if "mix" in v:
        mix = v["mix"]
        return Mix(_model(v["lexical"]), _model(v["dense"]), float(mix["low"]), float(mix["high"]),
                   float(mix["coverage"]), float(v["scale"]), float(v["bias"]), float(v["threshold"]),
                   v.get("gate", "probability"))
    return Model(dict(v["weights"]), float(v["bias"]), float(v.get("threshold", 0.5)), v.get("gate", "probability"))


def model_for(cands: list[Candidate], mode: str, params: Params) -> Model:
    """The linear model that ranks ``cands`` in ``mode`` (the hybrid's depends on the candidates)."""
    model = params.models[mode]
    return model.at(model.share(cands)) if isinstance(model, Mix) else model


@dataclass
class Scored:
    candidate: Candidate
    score: float
    probability: float
    answers: bool  #: the passage clears its mode's answering threshold
    rank_score: float = 0.0  #: what the ranking sorts by: the score plus any meeting-reference lift

    @property
    def chunk_id(self) -> int:
        return self.candidate.chunk_id


def fuse(cands: list[Candidate], mode: str, params: Params) -> list[Scored]:
    """Candidates ranked best first for ``mode``: by score, plus the meeting lift for answering passages only;
    passages that cannot answer (:attr:`Candidate.excluded`: they miss the country or the meeting number the
    question names) after all those that may."""
    model = model_for(cands, mode, params)
    scored = [Scored(c, model.score(c), model.probability(c), model.answers(c)) for c in cands]
    for s in scored:
        lift = params.meeting_weight * s.candidate.meeting if s.answers or s.candidate.coverage > 0 else 0.0
        s.rank_score = s.score + lift
    return sorted(scored, key=lambda s: (s.candidate.excluded, -s.rank_score, s.chunk_id))


@dataclass
class MeetingIndex:
    """Each document's explicit meeting metadata (year, month, title ordinal, ``place:<part>``), indexed by
    term: built once per index generation, so a question costs only the terms it names."""

    docs: dict[str, set[int]]  #: term -> the documents that have it
    n: int  #: documents
    places: list[str] = field(default_factory=list)  #: the distinct ``place:<part>`` terms

    @classmethod
    def build(cls, doc_terms: dict[int, set[str]]) -> "MeetingIndex":
        docs: dict[str, set[int]] = {}
        for doc_id, terms in doc_terms.items():
            for t in terms:
                docs.setdefault(t, set()).add(doc_id)
        return cls(docs, len(doc_terms), [t for t in docs if t.startswith("place:")])


def meeting_match(ref, index: MeetingIndex) -> dict[int, float]:
    """Per document, the idf-weighted share (0–1) of the question's meeting references it matches."""
    if not ref or index.n < 2:
        return {}
    wanted = {str(y) for y in ref.years} | set(ref.months) | set(ref.ordinals)
    wanted |= {t for t in index.places if _phrase_in(t[6:], ref.text)}  # each place tested once
    if not wanted:
        return {}
    n = index.n
    have = {t: index.docs.get(t, set()) for t in wanted}
    idf = {t: math.log((n + 1) / (len(docs) + 0.5)) for t, docs in have.items()}
    total = sum(idf.values()) or 1.0  # a reference no document has still counts: it lowers every share
    out: dict[int, float] = {}
    for t, docs in have.items():
        if len(docs) < n:
            for doc_id in docs:
                out[doc_id] = out.get(doc_id, 0.0) + idf[t]
    return {d: v / total for d, v in out.items()}


def unknown_ordinals(ref, index: MeetingIndex) -> set[str]:
    """The meeting numbers the question names ("the eighteenth meeting") that no document's title has."""
    if not ref or not ref.ordinals:
        return set()
    return {o for o in ref.ordinals if o not in index.docs}


def _phrase_in(place: str, text: str) -> bool:
    """``place`` used as a meeting's place: "in/at/held in <place>" or "the <place> workshop"."""
    if not place:
        return False
    p = re.escape(place)
    if re.search(rf"\b(?:in|at|from|hosted by)\s+(?:the\s+)?{p}\b", text):
        return True
    m = re.search(rf"\b{p}\s+(\w+)", text)
    return bool(m and m.group(1) in MEETING_NOUNS)
