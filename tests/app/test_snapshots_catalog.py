"""Pictures of the templates and migration-projects screens and the forms (seeded simulator,
fixed clocks). Update only after looking at the new picture (see tests/app/test_snapshots.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.app.conftest import build_app, loaded, wait_for
from tui.screens.projects import ProjectsScreen
from tui.screens.templates import TemplatesScreen
from widgets.form import FormScreen
from widgets.source_table import SourceTable

SIZES = [(120, 40), (160, 48)]


async def templates_open(pilot: Pilot[Any]) -> None:
    app: Any = pilot.app
    await loaded(pilot)
    await pilot.press("V")
    await wait_for(pilot, lambda: isinstance(app.screen, TemplatesScreen) and app.screen.loaded,
                   "the templates")
    await pilot.pause()


class TestTemplates:
    @pytest.mark.parametrize("size", SIZES, ids=["120x40", "160x48"])
    def test_list(self, snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
        assert snap_compare(build_app(tmp_path), terminal_size=size, run_before=templates_open)

    def test_modify_form(self, snap_compare: Any, tmp_path: Path) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            app: Any = pilot.app
            await templates_open(pilot)
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), "the form")
            # A typed password stays masked in the picture.
            app.screen.query_one("#field-target_password", Input).value = "do-not-show-me"
            await pilot.pause()

        assert snap_compare(build_app(tmp_path), terminal_size=(120, 40), run_before=run)


class TestProjects:
    def test_list(self, snap_compare: Any, tmp_path: Path) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            app: Any = pilot.app
            await loaded(pilot)
            await pilot.press("P")
            await wait_for(pilot, lambda: isinstance(app.screen, ProjectsScreen)
                           and app.screen.loaded, "the projects")
            await pilot.press("down")
            await pilot.pause()

        assert snap_compare(build_app(tmp_path), terminal_size=(160, 48), run_before=run)


class TestCreateTask:
    def test_form_with_a_validation_error(self, snap_compare: Any, tmp_path: Path) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            app: Any = pilot.app
            await loaded(pilot)
            sim = app.client.simulator.engine
            free = next(s for s in sim.sources.values()
                        if not s.task_id and s.state != "unavailable")
            app.screen.query_one(SourceTable).cursor_key = free.id
            await pilot.press("C")
            await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), "the form")
            app.screen.query_one("#field-speed_limit", Input).value = "20000"
            await pilot.press("ctrl+s")
            await pilot.pause()

        assert snap_compare(build_app(tmp_path), terminal_size=(120, 40), run_before=run)
