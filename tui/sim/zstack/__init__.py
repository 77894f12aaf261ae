"""The simulated ZStack: a seeded cloud, its REST routes and its MigrateVm jobs."""

from __future__ import annotations

from tui.sim.zstack.engine import ZStackEngine, ZStackSimError
from tui.sim.zstack.routes import mount
from tui.sim.zstack.world import ZStackSimConfig, build_world

__all__ = ["ZStackEngine", "ZStackSimConfig", "ZStackSimError", "build_world", "mount"]
