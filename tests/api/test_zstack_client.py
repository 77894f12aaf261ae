"""The ZStack client against the in-process simulator: login, session renewal, async jobs,
queries, the MigrateVm body and every refusal typed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from tui.api.exceptions import (
    AuthError,
    InvalidRequest,
    NotFound,
    OutcomeUnknown,
    ServerError,
    ZStackAuthError,
    ZStackJobExpired,
    ZStackJobFailed,
    ZStackJobTimeout,
    ZStackMalformed,
)
from tui.api.transport import RetryPolicy
from tui.api.zstack import MigrateVmBody, VmInstance, ZStackClient
from tui.api.zstack import errors as zerrors
from tui.sim import ManualClock, SimConfig, SimTransport, create_app
from tui.sim.zstack import ZStackSimConfig

ENDPOINT = "http://zstack.configured:8080"
FIXTURES = Path(__file__).parent / "fixtures" / "zstack"


class Recorder(SimTransport):
    """The simulator transport, remembering every request it carried."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.seen: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        return await super().handle_async_request(request)


class World:
    """A seeded simulator on a manual clock; the client's sleeps move that clock."""

    def __init__(self, **zstack: Any) -> None:
        self.clock = ManualClock()
        faults = zstack.pop("faults", None)
        self.app = create_app(SimConfig(clock=self.clock, seed=1, faults=faults,
                                        zstack=ZStackSimConfig(**zstack)))
        self.engine = self.app.state.sim.zstack
        self.transport = Recorder(self.app)
        self.on_sleep: list[Any] = []

    async def sleep(self, seconds: float) -> None:
        self.clock.advance(seconds)
        for hook in self.on_sleep:
            hook()

    def client(self, **kw: Any) -> ZStackClient:
        kw.setdefault("account", "admin")
        kw.setdefault("password", "password")
        return ZStackClient(ENDPOINT, transport=self.transport, sleep=self.sleep,
                            clock=lambda: self.clock.now_ms() / 1000,
                            retry=RetryPolicy(attempts=2), **kw)

    def vm(self, state: str = "Running") -> dict[str, Any]:
        return next(v for v in self.engine.world.vms.values() if v["state"] == state
                    and (state != "Running" or self.engine.candidates(v["uuid"])))


def body(host: str, **extra: Any) -> MigrateVmBody:
    return MigrateVmBody.model_validate({"migrateVm": {"hostUuid": host, **extra}})


# -- auth -----------------------------------------------------------------------------------


async def test_login_sends_the_sha512_of_the_password_never_the_password() -> None:
    w = World(password="s3cret!")
    async with w.client(password="s3cret!") as zs:
        await zs.list_zones()
    login = next(r for r in w.transport.seen if r.url.path.endswith("/accounts/login"))
    sent = json.loads(login.content)["logInByAccount"]
    assert sent == {"accountName": "admin",
                    "password": hashlib.sha512(b"s3cret!").hexdigest()}
    assert b"s3cret!" not in login.content
    others = [r for r in w.transport.seen if r is not login]
    assert others and all(r.headers["authorization"].startswith("OAuth ") for r in others)


async def test_a_plain_password_or_a_wrong_one_is_refused_as_an_auth_error() -> None:
    w = World()
    async with httpx.AsyncClient(transport=SimTransport(w.app), base_url=ENDPOINT) as raw:
        r = await raw.put("/zstack/v1/accounts/login",
                          json={"logInByAccount": {"accountName": "admin", "password": "password"}})
    assert r.status_code == 503 and r.json()["error"]["code"] == "ID.1000"
    async with w.client(password="wrong") as zs:
        with pytest.raises(ZStackAuthError) as info:
            await zs.list_hosts()
    assert isinstance(info.value, AuthError) and info.value.error_code == "ID.1000"
    assert "password" in info.value.hint.lower()


async def test_an_expired_session_is_renewed_once() -> None:
    w = World(session_ttl=60)
    async with w.client() as zs:
        await zs.list_hosts()
        w.clock.advance(61)  # the session has expired on the server
        hosts = await zs.list_hosts()
        assert hosts and zs.logins == 2


async def test_a_second_refusal_after_renewal_is_an_auth_error() -> None:
    w = World()
    real = w.engine.check_session
    w.engine.check_session = lambda header: (w.engine.expire_sessions(), real(header))
    async with w.client() as zs:
        with pytest.raises(ZStackAuthError) as info:
            await zs.list_hosts()
        assert zs.logins == 2  # the first login and exactly one renewal
    assert info.value.error_code == "ID.1001" and "again" in info.value.message


async def test_an_existing_session_is_used_and_not_logged_out_nor_renewed() -> None:
    w = World()
    async with w.client() as owner:
        await owner.login()
        session = next(iter(w.engine.sessions))
        async with w.client(account=None, password=None, session_id=session) as zs:
            assert await zs.list_zones()
            assert zs.logins == 0
        assert session in w.engine.sessions  # given, so not ours to end
        w.engine.expire_sessions()
        async with w.client(account=None, password=None, session_id=session) as zs:
            with pytest.raises(ZStackAuthError):
                await zs.list_zones()


async def test_closing_logs_the_session_out() -> None:
    w = World()
    async with w.client() as zs:
        await zs.list_zones()
        assert len(w.engine.sessions) == 1
    assert w.engine.sessions == {}
    assert w.transport.seen[-1].method == "DELETE"
    assert "/zstack/v1/accounts/sessions/" in w.transport.seen[-1].url.path


# -- async jobs -----------------------------------------------------------------------------


async def test_a_job_is_followed_to_200_at_the_configured_host() -> None:
    w = World()
    vm = w.vm()
    origin = vm["hostUuid"]
    dest = w.engine.candidates(vm["uuid"])[0]["uuid"]
    locations: list[str] = []
    async with w.client() as zs:
        moved = await zs.migrate_vm(vm["uuid"], body(dest), on_job=locations.append)
    assert moved.hostUuid == dest and moved.state == "Running"
    assert moved.lastHostUuid == origin != dest
    # The location names the management node's internal address; polls went to ours.
    assert locations and httpx.URL(locations[0]).host == "172.20.0.10"
    polls = [r for r in w.transport.seen if "/api-jobs/" in r.url.path]
    assert len(polls) >= 2 and {r.url.host for r in polls} == {"zstack.configured"}
    assert polls[0].url.path == httpx.URL(locations[0]).path


async def test_a_failed_job_is_typed_with_its_cause_chain() -> None:
    w = World()
    vm = w.vm()
    w.engine.fail_next.add(vm["uuid"])
    origin = vm["hostUuid"]
    async with w.client() as zs:
        with pytest.raises(ZStackJobFailed) as info:
            await zs.migrate_vm(vm["uuid"], body(w.engine.candidates(vm["uuid"])[0]["uuid"]))
    err = info.value
    assert err.status == 503 and err.error_code == "VM.1008"
    assert [c[0] for c in err.causes] == ["VM.1008", "SYS.1006"]
    assert "caused by SYS.1006" in str(err) and "libvirt" in str(err)
    assert w.engine.world.vms[vm["uuid"]]["hostUuid"] == origin  # it stayed where it was


async def test_an_expired_job_is_typed() -> None:
    w = World()
    vm = w.vm()
    w.on_sleep.append(lambda: w.engine.jobs.clear())  # the node forgets every job
    async with w.client() as zs:
        with pytest.raises(ZStackJobExpired) as info:
            await zs.migrate_vm(vm["uuid"], body(w.engine.candidates(vm["uuid"])[0]["uuid"]))
    assert isinstance(info.value, NotFound) and info.value.status == 404


async def test_a_job_past_its_api_timeout_is_typed() -> None:
    w = World(api_timeout_ms=2000)
    vm = w.vm()
    async with w.client() as zs:
        with pytest.raises(ZStackJobTimeout) as info:
            await zs.migrate_vm(vm["uuid"], body(w.engine.candidates(vm["uuid"])[0]["uuid"]))
    assert isinstance(info.value, OutcomeUnknown)  # it may still finish: not a failure


class LosesAnswer(Recorder):
    """Loses the answer to the first action PUT: after ZStack received it ("after"), or with
    the request itself ("before"); the client sees a read timeout either way."""

    def __init__(self, app: Any, when: str) -> None:
        super().__init__(app)
        self.when = when
        self.lost = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and request.url.path.endswith("/actions") and not self.lost:
            self.lost = True
            self.seen.append(request)
            if self.when == "after":
                await SimTransport.handle_async_request(self, request)
            raise httpx.ReadTimeout("timed out waiting for the answer", request=request)
        return await super().handle_async_request(request)


def losing(w: World, when: str) -> LosesAnswer:
    w.transport = LosesAnswer(w.app, when)
    return w.transport


async def test_a_lost_answer_is_followed_through_the_job_id_it_chose() -> None:
    w = World()
    wire = losing(w, "after")
    vm = w.vm()
    dest = w.engine.candidates(vm["uuid"])[0]["uuid"]
    locations: list[str] = []
    async with w.client() as zs:
        moved = await zs.migrate_vm(vm["uuid"], body(dest), on_job=locations.append)
    assert moved.hostUuid == dest  # the outcome is ZStack's, not "unknown"
    puts = [r for r in wire.seen if r.url.path.endswith("/actions")]
    assert len(puts) == 1  # sent once: the job was looked up, never the action sent again
    job_id = puts[0].headers["X-Job-UUID"]
    assert locations == [f"/zstack/v1/api-jobs/{job_id}"]
    assert all(r.url.path == locations[0] for r in wire.seen if "/api-jobs/" in r.url.path)


async def test_a_lost_answer_to_a_failed_migration_is_that_failure() -> None:
    w = World()
    losing(w, "after")
    vm = w.vm()
    w.engine.fail_next.add(vm["uuid"])
    async with w.client() as zs:
        with pytest.raises(ZStackJobFailed) as info:
            await zs.migrate_vm(vm["uuid"], body(w.engine.candidates(vm["uuid"])[0]["uuid"]))
    assert info.value.error_code == "VM.1008"


async def test_a_request_zstack_never_filed_stays_unknown_and_says_so() -> None:
    w = World()
    wire = losing(w, "before")
    vm = w.vm()
    origin = vm["hostUuid"]
    async with w.client() as zs:
        with pytest.raises(OutcomeUnknown) as info:
            await zs.migrate_vm(vm["uuid"], body(w.engine.candidates(vm["uuid"])[0]["uuid"]))
    puts = [r for r in wire.seen if r.url.path.endswith("/actions")]
    job_id = puts[0].headers["X-Job-UUID"]
    assert f"had no job {job_id} 7 s later" in info.value.cause
    assert "timed out waiting for the answer" in info.value.cause
    assert len(puts) == 1
    assert len([r for r in wire.seen if "/api-jobs/" in r.url.path]) == 3
    assert w.engine.world.vms[vm["uuid"]]["hostUuid"] == origin


async def test_job_polls_that_cannot_be_read_are_not_the_jobs_failure() -> None:
    w = World(faults="503=1@GET /zstack/v1/api-jobs/*")  # a proxy answers for the node
    vm = w.vm()
    dest = w.engine.candidates(vm["uuid"])[0]["uuid"]
    reads = lambda: [r for r in w.transport.seen if "/api-jobs/" in r.url.path]  # noqa: E731
    # The proxy recovers once a few polls (each with its retries) have failed.
    w.on_sleep.append(lambda: len(reads()) >= 9 and w.app.state.sim.faults.set(None))
    async with w.client() as zs:
        moved = await zs.migrate_vm(vm["uuid"], body(dest))
    assert moved.hostUuid == dest and len(reads()) > 9


async def test_a_job_that_cannot_be_read_at_all_leaves_the_outcome_unknown() -> None:
    w = World(faults="503=1@GET /zstack/v1/api-jobs/*")
    vm = w.vm()
    async with w.client() as zs:
        with pytest.raises(OutcomeUnknown) as info:
            await zs.migrate_vm(vm["uuid"], body(w.engine.candidates(vm["uuid"])[0]["uuid"]))
    assert "could not be read 5 times in a row" in info.value.cause
    assert len([r for r in w.transport.seen if r.url.path.endswith("/actions")]) == 1
    assert len(w.engine.jobs) == 1  # ZStack has the job: only reading it failed


# -- the MigrateVm body and refusals --------------------------------------------------------


async def test_migrate_sends_exactly_the_migrateVm_body() -> None:
    w = World()
    vm = w.vm()
    dest = w.engine.candidates(vm["uuid"])[0]["uuid"]
    async with w.client() as zs:
        await zs.migrate_vm(vm["uuid"], body(dest))
    assert w.engine.requests == [("PUT", f"/zstack/v1/vm-instances/{vm['uuid']}/actions",
                                  {"migrateVm": {"hostUuid": dest}})]


def test_every_field_of_the_seed_is_in_the_write_body_and_checked() -> None:
    full = MigrateVmBody.model_validate({
        "migrateVm": {"hostUuid": "d51ee2645a3130ffb294a0c28a121c5c",
                      "migrateFromDestination": True, "allowUnknown": True,
                      "strategy": "auto-converge", "downTime": 1},
        "systemTags": ["a"], "userTags": ["b"]})
    assert full.to_body() == {
        "migrateVm": {"hostUuid": "d51ee2645a3130ffb294a0c28a121c5c",
                      "migrateFromDestination": True, "allowUnknown": True,
                      "strategy": "auto-converge", "downTime": 1},
        "systemTags": ["a"], "userTags": ["b"]}
    assert MigrateVmBody().to_body() == {"migrateVm": {}}
    for bad in ({"strategy": "fast"}, {"downTime": 0}, {"hostUuid": "nope"}, {"colour": 1}):
        with pytest.raises(ValidationError):
            MigrateVmBody.model_validate({"migrateVm": bad})
    with pytest.raises(ValidationError):
        MigrateVmBody.model_validate({"migratevm": {}})


async def test_the_seeds_lowercase_key_gets_400_as_from_zstack() -> None:
    w = World()
    vm = w.vm()
    async with w.client() as zs:
        with pytest.raises(ZStackMalformed) as info:
            await zs.action(f"/zstack/v1/vm-instances/{vm['uuid']}/actions",
                            {"migratevm": {"hostUuid": vm["hostUuid"]}})
    assert isinstance(info.value, InvalidRequest) and info.value.status == 400
    assert "action mapping" in info.value.message
    assert w.engine.world.vms[vm["uuid"]]["state"] == "Running"


@pytest.mark.parametrize("case, code", [("stopped", "VM.1010"), ("unknown", "VM.1010"),
                                        ("own host", "SYS.1007"), ("no room", "HOST_ALLOCATION.1000")])
async def test_refusals_are_typed_and_decoded(case: str, code: str) -> None:
    w = World()
    if case == "stopped":
        vm, dest = w.vm("Stopped"), next(iter(w.engine.world.hosts))
    elif case == "unknown":
        vm = w.vm()
        vm["state"] = "Unknown"
        dest = w.engine.candidates(vm["uuid"])[0]["uuid"]
    elif case == "own host":
        vm = w.vm()
        dest = vm["hostUuid"]
    else:
        vm = w.vm()
        dest = next(h["uuid"] for h in w.engine.world.hosts.values()
                    if h["clusterUuid"] != vm["clusterUuid"])
    async with w.client() as zs:
        with pytest.raises(ZStackJobFailed) as info:
            await zs.migrate_vm(vm["uuid"], body(dest))
    assert info.value.error_code == code
    assert zerrors.explain(code).known and info.value.hint == zerrors.explain(code).handling
    assert w.engine.world.vms[vm["uuid"]]["hostUuid"] == vm["hostUuid"]


async def test_an_unknown_vm_moves_with_allow_unknown_and_comes_back_running() -> None:
    w = World()
    vm = w.vm()
    vm["state"] = "Unknown"
    dest = w.engine.candidates(vm["uuid"])[0]["uuid"]
    async with w.client() as zs:
        moved = await zs.migrate_vm(vm["uuid"], body(dest, allowUnknown=True))
    assert moved.hostUuid == dest and moved.state == "Running"


async def test_capacity_moves_with_the_vm() -> None:
    w = World()
    vm = w.vm()
    hosts = w.engine.world.hosts
    src, dest = vm["hostUuid"], w.engine.candidates(vm["uuid"])[0]["uuid"]
    before = (hosts[src]["availableMemoryCapacity"], hosts[dest]["availableMemoryCapacity"])
    async with w.client() as zs:
        await zs.migrate_vm(vm["uuid"], body(dest))
    assert hosts[src]["availableMemoryCapacity"] == before[0] + vm["memorySize"]
    assert hosts[dest]["availableMemoryCapacity"] == before[1] - vm["memorySize"]


# -- queries, models, faults ----------------------------------------------------------------


async def test_queries_page_with_conditions_and_count() -> None:
    w = World(hosts=40, vms=2500)
    async with w.client() as zs:
        vms = await zs.list_vms()
        assert len(vms) == len({v.uuid for v in vms}) == 2500
        running = await zs.list_vms("state=Running")
        assert running and {v.state for v in running} == {"Running"}
        page, total = await zs.query("/zstack/v1/vm-instances", VmInstance,
                                     ["state?=Paused,Unknown", "cpuNum>=2"], start=3, limit=5,
                                     reply_with_count=True)
        assert total == sum(1 for v in vms if v.state in ("Paused", "Unknown")
                            and (v.cpuNum or 0) >= 2)
        assert len(page) == min(5, total - 3) and all((v.cpuNum or 0) >= 2 for v in page)
        by_ip = await zs.list_vms(f"vmNics.ip={vms[7].ip}")
        assert [v.uuid for v in by_ip] == [vms[7].uuid]
        targets = await zs.migration_target_hosts(running[0].uuid or "")
        assert all(h.clusterUuid == running[0].clusterUuid for h in targets)
    paged = [r for r in w.transport.seen if r.url.path == "/zstack/v1/vm-instances"]
    assert any(r.url.params.get("start") == "1000" for r in paged)


def test_the_seed_inventory_parses_with_dates_and_unknown_fields_kept() -> None:
    data = json.loads((FIXTURES / "migrate_vm_response.json").read_text())
    vm = VmInstance.model_validate({**data["inventory"], "futureField": {"x": 1}})
    assert vm.createDate is not None and (vm.createDate.year, vm.createDate.hour) == (2017, 22)
    assert vm.memorySize == 8589934592 and vm.ip == "192.168.1.10"
    assert vm.model_extra == {"futureField": {"x": 1}}
    assert VmInstance.model_validate({"createDate": "not a date", "cpuNum": "4"}).cpuNum == 4


async def test_injected_faults_reach_the_zstack_routes() -> None:
    w = World(faults="503=1@GET /zstack/v1/zones")
    async with w.client() as zs:
        with pytest.raises(ServerError):  # a proxy's HTML 503, retried, then given up
            await zs.list_zones()
        assert await zs.list_hosts()
    zone_calls = [r for r in w.transport.seen if r.url.path == "/zstack/v1/zones"]
    assert len(zone_calls) == 3  # the first try and two retries
