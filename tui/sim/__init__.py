"""The embedded SMS v3 simulator: an ASGI app, a seeded migration engine, faults on demand."""

from __future__ import annotations

import httpx

from tui.sim.app import SimConfig, SimulatedReset, Simulator, create_app
from tui.sim.clock import Clock, ManualClock, RealClock
from tui.sim.engine import Engine, EngineConfig, SimError


class SimTransport(httpx.AsyncBaseTransport):
    """``httpx.ASGITransport`` for the in-process simulator, where an injected connection
    reset surfaces as the ``httpx.ReadError`` a real socket would give."""

    def __init__(self, app: object) -> None:
        self._inner = httpx.ASGITransport(app=app)  # type: ignore[arg-type]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except SimulatedReset as exc:
            raise httpx.ReadError(str(exc), request=request) from None

    async def aclose(self) -> None:
        await self._inner.aclose()


__all__ = [
    "Clock",
    "Engine",
    "EngineConfig",
    "ManualClock",
    "RealClock",
    "SimConfig",
    "SimError",
    "SimTransport",
    "Simulator",
    "create_app",
]
