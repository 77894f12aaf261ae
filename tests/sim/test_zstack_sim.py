"""The simulated ZStack on its own: seeded world, capacity bookkeeping, candidate rules, the
query language, sessions and job timing (over HTTP, in-process)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tui.api.zstack.session import hash_password
from tui.sim import ManualClock, SimConfig, SimTransport, create_app
from tui.sim.cli import build_parser, main
from tui.sim.zstack import ZStackSimConfig, build_world
from tui.sim.zstack.world import GIB

ON_HOST = ("Running", "Paused", "Unknown", "Migrating")


def _app(**zstack: Any) -> tuple[Any, ManualClock]:
    clock = ManualClock()
    return create_app(SimConfig(sources=1, clock=clock, zstack=ZStackSimConfig(**zstack))), clock


async def _session(c: httpx.AsyncClient, password: str = "password") -> dict[str, str]:
    r = await c.put("/zstack/v1/accounts/login", json={"logInByAccount": {
        "accountName": "admin", "password": hash_password(password)}})
    assert r.status_code == 200, r.text
    return {"Authorization": f"OAuth {r.json()['inventory']['uuid']}"}


def _http(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=SimTransport(app), base_url="http://sim")


def test_the_world_is_a_function_of_the_seed_and_its_capacity_adds_up() -> None:
    config = ZStackSimConfig(hosts=300, vms=5000)
    a, b, other = build_world(config, 7), build_world(config, 7), build_world(config, 8)
    assert a.vms == b.vms and a.hosts == b.hosts and a.vms != other.vms
    assert (len(a.hosts), len(a.vms)) == (300, 5000) and len(a.zones) >= 1
    for host in a.hosts.values():
        vms = [v for v in a.vms.values() if v["hostUuid"] == host["uuid"]]
        assert all(v["state"] in ON_HOST for v in vms)
        assert host["totalMemoryCapacity"] - host["availableMemoryCapacity"] == sum(
            v["memorySize"] for v in vms)
        assert host["totalCpuCapacity"] - host["availableCpuCapacity"] == sum(
            v["cpuNum"] for v in vms)
        assert host["availableMemoryCapacity"] >= 0
    stopped = [v for v in a.vms.values() if v["state"] == "Stopped"]
    assert stopped and all(v["hostUuid"] is None and v["lastHostUuid"] for v in stopped)


def test_candidates_follow_zstack_rules() -> None:
    app, _ = _app(hosts=40, vms=300)
    engine = app.state.sim.zstack
    for vm in list(engine.world.vms.values())[:60]:
        got = {h["uuid"] for h in engine.candidates(vm["uuid"])}
        expected = {h["uuid"] for h in engine.world.hosts.values()
                    if h["clusterUuid"] == vm["clusterUuid"] and h["uuid"] != vm["hostUuid"]
                    and h["state"] == "Enabled" and h["status"] == "Connected"
                    and h["availableMemoryCapacity"] >= vm["memorySize"]
                    and h["availableCpuCapacity"] >= vm["cpuNum"]}
        assert got == expected


@pytest.mark.parametrize("condition, check", [
    ("state=Running", lambda v: v["state"] == "Running"),
    ("state!=Running", lambda v: v["state"] != "Running"),
    ("state?=Paused,Unknown", lambda v: v["state"] in ("Paused", "Unknown")),
    ("state!?=Running,Stopped", lambda v: v["state"] not in ("Running", "Stopped")),
    ("name~=web%", lambda v: v["name"].startswith("web")),
    ("cpuNum>2", lambda v: v["cpuNum"] > 2),
    ("memorySize<=2147483648", lambda v: v["memorySize"] <= 2 * GIB),
    ("hostUuid is null", lambda v: v["hostUuid"] is None),
    ("hostUuid not null", lambda v: v["hostUuid"] is not None),
])
async def test_query_conditions(condition: str, check: Any) -> None:
    app, _ = _app(hosts=20, vms=400)
    vms = app.state.sim.zstack.world.vms.values()
    async with _http(app) as c:
        auth = await _session(c)
        r = await c.get("/zstack/v1/vm-instances", headers=auth,
                        params={"q": condition, "replyWithCount": "true", "limit": 1000})
    assert r.status_code == 200
    expected = [v["uuid"] for v in vms if check(v)]
    assert r.json()["total"] == len(expected) > 0
    assert [v["uuid"] for v in r.json()["inventories"]] == expected


async def test_sort_count_and_bad_queries() -> None:
    app, _ = _app()
    async with _http(app) as c:
        auth = await _session(c)
        r = await c.get("/zstack/v1/vm-instances", headers=auth, params={"sort": "-memorySize"})
        sizes = [v["memorySize"] for v in r.json()["inventories"]]
        assert sizes == sorted(sizes, reverse=True)
        r = await c.get("/zstack/v1/hosts", headers=auth, params={"count": "true"})
        assert r.json() == {"total": 8}
        for params in ({"q": "no operator"}, {"limit": 1001}, {"start": -1}):
            r = await c.get("/zstack/v1/vm-instances", headers=auth, params=params)
            assert r.status_code == 503 and r.json()["error"]["code"] == "SYS.1007", params


async def test_sessions_expire_with_the_clock_and_end_on_logout() -> None:
    app, clock = _app(session_ttl=100)
    async with _http(app) as c:
        assert (await c.get("/zstack/v1/zones")).status_code == 400  # no Authorization
        auth = await _session(c)
        assert (await c.get("/zstack/v1/zones", headers=auth)).status_code == 200
        clock.advance(101)
        r = await c.get("/zstack/v1/zones", headers=auth)
        assert r.status_code == 503 and r.json()["error"]["code"] == "ID.1001"
        auth = await _session(c)
        token = auth["Authorization"].split()[1]
        assert (await c.delete(f"/zstack/v1/accounts/sessions/{token}")).status_code == 200
        assert (await c.get("/zstack/v1/zones", headers=auth)).status_code == 503
        r = await c.put("/zstack/v1/accounts/login", json={"logInByAccount": {
            "accountName": "root", "password": hash_password("password")}})
        assert r.status_code == 503 and r.json()["error"]["code"] == "ID.1000"


async def test_a_migration_takes_time_by_memory_and_its_result_expires() -> None:
    app, clock = _app(fail_share=0, job_retention=60)
    engine = app.state.sim.zstack
    vm = next(v for v in engine.world.vms.values()
              if v["state"] == "Running" and engine.candidates(v["uuid"]))
    dest = engine.candidates(vm["uuid"])[0]["uuid"]
    seconds = 3 + 2 * vm["memorySize"] / GIB
    async with _http(app) as c:
        auth = await _session(c)
        r = await c.put(f"/zstack/v1/vm-instances/{vm['uuid']}/actions", headers=auth,
                        json={"migrateVm": {"hostUuid": dest}})
        assert r.status_code == 202 and r.json()["apiTimeout"] > 0
        job = httpx.URL(r.json()["location"]).path
        clock.advance(seconds - 0.5)
        assert (await c.get(job, headers=auth)).status_code == 202
        listed = await c.get(f"/zstack/v1/vm-instances/{vm['uuid']}", headers=auth)
        assert listed.json()["inventories"][0]["state"] == "Migrating"
        clock.advance(0.5)
        done = await c.get(job, headers=auth)
        assert done.status_code == 200 and done.json()["inventory"]["hostUuid"] == dest
        clock.advance(61)
        assert (await c.get(job, headers=auth)).status_code == 404


def test_migdash_sim_takes_the_zstack_flags() -> None:
    args = build_parser().parse_args(["--zstack-hosts", "300", "--zstack-vms", "5000",
                                      "--zstack-account", "ops", "--zstack-fail-share", "0"])
    assert (args.zstack_hosts, args.zstack_vms, args.zstack_account) == (300, 5000, "ops")
    assert main(["--zstack-hosts", "0"]) == 2
    assert main(["--zstack-fail-share", "2"]) == 2
