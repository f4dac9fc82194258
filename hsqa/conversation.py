"""The conversation: turns, follow-up context, the saved history and the Markdown export.

A turn keeps its citations as data that survives re-indexing: source path, paragraph number and a hash
of the paragraph's text (``para_hash``), plus the text as it was quoted. The history file is written
atomically (unique temp file, fsync, rename, fsync of the folder); a history that cannot be read is kept
aside as ``.bak`` and reported, never overwritten.

Follow-up questions ("and Japan?", "what did they say about it next?", "tell me more") are recognised
without a language model: they carry over the previous turn's scope, the documents it cited and its key
words (see :func:`follow_up`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
import threading
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING

from .answer import citation_date
from .errors import HsqaError
from .scope import Scope
from .search import split_filters
from .search.query import meeting_refs
from .store import fsync_dir
from .entities import COUNTRY_PATTERN
from .text import STOPWORDS, TOKEN, query_terms

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Engine, Reply

HISTORY_VERSION = 2
MAX_HISTORY = 200


@dataclass
class Turn:
    """One question and its cited passages, as plain data (saved in the conversation history)."""

    id: int
    question: str  #: as typed (filter words included)
    mode: str  #: "hybrid" or "lexical" (model not ready yet, or failed)
    results: list[dict]  #: :meth:`Result.as_json` rows plus ``para_hash`` and ``date_end``
    answer: dict | None = None  #: {"sentence", "rank"}: the best sentence, verbatim, and its card
    relevant: bool = True  #: False: nothing answers clearly; the results are only the nearest passages
    scope: dict = field(default_factory=dict)  #: :meth:`Scope.as_json` of the scope it was asked under
    followup: dict | None = None  #: {"of": turn id, "on": question, "terms": [...], "sources": [...]}
    fresh: bool = False  #: asked without follow-up context on purpose
    standing: dict = field(default_factory=dict)  #: the standing scope (sidebar, filters typed alone) then
    asked_at: str = ""
    note: str | None = None
    error: str | None = None

    @property
    def upgradable(self) -> bool:
        return self.mode == "lexical" and self.error is None

    @property
    def scope_obj(self) -> Scope:
        return Scope.from_json(self.scope)

    @property
    def scope_labels(self) -> list[str]:
        return list(self.scope.get("labels") or ())


# -- follow-up questions ------------------------------------------------------------------------------

#: personal pronouns: "What did he appeal for?" points back, unless a name before it in the question is
#: what it stands for ("What did Migiro say about the continent she comes from?")
_PERSONAL = frozenset("it they them he him she".split())
#: possessives point back only in a question that names nothing itself ("What did it ask its partners?")
_POSSESSIVE = frozenset("its their theirs his her hers".split())
#: "that day", "this meeting", "the next one", "there" at the end: back-references, not relative clauses
_DEICTIC = re.compile(
    r"\b(?:that|this|these|those|the\s+same)\s+(?:day|days|meeting|meetings|year|time|session|event|one|ones|"
    r"report|reports|document|resolution|conference|workshop|debate|statement|speech|fund|project|programme|"
    r"declaration|proposal|initiative|draft)\b"
    r"|\b(?:the\s+)?(?:next|other|previous|last|same)\s+one\b|\b(?:that|this|there|then)\s*\??\s*$",
    re.I,
)
_OPENERS = re.compile(
    r"^\s*(?:and|also|but|so|then|what about|how about|and what about|what else|anything else|same for|"
    r"tell me more|more on|more about|go on|elaborate)\b",
    re.I,
)
_MORE = frozenset("more else further elaborate details detail".split())
_WH = frozenset("what which who whom whose when where why how".split())
_CALENDAR = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
#: at most this many words are carried over from earlier turns, of which this many topic words
MAX_CONTEXT_TERMS = 8
MAX_TOPIC_TERMS = 3
#: weight of the search for an ellipsis's new part ("Egypt" for "And Egypt?") in the previous answer's
#: documents, against the rewritten whole question searched everywhere (dev pairs: 0.5 / 1 / 2 gave
#: 0.84 / 0.90 / 0.89 of follow-ups found; 1/3 when the near search was the whole rewritten question too)
NEAR_WEIGHT_REWRITTEN = 1.0
#: a question that names nothing but "the <something>" leans on the previous turn when it has at most this
#: many content words ("What did the project combine?"); with more it is searched alone ("Why did the group
#: decide not to seek a legal definition?")
FOLLOW_UP_WORDS = 3
#: the documents of the previous answer's first this many passages are "the documents it cited"
SOURCE_RANKS = 5


@dataclass
class FollowUp:
    of: int  #: the turn followed up
    on: str  #: its question, shown as "following up on: …"
    terms: list[str]  #: its key names and topic words
    sources: list[str]  #: documents its answer cited
    scope: Scope
    names: list[str] = field(default_factory=list)  #: the names among ``terms``: what "it", "they", "there" point at
    read_as: str | None = None  #: an ellipsis rewritten as a whole question ("And Egypt?" -> "What did Egypt …")
    new: str | None = None  #: what the ellipsis brings ("Egypt"): searched for in the documents cited before
    after: tuple[str, int] | None = None  #: "Tell me more", "Why?": (source, ¶) of the answer to go on from
    context: str = ""  #: the previous question as it reads on its own
    #: the document the previous answer was quoted from (unless the follow-up moves to another meeting or year)
    answered_in: str | None = None


def explicit_follow_up(question: str) -> bool:
    """Does ``question`` say in words that it leans on the previous one: an opener ("and", "what about"), a
    deictic ("that day"), or a pronoun before any name?"""
    if _OPENERS.search(question) or _DEICTIC.search(question):
        return True
    words = TOKEN.findall(question)
    first_name = next((i for i, w in enumerate(words) if _is_name(w)), len(words))
    return any(w.lower() in _PERSONAL for w in words[:first_name])


def is_follow_up(question: str) -> bool:
    """Does ``question`` lean on the previous turn? It opens with "and", "what about", "why"…; a pronoun
    stands for something it does not name ("What did it ask for?"); "that day", "the next one"; "more";
    or it is too short to stand alone ("When was that?") or names nothing at all ("What did the project
    combine?")."""
    words = TOKEN.findall(question)
    if not words:
        return False
    if explicit_follow_up(question):
        return True
    first_name = next((i for i, w in enumerate(words) if _is_name(w)), None)
    if first_name is None and any(w.lower() in _POSSESSIVE for w in words):
        return True
    if any(w.lower() in _MORE for w in words) and len(_content(question)) <= 3:
        return True
    if _only_who_said(question, words):
        return True
    if first_name is not None or meeting_refs(question).ordinals:
        return False  # it names something, or a meeting by its number ("the second meeting")
    # names nothing: too short to stand alone ("Where exactly?"), or a short question about "the project",
    # "the draft": known already (a longer one says enough to be searched alone)
    content = len(_content(question))
    return content <= 1 or (content <= FOLLOW_UP_WORDS and bool(re.search(r"\bthe\s+\w", question, re.I)))


#: verbs of saying and proposing: "What did Uzbekistan say?" names a speaker and nothing of what or where
_SAYING = frozenset(
    "say said says tell told propose proposed suggest suggested report reported announce announced stress stressed "
    "add added mention mentioned argue argued think thought want wanted ask asked urge urged".split()
)
#: ... in a question of at most this many words
SHORT_QUESTION = 6


def _only_who_said(question: str, words: list[str]) -> bool:
    """A short question that names a speaker and a verb of saying, nothing else ("What did Uzbekistan say?",
    "And what did Norway propose?"): it asks about the same meeting and topic as the previous turn."""
    if len(words) > SHORT_QUESTION or not any(w.lower() in _SAYING for w in words):
        return False
    if any(ch.isdigit() for w in words for ch in w):
        return False  # a symbol or a year says where to look
    names = {w.lower() for w in words if _is_name(w)}
    rest = [t for t in _content(question) if t.lower() not in names and t.lower() not in _SAYING]
    return bool(names) and not rest


def _is_name(word: str) -> bool:
    """A word a question names something with: capitalised (not a month or a weekday, not a question or
    function word at the start), or a symbol."""
    if any(ch.isdigit() for ch in word):
        return True
    low = word.lower()
    return word[:1].isupper() and low not in _CALENDAR and low not in STOPWORDS and low not in _ASKING


#: words that start a request rather than name something ("Explain …", "List …")
_ASKING = frozenset("explain list describe summarise summarize compare name give tell show define is are was were".split())


def _content(text: str) -> list[str]:
    return [t for t in query_terms(text) if t not in STOPWORDS and t not in _WH and t not in _MORE]


_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][\w'’-]+(?:\s+(?:of|the|for|and|on|de)?\s*[A-Z][\w'’-]+)*)")


def _names(text: str) -> list[str]:
    """Capitalised names in ``text`` (not at a sentence's start): "Thailand", "Security Council"."""
    out = []
    for m in _NAME.finditer(text.strip()):
        name = m.group(1)
        if name.lower() not in STOPWORDS and name.lower() not in _PERSONAL | _POSSESSIVE:
            out.append(name)
    return list(dict.fromkeys(out))


_SYMBOL = re.compile(r"\b(?:[A-Z]+/)*\d+(?:/\d+)+\b|\b[A-Z]+(?:/[A-Z0-9.]+)+\b")


def _key_names(text: str) -> list[str]:
    """Names and document symbols in ``text``: "Thailand", "Security Council", "75/278", "A/RES/64/291"."""
    return list(dict.fromkeys([*_names(text), *(m.group(0) for m in _SYMBOL.finditer(text))]))


def standalone(turn: Turn) -> str:
    """``turn``'s question as it reads on its own: as rewritten ("What did Egypt say …?" for "And Egypt?"),
    or with the question it followed up, filter words left out."""
    fu = turn.followup or {}
    own = split_filters(turn.question)[0]
    if fu.get("read_as"):
        return fu["read_as"]
    if fu.get("context"):
        return f"{fu['context']} {own}"
    return own


def follow_up(question: str, previous: Turn | None, filtered: bool = False) -> FollowUp | None:
    """The context ``question`` carries over from ``previous``, or None when it stands on its own.

    A turn that found nothing passes nothing on (its words and filters found nothing: carrying them only
    makes the next question find nothing too). ``filtered``: the question came with its own ``year:`` /
    ``doc:`` filters; with a topic of its own ("year:1999 genocide") it is a new search unless it says it
    leans on the last one ("and", "what about", a pronoun)."""
    if previous is None or previous.error or not previous.results or not is_follow_up(question):
        return None
    if filtered and _content(question) and not explicit_follow_up(question):
        return None
    own = {t.lower() for t in query_terms(question)}
    prev_q = standalone(previous)
    # words carried into the previous turn go on only while the chain names nothing new: after "What did
    # Canada say?" the co-chairs of two questions back are no longer what "she" points at
    carried = [] if _key_names(split_filters(previous.question)[0]) else (previous.followup or {}).get("terms") or []
    # names first (what "it", "they", "there" point at), then a few topic words
    names = [w for n in _key_names(prev_q) for w in TOKEN.findall(n) if w.lower() not in STOPWORDS]
    topic = [t for t in _content(prev_q) if t.lower() not in {n.lower() for n in names}][:MAX_TOPIC_TERMS]
    terms: list[str] = []
    for t in [*names, *_answer_names(previous), *topic, *carried]:
        if t.lower() not in own and t.lower() not in {x.lower() for x in terms}:
            terms.append(t)
    sources = _cited_sources(previous)
    # the scope its own filter words set ("... year:2007"); a standing scope applies to every question anyway
    scope = previous.scope_obj if split_filters(previous.question)[1] else Scope()
    terms = terms[:MAX_CONTEXT_TERMS]
    named = {n.lower() for n in names}
    read_as, slot = rewrite(_as_ellipsis(question), prev_q)
    if slot == "year" or (slot == "ordinal" and _ORDINAL_MEETING.search(prev_q)):
        sources = []  # another meeting, another year: most likely another document (not "the third question")
    new = _ellipsis_part(_as_ellipsis(question)) if read_as else None
    return FollowUp(
        previous.id,
        previous.question,
        terms,
        sources,
        scope,
        names=[t for t in terms if t.lower() in named],
        read_as=read_as,
        new=new,
        after=_answered_at(previous) if asks_for_more(question) else None,
        context=prev_q,
        answered_in=(_answered_at(previous) or (None,))[0] if sources else None,
    )


def asks_for_more(question: str) -> bool:
    """"Tell me more", "Go on", "What else?", "Why?", "Why was he there?": the answer is likely to go on in the
    paragraph after the previous one."""
    words = [w.lower() for w in TOKEN.findall(question)]
    return bool(words) and (words[0] == "why" or bool(_GO_ON.search(question)) or any(w in _MORE for w in words))


_GO_ON = re.compile(r"^\s*(?:go\s+on|continue|elaborate)\b", re.I)


def _answered_at(turn: Turn) -> tuple[str, int] | None:
    """(source, paragraph) of the passage ``turn``'s answer quoted."""
    if not turn.answer or not turn.relevant:
        return None
    r = next((r for r in turn.results if r["rank"] == turn.answer["rank"]), None)
    return (r["source"], r["paragraph"]) if r and r.get("paragraph") is not None else None


def _as_ellipsis(question: str) -> str:
    """"What did Uzbekistan say?" reads as "And Uzbekistan?" (the previous question, about Uzbekistan)."""
    words = TOKEN.findall(question)
    if not _only_who_said(question, words):
        return question
    return "And " + " ".join(w for w in words if _is_name(w)) + "?"


def _ellipsis_part(question: str) -> str | None:
    m = _ELLIPSIS.match(question)
    return re.sub(r"^(?:the|a|an)\s+", "", m.group("x").strip(), flags=re.I) if m else None


#: "And Egypt?", "What about the fourth?", "And in 2010?": the previous question with one part replaced
_ELLIPSIS = re.compile(
    r"^\s*(?:and\s+what\s+about|what\s+about|how\s+about|and|same\s+for|also)\s+"
    r"(?:(?:at|in|on|for|from|with|by|of)\s+)?(?P<x>[^?]+?)\s*\??\s*$",
    re.I,
)
_ORDINAL_WORD = re.compile(
    r"\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|"
    r"fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
    r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(?:first|second|third|fourth|fifth|sixth|"
    r"seventh|eighth|ninth)|\d+(?:st|nd|rd|th))\b",
    re.I,
)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
#: an ordinal that numbers a meeting, a session or a report ("the third meeting", "the fourth ministerial")
_ORDINAL_MEETING = re.compile(
    _ORDINAL_WORD.pattern + r"\s+(?:\w+\s+)?(?:meeting|meetings|session|sessions|ministerial|report|reports|workshop|"
    r"debate|conference|summit|dialogue|forum|plenary|anniversary)\b",
    re.I,
)
#: "... say about food prices in May 2008?": the topic after "about", up to a place or time phrase
_ABOUT = re.compile(
    r"\babout\s+(?P<topic>.+?)(?=\s+(?:in|at|on|during|when|before|after|since|to|for|from)\s|\s*\?|\s*$)", re.I
)


#: who speaks for a State, after its name: "the Thai delegation", "the Canadian representative"
_ROLES = r"(?:delegations?|delegates?|representatives?|envoys?|government|ministers?|ambassadors?|co-chairs?)"
_ROLE = re.compile(r"\s+" + _ROLES + r"\b", re.I)
_ROLE_AT_END = re.compile(r"\b" + _ROLES + r"$", re.I)


def rewrite(question: str, previous: str) -> tuple[str | None, str | None]:
    """``("What did Egypt say in the 2008 debate?", "name")`` for "And Egypt?" after "What did Cuba say in
    the 2008 debate?": the previous question with the part of the same kind replaced (a meeting's ordinal,
    a year, a country, the topic after "about" for a topic in lower case ("What about climate change?"),
    else its first name). ``(None, None)`` when ``question`` is not such an ellipsis."""
    m = _ELLIPSIS.match(question)
    if not m or len(TOKEN.findall(m.group("x"))) > 4:
        return None, None
    x = re.sub(r"^(?:the|a|an)\s+", "", m.group("x").strip(), flags=re.I)
    for slot, pattern in (("ordinal", _ORDINAL_WORD), ("year", _YEAR), ("name", COUNTRY_PATTERN)):
        new = pattern.search(x)
        old = pattern.search(previous)
        if new and old:
            return previous[: old.start()] + new.group(0) + previous[old.end() :], slot
    about = _ABOUT.search(previous)
    if about and x[:1].islower() and not _DEICTIC.search(x):
        return previous[: about.start("topic")] + x + previous[about.end("topic") :], "topic"
    if x[:1].isupper():
        names = list(_NAME.finditer(previous.strip()))
        if names:
            a, b = names[0].span(1)
            prev = previous.strip()
            role = _ROLE.match(prev, b)
            if role and _ROLE_AT_END.search(x):  # "the Thai delegation" -> "the Sierra Leone representative"
                b = role.end()
            country = COUNTRY_PATTERN.fullmatch(x) and not _ROLE.match(prev, b)  # "the Sierra Leone delegation"
            head = re.sub(r"\bthe\s+$", "", prev[:a], flags=re.I) if country else prev[:a]
            return head + x + prev[b:], "name"
    return None, None


def _answer_names(turn: Turn) -> list[str]:
    if not turn.answer or not turn.relevant:
        return []
    names = _names(turn.answer["sentence"])
    return [w for n in names for w in TOKEN.findall(n) if w.lower() not in STOPWORDS][:4]


def _cited_sources(turn: Turn) -> list[str]:
    """The documents ``turn`` cited: the one its answer is quoted from (a follow-up naming someone new may be
    answered from a passage below the bar), then those of its first passages that answer."""
    if not turn.results or not (turn.relevant or turn.answer):
        return []
    first = turn.answer["rank"] if turn.answer else 1
    out = [r["source"] for r in turn.results if r["rank"] == first]
    if turn.relevant:
        out += [r["source"] for r in turn.results[:SOURCE_RANKS] if r.get("relevant", True)]
    return list(dict.fromkeys(out))


# -- the conversation ---------------------------------------------------------------------------------


class Conversation:
    """Turns of one conversation, kept in ``history_path`` (None: in memory only)."""

    def __init__(self, history_path: Path | None = None):
        self.history_path = history_path
        self.turns: list[Turn] = []
        self._lock = threading.Lock()
        self._save_lock = threading.Lock()
        self._last_id = 0
        self._dirty = False  #: turns changed since the last save
        self._unscoped_after = 0  #: follow-ups of turns up to this id carry no scope (cleared since)
        self.load_warning: str | None = None

    # -- turns ------------------------------------------------------------------------------------
    def reserve_id(self) -> int:
        """A fresh turn id (unique even while several questions are in flight)."""
        with self._lock:
            self._last_id = max([self._last_id, *(t.id for t in self.turns)]) + 1
            return self._last_id

    def store(self, turn: Turn) -> None:
        with self._lock:
            for i, t in enumerate(self.turns):
                if t.id == turn.id:
                    self.turns[i] = turn
                    break
            else:
                self.turns.append(turn)
                self.turns.sort(key=lambda t: t.id)
                del self.turns[:-MAX_HISTORY]
            self._dirty = True

    def clear_scope(self) -> None:
        """The user cleared the scope: a follow-up of a turn asked so far no longer carries that turn's own
        ``year:`` / ``doc:`` filters (its words and cited documents it still carries)."""
        with self._lock:
            self._unscoped_after = max([self._unscoped_after, *(t.id for t in self.turns)])

    def turn(self, turn_id: int) -> Turn | None:
        return next((t for t in self.turns if t.id == turn_id), None)

    def before(self, turn_id: int) -> Turn | None:
        """The latest turn asked before ``turn_id`` (what a follow-up refers to)."""
        earlier = [t for t in self.turns if t.id < turn_id]
        return earlier[-1] if earlier else None

    def ask(
        self,
        engine: "Engine",
        text: str,
        standing: Scope | None = None,
        turn_id: int | None = None,
        fresh: bool = False,
        k: int | None = None,
    ) -> Turn:
        """Answer ``text`` as typed, as turn ``turn_id`` (new, or replacing it), and keep the turn.

        ``standing``: the scope chosen in the app (sidebar, filters typed alone). A follow-up carries the
        previous turn's scope, its cited documents and key words, unless ``fresh``.
        """
        turn_id = turn_id if turn_id is not None else self.reserve_id()
        standing = standing or Scope()
        question, own = engine.parse(text)
        fu = None if fresh else follow_up(question, self.before(turn_id), filtered=bool(own))
        if fu is not None and fu.of <= self._unscoped_after:
            fu.scope = Scope()  # the scope was cleared since that turn (ctrl+g): not carried either
        base = standing if (standing or fu is None) else fu.scope
        scope = base.overridden_by(own) if own else base
        if fu is not None and fu.read_as:  # a whole question now: searched as one, near the last answer
            reply = engine.ask(
                fu.read_as,
                scope,
                k,
                prefer=set(fu.sources),
                near_weight=NEAR_WEIGHT_REWRITTEN,
                quote_context=[fu.context],
                near_question=fu.new,
                answered_in=fu.answered_in,
            )
        else:
            reply = engine.ask(
                question,
                scope,
                k,
                context=[fu.context] if fu else [],
                prefer=set(fu.sources) if fu else set(),
                names=fu.names if fu else [],
                after=fu.after if fu else None,
                answered_in=fu.answered_in if fu else None,
            )
        turn = self.turn_from(turn_id, text, reply, fu, fresh, standing)
        self.store(turn)
        return turn

    @staticmethod
    def turn_from(turn_id: int, text: str, reply: "Reply", fu: FollowUp | None, fresh: bool, standing: Scope) -> Turn:
        return Turn(
            id=turn_id,
            question=text,
            mode=reply.mode,
            results=reply.results,
            answer=reply.answer,
            relevant=reply.relevant,
            scope=reply.scope.as_json() if reply.scope else {},
            followup=(
                {
                    "of": fu.of,
                    "on": fu.on,
                    "terms": fu.terms,
                    "sources": fu.sources,
                    "read_as": fu.read_as,
                    "context": fu.context,
                }
                if fu is not None
                else None
            ),
            fresh=fresh,
            standing=standing.as_json() if standing else {},
            asked_at=dt.datetime.now().isoformat(timespec="seconds"),
            note=reply.note,
        )

    # -- history ----------------------------------------------------------------------------------
    def save(self) -> None:
        """Write the history atomically: a temp file of its own, fsync, rename, fsync the folder."""
        path = self.history_path
        if path is None:
            return
        with self._save_lock:
            with self._lock:
                data = {"version": HISTORY_VERSION, "turns": [asdict(t) for t in self.turns[-MAX_HISTORY:]]}
                self._dirty = False
            text = json.dumps(data, ensure_ascii=False)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(text)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
            fsync_dir(path.parent)

    def flush(self) -> None:
        """Save if a turn changed since the last save (never writes over a history not yet loaded)."""
        if self._dirty:
            self.save()

    def load(self) -> list[Turn]:
        """Read the history. One that cannot be read is moved to ``.bak`` and reported in ``load_warning``."""
        path = self.history_path
        self.load_warning = None
        turns: list[Turn] = []
        if path is not None and path.exists():
            try:
                turns = _parse_history(path.read_text(encoding="utf-8"))
            except (OSError, ValueError, TypeError, KeyError, AttributeError) as e:
                turns = []
                self.load_warning = self._keep_aside(path, e)
        with self._lock:
            self.turns = turns
        return turns

    @staticmethod
    def _keep_aside(path: Path, error: Exception) -> str:
        bak = path.with_name(path.name + ".bak")
        if bak.exists():
            bak = path.with_name(f"{path.name}.{dt.datetime.now():%Y%m%d-%H%M%S}.bak")
        why = str(error) if isinstance(error, HistoryError) else f"{type(error).__name__}: {error}"
        try:
            os.replace(path, bak)
        except OSError as e:
            return f"{path} could not be read ({why}) nor moved aside ({e.strerror}); it is left as it is"
        return f"{path.name} could not be read ({why}): kept as {bak.name}; starting a new conversation"

    # -- export -----------------------------------------------------------------------------------
    def export_markdown(self, corpus_dir: Path, path: Path | None = None) -> Path:
        """Write the conversation with its citations as Markdown; return the file's path."""
        from .answer import citation
        from .engine import result_from

        if not self.turns:
            raise HsqaError("nothing to export yet: ask a question first")
        if path is None:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            path = Path.cwd() / f"hsqa-conversation-{stamp}.md"
        lines = [f"# hsqa conversation — {dt.date.today().isoformat()}", "", f"Corpus: `{corpus_dir}`", ""]
        for t in self.turns:
            lines += [f"## Q: {t.question}", ""]
            if t.followup:
                lines += [f"*Following up on: {t.followup['on']}*", ""]
            if t.scope_labels:
                lines += [f"*Scope: {', '.join(t.scope_labels)}*", ""]
            if not t.results:
                lines += [t.note or "No passage matches this question.", ""]
                continue
            if not t.relevant:
                lines += ["*Nothing in the corpus answers this clearly; nearest passages:*", ""]
            elif t.answer:
                lines += [f"> {' '.join(t.answer['sentence'].split())} [{t.answer['rank']}]", ""]
            for r in t.results:
                cite = citation(result_from(r), with_text=False, date_end=r.get("date_end"))
                lines.append(f"{r['rank']}. {cite} — `{r['source']}`")
                lines.append(f"   > {' '.join(r['text'].split())}")
                lines.append("")
        try:
            path.write_text("\n".join(lines), encoding="utf-8")
        except OSError as e:
            raise HsqaError(f"cannot write {path}: {e.strerror}") from None
        return path


class HistoryError(ValueError):
    pass


def _parse_history(text: str) -> list[Turn]:
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list):
        raise HistoryError("not an hsqa conversation")
    version = data.get("version")
    if version == 1:
        return [_from_v1(t) for t in data["turns"]]
    if version != HISTORY_VERSION:
        raise HistoryError(f"history format {version!r}, this hsqa reads {HISTORY_VERSION}")
    names = {f.name for f in fields(Turn)}
    return [Turn(**{k: v for k, v in t.items() if k in names}) for t in data["turns"]]


def _from_v1(t: dict) -> Turn:
    """A turn saved by an older hsqa: document ids become labels only; citations are found by their text."""
    labels = list(t.get("scope") or ())
    years = {int(y) for lab in labels for y in re.findall(r"\b(\d{4})\b", lab) if lab.startswith("year:")}
    scope = Scope(years=years, labels=labels)
    return Turn(
        id=t["id"],
        question=t["question"],
        mode=t["mode"],
        results=t["results"],
        answer=t.get("answer"),
        relevant=t.get("relevant", True),
        scope=scope.as_json(),
        asked_at=t.get("asked_at", ""),
        error=t.get("error"),
    )


def describe_date(r: dict) -> str:
    return citation_date(r.get("date"), r.get("date_end")) or "undated"
