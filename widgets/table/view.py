"""The keyed table's core: rows, cursor, marks and drawing, without keys, mouse or messages.

:class:`TableView` is a Line API widget: ``render_line`` draws only the lines on screen and
no row is a widget. Order, filter and sort live in :class:`~widgets.table.model.RowModel`;
drawing one line in :class:`~widgets.table.lines.LinePainter`, which caches lines by
(row key, row version, width, styles), so scrolling back, idle repaints and polls that leave
the screen alone cost look-ups. Every change goes through :meth:`TableView._change`, which
refreshes only the screen lines whose row, version, cursor, mark or hover differ.

:class:`~widgets.source_table.SourceTable` adds the look, the keys, the mouse and the
messages; it reports through the ``_cursor_changed`` and ``_marks_changed`` hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from widgets.table.cells import Column, Row
from widgets.table.lines import LinePainter, message_strip
from widgets.table.model import Predicate, RowModel

_LineState = tuple[str, int, bool, bool, bool] | None
"""What a screen line shows: (key, version, cursor, marked, hover), or nothing."""


class _Frame(NamedTuple):
    """Styles resolved once per paint."""

    width: int
    base: Style
    header: Style
    empty: Style
    cursor: Style
    rows: tuple[Style, Style, Style, Style]
    """Row style by ``marked + 2 * hovered``."""


class TableView(ScrollView):
    """Rows by key under a fixed header, with a cursor that follows its row, and marks."""

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        empty_message: str = "No rows",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._model = RowModel(columns)
        self._marked: set[str] = set()
        self._cursor: str | None = None
        self._hover: str | None = None
        self._empty_message = empty_message
        self._stale = False
        self._painter_: LinePainter | None = None
        self._frame: _Frame | None = None

    # -- reading -------------------------------------------------------------------------

    @property
    def columns(self) -> tuple[Column, ...]:
        """The columns, left to right."""
        return self._model.columns

    @property
    def visible_count(self) -> int:
        """Rows that pass the filter and predicate."""
        return len(self._model)

    @property
    def total_count(self) -> int:
        """Rows held, whether shown or not."""
        return self._model.total

    @property
    def marked(self) -> frozenset[str]:
        """Keys of the marked rows (marks on rows hidden by a filter are kept)."""
        return frozenset(self._marked)

    @property
    def sort_column(self) -> str | None:
        """The column rows are sorted by, or ``None`` for arrival order."""
        return self._model.sort_column

    @property
    def sort_reverse(self) -> bool:
        """Whether the sort is descending."""
        return self._model.reverse

    @property
    def filter_text(self) -> str:
        """The filter as applied (trimmed and case-folded)."""
        return self._model.needle

    def row(self, key: str) -> Row | None:
        """The row held under ``key``, shown or not."""
        return self._model.rows.get(key)

    def visible_keys(self) -> list[str]:
        """Shown keys, top to bottom."""
        return self._model.keys()

    def screen_keys(self) -> list[str]:
        """Keys of the rows on screen now, top to bottom (no list of every row)."""
        model, top = self._model, self.scroll_offset.y
        return [model.key_at(i) for i in range(top, min(top + self._body_height(), len(model)))]

    @property
    def cursor_key(self) -> str | None:
        """Key of the row under the cursor; it follows that row through sorts and polls.

        Setting it to a key that is hidden or unknown leaves the cursor where it is.
        """
        return self._cursor

    @cursor_key.setter
    def cursor_key(self, key: str | None) -> None:
        index = None if key is None else self._model.index_of(key)
        if index is not None:
            self._move_cursor(index)

    @property
    def empty_message(self) -> str:
        """What the body says when no row is shown; the owner words it."""
        return self._empty_message

    @empty_message.setter
    def empty_message(self, message: str) -> None:
        changed, self._empty_message = message != self._empty_message, message
        if changed and not self.visible_count:
            self.refresh()

    @property
    def stale(self) -> bool:
        """Whether every row is drawn as out of date (the data source is unreachable)."""
        return self._stale

    @stale.setter
    def stale(self, stale: bool) -> None:
        if stale != self._stale:
            self._stale = stale
            self.refresh()

    @property
    def hidden_columns(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Labels of columns not drawn at this width: (scrolled away left, off to the right)."""
        if not self.is_mounted or self.size.width == 0:
            return ((), ())
        plan = self._painter.plan(self._line_width())
        return (plan.hidden_left, plan.hidden_right)

    @property
    def column_widths(self) -> dict[str, int]:
        """Each column's drawn width at this size and sideways scroll (0: not drawn); empty
        before the first layout. Cells drawn to a width (bars) read theirs here."""
        if not self.is_mounted or self.size.width == 0:
            return {}
        plan = self._painter.plan(self._line_width())
        return dict(zip((c.key for c in self.columns), plan.widths, strict=True))

    def replace_column(self, column: Column) -> None:
        """Swap the column with ``column.key`` for ``column`` (to show or hide it: width 0
        hides); its cells, sort and filter stay as they are."""
        columns = tuple(column if c.key == column.key else c for c in self.columns)
        self._model.columns = columns
        offset = self._painter_.offset if self._painter_ is not None else 0
        self._painter_ = None  # widths and cached lines depend on the columns
        if self.is_mounted:
            self._painter.offset = offset
            self.refresh()

    def scroll_columns(self, delta: int) -> bool:
        """Scroll hidden columns into view (``delta`` > 0 brings in those on the right);
        returns whether anything moved."""
        painter = self._painter
        before = painter.plan(self._line_width())
        painter.offset = max(before.offset + delta, 0)
        after = painter.plan(self._line_width())
        painter.offset = after.offset  # clamped: a wider terminal later starts from here
        if after.widths == before.widths:
            return False
        self.refresh()
        return True

    # -- changing the rows ---------------------------------------------------------------

    def set_rows(self, rows: Mapping[str, Row]) -> None:
        """Show a full snapshot: rows not in it go, the cursor keeps its key if it can."""
        self._change(lambda: self._model.replace(rows))

    def apply_diff(self, changed: Mapping[str, Row], removed: Iterable[str] = ()) -> None:
        """Apply one poll: new or changed rows by key, and keys that went away."""
        self._change(lambda: self._model.apply(changed, removed))

    def set_filter(self, text: str) -> None:
        """Show rows whose searchable columns contain ``text``, ignoring case."""
        self._change(lambda: self._model.set_needle(text))

    def set_predicate(self, predicate: Predicate | None) -> None:
        """Show only rows for which ``predicate(key, row)`` is true; ``None`` shows all."""
        self._change(lambda: self._model.set_predicate(predicate))

    def sort_by(self, column_key: str | None, reverse: bool = False) -> None:
        """Sort by a column (``None``: arrival order), descending if ``reverse``."""
        self._change(lambda: self._model.sort_by(column_key, reverse))

    def toggle_mark(self, key: str | None = None) -> None:
        """Mark or unmark ``key`` (default: the cursor row)."""
        key = self._cursor if key is None else key
        if key is None or key not in self._model.rows:
            return
        self._change(lambda: self._marked.symmetric_difference_update((key,)))

    def mark_keys(self, keys: Iterable[str]) -> None:
        """Mark every row in ``keys`` that is held (others are ignored)."""
        self._change(lambda: self._marked.update(k for k in keys if k in self._model.rows))

    def clear_marks(self) -> None:
        """Unmark every row."""
        if self._marked:
            self._change(self._marked.clear)

    # -- the one path every change takes -------------------------------------------------

    def _change(self, mutate: Callable[[], object]) -> None:
        model = self._model
        before = self._screen_state()
        cursor_before = self._cursor
        cursor_entry = model.entry(cursor_before) if cursor_before is not None else None
        cursor_shown = self._cursor_on_screen()
        marks_before = len(self._marked)
        sort_before = (model.sort_column, model.reverse)
        mutate()
        # Marks follow rows: a row that left takes its mark with it.
        if self._marked:
            self._marked.intersection_update(model.rows)
        if self._cursor is None or not model.is_visible(self._cursor):
            index = model.nearest_index(cursor_entry) if cursor_entry is not None else None
            if index is None and len(model):
                index = 0
            self._cursor = None if index is None else model.key_at(index)
        if self._hover is not None and not model.is_visible(self._hover):
            self._hover = None
        self._resize_virtual()
        if cursor_shown or cursor_before is None:
            # Keep the cursor in view only if the user was looking at it: a poll must not
            # drag someone who scrolled away back to the cursor.
            self._scroll_to_cursor()
        self._refresh_changed(before)
        if (model.sort_column, model.reverse) != sort_before and self.is_mounted:
            self.refresh(Region(0, 0, self.size.width, 1))  # the header's ▲/▼
        if self._cursor != cursor_before:
            self._cursor_changed(self._cursor)
        if len(self._marked) != marks_before:
            self._marks_changed(len(self._marked))

    def _screen_state(self) -> list[_LineState]:
        model, versions = self._model, self._model.versions
        top, count = self.scroll_offset.y, len(self._model)
        state: list[_LineState] = []
        for index in range(top, top + self._body_height()):
            if index >= count:
                state.append(None)
                continue
            key = model.key_at(index)
            state.append(
                (key, versions[key], key == self._cursor, key in self._marked, key == self._hover)
            )
        return state

    def _refresh_changed(self, before: list[_LineState]) -> None:
        if not self.is_mounted:
            return
        after = self._screen_state()
        if len(before) != len(after) or not any(after) or not any(before):
            self.refresh()  # resized, or the empty-state message came or went
            return
        # One region per run of changed lines: a reordering poll changes most of the screen.
        width, start = self.size.width, -1
        for line, (old, new) in enumerate([*zip(before, after, strict=True), (None, None)]):
            if old != new and start < 0:
                start = line
            elif old == new and start >= 0:
                self.refresh(Region(0, start + 1, width, line - start))
                start = -1

    def _resize_virtual(self) -> None:
        # One line of virtual height per row plus the header; ScrollView scrolls by it.
        size = Size(self.size.width, len(self._model) + 1)
        if self.virtual_size != size:
            self.virtual_size = size

    def _body_height(self) -> int:
        return max(self.size.height - 1, 0)

    def _cursor_on_screen(self) -> bool:
        index = None if self._cursor is None else self._model.index_of(self._cursor)
        top = self.scroll_offset.y
        return index is not None and top <= index < top + self._body_height()

    def _scroll_to_cursor(self) -> None:
        index = None if self._cursor is None else self._model.index_of(self._cursor)
        if index is None or not self.is_mounted:
            return
        top, body = self.scroll_offset.y, self._body_height()
        if index < top:
            self.scroll_to(y=index, animate=False)
        elif index >= top + body:
            self.scroll_to(y=index - body + 1, animate=False)

    def _move_cursor(self, index: int) -> None:
        count = len(self._model)
        if not count:
            return
        key = self._model.key_at(min(max(index, 0), count - 1))
        if key == self._cursor:
            return
        self._change(lambda: setattr(self, "_cursor", key))

    # -- drawing -------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        """Forget drawn lines: the theme or a pseudo-class changed their styles."""
        super().notify_style_update()
        if self._painter_ is not None:
            self._painter_.clear()

    def on_resize(self, event: events.Resize) -> None:
        self._resize_virtual()
        self._scroll_to_cursor()

    def _line_width(self) -> int:
        # The vertical scrollbar takes cells from the content: lay out in what is left.
        return self.scrollable_content_region.width

    @property
    def _painter(self) -> LinePainter:
        # Made on first paint: it needs the app's console, which __init__ cannot reach.
        if self._painter_ is None:
            self._painter_ = LinePainter(self.columns, self.app.console)
        return self._painter_

    def _frame_styles(self) -> _Frame:
        get = self.get_component_rich_style
        base = self.rich_style
        body = base + get("source-table--stale") if self._stale else base
        hover = get("source-table--hover")
        marked = body + get("source-table--marked")
        return _Frame(
            width=self._line_width(),
            base=base,
            header=get("source-table--header"),
            empty=get("source-table--empty"),
            cursor=get("source-table--cursor"),
            rows=(body, marked, body + hover, marked + hover),
        )

    def render_lines(self, crop: Region) -> list[Strip]:
        """Draw the lines in ``crop``, resolving the styles once for all of them."""
        # Resolving a widget's style walks its ancestors: once per paint, not once per line.
        self._frame = self._frame_styles()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        """Draw screen line ``y``: the header on line 0, rows below it from the scroll offset."""
        frame, model = self._frame or self._frame_styles(), self._model
        width = frame.width
        if y == 0:
            return self._painter.header(width, model.sort_column, model.reverse, frame.header)
        count = len(model)
        if not count:
            if y - 1 == self._body_height() // 2:
                return message_strip(self._empty_message, width, frame.empty, self.app.console)
            return Strip.blank(width, frame.base)
        index = self.scroll_offset.y + y - 1
        if index >= count:
            return Strip.blank(width, frame.base)
        key = model.key_at(index)
        marked = key in self._marked
        style = frame.rows[marked + 2 * (key == self._hover)]
        cursor = style + frame.cursor if key == self._cursor else None
        return self._painter.row(
            key,
            model.versions[key],
            model.rows[key],
            width,
            marked=marked,
            style=style,
            cursor_style=cursor,
        )

    # -- hooks and helpers for the widget on top ----------------------------------------

    def _cursor_changed(self, key: str | None) -> None:
        """Called after the cursor moved to another row."""

    def _marks_changed(self, count: int) -> None:
        """Called after the number of marked rows changed."""

    def _cursor_index(self) -> int:
        index = None if self._cursor is None else self._model.index_of(self._cursor)
        return -1 if index is None else index

    def _key_at_line(self, y: int) -> str | None:
        index = self.scroll_offset.y + y - 1
        return self._model.key_at(index) if y >= 1 and index < len(self._model) else None
