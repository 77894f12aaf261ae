"""Big tables over several event-loop turns end exactly as in one go: SourceTable.load_rows
(order, cursor, marks; polls landing meanwhile keep arrival order and use the newest data)
and SourceTable.sort_soon (order, cursor, rows that changed meanwhile, keys pressed again)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.pilot import Pilot

from tests.widgets.test_source_table import COLUMNS, make_row, make_rows
from widgets.source_table import Row, SourceTable
from widgets.table.model import RowModel


class SmallBatches(SourceTable):
    """Five rows at once, then seven a turn: a 40-row load takes six turns; sorts of more
    than ten rows take a turn per seven rows."""

    FIRST_ROWS: ClassVar[int] = 5
    ROWS_PER_TURN: ClassVar[int] = 7
    SORT_AT_ONCE: ClassVar[int] = 10
    SORT_PER_TURN: ClassVar[int] = 7
    sort_in_turns = True


class Host(App[None]):
    """The table under test beside a reference table that takes rows in one go."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[int] = []
        self.sorted = 0

    def compose(self) -> ComposeResult:
        yield SmallBatches(COLUMNS, id="fed")
        yield SourceTable(COLUMNS, id="reference")

    def on_source_table_rows_loaded(self, message: SourceTable.RowsLoaded) -> None:
        if message.table.id == "fed":
            self.loaded.append(message.waiting)

    def on_source_table_sorted(self, message: SourceTable.Sorted) -> None:
        if message.table.id == "fed":
            self.sorted += 1


def tables(pilot: Pilot[None]) -> tuple[SourceTable, SourceTable]:
    return (pilot.app.query_one("#fed", SourceTable),
            pilot.app.query_one("#reference", SourceTable))


@asynccontextmanager
async def hosted() -> AsyncIterator[tuple[Pilot[None], SourceTable, SourceTable, dict[str, Row]]]:
    """The Host app running at 120x20: (pilot, the table under test, the reference table,
    40 rows for them)."""
    app = Host()
    async with app.run_test(size=(120, 20)) as pilot:
        fed, reference = tables(pilot)
        yield pilot, fed, reference, make_rows(40)


async def until(pilot: Pilot[None], done: Any, what: str) -> None:
    """Let the app take turns until ``done()`` holds (fails after 100 turns)."""
    for _ in range(100):
        if done():
            await pilot.pause()
            return
        await pilot.pause()
    raise AssertionError(f"{what} did not finish")


async def until_loaded(pilot: Pilot[None], table: SourceTable, keys: list[str]) -> None:
    await until(pilot, lambda: not any(table.waiting(k) for k in keys), "the load")


async def test_rows_arrive_over_turns_and_end_in_set_rows_order() -> None:
    async with hosted() as (pilot, fed, reference, rows):
        for table in (fed, reference):
            table.sort_by("progress", reverse=True)
        built: list[str] = []

        def build(key: str) -> Row:
            built.append(key)
            return rows[key]

        fed.load_rows(rows, build)
        # The first batch is there at once; the rest waits for later turns.
        assert fed.total_count == 5
        assert built == list(rows)[:5]
        assert fed.waiting("src-0039") and not fed.waiting("src-0000")
        fed.cursor_key = "src-0003"
        await until_loaded(pilot, fed, list(rows))
        reference.set_rows(rows)
        assert built == list(rows)  # each row made once, in the snapshot's order
        assert fed.visible_keys() == reference.visible_keys()
        assert fed.cursor_key == "src-0003"
        loaded: Any = pilot.app.loaded  # type: ignore[attr-defined]
        assert loaded[0] == 35 and loaded[-1] == 0 and len(loaded) == 6


async def test_a_poll_during_the_load_keeps_arrival_order_and_newest_data() -> None:
    async with hosted() as (pilot, fed, reference, rows):
        data = dict(rows)  # what the owner knows now: build reads it when a batch comes
        fed.load_rows(list(rows), lambda key: data.get(key))
        # A poll lands before most rows are made: a waiting row changed, one went, one came.
        newer = make_row(30, fraction=0.5)
        data["src-0030"] = newer
        del data["src-0031"]
        data["src-new"] = make_row(99)
        stale = make_row(30, fraction=0.9)  # a poll's row for a waiting key is not used
        fed.apply_diff({"src-0030": stale, "src-new": data["src-new"],
                        "src-0002": make_row(2, fraction=0.25)}, ["src-0031"])
        data["src-0002"] = fed.row("src-0002")  # held rows take the poll's change now
        assert fed.row("src-0002") is not None and fed.row("src-0002")["fraction"] == 0.25
        assert fed.waiting("src-new") and not fed.waiting("src-0031")
        await until_loaded(pilot, fed, [*rows, "src-new"])
        assert fed.row("src-0030") is newer
        assert fed.row("src-0031") is None
        # Arrival order: the snapshot's keys, then the key that came with the poll.
        assert fed.visible_keys() == [k for k in rows if k != "src-0031"] + ["src-new"]
        reference.set_rows(data)
        for table in (fed, reference):
            table.sort_by("progress")
        assert fed.visible_keys() == reference.visible_keys()


async def test_a_load_over_held_rows_drops_the_gone_at_once_and_keeps_marks() -> None:
    async with hosted() as (pilot, fed, _, rows):
        fed.set_rows(rows)
        fed.mark_keys(["src-0001", "src-0030", "src-0035"])
        fed.cursor_key = "src-0030"
        kept = {k: v for k, v in rows.items() if k != "src-0035"}
        fed.load_rows(kept, kept.get)
        # Gone at once; the held rows still waiting stay, with their marks and the cursor.
        assert fed.row("src-0035") is None
        assert fed.total_count == 39
        assert fed.marked == {"src-0001", "src-0030"}
        assert fed.cursor_key == "src-0030"
        await until_loaded(pilot, fed, list(kept))
        assert fed.visible_keys() == list(kept)
        assert fed.marked == {"src-0001", "src-0030"}
        assert fed.cursor_key == "src-0030"


async def test_set_rows_stops_a_load() -> None:
    async with hosted() as (pilot, fed, _, rows):
        fed.load_rows(rows, rows.get)
        few = {k: rows[k] for k in list(rows)[:3]}
        fed.set_rows(few)
        assert not fed.waiting("src-0039")
        for _ in range(10):
            await pilot.pause()
        assert fed.visible_keys() == list(few)


def test_unmounted_table_loads_everything_at_once() -> None:
    table: Any = SmallBatches(COLUMNS)
    rows = make_rows(40)
    table.load_rows(rows, rows.get)
    assert table.visible_keys() == list(rows)


async def until_sorted(pilot: Pilot[None], count: int = 1) -> None:
    app: Any = pilot.app
    await until(pilot, lambda: app.sorted >= count, "the sort")


async def test_a_sort_over_turns_ends_like_a_sort_at_once() -> None:
    async with hosted() as (pilot, fed, reference, rows):
        fed.set_rows(rows)
        reference.set_rows(rows)
        fed.cursor_key = "src-0007"
        fed.sort_soon("progress")
        # Asked for, not yet on the table: the order and the header still say arrival order.
        assert fed.sort_column is None and fed.sort_target == ("progress", False)
        assert fed.visible_keys() == list(rows)
        await until_sorted(pilot)
        reference.sort_by("progress")
        assert fed.sort_column == "progress"
        assert fed.visible_keys() == reference.visible_keys()
        assert fed.cursor_key == "src-0007"


async def test_keys_pressed_during_a_sort_go_on_from_the_sort_asked_for() -> None:
    async with hosted() as (pilot, fed, reference, rows):
        fed.set_rows(rows)
        reference.set_rows(rows)
        fed.action_cycle_sort()  # name
        fed.action_cycle_sort()  # then ip, not name again
        fed.action_reverse_sort()  # ip, descending
        assert fed.sort_target == ("ip", True)
        await until_sorted(pilot)
        reference.sort_by("ip", reverse=True)
        assert (fed.sort_column, fed.sort_reverse) == ("ip", True)
        assert fed.visible_keys() == reference.visible_keys()


async def test_a_small_table_sorts_at_once() -> None:
    app = Host()
    async with app.run_test(size=(120, 20)) as pilot:
        fed, _ = tables(pilot)
        fed.set_rows(make_rows(10))
        fed.sort_soon("name", reverse=True)
        assert (fed.sort_column, fed.sort_reverse) == ("name", True)


def test_entries_made_before_a_change_are_made_again() -> None:
    rows = make_rows(40)
    model = RowModel(COLUMNS)
    model.replace(rows)
    keys = list(rows)
    model.track_changes()
    made = [model.sort_entries("progress", keys[:20]), model.sort_entries("progress", keys[20:])]
    # Between the batches and the install: a row moved, one left, one left and came back
    # (with a new arrival number), a new one came.
    model.apply({"src-0003": make_row(3, fraction=0.99), "src-new": make_row(41)},
                ["src-0010", "src-0011"])
    model.apply({"src-0011": make_row(11, fraction=0.999)}, [])
    model.sort_by("progress", made=made)
    fresh = RowModel(COLUMNS)
    fresh.replace(model.rows)
    fresh.sort_by("progress")
    assert model.keys() == fresh.keys()
    assert "src-0010" not in model.keys()
    assert model.keys()[-3:] == ["src-0003", "src-0011", "src-0030"]  # 0.99, 0.999, 1.0


async def test_update_rows_remakes_held_rows_over_turns_from_the_newest_data() -> None:
    async with hosted() as (pilot, fed, reference, rows):
        for table in (fed, reference):
            table.set_rows(rows)
            table.sort_by("progress")
        fed.cursor_key = "src-0004"
        data = dict(rows)
        later = [f"src-{i:04d}" for i in range(10, 40)]
        for i in range(10, 40):
            data[f"src-{i:04d}"] = make_row(i, fraction=(i * 7 % 40) / 40)
        fed.update_rows(later, data.get)
        # Their old rows stay, in their old places, until their batch comes.
        assert fed.row("src-0039") is rows["src-0039"] and fed.waiting("src-0039")
        # A poll meanwhile: a waiting row's change comes with its batch (newest data).
        data["src-0039"] = make_row(39, fraction=0.0)
        fed.apply_diff({"src-0039": make_row(39, fraction=0.75)})
        await until_loaded(pilot, fed, later)
        assert fed.row("src-0039") is data["src-0039"]
        reference.set_rows(data)
        assert fed.visible_keys() == reference.visible_keys()
        assert fed.cursor_key == "src-0004"


class Counting(dict[str, Row]):
    """The owner's data, counting which rows the table asked to be made."""

    def __init__(self, rows: dict[str, Row]) -> None:
        super().__init__(rows)
        self.made: list[str] = []

    def build(self, key: str) -> Row | None:
        self.made.append(key)
        return self.get(key)


def changed_data(rows: dict[str, Row]) -> Counting:
    """Every row's progress moved, as at a poll of a busy fleet."""
    return Counting({key: make_row(i, fraction=(i * 7 % 40) / 40)
                     for i, key in enumerate(rows)})


@asynccontextmanager
async def outdated_table() -> AsyncIterator[
        tuple[Pilot[None], SourceTable, SourceTable, dict[str, Row], Counting]]:
    """A 40-row table in arrival order after a poll that changed every row (update_rows):
    (pilot, the table, a reference table, the old rows, the owner's new data)."""
    async with hosted() as (pilot, fed, reference, rows):
        fed.set_rows(rows)
        data = changed_data(rows)
        fed.update_rows(list(rows), data.build)
        yield pilot, fed, reference, rows, data


async def test_in_arrival_order_a_row_off_screen_is_remade_only_when_scrolled_into_view(
) -> None:
    async with outdated_table() as (pilot, fed, _, rows, data):
        await pilot.pause()
        on_screen = fed.screen_keys()
        assert on_screen and data.made == on_screen  # the screen at once, nothing else
        assert [fed.row(k) for k in on_screen] == [data[k] for k in on_screen]
        assert fed.waiting("src-0039") and fed.row("src-0039") is rows["src-0039"]
        for _ in range(5):
            await pilot.pause()
        assert data.made == on_screen  # still not made: nobody looks at it
        data["src-0039"] = make_row(39, fraction=0.5)  # the owner's newest, meanwhile
        fed.action_last()
        await pilot.pause()
        assert "src-0039" in fed.screen_keys()
        assert fed.row("src-0039") is data["src-0039"] and not fed.waiting("src-0039")
        assert all(fed.row(k) is data[k] for k in fed.screen_keys())
        assert len(data.made) == len(set(data.made))  # each made once


async def test_a_sort_or_a_filter_remakes_every_row_out_of_date_first() -> None:
    async with outdated_table() as (pilot, fed, reference, rows, data):
        fed.sort_soon("progress")
        await until(pilot, lambda: fed.sort_column == "progress"
                    and not any(fed.waiting(k) for k in rows), "the sort")
        reference.set_rows(dict(data))
        reference.sort_by("progress")
        assert fed.visible_keys() == reference.visible_keys()  # sorted by the new values
        fed.sort_soon(None)
        await until(pilot, lambda: fed.sort_column is None, "arrival order")
        data = changed_data(rows)
        fed.update_rows(list(rows), data.build)
        fed.set_predicate(lambda key, row: row["fraction"] >= 0.5)
        await until(pilot, lambda: not any(fed.waiting(k) for k in rows), "the filter")
        assert fed.visible_keys() == [k for k in rows if data[k]["fraction"] >= 0.5]


async def test_a_row_moved_into_view_by_a_removal_is_remade() -> None:
    async with outdated_table() as (pilot, fed, _, rows, data):
        await pilot.pause()
        on_screen = fed.screen_keys()
        below = fed.visible_keys()[len(on_screen)]
        assert fed.waiting(below)
        fed.apply_diff({}, on_screen[:3])  # three rows on screen go: the next move up
        await pilot.pause()
        assert below in fed.screen_keys()
        assert fed.row(below) is data[below] and not fed.waiting(below)
