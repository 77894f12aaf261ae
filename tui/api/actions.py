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
    # Start a task that is ready, or resume one that was stopped.
    "start": frozenset({"READY", "ABORT"}),
    # Stop only while data is moving.
    "stop": frozenset({"RUNNING", "SYNCING"}),
    # Restart from scratch after a failure or a stop.
    "restart": frozenset({"MIGRATE_FAIL", "ABORT", "SYNC_F_ROLLBACK_SUCCESS"}),
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
    "start": "only a READY or stopped (ABORT) task can be started",
    "stop": "only a RUNNING or SYNCING task can be stopped",
    "restart": "only a failed or stopped task can be restarted",
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
