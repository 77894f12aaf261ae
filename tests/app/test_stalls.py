"""Stalled migrations in the dashboard: the flag in the list and on the task screen, and one
toast and one bell per incident (pilot tests on the simulator)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from tests.app.conftest import loaded, wait_for
from tui.app import MigdashApp
from tui.screens.source_rows import is_problem
from tui.screens.task import TaskScreen
from widgets.source_table import SourceTable

SIZE = (160, 48)


def sim(app: Any) -> Any:
    return app.client.simulator


async def poll(pilot: Pilot[Any], advance_s: float = 60) -> None:
    """Let simulated time pass, then wait for one more fleet poll to reach the app."""
    app: Any = pilot.app
    app.service.intervals.fleet = 3600.0  # only the polls the test asks for
    sim(app).clock.advance(advance_s)
    version = app.fleet.snapshot.version
    app.service.refresh_now()
    await wait_for(pilot, lambda: app.fleet.snapshot.version > version, "a fleet poll")
    await pilot.pause()


def pick_copying(app: Any) -> Any:
    """A connected source whose task is copying data, with plenty left to copy."""
    engine = sim(app).engine
    listed = app.fleet.snapshot.sources
    return next(s for s in engine.sources.values()
                if s.connected and s.state == "replicate" and s.task_id
                and engine.tasks[s.task_id].state == "RUNNING"
                and engine.tasks[s.task_id].replicated < 0.5 * engine.tasks[s.task_id].totalsize
                and not is_problem(listed[s.id]))


def stall_toasts(app: Any, name: str) -> int:
    return sum(1 for n in app._notifications if n.title == "Migration stalled" and name in n.message)


async def test_three_flat_polls_flag_the_row_and_alert_once_per_incident(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = pick_copying(app)
        table = app.screen.query_one(SourceTable)
        # The network goes quiet while the agent stays connected: no bytes move.
        src.bandwidth_mbit = 0.0  # the first poll (loaded) is the baseline
        for n in (1, 2):
            await poll(pilot)
            assert src.id not in app.fleet.stalls.stalled, f"flagged after {n} flat polls"
            assert not bells
        await poll(pilot)
        assert src.id in app.fleet.stalls.stalled
        assert table.row(src.id)["task"].plain == "⚠ RUNNING stalled"
        stalled = app.fleet.stalls.stalled
        assert {k for k, v in stalled.items() if v.reason == "flat"} == {src.id}, \
            "the other running tasks moved"
        assert f"⚠ {len(stalled)} stalled" in str(app.screen.query_one("#info").render())
        assert len(bells) == 1 and stall_toasts(app, src.name) == 1
        for _ in range(2):  # the same incident: no more alerts
            await poll(pilot)
        assert len(bells) == 1 and stall_toasts(app, src.name) == 1
        # Data flows again: the incident is over and the flag goes.
        src.bandwidth_mbit = 500.0
        await poll(pilot)
        assert src.id not in app.fleet.stalls.stalled
        assert table.row(src.id)["task"].plain == "▶ RUNNING"
        # A new stall later is a new incident.
        src.bandwidth_mbit = 0.0
        for _ in range(2):
            await poll(pilot)
        assert src.id not in app.fleet.stalls.stalled
        await poll(pilot)
        assert src.id in app.fleet.stalls.stalled
        assert len(bells) == 2 and stall_toasts(app, src.name) == 2


async def test_a_disconnected_agent_is_flagged_at_once_on_list_task_screen_and_problems(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = pick_copying(app)
        src.connected = False
        await poll(pilot, 0)
        stall = app.fleet.stalls.stalled[src.id]
        assert stall.reason == "agent"
        assert len(bells) == 1 and stall_toasts(app, src.name) == 1
        table = app.screen.query_one(SourceTable)
        await pilot.press("p")
        assert src.id in table.visible_keys(), "a stalled row counts as a problem"
        await pilot.press("p")
        app.push_screen(TaskScreen(src.task_id, src.id))
        await pilot.pause()
        line = app.screen.query_one("#stall")
        assert line.display and "agent disconnected" in str(line.render())
        await pilot.press("escape")
        src.connected = True
        await poll(pilot, 0)
        assert src.id not in app.fleet.stalls.stalled
        assert len(bells) == 1


async def test_stalls_already_there_when_the_dashboard_opens_are_flagged_not_rung(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        engine = sim(app).engine
        away = {s.id for s in engine.sources.values() if not s.connected and s.task_id
                and engine.tasks[s.task_id].state in ("RUNNING", "SYNCING")}
        assert away, "seed 0 has a running task whose agent is away"
        assert set(app.fleet.stalls.stalled) == away
        table = app.screen.query_one(SourceTable)
        for sid in away:
            assert "stalled" in table.row(sid)["task"].plain
        assert not bells and not any(n.title == "Migration stalled" for n in app._notifications)
