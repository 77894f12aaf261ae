"""View 3 (``3``): ZStack live migration — hosts and their capacity, the VMs on them, migrate
one VM or evacuate a host, every migration followed live.

The view plugs into the app as the DeH view does: its poller
(:class:`tui.service.zstack.ZStackPoller`, built by :func:`tui.service.zstack.zstack_backend`)
is the app's ``backends["zstack"]``, :mod:`tui.views` makes :class:`ZStackScreen` the root of
the ``zstack`` mode, and :func:`help_sections` lists its keys for ``?``.
"""

from __future__ import annotations

from textual.binding import BindingType


def help_sections() -> list[tuple[str, list[BindingType]]]:
    """(screen title, its bindings) for view 3's screens, for ``?``."""
    from tui.screens.hosts.move import MoveScreen
    from tui.screens.zstack.dialogs import MigrateConfirm, MigrationsPanel
    from tui.screens.zstack.view import ZStackScreen
    from widgets.source_table import SourceTable

    table_keys = [b for b in SourceTable.BINDINGS
                  if getattr(b, "action", None) in ("activate", "toggle_mark")]
    return [
        ("ZStack hosts and VMs", [*table_keys, *ZStackScreen.BINDINGS]),
        ("Destination picker", list(MoveScreen.BINDINGS)),
        ("Migration confirmation", list(MigrateConfirm.BINDINGS)),
        ("Migrations (j)", list(MigrationsPanel.BINDINGS)),
    ]
