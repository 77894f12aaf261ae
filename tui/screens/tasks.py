"""Every migration task (``/v3/tasks``), with a task-state filter, in the fleet table's columns.

The tasks are polled by the service only while this screen is shown. Each task is drawn by the
source list's own row maker, so the columns read the same: the task's source server gives the
state, name, IP, OS and stage; the fleet poll adds what a task does not carry (the agent's
connection, when the state last changed, and stall flags).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from tui.screens.pickers import StateFilterScreen
from tui.screens.source_rows import task_flag  # noqa: F401  (moved there; still importable here)
from tui.service.poller import DetailPollFailed, FleetPolled, TasksPolled
from tui.untrusted import literal
from widgets.footer import KeyFooter as Footer
from widgets.source_table import SourceTable
from widgets.states import TASK_STATES
from widgets.status_header import StatusHeader


@dataclass(frozen=True)
class TaskAsSource:
    """A ``TaskListItem`` read like a ``SourceListItem``, so the list's row maker can draw it."""

    id: str
    name: str | None
    ip: str | None
    os_type: str | None
    os_version: str | None
    state: str | None
    migration_cycle: str | None
    connected: bool | None
    replicatesize: int | None
    totalsize: int | None
    state_action_time: int | None
    current_task: Any
    checks: tuple[Any, ...] = ()
    source_id: str | None = None

    @classmethod
    def of(cls, task: Any, fleet: Mapping[str, Any]) -> TaskAsSource:
        """Join ``task`` with its source from the fleet snapshot (when the fleet holds it)."""
        ss = task.source_server
        sid = ss.id if ss is not None else None
        src = fleet.get(sid) if sid else None
        return cls(
            id=task.id, name=(ss.name if ss else None) or task.name,
            ip=ss.ip if ss else None, os_type=(ss.os_type if ss else None) or task.os_type,
            os_version=ss.os_version if ss else None, state=ss.state if ss else None,
            migration_cycle=ss.migration_cycle if ss else None,
            connected=src.connected if src is not None else None,
            replicatesize=task.replicatesize, totalsize=task.totalsize,
            state_action_time=src.state_action_time if src is not None else None,
            current_task=task, source_id=sid,
        )


class TaskListScreen(Screen[None]):
    """All tasks: ``f`` task states, ``enter`` opens the task, ``escape`` back."""

    DEFAULT_CSS = """
    TaskListScreen #tasks-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    TaskListScreen #tasks-info { height: 1; padding: 0 1; color: $text-muted; }
    TaskListScreen #tasks-error { height: auto; padding: 0 1; color: $error; display: none; }
    TaskListScreen #tasks-error.-shown { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("f", "state_filter", "States"),
        Binding("o", "sort_next", "Sort"),
        Binding("O", "sort_reverse", "Reverse", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.states: frozenset[str] = frozenset()
        self.tasks: dict[str, Any] = {}
        self._by_source: dict[str, str] = {}
        """Source id → its task id, to redraw a task when its source changes."""
        self._loaded = False
        self._keys: set[str] = set()
        """Task ids held by the table (shown or hidden by the state filter)."""

    def compose(self) -> ComposeResult:
        from tui.screens.sources import COLUMNS

        app: Any = self.app
        yield StatusHeader(app.settings.label, app.settings.region, read_only=app.read_only,
                           interval=app.settings.refresh, clock=app.clock, id="header")
        yield Static("Migration tasks", id="tasks-title")
        yield Static("", id="tasks-error")
        yield Static("", id="tasks-info")
        table = SourceTable(COLUMNS, empty_message="Loading the tasks…", id="tasks")
        table.marking = False  # no bulk action here: marks would promise what s/x do not do
        yield table
        yield Footer()

    @property
    def table(self) -> SourceTable:
        """The task table."""
        return self.query_one(SourceTable)

    def on_mount(self) -> None:
        app: Any = self.app
        self.watch(app, "tasks", self._polled, init=True)
        self.watch(app, "fleet", self._fleet_polled, init=False)
        self.watch(app, "detail_error", self._failed, init=False)
        self.watch(app, "connection", lambda s: setattr(self.query_one(StatusHeader), "status", s),
                   init=True)
        app.service.watch_tasks(True)
        self.table.focus()

    def on_screen_resume(self) -> None:
        self.app.service.watch_tasks(True)  # type: ignore[attr-defined]

    def on_screen_suspend(self) -> None:
        self.app.service.watch_tasks(False)  # type: ignore[attr-defined]

    def on_unmount(self) -> None:
        self.app.service.watch_tasks(False)  # type: ignore[attr-defined]

    # -- data --------------------------------------------------------------------------------

    def _polled(self, polled: TasksPolled | None) -> None:
        if polled is None:
            return
        old = self.tasks
        self.tasks = {t.id: t for t in polled.tasks}
        self._by_source = {t.source_server.id: t.id for t in polled.tasks
                           if t.source_server is not None and t.source_server.id}
        self.query_one("#tasks-error", Static).remove_class("-shown")
        changed = {k for k, t in self.tasks.items() if old.get(k) != t}
        if not self._loaded:
            self._loaded = True
            changed = set(self.tasks)
        self._redraw(changed)

    def _fleet_polled(self, polled: FleetPolled | None) -> None:
        """A task row also shows its source's fleet data (agent, age, stall): redraw the tasks
        whose source changed, and the rows on screen (their ages drift)."""
        if polled is None:
            return
        touched = polled.diff.changed.keys() | polled.stalls.changed
        keys = {self._by_source[sid] for sid in touched if sid in self._by_source}
        table = self.table
        top = int(table.scroll_offset.y)
        keys.update(table.visible_keys()[top: top + table.size.height])
        self._redraw(keys)

    def _failed(self, event: DetailPollFailed | None) -> None:
        if event is None or event.what != "tasks":
            return
        from tui.service.commands import describe

        error = self.query_one("#tasks-error", Static)
        error.add_class("-shown")
        error.update(literal(
            f"Could not load the tasks{' (showing the last good list)' if self._loaded else ''}: "
            f"{describe(event.error)}"))

    def _redraw(self, keys: set[str]) -> None:
        """Rebuild the rows of ``keys`` (task ids); only rows whose cells changed reach the
        table, and tasks gone from the last poll leave it."""
        if not self._loaded:
            return
        from tui.screens.sources import make_row

        app: Any = self.app
        fleet = app.fleet
        sources = fleet.snapshot.sources if fleet is not None else {}
        stalls = fleet.stalls if fleet is not None else None
        now = app.wall_clock()
        table = self.table
        changed = {}
        # In the server's order: rows new to the table are added in this order.
        for key, task in self.tasks.items():
            if key not in keys:
                continue
            item = TaskAsSource.of(task, sources)
            stall = stalls.for_task(task.id) if stalls is not None else None
            row = make_row(item, now, stall=stall)
            if table.row(key) != row:
                changed[key] = row
        removed = self._keys - set(self.tasks)
        self._keys = set(self.tasks)
        table.apply_diff(changed, removed)
        self._update_info()

    def _update_info(self) -> None:
        table = self.table
        parts = [f"{table.visible_count:,} of {table.total_count:,} tasks"]
        if self.states:
            parts.append("states: " + ", ".join(sorted(self.states)))
        if table.sort_column:
            parts.append(f"sorted by {table.sort_column} {'↓' if table.sort_reverse else '↑'}")
        self.query_one("#tasks-info", Static).update(literal(" · ".join(parts)))
        table.empty_message = ("Loading the tasks…" if not self._loaded else
                               "No migration tasks yet." if table.total_count == 0 else
                               "No task is in the chosen states. Press f to change them.")

    # -- keys --------------------------------------------------------------------------------

    def action_back(self) -> None:
        """Back to where the list was opened from."""
        self.app.pop_screen()

    def action_state_filter(self) -> None:
        """Pick which task states to show (several at once)."""
        counts: dict[str, int] = {}
        for t in self.tasks.values():
            counts[t.state or "?"] = counts.get(t.state or "?", 0) + 1

        def done(states: frozenset[str] | None) -> None:
            if states is None:
                return
            self.states = states
            self.table.set_predicate(
                (lambda key, row: row["_task"] in states) if states else None)
            self._update_info()

        self.app.push_screen(StateFilterScreen(counts, self.states, states=TASK_STATES,
                                               what="tasks"), done)

    def action_sort_next(self) -> None:
        """Sort by the next column."""
        self.table.action_cycle_sort()
        self._update_info()

    def action_sort_reverse(self) -> None:
        """Reverse the sort order."""
        self.table.action_reverse_sort()
        self._update_info()

    @on(SourceTable.RowActivated)
    def _open(self, event: SourceTable.RowActivated) -> None:
        from tui.navigation import TaskProgress

        task = self.tasks.get(event.key)
        if task is None:
            return
        source_id = task.source_server.id if task.source_server is not None else None
        self.app.open(TaskProgress(task.id, source_id))  # type: ignore[attr-defined]
