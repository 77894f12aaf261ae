"""ZStack read models (zone, cluster, host, VM, session, ErrorCode) and the MigrateVm body.

Reading follows :mod:`tui.api.models.common`: tolerant (numbers as strings, nulls, enum-like
fields as plain ``str`` so unknown states are kept) and, unlike the SMS models, unknown fields
are *kept* (``model_extra``): ZStack adds fields release by release. Dates come as
``"Nov 14, 2017 10:20:57 PM"`` (Java's default format); a date we cannot read is ``None``.
Writing is strict: :class:`MigrateVmBody` forbids unknown fields and checks each value.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, field_validator

from tui.api.models.common import Int, NullList, SmsModel, Str, WriteModel

DATE_FORMATS = ("%b %d, %Y %I:%M:%S %p", "%b %d, %Y, %I:%M:%S %p", "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M:%S")
"""Java's ``DateFormat`` default (ZStack's REST dates), with and without the JDK 9+ comma,
and the ISO forms some versions send."""

VM_STATES = ("Created", "Starting", "Running", "Stopping", "Stopped", "Rebooting", "Migrating",
             "Pausing", "Paused", "Resuming", "VolumeMigrating", "Destroying", "Destroyed",
             "Expunging", "Error", "Unknown", "Crashed")
"""Every VM state ZStack documents (``VmInstanceState``)."""
MIGRATABLE_STATES = frozenset({"Running", "Paused", "Unknown"})
"""States from which MigrateVm is accepted (``Unknown`` only with ``allowUnknown``)."""
STRATEGIES = ("auto-converge",)
"""The only ``strategy`` ZStack accepts; leaving it out is ZStack's plain pre-copy."""
MAX_DOWNTIME_MS = 3_600_000
"""Our upper bound for ``downTime`` (ZStack documents none; an hour is already absurd)."""


_JAVA_DATE = re.compile(r"^([A-Z][a-z]{2}) (\d{1,2}),? (\d{4}),? (\d{1,2}):(\d{2}):(\d{2}) ([AP]M)$")
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec"), start=1)}


@lru_cache(maxsize=8192)
def _parse_date(text: str) -> datetime | None:
    # The common form by hand: strptime costs ~0.15 ms, most of a 5,000-VM poll's parse time.
    m = _JAVA_DATE.match(text)
    if m and m.group(1) in _MONTHS:
        month, day, year, hour, minute, second, half = m.groups()
        h = int(hour) % 12 + (12 if half == "PM" else 0)
        try:
            return datetime(int(year), _MONTHS[month], int(day), h, int(minute), int(second))
        except ValueError:
            return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _to_date(value: Any) -> Any:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, UTC)  # epoch ms
    if isinstance(value, str):
        return _parse_date(" ".join(value.replace("\u202f", " ").split()))
    return None


ZDate = Annotated[datetime | None, BeforeValidator(_to_date)]
"""A ZStack date (naive: ZStack prints the management node's local time without a zone)."""


def format_date(value: datetime) -> str:
    """A date the way ZStack prints it, ``Nov 4, 2017 1:02:03 PM`` (the simulator uses this)."""
    hour = value.hour % 12 or 12
    return f"{value:%b} {value.day}, {value.year} {hour}:{value:%M:%S %p}"


class ZStackModel(SmsModel):
    """Base of every ZStack read model: tolerant and immutable; unknown fields are kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)


class ErrorCode(ZStackModel):
    """ZStack's error: a code, what it means, details, and the error that caused it."""

    code: Str = None
    description: Str = None
    details: Str = None
    elaboration: Str = None
    location: Str = None
    cause: ErrorCode | None = None
    opaque: Any = None


class Session(ZStackModel):
    """A login session (``inventory`` of the login answer); ``uuid`` is the OAuth token."""

    uuid: Str = None
    accountUuid: Str = None
    userUuid: Str = None
    expiredDate: ZDate = None
    createDate: ZDate = None

    def __repr__(self) -> str:  # the uuid is a credential
        return f"Session(accountUuid={self.accountUuid!r}, expiredDate={self.expiredDate!r})"


class Zone(ZStackModel):
    """A zone."""

    uuid: Str = None
    name: Str = None
    description: Str = None
    state: Str = None
    type: Str = None
    createDate: ZDate = None
    lastOpDate: ZDate = None


class Cluster(ZStackModel):
    """A cluster of hosts (live migration stays inside one)."""

    uuid: Str = None
    name: Str = None
    description: Str = None
    zoneUuid: Str = None
    state: Str = None
    hypervisorType: Str = None
    type: Str = None
    createDate: ZDate = None
    lastOpDate: ZDate = None


class Host(ZStackModel):
    """A hypervisor host with its CPU (vCPUs) and memory (bytes) capacity."""

    uuid: Str = None
    name: Str = None
    description: Str = None
    zoneUuid: Str = None
    clusterUuid: Str = None
    managementIp: Str = None
    hypervisorType: Str = None
    state: Str = None
    """Enabled, Disabled, PreMaintenance, Maintenance."""
    status: Str = None
    """Connecting, Connected, Disconnected."""
    totalCpuCapacity: Int = None
    availableCpuCapacity: Int = None
    totalMemoryCapacity: Int = None
    availableMemoryCapacity: Int = None
    cpuNum: Int = None
    cpuSockets: Int = None
    architecture: Str = None
    createDate: ZDate = None
    lastOpDate: ZDate = None

    @property
    def used_cpu(self) -> int | None:
        """vCPUs in use, when both numbers are known."""
        if self.totalCpuCapacity is None or self.availableCpuCapacity is None:
            return None
        return self.totalCpuCapacity - self.availableCpuCapacity

    @property
    def used_memory(self) -> int | None:
        """Bytes of memory in use, when both numbers are known."""
        if self.totalMemoryCapacity is None or self.availableMemoryCapacity is None:
            return None
        return self.totalMemoryCapacity - self.availableMemoryCapacity


class VmNic(ZStackModel):
    """A VM's network interface."""

    uuid: Str = None
    vmInstanceUuid: Str = None
    l3NetworkUuid: Str = None
    ip: Str = None
    mac: Str = None
    netmask: Str = None
    gateway: Str = None
    deviceId: Int = None
    state: Str = None


class Volume(ZStackModel):
    """A VM's volume (root or data)."""

    uuid: Str = None
    name: Str = None
    type: Str = None
    format: Str = None
    size: Int = None
    actualSize: Int = None
    primaryStorageUuid: Str = None
    state: Str = None
    status: Str = None


class VmInstance(ZStackModel):
    """A VM (``VmInstanceInventory``); ``memorySize`` in bytes."""

    uuid: Str = None
    name: Str = None
    description: Str = None
    zoneUuid: Str = None
    clusterUuid: Str = None
    hostUuid: Str = None
    lastHostUuid: Str = None
    imageUuid: Str = None
    instanceOfferingUuid: Str = None
    rootVolumeUuid: Str = None
    defaultL3NetworkUuid: Str = None
    platform: Str = None
    type: Str = None
    hypervisorType: Str = None
    allocatorStrategy: Str = None
    memorySize: Int = None
    cpuNum: Int = None
    state: Str = None
    createDate: ZDate = None
    lastOpDate: ZDate = None
    vmNics: Annotated[list[VmNic], NullList] = Field(default_factory=list)
    allVolumes: Annotated[list[Volume], NullList] = Field(default_factory=list)

    @property
    def ip(self) -> str | None:
        """The first NIC's IP (what an operator searches by)."""
        return next((n.ip for n in self.vmNics if n.ip), None)


class MigrateVmParams(WriteModel):
    """The fields inside ``migrateVm``: every one optional, as in the seed."""

    hostUuid: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{32}$")
    """Destination host; None lets ZStack choose."""
    migrateFromDestination: bool | None = None
    """Start the migration from the destination host."""
    allowUnknown: bool | None = None
    """Also migrate a VM whose state is Unknown."""
    strategy: Literal["auto-converge"] | None = None
    """The only strategy ZStack accepts; None is its plain pre-copy migration."""
    downTime: int | None = Field(default=None, ge=1, le=MAX_DOWNTIME_MS)
    """Longest pause of the VM at the switch-over, in milliseconds (ZStack 4.6.21+)."""


class MigrateVmBody(WriteModel):
    """``PUT /zstack/v1/vm-instances/{uuid}/actions`` for MigrateVm.

    The action key is ``migrateVm``: ZStack matches it case-sensitively and answers the seed's
    ``migratevm`` with HTTP 400. Tags sit beside the action key, as in the seed's example.
    """

    migrateVm: MigrateVmParams = Field(default_factory=MigrateVmParams)
    systemTags: list[str] | None = None
    userTags: list[str] | None = None

    @field_validator("systemTags", "userTags")
    @classmethod
    def _tags(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and any(not tag.strip() for tag in value):
            raise ValueError("a tag cannot be empty")
        return value

    def to_body(self) -> dict[str, Any]:
        """The exact JSON: unset options are left out, ``migrateVm`` is always there."""
        body = super().to_body()
        body.setdefault("migrateVm", {})
        return body


class QueryResult(ZStackModel):
    """A query's answer: ``inventories`` and, with ``replyWithCount``, ``total``."""

    inventories: Annotated[list[Any], NullList] = Field(default_factory=list)
    """Raw items: the caller parses them with the model it asked for, all in one pass."""
    total: Int = None


class Job(ZStackModel):
    """The ``202`` answer of an async call: where to poll, and for how long (ms)."""

    location: Str = None
    apiTimeout: Int = None


ErrorCode.model_rebuild()

__all__ = ["Cluster", "DATE_FORMATS", "ErrorCode", "Host", "Job", "MAX_DOWNTIME_MS",
           "MIGRATABLE_STATES", "MigrateVmBody", "MigrateVmParams", "QueryResult", "STRATEGIES",
           "Session", "VM_STATES", "VmInstance", "VmNic", "Volume", "ZDate", "ZStackModel",
           "Zone", "format_date"]
