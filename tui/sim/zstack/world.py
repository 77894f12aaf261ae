"""The seeded ZStack world: zones, clusters, hosts with capacity, and VMs placed on them.

A pure function of the seed and the sizes, so a test, a screenshot and a demo see the same
cloud. Inventories are dicts in ZStack's own shape (seed 003's VM inventory), kept as they
would be serialised, so the routes can answer them as they are.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tui.api.zstack.models import format_date

GIB = 1024**3
START = datetime(2026, 1, 1, 9, 0, 0)
"""When the seeded world was 'created' (ZStack prints dates without a zone)."""
VM_NAMES = ("web", "api", "db", "cache", "queue", "batch", "auth", "search", "mail", "git",
            "ci", "metrics", "logs", "proxy", "files", "erp")


@dataclass
class ZStackSimConfig:
    """How big the simulated ZStack is and how it behaves."""

    hosts: int = 8
    vms: int = 48
    account: str = "admin"
    password: str = field(default="password", repr=False)
    session_ttl: float = 7200.0
    """Seconds of simulated time a session lives (ZStack's default is 7200)."""
    fail_share: float = 0.1
    """Share of accepted migrations that fail with VM.1008 (seeded)."""
    api_timeout_ms: int = 1_800_000
    """The ``apiTimeout`` every 202 names."""
    job_retention: float = 600.0
    """Seconds a finished job's result can be read before its location answers 404."""
    internal_host: str = "http://172.20.0.10:8080"
    """The management node address the job locations name (not the one the client uses)."""


def _uuid(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


@dataclass
class World:
    """Every inventory by uuid, in a stable order."""

    zones: dict[str, dict[str, Any]] = field(default_factory=dict)
    clusters: dict[str, dict[str, Any]] = field(default_factory=dict)
    hosts: dict[str, dict[str, Any]] = field(default_factory=dict)
    vms: dict[str, dict[str, Any]] = field(default_factory=dict)


def _date(rng: random.Random) -> str:
    return format_date(START - timedelta(minutes=rng.randrange(60 * 24 * 400)))


def build_world(config: ZStackSimConfig, seed: int) -> World:
    """Generate the world for ``seed``: ~10 hosts a cluster, ~8 clusters a zone."""
    rng = random.Random(f"zstack:{seed}")
    world = World()
    n_clusters = max(2, math.ceil(config.hosts / 10))
    n_zones = max(1, math.ceil(n_clusters / 8))
    zone_ids = []
    for z in range(n_zones):
        uuid = _uuid(rng)
        created = _date(rng)
        world.zones[uuid] = {"uuid": uuid, "name": f"zone-{z + 1}", "description": "",
                             "state": "Enabled", "type": "zstack", "createDate": created,
                             "lastOpDate": created}
        zone_ids.append(uuid)
    cluster_ids = []
    for c in range(n_clusters):
        uuid = _uuid(rng)
        created = _date(rng)
        world.clusters[uuid] = {"uuid": uuid, "name": f"cluster-{chr(ord('a') + c % 26)}"
                                f"{'' if c < 26 else c // 26}", "description": "",
                                "zoneUuid": zone_ids[c % n_zones], "state": "Enabled",
                                "hypervisorType": "KVM", "type": "zstack",
                                "createDate": created, "lastOpDate": created}
        cluster_ids.append(uuid)
    # Hosts sized so the seeded VMs fill about half of them, at any scale.
    per_host = max(1.0, config.vms / config.hosts)
    mem_gib = max(64.0, per_host * 6.1 * 0.87 / 0.55)
    vcpus = max(32.0, per_host * 3.5 * 0.87 / 0.5)
    for h in range(config.hosts):
        cluster = world.clusters[cluster_ids[h % n_clusters]]
        cores = max(8, int(vcpus * rng.uniform(0.7, 1.3) / 4 / 4) * 4)
        memory = max(32, int(mem_gib * rng.uniform(0.7, 1.3) / 16) * 16) * GIB
        roll = rng.random()
        state = "Enabled" if roll > 0.08 else ("Disabled" if roll > 0.04 else "Maintenance")
        status = "Connected" if rng.random() > 0.05 else "Disconnected"
        uuid = _uuid(rng)
        created = _date(rng)
        world.hosts[uuid] = {
            "uuid": uuid, "name": f"kvm-{cluster['name'].removeprefix('cluster-')}"
            f"{h // n_clusters + 1:02d}",
            "description": "", "zoneUuid": cluster["zoneUuid"], "clusterUuid": cluster["uuid"],
            "managementIp": f"10.{h // 250}.{h % 250}.{10 + h % 200}",
            "hypervisorType": "KVM", "state": state, "status": status,
            # ZStack counts CPU capacity in vCPUs: cores times its over-provisioning ratio.
            "totalCpuCapacity": cores * 4, "availableCpuCapacity": cores * 4,
            "totalMemoryCapacity": memory, "availableMemoryCapacity": memory,
            "cpuNum": cores, "cpuSockets": 2, "architecture": "x86_64",
            "createDate": created, "lastOpDate": created,
        }
    hosts_by_cluster: dict[str, list[dict[str, Any]]] = {}
    for host in world.hosts.values():
        hosts_by_cluster.setdefault(host["clusterUuid"], []).append(host)
    for v in range(config.vms):
        _add_vm(world, rng, v, cluster_ids, hosts_by_cluster)
    return world


def _add_vm(world: World, rng: random.Random, v: int, cluster_ids: list[str],
            hosts_by_cluster: dict[str, list[dict[str, Any]]]) -> None:
    cluster = world.clusters[rng.choice(cluster_ids)]
    cpu = rng.choice((1, 2, 2, 4, 4, 8))
    memory = rng.choice((1, 2, 4, 4, 8, 8, 16)) * GIB
    roll = rng.random()
    state = ("Running" if roll < 0.80 else "Stopped" if roll < 0.90 else
             "Paused" if roll < 0.94 else "Unknown" if roll < 0.97 else "Error")
    uuid = _uuid(rng)
    candidates = [h for h in hosts_by_cluster.get(cluster["uuid"], [])
                  if h["availableCpuCapacity"] >= cpu and h["availableMemoryCapacity"] >= memory]
    host = rng.choice(candidates) if candidates else None
    last_host = rng.choice(hosts_by_cluster[cluster["uuid"]])["uuid"] if hosts_by_cluster.get(
        cluster["uuid"]) else None
    if host is None:
        state = "Stopped"
    if state in ("Stopped", "Error"):
        host_uuid = None
    else:
        assert host is not None
        host_uuid = host["uuid"]
        host["availableCpuCapacity"] -= cpu
        host["availableMemoryCapacity"] -= memory
    created = _date(rng)
    l3 = _uuid(rng)
    root = _uuid(rng)
    name = f"{VM_NAMES[v % len(VM_NAMES)]}-{v // len(VM_NAMES) + 1:02d}"
    world.vms[uuid] = {
        "uuid": uuid, "name": name, "description": "", "zoneUuid": cluster["zoneUuid"],
        "clusterUuid": cluster["uuid"], "imageUuid": _uuid(rng), "hostUuid": host_uuid,
        "lastHostUuid": last_host if host_uuid is None else None,
        "instanceOfferingUuid": _uuid(rng), "rootVolumeUuid": root,
        "platform": "Linux" if rng.random() > 0.2 else "Windows",
        "defaultL3NetworkUuid": l3, "type": "UserVm", "hypervisorType": "KVM",
        "memorySize": memory, "cpuNum": cpu,
        "allocatorStrategy": "LastHostPreferredAllocatorStrategy",
        "createDate": created, "lastOpDate": created, "state": state,
        "vmNics": [{"uuid": _uuid(rng), "vmInstanceUuid": uuid, "usedIpUuid": _uuid(rng),
                    "l3NetworkUuid": l3, "ip": f"192.168.{v // 250}.{v % 250 + 2}",
                    "mac": "fa:16:3e:" + ":".join(f"{rng.randrange(256):02x}" for _ in range(3)),
                    "hypervisorType": "KVM", "netmask": "255.255.0.0",
                    "gateway": "192.168.0.1", "deviceId": 0, "state": "enable",
                    "createDate": created, "lastOpDate": created}],
        "allVolumes": [{"uuid": root, "name": f"Root-Volume-For-VM-{uuid}",
                        "primaryStorageUuid": _uuid(rng), "vmInstanceUuid": uuid,
                        "type": "Root", "format": "qcow2", "size": 107374182400,
                        "actualSize": rng.randrange(4, 80) * GIB, "deviceId": 0,
                        "state": "Enabled", "status": "Ready", "createDate": created,
                        "lastOpDate": created}],
    }


__all__ = ["GIB", "World", "ZStackSimConfig", "build_world"]
