"""Messages posted by workers (past tense: something happened) and by widgets (requests)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from ..conversation import Turn
from ..engine import DocumentView, IndexStatus, Located
from ..indexer import IndexReport, Staleness
from ..scope import Scope


@dataclass
class IndexOpened(Message):
    status: IndexStatus


@dataclass
class IndexMigrating(Message):
    text: str  #: "migrating index to schema 6: step 3/24": an index made by an older hsqa is being upgraded
    done: bool = False  #: that migration is committed


@dataclass
class IndexMissingFound(Message):
    reason: str


@dataclass
class ModelLoaded(Message):
    seconds: float


@dataclass
class ModelFailed(Message):
    reason: str


@dataclass
class HistoryLoaded(Message):
    turns: list[Turn]
    warning: str | None  #: the history file could not be read (it was kept aside)


@dataclass
class AnswerReady(Message):
    turn: Turn
    upgraded: bool = False  #: replaces an earlier answer to the same question (model upgrade, asked fresh)


@dataclass
class ScopeParsed(Message):
    scope: Scope  #: filters typed on their own: the standing scope from now on


@dataclass
class IndexProgressed(Message):
    stage: str
    done: int
    total: int


@dataclass
class IndexUpdated(Message):
    report: IndexReport
    status: IndexStatus
    new_skips: list[dict]  #: skipped files not reported before in their current state


@dataclass
class CorpusChanged(Message):
    stale: Staleness


@dataclass
class CitationsChecked(Message):
    located: dict[tuple[int, int], Located]  #: (turn id, rank) -> where that paragraph is now


@dataclass
class DocumentLoaded(Message):
    view: DocumentView
    focus_paragraphs: list[int]  #: cited paragraph numbers of this document, in answer order
    start: int  #: the paragraph to show first


@dataclass
class DocumentsListed(Message):
    documents: list[dict]


@dataclass
class CitationSelected(Message):
    turn_id: int
    rank: int


@dataclass
class ScopeRequested(Message):
    path: str | None  #: None clears the scope
    title: str = ""


@dataclass
class CardNumberPressed(Message):
    number: int  #: open card [number] ...
    turn_id: int | None = None  #: ... of this turn (None: the answer on screen)


@dataclass
class TypedElsewhere(Message):
    text: str  #: typed or pasted while focus was not in the question box: it belongs there


@dataclass
class TranscriptScrollRequested(Message):
    how: str  #: page_up, page_down, home, end
