"""Pure functions from result data to rich Text (used by widgets; unit-testable without an app)."""

from __future__ import annotations

import re

from rich.text import Text

from ...answer import citation_date

HIGHLIGHT = "bold #f0e6a0 on #4a4220"  # the answering sentence
TERM = "bold underline"  # question terms
DIM = "dim"

_STRONG = re.compile(r"(?<![\w*])(\*\*|__)(?=\S)(.+?)(?<=\S)\1(?![\w*])", re.S)
_EM = re.compile(r"(?<![\w*])([*_])(?=[^\s*_])([^*_]+?)(?<=[^\s*_])\1(?![\w*])")


def emphasis(text: str) -> tuple[set[int], list[tuple[int, int, str]]]:
    """Markdown emphasis in ``text``: the offsets of its ``*`` / ``_`` marks (not shown) and the spans to
    style (``italic`` for ``*x*``, ``bold`` for ``**x**``). The text itself is never changed: copies and
    exports keep the marks."""
    hidden: set[int] = set()
    spans: list[tuple[int, int, str]] = []
    for pattern, style in ((_STRONG, "bold"), (_EM, "italic")):
        for m in pattern.finditer(text):
            a, b = m.span()
            mark = len(m.group(1))
            if any(i in hidden for i in (a, b - 1)):
                continue
            hidden.update(range(a, a + mark))
            hidden.update(range(b - mark, b))
            spans.append((a + mark, b - mark, style))
    return hidden, spans


def styled(text: str, base: str = "") -> Text:
    """``text`` with whitespace runs shown as one space and markdown emphasis rendered."""
    return passage(text, base_style=base)


def passage(text: str, terms=(), highlight=None, dim: bool = False, base_style: str = "") -> Text:
    """The verbatim passage with whitespace runs shown as one space, markdown emphasis rendered, the
    answering sentence highlighted and question terms emphasised."""
    hidden, em = emphasis(text)
    hl = tuple(highlight) if highlight else None
    spans = [tuple(t) for t in terms]

    def style_at(i: int, space: bool) -> str:
        styles = [base_style] if base_style else []
        if dim:
            styles.append(DIM)
        if hl and hl[0] <= i < hl[1]:
            styles.append(HIGHLIGHT)
        if space:
            return " ".join(styles)
        styles += [s for a, b, s in em if a <= i < b]
        if any(a <= i < b for a, b in spans):
            styles.append(TERM)
        return " ".join(styles)

    out = Text()
    run, run_style = [], None
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            j = i
            while j < n and text[j].isspace():
                j += 1
            inside = hl is not None and hl[0] <= i and j <= hl[1]
            piece, st = " ", (style_at(i, True) if inside else (" ".join([x for x in (base_style, DIM if dim else "") if x])))
            i = j
        elif i in hidden:
            i += 1
            continue
        else:
            piece, st = ch, style_at(i, False)
            i += 1
        if st != run_style and run:
            out.append("".join(run), style=run_style or "")
            run = []
        run_style = st
        run.append(piece)
    if run:
        out.append("".join(run), style=run_style or "")
    return out


def relevance(confidence: float | None, relevant: bool = True) -> str:
    """Five-dot indicator of the calibrated probability that the passage answers the question: at least one
    dot for a passage that clears the answering threshold (the one that decides abstention), none for a
    passage that does not (a nearest passage shown when nothing answers)."""
    if confidence is None:
        return ""
    filled = max(1, min(5, round(confidence * 5))) if relevant else 0
    return "●" * filled + "○" * (5 - filled)


def citation_line(r: dict) -> str:
    parts = [r["title"], citation_date(r.get("date"), r.get("date_end")) or "undated"]
    if r.get("section"):
        parts.append(r["section"])
    parts.append(f"p. {r['page']} ¶{r['paragraph']}" if r.get("page") else f"¶{r['paragraph']}")
    return " · ".join(parts)


_WORD = re.compile(r"\w+")


def _key_count(line: Text, keys: frozenset[str]) -> int:
    return sum(w in keys for w in _WORD.findall(line.plain.lower()))


def _cut(line: Text, room: int) -> Text:
    """``line`` shortened to ``room`` cells, at a word boundary when one is near."""
    line = line.copy()
    line.rstrip()
    if line.cell_len <= room:
        return line
    plain = line.plain
    space = plain.rfind(" ", 0, room + 1)
    line.truncate(space if space > room // 2 else max(0, room))
    line.rstrip()
    return line


def clamp(text: Text, width: int, lines: int, tail: Text, console, keys=frozenset(), hint: Text | None = None) -> Text | None:
    """``text`` cut to ``lines`` lines when wrapped at ``width``; None when it fits in one line more (nothing
    is cut).

    The first line is always kept (a quote names its speaker there). When words of ``keys`` (the question's
    terms) lie further down, the other lines are the window of consecutive lines holding the most of them,
    after a "…" ending the first line. A quote cut before its end ends in ``tail`` (e.g. "…” [1]"); ``hint``
    (e.g. how to see it whole) follows on the last line."""
    wrapped = list(text.wrap(console, max(1, width)))
    if len(wrapped) <= lines + 1:  # cutting one line would hide more than it saves
        return None
    hint = hint or Text()
    keys = frozenset(k.lower() for k in keys)
    score = [_key_count(line, keys) for line in wrapped]
    start = 1
    if lines > 1 and keys:
        starts = range(2, len(wrapped) - lines + 2)
        best = max(starts, key=lambda j: (sum(score[j : j + lines - 1]), -j), default=1)
        if sum(score[best : best + lines - 1]) > sum(score[1:lines]):
            start = best
    end = start + lines - 1  # exclusive
    kept = [wrapped[0].copy()] + [w.copy() for w in wrapped[start:end]]
    for line in kept:
        line.rstrip()
    if start > 1:
        kept[0] = _cut(kept[0], width - 2)
        kept[0].append(" …")
    last = kept[-1]
    if end >= len(wrapped):  # the quote's own end is shown
        kept[-1] = last if last.cell_len + hint.cell_len <= width else _cut(last, width - hint.cell_len)
    else:
        kept[-1] = _cut(last, width - tail.cell_len - hint.cell_len - 1)
        if kept[-1].plain[-1:] in tuple(".,;:!?"):
            kept[-1].append(" ")  # "violence, …”", not "violence,…”"
        kept[-1].append_text(tail)
    kept[-1].append_text(hint)
    return Text("\n").join(kept)


class Clamped:
    """A rich renderable for a short screen: ``head`` lines (each a :class:`OneLine` or a Text), then ``body``
    clamped to ``lines`` lines (None: whole) at the width it is drawn at (see :func:`clamp`), then ``foot``.
    The width is known only when drawn, so the cuts are made then; ``body`` is shown whole when it fits."""

    def __init__(self, head: list, body: Text, foot: Text, lines: int | None, tail: Text, keys=frozenset(), hint=None):
        self.head, self.body, self.foot, self.lines, self.tail = head, body, foot, lines, tail
        self.keys, self.hint = keys, hint

    def text(self, console, width: int) -> Text:
        body = None
        if self.lines is not None:
            body = clamp(self.body, width, self.lines, self.tail, console, self.keys, self.hint)
        head = [h.line(width, console) if isinstance(h, OneLine) else h for h in self.head]
        return Text("").join([*(h + "\n" for h in head), body or self.body, self.foot])

    def __rich_console__(self, console, options):
        yield from console.render(self.text(console, options.max_width), options)

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement

        return Measurement(1, options.max_width)


class OneLine:
    """A rich renderable: ``text`` then ``hint``. When both do not fit the width it is drawn at: ``mode``
    "cut" cuts ``text`` with "…" to keep the hint whole on one line; "wrap" wraps both; "hint_if_fits" wraps
    ``text`` whole and keeps the hint only if it fits on the last line; "below" puts ``below`` (the hint
    without its separator) on a line of its own."""

    def __init__(self, text: Text, hint: Text, mode: str = "cut", below: Text | None = None):
        self.text, self.hint, self.mode, self.below = text, hint, mode, below

    def __str__(self) -> str:
        return self.text.plain + self.hint.plain

    def line(self, width: int, console=None) -> Text:
        if self.mode == "wrap" or self.text.cell_len + self.hint.cell_len <= width:
            return Text("").join([self.text, self.hint])
        if self.mode == "below":
            return Text("\n").join([self.text, self.below if self.below is not None else self.hint])
        if self.mode == "cut":
            text = self.text.copy()
            text.truncate(max(1, width - self.hint.cell_len), overflow="ellipsis")
            return Text("").join([text, self.hint])
        lines = list(self.text.wrap(console, max(1, width)))
        for line in lines:
            line.rstrip()
        if lines[-1].cell_len + self.hint.cell_len <= width:
            lines[-1].append_text(self.hint)
        return Text("\n").join(lines)

    def __rich_console__(self, console, options):
        yield from console.render(self.line(options.max_width, console), options)

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement

        return Measurement(1, options.max_width)


class Stack:
    """A rich renderable: lines (Text, or :class:`OneLine` fitted to the width it is drawn at), one below
    the other."""

    def __init__(self, items: list):
        self.items = items

    def __str__(self) -> str:
        return "\n".join(str(i) if isinstance(i, OneLine) else i.plain for i in self.items)

    def text(self, width: int, console) -> Text:
        return Text("\n").join([i.line(width, console) if isinstance(i, OneLine) else i for i in self.items])

    def __rich_console__(self, console, options):
        yield from console.render(self.text(options.max_width, console), options)

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement

        return Measurement(1, options.max_width)
