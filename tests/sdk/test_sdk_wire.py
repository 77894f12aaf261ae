"""The official Huawei Cloud SDK (huaweicloudsdksms) against migdash-sim over real HTTP.

Opt-in (``make sdk`` then ``.venv/bin/pytest -q -m sdk tests/sdk``): the SDK pulls heavy
dependencies and is not a runtime dependency of migdash. Every call goes through the SDK's
own AK/SK signer (SDK-HMAC-SHA256), its requests session and its response deserialiser, so
these tests prove the simulator speaks the wire format real clients expect.

Each test gets its own simulator (seed 1, 450 sources) on a free 127.0.0.1 port, driven by
a ``ManualClock``: time moves only when a test says so, so states are deterministic.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

pytestmark = pytest.mark.sdk

pytest.importorskip("huaweicloudsdksms")
sms = pytest.importorskip("huaweicloudsdksms.v3")
credentials = pytest.importorskip("huaweicloudsdkcore.auth.credentials")
sdk_exceptions = pytest.importorskip("huaweicloudsdkcore.exceptions.exceptions")

import uvicorn  # noqa: E402

from tui.sim import ManualClock, SimConfig, create_app  # noqa: E402

AK, SK = "SIMAKEXAMPLE0000", "simsecretkeyexample0000000000000"
SOURCES = 450


@dataclass
class Sim:
    endpoint: str
    app: Any
    clock: ManualClock

    @property
    def engine(self) -> Any:
        return self.app.state.sim.engine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sim() -> Iterator[Sim]:
    clock = ManualClock()
    app = create_app(SimConfig(sources=SOURCES, seed=1, ak=AK, sk=SK, clock=clock))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield Sim(f"http://127.0.0.1:{port}", app, clock)
    finally:
        server.should_exit = True
        thread.join(10)


def client(sim: Sim, sk: str = SK) -> Any:
    return (sms.SmsClient.new_builder()
            .with_credentials(credentials.BasicCredentials(AK, sk))
            .with_endpoint(sim.endpoint)
            .build())


# 1 -------------------------------------------------------------------------------------------
def test_list_source_servers_pages_add_up(sim: Sim) -> None:
    c = client(sim)
    pages = [c.list_servers(sms.ListServersRequest(limit=200, offset=off)) for off in (0, 200, 400)]
    assert [p.count for p in pages] == [SOURCES] * 3
    assert [len(p.source_servers) for p in pages] == [200, 200, 50]
    ids = [s.id for p in pages for s in p.source_servers]
    assert len(ids) == len(set(ids)) == SOURCES
    assert set(ids) == set(sim.engine.sources)
    # past the end: an empty page, same count
    tail = c.list_servers(sms.ListServersRequest(limit=200, offset=600))
    assert tail.count == SOURCES and not tail.source_servers


# 2 -------------------------------------------------------------------------------------------
def test_show_overview_counts_sum_to_sources(sim: Sim) -> None:
    ov = client(sim).show_overview(sms.ShowOverviewRequest())
    counts = {k: getattr(ov, k) for k in ov.openapi_types}
    total = sum(v or 0 for k, v in counts.items() if k != "unconfigured")
    assert total == SOURCES
    engine = sim.engine
    for state in ("waiting", "replicate", "syncing", "stopped", "finished", "error", "unavailable"):
        assert counts[state] == sum(1 for s in engine.sources.values() if s.state == state), state
    assert counts["unconfigured"] == sum(1 for s in engine.sources.values() if not s.task_id) > 0


# 3 -------------------------------------------------------------------------------------------
def test_show_server_matches_list_entry(sim: Sim) -> None:
    c = client(sim)
    listed = c.list_servers(sms.ListServersRequest(limit=50, offset=0)).source_servers
    entry = listed[17]
    shown = c.show_server(sms.ShowServerRequest(source_id=entry.id))
    assert shown.id == entry.id
    assert shown.name == entry.name == sim.engine.sources[entry.id].name
    assert shown.disks, "ShowServer returned no disks"
    assert all(d.name and d.size > 0 for d in shown.disks)


# 4 -------------------------------------------------------------------------------------------
def test_list_errors_counts_failed_sources(sim: Sim) -> None:
    resp = client(sim).list_error_servers(sms.ListErrorServersRequest(limit=200, offset=0))
    failed = {s.id for s in sim.engine.sources.values() if s.state == "error"}
    assert failed, "seed 1 should have failed sources"
    assert resp.count == len(failed)
    assert {e.source_id for e in resp.migration_errors} == failed
    assert all(e.error_json and e.name for e in resp.migration_errors)


# 5 -------------------------------------------------------------------------------------------
def test_list_tasks_then_show_task(sim: Sim) -> None:
    c = client(sim)
    tasks = c.list_tasks(sms.ListTasksRequest(limit=200, offset=0))
    assert tasks.count == len(sim.engine.tasks) > 0
    assert tasks.tasks
    running = next(t for t in tasks.tasks if t.state == "RUNNING")
    detail = c.show_task(sms.ShowTaskRequest(task_id=running.id))
    assert detail.id == running.id and detail.name == running.name
    assert detail.state == "RUNNING"
    assert detail.sub_tasks
    assert all(0 <= s.progress <= 100 for s in detail.sub_tasks)
    assert any(s.progress > 0 for s in detail.sub_tasks)


# 6 -------------------------------------------------------------------------------------------
def test_update_speed_then_read_back(sim: Sim) -> None:
    c = client(sim)
    task_id = next(iter(sim.engine.tasks))
    rules = [sms.SpeedLimitlJson(start="00:00", end="08:00", speed=20, over_speed_threshold=50.0),
             sms.SpeedLimitlJson(start="08:00", end="23:59", speed=100)]
    c.update_speed(sms.UpdateSpeedRequest(task_id=task_id, body=sms.SpeedLimit(speed_limit=rules)))
    back = c.shows_speed_limits(sms.ShowsSpeedLimitsRequest(task_id=task_id)).speed_limit
    assert [(r.start, r.end, r.speed) for r in back] == [("00:00", "08:00", 20),
                                                        ("08:00", "23:59", 100)]
    assert back[0].over_speed_threshold == 50.0


# 7 -------------------------------------------------------------------------------------------
def test_stop_then_start_a_running_task(sim: Sim) -> None:
    c = client(sim)
    engine = sim.engine
    task = next(t for t in engine.tasks.values()
                if t.state == "RUNNING" and engine.sources[t.source_id].connected)

    def act(op: str) -> None:
        c.update_task_status(sms.UpdateTaskStatusRequest(
            task_id=task.id, body=sms.UpdateTaskStatusReq(operation=op)))

    def state() -> str:
        return str(c.show_task(sms.ShowTaskRequest(task_id=task.id)).state)

    assert state() == "RUNNING"
    act("stop")
    assert state() == "ABORTING"
    sim.clock.advance(30)
    assert state() == "ABORT"
    act("start")
    assert state() == "RUNNING"
    assert engine.tasks[task.id].state == "RUNNING"


# 8 -------------------------------------------------------------------------------------------
def test_templates_and_migprojects_are_seeded(sim: Sim) -> None:
    c = client(sim)
    templates = c.list_templates(sms.ListTemplatesRequest(limit=100, offset=0))
    assert templates.count == len(sim.engine.templates) > 0
    assert {t.id for t in templates.templates} == set(sim.engine.templates)
    projects = c.list_migprojects(sms.ListMigprojectsRequest(limit=100, offset=0))
    assert projects.count == len(sim.engine.projects) > 0
    assert {p.id for p in projects.migprojects} == set(sim.engine.projects)


# 9 -------------------------------------------------------------------------------------------
def test_wrong_sk_is_refused_with_401(sim: Sim) -> None:
    with pytest.raises(sdk_exceptions.ClientRequestException) as exc:
        client(sim, sk="not-the-secret").show_overview(sms.ShowOverviewRequest())
    assert exc.value.status_code == 401
    assert exc.value.error_code == "APIGW.0301"


# 10 ------------------------------------------------------------------------------------------
def test_state_and_missing_object_errors_are_400_with_their_code(sim: Sim) -> None:
    c = client(sim)
    ready = next(t for t in sim.engine.tasks.values() if t.state == "READY")
    with pytest.raises(sdk_exceptions.ClientRequestException) as refused:
        c.update_task_status(sms.UpdateTaskStatusRequest(
            task_id=ready.id, body=sms.UpdateTaskStatusReq(operation="stop")))
    assert (refused.value.status_code, refused.value.error_code) == (400, "SMS.7714")
    with pytest.raises(sdk_exceptions.ClientRequestException) as missing:
        c.show_task(sms.ShowTaskRequest(task_id="0123456789abcdef0123456789abcdef"))
    assert (missing.value.status_code, missing.value.error_code) == (400, "SMS.7703")


# 11 ------------------------------------------------------------------------------------------
def test_update_task_answers_with_its_id(sim: Sim) -> None:
    ready = next(t for t in sim.engine.tasks.values() if t.state == "READY")
    answer = client(sim).update_task(sms.UpdateTaskRequest(
        task_id=ready.id, body=sms.PutTaskReq(name="renamed-by-the-sdk")))
    assert answer.id == ready.id and ready.name == "renamed-by-the-sdk"


# 12 ------------------------------------------------------------------------------------------
def test_api_versions(sim: Sim) -> None:
    c = client(sim)
    versions = c.list_api_version(sms.ListApiVersionRequest()).versions
    assert [(v.id, v.status) for v in versions] == [("v3", "SUPPORTED")]
    assert versions[0].links[0].rel == "self"
    v3 = c.show_api_version(sms.ShowApiVersionRequest(version="v3"))
    assert (v3.id, v3.updated) == ("v3", "2020-09-02T17:50:00Z")


# 13 ------------------------------------------------------------------------------------------
def test_consistency_results_upload_then_show(sim: Sim) -> None:
    c = client(sim)
    task = next(t for t in sim.engine.tasks.values() if t.state == "MIGRATE_SUCCESS")
    row = sms.ConsistencyResult(dir_check="/data", num_total_files=10, num_different_files=1,
                                num_target_miss_files=0, num_target_more_files=0)
    c.update_consistency_result(sms.UpdateConsistencyResultRequest(
        task_id=task.id, body=sms.SetConsistencyResultRequestBody(consistency_result=[row])))
    shown = c.show_consistency_result(sms.ShowConsistencyResultRequest(task_id=task.id))
    assert shown.task_id == task.id and len(shown.result_list) == 1
    assert "/data" in shown.result_list[0]
