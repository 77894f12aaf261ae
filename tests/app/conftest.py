"""The app against the in-process simulator, with the simulator's clock and the app's fixed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tui.app import MigdashApp
from tui.connect import resolve
from tui.service.audit import AuditLog
from tui.sim import ManualClock

FIXED_MONOTONIC = 1000.0


def build_app(tmp_path: Path, *, sources: int = 40, seed: int = 0, read_only: bool = False,
              faults: str | None = None, **sim: Any) -> MigdashApp:
    """A dashboard on a fresh simulator whose time stands still (reproducible pictures)."""
    options: dict[str, Any] = {"sources": sources, "seed": seed, "clock": ManualClock(),
                               "admin": True, **sim}
    if faults:
        options["faults"] = faults
    settings = resolve(demo=True, read_only=read_only, refresh=5.0, sim_options=options)
    return MigdashApp(settings, clock=lambda: FIXED_MONOTONIC,
                      audit=AuditLog(tmp_path / "audit.jsonl", profile="test"))


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], Any], what: str,
                   tries: int = 200) -> None:
    """Let the app run until ``predicate()`` holds (fails the test after ~10 s)."""
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def loaded(pilot: Pilot[Any]) -> None:
    """Wait for the first fleet poll to reach the screen."""
    app: Any = pilot.app
    await wait_for(pilot, lambda: app.fleet is not None, "the first fleet poll")
    await pilot.pause()


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., MigdashApp]:
    def factory(**kw: Any) -> MigdashApp:
        return build_app(tmp_path, **kw)

    return factory


async def tick_and_apply(pilot: Pilot[Any], values: tuple[str, ...]) -> None:
    """In the open state picker, tick ``values`` with keys only (down, space), then enter."""
    from textual.widgets import SelectionList

    picker = pilot.app.screen.query_one(SelectionList)
    order = [picker.get_option_at_index(i).value for i in range(picker.option_count)]
    row = 0
    for value in sorted(values, key=order.index):
        await pilot.press(*["down"] * (order.index(value) - row), "space")
        row = order.index(value)
    await pilot.press("enter")
