"""Rows of view 3's tables: hosts with capacity bars, VMs with their migration in flight.

Every server string goes through :func:`tui.untrusted.literal`/``clean``; badges carry a
symbol so no state is told by colour alone. The bars and badges are the DeH view's
(:mod:`tui.screens.hosts.rows`), with ZStack's states.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text

from tui.screens.hosts.rows import badge, usage_bar
from tui.service.zstack import Migration, ZStackSnapshot
from tui.service.zstack_plan import usage
from tui.untrusted import clean, literal
from widgets.table import Column, Row

GIB = 1024**3
CPU_WIDTH = 14
"""``███░░░░ 14/32``: the least a usage bar shrinks to (wider terminals widen it)."""
MEM_WIDTH = 14

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

# At 80 columns (a jump host) what says where capacity is stays: a host's name and state
# always, then its vCPU and memory bars and VM count; its connection status, then its cluster
# drop first. For VMs: name and state, then the host and the migration in flight; size, IP and
# cluster drop first. ``right``/``left`` scroll dropped columns into view.
HOST_COLUMNS = [
    Column("name", "Host", min_width=8, searchable=True, pinned=True),
    Column("cluster", "Cluster", width=9, priority=5),
    Column("state", "State", width=13, sort_key=lambda r: r["_state"], pinned=True),
    Column("status", "Status", width=14, sort_key=lambda r: r["_status"], priority=4),
    # The bars flex: a wide terminal shows them wider (rows are drawn for the width).
    Column("cpu", "vCPU used", min_width=CPU_WIDTH, sort_key=lambda r: r["_cpu"], priority=1),
    Column("mem", "Memory used", min_width=MEM_WIDTH, sort_key=lambda r: r["_mem"],
           priority=2),
    Column("vms", "VMs", width=4, align="right", sort_key=lambda r: r["_vms"], priority=3),
    Column("ip", "IP", width=0, min_width=0, searchable=True),
    Column("uuid", "UUID", width=0, min_width=0, searchable=True),
]
VM_COLUMNS = [
    Column("name", "VM", min_width=9, searchable=True, pinned=True),
    Column("state", "State", width=11, sort_key=lambda r: r["_state"], pinned=True),
    Column("host", "Host", width=9, priority=1),
    Column("move", "Migration", min_width=13, priority=2),
    Column("cpu", "CPU", width=3, align="right", priority=3),
    Column("mem", "Mem", width=4, align="right", sort_key=lambda r: r["_mem"], priority=3),
    Column("ip", "IP", width=14, searchable=True, priority=5),
    Column("cluster", "Cluster", min_width=7, priority=6),
    Column("uuid", "UUID", width=0, min_width=0, searchable=True),
]


def gib(n: int | None) -> str:
    """Bytes as a short GiB figure: ``8G``, ``1.5G``, ``384G``."""
    if n is None:
        return "—"
    value = n / 1024**3
    return f"{value:.0f}G" if value >= 10 or value == int(value) else f"{value:.1f}G"


def bar_widths(widths: Mapping[str, int]) -> tuple[int, int]:
    """The CPU and memory bars' widths from the hosts table's drawn column widths (a hidden
    or not yet laid out column: its least width)."""
    return widths.get("cpu") or CPU_WIDTH, widths.get("mem") or MEM_WIDTH


def host_row(host: Any, snap: ZStackSnapshot, vm_count: int, moving: int,
             bars: tuple[int, int] = (CPU_WIDTH, MEM_WIDTH)) -> Row:
    """One host: badges, CPU and memory bars with used/total (``bars`` cells wide), VM count,
    moves in flight."""
    use = usage(host)
    return {
        "name": literal(host.name or host.uuid),
        "cluster": clean(snap.cluster_name(host.clusterUuid)),
        "state": badge(HOST_STATES, host.state), "status": badge(HOST_STATUS, host.status),
        "cpu": usage_bar(use.cpu_used, use.cpu_total, bars[0]),
        "mem": usage_bar(round(use.mem_used / GIB), round(use.mem_total / GIB), bars[1], "G"),
        "vms": Text.assemble(str(vm_count), (f"⇄{moving}", "bright_cyan")) if moving
        else vm_count,
        "_vms": vm_count, "ip": clean(host.managementIp),
        "uuid": clean(host.uuid), "_state": host.state or "", "_status": host.status or "",
        "_cpu": use.cpu_used / use.cpu_total if use.cpu_total else 0,
        "_mem": use.mem_used / use.mem_total if use.mem_total else 0,
    }


def migration_cell(move: Migration | None, snap: ZStackSnapshot, now: float) -> Text:
    """``⇄ kvm-a02 12s`` in flight, then ``✔ kvm-a02 40s`` (its new host), ``✖ VM.1008``, or
    ``? unknown`` (the answer or the job was lost, or it ran past its apiTimeout: ``j`` says
    what a re-read of the VM showed)."""
    if move is None:
        return Text("")
    dest = clean(snap.host_name(move.dest))
    took = f" {move.elapsed(now):.0f}s"
    if move.status == "running":
        return Text.assemble(("⇄ ", "bright_cyan"), dest, (took, "dim"))
    if move.status == "ok":
        return Text.assemble(("✔ ", "green"), dest, (took, "dim"))
    if move.status == "unknown":
        return Text.assemble(("? ", "bold yellow"), "unknown", (" j: why", "dim"))
    code = clean(move.reason).split(":", 1)[0] if move.reason else move.status
    return Text.assemble(("✖ ", "bold bright_red"), code[:20], (" j: why", "dim"))


def vm_row(vm: Any, snap: ZStackSnapshot, move: Migration | None, now: float) -> Row:
    """One VM: state badge, host, cluster, size, IP, and its migration (elapsed, new host)."""
    return {
        "name": literal(vm.name or vm.uuid), "state": badge(VM_STATES, vm.state),
        "host": clean(snap.host_name(vm.hostUuid)) if vm.hostUuid else "—",
        "cluster": clean(snap.cluster_name(vm.clusterUuid)), "cpu": vm.cpuNum,
        "mem": gib(vm.memorySize), "ip": clean(vm.ip), "uuid": clean(vm.uuid),
        "move": migration_cell(move, snap, now), "_state": vm.state or "",
        "_mem": vm.memorySize or 0,
    }


__all__ = ["HOST_COLUMNS", "VM_COLUMNS", "bar_widths", "gib", "host_row", "migration_cell", "vm_row"]
