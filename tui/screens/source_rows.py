"""A ``SourceListItem`` as one row of the fleet table: cells, sort values, search text."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from rich.text import Text

from widgets.states import source_badge, task_badge
from widgets.units import duration, human_size, mbit, mbyte_to_mbit, percent

PROBLEM_STATES = frozenset({"error", "unavailable"})


def is_problem(source: Any) -> bool:
    """Error, unavailable, agent disconnected, or any environment check WARN/ERROR."""
    if source.state in PROBLEM_STATES or source.connected is False:
        return True
    return any(getattr(c, "result", None) in ("WARN", "ERROR") for c in (source.checks or ()))


def progress_fraction(source: Any) -> float | None:
    """replicatesize / totalsize, 0–1."""
    return percent(source.replicatesize, source.totalsize)


def task_speed_mbit(source: Any) -> float | None:
    """The current task's speed in Mbit/s (the reference gives task speeds in MB/s)."""
    task = source.current_task
    if task is None or task.migrate_speed is None:
        return None
    return mbyte_to_mbit(task.migrate_speed)


def eta_seconds(source: Any, now: float) -> float | None:
    """Seconds to completion: the task's estimate, else remain_seconds."""
    task = source.current_task
    if task is None or task.state not in ("RUNNING", "SYNCING"):
        return None
    estimate = task.estimate_completion_time
    if estimate:
        return max(0.0, float(estimate) / 1000 - now)
    remain = getattr(task, "remain_seconds", None)
    return float(remain) if remain else None


@dataclass(frozen=True)
class RowValues:
    """Everything a row shows, plus the raw values to sort by."""

    state: Text
    name: str
    ip: str
    os: str
    stage: str
    progress: float | None
    speed: str
    eta: str
    agent: Text
    task: Text
    changed: str
    sort: dict[str, Any]
    search: str


def row_values(source: Any, now: float | None = None) -> RowValues:
    """Cells for one source at wall-clock time ``now``."""
    now = time.time() if now is None else now
    task = source.current_task
    speed = task_speed_mbit(source)
    eta = eta_seconds(source, now)
    frac = progress_fraction(source)
    changed_ms = source.state_action_time or 0
    os_label = source.os_version or source.os_type or "—"
    connected = source.connected
    agent = (Text("✔", style="green") if connected else Text("✖ off", style="bold bright_red")
             if connected is False else Text("?", style="dim"))
    return RowValues(
        state=source_badge(source.state),
        name=source.name or "",
        ip=source.ip or "",
        os=os_label,
        stage=source.migration_cycle or "—",
        progress=frac,
        speed=mbit(speed) if speed else "—",
        eta=duration(eta) if eta is not None else "—",
        agent=agent,
        task=task_badge(task.state) if task is not None else Text("—", style="dim"),
        changed=duration(now - changed_ms / 1000) if changed_ms else "—",
        sort={
            "state": source.state or "",
            "name": (source.name or "").lower(),
            "ip": _ip_key(source.ip or ""),
            "os": os_label,
            "stage": source.migration_cycle or "",
            "progress": frac if frac is not None else -1.0,
            "speed": speed or 0.0,
            "eta": eta if eta is not None else float("inf"),
            "agent": bool(connected),
            "task": (task.state if task is not None else "") or "",
            "changed": -changed_ms,
            "size": source.totalsize or 0,
        },
        search=f"{source.name or ''}\n{source.ip or ''}\n{source.id}".lower(),
    )


def _ip_key(ip: str) -> tuple[int, tuple[int, ...], str]:
    """IPv4 addresses sort numerically; anything else after them, as text."""
    try:
        return (0, tuple(int(p) for p in ip.split(".")), "")
    except ValueError:
        return (1, (), ip)


def size_text(source: Any) -> str:
    """``replicated / total`` in human units."""
    return f"{human_size(source.replicatesize)} / {human_size(source.totalsize)}"


def task_flag(task_state: str | None, stall: Any = None, pending: str | None = None) -> Text | None:
    """The Task cell when something needs saying: an action on its way, or a stall."""
    if pending:
        return Text(f"⧗ {pending} sent", style="italic yellow", no_wrap=True, end="")
    if stall is not None:
        return Text(f"⚠ {task_state or 'task'} stalled", style="bold bright_yellow",
                    no_wrap=True, end="")
    return None
