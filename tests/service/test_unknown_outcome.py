"""A write whose answer is lost is re-read, not reported as failed (the gateway, no Textual).

Faults come from the simulator's own injector: a truncated success (the write happened), a
reset before the write reached the engine (it did not), and, over a real socket, an answer
slower than the client's timeout while the server still applies the write afterwards."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from tui.api.client import SmsClient
from tui.api.models import SpeedLimitRequest
from tui.api.transport import RetryPolicy
from tui.service.audit import AuditLog
from tui.service.commands import CommandGateway, Outcome
from tests.sim_server import BufferedBody, serve
from tui.sim import ManualClock, SimConfig, SimTransport, create_app

def sim_client(faults: str | None = None, **kw: Any) -> tuple[SmsClient, Any]:
    app = create_app(SimConfig(sources=40, seed=0, clock=ManualClock(), admin=True,
                               faults=faults))
    client = SmsClient("http://sim.test", transport=SimTransport(app),
                       retry=RetryPolicy(attempts=0), **kw)
    return client, app.state.sim


def gateway(client: SmsClient, tmp_path: Path) -> tuple[CommandGateway, list[Outcome]]:
    told: list[Outcome] = []
    gw = CommandGateway(client, AuditLog(tmp_path / "audit.jsonl"), read_only=False,
                        on_unknown=told.append, verify_delays=(0.0, 0.05, 0.1))
    return gw, told


def audit(tmp_path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]


async def task_in(client: SmsClient, *states: str) -> Any:
    for task in await client.list_all_tasks():
        if task.state in states:
            return task
    raise AssertionError(f"the seeded fleet has no task in {states}")


async def test_a_truncated_success_is_checked_and_reported_as_taking_effect(
        tmp_path: Path) -> None:
    client, sim = sim_client()
    task = await task_in(client, "READY")
    sim.faults.set("truncate=1@POST /v3/tasks/*")
    gw, told = gateway(client, tmp_path)
    out = await gw.task_action(task.id, "start", label="web-1", task_state="READY")
    assert out.status == "ok", out.reason
    assert "took effect" in out.reason and "RUNNING" in out.reason
    assert [o.status for o in told] == ["unknown"] and "outcome unknown — checking" in \
        told[0].reason
    records = audit(tmp_path)
    assert [r["outcome"] for r in records] == ["unknown", "ok"]
    assert "verified" not in records[0] and "RUNNING" in records[1]["verified"]
    assert sim.engine.task(task.id).state == "RUNNING"  # sent once, and it did start
    await client.aclose()


async def test_a_reset_before_the_server_acted_stays_unknown_and_says_what_it_shows(
        tmp_path: Path) -> None:
    client, sim = sim_client()
    task = await task_in(client, "RUNNING", "SYNCING")
    sim.faults.set("reset=1@POST /v3/tasks/*")
    gw, told = gateway(client, tmp_path)
    out = await gw.task_action(task.id, "stop", label="db-2", task_state=task.state)
    assert out.status == "unknown" and not out.ok
    assert f"the task is {task.state}, as before" in out.reason
    assert "Check before sending it again" in out.reason
    assert len(told) == 1
    records = audit(tmp_path)
    assert [r["outcome"] for r in records] == ["unknown", "unknown"]
    assert "as before" in records[1]["verified"]
    await client.aclose()


async def test_a_refusal_is_failed_and_needs_no_check(tmp_path: Path) -> None:
    client, _ = sim_client()
    task = await task_in(client, "READY")
    gw, told = gateway(client, tmp_path)
    out = await gw.task_action(task.id, "stop", task_state="READY", check_state=False)
    assert out.status == "failed" and out.error is not None and out.error.error_code
    assert told == [] and [r["outcome"] for r in audit(tmp_path)] == ["failed"]
    await client.aclose()


async def test_a_connection_refused_before_sending_is_failed_not_unknown(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connections are refused
        client = SmsClient(f"http://127.0.0.1:{port}", retry=RetryPolicy(attempts=0))
        gw, told = gateway(client, tmp_path)
        out = await gw.task_action("t-1", "stop", task_state="RUNNING")
    assert out.status == "failed" and told == []
    assert "could not connect" in out.reason
    await client.aclose()


async def test_deletes_and_speed_limits_are_checked_too(tmp_path: Path) -> None:
    client, sim = sim_client()
    task = await task_in(client, "READY", "ABORT", "MIGRATE_SUCCESS", "MIGRATE_FAIL")
    running = await task_in(client, "RUNNING", "SYNCING")
    sim.faults.set("truncate=1@POST /v3/tasks/*/speed-limit;truncate=1@DELETE /v3/tasks/*")
    gw, _ = gateway(client, tmp_path)
    body = SpeedLimitRequest.model_validate(
        {"speed_limit": [{"start": "08:00", "end": "18:00", "speed": 20}]})
    limits = await gw.speed_limits(running.id, body, label="web")
    assert limits.status == "ok" and "1 rule(s) sent" in limits.reason
    gone = await gw.delete_task(task.id, task_state=task.state)
    assert gone.status == "ok" and "no longer exists" in gone.reason
    assert [r["outcome"] for r in audit(tmp_path)] == ["unknown", "ok", "unknown", "ok"]
    await client.aclose()


async def test_a_write_that_lands_after_the_timeout_is_seen_by_the_check(tmp_path: Path) -> None:
    """The issue's case over a real socket: the answer is slower than the client waits, the
    server applies the stop afterwards; the check sees it instead of calling it failed."""
    app = create_app(SimConfig(sources=40, seed=0, clock=ManualClock(), admin=True))
    sim = app.state.sim
    with serve(BufferedBody(app)) as base:
        client = SmsClient(base, retry=RetryPolicy(attempts=0), timeout=0.3)
        task = await task_in(client, "RUNNING", "SYNCING")
        sim.faults.set("latency=0.8s@POST /v3/tasks/*")
        gw, told = gateway(client, tmp_path)
        gw.verify_delays = (0.2, 0.5, 1.0)  # the stop lands 0.5 s after the timeout
        out = await gw.task_action(task.id, "stop", label="db-2", task_state=task.state)
        await client.aclose()
    assert len(told) == 1 and "timed out" in told[0].reason
    assert out.status == "ok", out.reason
    assert "the task is ABORTING" in out.reason
    assert [r["outcome"] for r in audit(tmp_path)] == ["unknown", "ok"]


async def test_other_writes_are_checked_by_reading_their_object_back(tmp_path: Path) -> None:
    from tui.api.models import UpdateSourceRequest

    client, sim = sim_client()
    src = next(iter(sim.engine.sources.values()))
    template, *others = (await client.list_templates(limit=3)).templates
    for task in sim.engine.tasks.values():  # nothing moving data uses them: they may go
        if task.template_id in {t.id for t in (template, *others)}:
            task.template_id = None
    sim.faults.set("truncate=1@PUT /v3/sources/*;truncate=1@DELETE /v3/vm/templates/*")
    gw, _ = gateway(client, tmp_path)
    body = UpdateSourceRequest(name="renamed-01")
    renamed = await gw.write("source.update", src.id, "x", "update_source", src.id, body,
                             request=body)
    assert renamed.status == "ok" and "shows name as sent" in renamed.reason
    gone = await gw.write("template.delete", template.id, "t", "delete_template", template.id)
    assert gone.status == "ok" and "no longer exists" in gone.reason
    from tui.api.models import UpdateTaskRequest

    task = next(iter(sim.engine.tasks.values()))
    sim.faults.set("truncate=1@PUT /v3/tasks/*")
    limit = UpdateTaskRequest(speed_limit=50)
    updated = await gw.write("task.update", task.id, "t", "update_task", task.id, limit,
                             request=limit)
    assert updated.status == "ok" and "speed_limit as sent" in updated.reason
    # A write nothing can re-read stays unknown, and says so.
    from tui.api.models import DeleteTemplatesRequest

    sim.faults.set("truncate=1@POST /v3/vm/templates/delete")
    ids = DeleteTemplatesRequest(ids=[t.id for t in others])
    batch = await gw.write("template.delete_batch", "a,b", "2 templates", "delete_templates",
                           ids)
    assert batch.status == "unknown" and "nothing re-reads" in batch.reason
    await client.aclose()


async def test_a_create_is_checked_by_finding_the_new_object_by_name() -> None:
    from types import SimpleNamespace

    from tui.service.verify import Check, for_write

    tasks: list[Any] = []
    asked: list[dict[str, Any]] = []

    async def list_tasks(**filters: Any) -> Any:
        asked.append(filters)
        return SimpleNamespace(count=len(tasks), tasks=list(tasks))

    client = SimpleNamespace(list_tasks=list_tasks)
    body = SimpleNamespace(name="mig-web-01", source_server=SimpleNamespace(id="src-1"))
    check = for_write(client, "create_task", (body,))
    assert check is not None
    assert await check() == Check(False, "no task named mig-web-01 exists")
    tasks.append(SimpleNamespace(name="mig-web-01-old"))
    assert (await check()).applied is False  # a similar name is not the task sent
    tasks.append(SimpleNamespace(name="mig-web-01"))
    assert (await check()).applied is True
    assert asked[0]["source_server_id"] == "src-1"
