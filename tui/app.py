"""The migdash Textual application: bindings, views, navigation and the pollers' lifetimes.

Three views, each a Textual mode with its own screen stack (:mod:`tui.views`): ``1``
Migrations, ``2`` Dedicated hosts, ``3`` ZStack. Screens ask :meth:`MigdashApp.open` for a
destination (:mod:`tui.navigation`) and never import the screen they open.

The app is the one reactive store: the polling service publishes events, the app keeps the
latest of each kind in a reactive, and screens ``watch`` those. Screens never see the client;
writes go through :attr:`MigdashApp.commands`.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.reactive import var
from textual.notifications import SeverityLevel
from textual.worker import Worker, WorkerState

from tui import navigation as nav
from tui.api.client import SmsClient
from tui.api.transport import RetryPolicy
from tui.connect import Settings, open_client, open_ecs_client, zstack_configured
from tui.gcpolicy import GcPolicy
from tui.service.audit import AuditLog
from tui.service.backend import BackendConnectionChanged, BackendPoller
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
from tui.untrusted import clean
from tui.views import ROUTES, VIEW_BY_MODE, VIEWS, View
from widgets.status_header import ViewTab
from widgets.stylesheet import ReusingStylesheet


def _palette_provider() -> type:
    from tui.screens.palette import MigdashCommands

    return MigdashCommands


WARM_UP = ("tui.screens.detail", "tui.screens.task", "tui.screens.tasks", "tui.screens.failed",
           "tui.screens.templates", "tui.screens.projects", "tui.screens.limits",
           "tui.screens.confirm", "widgets.form", "tui.api.models.requests",
           "tui.api.models.tasks")
"""What the first keys after the first frame load: help (``?``) imports every screen of the
view, and with them pydantic and the write models (~0.1-0.15 s on the event loop, the longest
stall left at 10k). Imported in a thread a second after the first poll lands, the event loop
keeps its turns (the GIL changes hands every 5 ms); the launch itself loads none of it."""


class MigdashApp(App[None]):
    """Keyboard-driven dashboard for SMS migrations."""

    TITLE = "migdash"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("q", "quit_app", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("r", "refresh", "Refresh"),
        *(Binding(v.key, f"view('{v.mode}')", v.title, show=False) for v in VIEWS),
    ]

    COMMANDS = App.COMMANDS | {_palette_provider}
    DEFAULT_MODE = VIEWS[0].mode

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
    hosts_connection: var[ConnectionStatus] = var(ConnectionStatus, always_update=True)
    """The ECS/DeH connection, for the hosts view's header."""
    backend_polls: var[Any] = var(None, always_update=True)
    """The latest event of a non-SMS backend poller (its view's screens watch it)."""
    view_tabs: var[tuple[ViewTab, ...]] = var(tuple, always_update=True)
    """Every view with its connection state, for the header."""

    def __init__(
        self,
        settings: Settings,
        *,
        client: SmsClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        audit: AuditLog | None = None,
        ecs_client: Any = None,
        zstack_settings: Any = None,
        gc_policy: GcPolicy | None = None,
    ) -> None:
        super().__init__()
        # Textual's own, made by App.__init__, has no source yet: this one parses each once.
        self.stylesheet = ReusingStylesheet(variables=self.get_css_variables())
        self.settings = settings
        self.zstack_settings = zstack_settings
        """View 3's connection (``tui.connect.ZStackSettings``); None: the demo's, or none."""
        # The command line passes one; tests run many apps in one process and keep Python's
        # own collector (a frozen app's widgets would wait for the full collection).
        self.gc_policy = gc_policy
        self._warmed = False
        self.warm_up: Worker[None] | None = None
        """The thread importing :data:`WARM_UP` (started a second after the first poll)."""
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
            on_sent=self._refresh_all,
            on_unknown=self._write_outcome_unknown,
        )
        self.backends: dict[str, BackendPoller] = {}
        """The non-SMS pollers by view (mode); a view without one is not configured."""
        self.ecs = ecs_client or open_ecs_client(settings, sms=self.client,
                                                 retry=RetryPolicy(attempts=1), deadline=20.0)
        if self.ecs is not None:
            from tui.service.hosts import HostsPoller  # only with ECS/DeH configured

            self.backends["hosts"] = HostsPoller(
                self.ecs, self._publish, interval=settings.refresh, clock=clock,
                wall_clock=lambda: self.wall_clock())
        self._links: dict[str, ConnectionStatus] = {}
        self.sub_title = settings.label
        # Each view is a mode; the first is the app's default mode, so Textual builds the
        # source list as the app's first screen. Switching to it from a blank default screen
        # (on mount) restyled the whole app twice, ~20 ms of the first frame.
        for view in VIEWS:
            self.add_mode(view.mode, self._root(view))

    @property
    def read_only(self) -> bool:
        """True when no write may be sent."""
        return self.settings.read_only

    def on_load(self) -> None:
        # Before the first screen is made: the first poll's round trip overlaps composing,
        # styling and mounting it, and when its answer lands first, the first frame has the
        # fleet instead of "Loading" (the screens watch ``fleet`` with init=True).
        self.run_service()

    def on_mount(self) -> None:
        if zstack_configured(self.settings, self.zstack_settings):
            # View 3, when ZStack is configured (always in the demo). Its service and models
            # cost ~40 ms of a launch: not loaded for a dashboard without ZStack.
            from tui.service.zstack import zstack_backend

            zstack = zstack_backend(self)
            if zstack is not None:
                self.backends["zstack"] = zstack
        self._update_tabs()
        for poller in self.backends.values():
            self.run_backend(poller)
        if self.gc_policy is not None:
            # Modules and widgets: frozen now. The collector, paused by the launch, resumes
            # with the first poll on the table, or after 5 s if none has landed by then.
            self.gc_policy.started()
            self.set_timer(5.0, self.gc_policy.resume)

    async def on_unmount(self) -> None:
        self.service.stop()
        for poller in self.backends.values():
            poller.stop()
        await self.client.aclose()
        if self.ecs is not None:
            await self.ecs.aclose()
        zstack = self.backends.get("zstack")
        if zstack is not None:
            await zstack.aclose()  # type: ignore[attr-defined]  # logs the ZStack session out

    def _root(self, view: View) -> Callable[[], Any]:
        def make() -> Any:
            if self.configured(view.mode):
                return view.root()
            from tui.screens.unconfigured import NotConfiguredScreen

            return NotConfiguredScreen(view)

        return make

    def configured(self, mode: str) -> bool:
        """True when the view's backend can be reached (SMS always: the demo is the default)."""
        return mode == "migrations" or mode in self.backends

    def run_backend(self, poller: BackendPoller) -> None:
        """Run one non-SMS backend's poller for the app's lifetime (its worker group is its
        view's mode, so a crash restarts that poller alone)."""
        self.run_worker(poller.run(), group=poller.backend, exit_on_error=False,
                        description=f"{VIEW_BY_MODE[poller.backend].short} poller")

    def _refresh_all(self) -> None:
        self.service.refresh_now()
        for poller in self.backends.values():
            poller.refresh_now()

    @work(exclusive=True, exit_on_error=False, group="service", description="polling service")
    async def run_service(self) -> None:
        """Run the polling service for the app's lifetime."""
        await self.service.run()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every toast, from any screen or widget, goes out as plain text with its control
        characters made visible: toasts quote server names and errors, which are data, never
        markup or terminal control (``markup`` is accepted for Textual's signature, and
        ignored)."""
        super().notify(clean(message), title=clean(title), severity=severity, timeout=timeout,
                       markup=False)

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
        elif event.worker.group in self.backends:
            poller = self.backends[event.worker.group]
            self.set_timer(5.0, lambda: self.run_backend(poller))

    def _publish(self, event: Event) -> None:
        """Keep the latest of each event kind; watchers on screens do the rest."""
        if isinstance(event, FleetPolled):
            if self.gc_policy is not None:
                # The new snapshot too, before its rows are made: a collection while they are
                # made walks only the rows, not 10,000 fresh models.
                self.gc_policy.after_poll(count=False)
            self.fleet = event  # watchers run here: the poll's rows are on the table after
            if self.gc_policy is not None:
                self.gc_policy.after_poll()
            if not self._warmed:
                self._warmed = True
                self.set_timer(1.0, self._warm_up)
            if event.stalls.started:
                self._announce_stalls(event.stalls.started)
        elif isinstance(event, ConnectionChanged):
            self.connection = event.status
            self._links["migrations"] = event.status
            self._update_tabs()
        elif isinstance(event, BackendConnectionChanged):
            if event.backend == "hosts":
                self.hosts_connection = event.status
            if self._links.get(event.backend) != event.status:
                self._links[event.backend] = event.status
                self._update_tabs()
        elif isinstance(event, SourceDetailPolled):
            self.source_detail = event
        elif isinstance(event, TaskDetailPolled):
            self.task_detail = event
        elif isinstance(event, DetailPollFailed):
            self.detail_error = event
        elif isinstance(event, TasksPolled):
            self.tasks = event
        else:
            self.backend_polls = event

    def _warm_up(self) -> None:
        """Import in a thread what the next keys load (see :data:`WARM_UP`)."""

        def load() -> None:
            for name in WARM_UP:
                importlib.import_module(name)

        self.warm_up = self.run_worker(load, thread=True, group="warm-up",
                                       exit_on_error=False,
                                       description="loading the other screens")

    def _write_outcome_unknown(self, outcome: Any) -> None:
        """A write's answer was lost: say so at once; the gateway re-reads and reports."""
        from tui.untrusted import clean

        self.notify(f"{clean(outcome.label or outcome.target)}: {outcome.reason}",
                    severity="warning", timeout=10)

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
        self._refresh_all()
        self.notify("Refreshing…", timeout=1.5)

    def action_help(self) -> None:
        """Show every key of every screen."""
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def help_sections(self) -> list[tuple[str, list[Any]]]:
        """The keys of the current view's screens and of every screen (for ``?``)."""
        from tui.views import help_sections

        return help_sections(self)

    # -- views and navigation ----------------------------------------------------------------

    def action_view(self, mode: str) -> None:
        """Show one of the three views (each keeps its own screen stack)."""
        if mode != self.current_mode:
            self.switch_mode(mode)
        self._update_tabs()

    def open(self, destination: nav.Destination) -> None:
        """Show ``destination``: the one way a screen opens another (see :mod:`tui.views`)."""
        if isinstance(destination, nav.GoToView):
            self.action_view(destination.mode)
            return
        route = ROUTES[type(destination)]
        if not self.configured(route.mode):
            view = VIEW_BY_MODE[route.mode]
            self.notify(f"{view.title} is not configured: press {view.key} to see how to "
                        "set it up.", severity="warning", timeout=8)
            return
        if not route.in_place and route.mode != self.current_mode:
            self.action_view(route.mode)
        route.show(self, destination)

    def _update_tabs(self) -> None:
        current = self.current_mode
        self.view_tabs = tuple(
            ViewTab(v.key, v.title, v.short,
                    self._links.get(v.mode, ConnectionStatus()).link
                    if self.configured(v.mode) else None,
                    v.mode == current)
            for v in VIEWS)

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

    def open_source(self, source_id: str) -> None:
        """Show one source's detail (from the palette)."""
        self.open(nav.SourceDetail(source_id))

    def open_failed(self) -> None:
        """Show the failed servers."""
        self.open(nav.FailedServers())

    def open_tasks(self) -> None:
        """Show every task (``/v3/tasks``)."""
        self.open(nav.TaskList())

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
