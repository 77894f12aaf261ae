"""View 3: ZStack live migration (hosts, VMs, migrate, evacuate), and its hook into the app."""

from __future__ import annotations

from typing import Any

from tui.screens.zstack.backend import ZStackBackend
from tui.screens.zstack.view import ZSTACK_WRITE_ACTIONS, ZStackScreen


def backend_for(app: Any) -> ZStackBackend | None:
    """The app's ZStack backend, started on first use; None when no ZStack is configured
    (the demo always has its simulator)."""
    backend: ZStackBackend | None = getattr(app, "zstack_backend", None)
    if backend is not None:
        return backend
    zsettings = getattr(app, "zstack_settings", None)
    if zsettings is None and app.settings.demo:
        from tui.connect import resolve_zstack

        zsettings = resolve_zstack(app.settings)
    if zsettings is None:
        return None
    backend = ZStackBackend(app, zsettings)
    app.zstack_backend = backend
    backend.start()
    return backend


def open_view(app: Any) -> None:
    """Show view 3 (``3``); says how to configure ZStack when it is not."""
    if isinstance(app.screen, ZStackScreen):
        return
    backend = backend_for(app)
    if backend is None:
        app.notify("No ZStack configured: start migdash with --zstack-endpoint URL (and "
                   "MIGDASH_ZSTACK_PASSWORD), or a profile with zstack_endpoint.",
                   title="ZStack", severity="warning", timeout=10, markup=False)
        return
    app.push_screen(ZStackScreen(backend))


async def close(app: Any) -> None:
    """Stop the poller and log the ZStack session out (the app is closing)."""
    backend: ZStackBackend | None = getattr(app, "zstack_backend", None)
    if backend is not None:
        await backend.close()


__all__ = ["ZSTACK_WRITE_ACTIONS", "ZStackBackend", "ZStackScreen", "backend_for", "close",
           "open_view"]
