"""Running move plans in the app's background, and how they ended (per-server summary).

Plans run in an app worker, not a dialog's, so closing a dialog or switching views never
cancels a move half way. One plan ends with a toast; several (marked servers, a drain) with a
summary like the SMS bulk one: failed first, with the step and the reason.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.service.hosts import MovePlan, PlanOutcome

LOOK = {
    "failed": ("✖", "failed", "bold bright_red"),
    "unknown": ("?", "unknown", "bold yellow"),
    "ok": ("✔", "moved", "green"),
    "skipped": ("○", "skipped", "yellow"),
}
"""Outcome status → (symbol, word, style); rows are listed in this order."""


def outcome_text(o: PlanOutcome) -> str:
    """One line saying how a plan ended (which step failed and why)."""
    p = o.plan
    if o.ok:
        return f"{p.server_name} is on {p.dest_name} now."
    if o.status == "skipped":
        return f"{p.server_name} was not moved: {o.reason}"
    if o.status == "unknown":
        return f"{p.server_name}: {o.reason}"
    return f"{p.server_name}: the plan stopped at step “{o.step}”: {o.reason}"


def run_in_background(app: Any, plans: Sequence[MovePlan], what: str, *,
                      summary: bool = False) -> None:
    """Run ``plans`` (two at a time) through the command gateway; report when done: a toast
    for one plan, a per-server summary for several (or always, with ``summary``)."""
    poller = app.backends["hosts"]

    async def run() -> None:
        outcomes = await poller.run_plans(list(plans), app.commands)
        if len(outcomes) == 1 and not summary:
            o = outcomes[0]
            app.notify(outcome_text(o), title="Moved" if o.ok else "Move failed",
                       severity="information" if o.ok else "error",
                       timeout=8 if o.ok else 30, markup=False)
        else:
            app.push_screen(MoveSummaryScreen(what, outcomes))

    app.run_worker(run(), group="hosts-writes", exit_on_error=False,
                   description=f"hosts {what}")


def summary_lines(outcomes: Sequence[PlanOutcome], width: int) -> list[Text]:
    """Failed first (with step and reason), then unknown, moved, skipped (the order of
    :data:`LOOK`; a status it does not know is listed with the failed)."""
    rank = {status: i for i, status in enumerate(LOOK)}
    lines = [Text.assemble("  ", f"{'Server':<22} {'Result':<8} Destination / reason",
                           style="bold")]
    indent = 2 + 22 + 1 + 8 + 1
    for o in sorted(outcomes, key=lambda o: (rank.get(o.status, 0), o.plan.server_name)):
        symbol, word, style = LOOK.get(o.status, LOOK["failed"])
        why = (f"→ {o.plan.dest_name}" if o.ok else
               f"at “{o.step}”: {o.reason}" if o.step else o.reason)
        wrapped = textwrap.wrap(why, max(20, width - indent)) or ["—"]
        lines.append(Text.assemble((symbol, style), " ", o.plan.server_name[:22].ljust(22), " ",
                                   (word.ljust(8), style), " ", wrapped[0]))
        lines.extend(Text(" " * indent + more) for more in wrapped[1:])
    return lines


class OutcomeLines(Static):
    """The per-server rows laid out for the widget's own width (reasons wrap in place)."""

    def __init__(self, outcomes: Sequence[PlanOutcome], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.outcomes = outcomes

    def render(self) -> Text:
        return Text("\n").join(summary_lines(self.outcomes, self.content_size.width or 100))

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return len(summary_lines(self.outcomes, width))


class MoveSummaryScreen(ModalScreen[None]):
    """How several moves ended; ``escape``, ``enter`` or ``q`` closes it."""

    DEFAULT_CSS = """
    MoveSummaryScreen { align: center middle; }
    MoveSummaryScreen > Vertical {
        width: 90%; max-width: 130; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    MoveSummaryScreen #summary-title { text-style: bold; padding: 1 0 0 0; }
    MoveSummaryScreen #summary-rows { height: auto; max-height: 70vh; margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", "Close"),
    ]

    def __init__(self, what: str, outcomes: Sequence[PlanOutcome]) -> None:
        super().__init__()
        self.what = what
        self.outcomes = list(outcomes)

    def compose(self) -> ComposeResult:
        counts = Text("   ").join(  # (unknown, the rare one, only when there is one)
            Text(f"{symbol} {n} {word}", style=style if n else "dim")
            for status, (symbol, word, style) in LOOK.items()
            for n in [sum(1 for o in self.outcomes if o.status == status)]
            if n or status != "unknown")
        with Vertical():
            yield Static(f"{self.what.capitalize()}: {len(self.outcomes)} servers",
                         id="summary-title", markup=False)
            yield Static(counts, id="summary-counts")
            with VerticalScroll(id="summary-rows"):
                yield OutcomeLines(self.outcomes, id="summary-table")

    def action_close(self) -> None:
        """Close the summary."""
        self.dismiss(None)
