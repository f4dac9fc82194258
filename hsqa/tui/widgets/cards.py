from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from ..messages import CitationCopyRequested, CitationSelected
from . import render


class CitationCard(Static, can_focus=True):
    """One numbered citation: title · date · section · ¶n, relevance, the passage. Enter/click opens it."""

    BINDINGS = [
        Binding("enter", "open", "Open source"),
        Binding("c", "copy", "Copy citation"),
    ]

    def __init__(self, turn_id: int, result: dict, dim: bool = False):
        super().__init__(classes="card dim" if dim else "card")
        self.turn_id = turn_id
        self.result = result
        self.dim = dim

    def render(self) -> Text:
        r = self.result
        head = Text()
        head.append(f"[{r['rank']}] ", style="bold")
        head.append(render.citation_line(r), style="bold" if not self.dim else "dim")
        rel = render.relevance(r.get("similarity"))
        if rel:
            head.append(f"  {rel}", style="#7fb27f" if not self.dim else "dim")
        head.append("\n")
        head.append(r["source"], style="dim italic")
        head.append("\n")
        head.append_text(render.passage(r["text"], r.get("terms") or (), r.get("highlight"), dim=self.dim))
        return head

    def on_click(self) -> None:
        self.post_message(CitationSelected(self.turn_id, self.result["rank"]))

    def action_open(self) -> None:
        self.post_message(CitationSelected(self.turn_id, self.result["rank"]))

    def action_copy(self) -> None:
        self.post_message(CitationCopyRequested(self.turn_id, self.result["rank"]))
