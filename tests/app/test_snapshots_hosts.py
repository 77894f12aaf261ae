"""Pictures of the Dedicated hosts view: the tables, the move dialog, a drain plan, the jobs.

Update only after looking at the new picture: ``pytest tests/app/test_snapshots_hosts.py
--snapshot-update``, then convert the SVG (``rsvg-convert``) and look at it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.app.conftest import build_app, wait_for
from tests.app.test_hosts import open_hosts, pick, world
from tui.screens.hosts.drain import DrainScreen
from tui.screens.hosts.move import MoveScreen

SIZES = [(120, 40), (160, 48)]


def _ids(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


async def _view(pilot: Pilot[Any]) -> Any:
    screen = await open_hosts(pilot)
    await pilot.pause()
    return screen


class TestHostsView:
    @pytest.mark.parametrize("size", [(80, 24), *SIZES], ids=_ids)
    def test_hosts_and_servers(self, snap_compare: Any, tmp_path: Path,
                               size: tuple[int, int]) -> None:
        assert snap_compare(build_app(tmp_path), run_before=_view, terminal_size=size)

    def test_one_hosts_servers(self, snap_compare: Any, tmp_path: Path) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            screen = await _view(pilot)
            busiest = max(world(pilot.app).hosts.values(), key=lambda h: len(h.servers))
            screen.hosts_table.cursor_key = busiest.id
            await pilot.press("enter")
            await pilot.pause()

        assert snap_compare(build_app(tmp_path), run_before=run, terminal_size=(120, 40))


class TestMoveDialog:
    @pytest.mark.parametrize("size", SIZES, ids=_ids)
    def test_running_server(self, snap_compare: Any, tmp_path: Path,
                            size: tuple[int, int]) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            screen = await _view(pilot)
            server = pick(world(pilot.app), "ACTIVE")
            screen.servers_table.focus()
            screen.servers_table.cursor_key = server.id
            await pilot.press("M")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, MoveScreen), "dialog")
            await pilot.pause()

        assert snap_compare(build_app(tmp_path), run_before=run, terminal_size=size)


class TestDrainPlan:
    @pytest.mark.parametrize("size", SIZES, ids=_ids)
    def test_plan_with_servers_that_stay(self, snap_compare: Any, tmp_path: Path,
                                         size: tuple[int, int]) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            screen = await _view(pilot)
            w = world(pilot.app)
            # Retire deh-s6-002 while most of its zone is in fault and one host has 20 vCPUs
            # free: the two largest servers move, the other two stay.
            host = next(h for h in w.hosts.values() if h.name == "deh-s6-002")
            for other in w.hosts.values():
                if other.az == host.az and other is not host and other.name != "deh-h1-004":
                    other.state = "fault"
                elif other.name == "deh-h1-004":
                    other.used_vcpus = other.type.vcpus - 20
            await pilot.press("r")
            await wait_for(pilot, lambda: pilot.app.backends["hosts"].snapshot.hosts[
                host.id] is not None and pilot.app.backends["hosts"].snapshot.version >= 2,
                "a poll of the changed hosts")
            screen.hosts_table.cursor_key = host.id
            pilot.app.clear_notifications()
            await pilot.press("D")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, DrainScreen), "plan")
            await pilot.pause()

        assert snap_compare(build_app(tmp_path), run_before=run, terminal_size=size)


class TestJobs:
    @pytest.mark.parametrize("size", SIZES, ids=_ids)
    def test_a_failed_move(self, snap_compare: Any, tmp_path: Path,
                           size: tuple[int, int]) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            app: Any = pilot.app
            screen = await _view(pilot)
            w = world(app)
            w.numa_share = 1.0
            server = pick(w, "SHUTOFF")
            screen.servers_table.focus()
            screen.servers_table.cursor_key = server.id
            await pilot.press("M", "enter", "y")
            await wait_for(pilot, lambda: app.backends["hosts"].jobs, "the job")
            w.clock.advance(3600)
            await wait_for(pilot, lambda: not app.backends["hosts"].in_flight(), "the failure")
            app.clear_notifications()
            await pilot.press("j")
            await pilot.pause()

        assert snap_compare(build_app(tmp_path), run_before=run, terminal_size=size)
