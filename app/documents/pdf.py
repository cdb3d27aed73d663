"""Lay out the forms' HTML on A4 pages with fpdf2, so the PDF carries exactly the HTML's text.

The templates keep to a small vocabulary, which this module reads the way a browser would:

* ``p``, ``h1``-``h3`` and ``li`` are paragraphs; ``b``/``strong``, ``i``/``em``, ``span`` and
  ``br`` are inline. Classes ``center``, ``right``, ``left``, ``justify`` and ``small`` inherit
  like their CSS counterparts; ``span.marker`` as an item's first child is its hanging marker.
* ``.cols`` puts its child elements side by side, each as wide as its ``style="width: N%"``.
* ``hr.rule`` is a centred rule as wide as its ``style="width: N%"``.
* ``.spacer`` is blank space as tall as its ``style="height: Nmm"`` (room for a signature);
  ``style="margin-top: Nmm"`` on any block adds that much space above it.
* ``table`` spans the text width (not inside ``.cols``), has ``col`` widths
  (``style="width: N%"``), one ``thead`` row, repeated on every page, and ``tbody`` rows of
  plain-text cells (``br`` breaks lines; ``center`` aligns).
* ``head``, ``style`` and ``script`` are not printed.

Why not a library's layout (every form compared with fpdf2 2.8.9 and WeasyPrint 70.0):

* fpdf2's own ``FPDF.write_html`` reads no classes and no flexbox, so the national heading
  beside the issuing authority and the signature blocks can only be borderless tables, and a
  cell takes one text run in one style: a second run (after a ``<br>``, a ``<b>``, an ``<i>`` or
  a second ``<p>``) raises NotImplementedError, which the control sheet's step cells do as they
  are. Flattened to one bold string per cell, the authority loses its plain top line, the date
  line its italics, both rules under the heading go and the signers' names sit right under
  their headings, with no room to sign. Unadapted, it also prints the ``<style>`` text and
  draws ``hr`` across the line above it.
* WeasyPrint lays every form out as this module does (its heading rows repeat, its text
  extracts), but PyPI alone does not make it work: it loads libpango-1.0, libpangoft2-1.0,
  libharfbuzz, libfontconfig and libgobject-2.0 from the system when imported (``OSError:
  cannot load library 'libpango-1.0-0'`` without them), which the python:3.11-slim image of
  the Dockerfile does not have. It took 1.2 s for a four-page control sheet, against 0.24 s here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from importlib.resources import as_file, files
from pathlib import Path
from typing import Final, Literal, TypeAlias

from fpdf import FPDF
from fpdf.enums import Align, TableHeadingsDisplay, VAlign
from fpdf.fonts import FontFace

# A static (not variable) TTF with full Vietnamese coverage, shipped on PyPI under OFL-1.1:
# variable fonts would need a slow instancing step on every PDF.
FONT_PACKAGE: Final = "fontpkg_ibm_plex_serif"
_FONT_FILES: Final = {
    "": "IBMPlexSerif-Regular.ttf",
    "B": "IBMPlexSerif-Bold.ttf",
    "I": "IBMPlexSerif-Italic.ttf",
    "BI": "IBMPlexSerif-BoldItalic.ttf",
}
_FAMILY: Final = "plexserif"

# Page geometry in mm; margins follow Nghị định 30/2020/NĐ-CP (left 30, right 15, top/bottom 20).
_MARGIN_LEFT: Final = 30.0
_MARGIN_RIGHT: Final = 15.0
_MARGIN_TOP: Final = 20.0
_MARGIN_BOTTOM: Final = 20.0

_PT: Final = 25.4 / 72  # mm per point
_BODY_PT: Final = 11.5
_SMALL_PT: Final = 10.0
_TABLE_PT: Final = 9.5
_HEADING_PT: Final = {"h1": 13.5, "h2": 12.5, "h3": 12.0}
_LINE_FACTOR: Final = 1.38  # line height / font size
_MARKER_MIN_MM: Final = 7.0
_LIST_INDENT_MM: Final = 6.0
_CELL_PADDING_MM: Final = 1.2

_VOID: Final = frozenset({"br", "hr", "col", "meta", "link", "img", "input", "wbr", "base"})
_SKIPPED: Final = frozenset({"head", "style", "script", "title", "template"})
_INLINE: Final = frozenset({"b", "strong", "i", "em", "span", "br", "u", "small", "a", "abbr"})
_PARAGRAPHS: Final = frozenset({"p", "h1", "h2", "h3", "li"})
_SPACES: Final = re.compile(r"[ \t\n\r\f]+")  # HTML whitespace only: NBSP must survive
_PERCENT: Final = re.compile(r"^\s*([0-9.]+)\s*%\s*$")
_MILLIMETRES: Final = re.compile(r"^\s*([0-9.]+)\s*mm\s*$")

AlignCode: TypeAlias = Literal["L", "C", "R", "J"]
_ALIGN_CLASSES: Final[dict[str, AlignCode]] = {
    "left": "L",
    "center": "C",
    "right": "R",
    "justify": "J",
}


# --- HTML to a small element tree --------------------------------------------------------


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]
    children: list[_Element | str] = field(default_factory=list)

    @property
    def classes(self) -> frozenset[str]:
        return frozenset(self.attrs.get("class", "").split())

    def css(self, prop: str) -> str | None:
        for declaration in self.attrs.get("style", "").split(";"):
            name, _, value = declaration.partition(":")
            if name.strip().lower() == prop:
                return value.strip()
        return None

    def elements(self) -> Iterator[_Element]:
        return (child for child in self.children if isinstance(child, _Element))


class _TreeBuilder(HTMLParser):
    """Builds an element tree; the templates are well formed, so no HTML5 repair is needed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("#root", {})
        self._open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag, {name: value or "" for name, value in attrs})
        self._open[-1].children.append(element)
        if tag not in _VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open[-1].children.append(_Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching element; a stray end tag is ignored like a browser does.
        for index in range(len(self._open) - 1, 0, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)


def _parse(html: str) -> _Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# --- Element tree to layout blocks -------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    text: str
    style: str  # fpdf2 style: "", "B", "I" or "BI"


@dataclass(frozen=True)
class _Inherited:
    align: AlignCode = "J"
    size: float = _BODY_PT
    bold: bool = False
    italic: bool = False


@dataclass
class _Para:
    runs: list[_Run]
    align: AlignCode
    size: float
    marker: str | None = None
    marker_sample: str | None = None  # widest marker of the list, so item texts line up
    indent: float = 0.0
    space_before: float = 0.0
    space_after: float = 1.2


@dataclass
class _Rule:
    fraction: float


@dataclass
class _Spacer:
    height: float


@dataclass
class _Columns:
    columns: list[tuple[float, list[_Block]]]


@dataclass
class _Cell:
    text: str
    align: AlignCode


@dataclass
class _Grid:
    widths: list[float]
    head: list[_Cell]
    rows: list[list[_Cell]]


_Block: TypeAlias = _Para | _Rule | _Spacer | _Columns | _Grid


def _inherit(element: _Element, style: _Inherited) -> _Inherited:
    for name, code in _ALIGN_CLASSES.items():
        if name in element.classes:
            style = replace(style, align=code)
    if "small" in element.classes:
        style = replace(style, size=_SMALL_PT)
    if element.tag in ("b", "strong", "th"):
        style = replace(style, bold=True)
    if element.tag in ("i", "em"):
        style = replace(style, italic=True)
    return style


def _font_style(style: _Inherited) -> str:
    return ("B" if style.bold else "") + ("I" if style.italic else "")


def _percent(value: str | None, default: float) -> float:
    match = _PERCENT.match(value or "")
    return float(match.group(1)) / 100 if match else default


def _runs(nodes: list[_Element | str], style: _Inherited) -> list[_Run]:
    runs: list[_Run] = []
    for node in nodes:
        if isinstance(node, str):
            text = _SPACES.sub(" ", unicodedata.normalize("NFC", node))
            if text:
                runs.append(_Run(text, _font_style(style)))
        elif node.tag == "br":
            runs.append(_Run("\n", _font_style(style)))
        elif node.tag not in _SKIPPED:
            runs.extend(_runs(node.children, _inherit(node, style)))
    return runs


def _plain_text(nodes: list[_Element | str]) -> str:
    lines = "".join(run.text for run in _runs(nodes, _Inherited())).split("\n")
    return "\n".join(line.strip() for line in lines).strip()


class _BlockBuilder:
    """Turns the element tree into paragraphs, rules, spacers, columns and tables."""

    def blocks(self, element: _Element, style: _Inherited, depth: int = 0) -> list[_Block]:
        blocks: list[_Block] = []
        loose: list[_Element | str] = []  # inline content outside any paragraph
        for child in element.children:
            if isinstance(child, str) or child.tag in _INLINE:
                loose.append(child)
                continue
            if loose:
                blocks.extend(self._loose(loose, style))
                loose = []
            blocks.extend(self._block(child, style, depth))
        blocks.extend(self._loose(loose, style))
        return blocks

    def _loose(self, nodes: list[_Element | str], style: _Inherited) -> list[_Block]:
        runs = _runs(nodes, style)
        if not "".join(run.text for run in runs).strip():
            return []
        return [_Para(runs, style.align, style.size)]

    def _block(self, element: _Element, style: _Inherited, depth: int) -> list[_Block]:
        if element.tag in _SKIPPED:
            return []
        match = _MILLIMETRES.match(element.css("margin-top") or "")
        space: list[_Block] = [_Spacer(float(match.group(1)))] if match else []
        return space + self._content(element, _inherit(element, style), depth)

    def _content(self, element: _Element, style: _Inherited, depth: int) -> list[_Block]:
        if "cols" in element.classes:
            columns = [
                (_percent(child.css("width"), 0.0), self.blocks(child, _inherit(child, style)))
                for child in element.elements()
            ]
            # Columns without a width share what the others leave.
            unset = [index for index, (width, _) in enumerate(columns) if width <= 0]
            rest = max(0.0, 1.0 - sum(width for width, _ in columns))
            for index in unset:
                columns[index] = (rest / len(unset), columns[index][1])
            return [_Columns(columns)]
        if element.tag == "hr":
            return [_Rule(_percent(element.css("width"), 1.0))]
        if "spacer" in element.classes:
            match = _MILLIMETRES.match(element.css("height") or "")
            return [_Spacer(float(match.group(1)) if match else 20.0)]
        if element.tag == "table":
            return [self._grid(element)]
        if element.tag in _PARAGRAPHS:
            return self._paragraph(element, style, depth)
        if element.tag in ("ol", "ul"):
            items = self.blocks(element, style, depth + 1)
            markers = [b.marker for b in items if isinstance(b, _Para) and b.marker]
            for block in items:
                if isinstance(block, _Para) and block.marker is not None:
                    block.marker_sample = max(markers, key=len, default=None)
            return items
        return self.blocks(element, style, depth)

    def _paragraph(self, element: _Element, style: _Inherited, depth: int) -> list[_Block]:
        nodes = list(element.children)
        marker: str | None = None
        first = next((n for n in nodes if not (isinstance(n, str) and not n.strip())), None)
        if isinstance(first, _Element) and "marker" in first.classes:
            marker = _plain_text(first.children)
            nodes.remove(first)
        if element.tag in _HEADING_PT:
            style = replace(style, size=_HEADING_PT[element.tag], bold=True)
            if not element.classes & _ALIGN_CLASSES.keys():
                style = replace(style, align="C")
        runs = _runs(nodes, style)
        if not "".join(run.text for run in runs).strip() and marker is None:
            return []
        para = _Para(runs, style.align, style.size, marker=marker)
        if element.tag == "li":
            para.indent = _LIST_INDENT_MM * depth
            para.space_after = 0.6
        elif element.tag in _HEADING_PT:
            para.space_before, para.space_after = 5.0, 1.5
        return [para]

    def _grid(self, table: _Element) -> _Grid:
        widths: list[float] = []
        head: list[_Cell] = []
        rows: list[list[_Cell]] = []

        def walk(element: _Element, in_head: bool) -> None:
            for child in element.elements():
                if child.tag == "col":
                    widths.append(_percent(child.css("width"), 0.0))
                elif child.tag == "tr":
                    cells = [
                        _Cell(_plain_text(cell.children), _inherit(cell, _Inherited("L")).align)
                        for cell in child.elements()
                        if cell.tag in ("td", "th")
                    ]
                    if in_head and not head:
                        head.extend(cells)
                    else:
                        rows.append(cells)
                elif child.tag not in _SKIPPED:
                    walk(child, in_head or child.tag == "thead")

        walk(table, False)
        count = max([len(head), *(len(row) for row in rows)], default=0)
        if len(widths) != count or not all(width > 0 for width in widths):
            widths = [1.0] * count
        return _Grid(widths, head, rows)


# --- Line breaking -----------------------------------------------------------------------


@dataclass
class _Segment:
    text: str
    style: str
    width: float


@dataclass
class _Word:
    segments: list[_Segment]
    space_before: bool  # whether a space separates it from the previous word
    space_width: float  # width of a space after this word, in its last style

    @property
    def width(self) -> float:
        return sum(segment.width for segment in self.segments)


@dataclass
class _Line:
    words: list[_Word]
    last: bool  # last line of the paragraph or before a <br>: never justified

    def width(self) -> float:
        total = 0.0
        for index, word in enumerate(self.words):
            if index and word.space_before:
                total += self.words[index - 1].space_width
            total += word.width
        return total

    def gaps(self) -> int:
        return sum(1 for index, word in enumerate(self.words) if index and word.space_before)


class _Metrics:
    """Text widths in mm, per character and cached."""

    def __init__(self, pdf: FPDF) -> None:
        self._pdf = pdf
        self._cache: dict[tuple[str, float, str], float] = {}

    def width(self, text: str, style: str, size: float) -> float:
        # Without text shaping fpdf2 adds glyph advances, so widths add up character by
        # character; caching characters keeps layout fast.
        total = 0.0
        for char in text:
            key = (style, size, char)
            if key not in self._cache:
                self._pdf.set_font(_FAMILY, style, size)
                self._cache[key] = self._pdf.get_string_width(char)
            total += self._cache[key]
        return total


def _words(runs: list[_Run], size: float, metrics: _Metrics) -> list[list[_Word]]:
    """Split runs into hard lines (at <br>) of words, keeping style changes inside a word."""
    lines: list[list[_Word]] = [[]]
    pending_space = False
    for run in runs:
        for piece in re.split(r"( |\n)", run.text):
            if piece == "\n":
                lines.append([])
                pending_space = False
            elif piece == " ":
                pending_space = bool(lines[-1])
            elif piece:
                segment = _Segment(piece, run.style, metrics.width(piece, run.style, size))
                space = metrics.width(" ", run.style, size)
                words = lines[-1]
                if words and not pending_space:
                    words[-1].segments.append(segment)
                    words[-1].space_width = space
                else:
                    words.append(_Word([segment], pending_space, space))
                pending_space = False
    return lines


def _split_long(
    word: _Word, first: float, avail: float, size: float, metrics: _Metrics
) -> list[_Word]:
    """Break a word wider than a line between characters, as CSS ``overflow-wrap: anywhere``.

    The first piece fills the `first` mm left on the current line, the others whole lines.
    """
    pieces: list[list[_Segment]] = []
    current: list[_Segment] = []
    used, limit = 0.0, first
    for segment in word.segments:
        for char in segment.text:
            char_width = metrics.width(char, segment.style, size)
            # Close the piece when the character overflows, unless it stands alone on a
            # whole line: then it has to go there anyway.
            if used + char_width > limit and (current or limit < avail):
                pieces.append(current)
                current, used, limit = [], 0.0, avail
            if current and current[-1].style == segment.style:
                current[-1].text += char
                current[-1].width += char_width
            else:
                current.append(_Segment(char, segment.style, char_width))
            used += char_width
    pieces.append(current)
    if not pieces[0]:
        del pieces[0]  # nothing fitted on the current line: start on the next one
    words = [_Word(segments, False, 0.0) for segments in pieces]
    words[0].space_before = word.space_before
    words[-1].space_width = word.space_width
    return words


def _wrap(para: _Para, avail: float, metrics: _Metrics) -> list[_Line]:
    lines: list[_Line] = []
    for hard_line in _words(para.runs, para.size, metrics):
        current: list[_Word] = []
        used = 0.0
        for long_word in hard_line:
            words = [long_word]
            if long_word.width > avail:
                gap = current[-1].space_width if current and long_word.space_before else 0.0
                words = _split_long(long_word, avail - used - gap, avail, para.size, metrics)
            for word in words:
                gap = current[-1].space_width if current and word.space_before else 0.0
                if current and used + gap + word.width > avail + 1e-6:
                    lines.append(_Line(current, last=False))
                    current, used, gap = [], 0.0, 0.0
                current.append(word)
                used += gap + word.width
        lines.append(_Line(current, last=True))
    # A trailing <br> adds no empty line, as in a browser.
    while len(lines) > 1 and not lines[-1].words:
        lines.pop()
    return lines


# --- Drawing -----------------------------------------------------------------------------


class _Layout:
    """Draws blocks top to bottom, breaking pages itself so columns can stay together."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.metrics = _Metrics(pdf)

    @staticmethod
    def _line_height(size: float) -> float:
        return size * _PT * _LINE_FACTOR

    def _marker_width(self, para: _Para) -> float:
        if para.marker is None:
            return 0.0
        sample = para.marker_sample or para.marker
        return max(_MARKER_MIN_MM, self.metrics.width(sample, "", para.size) + 1.5)

    def height(self, blocks: list[_Block], width: float) -> float:
        total = 0.0
        for block in blocks:
            if isinstance(block, _Para):
                avail = width - block.indent - self._marker_width(block)
                lines = _wrap(block, avail, self.metrics)
                total += block.space_before + block.space_after
                total += len(lines) * self._line_height(block.size)
            elif isinstance(block, _Rule):
                total += 2.9
            elif isinstance(block, _Spacer):
                total += block.height
            elif isinstance(block, _Columns):
                total += max(
                    (self.height(col, width * share) for share, col in block.columns), default=0
                )
            else:
                # Grids break across pages by themselves; count one row to keep a heading
                # from being stranded at the foot of a page.
                total += 3 * self._line_height(_TABLE_PT)
        return total

    def draw(self, blocks: list[_Block], x: float, width: float) -> None:
        for block in blocks:
            if isinstance(block, _Para):
                self._paragraph(block, x, width)
            elif isinstance(block, _Rule):
                self._rule(block, x, width)
            elif isinstance(block, _Spacer):
                self._room(block.height)
                self.pdf.set_y(self.pdf.get_y() + block.height)
            elif isinstance(block, _Columns):
                self._columns(block, x, width)
            else:
                self._grid(block, x, width)

    def _room(self, height: float) -> None:
        """Start a new page unless `height` fits under the current position."""
        if self.pdf.get_y() + height > self.pdf.page_break_trigger:
            self.pdf.add_page()

    def _paragraph(self, para: _Para, x: float, width: float) -> None:
        pdf = self.pdf
        line_height = self._line_height(para.size)
        marker_width = self._marker_width(para)
        text_x = x + para.indent + marker_width
        avail = width - para.indent - marker_width
        pdf.set_y(pdf.get_y() + para.space_before)
        for index, line in enumerate(_wrap(para, avail, self.metrics)):
            self._room(line_height)
            y = pdf.get_y()
            if index == 0 and para.marker is not None:
                pdf.set_font(_FAMILY, "", para.size)
                pdf.set_xy(x + para.indent, y)
                pdf.cell(marker_width, line_height, para.marker)
            self._line(line, text_x, y, avail, para, line_height)
            pdf.set_y(y + line_height)
        pdf.set_y(pdf.get_y() + para.space_after)

    def _line(
        self, line: _Line, x: float, y: float, avail: float, para: _Para, line_height: float
    ) -> None:
        natural = line.width()
        extra = 0.0
        if para.align == "J" and not line.last and line.gaps():
            extra = (avail - natural) / line.gaps()
        elif para.align == "C":
            x += (avail - natural) / 2
        elif para.align == "R":
            x += avail - natural
        for index, word in enumerate(line.words):
            spaced = index + 1 < len(line.words) and line.words[index + 1].space_before
            for position, segment in enumerate(word.segments):
                text, advance = segment.text, segment.width
                if spaced and position == len(word.segments) - 1:
                    # The space is printed (not just skipped) so text extraction sees it.
                    text += " "
                    advance += word.space_width + extra
                self.pdf.set_font(_FAMILY, segment.style, para.size)
                self.pdf.set_xy(x, y)
                self.pdf.cell(advance, line_height, text)
                x += advance

    def _rule(self, rule: _Rule, x: float, width: float) -> None:
        self._room(2.9)
        length = width * rule.fraction
        start = x + (width - length) / 2
        y = self.pdf.get_y() + 1.0
        self.pdf.set_line_width(0.25)
        self.pdf.line(start, y, start + length, y)
        self.pdf.set_y(y + 1.9)

    def _columns(self, columns: _Columns, x: float, width: float) -> None:
        heights = [self.height(blocks, width * share) for share, blocks in columns.columns]
        if max(heights, default=0) > self.pdf.eph:
            # Taller than a page: side by side is impossible, so stack them.
            for _, blocks in columns.columns:
                self.draw(blocks, x, width)
            return
        self._room(max(heights, default=0))
        top, bottom, left = self.pdf.get_y(), self.pdf.get_y(), x
        for share, blocks in columns.columns:
            self.pdf.set_y(top)
            self.draw(blocks, left, width * share)
            bottom = max(bottom, self.pdf.get_y())
            left += width * share
        self.pdf.set_y(bottom)

    def _grid(self, grid: _Grid, x: float, width: float) -> None:
        pdf = self.pdf
        if not grid.widths:
            return
        self._room(3 * self._line_height(_TABLE_PT))
        pdf.set_font(_FAMILY, "", _TABLE_PT)
        pdf.set_x(x)
        with pdf.table(
            width=width,
            col_widths=tuple(grid.widths),
            align=Align.L,
            line_height=self._line_height(_TABLE_PT),
            padding=_CELL_PADDING_MM,
            v_align=VAlign.T,
            text_align=Align.L,
            headings_style=FontFace(emphasis="BOLD"),
            first_row_as_headings=bool(grid.head),
            repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
        ) as table:
            for cells in ([grid.head] if grid.head else []) + grid.rows:
                row = table.row()
                for cell in cells:
                    row.cell(cell.text, align=Align.coerce(cell.align))
        pdf.set_y(pdf.get_y() + 2.0)


def _title(root: _Element) -> str:
    def find(element: _Element) -> _Element | None:
        for child in element.elements():
            if child.tag == "title":
                return child
            found = find(child)
            if found is not None:
                return found
        return None

    title = find(root)
    if title is None:
        return ""
    return _SPACES.sub(" ", "".join(c for c in title.children if isinstance(c, str))).strip()


def _add_fonts(pdf: FPDF, stack: ExitStack) -> None:
    package = files(FONT_PACKAGE)
    for style, name in _FONT_FILES.items():
        path: Path = stack.enter_context(as_file(package / "files" / name))
        pdf.add_font(_FAMILY, style, path)


def html_to_pdf(html: str) -> bytes:
    """Lay out a form's HTML (see the module docstring) on A4 pages and return the PDF."""
    root = _parse(html)
    blocks = _BlockBuilder().blocks(root, _Inherited())
    with ExitStack() as stack:
        pdf = FPDF(orientation="portrait", unit="mm", format="A4")
        _add_fonts(pdf, stack)
        pdf.set_margins(_MARGIN_LEFT, _MARGIN_TOP, _MARGIN_RIGHT)
        pdf.set_auto_page_break(True, margin=_MARGIN_BOTTOM)
        pdf.c_margin = 0  # text starts exactly where the layout puts it
        pdf.set_title(_title(root))
        pdf.set_lang("vi")
        pdf.set_creator("app.documents")
        pdf.add_page()
        _Layout(pdf).draw(blocks, _MARGIN_LEFT, pdf.epw)
        return bytes(pdf.output())
