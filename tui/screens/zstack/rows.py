"""Rows of view 3's tables: hosts with capacity bars, VMs with their migration in flight.

Every server string goes through :func:`tui.untrusted.literal`/``clean``; badges carry a
symbol so no state is told by colour alone. The bars and badges are the DeH view's
(:mod:`tui.screens.hosts.rows`), with ZStack's states.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from tui.screens.hosts.rows import badge, usage_bar
from tui.service.zstack import Migration, ZStackSnapshot
from tui.service.zstack_plan import usage
from tui.untrusted import clean, literal
from widgets.table import Column, Row, layout_widths
from widgets.table.lines import MARK_WIDTH

GIB = 1024**3
CPU_WIDTH = 10
"""``██░░ 14/32``: the DeH view's usage bar, narrower so the view fits 80 columns."""
MEM_WIDTH = 10

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

# Laid out for 80 columns with a scrollbar (flexing columns take what a wider terminal adds).
HOST_COLUMNS = [
    Column("name", "Host", min_width=8, searchable=True),
    Column("cluster", "Cluster", width=9),
    Column("state", "State", width=13, sort_key=lambda r: r["_state"]),
    Column("status", "Status", width=14, sort_key=lambda r: r["_status"]),
    # The bars flex too: a wide terminal shows them wider (rows are drawn for the width).
    Column("cpu", "vCPU used", min_width=CPU_WIDTH, sort_key=lambda r: r["_cpu"]),
    Column("mem", "Memory used", min_width=MEM_WIDTH, sort_key=lambda r: r["_mem"]),
    Column("vms", "VMs", width=4, align="right", sort_key=lambda r: r["_vms"]),
    Column("ip", "IP", width=0, min_width=0, searchable=True),
    Column("uuid", "UUID", width=0, min_width=0, searchable=True),
]
VM_COLUMNS = [
    Column("name", "VM", min_width=9, searchable=True),
    Column("state", "State", width=11, sort_key=lambda r: r["_state"]),
    Column("host", "Host", width=9),
    Column("move", "Migration", min_width=13),
    Column("cpu", "CPU", width=3, align="right"),
    Column("mem", "Mem", width=4, align="right", sort_key=lambda r: r["_mem"]),
    Column("ip", "IP", width=14, searchable=True),
    Column("cluster", "Cluster", min_width=7),
    Column("uuid", "UUID", width=0, min_width=0, searchable=True),
]


def gib(n: int | None) -> str:
    """Bytes as a short GiB figure: ``8G``, ``1.5G``, ``384G``."""
    if n is None:
        return "—"
    value = n / 1024**3
    return f"{value:.0f}G" if value >= 10 or value == int(value) else f"{value:.1f}G"


def bar_widths(line_width: int) -> tuple[int, int]:
    """The CPU and memory columns' widths in a hosts table ``line_width`` cells wide."""
    # The table keeps MARK_WIDTH cells at the left of each line for the mark.
    widths = dict(zip((c.key for c in HOST_COLUMNS),
                      layout_widths(HOST_COLUMNS, line_width - MARK_WIDTH), strict=True))
    return widths["cpu"], widths["mem"]


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
    """``⇄ kvm-a02 12s`` in flight, then ``✔ kvm-a02 40s`` (its new host) or ``✖ VM.1008``."""
    if move is None:
        return Text("")
    dest = clean(snap.host_name(move.dest))
    took = f" {move.elapsed(now):.0f}s"
    if move.status == "running":
        return Text.assemble(("⇄ ", "bright_cyan"), dest, (took, "dim"))
    if move.status == "ok":
        return Text.assemble(("✔ ", "green"), dest, (took, "dim"))
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
