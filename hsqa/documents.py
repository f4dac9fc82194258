"""Reading and parsing meeting summaries.

``read_text`` turns bytes into text (BOMs, UTF-8, cp1252/latin-1 fallback) or refuses with a reason.
``parse_document`` finds the title block (title, date, place), section headings and paragraphs, each
paragraph carrying its character offsets into the decoded text and its 1-based number. Paragraph text is
always the verbatim slice ``text[start:end]``: users quote it.

Messiness handled here (never by editing files): markdown ``#`` and whole-line ``**bold**`` headings,
short plain headings, paragraphs split by a page break (a block ending mid-sentence continued by a block
starting in lower case, with no page number or other boilerplate between them), list items that belong to the paragraph introducing them, and navigation
boilerplate such as "Back to Index".
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DocumentError

PARSER_VERSION = 7

# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------

_MAGIC = {
    b"%PDF": "a PDF file",
    b"PK\x03\x04": "a ZIP/Office file",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x7fELF": "an executable",
    b"{\\rtf": "an RTF file",
    b"\xd0\xcf\x11\xe0": "an old Office file",
    b"SQLite format 3": "a SQLite database",
}


def read_text(data: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding)`` or raise :class:`DocumentError` with a reason."""
    if not data.strip():
        raise DocumentError(path, "empty file")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise DocumentError(path, f"not a text document: looks like {what}")
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        if b"\x00" in data[:65536]:
            raise DocumentError(path, "binary file (contains NUL bytes)")
        candidates = ["utf-8", "cp1252", "latin-1"]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise DocumentError(path, f"cannot decode as {candidates[0]} despite its byte-order mark")
    if not text.strip():
        raise DocumentError(path, "empty file")
    sample = text[:65536]
    ctrl = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if ctrl > max(8, len(sample) // 100):
        raise DocumentError(path, "binary file (too many control characters)")
    return text, enc


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november december".split()
    )
}
_MONTHS.update({m[:3]: n for m, n in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MON = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DASH = r"\s*(?:-|–|—|to)\s*"
_DATE_PATTERNS = [
    # 4 June 2012, 20-21 May 2010, 30 June - 2 July 2010 (second month ignored for the start)
    re.compile(
        r"\b(?P<d1>\d{1,2})(?:st|nd|rd|th)?(?:" + _DASH + r"(?P<d2>\d{1,2})(?:st|nd|rd|th)?)?\s+"
        + _MON + r",?\s+(?P<y>(?:19|20)\d{2})\b",
        re.I,
    ),
    # June 4, 2012 / June 4-5, 2012
    re.compile(
        r"\b" + _MON + r"\s+(?P<d1>\d{1,2})(?:" + _DASH + r"(?P<d2>\d{1,2}))?,?\s+(?P<y>(?:19|20)\d{2})\b",
        re.I,
    ),
    # 2012-06-04
    re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d1>\d{2})\b"),
]


def human_date(iso: str | None) -> str:
    """``2007-04-20`` → ``20 April 2007`` (``""`` for ``None``)."""
    if not iso:
        return ""
    d = _dt.date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B')} {d.year}"


@dataclass(frozen=True)
class DateMatch:
    start: _dt.date
    end: _dt.date | None
    span: tuple[int, int]


def find_date(text: str) -> DateMatch | None:
    """First calendar date in ``text`` (day ranges such as "20-21 May 2010" give an end date)."""
    best: DateMatch | None = None
    for pat in _DATE_PATTERNS:
        for m in pat.finditer(text):
            g = m.groupdict()
            month = int(g["m"]) if g.get("m") else _MONTHS[g["mon"].lower().rstrip(".")]
            try:
                start = _dt.date(int(g["y"]), month, int(g["d1"]))
                end = _dt.date(int(g["y"]), month, int(g["d2"])) if g.get("d2") else None
            except ValueError:
                continue
            if end is not None and end <= start:
                end = None
            if best is None or m.start() < best.span[0]:
                best = DateMatch(start, end, m.span())
            break
    return best


# ---------------------------------------------------------------------------------------------
# Structure
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    number: int  #: 1-based within the document
    section: str  #: heading path, " > "-joined; "" before the first heading
    start: int  #: character offset into the decoded text
    end: int
    text: str  #: verbatim ``text[start:end]``
    page: int | None = None  #: page where the paragraph starts (PDF documents), 1-based


@dataclass(frozen=True)
class Heading:
    level: int
    title: str
    start: int
    end: int


@dataclass
class Document:
    path: str
    text: str
    title: str
    date: str | None = None  #: ISO date of the meeting (first day)
    date_end: str | None = None  #: ISO date of the last day, for multi-day meetings
    place: str | None = None
    header_end: int = 0  #: offset where the title block ends
    headings: list[Heading] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    dropped: list[tuple[int, int]] = field(default_factory=list)  #: boilerplate spans left out ("Back to Index")
    kind: str = "text"  #: "text" (.txt/.md), "pdf" or "html": how ``text`` was obtained
    pages: list[tuple[int, int]] = field(default_factory=list)  #: PDF: ``(offset, page)`` where each page's text starts

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None


@dataclass
class _Block:
    start: int
    end: int
    lines: list[tuple[int, int]]  # (start, end) per line, end excludes the newline

    def text(self, doc: str) -> str:
        return doc[self.start : self.end]

    def line_texts(self, doc: str) -> list[str]:
        return [doc[a:b] for a, b in self.lines]


_BLANK = re.compile(r"[ \t\f\v\u00a0\u200b]*")


def _blocks(text: str) -> list[_Block]:
    """Split into blocks of non-blank lines; offsets exclude surrounding whitespace."""
    blocks: list[_Block] = []
    cur: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        a, b = pos, pos + len(body)
        pos += len(line)
        stripped = body.strip()
        if not stripped or _BLANK.fullmatch(body):
            if cur:
                blocks.append(_finish(text, cur))
                cur = []
            continue
        # trim whitespace inside the line's span
        lead = len(body) - len(body.lstrip())
        trail = len(body) - len(body.rstrip())
        cur.append((a + lead, b - trail))
    if cur:
        blocks.append(_finish(text, cur))
    out: list[_Block] = []
    for blk in blocks:
        out += _split_line_paragraphs(text, blk)
    return out


def _finish(text: str, lines: list[tuple[int, int]]) -> _Block:
    return _Block(lines[0][0], lines[-1][1], lines)


_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]*_]*$")


def _split_line_paragraphs(text: str, blk: _Block) -> list[_Block]:
    """A block whose lines each end a sentence (after an optional title line) holds one paragraph per line:
    files that separate paragraphs by single newlines. Hard-wrapped prose (lines ending mid-sentence) and
    title blocks are left whole."""
    lines = blk.lines
    if len(lines) < 2:
        return [blk]
    rest = lines[1:]
    if not all(_SENTENCE_END.search(text[a:b]) for a, b in rest):
        return [blk]
    if not _SENTENCE_END.search(text[lines[0][0] : lines[0][1]]) and len(text[lines[0][0] : lines[0][1]].split()) > 20:
        return [blk]
    return [_Block(a, b, [(a, b)]) for a, b in lines]


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^(\*\*|__)(.+?)\1\s*[:.]?$")
_LIST_ITEM = re.compile(r"^\s*(?:\(?\d{1,3}[.)]+|\(?[a-z][.)]|\(?[ivxlc]{1,5}[.)]|[-*•·–])\s+", re.I)
_BOILERPLATE = re.compile(
    r"^\W*(?:back\s+to\s+(?:the\s+)?(?:index|top|contents|list|home|menu)|top\s+of\s+page|return\s+to\s+\w+"
    r"|print(?:er[- ]friendly)?(?:\s+this)?\s+page|page\s+\d+(?:\s+of\s+\d+)?|-\s*\d+\s*-|\d+)\W*$"
    # the forms of address and thanks that open and close a statement, and the end mark of a press release
    r"|^(?:(?:mr\.?|madam|madame|mister)\s+(?:president|chair(?:person|man|woman)?|co-chairs?|secretary-general|moderator)"
    r"|(?:your\s+)?excellenc(?:y|ies)|(?:distinguished\s+|dear\s+)?(?:ladies\s+and\s+gentlemen|delegates|colleagues|guests|friends)"
    r"|(?:i\s+)?thank\s+you(?:\s+(?:very\s+much|all|for\s+your\s+attention|mr\.?\s+president|madam\s+president))?)\s*[,.:;!]?$"
    r"|^\*\s*\*+\s*\*$"
    # a rule that sets footnotes apart ("_______________")
    r"|^[_=~–—-]{3,}$"
    # the disclaimer of every UN meetings-coverage press release
    r"|^for\s+information\s+media\W+not\s+an\s+official\s+record\W*$",
    re.I,
)
#: one form of address; a salutation line is a comma-separated run of them ("Mr. President, Excellencies,
#: ladies and gentlemen,"), possibly naming the person ("Your Excellency President Recep Tayyip Erdoğan,")
_ADDRESS = re.compile(
    r"(?:and\s+)?(?:(?:mr\.?|madam|madame|mister)\s+(?:president|chair(?:person|man|woman)?|co-chairs?|secretary-general"
    r"|moderator|deputy\s+secretary-general|high\s+commissioner)(?:\s+of\s+the\s+[\w\s-]+)?"
    r"|(?:(?:your|their)\s+)?(?:royal\s+)?(?:excellenc(?:y|ies)|highness(?:es)?|majesty)"
    r"|(?:(?:distinguished|dear|honou?rable|esteemed)\s+)*(?:ladies\s+and\s+gentlemen|delegates|colleagues|guests|friends"
    r"|participants|ministers|representatives|panellists|panelists)"
    r"|all\s+protocols?\s+observed|heads\s+of\s+state\s+and\s+government)",
    re.I,
)
_NAME_WORD = re.compile(r"[A-ZÀ-Þ][\w'’.-]*$")


def _is_salutation(line: str) -> bool:
    """A line made only of forms of address, each part of a comma-separated run; a part may go on with a
    title and a name in capitals ("Your Excellency President Recep Tayyip Erdoğan")."""
    line = line.strip()
    if not line or line[-1] not in ",:;" or len(line.split()) > 24:
        return False
    for part in re.split(r"[,;:]", line[:-1]):
        part = part.strip()
        pos = 0
        while m := _ADDRESS.match(part, pos):
            pos = m.end()
            pos += len(part[pos:]) - len(part[pos:].lstrip())
        if pos == 0:
            return False
        rest = part[pos:].split()
        if rest and not all(_NAME_WORD.match(w) for w in rest):
            return False
    return True


#: cells of a table row, as extracted from a PDF or typed: "Austria   Mr. Georg Kleinfeld, Director"
_TABLE_ROW = re.compile(r"\S(?: {3,}|\t)\S")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TIME = re.compile(r"^\d{1,2}[:.h]\d{2}\s*(?:[ap]\.?m\.?)?(?:\s*(?:-|–|to)\s*\d{1,2}[:.h]\d{2}\s*(?:[ap]\.?m\.?)?)?$", re.I)
_END_PUNCT = ".!?:;\"'”’)]…"
_PLACE_LABEL = re.compile(r"^(?:venue|place|location|where)\s*:\s*", re.I)
_SMALL_WORDS = {"of", "the", "de", "la", "du", "des", "and", "on", "for", "in", "at", "&"}


def strip_markup(s: str) -> str:
    """Text without markdown emphasis, heading marks and link targets, whitespace collapsed."""
    s = _MD_LINK.sub(r"\1", s)
    s = re.sub(r"^\s*#{1,6}\s+", "", s, flags=re.M)
    s = re.sub(r"(\*\*|__)(.+?)\1", r"\2", s, flags=re.S)
    s = re.sub(r"(?<![\w*])\*(?!\s)([^*]+?)(?<!\s)\*(?![\w*])", r"\1", s)
    s = s.replace("**", "")
    # a hard-wrapped line ending at a hyphen ("Secretary-" / "General"): one word, as in the print
    s = _WRAPPED_HYPHEN.sub("-", s)
    return re.sub(r"\s+", " ", s).strip()


_WRAPPED_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n[ \t]*(?=[^\W\d_])")


def _heading_of(line: str) -> tuple[int, str] | None:
    """``(level, title)`` when a single line reads as a section heading."""
    m = _MD_HEADING.match(line)
    if m:
        title = strip_markup(m.group(2))
        return (len(m.group(1)), title) if title else None
    m = _BOLD_LINE.match(line.strip())
    if m and len(m.group(2).split()) <= 20 and "**" not in m.group(2):
        return 9, strip_markup(m.group(2)).rstrip(":.")
    plain = line.strip()
    if (
        len(plain) <= 100
        and 1 <= len(plain.split()) <= 12
        # a note marker after the last word ("… on human security,²") does not hide the punctuation before it
        and plain.rstrip("¹²³⁴⁵⁶⁷⁸⁹⁰*†")[-1:] not in _END_PUNCT + ",-–"
        and (plain[0].isupper() or plain[0].isdigit() and not _LIST_ITEM.match(plain))
        and not _TIME.match(plain)
        and re.search(r"[A-Za-z]{2}", plain)
        and not _TABLE_ROW.search(plain)
    ):
        # UN reports number their chapters "I.", "II." and their sections "A.", "B.": a chapter holds sections
        # (and the headings under them); an annex follows the chapters, it is not part of the last one
        m = re.match(r"^(?:([IVXL]{1,6})|([A-Z]))\.\s+\S", plain)
        level = 7 if m and m.group(1) or re.match(r"annex\b", plain, re.I) else 8 if m else 9
        return level, strip_markup(plain)
    return None


def _marker_style(line: str) -> str | None:
    """The kind of list marker a line starts with ("number", "letter", "roman", "bullet"), if any."""
    m = _LIST_ITEM.match(line)
    if not m:
        return None
    mark = m.group(0).strip().strip("().")
    if mark[:1].isdigit():
        return "number"
    if mark and mark.lower().strip("ivxlc") == "" and len(mark) > 1:
        return "roman"
    if mark[:1].isalpha():
        return "letter"
    return "bullet"


#: the furniture of a UN document's page margins, as a text export (ODS, a PDF saved as text) keeps it: the job
#: number ("10-25682 (E)", "10-25682 (E)    150310"), its bar code ("*1025682*"), "Please recycle", the
#: document's symbol as a running header, page numbers
_FURNITURE_CELL = re.compile(
    r"^(?:\d{2}-\d{5}(?:\s*\([A-Z]\))?|\d{6}|\*\d{6,}\*|please\s+recycle\W*|\d{1,4}|(?:[A-Z]{1,6}/)+[A-Z0-9][A-Za-z0-9./-]*)$",
    re.I,
)


def _is_furniture(line: str) -> bool:
    """A line made only of page-margin cells (3+ spaces or a tab apart), one of them more than a page number:
    "10-25682 (E)    150310", "*1025682*", "2      10-25682", "A/64/701" alone on its line."""
    cells = [c for c in re.split(r"\s{3,}|\t+", line.strip()) if c]
    return bool(cells) and all(_FURNITURE_CELL.match(c) for c in cells) and not all(c.isdigit() and len(c) <= 4 for c in cells)


#: a dot leader and the page number it leads to, in a table of contents ("Introduction . . . . . .   3")
_LEADER = re.compile(r"(?:\s?[.…]){4,}\s*\d{1,4}\b")


def _is_contents(line: str) -> bool:
    """A line of a table of contents — or several run together, as a PDF's lines of one block are: each
    entry a title of up to 15 words, a dot leader and a page number; or the "Page" label over its column."""
    if line.strip().lower() == "page":
        return True
    if line.count(".") + line.count("…") < 4:
        return False
    parts = _LEADER.split(line)
    return len(parts) >= 2 and not parts[-1].strip() and all(1 <= len(p.split()) <= 15 for p in parts[:-1])


def _is_boilerplate(line: str) -> bool:
    flat = strip_markup(line)
    return bool(_BOILERPLATE.match(flat)) or _is_salutation(flat) or _is_furniture(line) or _is_contents(flat)


_WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}


def _placelike(line: str) -> bool:
    words = line.replace(",", " ").split()
    return (
        1 <= len(words) <= 6
        and not any(ch.isdigit() for ch in line)
        and ":" not in line  # a label ("Date: Wednesday"), not a place
        and not any(w.lower() in _WEEKDAYS for w in words)
        and line[-1] not in ":;"
        and all(w[0].isupper() or w.lower() in _SMALL_WORDS for w in words)
        and words[0][0].isupper()
    )


_EVENT_WORDS = re.compile(
    r"\b(?:meeting|session|debate|conference|summit|workshop|dialogue|forum|roundtable|seminar|symposium|consultations?"
    r"|ministerial|assembly|council|commission|committee|network|friends|participants|summary|report|proceedings"
    r"|programme|agenda|statement|remarks|resolution|minutes)\b",
    re.I,
)


def _names_event(line: str) -> bool:
    """A title-block line that names the meeting or the document ("Sixth Ministerial Meeting", "List of
    Participants"), as opposed to its place ("Graz, Austria")."""
    return bool(_EVENT_WORDS.search(line))


def _join_title(lines: list[str]) -> str:
    out = ""
    for ln in lines:
        if not out:
            out = ln
        elif out[-1] in ":-–—,":
            out += " " + ln
        else:
            out += ": " + ln
    return out


def _title_from_path(path: str) -> str:
    stem = Path(path).stem
    stem = re.sub(r"^[\d_-]{6,}", "", stem) or stem
    words = re.split(r"[-_\s]+", stem)
    return " ".join(w.capitalize() if w.islower() else w for w in words if w) or Path(path).name


@dataclass
class _Header:
    title: str
    date: DateMatch | None
    place: str | None
    end: int
    n_blocks: int
    #: lines of the title block that are passages of their own: an author's byline ("By Mariam …, Senior …")
    passages: list[tuple[int, int]] = field(default_factory=list)


#: an article's byline under its title: "By Mariam Okonkwo-Lindqvist, Senior Policy Adviser"
_BYLINE = re.compile(r"^by\s+(?:(?:h\.\s?e\.|mr?s?\.|ms\.|dr\.)\s+)?[A-ZÀ-Þ][\w.'’-]*(?:\s+(?:[A-ZÀ-Þ][\w.'’-]*|de|van|von|da|al|bin|el))+(?:,.*)?$", re.I)
#: the issue line of a magazine or journal over an article's title: "UN CHRONICLE · VOLUME LXI · MAY 2024"
_ISSUE = re.compile(r"\b(?:vol(?:ume)?\.?\s+(?:[ivxlc]+|\d+)|issue\s+(?:no\.\s*)?\d+)\b", re.I)


def _venue_parts(s: str) -> list[str]:
    return [x.strip(" —–-") for x in re.split(r",|\s[—–-]\s", s) if x.strip(" —–-")]


#: the word that makes a title-block line a venue ("Trusteeship Council Chamber", "Conference Room 4",
#: "United Nations Headquarters", "Palais des Nations")
_VENUE_WORD = re.compile(r"\b(?:chamber|room|hall|headquarters|building|centre|center|palais|palace|hotel|auditorium)\b", re.I)


def _venue_line(line: str, parts: list[str]) -> bool:
    """A line of two or more place-like parts, one of them naming a room, hall or building (its number aside)."""
    return (len(parts) >= 2 and len(line.split()) <= 16 and any(_VENUE_WORD.search(x) for x in parts)
            and all(_placelike(re.sub(r"\s+\d+[A-Z]?$", "", x)) for x in parts))


def _venue_dateline(line: str, dm: DateMatch) -> bool:
    """A long dateline: up to 16 words, a venue of place-like parts ("General Assembly, Trusteeship Council
    Chamber, New York") and then the date, ending the line."""
    parts = _venue_parts(line[: dm.span[0]])
    return (len(line.split()) <= 16 and not line[dm.span[1] :].strip(" .")
            and len(parts) >= 2 and all(_placelike(p) for p in parts))


def _date_line(line: str) -> bool:
    """A title-block line that dates the meeting: a short line with a date, or a venue dateline."""
    dm = find_date(line)
    return bool(dm) and (len(line.split()) <= 8 or _venue_dateline(line, dm))


def _header(text: str, blocks: list[_Block]) -> _Header | None:
    """Find the title block: leading short-line blocks up to the one holding the meeting date."""
    lead: list[_Block] = []
    for b in blocks[:5]:
        lines = [strip_markup(x) for x in b.line_texts(text)]
        if any(len(x.split()) > 25 for x in lines) or len(lines) > 8:
            break
        if len(lines) == 1 and _is_boilerplate(lines[0]):
            break
        lead.append(b)
        if any(_date_line(x) for x in lines):
            break
    else:
        pass
    date_block = None
    for i, b in enumerate(lead):
        if any(_date_line(strip_markup(x)) for x in b.line_texts(text)):
            date_block = i
            break
    if date_block is None:
        if not blocks:
            return None
        first = blocks[0]
        lines = [strip_markup(x) for x in first.line_texts(text)]
        md = _MD_HEADING.match(text[first.lines[0][0] : first.lines[0][1]])
        single_title = len(lines) <= 3 and all(len(x.split()) <= 20 and x and x[-1] not in ".;" for x in lines)
        if md or (single_title and len(blocks) > 1 and not _LIST_ITEM.match(lines[0])):
            return _Header(_join_title([x for x in lines if x]), None, None, first.end, 1)
        return None
    hblocks = lead[: date_block + 1]
    title_lines: list[str] = []
    place_lines: list[str] = []
    passages: list[tuple[int, int]] = []
    date: DateMatch | None = None
    for bi, b in enumerate(hblocks):
        lines = [strip_markup(x) for x in b.line_texts(text)]
        for li, line in enumerate(lines):
            if not line or _TIME.match(line):
                continue
            dm = find_date(line)
            if date is None and dm and len(line.split()) > 8 and _venue_dateline(line, dm):
                # "General Assembly, Trusteeship Council Chamber, New York — 5 September 2012": a venue
                date = dm
                place_lines += _venue_parts(line[: dm.span[0]])
                continue
            if date is None and dm and len(line.split()) <= 8:
                date = dm
                # "Bamako, 27-29 May 2004" / "First Meeting, New York, 19 October 2006": the words before
                # the date name the place (trailing place-like parts) and the meeting (the rest)
                parts = [x.strip() for x in line[: dm.span[0]].split(",") if x.strip() and not x.strip().endswith(":")]
                while parts and _placelike(parts[-1]) and not _names_event(parts[-1]):
                    place_lines.insert(0, parts.pop())
                title_lines += parts
                # short capitalised lines just before the date in this block name the place
                j = len(title_lines)
                pre = [x for x in lines[:li] if x and not _TIME.match(x)]
                k = 0
                while k < len(pre) and len(title_lines) - k > 1 and _placelike(pre[len(pre) - 1 - k]) and not _names_event(pre[len(pre) - 1 - k]):
                    k += 1
                if k:
                    place_lines = title_lines[j - k :] + place_lines
                    del title_lines[j - k :]
                continue
            if date is not None and (_is_masthead(line) or _SYMBOL.match(line)):
                continue  # organ, meeting and symbol lines of a masthead name no place
            if date is not None and dm:
                # a dateline after the date ("New York, 22 May 2018"): its place only
                pre = line[: dm.span[0]].strip(" ,;:—–-")
                if pre and _placelike(pre) and not _names_event(pre) and pre not in place_lines:
                    place_lines.append(pre)
                continue
            venue = _venue_parts(line)
            if _BYLINE.match(line) and line.split()[1][:1].isupper():
                passages.append(b.lines[li])  # the author, a passage; not a part of the title
            elif date is None and _ISSUE.search(line) and len(line.split()) <= 10:
                continue  # the magazine's issue line
            elif date is None:
                title_lines.append(line)
            elif _venue_line(line, venue):
                # "Trusteeship Council Chamber, United Nations Headquarters, New York" under the date: a venue
                place_lines += [x for x in venue if x not in place_lines]
            elif _names_event(line) and not ("," in line and _placelike(line.rsplit(",", 1)[1].strip())):
                title_lines.append(line)  # "List of Participants" after the date belongs to the title
            elif _placelike(line) or len(line.split()) <= 6:
                place_lines.append(line)
    # lines after the date block (same block) are places; anything else stays in the title
    if not title_lines:
        return None
    return _Header(
        title=_join_title(title_lines),
        date=date,
        place=", ".join(_PLACE_LABEL.sub("", x) for x in place_lines) or None,
        end=hblocks[-1].end,
        n_blocks=len(hblocks),
        passages=passages,
    )


#: a UN document symbol: GA/10941, SG/SM/12893, DSG/SM/779, A/RES/66/290, A/64/701, S/2010/1
_SYMBOL = re.compile(r"^(?:[A-Z]{1,6}/)+[A-Z0-9][A-Za-z0-9./-]*(?:\s+\((?:19|20)\d{2}\))?(?:\s*\*)?$")
#: lines of a UN masthead that carry no title: organ, meeting number, distribution, agenda items, ...
_MASTHEAD = re.compile(
    r"^(?:united\s+nations|general\s+assembly|security\s+council|economic\s+and\s+social\s+council|human\s+rights\s+council"
    r"|plenary|un\s+news|press\s+release|meetings\s+coverage(?:\s+and\s+press\s+releases)?|department\s+of\s+public\s+information"
    r"|distr\.?\s*:.*|original\s*:.*|[\w-]+(?:\s+[\w-]+)?\s+(?:session|general\s+assembly)|agenda\s+items?\b.*"
    r"|\d+(?:st|nd|rd|th)(?:\s*(?:&|and|-)\s*\d+(?:st|nd|rd|th))?\s+meetings?\b.*|\[.*\]|resolution\s+adopted\s+by\b.*"
    r"|news\s+and\s+media|statements?|speeches|\d{2}-\d{5}(?:\s*\(e\))?)$",
    re.I,
)


def _is_masthead(line: str) -> bool:
    """A masthead line, or comma-separated masthead parts ("Seventy-first session, 3rd & 4th Meetings (AM & PM)")."""
    if _MASTHEAD.match(line):
        return True
    parts = [p.strip() for p in re.split(r",(?![^()]*\))", line) if p.strip()]
    return len(parts) > 1 and all(_MASTHEAD.match(p) for p in parts)


#: the line naming what a UN document is, under its title: "Report of the Secretary-General", "Note by the
#: Secretariat", "Letter dated 5 April 2012 from …"
_DOC_KIND = re.compile(r"^(?:(?:annual\s+)?report|note|letter|memorandum)\s+(?:of|by|from|dated)\b[^.]{0,120}$", re.I)
_ADOPTED = re.compile(r"\badopted\s+by\b.*\bon\b", re.I)
_DATELINE = re.compile(r"^(?P<place>[A-Z][A-Za-z .'’-]{1,40}),\s+(?P<rest>\d{1,2}\s+\w+\s+\d{4})")


def _cells(line: str) -> list[str]:
    """A masthead line's cells: "United Nations      A/RES/66/290" -> two cells."""
    return [strip_markup(c) for c in re.split(r"\s{3,}|\t+", line) if c.strip()]


def _un_header(text: str, blocks: list[_Block]) -> _Header | None:
    """The masthead of a UN press release, statement, resolution or news story: a symbol line and organ /
    meeting / distribution lines, then a one-line headline (the title). ``None`` when the document does not
    start with a symbol or masthead line."""
    first = [c for b in blocks[:1] for x in b.line_texts(text) for c in _cells(x)]
    if not first or not (_SYMBOL.match(first[0]) or _MASTHEAD.match(first[0])):
        return None
    symbol, date, adopted, place, n = None, None, None, None, 0
    for b in blocks[:10]:
        cells = [c for x in b.line_texts(text) for c in _cells(x)]
        kinds = []
        for c in cells:
            dm = find_date(c)
            if _SYMBOL.match(c):
                symbol = symbol or c.rstrip(" *")
                kinds.append("symbol")
            elif dm and _ADOPTED.search(c):
                adopted = adopted or dm
                kinds.append("date")
            elif _is_masthead(c):
                kinds.append("meta")
            elif dm and len(c.split()) <= 6:
                date = date or dm
                m = _DATELINE.match(c)
                if m and _placelike(m.group("place")):
                    place = place or m.group("place")
                kinds.append("date")
            else:
                kinds.append("text")
        if "text" in kinds and not _agenda_title(text, blocks, n):
            break
        n += 1
    if n == 0 or n >= len(blocks):
        return None
    # a report or note: the titles of its agenda items come first, then its own title and "Report of the
    # Secretary-General"; the title is the block just before that line
    kind_at = next((k for k in range(n + 1, min(n + 4, len(blocks))) if _DOC_KIND.match(strip_markup(blocks[k].text(text)))), None)
    head = blocks[kind_at - 1] if kind_at is not None else blocks[n]
    lines = [strip_markup(x) for x in head.line_texts(text)]
    words = sum(len(x.split()) for x in lines)
    headline = " ".join(lines)
    if len(lines) > 3 or words > 45 or (headline.endswith(".") and not re.match(r"^\d+/\d+\.", headline)):
        return None  # no headline: the body starts here
    if kind_at is not None:
        headline = f"{headline}: {strip_markup(blocks[kind_at].text(text))}"
        head, n = blocks[kind_at], kind_at
    title = f"{headline} ({symbol})" if symbol and symbol not in headline else headline
    end, n = head.end, n + 1
    # a place-and-date block after the headline ("United Nations Headquarters, New York" / "20 April 2007")
    if n < len(blocks):
        lines = [strip_markup(x) for x in blocks[n].line_texts(text)]
        dates = [find_date(x) for x in lines]
        if len(lines) <= 3 and all(len(x.split()) <= 8 for x in lines) and any(dates):
            i = next(j for j, d in enumerate(dates) if d)
            date = date or dates[i]
            parts = [x for x in lines[:i] if _placelike(x.replace(",", " ").strip())]
            head_part = lines[i][: dates[i].span[0]].strip(" ,")
            if head_part and _placelike(head_part):
                parts.append(head_part)
            place = place or (", ".join(parts) or None)
            end, n = blocks[n].end, n + 1
    # a dateline of its own after the headline ("New York, 22 May 2008"), or opening the first paragraph
    # of a news story ("NEW YORK, 8 February 2022 — ...")
    if n < len(blocks):
        nxt = strip_markup(blocks[n].text(text))
        m = _DATELINE.match(nxt)
        if m and _placelike(m.group("place").title()):
            place = place or m.group("place").title()
            date = date or find_date(m.group("rest"))
            if len(nxt.split()) <= 8:
                end, n = blocks[n].end, n + 1
    return _Header(title=title, date=adopted or date, place=place, end=end, n_blocks=n)


_ADOPTION_LINE = re.compile(r"^resolution\s+adopted\s+by\b", re.I)


def _agenda_title(text: str, blocks: list[_Block], i: int) -> bool:
    """Block ``i`` of a resolution's masthead is (part of) the title of its agenda item: short lines, and the
    "Resolution adopted by …" line follows within three blocks of short lines ("Agenda item 3" / "Promotion
    and protection of all human rights, civil, / political, economic, social and cultural rights, …")."""
    for b in blocks[i : i + 4]:
        lines = [strip_markup(x) for x in b.line_texts(text)]
        if b is not blocks[i] and _ADOPTION_LINE.match(lines[0]):
            return True
        if len(lines) > 3 or any(len(x.split()) > 16 for x in lines):
            return False
    return False


def _ends_sentence(s: str) -> bool:
    s = s.rstrip("*_ ")
    return bool(s) and s[-1] in _END_PUNCT


def parse_document(text: str, path: str = "<text>") -> Document:
    """Parse decoded ``text`` into a :class:`Document`. Never raises on odd input."""
    blocks = _blocks(text)
    header = _un_header(text, blocks) or _header(text, blocks)
    doc = Document(path=path, text=text, title=header.title if header else _title_from_path(path))
    if header:
        doc.header_end = header.end
        doc.place = header.place
        if header.date:
            doc.date = header.date.start.isoformat()
            doc.date_end = header.date.end.isoformat() if header.date.end else None
        body = blocks[header.n_blocks :]
    else:
        body = blocks
    if doc.date is None:
        dm = find_date(text[:2000])
        if dm:
            doc.date = dm.start.isoformat()
            doc.date_end = dm.end.isoformat() if dm.end else None

    stack: list[tuple[int, str]] = []
    spans: list[list] = []  # [start, end, section, kind, list marker styles]; kind: "para" | "list"
    spans += [[a, z, "", "para", None] for a, z in (header.passages if header else [])]
    last_kind = None  # "heading" | "para" | "list" | None
    clean_gap = True  # no boilerplate was dropped since the last paragraph's end (joining would pull it in)

    def section() -> str:
        return " > ".join(t for _, t in stack)

    for b in body:
        lines = b.line_texts(text)
        first = lines[0]
        if all(_is_boilerplate(x) for x in lines):
            doc.dropped.append((b.start, b.end))
            clean_gap = False
            continue
        if len(lines) == 1:
            h = _heading_of(first)
            if h and not (last_kind in ("para", "list") and spans and not _ends_sentence(text[spans[-1][0] : spans[-1][1]]) and first[:1].islower()):
                level, title = h
                while stack and stack[-1][0] >= level:
                    stack.pop()
                stack.append((level, title))
                doc.headings.append(Heading(level, title, b.start, b.end))
                last_kind, clean_gap = "heading", True
                continue
        # drop leading and trailing boilerplate lines inside a block ("...text\nBack to Index"; a footnote rule
        # over its notes; a page's footer and the next page's running header over the text)
        start, end = b.start, b.end
        gap_before, clean_gap = clean_gap, True
        while len(lines) > 1 and _is_boilerplate(lines[0]):
            doc.dropped.append(b.lines[len(b.lines) - len(lines)])
            lines.pop(0)
            start = b.lines[len(b.lines) - len(lines)][0]
            first = lines[0]
            gap_before = False
        skipped = len(b.lines) - len(lines)
        while len(lines) > 1 and _is_boilerplate(lines[-1]):
            doc.dropped.append(b.lines[skipped + len(lines) - 1])
            lines.pop()
            end = b.lines[skipped + len(lines) - 1][1]
            clean_gap = False
        style = _marker_style(strip_markup(first)) or _marker_style(first)
        starts_lower = strip_markup(first)[:1].islower()
        # a paragraph split by a page break is joined again only when nothing was dropped in between: a
        # paragraph is one verbatim slice, so joining across "- 3 -" or "Back to Index" would quote it
        if spans and last_kind in ("para", "list") and gap_before:
            prev = text[spans[-1][0] : spans[-1][1]]
            continuation = starts_lower and not style and not _ends_sentence(prev)
            # items join the list that a "...:" paragraph introduced, while they keep one of its marker styles;
            # lettered items and the roman sub-items under them ("(b) … through:", "(i) …", "(ii) …", "(c) …")
            # are one list
            styles = spans[-1][4] or set()
            list_member = style and (
                (spans[-1][3] == "list" and (style in styles or {style} | styles <= {"letter", "roman"}))
                or prev.rstrip("*_ ").endswith(":")
            )
            if continuation or list_member:
                spans[-1][1] = end
                if style:
                    spans[-1][3], spans[-1][4] = "list", styles | {style}
                last_kind = spans[-1][3]
                continue
        # a numbered or bulleted block that no "...:" introduces is a paragraph of its own (UN documents
        # number their paragraphs "1.", "2.", ...)
        spans.append([start, end, section(), "para", None])
        last_kind = spans[-1][3]

    for n, (a, z, sec, _, _) in enumerate(spans, 1):
        doc.paragraphs.append(Paragraph(n, sec, a, z, text[a:z]))
    return doc


def load_document(path: Path, rel: str | None = None, max_bytes: int | None = None) -> tuple[Document, bytes]:
    """Read and parse one file; raise :class:`DocumentError` with a short reason if it is unusable."""
    rel = rel or str(path)
    try:
        if path.is_dir():
            raise DocumentError(rel, "is a directory, not a document")
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise DocumentError(rel, f"too large ({size // 1024} KiB > {max_bytes // 1024} KiB limit)")
        data = path.read_bytes()
    except DocumentError:
        raise
    except FileNotFoundError:
        raise DocumentError(rel, "vanished while being read") from None
    except PermissionError:
        raise DocumentError(rel, "permission denied") from None
    except OSError as e:
        raise DocumentError(rel, f"unreadable ({e.strerror or e})") from None
    from .extract import parse_bytes  # PDF and HTML are extracted first (the extractors import this module)

    return parse_bytes(data, rel), data
