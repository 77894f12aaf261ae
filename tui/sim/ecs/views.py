"""The JSON the ECS and DeH simulator routes answer with, in the shapes the SDKs read."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from tui.sim.ecs.fleet import SimHost, SimJob, SimServer, SimSubJob
from tui.sim.ecs.world import EcsWorld

POWER = {"ACTIVE": 1, "SHUTOFF": 4, "RESIZE": 4, "ERROR": 0}
VM_STATE = {"ACTIVE": "active", "SHUTOFF": "stopped", "RESIZE": "resized", "ERROR": "error"}


@lru_cache(maxsize=65_536)
def iso(ms: int | None, *, millis: bool = False) -> str | None:
    """Epoch ms as ECS writes times: ``2026-01-01T00:00:00Z`` (jobs add milliseconds)."""
    if ms is None:
        return None
    when = datetime.fromtimestamp(ms / 1000, UTC)
    if millis:
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _mac(server: SimServer) -> str:
    return _mac_of(server.id)


@lru_cache(maxsize=65_536)
def _mac_of(server_id: str) -> str:
    h = server_id.replace("-", "")
    return "fa:16:3e:" + ":".join(h[i:i + 2] for i in (0, 2, 4))


def _hints(server: SimServer) -> dict[str, Any]:
    if server.host_id is None:
        return {"tenancy": ["shared"]}
    return {"tenancy": ["dedicated"], "dedicated_host_id": [server.host_id]}


def server_detail(world: EcsWorld, server: SimServer, project_id: str) -> dict[str, Any]:
    """One ``/cloudservers/detail`` item."""
    host = world.hosts.get(server.host_id) if server.host_id else None
    flavor = server.flavor
    body: dict[str, Any] = {
        "id": server.id,
        "name": server.name,
        "status": server.status,
        "OS-EXT-STS:task_state": server.task_state,
        "OS-EXT-STS:vm_state": VM_STATE.get(server.status, "active"),
        "OS-EXT-STS:power_state": POWER.get(server.status, 0),
        "hostId": (host.id.replace("-", "")[:24] if host else server.id.replace("-", "")[8:32]),
        "OS-EXT-SRV-ATTR:host": host.name if host else f"pod01.{server.az}.cn",
        "host_status": ("UNKNOWN" if host is not None and host.state == "fault" else "UP"),
        "flavor": {"id": flavor.id, "name": flavor.id, "vcpus": str(flavor.vcpus),
                   "ram": str(flavor.ram_mb), "disk": str(flavor.disk_gb)},
        "OS-EXT-AZ:availability_zone": server.az,
        "addresses": {"vpc-sim": [{"version": "4", "addr": server.ip, "primary": True,
                                   "OS-EXT-IPS:type": "fixed",
                                   "OS-EXT-IPS-MAC:mac_addr": _mac(server)}]},
        "locked": False,
        "metadata": {"charging_mode": server.charging_mode, "os_type": "Linux",
                     "vpc_id": "vpc-sim", "metering.image_id": "sim-image"},
        "os:scheduler_hints": _hints(server),
        "created": iso(server.created),
        "updated": iso(server.updated),
        "tenant_id": project_id,
        "user_id": "sim-user",
        "enterprise_project_id": "0",
        "tags": list(server.tags),
        "progress": 0,
    }
    if server.fault is not None:
        fault = dict(server.fault)
        fault["created"] = iso(fault.get("created"))
        body["fault"] = fault
    return body


def host_server(server: SimServer, project_id: str) -> dict[str, Any]:
    """One item of a DeH's ``/servers`` list (the DeH's own, shorter shape)."""
    return {
        "id": server.id, "name": server.name, "status": server.status,
        "task_state": server.task_state,
        "flavor": {"id": server.flavor.id},
        "addresses": {"vpc-sim": [{"version": 4, "addr": server.ip,
                                   "OS-EXT-IPS:type": "fixed",
                                   "OS-EXT-IPS-MAC:mac_addr": _mac(server)}]},
        "created": iso(server.created), "updated": iso(server.updated),
        "metadata": {"os_type": "Linux", "charging_mode": server.charging_mode},
        "tenant_id": project_id, "user_id": "sim-user",
    }


def host(h: SimHost, project_id: str) -> dict[str, Any]:
    """One dedicated host."""
    kind = h.type
    return {
        "dedicated_host_id": h.id,
        "name": h.name,
        "auto_placement": h.auto_placement,
        "availability_zone": h.az,
        "project_id": project_id,
        "host_properties": {
            "host_type": kind.code, "host_type_name": kind.name, "vcpus": kind.vcpus,
            "cores": kind.cores, "sockets": kind.sockets, "memory": kind.memory_mb,
            "available_instance_capacities": [{"flavor": f.id} for f in kind.flavors],
        },
        "state": h.state,
        "available_vcpus": kind.vcpus - h.used_vcpus,
        "available_memory": kind.memory_mb - h.used_ram_mb,
        "allocated_at": iso(h.allocated_at),
        "released_at": None,
        "instance_total": len(h.servers),
        "instance_uuids": list(h.servers),
        "tags": [],
        "sys_tags": [],
    }


def _sub(sub: SimSubJob) -> dict[str, Any]:
    return {
        "status": sub.status, "job_id": sub.id, "job_type": sub.type,
        "begin_time": iso(sub.begin, millis=True), "end_time": iso(sub.end, millis=True),
        "error_code": sub.error_code if sub.end is not None else None,
        "fail_reason": sub.fail_reason if sub.end is not None else None,
        "entities": {"server_id": sub.server_id,
                     **({"errorcode_message": sub.fail_reason}
                        if sub.end is not None and sub.fail_reason else {})},
    }


def job(j: SimJob) -> dict[str, Any]:
    """``GET /jobs/{id}``; ``error_code``/``fail_reason`` only once it has failed."""
    entities: dict[str, Any] = {"sub_jobs_total": len(j.subs), "sub_jobs": [_sub(s) for s in j.subs]}
    if len(j.subs) == 1:
        entities["server_id"] = j.subs[0].server_id
    return {
        "status": j.status, "job_id": j.id, "job_type": j.type,
        "begin_time": iso(j.begin, millis=True), "end_time": iso(j.end, millis=True),
        "error_code": j.error_code, "fail_reason": j.fail_reason, "entities": entities,
    }
