"""The chat app: a thin router between widgets, the :class:`~hsqa.engine.Engine` and the
:class:`~hsqa.conversation.Conversation`.

Slow work (opening the index, loading the model, searching, indexing, watching the corpus, reading a
document or the history) runs in thread workers whose bodies call the core and only post messages; one
``Worker.StateChanged`` handler turns failures into visible messages.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, ProgressBar, Static
from textual.worker import Worker, WorkerState

from ..config import Config
from ..conversation import Conversation
from ..engine import Engine
from ..errors import HsqaError, IndexMissing
from ..indexer import STAGE_LABELS
from ..scope import Scope
from ..search import split_filters
from . import messages as m
from .screens.viewer import SourceViewer
from .widgets.cards import CitationCard
from .widgets.inputs import QuestionInput
from .widgets.sidebar import DocumentList
from .widgets.status import ScopeBar, StatusLine
from .widgets.transcript import AnswerBlock, Transcript

WATCH_SECONDS = 3.0
#: turns of a previous conversation shown at start (all of them stay in the history file and the export)
SHOWN_AT_START = 20


class HsqaApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "hsqa"
    BINDINGS = [
        Binding("ctrl+b", "toggle_sidebar", "Docs"),
        Binding("ctrl+y", "copy_answer", "Copy"),
        Binding("ctrl+s", "export", "Export"),
        Binding("ctrl+r", "reindex", "Re-index"),
        Binding("ctrl+g", "clear_scope", "Unscope"),
        Binding("ctrl+n", "ask_fresh", "Afresh", show=False),
        Binding("ctrl+o", "toggle_quote", "Whole quote", show=False),
        Binding("ctrl+l", "clear_screen", "Clear screen", show=False),
        Binding("escape", "focus_question", "Question", show=False),
        Binding("tab", "focus_next", "Next", show=False),
        *[Binding(str(i), f"open_card({i})", f"Open [{i}]", show=False) for i in range(1, 10)],
        Binding("ctrl+q", "quit", "Quit"),
    ]

    def __init__(
        self,
        config: Config,
        engine: Engine | None = None,
        watch: bool = True,
        conversation: Conversation | None = None,
    ):
        super().__init__()
        self.config = config
        self.engine = engine or Engine(config)
        self.conversation = conversation or Conversation(config.history_path)
        self.scope = Scope()  #: the standing scope: a document chosen in the sidebar, filters typed alone
        self.pending_upgrade: set[int] = set()
        self.index_ready = False
        self.indexing = False
        self.migrating = False  #: an index made by an older hsqa is being upgraded (see on_index_migrating)
        self.watch_corpus = watch
        self.docs: dict[str, dict] = {}
        self.quick_exit = False  #: quitting does not wait for worker threads (see :func:`run_app`)

    # -- layout ---------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            with Vertical(id="sidebar"):
                yield Static("Documents — Enter to scope", id="sidebar-title")
                yield DocumentList(id="documents")
            with Vertical(id="conversation"):
                yield Transcript(id="transcript")
                yield ScopeBar(id="scope")
                yield QuestionInput(id="question")
        yield ProgressBar(id="progress", show_eta=False)
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        if self.quick_exit:
            asyncio.get_running_loop().set_default_executor(_NoWaitExecutor())
        self.title = f"hsqa — {self.config.corpus_dir.resolve().name}"
        self.sub_title = "opening index…"
        self.query_one(QuestionInput).focus()
        self.open_index()
        self.load_model()
        self.load_history()
        if self.watch_corpus:
            self.set_interval(WATCH_SECONDS, self.check_corpus)

    def on_resize(self, event) -> None:
        # the one-line forms of a short screen depend on the terminal's height, which cached heights ignore
        for w in [*self.query(AnswerBlock), *self.query(ScopeBar)]:
            w.clear_cached_dimensions()
            w.refresh(layout=True)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, SourceViewer):
            return
        yield SystemCommand("Re-index the corpus", "Bring the index up to date with the corpus folder (ctrl+r)", self.action_reindex)
        yield SystemCommand("Export the conversation", "Write it with its citations as Markdown (ctrl+s)", self.action_export)
        yield SystemCommand("Copy citation", "Copy the answer's citation, or the focused card's (ctrl+y)", self.action_copy_answer)
        yield SystemCommand("Choose a document to scope questions to", "Open the document list (ctrl+b)", self.action_toggle_sidebar)
        yield SystemCommand("Clear the scope", "Questions search every document again (ctrl+g)", self.action_clear_scope)
        yield SystemCommand("Ask the last question afresh", "Without the previous question's context (ctrl+n)", self.action_ask_fresh)
        yield SystemCommand(
            "Show the whole quote", "On a short screen a long quote shows its first lines; this toggles (ctrl+o)",
            self.action_toggle_quote,
        )
        yield SystemCommand("Clear the screen", "The conversation stays saved and in the export (ctrl+l)", self.action_clear_screen)

    # -- workers: call the core, post messages ----------------------------------------------------
    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def open_index(self) -> None:
        try:
            status = self.engine.open_index(migration=lambda step: self.post_message(m.IndexMigrating(str(step), step.done)))
            self.post_message(m.IndexOpened(status))
        except IndexMissing as e:
            self.post_message(m.IndexMissingFound(str(e)))

    @work(thread=True, exclusive=True, group="model", exit_on_error=False)
    def load_model(self) -> None:
        t = time.perf_counter()
        try:
            self.engine.load_model()
        except HsqaError as e:
            self.post_message(m.ModelFailed(str(e)))
            return
        self.post_message(m.ModelLoaded(time.perf_counter() - t))

    @work(thread=True, exclusive=True, group="history-load", exit_on_error=False)
    def load_history(self) -> None:
        turns = self.conversation.load()
        self.post_message(m.HistoryLoaded(turns, self.conversation.load_warning))

    @work(thread=True, group="ask", exit_on_error=False)
    def ask(self, text: str, turn_id: int, standing: Scope, fresh: bool = False, upgrade: bool = False) -> None:
        turn = self.conversation.ask(self.engine, text, standing, turn_id=turn_id, fresh=fresh)
        self.post_message(m.AnswerReady(turn, upgraded=upgrade))

    @work(thread=True, exclusive=True, group="scope", exit_on_error=False)
    def parse_scope(self, text: str) -> None:
        _, scope = self.engine.parse(text)
        self.post_message(m.ScopeParsed(scope))

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def reindex(self) -> None:
        report = self.engine.reindex(progress=lambda s, d, t: self.post_message(m.IndexProgressed(s, d, t)))
        self.post_message(m.IndexUpdated(report, self.engine.status(), self.engine.new_skips(report)))

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def check_corpus(self) -> None:
        if not self.index_ready or self.indexing:
            return
        stale = self.engine.staleness()
        if stale.stale:
            self.post_message(m.CorpusChanged(stale))

    @work(thread=True, exclusive=True, group="locate", exit_on_error=False)
    def check_citations(self, turns: list) -> None:
        located = {}
        for t in turns:
            for r, where in zip(t.results, self.engine.locate_all(t.results)):
                located[(t.id, r["rank"])] = where
        self.post_message(m.CitationsChecked(located))

    @work(thread=True, exclusive=True, group="doc", exit_on_error=False)
    def load_document(self, result: dict, cited: list[dict]) -> None:
        view, numbers, start = self.engine.open_citation(result, cited)
        self.post_message(m.DocumentLoaded(view, numbers, start))

    @work(thread=True, group="history", exit_on_error=False)
    def save_history(self) -> None:
        self.conversation.save()

    @work(thread=True, exclusive=True, group="docs", exit_on_error=False)
    def refresh_documents(self) -> None:
        self.post_message(m.DocumentsListed(self.engine.documents()))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        err = event.worker.error
        text = str(err) if isinstance(err, HsqaError) else f"{type(err).__name__}: {err}"
        group = event.worker.group
        if group == "index":
            self.indexing = False
            self._progress(False)
            self.query_one(StatusLine).set_index("indexing failed")
        elif group == "open":
            self.migrating = False
            self.sub_title = "index unusable"
            self.query_one(StatusLine).set_index("index unusable — ctrl+r rebuilds it", "index unusable (ctrl+r)")
        elif group == "doc":  # a card that cannot open: say so where the reader is, not at the conversation's end
            self.notify(text, title="Cannot open the source", severity="warning")
            return
        self.query_one(Transcript).note(f"⚠ {text}", style="bold red", reveal=group in ("ask", "scope"))

    # -- worker results ------------------------------------------------------------------------
    def on_index_migrating(self, msg: m.IndexMigrating) -> None:
        self.migrating = not msg.done
        self.sub_title = "upgrading an index made by an older hsqa (once)…"
        short = msg.text.replace("migrating index to schema", "upgrading index: schema")
        self.query_one(StatusLine).set_index(msg.text, short)

    def on_index_opened(self, msg: m.IndexOpened) -> None:
        self.index_ready = True
        self.migrating = False
        self._show_status(msg.status)
        self.refresh_documents()
        self._recheck_citations()
        if msg.status.outdated and not self.indexing:  # made by an older hsqa: read the corpus again, once
            self.action_reindex()
            self.sub_title = "the index was made by an older hsqa — updating it…"

    def on_index_missing_found(self, msg: m.IndexMissingFound) -> None:
        self.migrating = False
        self.sub_title = "no index"
        self.query_one(StatusLine).set_index("no index — press ctrl+r to build it", "no index (ctrl+r)")
        self.query_one(Transcript).note(f"⚠ {msg.reason}", style="bold #e0b050")

    def on_model_loaded(self, msg: m.ModelLoaded) -> None:
        self.query_one(StatusLine).set_model("model ready — hybrid search", "hybrid")
        for turn_id in sorted(self.pending_upgrade):
            t = self.conversation.turn(turn_id)
            if t is not None:
                self.ask(t.question, t.id, Scope.from_json(t.standing), fresh=t.fresh, upgrade=True)
        self.pending_upgrade.clear()

    def on_model_failed(self, msg: m.ModelFailed) -> None:
        self.query_one(StatusLine).set_model("model unavailable — keyword search only", "keywords only")
        self.query_one(Transcript).note(f"⚠ {msg.reason}. Answers use keyword search only.", style="bold #e0b050")

    async def on_history_loaded(self, msg: m.HistoryLoaded) -> None:
        transcript = self.query_one(Transcript)
        if msg.warning:
            transcript.note(f"⚠ {msg.warning}", style="bold #e0b050")
        box = self.query_one(QuestionInput)
        for t in msg.turns:
            box.remember(t.question)
        if not msg.turns:
            await transcript.mount(Static(WELCOME, id="welcome"))
            return
        if len(msg.turns) > SHOWN_AT_START:  # keep start-up quick: older turns stay in the history and the export
            transcript.note(f"{len(msg.turns) - SHOWN_AT_START} earlier questions are in the history (ctrl+s exports them all)")
        for t in msg.turns[-SHOWN_AT_START:]:
            await transcript.add_turn(t, scroll=False)
        transcript.show(transcript.latest())
        if not self.scope:  # the scope the last question was asked under stands again (ctrl+g clears it)
            self.scope = Scope.from_json(msg.turns[-1].standing)
            self._show_scope()
        self._recheck_citations()

    async def on_answer_ready(self, msg: m.AnswerReady) -> None:
        turn = msg.turn
        if turn.upgradable and not self.engine.model_ready:
            self.pending_upgrade.add(turn.id)
        elif turn.upgradable and self.engine.model_ready and not msg.upgraded:
            self.ask(turn.question, turn.id, Scope.from_json(turn.standing), fresh=turn.fresh, upgrade=True)
        transcript = self.query_one(Transcript)
        for w in transcript.query("#welcome"):
            await w.remove()
        await transcript.show_turn(turn)
        self.save_history()

    def on_scope_parsed(self, msg: m.ScopeParsed) -> None:
        self.scope = self.scope.overridden_by(msg.scope)
        self._show_scope()

    def on_index_progressed(self, msg: m.IndexProgressed) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=max(msg.total, 1), progress=msg.done)
        label = STAGE_LABELS.get(msg.stage, msg.stage)
        self.query_one(StatusLine).set_index(f"indexing: {label} {msg.done}/{msg.total}", f"{label} {msg.done}/{msg.total}")

    def on_index_updated(self, msg: m.IndexUpdated) -> None:
        self.indexing = False
        self.index_ready = True
        self._progress(False)
        r = msg.report
        self._show_status(msg.status)
        self.refresh_documents()
        changes = f"{r.added} added · {r.updated} updated · {r.removed} removed · {r.renamed} renamed"
        self.notify(f"Index updated: {changes}. {r.documents} documents, {r.chunks} passages.", title="hsqa")
        for s in msg.new_skips:
            self.query_one(Transcript).note(f"skipped {s['path']}: {s['reason']}", style="dim italic")
        self._recheck_citations()

    def on_corpus_changed(self, msg: m.CorpusChanged) -> None:
        if self.indexing:
            return
        self.sub_title = f"{msg.stale.summary()} — indexing…"
        self.query_one(StatusLine).corpus = f"{msg.stale.summary()} — indexing…"
        self.action_reindex()

    def on_citations_checked(self, msg: m.CitationsChecked) -> None:
        transcript = self.query_one(Transcript)
        with transcript.anchored():  # flagged cards above grow taller: the turn on screen stays put
            for view in transcript.turns():
                view.set_located({rank: where for (tid, rank), where in msg.located.items() if tid == view.turn.id})

    def on_document_loaded(self, msg: m.DocumentLoaded) -> None:
        self.push_screen(SourceViewer(msg.view, msg.focus_paragraphs, msg.start), callback=self._viewer_closed)

    def on_documents_listed(self, msg: m.DocumentsListed) -> None:
        self.docs = {d["path"]: d for d in msg.documents}
        self.query_one(DocumentList).set_documents(msg.documents)

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
            if self.migrating:
                note = "⚠ The index is being upgraded (once; see the status line): ask again when it is ready."
            else:
                note = "⚠ There is no index to search yet: press ctrl+r to build it."
            self.query_one(Transcript).note(note, style="bold #e0b050", reveal=True)
            return
        rest, filters = split_filters(q)
        if filters and not rest:  # only filters: they scope the next questions until ctrl+g
            self.parse_scope(filters)
            return
        self.ask(q, self.conversation.reserve_id(), self.scope)

    def on_citation_selected(self, msg: m.CitationSelected) -> None:
        turn = self.conversation.turn(msg.turn_id)
        r = next((x for x in turn.results if x["rank"] == msg.rank), None) if turn else None
        if r is not None:
            self.load_document(r, [x for x in turn.results if x["source"] == r["source"]])

    def on_scope_requested(self, msg: m.ScopeRequested) -> None:
        if msg.path is None:
            self.scope = Scope()
            self.conversation.clear_scope()
        else:
            self.scope = self.scope.overridden_by(Scope.document(msg.path, msg.title))
        self._show_scope()
        self._close_sidebar()

    def on_card_number_pressed(self, msg: m.CardNumberPressed) -> None:
        self.action_open_card(msg.number, msg.turn_id)

    def on_typed_elsewhere(self, msg: m.TypedElsewhere) -> None:
        self._close_sidebar()
        box = self.query_one(QuestionInput)
        box.focus()
        box.insert_typed(msg.text)

    def on_transcript_scroll_requested(self, msg: m.TranscriptScrollRequested) -> None:
        t = self.query_one(Transcript)
        t.unpin()
        {"page_up": t.scroll_page_up, "page_down": t.scroll_page_down, "home": t.scroll_home, "end": t.scroll_end}[
            msg.how
        ](animate=False)

    def _viewer_closed(self, _result=None) -> None:
        self.query_one(QuestionInput).focus()

    def _show_scope(self) -> None:
        self.query_one(ScopeBar).set_scope(self.scope.describe() if self.scope else "")

    # -- actions ----------------------------------------------------------------------------------
    MAIN_SCREEN_ONLY = {
        "toggle_sidebar", "open_card", "copy_answer", "clear_scope", "clear_screen", "focus_question", "ask_fresh",
        "export", "reindex", "toggle_quote",
    }

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # over the source viewer, conversation keys neither act nor show in its footer
        if action in self.MAIN_SCREEN_ONLY and isinstance(self.screen, SourceViewer):
            return False
        return True

    def action_toggle_sidebar(self) -> None:
        side = self.query_one("#sidebar")
        side.toggle_class("visible")
        if side.has_class("visible"):
            docs = self.query_one(DocumentList)
            docs.highlight_path(next(iter(self.scope.sources), None))
            docs.focus()
        else:
            self.query_one(QuestionInput).focus()

    def _close_sidebar(self) -> None:
        self.query_one("#sidebar").remove_class("visible")
        self.query_one(QuestionInput).focus()

    def action_reindex(self) -> None:
        if self.indexing:
            return
        if self.migrating:
            self.notify("The index is being upgraded; re-index when it is done.", severity="warning")
            return
        self.indexing = True
        self._progress(True)
        self.query_one(StatusLine).set_index("indexing…")
        self.reindex()

    def action_export(self) -> None:
        try:
            path = self.conversation.export_markdown(self.config.corpus_dir)
        except HsqaError as e:
            self.notify(str(e), severity="warning")
            return
        self.notify(f"Conversation exported to {_short_path(path)}", title="Export")

    def action_copy_answer(self) -> None:
        focused = self.focused
        if isinstance(focused, CitationCard):
            self._copy(self.engine.citation_text(focused.result))
            return
        view = self.query_one(Transcript).on_screen()
        if view and view.turn.results:
            rank = view.turn.answer["rank"] if view.turn.answer else 1
            r = next(x for x in view.turn.results if x["rank"] == rank)
            self._copy(self.engine.citation_text(r))

    def action_clear_scope(self) -> None:
        self.post_message(m.ScopeRequested(None))

    async def action_clear_screen(self) -> None:
        """Clears the screen only: the conversation stays in the history and the export."""
        transcript = self.query_one(Transcript)
        await transcript.clear_screen()
        n = len(self.conversation.turns)
        if n:
            transcript.note(f"Screen cleared. The conversation ({n} questions) is kept: ctrl+s exports it.")

    def action_ask_fresh(self) -> None:
        """Ask the newest question again without the previous turn's context (it replaces the answer)."""
        view = self.query_one(Transcript).latest()
        if view is None or not (view.turn.followup or view.turn.fresh):
            self.notify("The last question was not taken as a follow-up.", severity="information")
            return
        t = view.turn
        self.ask(t.question, t.id, Scope.from_json(t.standing), fresh=not t.fresh, upgrade=True)

    def action_toggle_quote(self) -> None:
        """Show the quote of the answer on screen (or of the focused card's answer) whole, or clamped again."""
        focused = self.focused
        transcript = self.query_one(Transcript)
        view = transcript.view(focused.turn_id) if isinstance(focused, CitationCard) else transcript.on_screen()
        if view is not None and view.turn.answer:
            view.toggle_quote()

    def action_focus_question(self) -> None:
        self._close_sidebar()

    def action_open_card(self, n: int, turn_id: int | None = None) -> None:
        transcript = self.query_one(Transcript)
        view = transcript.view(turn_id) if turn_id is not None else transcript.on_screen()
        if view is not None and view.card(n) is not None:
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
        self.query_one(StatusLine).set_index(
            f"index: {status.documents} documents, {status.passages} passages",
            f"{status.documents} docs · {status.passages} passages",
        )
        self.query_one(StatusLine).corpus = "" if not st.stale else fresh

    def _recheck_citations(self) -> None:
        turns = [v.turn for v in self.query_one(Transcript).turns()]
        if turns and self.index_ready:
            self.check_citations(turns)


def _short_path(path) -> str:
    """``path`` relative to the working folder when it is inside it (a narrow toast wraps a long absolute
    path mid-name)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if rel.startswith("..") else rel


class _NoWaitExecutor(ThreadPoolExecutor):
    """The event loop's executor (Textual's thread workers run in it) whose shutdown does not wait for a
    thread still at work: ``asyncio.run`` would otherwise hold the quit until the model import ends."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=False, cancel_futures=True)


WELCOME = (
    "Ask about the UN human-security meeting summaries in this corpus.\n\n"
    "Answers quote the source verbatim, with numbered citations: press a number (or click a card) to open "
    "the document at that paragraph. Follow-up questions (\"and Japan?\", \"tell me more\") continue from "
    "the previous answer.\n\n"
    "ctrl+b lists documents (Enter scopes questions to one) · ctrl+y copies a citation · ctrl+s exports · "
    "ctrl+r re-indexes · ctrl+p lists every command."
)


def run_app(config: Config, engine: Engine | None = None) -> int:
    """Run the app; on quit, save what is unsaved and leave at once.

    Interpreter teardown after torch has been imported takes 2-3 s here, and a model still loading in its
    thread would hold the exit for the rest of its import: after the app has restored the terminal and the
    conversation is saved, nothing is left that needs either (the index is only read, or written crash-safe).
    """
    app = HsqaApp(config, engine=engine)
    app.quick_exit = True
    try:
        app.run()
    finally:
        try:
            app.conversation.flush()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(app.return_code or 0)
