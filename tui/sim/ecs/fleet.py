"""The ECS/DeH simulator's records and its seeded generator: host types, hosts, servers.

Everything is drawn from the world's own random stream (``seed`` mixed with a constant), so
adding the ECS world leaves the SMS fleet of the same seed unchanged.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from tui.sim.fleet import make_id


@dataclass(frozen=True)
class FlavorSpec:
    """A flavor: id, vCPUs and memory (MB)."""

    id: str
    vcpus: int
    ram_mb: int
    disk_gb: int = 40


@dataclass(frozen=True)
class HostType:
    """A DeH host type and the flavors it runs."""

    code: str
    name: str
    vcpus: int
    cores: int
    sockets: int
    memory_mb: int
    flavors: tuple[FlavorSpec, ...]


def _family(code: str, ratio: int) -> tuple[FlavorSpec, ...]:
    sizes = (("large", 2), ("xlarge", 4), ("2xlarge", 8), ("4xlarge", 16))
    return tuple(FlavorSpec(f"{code}.{size}.{ratio}", cpus, cpus * ratio * 1024)
                 for size, cpus in sizes)


HOST_TYPES: tuple[HostType, ...] = (
    HostType("s6", "General computing s6", 64, 32, 2, 262_144, _family("s6", 2)),
    HostType("c6", "Computing-intensive c6", 96, 48, 2, 393_216, _family("c6", 4)),
    HostType("m6", "Memory-optimized m6", 72, 36, 2, 589_824, _family("m6", 8)),
    HostType("h1", "High-performance computing h1", 36, 12, 2, 270_336, _family("h1", 4)),
)
"""s6/c6/m6 follow Huawei's families; h1 carries the DeH reference's example numbers."""

FLAVORS: dict[str, FlavorSpec] = {f.id: f for t in HOST_TYPES for f in t.flavors}

APPS = ("web", "api", "db", "cache", "batch", "erp", "crm", "mq", "search", "etl")


@dataclass(slots=True, eq=False)
class SimHost:
    """A dedicated host."""

    id: str
    name: str
    type: HostType
    az: str
    state: str
    auto_placement: str
    allocated_at: int
    servers: list[str] = field(default_factory=list)
    """Ids of the servers placed on it, in placement order."""
    used_vcpus: int = 0
    used_ram_mb: int = 0


@dataclass(slots=True, eq=False)
class SimServer:
    """An ECS server; ``host_id`` None means the public pool."""

    id: str
    name: str
    flavor: FlavorSpec
    az: str
    status: str
    host_id: str | None
    charging_mode: str
    ip: str
    created: int
    updated: int
    task_state: str | None = None
    job_id: str | None = None
    fault: dict[str, object] | None = None
    sms_task_id: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class SimSubJob:
    """One sub job: one server's part of a job."""

    id: str
    type: str
    server_id: str
    begin: int
    end_at: int
    outcome: str = "SUCCESS"
    status: str = "INIT"
    end: int | None = None
    error_code: str | None = None
    fail_reason: str | None = None


@dataclass(slots=True, eq=False)
class SimJob:
    """An asynchronous ECS job: stop, start or migrate, ending at ``end_at``."""

    id: str
    kind: str
    type: str
    begin: int
    end_at: int
    subs: list[SimSubJob]
    status: str = "INIT"
    end: int | None = None
    dest: str | None = None
    """A migration's destination host id (None: the pool)."""
    error_code: str | None = None
    fail_reason: str | None = None


def zones(region: str) -> tuple[str, str]:
    """The two availability zones of the simulated region."""
    return f"{region}a", f"{region}b"


def generate(seed: int, hosts: int, servers: int, region: str, now: int
             ) -> tuple[dict[str, SimHost], dict[str, SimServer]]:
    """The seeded world: ``hosts`` DeHs (a few in fault), ``servers`` servers on them or pooled."""
    rng = random.Random(f"ecs:{seed}")
    azs = zones(region)
    made_hosts: dict[str, SimHost] = {}
    faults = {rng.randrange(hosts)} if hosts >= 5 else set()
    for i in range(hosts):
        kind = HOST_TYPES[rng.randrange(len(HOST_TYPES))]
        made_host = SimHost(
            id=make_id(rng), name=f"deh-{kind.code}-{i + 1:03d}", type=kind,
            az=azs[i % 2], state="fault" if i in faults or rng.random() < 0.03 else "available",
            auto_placement="on" if rng.random() < 0.6 else "off",
            allocated_at=now - rng.randrange(30, 400) * 86_400_000,
        )
        made_hosts[made_host.id] = made_host
    host_list = list(made_hosts.values())
    made: dict[str, SimServer] = {}
    for i in range(servers):
        host: SimHost | None = None
        if host_list and rng.random() < 0.72:
            host = host_list[rng.randrange(len(host_list))]
        family = host.type if host else HOST_TYPES[rng.randrange(len(HOST_TYPES))]
        flavor = family.flavors[min(3, int(rng.random() ** 2 * 4))]
        if host is not None and (host.used_vcpus + flavor.vcpus > host.type.vcpus
                                 or host.used_ram_mb + flavor.ram_mb > host.type.memory_mb):
            host = None
        r = rng.random()
        status = "ACTIVE" if r < 0.68 else "SHUTOFF" if r < 0.95 else "ERROR"
        created = now - rng.randrange(1, 700) * 86_400_000
        server = SimServer(
            id=make_id(rng), name=f"{APPS[rng.randrange(len(APPS))]}-{i + 1:04d}",
            flavor=flavor, az=host.az if host else azs[rng.randrange(2)], status=status,
            host_id=host.id if host else None,
            charging_mode="1" if rng.random() < 0.15 else "0",
            ip=f"10.{10 + rng.randrange(20)}.{rng.randrange(256)}.{2 + rng.randrange(250)}",
            created=created, updated=created,
        )
        if status == "ERROR":
            server.fault = {"code": 500, "message": "Host lost power during the last reboot",
                            "created": created}
        made[server.id] = server
        if host is not None:
            place(host, server)
    return made_hosts, made


def place(host: SimHost, server: SimServer) -> None:
    """Put ``server`` on ``host`` and count its flavor."""
    host.servers.append(server.id)
    host.used_vcpus += server.flavor.vcpus
    host.used_ram_mb += server.flavor.ram_mb
    server.host_id = host.id


def unplace(host: SimHost, server: SimServer) -> None:
    """Take ``server`` off ``host``."""
    if server.id in host.servers:
        host.servers.remove(server.id)
        host.used_vcpus -= server.flavor.vcpus
        host.used_ram_mb -= server.flavor.ram_mb
    server.host_id = None


def flavor_for(cpus: int, memory_bytes: int) -> FlavorSpec:
    """The smallest s6/c6/m6 flavor that holds a migrated source (the largest if none does)."""
    ram_mb = memory_bytes // (1024 * 1024)
    fits = [f for t in HOST_TYPES[:3] for f in t.flavors if f.vcpus >= cpus and f.ram_mb >= ram_mb]
    if not fits:
        return HOST_TYPES[2].flavors[-1]
    return min(fits, key=lambda f: (f.vcpus, f.ram_mb, f.id))
