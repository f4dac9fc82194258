from __future__ import annotations

from contextlib import contextmanager

from rich.text import Text
from textual import events
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from ...conversation import Turn
from ...engine import Located
from . import render
from .cards import CitationCard
from .typing import redirect_key, redirect_paste

FOLLOW = "italic #9ab0d0"


class TurnView(Vertical):
    """A question and its answer: the best sentence, then numbered citation cards."""

    def __init__(self, turn: Turn):
        super().__init__(classes="turn", id=f"turn-{turn.id}")
        self.turn = turn

    def compose(self):
        t = self.turn
        yield Static(Text.assemble(("You  ", "bold #8ab4f8"), t.question), classes="question")
        yield Static(self._answer_text(), classes="answer")
        for r in t.results:
            yield CitationCard(t.id, r, dim=not t.relevant)

    def _answer_text(self) -> Text:
        t = self.turn
        out = Text()
        if t.followup:
            out.append(f"following up on: {t.followup['on']}", style=FOLLOW)
            if t.followup.get("read_as"):
                out.append(f" — read as: {t.followup['read_as']}", style=FOLLOW)
            out.append("  (ctrl+n asks it afresh)\n", style="dim")
        elif t.fresh:
            out.append("asked afresh, without the previous question's context\n", style=FOLLOW)
        if t.scope_labels:
            out.append(f"scope: {', '.join(t.scope_labels)}\n", style="italic #c0a0ff")
        if t.error:
            out.append(t.error, style="bold red")
        elif t.note:
            out.append(t.note, style="italic")
        elif not t.results:
            out.append("No passage matches this question. Try other words, or remove the scope.", style="italic")
        elif not t.relevant:
            out.append("Nothing in the corpus answers this clearly. The nearest passages are below, dimmed.", style="italic")
        elif t.answer:
            out.append("“", style="bold")
            out.append_text(render.styled(t.answer["sentence"], base="bold"))
            out.append("”", style="bold")
            out.append(f" [{t.answer['rank']}]", style="bold #8ab4f8")
        if t.mode == "lexical" and t.results:
            out.append("\n(keyword search only — the answer is upgraded when the model is ready)", style="dim italic")
        return out

    async def replace(self, turn: Turn) -> None:
        located = {c.result["rank"]: c.located for c in self.query(CitationCard)}
        self.turn = turn
        await self.remove_children()
        await self.mount_all(list(self.compose()))
        if turn.results and located:
            self.set_located({r["rank"]: located.get(r["rank"]) for r in turn.results})

    def set_located(self, by_rank: dict[int, Located | None]) -> None:
        for c in self.query(CitationCard):
            if c.result["rank"] in by_rank:
                c.set_located(by_rank[c.result["rank"]])

    def card(self, rank: int) -> CitationCard | None:
        for c in self.query(CitationCard):
            if c.result["rank"] == rank:
                return c
        return None


class Transcript(VerticalScroll):
    """The conversation, oldest first. A new turn is scrolled into view, its top first."""

    async def add_turn(self, turn: Turn, scroll: bool = True) -> TurnView:
        view = TurnView(turn)
        await self.mount(view)
        if scroll:
            self.show(view)
        return view

    _pinned: TurnView | None = None

    def show(self, view: TurnView) -> None:
        """Bring ``view`` into view once it is laid out: all of it, or its top at the top when taller."""
        self._pinned = view

        def go() -> None:
            self.scroll_to_widget(view, top=True, animate=False, immediate=True)

        self.call_after_refresh(go)

    async def show_turn(self, turn: Turn) -> TurnView:
        """Replace a turn in place (a lexical answer upgraded, a follow-up asked afresh), or add it."""
        view = self.view(turn.id)
        if view is None:
            return await self.add_turn(turn)
        await view.replace(turn)
        if view is self.latest():
            self.show(view)
        return view

    def turns(self) -> list[TurnView]:
        return list(self.query(TurnView))

    def latest(self) -> TurnView | None:
        views = self.turns()
        return views[-1] if views else None

    def on_screen(self) -> TurnView | None:
        """The newest turn with a part in the visible window (the newest turn when none is)."""
        top, bottom = self.scroll_y, self.scroll_y + self.scrollable_content_region.height
        visible = [v for v in self.turns() if v.virtual_region.y < bottom and v.virtual_region.bottom > top]
        return visible[-1] if visible else self.latest()

    @contextmanager
    def anchored(self):
        """Keep the turn on screen where it is while turns above it change height: the turn last brought
        into view (unless the user scrolled since), else the one on screen."""
        pinned = self._pinned if self._pinned is not None and self._pinned.is_attached else None
        view = pinned or self.on_screen()
        offset = 0 if pinned is not None else (view.virtual_region.y - self.scroll_y if view is not None else 0)
        yield
        if view is not None:

            def restore() -> None:
                self.scroll_to(y=max(0, view.virtual_region.y - offset), animate=False, immediate=True)

            self.call_after_refresh(restore)

    def unpin(self) -> None:
        """The user scrolled: nothing is held in place any more."""
        self._pinned = None

    def on_mouse_scroll_down(self, event) -> None:
        self.unpin()

    def on_mouse_scroll_up(self, event) -> None:
        self.unpin()

    def view(self, turn_id: int) -> TurnView | None:
        return next((v for v in self.turns() if v.turn.id == turn_id), None)

    def note(self, text: str, style: str = "italic") -> None:
        self.mount(Static(Text(text, style=style), classes="note"))
        self.call_after_refresh(self.scroll_end, animate=False)

    async def clear_screen(self) -> None:
        await self.remove_children()

    # typing never lands on a card: it belongs in the question box
    _typing = False  #: text was redirected and the focus has not left yet: digits are text too

    def on_key(self, event: events.Key) -> None:
        focused = self.app.focused
        turn_id = focused.turn_id if isinstance(focused, CitationCard) else None
        if redirect_key(self, event, turn_id, digits=not self._typing):
            self._typing = True

    def on_descendant_blur(self, event) -> None:
        self._typing = False

    def on_blur(self, event) -> None:
        self._typing = False

    def on_paste(self, event: events.Paste) -> None:
        redirect_paste(self, event)
