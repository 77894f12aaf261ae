"""View 3: ZStack's hosts with their capacity above, the VMs below, every migration live.

``enter`` on a host shows its VMs, ``escape`` goes back (all VMs, then the hosts); ``/``
filters both tables by name, UUID or IP; ``space`` marks VMs; ``M`` migrates the marked or
highlighted VM (candidates from ZStack, one confirmation with the options); ``D`` evacuates
the highlighted host (a plan, one confirmation, two at a time); ``j`` lists the migrations;
``left``/``right`` scroll the focused table's hidden columns (on a narrow terminal) into view.
The screen reads :class:`~tui.screens.zstack.backend.ZStackBackend`; writes go through its
:class:`~tui.service.zstack.Migrations` (the command gateway).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from tui.screens.registry import WRITE_ACTIONS
from tui.screens.zstack.actions import MigrateActions
from tui.screens.zstack.rows import HOST_COLUMNS, VM_COLUMNS, bar_widths, host_row, vm_row
from tui.service.zstack import MigrationsChanged, ZStackPolled, ZStackPoller
from tui.untrusted import clean
from widgets.footer import KeyFooter as Footer
from widgets.source_table import SourceTable
from widgets.filter_box import route_filter_key
from widgets.status_header import StatusHeader


class ZStackScreen(MigrateActions):
    """ZStack hosts and VMs; see the module docstring for the keys."""

    DEFAULT_CSS = """
    ZStackScreen #zs-filter { display: none; height: 3; border: tall $accent; }
    ZStackScreen #zs-filter.-shown { display: block; }
    ZStackScreen .zs-info { height: 1; padding: 0 1; color: $text-muted; }
    ZStackScreen #zs-hosts { height: 2fr; }
    ZStackScreen #zs-vms { height: 3fr; }
    """
    BINDINGS = [
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("escape", "back", "Back / all VMs"),
        Binding("M", "zstack_migrate", "Migrate"),
        Binding("D", "zstack_evacuate", "Evacuate host"),
        Binding("j", "migrations", "Migrations"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.host_filter: str | None = None
        self._loaded = False
        self._last_table = "zs-hosts"
        self._bars = (0, 0)
        self._typing = False
        self._drawn: Any = None
        """The snapshot whose rows are on screen (the next poll is diffed against it)."""
        self._names: Any = None
        self._moves_drawn: dict[str, Any] = {}
        self._host_sigs: dict[str, tuple[Any, ...]] = {}

    @property
    def backend(self) -> ZStackPoller:
        """View 3's poller (the app's ``backends["zstack"]``), which owns the migrations."""
        return self.app.backends["zstack"]  # type: ignore[attr-defined,no-any-return]

    def compose(self) -> ComposeResult:
        app: Any = self.app
        yield StatusHeader("ZStack", None, read_only=app.read_only, interval=app.settings.refresh,
                           clock=app.clock, id="zs-header")
        yield Input(placeholder="filter by name, UUID or IP (enter: back to the table)",
                    id="zs-filter")
        yield Static("", id="zs-hosts-info", classes="zs-info")
        yield SourceTable(HOST_COLUMNS, empty_message="Loading ZStack…", id="zs-hosts")
        yield Static("", id="zs-vms-info", classes="zs-info")
        yield SourceTable(VM_COLUMNS, empty_message="Loading ZStack…", id="zs-vms")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "backend_polls", self._event, init=False)
        self.watch(self.app, "view_tabs", lambda _: self._header(), init=True)
        self.hosts.focus()
        if self.backend.snapshot.version:
            self._draw()
        self.set_interval(1.0, self._tick)

    @property
    def hosts(self) -> SourceTable:
        """The hosts table."""
        return self.query_one("#zs-hosts", SourceTable)

    @property
    def vms(self) -> SourceTable:
        """The VMs table."""
        return self.query_one("#zs-vms", SourceTable)

    # -- data ------------------------------------------------------------------------------

    def _event(self, event: Any) -> None:
        if isinstance(event, ZStackPolled):
            self._draw()
        elif isinstance(event, MigrationsChanged):
            self._draw()

    def _now(self) -> float:
        return float(self.app.wall_clock())  # type: ignore[attr-defined]

    def _draw(self) -> None:
        """Apply the latest snapshot: every host row (few), and only the VM rows whose VM,
        host or cluster name or migration changed since the last one drawn."""
        snap = self.backend.snapshot
        counts: dict[str, int] = {}
        moving: dict[str, int] = {}
        for vm in snap.vms.values():
            if vm.hostUuid:
                counts[vm.hostUuid] = counts.get(vm.hostUuid, 0) + 1
        latest = self._latest_moves()
        for m in latest.values():
            if m.status == "running":
                for h in (m.source, m.dest):
                    if h:
                        moving[h] = moving.get(h, 0) + 1
        bars = self._bars = bar_widths(self.hosts.column_widths)
        host_rows = {}
        for k, h in snap.hosts.items():
            sig = (h.name, h.state, h.status, snap.cluster_name(h.clusterUuid), h.managementIp,
                   h.totalCpuCapacity, h.availableCpuCapacity, h.totalMemoryCapacity,
                   h.availableMemoryCapacity, counts.get(k, 0), moving.get(k, 0), bars)
            if not self._loaded or self._host_sigs.get(k) != sig:
                host_rows[k] = host_row(h, snap, counts.get(k, 0), moving.get(k, 0), bars)
                self._host_sigs[k] = sig
        now = self._now()
        before = self._drawn
        names = ({k: h.name for k, h in snap.hosts.items()},
                 {k: c.name for k, c in snap.clusters.items()})
        if not self._loaded or before is None or names != self._names:
            keys = list(snap.vms)
        else:
            old = before.vms
            keys = [k for k, v in snap.vms.items() if _shown(old.get(k)) != _shown(v)]
            keys += [k for k, m in latest.items() if k in snap.vms and
                     self._moves_drawn.get(k) != m]
        self._names, self._drawn = names, snap
        self._moves_drawn = dict(latest)
        vm_rows = {k: vm_row(snap.vms[k], snap, latest.get(k), now) for k in keys}
        if not self._loaded:
            self._host_sigs = {k: v for k, v in self._host_sigs.items() if k in snap.hosts}
            self.hosts.set_rows(host_rows)
            self.vms.set_rows(vm_rows)
            self._loaded = True
        else:
            # By key, in one batch each; rows that vanished are removed.
            old_hosts = before.hosts if before is not None else {}
            old_vms = before.vms if before is not None else {}
            self.hosts.apply_diff(host_rows, [k for k in old_hosts if k not in snap.hosts])
            self.vms.apply_diff(vm_rows, [k for k in old_vms if k not in snap.vms])
        self.hosts.stale = self.vms.stale = False
        self._info()
        self._header()

    def _latest_moves(self) -> dict[str, Any]:
        """Each VM's latest migration sent from here (records are in order: the last wins)."""
        return {m.vm_uuid: m for m in self.backend.moves.records}

    def _latest_move(self, vm_uuid: str) -> Any:
        return next((m for m in reversed(self.backend.moves.records)
                     if m.vm_uuid == vm_uuid), None)

    def _draw_vms(self, keys: set[str]) -> None:
        snap, now = self.backend.snapshot, self._now()
        rows = {k: vm_row(snap.vms[k], snap, self._latest_move(k), now)
                for k in keys if k in snap.vms}
        if rows and self._loaded:
            self.vms.apply_diff(rows)

    @on(SourceTable.ColumnsChanged)
    def _columns_changed(self, event: SourceTable.ColumnsChanged) -> None:
        # Resized or scrolled sideways: the capacity bars are drawn for their column's width.
        if self._loaded and event.table is self.hosts and \
                bar_widths(self.hosts.column_widths) != self._bars:
            self._draw()
        self._info()

    def _tick(self) -> None:
        """Elapsed times of migrations in flight move every second."""
        running = {m.vm_uuid for m in self.backend.moves.records if m.status == "running"}
        if running:
            self._draw_vms(running)
        self._header()

    def _header(self) -> None:
        """The shared header: the views, ZStack's connection and how fresh the data is."""
        header = self.query_one(StatusHeader)
        header.label = clean(self.backend.label)
        header.status = status = self.backend.status
        if status.is_stale(self.app.clock(), self.backend.interval):  # type: ignore[attr-defined]
            self.hosts.stale = self.vms.stale = True

    def _info(self) -> None:
        hosts, vms = self.hosts, self.vms
        box = self.query_one("#zs-filter", Input).value.strip()
        where = f" · filter “{clean(box)}”" if box else ""
        flying = self.backend.moves.in_flight
        moving = f" · ⇄ {flying} migrating" if flying else ""
        self.query_one("#zs-hosts-info", Static).update(Text(
            f"Hosts {hosts.visible_count} of {hosts.total_count}{where}{moving} · enter: its "
            f"VMs · D: evacuate{_hidden(hosts)}"))
        snap = self.backend.snapshot
        scope = (f"VMs on {clean(snap.host_name(self.host_filter))} (escape: all VMs)"
                 if self.host_filter else "All VMs")
        marked = f" · {len(vms.marked)} marked" if vms.marked else ""
        self.query_one("#zs-vms-info", Static).update(Text(
            f"{scope} · {vms.visible_count} of {vms.total_count}{where}{marked} · M: migrate"
            f"{_hidden(vms)}"))

    # -- keys ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that write do not exist in read-only mode (footer, help)."""
        if action in WRITE_ACTIONS and getattr(self.app, "read_only", False):
            return False
        if self._typing and action not in ("filter", "back"):
            return False  # keys pasted with "/" are filter text, never commands (M, D…)
        return True

    def action_filter(self) -> None:
        """Show the filter box (both tables, by name, UUID or IP)."""
        box = self.query_one("#zs-filter", Input)
        self._last_table = self.focused.id if isinstance(self.focused, SourceTable) and \
            self.focused.id else self._last_table
        box.add_class("-shown")
        self._typing = True
        box.focus()

    def on_descendant_focus(self, event: Any) -> None:
        if event.widget is self.query_one("#zs-filter", Input):
            self._typing = False

    @on(Input.Changed, "#zs-filter")
    def _filter(self, event: Input.Changed) -> None:
        self.hosts.set_filter(event.value.strip())
        self.vms.set_filter(event.value.strip())
        self._info()

    @on(Input.Submitted, "#zs-filter")
    def _filter_done(self) -> None:
        self.query_one(f"#{self._last_table}", SourceTable).focus()

    def on_key(self, event: Any) -> None:
        box = self.query_one("#zs-filter", Input)
        route_filter_key(event, box, focused=self.focused, typing=self._typing,
                         open_box=self.action_filter, clear=self.action_back)

    def action_back(self) -> None:
        """One layer per press: the filter, then a host's VMs (all VMs), then the hosts."""
        self._typing = False
        box = self.query_one("#zs-filter", Input)
        if box.value or box.has_class("-shown"):
            box.value = ""
            box.remove_class("-shown")
            self.query_one(f"#{self._last_table}", SourceTable).focus()
        elif self.host_filter is not None:
            self.host_filter = None
            self.vms.set_predicate(None)
        elif self.focused is self.vms:
            self.hosts.focus()
        self._info()

    @on(SourceTable.RowActivated, "#zs-hosts")
    def _open_host(self, event: SourceTable.RowActivated) -> None:
        event.stop()
        self.show_host(event.key)

    @on(SourceTable.RowActivated, "#zs-vms")
    def _vm_enter(self, event: SourceTable.RowActivated) -> None:
        event.stop()  # nothing deeper to open for a VM; M migrates it

    @on(SourceTable.MarksChanged)
    def _marks(self) -> None:
        self._info()

    def show_host(self, host_uuid: str) -> None:
        """Only this host's VMs in the VM table, which takes the focus."""
        self.host_filter = host_uuid
        self.vms.set_predicate(lambda key, row: self._on_host(key, host_uuid))
        self.vms.focus()
        self._info()

    def _on_host(self, vm_uuid: str, host_uuid: str) -> bool:
        vm = self.backend.snapshot.vms.get(vm_uuid)
        if vm is None:
            return False
        # A VM migrated off this host from here stays listed, showing where it went.
        move = self._latest_move(vm_uuid)
        return vm.hostUuid == host_uuid or (move is not None and move.source == host_uuid)

    def action_migrations(self) -> None:
        """The migrations in flight and done."""
        from tui.screens.zstack.dialogs import MigrationsPanel

        self.app.push_screen(MigrationsPanel(lambda: self.backend.moves.records,
                                             lambda: self.backend.snapshot, self._now))

def _hidden(table: SourceTable) -> str:
    """`` · 2 columns hidden ←/→`` when the terminal is too narrow for every column."""
    count = sum(len(side) for side in table.hidden_columns)
    return f" · {count} column{'s' if count > 1 else ''} hidden ←/→" if count else ""


def _shown(vm: Any) -> tuple[Any, ...] | None:
    """What a VM's row shows (comparing these is ~20x cheaper than comparing the models)."""
    if vm is None:
        return None
    nics = vm.vmNics
    return (vm.name, vm.state, vm.hostUuid, vm.clusterUuid, vm.cpuNum, vm.memorySize,
            nics[0].ip if nics else None)


__all__ = ["ZStackScreen"]
