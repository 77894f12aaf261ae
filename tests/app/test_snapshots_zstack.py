"""Pictures of view 3 (ZStack): the view, the destination picker, the confirmation with its
options, a migration in flight, and an evacuation plan (simulator seed and clock fixed).

Update only after looking at the new picture: ``pytest tests/app/test_snapshots_zstack.py
--snapshot-update``, then ``rsvg-convert`` the SVG and look at it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.app.conftest import build_app, loaded, wait_for
from tui.screens.hosts.drain import DrainScreen
from tui.screens.hosts.move import MoveScreen
from tui.screens.zstack.dialogs import MigrateConfirm
from tui.screens.zstack.view import ZStackScreen
from tui.sim.zstack import ZStackSimConfig

SIZES = [(80, 24), (120, 40), (160, 48)]


def zstack_app(tmp_path: Path) -> Any:
    return build_app(tmp_path, zstack=ZStackSimConfig(fail_share=0))


async def open_view(pilot: Pilot[Any]) -> ZStackScreen:
    await loaded(pilot)
    await pilot.press("3")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ZStackScreen)
                   and pilot.app.screen.vms.total_count > 0, "the ZStack view")
    await pilot.pause()
    return pilot.app.screen  # type: ignore[return-value]


def _busiest_host(app: Any) -> str:
    e = app.client.simulator.zstack
    return max(e.world.hosts, key=lambda h: sum(1 for v in e.world.vms.values()
                                                if v["hostUuid"] == h and v["state"] == "Running"
                                                and e.candidates(v["uuid"])))


async def _to_host(pilot: Pilot[Any], screen: ZStackScreen, host: str) -> None:
    await pilot.press(*["down"] * screen.hosts.visible_keys().index(host), "enter")
    await pilot.pause()


async def _to_running_vm(pilot: Pilot[Any]) -> ZStackScreen:
    screen = await open_view(pilot)
    app: Any = pilot.app
    await _to_host(pilot, screen, _busiest_host(app))
    e = app.client.simulator.zstack
    vm = next(k for k in screen.vms.visible_keys()
              if e.world.vms[k]["state"] == "Running" and e.candidates(k))
    await pilot.press(*["down"] * screen.vms.visible_keys().index(vm))
    return screen


class TestZStackView:
    @pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40", "160x48"])
    def test_hosts_and_vms(self, snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await open_view(pilot)

        assert snap_compare(zstack_app(tmp_path), terminal_size=size, run_before=run)

    def test_a_migration_in_flight(self, snap_compare: Any, tmp_path: Path) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            screen = await _to_running_vm(pilot)
            vm = screen.vms.cursor_key
            await pilot.press("M")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, MoveScreen), "picker")
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, MigrateConfirm), "ask")
            await pilot.press("y")
            await wait_for(pilot, lambda: vm is not None and screen.vms.row(vm) is not None
                           and "⇄" in str(screen.vms.row(vm)["move"]), "the row in flight")
            await wait_for(pilot, lambda: screen.backend.snapshot.vms[vm or ""].state
                           == "Migrating", "the poll showing it Migrating")
            await pilot.pause()

        assert snap_compare(zstack_app(tmp_path), terminal_size=(120, 40), run_before=run)


class TestZStackDialogs:
    def test_destination_picker(self, snap_compare: Any, tmp_path: Path) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await _to_running_vm(pilot)
            await pilot.press("M")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, MoveScreen), "picker")
            await pilot.pause()

        assert snap_compare(zstack_app(tmp_path), terminal_size=(120, 40), run_before=run)

    def test_confirmation_with_options(self, snap_compare: Any, tmp_path: Path) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await _to_running_vm(pilot)
            await pilot.press("M")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, MoveScreen), "picker")
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, MigrateConfirm), "ask")
            await pilot.press("o")
            await wait_for(pilot, lambda: not isinstance(pilot.app.screen, MigrateConfirm),
                           "the options form")
            pilot.app.screen.query_one("#field-downTime").value = "500"
            pilot.app.screen.query_one("#field-strategy").value = "auto-converge"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, MigrateConfirm), "ask")
            await pilot.pause()

        assert snap_compare(zstack_app(tmp_path), terminal_size=(120, 40), run_before=run)

    def test_evacuation_plan(self, snap_compare: Any, tmp_path: Path) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            screen = await open_view(pilot)
            app: Any = pilot.app
            e = app.client.simulator.zstack
            # The host with the most VMs: some of them Unknown, which an evacuation lists.
            host = max(e.world.hosts, key=lambda h: sum(1 for v in e.world.vms.values()
                                                        if v["hostUuid"] == h))
            assert any(v["state"] == "Unknown" for v in e.world.vms.values()
                       if v["hostUuid"] == host)
            await pilot.press(*["down"] * screen.hosts.visible_keys().index(host), "D")
            await wait_for(pilot, lambda: isinstance(app.screen, DrainScreen), "the plan")
            await pilot.pause()

        assert snap_compare(zstack_app(tmp_path), terminal_size=(120, 40), run_before=run)
