"""The ZStack poller, migrations through the gateway, evacuation plans, and `migdash zstack`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tui.api.exceptions import ServerError
from tui.api.zstack import Host, MigrateVmBody, VmInstance
from tui.connect import ZStackSettings, open_zstack_client
from tui.service.audit import AuditLog
from tui.service.commands import CommandGateway, ReadOnlyViolation
from tui.service.backend import BackendConnectionChanged
from tui.service.state import Link
from tui.service.zstack import (
    Migrations,
    MigrationsChanged,
    ZStackPolled,
    ZStackPoller,
)
from tui.service.zstack_plan import plan_evacuation, refusal
from tui.sim import ManualClock
from tui.sim.zstack import ZStackSimConfig
from tui.zstack_cli import report, rows

GIB = 1024**3


def demo(**sim: Any) -> tuple[Any, ManualClock]:
    clock = ManualClock()

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    zs = open_zstack_client(ZStackSettings("http://zs.local", "admin", demo=True,
                                           password="password",
                                           sim_options={"clock": clock, "seed": 2,
                                                        "zstack": ZStackSimConfig(fail_share=0),
                                                        **sim}),
                            sleep=sleep)
    return zs, clock


def gateway(tmp_path: Path, *, read_only: bool = False) -> CommandGateway:
    return CommandGateway(None, AuditLog(tmp_path / "audit.jsonl"), read_only=read_only)


async def test_poller_publishes_snapshots_and_marks_failures() -> None:
    zs, clock = demo()
    events: list[Any] = []
    poller = ZStackPoller(zs, events.append, clock=lambda: clock.now_ms() / 1000)
    assert await poller.poll() == poller.interval
    polled = [e for e in events if isinstance(e, ZStackPolled)]
    engine = zs.simulator.zstack
    assert len(polled[0].snapshot.hosts) == len(engine.world.hosts)
    assert len(polled[0].snapshot.vms) == len(engine.world.vms)
    host = next(iter(polled[0].snapshot.hosts))
    assert polled[0].snapshot.vms_on(host) == [
        v for v in polled[0].snapshot.vms.values() if v.hostUuid == host]
    zs.simulator.faults.set("503=1@/zstack/v1/hosts")
    zs._caller.retry = type(zs._caller.retry)(attempts=0)
    first = await poller.poll()
    second = await poller.poll()
    assert second == 2 * first  # backoff
    changed = [e for e in events if isinstance(e, BackendConnectionChanged)][-1]
    assert changed.backend == "zstack"
    status = changed.status
    assert status.link is Link.RECONNECTING and isinstance(status.error, ServerError)
    assert poller.snapshot is polled[0].snapshot  # the last good data stays
    await zs.aclose()


async def test_migrate_goes_through_the_gateway_and_is_recorded(tmp_path: Path) -> None:
    zs, clock = demo()
    engine = zs.simulator.zstack
    vm = next(VmInstance.model_validate(v) for v in engine.world.vms.values()
              if v["state"] == "Running" and engine.candidates(v["uuid"]))
    dest = engine.candidates(vm.uuid)[0]["uuid"]
    events: list[Any] = []
    gw = gateway(tmp_path)
    moves = Migrations(zs, gw, events.append, clock=lambda: clock.now_ms() / 1000)
    outcome = await moves.migrate(vm, dest, MigrateVmBody.model_validate(
        {"migrateVm": {"hostUuid": dest}}))
    assert outcome.ok and outcome.result.hostUuid == dest
    records = [e for e in events if isinstance(e, MigrationsChanged)]
    assert records[0].migrations[0].status == "running"
    done = records[-1].migrations[0]
    assert done.status == "ok" and done.dest == dest and done.elapsed(0) > 3
    audit = list(gw.audit.read())
    assert audit[-1]["operation"] == "zstack.migrate" and audit[-1]["targets"] == [vm.uuid]
    assert audit[-1]["request"] == {"migrateVm": {"hostUuid": dest}}
    await zs.aclose()


async def test_failed_migration_outcome_carries_the_decoded_cause(tmp_path: Path) -> None:
    zs, clock = demo()
    engine = zs.simulator.zstack
    raw = next(v for v in engine.world.vms.values()
               if v["state"] == "Running" and engine.candidates(v["uuid"]))
    engine.fail_next.add(raw["uuid"])
    vm = VmInstance.model_validate(raw)
    dest = engine.candidates(vm.uuid)[0]["uuid"]
    moves = Migrations(zs, gateway(tmp_path), lambda e: None)
    outcome = await moves.migrate(vm, dest, MigrateVmBody.model_validate(
        {"migrateVm": {"hostUuid": dest}}))
    assert outcome.status == "failed" and outcome.reason.startswith("VM.1008")
    assert "caused by SYS.1006" in outcome.reason and moves.records[-1].status == "failed"
    await zs.aclose()


async def test_read_only_and_refused_states_send_nothing(tmp_path: Path) -> None:
    zs, _ = demo()
    engine = zs.simulator.zstack
    running = VmInstance.model_validate(next(v for v in engine.world.vms.values()
                                             if v["state"] == "Running"))
    stopped = VmInstance.model_validate(next(v for v in engine.world.vms.values()
                                             if v["state"] == "Stopped"))
    body = MigrateVmBody.model_validate({"migrateVm": {"hostUuid": "a" * 32}})
    with pytest.raises(ReadOnlyViolation):
        await Migrations(zs, gateway(tmp_path, read_only=True), lambda e: None).migrate(
            running, "a" * 32, body)
    outcome = await Migrations(zs, gateway(tmp_path), lambda e: None).migrate(
        stopped, "a" * 32, body)
    assert outcome.status == "skipped" and "Stopped" in outcome.reason
    assert engine.requests == []
    assert refusal(stopped) is not None and refusal(running) is None
    await zs.aclose()


def _host(uuid: str, free_gib: int) -> Host:
    return Host(uuid=uuid, name=uuid, totalCpuCapacity=64, availableCpuCapacity=64,
                clusterUuid="c",
                totalMemoryCapacity=64 * GIB, availableMemoryCapacity=free_gib * GIB)


def _vm(uuid: str, gib: int, state: str = "Running") -> VmInstance:
    return VmInstance(uuid=uuid, name=uuid, state=state, hostUuid="src", cpuNum=2,
                      memorySize=gib * GIB)


def test_evacuation_plan_places_on_offered_hosts_and_lists_what_cannot_move() -> None:
    big, small, paused, unknown, lonely, errored, offered_full = (
        _vm("big", 16), _vm("small", 4), _vm("paused", 8, "Paused"), _vm("unk", 2, "Unknown"),
        _vm("lonely", 2), _vm("err", 2), _vm("full", 12))
    a, b = _host("a", 20), _host("b", 10)
    plan = plan_evacuation("src", [small, big, paused, unknown, lonely, errored, offered_full], {
        "big": [a, b], "small": [a, b], "paused": [b], "unk": [a], "lonely": [],
        "err": "SYS.1000: boom", "full": [b]})
    dest = {s.vm.uuid: s.dest for s in plan.steps}
    assert dest["big"] == "a"          # only a has 16 GiB free
    assert dest["paused"] == "b"       # ZStack offered it b only
    assert dest["small"] == "a"        # a: 4 GiB left after big; b: 2 after paused
    stuck = {s.vm.uuid: s.reason for s in plan.stuck}
    assert set(stuck) == {"unk", "lonely", "err", "full"}
    assert "allowUnknown" in stuck["unk"] and "no candidate" in stuck["lonely"]
    assert "SYS.1000" in stuck["err"] and "full" in stuck["full"]
    assert plan.drain.free_after["a"].memory == 0  # 20 GiB free, 16 + 4 placed (MiB)


async def test_evacuate_moves_two_at_a_time_and_reports_each(tmp_path: Path) -> None:
    zs, clock = demo()
    engine = zs.simulator.zstack
    host = max(engine.world.hosts.values(),
               key=lambda h: sum(1 for v in engine.world.vms.values()
                                 if v["hostUuid"] == h["uuid"] and v["state"] == "Running"))
    vms = [VmInstance.model_validate(v) for v in engine.world.vms.values()
           if v["hostUuid"] == host["uuid"]]
    candidates = {v.uuid or "": await zs.migration_target_hosts(v.uuid or "") for v in vms}
    plan = plan_evacuation(host["uuid"], vms, candidates)
    moves = Migrations(zs, gateway(tmp_path), lambda e: None)
    peak = 0
    real = zs.migrate_vm

    async def counting(*a: Any, **kw: Any) -> Any:
        nonlocal peak
        peak = max(peak, moves.in_flight)
        return await real(*a, **kw)

    zs.migrate_vm = counting
    summary = await moves.evacuate(plan)
    assert len(summary.outcomes) == len(vms)
    assert summary.count("ok") + summary.count("failed") == len(plan.movable)
    assert summary.count("skipped") == len(plan.stuck)
    assert 1 <= peak <= 2 and len(engine.requests) == len(plan.movable)
    await zs.aclose()


async def test_headless_prints_hosts_and_vms_with_server_text_cleaned() -> None:
    zs, _ = demo()
    settings = ZStackSettings("http://zs.local", "admin", demo=True, password="password",
                              sim_options={"seed": 2})
    out, code = await report(settings, "json")
    data = json.loads(out)
    assert code == 0 and len(data["hosts"]) == 8 and len(data["vms"]) == 48
    host = Host(uuid="h", name="evil\x1b]0;pwned\x07", clusterUuid="c")
    vm = VmInstance(uuid="v", name="vm\x1b[2J", hostUuid="h")
    hosts, vms = rows([host], [vm], {"c": "c\x07"})
    assert hosts[0]["name"] == "evil␛]0;pwned␇" and vms[0]["host"] == "evil␛]0;pwned␇"
    assert "\x1b" not in json.dumps([hosts, vms], ensure_ascii=False)
    out, code = await report(None, "text")
    assert code == 3 and "--zstack-endpoint" in out
    await zs.aclose()


async def test_a_lost_answer_zstack_never_filed_is_recorded_unknown_not_failed(
        tmp_path: Path) -> None:
    # The simulator drops the connection before MigrateVm is handled: ZStack files no job.
    zs, clock = demo(faults="reset=1@PUT /zstack/v1/vm-instances/*/actions")
    engine = zs.simulator.zstack
    vm = next(VmInstance.model_validate(v) for v in engine.world.vms.values()
              if v["state"] == "Running" and engine.candidates(v["uuid"]))
    origin, dest = vm.hostUuid, engine.candidates(vm.uuid)[0]["uuid"]
    gw = gateway(tmp_path)
    gw.verify_delays = (0.0, 0.0)  # then the gateway re-reads the VM (twice, at once)
    names = {h: engine.world.hosts[h]["name"] for h in engine.world.hosts}
    moves = Migrations(zs, gw, lambda e: None, clock=lambda: clock.now_ms() / 1000,
                       host_name=lambda uuid: names.get(uuid or "", "?"))
    outcome = await moves.migrate(vm, dest, MigrateVmBody.model_validate(
        {"migrateVm": {"hostUuid": dest}}))
    assert outcome.status == "unknown" and "had no job" in outcome.reason
    assert f"{vm.name} is still on {names[origin]}" in outcome.reason
    assert "Check before sending it again" in outcome.reason
    assert moves.records[-1].status == "unknown"  # not "failed": it may have been received
    assert engine.world.vms[vm.uuid]["hostUuid"] == origin
    assert [e.get("outcome") for e in gw.audit.read()] == ["unknown", "unknown"]
    await zs.aclose()


async def test_a_job_past_its_api_timeout_is_unknown_and_the_vm_is_re_read(
        tmp_path: Path) -> None:
    from tests.api.test_zstack_client import World

    w = World(api_timeout_ms=2000)  # the client's clock is the simulator's
    raw = max((v for v in w.engine.world.vms.values()  # the largest: still copying at 2 s
               if v["state"] == "Running" and w.engine.candidates(v["uuid"])),
              key=lambda v: v["memorySize"])
    vm, dest = VmInstance.model_validate(raw), w.engine.candidates(raw["uuid"])[0]["uuid"]
    gw = gateway(tmp_path)
    gw.verify_delays = (0.0,)
    async with w.client() as zs:
        moves = Migrations(zs, gw, lambda e: None)
        outcome = await moves.migrate(vm, dest, MigrateVmBody.model_validate(
            {"migrateVm": {"hostUuid": dest}}))
    assert outcome.status == "unknown" and moves.records[-1].status == "unknown"
    assert f"re-reading cannot tell: ZStack shows {vm.name} migrating" in outcome.reason
    assert "apiTimeout" in outcome.reason


def test_an_unknown_outcome_is_listed_in_a_move_summary() -> None:
    from tui.screens.hosts.outcomes import outcome_text, summary_lines
    from tui.service.hosts import MovePlan, PlanOutcome

    plan = MovePlan("vm-1", "web-1", "h-a", "h-b", "kvm-b")
    lost = PlanOutcome(plan, "unknown", "", "outcome unknown: nothing re-reads this kind of write")
    done = PlanOutcome(MovePlan("vm-2", "web-2", "h-a", "h-b", "kvm-b"), "ok")
    text = "\n".join(line.plain for line in summary_lines([done, lost], 100))
    assert "? web-1                  unknown" in text
    assert text.index("web-1") < text.index("web-2")  # unknown before moved
    assert outcome_text(lost) == "web-1: outcome unknown: nothing re-reads this kind of write"


HA, HB = "a" * 32, "b" * 32


class LostAnswerClient:
    """MigrateVm's answer is lost (and its job not found); the VM then reads as ``after``."""

    def __init__(self, after: dict[str, Any]) -> None:
        self.after = after

    async def migrate_vm(self, vm_uuid: str, body: Any, on_job: Any = None) -> Any:
        from tui.api.exceptions import OutcomeUnknown

        raise OutcomeUnknown("lost", cause="timed out waiting for the answer")

    async def get_vm(self, vm_uuid: str) -> VmInstance:
        return VmInstance.model_validate({"uuid": vm_uuid, **self.after})


@pytest.mark.parametrize("after, status, says", [
    ({"hostUuid": HB, "state": "Running"}, "ok", "re-reading shows it took effect: web-1 is "
     "on kvm-b"),
    ({"hostUuid": HA, "state": "Migrating"}, "unknown", "re-reading cannot tell: ZStack "
     "shows web-1 migrating from kvm-a"),
    ({"hostUuid": HA, "state": "Running"}, "unknown", "web-1 is still on kvm-a"),
])
async def test_a_lost_answer_is_settled_by_where_the_vm_is(
        tmp_path: Path, after: dict[str, Any], status: str, says: str) -> None:
    gw = gateway(tmp_path)
    gw.verify_delays = (0.0,)
    names = {HA: "kvm-a", HB: "kvm-b"}
    moves = Migrations(LostAnswerClient(after), gw, lambda e: None,  # type: ignore[arg-type]
                       host_name=lambda uuid: names.get(uuid or "", "?"))
    vm = VmInstance.model_validate({"uuid": "vm-1", "name": "web-1", "state": "Running",
                                    "hostUuid": HA})
    outcome = await moves.migrate(vm, HB, MigrateVmBody.model_validate(
        {"migrateVm": {"hostUuid": HB}}))
    assert outcome.status == status and says in outcome.reason
    assert moves.records[-1].status == status
