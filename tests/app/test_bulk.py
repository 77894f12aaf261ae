"""``s``/``x`` on the source list: one server or every marked one (pilot tests).

Every test records the requests that reached the simulator's ASGI app, so "exactly one request
per eligible server" is checked where it counts: at the server.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from tests.app.conftest import loaded, record, wait_for
from tui.api.actions import refusal
from tui.app import MigdashApp
from tui.screens.bulk import BulkSummaryScreen, ListTaskActions
from tui.screens.confirm import ConfirmScreen
from tui.screens.sources import SourceListScreen
from widgets.source_table import SourceTable

SIZE = (160, 48)


def sim(app: Any) -> Any:
    return app.client.simulator


def table(app: Any) -> SourceTable:
    return app.screen.query_one(SourceTable)


async def focus_source(pilot: Pilot[Any], app: Any, pick: Callable[[Any, Any], bool]) -> Any:
    """Put the cursor on the first simulated source whose (source, task) satisfies ``pick``."""
    engine = sim(app).engine
    src = next(s for s in engine.sources.values()
               if pick(s, engine.tasks.get(s.task_id or "")))
    table(app).set_filter(src.id)
    await pilot.pause()
    assert table(app).cursor_key == src.id
    return src


def task_of(app: Any, src: Any) -> Any:
    return sim(app).engine.tasks[src.task_id]


async def test_s_on_a_ready_row_asks_then_starts_it_with_exactly_one_request(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        rec = record(app)
        src = await focus_source(pilot, app, lambda s, t: t is not None and t.state == "READY")
        await pilot.press("s")  # every write asks first (as on the task screen)
        assert isinstance(app.screen, ConfirmScreen)
        assert src.name in app.screen.title_text
        assert "Replication starts" in app.screen.body_text
        await pilot.press("n")
        await pilot.pause(0.2)
        assert isinstance(app.screen, SourceListScreen) and rec.writes == []
        await pilot.press("s", "y")
        await wait_for(pilot, lambda: rec.actions(), "the start request")
        await pilot.pause(0.2)
        assert rec.writes == [("POST", f"/v3/tasks/{src.task_id}/action", {"operation": "start"})]
        assert task_of(app, src).state == "RUNNING"
        assert any("start accepted" in str(n.message) for n in app._notifications)
        audit = [json.loads(line) for line in app.commands.audit.path.read_text().splitlines()]
        assert [(a["operation"], a["targets"]) for a in audit] == [("task.start", [src.task_id])]


async def test_x_names_the_server_and_cancel_sends_nothing_confirm_sends_one(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        rec = record(app)
        src = await focus_source(pilot, app, lambda s, t: t is not None and t.state == "RUNNING"
                                 and s.connected)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen)
        assert src.name in app.screen.title_text
        assert "start resumes it" in app.screen.body_text
        await pilot.press("n")
        await pilot.pause(0.2)
        assert isinstance(app.screen, SourceListScreen)
        assert rec.writes == [] and task_of(app, src).state == "RUNNING"
        await pilot.press("x", "y")
        await wait_for(pilot, lambda: rec.actions(), "the stop request")
        await pilot.pause(0.2)
        assert rec.actions() == [(src.task_id, "stop")]
        assert task_of(app, src).state in ("ABORTING", "ABORT")


async def test_actions_the_state_does_not_allow_send_nothing(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        rec = record(app)
        await focus_source(pilot, app, lambda s, t: t is not None and t.state == "MIGRATE_SUCCESS")
        await pilot.press("s", "x")
        await focus_source(pilot, app, lambda s, t: t is None)
        await pilot.press("s", "x")
        await focus_source(pilot, app, lambda s, t: t is not None and t.state == "READY")
        await pilot.press("x")
        await pilot.pause(0.2)
        assert isinstance(app.screen, SourceListScreen), "nothing to confirm"
        assert rec.writes == []
        notes = [str(n.message) for n in app._notifications]
        assert sum("Not sent" in n for n in notes) == 5
        assert any("no migration task" in n for n in notes)
        assert any("only a RUNNING or SYNCING task can be stopped" in n for n in notes)


async def test_bulk_start_over_20_marked_servers_reports_each_outcome(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app(sources=80, seed=4)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        engine = sim(app).engine
        t = table(app)
        marked = [sid for sid in t.visible_keys()][:30]
        for sid in marked:
            t.toggle_mark(sid)
        await pilot.pause()
        assert "30 marked" in str(app.screen.query_one("#info").render())
        # Startable by the rule the dashboard and the simulator share (SMS.7713: ready,
        # stopped or failed).
        startable = [sid for sid in marked if engine.sources[sid].task_id and refusal(
            "start", engine.tasks[engine.sources[sid].task_id].state) is None]
        assert len(startable) >= 3, "the seed gives a mix"
        # The dashboard still thinks these agents are online: SMS refuses them (SMS.6603).
        refused = startable[:2]
        for sid in refused:
            engine.sources[sid].connected = False
        rec = record(app)
        await pilot.press("s")
        assert isinstance(app.screen, ConfirmScreen)
        assert "30 marked servers" in app.screen.title_text
        assert f"{len(startable)} of 30 can be started" in app.screen.body_text
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkSummaryScreen), "the summary")
        summary = app.screen.summary
        sent = {tid for tid, _ in rec.actions()}
        assert len(rec.actions()) == len(sent) == len(startable), "one request per eligible"
        assert sent == {engine.sources[sid].task_id for sid in startable}
        running = {sid for sid in startable if engine.tasks[engine.sources[sid].task_id].state
                   in ("RUNNING", "SYNCING")}
        assert running == set(startable) - set(refused)
        assert summary.count("ok") == len(running)
        assert summary.count("failed") == len(refused)
        assert summary.count("skipped") == 30 - len(startable)
        assert len(summary.outcomes) == 30
        for o in summary.outcomes:
            if o.status == "failed":
                assert o.reason.startswith("SMS.6603")
            if o.status == "skipped":
                assert "start" in o.reason or "no migration task" in o.reason
        text = str(app.screen.query_one("#bulk-counts").render())
        assert f"{len(running)} accepted" in text and f"{len(refused)} failed" in text
        await pilot.press("escape")
        assert isinstance(app.screen, SourceListScreen)


async def test_bulk_with_nothing_eligible_asks_nothing_and_sends_nothing(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        engine = sim(app).engine
        done = [s.id for s in engine.sources.values()
                if s.task_id and engine.tasks[s.task_id].state == "MIGRATE_SUCCESS"][:3]
        for sid in done:
            table(app).toggle_mark(sid)
        rec = record(app)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkSummaryScreen), "the summary")
        assert app.screen.summary.count("skipped") == 3
        assert rec.writes == []


def hold_actions(app: Any) -> asyncio.Event:
    """Hold every task action at the simulator until the returned event is set."""
    inner = app.client._http._transport._inner  # SimTransport → httpx.ASGITransport
    server = inner.app
    release = asyncio.Event()

    async def held(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].endswith(
                "/action"):
            await release.wait()
        await server(scope, receive, send)

    inner.app = held
    return release


async def test_a_second_s_while_the_first_is_sent_does_nothing(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        engine = sim(app).engine
        ready = [s.id for s in engine.sources.values()
                 if s.task_id and engine.tasks[s.task_id].state == "READY"][:2]
        for sid in ready:
            table(app).toggle_mark(sid)
        # The simulator holds the actions until released: the second `s` surely comes while
        # they are on their way, however slow the machine (a fixed latency raced the keys).
        release = hold_actions(app)
        rec = record(app)
        await pilot.press("s", "y")
        await pilot.press("s")  # while the held requests are on their way
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("still being sent" in str(n.message) for n in app._notifications)
        release.set()
        await wait_for(pilot, lambda: isinstance(app.screen, BulkSummaryScreen), "the summary")
        assert sorted(rec.actions()) == sorted((engine.sources[s].task_id, "start")
                                               for s in ready)
        # Accepted, and until the list shows the new state a repeat is skipped, not sent.
        await pilot.press("escape")
        await pilot.press("s", "y")
        await pilot.pause(0.6)
        assert len(rec.actions()) == 2


async def test_read_only_has_no_s_or_x_and_pressing_them_sends_nothing(
        make_app: Callable[..., MigdashApp]) -> None:
    from tui.screens.help import _rows

    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        rec = record(app)
        screen = app.screen
        assert screen.check_action("task_start", ()) is False
        assert screen.check_action("task_stop", ()) is False
        keys = {key for key, _ in _rows(list(SourceListScreen.BINDINGS), read_only=True)}
        assert "s" not in keys and "x" not in keys and "k" in keys
        await focus_source(pilot, app, lambda s, t: t is not None and t.state == "READY")
        await pilot.press("s", "x")
        table(app).toggle_mark(table(app).cursor_key)
        await pilot.press("s", "x")
        await pilot.pause(0.2)
        assert isinstance(app.screen, SourceListScreen)
        assert rec.writes == [] and not app.commands.audit.path.exists()


def test_pending_markers_go_when_the_task_state_moves_on() -> None:
    from types import SimpleNamespace as NS

    seen: list[set[str]] = []
    actions = ListTaskActions(None, seen.append)  # type: ignore[arg-type]
    actions.pending = {"a": ("start", "READY"), "b": ("stop", "RUNNING"), "c": ("stop", "RUNNING")}
    sources = {"a": NS(current_task=NS(state="READY")), "b": NS(current_task=NS(state="ABORTING")),
               "c": NS(current_task=None)}
    assert actions.reconcile(sources) == {"b", "c"}
    assert actions.pending_operation("a") == "start" and actions.pending_operation("b") is None
