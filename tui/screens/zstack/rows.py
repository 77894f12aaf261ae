"""Rows of view 3's tables: hosts with capacity bars, VMs with their migration in flight.

Every server string goes through :func:`tui.untrusted.literal`/``clean``; badges carry a
symbol so no state is told by colour alone.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from tui.service.zstack import Migration, ZStackSnapshot
from tui.service.zstack_plan import capacity
from tui.untrusted import clean, literal
from widgets.states import badge
from widgets.table import Column, Row, progress_bar
from widgets.units import human_size

BAR = 16
VM_STATES: dict[str, tuple[str, str]] = {
    "Running": ("▶", "green"), "Paused": ("‖", "yellow"), "Migrating": ("⇄", "bright_cyan"),
    "Stopped": ("■", "bright_black"), "Starting": ("◔", "cyan"), "Stopping": ("◼", "yellow"),
    "Unknown": ("?", "magenta"), "Error": ("✖", "bold bright_red"), "Crashed": ("✖", "red"),
    "Rebooting": ("↻", "cyan"), "Destroyed": ("⌫", "bright_black"),
}
HOST_STATES: dict[str, tuple[str, str]] = {
    "Enabled": ("●", "green"), "Disabled": ("○", "yellow"),
    "PreMaintenance": ("◐", "yellow"), "Maintenance": ("◑", "bright_magenta"),
}
HOST_STATUS: dict[str, tuple[str, str]] = {
    "Connected": ("↔", "green"), "Connecting": ("…", "cyan"),
    "Disconnected": ("✖", "bold bright_red"),
}

HOST_COLUMNS = [
    Column("name", "Host", min_width=12, searchable=True),
    Column("cluster", "Cluster", width=10),
    Column("state", "State", width=14, sort_key=lambda r: r["_state"]),
    Column("status", "Status", width=14, sort_key=lambda r: r["_status"]),
    Column("cpu", "CPU used/total", width=BAR + 8, sort_key=lambda r: r["_cpu"]),
    Column("mem", "Memory used/total", width=BAR + 12, sort_key=lambda r: r["_mem"]),
    Column("vms", "VMs", width=4, align="right"),
    Column("moving", "Moving", width=6, align="right"),
    Column("ip", "IP", width=0, min_width=0, searchable=True),
    Column("uuid", "UUID", width=0, min_width=0, searchable=True),
]
VM_COLUMNS = [
    Column("name", "VM", min_width=12, searchable=True),
    Column("state", "State", width=12, sort_key=lambda r: r["_state"]),
    Column("host", "Host", width=12),
    Column("cluster", "Cluster", width=10),
    Column("cpu", "vCPU", width=4, align="right"),
    Column("mem", "Memory", width=9, align="right", sort_key=lambda r: r["_mem"]),
    Column("ip", "IP", width=15, searchable=True),
    Column("move", "Migration", min_width=16),
    Column("uuid", "UUID", width=0, min_width=0, searchable=True),
]


def _bar(used: int, total: int, text: str) -> Text:
    fraction = used / total if total else None
    style = "red" if fraction is not None and fraction > 0.9 else "cyan"
    out = progress_bar(fraction, BAR, style=style)
    out.append(" " + text)
    return out


def host_row(host: Any, snap: ZStackSnapshot, vm_count: int, moving: int) -> Row:
    """One host: badges, CPU and memory bars with used/total, VM count, moves in flight."""
    cap = capacity(host)
    return {
        "name": literal(host.name or host.uuid), "cluster": clean(snap.cluster_name(host.clusterUuid)),
        "state": badge(clean(host.state) or None, HOST_STATES),
        "status": badge(clean(host.status) or None, HOST_STATUS),
        "cpu": _bar(cap.cpu_used, cap.cpu_total, f"{cap.cpu_used}/{cap.cpu_total}"),
        "mem": _bar(cap.mem_used, cap.mem_total,
                    f"{human_size(cap.mem_used)}/{human_size(cap.mem_total)}".replace(" GiB", "G")),
        "vms": vm_count, "moving": moving or "", "ip": clean(host.managementIp),
        "uuid": clean(host.uuid), "_state": host.state or "", "_status": host.status or "",
        "_cpu": cap.cpu_used / cap.cpu_total if cap.cpu_total else 0,
        "_mem": cap.mem_used / cap.mem_total if cap.mem_total else 0,
    }


def migration_cell(move: Migration | None, snap: ZStackSnapshot, now: float) -> Text:
    """``⇄ → kvm-a02 12s`` in flight, then ``✔ now on kvm-a02`` or ``✖ failed``."""
    if move is None:
        return Text("")
    dest = clean(snap.host_name(move.dest))
    if move.status == "running":
        return Text.assemble(("⇄ ", "bright_cyan"), f"→ {dest} ", (f"{move.elapsed(now):.0f}s", "dim"))
    if move.status == "ok":
        return Text.assemble(("✔ ", "green"), f"now on {dest}")
    return Text.assemble(("✖ ", "bold bright_red"), clean(move.reason)[:60])


def vm_row(vm: Any, snap: ZStackSnapshot, move: Migration | None, now: float) -> Row:
    """One VM: state badge, host, cluster, size, IP, and its migration (elapsed, new host)."""
    return {
        "name": literal(vm.name or vm.uuid), "state": badge(clean(vm.state) or None, VM_STATES),
        "host": clean(snap.host_name(vm.hostUuid)) if vm.hostUuid else "—",
        "cluster": clean(snap.cluster_name(vm.clusterUuid)), "cpu": vm.cpuNum,
        "mem": human_size(vm.memorySize), "ip": clean(vm.ip), "uuid": clean(vm.uuid),
        "move": migration_cell(move, snap, now), "_state": vm.state or "",
        "_mem": vm.memorySize or 0,
    }


__all__ = ["HOST_COLUMNS", "VM_COLUMNS", "host_row", "migration_cell", "vm_row"]
