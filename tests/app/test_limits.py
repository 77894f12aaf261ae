"""The speed-limit editor, driven by keys against the in-process simulator.

Every test records the requests that reached the simulator's ASGI app (not what the client
meant to send), so "one POST with this JSON" and "nothing sent" are checked where it counts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from tests.app.conftest import loaded, record, wait_for
from tui.app import MigdashApp
from tui.screens.bulk import BulkSummaryScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.detail import SourceDetailScreen
from tui.screens.forms import InputScreen
from tui.screens.limits import SpeedLimitScreen
from tui.screens.limits_dialogs import PresetPickerScreen
from tui.screens.sources import SourceListScreen
from tui.service import presets as presets_module
from tui.service.schedule import RuleDraft
from widgets.source_table import SourceTable

SIZE = (160, 48)


@pytest.fixture(autouse=True)
def presets_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The editor's preset store must never touch the operator's real data dir."""
    path = tmp_path / "presets" / "presets.toml"
    monkeypatch.setattr(presets_module, "default_path", lambda: path)
    return path


def engine(app: Any) -> Any:
    return app.client.simulator.engine


def with_task(app: Any) -> Any:
    return next(s for s in engine(app).sources.values() if s.task_id)


async def open_editor(pilot: Any, app: Any, src: Any) -> SpeedLimitScreen:
    """From the source detail, ``l`` opens the editor; wait for the rules to be read."""
    app.push_screen(SourceDetailScreen(src.id))
    await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None, "detail")
    await pilot.press("l")
    await wait_for(pilot, lambda: isinstance(app.screen, SpeedLimitScreen) and app.screen.loaded,
                   "the rules to be read")
    await pilot.pause()
    return app.screen  # type: ignore[return-value]


async def type_rule(pilot: Any, start: str, end: str, speed: str, threshold: str) -> None:
    """Fill the open field editor (each field's text is selected on focus, so typing replaces)."""
    for k, value in enumerate((start, end, speed, threshold)):
        if k:
            await pilot.press("tab")
        await pilot.press(*value) if value else await pilot.press("backspace")
    await pilot.press("enter")


async def test_edit_then_save_posts_exactly_the_schedule_and_shows_the_server(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = with_task(app)
        engine(app).set_speed_limits(src.task_id, [(60, 120, 7, None)])
        editor = await open_editor(pilot, app, src)
        assert editor.drafts == [RuleDraft("01:00", "02:00", "7", "")]
        rec = record(app)
        await pilot.press("d")
        assert editor.drafts == [] and editor.has_unsaved_changes
        await pilot.press("a")
        assert isinstance(app.focused, Input) and app.focused.id == "lim-start"
        await type_rule(pilot, "0:00", "8:00", "50", "15")
        await pilot.press("a")
        await type_rule(pilot, "8:00", "23:59", "10", "")
        assert editor.drafts == [RuleDraft("0:00", "8:00", "50", "15"),
                                 RuleDraft("8:00", "23:59", "10", "")]
        assert "unsaved" in str(editor.query_one("#lim-title").render())
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not editor.has_unsaved_changes, "the read-back")
        task_id = src.task_id
        assert rec.writes == [("POST", f"/v3/tasks/{task_id}/speed-limit", {"speed_limit": [
            {"start": "00:00", "end": "08:00", "speed": 50, "over_speed_threshold": 15.0},
            {"start": "08:00", "end": "23:59", "speed": 10},
        ]})]
        assert ("GET", f"/v3/tasks/{task_id}/speed-limit") in [(m, p) for m, p, _ in rec.seen]
        assert engine(app).task(task_id).rules == [(0, 480, 50, 15.0), (480, 1440, 10, None)]
        # the screen now shows what the server holds, written HH:MM
        assert editor.drafts == [RuleDraft("00:00", "08:00", "50", "15"),
                                 RuleDraft("08:00", "23:59", "10", "")]
        assert "unsaved" not in str(editor.query_one("#lim-title").render())
        await wait_for(pilot, lambda: "server now holds 2 rule(s)" in str(
            editor.query_one("#lim-status").render()), "the saved note")


async def test_an_invalid_schedule_posts_nothing(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = with_task(app)
        engine(app).set_speed_limits(src.task_id, [(480, 720, 20, None)])
        editor = await open_editor(pilot, app, src)
        rec = record(app)
        await pilot.press("D")  # the copy moves to 12:00–16:00; make it overlap the original
        await type_rule(pilot, "11:00", "13:00", "10001", "")
        problems = str(editor.query_one("#lim-problems").render())
        assert "Cannot save" in problems
        rows = [str(c) for c in editor.query_one("#lim-rules").get_row_at(0)]  # type: ignore[attr-defined]
        assert "overlaps rule 2" in rows[-1]
        rows = [str(c) for c in editor.query_one("#lim-rules").get_row_at(1)]  # type: ignore[attr-defined]
        assert "overlaps rule 1" in rows[-1] and "0–10000" in rows[-1]
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert rec.writes == []
        assert engine(app).task(src.task_id).rules == [(480, 720, 20, None)]
        assert isinstance(app.screen, SpeedLimitScreen) and len(editor.drafts) == 2


async def test_the_reason_stands_next_to_the_field_as_you_type(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = with_task(app)
        engine(app).set_speed_limits(src.task_id, [])
        editor = await open_editor(pilot, app, src)
        await pilot.press("a")
        await pilot.press(*"25:00")
        assert "not a time" in str(editor.query_one("#lim-why-start").render())
        await pilot.press(*["backspace"] * 5, *"9:00", "tab", *"7:00")
        assert str(editor.query_one("#lim-why-start").render()) == ""
        assert "must be after the start 09:00" in str(editor.query_one("#lim-why-end").render())
        assert "must be after the start" in str(editor.query_one("#lim-problems").render())
        await pilot.press("shift+tab", *"6:00")
        assert str(editor.query_one("#lim-why-start").render()) == ""
        assert str(editor.query_one("#lim-why-end").render()) == ""
        await pilot.press("tab", "tab", "tab", *"101")
        assert "0–100 %" in str(editor.query_one("#lim-why-threshold").render())


async def test_escape_with_unsaved_changes_asks_before_discarding(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = with_task(app)
        engine(app).set_speed_limits(src.task_id, [(0, 60, 5, None)])
        editor = await open_editor(pilot, app, src)
        rec = record(app)
        await pilot.press("escape")  # nothing changed: straight back
        assert isinstance(app.screen, SourceDetailScreen)
        editor = await open_editor(pilot, app, src)
        await pilot.press("a")
        await pilot.press("escape")  # closes the field editor only
        assert isinstance(app.screen, SpeedLimitScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.screen is editor and len(editor.drafts) == 2
        await pilot.press("q")  # the app's quit asks too
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.press("escape")
        await pilot.press("y")
        assert isinstance(app.screen, SourceDetailScreen)
        assert rec.writes == []
        assert engine(app).task(src.task_id).rules == [(0, 60, 5, None)]


async def test_bulk_apply_over_marked_servers_reports_each(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        t = app.screen.query_one(SourceTable)
        tasked = [s for s in engine(app).sources.values() if s.task_id][:3]
        bare = next(s for s in engine(app).sources.values() if not s.task_id)
        for src in [*tasked, bare]:
            t.cursor_key = src.id
            await pilot.press("space")
        assert t.marked == {s.id for s in [*tasked, bare]}
        rec = record(app)
        await pilot.press("l")
        assert isinstance(app.screen, SpeedLimitScreen) and app.screen.targets is not None
        editor = app.screen
        await pilot.press("P")
        assert isinstance(app.screen, PresetPickerScreen)
        await pilot.press("enter")  # the first preset: business hours, nights free
        assert editor.drafts == [RuleDraft("08:00", "18:00", "20", "")]
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ConfirmScreen)
        assert "3 tasks" in str(app.screen.query_one("#title").render())
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkSummaryScreen), "the summary")
        summary = app.screen.summary  # type: ignore[attr-defined]
        by_label = {o.label: (o.status, o.reason) for o in summary.outcomes}
        assert by_label == {**{s.name: ("ok", "") for s in tasked},
                            bare.name: ("skipped", "no migration task")}
        body = {"speed_limit": [{"start": "08:00", "end": "18:00", "speed": 20}]}
        assert sorted(rec.writes) == sorted(
            ("POST", f"/v3/tasks/{s.task_id}/speed-limit", body) for s in tasked)
        for s in tasked:
            assert engine(app).task(s.task_id).rules == [(480, 1080, 20, None)]
        await pilot.press("escape")
        assert app.screen is editor and not editor.has_unsaved_changes


async def test_read_only_opens_view_only_and_sends_nothing(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = with_task(app)
        engine(app).set_speed_limits(src.task_id, [(480, 1080, 20, None)])
        assert isinstance(app.screen, SourceListScreen)
        app.screen.query_one(SourceTable).cursor_key = src.id
        rec = record(app)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, SpeedLimitScreen) and app.screen.loaded,
                       "the editor, view-only")
        editor = app.screen
        assert isinstance(editor, SpeedLimitScreen)
        shown = {b.binding.action for b in editor.active_bindings.values()}
        assert {"back", "set_offset", "reload"} <= shown
        assert not shown & {"add_rule", "edit_rule", "delete_rule", "duplicate_rule", "save",
                            "edit_task_limit", "load_preset"}
        for key in ("a", "enter", "d", "D", "ctrl+s", "L", "P"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is editor, key
        assert editor.drafts == [RuleDraft("08:00", "18:00", "20", "")]
        assert "L changes it" not in str(editor.query_one("#lim-task").render())
        await pilot.press("escape")
        assert isinstance(app.screen, SourceListScreen)
        assert rec.writes == [] and not app.commands.audit.path.exists()


async def test_a_server_error_is_decoded_and_the_edit_stays(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = with_task(app)
        engine(app).set_speed_limits(src.task_id, [])
        editor = await open_editor(pilot, app, src)
        await pilot.press("a", "enter")
        engine(app)._drop_task(engine(app).task(src.task_id))  # gone behind the operator's back
        await pilot.press("ctrl+s")
        status = editor.query_one("#lim-status")
        await wait_for(pilot, lambda: "Not saved" in str(status.render()), "the failure")
        assert "SMS.7703" in str(status.render())
        assert editor.drafts == [RuleDraft("08:00", "18:00", "20", "")]
        assert editor.has_unsaved_changes and app.screen is editor


async def test_task_level_limit_is_shown_and_changed_with_put(
        make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = with_task(app)
        engine(app).task(src.task_id).speed_limit = 200
        editor = await open_editor(pilot, app, src)
        assert "200 Mbit/s" in str(editor.query_one("#lim-task").render())
        rec = record(app)
        await pilot.press("L")
        assert isinstance(app.screen, InputScreen)
        app.screen.query_one(Input).value = "30"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "30 Mbit/s" in str(editor.query_one("#lim-task").render()),
                       "the new limit read back")
        assert rec.writes == [("PUT", f"/v3/tasks/{src.task_id}", {"speed_limit": 30})]
        assert engine(app).task(src.task_id).speed_limit == 30


async def test_a_schedule_saved_as_a_preset_loads_into_another_task(
        make_app: Callable[..., MigdashApp], presets_in_tmp: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        first, second = [s for s in engine(app).sources.values() if s.task_id][:2]
        engine(app).set_speed_limits(first.task_id, [(0, 360, 300, 10.0)])
        engine(app).set_speed_limits(second.task_id, [])
        await open_editor(pilot, app, first)
        await pilot.press("p")
        assert isinstance(app.screen, InputScreen)
        app.screen.query_one(Input).value = "nights 300"
        await pilot.press("enter")
        assert presets_in_tmp.exists() and "nights 300" in presets_in_tmp.read_text()
        await pilot.press("escape", "escape")
        editor = await open_editor(pilot, app, second)
        await pilot.press("P")
        picker = app.screen
        assert isinstance(picker, PresetPickerScreen)
        assert [p.name for p in picker.presets][-1] == "nights 300"
        await pilot.press("end", "enter")
        assert editor.drafts == [RuleDraft("00:00", "06:00", "300", "10")]
        assert editor.has_unsaved_changes
