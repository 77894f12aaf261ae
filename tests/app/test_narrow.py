"""An 80x24 SSH window: what an operator must see without scrolling or resizing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from tests.app.conftest import loaded
from tui.app import MigdashApp
from widgets.source_table import SourceTable

NARROW = (80, 24)


def screen_text(pilot: Pilot[Any]) -> list[str]:
    """The screen's lines as a person sees them (the compositor's output, no styles)."""
    return [strip.text for strip in pilot.app.screen._compositor.render_strips()]


async def test_list_at_80x24_shows_state_name_progress_task_and_problem_counts(
    make_app: Callable[..., MigdashApp],
) -> None:
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await loaded(pilot)
        lines = screen_text(pilot)
        assert all(len(line) == 80 for line in lines)
        screen = "\n".join(lines)
        header = next(line for line in lines if "State" in line and "Name" in line)
        for label in ("State", "Name", "Progress", "Task", "Speed"):
            assert label in header, label
        assert header.rstrip().endswith("▸")  # columns are hidden to the right
        fleet = app.fleet.snapshot.overview  # type: ignore[union-attr]
        assert f"✖ error {fleet.error}" in screen
        assert f"⊘ unavailable {fleet.unavailable}" in screen
        assert "columns hidden ←/→" in screen
        table = app.screen.query_one(SourceTable)
        row = table.row(table.cursor_key or "")
        assert row is not None
        assert row["name"] in screen
        # the progress cell shows its percentage, the task cell its state
        assert "%" in screen and any(s in screen for s in ("RUNNING", "MIGRATE_", "READY"))


async def test_right_and_left_scroll_hidden_columns_into_view(
    make_app: Callable[..., MigdashApp],
) -> None:
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await loaded(pilot)
        header = next(line for line in screen_text(pilot) if "State" in line)
        assert "IP" not in header.split() and "Changed" not in header
        seen = set(header.split())
        for _ in range(10):
            await pilot.press("right")
            await pilot.pause()
            seen |= set(next(line for line in screen_text(pilot) if "State" in line).split())
        assert {"IP", "OS", "Stage", "ETA", "Agent", "Changed"} <= seen
        header = next(line for line in screen_text(pilot) if "State" in line)
        assert header.startswith("◂") and "Name" in header
        for _ in range(10):
            await pilot.press("left")
        await pilot.pause()
        header = next(line for line in screen_text(pilot) if "State" in line)
        assert not header.startswith("◂") and "Progress" in header


async def test_header_at_40_columns_says_whether_it_is_online(
    make_app: Callable[..., MigdashApp],
) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(40, 12)) as pilot:
        await loaded(pilot)
        header = screen_text(pilot)[0]
        assert "● online" in header and "READ-ONLY" in header, header


async def test_help_fits_in_80_columns(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        lines = screen_text(pilot)
        # The thick border's both sides are on screen: the box is inside the 80 columns.
        top = next(i for i, line in enumerate(lines) if "▀▀▀▀" in line)
        body = lines[top + 1 : top + 6]
        assert any("migdash keys" in line for line in body)
        assert all(line.startswith("█") and line.endswith("█") for line in body), body


async def test_filter_db_does_not_match_inside_an_id(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await loaded(pilot)
        table = app.screen.query_one(SourceTable)
        await pilot.press("slash", "d", "b")
        await pilot.pause()
        names = [table.row(k)["name"] for k in table.visible_keys()]  # type: ignore[index]
        assert names and all("db" in str(n).lower() for n in names), names


async def test_nothing_matches_is_said_at_80x24_even_scrolled_down(
    make_app: Callable[..., MigdashApp],
) -> None:
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await loaded(pilot)
        await pilot.press("end", "slash", *"no-such-server")
        await pilot.pause()
        assert any("Nothing matches the filter" in line for line in screen_text(pilot))


async def test_p_shows_why_each_row_is_a_problem_at_80_columns(
    make_app: Callable[..., MigdashApp],
) -> None:
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await loaded(pilot)
        await pilot.press("p")
        await pilot.pause()
        table = app.screen.query_one(SourceTable)
        keys = table.visible_keys()
        assert keys
        for key in keys:
            row = table.row(key)
            assert row is not None and str(row["problem"]).strip(), row["name"]
        lines = screen_text(pilot)
        header = next(line for line in lines if "State" in line and "Name" in line)
        assert "Problem" in header
        # a finished or syncing server kept by a WARN check names the check
        fleet = app.fleet.snapshot.sources  # type: ignore[union-attr]
        warned = [k for k in keys if fleet[k].state in ("finished", "syncing")]
        for key in warned:
            assert "▲" in str(table.row(key)["problem"]) or "⚠" in str(table.row(key)["problem"])  # type: ignore[index]
        await pilot.press("p")
        await pilot.pause()
        header = next(line for line in screen_text(pilot) if "State" in line)
        assert "Problem" not in header


async def test_detail_stacks_facts_over_the_disk_tree_at_80_columns(
    make_app: Callable[..., MigdashApp],
) -> None:
    from tests.app.conftest import wait_for
    from tui.screens.detail import SourceDetailScreen

    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None, "detail")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SourceDetailScreen) and screen.has_class("-narrow")
        left, right = screen.query_one("#left"), screen.query_one("#right")
        assert right.region.y > left.region.y and right.region.width >= 78
        assert any("%" in line for line in screen_text(pilot)[right.region.y:])
