"""The simulator over HTTP: pages, filters, error bodies, auth and faults (in-process)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tui.api.auth import AkSkAuth
from tui.api.client import SmsClient
from tui.api.errors import decode_error_json
from tui.api.exceptions import AuthError, SignatureError
from tui.api.models import SpeedLimitRequest, SpeedLimitRuleWrite
from tui.sim import ManualClock, SimConfig, SimTransport, create_app
from tui.sim.faults import FaultSpecError, parse_faults


def http(app: Any, **kw: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=SimTransport(app), base_url="http://sim", **kw)


@pytest.fixture
def app() -> Any:
    return create_app(SimConfig(sources=450, seed=3, clock=ManualClock()))


async def test_pages_add_up_to_count_and_limits_are_enforced(app: Any) -> None:
    async with http(app) as c:
        first = (await c.get("/v3/sources", params={"limit": 0})).json()
        assert first["count"] == 450 and len(first["source_servers"]) == 200
        ids = []
        for offset in range(0, 450, 200):
            ids += [s["id"] for s in (await c.get("/v3/sources", params={"limit": 200, "offset": offset})).json()["source_servers"]]
        assert len(ids) == len(set(ids)) == 450
        for params in ({"limit": 201}, {"offset": 65536}, {"limit": "x"}, {"offset": -1}):
            r = await c.get("/v3/sources", params=params)
            assert r.status_code == 400, params
            assert r.json()["error_code"] == "SMS.9001"
    async with SmsClient("http://sim", transport=SimTransport(app)) as client:
        assert len(await client.list_all_sources()) == 450


@pytest.mark.parametrize("key", ["state", "migration_cycle", "migproject", "connected"])
async def test_source_filters(app: Any, key: str) -> None:
    engine = app.state.sim.engine
    attr = {"migproject": "migprojectid"}.get(key, key)
    value = str(getattr(next(s for s in engine.sources.values() if not s.connected), attr))
    value = value.lower() if key == "connected" else value
    async with http(app) as c:
        body = (await c.get("/v3/sources", params={key: value, "limit": 200})).json()
    in_order = [engine.sources[i] for i in engine.order]
    expected = [s.id for s in in_order if str(getattr(s, attr)).lower() == value.lower()]
    assert body["count"] == len(expected) > 0
    assert [s["id"] for s in body["source_servers"]] == expected[:200]


async def test_name_ip_id_filters(app: Any) -> None:
    engine = app.state.sim.engine
    src = list(engine.sources.values())[17]
    async with http(app) as c:
        by_id = (await c.get("/v3/sources", params={"id": src.id})).json()
        by_ip = (await c.get("/v3/sources", params={"ip": src.ip})).json()
        by_name = (await c.get("/v3/sources", params={"name": src.name[:5].upper()})).json()
    assert [s["id"] for s in by_id["source_servers"]] == [src.id]
    assert src.id in {s["id"] for s in by_ip["source_servers"]}
    assert all(src.name[:5].lower() in s["name"].lower() for s in by_name["source_servers"])
    assert src.id in {s["id"] for s in by_name["source_servers"]}


async def test_unknown_ids_are_400_with_catalogue_codes(app: Any) -> None:
    async with http(app) as c:
        for path, code in (("/v3/tasks/nope", "SMS.7703"), ("/v3/sources/nope", "SMS.7602"),
                           ("/v3/vm/templates/nope", "SMS.7101"), ("/v3/migprojects/nope", "SMS.7301")):
            r = await c.get(path)
            assert r.status_code == 400 and r.json()["error_code"] == code, path
            assert r.json()["error_param"] == ["nope"]


async def test_overview_and_errors(app: Any) -> None:
    engine = app.state.sim.engine
    async with http(app) as c:
        ov = (await c.get("/v3/sources/overview")).json()
        errors = (await c.get("/v3/errors", params={"limit": 200})).json()
    assert sum(v for k, v in ov.items() if k != "unconfigured") == 450
    assert errors["count"] == sum(1 for s in engine.sources.values() if s.state == "error") > 0
    for e in errors["migration_errors"]:
        ex = decode_error_json(e["error_json"])
        assert ex is not None and ex.known and ex.code.startswith("SMS.")


async def test_task_filters_and_actions(app: Any) -> None:
    engine = app.state.sim.engine
    ready = next(t for t in engine.tasks.values() if t.state == "READY")
    async with http(app) as c:
        listed = (await c.get("/v3/tasks", params={"state": "READY", "limit": 200})).json()
        assert listed["count"] == sum(1 for t in engine.tasks.values() if t.state == "READY")
        assert all(t["state"] == "READY" for t in listed["tasks"])
        mine = (await c.get("/v3/tasks", params={"source_server_id": ready.source_id})).json()
        assert [t["id"] for t in mine["tasks"]] == [ready.id]
        url = f"/v3/tasks/{ready.id}/action"
        r = await c.post(url, json={"operation": "explode"})
        assert r.status_code == 400 and r.json()["error_code"] == "SMS.9001"
        r = await c.post(url, json={"operation": "clone_test"})
        assert r.status_code == 400 and "template_id" in r.json()["error_param"][0]
        r = await c.post(url, json={"operation": "stop"})
        assert r.status_code == 400 and r.json()["error_code"] == "SMS.7714"
        assert ready.state == "READY"
        r = await c.post(url, json={"operation": "start"})
        assert r.status_code == 200 and ready.state == "RUNNING"
        detail = (await c.get(f"/v3/tasks/{ready.id}")).json()
        assert detail["state"] == "RUNNING" and len(detail["sub_tasks"]) >= 7


async def test_speed_limit_validation_and_round_trip(app: Any) -> None:
    task = next(iter(app.state.sim.engine.tasks.values()))
    url = f"/v3/tasks/{task.id}/speed-limit"
    bad = [
        ([{"start": "24:00", "end": "23:59", "speed": 10}], "SMS.6405"),
        ([{"start": "ab:cd", "end": "23:59", "speed": 10}], "SMS.6405"),
        ([{"start": "00:00", "end": "08:00", "speed": 10001}], "SMS.9001"),
        ([{"start": "00:00", "end": "08:00", "speed": 10, "over_speed_threshold": 101}], "SMS.9001"),
        ([{"start": "08:00", "end": "07:00", "speed": 10}], "SMS.9001"),
        ([{"start": "00:00", "end": "09:00", "speed": 10}, {"start": "08:00", "end": "10:00", "speed": 5}], "SMS.9001"),
    ]
    async with http(app) as c:
        for rules, code in bad:
            r = await c.post(url, json={"speed_limit": rules})
            assert r.status_code == 400 and r.json()["error_code"] == code, rules
        good = SpeedLimitRequest(speed_limit=[
            SpeedLimitRuleWrite(start="00:00", end="08:00", speed=20, over_speed_threshold=50),
            SpeedLimitRuleWrite(start="08:00", end="23:59", speed=100)])
        assert (await c.post(url, json=good.to_body())).status_code == 200
        back = (await c.get(url)).json()["speed_limit"]
    assert [(r["start"], r["end"], r["speed"]) for r in back] == [("00:00", "08:00", 20), ("08:00", "23:59", 100)]
    assert task.rules == [(0, 480, 20, 50.0), (480, 1440, 100, None)]


async def test_token_auth() -> None:
    app = create_app(SimConfig(sources=5, clock=ManualClock(), token="t0k"))
    async with http(app) as c:
        r = await c.get("/v3/sources")
        assert r.status_code == 400 and r.json()["error_code"] == "SMS.6522"
        r = await c.get("/v3/sources", headers={"X-Auth-Token": "wrong"})
        assert r.status_code == 400 and r.json()["error_code"] == "SMS.6521"
        assert (await c.get("/v3/sources", headers={"X-Auth-Token": "t0k"})).status_code == 200


async def test_aksk_auth_accepts_good_signatures_and_refuses_bad_ones() -> None:
    app = create_app(SimConfig(sources=5, clock=ManualClock(), ak="AK1", sk="SK1"))
    async with SmsClient("http://sim", AkSkAuth("AK1", "SK1"), transport=SimTransport(app)) as ok:
        assert len(await ok.list_all_sources(name="a b/ç")) >= 0
        assert len(await ok.list_all_sources()) == 5
    async with SmsClient("http://sim", AkSkAuth("AK1", "WRONG"), transport=SimTransport(app)) as bad:
        with pytest.raises(SignatureError) as exc:
            await bad.get_overview()
        assert exc.value.canonical_request_server is not None and exc.value.canonical_request_server.startswith("GET\n/v3/sources/overview/")
        assert exc.value.canonical_request_ours == exc.value.canonical_request_server, "same request, other key"
        assert "SK1" not in str(exc.value) and "WRONG" not in str(exc.value)
    async with SmsClient("http://sim", AkSkAuth("NOPE", "SK1"), transport=SimTransport(app)) as unknown:
        with pytest.raises(AuthError):
            await unknown.get_overview()
    # A date 20 minutes old is refused (clock skew), even when correctly signed.
    old = datetime.now(UTC) - timedelta(minutes=20)
    request = httpx.Request("GET", "http://sim/v3/sources/overview")
    AkSkAuth("AK1", "SK1").sign(request, now=old)
    async with http(app) as c:
        r = await c.send(request)
    assert r.status_code == 401 and "15 minutes" in r.json()["error_msg"]


async def test_faults_by_route() -> None:
    app = create_app(SimConfig(sources=5, clock=ManualClock(), faults="500=1@/v3/sources/overview"))
    async with http(app) as c:
        assert (await c.get("/v3/sources/overview")).status_code == 500
        assert (await c.get("/v3/sources")).status_code == 200
        sim = app.state.sim
        for spec, check in (
            ("429=1:retry=3", lambda r: r.status_code == 429 and r.headers["retry-after"] == "3"),
            ("502=1", lambda r: r.status_code == 502 and r.headers["content-type"].startswith("text/html")),
            ("truncate=1", lambda r: r.status_code == 200 and _not_json(r)),
            ("malformed=1", lambda r: r.status_code == 200 and _not_json(r)),
        ):
            sim.faults.set(spec)
            assert check(await c.get("/v3/sources")), spec
        sim.faults.set("reset=1")
        with pytest.raises(httpx.ReadError):
            await c.get("/v3/sources")
        # The admin route changes faults at run time.
        r = await c.put("/_sim/faults", json={"spec": "latency=1ms"})
        assert r.status_code == 200 and r.json()["spec"] == "latency=1ms"
        assert (await c.get("/v3/sources")).status_code == 200
        assert (await c.put("/_sim/faults", json={"spec": "boom=1"})).status_code == 400
    closed = create_app(SimConfig(sources=5, clock=ManualClock()))
    async with http(closed) as c:
        assert (await c.get("/_sim/faults")).status_code == 404


def _not_json(r: httpx.Response) -> bool:
    try:
        r.json()
    except ValueError:
        return True
    return False


@pytest.mark.parametrize("spec", ["boom=1", "500=1.5", "500=x", "latency=abc", "500=0.1@v3/x",
                                  "500=0.1:retry=3", "429=0.1:retry=-1"])
def test_bad_fault_specs_are_refused(spec: str) -> None:
    with pytest.raises(FaultSpecError):
        parse_faults(spec)


def test_fault_spec_round_trips() -> None:
    rules = parse_faults("latency=50-400ms@/v3/tasks*;500=0.1;429=0.05:retry=3;reset=0.02@GET /v3/sources*")
    assert [r.describe() for r in rules] == ["latency=50-400ms@/v3/tasks*", "500=0.1",
                                             "429=0.05:retry=3", "reset=0.02@GET /v3/sources*"]
