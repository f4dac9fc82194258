from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...answer import citation_date
from ..messages import ScopeRequested
from .typing import redirect_key, redirect_paste


class DocumentList(OptionList):
    """Documents in the index: title, date, passages. Selecting one scopes the next questions to it."""

    def set_documents(self, docs: list[dict]) -> None:
        self.docs = {d["path"]: d for d in docs}
        self.clear_options()
        for d in docs:
            label = Text()
            label.append(d["title"], style="bold")
            label.append(f"\n{citation_date(d['date'], d.get('date_end')) or 'undated'} · {d['passages']} passages", style="dim")
            self.add_option(Option(label, id=d["path"]))

    def highlight_path(self, path: str | None) -> None:
        """Highlight ``path``'s row, or the first row: Enter always has something to choose."""
        if not self.option_count:
            return
        try:
            self.highlighted = self.get_option_index(path) if path else 0
        except Exception:  # noqa: BLE001 - a path no longer listed
            self.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        d = self.docs.get(event.option.id, {})
        self.post_message(ScopeRequested(event.option.id, d.get("title", event.option.id)))

    def on_key(self, event: events.Key) -> None:
        redirect_key(self, event, digits=False)

    def on_paste(self, event: events.Paste) -> None:
        redirect_paste(self, event)
