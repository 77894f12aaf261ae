"""ZStack for the dashboard, without Textual: a poller of hosts and VMs, and live migrations.

:class:`ZStackPoller` follows the pattern of :mod:`tui.service.poller`: fetching is separate
from drawing (it publishes immutable :class:`ZStackSnapshot` events), the next poll is
scheduled only after the last one finished, failures back off and mark the data stale.
:class:`Migrations` sends MigrateVm through the :class:`~tui.service.commands.CommandGateway`
(read-only guard, no double submit, audit) and keeps every migration in flight and done for
the ``j`` panel; the poll shows each VM ``Migrating`` and then on its new host.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal, Protocol

from tui.api.exceptions import AuthError, SmsError, ZStackError
from tui.api.zstack.errors import explain
from tui.api.zstack.models import Cluster, Host, MigrateVmBody, VmInstance
from tui.service.commands import BulkSummary, CommandGateway, Outcome, ReadOnlyViolation
from tui.service.state import ConnectionStatus, Link
from tui.service.zstack_plan import EvacuationPlan, refusal

MAX_BACKOFF = 120.0
CLUSTERS_EVERY = 12
"""Clusters hardly change: fetched on every 12th poll."""


class Client(Protocol):
    """The part of :class:`tui.api.zstack.ZStackClient` the service uses."""

    async def list_hosts(self, *conditions: str) -> list[Host]: ...
    async def list_vms(self, *conditions: str) -> list[VmInstance]: ...
    async def list_clusters(self, *conditions: str) -> list[Cluster]: ...
    async def migration_target_hosts(self, vm_uuid: str) -> list[Host]: ...
    async def migrate_vm(self, vm_uuid: str, body: MigrateVmBody,
                         on_job: Callable[[str], None] | None = None) -> VmInstance: ...


def _freeze(items: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(items))


@dataclass(frozen=True)
class ZStackSnapshot:
    """One poll's hosts, VMs and clusters by uuid (in ZStack's order), and when."""

    hosts: Mapping[str, Host] = field(default_factory=lambda: _freeze({}))
    vms: Mapping[str, VmInstance] = field(default_factory=lambda: _freeze({}))
    clusters: Mapping[str, Cluster] = field(default_factory=lambda: _freeze({}))
    polled_at: float = 0.0
    version: int = 0

    def vms_on(self, host_uuid: str) -> list[VmInstance]:
        """The VMs a host runs now."""
        return [v for v in self.vms.values() if v.hostUuid == host_uuid]

    def cluster_name(self, uuid: str | None) -> str:
        """The cluster's name (its uuid when unknown)."""
        cluster = self.clusters.get(uuid or "")
        return (cluster.name or cluster.uuid or "") if cluster else (uuid or "")

    def host_name(self, uuid: str | None) -> str:
        """The host's name (its uuid when unknown)."""
        host = self.hosts.get(uuid or "")
        return (host.name or host.uuid or "") if host else (uuid or "")


@dataclass(frozen=True)
class ZStackPolled:
    """A poll finished; ``stale`` is False (fresh data)."""

    snapshot: ZStackSnapshot


@dataclass(frozen=True)
class ZStackConnectionChanged:
    """The link to ZStack changed (online, reconnecting, auth failed); the last snapshot
    stays on screen, marked stale."""

    status: ConnectionStatus


@dataclass(frozen=True)
class Migration:
    """One live migration as the dashboard saw it."""

    vm_uuid: str
    vm_name: str
    source: str | None
    dest: str | None
    started: float
    status: Literal["running", "ok", "failed", "skipped"] = "running"
    ended: float | None = None
    reason: str = ""
    """Why it failed or was skipped: the decoded ZStack error and its cause chain."""

    def elapsed(self, now: float) -> float:
        """Seconds it took, or has taken so far."""
        return (self.ended if self.ended is not None else now) - self.started


@dataclass(frozen=True)
class MigrationsChanged:
    """A migration started or ended; ``migrations`` is every one, newest last."""

    migrations: tuple[Migration, ...]


ZStackEvent = ZStackPolled | ZStackConnectionChanged | MigrationsChanged


def describe(error: SmsError) -> str:
    """A ZStack error for an outcome or a toast: decoded code, details and cause chain."""
    if isinstance(error, ZStackError) and error.error_code:
        ex = explain(error.error_code)
        return f"{error.error_code}: {error.message} — {ex.handling}"
    return str(error)


class ZStackPoller:
    """Polls ZStack's hosts and VMs and publishes snapshots; never raises out of :meth:`run`."""

    def __init__(self, client: Client, publish: Callable[[ZStackEvent], None], *,
                 interval: float = 5.0, busy_interval: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.publish = publish
        self.interval = interval
        self.busy_interval = busy_interval
        """Faster while a migration is in flight, so its row follows it."""
        self.clock = clock
        self.snapshot = ZStackSnapshot()
        self.status = ConnectionStatus()
        self._wake = asyncio.Event()
        self._stopped = asyncio.Event()
        self.busy: Callable[[], bool] = lambda: False
        """Whether the dashboard has a migration in flight (set by :class:`Migrations`' owner)."""

    def refresh_now(self) -> None:
        """Poll at once (after a write, or ``r``)."""
        self._wake.set()

    def stop(self) -> None:
        """Ask :meth:`run` to return."""
        self._stopped.set()
        self._wake.set()

    async def run(self) -> None:
        """Poll until :meth:`stop`, one poll at a time."""
        while not self._stopped.is_set():
            delay = await self.poll()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, delay))
            except TimeoutError:
                pass
            self._wake.clear()

    async def poll(self) -> float:
        """One poll; returns how long to wait before the next."""
        try:
            hosts = await self.client.list_hosts()
            vms = await self.client.list_vms()
            clusters: Mapping[str, Cluster] = self.snapshot.clusters
            if not clusters or self.snapshot.version % CLUSTERS_EVERY == 0:
                clusters = {c.uuid or "": c for c in await self.client.list_clusters()}
        except SmsError as exc:
            return self._failed(exc)
        now = self.clock()
        self.snapshot = ZStackSnapshot(
            _freeze({h.uuid or "": h for h in hosts}), _freeze({v.uuid or "": v for v in vms}),
            _freeze(clusters), now, self.snapshot.version + 1)
        self.status = ConnectionStatus(Link.ONLINE, last_ok=now)
        self.publish(ZStackConnectionChanged(self.status))
        self.publish(ZStackPolled(self.snapshot))
        moving = self.busy() or any(v.state == "Migrating" for v in vms)
        return self.busy_interval if moving else self.interval

    def _failed(self, exc: SmsError) -> float:
        failures = self.status.failures + 1
        delay = min(MAX_BACKOFF, self.interval * 2 ** (failures - 1))
        link = Link.AUTH_FAILED if isinstance(exc, AuthError) else Link.RECONNECTING
        self.status = replace(self.status, link=link, failures=failures, error=exc,
                              next_retry=self.clock() + delay)
        self.publish(ZStackConnectionChanged(self.status))
        return float(delay)


class Migrations:
    """Sends migrations through the gateway and remembers each one (in flight and done)."""

    def __init__(self, client: Client, gateway: CommandGateway,
                 publish: Callable[[ZStackEvent], None], *,
                 clock: Callable[[], float] = time.monotonic,
                 on_change: Callable[[], None] = lambda: None) -> None:
        self.client = client
        self.gateway = gateway
        self.publish = publish
        self.clock = clock
        self.on_change = on_change
        self.records: list[Migration] = []

    @property
    def in_flight(self) -> int:
        """How many migrations are running now."""
        return sum(1 for m in self.records if m.status == "running")

    def running_for(self, vm_uuid: str) -> Migration | None:
        """The migration of this VM in flight, if any."""
        return next((m for m in reversed(self.records)
                     if m.vm_uuid == vm_uuid and m.status == "running"), None)

    async def candidates(self, vm_uuid: str) -> list[Host]:
        """The hosts ZStack accepts for this VM; raises SmsError."""
        return list(await self.client.migration_target_hosts(vm_uuid))

    async def migrate(self, vm: VmInstance, dest: str, body: MigrateVmBody) -> Outcome:
        """Migrate one VM to ``dest`` (its uuid must be ``body``'s hostUuid); the outcome
        comes when the job ends."""
        label = vm.name or vm.uuid or "?"
        ident = vm.uuid or ""
        why = refusal(vm, allow_unknown=bool(body.migrateVm.allowUnknown))
        if why is None and body.migrateVm.hostUuid != dest:
            why = "the body's hostUuid is not the chosen host"
        if why is not None:
            return Outcome(ident, label, "skipped", why)
        if self.gateway.read_only:  # before recording anything: nothing is in flight
            raise ReadOnlyViolation("zstack.migrate refused: migdash is in read-only mode")
        record = Migration(ident, label, vm.hostUuid, dest, self.clock())
        self._put(record)
        outcome = await self.gateway.send(
            "zstack.migrate", ident, label, lambda: self.client.migrate_vm(ident, body), body)
        if outcome.status == "ok":
            self._put(replace(record, status="ok", ended=self.clock()))
            return outcome
        reason = describe(outcome.error) if outcome.error is not None else outcome.reason
        self._put(replace(record, status="skipped" if outcome.status == "skipped" else "failed",
                          ended=self.clock(), reason=reason))
        return replace(outcome, reason=reason)

    async def evacuate(self, plan: EvacuationPlan, *, concurrency: int = 2,
                       options: Callable[[str], MigrateVmBody] | None = None) -> BulkSummary:
        """Carry out an evacuation plan, ``concurrency`` migrations at a time; VMs without a
        destination are reported skipped with the plan's reason, never forced."""
        gate = asyncio.Semaphore(max(1, concurrency))

        async def one(vm: VmInstance, dest: str | None, reason: str) -> Outcome:
            if dest is None:
                return Outcome(vm.uuid or "", vm.name or vm.uuid or "?", "skipped", reason)
            body = options(dest) if options else MigrateVmBody.model_validate(
                {"migrateVm": {"hostUuid": dest}})
            async with gate:
                return await self.migrate(vm, dest, body)

        outcomes = await asyncio.gather(*(one(s.vm, s.dest, s.reason) for s in plan.steps))
        return BulkSummary("evacuate", tuple(outcomes))

    def _put(self, record: Migration) -> None:
        for i in range(len(self.records) - 1, -1, -1):
            old = self.records[i]
            if old.vm_uuid == record.vm_uuid and old.started == record.started:
                self.records[i] = record
                break
        else:
            self.records.append(record)
        self.publish(MigrationsChanged(tuple(self.records)))
        self.on_change()


__all__ = ["Client", "Migration", "Migrations", "MigrationsChanged", "ZStackConnectionChanged",
           "ZStackEvent", "ZStackPolled", "ZStackPoller", "ZStackSnapshot", "describe"]
