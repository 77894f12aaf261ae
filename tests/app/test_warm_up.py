"""A second after the first poll, the screens the next keys open are imported in a thread
(help imports all of them: on the event loop that was the longest stall left at 10k)."""

from __future__ import annotations

import sys
from pathlib import Path

from textual.worker import WorkerState

from tests.app.conftest import build_app, loaded, wait_for
from tui.app import WARM_UP


async def test_the_other_screens_load_in_a_thread_after_the_first_poll(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test() as pilot:
        assert app.warm_up is None  # nothing before the first frame has data
        await loaded(pilot)
        await wait_for(pilot, lambda: app.warm_up is not None
                       and app.warm_up.state is WorkerState.SUCCESS, "the warm-up thread")
        assert app.warm_up is not None and app.warm_up.is_running is False
        assert all(name in sys.modules for name in WARM_UP)
        # Help opens on what is loaded: no screen is missing from it.
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
