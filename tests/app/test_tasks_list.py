"""The task list (``k``): every task from ``/v3/tasks``, a state filter, ``enter`` to the task."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.app.conftest import loaded, tick_and_apply, wait_for
from tui.app import MigdashApp
from tui.screens.pickers import StateFilterScreen
from tui.screens.sources import SourceListScreen
from tui.screens.task import TaskScreen
from tui.screens.tasks import TaskListScreen
from widgets.source_table import SourceTable

SIZE = (160, 48)


def sim(app: Any) -> Any:
    return app.client.simulator


def count_task_lists(app: Any) -> list[int]:
    """Count the ``GET /v3/tasks`` the simulator serves (each calls ``filter_tasks``)."""
    engine = sim(app).engine
    calls: list[int] = []
    original = engine.filter_tasks

    def counted(filters: Any) -> Any:
        calls.append(1)
        return original(filters)

    engine.filter_tasks = counted
    return calls


async def open_tasks(pilot: Any) -> TaskListScreen:
    app: Any = pilot.app
    await pilot.press("k")
    assert isinstance(app.screen, TaskListScreen)
    await wait_for(pilot, lambda: app.screen.table.total_count > 0, "the task list")
    return app.screen


async def test_k_lists_every_task_with_the_list_columns(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = await open_tasks(pilot)
        engine = sim(app).engine
        table = screen.table
        assert set(table.visible_keys()) == set(engine.tasks)
        assert [c.key for c in table.columns] == [c.key for c in
                                                  app.screen_stack[1].table.columns]
        task = next(t for t in engine.tasks.values() if t.state == "RUNNING")
        src = engine.sources[task.source_id]
        row = table.row(task.id)
        assert row["name"] == src.name and row["ip"] == src.ip
        assert row["task"].plain == "▶ RUNNING" or "stalled" in row["task"].plain
        assert row["_state_raw"] == src.state
        assert f"{len(engine.tasks)} of {len(engine.tasks)} tasks" in str(
            screen.query_one("#tasks-info").render())


async def test_f_filters_by_task_state(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = await open_tasks(pilot)
        await pilot.press("f")
        assert isinstance(app.screen, StateFilterScreen)
        await tick_and_apply(pilot, ("MIGRATE_FAIL", "READY"))
        await wait_for(pilot, lambda: app.screen is screen, "the task list")
        engine = sim(app).engine
        expected = {t.id for t in engine.tasks.values() if t.state in ("MIGRATE_FAIL", "READY")}
        assert expected and set(screen.table.visible_keys()) == expected
        assert "states: MIGRATE_FAIL, READY" in str(screen.query_one("#tasks-info").render())
        await pilot.press("f", "a")
        assert screen.table.visible_count == len(engine.tasks)


async def test_enter_opens_the_task_and_escape_comes_back(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = await open_tasks(pilot)
        key = screen.table.cursor_key
        await pilot.press("enter")
        assert isinstance(app.screen, TaskScreen) and app.screen.task_id == key
        await wait_for(pilot, lambda: app.screen.detail is not None, "the task detail")
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("escape")
        assert isinstance(app.screen, SourceListScreen)


async def test_tasks_are_polled_only_while_the_list_is_shown(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        calls = count_task_lists(app)
        app.service.refresh_now()
        await pilot.pause(0.2)
        assert calls == [], "no task list is fetched while nobody looks at it"
        screen = await open_tasks(pilot)
        assert calls
        engine = sim(app).engine
        before = len(calls)
        app.service.refresh_now()
        await wait_for(pilot, lambda: len(calls) > before, "another task poll")
        assert screen.table.total_count == len(engine.tasks)
        await pilot.press("escape")
        await pilot.pause(0.1)
        after = len(calls)
        app.service.refresh_now()
        await pilot.pause(0.3)
        assert len(calls) == after


async def test_a_failed_task_poll_is_shown_and_the_last_list_kept(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app(faults="latency=0ms")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = await open_tasks(pilot)
        total = screen.table.total_count
        sim(app).faults.set("500=1@GET /v3/tasks")
        app.service.refresh_now()
        error = screen.query_one("#tasks-error")
        await wait_for(pilot, lambda: "Could not load the tasks" in str(error.render()),
                       "the failure")
        assert "last good list" in str(error.render())
        assert screen.table.total_count == total


async def test_the_palette_opens_the_task_list(make_app: Callable[..., MigdashApp]) -> None:
    from tui.screens.palette import MigdashCommands

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        provider = MigdashCommands(app.screen)
        hits = [h async for h in provider.search("task list")]
        next(h for h in hits if "Open task list" in str(h.text)).command()
        await pilot.pause()
        assert isinstance(app.screen, TaskListScreen)
        assert app.screen.query_one(SourceTable).has_focus
