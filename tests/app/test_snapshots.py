"""Pictures of every screen (simulator seed and clock fixed; app clock fixed).

Update only after looking at the new picture: ``pytest tests/app/test_snapshots.py
--snapshot-update``, then convert the SVG (``rsvg-convert``) and look at it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.app.conftest import build_app, loaded, wait_for
from tui.screens.detail import SourceDetailScreen
from tui.screens.task import TaskScreen
from widgets.source_table import SourceTable

SIZES = [(120, 40), (160, 48)]


def sim(app: Any) -> Any:
    return app.client.simulator


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "160x48"])
def test_list(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(build_app(tmp_path), terminal_size=size, run_before=loaded)


def test_filtered_list(snap_compare: Any, tmp_path: Path) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await pilot.press("slash", "d", "b")

    assert snap_compare(build_app(tmp_path), terminal_size=(120, 40), run_before=run)


def test_problems_only(snap_compare: Any, tmp_path: Path) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await pilot.press("p")

    assert snap_compare(build_app(tmp_path), terminal_size=(160, 48), run_before=run)


def test_nothing_matches(snap_compare: Any, tmp_path: Path) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await pilot.press("slash", *"no-such-server")

    assert snap_compare(build_app(tmp_path), terminal_size=(120, 40), run_before=run)


def test_empty_fleet(snap_compare: Any, tmp_path: Path) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        engine = sim(pilot.app).engine
        engine.delete_sources([s.id for s in engine.sources.values()
                               if not (s.task_id and engine.tasks[s.task_id].state
                                       in ("RUNNING", "SYNCING", "ABORTING"))])
        for task in list(engine.tasks.values()):
            task.state = "ABORT"
        engine.delete_sources(list(engine.sources))
        version = pilot.app.fleet.snapshot.version
        pilot.app.service.refresh_now()
        await wait_for(pilot, lambda: pilot.app.fleet.snapshot.version > version, "empty poll")
        await pilot.pause()

    assert snap_compare(build_app(tmp_path), terminal_size=(120, 40), run_before=run)


def test_failed_servers(snap_compare: Any, tmp_path: Path) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await pilot.press("e")
        await pilot.pause()

    assert snap_compare(build_app(tmp_path), terminal_size=(160, 48), run_before=run)


def _open_detail(pick: Callable[[Any], bool]) -> Callable[[Pilot[Any]], Any]:
    async def run(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        app: Any = pilot.app
        src = next(s for s in sim(app).engine.sources.values() if pick(s))
        app.screen.query_one(SourceTable).set_filter(src.id)
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None, "detail")
        await pilot.press("e")  # expand the whole tree
        await pilot.pause()
        assert isinstance(app.screen, SourceDetailScreen)

    return run


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "160x48"])
def test_detail_with_error_check(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    pick = lambda s: s.state == "unavailable" and s.os_type == "LINUX"  # noqa: E731
    assert snap_compare(build_app(tmp_path), terminal_size=size, run_before=_open_detail(pick))


def test_detail_lvm_and_btrfs(snap_compare: Any, tmp_path: Path) -> None:
    from tui.sim.fleet import layout

    pick = lambda s: bool(layout(s)["btrfs_list"] or layout(s)["volume_groups"])  # noqa: E731
    assert snap_compare(build_app(tmp_path, sources=80), terminal_size=(160, 48),
                        run_before=_open_detail(pick))


def test_help(snap_compare: Any, tmp_path: Path) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(build_app(tmp_path), terminal_size=(160, 48), run_before=run)


def test_reconnecting_header(snap_compare: Any, tmp_path: Path) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        app: Any = pilot.app
        sim(app).faults.set("503=1")
        for _ in range(2):
            failures = app.service.status.failures
            app.service.refresh_now()
            await wait_for(pilot, lambda: app.service.status.failures > failures, "failed poll")
        await pilot.pause()

    assert snap_compare(build_app(tmp_path, faults="latency=0ms"), terminal_size=(120, 40),
                        run_before=run)


def _open_task(pick: Callable[[Any, Any], bool]) -> Callable[[Pilot[Any]], Any]:
    async def run(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        app: Any = pilot.app
        app.service.intervals.task = 3600.0
        engine = sim(app).engine
        src = next(s for s in engine.sources.values()
                   if s.task_id and pick(s, engine.tasks[s.task_id]))
        app.push_screen(TaskScreen(src.task_id, src.id))
        await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None, "task")
        await pilot.pause()

    return run


def test_task_mid_replication(snap_compare: Any, tmp_path: Path) -> None:
    pick = lambda s, t: t.state == "RUNNING" and s.connected and 0.2 < t.replicated / t.totalsize < 0.8  # noqa: E731
    opener = _open_task(pick)

    async def run(pilot: Pilot[Any]) -> None:
        await opener(pilot)
        app: Any = pilot.app
        # Fifteen polls, a simulated minute apart: the sparkline has a history to draw.
        for _ in range(15):
            before = len(app.task_detail.history)
            sim(app).clock.advance(60)
            app.service.refresh_now()
            await wait_for(pilot, lambda: len(app.task_detail.history) > before, "a task poll")
        await pilot.pause()

    assert snap_compare(build_app(tmp_path), terminal_size=(160, 48), run_before=run)


def test_task_failed_with_decoded_error(snap_compare: Any, tmp_path: Path) -> None:
    pick = lambda s, t: t.state == "MIGRATE_FAIL"  # noqa: E731
    assert snap_compare(build_app(tmp_path), terminal_size=(160, 48), run_before=_open_task(pick))


def test_confirm_stop(snap_compare: Any, tmp_path: Path) -> None:
    pick = lambda s, t: t.state == "RUNNING" and s.connected  # noqa: E731
    opener = _open_task(pick)

    async def run(pilot: Pilot[Any]) -> None:
        await opener(pilot)
        await pilot.press("x")
        await pilot.pause()

    assert snap_compare(build_app(tmp_path), terminal_size=(120, 40), run_before=run)
