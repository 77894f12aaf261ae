"""The Dedicated hosts view (``2``): ECS servers on DeH dedicated hosts and the public pool.

Screens here never import another view's screens (nor each other to push one): they ask the
app to ``open`` a destination from :mod:`tui.navigation`.
"""

from __future__ import annotations

from textual.binding import BindingType


def help_sections() -> list[tuple[str, list[BindingType]]]:
    """(screen title, its bindings) for the hosts view's screens, for ``?``."""
    from tui.screens.hosts.drain import DrainScreen
    from tui.screens.hosts.hosts import HostsScreen
    from tui.screens.hosts.jobs import JobsScreen
    from tui.screens.hosts.move import MoveScreen

    table: list[BindingType] = [("enter", "activate", "A host's servers"),
                                ("space", "toggle_mark", "Mark a server"),
                                ("tab", "focus_next", "Hosts / servers")]
    return [
        ("Dedicated hosts", [*table, *HostsScreen.BINDINGS]),
        ("Move dialog", list(MoveScreen.BINDINGS)),
        ("Drain plan", list(DrainScreen.BINDINGS)),
        ("Jobs", list(JobsScreen.BINDINGS)),
    ]
