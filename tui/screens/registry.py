"""Facts about all screens at once: which actions write (the key list for ``?`` is in
:func:`tui.views.help_sections`)."""

from __future__ import annotations

WRITE_ACTIONS = frozenset({
    "task_start", "task_stop", "task_restart", "task_test", "task_clone_test",
    "task_network_check", "task_delete", "create_task", "rename_source", "edit_disks",
    "delete_source", "save", "add_rule", "delete_rule",
    # the speed-limit editor ("l" itself stays: in read-only mode the editor opens view-only)
    "edit_rule", "duplicate_rule", "load_preset", "edit_task_limit",
    "create_template", "edit_template", "delete_template", "create_project", "edit_project",
    "delete_project", "set_default_project",
    # dedicated hosts (and the SMS task screen's way into them)
    "move_servers", "drain_host", "place_on_host",
    # ZStack
    "zstack_migrate", "zstack_evacuate",
})
"""Actions that send a write; in read-only mode they are absent from footer, help and palette."""


def read_only_refusal(screen: object, key: str) -> str | None:
    """Why ``key`` does nothing on ``screen`` in read-only mode (it is bound to a write), or
    ``None``. The hidden key would otherwise do nothing and say nothing."""
    from textual.binding import Binding

    for b in getattr(screen, "BINDINGS", ()):
        if isinstance(b, Binding) and b.action in WRITE_ACTIONS and key in b.key.split(","):
            return (f"Read-only: {b.description.lower() or b.action} is a write, and migdash "
                    "was started with --read-only. Restart without it to make changes.")
    return None

