"""Task progress: overall bar, speed sparkline, live subtask bars, resources, decoded failure,
and the keys that control the task (each offered only where the task's state allows it)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui.api.actions import refusal
from tui.api.errors import decode_error_json
from tui.screens.registry import WRITE_ACTIONS, read_only_refusal
from tui.screens.task_view import SubtaskBars, resources_table, summary_table
from tui.service.poller import DetailPollFailed, TaskDetailPolled
from tui.untrusted import clean, literal
from widgets.footer import KeyFooter as Footer
from widgets.speed_sparkline import SpeedSparkline
from widgets.states import task_badge
from widgets.status_header import StatusHeader
from widgets.units import mbyte_to_mbit

# operation → (key action, needs confirmation, consequence shown in the dialog).
# One rule: every operation that changes a migration or a server asks first (a reflexive "n",
# which means "no" in every confirmation, must never send a network check).
ACTIONS: dict[str, tuple[str, bool, str]] = {
    "start": ("task_start", True, "Replication starts (or resumes where it stopped): the "
              "agent reads the source's disks and sends the data to the target server."),
    "stop": ("task_stop", True, "Replication stops; start resumes it later."),
    "restart": ("task_restart", True, "Everything copied so far is discarded and the "
                "migration starts over from the first subtask."),
    "test": ("task_test", True, "The target server is launched from the replicated data "
             "(cutover)."),
    "clone_test": ("task_clone_test", True, "A clone of the target server is created from the "
                   "chosen template for testing."),
    "network_check": ("task_network_check", True, "The agent measures latency, bandwidth "
                      "and packet loss between the source and the target server; the "
                      "measurement adds network traffic for a short while."),
}


class TaskScreen(Screen[None]):
    """One migration task, live (polled every second while open)."""

    DEFAULT_CSS = """
    TaskScreen #title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    TaskScreen #body { height: 1fr; padding: 0 1; }
    TaskScreen .heading { text-style: bold; color: $accent; margin-top: 1; }
    TaskScreen #spark { height: 3; margin: 0 0; }
    TaskScreen #error { color: $error; height: auto; }
    TaskScreen #failure { height: auto; }
    TaskScreen #pending { color: $warning; height: auto; }
    /* Shown only with something to say (TaskScreen._say): empty, they took a line each. */
    TaskScreen #error, TaskScreen #pending, TaskScreen #failure { display: none; }
    TaskScreen #stall { color: $warning; text-style: bold; height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("s", "task_start", "Start"),
        Binding("x", "task_stop", "Stop"),
        Binding("ctrl+r", "task_restart", "Restart"),
        Binding("T", "task_test", "Launch"),
        Binding("c", "task_clone_test", "Clone test"),
        Binding("n", "task_network_check", "Net check"),
        Binding("ctrl+d", "task_delete", "Delete"),
        Binding("l", "edit_speed_limits", "Limits"),
        Binding("H", "place_on_host", "Place on DeH"),
    ]

    def __init__(self, task_id: str, source_id: str | None = None) -> None:
        super().__init__()
        self.task_id = task_id
        self.source_id = source_id
        self.detail: Any = None
        self.pending: str | None = None
        self.pending_note: str | None = None
        """Shown instead of "… sent" while a write's outcome is unknown (or being checked)."""

    def compose(self) -> ComposeResult:
        app: Any = self.app
        yield StatusHeader(app.settings.label, app.settings.region, read_only=app.read_only,
                           interval=app.settings.refresh, clock=app.clock, id="header")
        yield Static("Task", id="title")
        yield Static("", id="stall")
        with VerticalScroll(id="body"):
            yield Static("", id="error")
            yield Static("", id="pending")
            yield Static("Loading the task…", id="summary")
            yield Static("", id="failure")
            yield Static("Speed since the dashboard started (Mbit/s)", classes="heading",
                         id="spark-title")
            yield SpeedSparkline([], id="spark")
            yield Static("No data has moved since the dashboard started.", id="spark-none")
            yield Static("Subtasks", classes="heading")
            yield Static("", id="subtasks")
            yield Static("Resources", classes="heading")
            yield Static("", id="resources")
        yield Footer()

    def on_mount(self) -> None:
        app: Any = self.app
        self.watch(app, "task_detail", self._polled, init=False)
        self.watch(app, "detail_error", self._failed, init=False)
        self.watch(app, "fleet", self._stall_changed, init=True)
        self.watch(app, "connection", lambda s: setattr(self.query_one(StatusHeader), "status", s),
                   init=True)
        current = app.task_detail
        if current is not None and current.task_id == self.task_id:
            self._polled(current)
        app.service.watch_task(self.task_id)

    def on_screen_resume(self) -> None:
        self.app.service.watch_task(self.task_id)  # type: ignore[attr-defined]

    def on_screen_suspend(self) -> None:
        self.app.service.watch_task(None)  # type: ignore[attr-defined]

    def on_unmount(self) -> None:
        self.app.service.watch_task(None)  # type: ignore[attr-defined]

    # -- data --------------------------------------------------------------------------------

    def _polled(self, polled: TaskDetailPolled | None) -> None:
        if polled is None or polled.task_id != self.task_id:
            return
        d = polled.detail
        previous = self.detail
        self.detail = d
        if self.pending and previous is not None and d.state != previous.state:
            self.pending = self.pending_note = None
        now = self.app.wall_clock()  # type: ignore[attr-defined]
        self.query_one("#title", Static).update(Text.assemble(task_badge(d.state), "  ",
                                                              clean(d.name or d.id),
                                                              ("  task ", "dim"),
                                                              (clean(d.id), "dim")))
        self._say("error", "")
        self._say("pending",
                  Text(self.pending_note or f"⧗ {self.pending} sent, waiting for the server…")
                  if self.pending else "")
        self.query_one("#summary", Static).update(summary_table(d, now))
        failure = decode_error_json(d.error_json)
        if failure is not None:
            self._say("failure", Text.assemble(
                ("✖ Failed: ", "bold red"),
                (f"{clean(failure.code)} " if failure.code else "", "bold"),
                clean(failure.message),
                # Many catalogue messages already end with their handling measure.
                ("\n→ " + clean(failure.handling), "italic")
                if failure.handling and failure.handling not in failure.message else ""))
        else:
            self._say("failure", "")
        speeds = [mbyte_to_mbit(s) or 0.0 for _, s in polled.history[-300:]]
        spark = self.query_one(SpeedSparkline)
        moving = any(v > 0 for v in speeds)
        spark.display = moving
        self.query_one("#spark-none", Static).display = not moving
        if moving:
            spark.data = speeds
            # The bars start at zero; the title gives the range and the top of the axis.
            self.query_one("#spark-title", Static).update(
                f"Speed since the dashboard started (0 to {max(speeds):.1f} Mbit/s): "
                f"{min(speeds):.1f}–{max(speeds):.1f} over {len(speeds)} polls")
        self.query_one("#subtasks", Static).update(SubtaskBars(d))
        self.query_one("#resources", Static).update(resources_table(d))
        self.refresh_bindings()

    def _say(self, line_id: str, content: str | Text) -> None:
        """Put ``content`` on the ``#error``, ``#pending`` or ``#failure`` line; an empty line
        takes no height, so at 80x24 the summary starts right under the title."""
        line = self.query_one(f"#{line_id}", Static)
        line.update(content)
        line.display = bool(content)

    def _stall_changed(self, polled: Any) -> None:
        # Stalls are judged on the fleet poll (every source, same rules as the list).
        stall = polled.stalls.for_task(self.task_id) if polled is not None else None
        line = self.query_one("#stall", Static)
        line.display = stall is not None
        line.update(literal(f"⚠ Stalled: {stall.why}.") if stall is not None else "")

    def _failed(self, event: DetailPollFailed | None) -> None:
        if event is None or event.what != "task" or event.ident != self.task_id:
            return
        from tui.service.commands import describe

        self._say("error", literal(
            f"Could not refresh this task{' (showing the last good data)' if self.detail else ''}: "
            f"{describe(event.error)}"))

    # -- actions -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS and getattr(self.app, "read_only", False):
            return False
        return True

    def on_key(self, event: Any) -> None:
        # In read-only mode the write keys are hidden; pressed anyway, they say why.
        why = read_only_refusal(self, event.key) if getattr(self.app, "read_only", False) else None
        if why:
            event.stop()
            self.notify(why, severity="warning")

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def _label(self) -> str:
        d = self.detail
        if d is not None and d.source_server is not None and d.source_server.name:
            return clean(d.source_server.name)
        return clean(d.name) if d is not None and d.name else self.task_id

    def _act(self, operation: str, template_id: str | None = None) -> None:
        state = self.detail.state if self.detail is not None else None
        why = refusal(operation, state)
        if why:
            self.notify(f"Not sent: {why}.", severity="warning")
            return
        if self.pending:
            self.notify(f"Wait: {self.pending} is still pending.", severity="warning")
            return
        _, confirm, consequence = ACTIONS[operation]
        if not confirm:
            self._send(operation, state, template_id)
            return
        from tui.screens.confirm import ConfirmScreen

        def done(ok: bool | None) -> None:
            if ok:
                self._send(operation, state, template_id)

        question = (f"Check the network for the migration of {self._label()}?"
                    if operation == "network_check" else
                    f"{operation.replace('_', ' ').capitalize()} the migration of "
                    f"{self._label()}?")
        self.app.push_screen(ConfirmScreen(question, consequence,
                                           confirm_label=operation.replace("_", " ")), done)

    @work(group="write")
    async def _send(self, operation: str, state: str | None, template_id: str | None) -> None:
        app: Any = self.app
        self.pending = operation
        self._say("pending", f"⧗ {operation} sent, waiting for the server…")
        outcome = await app.commands.task_action(self.task_id, operation, label=self._label(),
                                                 task_state=state, template_id=template_id,
                                                 on_unknown=self._checking)
        if outcome.ok:
            self.pending_note = None
            self.notify(f"{self._label()}: {operation} accepted."
                        + (f" {outcome.reason}" if outcome.reason else ""))
        elif outcome.unknown:
            from tui.untrusted import clean

            # The server may still apply it: keep the marker (no second send from here) until
            # the task's state moves; reopening the task clears it.
            self.pending_note = f"? {operation}: {outcome.reason}"
            self._say("pending", Text(self.pending_note))
            self.notify(f"{clean(self._label())}: {operation} {outcome.reason}",
                        severity="warning", timeout=20)
        else:
            self.pending = None
            self._say("pending", "")
            self.notify(f"{self._label()}: {operation} {outcome.status}: {outcome.reason}",
                        severity="error", timeout=15)

    def _checking(self, outcome: Any) -> None:
        """The answer was lost: say so while the gateway re-reads the task."""
        from tui.untrusted import clean

        self.pending_note = f"⧗ {outcome.reason} …"
        self._say("pending", Text(self.pending_note))
        self.notify(f"{clean(self._label())}: {outcome.reason}", severity="warning", timeout=10)

    def action_task_start(self) -> None:
        """Start (or resume) the task."""
        self._act("start")

    def action_task_stop(self) -> None:
        """Stop the task (confirmed)."""
        self._act("stop")

    def action_task_restart(self) -> None:
        """Restart from scratch (confirmed)."""
        self._act("restart")

    def action_task_test(self) -> None:
        """Launch the target server (confirmed)."""
        self._act("test")

    def action_task_network_check(self) -> None:
        """Measure the network between source and target."""
        self._act("network_check")

    def action_task_clone_test(self) -> None:
        """Clone-test the target from a template (picked, then confirmed)."""
        state = self.detail.state if self.detail is not None else None
        why = refusal("clone_test", state)
        if why:
            self.notify(f"Not sent: {why}.", severity="warning")
            return
        self._pick_template()

    @work(group="read")
    async def _pick_template(self) -> None:
        from tui.screens.pickers import TemplatePickerScreen

        app: Any = self.app
        templates = await app.load_templates()
        if not templates:
            self.notify("No templates: create one first.", severity="warning")
            return

        def done(template_id: str | None) -> None:
            if template_id:
                self._act("clone_test", template_id)

        self.app.push_screen(TemplatePickerScreen(templates), done)

    def action_task_delete(self) -> None:
        """Delete the task (confirmed; not while it moves data)."""
        state = self.detail.state if self.detail is not None else None
        why = refusal("delete", state)
        if why:
            self.notify(f"Not sent: {why}.", severity="warning")
            return
        from tui.screens.confirm import ConfirmScreen

        def done(ok: bool | None) -> None:
            if ok:
                self._delete(state)

        self.app.push_screen(ConfirmScreen(f"Delete the migration task of {self._label()}?",
                                           "The task and its progress are removed; the source "
                                           "stays registered.", confirm_label="Delete"), done)

    @work(group="write")
    async def _delete(self, state: str | None) -> None:
        app: Any = self.app
        outcome = await app.commands.delete_task(self.task_id, label=self._label(), task_state=state)
        if outcome.ok:
            self.notify(f"{self._label()}: task deleted.")
            self.app.pop_screen()
        else:
            self.notify(f"{self._label()}: delete {outcome.status}: {outcome.reason}",
                        severity="error", timeout=15)

    def action_place_on_host(self) -> None:
        """Move the migrated target server onto a dedicated host (the hosts view's dialog)."""
        from tui.navigation import MoveServers

        target = getattr(self.detail, "target_server", None)
        vm_id = getattr(target, "vm_id", None)
        if self.detail is None or getattr(self.detail, "state", None) != "MIGRATE_SUCCESS" \
                or not vm_id:
            self.notify("Only a migrated task's target server can be placed on a dedicated "
                        "host.", severity="warning")
            return
        app: Any = self.app
        app.open(MoveServers((str(vm_id),), str(getattr(target, "name", None) or vm_id)))

    def action_edit_speed_limits(self) -> None:
        """Open the speed-limit schedule editor."""
        from tui.navigation import SpeedLimits

        self.app.open(SpeedLimits(self.task_id, self._label()))  # type: ignore[attr-defined]
