"""ECS write bodies: strict (unknown fields forbidden), validated before anything is sent."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from tui.api.models.common import WriteModel

Id = Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]


class MigrateTarget(WriteModel):
    """``migrate``: the DeH to move to."""

    dedicated_host_id: Id


class MigrateRequest(WriteModel):
    """``POST /cloudservers/{id}/migrate``; ``migrate=None`` moves to the public pool."""

    migrate: MigrateTarget | None

    def to_body(self) -> dict[str, Any]:
        """``{"migrate": {...}}`` or, for the pool, exactly ``{"migrate": null}``."""
        return {"migrate": None if self.migrate is None else self.migrate.to_body()}

    @classmethod
    def to_host(cls, dedicated_host_id: str | None) -> MigrateRequest:
        """The body for a move to ``dedicated_host_id`` (None: the public pool)."""
        target = None if dedicated_host_id is None else MigrateTarget(
            dedicated_host_id=dedicated_host_id)
        return cls(migrate=target)


class ServerRef(WriteModel):
    """``{"id": ...}`` in a batch action."""

    id: Id


Servers = Annotated[list[ServerRef], Field(min_length=1, max_length=1000)]


class StopBody(WriteModel):
    """``os-stop``: SOFT (the guest shuts down) or HARD (power off)."""

    type: Literal["SOFT", "HARD"] = "SOFT"
    servers: Servers


class StartBody(WriteModel):
    """``os-start``."""

    servers: Servers


class StopRequest(WriteModel):
    """``POST /cloudservers/action`` with ``os-stop``."""

    os_stop: StopBody = Field(alias="os-stop")


class StartRequest(WriteModel):
    """``POST /cloudservers/action`` with ``os-start``."""

    os_start: StartBody = Field(alias="os-start")



__all__ = ["MigrateRequest", "MigrateTarget", "ServerRef", "StartBody", "StartRequest",
           "StopBody", "StopRequest"]
