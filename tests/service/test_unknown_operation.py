"""An operation the reference does not document: the client passes it through, the server's
answer comes back as a typed, decoded error, and the dashboard never offers it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from tui.api.actions import DOCUMENTED_OPERATIONS
from tui.api.client import SmsClient
from tui.api.exceptions import InvalidRequest
from tui.api.models import TaskActionRequest
from tui.service.audit import AuditLog
from tui.service.commands import CommandGateway, describe
from tui.sim import ManualClock, SimConfig, SimTransport, create_app


@pytest.fixture
def sim_app() -> Any:
    return create_app(SimConfig(sources=10, seed=1, clock=ManualClock()))


def client_for(app: Any, seen: list[httpx.Request]) -> SmsClient:
    async def hook(request: httpx.Request) -> None:
        seen.append(request)

    client = SmsClient("http://sim", transport=SimTransport(app))
    client._http.event_hooks["request"].append(hook)
    return client


def a_task(app: Any) -> str:
    return next(iter(app.state.sim.engine.tasks))


async def test_the_client_sends_an_unknown_operation_as_is_and_raises_the_typed_answer(
        sim_app: Any) -> None:
    seen: list[httpx.Request] = []
    task_id = a_task(sim_app)
    state_before = sim_app.state.sim.engine.tasks[task_id].state
    async with client_for(sim_app, seen) as client:
        with pytest.raises(InvalidRequest) as caught:
            await client.task_action(task_id, TaskActionRequest.passthrough("cutover"))
    err = caught.value
    assert [(r.method, r.url.path) for r in seen] == [("POST", f"/v3/tasks/{task_id}/action")]
    assert json.loads(seen[0].content) == {"operation": "cutover"}
    assert err.status == 400 and err.error_code == "SMS.9001"
    assert "cutover" in " ".join(err.params)
    text = describe(err)
    assert text.startswith("SMS.9001: Invalid parameters.")
    assert "Check whether the parameters are correctly specified." in text
    assert sim_app.state.sim.engine.tasks[task_id].state == state_before


async def test_the_gateway_shows_the_servers_answer_and_audits_it(sim_app: Any,
                                                                  tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    task_id = a_task(sim_app)
    audit = AuditLog(tmp_path / "audit.jsonl", profile="t")
    async with client_for(sim_app, seen) as client:
        gateway = CommandGateway(client, audit, read_only=False)
        body = TaskActionRequest.passthrough("cutover")
        outcome = await gateway.write("task.cutover", task_id, "srv", "task_action", task_id,
                                      body, request=body.to_body())
    assert outcome.status == "failed" and outcome.reason.startswith("SMS.9001")
    assert len(seen) == 1
    record = json.loads(audit.path.read_text())
    assert record["operation"] == "task.cutover" and record["outcome"] == "failed"
    assert record["error_code"] == "SMS.9001" and record["request"] == {"operation": "cutover"}


async def test_the_strict_path_refuses_it_before_anything_is_sent(sim_app: Any,
                                                                  tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        TaskActionRequest(operation="cutover")  # type: ignore[arg-type]
    seen: list[httpx.Request] = []
    async with client_for(sim_app, seen) as client:
        gateway = CommandGateway(client, AuditLog(tmp_path / "a.jsonl"), read_only=False)
        outcome = await gateway.task_action(a_task(sim_app), "cutover", label="srv",
                                            check_state=False)
    assert outcome.status == "skipped" and "operation" in outcome.reason
    assert seen == []


def test_the_dashboard_offers_only_documented_operations() -> None:
    from tui.screens.task import ACTIONS

    assert set(ACTIONS) == set(DOCUMENTED_OPERATIONS)
