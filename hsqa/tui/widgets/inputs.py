from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import Input

from ..messages import CardNumberPressed, TranscriptScrollRequested

PLACEHOLDER = "Ask a question — e.g. Which country created a ministry for human security?   (doc:… year:… to scope)"
PLACEHOLDER_SHORT = "Ask a question   (doc:… year:… to scope)"


class QuestionInput(Input):
    """The question box, with history on Up/Down. PageUp/PageDown scroll the conversation; so do Home/End
    when the cursor is already at that end of the text. A paste of several lines becomes one question."""

    BINDINGS = [
        Binding("up", "history(-1)", "Previous question", show=False),
        Binding("down", "history(1)", "Next question", show=False),
        Binding("pageup", "scroll_transcript('page_up')", "Scroll up", show=False),
        Binding("pagedown", "scroll_transcript('page_down')", "Scroll down", show=False),
        Binding("home", "home_or_scroll", "Start", show=False),
        Binding("end", "end_or_scroll", "End", show=False),
    ]

    def __init__(self, **kw):
        # select_on_focus off: a key typed on a card lands here and focuses the box; selecting it then would
        # make the next key replace it
        super().__init__(placeholder=PLACEHOLDER, select_on_focus=False, **kw)
        self.history: list[str] = []
        self._pos = 0

    def on_resize(self, event: events.Resize) -> None:
        # the long example does not fit a narrow terminal: a clipped hint reads as a broken one
        self.placeholder = PLACEHOLDER if event.size.width >= len(PLACEHOLDER) + 4 else PLACEHOLDER_SHORT

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

    def action_scroll_transcript(self, how: str) -> None:
        self.post_message(TranscriptScrollRequested(how))

    def action_home_or_scroll(self) -> None:
        if self.cursor_position == 0:
            self.post_message(TranscriptScrollRequested("home"))
        else:
            self.action_home()

    def action_end_or_scroll(self) -> None:
        if self.cursor_position >= len(self.value):
            self.post_message(TranscriptScrollRequested("end"))
        else:
            self.action_end()

    def insert_typed(self, text: str) -> None:
        """Text typed or pasted elsewhere: line breaks become spaces, nothing is dropped."""
        flat = " ".join(text.split()) if ("\n" in text or "\r" in text) else text
        if not self.selection.is_empty:
            self.replace(flat, *self.selection)
        else:
            self.insert_text_at_cursor(flat)

    def _on_paste(self, event: events.Paste) -> None:
        if event.text:
            self.insert_typed(event.text)
        event.stop()
        event.prevent_default()  # Input's own handler would insert the first line again

    async def _on_key(self, event: events.Key) -> None:
        # a digit typed into an empty box opens that citation card; anywhere else it is text
        if not self.value and event.character and event.character in "123456789":
            event.stop()
            event.prevent_default()
            self.post_message(CardNumberPressed(int(event.character)))
            return
        await super()._on_key(event)
