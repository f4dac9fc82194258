from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...documents import human_date
from ..messages import ScopeRequested


class DocumentList(OptionList):
    """Documents in the index: title, date, passages. Selecting one scopes the next questions to it."""

    def set_documents(self, docs: list[dict]) -> None:
        self.clear_options()
        for d in docs:
            label = Text()
            label.append(d["title"], style="bold")
            label.append(f"\n{human_date(d['date']) or 'undated'} · {d['passages']} passages", style="dim")
            self.add_option(Option(label, id=str(d["id"])))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(ScopeRequested(int(event.option.id)))
