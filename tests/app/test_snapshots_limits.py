"""Pictures of the speed-limit editor (simulator and app clocks fixed; the source's zone given).

The simulator's clock stands at 2026-01-01 00:00 UTC; with the source at UTC+08:00 the marker
stands at 08:00 local time, inside the second rule. Update only after looking at the picture.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.app.conftest import build_app, loaded, wait_for
from tui.screens.limits import SpeedLimitScreen
from tui.service.presets import PresetStore

SIZES = [(120, 40), (160, 48)]
THREE_RULES = [(0, 480, 100, None), (480, 1080, 20, 10.0), (1200, 1440, 5, None)]


def open_editor(rules: list[tuple[int, int, int, float | None]], tmp_path: Path, *keys: str) -> Any:
    """A ``run_before`` that gives the first task with a task ``rules`` and opens its editor."""

    async def run(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        app: Any = pilot.app
        engine = app.client.simulator.engine
        src = next(s for s in engine.sources.values() if s.task_id)
        engine.set_speed_limits(src.task_id, rules)
        engine.task(src.task_id).speed_limit = 200
        app.push_screen(SpeedLimitScreen(src.task_id, src.name, utc_offset_min=480,
                                         presets=PresetStore(tmp_path / "presets.toml")))
        await wait_for(pilot, lambda: isinstance(app.screen, SpeedLimitScreen)
                       and app.screen.loaded and app.screen.task_limit is not None, "the rules")
        await pilot.press(*keys)
        await pilot.pause()

    return run


class TestSpeedLimitEditor:
    """The editor: timeline, rules table, the rule in force, and an invalid edit."""

    @pytest.mark.parametrize("size", SIZES, ids=["120x40", "160x48"])
    def test_three_rules_and_the_now_marker(self, snap_compare: Any, tmp_path: Path,
                                            size: tuple[int, int]) -> None:
        assert snap_compare(build_app(tmp_path), terminal_size=size,
                            run_before=open_editor(THREE_RULES, tmp_path))

    def test_an_overlap_marks_both_rules(self, snap_compare: Any, tmp_path: Path) -> None:
        # "D" on the first rule puts its copy at 08:00–16:00, across the 08:00–18:00 rule.
        assert snap_compare(build_app(tmp_path), terminal_size=(120, 40),
                            run_before=open_editor(THREE_RULES[:2], tmp_path, "D"))
