"""A seeded simulator with a manual clock, and an ECS client wired to it in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tui.api.ecs import EcsClient
from tui.api.ecs.models import DedicatedHost, Server
from tui.api.transport import RetryPolicy
from tui.sim import ManualClock, SimConfig, SimTransport, create_app
from tui.sim.ecs import EcsWorld

PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


@dataclass
class Sim:
    """The app, its ECS world and the clock that moves it."""

    app: Any
    clock: ManualClock

    @property
    def world(self) -> EcsWorld:
        return self.app.state.ecs  # type: ignore[no-any-return]

    async def sleep(self, seconds: float) -> None:
        """A ``sleep`` for wait_job that moves simulated time instead of waiting."""
        self.clock.advance(seconds)

    def now(self) -> float:
        return self.clock.now_ms() / 1000


def make_sim(**kw: Any) -> Sim:
    clock = ManualClock()
    kw.setdefault("seed", 7)
    return Sim(create_app(SimConfig(clock=clock, **kw)), clock)


@pytest.fixture
def sim() -> Sim:
    return make_sim(numa_share=0.0)


def client_for(sim: Sim, **kw: Any) -> EcsClient:
    kw.setdefault("retry", RetryPolicy(attempts=0))
    return EcsClient("http://sim", "http://sim", PROJECT, transport=SimTransport(sim.app), **kw)


@pytest.fixture
async def ecs(sim: Sim) -> AsyncIterator[EcsClient]:
    async with client_for(sim) as client:
        yield client


def movable(servers: list[Server], pred: Callable[[Server], bool] = lambda s: True) -> Server:
    """A stopped pay-per-use server (matching ``pred``)."""
    return next(s for s in servers if s.stopped and s.pay_per_use and pred(s))


def fitting_host(hosts: list[DedicatedHost], server: Server) -> DedicatedHost:
    """An available host in the server's AZ, not its own, with room for its flavor."""
    return next(h for h in hosts if h.state == "available"
                and h.availability_zone == server.availability_zone
                and h.dedicated_host_id != server.dedicated_host_id
                and (h.available_vcpus or 0) >= server.vcpus
                and (h.available_memory or 0) >= server.ram_mb)
