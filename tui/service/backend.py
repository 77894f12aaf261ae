"""One poll loop per backend, on the SMS poller's pattern (no Textual).

:class:`BackendPoller` fetches (``fetch``), then publishes what it got (``publish_polled``);
drawing is the screens' business. The next poll is scheduled only after the last one has
finished, so polls never overlap; failures back off (interval × 2ⁿ, at most
:data:`tui.service.poller.MAX_BACKOFF`, honouring ``Retry-After``), and every outcome is
published as a :class:`BackendConnectionChanged` the header shows (stale marking comes from
:meth:`tui.service.state.ConnectionStatus.is_stale`). The ECS/DeH poller
(:mod:`tui.service.hosts`) and the ZStack one subclass it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import msgspec

from tui.api.exceptions import AuthError, PermissionDenied, RateLimited, SmsError
from tui.service.poller import MAX_BACKOFF
from tui.service.state import ConnectionStatus, Link


class BackendConnectionChanged(msgspec.Struct, frozen=True):
    """A backend's connection status changed (``backend`` is its view's mode name)."""

    backend: str
    status: ConnectionStatus


class BackendPoller:
    """Polls one backend until :meth:`stop`; never raises out of :meth:`run`.

    Subclasses implement :meth:`fetch` (raise an :class:`~tui.api.exceptions.SmsError`
    subclass, or one of ``errors``, on failure) and :meth:`publish_polled`."""

    backend = "backend"
    """The view (mode) this poller feeds."""

    def __init__(
        self,
        publish: Callable[[Any], None],
        *,
        interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        errors: tuple[type[Exception], ...] = (SmsError,),
    ) -> None:
        self.publish = publish
        self.interval = interval
        self.clock = clock
        self.errors = errors
        self.status = ConnectionStatus()
        self._wake = asyncio.Event()
        self._stopped = asyncio.Event()

    # -- what a subclass provides -------------------------------------------------------------

    async def fetch(self) -> Any:
        """Read everything one poll shows (no drawing here)."""
        raise NotImplementedError

    def publish_polled(self, data: Any, now: float) -> float | None:
        """Publish what :meth:`fetch` returned; may return the delay before the next poll."""
        raise NotImplementedError

    # -- control ------------------------------------------------------------------------------

    def refresh_now(self) -> None:
        """Poll at once (the operator pressed ``r`` or just sent a write)."""
        self._wake.set()

    def stop(self) -> None:
        """Ask :meth:`run` to return."""
        self._stopped.set()
        self._wake.set()

    async def run(self) -> None:
        """Poll, wait, poll… until :meth:`stop`."""
        while not self._stopped.is_set():
            delay = await self.poll_once()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, delay))
            except TimeoutError:
                pass
            self._wake.clear()

    async def poll_once(self) -> float:
        """One poll; returns how long to wait before the next one."""
        try:
            data = await self.fetch()
        except self.errors as exc:
            return self._failed(exc)
        now = self.clock()
        self.status = ConnectionStatus(Link.ONLINE, last_ok=now)
        self.publish(BackendConnectionChanged(self.backend, self.status))
        delay = self.publish_polled(data, now)
        return self.interval if delay is None else delay

    def _failed(self, exc: Exception) -> float:
        failures = self.status.failures + 1
        delay = min(MAX_BACKOFF, self.interval * (2 ** (failures - 1)))
        if isinstance(exc, RateLimited) and exc.retry_after:
            delay = max(delay, exc.retry_after)
        link = Link.AUTH_FAILED if isinstance(exc, (AuthError, PermissionDenied)) else (
            Link.RECONNECTING)
        self.status = msgspec.structs.replace(
            self.status, link=link, failures=failures,
            error=exc if isinstance(exc, SmsError) else None, next_retry=self.clock() + delay)
        self.publish(BackendConnectionChanged(self.backend, self.status))
        return float(delay)
