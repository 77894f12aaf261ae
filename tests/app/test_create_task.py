"""Create a migration task (C in the list and the detail): per-field validation, one POST,
the new task after refresh, a source with a task gets a reason, read-only sends nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Input, Select

from tests.app.conftest import loaded, wait_for
from tests.app.test_templates import Recorder, fill
from tui.app import MigdashApp
from tui.screens.detail import SourceDetailScreen
from tui.screens.sources import SourceListScreen
from tui.sim.views import init_target_server
from widgets.form import FormScreen
from widgets.source_table import SourceTable

SIZE = (160, 48)


def engine(app: Any) -> Any:
    return app.client.simulator.engine


def free_source(app: Any) -> Any:
    """A source that can get a task (none yet, not unavailable)."""
    return next(s for s in engine(app).sources.values()
                if not s.task_id and s.state != "unavailable")


async def press_C_on(pilot: Any, source_id: str) -> None:
    app: Any = pilot.app
    await loaded(pilot)
    table = app.screen.query_one(SourceTable)
    table.cursor_key = source_id
    await pilot.press("C")


def expected_disks(src: Any) -> list[dict[str, Any]]:
    out = []
    for d in init_target_server(src)["disks"]:
        disk = {k: d[k] for k in ("name", "size", "used_size") if d.get(k) is not None}
        if d.get("device_use"):
            disk["device_use"] = d["device_use"]
        disk["physical_volumes"] = [
            {k: v for k, v in pv.items() if v is not None and k != "inode_size"}
            for pv in d["physical_volumes"]]
        out.append(disk)
    return out


async def test_invalid_fields_send_nothing_and_say_why_next_to_them(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        src = free_source(app)
        await press_C_on(pilot, src.id)
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), "the task form")
        rec = Recorder(app)
        form = app.screen
        assert form.query_one("#field-os_type", Select).value == src.os_type
        fill(app, name="", speed_limit="20000")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.errors == {"name": "required", "speed_limit": "must be 0–10000"}
        assert "✖ must be 0–10000" in str(form.query_one("#msg-speed_limit").render())
        assert "-invalid" in form.query_one("#row-speed_limit").classes
        fill(app, name="task-x", speed_limit="100")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.errors == {"template": "choose a template (vm_template_id) or an existing "
                                           "target server"}
        fill(app, exist_server=True)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.errors == {"vm_id": "required when using an existing server"}
        assert app.focused is form.query_one("#field-vm_id", Input)
        assert rec.requests == []
        await pilot.press("escape")
        assert isinstance(app.screen, SourceListScreen)
        assert rec.requests == [] and not engine(app).sources[src.id].task_id


async def test_valid_form_posts_once_and_the_task_shows_after_refresh(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        src = free_source(app)
        tpl = next(iter(engine(app).templates.values()))
        await press_C_on(pilot, src.id)
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), "the task form")
        rec = Recorder(app)
        fill(app, name="move-it", template=tpl.id, syncing=True, speed_limit="300",
             priority=2, target_name="move-it-target")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceListScreen), "the list")
        assert rec.requests == [("POST", "/v3/tasks", {
            "name": "move-it", "type": "MIGRATE_BLOCK", "os_type": src.os_type,
            "source_server": {"id": src.id},
            "target_server": {"vm_id": "", "name": "move-it-target",
                              "disks": expected_disks(src)},
            "region_name": "sim-region-1", "region_id": "sim-region-1",
            "project_name": "sim-region-1", "project_id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
            "start_target_server": True, "auto_start": False, "priority": 2,
            "vm_template_id": tpl.id, "use_public_ip": True, "syncing": True,
            "exist_server": False, "speed_limit": 300})]
        task_id = engine(app).sources[src.id].task_id
        assert task_id and engine(app).tasks[task_id].name == "move-it"
        await wait_for(pilot, lambda: app.fleet.snapshot.sources[src.id].current_task
                       is not None, "the new task in the next poll")
        table = app.screen.query_one(SourceTable)
        await wait_for(pilot, lambda: table.row(src.id)["task"] not in ("", "—", None),
                       "the task in the row")
        audit = list(app.commands.audit.read())
        assert [(r["operation"], r["targets"], r["outcome"]) for r in audit] == [
            ("task.create", [src.id], "ok")]


async def test_source_with_a_task_says_why_and_opens_nothing(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        busy = next(s for s in engine(app).sources.values() if s.task_id)
        rec = Recorder(app)
        await press_C_on(pilot, busy.id)
        await pilot.pause(0.2)
        assert isinstance(app.screen, SourceListScreen)
        assert any("already has a migration task" in n.message for n in app._notifications)
        assert rec.requests == []


async def test_C_in_the_detail_uses_its_recommended_disks(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        src = free_source(app)
        await loaded(pilot)
        app.open_source(src.id)
        await wait_for(pilot, lambda: isinstance(app.screen, SourceDetailScreen)
                       and app.screen.detail is not None, "the detail")
        rec = Recorder(app)
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), "the task form")
        intro = str(app.screen.query_one("#form-intro").render())
        first = init_target_server(src)["disks"][0]["name"]
        assert intro.startswith("Target disks (recommended by SMS):") and first in intro
        await pilot.press("escape")
        assert isinstance(app.screen, SourceDetailScreen)
        assert rec.requests == []


async def test_read_only_has_no_C(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        src = free_source(app)
        rec = Recorder(app)
        await press_C_on(pilot, src.id)
        await pilot.pause(0.2)
        assert isinstance(app.screen, SourceListScreen)
        assert rec.requests == [] and not app.commands.audit.path.exists()
