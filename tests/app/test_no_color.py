"""``NO_COLOR`` turns on Textual's monochrome line filter, which reads the style of every
segment a widget draws: the app must run with it and show the fleet; a crash at start exits
non-zero."""

from __future__ import annotations

from collections.abc import Callable
import pytest

from tests.app.conftest import loaded, wait_for
from tests.app.screen_text import screen_lines
from tui.app import MigdashApp

SIZE = (120, 40)


async def test_no_color_runs_and_shows_the_fleet(
        make_app: Callable[..., MigdashApp], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        from textual.filter import Monochrome

        assert any(isinstance(f, Monochrome) for f in app._filters), "NO_COLOR was not seen"
        await loaded(pilot)
        engine = app.client.simulator.engine
        await pilot.pause(0.2)
        text = "\n".join(screen_lines(app))
        assert "State" in text and "Name" in text
        assert sum(1 for s in engine.sources.values() if s.name[:12] in text) >= 10
        # The other screens draw through the same filter.
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None,
                       "the detail")
        await pilot.pause(0.2)
        assert "Facts" in "\n".join(screen_lines(app))
        await pilot.press("escape", "k")
        await pilot.pause(0.5)
        screen_lines(app)
        await pilot.press("escape", "question_mark")
        await pilot.pause(0.2)
        assert "\n".join(screen_lines(app))
    assert app.return_code in (None, 0)


def test_a_crash_at_start_exits_non_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    from tui import cli

    def boom(self: MigdashApp) -> None:
        raise RuntimeError("crash at start")

    real_run = MigdashApp.run
    monkeypatch.setattr(MigdashApp, "on_mount", boom)
    monkeypatch.setattr(MigdashApp, "run",
                        lambda self, **kw: real_run(self, headless=True, size=SIZE))
    assert cli.main(["--demo"]) != 0
