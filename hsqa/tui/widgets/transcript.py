from __future__ import annotations

from contextlib import contextmanager

from rich.text import Text
from textual import events
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from ...conversation import Turn
from ...engine import Located
from . import render
from .cards import CitationCard
from .status import SHORT_SCREEN
from .typing import redirect_key, redirect_paste

FOLLOW = "italic #9ab0d0"
#: on a short screen (SHORT_SCREEN rows) a long quote shows QUOTE_LINES lines ("…", ctrl+o shows it whole):
#: at 80×24 a two-sentence quote would otherwise fill half the screen above its own citation card, which
#: shows the same sentences highlighted in their paragraph
QUOTE_LINES = 3
EXPAND_HINT = "ctrl+o: whole quote"


class AnswerBlock(Static):
    """The answer under a question: follow-up and scope notes, then the quoted sentence (or why there is
    none). On a short screen a long quote is clamped; ``expanded`` (ctrl+o, or a click) shows it whole.
    Only the display is cut: copies, exports and JSON use the turn's sentence."""

    def __init__(
        self,
        head: Text,
        body: Text,
        foot: Text,
        quote_rank: int | None,
        keys=frozenset(),
        short_head: list | None = None,
        expanded: bool = False,
    ):
        super().__init__(classes="answer")
        self.head, self.body, self.foot = head, body, foot
        self.short_head = short_head if short_head is not None else [head]  #: the notes above, on a short screen
        self.keys = keys  #: the question's words found in the quote: a clamped quote keeps the lines with them
        self.quote_rank = quote_rank  #: the card the quote comes from; None when the body is not a quote
        self.expanded = expanded

    def short_screen(self) -> bool:
        return self.app.size.height < SHORT_SCREEN

    def clamps(self) -> bool:
        return self.quote_rank is not None and not self.expanded and self.short_screen()

    def render(self):
        if not self.short_screen():
            return Text("").join([self.head, self.body, self.foot])
        tail = Text.assemble(("…”", "bold"), (f" [{self.quote_rank}]", "bold #8ab4f8"))
        hint = Text(f"  {EXPAND_HINT}", style="dim")
        lines = QUOTE_LINES if self.clamps() else None
        return render.Clamped(self.short_head, self.body, self.foot, lines, tail, self.keys, hint)

    def shown(self) -> str:
        """The text on screen, as plain text."""
        r = self.render()
        if isinstance(r, Text):
            return r.plain
        return r.text(self.app.console, self.content_size.width).plain

    def set_expanded(self, expanded: bool) -> None:
        self.expanded = expanded
        self.clear_cached_dimensions()
        self.refresh(layout=True)

    def on_click(self) -> None:
        if self.quote_rank is not None:
            self.set_expanded(not self.expanded)


def quote_keys(r: dict | None) -> frozenset[str]:
    """The question's words marked in the quoted sentence of result ``r``."""
    if not r or not r.get("highlight"):
        return frozenset()
    a, b = r["highlight"]
    text = r["text"]
    return frozenset(text[s:e].lower() for s, e in (r.get("terms") or ()) if a <= s < b)


class TurnView(Vertical):
    """A question and its answer: the best sentence, then numbered citation cards."""

    def __init__(self, turn: Turn):
        super().__init__(classes="turn", id=f"turn-{turn.id}")
        self.turn = turn
        self.quote_expanded = False

    def compose(self):
        t = self.turn
        # "You" beside the question: a long question wraps under its own start, not under "You"
        yield Horizontal(
            Static(Text("You", style="bold #8ab4f8"), classes="who"),
            Static(Text(t.question), classes="question-text"),
            classes="question",
        )
        yield AnswerBlock(*self._answer_parts(), expanded=self.quote_expanded)
        for r in t.results:
            yield CitationCard(t.id, r, dim=not t.relevant)

    def _answer_parts(self) -> tuple[Text, Text, Text, int | None, frozenset[str], list]:
        """The answer as (notes above, quote or message, note below, the quote's card rank or None, the
        question's words in the quote, the notes above in their short form)."""
        t = self.turn
        head, body, foot = Text(), Text(), Text()
        short: list[render.OneLine] = []  #: one line each on a short screen
        if t.followup:
            head.append(f"following up on: {t.followup['on']}", style=FOLLOW)
            read_as = t.followup.get("read_as")
            if read_as:
                head.append(f" — read as: {read_as}", style=FOLLOW)
            head.append("  (ctrl+n asks it afresh)\n", style="dim")
            # on a short screen: the previous question is just above; the question as read says it all
            hint = Text("  (ctrl+n: afresh)", style="dim")
            if read_as:
                short.append(render.OneLine(Text(f"↪ read as: {read_as}", style=FOLLOW), hint, "hint_if_fits"))
            else:
                short.append(render.OneLine(Text(f"↪ following up on: {t.followup['on']}", style=FOLLOW), hint))
        elif t.fresh:
            head.append("asked afresh, without the previous question's context\n", style=FOLLOW)
            short.append(render.OneLine(Text("asked afresh, without the previous question's context", style=FOLLOW), Text()))
        if t.scope_labels:
            head.append(f"scope: {', '.join(t.scope_labels)}\n", style="italic #c0a0ff")
            short.append(render.OneLine(Text(f"scope: {', '.join(t.scope_labels)}", style="italic #c0a0ff"), Text()))
        rank, keys = None, frozenset()
        if t.error:
            body.append(t.error, style="bold red")
        elif t.note:
            body.append(t.note, style="italic")
        elif not t.results:
            body.append("No passage matches this question. Try other words, or remove the scope.", style="italic")
        elif not t.relevant:
            body.append("Nothing in the corpus answers this clearly. The nearest passages are below, dimmed.", style="italic")
        elif t.answer:
            rank = t.answer["rank"]
            keys = quote_keys(next((r for r in t.results if r["rank"] == rank), None))
            body.append("“", style="bold")
            body.append_text(render.styled(t.answer["sentence"], base="bold"))
            body.append("”", style="bold")
            body.append(f" [{rank}]", style="bold #8ab4f8")
        if t.mode == "lexical" and t.results:
            foot.append("\n(keyword search only — the answer is upgraded when the model is ready)", style="dim italic")
        return head, body, foot, rank, keys, short

    def answer_block(self) -> AnswerBlock:
        return self.query_one(AnswerBlock)

    def toggle_quote(self) -> bool:
        """Show the quote whole, or clamped again on a short screen; returns True when it is now whole."""
        block = self.answer_block()
        block.set_expanded(not block.expanded)
        return block.expanded

    async def replace(self, turn: Turn) -> None:
        located = {c.result["rank"]: c.located for c in self.query(CitationCard)}
        self.quote_expanded = self.answer_block().expanded  # an upgraded answer keeps the reader's choice
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

    def note(self, text: str, style: str = "italic", reveal: bool = False) -> None:
        """A line at the end of the conversation, brought into view when ``reveal`` (it answers what the user
        just did) or the reader is at the end; else the reader stays on the answer they are reading."""
        at_end = self.scroll_y >= self.max_scroll_y - 1
        self.mount(Static(Text(text, style=style), classes="note"))
        if reveal or at_end:
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
