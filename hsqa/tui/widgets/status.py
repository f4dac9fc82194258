from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class StatusLine(Static):
    """One line: model state · index state · corpus freshness."""

    model = reactive("loading model… (keyword answers meanwhile)")
    index = reactive("opening index…")
    corpus = reactive("")

    def render(self) -> Text:
        out = Text()
        out.append(" ● ", style="#7fb27f" if self.model.startswith("model ready") else "#e0b050")
        out.append(self.model)
        out.append("   │   ", style="dim")
        out.append(self.index)
        if self.corpus:
            out.append("   │   ", style="dim")
            out.append(self.corpus, style="bold #e0b050")
        return out
