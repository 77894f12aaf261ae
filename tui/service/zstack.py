"""ZStack for the dashboard, without Textual: a poller of hosts and VMs, and live migrations.

:class:`ZStackPoller` is a :class:`~tui.service.backend.BackendPoller` (the SMS poller's
pattern): fetching is separate from drawing (it publishes immutable :class:`ZStackSnapshot`
events), the next poll is scheduled only after the last one finished, failures back off and
the header marks the data stale.
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

import msgspec

from tui.api.exceptions import SmsError, ZStackError
from tui.api.zstack.errors import explain
from tui.api.zstack.models import Cluster, Host, MigrateVmBody, VmInstance
from tui.service.commands import BulkSummary, CommandGateway, Outcome, ReadOnlyViolation
from tui.service.backend import BackendConnectionChanged, BackendPoller
from tui.service.verify import Check
from tui.service.zstack_plan import EvacuationPlan, refusal
from tui.untrusted import clean

CLUSTERS_EVERY = 12
"""Clusters hardly change: fetched on every 12th poll."""


class Client(Protocol):
    """The part of :class:`tui.api.zstack.ZStackClient` the service uses."""

    async def list_hosts(self, *conditions: str) -> list[Host]: ...
    async def list_vms(self, *conditions: str) -> list[VmInstance]: ...
    async def list_clusters(self, *conditions: str) -> list[Cluster]: ...
    async def migration_target_hosts(self, vm_uuid: str) -> list[Host]: ...
    async def get_vm(self, vm_uuid: str) -> VmInstance: ...
    async def aclose(self) -> None: ...
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
class Migration:
    """One live migration as the dashboard saw it."""

    vm_uuid: str
    vm_name: str
    source: str | None
    dest: str | None
    started: float
    status: Literal["running", "ok", "failed", "skipped", "unknown"] = "running"
    """``unknown``: MigrateVm's answer was lost and its job not found (the client looks it
    up by the id it chose), its job could not be read, or it ran past its apiTimeout; the
    reason says where a re-read found the VM."""
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


ZStackEvent = ZStackPolled | MigrationsChanged | BackendConnectionChanged


def describe(error: SmsError) -> str:
    """A ZStack error for an outcome or a toast: decoded code, details and cause chain."""
    if isinstance(error, ZStackError) and error.error_code:
        ex = explain(error.error_code)
        return f"{error.error_code}: {error.message} — {ex.handling}"
    return str(error)


class ZStackPoller(BackendPoller):
    """Polls ZStack's hosts, VMs and clusters for view 3 and owns its migrations; never
    raises out of :meth:`run` (see :class:`~tui.service.backend.BackendPoller`)."""

    backend = "zstack"

    def __init__(self, client: Client, publish: Callable[[Any], None], *,
                 gateway: CommandGateway | None = None, interval: float = 5.0,
                 busy_interval: float = 2.0, clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time, label: str = "ZStack") -> None:
        super().__init__(publish, interval=interval, clock=clock)
        self.client = client
        self.label = label
        """Where ZStack is, for the header (the endpoint, or the demo)."""
        self.busy_interval = busy_interval
        """Faster while a migration is in flight, so its row follows it."""
        self.snapshot = ZStackSnapshot()
        self.migrations: Migrations | None = None
        if gateway is not None:
            self.migrations = Migrations(client, gateway, publish, clock=wall_clock,
                                         on_change=self.refresh_now,
                                         host_name=lambda uuid: self.snapshot.host_name(uuid))

    @property
    def moves(self) -> Migrations:
        """The migrations sent from this dashboard (a poller built without a gateway has none
        to send, so asking for them is a bug)."""
        assert self.migrations is not None, "ZStackPoller built without a command gateway"
        return self.migrations

    async def aclose(self) -> None:
        """Stop polling and log the ZStack session out."""
        self.stop()
        await self.client.aclose()

    async def fetch(self) -> tuple[list[Host], list[VmInstance], Mapping[str, Cluster]]:
        """Hosts, VMs and (every 12th poll, or when unknown) clusters."""
        hosts = await self.client.list_hosts()
        vms = await self.client.list_vms()
        clusters: Mapping[str, Cluster] = self.snapshot.clusters
        if not clusters or self.snapshot.version % CLUSTERS_EVERY == 0:
            clusters = {c.uuid or "": c for c in await self.client.list_clusters()}
        return hosts, vms, clusters

    def publish_polled(self, data: Any, now: float) -> float | None:
        """Publish the new snapshot; poll faster while something migrates."""
        hosts, vms, clusters = data
        self.snapshot = ZStackSnapshot(
            _freeze({h.uuid or "": h for h in hosts}), _freeze({v.uuid or "": v for v in vms}),
            _freeze(clusters), now, self.snapshot.version + 1)
        self.publish(ZStackPolled(self.snapshot))
        busy = (self.migrations is not None and self.migrations.in_flight > 0) or any(
            v.state == "Migrating" for v in vms)
        return self.busy_interval if busy else self.interval

    async def poll(self) -> float:
        """One poll (the name the service tests use); see :meth:`poll_once`."""
        return await self.poll_once()


def zstack_backend(app: Any) -> ZStackPoller | None:
    """View 3's poller for the app (duck-typed: its settings, ``zstack_settings``, command
    gateway, publish and clocks), or None when no ZStack is configured. In the demo it talks
    to the dashboard's own in-process simulator."""
    from tui.connect import open_zstack_client, resolve_zstack, zstack_configured

    zsettings = getattr(app, "zstack_settings", None)
    if not zstack_configured(app.settings, zsettings):
        return None
    if zsettings is None:
        zsettings = resolve_zstack(app.settings)
    if zsettings is None:
        return None
    client = open_zstack_client(zsettings, sms=app.client, deadline=20.0)
    label = "demo (embedded simulator)" if zsettings.demo else zsettings.endpoint
    return ZStackPoller(client, app._publish, gateway=app.commands,
                        interval=app.settings.refresh, clock=app.clock,
                        wall_clock=app.wall_clock, label=label)


class Migrations:
    """Sends migrations through the gateway and remembers each one (in flight and done)."""

    def __init__(self, client: Client, gateway: CommandGateway,
                 publish: Callable[[ZStackEvent], None], *,
                 clock: Callable[[], float] = time.monotonic,
                 on_change: Callable[[], None] = lambda: None,
                 host_name: Callable[[str | None], str] = lambda uuid: uuid or "?") -> None:
        self.client = client
        self.gateway = gateway
        self.publish = publish
        self.clock = clock
        self.on_change = on_change
        self.host_name = host_name
        """A host's name for what a re-read shows (the poller's snapshot knows them)."""
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
            "zstack.migrate", ident, label, lambda: self.client.migrate_vm(ident, body), body,
            verify=lambda: self._landed(ident, label, dest))
        if outcome.status == "ok":
            self._put(replace(record, status="ok", ended=self.clock()))
            return outcome
        # A lost answer keeps the gateway's account (what was checked, what to do); a
        # refusal or a failed job, ZStack's decoded error and its causes.
        reason = (describe(outcome.error) if outcome.error is not None and not outcome.unknown
                  else outcome.reason)
        status = outcome.status if outcome.status in ("skipped", "unknown") else "failed"
        self._put(replace(record, status=status, ended=self.clock(), reason=reason))
        return msgspec.structs.replace(outcome, reason=reason)

    async def _landed(self, vm_uuid: str, label: str, dest: str) -> Check:
        """Where the VM is now, for a migration whose answer was lost (and whose job the
        client could not find): on ``dest``, migrating, or still elsewhere."""
        vm = await self.client.get_vm(vm_uuid)
        where = clean(self.host_name(vm.hostUuid))
        if vm.hostUuid == dest:
            return Check(True, f"{clean(label)} is on {where}")
        if vm.state == "Migrating":
            return Check(None, f"ZStack shows {clean(label)} migrating from {where}")
        return Check(False, f"{clean(label)} is still on {where}")

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


__all__ = ["Client", "Migration", "Migrations", "MigrationsChanged", "ZStackEvent",
           "ZStackPolled", "ZStackPoller", "ZStackSnapshot", "describe", "zstack_backend"]
