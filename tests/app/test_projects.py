"""Migration projects screen: default marked, switch filters the list, create/modify/delete,
set default, read-only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.app.conftest import loaded, wait_for
from tests.app.test_templates import Recorder, fill
from tui.app import MigdashApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.projects import ProjectsScreen
from tui.screens.sources import SourceListScreen
from widgets.form import FormScreen
from widgets.source_table import SourceTable

SIZE = (160, 48)


def engine(app: Any) -> Any:
    return app.client.simulator.engine


async def open_projects(pilot: Any) -> ProjectsScreen:
    app: Any = pilot.app
    await loaded(pilot)
    await pilot.press("P")
    await wait_for(pilot, lambda: isinstance(app.screen, ProjectsScreen) and app.screen.loaded,
                   "the projects")
    await pilot.pause()
    return app.screen  # type: ignore[no-any-return]


def project_named(app: Any, name: str) -> Any:
    return next((p for p in engine(app).projects.values() if p.body["name"] == name), None)


async def test_P_lists_projects_with_the_default_marked(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_projects(pilot)
        table = screen.query_one(SourceTable)
        assert set(table.visible_keys()) == set(engine(app).projects)
        default = next(p.id for p in engine(app).projects.values() if p.body["isdefault"])
        for key in table.visible_keys():
            row = table.row(key)
            assert row is not None
            assert (row["default"] == "★ default") == (key == default)
        await pilot.press("escape")
        assert isinstance(app.screen, SourceListScreen)


async def test_switching_project_filters_the_source_list(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_projects(pilot)
        wave = project_named(app, "wave-2-db")
        screen.table.cursor_key = wave.id
        await pilot.press("enter")
        assert isinstance(app.screen, SourceListScreen)
        members = {s.id for s in engine(app).sources.values() if s.migprojectid == wave.id}
        assert 0 < len(members) < 40
        table = app.screen.query_one(SourceTable)
        await wait_for(pilot, lambda: set(table.visible_keys()) == members, "only its sources")
        assert app.service.migproject == wave.id
        assert "project: wave-2-db" in str(app.screen.query_one("#info").render())
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, ProjectsScreen)
                       and app.screen.loaded, "the projects again")
        assert app.screen.table.row(wave.id)["active"] == "▶"
        await pilot.press("a")
        assert isinstance(app.screen, SourceListScreen)
        await wait_for(pilot, lambda: table.total_count == 40, "every source again")
        assert app.service.migproject is None


async def test_one_char_name_sends_nothing_and_names_the_field(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_projects(pilot)
        rec = Recorder(app)
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, FormScreen)
        fill(app, name="x")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert form.errors == {"name": "String should have at least 2 characters"}
        assert "✖ String should have at least 2 characters" in str(
            form.query_one("#msg-name").render())
        status = str(form.query_one("#form-status").render())
        assert status.startswith("Nothing was sent") and "Name" in status
        fill(app, name="wave-1-web")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert set(form.errors) == {"name"} and "already the name" in form.errors["name"]
        fill(app, name="x" * 20)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.errors == {"name": "String should have at most 19 characters"}
        assert rec.requests == []


async def test_create_sends_one_request_and_shows_after_refresh(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_projects(pilot)
        rec = Recorder(app)
        await pilot.press("n")
        fill(app, name="wave-3-apps", description="third wave", type="MIGRATE_FILE",
             syncing=True, speed_limit="500")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ProjectsScreen)
                       and any(p.name == "wave-3-apps" for p in screen.projects.values()),
                       "the new project in the list")
        assert rec.requests == [("POST", "/v3/migprojects", {
            "name": "wave-3-apps", "description": "third wave", "region": "sim-region-1",
            "type": "MIGRATE_FILE", "syncing": True, "use_public_ip": True,
            "exist_server": False, "start_target_server": True, "start_network_check": False,
            "speed_limit": 500, "isdefault": False})]
        assert project_named(app, "wave-3-apps") is not None


async def test_modify_sends_one_put(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_projects(pilot)
        rec = Recorder(app)
        wave = project_named(app, "wave-1-web")
        screen.table.cursor_key = wave.id
        await pilot.press("e")
        assert isinstance(app.screen, FormScreen)
        fill(app, speed_limit="800", description="web tier")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: wave.body["speed_limit"] == 800, "the modified project")
        assert rec.requests == [("PUT", f"/v3/migprojects/{wave.id}", {
            "name": "wave-1-web", "description": "web tier", "region": "sim-region-1",
            "type": "MIGRATE_BLOCK", "syncing": False, "use_public_ip": True,
            "exist_server": False, "start_target_server": True, "start_network_check": False,
            "speed_limit": 800, "enterprise_project": "default"})]
        await wait_for(pilot, lambda: screen.table.row(wave.id)["speed"] == "800 Mbit/s",
                       "the row updated")


async def test_set_default_asks_first_then_sends_once(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_projects(pilot)
        rec = Recorder(app)
        wave = project_named(app, "wave-2-db")
        screen.table.cursor_key = wave.id
        await pilot.press("d")  # asks first, naming the project; n sends nothing
        assert isinstance(app.screen, ConfirmScreen)
        assert "wave-2-db" in app.screen.title_text
        await pilot.press("n")
        await pilot.pause(0.2)
        assert app.screen is screen and rec.requests == []
        await pilot.press("d", "y")
        await wait_for(pilot, lambda: screen.table.row(wave.id)["default"] == "★ default",
                       "the new default marked")
        assert rec.requests == [("PUT", f"/v3/migprojects/{wave.id}/default", None)]
        assert [p.id for p in engine(app).projects.values() if p.body["isdefault"]] == [wave.id]
        assert sum(1 for k in screen.table.visible_keys()
                   if screen.table.row(k)["default"]) == 1


async def test_delete_after_confirmation_and_never_the_default(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    pid = engine(app).create_project({"name": "empty-wave", "region": "sim-region-1",
                                      "type": "MIGRATE_BLOCK", "syncing": False,
                                      "use_public_ip": True, "exist_server": False})
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_projects(pilot)
        rec = Recorder(app)
        default = next(p.id for p in engine(app).projects.values() if p.body["isdefault"])
        screen.table.cursor_key = default
        await pilot.press("ctrl+d")
        assert app.screen is screen
        screen.table.cursor_key = pid
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_for(pilot, lambda: pid not in screen.projects, "the list without it")
        assert rec.requests == [("DELETE", f"/v3/migprojects/{pid}", None)]


async def test_read_only_is_view_only(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_projects(pilot)
        rec = Recorder(app)
        screen.table.cursor_key = project_named(app, "wave-1-web").id
        for key in ("n", "e", "d", "ctrl+d"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen, key
        shot = app.export_screenshot()
        assert "Modify" not in shot and "Default" in shot  # the column stays, the key goes
        assert rec.requests == []
        assert not app.commands.audit.path.exists()
