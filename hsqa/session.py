"""The headless side of the chat app: one conversation over one index.

Everything the TUI does that touches disk, the model or the index goes through :class:`Session`, so it
is testable without a terminal and the widgets stay free of I/O. Methods are safe to call from worker
threads (each thread gets its own SQLite connection through :class:`~hsqa.store.Store`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .answer import annotate, citation
from .config import Config
from .embedding import Embedder, make_embedder
from .errors import HsqaError, IndexMissing
from .indexer import IndexReport, Indexer, Progress, Staleness, staleness
from .search import Result, Scope, Searcher
from .store import fsync_dir

HISTORY_VERSION = 1
MAX_HISTORY = 200


@dataclass
class Turn:
    """One question and its cited passages, as plain data (saved in the conversation history)."""

    id: int
    question: str
    mode: str  #: "hybrid" or "lexical" (model not ready yet, or failed)
    results: list[dict]  #: :meth:`Result.as_json` rows
    answer: dict | None = None  #: {"sentence", "rank"}: the best sentence, verbatim, and its card
    relevant: bool = True  #: False: nothing answers clearly; the results are only the nearest passages
    scope: list[str] = field(default_factory=list)
    doc_ids: list[int] = field(default_factory=list)  #: documents the question was scoped to
    filters: str = ""  #: standing filters ("year:2007") the question was asked under
    asked_at: str = ""
    error: str | None = None

    @property
    def upgradable(self) -> bool:
        return self.mode == "lexical" and self.error is None


@dataclass
class IndexStatus:
    documents: int
    passages: int
    model: str
    stale: Staleness


@dataclass
class DocParagraph:
    number: int
    section: str
    text: str
    heading: str | None = None  #: a heading that starts here (shown above the paragraph)
    page: int | None = None  #: PDF: the page where the paragraph starts


@dataclass
class DocumentView:
    doc_id: int
    path: str
    title: str
    date: str | None
    place: str | None
    paragraphs: list[DocParagraph]
    warning: str | None = None  #: e.g. the file changed or vanished since it was indexed


class Session:
    def __init__(self, config: Config, embedder: Embedder | None = None):
        self.config = config
        self.embedder = embedder or make_embedder(config.model)
        self.model_ready = self.embedder.ready  # the hashing embedder needs no loading
        self.model_error: str | None = None
        self._searcher: Searcher | None = None
        self._lock = threading.Lock()
        self.turns: list[Turn] = []
        self._last_id = 0

    # -- index --------------------------------------------------------------------------------
    @property
    def searcher(self) -> Searcher:
        with self._lock:
            if self._searcher is None:
                self._searcher = Searcher(self.config, self.embedder)
            return self._searcher

    def open_index(self) -> IndexStatus:
        """Open the index (raises :class:`IndexMissing` / :class:`ModelMismatch` with clear messages)."""
        if not self.config.db_path.exists():
            raise IndexMissing(
                f"no index at {self.config.index_dir}/ yet: press ctrl+r to build it from {self.config.corpus_dir}/"
            )
        s = self.searcher
        s.refresh()
        return self.status()

    def status(self) -> IndexStatus:
        s = self.searcher
        s.refresh()
        docs, passages = s.store.counts()
        return IndexStatus(docs, passages, s.model_name, self.staleness())

    def staleness(self) -> Staleness:
        try:
            return staleness(self.config, self.searcher.store)
        except HsqaError:
            return Staleness()

    def reindex(self, progress: Progress | None = None) -> IndexReport:
        report = Indexer(self.config, self.embedder, progress).run(wait=True)
        with self._lock:
            if self._searcher is None:
                self._searcher = Searcher(self.config, self.embedder)
        return report

    def documents(self) -> list[dict]:
        return [
            {"id": d["id"], "path": d["path"], "title": d["title"], "date": d["date"], "passages": d["n_chunks"]}
            for d in self.searcher.store.documents()
        ]

    # -- model ------------------------------------------------------------------------------------
    def load_model(self) -> None:
        """Load the embedding model (~0.5 s with its ONNX export; the first time ~10 s). Failure leaves lexical mode on."""
        try:
            self.embedder.load()
            self.model_ready = True
        except HsqaError as e:
            self.model_error = str(e)
            raise

    # -- questions ----------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        doc_ids: set[int] | None = None,
        k: int | None = None,
        turn_id: int | None = None,
        filters: str = "",
    ) -> Turn:
        """Answer ``question`` (hybrid when the model is ready, lexical before), restricted to ``doc_ids``
        and to standing ``filters`` ("year:2007 doc:friends"). Appends or replaces a turn."""
        mode = "hybrid" if self.model_ready else "lexical"
        scope = Scope(doc_ids=set(doc_ids or ()))
        if doc_ids:
            docs = self.searcher.documents
            scope.labels = [f"doc:{docs[d]['title'][:40]}" for d in sorted(doc_ids) if d in docs]
        resp = self.searcher.search(f"{filters} {question}".strip(), k=k or self.config.k, mode=mode, scope=scope or None)
        answer = annotate(resp, self.searcher)
        turn = Turn(
            id=turn_id if turn_id is not None else self.reserve_id(),
            question=question,
            mode=resp.mode,
            results=[r.as_json() for r in resp.results],
            answer={"sentence": answer.sentence, "rank": answer.result.rank} if answer else None,
            relevant=resp.any_relevant,
            scope=resp.scope.labels if resp.scope else [],
            doc_ids=sorted(doc_ids or ()),
            filters=filters,
            asked_at=dt.datetime.now().isoformat(timespec="seconds"),
        )
        self._store_turn(turn)
        return turn

    def reserve_id(self) -> int:
        """A fresh turn id (unique even while several questions are in flight)."""
        with self._lock:
            self._last_id = max([self._last_id, *(t.id for t in self.turns)]) + 1
            return self._last_id

    def _store_turn(self, turn: Turn) -> None:
        with self._lock:
            for i, t in enumerate(self.turns):
                if t.id == turn.id:
                    self.turns[i] = turn
                    break
            else:
                self.turns.append(turn)
                del self.turns[:-MAX_HISTORY]

    def turn(self, turn_id: int) -> Turn | None:
        return next((t for t in self.turns if t.id == turn_id), None)

    # -- documents ------------------------------------------------------------------------------
    def document_view(self, doc_id: int) -> DocumentView:
        store = self.searcher.store
        d = store.document(doc_id)
        if d is None:
            raise HsqaError("that document is no longer in the index (it was removed or re-indexed)")
        heads = {h["start"]: h["title"] for h in store.headings(doc_id)}
        head_starts = sorted(heads)
        paras = []
        hi = 0
        for p in store.paragraphs(doc_id):
            heading = None
            while hi < len(head_starts) and head_starts[hi] < p["start"]:
                heading = heads[head_starts[hi]]
                hi += 1
            paras.append(DocParagraph(p["number"], p["section"], p["text"], heading, p["page"]))
        warning = None
        path = self.config.corpus_dir / d["path"]
        try:
            st = path.stat()
            if (st.st_size, st.st_mtime_ns) != (d["size"], d["mtime_ns"]):
                warning = f"{d['path']} changed on disk since it was indexed; showing the indexed text"
        except OSError as e:
            warning = f"cannot read {d['path']} ({e.strerror}); showing the indexed text"
        return DocumentView(doc_id, d["path"], d["title"], d["date"], d["place"], paras, warning)

    # -- keep and share -----------------------------------------------------------------------
    @staticmethod
    def citation_text(result: dict) -> str:
        return citation(_result_from(result))

    def save_history(self) -> None:
        path = self.config.history_path
        data = {"version": HISTORY_VERSION, "turns": [asdict(t) for t in self.turns[-MAX_HISTORY:]]}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
        fsync_dir(path.parent)

    def load_history(self) -> list[Turn]:
        path = self.config.history_path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            turns = [Turn(**t) for t in data.get("turns", [])] if data.get("version") == HISTORY_VERSION else []
        except (OSError, ValueError, TypeError):
            turns = []
        with self._lock:
            self.turns = turns
        return turns

    def clear_history(self) -> None:
        with self._lock:
            self.turns = []
        self.save_history()

    def export_markdown(self, path: Path | None = None) -> Path:
        """Write the conversation with its citations as Markdown; return the file's path."""
        if path is None:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            path = Path.cwd() / f"hsqa-conversation-{stamp}.md"
        lines = [f"# hsqa conversation — {dt.date.today().isoformat()}", "", f"Corpus: `{self.config.corpus_dir}`", ""]
        for t in self.turns:
            lines += [f"## Q: {t.question}", ""]
            if t.scope:
                lines += [f"*Scope: {', '.join(t.scope)}*", ""]
            if not t.results:
                lines += ["No passage matches this question.", ""]
                continue
            if not t.relevant:
                lines += ["*Nothing in the corpus answers this clearly; nearest passages:*", ""]
            elif t.answer:
                lines += [f"> {' '.join(t.answer['sentence'].split())} [{t.answer['rank']}]", ""]
            for r in t.results:
                res = _result_from(r)
                lines.append(f"{r['rank']}. {citation(res, with_text=False)} — `{r['source']}`")
                lines.append(f"   > {' '.join(r['text'].split())}")
                lines.append("")
        try:
            path.write_text("\n".join(lines), encoding="utf-8")
        except OSError as e:
            raise HsqaError(f"cannot write {path}: {e.strerror}") from None
        return path


def _result_from(d: dict) -> Result:
    return Result(**{k: v for k, v in d.items() if k in Result.__dataclass_fields__})
