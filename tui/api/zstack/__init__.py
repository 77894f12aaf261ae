"""The ZStack backend's client side: async client, read models and MigrateVm body, error codes."""

from __future__ import annotations

from tui.api.zstack.client import ZStackClient, poll_delay
from tui.api.zstack.errors import explain, summary
from tui.api.zstack.models import (
    Cluster,
    ErrorCode,
    Host,
    MigrateVmBody,
    MigrateVmParams,
    Session,
    VmInstance,
    Zone,
)
from tui.api.zstack.session import hash_password

__all__ = [
    "Cluster",
    "ErrorCode",
    "Host",
    "MigrateVmBody",
    "MigrateVmParams",
    "Session",
    "VmInstance",
    "ZStackClient",
    "Zone",
    "explain",
    "hash_password",
    "poll_delay",
    "summary",
]
