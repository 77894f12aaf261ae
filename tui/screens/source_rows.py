"""A ``SourceListItem`` as one row of the fleet table: cells, sort values, filter values."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from rich.text import Text

from tui.screens.problems import failed_checks, problem_text
from widgets.states import source_badge, task_badge
from widgets.table.cells import progress_bar
from widgets.units import duration, human_size, mbit, mbyte_to_mbit, percent

PROBLEM_STATES = frozenset({"error", "unavailable"})


def is_problem(source: Any) -> bool:
    """Error, unavailable, agent disconnected, or any environment check WARN/ERROR."""
    if source.state in PROBLEM_STATES or source.connected is False:
        return True
    return any(getattr(c, "result", None) in ("WARN", "ERROR") for c in (source.checks or ()))


# The cells a row draws, its hidden values (filters, sorts) and the keys a Mapping reports.
_CELLS = ("state", "name", "ip", "os", "stage", "progress", "speed", "eta", "agent", "task",
          "changed", "id", "problem")
_HIDDEN = ("_problem_sort", "_problem", "_state_raw", "_no_task", "_state", "_name", "_ip",
           "_os", "_stage", "_progress", "_speed", "_eta", "_agent", "_task", "_changed", "_size")
_KEYS = (*_CELLS, *_HIDDEN)


class SourceRow(Mapping[str, Any]):
    """One source as a row of the fleet table: plain values now, styled cells when drawn.

    A poll changes thousands of rows, and the table draws the forty on screen. So a row keeps
    the plain values it shows and sorts by (``_shown``, which is also what two rows are equal
    by: the table redraws a row only when it differs), and builds a styled cell (badges,
    the progress bar, the Problem reason) or a costly sort value (the IP's) the first time
    it is read, then keeps it. It keeps no reference to the source model, so an unchanged row
    does not hold an old poll's model alive.

    Keys are those :func:`tui.screens.sources.make_row` always had: the cells, ``_problem``,
    ``_problem_sort``, ``_state_raw``, ``_no_task`` and a ``_<column>`` sort value per column.
    """

    __slots__ = ("_shown", "_values")

    def __init__(self, source: Any, now: float, *, stall: Any = None,
                 pending: str | None = None, bar_width: int = 12) -> None:
        # Built for every changed source of every poll (thousands at 10k): each attribute is
        # read once, no helper per value (10.9 -> 7.0 us a row). Speed: the task's, given in
        # MB/s. ETA: only while RUNNING/SYNCING, the task's estimate, else remain_seconds.
        task = source.current_task
        if task is None:
            task_state = speed = eta = None
        else:
            task_state = task.state
            migrate_speed = task.migrate_speed
            speed = None if migrate_speed is None else mbyte_to_mbit(migrate_speed)
            eta = None
            if task_state in ("RUNNING", "SYNCING"):
                estimate = task.estimate_completion_time
                if estimate:
                    eta = max(0.0, float(estimate) / 1000 - now)
                else:
                    remain = getattr(task, "remain_seconds", None)
                    eta = float(remain) if remain else None
        total = source.totalsize
        frac = percent(source.replicatesize, total)
        changed_ms = source.state_action_time or 0
        os_label = source.os_version or source.os_type or "—"
        name, ip, ident = source.name or "", source.ip or "", source.id
        state, connected = source.state, source.connected
        cycle = source.migration_cycle
        failed = failed_checks(source) if source.checks else ()
        stalled = stall is not None
        stage = cycle or "—"
        changed = duration(now - changed_ms / 1000) if changed_ms else "—"
        size = total or 0
        self._values: dict[str, Any] = {
            "name": name, "ip": ip, "os": os_label, "stage": stage,
            "speed": mbit(speed) if speed else "—",
            "eta": duration(eta) if eta is not None else "—",
            "changed": changed,
            "id": ident, "_state_raw": state, "_no_task": task is None,
            "_problem": (state in PROBLEM_STATES or connected is False or bool(failed)
                         or stalled),
            "_state": state or "", "_name": name.lower(), "_os": os_label,
            "_stage": cycle or "", "_progress": frac if frac is not None else -1.0,
            "_speed": speed or 0.0, "_eta": eta if eta is not None else float("inf"),
            "_agent": bool(connected), "_task": task_state or "", "_changed": -changed_ms,
            "_size": size,
        }
        # Everything a cell or sort value is made of: two rows with the same are drawn and
        # sorted alike (the raw ETA and progress included, as the sort reads them).
        self._shown = (state, name, ip, os_label, stage, frac, speed, eta, connected,
                       task is not None, task_state, stalled, pending, changed_ms, changed,
                       failed, ident, size, bar_width)

    # -- Mapping -----------------------------------------------------------------------------

    def __getitem__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            build = _BUILD.get(key)
            if build is None:
                raise
        value = self._values[key] = build(self._shown)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        """``row[key]``, or ``default`` (Mapping's own ``get`` costs a raise per miss and
        three calls per hit: the table reads every cell it draws or searches through here)."""
        values = self._values
        if key in values:
            return values[key]
        if key in _BUILD:
            return self[key]
        return default

    def __iter__(self) -> Iterator[str]:
        return iter(_KEYS)

    def __len__(self) -> int:
        return len(_KEYS)

    def __contains__(self, key: object) -> bool:
        return key in _BUILD or key in self._values

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SourceRow):
            return self._shown == other._shown
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]


def _problem(shown: tuple[Any, ...]) -> Text:
    state, connected, stalled, failed = shown[0], shown[8], shown[11], shown[15]
    return problem_text(stalled, connected, failed, state)


def _problem_sort(shown: tuple[Any, ...]) -> tuple[bool, str]:
    why = _problem(shown).plain
    return (not why, why)


def _agent(shown: tuple[Any, ...]) -> Text:
    connected = shown[8]
    return (Text("✔", style="green") if connected else Text("✖ off", style="bold bright_red")
            if connected is False else Text("?", style="dim"))


def _task(shown: tuple[Any, ...]) -> Text:
    has_task, task_state, stalled, pending = shown[9], shown[10], shown[11], shown[12]
    flag = task_flag(task_state, True if stalled else None, pending)
    if flag is not None:
        return flag
    return task_badge(task_state) if has_task else Text("—", style="dim")


@lru_cache(maxsize=1 << 15)
def _ip_key(ip: str) -> tuple[int, tuple[int, ...], str]:
    """IPv4 addresses sort numerically; anything else after them, as text."""
    # Cached: addresses outlive the polls that rebuild their rows, and sorting by IP reads
    # all 10,000 at once.
    try:
        return (0, tuple(map(int, ip.split("."))), "")
    except ValueError:
        return (1, (), ip)


_BUILD: dict[str, Callable[[tuple[Any, ...]], Any]] = {
    "state": lambda shown: source_badge(shown[0]),
    "progress": lambda shown: progress_bar(shown[5], shown[18]),
    "agent": _agent,
    "task": _task,
    "problem": _problem,
    "_problem_sort": _problem_sort,
    "_ip": lambda shown: _ip_key(shown[2]),
}


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
