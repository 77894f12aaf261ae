"""Facts about all screens at once: which actions write, and the key list for ``?``."""

from __future__ import annotations

from textual.binding import BindingType

WRITE_ACTIONS = frozenset({
    "task_start", "task_stop", "task_restart", "task_test", "task_clone_test",
    "task_network_check", "task_delete", "create_task", "rename_source", "edit_disks",
    "delete_source", "edit_speed_limits", "save", "add_rule", "delete_rule",
})
"""Actions that send a write; in read-only mode they are absent from footer, help and palette."""


def help_sections() -> list[tuple[str, list[BindingType]]]:
    """(screen title, its bindings) for every screen, in the order an operator meets them."""
    from tui.app import MigdashApp
    from tui.screens.sources import SourceListScreen

    sections: list[tuple[str, list[BindingType]]] = [
        ("Source list", list(SourceListScreen.BINDINGS)),
    ]
    try:
        from tui.screens.detail import SourceDetailScreen

        sections.append(("Source detail", list(SourceDetailScreen.BINDINGS)))
    except ImportError:
        pass
    from tui.screens.task import TaskScreen

    sections.append(("Task progress", list(TaskScreen.BINDINGS)))
    try:
        from tui.screens.failed import FailedServersScreen

        sections.append(("Failed servers", list(FailedServersScreen.BINDINGS)))
    except ImportError:
        pass
    from tui.screens.confirm import ConfirmScreen

    sections.append(("Confirmations", list(ConfirmScreen.BINDINGS)))
    sections.append(("Everywhere", [*MigdashApp.BINDINGS, ("ctrl+p", "command_palette",
                                                           "Command palette")]))
    return sections
