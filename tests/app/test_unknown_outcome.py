"""A write whose answer is lost shows "outcome unknown — checking", then what the server shows;
never "failed" (pilot tests; faults from the simulator's injector, requests recorded at it)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.app.conftest import loaded, record, wait_for
from tests.app.test_task_actions import SIZE, open_task, sent
from tui.app import MigdashApp
from tui.screens.bulk import BulkSummaryScreen
from tui.screens.task import TaskScreen
from widgets.source_table import SourceTable


def notes(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


def audit(tmp_path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]


def quick(app: Any) -> None:
    app.commands.verify_delays = (0.05, 0.1, 0.2)  # re-read at once: the simulator is in-process


async def test_stop_with_a_truncated_answer_is_checked_and_shown_as_done(
        make_app: Callable[..., MigdashApp], tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        task, rec = await open_task(pilot, "RUNNING")
        quick(app)
        app.client.simulator.faults.set("truncate=1@POST /v3/tasks/*")
        await pilot.press("x", "y")
        await sent(pilot, rec)
        await wait_for(pilot, lambda: any("accepted" in n for n in notes(app)), "the result")
        assert any("stop: outcome unknown — checking" in n for n in notes(app))
        assert not any("failed" in n for n in notes(app))
        assert any("took effect" in n and "ABORTING" in n for n in notes(app))
        assert rec.actions() == [(task.id, "stop")]  # checked by reading, never re-sent
        assert [r["outcome"] for r in audit(tmp_path)] == ["unknown", "ok"]


async def test_stop_lost_by_a_reset_stays_unknown_and_pending(
        make_app: Callable[..., MigdashApp], tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        task, rec = await open_task(pilot, "RUNNING")
        quick(app)
        app.client.simulator.faults.set("reset=1@POST /v3/tasks/*")
        await pilot.press("x", "y")
        await sent(pilot, rec)
        screen = app.screen
        assert isinstance(screen, TaskScreen)
        await wait_for(pilot, lambda: (screen.pending_note or "").startswith("? stop"),
                       "the verified result")
        pending = str(screen.query_one("#pending").render())
        assert "outcome unknown" in pending and "as before" in pending
        assert not any("stop failed" in n for n in notes(app))
        # The stop may still land: a second x sends nothing.
        await pilot.press("x")
        await pilot.pause(0.2)
        assert rec.actions() == [(task.id, "stop")]
        assert any("still pending" in n for n in notes(app))
        records = audit(tmp_path)
        assert [r["outcome"] for r in records] == ["unknown", "unknown"]
        assert "as before" in records[1]["verified"]


async def test_bulk_summary_lists_unknown_outcomes_with_what_the_server_shows(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app(sources=80, seed=4)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        quick(app)
        engine = app.client.simulator.engine
        t = app.screen.query_one(SourceTable)
        ready = [sid for sid in t.visible_keys() if engine.sources[sid].task_id
                 and engine.tasks[engine.sources[sid].task_id].state == "READY"
                 and engine.sources[sid].connected][:2]
        assert len(ready) == 2, "the seed has two startable servers"
        for sid in ready:
            t.toggle_mark(sid)
        await pilot.pause()
        rec = record(app)
        # The first start's answer is cut short (it starts); the second is lost to a reset
        # before the simulator sees it (it does not).
        first, second = (engine.sources[sid].task_id for sid in ready)
        app.client.simulator.faults.set(f"truncate=1@POST /v3/tasks/{first}/*;"
                                        f"reset=1@POST /v3/tasks/{second}/*")
        await pilot.press("s", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkSummaryScreen), "the summary")
        await pilot.pause()
        summary = app.screen.summary
        by_task = {o.target: o for o in summary.outcomes}
        assert by_task[first].status == "ok" and "took effect" in by_task[first].reason
        assert by_task[second].status == "unknown" and "as before" in by_task[second].reason
        assert summary.count("failed") == 0
        counts = str(app.screen.query_one("#bulk-counts").render())
        assert "1 unknown" in counts and "1 accepted" in counts
        rows = str(app.screen.query_one("#bulk-table").render())
        assert "unknown" in rows and "outcome unknown" in rows
        assert sorted(rec.actions()) == sorted([(first, "start"), (second, "start")])


async def open_detail(pilot: Pilot[Any], app: Any) -> Any:
    from tui.screens.detail import SourceDetailScreen

    await loaded(pilot)
    engine = app.client.simulator.engine
    src = next(s for s in engine.sources.values() if not s.task_id)  # deletable
    app.open_source(src.id)
    await wait_for(pilot, lambda: isinstance(app.screen, SourceDetailScreen)
                   and app.screen.detail is not None, "the source detail")
    return src


async def test_a_refused_source_delete_says_failed_with_the_reason(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        src = await open_detail(pilot, app)
        app.client.simulator.faults.set("500=1@DELETE /v3/sources/*")
        await pilot.press("ctrl+d", "y")
        await wait_for(pilot, lambda: any("Delete" in n for n in notes(app)), "the result")
        assert any(f"Delete {src.name} failed: SMS.9999" in n for n in notes(app)), notes(app)
        assert not any("Internal error" in str(n.title) for n in app._notifications)


async def test_a_source_delete_whose_answer_is_cut_is_checked(
        make_app: Callable[..., MigdashApp], tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        src = await open_detail(pilot, app)
        quick(app)
        app.client.simulator.faults.set("truncate=1@DELETE /v3/sources/*")
        await pilot.press("ctrl+d", "y")
        await wait_for(pilot, lambda: any("deleted" in n for n in notes(app)), "the result")
        assert any("outcome unknown — checking" in n for n in notes(app))
        assert src.id not in app.client.simulator.engine.sources
        records = audit(tmp_path)
        assert [r["outcome"] for r in records] == ["unknown", "ok"]
        assert records[1]["verified"] == "the source no longer exists"
