"""The Dedicated hosts view: every DeH with its capacity, the public pool, and every server.

Two fast tables (the source list's): hosts on top, servers below. ``enter`` on a host shows
only its servers, ``escape`` all of them; ``/`` filters both by name, ID or IP; ``M`` moves
the highlighted (or marked) servers, ``D`` drains the highlighted host, ``j`` lists the jobs;
``left``/``right`` scroll the focused table's hidden columns (on a narrow terminal) into view.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static

from tui import navigation as nav
from tui.screens.hosts.rows import (
    HOST_COLUMNS,
    SERVER_COLUMNS,
    host_label,
    host_row,
    pool_row,
    server_row,
)
from tui.screens.registry import WRITE_ACTIONS
from tui.service.hosts import POOL, HostsPolled, HostsSnapshot, JobsChanged
from tui.untrusted import literal
from widgets.footer import KeyFooter as Footer
from widgets.source_table import Row, SourceTable
from widgets.filter_box import route_filter_key
from widgets.status_header import StatusHeader


class HostsScreen(Screen[None]):
    """Dedicated hosts with their capacity, and the servers on them."""

    DEFAULT_CSS = """
    HostsScreen #filter { display: none; height: 3; border: tall $accent; }
    HostsScreen #filter.-shown { display: block; }
    HostsScreen #info { height: 1; padding: 0 1; color: $text-muted; }
    HostsScreen #hosts { height: 40%; min-height: 5; border-bottom: solid $primary-darken-2; }
    HostsScreen #servers { height: 1fr; }
    """
    BINDINGS = [
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("escape", "clear", "Back / all servers"),
        Binding("M", "move_servers", "Move"),
        Binding("D", "drain_host", "Drain host"),
        Binding("j", "jobs", "Jobs"),
        Binding("o", "sort_next", "Sort"),
        Binding("O", "sort_reverse", "Reverse", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.snapshot = HostsSnapshot()
        self.host_shown: str | None = None
        """The host whose servers are shown (None: every server)."""
        self._loaded = False
        self._typing = False

    def compose(self) -> ComposeResult:
        app: Any = self.app
        yield StatusHeader(app.settings.label, app.settings.region, read_only=app.read_only,
                           interval=app.settings.refresh, clock=app.clock, id="header")
        # No select-on-focus: keys of a burst land before the focus, and selecting them then
        # would let the next key replace them.
        yield Input(placeholder="filter hosts and servers by name, ID or IP (escape clears)",
                    id="filter", select_on_focus=False)
        yield Static("", id="info")
        yield SourceTable(HOST_COLUMNS, empty_message="Loading the dedicated hosts…",
                          id="hosts")
        yield SourceTable(SERVER_COLUMNS, empty_message="Loading the servers…", id="servers")
        yield Footer()

    @property
    def poller(self) -> Any:
        """The hosts backend's poller (the app's)."""
        return self.app.backends["hosts"]  # type: ignore[attr-defined]

    @property
    def hosts_table(self) -> SourceTable:
        """The hosts (and the public pool)."""
        return self.query_one("#hosts", SourceTable)

    @property
    def servers_table(self) -> SourceTable:
        """The servers (all, or the shown host's)."""
        return self.query_one("#servers", SourceTable)

    def on_mount(self) -> None:
        if self.poller.snapshot.version:
            self._show_all(self.poller.snapshot)
        self.watch(self.app, "backend_polls", self._polled, init=False)
        self.watch(self.app, "hosts_connection", self._connection, init=True)
        self.hosts_table.focus()

    # -- data ------------------------------------------------------------------------------

    def _connection(self, status: Any) -> None:
        self.query_one(StatusHeader).status = status
        stale = status.is_stale(self.app.clock(), self.app.settings.refresh)  # type: ignore[attr-defined]
        self.hosts_table.stale = self.servers_table.stale = stale

    def _polled(self, event: Any) -> None:
        if isinstance(event, HostsPolled):
            if not self._loaded:
                self._show_all(event.snapshot)
                return
            self._apply(event)
        elif isinstance(event, JobsChanged) and self._loaded:
            self._redraw_servers(set(event.servers))
            self._update_info()

    def _show_all(self, snap: HostsSnapshot) -> None:
        self.snapshot = snap
        self.hosts_table.set_rows(self._host_rows(snap))
        now = self._now()
        self.servers_table.set_rows({k: self._server_row(k, now) for k in snap.servers})
        self._loaded = True
        self._update_info()

    def _apply(self, event: HostsPolled) -> None:
        snap = self.snapshot = event.snapshot
        # Host rows are few (hundreds): counts move with every move, so all are recomputed
        # and the table repaints only the rows whose cells differ.
        self.hosts_table.apply_diff(self._host_rows(snap), event.removed_hosts)
        now = self._now()
        keys = set(event.changed_servers) | {j.server_id for j in self.poller.in_flight()}
        keys |= set(self._servers_on_screen())
        self.servers_table.apply_diff(
            {k: self._server_row(k, now) for k in keys if k in snap.servers},
            event.removed_servers)
        self.hosts_table.stale = self.servers_table.stale = False
        self._update_info()

    def _host_rows(self, snap: HostsSnapshot) -> dict[str, Row]:
        counts: dict[str, int] = {}
        for host_id in snap.host_of.values():
            counts[host_id] = counts.get(host_id, 0) + 1
        rows = {k: host_row(h, counts.get(k, 0)) for k, h in snap.hosts.items()}
        rows[POOL] = pool_row(counts.get(POOL, 0))
        return rows

    def _server_row(self, key: str, now: float) -> Row:
        snap = self.snapshot
        host_id = snap.host_of.get(key, POOL)
        row = dict(server_row(snap.servers[key], host_label(snap.hosts, host_id),
                              self.poller.job_of(key), now))
        row["_host"] = host_id
        return row

    def _redraw_servers(self, keys: set[str]) -> None:
        now = self._now()
        self.servers_table.apply_diff({k: self._server_row(k, now) for k in keys
                                       if k in self.snapshot.servers})

    def _servers_on_screen(self) -> list[str]:
        table = self.servers_table
        top = int(table.scroll_offset.y)
        return table.visible_keys()[top: top + table.size.height]

    def _now(self) -> float:
        return float(self.app.wall_clock())  # type: ignore[attr-defined]

    def _update_info(self) -> None:
        hosts, servers = self.hosts_table, self.servers_table
        parts = [f"{max(hosts.total_count - 1, 0):,} hosts",
                 f"{servers.visible_count:,} of {servers.total_count:,} servers"]
        if self.host_shown:
            parts.append(f"on {host_label(self.snapshot.hosts, self.host_shown)} "
                         "(escape: all)")
        if servers.filter_text:
            parts.append(f"filter “{servers.filter_text}”")
        if servers.marked:
            parts.append(f"{len(servers.marked)} marked")
        flying = len(self.poller.in_flight())
        if flying:
            parts.append(f"{flying} job{'s' if flying > 1 else ''} in flight")
        hidden = [f"{count} {name}" for name, table in (("host", hosts), ("server", servers))
                  if (count := sum(len(side) for side in table.hidden_columns))]
        if hidden:
            parts.append(f"{' and '.join(hidden)} columns hidden ←/→")
        # A host's name and the filter are characters, never markup.
        self.query_one("#info", Static).update(literal(" · ".join(parts)))
        if self._loaded:
            empty = "Nothing matches the filter. Press escape to clear it."
            hosts.empty_message = empty if hosts.filter_text else "No dedicated hosts."
            servers.empty_message = empty if servers.filter_text else (
                "No servers on this host." if self.host_shown else "No ECS servers.")

    # -- keys ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Write actions do not exist in read-only mode (absent from footer and help)."""
        if action in WRITE_ACTIONS and getattr(self.app, "read_only", False):
            return False
        if self._typing and action not in ("filter", "clear"):
            return False
        return True

    def action_filter(self) -> None:
        """Show the filter box and type into it."""
        box = self.query_one("#filter", Input)
        box.add_class("-shown")
        self._typing = True
        box.focus()

    def on_descendant_focus(self, event: Any) -> None:
        if event.widget is self.query_one("#filter", Input):
            self._typing = False

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        self.hosts_table.set_filter(text)
        self.servers_table.set_filter(text)
        self._update_info()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        # Back to the table that shows something (a server name leaves no host row).
        hosts = self.hosts_table
        (hosts if hosts.visible_count else self.servers_table).focus()

    def on_key(self, event: Any) -> None:
        box = self.query_one("#filter", Input)
        route_filter_key(event, box, focused=self.focused, typing=self._typing,
                         open_box=self.action_filter, clear=self.action_clear)

    def action_clear(self) -> None:
        """Clear the filter, then show every server again, one layer per press."""
        self._typing = False
        box = self.query_one("#filter", Input)
        if box.value or box.has_class("-shown"):
            box.value = ""
            box.remove_class("-shown")
            self.hosts_table.set_filter("")
            self.servers_table.set_filter("")
            self.hosts_table.focus()
        elif self.host_shown is not None:
            self.show_host(None)
            self.hosts_table.focus()
        self._update_info()

    def show_host(self, host_id: str | None) -> None:
        """Show only ``host_id``'s servers (None: every server)."""
        self.host_shown = host_id
        if host_id is None:
            self.servers_table.set_predicate(None)
        else:
            self.servers_table.set_predicate(lambda key, row: row["_host"] == host_id)
        self._update_info()

    @on(SourceTable.RowActivated, "#hosts")
    def _host_chosen(self, event: SourceTable.RowActivated) -> None:
        self.show_host(event.key)
        self.servers_table.focus()

    @on(SourceTable.MarksChanged)
    @on(SourceTable.ColumnsChanged)
    def _marks(self) -> None:
        self._update_info()

    def action_sort_next(self) -> None:
        """Sort the focused table by its next column."""
        self._focused_table().action_cycle_sort()

    def action_sort_reverse(self) -> None:
        """Reverse the focused table's sort."""
        self._focused_table().action_reverse_sort()

    def _focused_table(self) -> SourceTable:
        return self.servers_table if self.focused is self.servers_table else self.hosts_table

    def action_move_servers(self) -> None:
        """Move the marked servers, else the highlighted one."""
        table = self.servers_table
        keys = tuple(sorted(table.marked)) or ((table.cursor_key,) if table.cursor_key else ())
        if not keys:
            self.notify("No server to move: highlight or mark one.", severity="warning")
            return
        self.app.open(nav.MoveServers(keys))  # type: ignore[attr-defined]

    def action_drain_host(self) -> None:
        """Plan moving every server off the highlighted host."""
        key = self.host_shown if self.focused is self.servers_table and self.host_shown \
            else self.hosts_table.cursor_key
        if key is None or key == POOL:
            self.notify("Highlight a dedicated host to drain.", severity="warning")
            return
        self.app.open(nav.DrainHost(key))  # type: ignore[attr-defined]

    def action_jobs(self) -> None:
        """Every job started or seen."""
        self.app.open(nav.HostJobs())  # type: ignore[attr-defined]
