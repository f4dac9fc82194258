"""From a file's bytes to a parsed :class:`~hsqa.documents.Document`, whatever its format.

``.txt`` / ``.md`` are decoded and parsed as they always were. ``.pdf`` (text layer, via PDFium) and
``.html`` / ``.htm`` (main content only) are first *extracted* into plain text — paragraphs separated by
blank lines, headings on lines of their own — which the same parser then reads. That extracted text is what
the index stores and quotes: a citation is verbatim in it, and ``hsqa show`` prints it.

The extractors are deterministic and versioned: :data:`EXTRACTOR_VERSION` changes whenever their output
may change, and :data:`PARSER_VERSION` (stored in the index) combines it with the parser's, so an upgrade
re-extracts every document (embeddings of unchanged paragraphs come from the cache).
"""

from __future__ import annotations

import bisect
import dataclasses
from pathlib import Path

from ..documents import PARSER_VERSION as _TEXT_PARSER_VERSION
from ..documents import Document, parse_document, read_text
from ..errors import DocumentError

#: bump when the PDF or HTML extraction may give different text for the same file
EXTRACTOR_VERSION = 3
#: what the index records as its parser version: the text parser's and the extractors' together
PARSER_VERSION = _TEXT_PARSER_VERSION * 100 + EXTRACTOR_VERSION

PDF_EXTENSIONS = (".pdf",)
HTML_EXTENSIONS = (".html", ".htm")


def kind_of(path: str) -> str:
    low = path.lower()
    if low.endswith(PDF_EXTENSIONS):
        return "pdf"
    if low.endswith(HTML_EXTENSIONS):
        return "html"
    return "text"


def parse_bytes(data: bytes, rel: str) -> Document:
    """Parse one file's bytes by its extension; raise :class:`DocumentError` with a short reason if unusable."""
    kind = kind_of(rel)
    if kind == "pdf":
        from .pdf import extract_pdf

        doc = extract_pdf(data, rel)
    elif kind == "html":
        from .html import extract_html

        doc = extract_html(data, rel)
    else:
        text, _ = read_text(data, rel)
        doc = parse_document(text, rel)
    if not doc.paragraphs:
        raise DocumentError(rel, "no paragraphs of text found")
    return doc


def load(path: Path, rel: str | None = None) -> Document:
    rel = rel or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(rel, "vanished while being read") from None
    except OSError as e:
        raise DocumentError(rel, f"unreadable ({e.strerror or e})") from None
    return parse_bytes(data, rel)


def parse_extracted(text: str, rel: str, kind: str, pages: list[tuple[int, int]] | None = None) -> Document:
    """Parse extracted ``text``; with ``pages`` (``(offset, page)`` in text order) paragraphs get their page."""
    doc = parse_document(text, rel)
    doc.kind = kind
    if pages:
        doc.pages = list(pages)
        offsets = [o for o, _ in pages]
        doc.paragraphs = [
            dataclasses.replace(p, page=pages[max(0, bisect.bisect_right(offsets, p.start) - 1)][1])
            for p in doc.paragraphs
        ]
    return doc


def page_at(pages: list[tuple[int, int]], offset: int) -> int | None:
    """The page of a text offset, from ``(offset, page)`` pairs in text order."""
    if not pages:
        return None
    i = bisect.bisect_right([o for o, _ in pages], offset) - 1
    return pages[max(0, i)][1]
