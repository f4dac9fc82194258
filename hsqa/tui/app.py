"""The chat app: a thin router between widgets and the headless :class:`~hsqa.session.Session`.

Slow work (opening the index, loading the model, searching, indexing, watching the corpus, reading a
document) runs in thread workers whose bodies call the session and only post messages; one
``Worker.StateChanged`` handler turns failures into visible messages.
"""

from __future__ import annotations

import time

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, ProgressBar, Static
from textual.worker import Worker, WorkerState

from ..config import Config
from ..errors import HsqaError, IndexMissing
from ..indexer import STAGE_LABELS
from ..search import split_filters
from ..session import Session
from . import messages as m
from .screens.viewer import SourceViewer
from .widgets.cards import CitationCard
from .widgets.inputs import QuestionInput
from .widgets.sidebar import DocumentList
from .widgets.status import StatusLine
from .widgets.transcript import Transcript

WATCH_SECONDS = 3.0
#: turns of a previous conversation shown at start (all of them stay in the history file and the export)
SHOWN_AT_START = 20


class HsqaApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "hsqa"
    BINDINGS = [
        Binding("ctrl+b", "toggle_sidebar", "Documents"),
        Binding("ctrl+r", "reindex", "Re-index"),
        Binding("ctrl+s", "export", "Export"),
        Binding("ctrl+y", "copy_answer", "Copy citation"),
        Binding("ctrl+g", "clear_scope", "Clear scope"),
        Binding("ctrl+l", "clear_history", "Clear chat", show=False),
        Binding("escape", "focus_question", "Question", show=False),
        Binding("tab", "focus_next", "Next", show=False),
        *[Binding(str(i), f"open_card({i})", f"Open [{i}]", show=False) for i in range(1, 10)],
        Binding("ctrl+q", "quit", "Quit"),
    ]

    def __init__(self, config: Config, session: Session | None = None, watch: bool = True):
        super().__init__()
        self.config = config
        self.session = session or Session(config)
        self.scope_doc: int | None = None
        self.scope_filters = ""  #: standing "doc:… year:…" filters typed on their own
        self.pending_upgrade: set[int] = set()
        self.index_ready = False
        self.indexing = False
        self.watch_corpus = watch
        self.docs: dict[int, dict] = {}

    # -- layout ---------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            with Vertical(id="sidebar"):
                yield Static("Documents — Enter to scope", id="sidebar-title")
                yield DocumentList(id="documents")
            with Vertical(id="conversation"):
                yield Transcript(id="transcript")
                yield Static(id="scope")
                yield QuestionInput(id="question")
        yield ProgressBar(id="progress", show_eta=False)
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"hsqa — {self.config.corpus_dir.resolve().name}"
        self.sub_title = "opening index…"
        self.query_one(QuestionInput).focus()
        self.open_index()
        self.load_model()
        self.restore_history()
        if self.watch_corpus:
            self.set_interval(WATCH_SECONDS, self.check_corpus)

    # -- workers: call the session, post messages -----------------------------------------------
    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def open_index(self) -> None:
        try:
            self.post_message(m.IndexOpened(self.session.open_index()))
        except IndexMissing as e:
            self.post_message(m.IndexMissingFound(str(e)))

    @work(thread=True, exclusive=True, group="model", exit_on_error=False)
    def load_model(self) -> None:
        t = time.perf_counter()
        try:
            self.session.load_model()
        except HsqaError as e:
            self.post_message(m.ModelFailed(str(e)))
            return
        self.post_message(m.ModelLoaded(time.perf_counter() - t))

    @work(thread=True, group="ask", exit_on_error=False)
    def ask(self, question: str, doc_ids: set[int], turn_id: int, upgrade: bool = False, filters: str = "") -> None:
        turn = self.session.ask(question, doc_ids, turn_id=turn_id, filters=filters)
        self.post_message(m.AnswerReady(turn, upgraded=upgrade))

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def reindex(self) -> None:
        report = self.session.reindex(progress=lambda s, d, t: self.post_message(m.IndexProgressed(s, d, t)))
        self.post_message(m.IndexUpdated(report, self.session.status()))

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def check_corpus(self) -> None:
        if not self.index_ready or self.indexing:
            return
        stale = self.session.staleness()
        if stale.stale:
            self.post_message(m.CorpusChanged(stale))

    @work(thread=True, exclusive=True, group="doc", exit_on_error=False)
    def load_document(self, doc_id: int, cited: list[int], start: int) -> None:
        self.post_message(m.DocumentLoaded(self.session.document_view(doc_id), cited, start))

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def save_history(self) -> None:
        self.session.save_history()

    @work(exclusive=True, group="restore", exit_on_error=False)
    async def restore_history(self) -> None:
        turns = self.session.load_history()
        transcript = self.query_one(Transcript)
        if not turns:
            await transcript.mount(Static(WELCOME, id="welcome"))
        box = self.query_one(QuestionInput)
        for t in turns:
            box.remember(t.question)
        if len(turns) > SHOWN_AT_START:  # keep start-up quick: older turns stay in the history and the export
            transcript.note(f"{len(turns) - SHOWN_AT_START} earlier questions are in the history (ctrl+s exports them all)")
        for t in turns[-SHOWN_AT_START:]:
            await transcript.add_turn(t, scroll=False)
        transcript.scroll_end(animate=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        err = event.worker.error
        text = str(err) if isinstance(err, HsqaError) else f"{type(err).__name__}: {err}"
        group = event.worker.group
        if group == "index":
            self.indexing = False
            self._progress(False)
            self.query_one(StatusLine).index = "indexing failed"
        elif group == "open":
            self.sub_title = "index unusable"
            self.query_one(StatusLine).index = "index unusable — ctrl+r rebuilds it"
        self.query_one(Transcript).note(f"⚠ {text}", style="bold red")

    # -- worker results ------------------------------------------------------------------------
    def on_index_opened(self, msg: m.IndexOpened) -> None:
        self.index_ready = True
        self._show_status(msg.status)
        self.refresh_documents()

    def on_index_missing_found(self, msg: m.IndexMissingFound) -> None:
        self.sub_title = "no index"
        self.query_one(StatusLine).index = "no index — press ctrl+r to build it"
        self.query_one(Transcript).note(f"⚠ {msg.reason}", style="bold #e0b050")

    def on_model_loaded(self, msg: m.ModelLoaded) -> None:
        self.query_one(StatusLine).model = "model ready — hybrid search"
        for turn_id in sorted(self.pending_upgrade):
            t = self.session.turn(turn_id)
            if t is not None:
                self.ask(t.question, set(t.doc_ids), t.id, upgrade=True, filters=t.filters)
        self.pending_upgrade.clear()

    def on_model_failed(self, msg: m.ModelFailed) -> None:
        self.query_one(StatusLine).model = "model unavailable — keyword search only"
        self.query_one(Transcript).note(f"⚠ {msg.reason}. Answers use keyword search only.", style="bold #e0b050")

    async def on_answer_ready(self, msg: m.AnswerReady) -> None:
        turn = msg.turn
        if turn.upgradable and not self.session.model_ready:
            self.pending_upgrade.add(turn.id)
        elif turn.upgradable and self.session.model_ready and not msg.upgraded:
            self.ask(turn.question, set(turn.doc_ids), turn.id, upgrade=True, filters=turn.filters)  # model came meanwhile
        transcript = self.query_one(Transcript)
        for w in transcript.query("#welcome"):
            await w.remove()
        await transcript.show_turn(turn)
        self.save_history()

    def on_index_progressed(self, msg: m.IndexProgressed) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=max(msg.total, 1), progress=msg.done)
        label = STAGE_LABELS.get(msg.stage, msg.stage)
        self.query_one(StatusLine).index = f"indexing: {label} {msg.done}/{msg.total}"

    def on_index_updated(self, msg: m.IndexUpdated) -> None:
        self.indexing = False
        self.index_ready = True
        self._progress(False)
        r = msg.report
        self._show_status(msg.status)
        self.refresh_documents()
        changes = f"{r.added} added · {r.updated} updated · {r.removed} removed · {r.renamed} renamed"
        self.notify(f"Index updated: {changes}. {r.documents} documents, {r.chunks} passages.", title="hsqa")
        for s in r.skipped:
            self.query_one(Transcript).note(f"skipped {s['path']}: {s['reason']}", style="dim italic")

    def on_corpus_changed(self, msg: m.CorpusChanged) -> None:
        if self.indexing:
            return
        self.sub_title = f"{msg.stale.summary()} — indexing…"
        self.query_one(StatusLine).corpus = f"{msg.stale.summary()} — indexing…"
        self.action_reindex()

    def on_document_loaded(self, msg: m.DocumentLoaded) -> None:
        self.push_screen(SourceViewer(msg.view, msg.focus_paragraphs, msg.start))

    # -- widget requests --------------------------------------------------------------------------
    @on(Input.Submitted, "#question")
    def question_submitted(self, event: Input.Submitted) -> None:
        q = event.value.strip()
        if not q:
            return
        box = self.query_one(QuestionInput)
        box.remember(q)
        box.value = ""
        if not self.index_ready:
            self.query_one(Transcript).note("⚠ There is no index to search yet: press ctrl+r to build it.", style="bold #e0b050")
            return
        rest, filters = split_filters(q)
        if filters and not rest:  # only filters: they scope the next questions until ctrl+g
            self.scope_filters = filters
            self._show_scope()
            return
        doc_ids = {self.scope_doc} if self.scope_doc is not None else set()
        self.ask(q, doc_ids, self.session.reserve_id(), filters=self.scope_filters)

    def on_citation_selected(self, msg: m.CitationSelected) -> None:
        turn = self.session.turn(msg.turn_id)
        if turn is None:
            return
        r = next((x for x in turn.results if x["rank"] == msg.rank), None)
        if r is None:
            return
        cited = [x["paragraph"] for x in turn.results if x["doc_id"] == r["doc_id"]]
        self.load_document(r["doc_id"], sorted(set(cited)), r["paragraph"])

    def on_citation_copy_requested(self, msg: m.CitationCopyRequested) -> None:
        turn = self.session.turn(msg.turn_id)
        r = next((x for x in turn.results if x["rank"] == msg.rank), None) if turn else None
        if r is not None:
            self._copy(self.session.citation_text(r))

    def on_scope_requested(self, msg: m.ScopeRequested) -> None:
        self.scope_doc = msg.doc_id
        if msg.doc_id is None:
            self.scope_filters = ""
        self._show_scope()
        self.query_one(QuestionInput).focus()

    def _show_scope(self) -> None:
        parts = []
        if self.scope_doc is not None:
            parts.append(self.docs.get(self.scope_doc, {}).get("title", f"document {self.scope_doc}"))
        if self.scope_filters:
            parts.append(self.scope_filters)
        scope = self.query_one("#scope", Static)
        scope.update(f"Scope: {' · '.join(parts)}   (ctrl+g to clear)")
        scope.set_class(bool(parts), "visible")

    # -- actions ----------------------------------------------------------------------------------
    MAIN_SCREEN_ONLY = {"toggle_sidebar", "open_card", "copy_answer", "clear_scope", "clear_history", "focus_question"}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # over the source viewer, conversation keys neither act nor show in its footer
        if action in self.MAIN_SCREEN_ONLY and isinstance(self.screen, SourceViewer):
            return False
        return True

    def action_toggle_sidebar(self) -> None:
        side = self.query_one("#sidebar")
        side.toggle_class("visible")
        if side.has_class("visible"):
            self.query_one(DocumentList).focus()
        else:
            self.query_one(QuestionInput).focus()

    def action_reindex(self) -> None:
        if self.indexing:
            return
        self.indexing = True
        self._progress(True)
        self.query_one(StatusLine).index = "indexing…"
        self.reindex()

    def action_export(self) -> None:
        try:
            path = self.session.export_markdown()
        except HsqaError as e:
            self.notify(str(e), severity="error")
            return
        self.notify(f"Conversation exported to {path}", title="Export")

    def action_copy_answer(self) -> None:
        focused = self.focused
        if isinstance(focused, CitationCard):
            self._copy(self.session.citation_text(focused.result))
            return
        view = self.query_one(Transcript).latest()
        if view and view.turn.results:
            rank = view.turn.answer["rank"] if view.turn.answer else 1
            r = next(x for x in view.turn.results if x["rank"] == rank)
            self._copy(self.session.citation_text(r))

    def action_clear_scope(self) -> None:
        self.post_message(m.ScopeRequested(None))

    async def action_clear_history(self) -> None:
        self.session.clear_history()
        await self.query_one(Transcript).remove_children()

    def action_focus_question(self) -> None:
        if self.query_one("#sidebar").has_class("visible") and self.focused is self.query_one(DocumentList):
            self.action_toggle_sidebar()
        self.query_one(QuestionInput).focus()

    def on_card_number_pressed(self, msg: m.CardNumberPressed) -> None:
        self.action_open_card(msg.number)

    def action_open_card(self, n: int) -> None:
        view = self.query_one(Transcript).latest()
        card = view.card(n) if view else None
        if card is not None:
            card.focus()
            self.post_message(m.CitationSelected(view.turn.id, n))

    # -- helpers ------------------------------------------------------------------------------------
    def _copy(self, text: str) -> None:
        self.copy_to_clipboard(text)
        self.notify(text[:160] + ("…" if len(text) > 160 else ""), title="Citation copied")

    def _progress(self, visible: bool) -> None:
        bar = self.query_one(ProgressBar)
        bar.set_class(visible, "visible")
        if visible:
            bar.update(total=None, progress=0)

    def _show_status(self, status) -> None:
        st = status.stale
        fresh = "up to date" if not st.stale else f"{st.summary()} since last index"
        self.sub_title = f"{status.documents} documents · {status.passages} passages · {fresh}"
        self.query_one(StatusLine).index = f"index: {status.documents} documents, {status.passages} passages"
        self.query_one(StatusLine).corpus = "" if not st.stale else fresh

    @work(thread=True, exclusive=True, group="docs", exit_on_error=False)
    def refresh_documents(self) -> None:
        docs = self.session.documents()
        self.call_from_thread(self._set_documents, docs)

    def _set_documents(self, docs: list[dict]) -> None:
        self.docs = {d["id"]: d for d in docs}
        self.query_one(DocumentList).set_documents(docs)


WELCOME = (
    "Ask about the UN human-security meeting summaries in this corpus.\n"
    "Answers quote the source verbatim, with numbered citations: press a number (or click a card) to open\n"
    "the document at that paragraph. ctrl+b lists documents (Enter scopes questions to one), ctrl+s exports,\n"
    "ctrl+y copies a citation, ctrl+r re-indexes."
)


def run_app(config: Config) -> int:
    HsqaApp(config).run()
    return 0
