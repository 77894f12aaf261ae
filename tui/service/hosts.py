"""The ECS/DeH backend: polls dedicated hosts, servers and jobs in flight; runs move plans.

No Textual. :class:`HostsPoller` publishes :class:`HostsPolled` (snapshot and what changed)
and :class:`JobsChanged`; :meth:`HostsPoller.run_plan` runs one server's "stop, move, start"
plan step by step through the :class:`~tui.service.commands.CommandGateway`, each step only
after the previous job's SUCCESS, and :meth:`HostsPoller.run_plans` several with bounded
concurrency (a drain). Placement itself is pure (:mod:`tui.service.placement`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Protocol

from tui.api.exceptions import SmsError
from tui.service.backend import BackendPoller
from tui.service.placement import Capacity, Item, Slot, reserve
from tui.service.state import diff

POOL = "public-pool"
"""The key of the public pool (servers on no dedicated host)."""
JOB_DONE = frozenset({"SUCCESS", "FAIL"})
BUSY_INTERVAL = 2.0
"""Seconds between polls while a job is in flight (the move's row follows it)."""
JOB_POLL = 2.0
"""Seconds between reads of one job being followed."""
JOB_READ_FAILURES = 5
"""Consecutive failed reads of a job before its plan gives up following it."""


class Client(Protocol):
    """The part of :class:`tui.api.ecs.client.EcsClient` the hosts view uses."""

    async def list_all_hosts(self) -> list[Any]: ...
    async def list_all_servers(self) -> list[Any]: ...
    async def get_job(self, job_id: str) -> Any: ...
    async def stop_servers(self, server_ids: Sequence[str], *, hard: bool = False) -> str: ...
    async def start_servers(self, server_ids: Sequence[str]) -> str: ...
    async def migrate_server(self, server_id: str, dedicated_host_id: str | None) -> str: ...


class Gateway(Protocol):
    """The command gateway's one generic method."""

    async def send(self, operation: str, target: str, label: str,
                   call: Callable[[], Awaitable[Any]], request: Any = None) -> Any: ...


# -- jobs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobRecord:
    """A job this dashboard started, with the latest status read from ECS."""

    job_id: str
    kind: str
    """stop, migrate or start."""
    server_id: str
    server_name: str
    source: str | None
    """Host id before the move (None: the public pool); for stop/start, where it is."""
    dest: str | None
    """Destination host id of a migration (None: the public pool)."""
    begun: float
    """Wall-clock time it was sent (the job's own begin_time is shown when known)."""
    job: Any = None
    """The latest ``Job`` read from ECS (None until the first read)."""
    read_error: str = ""
    """The last failure to read the job, if the last read failed."""

    @property
    def status(self) -> str:
        """SUCCESS, FAIL, RUNNING, INIT… (INIT until first read)."""
        return str(getattr(self.job, "status", None) or "INIT")

    @property
    def finished(self) -> bool:
        """SUCCESS or FAIL (unknown states count as not finished)."""
        return self.status in JOB_DONE

    def failure(self) -> str:
        """The decoded failure: the job's code and reason, then each failed sub job's."""
        job = self.job
        if job is None or self.status != "FAIL":
            return ""
        parts = [_reason(job)]
        for sub in getattr(job, "sub_jobs", []) or []:
            if getattr(sub, "status", None) == "FAIL":
                text = _reason(sub)
                if text and text not in parts:
                    parts.append(f"sub job {getattr(sub, 'job_type', None) or ''}: {text}")
        return "; ".join(p for p in parts if p) or "the job failed without a reason"


def _reason(job: Any) -> str:
    code = getattr(job, "error_code", None) or ""
    why = getattr(job, "fail_reason", None) or ""
    entities = getattr(job, "entities", None)
    extra = getattr(entities, "errorcode_message", None) or ""
    return " ".join(p for p in (f"{code}:" if code else "", why or extra) if p).strip()


# -- snapshot ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostsSnapshot:
    """Hosts, servers and where each server is, as of one poll."""

    hosts: Mapping[str, Any] = field(default_factory=dict)
    servers: Mapping[str, Any] = field(default_factory=dict)
    host_of: Mapping[str, str] = field(default_factory=dict)
    """Server id → host id, or :data:`POOL`."""
    polled_at: float = 0.0
    version: int = 0

    def servers_on(self, host_id: str) -> list[str]:
        """Ids of the servers on ``host_id`` (or :data:`POOL`)."""
        return [s for s, h in self.host_of.items() if h == host_id]


def locate(hosts: Sequence[Any], servers: Sequence[Any]) -> dict[str, str]:
    """Where each server is: the host listing it in ``instance_uuids`` (the host's own list
    is the source of truth), else its scheduler hints, else the public pool."""
    listed = {sid: h.dedicated_host_id for h in hosts for sid in (h.instance_uuids or [])}
    known = {h.dedicated_host_id for h in hosts}
    out = {}
    for s in servers:
        hint = getattr(s, "dedicated_host_id", None)
        out[s.id] = listed.get(s.id) or (hint if hint in known else None) or POOL
    return out


@dataclass(frozen=True)
class HostsPolled:
    """A hosts poll finished: the snapshot and which rows changed."""

    snapshot: HostsSnapshot
    changed_servers: Mapping[str, Any]
    removed_servers: frozenset[str]
    changed_hosts: Mapping[str, Any]
    removed_hosts: frozenset[str]


@dataclass(frozen=True)
class JobsChanged:
    """A job was started or its status changed; ``servers`` are the rows to redraw."""

    jobs: Mapping[str, JobRecord]
    servers: frozenset[str]


# -- plans ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MovePlan:
    """One server's move, as steps: ``("stop", "migrate", "start")`` for a running server."""

    server_id: str
    server_name: str
    source: str | None
    dest: str | None
    dest_name: str
    steps: tuple[str, ...] = ("migrate",)
    hard_stop: bool = False


@dataclass(frozen=True)
class PlanOutcome:
    """How a plan ended: ``ok``, or ``failed`` at ``step`` with the reason, or ``skipped``."""

    plan: MovePlan
    status: str
    step: str = ""
    reason: str = ""

    @property
    def ok(self) -> bool:
        """True when every step's job succeeded."""
        return self.status == "ok"


def steps_for(server: Any) -> tuple[str, ...]:
    """The steps a cold migration of ``server`` needs: stopped → migrate; running (ACTIVE) →
    stop, migrate, start again."""
    if getattr(server, "status", None) == "SHUTOFF":
        return ("migrate",)
    return ("stop", "migrate", "start")


def slot_of(host: Any) -> Slot:
    """A dedicated host as placement sees it (vCPUs and MB)."""
    state = host.state or "unknown"
    return Slot(host.dedicated_host_id, host.name or host.dedicated_host_id,
                host.availability_zone,
                Capacity(host.total_vcpus, host.total_memory),
                Capacity(host.available_vcpus or 0, host.available_memory or 0),
                "" if state == "available" else f"state {state}")


def item_of(server: Any, host_id: str | None) -> Item:
    """A server as placement sees it."""
    return Item(server.id, server.name or server.id, server.availability_zone,
                Capacity(server.vcpus, server.ram_mb),
                None if host_id in (None, POOL) else host_id)


class HostsPoller(BackendPoller):
    """Polls DeH hosts and ECS servers; follows the jobs it starts."""

    backend = "hosts"

    def __init__(self, client: Client, publish: Callable[[Any], None], *,
                 interval: float = 5.0, clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 job_poll: float = JOB_POLL) -> None:
        super().__init__(publish, interval=interval, clock=clock)
        self.client = client
        self.wall_clock = wall_clock
        self.sleep = sleep
        self.job_poll = job_poll
        self.snapshot = HostsSnapshot()
        self.jobs: dict[str, JobRecord] = {}

    # -- polling ----------------------------------------------------------------------------

    async def fetch(self) -> tuple[list[Any], list[Any]]:
        """Every host and every server (all pages)."""
        hosts = await self.client.list_all_hosts()
        servers = await self.client.list_all_servers()
        return hosts, servers

    def publish_polled(self, data: tuple[list[Any], list[Any]], now: float) -> float:
        hosts, servers = data
        old = self.snapshot
        new = HostsSnapshot(
            MappingProxyType({h.dedicated_host_id: h for h in hosts}),
            MappingProxyType({s.id: s for s in servers}),
            MappingProxyType(locate(hosts, servers)), now, old.version + 1)
        self.snapshot = new
        # A server whose host changed is a changed row even if its record did not change.
        moved = {k for k, h in new.host_of.items() if old.host_of.get(k) != h}
        s_diff = diff(old.servers, new.servers)
        h_diff = diff(old.hosts, new.hosts)
        changed = dict(s_diff.changed)
        changed.update({k: new.servers[k] for k in moved if k in new.servers})
        self.publish(HostsPolled(new, changed, s_diff.removed, h_diff.changed, h_diff.removed))
        return BUSY_INTERVAL if self.in_flight() else self.interval

    # -- jobs -------------------------------------------------------------------------------

    def in_flight(self) -> list[JobRecord]:
        """Jobs started here that have not finished."""
        return [j for j in self.jobs.values() if not j.finished]

    def job_of(self, server_id: str) -> JobRecord | None:
        """The latest job of ``server_id`` still in flight, if any."""
        found = [j for j in self.jobs.values() if j.server_id == server_id and not j.finished]
        return max(found, key=lambda j: j.begun) if found else None

    def reserved(self) -> dict[str, Capacity]:
        """Capacity promised to migrations in flight, per destination host."""
        moves = []
        for j in self.in_flight():
            server = self.snapshot.servers.get(j.server_id)
            if j.kind == "migrate" and j.dest and server is not None:
                if self.snapshot.host_of.get(j.server_id) != j.dest:
                    moves.append((j.dest, Capacity(server.vcpus, server.ram_mb)))
        return reserve(moves)

    def _record(self, record: JobRecord) -> None:
        self.jobs[record.job_id] = record
        self.publish(JobsChanged(MappingProxyType(dict(self.jobs)),
                                 frozenset({record.server_id})))

    async def follow(self, job_id: str) -> JobRecord:
        """Read the job every ``job_poll`` seconds until SUCCESS or FAIL (or until reading it
        failed :data:`JOB_READ_FAILURES` times in a row); returns its last record."""
        failures = 0
        while True:
            await self.sleep(self.job_poll)
            record = self.jobs[job_id]
            try:
                job = await self.client.get_job(job_id)
            except SmsError as exc:
                failures += 1
                self._record(replace(record, read_error=str(exc)))
                if failures >= JOB_READ_FAILURES:
                    return self.jobs[job_id]
                continue
            failures = 0
            changed = getattr(record.job, "status", None) != getattr(job, "status", None)
            self._record(replace(record, job=job, read_error=""))
            if self.jobs[job_id].finished:
                self.refresh_now()  # the server's row follows it to its new host
                return self.jobs[job_id]
            if changed:
                self.refresh_now()

    # -- plans ------------------------------------------------------------------------------

    async def run_plan(self, plan: MovePlan, gateway: Gateway) -> PlanOutcome:
        """Run the plan's steps in order, each once and only after the previous job's
        SUCCESS; a failed step stops the plan and says which step and why."""
        here = self.snapshot.host_of.get(plan.server_id, plan.source or POOL)
        for step in plan.steps:
            operation, call, request = self._step(plan, step)
            outcome = await gateway.send(operation, plan.server_id, plan.server_name, call,
                                         request)
            if not outcome.ok:
                return PlanOutcome(plan, "skipped" if outcome.status == "skipped" and step ==
                                   plan.steps[0] else "failed", step, outcome.reason)
            job_id = str(outcome.result)
            self._record(JobRecord(job_id, step, plan.server_id, plan.server_name,
                                   None if here == POOL else here,
                                   plan.dest if step == "migrate" else None,
                                   self.wall_clock()))
            record = await self.follow(job_id)
            if record.status != "SUCCESS":
                why = record.failure() or (f"the job could not be read: {record.read_error}"
                                           if record.read_error else record.status)
                return PlanOutcome(plan, "failed", step, why)
            if step == "migrate":
                here = plan.dest or POOL  # the next step (start) runs where it landed
        return PlanOutcome(plan, "ok")

    async def run_plans(self, plans: Sequence[MovePlan], gateway: Gateway, *,
                        concurrency: int = 2) -> list[PlanOutcome]:
        """Several plans (a drain), at most ``concurrency`` at once; one outcome each."""
        gate = asyncio.Semaphore(concurrency)

        async def one(plan: MovePlan) -> PlanOutcome:
            async with gate:
                return await self.run_plan(plan, gateway)

        return list(await asyncio.gather(*(one(p) for p in plans)))

    def _step(self, plan: MovePlan, step: str) -> tuple[str, Callable[[], Awaitable[Any]], Any]:
        sid = plan.server_id
        if step == "stop":
            kind = "HARD" if plan.hard_stop else "SOFT"
            return ("ecs.stop", lambda: self.client.stop_servers([sid], hard=plan.hard_stop),
                    {"os-stop": {"type": kind, "servers": [{"id": sid}]}})
        if step == "start":
            return ("ecs.start", lambda: self.client.start_servers([sid]),
                    {"os-start": {"servers": [{"id": sid}]}})
        dest = plan.dest
        body = {"migrate": {"dedicated_host_id": dest} if dest else None}
        return "ecs.migrate", lambda: self.client.migrate_server(sid, dest), body
