from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...answer import citation_date
from ...engine import DocumentView
from ..widgets import render


class SourceViewer(Screen):
    """The whole document: title block, headings, numbered paragraphs; cited paragraphs highlighted."""

    BINDINGS = [
        Binding("escape", "dismiss", "Back"),
        Binding("n", "jump(1)", "Next cited ¶"),
        Binding("p", "jump(-1)", "Previous cited ¶"),
    ]

    def __init__(self, view: DocumentView, cited: list[int], start: int):
        super().__init__()
        self.view = view
        self.cited = cited
        self.current = start

    def compose(self) -> ComposeResult:
        v = self.view
        when = " · ".join(x for x in (citation_date(v.date, v.date_end), v.place) if x)
        # the path after the date and place when it fits, else on its own line (never a dangling " ·")
        path = Text(v.path, style="dim")
        meta = render.OneLine(Text(when, style="dim"), Text(f" · {v.path}", style="dim"), "below", path) if when else path
        lines = [Text(v.title, style="bold"), meta]
        if v.warning:
            lines.append(Text(f"⚠ {v.warning}", style="bold #e0b050"))
        yield Static(render.Stack(lines), id="doc-title")
        with VerticalScroll(id="doc-body"):
            page = None
            for p in v.paragraphs:
                if p.page is not None and p.page != page:  # PDF: a marker where a new page's paragraphs start
                    page = p.page
                    yield Static(Text(f"— p. {page} —", style="dim"), classes="doc-page")
                if p.heading:
                    yield Static(Text(p.heading, style="bold underline"), classes="doc-heading")
                classes = "doc-para cited" if p.number in self.cited else "doc-para"
                body = Text()
                body.append(f"¶{p.number}  ", style="bold #8ab4f8" if p.number in self.cited else "dim")
                body.append_text(render.styled(p.text))
                yield Static(body, classes=classes, id=f"para-{p.number}")
        yield Static(self._where(), id="doc-where")
        yield Footer()

    def _where(self) -> Text:
        """`` ¶11 · <section> — cited 4 of 5 here``, the section shortened to fit the line."""
        if not self.cited:
            return Text("")
        i = self.cited.index(self.current) + 1 if self.current in self.cited else 0
        para = next((p for p in self.view.paragraphs if p.number == self.current), None)
        section = para.section if para else ""
        tail = f" — cited {i} of {len(self.cited)} here (n / p)"
        head = (f" p. {para.page}" if para is not None and para.page else "") + f" ¶{self.current}"
        room = (self.size.width or 120) - len(head) - len(tail) - 3
        if section and room > 8:
            head += " · " + (section if len(section) <= room else section[: room - 1].rstrip() + "…")
        return Text(head + tail, style="dim")

    def on_mount(self) -> None:
        self.call_after_refresh(self._show, self.current)

    def _show(self, number: int) -> None:
        self.current = number
        for w in self.query(".doc-para"):
            w.set_class(w.id == f"para-{number}", "current")
        try:
            target = self.query_one(f"#para-{number}")
        except Exception:  # noqa: BLE001 - a paragraph number the document no longer has
            return
        self.query_one("#doc-body", VerticalScroll).scroll_to_widget(target, top=True, animate=False)
        self.query_one("#doc-where", Static).update(self._where())

    def action_jump(self, step: int) -> None:
        if not self.cited:
            return
        i = self.cited.index(self.current) if self.current in self.cited else -1
        self._show(self.cited[(i + step) % len(self.cited)])
