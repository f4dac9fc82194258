from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import Input

from ..messages import CardNumberPressed


class QuestionInput(Input):
    """The question box, with history on Up/Down."""

    BINDINGS = [
        Binding("up", "history(-1)", "Previous question", show=False),
        Binding("down", "history(1)", "Next question", show=False),
    ]

    def __init__(self, **kw):
        super().__init__(
            placeholder="Ask a question — e.g. Which country created a ministry for human security?   (doc:… year:… to scope)",
            **kw,
        )
        self.history: list[str] = []
        self._pos = 0

    def remember(self, question: str) -> None:
        if question and (not self.history or self.history[-1] != question):
            self.history.append(question)
        self._pos = len(self.history)

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        self._pos = max(0, min(len(self.history), self._pos + step))
        self.value = self.history[self._pos] if self._pos < len(self.history) else ""
        self.cursor_position = len(self.value)

    async def _on_key(self, event: events.Key) -> None:
        # a digit typed into an empty box opens that citation card; anywhere else it is text
        if not self.value and event.character and event.character in "123456789":
            event.stop()
            event.prevent_default()
            self.post_message(CardNumberPressed(int(event.character)))
            return
        await super()._on_key(event)
