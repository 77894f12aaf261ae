"""Pictures of the bulk summary, the task list and a stalled row (seeded simulator, fixed clocks).

Update only after looking at the new picture: ``pytest tests/app/test_snapshots_bulk.py
--snapshot-update``, then convert the SVG (``rsvg-convert``) and look at it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.app.conftest import build_app, loaded, wait_for
from tui.screens.bulk import BulkSummaryScreen
from tui.screens.tasks import TaskListScreen
from widgets.source_table import SourceTable


def sim(app: Any) -> Any:
    return app.client.simulator


class TestBulkSummary:
    def test_start_over_marked_servers(self, snap_compare: Any, tmp_path: Path) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await loaded(pilot)
            app: Any = pilot.app
            engine = sim(app).engine
            table = app.screen.query_one(SourceTable)
            marked = table.visible_keys()[:14]
            for sid in marked:
                table.toggle_mark(sid)
            # One startable server whose agent just went away: SMS refuses it (SMS.6603).
            away = next(sid for sid in marked if engine.sources[sid].task_id
                        and engine.tasks[engine.sources[sid].task_id].state == "READY")
            engine.sources[away].connected = False
            await pilot.press("s", "y")
            await wait_for(pilot, lambda: isinstance(app.screen, BulkSummaryScreen), "summary")
            await pilot.pause()

        assert snap_compare(build_app(tmp_path), terminal_size=(120, 40), run_before=run)


class TestTaskList:
    def test_every_task(self, snap_compare: Any, tmp_path: Path) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await loaded(pilot)
            app: Any = pilot.app
            await pilot.press("k")
            await wait_for(pilot, lambda: isinstance(app.screen, TaskListScreen)
                           and app.screen.table.total_count > 0, "the task list")
            await pilot.pause()

        assert snap_compare(build_app(tmp_path), terminal_size=(160, 48), run_before=run)


class TestStalledRow:
    def test_flagged_in_the_list_with_its_toast(self, snap_compare: Any, tmp_path: Path) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await loaded(pilot)
            app: Any = pilot.app
            app.service.intervals.fleet = 3600.0  # only the polls below
            engine = sim(app).engine
            src = next(s for s in engine.sources.values() if s.name == "batch-stg-000")
            src.bandwidth_mbit = 0.0  # connected, but nothing moves
            for version in range(app.fleet.snapshot.version, app.fleet.snapshot.version + 3):
                sim(app).clock.advance(60)
                app.service.refresh_now()
                await wait_for(pilot, lambda v=version: app.fleet.snapshot.version > v, "a poll")
            assert src.id in app.fleet.stalls.stalled
            await pilot.press("p")  # problems only: the stalled rows are among them
            await pilot.pause()

        assert snap_compare(build_app(tmp_path), terminal_size=(160, 48), run_before=run)
