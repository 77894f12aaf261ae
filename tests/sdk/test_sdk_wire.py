"""The official Huawei Cloud SDK (huaweicloudsdksms) against migdash-sim over real HTTP.

Opt-in (``make sdk`` then ``.venv/bin/pytest -m sdk tests/sdk``): the SDK pulls heavy
dependencies and is not a runtime dependency of migdash.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.sdk

sms = pytest.importorskip("huaweicloudsdksms.v3")
credentials = pytest.importorskip("huaweicloudsdkcore.auth.credentials")
sdk_exceptions = pytest.importorskip("huaweicloudsdkcore.exceptions.exceptions")

import uvicorn  # noqa: E402

from tui.sim import ManualClock, SimConfig, create_app  # noqa: E402

AK, SK = "SIMAKEXAMPLE0000", "simsecretkeyexample0000000000000"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Any, ManualClock]]:
    clock = ManualClock()
    app = create_app(SimConfig(sources=450, seed=1, ak=AK, sk=SK, clock=clock))
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    assert srv.started
    yield f"http://127.0.0.1:{port}", app, clock
    srv.should_exit = True
    thread.join(10)


def client(endpoint: str, sk: str = SK) -> Any:
    return (sms.SmsClient.new_builder()
            .with_credentials(credentials.BasicCredentials(AK, sk))
            .with_endpoint(endpoint)
            .build())


def test_list_servers_across_pages(server: Any) -> None:
    endpoint, app, _ = server
    c = client(endpoint)
    first = c.list_servers(sms.ListServersRequest(limit=200, offset=0))
    ids = [s.id for s in first.source_servers]
    for offset in range(200, first.count, 200):
        ids += [s.id for s in c.list_servers(sms.ListServersRequest(limit=200, offset=offset)).source_servers]
    assert first.count == 450 == len(ids) == len(set(ids))


def test_overview_server_and_errors(server: Any) -> None:
    endpoint, app, _ = server
    engine = app.state.sim.engine
    c = client(endpoint)
    ov = c.show_overview(sms.ShowOverviewRequest()).to_json_object()
    assert sum(v for k, v in ov.items() if k != "unconfigured" and isinstance(v, int)) == 450
    src = next(iter(engine.sources.values()))
    shown = c.show_server(sms.ShowServerRequest(source_id=src.id))
    assert shown.name == src.name and shown.disks
    errors = c.list_error_servers(sms.ListErrorServersRequest(limit=200))
    assert errors.count == sum(1 for s in engine.sources.values() if s.state == "error") > 0


def test_tasks_speed_limits_and_actions(server: Any) -> None:
    endpoint, app, clock = server
    engine = app.state.sim.engine
    c = client(endpoint)
    tasks = c.list_tasks(sms.ListTasksRequest(limit=200))
    assert tasks.count == len(engine.tasks)
    running = next(t for t in engine.tasks.values()
                   if t.state == "RUNNING" and engine.sources[t.source_id].connected)
    detail = c.show_task(sms.ShowTaskRequest(task_id=running.id))
    assert detail.sub_tasks and all(0 <= s.progress <= 100 for s in detail.sub_tasks)

    rules = [sms.SpeedLimitlJson(start="00:00", end="08:00", speed=20, over_speed_threshold=50.0),
             sms.SpeedLimitlJson(start="08:00", end="23:59", speed=100)]
    c.update_speed(sms.UpdateSpeedRequest(task_id=running.id, body=sms.SpeedLimit(speed_limit=rules)))
    back = c.shows_speed_limits(sms.ShowsSpeedLimitsRequest(task_id=running.id)).speed_limit
    assert [(r.start, r.end, r.speed) for r in back] == [("00:00", "08:00", 20), ("08:00", "23:59", 100)]

    def act(op: str) -> None:
        c.update_task_status(sms.UpdateTaskStatusRequest(
            task_id=running.id, body=sms.UpdateTaskStatusReq(operation=op)))

    def state() -> str:
        return c.show_task(sms.ShowTaskRequest(task_id=running.id)).state

    act("stop")
    assert state() == "ABORTING"
    clock.advance(30)
    assert state() == "ABORT"
    act("start")
    assert state() == "RUNNING"


def test_templates_and_projects(server: Any) -> None:
    endpoint, app, _ = server
    c = client(endpoint)
    assert c.list_templates(sms.ListTemplatesRequest()).count == len(app.state.sim.engine.templates) > 0
    assert c.list_migprojects(sms.ListMigprojectsRequest()).count == len(app.state.sim.engine.projects) > 0


def test_wrong_sk_is_refused(server: Any) -> None:
    endpoint, _, _ = server
    with pytest.raises(sdk_exceptions.ClientRequestException) as exc:
        client(endpoint, sk="not-the-secret").show_overview(sms.ShowOverviewRequest())
    assert exc.value.status_code == 401
