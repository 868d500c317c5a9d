"""Reading HTML reports: saved government web pages and bare body fragments.

A saved page wraps the report in site navigation, search boxes, share buttons and
a footer of links. :func:`read_html` finds the element that holds the report (the
smallest one containing the report's section headings and tables), turns its
paragraphs into lines and its tables into rows of tab-separated cells, and keeps
the page's title, publication date and address in ``Document.header``.

Example:
    >>> page = "<p>二、主动公开政府信息情况</p><table><tr><td>规章</td><td>13</td></tr></table>"
    >>> read_html("r.html", data=page.encode()).text.splitlines()
    ['二、主动公开政府信息情况', '规章\\t13']
"""

from __future__ import annotations

import bisect
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bs4 import (
    BeautifulSoup,
    MarkupResemblesLocatorWarning,
    NavigableString,
    Tag,
    XMLParsedAsHTMLWarning,
)
from bs4.element import PreformattedString

from govopen.document import Document, DocumentBuilder, GridCell, grid_rows
from govopen.errors import ReportError
from govopen.limits import check, exceeded
from govopen.limits import limits as LIMITS
from govopen.normalize import compact
from govopen.readers.encoding import decode_report

# Elements whose content is never report text. Word's <w:...>/<v:...> islands and
# <xml> blocks carry document settings, not words.
_DROP = frozenset(
    "script style noscript template head title meta link iframe frame frameset object "
    "embed applet svg canvas select option optgroup button input textarea xml map audio "
    "video source track param datalist".split()
)
_DROP_PREFIXES = ("w:", "v:")

# Elements that start a new line (everything else is inline and joins its neighbours).
_BLOCK = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl "
    "dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html "
    "legend li listing main menu nav ol p pre section summary table tbody td tfoot th "
    "thead tr ul xmp".split()
)
# Text inside these is site chrome (links, menus, banners), so it never counts as a
# report heading when looking for the report body.
_QUIET = frozenset("a nav header footer aside".split())

# Headings and table labels of the report templates (2019+ and the older one).
# The body is the smallest element that holds as many of these as the whole page.
_KEYS = (
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "依申请公开政府信息情况",
    "行政复议",
    "行政诉讼",
    "存在的主要问题",
    "改进情况",
    "其他需要报告的事项",
    "收费及减免",
    "第二十条第",
    "信息内容",
    "申请人情况",
    "本年新收政府信息公开申请数量",
    "上年结转政府信息公开申请数量",
    "本年度办理结果",
    "结转下年度继续办理",
    "结果维持",
    "尚未审结",
)
_KEY_MAX_LEN = 60  # a heading or label is short; a long line merely mentions the words
_MIN_KEYS = 3  # fewer distinct headings than this: not recognisably a report page

# Spans are clamped so a hostile page cannot make the grid explode.
_MAX_COLSPAN = 1000
_GRID_BUDGET = 2_000_000

_SPAN_NUMBER = re.compile(r"\d{1,6}")
_HTML_WS = re.compile(r"[ \t\n\r\f]+")
_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
# Replacement, control (Cc), surrogate (Cs) and private-use (Co) characters.
_BAD_CHARS = re.compile("[\ufffd\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff"
                        "\U000f0000-\U0010ffff]")
_FULL_PAGE = re.compile(r"<\s*(html|body)[\s>/]", re.IGNORECASE)
_DATE_LINE = re.compile(
    r"(?:发布日期|发布时间|发文日期|发稿时间)\s*[:：]?\s*"
    r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?)"
)
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|--|—|–|-)\s*")
_CENTRED = re.compile(r"text-align\s*:\s*center", re.IGNORECASE)
_BOLD = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.IGNORECASE)
# Word pages saved through some CMSs leave their <style> block as visible text.
_CSS_HINT = re.compile(r"mso-|font-family|panose|@page|@font-face|margin\s*:", re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_RULE = re.compile(r"[@A-Za-z0-9_.#:*>,\s\[\]=\"'\\-]*\{[^{}]*\}")

_ENTER, _EXIT, _ROW = 0, 1, 2


@dataclass
class _Unit:
    """One line or table row found on the page, before the body is chosen."""

    pos: int  # document-order index of the node it starts at
    text: str = ""  # a line's text
    cells: list[str] = field(default_factory=list)  # a row's cells
    cols: list[int] = field(default_factory=list)
    cell_tags: list[Tag | None] = field(default_factory=list)
    cell_quiet: list[bool] = field(default_factory=list)
    table: int = -1  # walker's table number; -1 for a line
    row: int = -1
    owner: Tag | None = None
    quiet: bool = False

    @property
    def is_row(self) -> bool:
        return self.table >= 0

    @property
    def size(self) -> int:
        return sum(len(c) for c in self.cells) if self.is_row else len(self.text)


def read_html(path: str | Path, data: bytes | None = None) -> Document:
    """Read an HTML report (full saved page or body fragment) into a Document.

    Paragraphs, headings, list items and ``<br>``-separated lines become lines
    (``line`` = 0-based block number); each table row becomes one line of
    tab-separated cells (``table``, ``row`` and each cell's grid ``col``), with
    rowspans and colspans resolved so cells keep their grid positions. On a full
    page only the report body is kept; navigation and footer are dropped.

    Args:
        path: the file; only used for messages when ``data`` is given.
        data: the file's bytes, if already in memory.

    Raises:
        ReportError: the file cannot be read or decoded, or holds no text.

    Example:
        >>> html = ('<table><tr><td rowspan="2">不予公开</td><td>1.属于国家秘密</td>'
        ...         '<td>0</td></tr><tr><td>2.其他</td><td>&nbsp;</td></tr></table>')
        >>> read_html("r.html", data=html.encode()).text.splitlines()
        ['不予公开\\t1.属于国家秘密\\t0', '\\t2.其他\\t']
    """
    source = str(path)
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ReportError(source, f"cannot read the file ({exc.strerror or exc})") from exc
    if not data or not data.strip():
        raise ReportError(source, "the file is empty")
    # Counted before parsing: a tree of 10^5 elements takes bs4 longer than any
    # time limit a build would set, and no report page comes near.
    check(source, "html_tags", data.count(b"<"))
    text, encoding_note = _decode(data, source)

    try:
        with warnings.catch_warnings():
            # XHTML pages start with <?xml ...?> and short fragments look like
            # file names to bs4; both are still HTML to us.
            warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            soup = BeautifulSoup(text, "lxml")
    except Exception as exc:  # whatever lxml/bs4 throw, callers only need ReportError
        raise ReportError(source, f"the HTML cannot be parsed ({type(exc).__name__})") from exc

    order, end = _number_nodes(soup, source)
    walker = _Walker(order, source)
    walker.walk(soup)
    units = walker.units
    if not any(u.size for u in units):
        raise ReportError(source, "the page has no text")

    builder = DocumentBuilder(file_type="html")
    if encoding_note:
        builder.note("encoding_repaired", encoding_note, "warning")
    if _FULL_PAGE.search(text):
        body, guessed = _find_body(soup, units, order, end)
        if guessed:
            builder.note(
                "html_body_guessed",
                "no report section headings found; the page's main text block was used",
            )
    else:
        # A fragment is the report body already; nothing around it to throw away.
        body, guessed = soup, False
    lo, hi = order[id(body)], end[id(body)]
    kept = [u for u in units if lo <= u.pos <= hi]

    builder.header.update(_header(soup, units, kept))
    title_unit = _title_line(units, lo, kept, builder.header.get("title"))
    if title_unit is not None:
        kept.insert(0, title_unit)
    _emit(builder, kept)
    doc = builder.build()
    if not doc.text.strip():
        raise ReportError(source, "the page has no text")
    return doc


# --------------------------------------------------------------------------- decoding


# Control characters other than \t \n \r \f (category Cc), surrogates (Cs),
# private-use characters (Co) and the replacement character: one regex, not a
# Python loop over every character of the page.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufffd"
                        "\U000f0000-\U000ffffd\U00100000-\U0010fffd]")


def _decode(data: bytes, source: str) -> tuple[str, str | None]:
    head = data[:65536]
    if b"\x00" in head[:8192] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReportError(source, "the file is binary data, not HTML")
    match = _CHARSET.search(head)
    declared = None
    if match:
        declared = (match.group(1) or match.group(2)).decode("ascii", "replace")
    text, note = decode_report(data, source=source, declared=declared)
    # Statistical detection will "decode" random bytes too; a real page has almost
    # no control characters or replacement characters.
    bad = len(_BAD_CHARS.findall(text))
    if bad > max(3, len(text) // 20):
        raise ReportError(source, "the file is not text in any known encoding (binary data?)")
    return text.replace("\x00", ""), note


# --------------------------------------------------------------------------- walking


def _number_nodes(soup: BeautifulSoup, source: str = "<html>"
                  ) -> tuple[dict[int, int], dict[int, int]]:
    """Document-order index of every node, and the last index inside each one.

    ``order[id(a)] <= order[id(b)] <= end[id(a)]`` then means b lies inside a,
    which makes "is this line inside the body?" a constant-time test.
    """
    order: dict[int, int] = {id(soup): 0}
    depth: dict[int, int] = {id(soup): 0}
    deepest = LIMITS().depth
    nodes: list[Any] = [soup]
    for i, node in enumerate(soup.descendants, start=1):
        order[id(node)] = i
        nodes.append(node)
        if isinstance(node, Tag):
            d = depth[id(node)] = depth[id(node.parent)] + 1
            if d > deepest:
                raise exceeded(source, "depth", d)
    end = dict(order)
    for node in reversed(nodes):
        parent = node.parent
        if parent is not None and end[id(node)] > end[id(parent)]:
            end[id(parent)] = end[id(node)]
    return order, end


def _is_text(node: object) -> bool:
    # Comments (including <!--[if ...]--> conditionals), CDATA, doctypes and
    # processing instructions are all PreformattedString subclasses.
    return isinstance(node, NavigableString) and not isinstance(node, PreformattedString)


def _tag_name(tag: Tag) -> str:
    return (tag.name or "").lower()


def _dropped(name: str) -> bool:
    return name in _DROP or name.startswith(_DROP_PREFIXES)


class _Walker:
    """Turns the page into lines and table rows in document order.

    Iterative rather than recursive: pages nest thousands of levels deep
    sometimes, and Python's recursion limit would turn that into a crash.
    """

    def __init__(self, order: dict[int, int], source: str = "<html>") -> None:
        self.order = order
        self.source = source
        self.units: list[_Unit] = []
        self.tables = 0
        self._parts: list[str] = []
        self._pos: int | None = None
        self._owner: Tag | None = None
        self._quiet = False
        self._quiet_depth = 0
        self._pre_depth = 0

    def walk(self, root: Tag) -> None:
        stack: list[tuple[int, object]] = [(_ENTER, root)]
        while stack:
            kind, item = stack.pop()
            if kind == _ROW:
                self.units.append(item)  # type: ignore[arg-type]
                continue
            if kind == _EXIT:
                self._leave(item)  # type: ignore[arg-type]
                continue
            if _is_text(item):
                self._text(item)  # type: ignore[arg-type]
                continue
            if not isinstance(item, Tag):
                continue
            name = _tag_name(item)
            if _dropped(name):
                continue
            if name == "br":
                self._break()
                continue
            if name == "table" and self._push_table(item, stack):
                continue
            if name in _BLOCK:
                self._break()
            if name in _QUIET:
                self._quiet_depth += 1
            if name == "pre":
                self._pre_depth += 1
            stack.append((_EXIT, item))
            stack.extend((_ENTER, child) for child in reversed(item.contents))
        self._break()

    def _leave(self, tag: Tag) -> None:
        name = _tag_name(tag)
        if name in _BLOCK:
            self._break()
        if name in _QUIET:
            self._quiet_depth -= 1
        if name == "pre":
            self._pre_depth -= 1

    def _text(self, node: NavigableString) -> None:
        pieces = str(node).split("\n") if self._pre_depth else [str(node)]
        for i, piece in enumerate(pieces):
            if i:
                self._break()  # a newline inside <pre> is a real line break
            if self._pos is None and piece.strip():
                self._pos = self.order[id(node)]
                self._owner = node.parent
                self._quiet = self._quiet_depth > 0
            self._parts.append(piece)

    def _break(self) -> None:
        if self._parts and self._pos is not None:
            text = _clean("".join(self._parts))
            if text:
                self.units.append(
                    _Unit(pos=self._pos, text=text, owner=self._owner, quiet=self._quiet)
                )
        self._parts = []
        self._pos = None
        self._owner = None

    def _push_table(self, table: Tag, stack: list[tuple[int, object]]) -> bool:
        """Queue a data table's rows; return False for a layout table.

        Old sites wrap the whole report in a one-cell table, and a grid there
        would put every paragraph into one cell; such tables (a cell holding a
        nested table besides text of its own, or one column of multi-line
        cells) are walked as ordinary blocks instead.
        """
        rows = _own_rows(table)
        if len(rows) > LIMITS().rows:
            raise exceeded(self.source, "rows", len(rows))
        content: list[list[tuple[Tag, str, list[Tag], bool]]] = []
        layout = False
        for tr in rows:
            cells = []
            tds = tr.find_all(("td", "th"), recursive=False)
            if len(tds) > LIMITS().cols:
                raise exceeded(self.source, "cols", len(tds))
            for td in tds:
                text, nested, segments, linked = _cell_content(td)
                if nested and (segments > 1 or len(text) > 50):
                    layout = True
                cells.append((td, text, nested, linked))
            content.append(cells)
        if not any(content):
            return False
        if max(len(cells) for cells in content) == 1 and any(
            "\n" in cell[1] for cells in content for cell in cells
        ):
            layout = True
        if layout:
            return False

        self._break()
        number = self.tables
        self.tables += 1
        quiet = self._quiet_depth > 0
        events: list[tuple[int, object]] = [
            (_ENTER, cap) for cap in table.find_all("caption", recursive=False)
        ]
        grid = _grid([[cell[0] for cell in cells] for cells in content])
        for r, (tr, cells, placed) in enumerate(zip(rows, content, grid, strict=True)):
            unit = _Unit(pos=self.order[id(tr)], table=number, row=r, owner=tr, quiet=quiet)
            for k, col in placed:
                if k is None:  # under a rowspan from an earlier row
                    unit.cells.append("")
                    unit.cell_tags.append(None)
                    unit.cell_quiet.append(True)
                else:
                    unit.cells.append(cells[k][1])
                    unit.cell_tags.append(cells[k][0])
                    unit.cell_quiet.append(quiet or cells[k][3])
                unit.cols.append(col)
            # A row of empty cells is a printed row of blanks (section 四 with
            # nothing filled in); only a row with no cells at all is dropped.
            if len(unit.cells) > 1 or any(unit.cells):
                events.append((_ROW, unit))
            # Inner tables follow the row that holds them, as rows of their own.
            events.extend((_ENTER, inner) for cell in cells for inner in cell[2])
        stack.extend(reversed(events))
        return True


def _own_rows(table: Tag) -> list[Tag]:
    """The ``<tr>`` of ``table`` itself, not of tables nested in it (one pass over the
    table, nested tables skipped: a page of tables nested 10^4 deep stays linear)."""
    rows = []
    stack = list(reversed(table.contents))
    while stack:
        node = stack.pop()
        if not isinstance(node, Tag):
            continue
        name = _tag_name(node)
        if name == "tr":
            rows.append(node)
        elif name != "table":
            stack.extend(reversed(node.contents))
    return rows


def _cell_content(td: Tag) -> tuple[str, list[Tag], int, bool]:
    """A cell's text (``<br>`` and blocks as newlines), nested tables, line count,
    and whether all its text is link text."""
    segments: list[str] = []
    parts: list[str] = []
    nested: list[Tag] = []
    link_depth = 0
    link_chars = plain_chars = 0

    def flush() -> None:
        if parts:
            text = _clean("".join(parts))
            if text:
                segments.append(text)
            parts.clear()

    stack: list[tuple[int, object]] = [(_ENTER, child) for child in reversed(td.contents)]
    while stack:
        kind, item = stack.pop()
        if kind == _EXIT:
            name = _tag_name(item)  # type: ignore[arg-type]
            if name in _BLOCK:
                flush()
            if name == "a":
                link_depth -= 1
            continue
        if _is_text(item):
            parts.append(str(item))
            n = len(str(item).strip())
            if link_depth:
                link_chars += n
            else:
                plain_chars += n
            continue
        if not isinstance(item, Tag):
            continue
        name = _tag_name(item)
        if _dropped(name):
            continue
        if name == "table":
            nested.append(item)
            continue
        if name == "br":
            flush()
            continue
        if name in _BLOCK:
            flush()
        if name == "a":
            link_depth += 1
        stack.append((_EXIT, item))
        stack.extend((_ENTER, child) for child in reversed(item.contents))
    flush()
    return "\n".join(segments), nested, len(segments), link_chars > 0 and plain_chars == 0


def _span(td: Tag, attr: str, limit: int) -> int:
    match = _SPAN_NUMBER.search(str(td.get(attr) or ""))
    if not match:
        return 1
    n = int(match.group())
    if n == 0:
        # rowspan="0" means "to the end of the table"; colspan="0" is invalid.
        return limit if attr == "rowspan" else 1
    return max(1, min(n, limit))


def _grid(rows: list[list[Tag]]) -> list[list[tuple[int | None, int]]]:
    """Resolve spans; for each row, ``(cell index or None, grid column)`` pairs.

    HTML places each cell in the first grid column of its row that no cell from
    an earlier row covers; the rows then follow the grid rule of
    :func:`govopen.document.grid_rows` (``None`` where a cell from an earlier
    row covers a column).
    """
    n = len(rows)
    taken: list[set[int]] = [set() for _ in range(n)]
    cells: list[GridCell] = []
    budget = _GRID_BUDGET
    for r, tds in enumerate(rows):
        c = 0
        for k, td in enumerate(tds):
            while c in taken[r]:
                c += 1
            rs = _span(td, "rowspan", n - r)
            cs = _span(td, "colspan", _MAX_COLSPAN)
            if rs * cs > budget:
                rs = cs = 1
            budget -= rs * cs
            for dr in range(rs):
                taken[r + dr].update(range(c, c + cs))
            cells.append(GridCell(r, c, rowspan=rs, colspan=cs, key=k))
            c += cs
    return [[(cell.key if cell is not None else None, col) for cell, col in row]
            for row in grid_rows(cells, n)]


def _clean(text: str) -> str:
    """Collapse HTML whitespace the way a browser shows it, minus leftover CSS.

    A source line break between two Chinese characters is dropped rather than
    turned into a space: editors wrap long CJK lines anywhere, and a space in
    the middle of ``本年新收`` would break label matching.
    """
    if "{" in text and "}" in text and _CSS_HINT.search(text):
        text = _CSS_COMMENT.sub(" ", text)
        text = _CSS_RULE.sub(" ", text)
        text = text.replace("<!--", " ").replace("-->", " ")

    def space(m: re.Match[str]) -> str:
        run, s, e = m.group(), m.start(), m.end()
        if ("\n" in run or "\r" in run) and 0 < s and e < len(text):
            if _cjk(text[s - 1]) and _cjk(text[e]):
                return ""
        return " "

    return _HTML_WS.sub(space, text).strip()


def _cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


# --------------------------------------------------------------------------- body


def _find_body(soup: BeautifulSoup, units: list[_Unit], order: dict[int, int],
               end: dict[int, int]) -> tuple[Tag, bool]:
    """The element holding the report, and whether it had to be guessed.

    Every short line or cell that reads like a report heading or table label
    (``主动公开政府信息情况``, ``行政复议``, ``本年新收政府信息公开申请数量`` ...)
    votes for all its ancestors. The body is the smallest element holding as
    many distinct headings as the whole page; link and menu text never votes,
    so a navigation bar that happens to say 行政复议 adds nothing the body
    lacks. Pages with too few headings fall back to text density: the smallest
    element holding 90% of the page's non-link text.
    """
    positions = sorted((u.pos, u.size) for u in units)
    starts = [p for p, _ in positions]
    prefix = [0]
    for _, size in positions:
        prefix.append(prefix[-1] + size)

    def size_of(tag: Tag) -> int:
        lo = bisect.bisect_left(starts, order[id(tag)])
        hi = bisect.bisect_right(starts, end[id(tag)])
        return prefix[hi] - prefix[lo]

    votes: dict[int, set[str]] = {}
    tags: dict[int, Tag] = {}
    for owner, keys in _heading_votes(units):
        tag: Tag | None = owner
        while tag is not None:
            votes.setdefault(id(tag), set()).update(keys)
            tags[id(tag)] = tag
            tag = tag.parent
    best = max((len(v) for v in votes.values()), default=0)
    if best >= _MIN_KEYS:
        candidates = [tags[i] for i, v in votes.items() if len(v) == best]
        # Among equally small elements, the innermost (it comes later in document order).
        return min(candidates, key=lambda t: (size_of(t), -order[id(t)])), False

    plain: dict[int, int] = {}
    for u in units:
        if u.quiet:
            continue
        tag = u.owner
        while tag is not None:
            plain[id(tag)] = plain.get(id(tag), 0) + u.size
            tags[id(tag)] = tag
            tag = tag.parent
    total = max(plain.values(), default=0)
    candidates = [tags[i] for i, n in plain.items() if n >= 0.9 * total]
    if not candidates:  # nothing but link text: keep the whole page
        return soup, True
    return min(candidates, key=lambda t: (size_of(t), -order[id(t)])), True


def _heading_votes(units: list[_Unit]) -> Iterator[tuple[Tag, set[str]]]:
    """(element, keys) for every heading-like line or cell."""
    for u in units:
        if u.is_row:
            texts = list(zip(u.cells, u.cell_tags, u.cell_quiet, strict=True))
        else:
            texts = [(u.text, u.owner, u.quiet)]
        for text, tag, quiet in texts:
            if quiet or tag is None or not text:
                continue
            flat = compact(text)
            if len(flat) > _KEY_MAX_LEN:
                continue
            keys = {k for k in _KEYS if k in flat}
            if keys:
                yield tag, keys


# --------------------------------------------------------------------------- header


def _header(soup: BeautifulSoup, units: list[_Unit], kept: list[_Unit]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = tag.get("name") or tag.get("property") or tag.get("itemprop")
        content = tag.get("content")
        if isinstance(key, str) and isinstance(content, str) and content.strip():
            meta.setdefault(key.strip().lower(), content.strip())
    header: dict[str, str] = {}

    title = meta.get("articletitle")
    if not title and soup.title is not None:
        title = _strip_site_name(soup.title.get_text(" ", strip=True))
    if not title:
        title = _heading_title(kept) or _heading_title(units)
    if title:
        header["title"] = _clean(title)

    published = meta.get("pubdate") or meta.get("publishdate") or meta.get("article:published_time")
    if not published:
        # The body's own date line first, then the nearest one above it (sidebars
        # and lists further away carry other articles' dates).
        lo = kept[0].pos if kept else 0
        above = [u for u in units if u.pos < lo][::-1]
        for u in [*kept, *above, *units]:
            match = None if u.is_row or u.quiet else _DATE_LINE.search(u.text)
            if match:
                published = match.group(1)
                break
    if published:
        header["published"] = _clean(published)

    url = meta.get("url") or meta.get("og:url")
    if not url:
        for link in soup.find_all("link"):
            rel: Any = link.get("rel") or []
            if "canonical" in [str(r).lower() for r in rel] and link.get("href"):
                url = str(link["href"])
                break
    if url:
        header["url"] = url.strip()
    return header


def _strip_site_name(title: str) -> str:
    # "某区2023年政府信息公开工作年度报告_年报_某区人民政府": the part naming the report.
    pieces = [p for p in _TITLE_SEPARATORS.split(title) if p]
    for piece in pieces:
        if "报告" in piece or "年报" in piece:
            return piece
    return title


def _heading_title(units: list[_Unit]) -> str | None:
    """The first centred or bold heading, preferring one that names a report."""
    first = None
    for u in units:
        if u.is_row or u.quiet or u.owner is None or len(u.text) > 100:
            continue
        if _looks_like_heading(u.owner):
            if "报告" in u.text:
                return u.text
            first = first or u.text
    return first


def _looks_like_heading(tag: Tag | None) -> bool:
    # The line's own element or one of its near ancestors carries the styling.
    for _ in range(4):
        if tag is None:
            return False
        name = _tag_name(tag)
        if name in ("h1", "h2", "h3", "center", "b", "strong"):
            return True
        style = str(tag.get("style") or "")
        align = str(tag.get("align") or "").lower()
        if align == "center" or _CENTRED.search(style) or _BOLD.search(style):
            return True
        if name in _BLOCK and name not in ("p", "div", "span", "font"):
            return False
        tag = tag.parent
    return False


def _title_line(units: list[_Unit], lo: int, kept: list[_Unit],
                title: str | None) -> _Unit | None:
    """The page's visible title when it sits just outside the report body.

    Sites print the title in a banner above the article container, so the
    smallest element holding the sections leaves it out.
    """
    def titled(u: _Unit) -> bool:
        flat = compact(u.text)
        return len(flat) <= 80 and "报告" in flat and "公开" in flat

    first_lines = [u for u in kept if not u.is_row][:3]
    if any(titled(u) for u in first_lines):
        return None
    before = [u for u in units if u.pos < lo and not u.is_row and not u.quiet][-300:]
    # Only a title that names a report: a bare <title> such as "某区人民政府"
    # would otherwise pick up the site logo.
    want = compact(title or "")
    if "报告" in want or "年报" in want:
        for u in reversed(before):
            if compact(u.text) == want:
                return u
    for u in reversed(before[-50:]):
        if titled(u):
            return u
    return None


# --------------------------------------------------------------------------- output


def _emit(builder: DocumentBuilder, units: list[_Unit]) -> None:
    tables: dict[int, int] = {}  # walker's table number -> number within the body
    line = 0
    for u in units:
        if u.is_row:
            table = tables.setdefault(u.table, len(tables))
            builder.add_row(u.cells, cols=u.cols, table=table, row=u.row)
        else:
            builder.add_line(u.text, line=line)
            line += 1
