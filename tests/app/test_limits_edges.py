"""Speed-limit editor edges: a full day, the status after a preset, the L error text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.app.conftest import loaded, record, wait_for
from tests.app.test_limits import engine, open_editor, with_task
from tui.app import MigdashApp
from tui.screens.forms import InputScreen
from tui.screens.limits_dialogs import PresetPickerScreen
from tui.service import presets as presets_module

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def presets_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The editor's preset store must never touch the operator's real data dir."""
    path = tmp_path / "presets" / "presets.toml"
    monkeypatch.setattr(presets_module, "default_path", lambda: path)
    return path


async def test_a_on_a_fully_covered_day_says_there_is_no_gap(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = with_task(app)
        engine(app).set_speed_limits(src.task_id, [(0, 720, 50, None), (720, 1440, 20, None)])
        editor = await open_editor(pilot, app, src)
        before = list(editor.drafts)
        await pilot.press("a")
        assert editor.drafts == before
        assert "No gap left" in str(editor.query_one("#lim-status").render())


async def test_a_with_a_gap_starts_the_rule_in_it(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = with_task(app)
        engine(app).set_speed_limits(src.task_id, [(0, 600, 50, None), (720, 1440, 20, None)])
        editor = await open_editor(pilot, app, src)
        await pilot.press("a")
        assert editor.drafts[-1].start == "10:00"


async def test_loading_a_preset_replaces_the_saved_status(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = with_task(app)
        engine(app).set_speed_limits(src.task_id, [])
        editor = await open_editor(pilot, app, src)
        await pilot.press("a", "enter", "ctrl+s")
        status = editor.query_one("#lim-status")
        await wait_for(pilot, lambda: "Saved" in str(status.render()), "saved")
        await pilot.press("P")
        assert isinstance(app.screen, PresetPickerScreen)
        await pilot.press("enter")
        await pilot.pause()
        text = str(status.render())
        assert "Saved" not in text and "not saved yet" in text, text


async def test_task_limit_error_names_the_task_once(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = with_task(app)
        editor = await open_editor(pilot, app, src)
        record(app)
        await pilot.press("L")
        assert isinstance(app.screen, InputScreen)
        app.screen.query_one(Input).value = "30"
        engine(app)._drop_task(engine(app).task(src.task_id))
        await pilot.press("enter")
        status = editor.query_one("#lim-status")
        await wait_for(pilot, lambda: "not changed" in str(status.render()), "the failure")
        text = str(status.render())
        assert text.count("Task-level limit") == 1, text
        assert text.count(src.name) <= 1, text


async def test_task_limit_form_error_does_not_repeat_its_label(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        editor = await open_editor(pilot, app, with_task(app))
        await pilot.press("L")
        form = app.screen
        assert isinstance(form, InputScreen) and editor is not form
        form.query_one(Input).value = "fast"
        await pilot.press("enter")
        error = str(form.query_one("#error").render())
        assert error.startswith("✖ ") and "whole number" in error
        assert form.field not in error
