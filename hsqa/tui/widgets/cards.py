"""Widgets: they render data they are given and post messages; no I/O, no search logic."""
from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from ...engine import Located
from ..messages import CitationSelected
from . import render

CHANGED = "bold #e0b050"


class CitationCard(Static, can_focus=True):
    """One numbered citation: title · date · section · ¶n, relevance, the passage. Enter/click opens it.

    ``located`` says where the cited paragraph is in today's index: when it changed or left, the card says
    so and keeps showing the text as it was quoted.
    """

    BINDINGS = [Binding("enter", "open", "Open source")]

    def __init__(self, turn_id: int, result: dict, dim: bool = False):
        super().__init__(classes="card dim" if dim else "card")
        self.turn_id = turn_id
        self.result = result
        self.dim = dim
        self.located: Located | None = None

    def set_located(self, located: Located | None) -> None:
        self.located = located
        self.set_class(located is not None and located.state in ("changed", "gone"), "changed")
        self.refresh(layout=True)

    def render(self) -> Text:
        r = self.result
        head = Text()
        head.append(f"[{r['rank']}] ", style="bold")
        head.append(render.citation_line(r), style="bold" if not self.dim else "dim")
        rel = render.relevance(r.get("confidence"), r.get("relevant", True))
        if rel:
            head.append(f"  {rel}", style="#7fb27f" if not self.dim else "dim")
        head.append("\n")
        head.append(r["source"], style="dim italic")
        where = self.located
        if where is not None and where.state == "moved":
            moved = f"now ¶{where.paragraph}" + (f" of {where.source}" if where.source != r["source"] else "")
            head.append(f"  ({moved})", style="dim")
        head.append("\n")
        if where is not None and where.state == "changed":
            head.append("⚠ changed since this answer — open the current version (Enter); as quoted then:\n", style=CHANGED)
        elif where is not None and where.state == "gone":
            head.append("⚠ no longer in the corpus; the text as it was quoted:\n", style=CHANGED)
        head.append_text(render.passage(r["text"], r.get("terms") or (), r.get("highlight"), dim=self.dim))
        return head

    def on_click(self) -> None:
        self.post_message(CitationSelected(self.turn_id, self.result["rank"]))

    def action_open(self) -> None:
        self.post_message(CitationSelected(self.turn_id, self.result["rank"]))
