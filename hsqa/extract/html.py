"""HTML page → plain text of its main content, via selectolax (Lexbor) and rules of our own (chosen by
measurement, see benchmarks/extract_compare.py: ~1 ms a page, and no content dropped on our test pages).

The main content is the ``<article>`` (or ``<main>``, ``[role=main]``, or the element holding most ``<p>``
text); inside it, navigation, scripts, styles, forms, cookie banners, share links, related-stories boxes and
the like are removed. ``<h2>``…``<h6>`` become section headings (Markdown ``#`` marks keep their level),
``<p>``, ``<li>``, ``<blockquote>`` and text-only ``<div>`` s become paragraphs. The title comes from the
``<h1>`` (else ``<title>`` without the site name), the date from meta tags, ``<time>`` or a dateline.
"""

from __future__ import annotations

import datetime as _dt
import re

from ..documents import _SYMBOL, Document, _is_boilerplate, _is_masthead, find_date, human_date, read_text
from ..errors import DocumentError

_DROP_TAGS = "script, style, noscript, template, svg, iframe, form, button, input, select, nav, aside, footer, object, embed, canvas, video, audio, figcaption"
_CHROME = re.compile(
    r"(?:^|[\s_-])(?:cookie|consent|gdpr|banner|share|sharing|social|related|recommend|newsletter|subscribe|"
    r"breadcrumb|menu|navbar|nav|sidebar|footer|masthead|skip|advert|ads?|promo|popup|modal|toolbar|print|"
    r"tags?|topics?|taxonomy|translations?|comments?|pagination|pager|byline-share|site-header|site-footer|more-stories|most-read)(?:$|[\s_-])",
    re.I,
)
_BLOCKS = {"p", "li", "blockquote", "dd", "dt", "pre", "td", "th", "figcaption"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_CONTAINERS = {"div", "section", "article", "main", "header", "body", "ul", "ol", "dl", "table", "tbody", "thead", "tr", "figure", "center", "details", "summary", "address"}
_BLOCKY = _BLOCKS | _CONTAINERS | set(_HEADINGS)
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datePublished",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "dcterms.issued",
    "pubdate",
    "publication_date",
    "publish-date",
    "citation_publication_date",
)
#: a heading longer than this is a press release's deck ("Secretary-General Calls …; Pacific Island States
#: Ask …") or a standfirst: a paragraph, not the name of the section that follows
_DECK_WORDS = 12  # the longest line the text parser takes for a heading
_SITE_SUFFIX = re.compile(r"\s+[|–—·:-]\s+[^|–—·]{2,60}$")


def _decode(data: bytes, rel: str) -> str:
    m = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", data[:4096], re.I)
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    text, _ = read_text(data, rel)
    return text


def _attr(node, name: str) -> str:
    return (node.attributes.get(name) or "") if node.attributes else ""


def _is_chrome(node) -> bool:
    if node.tag in ("article", "main", "body", "html"):
        return False
    ident = f"{_attr(node, 'class')} {_attr(node, 'id')} {_attr(node, 'role')} {_attr(node, 'aria-label')}"
    if _attr(node, "role") in ("navigation", "banner", "contentinfo", "complementary", "search", "dialog"):
        return True
    if "hidden" in (node.attributes or {}) or "display:none" in _attr(node, "style").replace(" ", ""):
        return True
    return bool(_CHROME.search(ident))


def _clean(text: str) -> str:
    """Whitespace collapsed within lines; the line breaks a ``<br>`` made are kept (``\\n``)."""
    lines = (" ".join(x.replace("\u00a0", " ").split()) for x in text.split("\n"))
    return "\n".join(x for x in lines if x)


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _main(tree):
    """The element holding the page's main content."""
    arts = tree.css("article")
    if arts:
        return max(arts, key=lambda a: sum(len(p.text()) for p in a.css("p")))
    for sel in ("main", "[role=main]", "#content", "#main-content", ".content"):
        node = tree.css_first(sel)
        if node is not None and node.css_first("p") is not None:
            return node
    best, score = tree.body, 0
    for node in tree.css("div, section, td"):
        # a paragraph's text may sit in inline elements (Word wraps every run in a <span>)
        s = sum(len(p.text()) for p in node.css("p"))
        direct = sum(len(p.text()) for p in node.iter() if p.tag == "p")
        s = direct * 2 + s
        if s > score:
            best, score = node, s
    return best


def _inline_text(node) -> str:
    """The text of ``node`` as a browser lays it out inline: text nodes as written (so "<b>NAME</b>, title"
    stays "NAME, title"), a ``<br>`` as a line break, an image as a space, a block inside as a space-separated
    piece. Text nodes' own newlines are spaces, as in a browser."""
    parts = []
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            parts.append(child.text(deep=False).replace("\n", " ").replace("\r", " "))
        elif tag == "br":
            parts.append("\n")
        elif tag in ("hr", "img", "wbr"):
            parts.append(" ")
        elif tag == "-comment":
            continue
        elif tag in _BLOCKY:
            parts.append(f" {_inline_text(child)} ")
        else:
            parts.append(_inline_text(child))
    return "".join(parts)


def _inside(node, tag: str) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag == tag:
            return True
        parent = parent.parent
    return False


def _within(node, ancestor) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id == ancestor.mem_id:
            return True
        parent = parent.parent
    return False


def _has_blocks(node) -> bool:
    return any(d.tag in _BLOCKY for d in node.traverse(include_text=False) if d is not node and d.mem_id != node.mem_id)


def _walk(node, out: list[tuple[str, int, str]]) -> None:
    """``(kind, level, text)`` blocks of ``node`` in document order: block elements without blocks inside
    are one paragraph each; runs of inline content between blocks are paragraphs too."""
    run: list[str] = []

    def flush() -> None:
        text = _clean(" ".join(run))
        run.clear()
        if text:
            out.append(("para", 0, text))

    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            run.append(child.text(deep=False).replace("\n", " "))
        elif tag == "p" and _WORD_TITLE.search(_attr(child, "class")):
            flush()  # Word's Title style: the document's title, as an <h1> would be
            text = _clean(_inline_text(child)).replace("\n", " ")
            if text:
                out.append(("heading", 1, text))
        elif tag == "tr" and (row := _row_text(child)) is not None:
            flush()
            if row:
                out.append(("para", 0, row))
        elif tag == "blockquote" and _has_blocks(child) and len(child.text().split()) <= _QUOTE_WORDS:
            flush()  # a quotation with its attribution (<footer>, <cite>) is one passage
            text = _clean(_inline_text(child)).replace("\n", " ")
            if text:
                out.append(("para", 0, text))
        elif tag in ("ul", "ol") and (flush() or out) and out[-1][0] == "para" and out[-1][2].endswith(":"):
            # the items of a list that a "…:" paragraph introduces carry a marker, so that they stay with it
            items: list[tuple[str, int, str]] = []
            _walk(child, items)
            for i, (kind, level, text) in enumerate(items, 1):
                mark = f"{i}. " if tag == "ol" else "- "
                out.append((kind, level, mark + text if kind == "para" and not _MARKED.match(text) else text))
        elif tag in _HEADINGS:
            flush()
            text = _clean(_inline_text(child)).replace("\n", " ")
            if text and tag != "h1" and len(text.split()) > _DECK_WORDS:
                out.append(("para", 0, text))  # a deck or standfirst set as a heading, not a section's name
            elif text:
                out.append(("heading", _HEADINGS[tag], text))
        elif tag in _BLOCKY:
            flush()
            if _has_blocks(child):
                _walk(child, out)
            else:
                text = _field_lines(child) or _clean(_inline_text(child))
                if text:
                    out.append(("para", 0, text))
        elif tag in ("br", "hr", "img", "-comment"):
            run.append(" ")
        else:
            run.append(_inline_text(child))
    flush()


#: Word's paragraph styles for a document's title ("MsoTitle") in a page saved from Word
_WORD_TITLE = re.compile(r"(?:^|\s)MsoTitle(?:$|\s)")
_QUOTE_WORDS = 150
#: a table row is one passage (cells 3 spaces apart, as a PDF table row is extracted) when it is a row of data:
#: two or more cells, none holding a table or a heading, none longer than this (a layout table's cell is)
_CELL_WORDS = 60
#: Word's footnote and endnote references in the text ("…agency.[1]"), and a page's own: a raised link to a note
_NOTE_REF = re.compile(r"^#_(?:ftn|edn)\d+$")
#: the number or bullet Word writes before a list item (in a span styled "mso-list:Ignore"): a bullet glyph of
#: the Symbol or Wingdings font is no text
_WORD_BULLET = re.compile(r"^[·•§oØüv*▪◦–-]?$")
#: a version stamp over a draft ("Draft as of 27 February 2024", "Revised 3 May"): not the document's date
_REVISION = re.compile(r"^\W*(?:draft|version|revised|revision|updated|last\s+updated|as\s+(?:of|at))\b", re.I)


_MARKED = re.compile(r"^(?:\(?\d{1,3}[.)]|\(?[a-z][.)]|\(?[ivxlc]{1,5}[.)]|[-*•·–])\s", re.I)


def _row_text(tr) -> str | None:
    """A table row of data as one line, its cells (and the paragraphs inside a cell) 3 spaces apart; ``None``
    when the row is part of a page's layout (one cell, a nested table, a heading or a long text in a cell)."""
    cells = [c for c in tr.iter() if c.tag in ("td", "th")]
    if len(cells) < 2:
        return None
    if _column_headings(tr, cells):
        return ""  # "Time | Session": the names of the columns, no passage
    parts = []
    for cell in cells:
        if any(d.tag in ("table",) or d.tag in _HEADINGS for d in cell.traverse(include_text=False) if d.mem_id != cell.mem_id):
            return None
        if len(cell.text().split()) > _CELL_WORDS:
            return None
        inner: list[tuple[str, int, str]] = []
        _walk(cell, inner) if _has_blocks(cell) else inner.append(("para", 0, _clean(_inline_text(cell))))
        parts += [t.replace("\n", " ") for _, _, t in inner if t]
    return "   ".join(parts)


def _column_headings(tr, cells) -> bool:
    """The first row of a table, each cell a header cell or wholly bold, of up to four words."""
    table = tr.parent
    while table is not None and table.tag != "table":
        table = table.parent
    first = table.css_first("tr") if table is not None else None
    if first is None or first.mem_id != tr.mem_id:
        return False
    for c in cells:
        text = _flat(c.text())
        bold = _flat(" ".join(b.text() for b in c.css("b, strong")))
        if len(text.split()) > 4 or not (c.tag == "th" or (text and bold == text)):
            return False
    return True


def _field_lines(node) -> str | None:
    """An element made of inline fields only (``<span>`` session, ``<span>`` symbol, ``<span>`` date, as a
    press page's masthead), each a masthead, symbol or date line: its fields one per line."""
    fields = []
    for child in node.iter(include_text=True):
        if child.tag == "-text":
            if child.text(deep=False).strip():
                return None
            continue
        text = _flat(child.text())
        if text:
            fields.append(text)
    if len(fields) < 2:
        return None
    for f in fields:
        if not (len(f.split()) <= 12 and (_is_masthead(f) or _SYMBOL.match(f) or (find_date(f) and len(f.split()) <= 6))):
            return None
    return "\n".join(fields)


def _meta_date(tree) -> _dt.date | None:
    for node in tree.css("meta"):
        key = (_attr(node, "property") or _attr(node, "name") or _attr(node, "itemprop")).lower()
        if key in (k.lower() for k in _DATE_META):
            d = _iso_date(_attr(node, "content"))
            if d:
                return d
    for node in tree.css("time"):
        d = _iso_date(_attr(node, "datetime")) or _text_date(node.text())
        if d:
            return d
    return None


def _iso_date(s: str) -> _dt.date | None:
    m = re.match(r"\s*((?:19|20)\d{2})-(\d{2})-(\d{2})", s or "")
    if not m:
        return _text_date(s)
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _text_date(s: str) -> _dt.date | None:
    dm = find_date(s or "")
    return dm.start if dm else None


def extract_text(html: str) -> tuple[str, str, _dt.date | None]:
    """``(extracted text, title, date)`` of an HTML page."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    head_title = _flat(tree.css_first("title").text()) if tree.css_first("title") else ""
    date = _meta_date(tree)
    main = _main(tree)
    if main is None:
        return "", head_title, date
    for node in main.css(_DROP_TAGS):
        if node.tag == "footer" and _inside(node, "blockquote"):
            continue  # a quotation's attribution
        node.decompose()
    for node in main.css("a[href], span[style]"):
        if node.tag == "a" and _NOTE_REF.match(_attr(node, "href")):
            node.decompose()  # Word's note reference in the text; the note keeps its number (href "#_ftnref1")
        elif node.tag == "span" and "mso-list:ignore" in _attr(node, "style").replace(" ", "").lower() \
                and _WORD_BULLET.match(_flat(node.text())):
            node.decompose()
    for node in main.css("*"):
        try:
            if node.parent is not None and _is_chrome(node):
                node.decompose()
        except Exception:  # noqa: BLE001 - a node already removed with its parent
            continue
    blocks: list[tuple[str, int, str]] = []
    _walk(main, blocks)
    # Word keeps a page's footnotes and endnotes in a list after the body's section: they are its notes
    for notes in tree.css('div[style*="mso-element:footnote-list"], div[style*="mso-element:endnote-list"]'):
        if not _within(notes, main):
            _walk(notes, blocks)
    h1 = next((t for k, lvl, t in blocks if k == "heading" and lvl == 1), None)
    if h1 is None:
        node = tree.css_first("h1")
        h1 = _flat(node.text()) if node is not None else None
    title = h1 or _SITE_SUFFIX.sub("", head_title) or ""
    if date is None:
        for _, _, t in blocks[:6]:
            if _REVISION.match(t):
                continue
            date = _text_date(t)
            if date:
                break
    dateline = human_date(date.isoformat()) if date else ""
    body = [b for b in blocks if not (b[0] == "heading" and b[1] == 1 and b[2] == title)]
    head, body = _title_block(title, dateline, body)
    lines = ["\n".join(head)] if head else []
    for kind, level, text in body:
        text = text.replace("\n", " ")  # a <br> inside a paragraph is a soft break
        lines.append(f"{'#' * max(level, 2)} {text}" if kind == "heading" else text)
    return "\n\n".join(lines) + "\n", title, date


def _title_block(title: str, dateline: str, body: list) -> tuple[list[str], list]:
    """The title block's lines and the body after it. Short lines right under the title (dateline, place)
    stay in the title block, as in a meeting summary, and so do the masthead lines of a UN press release
    (organ, meeting, symbol, date); boilerplate met on the way (the "For information media" disclaimer, a
    salutation) is passed over and left to the body, where the parser drops it."""
    head = [f"# {title}"] if title else []
    if dateline:
        head.append(dateline)
    passed = []
    while body and body[0][0] == "para":
        text = body[0][2]
        flat = text.replace("\n", " ")
        if _is_boilerplate(flat) and not _SYMBOL.match(flat):  # a symbol is page furniture in the body only
            passed.append(body.pop(0))
            continue
        if title and flat.lower() == title.lower():
            body.pop(0)  # the headline set again in the page (the title came from <title>)
            continue
        # a block of lines broken by <br> ("Security Council<br>SC/10128<br>6453rd Meeting (AM)") joins the
        # title block when each of its lines would
        lines = text.split("\n")
        if not all(_head_line(x, len(head) < 5 or len(lines) > 1) for x in lines):
            break
        body.pop(0)
        head += [x for x in lines if x != dateline]
    return head, passed + body


def _head_line(text: str, room: bool) -> bool:
    """A title-block line: a masthead, symbol or date line, or (while there is ``room``) a short line."""
    words = len(text.split())
    short = words <= 8 and text[-1:] not in ".!?:;"  # a line introducing a list is the body
    meta = words <= 12 and (_is_masthead(text) or _SYMBOL.match(text) or (short and find_date(text)))
    return bool(meta or (short and room))


def _symbol(head: list[str]) -> str | None:
    return next((x for x in head if _SYMBOL.match(x)), None)


def extract_html(data: bytes, rel: str) -> Document:
    from . import parse_extracted

    html = _decode(data, rel)
    if not re.search(r"<(?:html|body|p|div|article|h[1-6])\b", html[:200000], re.I):
        raise DocumentError(rel, "not an HTML page (no <html>, <body> or <p> element): rename it to .txt")
    text, title, date = extract_text(html)
    doc = parse_extracted(text, rel, "html")
    if title:
        # a press release's symbol (a masthead line under the headline) goes with its title, as in text files
        symbol = _symbol(text[: doc.header_end].splitlines())
        doc.title = f"{title} ({symbol})" if symbol and symbol not in title else title
    if date:
        doc.date = date.isoformat()
    return doc
