"""Views 2 (Dedicated hosts) and 3 (ZStack) in an 80x24 SSH window: the columns that say where
capacity is and what is moving stay on screen; the others scroll in with ``right``. And the
task screen spends no line of the 24 on an empty error or pending note."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.app.conftest import loaded, wait_for
from tests.app.test_hosts import open_hosts, world
from tests.app.test_narrow import NARROW, screen_text
from tests.app.test_zstack_view import open_view, zstack_app
from tui.api.exceptions import ApiError
from tui.app import MigdashApp
from tui.screens.task import TaskScreen
from tui.service.poller import DetailPollFailed


def header_with(pilot: Pilot[Any], *labels: str) -> str:
    """The screen line that holds every one of ``labels`` (a table's header)."""
    lines = screen_text(pilot)
    assert all(len(line) == NARROW[0] for line in lines)
    found = [line for line in lines if all(label in line for label in labels)]
    assert found, f"no line with {labels}:\n" + "\n".join(lines)
    return found[0]


async def scroll_all(pilot: Pilot[Any], key: str, *labels: str) -> set[str]:
    """Press ``key`` ten times; every word the header (found by ``labels``) showed meanwhile."""
    seen: set[str] = set()
    for _ in range(10):
        await pilot.press(key)
        await pilot.pause()
        seen |= set(header_with(pilot, *labels).split())
    return seen


async def test_hosts_view_at_80x24_keeps_capacity_and_the_job_in_flight(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        screen = await open_hosts(pilot)
        hosts = header_with(pilot, "Host", "vCPU used")
        for label in ("Host", "State", "vCPU used", "Memory used (GiB)", "Servers"):
            assert label in hosts, label
        for label in ("Type", "AZ", "Auto"):
            assert label not in hosts.split(), label
        assert hosts.rstrip().endswith("▸")
        servers = header_with(pilot, "Server", "Status")
        for label in ("Server", "Status", "Host", "Job"):
            assert label in servers.split(), label
        for label in ("Flavor", "IP", "AZ"):
            assert label not in servers.split(), label
        text = "\n".join(screen_text(pilot))
        assert "3 host and 3 server columns hidden ←/→" in text
        # A host's memory cell (used/total GiB) and server count are on its row.
        w = world(app)
        host = w.hosts[screen.hosts_table.cursor_key]
        row = next(line for line in screen_text(pilot) if host.name in line)
        mem = f"{host.used_ram_mb // 1024}/{host.type.memory_mb // 1024}"
        assert mem in row and row.rstrip().endswith(str(len(host.servers))), row


async def test_hosts_view_right_and_left_scroll_each_tables_hidden_columns(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        screen = await open_hosts(pilot)
        seen = await scroll_all(pilot, "right", "Host", "State", "Servers")
        assert {"Type", "AZ", "Auto"} <= seen
        hosts = header_with(pilot, "Host", "State")
        assert hosts.startswith("◂")
        await scroll_all(pilot, "left", "Host", "State")
        assert "vCPU used" in header_with(pilot, "Host", "State")
        screen.servers_table.focus()
        seen = await scroll_all(pilot, "right", "Server", "Status")
        assert {"Flavor", "IP", "AZ"} <= seen
        assert "vCPU used" in header_with(pilot, "Host", "State")  # the other table stays


async def test_zstack_view_at_80x24_keeps_capacity_and_the_migration(tmp_path: Path) -> None:
    app = zstack_app(tmp_path)
    async with app.run_test(size=NARROW) as pilot:
        screen = await open_view(pilot)
        await pilot.pause()
        hosts = header_with(pilot, "Host", "vCPU used")
        for label in ("Host", "State", "vCPU used", "Memory used", "VMs", "Status"):
            assert label in hosts, label
        assert "Cluster" not in hosts and hosts.rstrip().endswith("▸")
        vms = header_with(pilot, "VM", "Migration")
        for label in ("VM", "State", "Host", "Migration", "CPU", "Mem", "IP"):
            assert label in vms.split(), label
        assert "Cluster" not in vms
        text = "\n".join(screen_text(pilot))
        assert "D: evacuate · 1 column hidden ←/→" in text
        assert "M: migrate · 1 column hidden ←/→" in text
        # The memory bar is drawn to its column's width, its used/total whole.
        host = screen.backend.snapshot.hosts[screen.hosts.cursor_key]
        row = next(line for line in screen_text(pilot) if host.name in line)
        assert f"/{round(host.totalMemoryCapacity / 1024**3)}G " in row, row
        seen = await scroll_all(pilot, "right", "Host", "State", "VMs")
        assert "Cluster" in seen
        assert header_with(pilot, "Host", "State").startswith("◂")


async def test_a_host_name_in_the_hosts_info_line_is_text_not_markup(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_hosts(pilot)
        key = screen.hosts_table.cursor_key
        assert key is not None
        world(app).hosts[key].name = "[b]deh[/b]"
        await pilot.press("r")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert "on [b]deh[/b] (escape: all)" in "\n".join(screen_text(pilot))


async def test_task_screen_at_80x24_starts_the_summary_under_the_title_until_there_is_news(
        make_app: Callable[..., MigdashApp]) -> None:
    app: Any = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await loaded(pilot)
        app.service.intervals.task = 3600.0
        engine = app.client.simulator.engine
        src = next(s for s in engine.sources.values()
                   if s.task_id and engine.tasks[s.task_id].state == "RUNNING")
        app.push_screen(TaskScreen(src.task_id, src.id))
        await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None, "task")
        await pilot.pause()
        lines = screen_text(pilot)
        title = next(i for i, line in enumerate(lines) if src.task_id in line)
        # No error and nothing pending: the summary's first line is right under the title.
        assert lines[title + 1].split()[:1] == ["State"], lines[title: title + 3]
        app.detail_error = DetailPollFailed("task", src.task_id, ApiError("gateway timeout",
                                                                          status=504))
        await pilot.pause()
        lines = screen_text(pilot)
        assert "Could not refresh this task" in lines[title + 1]
        state = next(i for i, line in enumerate(lines) if line.split()[:1] == ["State"])
        assert state > title + 1  # the summary moved down to make room for the error
