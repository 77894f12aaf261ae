"""The palette offers every action of the current screen, with its key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.app.conftest import loaded, wait_for
from tui.app import MigdashApp
from tui.screens.palette import MigdashCommands
from tui.screens.task import TaskScreen

SIZE = (120, 40)


async def texts(provider: MigdashCommands, query: str) -> list[tuple[str, str]]:
    return [(str(h.text), str(h.help)) async for h in provider.search(query)]


async def test_typing_stop_or_limit_finds_the_list_actions_with_their_keys(
    make_app: Callable[..., MigdashApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        provider = MigdashCommands(app.screen)
        assert ("Stop task (marked or highlighted)", "key x") in await texts(provider, "stop")
        assert ("Limits", "key l") in await texts(provider, "limit")
        assert ("Mark", "key space") in await texts(provider, "mark")
        # through the real palette: the command runs on the screen it was found on
        screen = app.screen
        await pilot.press("ctrl+p", *"problems")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen and screen.problems_only,  # type: ignore[attr-defined]
                       "problems only via the palette")


async def test_task_screen_actions_are_offered_there(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: app.screen.table.cursor_key is not None, "a cursor")  # type: ignore[attr-defined]
        src = next(s for s in app.fleet.snapshot.sources.values() if s.current_task)  # type: ignore[union-attr]
        app.push_screen(TaskScreen(src.current_task.id, src.id))
        await pilot.pause()
        provider = MigdashCommands(app.screen)
        found = await texts(provider, "restart")
        assert ("Restart", "key ^r") in found


async def test_read_only_palette_offers_no_write(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        provider = MigdashCommands(app.screen)
        assert not [t for t, _ in await texts(provider, "stop") if "Stop task" in t]
        assert ("Limits", "key l") in await texts(provider, "limit")
