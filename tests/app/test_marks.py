"""Marks on the source list: space marks and moves, mark all shown, clear, bulk lists servers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Static

from tests.app.conftest import loaded, record, wait_for
from tui.app import MigdashApp
from tui.screens.bulk import BulkSummaryScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.tasks import TaskListScreen
from widgets.source_table import SourceTable

SIZE = (120, 40)


def table(app: Any) -> SourceTable:
    return app.screen.query_one(SourceTable)


def footer_keys(app: Any) -> set[str]:
    return {b.binding.action for b in app.screen.active_bindings.values()}


async def test_space_marks_and_moves_down(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        keys = table(app).visible_keys()
        await pilot.press("space", "space", "space")
        assert table(app).marked == set(keys[:3])
        assert table(app).cursor_key == keys[3]


async def test_mark_all_shown_then_unmark_all_and_escape_clears(
    make_app: Callable[..., MigdashApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"db", "enter")
        shown = set(table(app).visible_keys())
        assert 0 < len(shown) < table(app).total_count
        await pilot.press("ctrl+a")
        assert table(app).marked == shown
        await pilot.press("U")
        assert not table(app).marked
        await pilot.press("ctrl+a")
        # escape: first the filter goes (marks stay), then the marks
        await pilot.press("escape")
        assert not table(app).filter_text and table(app).marked == shown
        await pilot.press("escape")
        assert not table(app).marked


async def test_bulk_confirmation_lists_every_server_and_marks_clear_once_sent(
    make_app: Callable[..., MigdashApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        engine = app.client.simulator.engine  # type: ignore[attr-defined]
        ready = [s for s in engine.sources.values()
                 if s.task_id and engine.tasks[s.task_id].state == "READY"][:2]
        running = next(s for s in engine.sources.values()
                       if s.task_id and engine.tasks[s.task_id].state == "RUNNING")
        for src in [*ready, running]:
            table(app).toggle_mark(src.id)
        rec = record(app)
        await pilot.press("s")
        assert isinstance(app.screen, ConfirmScreen)
        listed = str(app.screen.query_one("#item-lines", Static).render())
        for src in [*ready, running]:
            assert src.name in listed
        assert f"{running.name}  skipped: task RUNNING" in listed
        assert str(app.screen.query_one("#yes").label) == "Start (y)"
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkSummaryScreen), "the summary")
        assert len(rec.actions()) == 2
        await pilot.press("escape")
        assert not table(app).marked


async def test_cancelled_bulk_keeps_the_marks(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("space", "space")
        marked = table(app).marked
        await pilot.press("x")
        if isinstance(app.screen, ConfirmScreen):
            await pilot.press("n")
        assert table(app).marked == marked and len(marked) == 2


async def test_task_list_does_not_offer_marks(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskListScreen), "the task list")
        assert "toggle_mark" not in footer_keys(app)
        await pilot.press("space")
        assert not table(app).marked


async def test_read_only_hides_marks_and_s_says_why(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert "toggle_mark" not in footer_keys(app)
        rec = record(app)
        await pilot.press("s")
        await pilot.pause()
        assert any("Read-only" in str(n.message) and "--read-only" in str(n.message)
                   for n in app._notifications)
        assert rec.writes == []


async def test_read_only_task_screen_s_says_why(make_app: Callable[..., MigdashApp]) -> None:
    from tui.screens.task import TaskScreen

    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = next(s for s in app.fleet.snapshot.sources.values() if s.current_task)  # type: ignore[union-attr]
        app.push_screen(TaskScreen(src.current_task.id, src.id))
        await pilot.pause()
        rec = record(app)
        await pilot.press("x")
        await pilot.pause()
        assert any("Read-only" in str(n.message) for n in app._notifications)
        assert rec.writes == []


async def test_bulk_confirmation_buttons_stay_on_an_80x24_screen(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        for key in table(app).visible_keys()[:12]:
            table(app).toggle_mark(key)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.pause()
        yes = app.screen.query_one("#yes")
        assert yes.region.height > 0 and yes.region.bottom <= 24
        assert app.screen.query_one("#items").region.height >= 3
