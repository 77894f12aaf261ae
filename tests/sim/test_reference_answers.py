"""The simulator answers as the SMS v3 reference (and the official SDK's models) say.

Each test here pins a difference found by driving the official huaweicloudsdksms client
against migdash-sim: error statuses from table 5.1, missing objects, the diskinfo field name,
the restart/start rules, PUT /v3/tasks/{id}'s answer, and the SDK-only operations.
"""

from __future__ import annotations

import ast
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui.api.actions import refusal
from tui.api.auth import TokenAuth
from tui.api.client import SmsClient
from tui.api.exceptions import AuthError, InvalidRequest, NotFound
from tui.api.models.requests import TaskActionRequest
from tui.sim import Engine, EngineConfig, ManualClock, SimConfig, SimTransport, create_app
from tui.sim.engine import SimError, invalid, not_found
from tui.sim.fleet import layout

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = REPO / "tui" / "api" / "data" / "error_codes.json"
SIM = REPO / "tui" / "sim"
SMS_MODULES = ("app.py", "engine.py", "fleet.py", "views.py", "faults.py", "sdk_routes.py")
"""The SMS simulator's modules (other backends' simulators answer with their own codes)."""


def table_statuses() -> dict[str, int]:
    """code → HTTP status from the catalogue file (first row wins, as lookup() does)."""
    rows = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    statuses: dict[str, int] = {}
    for row in rows:
        statuses.setdefault(row["code"], int(row["status"]))
    return statuses


@pytest.fixture
def app() -> Any:
    return create_app(SimConfig(sources=120, seed=3, clock=ManualClock()))


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=SimTransport(app), base_url="http://sim") as c:
        yield c


def task_in(app: Any, state: str) -> Any:
    return next(t for t in app.state.sim.engine.tasks.values()
                if t.state == state and t.until_ms is None)


# -- every error the simulator sends has the table's status --------------------------------------


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def sent_errors() -> tuple[set[tuple[int, str]], list[str]]:
    """(status, code) for every SMS error the simulator's code can send, found by reading it;
    and the places whose code or status could not be read (must be none)."""
    pairs: set[tuple[int, str]] = set()
    unreadable: list[str] = []
    sample_not_found = not_found("SMS.7703", "x").status
    sample_invalid = invalid("f", "why")
    pairs.add((sample_invalid.status, sample_invalid.code))
    for name in SMS_MODULES:
        tree = ast.parse((SIM / name).read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            where = f"{name}:{node.lineno}"
            called = _call_name(node)
            args = node.args
            if called == "SimError" and len(args) >= 2:
                status, code = args[0], args[1]
                if not (isinstance(status, ast.Constant) and isinstance(status.value, int)):
                    unreadable.append(where)
                    continue
                if isinstance(code, ast.Constant) and isinstance(code.value, str):
                    pairs.add((status.value, code.value))
                elif isinstance(code, ast.Subscript) and ast.unparse(code.value).endswith(
                        "ACTION_CODES"):
                    pairs.update((status.value, c) for c in Engine.ACTION_CODES.values())
                elif ast.unparse(code) == "code":
                    continue  # inside not_found(code, …): its callers are read below
                else:
                    unreadable.append(where)
            elif called == "not_found" and args and isinstance(args[0], ast.Constant):
                pairs.add((sample_not_found, str(args[0].value)))
            elif called == "error_body" and args:
                code_node = args[0]
                if not isinstance(code_node, ast.Constant):
                    continue  # error_body(exc.code, …): the SimError exit, checked above
                parent = parents.get(node)
                if (isinstance(parent, ast.Call) and _call_name(parent) == "_json"
                        and len(parent.args) == 2 and isinstance(parent.args[1], ast.Constant)):
                    pairs.add((int(parent.args[1].value), str(code_node.value)))
                else:
                    unreadable.append(where)
    return pairs, unreadable


def test_every_sms_error_the_simulator_sends_has_the_tables_status() -> None:
    statuses = table_statuses()
    pairs, unreadable = sent_errors()
    assert not unreadable, f"errors whose code or status cannot be checked: {unreadable}"
    codes = {code for _, code in pairs}
    # The scan found the simulator's errors (not an empty set that passes by default).
    assert {"SMS.7703", "SMS.7602", "SMS.7101", "SMS.7301", "SMS.7713", "SMS.7714",
            "SMS.7722", "SMS.7601", "SMS.9001", "SMS.6521", "SMS.6522"} <= codes
    assert len(pairs) >= 30
    wrong = sorted((code, status, statuses.get(code)) for status, code in pairs
                   if statuses.get(code) != status)
    assert not wrong, f"(code, sent, table) that disagree with table 5.1: {wrong}"


def test_the_catalogue_in_the_repo_carries_the_status_column() -> None:
    rows = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    assert len(rows) > 300
    assert all(isinstance(r["status"], int) and 400 <= r["status"] < 600 for r in rows)
    assert {r["status"] for r in rows} == {400, 403}


async def test_state_errors_are_400_on_the_wire(app: Any, client: httpx.AsyncClient) -> None:
    ready = task_in(app, "READY")
    r = await client.post(f"/v3/tasks/{ready.id}/action", json={"operation": "stop"})
    assert (r.status_code, r.json()["error_code"]) == (400, "SMS.7714")
    running = task_in(app, "RUNNING")
    r = await client.post(f"/v3/tasks/{running.id}/action", json={"operation": "start"})
    assert (r.status_code, r.json()["error_code"]) == (400, "SMS.7713")
    r = await client.post(f"/v3/tasks/{running.id}/action", json={"operation": "restart"})
    assert (r.status_code, r.json()["error_code"]) == (400, "SMS.7722")
    r = await client.delete(f"/v3/tasks/{running.id}")
    assert (r.status_code, r.json()["error_code"]) == (400, "SMS.7719")
    r = await client.delete(f"/v3/sources/{running.source_id}")
    assert (r.status_code, r.json()["error_code"]) == (400, "SMS.7601")


@pytest.mark.parametrize(("path", "code"), [
    ("/v3/tasks/nope", "SMS.7703"), ("/v3/sources/nope", "SMS.7602"),
    ("/v3/vm/templates/nope", "SMS.7101"), ("/v3/migprojects/nope", "SMS.7301"),
])
async def test_missing_objects_are_400_with_their_code(
        client: httpx.AsyncClient, path: str, code: str) -> None:
    r = await client.get(path)
    assert (r.status_code, r.json()["error_code"]) == (400, code)


# -- the client still reads them by their code ---------------------------------------------------


async def test_the_client_reads_a_missing_object_as_not_found(app: Any) -> None:
    async with SmsClient("http://sim", transport=SimTransport(app)) as sms:
        for call in (lambda: sms.get_task("nope"), lambda: sms.get_source("nope")):
            with pytest.raises(NotFound) as caught:
                await call()
            assert caught.value.status == 400
            assert caught.value.error_code in ("SMS.7703", "SMS.7602")
        ready = task_in(app, "READY")
        with pytest.raises(InvalidRequest) as refused:
            await sms.task_action(ready.id, TaskActionRequest(operation="stop"))
        assert not isinstance(refused.value, NotFound)
        assert refused.value.error_code == "SMS.7714"


async def test_the_client_reads_token_errors_as_auth_errors() -> None:
    app = create_app(SimConfig(sources=3, clock=ManualClock(), token="t0k"))
    async with SmsClient("http://sim", TokenAuth("wrong"), transport=SimTransport(app)) as sms:
        with pytest.raises(AuthError) as caught:
            await sms.list_sources()
    assert caught.value.status == 400 and caught.value.error_code == "SMS.6521"


# -- the action rules ----------------------------------------------------------------------------


def test_rules_follow_sms_7713_and_7722() -> None:
    # SMS.7713: ready, paused or error can be started; SMS.7722: a finished task restarts.
    assert refusal("start", "MIGRATE_FAIL") is None
    assert refusal("restart", "MIGRATE_SUCCESS") is None
    assert refusal("start", "MIGRATE_SUCCESS") is not None
    assert refusal("restart", "RUNNING") is not None


def test_restart_of_a_finished_task_starts_over() -> None:
    engine = Engine(EngineConfig(sources=200, seed=2), ManualClock())
    task = next(t for t in engine.tasks.values() if t.state == "MIGRATE_SUCCESS")
    engine.action(task.id, "restart")
    assert task.state == "RUNNING" and task.cur == 0 and task.replicated == 0
    assert task.finish_date is None
    src = engine.sources[task.source_id]
    assert src.migration_cycle == "replicating"


def test_start_of_a_failed_task_resumes_where_it_failed() -> None:
    engine = Engine(EngineConfig(sources=200, seed=2), ManualClock())
    task = next(t for t in engine.tasks.values()
                if t.state == "MIGRATE_FAIL" and engine.sources[t.source_id].connected)
    step, copied = task.cur, task.replicated
    engine.action(task.id, "start")
    assert task.state in ("RUNNING", "SYNCING")
    assert (task.cur, task.replicated) == (step, copied), "resumed, not started over"
    assert task.error_json == "" and task.finish_date is None
    assert engine.sources[task.source_id].state != "error"


def test_restart_refusal_is_sms_7722() -> None:
    engine = Engine(EngineConfig(sources=200, seed=2), ManualClock())
    task = next(t for t in engine.tasks.values() if t.state == "RUNNING")
    with pytest.raises(SimError) as caught:
        engine.action(task.id, "restart")
    assert (caught.value.status, caught.value.code) == (400, "SMS.7722")


# -- bodies --------------------------------------------------------------------------------------


async def test_diskinfo_reads_the_references_volumegroups(
        app: Any, client: httpx.AsyncClient) -> None:
    src = next(iter(app.state.sim.engine.sources.values()))
    vg = {"name": "vg_table_4_86", "size": 10 << 30, "free_size": 1 << 30, "components": "/dev/sdb1",
          "logical_volumes": [{"name": "lv_data", "block_count": 10, "block_size": 4096,
                               "file_system": "ext4", "inode_size": 256, "mount_point": "/data",
                               "size": 9 << 30, "used_size": 1 << 30, "free_size": 8 << 30}]}
    r = await client.put(f"/v3/sources/{src.id}/diskinfo", json={"volumegroups": [vg]})
    assert r.status_code == 200, r.text
    assert [v["name"] for v in layout(src)["volume_groups"]] == ["vg_table_4_86"]
    shown = (await client.get(f"/v3/sources/{src.id}")).json()
    assert [v["name"] for v in shown["volume_groups"]] == ["vg_table_4_86"]


async def test_update_task_answers_with_its_id(app: Any, client: httpx.AsyncClient) -> None:
    task = task_in(app, "READY")
    r = await client.put(f"/v3/tasks/{task.id}", json={"name": "renamed"})
    assert r.status_code == 200
    assert r.json() == {"id": task.id}
    assert task.name == "renamed"


# -- operations the SDK has beyond the reference -------------------------------------------------


async def test_api_versions(client: httpx.AsyncClient) -> None:
    listed = await client.get("/")
    assert listed.status_code == 200
    versions = listed.json()["versions"]
    assert [v["id"] for v in versions] == ["v3"]
    v3 = versions[0]
    assert set(v3) == {"id", "links", "status", "updated"}
    assert v3["status"] == "SUPPORTED" and v3["updated"] == "2020-09-02T17:50:00Z"
    assert v3["links"] == [{"href": "http://sim/v3/", "rel": "self"}]
    shown = await client.get("/v3")
    assert shown.status_code == 200 and shown.json() == v3
    other = await client.get("/v2")
    assert other.status_code == 404 and other.json()["error_code"] == "APIGW.0101"


async def test_consistency_results(app: Any, client: httpx.AsyncClient) -> None:
    task = task_in(app, "MIGRATE_SUCCESS")
    src = app.state.sim.engine.sources[task.source_id]
    url = f"/v3/tasks/{task.id}/consistency-result"
    assert (await client.get(url)).json() == {"task_id": task.id, "result_list": []}
    row = {"dir_check": "/data", "num_total_files": 1200, "num_different_files": 2,
           "num_target_miss_files": 1, "num_target_more_files": 0}
    up = await client.post(url, json={"consistency_result": [row]})
    assert up.status_code == 200, up.text
    got = (await client.get(url)).json()
    assert got["task_id"] == task.id
    assert all(isinstance(item, str) for item in got["result_list"])
    [entry] = [json.loads(item) for item in got["result_list"]]
    assert entry["consistency_result"] == [row]
    assert entry["finished_time"] == app.state.sim.engine.now and entry["check_result"]
    assert src.is_consistency_result_exist
    bad = await client.post(url, json={"consistency_result": [{**row, "num_total_files": -1}]})
    assert (bad.status_code, bad.json()["error_code"]) == (400, "SMS.9001")
    assert "num_total_files" in bad.json()["error_param"][0]
    missing = await client.get("/v3/tasks/nope/consistency-result")
    assert (missing.status_code, missing.json()["error_code"]) == (400, "SMS.7703")
