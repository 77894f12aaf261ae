"""ECS and DeH models: tolerant reads (unknown fields kept), strict write bodies.

Reads follow :mod:`tui.api.models.common`: numbers may come as strings (ECS sends
``"vcpus": "2"``), nulls are accepted, enum-like fields stay plain ``str`` so unknown values
survive, and every field the model does not name is kept in ``model_extra``. Writes forbid
unknown fields; :class:`MigrateRequest` keeps ``{"migrate": null}`` for a move to the pool.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from tui.api.ecs.requests import (  # the write bodies, re-exported so one import serves all
    MigrateRequest,
    MigrateTarget,
    ServerRef,
    StartBody,
    StartRequest,
    StopBody,
    StopRequest,
)
from tui.api.models.common import Bool, Int, NullList

JOB_SUCCESS = "SUCCESS"
JOB_FAIL = "FAIL"
JOB_RUNNING = "RUNNING"
JOB_INIT = "INIT"
JOB_FINISHED = frozenset({JOB_SUCCESS, JOB_FAIL})
"""The only final job statuses; any other value (PENDING_PAYMENT, new ones) is not finished."""

STATUS_SHUTOFF = "SHUTOFF"
STATUS_ACTIVE = "ACTIVE"
POOL = "pool"
"""What :attr:`Server.placement` says for a server in the public resource pool."""


class EcsModel(BaseModel):
    """Base of every model read from ECS/DeH: tolerant, immutable, unknown fields kept."""

    # Numbers sent for string fields become strings inside pydantic-core: as tolerant as
    # common.Str, without a Python call per field (5,000 servers parse about twice as fast).
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True,
                              coerce_numbers_to_str=True)


def _first(value: Any) -> Any:
    """ECS sends some scheduler hints as one-element lists; read them as the value."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _none_to_dict(value: Any) -> Any:
    return {} if value is None else value


def parse_time(value: str | None) -> datetime | None:
    """An ECS/DeH timestamp (``2024-05-01T10:00:00Z``, with or without fraction) or None."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


First = Annotated[str | None, BeforeValidator(_first)]
NullDict = BeforeValidator(_none_to_dict)


def _tag_list(value: Any) -> Any:
    """Tags as a list whatever the form: null, ``{"k": "v"}``, or ``[{"key", "value"}]``."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [{"key": k, "value": v} for k, v in value.items()]
    return value


def _tag_strings(value: Any) -> Any:
    """Server tags as ``key=value`` strings, also when sent as ``{key, value}`` objects."""
    if value is None:
        return []
    if isinstance(value, dict):
        value = [{"key": k, "value": v} for k, v in value.items()]
    if isinstance(value, list):
        return [f"{t.get('key')}={t.get('value')}" if isinstance(t, dict) else t for t in value]
    return value


# -- servers ---------------------------------------------------------------------------------


class Flavor(EcsModel):
    """A server's flavor: ``vcpus`` and ``ram`` (MB) are strings on the wire."""

    id: str | None = None
    name: str | None = None
    vcpus: Int = None
    ram: Int = None
    """MB."""
    disk: Int = None


class Address(EcsModel):
    """One address of a server on one network."""

    addr: str | None = None
    version: Int = None
    type: str | None = Field(default=None, alias="OS-EXT-IPS:type")
    mac: str | None = Field(default=None, alias="OS-EXT-IPS-MAC:mac_addr")


class SchedulerHints(EcsModel):
    """``os:scheduler_hints``: where the server is placed (values may be one-element lists)."""

    tenancy: First = None
    dedicated_host_id: First = None
    group: First = None


class ServerFault(EcsModel):
    """``fault`` of a server in ERROR."""

    code: Int = None
    message: str | None = None
    created: str | None = None


class Server(EcsModel):
    """One ECS server (``/cloudservers/detail`` item, or a DeH's ``/servers`` item)."""

    id: str
    name: str | None = None
    status: str | None = None
    task_state: str | None = Field(default=None, alias="OS-EXT-STS:task_state")
    vm_state: str | None = Field(default=None, alias="OS-EXT-STS:vm_state")
    power_state: Int = Field(default=None, alias="OS-EXT-STS:power_state")
    host_id: str | None = Field(default=None, alias="hostId")
    host: str | None = Field(default=None, alias="OS-EXT-SRV-ATTR:host")
    host_status: str | None = None
    flavor: Annotated[Flavor, NullDict] = Field(default_factory=Flavor)
    availability_zone: str | None = Field(default=None, alias="OS-EXT-AZ:availability_zone")
    addresses: Annotated[dict[str, list[Address]], NullDict] = Field(default_factory=dict)
    locked: Bool = None
    metadata: Annotated[dict[str, Any], NullDict] = Field(default_factory=dict)
    fault: ServerFault | None = None
    scheduler_hints: SchedulerHints | None = Field(default=None, alias="os:scheduler_hints")
    created: str | None = None
    updated: str | None = None
    enterprise_project_id: str | None = None
    tags: Annotated[list[str], BeforeValidator(_tag_strings)] = Field(default_factory=list)

    @property
    def dedicated_host_id(self) -> str | None:
        """The DeH it is placed on per its scheduler hints; None in the public pool."""
        hints = self.scheduler_hints
        if hints is None or not hints.dedicated_host_id:
            return None
        return hints.dedicated_host_id

    @property
    def placement(self) -> str:
        """The DeH id, or :data:`POOL`."""
        return self.dedicated_host_id or POOL

    @property
    def charging_mode(self) -> str | None:
        """``metadata.charging_mode``: "0" pay-per-use, "1" yearly/monthly, "2" spot."""
        value = self.metadata.get("charging_mode")
        return None if value is None else str(value)

    @property
    def pay_per_use(self) -> bool:
        """True unless ``charging_mode`` says otherwise (absent means pay-per-use)."""
        return self.charging_mode in (None, "", "0")

    @property
    def vcpus(self) -> int:
        """The flavor's vCPUs (0 when unknown)."""
        return self.flavor.vcpus or 0

    @property
    def ram_mb(self) -> int:
        """The flavor's memory in MB (0 when unknown)."""
        return self.flavor.ram or 0

    @property
    def ips(self) -> list[str]:
        """Every address, fixed first, in network order."""
        found = [a for nets in self.addresses.values() for a in nets if a.addr]
        found.sort(key=lambda a: a.type != "fixed")
        return [a.addr for a in found if a.addr]

    @property
    def stopped(self) -> bool:
        """True when SHUTOFF with no task in progress (what a cold migration needs)."""
        return self.status == STATUS_SHUTOFF and not self.task_state


class ServerList(EcsModel):
    """``GET /cloudservers/detail``: ``count`` is the total over all pages."""

    count: Int = None
    servers: Annotated[list[Server], NullList] = Field(default_factory=list)


class HostServerList(EcsModel):
    """``GET /dedicated-hosts/{id}/servers``."""

    servers: Annotated[list[Server], NullList] = Field(default_factory=list)


# -- jobs ---------------------------------------------------------------------------------------


class JobEntities(EcsModel):
    """A job's (or sub job's) ``entities``."""

    server_id: str | None = None
    nic_id: str | None = None
    sub_jobs_total: Int = None
    sub_jobs: Annotated[list[SubJob], NullList] = Field(default_factory=list)
    errorcode_message: str | None = None


class SubJob(EcsModel):
    """One sub job (usually one per server)."""

    status: str | None = None
    job_id: str | None = None
    job_type: str | None = None
    begin_time: str | None = None
    end_time: str | None = None
    error_code: str | None = None
    fail_reason: str | None = None
    entities: Annotated[JobEntities, NullDict] = Field(default_factory=lambda: JobEntities())

    @property
    def finished(self) -> bool:
        """SUCCESS or FAIL; anything else is still going."""
        return self.status in JOB_FINISHED


class Job(SubJob):
    """``GET /v1/{project_id}/jobs/{job_id}``."""

    @property
    def succeeded(self) -> bool:
        """True when the job ended in SUCCESS."""
        return self.status == JOB_SUCCESS

    @property
    def failed(self) -> bool:
        """True when the job ended in FAIL."""
        return self.status == JOB_FAIL

    @property
    def sub_jobs(self) -> list[SubJob]:
        """The sub jobs (empty when ECS sent none)."""
        return list(self.entities.sub_jobs)

    @property
    def server_id(self) -> str | None:
        """The server of a one-server job (the entity, else the only sub job's)."""
        if self.entities.server_id:
            return self.entities.server_id
        servers = {s.entities.server_id for s in self.entities.sub_jobs if s.entities.server_id}
        return next(iter(servers)) if len(servers) == 1 else None

    @property
    def elapsed(self) -> float | None:
        """Seconds from begin to end (or None if either is unknown)."""
        begin, end = parse_time(self.begin_time), parse_time(self.end_time)
        return (end - begin).total_seconds() if begin and end else None


class JobAccepted(EcsModel):
    """The answer of an asynchronous write: the ``job_id`` to follow."""

    job_id: str | None = None


# -- dedicated hosts -------------------------------------------------------------------------


class InstanceCapacity(EcsModel):
    """One flavor the host type can run."""

    flavor: str | None = None


class HostProperties(EcsModel):
    """``host_properties``: the host type and its raw capacity."""

    host_type: str | None = None
    host_type_name: str | None = None
    vcpus: Int = None
    cores: Int = None
    sockets: Int = None
    memory: Int = None
    """MB."""
    available_instance_capacities: Annotated[list[InstanceCapacity], NullList] = Field(
        default_factory=list)


class Tag(EcsModel):
    """A ``{key, value}`` tag."""

    key: str | None = None
    value: str | None = None


class DedicatedHost(EcsModel):
    """One dedicated host (DeH)."""

    dedicated_host_id: str
    name: str | None = None
    state: str | None = None
    """available, fault, released (unknown values kept)."""
    availability_zone: str | None = None
    auto_placement: str | None = None
    host_properties: Annotated[HostProperties, NullDict] = Field(default_factory=HostProperties)
    available_vcpus: Int = None
    available_memory: Int = None
    """MB."""
    instance_total: Int = None
    instance_uuids: Annotated[list[str], NullList] = Field(default_factory=list)
    allocated_at: str | None = None
    released_at: str | None = None
    project_id: str | None = None
    tags: Annotated[list[Tag], BeforeValidator(_tag_list)] = Field(default_factory=list)

    @property
    def total_vcpus(self) -> int:
        """vCPUs of the host type (0 when unknown)."""
        return self.host_properties.vcpus or 0

    @property
    def total_memory(self) -> int:
        """Memory of the host type in MB (0 when unknown)."""
        return self.host_properties.memory or 0

    @property
    def used_vcpus(self) -> int:
        """vCPUs taken by the servers placed on it."""
        return max(0, self.total_vcpus - (self.available_vcpus or 0))

    @property
    def used_memory(self) -> int:
        """Memory (MB) taken by the servers placed on it."""
        return max(0, self.total_memory - (self.available_memory or 0))

    @property
    def host_type(self) -> str | None:
        """``host_properties.host_type``."""
        return self.host_properties.host_type


class HostList(EcsModel):
    """``GET /v1.0/{project_id}/dedicated-hosts``."""

    dedicated_hosts: Annotated[list[DedicatedHost], NullList] = Field(default_factory=list)
    total: Int = None


class HostResponse(EcsModel):
    """``GET /v1.0/{project_id}/dedicated-hosts/{id}``."""

    dedicated_host: DedicatedHost


JobEntities.model_rebuild()

__all__ = [
    "JOB_FAIL",
    "JOB_FINISHED",
    "JOB_INIT",
    "JOB_RUNNING",
    "JOB_SUCCESS",
    "POOL",
    "STATUS_ACTIVE",
    "STATUS_SHUTOFF",
    "Address",
    "DedicatedHost",
    "EcsModel",
    "Flavor",
    "HostList",
    "HostProperties",
    "HostResponse",
    "HostServerList",
    "InstanceCapacity",
    "Job",
    "JobAccepted",
    "JobEntities",
    "MigrateRequest",
    "MigrateTarget",
    "SchedulerHints",
    "Server",
    "ServerFault",
    "ServerList",
    "ServerRef",
    "StartBody",
    "StartRequest",
    "StopBody",
    "StopRequest",
    "SubJob",
    "Tag",
    "parse_time",
]
