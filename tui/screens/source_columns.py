"""The source list's columns: which stay on a narrow terminal, and how state sorts.

The task list shows the same columns (``tui.screens.tasks``).
"""

from __future__ import annotations

from widgets.source_table import Column

__all__ = ["COLUMNS", "PROBLEM_COLUMN", "PROGRESS_WIDTH", "SEVERITY", "state_severity"]

PROGRESS_WIDTH = 12

# Narrow terminals (a jump host's 80x24) keep what says how a migration goes: state and name
# always, then progress, the task state with its stall flag, speed and ETA; stage, IP, changed
# and OS drop first. ``right``/``left`` scroll the dropped ones into view.
COLUMNS = [
    Column("state", "State", width=13, sort_key=lambda r: state_severity(r["_state"]),
           pinned=True),
    Column("name", "Name", min_width=14, searchable=True, pinned=True),
    Column("ip", "IP", width=15, searchable=True, sort_key=lambda r: r["_ip"], priority=7),
    Column("os", "OS", width=12, priority=9),
    Column("stage", "Stage", width=11, priority=6),
    Column("progress", "Progress", width=PROGRESS_WIDTH, sort_key=lambda r: r["_progress"],
           priority=1),
    Column("speed", "Speed", width=12, align="right", sort_key=lambda r: r["_speed"],
           priority=3),
    Column("eta", "ETA", width=7, align="right", sort_key=lambda r: r["_eta"], priority=4),
    Column("agent", "Agent", width=7, sort_key=lambda r: r["_agent"], priority=5),
    Column("task", "Task", width=17, sort_key=lambda r: r["_task"], priority=2),
    Column("changed", "Changed", width=9, align="right", sort_key=lambda r: r["_changed"],
           priority=8),
    # Why p keeps a row (stalled, agent off, the check in ERROR/WARN, the failed state):
    # drawn only while p is on (PROBLEM_COLUMN), right after the task state.
    Column("problem", "Problem", width=0, min_width=0, sort_key=lambda r: r["_problem_sort"]),
    Column("id", "ID", width=0, min_width=0, searchable=True, prefix_search=True),
]
PROBLEM_COLUMN = Column("problem", "Problem", width=16, priority=2,
                        sort_key=lambda r: r["_problem_sort"])


SEVERITY = ("error", "unavailable", "stopped", "stopping", "deleting", "waiting", "initialize",
            "replicate", "syncing", "cloning", "testing", "cutovering", "finished")
"""Sorting by state puts what needs a person first and what is done last."""


_RANK = {name: rank for rank, name in enumerate(SEVERITY)}
_UNKNOWN_RANK = _RANK["waiting"]


def state_severity(state: object) -> tuple[int, str]:
    """Sort value of a source state: by :data:`SEVERITY`, unknown states after ``deleting``."""
    name = str(state or "")
    return (_RANK.get(name, _UNKNOWN_RANK), name)
