"""``migdash status``: the fleet as text, JSON or CSV, for cron jobs, scripts and chat-ops.

Every string that came from the server passes :func:`tui.untrusted.clean` (text, JSON and CSV
alike), so a hostile name cannot move the cursor, retitle the terminal or open a link. The text
format pads by terminal cells (``rich.cells``), so wide (CJK) names keep the columns aligned.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from rich.cells import cell_len, set_cell_size

from tui.api.errors import decode_error_json
from tui.api.exceptions import SmsError
from tui.connect import Settings, open_client
from tui.service.stalls import StallDetector
from tui.untrusted import clean
from widgets.units import human_size, percent

PROBLEM_STATES = frozenset({"error", "unavailable"})
COLUMNS = ("id", "name", "ip", "os_type", "state", "migration_cycle", "connected",
           "task_state", "replicatesize", "totalsize", "progress", "stalled", "error_code",
           "error")
NAME_WIDTH = 40
"""The widest the text format's name column gets, in terminal cells."""
DEMO_NOTE = ("the demo fleet of the embedded simulator, not a real SMS endpoint "
             "(--endpoint or a profile reads yours)")


def row(source: Any, failure: Any = None, stalled: bool = False) -> dict[str, Any]:
    """The flat record ``status`` prints for one source; ``failure`` is its decoded error
    (:class:`tui.api.errors.Explanation` from ``/v3/errors``), ``stalled`` whether its task
    should move data but cannot (agent disconnected)."""
    task = getattr(source, "current_task", None)
    frac = percent(source.replicatesize, source.totalsize)
    return {
        "id": _text(source.id),
        "name": _text(source.name),
        "ip": _text(source.ip),
        "os_type": _text(source.os_type),
        "state": _text(source.state),
        "migration_cycle": _text(source.migration_cycle),
        "connected": source.connected,
        "task_state": _text(getattr(task, "state", None)),
        "replicatesize": source.replicatesize,
        "totalsize": source.totalsize,
        "progress": None if frac is None else round(frac * 100, 1),
        "stalled": stalled,
        "error_code": _text(getattr(failure, "code", None)),
        "error": _text(getattr(failure, "message", None)),
    }


def _text(value: Any) -> str | None:
    return None if value is None else clean(value)


def _pad(text: str, width: int) -> str:
    """``text`` cut or padded to exactly ``width`` terminal cells."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def render(rows: Sequence[dict[str, Any]], fmt: str, *, demo: bool = False) -> str:
    """Rows as ``text`` (header, aligned lines, summary), ``json`` or ``csv``."""
    if fmt == "json":
        return json.dumps(list(rows), ensure_ascii=False, indent=2)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue().rstrip("\n")
    name_width = max([4] + [min(NAME_WIDTH, cell_len(r["name"] or "")) for r in rows])
    lines = [f"{'STATE':<12} {'DONE':>6}  {_pad('NAME', name_width)} {'IP':<15} "
             f"{'COPIED/TOTAL':<21}  {'TASK':<23}  NOTES"]
    for r in rows:
        prog = "—" if r["progress"] is None else f"{r['progress']:5.1f}%"
        notes = []
        if r["connected"] is False:
            notes.append("agent disconnected")
        if r["stalled"]:
            notes.append("STALLED")
        if r["error_code"] or r["error"]:
            notes.append(f"{r['error_code'] or ''} {r['error'] or ''}".strip())
        size = f"{human_size(r['replicatesize'])}/{human_size(r['totalsize'])}"
        lines.append(
            f"{_pad(r['state'] or '?', 12)} {prog:>6}  {_pad(r['name'] or '', name_width)} "
            f"{_pad(r['ip'] or '', 15)} {size:<21}  {_pad(r['task_state'] or '-', 23)}  "
            f"{'; '.join(notes)}".rstrip()
        )
    lines.append(summary(rows, demo=demo))
    return "\n".join(lines)


def summary(rows: Sequence[dict[str, Any]], *, demo: bool = False) -> str:
    """One line: how many sources, and what (if anything) makes the exit status non-zero."""
    counts: dict[str, int] = {}
    for r in rows:
        if r["state"] in PROBLEM_STATES:
            counts[r["state"]] = counts.get(r["state"], 0) + 1
    stalled = sum(1 for r in rows if r["stalled"])
    head = f"{len(rows)} source{'s' if len(rows) != 1 else ''}"
    if demo:
        head += f" in {DEMO_NOTE}"
    extra = f"; {stalled} stalled" if stalled else ""
    if not counts:
        return f"{head}: none in error or unavailable{extra} → exit 0"
    problems = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    return f"{head}: {problems}{extra} → exit 1"


def exit_code(rows: Iterable[dict[str, Any]]) -> int:
    """1 when any source is in error or unavailable, else 0."""
    return 1 if any(r["state"] in PROBLEM_STATES for r in rows) else 0


async def status(settings: Settings, *, fmt: str, states: Sequence[str],
                 warn: Callable[[str], None] | None = None) -> tuple[str, int]:
    """Fetch the fleet and return (output, exit status); 3 when SMS could not be read.

    ``warn`` gets notes meant for a person, not for the parser of JSON or CSV (e.g. that this
    is the demo fleet); the text format says them in its summary line instead."""
    try:
        async with open_client(settings) as sms:
            sources = await sms.list_all_sources()
            errors = await sms.list_all_errors()
    except SmsError as exc:
        hint = exc.hint
        return f"migdash: {clean(exc)}" + (f"\nWhat to do: {clean(hint)}" if hint else ""), 3
    failures: Mapping[str, Any] = {
        e.source_id: decode_error_json(e.error_json) for e in errors if e.source_id}
    stalls = StallDetector().update({s.id: s for s in sources}, 0.0).stalled
    wanted = {s.lower() for s in states}
    rows = [row(s, failures.get(s.id), s.id in stalls) for s in sources
            if not wanted or (s.state or "").lower() in wanted]
    if settings.demo and fmt != "text" and warn is not None:
        warn(f"migdash: this is {DEMO_NOTE}")
    return render(rows, fmt, demo=settings.demo), exit_code(rows)
