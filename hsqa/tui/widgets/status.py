from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from . import render

#: below this many terminal rows, one-line forms: the scope bar, a follow-up's note, a long quote
SHORT_SCREEN = 32

SEP = "   │   "
SEP_SHORT = " │ "


class StatusLine(Static):
    """One line: model state · index state · corpus freshness. In a narrow terminal, the short forms."""

    model = reactive("loading model… (keyword answers meanwhile)")
    index = reactive("opening index…")
    corpus = reactive("")
    #: short forms, used when the long line does not fit
    model_short = reactive("loading model…")
    index_short = reactive("opening index…")

    def render(self) -> Text:
        width = self.size.width or 120
        line = self._line(self.model, self.index, SEP)
        if line.cell_len > width:
            line = self._line(self.model_short, self.index_short, SEP_SHORT)
        if line.cell_len > width:
            line.truncate(width, overflow="ellipsis")
        return line

    def _line(self, model: str, index: str, sep: str) -> Text:
        out = Text()
        out.append(" ● ", style="#7fb27f" if self.model.startswith("model ready") else "#e0b050")
        out.append(model)
        out.append(sep, style="dim")
        out.append(index)
        if self.corpus:
            out.append(sep, style="dim")
            out.append(self.corpus, style="bold #e0b050")
        return out

    def set_model(self, long: str, short: str) -> None:
        self.model, self.model_short = long, short

    def set_index(self, long: str, short: str | None = None) -> None:
        self.index, self.index_short = long, short or long


class ScopeBar(Static):
    """The standing scope above the question box. On a short screen it keeps to one line (a long document
    title is cut with "…"; the whole title is in the answers and the document list)."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.label = ""

    def set_scope(self, label: str) -> None:
        self.label = label
        self.set_class(bool(label), "visible")
        self.clear_cached_dimensions()
        self.refresh(layout=True)

    def render(self):
        short = self.app.size.height < SHORT_SCREEN
        return render.OneLine(Text(f"Scope: {self.label}"), Text("   (ctrl+g to clear)", style="dim"), mode="cut" if short else "wrap")
