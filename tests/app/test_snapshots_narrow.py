"""Pictures of the main screens in an 80x24 SSH window (a jump host's default).

Update only after looking at each picture: ``pytest tests/app/test_snapshots_narrow.py
--snapshot-update``, then ``rsvg-convert -w 1600`` and look.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.app.conftest import build_app, loaded
from tests.app.test_snapshots import _open_detail, _open_task
from tests.app.test_snapshots_limits import THREE_RULES, open_editor

NARROW = (80, 24)


class TestNarrow:
    """List, detail, task, limits and help at 80x24."""

    def test_list(self, snap_compare: Any, tmp_path: Path) -> None:
        assert snap_compare(build_app(tmp_path), terminal_size=NARROW, run_before=loaded)

    def test_list_scrolled_right(self, snap_compare: Any, tmp_path: Path) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await loaded(pilot)
            await pilot.press("right", "right")
            await pilot.pause()

        assert snap_compare(build_app(tmp_path), terminal_size=NARROW, run_before=run)

    def test_detail(self, snap_compare: Any, tmp_path: Path) -> None:
        pick = lambda s: s.state == "unavailable" and s.os_type == "LINUX"  # noqa: E731
        assert snap_compare(build_app(tmp_path), terminal_size=NARROW,
                            run_before=_open_detail(pick))

    def test_task(self, snap_compare: Any, tmp_path: Path) -> None:
        pick = lambda s, t: t.state == "RUNNING" and s.connected  # noqa: E731
        assert snap_compare(build_app(tmp_path), terminal_size=NARROW,
                            run_before=_open_task(pick))

    def test_limits(self, snap_compare: Any, tmp_path: Path) -> None:
        assert snap_compare(build_app(tmp_path), terminal_size=NARROW,
                            run_before=open_editor(THREE_RULES, tmp_path))

    def test_help(self, snap_compare: Any, tmp_path: Path) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await loaded(pilot)
            await pilot.press("question_mark")
            await pilot.pause()

        assert snap_compare(build_app(tmp_path), terminal_size=NARROW, run_before=run)
