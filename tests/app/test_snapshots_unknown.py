"""Pictures of writes whose answer was lost: the bulk summary and the task screen.

Update only after looking at the new picture: ``pytest tests/app/test_snapshots_unknown.py
--snapshot-update``, then convert the SVG (``rsvg-convert``) and look at it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.app.conftest import build_app, loaded, wait_for
from tui.screens.bulk import BulkSummaryScreen
from tui.screens.task import TaskScreen
from widgets.source_table import SourceTable


def test_bulk_summary_with_unknown_outcomes(snap_compare: Any, tmp_path: Path) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        app: Any = pilot.app
        app.commands.verify_delays = (0.05, 0.1)
        engine = app.client.simulator.engine
        table = app.screen.query_one(SourceTable)
        ready = [sid for sid in table.visible_keys() if engine.sources[sid].task_id
                 and engine.tasks[engine.sources[sid].task_id].state == "READY"
                 and engine.sources[sid].connected][:3]
        for sid in ready:
            table.toggle_mark(sid)
        cut, lost, _ = (engine.sources[sid].task_id for sid in ready)
        app.client.simulator.faults.set(f"truncate=1@POST /v3/tasks/{cut}/*;"
                                        f"reset=1@POST /v3/tasks/{lost}/*")
        await pilot.press("s", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkSummaryScreen), "summary")
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(build_app(tmp_path), terminal_size=(120, 40), run_before=run)


def test_task_screen_after_a_stop_whose_answer_was_lost(snap_compare: Any,
                                                        tmp_path: Path) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        app: Any = pilot.app
        app.commands.verify_delays = (0.05, 0.1)
        app.service.intervals.task = 3600.0
        engine = app.client.simulator.engine
        task = next(t for t in engine.tasks.values() if t.state == "RUNNING"
                    and engine.sources[t.source_id].connected)
        app.push_screen(TaskScreen(task.id, task.source_id))
        await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None, "task")
        app.client.simulator.faults.set("reset=1@POST /v3/tasks/*")
        await pilot.press("x", "y")
        await wait_for(pilot, lambda: (app.screen.pending_note or "").startswith("? stop"),
                       "the checked result")
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(build_app(tmp_path), terminal_size=(80, 24), run_before=run)
