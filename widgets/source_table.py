"""The fleet table: thousands of sources, drawn a line at a time, updated by key.

Rows are plain mappings of cells keyed by a stable string (the source id); the owner sends a
full snapshot with :meth:`~widgets.table.view.TableView.set_rows` and each poll's changes with
:meth:`~widgets.table.view.TableView.apply_diff`. The data, cursor, marks and drawing live in
:class:`~widgets.table.view.TableView`; this module adds the look (component classes), the
keys, the mouse and the messages.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message

from widgets.table.cells import Column, Row, progress_bar
from widgets.table.model import Predicate
from widgets.table.view import TableView

__all__ = ["Column", "Predicate", "Row", "SourceTable", "progress_bar"]


class _TableMessage(Message):
    """Base of the table's messages: carries the table so ``@on(..., "#id")`` can match."""

    def __init__(self, table: SourceTable) -> None:
        super().__init__()
        self.table = table

    @property
    def control(self) -> SourceTable:
        """The table that sent it."""
        return self.table


class SourceTable(TableView, can_focus=True):
    """A keyed, sortable, filterable table with a fixed header, a row cursor and marks."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "source-table--header",
        "source-table--cursor",
        "source-table--hover",
        "source-table--marked",
        "source-table--stale",
        "source-table--empty",
    }

    DEFAULT_CSS = """
    SourceTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        & > .source-table--header { background: $panel; color: $foreground; text-style: bold; }
        & > .source-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .source-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .source-table--hover { background: $block-hover-background; }
        & > .source-table--marked { background: $accent 20%; color: $text-accent; }
        & > .source-table--stale { color: $text-muted; text-style: italic; }
        & > .source-table--empty { color: $text-muted; text-style: italic; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "activate", "Open"),
        Binding("space", "toggle_mark", "Mark"),
        Binding("ctrl+a", "mark_all", "Mark all shown", show=False),
        Binding("U", "clear_marks", "Unmark all", show=False),
        Binding("left", "columns_left", "Columns ◂", show=False),
        Binding("right", "columns_right", "Columns ▸", show=False),
    ]

    class CursorMoved(_TableMessage):
        """The cursor moved to another row (``key`` is ``None`` when no row is shown)."""

        def __init__(self, table: SourceTable, key: str | None) -> None:
            super().__init__(table)
            self.key = key

    class RowActivated(_TableMessage):
        """A row was opened with enter or a click on the cursor row."""

        def __init__(self, table: SourceTable, key: str) -> None:
            super().__init__(table)
            self.key = key

    class MarksChanged(_TableMessage):
        """The set of marked rows changed; ``count`` rows are marked now."""

        def __init__(self, table: SourceTable, count: int) -> None:
            super().__init__(table)
            self.count = count

    class ColumnsChanged(_TableMessage):
        """Which columns are hidden changed (scrolled sideways or resized)."""

    def _cursor_changed(self, key: str | None) -> None:
        self.post_message(self.CursorMoved(self, key))

    def _marks_changed(self, count: int) -> None:
        self.post_message(self.MarksChanged(self, count))

    # -- keys ----------------------------------------------------------------------------

    def action_cursor_up(self) -> None:
        """Move the cursor one row up."""
        self._move_cursor(self._cursor_index() - 1)

    def action_cursor_down(self) -> None:
        """Move the cursor one row down."""
        self._move_cursor(self._cursor_index() + 1)

    def action_page_up(self) -> None:
        """Move the cursor one screen up."""
        self._move_cursor(self._cursor_index() - max(self._body_height() - 1, 1))

    def action_page_down(self) -> None:
        """Move the cursor one screen down."""
        self._move_cursor(self._cursor_index() + max(self._body_height() - 1, 1))

    def action_first(self) -> None:
        """Move the cursor to the top row."""
        self._move_cursor(0)

    def action_last(self) -> None:
        """Move the cursor to the bottom row."""
        self._move_cursor(len(self._model) - 1)

    def action_activate(self) -> None:
        """Open the cursor row."""
        if self._cursor is not None:
            self.post_message(self.RowActivated(self, self._cursor))

    marking = True
    """Whether marks mean anything here; when not, the mark keys are not offered (footer,
    help, palette) and do nothing (a list with no bulk action, or read-only)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle_mark", "mark_all", "clear_marks") and not self.marking:
            return False
        return True

    def action_toggle_mark(self) -> None:
        """Mark or unmark the cursor row, then move down (space, space, space marks a run)."""
        self.toggle_mark()
        self.action_cursor_down()

    def action_mark_all(self) -> None:
        """Mark every row the filter shows."""
        self.mark_keys(self.visible_keys())

    def action_clear_marks(self) -> None:
        """Unmark every row."""
        self.clear_marks()

    def action_columns_left(self) -> None:
        """Bring back the columns scrolled away to the left."""
        if self.scroll_columns(-1):
            self.post_message(self.ColumnsChanged(self))

    def action_columns_right(self) -> None:
        """Bring hidden columns on the right into view (the least important go first)."""
        if self.scroll_columns(1):
            self.post_message(self.ColumnsChanged(self))

    def on_resize(self, event: events.Resize) -> None:
        # TableView's own on_resize runs too (Textual calls each class's handler).
        self.post_message(self.ColumnsChanged(self))

    def action_cycle_sort(self) -> None:
        """Sort by the next column, ascending (after the last: arrival order)."""
        # Hidden (width 0) columns exist for the filter only; sorting by them would surprise.
        keys = [c.key for c in self.columns if c.width != 0]
        current = self.sort_column
        position = keys.index(current) + 1 if current in keys else 0
        self.sort_by(keys[position] if position < len(keys) else None)

    def action_reverse_sort(self) -> None:
        """Flip the sort direction."""
        self.sort_by(self.sort_column, not self.sort_reverse)

    # -- mouse ---------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._painter.column_at(offset.x, self._line_width())
            if column is not None:
                # Clicking the sorted column flips it; another column sorts ascending.
                reverse = not self.sort_reverse if column == self.sort_column else False
                self.sort_by(column, reverse)
            return
        key = self._key_at_line(offset.y)
        if key is None:
            return
        if key == self._cursor:
            self.post_message(self.RowActivated(self, key))
        else:
            self.cursor_key = key

    def on_mouse_move(self, event: events.MouseMove) -> None:
        offset = event.get_content_offset(self)
        key = None if offset is None else self._key_at_line(offset.y)
        if key != self._hover:
            self._change(lambda: setattr(self, "_hover", key))

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._change(lambda: setattr(self, "_hover", None))
