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


PROBLEMS = ("error", "unavailable")
"""Always shown, first and in full, even at zero: the counts an operator looks for."""

NO_TASK = "unconfigured"
"""Not a state: the overview's count of sources with no migration task yet."""


class OverviewStrip(Widget):
    """``✖ error 2  ⊘ unavailable 1 │ ○ waiting 12  ▶ replicate 8 … · no task 3``.

    Error and unavailable come first and always in full, so a narrow terminal never hides
    them; when the rest does not fit, it is abbreviated to symbol and count (``○12 ▶8``),
    and the empty states listed last are the first to be cut."""

    DEFAULT_CSS = """
    OverviewStrip { height: 1; padding: 0 1; }
    """

    overview: reactive[Any] = reactive(None, always_update=True)
    """The last ``SourcesOverview`` (or any object/dict with per-state counts)."""

    def render(self) -> Text:
        counts = _counts(self.overview)
        if not counts:
            return Text("overview not loaded yet", style="dim", no_wrap=True)
        width = self.content_size.width or 10_000
        # Widest first: names and the empty states; names only; symbols and counts only.
        for short, empties in ((False, True), (False, False)):
            line = self._line(counts, short=short, empties=empties)
            if line.cell_len <= width:
                return line
        return self._line(counts, short=True)

    def _line(self, counts: dict[str, int], *, short: bool, empties: bool = True) -> Text:
        out = Text(no_wrap=True, overflow="ellipsis", end="")
        for state in PROBLEMS:
            symbol, style = SOURCE_STATES[state]
            n = counts.get(state, 0)
            out.append(f"{symbol} {state} {n}", style=style if n else "dim")
            out.append("  ")
        out.append("│ ", style="dim")
        known = [s for s in ORDER if s in counts and s not in PROBLEMS and s != NO_TASK]
        # A state the reference does not list yet still shows (after the known ones).
        known += sorted(s for s in counts if s not in ORDER)
        empty = []
        for state in known:
            n = counts[state]
            if not n:
                empty.append(state)
                continue
            symbol, style = SOURCE_STATES.get(state, ("?", "magenta"))
            out.append(f"{symbol}{n}" if short else f"{symbol} {state} {n}", style=style)
            out.append(" " if short else "  ")
        if counts.get(NO_TASK):
            out.append(f"· no task {counts[NO_TASK]}", style="bright_black")
            out.append(" " if short else "  ")
        if empty and empties and not short:
            out.append("none: " + ", ".join(empty), style="dim")
        out.rstrip()
        return out


def _counts(overview: Any) -> dict[str, int]:
    if overview is None:
        return {}
    data = overview if isinstance(overview, dict) else overview.model_dump()
    return {k: int(v) for k, v in data.items() if isinstance(v, int) and not isinstance(v, bool)}
