"""Which task actions make sense in which task state.

The reference lists the operations (start, stop, test, clone_test, restart, network_check) but
not the states each is valid in; this table is migdash's reading of the documented life cycle,
shared by the dashboard (to offer only what makes sense, and say why otherwise) and by the
simulator (to refuse the rest the way SMS does).
"""

from __future__ import annotations

from types import MappingProxyType

DOCUMENTED_OPERATIONS = ("start", "stop", "test", "clone_test", "restart", "network_check")

_RULES: dict[str, frozenset[str]] = {
    # SMS.7713: "Only tasks in the Ready for next, Paused, or Error state can be started":
    # start a ready task, resume a stopped one, or retry a failed one where it failed.
    "start": frozenset({"READY", "ABORT", "MIGRATE_FAIL"}),
    # Stop only while data is moving.
    "stop": frozenset({"RUNNING", "SYNCING"}),
    # Restart from scratch. SMS.7722 ("Only tasks where the target servers have successfully
    # started can be restarted") names a finished task (MIGRATE_SUCCESS); a failed, stopped or
    # rolled-back task can also be started over instead of resumed.
    "restart": frozenset({"MIGRATE_SUCCESS", "MIGRATE_FAIL", "ABORT",
                          "SYNC_F_ROLLBACK_SUCCESS"}),
    # Launch (test) or clone the target once the full replication has finished.
    "test": frozenset({"MIGRATE_SUCCESS", "SYNCING"}),
    "clone_test": frozenset({"MIGRATE_SUCCESS", "SYNCING"}),
    # Measure the network whenever the agent is not tearing things down.
    "network_check": frozenset({"READY", "RUNNING", "SYNCING", "ABORT", "MIGRATE_SUCCESS",
                                "MIGRATE_FAIL"}),
    # Delete a task that is not moving data.
    "delete": frozenset({"READY", "ABORT", "MIGRATE_SUCCESS", "MIGRATE_FAIL",
                         "SYNC_F_ROLLBACK_SUCCESS"}),
}

ALLOWED_STATES = MappingProxyType(_RULES)
"""Operation → task states it is valid in."""

_WHY = {
    "start": "only a READY, stopped (ABORT) or failed task can be started",
    "stop": "only a RUNNING or SYNCING task can be stopped",
    "restart": "only a finished, failed or stopped task can be restarted",
    "test": "the target can be launched only after replication has finished",
    "clone_test": "a clone test needs a finished replication",
    "network_check": "the network can be checked only while the task is idle or moving data",
    "delete": "a task cannot be deleted while it is moving data or being stopped",
}


def refusal(operation: str, task_state: str | None) -> str | None:
    """Why ``operation`` is not valid in ``task_state`` (None when it is valid)."""
    if task_state is None:
        return "the source has no migration task"
    allowed = _RULES.get(operation)
    if allowed is None:
        return None  # an undocumented operation: let the server decide
    if task_state in allowed:
        return None
    return f"{_WHY[operation]} (the task is {task_state})"
