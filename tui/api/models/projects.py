"""Migration projects (reference section 4.6), read with every fleet poll's first frame.

msgspec records (:mod:`tui.api.models.record`) like the sources, so drawing the first frame
needs no pydantic (its import and model building were ~0.1 s of a launch)."""

from __future__ import annotations

from tui.api.models.record import Record


class MigProject(Record, frozen=True):
    """A migration project (``MigprojectsResponseBody``)."""

    id: str = ""
    name: str | None = None
    description: str | None = None
    isdefault: bool | None = None
    region: str | None = None
    start_target_server: bool | None = None
    speed_limit: int | None = None
    use_public_ip: bool | None = None
    exist_server: bool | None = None
    type: str | None = None
    enterprise_project: str | None = None
    syncing: bool | None = None
    start_network_check: bool | None = None


class ListMigProjectsResponse(Record, frozen=True):
    """``GET /v3/migprojects``."""

    count: int = 0
    migprojects: list[MigProject] = []
