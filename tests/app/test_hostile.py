"""Server text is data: every SMS screen driven over a hostile fleet (tests/app/hostile.py).

Each test asserts that the app does not crash, that the hostile strings are on screen
literally (controls shown as placeholders), and that nothing but SGR colour sequences would be
written to the terminal: no OSC (title, hyperlink), no screen clear, no BEL, no C1, no bidi
override. Toasts are checked as sent (markup off, cleaned) and as drawn.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.app.conftest import loaded, wait_for
from tests.app.hostile import (
    ERROR_MSG,
    HOSTILE,
    OSC8,
    check_screen,
    check_toasts,
    make_hostile,
)
from tui.app import MigdashApp
from tui.screens.bulk import BulkSummaryScreen, summary_lines
from tui.screens.confirm import ConfirmScreen
from tui.screens.detail import SourceDetailScreen
from tui.screens.task import TaskScreen
from tui.untrusted import clean
from widgets.form import FormScreen
from widgets.source_table import SourceTable

SIZE = (160, 48)


class FailingReads:
    """Answers GETs of the given paths with an SMS error whose message holds markup and an
    OSC 8 link (what a proxy or a buggy server may send); everything else passes through."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.paths: set[str] = set()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] in self.paths:
            body = json.dumps({"error_code": "SMS.X998",
                               "error_msg": f"{ERROR_MSG} {OSC8}"}).encode()
            await send({"type": "http.response.start", "status": 400,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.inner(scope, receive, send)


def failing_reads(app: Any) -> FailingReads:
    inner = app.client._http._transport._inner
    wrapper = FailingReads(inner.app)
    inner.app = wrapper
    return wrapper


async def start(pilot: Pilot[Any]) -> None:
    await loaded(pilot)
    await pilot.pause(0.1)


def hostile_app(make_app: Callable[..., MigdashApp]) -> tuple[MigdashApp, dict[str, Any]]:
    app = make_app()
    return app, make_hostile(app)


async def cursor_on(pilot: Pilot[Any], source_id: str) -> None:
    table = pilot.app.screen.query_one(SourceTable)
    table.set_filter(source_id)
    await pilot.pause()
    assert table.cursor_key == source_id


async def test_source_list_shows_names_literally(make_app: Callable[..., MigdashApp]) -> None:
    app, picks = hostile_app(make_app)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        # Cells are cut to their column: the start of each name is there, as characters.
        check_screen(app, *[clean(name)[:12] for name in HOSTILE])
        await cursor_on(pilot, picks["no_task"].id)
        await pilot.press("t")  # "… has no migration task yet." names the source
        await pilot.pause(0.2)
        said = check_toasts(app)
        assert any(clean(picks["no_task"].name) in m for m in said), said
        check_screen(app, picks["no_task"].name)


async def test_source_detail_and_disk_tree(make_app: Callable[..., MigdashApp]) -> None:
    app, picks = hostile_app(make_app)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        # Names, hostnames and OS versions of these three hold every hostile string but CJK.
        for src in (picks["sources"][i] for i in (0, 4, 7)):
            await cursor_on(pilot, src.id)
            await pilot.press("enter")
            await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None,
                           "the detail")
            await pilot.pause(0.1)
            disk = src.layout["disks"][0]["name"]
            check_screen(app, src.name, src.hostname, src.os_version, disk)
            await pilot.press("escape")
            await pilot.pause()


async def test_source_detail_error_line(make_app: Callable[..., MigdashApp]) -> None:
    app, picks = hostile_app(make_app)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        src = picks["sources"][0]
        failing_reads(app).paths.add(f"/v3/sources/{src.id}")
        app.push_screen(SourceDetailScreen(src.id))
        await pilot.pause()
        await wait_for(pilot, lambda: "Invalid path" in "".join(
            str(app.screen.query_one("#error").render())), "the error line")
        await pilot.pause(0.1)
        check_screen(app, ERROR_MSG, clean(OSC8))


async def test_task_screen_failure_confirmations_and_pickers(
        make_app: Callable[..., MigdashApp]) -> None:
    app, picks = hostile_app(make_app)
    task = picks["failed"]
    engine = app.client.simulator.engine
    src = engine.sources[task.source_id]
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await cursor_on(pilot, src.id)
        await pilot.press("t")
        await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None, "the task")
        await pilot.pause(0.1)
        failure = json.loads(task.error_json)
        shown = failure["error_msg"] if failure["error_code"] == "SMS.X999" else \
            failure["error_param"][0]
        text = check_screen(app, src.name, task.target_name)
        assert clean(shown) in text or clean(shown)[:20] in text, text
        # Every question names the server literally.
        for key in ("ctrl+r", "n", "ctrl+d"):
            await pilot.press(key)
            assert isinstance(app.screen, ConfirmScreen), key
            await pilot.pause(0.1)
            check_screen(app, src.name)
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("c")  # clone test: the template picker
        await pilot.pause(0.5)
        if not isinstance(app.screen, TaskScreen):
            names = [t.body["name"] for t in engine.templates.values()]
            check_screen(app, *names[:3])
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("l")
        await pilot.pause(0.3)
        check_screen(app, src.name)
        await pilot.press("escape")
        await pilot.pause(0.1)
        check_toasts(app)


async def test_task_screen_poll_error_with_brackets(make_app: Callable[..., MigdashApp]) -> None:
    """An SMS error_msg such as "Invalid path [/v3/tasks/abc]" crashed an open task screen."""
    app, picks = hostile_app(make_app)
    task = picks["running"]
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        app.push_screen(TaskScreen(task.id, task.source_id))
        await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None, "the task")
        failing_reads(app).paths.add(f"/v3/tasks/{task.id}")
        await wait_for(pilot, lambda: "Invalid path" in str(app.screen.query_one("#error")
                                                              .render()), "the error line")
        await pilot.pause(0.1)
        check_screen(app, ERROR_MSG, clean(OSC8))


async def test_failed_servers_task_list_templates_projects(
        make_app: Callable[..., MigdashApp]) -> None:
    app, picks = hostile_app(make_app)
    engine = app.client.simulator.engine
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("e")
        await pilot.pause(0.3)
        failed = [s.name for s in picks["sources"] if s.state == "error" and s.task_id
                  and engine.tasks[s.task_id].error_json]
        assert failed, "the seed has failed servers"
        check_screen(app, *[clean(n)[:10] for n in failed])
        await pilot.press("down")
        await pilot.pause(0.1)
        check_screen(app)
        await pilot.press("escape", "k")
        await wait_for(pilot, lambda: app.tasks is not None, "the task list")
        await pilot.pause(0.2)
        check_screen(app, *[clean(name)[:12] for name in HOSTILE[:4]])
        await pilot.press("escape", "V")
        await pilot.pause(0.5)
        templates = [t.body["name"] for t in engine.templates.values()]
        check_screen(app, *[clean(n)[:12] for n in templates])
        await pilot.press("e")  # modify: the form is prefilled with the server's values
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), "the form")
        await pilot.pause(0.2)
        check_screen(app)
        shown = app.screen.query_one("#field-name", Input).value
        assert shown in {clean(n) for n in templates}, shown
        await pilot.press("escape")
        await pilot.pause(0.1)
        await pilot.press("escape", "P")
        await pilot.pause(0.5)
        projects = [p.body["name"] for p in engine.projects.values()]
        check_screen(app, *[clean(n)[:12] for n in projects])
        await pilot.press("escape", "m")  # the project picker on the source list
        await pilot.pause(0.3)
        check_screen(app, *[clean(n)[:12] for n in projects])
        await pilot.press("escape")
        check_toasts(app)


async def test_create_task_form_and_help_and_palette(
        make_app: Callable[..., MigdashApp]) -> None:
    app, picks = hostile_app(make_app)
    src = picks["no_task"]
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await cursor_on(pilot, src.id)
        await pilot.press("C")
        await pilot.pause(0.5)
        check_screen(app, src.name)
        await pilot.press("escape")
        await pilot.pause(0.1)
        app.screen.query_one(SourceTable).set_filter("")
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        check_screen(app)
        await pilot.press("escape", "ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"bad")
        await pilot.pause(0.8)
        check_screen(app, "Go to bad-close[/]tag")
        await pilot.press("escape")
        check_toasts(app)


async def test_bulk_start_summary(make_app: Callable[..., MigdashApp]) -> None:
    app, picks = hostile_app(make_app)
    engine = app.client.simulator.engine
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        table = app.screen.query_one(SourceTable)
        first = picks["sources"][:len(HOSTILE)]
        ready = [s for s in picks["sources"][len(HOSTILE):] if s.task_id and
                 engine.tasks[s.task_id].state in ("READY", "ABORT")][:4]
        for s in first + ready:
            table.toggle_mark(s.id)
        ready[0].connected = False  # refused by SMS: a failure row with the decoded error
        await pilot.press("s")
        assert isinstance(app.screen, ConfirmScreen)
        check_screen(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkSummaryScreen), "the summary")
        await pilot.pause(0.1)
        check_screen(app)
        rows = "\n".join(line.plain for line in summary_lines(app.screen.summary, 120))
        for s in first + ready:
            assert clean(s.name)[:20] in rows, rows
        assert app.screen.summary.count("failed") == 1  # the disconnected one, decoded


async def test_stall_toast(make_app: Callable[..., MigdashApp]) -> None:
    from tests.app.test_stalls import pick_copying, poll

    app, picks = hostile_app(make_app)
    app.bell = lambda: None  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        src = pick_copying(app)
        src.name = "[link=file:///etc/passwd]stall[/link] \x1b]0;pwned\x07"
        src.bandwidth_mbit = 0.0
        for _ in range(4):
            await poll(pilot)
        said = check_toasts(app)
        assert any(clean(src.name) in m for m in said), said
        check_screen(app)


async def test_error_lines_of_the_task_list_and_the_speed_limits(
        make_app: Callable[..., MigdashApp]) -> None:
    """Error lines quote the server's message as characters (brackets, OSC 8 and all)."""
    app, picks = hostile_app(make_app)
    task = picks["running"]
    src = app.client.simulator.engine.sources[task.source_id]
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        failing = failing_reads(app)
        failing.paths |= {"/v3/tasks", f"/v3/tasks/{task.id}/speed-limit"}
        await pilot.press("k")
        await wait_for(pilot, lambda: "Invalid path" in str(
            app.screen.query_one("#tasks-error").render()), "the task list's error line")
        await pilot.pause(0.1)
        check_screen(app, ERROR_MSG, clean(OSC8))
        await pilot.press("escape")
        await pilot.pause()
        await cursor_on(pilot, src.id)
        await pilot.press("l")
        await wait_for(pilot, lambda: "Invalid path" in str(
            app.screen.query_one("#lim-status").render()), "the speed limits' status line")
        await pilot.pause(0.1)
        check_screen(app, ERROR_MSG, clean(src.name))


async def test_worker_failure_toast_quotes_the_error_literally(
        make_app: Callable[..., MigdashApp]) -> None:
    """The one place a failed worker is shown must not parse the error it quotes."""
    app, _ = hostile_app(make_app)

    async def fails() -> None:
        raise RuntimeError("bad-close[/]tag [link=file:///etc/passwd]x[/link] \x1b]0;pwned\x07")

    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        app.run_worker(fails(), exit_on_error=False, description="[b]hostile[/b] worker")
        await wait_for(pilot, lambda: any(n.title == "Internal error"
                                          for n in app._notifications), "the failure toast")
        await pilot.pause(0.1)
        said = check_toasts(app)
        assert any("bad-close[/]tag" in m and "[b]hostile[/b] worker" in m for m in said), said
        check_screen(app, "bad-close[/]tag")
