"""View 3 (ZStack) driven by keys against the in-process simulated ZStack.

What was sent is checked at the server (``engine.requests``: every write the simulated ZStack
received). The simulator's clock stands still; a test moves it to finish a migration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.app.conftest import build_app, loaded, wait_for
from tui.api.zstack import client as zstack_client
from tui.screens.hosts.drain import DrainScreen
from tui.screens.hosts.move import MoveScreen
from tui.screens.hosts.outcomes import MoveSummaryScreen
from tui.screens.zstack.dialogs import MigrateConfirm
from tui.screens.zstack.view import ZStackScreen
from tui.sim.zstack import ZStackSimConfig
from tui.sim.zstack.world import GIB
from widgets.form import FormScreen


def zstack_app(tmp_path: Path, **kw: Any) -> Any:
    return build_app(tmp_path, zstack=ZStackSimConfig(fail_share=0), **kw)


async def open_view(pilot: Pilot[Any]) -> ZStackScreen:
    """Press 3 and wait for ZStack's first poll on screen."""
    await loaded(pilot)
    await pilot.press("3")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ZStackScreen)
                   and pilot.app.screen.vms.total_count > 0, "the ZStack view")
    screen = pilot.app.screen
    assert isinstance(screen, ZStackScreen)
    return screen


def engine(pilot: Pilot[Any]) -> Any:
    """The simulated ZStack (the demo's one simulator serves SMS, ECS/DeH and ZStack)."""
    return pilot.app.client.simulator.zstack


def puts(pilot: Pilot[Any]) -> list[tuple[str, str, Any]]:
    return [r for r in engine(pilot).requests if r[0] == "PUT"]


async def move_to(pilot: Pilot[Any], table: Any, key: str) -> None:
    """Move the table's cursor to ``key`` with up/down from wherever it is."""
    keys = table.visible_keys()
    here = keys.index(table.cursor_key) if table.cursor_key in keys else 0
    steps = keys.index(key) - here
    await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps))
    assert table.cursor_key == key


async def go_to_vm(pilot: Pilot[Any], screen: ZStackScreen, vm_uuid: str) -> None:
    """By keys: down to the VM's host, enter (its VMs), down to the VM."""
    host = engine(pilot).world.vms[vm_uuid]["hostUuid"]
    await move_to(pilot, screen.hosts, host)
    await pilot.press("enter")
    await pilot.pause()
    assert screen.focused is screen.vms and screen.host_filter == host
    await move_to(pilot, screen.vms, vm_uuid)


def running_vm(pilot: Pilot[Any]) -> dict[str, Any]:
    e = engine(pilot)
    return next(v for v in e.world.vms.values() if v["state"] == "Running" and e.candidates(v["uuid"]))


async def test_migrating_a_running_vm_sends_one_put_and_the_row_follows_it(tmp_path: Path) -> None:
    app = zstack_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_view(pilot)
        vm = running_vm(pilot)
        candidates = [h["uuid"] for h in engine(pilot).candidates(vm["uuid"])]
        origin = vm["hostUuid"]
        await go_to_vm(pilot, screen, vm["uuid"])
        await pilot.press("M")
        await wait_for(pilot, lambda: isinstance(app.screen, MoveScreen), "the picker")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MigrateConfirm), "the confirmation")
        body = str(app.screen.query_one("#body").render())
        assert "strategy" in body and "downTime" in body and "migrateFromDestination" in body
        assert "allowUnknown" not in body  # only for an Unknown VM
        await pilot.press("y")
        await wait_for(pilot, lambda: puts(pilot), "the PUT")
        (method, path, sent), = puts(pilot)
        assert path == f"/zstack/v1/vm-instances/{vm['uuid']}/actions"
        assert list(sent) == ["migrateVm"] and list(sent["migrateVm"]) == ["hostUuid"]
        dest = sent["migrateVm"]["hostUuid"]
        assert dest in candidates
        await wait_for(pilot, lambda: "⇄" in screen.vms.row(vm["uuid"])["move"].plain,
                       "the migration in flight on the row")
        app.client.simulator.clock.advance(3 + 2 * vm["memorySize"] / GIB + 1)
        await wait_for(pilot, lambda: screen.backend.snapshot.vms[vm["uuid"]].hostUuid == dest
                       and "✔" in screen.vms.row(vm["uuid"])["move"].plain, "the new host",
                       tries=300)
        row = screen.vms.row(vm["uuid"])
        assert str(row["host"]) == engine(pilot).world.hosts[dest]["name"] != origin
        assert len(puts(pilot)) == 1
        assert [r["operation"] for r in app.commands.audit.read()] == ["zstack.migrate"]


async def test_a_lost_answer_zstack_never_filed_says_unknown_not_failed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The connection drops before ZStack handles MigrateVm; the client looks for the job it
    # named (here without its 1-2-4 s waits) and finds none.
    monkeypatch.setattr(zstack_client, "LOST_JOB_LOOKUPS", (0.01, 0.01, 0.01))
    app = zstack_app(tmp_path, faults="reset=1@PUT /zstack/v1/vm-instances/*/actions")
    toasts: list[tuple[str, str]] = []
    async with app.run_test(size=(120, 40)) as pilot:
        app.commands.verify_delays = (0.01, 0.01)  # the VM is re-read at once, twice
        notify = app.notify
        monkeypatch.setattr(app, "notify", lambda message, **kw: (
            toasts.append((kw.get("title", ""), message)), notify(message, **kw)))
        screen = await open_view(pilot)
        vm = running_vm(pilot)
        await go_to_vm(pilot, screen, vm["uuid"])
        await pilot.press("M")
        await wait_for(pilot, lambda: isinstance(app.screen, MoveScreen), "the picker")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MigrateConfirm), "the confirmation")
        await pilot.press("y")
        await wait_for(pilot, lambda: any(t == "Outcome unknown" for t, _ in toasts),
                       "the outcome")
        (_, said), = [t for t in toasts if t[0] == "Outcome unknown"]
        assert "had no job" in said and "Check before sending it again" in said
        host = engine(pilot).world.hosts[vm["hostUuid"]]["name"]
        assert f"{vm['name']} is still on {host}" in said
        assert not any(t == "Migration failed" for t, _ in toasts)
        assert screen.vms.row(vm["uuid"])["move"].plain.startswith("? unknown")
        assert puts(pilot) == []  # the simulated ZStack never received it
        assert engine(pilot).world.vms[vm["uuid"]]["hostUuid"] == vm["hostUuid"]


async def test_a_stopped_vm_is_not_offered_the_action_and_says_why(tmp_path: Path) -> None:
    app = zstack_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_view(pilot)
        stopped = next(k for k, v in engine(pilot).world.vms.items() if v["state"] == "Stopped")
        await pilot.press("enter", "escape")  # a host's VMs, then all VMs
        assert screen.host_filter is None and screen.focused is screen.vms
        await move_to(pilot, screen.vms, stopped)
        await pilot.press("M")
        await pilot.pause()
        assert app.screen is screen
        messages = [n.message for n in app._notifications]
        assert any("Stopped" in m and "cannot be live-migrated" in m for m in messages)
        assert puts(pilot) == []


async def test_cancel_in_the_picker_or_the_confirmation_sends_nothing(tmp_path: Path) -> None:
    app = zstack_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_view(pilot)
        await go_to_vm(pilot, screen, running_vm(pilot)["uuid"])
        await pilot.press("M")
        await wait_for(pilot, lambda: isinstance(app.screen, MoveScreen), "the picker")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "back to the view")
        await pilot.press("M")
        await wait_for(pilot, lambda: isinstance(app.screen, MoveScreen), "the picker")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MigrateConfirm), "the confirmation")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen, "back to the view")
        await pilot.pause(0.3)
        assert puts(pilot) == [] and list(app.commands.audit.read()) == []


async def test_options_form_validates_and_its_values_are_sent(tmp_path: Path) -> None:
    app = zstack_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_view(pilot)
        await go_to_vm(pilot, screen, running_vm(pilot)["uuid"])
        await pilot.press("M")
        await wait_for(pilot, lambda: isinstance(app.screen, MoveScreen), "the picker")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MigrateConfirm), "the confirmation")
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), "the options form")
        form = app.screen
        form.query_one("#field-downTime").value = "0"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen) and "downTime" in form.errors
        form.query_one("#field-downTime").value = "500"
        form.query_one("#field-strategy").value = "auto-converge"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, MigrateConfirm), "the confirmation")
        assert "500 ms" in str(app.screen.query_one("#body").render())
        assert puts(pilot) == []
        await pilot.press("enter")
        await wait_for(pilot, lambda: puts(pilot), "the PUT")
        sent = puts(pilot)[0][2]["migrateVm"]
        assert sent["downTime"] == 500 and sent["strategy"] == "auto-converge"


async def test_evacuate_lists_what_cannot_move_and_reports_each_vm(tmp_path: Path) -> None:
    app = zstack_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_view(pilot)
        e = engine(pilot)
        host = max(e.world.hosts, key=lambda h: sum(1 for v in e.world.vms.values()
                                                    if v["hostUuid"] == h))
        on_host = [v for v in e.world.vms.values() if v["hostUuid"] == host]
        on_host[0]["state"] = "Unknown"  # moved only on its own, with allowUnknown
        app.backends["zstack"].refresh_now()
        await wait_for(pilot, lambda: screen.backend.snapshot.vms[on_host[0]["uuid"]].state
                       == "Unknown", "the poll")
        await move_to(pilot, screen.hosts, host)
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, DrainScreen), "the plan")
        plan = str(app.screen.query_one("#drain-lines").render())
        assert "Stays on the host (" in plan
        assert on_host[0]["name"] in plan and "allowUnknown" in plan
        await pilot.press("y")
        await wait_for(pilot, lambda: puts(pilot), "the first PUT")
        clock = app.client.simulator.clock
        for _ in range(400):  # simulated time runs on while the moves go two at a time
            if isinstance(app.screen, MoveSummaryScreen):
                break
            clock.advance(10)
            await pilot.pause(0.1)
        assert isinstance(app.screen, MoveSummaryScreen)
        outcomes = app.screen.outcomes
        assert len(outcomes) == len(on_host)
        skipped = [o for o in outcomes if o.status == "skipped"]
        assert on_host[0]["uuid"] in [o.plan.server_id for o in skipped]
        moved = {r[1].split("/")[4] for r in puts(pilot)}
        assert on_host[0]["uuid"] not in moved
        assert len(puts(pilot)) == len(on_host) - len(skipped)
        # The moves run while the clock advances; each ends ok (no failures seeded here).
        assert sum(1 for o in outcomes if o.ok) == len(puts(pilot))


async def test_read_only_offers_no_write_and_sends_nothing(tmp_path: Path) -> None:
    app = zstack_app(tmp_path, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_view(pilot)
        assert not screen.check_action("zstack_migrate", ())
        assert not screen.check_action("zstack_evacuate", ())
        await go_to_vm(pilot, screen, running_vm(pilot)["uuid"])
        await pilot.press("M", "D")
        await pilot.pause(0.3)
        assert app.screen is screen and puts(pilot) == []
        footer_keys = {a.binding.action for a in screen.active_bindings.values() if a.enabled}
        assert "zstack_migrate" not in footer_keys


async def test_filter_by_ip_then_enter_returns_to_the_table(tmp_path: Path) -> None:
    app = zstack_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_view(pilot)
        vm = list(engine(pilot).world.vms.values())[5]
        await pilot.press("slash", *vm["vmNics"][0]["ip"], "enter")
        await pilot.pause()
        assert screen.vms.visible_keys() == [vm["uuid"]]
        assert screen.focused is screen.hosts
        await pilot.press("escape")
        assert screen.vms.visible_count == screen.vms.total_count
