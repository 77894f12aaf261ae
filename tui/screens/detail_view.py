"""What the source detail shows, as rich renderables: facts, task summary, checks, networks."""

from __future__ import annotations

import time
from typing import Any

from rich.table import Table
from rich.text import Text

from tui.api.errors import explain
from tui.untrusted import clean, literal
from widgets.states import check_badge, source_badge, task_badge
from widgets.units import human_size, mbit, mbyte_to_mbit, percent, since_ms


def _date(ms: int | None) -> str:
    if not ms:
        return "—"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ms / 1000))


def facts_table(d: Any, now: float) -> Table:
    """Name, host, IP, OS, firmware, CPU, memory, agent, connection, state, stage, dates."""
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold", no_wrap=True)
    t.add_column(overflow="fold")
    connected = Text("✔ connected", style="green") if d.connected else Text("✖ disconnected",
                                                                             style="bold red")
    # Server strings as Text: a str cell of a rich Table is parsed as markup.
    rows: list[tuple[str, Any]] = [
        ("Name", literal(d.name or "—")),
        ("Hostname", literal(d.hostname or "—")),
        ("IP", literal(d.ip or "—")),
        ("OS", literal(f"{d.os_type or '?'} {d.os_version or ''}".strip())),
        ("Firmware", literal(d.firmware or "—")),
        ("CPUs", str(d.cpu_quantity) if d.cpu_quantity is not None else "—"),
        ("Memory", human_size(d.memory)),
        ("Agent", literal(f"{d.agent_version or '—'}" + (f" · kernel {d.kernel_version}"
                                                          if d.kernel_version else ""))),
        ("Connection", Text.assemble(connected, f"  last visit {since_ms(d.last_visit_time, now)} ago"
                                     if d.last_visit_time else "")),
        ("State", Text.assemble(source_badge(d.state), f"  since {since_ms(d.state_action_time, now)}"
                                if d.state_action_time else "")),
        ("Stage", literal(d.migration_cycle or "—")),
        ("Added", _date(d.add_date)),
        ("ID", literal(d.id)),
    ]
    for k, v in rows:
        t.add_row(k, v)
    return t


def task_summary(d: Any, now: float, *, read_only: bool = False) -> Any:
    task = d.current_task
    if task is None:
        return Text("No migration task yet." + ("" if read_only else " Press C to create one."),
                    style="dim")
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold", no_wrap=True)
    t.add_column()
    pct = percent(d.replicatesize, d.totalsize)
    t.add_row("Task", Text.assemble(clean(task.name or task.id), "  ", task_badge(task.state)))
    t.add_row("Type", literal(task.type or "—"))
    t.add_row("Copied", f"{human_size(d.replicatesize)} of {human_size(d.totalsize)}"
              + (f" ({pct * 100:.0f}%)" if pct is not None else ""))
    t.add_row("Speed", mbit(mbyte_to_mbit(task.migrate_speed)))
    if task.speed_limit:
        t.add_row("Limit", f"{task.speed_limit} Mbit/s")
    if task.remain_seconds:
        t.add_row("Remaining", f"{task.remain_seconds // 3600}h {task.remain_seconds % 3600 // 60}m")
    if task.target_server is not None:
        t.add_row("Target", literal(task.target_server.name or "—"))
    return t


def checks_table(d: Any) -> Any:
    """Every check; WARN/ERROR with the decoded message and the handling measure."""
    if not d.checks:
        return Text("No environment checks reported yet.", style="dim")
    t = Table(show_header=True, header_style="bold", box=None, expand=True, padding=(0, 1))
    t.add_column("Result", no_wrap=True, width=9)
    t.add_column("Check", no_wrap=True)
    t.add_column("Why and what to do", ratio=1, overflow="fold")
    order = {"ERROR": 0, "WARN": 1}
    for c in sorted(d.checks, key=lambda c: order.get(c.result or "", 2)):
        if c.result in ("WARN", "ERROR") and c.error_code:
            params = [p for p in (c.params or []) if p] or (
                [p for p in (c.error_params or "").split(",") if p])
            ex = explain(c.error_code, params)
            why = Text.assemble((f"{clean(ex.code)} ", "bold"), clean(ex.message), "\n",
                                ("→ " + clean(ex.handling), "italic"))
        else:
            why = Text("")
        t.add_row(check_badge(c.result), literal(c.name or "?"), why)
    return t


def networks_table(d: Any) -> Any:
    if not d.networks:
        return Text("No network interfaces reported.", style="dim")
    t = Table(show_header=True, header_style="bold", box=None, padding=(0, 1))
    for col in ("Name", "IP", "IPv6", "Mask", "Gateway", "MTU", "MAC"):
        # A MAC is 17 cells and useless cut: it keeps its width; IPv6 folds instead.
        t.add_column(col, no_wrap=col != "IPv6", overflow="fold",
                     min_width=17 if col == "MAC" else None)
    for n in d.networks:
        t.add_row(*(literal(v or "—") for v in (n.name, n.ip, n.ipv6, n.netmask, n.gateway)),
                  str(n.mtu) if n.mtu is not None else "—", literal(n.mac or "—"))
    return t
