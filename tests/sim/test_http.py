"""The simulator on the wire: paging, filters, error bodies, actions, speed limits, auth, faults.

Everything goes through raw httpx (or our own SmsClient) against the in-process ASGI app, so
these tests pin down what a client actually sees: status codes, SMS error bodies, headers and
broken bodies.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tui.api.auth import AkSkAuth
from tui.api.client import SmsClient
from tui.api.errors import decode_error_json, lookup
from tui.api.exceptions import SignatureError
from tui.sim import ManualClock, SimConfig, SimTransport, create_app
from tui.sim.faults import FaultSpecError, parse_faults

BASE = "http://sim"
SOURCES = 450
WALL = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)
"""A fixed wall time for AK/SK date checks, so skew tests do not depend on the machine clock."""


def make_app(**kw: Any) -> Any:
    kw.setdefault("sources", SOURCES)
    kw.setdefault("seed", 3)
    kw.setdefault("clock", ManualClock())
    return create_app(SimConfig(**kw))


def raw(app: Any, **kw: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=SimTransport(app), base_url=BASE, **kw)


@pytest.fixture
def app() -> Any:
    return make_app()


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with raw(app) as c:
        yield c


def assert_sms_error(r: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """``r`` is an SMS error answer: the status, a JSON error body, a catalogue code."""
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) >= {"error_code", "error_msg", "error_param", "details"}
    assert isinstance(body["error_msg"], str) and body["error_msg"]
    assert isinstance(body["error_param"], list)
    assert lookup(body["error_code"]) is not None, body["error_code"]
    if code is not None:
        assert body["error_code"] == code, body
    return body


async def all_sources(c: httpx.AsyncClient, **params: Any) -> tuple[int, list[dict[str, Any]]]:
    """Every page of ``/v3/sources`` with ``params``; (count, rows)."""
    rows: list[dict[str, Any]] = []
    count = None
    offset = 0
    while True:
        r = await c.get("/v3/sources", params={**params, "limit": 200, "offset": offset})
        assert r.status_code == 200, r.text
        body = r.json()
        if count is None:
            count = body["count"]
        assert body["count"] == count, "count changed between pages"
        rows += body["source_servers"]
        offset += 200
        if offset >= count:
            return count, rows


# -- GET /v3/sources: limits and paging ---------------------------------------------------------


async def test_limit_zero_means_the_largest_page(client: httpx.AsyncClient) -> None:
    r = await client.get("/v3/sources", params={"limit": 0})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == SOURCES
    assert len(body["source_servers"]) == 200
    default = (await client.get("/v3/sources")).json()
    assert [s["id"] for s in default["source_servers"]] == [s["id"] for s in body["source_servers"]]


async def test_limit_200_and_offset_65535_are_accepted(client: httpx.AsyncClient) -> None:
    r = await client.get("/v3/sources", params={"limit": 200})
    assert r.status_code == 200 and len(r.json()["source_servers"]) == 200
    r = await client.get("/v3/sources", params={"offset": 65535})
    assert r.status_code == 200
    assert r.json() == {"count": SOURCES, "source_servers": []}


@pytest.mark.parametrize("params", [
    {"limit": 201},
    {"limit": -1},
    {"limit": "ten"},
    {"limit": "1.5"},
    {"offset": 65536},
    {"offset": -1},
    {"offset": "x"},
])
async def test_bad_paging_is_400_sms_9001(client: httpx.AsyncClient, params: dict[str, Any]) -> None:
    r = await client.get("/v3/sources", params=params)
    body = assert_sms_error(r, 400, "SMS.9001")
    name = next(iter(params))
    assert name in body["error_param"][0]
    assert body["details"][0]["error_code"] == "SMS.9001"


@pytest.mark.parametrize("path", ["/v3/tasks", "/v3/errors", "/v3/vm/templates", "/v3/migprojects"])
async def test_other_lists_enforce_the_same_paging(client: httpx.AsyncClient, path: str) -> None:
    assert_sms_error(await client.get(path, params={"limit": 201}), 400, "SMS.9001")
    assert_sms_error(await client.get(path, params={"offset": 65536}), 400, "SMS.9001")
    assert (await client.get(path, params={"limit": 0})).status_code == 200


@pytest.mark.parametrize("page", [1, 37, 50, 200])
async def test_pages_concatenate_to_count_unique_ids(client: httpx.AsyncClient, page: int) -> None:
    first = (await client.get("/v3/sources", params={"limit": page})).json()
    count = first["count"]
    assert count == SOURCES
    ids: list[str] = []
    for offset in range(0, count, page):
        body = (await client.get("/v3/sources", params={"limit": page, "offset": offset})).json()
        assert body["count"] == count
        assert len(body["source_servers"]) == min(page, count - offset)
        ids += [s["id"] for s in body["source_servers"]]
    assert len(ids) == count
    assert len(set(ids)) == count
    past = (await client.get("/v3/sources", params={"limit": page, "offset": count})).json()
    assert past["source_servers"] == []


async def test_the_typed_client_reads_every_page(app: Any) -> None:
    async with SmsClient(BASE, transport=SimTransport(app)) as sms:
        rows = await sms.list_all_sources()
    assert len(rows) == SOURCES
    assert len({r.id for r in rows}) == SOURCES


# -- GET /v3/sources: filters ---------------------------------------------------------------------


async def test_state_filter(client: httpx.AsyncClient) -> None:
    _, everything = await all_sources(client)
    by_state = Counter(s["state"] for s in everything)
    assert len(by_state) >= 3
    for state, n in by_state.items():
        count, rows = await all_sources(client, state=state)
        assert count == n == len(rows), state
        assert {s["state"] for s in rows} == {state}
    count, rows = await all_sources(client, state="no-such-state")
    assert count == 0 and rows == []


async def test_name_filter_is_a_case_insensitive_substring(client: httpx.AsyncClient) -> None:
    _, everything = await all_sources(client)
    needle = everything[17]["name"][1:5]
    count, rows = await all_sources(client, name=needle.upper())
    expected = [s["id"] for s in everything if needle.lower() in s["name"].lower()]
    assert count == len(rows) == len(expected) > 0
    assert [s["id"] for s in rows] == expected
    assert everything[17]["id"] in {s["id"] for s in rows}


async def test_id_filter(client: httpx.AsyncClient) -> None:
    _, everything = await all_sources(client)
    target = everything[123]
    count, rows = await all_sources(client, id=target["id"])
    assert count == 1 and [s["id"] for s in rows] == [target["id"]]
    count, rows = await all_sources(client, id="0" * 32)
    assert count == 0 and rows == []


async def test_ip_filter(client: httpx.AsyncClient) -> None:
    _, everything = await all_sources(client)
    target = everything[42]
    count, rows = await all_sources(client, ip=target["ip"])
    assert count == len(rows) >= 1
    assert target["id"] in {s["id"] for s in rows}
    assert all(target["ip"] in s["ip"] for s in rows)
    expected = [s["id"] for s in everything if target["ip"] in s["ip"]]
    assert [s["id"] for s in rows] == expected


async def test_migproject_filter(client: httpx.AsyncClient) -> None:
    projects = (await client.get("/v3/migprojects")).json()["migprojects"]
    assert len(projects) >= 2
    _, everything = await all_sources(client)
    total = 0
    for proj in projects:
        count, rows = await all_sources(client, migproject=proj["id"])
        assert count == len(rows)
        assert {s["migprojectid"] for s in rows} <= {proj["id"]}
        assert [s["id"] for s in rows] == [s["id"] for s in everything if s["migprojectid"] == proj["id"]]
        total += count
    assert total == SOURCES


async def test_migration_cycle_filter(client: httpx.AsyncClient) -> None:
    _, everything = await all_sources(client)
    cycles = Counter(s["migration_cycle"] for s in everything)
    assert len(cycles) >= 2
    for cycle, n in cycles.items():
        count, rows = await all_sources(client, migration_cycle=cycle)
        assert count == n == len(rows)
        assert {s["migration_cycle"] for s in rows} == {cycle}


async def test_connected_false_filter(client: httpx.AsyncClient) -> None:
    _, everything = await all_sources(client)
    offline = [s["id"] for s in everything if s["connected"] is False]
    assert offline, "the seeded fleet should have some disconnected sources"
    count, rows = await all_sources(client, connected="false")
    assert count == len(rows) == len(offline)
    assert all(s["connected"] is False for s in rows)
    assert [s["id"] for s in rows] == offline
    count_on, rows_on = await all_sources(client, connected="true")
    assert all(s["connected"] is True for s in rows_on)
    assert count_on + count == SOURCES


async def test_filters_combine(client: httpx.AsyncClient) -> None:
    _, everything = await all_sources(client)
    target = next(s for s in everything if s["state"] == "replicate")
    count, rows = await all_sources(client, state="replicate", migproject=target["migprojectid"])
    expected = [s["id"] for s in everything
                if s["state"] == "replicate" and s["migprojectid"] == target["migprojectid"]]
    assert count == len(expected) and [s["id"] for s in rows] == expected


# -- GET /v3/tasks and unknown ids ---------------------------------------------------------------


async def test_task_state_filter(client: httpx.AsyncClient) -> None:
    everything = (await client.get("/v3/tasks", params={"limit": 200})).json()
    assert everything["count"] > 200  # most of 450 sources have a task
    tasks: list[dict[str, Any]] = []
    for offset in range(0, everything["count"], 200):
        tasks += (await client.get("/v3/tasks", params={"limit": 200, "offset": offset})).json()["tasks"]
    assert len({t["id"] for t in tasks}) == everything["count"]
    states = Counter(t["state"] for t in tasks)
    assert {"READY", "RUNNING"} <= set(states)
    for state, n in states.items():
        body = (await client.get("/v3/tasks", params={"state": state, "limit": 200})).json()
        assert body["count"] == n, state
        assert {t["state"] for t in body["tasks"]} == {state}


async def test_task_source_filter(client: httpx.AsyncClient) -> None:
    _, sources = await all_sources(client)
    with_task = [s for s in sources if s["current_task"]][:5]
    assert with_task
    for src in with_task:
        body = (await client.get("/v3/tasks", params={"source_server_id": src["id"]})).json()
        assert body["count"] == 1
        assert [t["id"] for t in body["tasks"]] == [src["current_task"]["id"]]
    body = (await client.get("/v3/tasks", params={"source_server_id": "nope"})).json()
    assert body == {"count": 0, "tasks": []}


@pytest.mark.parametrize(("path", "code"), [
    ("/v3/tasks/0123456789abcdef0123456789abcdef", "SMS.7703"),
    ("/v3/sources/0123456789abcdef0123456789abcdef", "SMS.7602"),
    ("/v3/vm/templates/0123456789abcdef0123456789abcdef", "SMS.7101"),
])
async def test_unknown_ids_are_400_with_their_code(client: httpx.AsyncClient, path: str, code: str) -> None:
    body = assert_sms_error(await client.get(path), 400, code)
    assert body["error_param"] == [path.rsplit("/", 1)[1]]


async def test_unknown_task_in_subroutes_is_400_sms_7703(client: httpx.AsyncClient) -> None:
    for method, path, payload in (
        ("POST", "/v3/tasks/nope/action", {"operation": "start"}),
        ("GET", "/v3/tasks/nope/speed-limit", None),
        ("POST", "/v3/tasks/nope/speed-limit", {"speed_limit": []}),
        ("DELETE", "/v3/tasks/nope", None),
    ):
        r = await client.request(method, path, json=payload)
        assert_sms_error(r, 400, "SMS.7703")


async def test_unknown_route_is_the_gateways_404(client: httpx.AsyncClient) -> None:
    # Table 5.1 has no 404: a path nobody routes is API Gateway's answer, with its own code.
    for method, path in (("GET", "/v3/nothing-here"), ("PATCH", "/v3/sources")):
        r = await client.request(method, path)
        assert r.status_code == 404, (method, path)
        assert r.json()["error_code"] == "APIGW.0101"


# -- overview and errors --------------------------------------------------------------------------


async def test_overview_sums_match_the_list(client: httpx.AsyncClient) -> None:
    ov = (await client.get("/v3/sources/overview")).json()
    _, everything = await all_sources(client)
    by_state = Counter(s["state"] for s in everything)
    states = {k: v for k, v in ov.items() if k != "unconfigured"}
    assert sum(states.values()) == SOURCES
    for state, n in states.items():
        assert n == by_state.get(state, 0), state
    assert set(by_state) <= set(states)
    assert ov["unconfigured"] == sum(1 for s in everything if s["current_task"] is None)


async def test_overview_by_project_adds_up(client: httpx.AsyncClient) -> None:
    projects = (await client.get("/v3/migprojects")).json()["migprojects"]
    totals: Counter[str] = Counter()
    for proj in projects:
        ov = (await client.get("/v3/sources/overview", params={"migproject": proj["id"]})).json()
        count, _ = await all_sources(client, migproject=proj["id"])
        assert sum(v for k, v in ov.items() if k != "unconfigured") == count
        totals.update(ov)
    whole = (await client.get("/v3/sources/overview")).json()
    assert {k: totals.get(k, 0) for k in whole} == whole


async def test_errors_decode_to_catalogue_codes(client: httpx.AsyncClient) -> None:
    body = (await client.get("/v3/errors", params={"limit": 100})).json()
    assert body["count"] > 0
    errors = list(body["migration_errors"])
    for offset in range(100, body["count"], 100):
        errors += (await client.get("/v3/errors", params={"limit": 100, "offset": offset})).json()["migration_errors"]
    assert len(errors) == body["count"]
    assert body["count"] == (await client.get("/v3/sources/overview")).json()["error"]
    for e in errors:
        assert set(e) >= {"error_json", "source_id", "name", "source_ip"}
        ex = decode_error_json(e["error_json"])
        assert ex is not None, e
        assert ex.known, (e["error_json"], ex)
        assert ex.code.startswith("SMS.") and lookup(ex.code) is not None
        assert "‹?›" not in ex.message, (e["error_json"], ex.message)
        src = (await client.get(f"/v3/sources/{e['source_id']}")).json()
        assert src["state"] == "error"


# -- task actions ------------------------------------------------------------------------------------


async def ready_task(client: httpx.AsyncClient) -> dict[str, Any]:
    """A READY task whose source is connected (so it may start)."""
    tasks = (await client.get("/v3/tasks", params={"state": "READY", "limit": 200})).json()["tasks"]
    for t in tasks:
        src = (await client.get(f"/v3/sources/{t['source_server']['id']}")).json()
        if src["connected"]:
            return t
    raise AssertionError("no READY task on a connected source")


async def test_unknown_operation_is_400(client: httpx.AsyncClient) -> None:
    task = await ready_task(client)
    url = f"/v3/tasks/{task['id']}/action"
    body = assert_sms_error(await client.post(url, json={"operation": "explode"}), 400, "SMS.9001")
    assert "operation" in body["error_param"][0]
    assert_sms_error(await client.post(url, json={}), 400, "SMS.9001")
    assert_sms_error(await client.post(url, json={"operation": 7}), 400, "SMS.9001")
    assert_sms_error(await client.post(url, content=b"not json",
                                       headers={"content-type": "application/json"}), 400, "SMS.9001")


async def test_clone_test_needs_template_id(client: httpx.AsyncClient) -> None:
    task = await ready_task(client)
    url = f"/v3/tasks/{task['id']}/action"
    body = assert_sms_error(await client.post(url, json={"operation": "clone_test"}), 400, "SMS.9001")
    assert "template_id" in body["error_param"][0]
    assert_sms_error(await client.post(url, json={"operation": "clone_test", "template_id": ""}),
                     400, "SMS.9001")
    assert (await client.get(f"/v3/tasks/{task['id']}")).json()["state"] == "READY"


async def test_stop_on_ready_is_400_sms_7714(client: httpx.AsyncClient) -> None:
    task = await ready_task(client)
    r = await client.post(f"/v3/tasks/{task['id']}/action", json={"operation": "stop"})
    body = assert_sms_error(r, 400)
    assert body["error_code"].startswith("SMS.")
    assert body["error_code"] == "SMS.7714"
    assert (await client.get(f"/v3/tasks/{task['id']}")).json()["state"] == "READY"


async def test_start_on_ready_runs_the_task(client: httpx.AsyncClient) -> None:
    task = await ready_task(client)
    r = await client.post(f"/v3/tasks/{task['id']}/action", json={"operation": "start"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    detail = (await client.get(f"/v3/tasks/{task['id']}")).json()
    assert detail["state"] == "RUNNING"
    running = (await client.get("/v3/tasks", params={"state": "RUNNING", "id": task["id"]})).json()
    assert [t["id"] for t in running["tasks"]] == [task["id"]]
    src = (await client.get(f"/v3/sources/{task['source_server']['id']}")).json()
    assert src["current_task"]["state"] == "RUNNING"
    # Starting again is refused: it is already running.
    again = await client.post(f"/v3/tasks/{task['id']}/action", json={"operation": "start"})
    assert_sms_error(again, 400, "SMS.7713")


# -- speed limits ------------------------------------------------------------------------------------


def rule(start: str, end: str, speed: int = 10, **kw: Any) -> dict[str, Any]:
    return {"start": start, "end": end, "speed": speed, **kw}


@pytest.mark.parametrize("rules", [
    pytest.param([rule("24:00", "23:59")], id="start-24:00"),
    pytest.param([rule("00:00", "24:00")], id="end-24:00"),
    pytest.param([rule("7:5", "23:59")], id="one-digit-minutes"),
    pytest.param([rule("07:60", "23:59")], id="minute-60"),
    pytest.param([rule("ab:cd", "23:59")], id="not-a-time"),
    pytest.param([rule("", "23:59")], id="empty"),
    pytest.param([{"end": "23:59", "speed": 10}], id="no-start"),
    pytest.param([rule("00:00", "08:00", 10001)], id="speed-10001"),
    pytest.param([rule("00:00", "08:00", -1)], id="speed-negative"),
    pytest.param([rule("00:00", "08:00", over_speed_threshold=101)], id="threshold-101"),
    pytest.param([rule("08:00", "07:00")], id="end-before-start"),
    pytest.param([rule("08:00", "08:00")], id="empty-span"),
    pytest.param([rule("00:00", "09:00"), rule("08:00", "10:00")], id="overlap"),
    pytest.param([rule("10:00", "12:00"), rule("00:00", "23:59")], id="overlap-contained"),
    pytest.param([rule("06:00", "08:00"), rule("06:00", "08:00")], id="duplicate"),
    pytest.param(["00:00-08:00"], id="not-an-object"),
])
async def test_bad_speed_limits_are_400(client: httpx.AsyncClient, rules: list[Any]) -> None:
    task = await ready_task(client)
    url = f"/v3/tasks/{task['id']}/speed-limit"
    before = (await client.get(url)).json()
    body = assert_sms_error(await client.post(url, json={"speed_limit": rules}), 400)
    assert body["error_code"] in ("SMS.6405", "SMS.9001")
    assert (await client.get(url)).json() == before, "a refused POST must change nothing"


async def test_bad_time_of_day_is_sms_6405(client: httpx.AsyncClient) -> None:
    task = await ready_task(client)
    url = f"/v3/tasks/{task['id']}/speed-limit"
    for bad in ("24:00", "7:5", "12:3"):
        assert_sms_error(await client.post(url, json={"speed_limit": [rule(bad, "23:59")]}),
                         400, "SMS.6405")


async def test_boolean_speed_is_refused(client: httpx.AsyncClient) -> None:
    task = await ready_task(client)
    url = f"/v3/tasks/{task['id']}/speed-limit"
    r = await client.post(url, json={"speed_limit": [rule("00:00", "01:00", True)]})
    assert_sms_error(r, 400, "SMS.9001")


async def test_speed_limit_body_must_carry_a_list(client: httpx.AsyncClient) -> None:
    task = await ready_task(client)
    url = f"/v3/tasks/{task['id']}/speed-limit"
    assert_sms_error(await client.post(url, json={}), 400, "SMS.9001")
    assert_sms_error(await client.post(url, json={"speed_limit": "fast"}), 400, "SMS.9001")


async def test_speed_limits_round_trip(client: httpx.AsyncClient) -> None:
    task = await ready_task(client)
    url = f"/v3/tasks/{task['id']}/speed-limit"
    sent = [
        rule("0:00", "7:05", 20, over_speed_threshold=50),
        rule("07:05", "18:00", 0, over_speed_threshold=12.5),
        rule("18:00", "23:59", 10000, over_speed_threshold=100),
    ]
    r = await client.post(url, json={"speed_limit": sent})
    assert r.status_code == 200, r.text
    back = (await client.get(url)).json()["speed_limit"]
    assert back == [
        {"start": "00:00", "end": "07:05", "speed": 20, "over_speed_threshold": 50.0},
        {"start": "07:05", "end": "18:00", "speed": 0, "over_speed_threshold": 12.5},
        {"start": "18:00", "end": "23:59", "speed": 10000, "over_speed_threshold": 100.0},
    ]
    # What GET returns is accepted by POST unchanged (a UI edits and sends it back).
    assert (await client.post(url, json={"speed_limit": back})).status_code == 200
    assert (await client.get(url)).json()["speed_limit"] == back
    # An empty list clears every rule.
    assert (await client.post(url, json={"speed_limit": []})).status_code == 200
    assert (await client.get(url)).json() == {"speed_limit": []}


async def test_speed_limits_sent_out_of_order_round_trip(client: httpx.AsyncClient) -> None:
    task = await ready_task(client)
    url = f"/v3/tasks/{task['id']}/speed-limit"
    sent = [rule("12:00", "13:00", 5), rule("01:00", "02:00", 7)]
    assert (await client.post(url, json={"speed_limit": sent})).status_code == 200
    back = (await client.get(url)).json()["speed_limit"]
    assert {(r["start"], r["end"], r["speed"]) for r in back} == {("12:00", "13:00", 5), ("01:00", "02:00", 7)}


async def test_typed_client_speed_limit_round_trip(app: Any) -> None:
    from tui.api.models import SpeedLimitRequest, SpeedLimitRuleWrite

    async with raw(app) as c:
        task = await ready_task(c)
    async with SmsClient(BASE, transport=SimTransport(app)) as sms:
        await sms.set_speed_limits(task["id"], SpeedLimitRequest(speed_limit=[
            SpeedLimitRuleWrite(start="00:00", end="08:00", speed=30, over_speed_threshold=40),
            SpeedLimitRuleWrite(start="08:00", end="23:59", speed=300)]))
        got = await sms.get_speed_limits(task["id"])
    dumped = got.model_dump()
    rules = dumped["speed_limit"]
    assert [(r["start"], r["end"], r["speed"]) for r in rules] == [("00:00", "08:00", 30), ("08:00", "23:59", 300)]


# -- auth: token --------------------------------------------------------------------------------------


async def test_token_auth() -> None:
    app = make_app(token="t0k")
    async with raw(app) as c:
        # Table 5.1: the token errors are 400 SMS.6522 (missing) and SMS.6521 (refused).
        assert_sms_error(await c.get("/v3/sources"), 400, "SMS.6522")
        assert_sms_error(await c.get("/v3/sources", headers={"X-Auth-Token": "t0k-nope"}), 400,
                         "SMS.6521")
        assert_sms_error(await c.get("/v3/sources", headers={"X-Auth-Token": ""}), 400, "SMS.6521")
        ok = await c.get("/v3/sources", headers={"X-Auth-Token": "t0k"})
        assert ok.status_code == 200 and ok.json()["count"] == SOURCES
        # Auth comes before validation and lookups: nothing leaks to the unauthenticated.
        assert_sms_error(await c.get("/v3/tasks/nope"), 400, "SMS.6522")
        assert_sms_error(await c.get("/v3/sources", params={"limit": 999}), 400, "SMS.6522")


async def test_token_mode_refuses_a_signature_instead_of_a_token() -> None:
    app = make_app(token="t0k")
    async with raw(app, auth=AkSkAuth("AK1", "SK1")) as c:
        assert_sms_error(await c.get("/v3/sources"), 400, "SMS.6522")


# -- auth: AK/SK --------------------------------------------------------------------------------------


def aksk_app() -> Any:
    return make_app(ak="AK1", sk="SK1", wall=lambda: WALL)


async def test_aksk_good_signature_via_our_client() -> None:
    app = make_app(ak="AK1", sk="SK1")  # real wall clock: AkSkAuth signs with "now"
    async with SmsClient(BASE, AkSkAuth("AK1", "SK1"), transport=SimTransport(app)) as sms:
        page = await sms.list_sources(limit=10)
        assert page.count == SOURCES and len(page.source_servers) == 10
        name = page.source_servers[0].name
        # Query parameters are signed too (canonical order and encoding).
        filtered = await sms.list_sources(limit=5, offset=0, name=name[:4], state=page.source_servers[0].state)
        assert filtered.count >= 1
        ov = await sms.get_overview()
        assert ov is not None


async def test_aksk_signed_write_with_body() -> None:
    app = make_app(ak="AK1", sk="SK1")
    async with raw(app) as c0:
        c0.auth = AkSkAuth("AK1", "SK1")
        task = await ready_task(c0)
        url = f"/v3/tasks/{task['id']}/speed-limit"
        r = await c0.post(url, json={"speed_limit": [rule("01:00", "02:00", 9)]})
        assert r.status_code == 200, r.text


async def test_aksk_wrong_sk_raises_signature_error_with_server_canonical_request() -> None:
    app = make_app(ak="AK1", sk="SK1")
    async with SmsClient(BASE, AkSkAuth("AK1", "wrong"), transport=SimTransport(app)) as sms:
        with pytest.raises(SignatureError) as info:
            await sms.list_sources(limit=10)
    err = info.value
    assert err.status == 401
    assert err.canonical_request_server is not None
    assert err.canonical_request_server.startswith("GET\n/v3/sources/\n")
    assert err.canonical_request_ours is not None
    # Same request, same canonical form: only the key differs.
    assert err.canonical_request_server == err.canonical_request_ours
    assert "SK1" not in str(err) and "wrong" not in str(err)


async def test_aksk_unknown_access_key_is_401() -> None:
    app = aksk_app()
    async with raw(app) as c:
        req = c.build_request("GET", "/v3/sources")
        AkSkAuth("AK-nobody", "SK1").sign(req, now=WALL)
        r = await c.send(req)
    assert r.status_code == 401
    assert r.json()["error_code"] == "APIGW.0301"
    assert "access key" in r.json()["error_msg"]


async def test_aksk_stale_date_is_401() -> None:
    app = aksk_app()
    async with raw(app) as c:
        fresh = c.build_request("GET", "/v3/sources", params={"limit": 1})
        AkSkAuth("AK1", "SK1").sign(fresh, now=WALL - timedelta(minutes=14))
        assert (await c.send(fresh)).status_code == 200
        for skew in (timedelta(minutes=-20), timedelta(minutes=20)):
            req = c.build_request("GET", "/v3/sources", params={"limit": 1})
            AkSkAuth("AK1", "SK1").sign(req, now=WALL + skew)
            r = await c.send(req)
            assert r.status_code == 401, skew
            body = r.json()
            assert body["error_code"] == "APIGW.0301"
            assert "15 minutes" in body["error_msg"]


async def test_aksk_missing_or_tampered_is_401() -> None:
    app = aksk_app()
    async with raw(app) as c:
        assert (await c.get("/v3/sources")).status_code == 401
        req = c.build_request("GET", "/v3/sources", params={"limit": 1})
        AkSkAuth("AK1", "SK1").sign(req, now=WALL)
        req.url = req.url.copy_with(query=b"limit=2")
        assert (await c.send(req)).status_code == 401
        req = c.build_request("GET", "/v3/sources")
        AkSkAuth("AK1", "SK1").sign(req, now=WALL)
        req.headers["Authorization"] = "garbage"
        assert (await c.send(req)).status_code == 401


# -- faults ---------------------------------------------------------------------------------------------


async def test_500_on_one_route_only() -> None:
    app = make_app(faults="500=1@/v3/sources/overview")
    async with raw(app) as c:
        r = await c.get("/v3/sources/overview")
        assert r.status_code == 500
        assert r.json()["error_code"] == "SMS.9999"
        assert (await c.get("/v3/sources")).status_code == 200
        assert (await c.get("/v3/tasks")).status_code == 200


async def test_fault_scoped_by_method() -> None:
    app = make_app(faults="503=1@POST /v3/tasks*")
    async with raw(app) as c:
        assert (await c.get("/v3/tasks")).status_code == 200
        r = await c.post("/v3/tasks/whatever/action", json={"operation": "start"})
        assert r.status_code == 503
        assert r.headers["content-type"].startswith("text/html")


async def test_429_carries_retry_after() -> None:
    app = make_app(faults="429=1:retry=3")
    async with raw(app) as c:
        r = await c.get("/v3/sources")
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "3"
    assert r.json()["error_code"] == "APIGW.0308"


async def test_reset_is_a_read_error() -> None:
    app = make_app(faults="reset=1")
    async with raw(app) as c:
        with pytest.raises(httpx.ReadError):
            await c.get("/v3/sources")


@pytest.mark.parametrize("kind", ["truncate", "malformed"])
async def test_broken_bodies_are_200_and_not_json(kind: str) -> None:
    app = make_app(faults=f"{kind}=1")
    async with raw(app) as c:
        r = await c.get("/v3/sources", params={"limit": 5})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert int(r.headers["content-length"]) == len(r.content)
    assert r.content
    with pytest.raises(ValueError):
        json.loads(r.content)


async def no_sleep(_: float) -> None:
    return None


@pytest.mark.parametrize(("spec", "error"), [
    ("truncate=1", "BadResponse"),
    ("malformed=1", "BadResponse"),
    ("reset=1", "TransportError"),
    ("502=1", "ServerError"),
    ("429=1:retry=3", "RateLimited"),
])
async def test_typed_client_maps_faults(spec: str, error: str) -> None:
    from tui.api import exceptions

    app = make_app(faults=spec)
    async with SmsClient(BASE, transport=SimTransport(app), sleep=no_sleep, deadline=5) as sms:
        with pytest.raises(getattr(exceptions, error)) as info:
            await sms.list_sources(limit=5)
    if error == "RateLimited":
        assert info.value.retry_after == 3  # type: ignore[attr-defined]


async def test_502_is_html() -> None:
    app = make_app(faults="502=1")
    async with raw(app) as c:
        r = await c.get("/v3/sources")
    assert r.status_code == 502
    assert r.headers["content-type"].startswith("text/html")
    assert "<html" in r.text and "502" in r.text
    with pytest.raises(ValueError):
        json.loads(r.content)


async def test_rate_zero_never_fires() -> None:
    app = make_app(faults="500=0;reset=0;malformed=0")
    async with raw(app) as c:
        for _ in range(20):
            assert (await c.get("/v3/sources", params={"limit": 1})).status_code == 200


async def test_admin_faults_can_be_changed_at_run_time() -> None:
    app = make_app(faults="500=1@/v3/tasks")
    async with raw(app) as c:
        assert (await c.get("/v3/tasks")).status_code == 500
        got = await c.get("/_sim/faults")
        assert got.status_code == 200 and got.json()["spec"] == "500=1@/v3/tasks"
        assert got.json()["injected"] == {"500": 1}
        put = await c.put("/_sim/faults", json={"spec": "latency=1ms"})
        assert put.status_code == 200 and put.json()["spec"] == "latency=1ms"
        assert (await c.get("/_sim/faults")).json()["spec"] == "latency=1ms"
        assert (await c.get("/v3/tasks")).status_code == 200
        bad = await c.put("/_sim/faults", json={"spec": "explode=1"})
        assert_sms_error(bad, 400, "SMS.9001")
        assert_sms_error(await c.put("/_sim/faults", json={"spec": 5}), 400, "SMS.9001")
        assert_sms_error(await c.put("/_sim/faults", json={}), 400, "SMS.9001")
        assert (await c.get("/_sim/faults")).json()["spec"] == "latency=1ms", "a refused spec changes nothing"
        cleared = await c.delete("/_sim/faults")
        assert cleared.status_code == 200 and cleared.json()["spec"] == ""
        state = (await c.get("/_sim/state")).json()
        assert state["sources"] == SOURCES and state["faults"] == ""


async def test_admin_routes_are_immune_to_faults() -> None:
    app = make_app(faults="500=1;reset=0")
    async with raw(app) as c:
        assert (await c.get("/v3/sources")).status_code == 500
        assert (await c.get("/_sim/faults")).status_code == 200


@pytest.mark.parametrize("cfg", [{}, {"faults": "500=1", "admin": False}])
async def test_admin_routes_404_without_faults_or_admin(cfg: dict[str, Any]) -> None:
    app = make_app(**cfg)
    async with raw(app) as c:
        for method in ("GET", "PUT", "DELETE"):
            r = await c.request(method, "/_sim/faults", json={"spec": "latency=1ms"} if method == "PUT" else None)
            assert r.status_code == 404, method
        assert (await c.get("/_sim/state")).status_code == 404
    assert app.state.sim.faults.spec == cfg.get("faults", "")


async def test_admin_flag_alone_enables_admin() -> None:
    app = make_app(admin=True)
    async with raw(app) as c:
        r = await c.get("/_sim/faults")
        assert r.status_code == 200 and r.json()["spec"] == ""


@pytest.mark.parametrize("spec", [
    "boom=1",
    "500=1.5",
    "500=-0.1",
    "500=abc",
    "500=1@v3/sources",
    "500",
    "latency=fast",
    "latency=400-50ms",
    "latency=121s",
    "500=1:retry=3",
    "429=1:retry=x",
    "429=1:retry=3601",
    "429=1:wait=3",
])
def test_parse_faults_rejects_bad_specs(spec: str) -> None:
    with pytest.raises(FaultSpecError):
        parse_faults(spec)


@pytest.mark.parametrize(("spec", "kinds"), [
    ("", []),
    ("latency=200ms", ["latency"]),
    ("latency=50-400ms@/v3/tasks*", ["latency"]),
    ("500=0.1; 429=0.05:retry=3 ;reset=0.02", ["500", "429", "reset"]),
    ("truncate=0.02@GET /v3/sources*", ["truncate"]),
    ("malformed=1@*", ["malformed"]),
])
def test_parse_faults_accepts_good_specs(spec: str, kinds: list[str]) -> None:
    rules = parse_faults(spec)
    assert [r.kind for r in rules] == kinds
    again = parse_faults(";".join(r.describe() for r in rules))
    assert again == rules
