"""The filter box's keyboard rule, shared by every fleet view (sources, hosts, ZStack).

Keys reach a screen's ``on_key`` in typing order, but bindings run only after a key has bubbled
back to the app. So the keys typed in the same burst as ``/`` (a paste over SSH) arrive before
the box has focus: they would run commands ("/web" opening "e" failed servers). The screen
routes each key through :func:`route_filter_key`, which opens the box on ``/``, puts the burst's
keys into it, and gives ``escape`` inside the box to the screen's own clear action.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Input


def route_filter_key(event: Any, box: Input, *, focused: object, typing: bool,
                     open_box: Callable[[], None], clear: Callable[[], None]) -> bool:
    """Handle ``event`` if it belongs to the filter box; True when it was handled (stopped).

    ``typing`` is the screen's "``/`` was pressed and the box has not taken focus yet" flag.
    """
    if event.key == "escape" and focused is box:
        event.stop()
        clear()
        return True
    if focused is not box and (event.key == "slash" or (typing and event.is_printable)):
        event.stop()
        if event.key == "slash" and not typing:
            open_box()
        else:
            box.insert_text_at_cursor(event.character or "")
        return True
    return False
