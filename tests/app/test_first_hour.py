"""Rough edges of the first hour: a failed server says why, "no task" is a filter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import SelectionList, Static

from tests.app.conftest import loaded, wait_for
from tui.app import MigdashApp
from tui.screens.detail import SourceDetailScreen
from widgets.source_table import SourceTable

SIZE = (120, 40)


async def test_failed_source_detail_shows_the_decoded_error_and_what_to_do(
    make_app: Callable[..., MigdashApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        errors = app.fleet.snapshot.errors  # type: ignore[union-attr]
        assert errors, "the simulator has failed servers"
        app.push_screen(SourceDetailScreen(errors[0].source_id))
        await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None, "detail")
        await pilot.pause()
        note = str(app.screen.query_one("#failure", Static).render())
        assert note.startswith("✖ Failed: SMS.") and "What to do:" in note, note


async def test_healthy_source_detail_has_no_failure_note(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        failed = {e.source_id for e in app.fleet.snapshot.errors}  # type: ignore[union-attr]
        key = next(k for k, s in app.fleet.snapshot.sources.items()  # type: ignore[union-attr]
                   if k not in failed and s.state == "finished")
        app.push_screen(SourceDetailScreen(key))
        await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None, "detail")
        assert not app.screen.query_one("#failure", Static).display


async def test_state_picker_offers_no_task(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("f")
        picker = app.screen.query_one(SelectionList)
        labels = {str(picker.get_option_at_index(i).prompt): picker.get_option_at_index(i).value
                  for i in range(picker.option_count)}
        label = next(k for k in labels if "no task" in k)
        assert labels[label] == "unconfigured"
        order = [picker.get_option_at_index(i).value for i in range(picker.option_count)]
        await pilot.press(*["down"] * order.index("unconfigured"), "space", "enter")
        await pilot.pause()
        table = app.screen.query_one(SourceTable)
        sources: Any = app.fleet.snapshot.sources  # type: ignore[union-attr]
        bare = {k for k, s in sources.items() if s.current_task is None}
        assert bare and set(table.visible_keys()) == bare
        assert "states: no task" in str(app.screen.query_one("#info", Static).render())
