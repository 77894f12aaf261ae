"""Columns and cells: what a row holds, how a cell fits its width, and the progress glyphs.

Every width here is in terminal *cells*, not characters: a CJK character takes two, a
combining mark none. Fitting measures with :func:`rich.cells.cell_len` and cuts with
:func:`rich.cells.set_cell_size`, which pads with a space when a wide character would be
split, so a cell is always exactly as wide as its column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Literal

import msgspec
from rich.cells import cell_len, set_cell_size
from rich.text import Text

from tui.untrusted import clean

Cell = str | Text | int | float | None
"""One cell: plain text, styled text (badges, bars), a number, or nothing."""

Row = Mapping[str, Cell]
"""One row: cells by column key. Extra keys are allowed (for sort keys and predicates)."""

SortValue = Any
"""Whatever a sort key returns; values of one column must compare with each other."""

Align = Literal["left", "right", "center"]

ELLIPSIS = "…"
GAP = 1
"""Cells of space between two columns."""

_DIGITS = re.compile(r"(\d+)")


class Column(msgspec.Struct, frozen=True):
    """A column: its key in each row, header label, width policy, alignment and sort key."""

    key: str
    label: str
    width: int | None = None
    """Fixed width in cells; ``None`` makes the column flex to share the spare width; ``0``
    hides it (it still counts for the filter and the sort)."""
    min_width: int = 6
    """The least a flexing column shrinks to."""
    align: Align = "left"
    sort_key: Callable[[Row], SortValue] | None = None
    """Sort value from the whole row; ``None`` sorts the cell naturally (``web-2`` < ``web-10``)."""
    searchable: bool = False
    """Whether the filter text matches this column."""
    prefix_search: bool = False
    """The filter matches this column only from its start: an ID is found by its first
    characters, and ``db`` never matches in the middle of a hidden UUID."""
    priority: int | None = None
    """When the line is too narrow, columns with the highest number drop first (and come
    back with ``right``); ``None`` ranks by position, after every numbered column."""
    pinned: bool = False
    """Never dropped or scrolled away sideways (the columns that say which row this is)."""


def plain(cell: Cell) -> str:
    """The text a cell shows, without style."""
    if cell is None:
        return ""
    if isinstance(cell, Text):
        return cell.plain
    return str(cell)


def natural_key(cell: Cell) -> tuple[Any, ...]:
    """A sort value: numbers first by value, then text in natural order, empty cells last."""
    if type(cell) is str:
        return _text_key(cell)  # most cells: one call, no isinstance chain
    if cell is None:
        return (2,)
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return (0, -math.inf if math.isnan(cell) else cell)
    return _text_key(plain(cell))


@lru_cache(maxsize=1 << 16)
def _text_key(text: str) -> tuple[Any, ...]:
    # Cached: a sort of 10,000 rows asks again for the same names, OS labels and stages
    # (a poll replaces the rows, not the words), and a regex split costs ~5 us each.
    text = text.casefold()
    if not text:
        return (2,)
    parts: list[Any] = _DIGITS.split(text)
    # re.split with one group alternates text, digits, text...: types line up by position.
    parts[1::2] = map(int, parts[1::2])
    return (1, *parts)


def sanitize(text: str) -> str:
    """``text`` under the one rule for server text (:func:`tui.untrusted.clean`: controls,
    escapes and bidi overrides become visible placeholders), and a tab a space: a cell is one
    line of exactly known width. One character for one, so spans still line up."""
    return clean(text).replace("\t", " ") if not text.isprintable() else text


def fit_text(text: str, width: int, align: Align = "left") -> str:
    """Plain ``text`` cut with an ellipsis or padded to exactly ``width`` cells."""
    if width <= 0:
        return ""
    text = sanitize(text)
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + ELLIPSIS
    spare = width - length
    if align == "right":
        return " " * spare + text
    if align == "center":
        return " " * (spare // 2) + text + " " * (spare - spare // 2)
    return text + " " * spare


def fit_cell(cell: Cell, width: int, align: Align = "left") -> str | Text:
    """A cell cut or padded to exactly ``width`` cells; styled cells keep their styles."""
    if not isinstance(cell, Text):
        return fit_text(plain(cell), width, align)
    if width <= 0:
        return ""
    if cell.cell_len == width and cell.plain.isprintable():
        return cell  # already fits (bars and badges drawn to width): no copy
    text = cell.copy()
    if not text.plain.isprintable():
        text.plain = sanitize(text.plain)  # same length, so the spans still line up
    length = text.cell_len
    if length > width:
        text.truncate(width, overflow="ellipsis")
        length = text.cell_len
    spare = width - length
    if spare:
        left = spare if align == "right" else spare // 2 if align == "center" else 0
        text.pad_left(left)
        text.pad_right(spare - left)
    return text


def layout_widths(columns: Sequence[Column], width: int) -> list[int]:
    """Each column's width for a line of ``width`` cells; flexing columns share the rest.

    When even the minimums do not fit, flexing columns get their minimum and the line is cut
    at the right edge by the caller.
    """
    shown = sum(1 for c in columns if c.width != 0)  # width 0 hides a column, gap and all
    gaps = GAP * max(shown - 1, 0)
    fixed = sum(c.width for c in columns if c.width is not None)
    flexing = [i for i, c in enumerate(columns) if c.width is None]
    widths = [c.width if c.width is not None else c.min_width for c in columns]
    if not flexing:
        return widths
    spare = max(width - gaps - fixed, 0)
    share, extra = divmod(spare, len(flexing))
    # A column whose even share is below its minimum takes the minimum, and the others share
    # what is left: giving it more than its share without taking from them overflowed the line.
    while short := [i for i in flexing if columns[i].min_width > share]:
        for index in short:
            widths[index] = columns[index].min_width
            spare -= columns[index].min_width
        flexing = [i for i in flexing if i not in short]
        if not flexing:
            return widths
        share, extra = divmod(max(spare, 0), len(flexing))
    for order, index in enumerate(flexing):
        widths[index] = share + (1 if order < extra else 0)
    return widths


MORE_WIDTH = 2
"""Cells kept free at the right edge for the ``▸`` that says columns are hidden there."""


class ColumnPlan(msgspec.Struct, frozen=True):
    """Which columns a line of some width draws, and which it leaves out and why."""

    widths: list[int]
    """Each column's width; ``0`` for a column not drawn."""
    offset: int
    """How many of the ranked columns are scrolled away to the left (clamped)."""
    hidden_left: tuple[str, ...]
    """Labels of columns scrolled away with ``right`` (``left`` brings them back)."""
    hidden_right: tuple[str, ...]
    """Labels of columns that did not fit (``right`` brings them in)."""


def _need(column: Column) -> int:
    return column.width if column.width is not None else column.min_width


def _choose(columns: Sequence[Column], pinned: list[int], ranked: list[int], width: int) -> list[int]:
    """Indexes of ``ranked`` that fit beside the pinned ones, most important first."""
    used = sum(_need(columns[i]) for i in pinned) + GAP * max(len(pinned) - 1, 0)
    chosen: list[int] = []
    for index in ranked:
        cost = _need(columns[index]) + (GAP if pinned or chosen else 0)
        # Skip a wide column that does not fit, but keep trying narrower ones after it.
        if used + cost <= width:
            chosen.append(index)
            used += cost
    return chosen


def plan_columns(columns: Sequence[Column], width: int, offset: int = 0) -> ColumnPlan:
    """The columns a line of ``width`` cells draws, by priority, ``offset`` scrolled away.

    Pinned columns always draw. The rest are ranked by :attr:`Column.priority`; the first
    ``offset`` of them are scrolled away (to make room for the ones after), and of the others
    each that still fits draws. Drawn columns keep their left-to-right order.
    """
    drawable = [i for i, c in enumerate(columns) if c.width != 0]
    pinned = [i for i in drawable if columns[i].pinned]
    ranked = sorted((i for i in drawable if not columns[i].pinned),
                    key=lambda i: _rank(columns[i], i))
    # Scrolling stops once every remaining column fits: no blank columns on the right.
    last = 0
    while last < len(ranked) and len(_choose(columns, pinned, ranked[last:], width)) < len(
        ranked
    ) - last:
        last += 1
    offset = min(max(offset, 0), last)
    avail = width
    chosen = _choose(columns, pinned, ranked[offset:], avail)
    if len(chosen) < len(ranked) - offset:
        avail = width - MORE_WIDTH  # room for the ▸ that says more columns are to the right
        chosen = _choose(columns, pinned, ranked[offset:], avail)
    shown = {*pinned, *chosen}
    laid = [c if i in shown else _hidden(c) for i, c in enumerate(columns)]
    widths = layout_widths(laid, avail)
    widths = [w if i in shown else 0 for i, w in enumerate(widths)]
    return ColumnPlan(
        widths=widths,
        offset=offset,
        hidden_left=tuple(columns[i].label for i in sorted(ranked[:offset])),
        hidden_right=tuple(
            columns[i].label for i in sorted(set(ranked[offset:]) - set(chosen))
        ),
    )


def _rank(column: Column, index: int) -> int:
    return column.priority if column.priority is not None else 10_000 + index


def _hidden(column: Column) -> Column:
    return Column(column.key, column.label, width=0, min_width=0)


_EIGHTHS = " ▏▎▍▌▋▊▉"


def progress_bar(
    fraction: float | None,
    width: int,
    *,
    style: str = "",
    track_style: str = "dim",
) -> Text:
    """``██████▌░░░  65%``: a bar in eighths of a cell and the percentage, ``width`` cells.

    The last five cells hold the percentage; an unknown fraction (``None`` or NaN) shows
    ``—`` so "no data" never looks like 0 %.
    """
    bar_width = max(width - 5, 0)
    if fraction is None or math.isnan(fraction):
        return Text(fit_text("—", width, "right"), style=track_style, no_wrap=True, end="")
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = math.floor(fraction * bar_width * 8)
    full, part = divmod(eighths, 8)
    filled = "█" * full + (_EIGHTHS[part] if part else "")
    out = Text(no_wrap=True, end="")
    out.append(filled, style=style)
    out.append("░" * (bar_width - len(filled)), style=track_style)
    # Floor, so a nearly done 99.9 % never reads as 100 %.
    out.append(f"{math.floor(fraction * 100):>4d}%")
    if out.cell_len > width:
        out.truncate(max(width, 0))
    return out
