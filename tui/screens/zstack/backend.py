"""View 3's link to ZStack, owned by the app: the poller's worker, migrations, and the latest
of each event for the screen. The screen reads this object; it never sees the client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui.connect import ZStackSettings, open_zstack_client
from tui.service.state import ConnectionStatus
from tui.service.zstack import (
    Migrations,
    MigrationsChanged,
    ZStackConnectionChanged,
    ZStackEvent,
    ZStackPolled,
    ZStackPoller,
    ZStackSnapshot,
)


class ZStackBackend:
    """Client, poller and migrations for one ZStack; ``listeners`` get every event."""

    def __init__(self, app: Any, zsettings: ZStackSettings, client: Any = None) -> None:
        self.settings = zsettings
        self.client = client or open_zstack_client(zsettings, deadline=20.0)
        self.poller = ZStackPoller(self.client, self._publish, interval=app.settings.refresh,
                                   clock=app.clock)
        self.migrations = Migrations(self.client, app.commands, self._publish,
                                     clock=app.wall_clock, on_change=self.poller.refresh_now)
        self.poller.busy = lambda: self.migrations.in_flight > 0
        self.snapshot = ZStackSnapshot()
        self.status = ConnectionStatus()
        self.listeners: list[Callable[[ZStackEvent], None]] = []
        self._app = app

    @property
    def simulator(self) -> Any:
        """The in-process simulator of the demo (tests read its engine), else None."""
        return getattr(self.client, "simulator", None)

    def start(self) -> None:
        """Run the poller in one app worker (restarted by the app if it ever fails)."""
        self._app.run_worker(self.poller.run(), group="zstack", exclusive=True,
                             exit_on_error=False, description="ZStack poller")

    async def close(self) -> None:
        """Stop polling and log the session out."""
        self.poller.stop()
        await self.client.aclose()

    def _publish(self, event: ZStackEvent) -> None:
        if isinstance(event, ZStackPolled):
            self.snapshot = event.snapshot
        elif isinstance(event, ZStackConnectionChanged):
            self.status = event.status
        for listener in list(self.listeners):
            listener(event)


__all__ = ["MigrationsChanged", "ZStackBackend"]
