"""Drawing one table line into a :class:`~textual.strip.Strip` of exactly the widget's width.

These are pure functions of their arguments so the widget can cache their results by the
same arguments. Styles come in resolved from the widget's component classes; nothing here
names a colour.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.strip import Strip

from widgets.table.cells import GAP, Column, ColumnPlan, Row, fit_cell, fit_text, plan_columns

MARK_GLYPH = "●"
"""Drawn in the mark column of a marked row (the row's style changes too)."""
MARK_WIDTH = 2
"""The mark column: the glyph and a space."""
SORT_GLYPHS = ("▲", "▼")
"""Header suffix of the sorted column: ascending, descending."""
MORE_GLYPHS = ("◂", "▸")
"""In the header: columns are hidden to the left (mark column) or right (right edge)."""


def _finish(line: Text, width: int, style: Style, console: Console) -> Strip:
    # Text.render yields segments with style None for a Text without spans; line filters
    # (the monochrome one NO_COLOR turns on) read every segment's style and fail on None.
    # An empty style draws exactly as None did.
    null = Style.null()
    strip = Strip([seg if seg.style is not None else Segment(seg.text, null, seg.control)
                   for seg in line.render(console)])
    # Cut a line longer than the widget (minimum widths did not fit) or pad a short one,
    # so every strip is exactly the widget's width.
    return strip.adjust_cell_length(width, style).simplify()


def header_strip(
    columns: Sequence[Column],
    widths: Sequence[int],
    sort_column: str | None,
    reverse: bool,
    width: int,
    style: Style,
    console: Console,
    *,
    more_left: bool = False,
    more_right: bool = False,
) -> Strip:
    """The header: labels in their columns, the sorted one with ``▲`` or ``▼``; ``◂``/``▸``
    at an edge where columns are hidden."""
    mark = MORE_GLYPHS[0] if more_left else " "
    line = Text(mark + " " * (MARK_WIDTH - 1), style=style, no_wrap=True, end="")
    first = True
    for column, cells in zip(columns, widths, strict=True):
        if cells <= 0:
            continue  # a zero-width column is hidden but still searchable and sortable
        if not first:
            line.append(" " * GAP)
        first = False
        label = column.label
        if column.key == sort_column:
            glyph = SORT_GLYPHS[1 if reverse else 0]
            # The glyph must survive truncation: it is the only sign of the sort direction.
            # Drop the space before cutting the label (``Agent▲``, not ``Ag… ▲``).
            if len(label) + 2 <= cells:
                label = label + " " + glyph
            else:
                label = fit_text(label, max(cells - 1, 0)).rstrip() + glyph
        line.append(fit_text(label, cells, column.align))
    if more_right:
        line.append(" " * max(width - line.cell_len - 1, 0) + MORE_GLYPHS[1])
    return _finish(line, width, style, console)


def row_strip(
    row: Row,
    columns: Sequence[Column],
    widths: Sequence[int],
    marked: bool,
    width: int,
    style: Style,
    cursor_style: Style | None,
    console: Console,
) -> Strip:
    """One data row; ``style`` sits under the cells' own styles, ``cursor_style`` over them.

    Segments are built directly (plain cells run together into one segment) rather than
    through a whole-line ``Text``: a poll that reorders the screen redraws every line.
    """
    # On the cursor row the cursor style goes over the cells: badge colours give way, their
    # symbols remain.
    under = style if cursor_style is None else cursor_style
    segments: list[Segment] = []
    plain: list[str] = [MARK_GLYPH if marked else " ", " " * (MARK_WIDTH - 1)]
    first = True
    for column, cells in zip(columns, widths, strict=True):
        if cells <= 0:
            continue
        if not first:
            plain.append(" " * GAP)
        first = False
        fitted = fit_cell(row.get(column.key), cells, column.align)
        if isinstance(fitted, str):
            plain.append(fitted)
            continue
        if plain:
            segments.append(Segment("".join(plain), under))
            plain = []
        for text, own in _styled_runs(fitted, console):
            combined = style + own if own is not None else style
            segments.append(Segment(text, combined + cursor_style if cursor_style else combined))
    if plain:
        segments.append(Segment("".join(plain), under))
    # Cut a line longer than the widget (minimum widths did not fit) or pad a short one,
    # so every strip is exactly the widget's width.
    return Strip(segments).adjust_cell_length(width, under)


def _styled_runs(text: Text, console: Console) -> list[tuple[str, Style | None]]:
    """``text`` as (string, style) runs, its own base style included."""
    if not text.spans:
        # Text.render leaves out the base style of a Text without spans (its caller, the
        # console, normally adds it): a plain badge would lose its colour.
        return [(text.plain, console.get_style(text.style) if text.style else None)]
    return [(segment.text, segment.style) for segment in text.render(console)]


def message_strip(message: str, width: int, style: Style, console: Console) -> Strip:
    """``message`` centred in a line (the empty state)."""
    line = Text(fit_text(message, width, "center"), style=style, no_wrap=True, end="")
    return _finish(line, width, style, console)


class LinePainter:
    """Draws and caches the table's lines for one set of columns.

    A row line is cached by (key, width, styles) with the row's version beside it: the same
    row drawn the same way is a look-up, so scrolling back and idle repaints draw nothing, and
    a new version of a row replaces its old line. Keyed by version as well, every poll added a
    line per changed visible row and kept the old ones until 4,096 lines filled the cache
    (~90 polls at 10k sources: 7-8 minutes of RSS growth, ~65 KB a poll under tracemalloc).
    The cache is bounded, so a long scroll through 100,000 rows does not keep them all.
    """

    def __init__(self, columns: Sequence[Column], console: Console, size: int = 4096) -> None:
        self.columns = tuple(columns)
        self.console = console
        self._plan: tuple[int, ColumnPlan | None] = (-1, None)
        self._offset = 0
        self._cache: LRUCache[tuple[object, ...], Strip] = LRUCache(size)
        self._rows: LRUCache[tuple[object, ...], tuple[int, Strip]] = LRUCache(size)

    def clear(self) -> None:
        """Forget every drawn line (the styles changed)."""
        self._cache.clear()
        self._rows.clear()

    @property
    def offset(self) -> int:
        """Ranked columns scrolled away to the left (see :func:`plan_columns`)."""
        return self._offset

    @offset.setter
    def offset(self, offset: int) -> None:
        if offset != self._offset:
            self._offset = offset
            self._plan = (-1, None)
            self.clear()  # lines are cached by width, not by which columns they show

    def plan(self, width: int) -> ColumnPlan:
        """Which columns a line of ``width`` cells draws (after the mark column)."""
        cached_width, plan = self._plan
        if plan is None or cached_width != width:
            plan = plan_columns(self.columns, width - MARK_WIDTH, self._offset)
            self._plan = (width, plan)
        return plan

    def widths(self, width: int) -> list[int]:
        """Column widths for a line of ``width`` cells, after the mark column."""
        return self.plan(width).widths

    def column_at(self, x: int, width: int) -> str | None:
        """Key of the column under cell ``x`` (a gap counts with the column to its left)."""
        left = MARK_WIDTH
        for column, cells in zip(self.columns, self.widths(width), strict=True):
            if cells <= 0:
                continue
            if left <= x < left + cells + GAP:
                return column.key
            left += cells + GAP
        return None

    def header(self, width: int, sort_column: str | None, reverse: bool, style: Style) -> Strip:
        """The header line."""
        key = ("header", width, sort_column, reverse, style)
        strip = self._cache.get(key)
        if strip is None:
            plan = self.plan(width)
            strip = header_strip(
                self.columns, plan.widths, sort_column, reverse, width, style, self.console,
                more_left=bool(plan.hidden_left), more_right=bool(plan.hidden_right),
            )
            self._cache[key] = strip
        return strip

    def row(
        self,
        key: str,
        version: int,
        row: Row,
        width: int,
        *,
        marked: bool,
        style: Style,
        cursor_style: Style | None,
    ) -> Strip:
        """The line of row ``key`` at ``version``."""
        cache_key = (key, width, marked, style, cursor_style)
        cached = self._rows.get(cache_key)
        if cached is not None and cached[0] == version:
            return cached[1]
        widths = self.widths(width)
        strip = row_strip(row, self.columns, widths, marked, width, style, cursor_style,
                          self.console)
        self._rows[cache_key] = (version, strip)
        return strip
