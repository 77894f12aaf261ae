"""``migdash status``: the fleet as text, JSON or CSV, for cron jobs, scripts and chat-ops."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from tui.api.exceptions import SmsError
from tui.connect import Settings, open_client
from widgets.units import human_size, percent

PROBLEM_STATES = frozenset({"error", "unavailable"})
COLUMNS = ("id", "name", "ip", "os_type", "state", "migration_cycle", "connected",
           "task_state", "replicatesize", "totalsize", "progress")


def row(source: Any) -> dict[str, Any]:
    """The flat record ``status`` prints for one source."""
    task = getattr(source, "current_task", None)
    frac = percent(source.replicatesize, source.totalsize)
    return {
        "id": source.id,
        "name": source.name,
        "ip": source.ip,
        "os_type": source.os_type,
        "state": source.state,
        "migration_cycle": source.migration_cycle,
        "connected": source.connected,
        "task_state": getattr(task, "state", None),
        "replicatesize": source.replicatesize,
        "totalsize": source.totalsize,
        "progress": None if frac is None else round(frac * 100, 1),
    }


def render(rows: Sequence[dict[str, Any]], fmt: str) -> str:
    """Rows as ``text`` (aligned lines), ``json`` or ``csv``."""
    if fmt == "json":
        return json.dumps(list(rows), ensure_ascii=False, indent=2)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue().rstrip("\n")
    lines = []
    for r in rows:
        prog = "—" if r["progress"] is None else f"{r['progress']:5.1f}%"
        link = "" if r["connected"] in (True, None) else "  [agent disconnected]"
        lines.append(
            f"{r['state'] or '?':<12} {prog:>6}  {r['name'] or '':<40.40} {r['ip'] or '':<15} "
            f"{human_size(r['replicatesize'])}/{human_size(r['totalsize'])}"
            f"  task={r['task_state'] or '-'}{link}"
        )
    return "\n".join(lines)


def exit_code(rows: Iterable[dict[str, Any]]) -> int:
    """1 when any source is in error or unavailable, else 0."""
    return 1 if any(r["state"] in PROBLEM_STATES for r in rows) else 0


async def status(settings: Settings, *, fmt: str, states: Sequence[str]) -> tuple[str, int]:
    """Fetch the fleet and return (output, exit status); 3 when SMS could not be read."""
    try:
        async with open_client(settings) as sms:
            sources = await sms.list_all_sources()
    except SmsError as exc:
        hint = exc.hint
        return f"migdash: {exc}" + (f"\nWhat to do: {hint}" if hint else ""), 3
    rows = [row(s) for s in sources if not states or s.state in states]
    return render(rows, fmt), exit_code(rows)
