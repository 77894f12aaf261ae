"""The simulated ECS/DeH world: servers on dedicated hosts and in the pool, and their jobs.

Like the SMS engine it is advanced lazily (``sync`` on each request) and its state is a pure
function of the seed, the actions taken and the time: every job's length and outcome is drawn
from ``(seed, job number)`` when it is accepted, and jobs end at exact instants, in order.

Capacity: a host's ``available_vcpus/memory`` count the servers placed on it; a server being
migrated stays on its source until the job succeeds. A move is refused when the destination's
free capacity, minus the moves already heading there, is short of the flavor.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from typing import Any

from tui.api.ecs.errors import status_of
from tui.sim.clock import Clock
from tui.sim.ecs.fleet import (
    SimHost,
    SimJob,
    SimServer,
    SimSubJob,
    flavor_for,
    generate,
    place,
    unplace,
    zones,
)

NUMA_REASON = ("Insufficient resources on a single NUMA node of dedicated host {host}: the "
               "flavor {flavor} ({vcpus} vCPUs, {ram} MB) does not fit in one node")


class EcsSimError(Exception):
    """A refusal the ECS/DeH routes turn into an error body (``service`` picks its form)."""

    def __init__(self, code: str, detail: str | None = None, *, service: str = "ecs",
                 status: int | None = None) -> None:
        super().__init__(f"{code}: {detail or ''}")
        self.code = code
        self.detail = detail
        self.service = service
        self.status = status or status_of(code)


class EcsWorld:
    """Hosts, servers and jobs, moving with ``clock``; ``sms`` (the SMS engine) adds targets."""

    def __init__(self, *, seed: int, hosts: int, servers: int, region: str, clock: Clock,
                 sms: Any = None, numa_share: float = 0.1) -> None:
        self.seed = seed
        self.clock = clock
        self.sms = sms
        self.numa_share = numa_share
        """The share of migrations to a DeH that fail on a NUMA shortage (tests set 0 or 1)."""
        self.now = clock.now_ms()
        self.region = region
        self.hosts, self.servers = generate(seed, hosts, servers, region, self.now)
        self.host_order = sorted(self.hosts, key=lambda h: self.hosts[h].name)
        self.server_order = list(self.servers)
        self._seeded = len(self.server_order)
        self.jobs: dict[str, SimJob] = {}
        self.active: set[str] = set()
        self.serial = 0
        self._sms_seen: set[str] = set()
        self.sync()

    # -- time ------------------------------------------------------------------------------

    def sync(self) -> int:
        """Advance to the clock's time: finish due sub jobs (and their jobs) in time order."""
        now = self.clock.now_ms()
        if now > self.now:
            jobs = [self.jobs[i] for i in sorted(self.active)]
            due = sorted(((s.end_at, j.id, s.id, j, s) for j in jobs for s in j.subs
                          if s.end is None and s.end_at <= now), key=lambda e: e[:3])
            for _, _, _, job, sub in due:
                self._finish_sub(job, sub)
            for job in jobs:
                if all(s.end is not None for s in job.subs):
                    self._finish(job)
                    continue
                job.status = "RUNNING" if now >= job.begin + 1000 else "INIT"
                for sub in job.subs:
                    if sub.end is None:
                        sub.status = job.status
            self.now = now
        self._adopt_sms_targets()
        return self.now

    def _finish_sub(self, job: SimJob, sub: SimSubJob) -> None:
        sub.status, sub.end = sub.outcome, sub.end_at
        server = self.servers.get(sub.server_id)
        if server is None:
            return
        server.task_state, server.job_id, server.updated = None, None, sub.end_at
        if sub.outcome != "SUCCESS":
            if job.kind == "migrate":
                server.status = "SHUTOFF"
            return
        if job.kind == "stop":
            server.status = "SHUTOFF"
        elif job.kind == "start":
            server.status = "ACTIVE"
        else:
            self._move(server, job.dest)
            server.status = "SHUTOFF"

    def _finish(self, job: SimJob) -> None:
        self.active.discard(job.id)
        job.end = max(s.end_at for s in job.subs)
        failed = [s for s in job.subs if s.outcome == "FAIL"]
        job.status = "FAIL" if failed else "SUCCESS"
        if failed:
            job.error_code = failed[0].error_code
            job.fail_reason = failed[0].fail_reason

    def _move(self, server: SimServer, dest: str | None) -> None:
        if server.host_id is not None and server.host_id in self.hosts:
            unplace(self.hosts[server.host_id], server)
        if dest is not None:
            place(self.hosts[dest], server)

    def _adopt_sms_targets(self) -> None:
        """A migrated SMS source's target server appears in the pool once its task succeeded."""
        engine = self.sms
        if engine is None:
            return
        fresh = sorted(tid for tid, t in engine.tasks.items()
                       if t.state == "MIGRATE_SUCCESS" and tid not in self._sms_seen)
        for task_id in fresh:
            task = engine.tasks[task_id]
            self._sms_seen.add(task_id)
            if not task.target_vm_id or task.target_vm_id in self.servers:
                continue
            src = engine.sources.get(task.source_id)
            flavor = flavor_for(src.cpu_quantity if src else 2, src.memory if src else 4 << 30)
            at = task.finish_date or self.now
            server = SimServer(
                id=task.target_vm_id, name=task.target_name or task.name, flavor=flavor,
                az=zones(self.region)[0], host_id=None, charging_mode="0",
                status="ACTIVE" if getattr(task, "start_target_server", True) else "SHUTOFF",
                ip=task.migration_ip, created=at, updated=at, sms_task_id=task.id,
                tags=["migrated_by=sms"],
            )
            self.servers[server.id] = server
            self.server_order.append(server.id)
        if fresh:
            # Targets sort by when their task finished, not by when a request noticed it, so
            # the list is the same however time was advanced.
            tail = sorted(self.server_order[self._seeded:],
                          key=lambda i: (self.servers[i].created, i))
            self.server_order[self._seeded:] = tail

    # -- lookups ---------------------------------------------------------------------------

    def server(self, server_id: str) -> SimServer:
        """The server, or Ecs.1900 (404)."""
        server = self.servers.get(server_id)
        if server is None:
            raise EcsSimError("Ecs.1900", f"server {server_id} does not exist")
        return server

    def host(self, host_id: str, *, service: str = "deh") -> SimHost:
        """The host, or DEH.1900 (404)."""
        host = self.hosts.get(host_id)
        if host is None:
            raise EcsSimError("DEH.1900", f"dedicated host {host_id} does not exist",
                              service=service)
        return host

    def job(self, job_id: str) -> SimJob:
        """The job, or Ecs.1900 (404)."""
        job = self.jobs.get(job_id)
        if job is None:
            raise EcsSimError("Ecs.1900", f"job {job_id} does not exist")
        return job

    def inbound(self, host_id: str) -> tuple[int, int]:
        """vCPUs and MB claimed on ``host_id`` by migrations still running towards it."""
        cpus = ram = 0
        for job in (self.jobs[i] for i in self.active):
            if job.kind == "migrate" and job.dest == host_id:
                for sub in job.subs:
                    server = self.servers.get(sub.server_id)
                    if server is not None:
                        cpus += server.flavor.vcpus
                        ram += server.flavor.ram_mb
        return cpus, ram

    # -- actions ---------------------------------------------------------------------------

    def _draw(self) -> random.Random:
        self.serial += 1
        return random.Random(f"ecs-job:{self.seed}:{self.serial}")

    def _new_job(self, rng: random.Random, kind: str, job_type: str, sub_type: str,
                 lengths: Mapping[str, int], dest: str | None = None) -> SimJob:
        now = self.now
        job_id = f"{rng.getrandbits(128):032x}"
        subs = [SimSubJob(id=f"{rng.getrandbits(128):032x}", type=sub_type, server_id=sid,
                          begin=now, end_at=now + ms) for sid, ms in lengths.items()]
        job = SimJob(id=job_id, kind=kind, type=job_type, begin=now,
                     end_at=max(s.end_at for s in subs), subs=subs, dest=dest)
        self.jobs[job.id] = job
        self.active.add(job.id)
        return job

    def _batch_servers(self, ids: Iterable[str], verb: str) -> list[SimServer]:
        servers = [self.server(i) for i in dict.fromkeys(ids)]
        for server in servers:
            if server.job_id is not None:
                raise EcsSimError("Ecs.0100", f"server {server.id} has a job in progress "
                                  f"({server.task_state}); {verb} it when that ends")
            if server.status == "ERROR":
                raise EcsSimError("Ecs.0100", f"server {server.id} is in ERROR")
        return servers

    def stop(self, ids: list[str], hard: bool) -> str:
        """os-stop: SOFT takes 5–15 s, HARD 2–5 s; an already stopped server is a no-op."""
        servers = self._batch_servers(ids, "stop")
        rng = self._draw()
        low, high = (2_000, 5_000) if hard else (5_000, 15_000)
        lengths = {s.id: 500 if s.status == "SHUTOFF" else rng.randrange(low, high)
                   for s in servers}
        job = self._new_job(rng, "stop", "batchStopServers", "stopServer", lengths)
        for server in servers:
            if server.status != "SHUTOFF":
                server.task_state, server.job_id = "powering-off", job.id
        return job.id

    def start(self, ids: list[str]) -> str:
        """os-start: 8–20 s; an already running server is a no-op."""
        servers = self._batch_servers(ids, "start")
        rng = self._draw()
        lengths = {s.id: 500 if s.status == "ACTIVE" else rng.randrange(8_000, 20_000)
                   for s in servers}
        job = self._new_job(rng, "start", "batchStartServers", "startServer", lengths)
        for server in servers:
            if server.status != "ACTIVE":
                server.task_state, server.job_id = "powering-on", job.id
        return job.id

    def migrate(self, server_id: str, dest: str | None) -> str:
        """Cold migration, refused at once the way the documents say; otherwise a job."""
        server = self.server(server_id)
        if server.job_id is not None:
            raise EcsSimError("Ecs.0100", f"server {server.id} has a job in progress "
                              f"({server.task_state})")
        if server.status != "SHUTOFF":
            raise EcsSimError("Ecs.0100", f"server {server.id} is {server.status}; only a "
                              "stopped (SHUTOFF) server can be cold migrated")
        if server.charging_mode != "0":
            raise EcsSimError("Ecs.1901", f"server {server.id} is billed yearly/monthly "
                              f"(charging_mode {server.charging_mode})")
        if dest == server.host_id:
            where = f"dedicated host {dest}" if dest else "the public resource pool"
            raise EcsSimError("Ecs.1905", f"server {server.id} is already on {where}")
        host = None
        if dest is not None:
            host = self.hosts.get(dest)
            if host is None:
                raise EcsSimError("Ecs.0005", f"dedicated_host_id {dest} does not exist")
            if host.state != "available":
                raise EcsSimError("Ecs.1903", f"dedicated host {host.name} is {host.state}")
            if host.az != server.az:
                raise EcsSimError("Ecs.1904", f"dedicated host {host.name} is in {host.az}, "
                                  f"the server in {server.az}")
            cpus, ram = self.inbound(host.id)
            free_cpu = host.type.vcpus - host.used_vcpus - cpus
            free_ram = host.type.memory_mb - host.used_ram_mb - ram
            if server.flavor.vcpus > free_cpu or server.flavor.ram_mb > free_ram:
                raise EcsSimError("Ecs.1902", f"{server.flavor.id} needs "
                                  f"{server.flavor.vcpus} vCPUs and {server.flavor.ram_mb} MB; "
                                  f"{host.name} has {free_cpu} vCPUs and {free_ram} MB free")
        rng = self._draw()
        gib = server.flavor.ram_mb // 1024
        length = int((90_000 + 3_000 * gib) * (0.8 + 0.4 * rng.random()))
        numa = host is not None and rng.random() < self.numa_share
        job = self._new_job(rng, "migrate", "migrateServer", "coldMigrateServer",
                            {server.id: length}, dest)
        if numa and host is not None:
            sub = job.subs[0]
            sub.end_at = job.end_at = job.begin + int(length * 0.4)
            sub.outcome, sub.error_code = "FAIL", "Ecs.1906"
            sub.fail_reason = NUMA_REASON.format(host=host.name, flavor=server.flavor.id,
                                                 vcpus=server.flavor.vcpus,
                                                 ram=server.flavor.ram_mb)
        server.status, server.task_state, server.job_id = "RESIZE", "resize_migrating", job.id
        return job.id

    # -- queries -----------------------------------------------------------------------------

    def filter_servers(self, filters: Mapping[str, str]) -> list[SimServer]:
        """``/cloudservers/detail`` filters: name/ip substring, status, flavor, ids, tags."""
        name = filters.get("name", "").lower()
        ip = filters.get("ip", "")
        ids = set(filters["server_id"].split(",")) if filters.get("server_id") else None
        out = []
        for sid in self.server_order:
            s = self.servers[sid]
            if name and name not in s.name.lower():
                continue
            if filters.get("status") and s.status != filters["status"].upper():
                continue
            if filters.get("flavor") and s.flavor.id != filters["flavor"]:
                continue
            if ip and ip not in s.ip:
                continue
            if filters.get("ip_eq") and s.ip != filters["ip_eq"]:
                continue
            if ids is not None and s.id not in ids:
                continue
            if filters.get("tags") and filters["tags"] not in s.tags:
                continue
            if filters.get("enterprise_project_id") not in (None, "", "0", "all_granted_eps"):
                continue
            out.append(s)
        return out

    def filter_hosts(self, filters: Mapping[str, str]) -> list[SimHost]:
        """DeH list filters, exact except ``name`` (substring)."""
        out = []
        for hid in self.host_order:
            h = self.hosts[hid]
            if filters.get("dedicated_host_id") and h.id != filters["dedicated_host_id"]:
                continue
            if filters.get("name") and filters["name"].lower() not in h.name.lower():
                continue
            if filters.get("host_type") and h.type.code != filters["host_type"]:
                continue
            if filters.get("host_type_name") and h.type.name != filters["host_type_name"]:
                continue
            if filters.get("flavor") and filters["flavor"] not in {f.id for f in h.type.flavors}:
                continue
            if filters.get("state") and h.state != filters["state"]:
                continue
            if filters.get("availability_zone") and h.az != filters["availability_zone"]:
                continue
            if filters.get("instance_uuid") and filters["instance_uuid"] not in h.servers:
                continue
            out.append(h)
        return out


__all__ = ["EcsSimError", "EcsWorld", "NUMA_REASON"]
