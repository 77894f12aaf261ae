"""What the app would write to the terminal, read back for assertions.

The headless driver discards output, so the tests draw the screen the way the real driver
does: the compositor's full update, each line rendered to terminal bytes by a colour console.
"""

from __future__ import annotations

import io
import re
from typing import Any

from rich.console import Console

_SGR = re.compile(r"\x1b\[[0-9;:]*m")


def screen_output(app: Any) -> list[str]:
    """Each screen line as the terminal would receive it (SGR colours and all), for checking
    that nothing but colour sequences reach the terminal."""
    console = Console(width=app.size.width, height=app.size.height, force_terminal=True,
                      color_system="truecolor", legacy_windows=False, file=io.StringIO())
    update = app.screen._compositor.render_update(full=True)
    return ["".join(strip.render(console) for strip in line) for line in update.strips]


def screen_lines(app: Any) -> list[str]:
    """The screen's lines as plain text (what a person reads)."""
    return [_SGR.sub("", line) for line in screen_output(app)]
