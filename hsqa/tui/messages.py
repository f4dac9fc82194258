"""Messages posted by workers (past tense: something happened) and by widgets (requests)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from ..indexer import IndexReport, Staleness
from ..session import DocumentView, IndexStatus, Turn


@dataclass
class IndexOpened(Message):
    status: IndexStatus


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
class AnswerReady(Message):
    turn: Turn
    upgraded: bool = False  #: replaces an earlier lexical-only answer to the same question


@dataclass
class IndexProgressed(Message):
    stage: str
    done: int
    total: int


@dataclass
class IndexUpdated(Message):
    report: IndexReport
    status: IndexStatus


@dataclass
class CorpusChanged(Message):
    stale: Staleness


@dataclass
class DocumentLoaded(Message):
    view: DocumentView
    focus_paragraphs: list[int]  #: cited paragraph numbers of this document, in answer order
    start: int  #: the paragraph to show first


@dataclass
class CitationSelected(Message):
    turn_id: int
    rank: int


@dataclass
class CitationCopyRequested(Message):
    turn_id: int
    rank: int


@dataclass
class ScopeRequested(Message):
    doc_id: int | None  #: None clears the scope


@dataclass
class CardNumberPressed(Message):
    number: int  #: open card [number] of the latest answer
