"""Task actions from the source list (one server or every marked one) and their summary.

:class:`ListTaskActions` runs ``s``/``x`` for a list screen: the same confirmation rules as the
task screen for one server (every write asks first), exactly one confirmation naming the count
for marked servers, one request per eligible server through the command gateway, and a
pending marker per accepted server until the fleet poll shows its task in another state.
:class:`BulkSummaryScreen` shows how a bulk action ended for every server; other bulk writes
(speed limits) reuse it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.api.actions import refusal
from tui.service.commands import BulkSummary, Outcome, Status
from tui.untrusted import clean, literal

STATUS_LOOK: dict[Status, tuple[str, str, str]] = {
    "failed": ("✖", "failed", "bold bright_red"),
    "unknown": ("?", "unknown", "bold yellow"),
    "ok": ("✔", "accepted", "green"),
    "skipped": ("○", "skipped", "yellow"),
}
"""Outcome status → (symbol, word, style), in the order rows are listed: failures first."""

NAME_WIDTH = 30
WORD_WIDTH = 9


def summary_lines(summary: BulkSummary, width: int) -> list[Text]:
    """One row per server (failed first, then accepted, then skipped), ``width`` cells wide;
    a long reason wraps under the Reason column."""
    # On a narrow screen the name column gives way first, so a reason's continuation lines
    # still start under the Reason column instead of wrapping back to column 0.
    name_width = max(10, min(NAME_WIDTH, width - (2 + 1 + WORD_WIDTH + 1) - 20))
    indent = 2 + name_width + 1 + WORD_WIDTH + 1
    reason_width = max(10, width - indent)
    header = Text.assemble("  ", _cell("Server", name_width), " ", _cell("Result", WORD_WIDTH),
                           " ", "Reason", style="bold")
    lines = [header]
    order = list(STATUS_LOOK)
    for o in sorted(summary.outcomes, key=lambda o: (order.index(o.status), o.label.lower())):
        symbol, word, style = STATUS_LOOK[o.status]
        # Names and reasons are server text: controls made visible (tui.untrusted).
        reason = textwrap.wrap(clean(o.reason) or "—", reason_width) or ["—"]
        lines.append(Text.assemble((symbol, style), " ",
                                   _cell(clean(o.label or o.target), name_width),
                                   " ", (word.ljust(WORD_WIDTH), style), " ", reason[0]))
        lines.extend(Text(" " * indent + more) for more in reason[1:])
    return lines


def _cell(text: str, width: int) -> Text:
    cell = Text(text, no_wrap=True, overflow="ellipsis")
    cell.truncate(width, overflow="ellipsis", pad=True)
    return cell


class OutcomeRows(Static):
    """The per-server rows, laid out for the widget's own width (reasons wrap in their column,
    which a rich Table in a Static does not do reliably)."""

    def __init__(self, summary: BulkSummary, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.summary = summary

    def render(self) -> Text:
        width = self.content_size.width or 100
        return Text("\n").join(summary_lines(self.summary, width))

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return len(summary_lines(self.summary, width))


class BulkSummaryScreen(ModalScreen[None]):
    """How one action over many servers ended: counts, then one row per server with its reason.

    ``escape``, ``enter`` or ``q`` closes it."""

    DEFAULT_CSS = """
    BulkSummaryScreen { align: center middle; }
    BulkSummaryScreen > Vertical {
        width: 90%; max-width: 130; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    BulkSummaryScreen #bulk-title { text-style: bold; padding: 1 0 0 0; }
    BulkSummaryScreen #bulk-help { color: $text-muted; padding-bottom: 1; }
    BulkSummaryScreen #bulk-rows { height: auto; max-height: 70vh; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("enter", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(self, summary: BulkSummary) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        s = self.summary
        total = len(s.outcomes)
        counts = Text("   ").join(
            Text(f"{symbol} {s.count(status)} {word}", style=style if s.count(status) else "dim")
            for status, (symbol, word, style) in STATUS_LOOK.items()
            if status != "unknown" or s.count(status)  # rare: only said when it happened
        )
        what = s.operation.replace("task.", "").replace("_", " ")
        with Vertical():
            yield Static(f"{what.capitalize()}: {total} server{'s' if total != 1 else ''}",
                         id="bulk-title", markup=False)
            yield Static(counts, id="bulk-counts")
            yield Static("Accepted means SMS took the request; the list marks the server "
                         "“… sent” until its state changes. escape closes."
                         + (" Unknown: the answer was lost and re-reading could not confirm "
                            "it; it is marked too, so it is not sent twice."
                            if s.count("unknown") else ""), id="bulk-help", markup=False)
            with VerticalScroll(id="bulk-rows"):
                yield OutcomeRows(s, id="bulk-table")

    def action_close(self) -> None:
        """Close the summary."""
        self.dismiss(None)


class ListTaskActions:
    """``s``/``x`` on a list of sources; see the module docstring.

    ``on_pending`` is called with the source ids whose pending marker appeared or went away,
    so the list redraws just those rows."""

    def __init__(self, screen: Screen[Any], on_pending: Callable[[set[str]], None],
                 on_bulk_sent: Callable[[], None] | None = None) -> None:
        self.screen = screen
        self.on_pending = on_pending
        self.on_bulk_sent = on_bulk_sent
        """Called once a confirmed bulk action is on its way (the list clears its marks)."""
        self.pending: dict[str, tuple[str, str | None]] = {}
        """Source id → (operation accepted, task state when it was sent)."""
        self.busy: str | None = None
        """The operation being sent right now; a second key press meanwhile sends nothing."""

    # -- reading ---------------------------------------------------------------------------

    def pending_operation(self, source_id: str) -> str | None:
        """The operation sent for this source that the server does not show yet."""
        entry = self.pending.get(source_id)
        return entry[0] if entry else None

    def reconcile(self, sources: Mapping[str, Any]) -> set[str]:
        """Drop the markers of sources whose task state moved on; returns the ids dropped."""
        done = set()
        for sid, (_, state) in self.pending.items():
            src = sources.get(sid)
            task = getattr(src, "current_task", None)
            if task is None or task.state != state:
                done.add(sid)
        for sid in done:
            del self.pending[sid]
        return done

    # -- acting ----------------------------------------------------------------------------

    def act_on(self, operation: str, marked: frozenset[str], fleet: Mapping[str, Any],
               cursor: Any) -> None:
        """Act on every marked source when there are marks, else on the ``cursor`` source."""
        if marked:
            self.act(operation, marked_sources(marked, fleet), bulk=True)
        elif cursor is not None:
            self.act(operation, [cursor], bulk=False)

    def act(self, operation: str, sources: Sequence[Any], *, bulk: bool) -> None:
        """Start or stop ``sources`` (the marked ones when ``bulk``), confirmed as required."""
        if self.busy:
            self.screen.notify(f"Wait: {self.busy} is still being sent.", severity="warning")
            return
        if not sources:
            return
        if bulk:
            self._confirm_bulk(operation, sources)
            return
        source = sources[0]
        name = source.name or source.id
        if self.pending_operation(source.id):
            self.screen.notify(f"Not sent: {self.pending_operation(source.id)} was already sent "
                               f"for {name}; waiting for the server.", severity="warning")
            return
        task = source.current_task
        why = refusal(operation, task.state if task is not None else None)
        if why:
            self.screen.notify(f"Not sent: {name}: {why}.", severity="warning")
            return
        from tui.screens.task import ACTIONS  # the task screen's rules; loaded on the first key

        _, ask, consequence = ACTIONS[operation]
        if not ask:
            self._send(operation, sources, bulk=False)
            return
        self._confirm(f"{operation.capitalize()} the migration of {name}?", consequence,
                      operation, lambda: self._send(operation, sources, bulk=False))

    def _confirm_bulk(self, operation: str, sources: Sequence[Any]) -> None:
        eligible = [s for s in sources if not self._refusal(operation, s)]
        if not eligible:
            # Nothing would be sent: say why for each server, no question needed.
            self._send(operation, sources, bulk=True)
            return
        n = len(sources)
        body = f"{len(eligible)} of {n} can be {_past(operation)}"
        skipped = n - len(eligible)
        body += (f"; {skipped} will be skipped because their state does not allow it.\n"
                 if skipped else ".\n")
        from tui.screens.task import ACTIONS

        body += ACTIONS[operation][2]

        def send() -> None:
            self._send(operation, sources, bulk=True)
            if self.on_bulk_sent is not None:
                self.on_bulk_sent()

        self._confirm(f"{operation.capitalize()} the migration of {n} marked server"
                      f"{'s' if n != 1 else ''}?", body, operation, send,
                      items=self._target_lines(operation, sources))

    def _target_lines(self, operation: str, sources: Sequence[Any]) -> list[Text]:
        """One line per marked server: what happens to it (sent, or skipped and why)."""
        lines = []
        for source in sources:
            why = self._refusal(operation, source)
            # One line per server (the summary afterwards gives each reason in full).
            task = source.current_task
            short = ("already sent" if self.pending_operation(source.id) else
                     f"task {task.state}" if task is not None and task.state else "no task")
            lines.append(Text.assemble(
                ("○ " if why else "● ", "yellow" if why else "green"),
                literal(source.name or source.id),
                (f"  skipped: {short}" if why else f"  {operation}", "dim"),
                no_wrap=True, overflow="ellipsis"))
        return lines

    def _refusal(self, operation: str, source: Any) -> str | None:
        pending = self.pending_operation(source.id)
        if pending:
            return f"{pending} was already sent; waiting for the server"
        task = source.current_task
        return refusal(operation, task.state if task is not None else None)

    def _confirm(self, title: str, body: str, operation: str, then: Callable[[], None],
                 items: Sequence[Text] = ()) -> None:
        from tui.screens.confirm import ConfirmScreen

        def done(ok: bool | None) -> None:
            if ok:
                then()

        self.screen.app.push_screen(ConfirmScreen(title, body, confirm_label=operation,
                                                  items=items), done)

    def _send(self, operation: str, sources: Sequence[Any], *, bulk: bool) -> None:
        self.busy = operation
        self.screen.run_worker(self._run(operation, list(sources), bulk), group="write",
                               exclusive=False, exit_on_error=False,
                               description=f"{operation} {len(sources)} task(s)")

    async def _run(self, operation: str, sources: list[Any], bulk: bool) -> None:
        app: Any = self.screen.app
        try:
            held = [s for s in sources if self.pending_operation(s.id)]
            free = [s for s in sources if not self.pending_operation(s.id)]
            targets = [(s.current_task.id if s.current_task else None,
                        s.current_task.state if s.current_task else None, s.name or s.id)
                       for s in free]
            sent = await app.commands.bulk_task_action(targets, operation)
            for source, outcome in zip(free, sent.outcomes, strict=True):
                # An unknown outcome may still land: mark it too, so it is not sent twice.
                if outcome.ok or outcome.unknown:
                    self.pending[source.id] = (operation, source.current_task.state)
            held_outcomes = tuple(
                Outcome(s.current_task.id if s.current_task else s.id, s.name or s.id,
                        "skipped", f"{self.pending_operation(s.id)} was already sent; waiting "
                        "for the server") for s in held)
            summary = BulkSummary(f"task.{operation}", sent.outcomes + held_outcomes)
        finally:
            self.busy = None
        redraw = {s.id for s in free}
        fleet = app.fleet
        if fleet is not None:
            # The refresh after the send may already show the new state.
            redraw |= self.reconcile(fleet.snapshot.sources)
        self.on_pending(redraw)
        if bulk:
            app.push_screen(BulkSummaryScreen(summary))
        else:
            _notify_one(self.screen, summary.outcomes[0], operation)


def _past(operation: str) -> str:
    return {"start": "started", "stop": "stopped"}.get(operation, f"sent {operation}")


def _notify_one(screen: Screen[Any], outcome: Outcome, operation: str) -> None:
    if outcome.ok:
        screen.notify(f"{outcome.label}: {operation} accepted."
                      + (f" {outcome.reason}" if outcome.reason else ""))
    elif outcome.unknown:
        from tui.untrusted import clean

        screen.notify(f"{clean(outcome.label)}: {operation} {outcome.reason}",
                      severity="warning", timeout=20)
    else:
        screen.notify(f"{outcome.label}: {operation} {outcome.status}: {outcome.reason}",
                      severity="error", timeout=15)


def marked_sources(marked: Iterable[str], sources: Mapping[str, Any]) -> list[Any]:
    """The marked sources still in the fleet, in the fleet's order."""
    keys = set(marked)
    return [s for k, s in sources.items() if k in keys]
