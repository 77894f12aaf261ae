"""The source list at a size where rows load and sorts run over several event-loop turns
(batches made small here): the end state is the one a load or sort in one go gave."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.app.conftest import loaded, wait_for
from tui.app import MigdashApp
from widgets.source_table import SourceTable
from widgets.table.model import RowModel

SIZE = (160, 48)


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """120 sources load 30 at once, then 25 a turn; sorts of more than 40 rows take turns."""
    monkeypatch.setattr(SourceTable, "FIRST_ROWS", 30)
    monkeypatch.setattr(SourceTable, "ROWS_PER_TURN", 25)
    monkeypatch.setattr(SourceTable, "SORT_AT_ONCE", 40)
    monkeypatch.setattr(SourceTable, "SORT_PER_TURN", 35)


def table(app: Any) -> SourceTable:
    return app.screen.query_one(SourceTable)


@asynccontextmanager
async def fleet_of_120(make_app: Callable[..., MigdashApp]) -> AsyncIterator[
        tuple[MigdashApp, Pilot[None], SourceTable]]:
    """The app on a fleet of 120 sources, every row on the table: (app, pilot, the table)."""
    app = make_app(sources=120)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        t = table(app)
        await wait_for(pilot, lambda: t.total_count == 120, "every row")
        yield app, pilot, t


def info(app: Any) -> str:
    return str(app.screen.query_one("#info", Static).render())


def sorted_reference(app: Any, column: str, reverse: bool = False) -> list[str]:
    """The order a sort in one go gives the table's rows, arriving in the server's order."""
    t = table(app)
    model = RowModel(t.columns)
    model.replace({k: row for k in app.fleet.snapshot.sources if (row := t.row(k)) is not None})
    model.sort_by(column, reverse)
    return model.keys()


async def test_the_fleet_arrives_over_turns_in_server_order(
        make_app: Callable[..., MigdashApp]) -> None:
    async with fleet_of_120(make_app) as (app, pilot, t):
        await pilot.pause()
        assert t.visible_keys() == list(app.fleet.snapshot.sources)  # type: ignore[attr-defined]
        assert t.cursor_key == next(iter(app.fleet.snapshot.sources))  # type: ignore[attr-defined]
        assert info(app).startswith("120 of 120 sources")


async def test_o_sorts_over_turns_and_the_info_line_follows(
        make_app: Callable[..., MigdashApp]) -> None:
    async with fleet_of_120(make_app) as (app, pilot, t):
        await pilot.press("down", "down", "down")
        cursor = t.cursor_key
        await pilot.press("o", "o")  # state, then name (the second press goes on from state)
        await wait_for(pilot, lambda: t.sort_column == "name", "the name sort")
        await pilot.pause()
        assert t.visible_keys() == sorted_reference(app, "name")
        assert t.cursor_key == cursor
        assert "sorted by name ↑" in info(app)
        await pilot.press("O")
        assert t.visible_keys() == sorted_reference(app, "name", reverse=True)
        assert "sorted by name ↓" in info(app)


async def test_a_poll_that_changes_many_rows_ends_with_every_row_current(
        make_app: Callable[..., MigdashApp]) -> None:
    from tui.screens.sources import make_row

    async with fleet_of_120(make_app) as (app, pilot, t):
        await pilot.press("o", "o", "o", "o", "o", "o")  # sorted by progress
        await wait_for(pilot, lambda: t.sort_column == "progress", "the progress sort")
        app.service.intervals.fleet = 3600.0  # only the poll the test asks for
        app.client.simulator.clock.advance(600)  # type: ignore[attr-defined]
        version = app.fleet.snapshot.version  # type: ignore[attr-defined]
        app.service.refresh_now()  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: app.fleet.snapshot.version > version,  # type: ignore[attr-defined]
                       "a fleet poll")
        polled: Any = app.fleet  # type: ignore[attr-defined]
        assert len(polled.diff.changed) > SourceTable.FIRST_ROWS  # this poll goes over turns
        await wait_for(pilot, lambda: not any(t.waiting(k) for k in polled.snapshot.sources),
                       "the rows off screen")
        await pilot.pause()
        now = app.wall_clock()  # type: ignore[attr-defined]
        for key, source in polled.snapshot.sources.items():
            row = t.row(key)
            assert row is not None
            fresh = make_row(source, now)
            assert (row["_progress"], row["_state_raw"], row["_task"]) == (
                fresh["_progress"], fresh["_state_raw"], fresh["_task"])
        assert t.visible_keys() == sorted_reference(app, "progress")
