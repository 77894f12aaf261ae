"""Templates screen: list, detail, create, modify, delete (single and batch), read-only."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from textual.widgets import Checkbox, Input, Select

from tests.app.conftest import loaded, wait_for
from tui.app import MigdashApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.sources import SourceListScreen
from tui.screens.templates import TemplatesScreen
from widgets.form import FormScreen
from widgets.source_table import SourceTable

SIZE = (160, 48)
SECRET = "S3cret-Pa55!"


class Recorder:
    """Every write request the client sent to the simulator (method, path, JSON body)."""

    def __init__(self, app: Any) -> None:
        self.requests: list[tuple[str, str, Any]] = []
        app.client._http.event_hooks["request"].append(self._hook)

    async def _hook(self, request: httpx.Request) -> None:
        if request.method != "GET":
            body = json.loads(request.content) if request.content else None
            self.requests.append((request.method, request.url.path, body))


def sim(app: Any) -> Any:
    return app.client.simulator


def type_into(app: Any, key: str, text: str) -> None:
    """Replace a form field's text (as if typed)."""
    box = app.screen.query_one(f"#field-{key}", Input)
    box.value = text


async def open_templates(pilot: Any) -> TemplatesScreen:
    app: Any = pilot.app
    await loaded(pilot)
    await pilot.press("V")
    await wait_for(pilot, lambda: isinstance(app.screen, TemplatesScreen)
                   and app.screen.loaded, "the templates")
    await pilot.pause()
    return app.screen  # type: ignore[no-any-return]


async def test_V_lists_every_template_with_detail(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_templates(pilot)
        engine = sim(app).engine
        table = screen.query_one(SourceTable)
        assert set(table.visible_keys()) == set(engine.templates)
        first = engine.templates[table.cursor_key]
        assert first.body["flavor"] in app.export_screenshot()
        # enter reads the template as stored now (someone changed it meanwhile).
        first.body["flavor"] = "x9.huge.4"
        assert "x9.huge.4" not in app.export_screenshot()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.templates[first.id].flavor == "x9.huge.4",
                       "the fresh read")
        await pilot.pause()
        assert table.row(first.id)["flavor"] == "x9.huge.4"
        assert app.export_screenshot().count("x9.huge.4") == 2  # the row and the detail
        await pilot.press("escape")
        assert isinstance(app.screen, SourceListScreen)


def fill(app: Any, **values: Any) -> None:
    """Set form fields as an operator would (text typed, choice picked, box ticked)."""
    for key, value in values.items():
        widget = app.screen.query_one(f"#field-{key}")
        if isinstance(widget, Input):
            widget.value = str(value)
        elif isinstance(widget, Select | Checkbox):
            widget.value = value


def audit_text(app: Any) -> str:
    path = app.commands.audit.path
    return path.read_text() if path.exists() else ""


async def test_create_sends_one_request_and_never_shows_or_logs_the_password(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_templates(pilot)
        rec = Recorder(app)
        await pilot.press("n")
        assert isinstance(app.screen, FormScreen)
        fill(app, name="tpl-new", availability_zone="sim-region-1b", volumetype="SSD",
             flavor="c7.large.2", vpc_id="vpc-1", vpc_name="vpc-new", vpc_cidr="10.0.0.0/16",
             nic_id="sub-1", nic_name="subnet-new", nic_cidr="10.0.1.0/24", sg_id="sg-1",
             sg_name="sg-new", eip_type="5_bgp", eip_bandwidth="300", eip_share="PER",
             disk_size="60", data_volume_type="SAS")
        await pilot.click("#field-target_password")
        await pilot.press(*SECRET)
        await pilot.pause()
        shown = app.export_screenshot()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, TemplatesScreen)
                       and "tpl-new" in {t.name for t in screen.templates.values()},
                       "the new template in the list")
        assert rec.requests == [("POST", "/v3/vm/templates", {"template": {
            "name": "tpl-new", "is_template": True, "region": "sim-region-1",
            "projectid": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
            "availability_zone": "sim-region-1b", "volumetype": "SSD", "flavor": "c7.large.2",
            "vpc": {"id": "vpc-1", "name": "vpc-new", "cidr": "10.0.0.0/16"},
            "nics": [{"id": "sub-1", "name": "subnet-new", "cidr": "10.0.1.0/24"}],
            "security_groups": [{"id": "sg-1", "name": "sg-new"}],
            "publicip": {"type": "5_bgp", "bandwidth_size": 300, "bandwidth_share_type": "PER"},
            "disk": [{"index": 0, "name": "system", "disktype": "SSD", "size": 60,
                      "device_use": "OS"}],
            "data_volume_type": "SAS", "target_password": SECRET}})]
        created = next(t for t in sim(app).engine.templates.values()
                       if t.body["name"] == "tpl-new")
        assert created.target_password == SECRET
        assert SECRET not in shown and SECRET not in app.export_screenshot()
        log = audit_text(app)
        assert '"template.create"' in log and SECRET not in log and "***" in log
        assert SECRET not in repr(rec.requests[0][2]["template"].keys())


async def test_invalid_form_names_the_field_and_sends_nothing(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_templates(pilot)
        rec = Recorder(app)
        await pilot.press("n")
        fill(app, name="tpl-bad", eip_type="5_bgp", eip_bandwidth="5000", vpc_id="vpc-1")
        await pilot.press("ctrl+s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        # Every wrong field at once: the range checked by the form, the rest by the body.
        assert form.errors == {"eip_bandwidth": "must be 1–2000", "vpc_name": "Field required"}
        fill(app, eip_bandwidth="100")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.errors == {"vpc_name": "Field required"}
        status = str(form.query_one("#form-status").render())
        assert status == "Nothing was sent. Fix: VPC name (Field required)"
        assert "✖ Field required" in str(form.query_one("#msg-vpc_name").render())
        assert rec.requests == []


async def test_modify_sends_one_put_and_keeps_the_password_unless_typed(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_templates(pilot)
        rec = Recorder(app)
        table = screen.query_one(SourceTable)
        tid = table.cursor_key
        tpl = sim(app).engine.templates[tid]
        tpl.target_password = "stored-secret"
        before = dict(tpl.body)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), "the modify form")
        assert app.screen.query_one("#field-flavor", Input).value == before["flavor"]
        assert app.screen.query_one("#field-target_password", Input).value == ""
        fill(app, flavor="m7.2xlarge.8", eip_bandwidth="250")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, TemplatesScreen)
                       and tpl.body["flavor"] == "m7.2xlarge.8", "the modified template")
        assert len(rec.requests) == 1
        method, path, body = rec.requests[0]
        assert (method, path) == ("PUT", f"/v3/vm/templates/{tid}")
        sent = body["template"]
        assert sent["flavor"] == "m7.2xlarge.8" and sent["name"] == before["name"]
        assert sent["publicip"] == {**before["publicip"], "bandwidth_size": 250}
        assert sent["vpc"] == before["vpc"] and sent["security_groups"] == before["security_groups"]
        assert "target_password" not in sent
        assert tpl.target_password == "stored-secret"
        assert "stored-secret" not in app.export_screenshot()


async def test_delete_one_after_confirmation(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_templates(pilot)
        rec = Recorder(app)
        engine = sim(app).engine
        tid = screen.table.visible_keys()[2]
        for task in engine.tasks.values():  # a template in use by a busy task cannot go
            task.template_id = None
        screen.table.cursor_key = tid
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert rec.requests == [] and tid in engine.templates
        await pilot.press("ctrl+d", "y")
        await wait_for(pilot, lambda: tid not in screen.templates, "the list without it")
        assert rec.requests == [("DELETE", f"/v3/vm/templates/{tid}", None)]
        assert tid not in engine.templates


async def test_batch_delete_marked_rows_in_one_request(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_templates(pilot)
        engine = sim(app).engine
        for task in engine.tasks.values():  # templates in use by busy tasks cannot go
            task.template_id = None
        rec = Recorder(app)
        keys = screen.table.visible_keys()
        screen.table.cursor_key = keys[1]
        await pilot.press("space", "space")  # space marks and moves down
        await pilot.pause()
        assert screen.table.marked == {keys[1], keys[2]}
        assert "2 marked" in str(screen.query_one("#info").render())
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_for(pilot, lambda: keys[1] not in screen.templates, "the list without them")
        assert rec.requests == [("POST", "/v3/vm/templates/delete", {"ids": keys[1:3]})]
        assert set(engine.templates) == {keys[0], *keys[3:]}
        assert not screen.table.marked


async def test_read_only_is_view_only(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_templates(pilot)
        rec = Recorder(app)
        for key in ("n", "e", "ctrl+d"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen, key
        assert rec.requests == []
        footer = app.export_screenshot()
        assert "Modify" not in footer and "Delete" not in footer
        assert not app.commands.audit.path.exists()


async def test_palette_opens_templates_and_projects(make_app: Callable[..., MigdashApp]) -> None:
    from tui.screens.projects import ProjectsScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        for words, screen_type in (("open templates", TemplatesScreen),
                                   ("open migration projects", ProjectsScreen)):
            await pilot.press("ctrl+p")
            await pilot.press(*words)
            await pilot.pause(0.5)
            await pilot.press("enter")
            await wait_for(pilot, lambda t=screen_type: isinstance(app.screen, t), words)
            await pilot.press("escape")
            assert isinstance(app.screen, SourceListScreen)
