"""The task screen's keys: each confirmed action sends exactly one correct request; a cancelled
one, or one the task's state does not allow, sends none (recorded at the simulator)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from tests.app.conftest import SimRecorder, loaded, record, wait_for
from tui.app import MigdashApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.pickers import TemplatePickerScreen
from tui.screens.task import TaskScreen

SIZE = (160, 48)


async def open_task(pilot: Pilot[Any], state: str) -> tuple[Any, SimRecorder]:
    """The task screen of the first simulated task in ``state`` whose agent is connected."""
    await loaded(pilot)
    app: Any = pilot.app
    engine = app.client.simulator.engine
    task = next(t for t in engine.tasks.values()
                if t.state == state and engine.sources[t.source_id].connected)
    app.push_screen(TaskScreen(task.id, task.source_id))
    await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None, "the task")
    return task, record(app)


async def sent(pilot: Pilot[Any], rec: SimRecorder, count: int = 1) -> None:
    await wait_for(pilot, lambda: len(rec.writes) >= count, f"{count} request(s)")
    await pilot.pause(0.2)  # a second, duplicate request would have arrived by now


async def test_s_asks_naming_the_server_then_y_starts_exactly_once(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        task, rec = await open_task(pilot, "READY")
        await pilot.press("s")
        assert isinstance(app.screen, ConfirmScreen)
        name = app.client.simulator.engine.sources[task.source_id].name
        assert name in app.screen.title_text and "Start" in app.screen.title_text
        assert "Replication starts" in app.screen.body_text
        await pilot.pause(0.2)
        assert rec.writes == []  # nothing before the answer
        await pilot.press("y")
        await sent(pilot, rec)
        assert rec.writes == [("POST", f"/v3/tasks/{task.id}/action", {"operation": "start"})]


async def test_n_then_n_sends_no_network_check(make_app: Callable[..., MigdashApp]) -> None:
    """``n`` means "no" in every confirmation: a reflexive ``n`` after ``n`` sends nothing."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        _, rec = await open_task(pilot, "MIGRATE_FAIL")
        await pilot.press("n")
        assert isinstance(app.screen, ConfirmScreen)
        assert "network" in app.screen.title_text.lower()
        assert "latency" in app.screen.body_text
        await pilot.press("n")
        await pilot.pause(0.3)
        assert isinstance(app.screen, TaskScreen)
        assert rec.writes == []


async def test_x_asks_then_stops_once_and_cancel_sends_nothing(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        task, rec = await open_task(pilot, "RUNNING")
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen)
        body = str(app.screen.query_one("#body").render())
        assert "start resumes it later" in body
        await pilot.press("n")
        await pilot.pause(0.2)
        assert isinstance(app.screen, TaskScreen) and rec.writes == []
        await pilot.press("x", "y")
        await sent(pilot, rec)
        # A second stop while the first is pending is not sent again.
        await pilot.press("x")
        await pilot.pause(0.2)
        assert rec.writes == [("POST", f"/v3/tasks/{task.id}/action", {"operation": "stop"})]


async def test_ctrl_r_restarts_a_failed_task_after_confirmation(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        task, rec = await open_task(pilot, "MIGRATE_FAIL")
        await pilot.press("ctrl+r")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await sent(pilot, rec)
        assert rec.writes == [("POST", f"/v3/tasks/{task.id}/action", {"operation": "restart"})]


async def test_launch_and_clone_test_after_replication(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        task, rec = await open_task(pilot, "MIGRATE_SUCCESS")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, TemplatePickerScreen), "templates")
        template = app.screen.templates[0]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await sent(pilot, rec)
        assert rec.writes == [("POST", f"/v3/tasks/{task.id}/action",
                               {"operation": "clone_test", "template_id": template.id})]


async def test_T_launches_the_target_once(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        task, rec = await open_task(pilot, "MIGRATE_SUCCESS")
        await pilot.press("T")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await sent(pilot, rec)
        assert rec.writes == [("POST", f"/v3/tasks/{task.id}/action", {"operation": "test"})]


async def test_n_checks_the_network_and_ctrl_d_deletes(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        task, rec = await open_task(pilot, "MIGRATE_FAIL")
        await pilot.press("n", "y")
        await sent(pilot, rec)
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await sent(pilot, rec, 2)
        assert rec.writes == [
            ("POST", f"/v3/tasks/{task.id}/action", {"operation": "network_check"}),
            ("DELETE", f"/v3/tasks/{task.id}", None),
        ]


async def test_actions_the_state_does_not_allow_send_nothing_and_say_why(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        _, rec = await open_task(pilot, "READY")
        for key in ("x", "ctrl+r", "T", "c"):
            await pilot.press(key)
            await pilot.pause(0.1)
            assert isinstance(app.screen, TaskScreen), key
        await pilot.pause(0.2)
        assert rec.writes == []
        said = [n.message for n in app._notifications]
        assert any("only a RUNNING or SYNCING task can be stopped" in m for m in said), said
        assert any("after replication has finished" in m for m in said), said
