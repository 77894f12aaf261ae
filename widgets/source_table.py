"""The fleet table: thousands of sources, drawn a line at a time, updated by key.

Rows are plain mappings of cells keyed by a stable string (the source id); the owner sends a
full snapshot with :meth:`~widgets.table.view.TableView.set_rows` and each poll's changes with
:meth:`~widgets.table.view.TableView.apply_diff`. The data, cursor, marks and drawing live in
:class:`~widgets.table.view.TableView`; this module adds the look (component classes), the
keys, the mouse and the messages, and the work a 10,000-row table spreads over several
event-loop turns so that keys and redraws never wait long: a snapshot loaded
(:meth:`SourceTable.load_rows`), thousands of rows remade after a poll
(:meth:`SourceTable.update_rows`) and a sort (:meth:`SourceTable.sort_soon`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable, Mapping
from functools import partial
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.worker import Worker

from widgets.table.cells import Column, Row, progress_bar
from widgets.table.feed import Build, RowFeed
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

    class RowsLoaded(_TableMessage):
        """A batch of :meth:`SourceTable.load_rows` or :meth:`SourceTable.update_rows` is on
        the table; ``waiting`` keys still wait for theirs (0: done)."""

        def __init__(self, table: SourceTable, waiting: int) -> None:
            super().__init__(table)
            self.waiting = waiting

    FIRST_ROWS: ClassVar[int] = 300
    """Rows :meth:`load_rows` shows at once: more than any screen has lines."""
    ROWS_PER_TURN: ClassVar[int] = 500
    """Rows it adds per event-loop turn after those (~6-10 ms of work for source rows)."""

    _feed_: RowFeed | None = None
    _outdated: RowFeed | None = None
    """Held rows known to be out of date, remade only when needed (see :meth:`update_rows`)."""

    @property
    def _feed(self) -> RowFeed:
        if self._feed_ is None:
            self._feed_ = RowFeed()
        return self._feed_

    # -- rows over several turns -----------------------------------------------------------

    def load_rows(self, keys: Iterable[str], build: Build) -> None:
        """Like :meth:`set_rows` with the rows of ``keys`` in this order, made by
        ``build(key)`` (``None``: gone) a batch per event-loop turn: a big snapshot does not
        hold the loop. Held rows not in ``keys`` go now; the others stay until their batch.
        :class:`RowsLoaded` follows each batch."""
        keys = list(keys)
        wanted = set(keys)
        gone = [key for key in self._model.rows if key not in wanted]
        self._outdated = None
        feed = self._feed
        feed.start(keys, build)
        TableView.apply_diff(self, feed.take(self.FIRST_ROWS), gone)
        self.post_message(self.RowsLoaded(self, len(feed)))
        self._feed_rest("Adding rows to the table")

    def update_rows(self, keys: Iterable[str], build: Build) -> None:
        """Remake the rows of ``keys`` with ``build(key)`` (``None``: skip): a poll that
        changed thousands of rows the screen does not show (their old rows stay meanwhile).

        Sorted or filtered, every row's values count (order, what is shown), so they are
        remade a batch per event-loop turn, after any keys already waiting. In arrival order
        with no filter, a row off screen changes nothing visible: a held row is only marked
        out of date and remade when it is needed, from the owner's data of that moment --
        scrolled or moved into view, or all of them once a sort or filter starts. At 10k
        sources a poll changes ~1,300 rows, ~40 of them on screen (~16 us a row otherwise)."""
        if not self._lazy():
            self._feed.extend(keys, build)
            self._feed_rest("Updating table rows")
            return
        held, feed = self._model.rows, self._feed_
        if self._outdated is None:
            self._outdated = RowFeed()
        now = [key for key in keys if key not in held or (feed is not None and key in feed)]
        self._outdated.extend((key for key in keys if key in held
                               and (feed is None or key not in feed)), build)
        if now:
            self._feed.extend(now, build)
            self._feed_rest("Updating table rows")
        self._make_screen_rows()

    def _lazy(self) -> bool:
        """Whether an off-screen row can stay out of date: arrival order, nothing filtered,
        no sort under way."""
        model = self._model
        return (model.sort_column is None and model.predicate is None and not model.needle
                and self._sort_target is None and self.is_mounted)

    def _make_screen_rows(self) -> None:
        """Remake the out-of-date rows on screen now (after a scroll, a resize, a removal)."""
        if self._outdated:
            rows = self._outdated.take_keys(self.screen_keys())
            if rows:
                TableView.apply_diff(self, rows)

    def _make_outdated_rows(self) -> None:
        """Every out-of-date row to be remade, a batch per turn (a sort or filter starts)."""
        outdated, self._outdated = self._outdated, None
        if outdated and outdated.build is not None:
            self._feed.extend(list(outdated), outdated.build)
            self._feed_rest("Updating table rows")

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._make_screen_rows()

    def _feed_rest(self, description: str) -> None:
        """The waiting rows a batch per turn (all at once on a table not mounted yet)."""
        feed = self._feed
        if not feed:
            return
        if not self.is_mounted:
            TableView.apply_diff(self, feed.take(len(feed)))
            return
        self._start(self._load_rest, group="table-rows", description=description)

    def _start(self, work: Callable[[], Coroutine[None, None, None]], *, group: str,
               description: str) -> Worker[None]:
        # A callable, not a coroutine: work replaced before it began leaves nothing unawaited.
        # A failure is the app's to show (its worker-state handler), not a reason to exit.
        return self.run_worker(work, group=group, exclusive=True, exit_on_error=False,
                               description=description)

    async def _load_rest(self) -> None:
        feed = self._feed
        while feed:
            await asyncio.sleep(0)  # one event-loop turn: keys, timers and redraws go first
            TableView.apply_diff(self, feed.take(self.ROWS_PER_TURN))
            self.post_message(self.RowsLoaded(self, len(feed)))

    def waiting(self, key: str) -> bool:
        """Whether ``key`` waits for its batch of :meth:`load_rows` or :meth:`update_rows`, or
        is out of date until needed (its row is made then, from the owner's data of that
        moment: no need to make it now)."""
        return ((self._feed_ is not None and key in self._feed_)
                or (self._outdated is not None and key in self._outdated))

    def set_rows(self, rows: Mapping[str, Row]) -> None:
        """Show a full snapshot (a :meth:`load_rows` under way stops)."""
        if self._feed_ is not None:
            self._feed_.clear()
        self._outdated = None
        super().set_rows(rows)

    def apply_diff(self, changed: Mapping[str, Row], removed: Iterable[str] = ()) -> None:
        """Apply one poll; while keys wait for their batch (:meth:`load_rows`,
        :meth:`update_rows`) a waiting key gets its row with its batch, and a new key waits
        behind them (arrival order)."""
        feed, outdated = self._feed_, self._outdated
        if feed or outdated:
            removed = list(removed)
        if feed:
            feed.discard(removed)
            held = self._model.rows
            feed.add(key for key in changed if key not in held)
            changed = {key: row for key, row in changed.items() if key not in feed}
        if outdated:
            outdated.discard((*removed, *changed))  # gone, or given its row now
        super().apply_diff(changed, removed)
        if outdated:
            self._make_screen_rows()  # rows that moved up into view

    def sort_by(self, column_key: str | None, reverse: bool = False) -> None:
        self._make_outdated_rows()  # the sort reads every row
        super().sort_by(column_key, reverse)

    def set_filter(self, text: str) -> None:
        self._make_outdated_rows()  # the filter reads every row
        super().set_filter(text)

    def set_predicate(self, predicate: Predicate | None) -> None:
        self._make_outdated_rows()
        super().set_predicate(predicate)

    # -- sorting over several turns -------------------------------------------------------

    class Sorted(_TableMessage):
        """A sort asked for with :meth:`sort_soon` is on the table."""

    sort_in_turns = False
    """Whether :meth:`sort_soon` (the sort keys and header clicks) spreads a big table's sort
    over several event-loop turns; an owner that shows the sort elsewhere listens for
    :class:`Sorted`."""
    SORT_AT_ONCE: ClassVar[int] = 2000
    """Tables up to this many rows sort in one go (a few milliseconds)."""
    SORT_PER_TURN: ClassVar[int] = 1500
    """Sort values made per turn (~5 ms for source rows)."""

    _sort_target: tuple[str | None, bool] | None = None

    @property
    def sort_target(self) -> tuple[str | None, bool]:
        """The sort asked for last, (column, reverse): the one on the table unless a sort
        over several turns is still under way."""
        return self._sort_target or (self.sort_column, self.sort_reverse)

    def sort_soon(self, column_key: str | None, reverse: bool = False) -> None:
        """:meth:`sort_by`, over several turns when :attr:`sort_in_turns` and the table is big:
        at 10,000 rows the sort values alone held the event loop 30–130 ms per sort.
        :class:`Sorted` follows once the new order is on the table."""
        self._make_outdated_rows()  # the sort reads every row
        target = self._sort_target
        if target is not None and target[0] == column_key:
            self._sort_target = (column_key, reverse)  # the sort under way takes it
            return
        if (not self.sort_in_turns or not self.is_mounted or column_key == self.sort_column
                or len(self._model.rows) <= self.SORT_AT_ONCE):
            self._sort_target = None
            self.workers.cancel_group(self, "table-sort")
            self.sort_by(column_key, reverse)
            self.post_message(self.Sorted(self))
            return
        self._sort_target = (column_key, reverse)
        self._start(partial(self._sort_over_turns, column_key), group="table-sort",
                    description="Sorting the table")

    async def _sort_over_turns(self, column_key: str | None) -> None:
        model = self._model
        model.track_changes()
        keys = list(model.rows)
        merged: list[tuple[object, int, str]] = []
        for start in range(0, len(keys), self.SORT_PER_TURN):
            batch = model.sort_entries(column_key, keys[start:start + self.SORT_PER_TURN])
            # Two sorted runs: Timsort merges them in one linear pass, so the turn that puts
            # the order on the table has one run to check, not a merge of every batch.
            merged = sorted(merged + batch) if merged else batch
            await asyncio.sleep(0)  # one event-loop turn: keys, timers and redraws go first
        _, reverse = self.sort_target
        self._sort_target = None
        self._change(lambda: model.sort_by(column_key, reverse, [merged]))
        self.post_message(self.Sorted(self))

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
        self._make_screen_rows()  # taller: more rows on screen

    def action_cycle_sort(self) -> None:
        """Sort by the next column, ascending (after the last: arrival order)."""
        # Hidden (width 0) columns exist for the filter only; sorting by them would surprise.
        keys = [c.key for c in self.columns if c.width != 0]
        current, _ = self.sort_target
        position = keys.index(current) + 1 if current in keys else 0
        self.sort_soon(keys[position] if position < len(keys) else None)

    def action_reverse_sort(self) -> None:
        """Flip the sort direction."""
        column, reverse = self.sort_target
        self.sort_soon(column, not reverse)

    # -- mouse ---------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._painter.column_at(offset.x, self._line_width())
            if column is not None:
                # Clicking the sorted column flips it; another column sorts ascending.
                current, reverse = self.sort_target
                self.sort_soon(column, not reverse if column == current else False)
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
