from __future__ import annotations

from rich.text import Text
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from ...session import Turn
from .cards import CitationCard


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
        if t.scope:
            out.append(f"scope: {', '.join(t.scope)}\n", style="italic #c0a0ff")
        if t.error:
            out.append(t.error, style="bold red")
        elif not t.results:
            out.append("No passage matches this question. Try other words, or remove the scope.", style="italic")
        elif not t.relevant:
            out.append("Nothing in the corpus answers this clearly. The nearest passages are below, dimmed.", style="italic")
        elif t.answer:
            out.append("“" + " ".join(t.answer["sentence"].split()) + "”", style="bold")
            out.append(f" [{t.answer['rank']}]", style="bold #8ab4f8")
        if t.mode == "lexical" and t.results:
            out.append("\n(keyword search only — the answer is upgraded when the model is ready)", style="dim italic")
        return out

    async def replace(self, turn: Turn) -> None:
        self.turn = turn
        await self.remove_children()
        await self.mount_all(list(self.compose()))

    def card(self, rank: int) -> CitationCard | None:
        for c in self.query(CitationCard):
            if c.result["rank"] == rank:
                return c
        return None


class Transcript(VerticalScroll):
    """The conversation, oldest first; new turns scroll into view."""

    async def add_turn(self, turn: Turn, scroll: bool = True) -> TurnView:
        view = TurnView(turn)
        await self.mount(view)
        if scroll:
            self.scroll_to_widget(view, top=True, animate=False)
        return view

    async def show_turn(self, turn: Turn) -> TurnView:
        """Replace a turn in place (a lexical answer upgraded), or add it."""
        for v in self.query(TurnView):
            if v.turn.id == turn.id:
                await v.replace(turn)
                return v
        return await self.add_turn(turn)

    def latest(self) -> TurnView | None:
        views = list(self.query(TurnView))
        return views[-1] if views else None

    def view(self, turn_id: int) -> TurnView | None:
        return next((v for v in self.query(TurnView) if v.turn.id == turn_id), None)

    def note(self, text: str, style: str = "italic") -> None:
        self.mount(Static(Text(text, style=style), classes="note"))
        self.scroll_end(animate=False)
