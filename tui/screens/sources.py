"""The main screen: every source server, live, filterable and sortable at 10,000 rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static

from tui import navigation as nav
from tui.screens.bulk import ListTaskActions, marked_sources
from tui.screens.registry import WRITE_ACTIONS, read_only_refusal
from tui.screens.source_rows import SourceRow
from tui.service.poller import FleetPolled
from tui.untrusted import clean, literal
from widgets.footer import KeyFooter as Footer
from widgets.overview_strip import OverviewStrip
# COLUMNS is re-exported: the task list shows the same columns.
from tui.screens.source_columns import COLUMNS as COLUMNS
from tui.screens.source_columns import PROBLEM_COLUMN, PROGRESS_WIDTH
from widgets.source_table import Row, SourceTable
from widgets.filter_box import route_filter_key
from widgets.status_header import StatusHeader

def make_row(source: Any, now: float, *, stall: Any = None, pending: str | None = None) -> Row:
    """The table row for one source (cells plus ``_``-prefixed sort and filter values);
    a stall or an action waiting for the server shows in the Task cell. Styled cells are
    built only for the rows the table draws (:class:`SourceRow`)."""
    return SourceRow(source, now, stall=stall, pending=pending, bar_width=PROGRESS_WIDTH)


class SourceListScreen(Screen[None]):
    """Source list: ``/`` filter, ``f`` states, ``p`` problems only, ``enter`` detail;
    ``escape`` clears the filter, then state filters, then marks, one layer per press."""

    DEFAULT_CSS = """
    SourceListScreen #filter { display: none; height: 3; border: tall $accent; }
    SourceListScreen #filter.-shown { display: block; }
    SourceListScreen #info { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("escape", "clear", "Clear", show=False),
        Binding("f", "state_filter", "States"),
        Binding("p", "problems", "Problems"),
        Binding("e", "failed", "Failed"),
        Binding("t", "task", "Task"),
        Binding("l", "edit_speed_limits", "Limits"),
        Binding("m", "project", "Project"),
        Binding("o", "sort_next", "Sort"),
        Binding("O", "sort_reverse", "Reverse", show=False),
        Binding("s", "task_start", "Start task (marked or highlighted)", show=False),
        Binding("x", "task_stop", "Stop task (marked or highlighted)", show=False),
        Binding("k", "tasks", "Task list", show=False),
        Binding("C", "create_task", "New task", show=False),
        Binding("V", "templates", "Templates", show=False),
        Binding("P", "projects", "Projects", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.states: frozenset[str] = frozenset()
        self.problems_only = False
        self.project: tuple[str, str] | None = None  # (id, name)
        self._loaded = False
        self._sources: Mapping[str, Any] = {}
        self._typing = False
        self._stalls: Mapping[str, Any] = {}
        self._actions = ListTaskActions(self, self._redraw_rows,
                                        on_bulk_sent=lambda: self.table.clear_marks())

    def compose(self) -> ComposeResult:
        app: Any = self.app
        yield StatusHeader(app.settings.label, app.settings.region, read_only=app.read_only,
                           interval=app.settings.refresh, clock=app.clock, id="header")
        yield OverviewStrip(id="overview")
        yield Input(placeholder="filter by name, IP or the start of an ID (escape clears)", id="filter")
        yield Static("", id="info")
        yield SourceTable(COLUMNS, empty_message="Loading the fleet…", id="sources")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "fleet", self._fleet_polled, init=True)
        self.watch(self.app, "connection", self._connection, init=True)
        table = self.query_one(SourceTable)
        # Read-only: every action on marked servers writes (l opens view-only), so marks
        # would be a promise of nothing.
        table.marking = not getattr(self.app, "read_only", False)
        table.sort_in_turns = True  # 10k rows: a sort must not freeze the keys (info on Sorted)
        table.focus()

    @property
    def table(self) -> SourceTable:
        """The fleet table."""
        return self.query_one(SourceTable)

    # -- data ------------------------------------------------------------------------------

    def _connection(self, status: Any) -> None:
        self.query_one(StatusHeader).status = status
        self.table.stale = status.is_stale(self.app.clock(), self.app.settings.refresh)  # type: ignore[attr-defined]

    def _fleet_polled(self, polled: FleetPolled | None) -> None:
        if polled is None:
            return
        now = self.app.wall_clock()  # type: ignore[attr-defined]
        table = self.table
        self._sources = polled.snapshot.sources
        self._stalls = polled.stalls.stalled
        # Rows whose stall flag or pending marker changed, though the source itself may not.
        flagged = polled.stalls.changed | self._actions.reconcile(self._sources)
        if not self._loaded:
            # 10,000 rows in one go held the event loop ~200 ms: a screenful now, the rest a
            # batch per turn, each made from the data of that moment.
            table.load_rows(polled.snapshot.sources, self._load_row)
            self._loaded = True
        else:
            # A key still waiting for its batch gets its row then, from this poll's data.
            waiting = table.waiting
            keys = [k for k in polled.diff.changed if not waiting(k)]
            shown = [*table.screen_keys(), *flagged]
            later: list[str] = []
            if len(keys) > table.FIRST_ROWS:
                # Thousands changed (10k at --speed 60: ~3,000 every 5 s): the rows on screen
                # now, the others a batch per turn, so the poll does not hold the event loop.
                now_keys = set(shown)
                later = [k for k in keys if k not in now_keys]
                keys = [k for k in keys if k in now_keys]
            changed = {k: self._row(k, now) for k in keys}
            # Ages ("changed 5m") drift between polls: redraw the rows on screen too.
            for key in shown:
                if key not in changed and key in polled.snapshot.sources and not waiting(key):
                    changed[key] = self._row(key, now)
            table.apply_diff(changed, polled.diff.removed)
            if later:
                table.update_rows(later, self._load_row)
        table.stale = False
        self.query_one(OverviewStrip).overview = polled.snapshot.overview
        self._update_info()

    def _row(self, key: str, now: float) -> Row:
        return make_row(self._sources[key], now, stall=self._stalls.get(key),
                        pending=self._actions.pending_operation(key))

    def _load_row(self, key: str) -> Row | None:
        if key not in self._sources:
            return None  # gone since the load began
        return self._row(key, self.app.wall_clock())  # type: ignore[attr-defined]

    def _redraw_rows(self, keys: set[str]) -> None:
        now = self.app.wall_clock()  # type: ignore[attr-defined]
        self.table.apply_diff({k: self._row(k, now) for k in keys if k in self._sources})

    def _update_info(self) -> None:
        table = self.table
        parts = [f"{table.visible_count:,} of {table.total_count:,} sources"]
        if table.filter_text:
            parts.append(f"filter “{table.filter_text}”")
        if self.states:
            parts.append("states: " + ", ".join(sorted(
                "no task" if s == "unconfigured" else s for s in self.states)))
        if self.problems_only:
            parts.append("problems only")
        if self.project:
            parts.append(f"project: {self.project[1]}")
        if table.marked:
            parts.append(f"{len(table.marked)} marked")
        if self._stalls:
            parts.append(f"⚠ {len(self._stalls)} stalled")
        if table.sort_column:
            parts.append(f"sorted by {table.sort_column} {'↓' if table.sort_reverse else '↑'}")
        # The project's name (server text) and the filter (typed) are shown as characters.
        left, right = table.hidden_columns
        if left or right:
            parts.append(f"{len(left) + len(right)} columns hidden ←/→")
        # One line of fixed height: no layout pass (a whole-screen repaint) for new words.
        self.query_one("#info", Static).update(literal(" · ".join(parts)), layout=False)
        table.empty_message = self._empty_reason()

    def _empty_reason(self) -> str:
        table = self.table
        if not self._loaded:
            return "Loading the fleet…"
        if table.total_count == 0:
            return ("No source servers registered yet. Install the SMS agent on a source "
                    "server and it appears here." if not self.project else
                    "No source servers in this migration project.")
        return "Nothing matches the filter. Press escape to clear it."

    def _apply_predicate(self) -> None:
        states, problems = self.states, self.problems_only
        if not states and not problems:
            self.table.set_predicate(None)
        else:
            self.table.set_predicate(
                lambda key, row: (not states or row["_state_raw"] in states
                                  or ("unconfigured" in states and bool(row["_no_task"])))
                and (not problems or bool(row["_problem"]))
            )
        self._update_info()

    # -- keys ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Write actions do not exist in read-only mode (absent from footer and help)."""
        if action in WRITE_ACTIONS and getattr(self.app, "read_only", False):
            return False
        if self._typing and action not in ("filter", "clear"):
            # Keys typed in the same burst as "/" (a paste over SSH) arrive before the box has
            # focus: they must never run commands ("/web" opening "e" failed servers).
            return False
        return True

    def action_filter(self) -> None:
        """Show the filter box and type into it."""
        box = self.query_one("#filter", Input)
        box.add_class("-shown")
        self._typing = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.set_filter(event.value.strip())
        self._update_info()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.table.focus()

    def action_clear(self) -> None:
        """Clear the filter text, then state filters and problems-only, one layer per press."""
        self._typing = False
        box = self.query_one("#filter", Input)
        if box.value or box.has_class("-shown"):
            box.value = ""
            box.remove_class("-shown")
            self.table.set_filter("")
            self.table.focus()
        elif self.states or self.problems_only:
            self.states, self.problems_only = frozenset(), False
            self._show_problem_column()
            self._apply_predicate()
        elif self.table.marked:
            self.table.clear_marks()
        self._update_info()

    def on_key(self, event: Any) -> None:
        box = self.query_one("#filter", Input)
        if getattr(self.app, "read_only", False) and self.focused is not box:
            why = read_only_refusal(self, event.key)
            if why:
                event.stop()
                self.notify(why, severity="warning")
                return
        route_filter_key(event, box, focused=self.focused, typing=self._typing,
                         open_box=self.action_filter, clear=self.action_clear)

    def on_descendant_focus(self, event: Any) -> None:
        if event.widget is self.query_one("#filter", Input):
            self._typing = False

    def action_problems(self) -> None:
        """Toggle showing only servers that need attention, with the reason in a column."""
        self.problems_only = not self.problems_only
        self._show_problem_column()
        self._apply_predicate()

    def _show_problem_column(self) -> None:
        shown = PROBLEM_COLUMN if self.problems_only else COLUMNS[-2]
        if self.table.columns[-2].width != shown.width:
            self.table.replace_column(shown)

    def action_state_filter(self) -> None:
        """Pick which states to show (several at once)."""
        from tui.screens.pickers import StateFilterScreen

        counts: dict[str, int] = {}
        for s in self._sources.values():
            counts[s.state] = counts.get(s.state, 0) + 1
        # Not a state: sources with no task yet (the overview's "unconfigured").
        counts["unconfigured"] = sum(1 for s in self._sources.values() if s.current_task is None)

        def done(states: frozenset[str] | None) -> None:
            if states is not None:
                self.states = states
                self._apply_predicate()

        self.app.push_screen(StateFilterScreen(counts, self.states), done)

    def action_project(self) -> None:
        """Choose the migration project whose sources are shown (the API's ``migproject``)."""
        from tui.screens.pickers import ProjectPickerScreen

        projects = self.app.fleet.snapshot.projects if self.app.fleet else ()  # type: ignore[attr-defined]

        def done(choice: tuple[str, str] | None | bool) -> None:
            if choice is not False:
                self.use_project(choice if isinstance(choice, tuple) else None)

        self.app.push_screen(ProjectPickerScreen(projects, self.project), done)

    def use_project(self, project: tuple[str, str] | None) -> None:
        """Show only this project's sources, (id, name), or all (None); the projects screen
        switches through here too."""
        self.project = project
        self._loaded = False
        self.app.service.set_migproject(self.project[0] if self.project else None)  # type: ignore[attr-defined]
        self._update_info()

    def action_sort_next(self) -> None:
        """Sort by the next column (state → name → … → server order)."""
        self.table.action_cycle_sort()
        self._update_info()

    def action_sort_reverse(self) -> None:
        """Reverse the sort order."""
        self.table.action_reverse_sort()
        self._update_info()

    def action_failed(self) -> None:
        """Open the failed-servers view."""
        self.app.open(nav.FailedServers())  # type: ignore[attr-defined]

    @on(SourceTable.RowActivated)
    def _open(self, event: SourceTable.RowActivated) -> None:
        self.app.open(nav.SourceDetail(event.key))  # type: ignore[attr-defined]

    @on(SourceTable.MarksChanged)
    @on(SourceTable.ColumnsChanged)
    @on(SourceTable.RowsLoaded)
    @on(SourceTable.Sorted)
    def _marks(self) -> None:
        self._update_info()

    def _cursor_source(self) -> Any:
        key = self.table.cursor_key
        return self._sources.get(key) if key else None

    def action_task(self) -> None:
        """Open the task progress screen of the highlighted source."""
        source = self._cursor_source()
        if source is None:
            return
        if source.current_task is None:
            self.notify(f"{source.name} has no migration task yet.", severity="warning")
            return
        self.app.open(nav.TaskProgress(source.current_task.id, source.id))  # type: ignore[attr-defined]

    def action_edit_speed_limits(self) -> None:
        """Open the speed-limit schedule of the highlighted source's task, or one schedule for
        every marked source's task."""
        app: Any = self.app
        if self.table.marked:
            marked = marked_sources(self.table.marked, self._sources)
            targets = [(s.current_task.id if s.current_task else None, clean(s.name or s.id))
                       for s in marked]
            app.open(nav.SpeedLimits(None, f"{len(targets)} marked servers", tuple(targets)))
            return
        source = self._cursor_source()
        if source is None or source.current_task is None:
            self.notify("This source has no migration task to throttle.", severity="warning")
            return
        app.open(nav.SpeedLimits(source.current_task.id, source.name or source.id))

    def action_create_task(self) -> None:
        """A form for a migration task of the highlighted source (when it has none)."""
        source = self._cursor_source()
        if source is not None:
            self.app.open(nav.CreateTask(source))  # type: ignore[attr-defined]

    def action_templates(self) -> None:
        """Open the target-server templates."""
        self.app.open(nav.Templates())  # type: ignore[attr-defined]

    def action_projects(self) -> None:
        """Open the migration projects."""
        self.app.open(nav.Projects())  # type: ignore[attr-defined]

    def action_task_start(self) -> None:
        """Start the marked sources' tasks (one confirmation), else the highlighted one's."""
        self._actions.act_on("start", self.table.marked, self._sources, self._cursor_source())

    def action_task_stop(self) -> None:
        """Stop the marked sources' tasks, else the highlighted one's (always confirmed)."""
        self._actions.act_on("stop", self.table.marked, self._sources, self._cursor_source())

    def action_tasks(self) -> None:
        """Open the list of every migration task."""
        self.app.open_tasks()  # type: ignore[attr-defined]
