"""Facts about all screens at once: which actions write, and the key list for ``?``."""

from __future__ import annotations

from textual.binding import BindingType

WRITE_ACTIONS = frozenset({
    "task_start", "task_stop", "task_restart", "task_test", "task_clone_test",
    "task_network_check", "task_delete", "create_task", "rename_source", "edit_disks",
    "delete_source", "save", "add_rule", "delete_rule",
    # the speed-limit editor ("l" itself stays: in read-only mode the editor opens view-only)
    "edit_rule", "duplicate_rule", "load_preset", "edit_task_limit",
    "create_template", "edit_template", "delete_template", "create_project", "edit_project",
    "delete_project", "set_default_project",
    "zstack_migrate", "zstack_evacuate",
})
"""Actions that send a write; in read-only mode they are absent from footer, help and palette."""


def help_sections() -> list[tuple[str, list[BindingType]]]:
    """(screen title, its bindings) for every screen, in the order an operator meets them."""
    from textual.binding import Binding

    from tui.app import MigdashApp
    from tui.screens.confirm import ConfirmScreen
    from tui.screens.detail import SourceDetailScreen
    from tui.screens.failed import FailedServersScreen
    from tui.screens.limits import SpeedLimitScreen
    from tui.screens.projects import ProjectsScreen
    from tui.screens.sources import SourceListScreen
    from tui.screens.task import TaskScreen
    from tui.screens.tasks import TaskListScreen
    from tui.screens.templates import TemplatesScreen
    from tui.screens.zstack import ZStackScreen
    from widgets.form import FormScreen
    from widgets.source_table import SourceTable

    # The table's own keys that do something beyond moving the cursor.
    table_keys = [b for b in SourceTable.BINDINGS
                  if isinstance(b, Binding) and b.action in ("activate", "toggle_mark")]
    return [
        ("Source list", [*table_keys, *SourceListScreen.BINDINGS]),
        ("Source detail", list(SourceDetailScreen.BINDINGS)),
        ("Task progress", list(TaskScreen.BINDINGS)),
        ("Speed limits", list(SpeedLimitScreen.BINDINGS)),
        ("Task list", list(TaskListScreen.BINDINGS)),
        ("Failed servers", list(FailedServersScreen.BINDINGS)),
        ("Templates", list(TemplatesScreen.BINDINGS)),
        ("Projects", list(ProjectsScreen.BINDINGS)),
        ("ZStack (3)", [*table_keys, *ZStackScreen.BINDINGS]),
        ("Forms", list(FormScreen.BINDINGS)),
        ("Confirmations", list(ConfirmScreen.BINDINGS)),
        ("Everywhere", [*MigdashApp.BINDINGS, ("ctrl+p", "command_palette", "Command palette")]),
    ]
