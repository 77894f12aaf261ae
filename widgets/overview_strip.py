"""Counts per source state from ``/v3/sources/overview``, each with its symbol and colour."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from widgets.states import SOURCE_STATES

ORDER = (
    "waiting",
    "initialize",
    "replicate",
    "syncing",
    "stopping",
    "stopped",
    "cloning",
    "testing",
    "cutovering",
    "finished",
    "error",
    "unavailable",
    "deleting",
    "unconfigured",
)


class OverviewStrip(Widget):
    """``○ waiting 12  ▶ replicate 8  ✖ error 2 … · none: stopping, …``.

    States with servers come first, so error and unavailable never fall off the right edge of
    a narrow terminal; the empty ones follow, dimmed, as far as the width allows."""

    DEFAULT_CSS = """
    OverviewStrip { height: 1; padding: 0 1; }
    """

    overview: reactive[Any] = reactive(None, always_update=True)
    """The last ``SourcesOverview`` (or any object/dict with per-state counts)."""

    def render(self) -> Text:
        counts = _counts(self.overview)
        out = Text(no_wrap=True, overflow="ellipsis")
        if not counts:
            out.append("overview not loaded yet", style="dim")
            return out
        known = [s for s in ORDER if s in counts]
        # A state the reference does not list yet still shows (after the known ones).
        known += sorted(s for s in counts if s not in ORDER)
        empty = []
        for state in known:
            n = counts[state]
            if not n:
                empty.append(state)
                continue
            symbol, style = SOURCE_STATES.get(state, ("?", "magenta"))
            out.append(f"{symbol} {state} {n}", style=style)
            out.append("  ")
        if empty:
            out.append("none: " + ", ".join(empty), style="dim")
        return out


def _counts(overview: Any) -> dict[str, int]:
    if overview is None:
        return {}
    data = overview if isinstance(overview, dict) else overview.model_dump()
    return {k: int(v) for k, v in data.items() if isinstance(v, int) and not isinstance(v, bool)}
