"""Pure functions from result data to rich Text (used by widgets; unit-testable without an app)."""

from __future__ import annotations

import re

from rich.text import Text

from ...documents import human_date

HIGHLIGHT = "bold #f0e6a0 on #4a4220"  # the answering sentence
TERM = "bold underline"  # question terms
DIM = "dim"


def passage(text: str, terms=(), highlight=None, dim: bool = False) -> Text:
    """The verbatim passage with whitespace runs shown as one space, the answering sentence highlighted
    and question terms emphasised."""
    out = Text()
    hl = tuple(highlight) if highlight else None
    spans = [tuple(t) for t in terms]
    for m in re.finditer(r"\S+|\s+", text):
        a, b = m.span()
        if m.group(0).isspace():
            inside = hl and hl[0] <= a and b <= hl[1]
            out.append(" ", style=HIGHLIGHT if inside else "")
            continue
        styles = []
        if dim:
            styles.append(DIM)
        if hl and hl[0] <= a < hl[1]:
            styles.append(HIGHLIGHT)
        # emphasise only the matched part of a word
        pos = a
        for ta, tb in sorted(s for s in spans if s[0] < b and a < s[1]):
            ta, tb = max(ta, a), min(tb, b)
            if ta > pos:
                out.append(text[pos:ta], style=" ".join(styles))
            out.append(text[ta:tb], style=" ".join([*styles, TERM]))
            pos = tb
        if pos < b:
            out.append(text[pos:b], style=" ".join(styles))
    return out


def relevance(sim: float | None) -> str:
    """Five-dot relevance indicator from the dense score (empty in lexical mode)."""
    if sim is None:
        return ""
    filled = max(0, min(5, round((sim - 0.1) / 0.12)))
    return "●" * filled + "○" * (5 - filled)


def citation_line(r: dict) -> str:
    parts = [r["title"], human_date(r.get("date")) or "undated"]
    if r.get("section"):
        parts.append(r["section"])
    parts.append(f"p. {r['page']} ¶{r['paragraph']}" if r.get("page") else f"¶{r['paragraph']}")
    return " · ".join(parts)
