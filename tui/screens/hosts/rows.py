"""Cells of the hosts view: host rows (capacity bars), server rows (status badge, job in flight).

Every string that came from ECS or DeH goes through :mod:`tui.untrusted` here, once, so the
tables, dialogs and the headless output show it literally.
"""

from __future__ import annotations

import math
from typing import Any

from rich.text import Text

from tui.service.hosts import POOL, JobRecord
from tui.untrusted import clean, literal
from widgets.source_table import Column, Row
from widgets.units import duration

BAR_WIDTH = 16

SERVER_STATES: dict[str, tuple[str, str]] = {
    "ACTIVE": ("●", "green"),
    "SHUTOFF": ("■", "yellow"),
    "BUILD": ("◔", "cyan"),
    "REBOOT": ("↻", "cyan"),
    "HARD_REBOOT": ("↻", "cyan"),
    "RESIZE": ("⇲", "blue"),
    "VERIFY_RESIZE": ("⇲", "blue"),
    "REVERT_RESIZE": ("⇲", "blue"),
    "MIGRATING": ("⇄", "bright_magenta"),
    "REBUILD": ("◔", "cyan"),
    "ERROR": ("✖", "bold bright_red"),
    "SHELVED": ("⊘", "bright_black"),
    "DELETED": ("⌫", "bright_black"),
}
"""ECS server ``status`` → (symbol, style); the symbol tells the state without colour."""

HOST_STATES: dict[str, tuple[str, str]] = {
    "available": ("●", "green"),
    "fault": ("✖", "bold bright_red"),
    "released": ("○", "bright_black"),
}

JOB_STATES: dict[str, tuple[str, str]] = {
    "INIT": ("○", "cyan"),
    "RUNNING": ("▶", "bright_cyan"),
    "SUCCESS": ("✔", "green"),
    "FAIL": ("✖", "bold bright_red"),
}


def badge(table: dict[str, tuple[str, str]], state: object) -> Text:
    """``● ACTIVE``: symbol and word (unknown states shown as they came, with ``?``)."""
    word = clean(state) if state else "unknown"
    symbol, style = table.get(word, ("?", "magenta"))
    return Text(f"{symbol} {word}", style=style, no_wrap=True, end="")


def gib(mb: float) -> str:
    """MB as GiB, without a trailing .0."""
    value = mb / 1024
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def usage_bar(used: int, total: int, width: int = BAR_WIDTH, unit: str = "") -> Text:
    """``██████░░░░ 24/64``: the used share as a bar, then used/total."""
    label = f" {used}/{total}{unit}"
    bar_width = max(width - len(label), 1)
    if total <= 0:
        return Text("—".rjust(width), style="dim", no_wrap=True, end="")
    fraction = min(max(used / total, 0.0), 1.0)
    filled = math.ceil(fraction * bar_width) if used else 0
    style = "bright_red" if fraction >= 0.9 else "yellow" if fraction >= 0.7 else "green"
    out = Text(no_wrap=True, end="")
    out.append("█" * filled, style=style)
    out.append("░" * (bar_width - filled), style="dim")
    out.append(label)
    return out


# At 80 columns (a jump host) what says where capacity is stays: the host's name and state
# always, then vCPU and memory used and the server count; type, AZ and auto placement drop
# first, and ``right``/``left`` scroll them into view.
HOST_COLUMNS = [
    Column("name", "Host", min_width=14, searchable=True, pinned=True),
    Column("type", "Type", width=10, priority=4),
    Column("state", "State", width=11, pinned=True),
    Column("az", "AZ", width=14, priority=5),
    Column("cpu", "vCPU used", width=BAR_WIDTH, sort_key=lambda r: r["_cpu"], priority=1),
    Column("mem", "Memory used (GiB)", width=BAR_WIDTH + 2, sort_key=lambda r: r["_mem"],
           priority=2),
    Column("count", "Servers", width=7, align="right", priority=3),
    Column("auto", "Auto", width=4, priority=6),
    Column("id", "ID", width=0, min_width=0, searchable=True),
]


def host_row(host: Any, count: int) -> Row:
    """One dedicated host's row."""
    used_cpu, total_cpu = host.used_vcpus, host.total_vcpus
    used_mem, total_mem = host.used_memory, host.total_memory
    return {
        "name": literal(host.name or host.dedicated_host_id),
        "type": literal(host.host_type or "?"),
        "state": badge(HOST_STATES, host.state),
        "az": literal(host.availability_zone or ""),
        "cpu": usage_bar(used_cpu, total_cpu),
        "mem": usage_bar(int(used_mem / 1024), int(total_mem / 1024), BAR_WIDTH + 2),
        "count": count,
        "auto": clean(host.auto_placement or ""),
        "id": clean(host.dedicated_host_id),
        "_cpu": used_cpu / total_cpu if total_cpu else 0.0,
        "_mem": used_mem / total_mem if total_mem else 0.0,
    }


def pool_row(count: int) -> Row:
    """The public pool: servers on shared hosts (no capacity of ours to show)."""
    return {
        "name": Text("public pool", style="italic"), "type": "shared", "state": "",
        "az": "", "cpu": Text("—".rjust(BAR_WIDTH), style="dim"),
        "mem": Text("—".rjust(BAR_WIDTH + 2), style="dim"), "count": count, "auto": "",
        "id": POOL, "_cpu": -1.0, "_mem": -1.0,
    }


# At 80 columns: which server, its status, where it is and the job moving it; the size
# (what a move must find room for), then IP and AZ drop first.
SERVER_COLUMNS = [
    Column("name", "Server", min_width=14, searchable=True, pinned=True),
    Column("status", "Status", width=13, pinned=True),
    Column("host", "Host", min_width=10, priority=1),
    Column("job", "Job", width=22, sort_key=lambda r: r["_job"], priority=2),
    Column("flavor", "Flavor", width=13, sort_key=lambda r: r["_size"], priority=3),
    Column("ip", "IP", width=15, searchable=True, priority=4),
    Column("az", "AZ", width=14, priority=5),
    Column("id", "ID", width=0, min_width=0, searchable=True),
]


def job_cell(record: JobRecord | None, now: float) -> Text:
    """``▶ migrate RUNNING 1m20s`` for a job in flight (empty otherwise)."""
    if record is None:
        return Text("")
    symbol, style = JOB_STATES.get(record.status, ("?", "magenta"))
    return Text(f"{symbol} {record.kind} {clean(record.status)} "
                f"{duration(max(0.0, now - record.begun))}", style=style, no_wrap=True, end="")


def server_row(server: Any, host_name: str, job: JobRecord | None, now: float) -> Row:
    """One ECS server's row; ``host_name`` is already clean (or "public pool")."""
    flavor = server.flavor
    size = f"{server.vcpus} vCPU {gib(server.ram_mb)}G" if server.vcpus else clean(
        flavor.name or flavor.id or "?")
    ips = server.ips
    return {
        "name": literal(server.name or server.id),
        "status": badge(SERVER_STATES, server.status),
        "flavor": size,
        "ip": clean(ips[0]) if ips else "",
        "host": Text(host_name, style="italic" if host_name == "public pool" else ""),
        "az": literal(server.availability_zone or ""),
        "job": job_cell(job, now),
        "id": clean(server.id),
        "_size": server.vcpus * 10_000_000 + server.ram_mb,
        "_job": job.status if job else "",
    }


def host_label(hosts: Any, host_id: str | None) -> str:
    """A host's name (clean), or "public pool"."""
    if host_id in (None, POOL):
        return "public pool"
    host = hosts.get(host_id)
    return clean(host.name or host_id) if host is not None else clean(host_id)
