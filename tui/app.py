"""The migdash Textual application: bindings, screens, and the polling service's lifetime.

The app is the one reactive store: the polling service publishes events, the app keeps the
latest of each kind in a reactive, and screens ``watch`` those. Screens never see the client;
writes go through :attr:`MigdashApp.commands`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.reactive import var
from textual.worker import Worker, WorkerState

from tui.api.client import SmsClient
from tui.api.transport import RetryPolicy
from tui.connect import Settings, open_client
from tui.service.audit import AuditLog
from tui.service.commands import CommandGateway
from tui.service.poller import (
    ConnectionChanged,
    DetailPollFailed,
    Event,
    FleetPolled,
    Intervals,
    PollingService,
    SourceDetailPolled,
    TaskDetailPolled,
    TasksPolled,
)
from tui.service.state import ConnectionStatus


def _palette_provider() -> type:
    from tui.screens.palette import MigdashCommands

    return MigdashCommands


class MigdashApp(App[None]):
    """Keyboard-driven dashboard for SMS migrations."""

    TITLE = "migdash"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("q", "quit_app", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("r", "refresh", "Refresh"),
        Binding("3", "open_zstack", "ZStack", show=False),
    ]

    COMMANDS = App.COMMANDS | {_palette_provider}

    fleet: var[FleetPolled | None] = var(None, always_update=True)
    """The latest fleet poll (snapshot + diff)."""
    connection: var[ConnectionStatus] = var(ConnectionStatus, always_update=True)
    """The connection status for the header."""
    source_detail: var[SourceDetailPolled | None] = var(None, always_update=True)
    """The latest detail of the source being watched."""
    task_detail: var[TaskDetailPolled | None] = var(None, always_update=True)
    """The latest detail of the task being watched."""
    detail_error: var[DetailPollFailed | None] = var(None, always_update=True)
    """The latest failed detail poll."""
    tasks: var[TasksPolled | None] = var(None, always_update=True)
    """The latest poll of every task (only while the task list is open)."""

    def __init__(
        self,
        settings: Settings,
        *,
        client: SmsClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        audit: AuditLog | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.clock = clock
        self.wall_clock = wall_clock
        # The service has its own backoff, so the client retries each read only once.
        self.client = client or open_client(settings, retry=RetryPolicy(attempts=1),
                                            deadline=20.0)
        sim = getattr(self.client, "simulator", None)
        if sim is not None and wall_clock is time.time:
            # The demo's time may run faster than real time (--speed): ages and ETAs follow it.
            self.wall_clock = lambda: sim.clock.now_ms() / 1000
        self.service = PollingService(
            self.client, self._publish, intervals=Intervals(fleet=settings.refresh), clock=clock
        )
        self.commands = CommandGateway(
            self.client,
            audit or AuditLog(profile=settings.label, endpoint=settings.endpoint),
            read_only=settings.read_only,
            on_sent=self.service.refresh_now,
        )
        self.sub_title = settings.label

    @property
    def read_only(self) -> bool:
        """True when no write may be sent."""
        return self.settings.read_only

    def on_mount(self) -> None:
        from tui.screens.sources import SourceListScreen

        self.push_screen(SourceListScreen())
        self.run_service()

    async def on_unmount(self) -> None:
        self.service.stop()
        await self.client.aclose()
        from tui.screens.zstack import close as close_zstack

        await close_zstack(self)

    @work(exclusive=True, exit_on_error=False, group="service", description="polling service")
    async def run_service(self) -> None:
        """Run the polling service for the app's lifetime."""
        await self.service.run()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker is made visible (never silently swallowed)."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        self.notify(f"{event.worker.description or event.worker.name} failed: {error!r}",
                    title="Internal error", severity="error", timeout=15)
        if event.worker.group == "service":
            # The dashboard must outlive any bug in a poll: start the service again.
            self.set_timer(5.0, self.run_service)

    def _publish(self, event: Event) -> None:
        """Keep the latest of each event kind; watchers on screens do the rest."""
        if isinstance(event, FleetPolled):
            self.fleet = event
            if event.stalls.started:
                self._announce_stalls(event.stalls.started)
        elif isinstance(event, ConnectionChanged):
            self.connection = event.status
        elif isinstance(event, SourceDetailPolled):
            self.source_detail = event
        elif isinstance(event, TaskDetailPolled):
            self.task_detail = event
        elif isinstance(event, DetailPollFailed):
            self.detail_error = event
        elif isinstance(event, TasksPolled):
            self.tasks = event

    def _announce_stalls(self, started: tuple[Any, ...]) -> None:
        """A toast and one bell per poll that starts stall incidents (the dashboard may sit
        in another tmux window); many at once share one toast instead of flooding the screen."""
        if len(started) <= 3:
            for stall in started:
                self.notify(f"{stall.label}: {stall.why}.", title="Migration stalled",
                            severity="warning", timeout=20)
        else:
            names = ", ".join(s.label for s in started[:5])
            self.notify(f"{len(started)} migrations stalled: {names}…", title="Migrations stalled",
                        severity="warning", timeout=20)
        self.bell()

    # -- actions ---------------------------------------------------------------------------

    def action_refresh(self) -> None:
        """Poll everything now."""
        self.service.refresh_now()
        self.notify("Refreshing…", timeout=1.5)

    def action_help(self) -> None:
        """Show every key of every screen."""
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_quit_app(self) -> None:
        """Quit, asking first if a screen holds an unsaved edit."""
        dirty = [s for s in self.screen_stack if getattr(s, "has_unsaved_changes", False)]
        if not dirty:
            self.exit()
            return
        from tui.screens.confirm import ConfirmScreen

        def done(ok: bool | None) -> None:
            if ok:
                self.exit()

        self.push_screen(ConfirmScreen("Quit migdash?", "You have unsaved changes; they will be "
                                       "lost.", confirm_label="Quit"), done)

    def action_open_zstack(self) -> None:
        """View 3: ZStack hosts, VMs and live migrations."""
        from tui.screens.zstack import open_view

        open_view(self)

    def open_source(self, source_id: str) -> None:
        """Show one source's detail (from the palette)."""
        from tui.screens.detail import SourceDetailScreen

        self.push_screen(SourceDetailScreen(source_id))

    def open_failed(self) -> None:
        """Show the failed servers."""
        from tui.screens.failed import FailedServersScreen

        self.push_screen(FailedServersScreen())

    def open_tasks(self) -> None:
        """Show every task (``/v3/tasks``)."""
        from tui.screens.tasks import TaskListScreen

        if not isinstance(self.screen, TaskListScreen):
            self.push_screen(TaskListScreen())

    def toggle_theme(self) -> None:
        """Switch between the dark and light themes."""
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def set_refresh(self, seconds: float) -> None:
        """Poll the fleet every ``seconds``."""
        from dataclasses import replace

        from widgets.status_header import StatusHeader

        self.service.intervals.fleet = seconds
        self.settings = replace(self.settings, refresh=seconds)
        for screen in self.screen_stack:
            for header in screen.query(StatusHeader):
                header.interval = seconds
        self.service.refresh_now()
        self.notify(f"Refreshing every {seconds:g} s.")

    async def load_templates(self) -> list[Any]:
        """Templates for a picker, through the service; a failure is shown, not raised."""
        from tui.api.exceptions import SmsError
        from tui.service.commands import describe

        try:
            return await self.service.templates()
        except SmsError as exc:
            self.notify(f"Could not load templates: {describe(exc)}", severity="error", timeout=10)
            return []

    def command_targets(self) -> dict[str, Any]:
        """What the command palette can jump to (filled in by the source list)."""
        return {}
