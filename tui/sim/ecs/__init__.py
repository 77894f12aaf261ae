"""The ECS/DeH half of migdash-sim: dedicated hosts, servers, cold migrations and jobs."""

from __future__ import annotations

from tui.sim.ecs.routes import ROUTES
from tui.sim.ecs.world import EcsSimError, EcsWorld

__all__ = ["ROUTES", "EcsSimError", "EcsWorld"]
