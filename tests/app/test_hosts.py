"""The Dedicated hosts view at the simulator: every move and drain sends exactly the requests it
should, in order, each after the previous job's SUCCESS; cancel and read-only send nothing.

The simulator's clock stands still (ManualClock): a job finishes only when a test advances
it, so "the next step waits for the previous job's SUCCESS" is checked, not assumed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from tests.app.conftest import wait_for
from tui.app import MigdashApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.hosts.drain import DrainScreen
from tui.screens.hosts.hosts import HostsScreen
from tui.screens.hosts.move import MoveScreen
from tui.screens.hosts.outcomes import MoveSummaryScreen

SIZE = (160, 48)


class EcsRecorder:
    """Wraps the simulator behind the ECS client; keeps every write with the status of every
    simulated job at the moment the write arrived."""

    def __init__(self, inner: Any, world: Any) -> None:
        self.inner = inner
        self.world = world
        self.writes: list[tuple[str, str, Any, dict[str, str]]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] == "GET":
            await self.inner(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        raw = b"".join(chunks)
        self.world.sync()
        statuses = {j.id: j.status for j in self.world.jobs.values()}
        self.writes.append((scope["method"], scope["path"], json.loads(raw) if raw else None,
                            statuses))
        sent = False

        async def replay() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        await self.inner(scope, replay, send)

    def bodies(self) -> list[tuple[str, Any]]:
        """(path tail, body) of every write."""
        return [("/".join(path.split("/")[3:]), body) for _m, path, body, _s in self.writes]


def world(app: Any) -> Any:
    return app.ecs.sim_world


def record_ecs(app: Any) -> EcsRecorder:
    transport = app.ecs._ecs_http._transport._inner  # SimTransport → httpx.ASGITransport
    recorder = EcsRecorder(transport.app, world(app))
    transport.app = recorder
    return recorder


async def open_hosts(pilot: Pilot[Any]) -> HostsScreen:
    """Press 2 and wait for the first hosts poll on screen."""
    app: Any = pilot.app
    app.backends["hosts"].job_poll = 0.05
    await pilot.press("2")
    await wait_for(pilot, lambda: isinstance(app.screen, HostsScreen)
                   and app.screen._loaded, "the hosts view")
    return app.screen  # type: ignore[no-any-return]


def fits(w: Any, server: Any, host: Any) -> bool:
    cpus, ram = w.inbound(host.id)
    return (host.state == "available" and host.az == server.az and host.id != server.host_id
            and host.type.vcpus - host.used_vcpus - cpus >= server.flavor.vcpus
            and host.type.memory_mb - host.used_ram_mb - ram >= server.flavor.ram_mb)


def pick(w: Any, status: str, *, on_deh: bool = True) -> Any:
    """A pay-per-use server in ``status`` with no job, on a DeH (or not), that fits elsewhere."""
    return next(s for s in w.servers.values()
                if s.status == status and s.charging_mode == "0" and s.job_id is None
                and (s.host_id is not None) == on_deh
                and any(fits(w, s, h) for h in w.hosts.values()))


async def highlight(pilot: Pilot[Any], screen: HostsScreen, server_id: str) -> None:
    screen.servers_table.focus()
    screen.servers_table.cursor_key = server_id
    await pilot.pause()


async def settle(pilot: Pilot[Any], rec: EcsRecorder, count: int) -> None:
    await wait_for(pilot, lambda: len(rec.writes) >= count, f"{count} write(s)")
    await pilot.pause(0.3)  # a duplicate or an early next step would have arrived by now


def job_of(rec: EcsRecorder, index: int) -> str:
    """The id of the job the ``index``-th write started (the newest job at the next write)."""
    before = set(rec.writes[index][3])
    after = {j for j in rec.world.jobs} - before
    assert len(after) >= 1
    return sorted(after, key=lambda j: rec.world.jobs[j].begin)[0]


async def test_a_stopped_server_moves_with_one_migrate_and_its_row_follows_the_job(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hosts(pilot)
        w = world(app)
        w.numa_share = 0.0
        server = pick(w, "SHUTOFF")
        rec = record_ecs(app)
        await highlight(pilot, screen, server.id)
        await pilot.press("M")
        assert isinstance(app.screen, MoveScreen)
        options = app.screen.query_one(OptionList)
        dest = options.get_option_at_index(options.highlighted or 0).id
        assert dest in w.hosts and fits(w, server, w.hosts[dest])
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot, rec, 1)
        assert rec.bodies() == [(f"cloudservers/{server.id}/migrate",
                                 {"migrate": {"dedicated_host_id": dest}})]
        await wait_for(pilot, lambda: "migrate" in str(screen.servers_table.row(server.id)
                                                       ["job"]), "the job in the row")
        assert screen.servers_table.row(server.id)["_host"] == server.host_id
        w.clock.advance(3600)
        await wait_for(pilot, lambda: screen.servers_table.row(server.id)["_host"] == dest,
                       "the row on its new host", tries=300)
        assert w.servers[server.id].host_id == dest
        assert str(screen.servers_table.row(server.id)["job"]) == ""
        assert len(rec.writes) == 1


async def test_deh_to_pool_sends_migrate_null(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hosts(pilot)
        w = world(app)
        server = pick(w, "SHUTOFF")
        rec = record_ecs(app)
        await highlight(pilot, screen, server.id)
        await pilot.press("M")
        options = app.screen.query_one(OptionList)
        pool = next(i for i in range(options.option_count)
                    if options.get_option_at_index(i).id == "__pool__")
        options.highlighted = pool
        await pilot.press("enter", "enter")  # destination, then the confirmation
        await settle(pilot, rec, 1)
        assert rec.bodies() == [(f"cloudservers/{server.id}/migrate", {"migrate": None})]


async def test_a_running_server_is_stopped_moved_and_started_each_after_success(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hosts(pilot)
        w = world(app)
        w.numa_share = 0.0
        server = pick(w, "ACTIVE")
        origin = server.host_id
        rec = record_ecs(app)
        await highlight(pilot, screen, server.id)
        await pilot.press("M")
        assert "running" in str(app.screen.query_one("#move-running").render())
        options = app.screen.query_one(OptionList)
        dest = options.get_option_at_index(options.highlighted or 0).id
        await pilot.press("enter")
        assert "1. stop it (soft stop)" in str(app.screen.query_one("#body").render())
        await pilot.press("y")
        await settle(pilot, rec, 1)
        assert rec.bodies() == [("cloudservers/action",
                                 {"os-stop": {"type": "SOFT", "servers": [{"id": server.id}]}})]
        stop_job = job_of(rec, 0)
        assert len(rec.writes) == 1, "nothing more before the stop job succeeded"
        w.clock.advance(120)
        await settle(pilot, rec, 2)
        assert rec.writes[1][3][stop_job] == "SUCCESS"
        assert rec.bodies()[1] == (f"cloudservers/{server.id}/migrate",
                                   {"migrate": {"dedicated_host_id": dest}})
        migrate_job = job_of(rec, 1)
        assert len(rec.writes) == 2
        w.clock.advance(3600)
        await settle(pilot, rec, 3)
        assert rec.writes[2][3][migrate_job] == "SUCCESS"
        assert rec.bodies()[2] == ("cloudservers/action",
                                   {"os-start": {"servers": [{"id": server.id}]}})
        w.clock.advance(120)
        await wait_for(pilot, lambda: w.servers[server.id].status == "ACTIVE"
                       and app.backends["hosts"].job_of(server.id) is None, "the start job")
        await pilot.pause(0.3)
        assert len(rec.writes) == 3 and w.servers[server.id].host_id == dest
        jobs = sorted(app.backends["hosts"].jobs.values(), key=lambda j: j.begun)
        assert [(j.kind, j.status, j.source, j.dest) for j in jobs] == [
            ("stop", "SUCCESS", origin, None),
            ("migrate", "SUCCESS", origin, dest),
            ("start", "SUCCESS", dest, None)]


async def test_cancel_sends_nothing(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hosts(pilot)
        server = pick(world(app), "SHUTOFF")
        rec = record_ecs(app)
        await highlight(pilot, screen, server.id)
        await pilot.press("M", "escape")
        assert app.screen is screen
        await pilot.press("M", "enter", "n")
        assert app.screen is screen
        screen.hosts_table.focus()
        screen.hosts_table.cursor_key = server.host_id
        await pilot.press("D")
        assert isinstance(app.screen, DrainScreen)
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert app.screen is screen and rec.writes == []


async def test_hosts_without_room_are_not_offered_and_say_why(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hosts(pilot)
        w = world(app)
        server = max((s for s in w.servers.values() if s.host_id and s.status == "SHUTOFF"
                      and s.charging_mode == "0"), key=lambda s: s.flavor.vcpus)
        await highlight(pilot, screen, server.id)
        await pilot.press("M")
        options = app.screen.query_one(OptionList)
        seen = {options.get_option_at_index(i).id: options.get_option_at_index(i)
                for i in range(options.option_count)}
        assert set(seen) == set(w.hosts) | {"__pool__"}, "every host is listed"
        for host_id, host in w.hosts.items():
            option = seen[host_id]
            assert option.disabled is not fits(w, server, host), host.name
            if option.disabled:
                assert "✖" in str(option.prompt)
        assert any(o.disabled for o in seen.values())
        # The cursor never lands on a host it does not fit on.
        for _ in range(options.option_count + 1):
            assert not seen[options.get_option_at_index(options.highlighted or 0).id].disabled
            await pilot.press("down")


async def test_a_failed_job_stops_the_plan_and_shows_its_reason(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hosts(pilot)
        w = world(app)
        w.numa_share = 1.0  # every move to a dedicated host fails on a NUMA shortage
        server = pick(w, "ACTIVE")
        rec = record_ecs(app)
        await highlight(pilot, screen, server.id)
        await pilot.press("M", "enter", "y")
        await settle(pilot, rec, 1)
        w.clock.advance(120)
        await settle(pilot, rec, 2)
        w.clock.advance(3600)
        await wait_for(pilot, lambda: any("step “migrate”" in str(n.message)
                                          for n in app._notifications), "the failure toast")
        toast = next(str(n.message) for n in app._notifications if "migrate" in str(n.message))
        assert "Ecs.1906" in toast and "NUMA" in toast
        await pilot.pause(0.3)
        assert len(rec.writes) == 2, "no start after a failed move"
        await pilot.press("j")
        detail = str(app.screen.query_one("#job-detail").render())
        assert "NUMA" in detail


async def test_drain_lists_what_cannot_move_and_moves_the_rest(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hosts(pilot)
        w = world(app)
        w.numa_share = 0.0
        busiest = max((h for h in w.hosts.values() if h.state == "available"),
                      key=lambda h: len(h.servers))
        # Leave one other host of its zone with room for exactly its smallest server.
        others = [h for h in w.hosts.values() if h.az == busiest.az and h is not busiest]
        smallest = min((w.servers[s] for s in busiest.servers), key=lambda s: s.flavor.vcpus)
        for h in others[1:]:
            h.state = "fault"
        keep = others[0]
        keep.used_vcpus = keep.type.vcpus - smallest.flavor.vcpus
        # And one server billed yearly/monthly, which ECS refuses to move (Ecs.1901).
        billed = next(w.servers[s] for s in busiest.servers if s != smallest.id)
        billed.charging_mode = "1"
        await pilot.press("r")
        await pilot.pause(0.5)
        rec = record_ecs(app)
        screen.hosts_table.focus()
        screen.hosts_table.cursor_key = busiest.id
        await pilot.pause(0.5)
        await pilot.press("D")
        assert isinstance(app.screen, DrainScreen)
        text = str(app.screen.query_one("#drain-lines").render())
        assert "Stays on the host" in text
        assert f"{billed.name}" in text and "billed yearly/monthly" in text
        movable = app.screen.movable
        assert 1 <= movable < len(busiest.servers)
        await pilot.press("y")
        await wait_for(pilot, lambda: len(rec.writes) >= 1, "the first step")
        for _ in range(200):  # every step's job finishes once the clock moves on
            if isinstance(app.screen, MoveSummaryScreen):
                break
            w.clock.advance(600)
            await pilot.pause(0.1)
        assert isinstance(app.screen, MoveSummaryScreen)
        assert [(o.status, o.reason) for o in app.screen.outcomes] == [("ok", "")] * movable
        counts = str(app.screen.query_one("#summary-counts").render())
        assert counts == f"✖ 0 failed   ✔ {movable} moved   ○ 0 skipped"  # no "? 0 unknown"
        assert {w.servers[o.plan.server_id].host_id for o in app.screen.outcomes} == {keep.id}
        assert not any(billed.id in path or billed.id in json.dumps(body)
                       for _m, path, body, _s in rec.writes)


async def test_read_only_has_no_write_keys_and_sends_nothing(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hosts(pilot)
        server = pick(world(app), "SHUTOFF")
        rec = record_ecs(app)
        await highlight(pilot, screen, server.id)
        await pilot.press("M", "enter", "y", "D", "y")
        await pilot.pause(0.3)
        assert app.screen is screen and rec.writes == []
        keys = {b.key for _, b, enabled, _ in app.active_bindings.values() if enabled}
        assert "M" not in keys and "D" not in keys and "slash" in keys


async def test_view_3_says_how_to_configure_zstack(make_app: Callable[..., MigdashApp],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # The demo always has a ZStack (its simulator): take it away to see the setup text.
    import tui.service.zstack

    monkeypatch.setattr(tui.service.zstack, "zstack_backend", lambda app: None)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await pilot.pause()
        text = str(app.screen.query_one("#setup").render())
        assert "--zstack-endpoint" in text and "MIGDASH_ZSTACK_PASSWORD" in text
        await pilot.press("1")
        assert app.current_mode == "migrations"


async def test_a_migrated_tasks_target_opens_the_move_dialog_from_the_task_screen(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_hosts(pilot)
        await pilot.press("1")
        engine = app.client.simulator.engine  # type: ignore[attr-defined]
        task = next(t for t in engine.tasks.values()
                    if t.state == "MIGRATE_SUCCESS" and t.target_vm_id in world(app).servers)
        from tui.navigation import TaskProgress

        app.open(TaskProgress(task.id, task.source_id))
        await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None,
                       "the task")
        await pilot.press("H")
        assert isinstance(app.screen, MoveScreen)
        assert app.current_mode == "migrations"


async def test_keys_typed_in_one_burst_with_slash_filter_both_tables(
        make_app: Callable[..., MigdashApp]) -> None:
    # Over SSH a pasted "/crm" arrives at once: every key is queued before the box has focus.
    from textual import events
    from textual.widgets import Input

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hosts(pilot)
        rec = record_ecs(app)
        for key, char in [("slash", "/"), ("c", "c"), ("r", "r"), ("m", "m"),
                          ("M", "M"), ("D", "D")]:
            app.post_message(events.Key(key, char))
        await wait_for(pilot, lambda: screen.servers_table.filter_text == "crmmd", "the burst")
        assert screen.query_one("#filter", Input).value == "crmMD"
        assert app.screen is screen and rec.writes == []  # M and D opened nothing
        await pilot.press("backspace", "backspace")
        assert screen.query_one("#filter", Input).value == "crm"
        await pilot.press("enter")
        names = [str(screen.servers_table.row(k)["name"])
                 for k in screen.servers_table.visible_keys()]
        assert names and all("crm" in n for n in names)
        assert screen.focused is screen.servers_table  # no host is named "crm…"


async def test_a_yearly_monthly_server_is_not_offered_a_move_and_says_why(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hosts(pilot)
        w = world(app)
        server = pick(w, "SHUTOFF")
        server.charging_mode = "1"
        await pilot.press("r")
        await wait_for(pilot, lambda: not app.backends["hosts"].snapshot.servers[
            server.id].pay_per_use, "the poll that reads the billing")
        rec = record_ecs(app)
        await highlight(pilot, screen, server.id)
        await pilot.press("M")
        await pilot.pause(0.2)
        assert app.screen is screen and rec.writes == []
        assert any("yearly/monthly" in str(n.message) for n in app._notifications)
