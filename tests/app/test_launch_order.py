"""The launch: the first poll goes out before the first screen is made (its answer can be in
the first frame), and the stylesheet that parses each CSS source once still follows a theme."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.app.conftest import build_app, loaded
from tui.api.client import SmsClient
from tui.screens.sources import SourceListScreen
from widgets.stylesheet import ReusingStylesheet


async def test_the_first_poll_is_asked_for_before_the_screen_mounts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    order: list[str] = []
    fetch, mount = SmsClient.list_all_sources, SourceListScreen.on_mount

    async def list_all_sources(self: Any, **kw: Any) -> Any:
        order.append("fleet asked")
        return await fetch(self, **kw)

    def on_mount(self: Any) -> None:
        order.append("screen mounted")
        mount(self)

    monkeypatch.setattr(SmsClient, "list_all_sources", list_all_sources)
    monkeypatch.setattr(SourceListScreen, "on_mount", on_mount)
    app = build_app(tmp_path)
    async with app.run_test() as pilot:
        await loaded(pilot)
        assert order[:2] == ["fleet asked", "screen mounted"]
        assert app.screen.table.total_count == 40  # type: ignore[attr-defined]


async def test_a_theme_change_still_restyles_the_screen(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test() as pilot:
        await loaded(pilot)
        assert isinstance(app.stylesheet, ReusingStylesheet)
        dark = app.screen.styles.background
        app.toggle_theme()
        await pilot.pause()
        assert not app.current_theme.dark
        assert app.screen.styles.background != dark
        app.toggle_theme()
        await pilot.pause()
        assert app.screen.styles.background == dark
