"""The ECS/DeH simulator world, its settings and the job follower, beyond the client basics."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui.api.auth import AkSkAuth, TokenAuth
from tui.api.ecs import EcsClient, follow_job
from tui.api.ecs import errors as ecs_errors
from tui.api.ecs.models import Job
from tui.api.errors import explain
from tui.api.exceptions import (
    AuthError,
    InsufficientCapacity,
    JobTimedOut,
    ServerError,
    SignatureError,
)
from tui.api.transport import RetryPolicy
from tui.config import ConfigError
from tui.connect import ECS_HOW_TO_CONFIGURE, ecs_missing, open_client, open_ecs_client, resolve
from tui.sim import SimTransport
from tui.sim.ecs import views

from .conftest import PROJECT, Sim, client_for, make_sim, movable

REPO = Path(__file__).resolve().parents[2]


def snapshot(sim: Sim) -> str:
    w = sim.world
    return json.dumps({
        "hosts": [views.host(w.hosts[h], PROJECT) for h in w.host_order],
        "servers": [views.server_detail(w, w.servers[s], PROJECT) for s in w.server_order],
        "jobs": [views.job(j) for j in w.jobs.values()],
    }, sort_keys=True)


class TestWorld:
    async def test_a_pure_function_of_seed_actions_and_time(self) -> None:
        async def run(steps: list[float]) -> str:
            sim = make_sim(seed=11)
            async with client_for(sim) as ecs:
                servers = await ecs.list_all_servers()
                await ecs.migrate_server(movable(servers, lambda s: s.dedicated_host_id
                                                 is not None).id, None)
                await ecs.stop_servers([s.id for s in servers if s.status == "ACTIVE"][:4])
                for step in steps:
                    sim.clock.advance(step)
                    await ecs.list_servers(limit=1)
            return snapshot(sim)

        one_step, many_steps = await run([600.0]), await run([7.0] * 85 + [5.0])
        assert one_step == many_steps
        assert snapshot(make_sim(seed=11)) == snapshot(make_sim(seed=11))
        assert snapshot(make_sim(seed=11)) != snapshot(make_sim(seed=12))

    async def test_sms_targets_keep_one_order_however_time_advanced(self) -> None:
        async def order(steps: list[float]) -> list[str]:
            sim = make_sim(sources=200, seed=5)
            async with client_for(sim) as ecs:
                for step in steps:
                    sim.clock.advance(step)
                    await ecs.list_servers(limit=1)
                return [s.id for s in await ecs.list_all_servers()]

        day = 86_400.0
        once, often = await order([3 * day]), await order([day / 4] * 12)
        assert once == often and len(once) > 60

    def test_300_hosts_and_5000_servers_within_capacity(self) -> None:
        world = make_sim(hosts=300, ecs_servers=5000, sources=10).world
        assert len(world.hosts) == 300 and len(world.servers) >= 5000
        placed = sum(len(h.servers) for h in world.hosts.values())
        assert placed > 2000
        types = {h.type.code for h in world.hosts.values()}
        assert len(types) == 4 and any(h.state == "fault" for h in world.hosts.values())
        for host in world.hosts.values():
            on_it = [world.servers[i] for i in host.servers]
            assert host.used_vcpus == sum(s.flavor.vcpus for s in on_it) <= host.type.vcpus
            assert host.used_ram_mb == sum(s.flavor.ram_mb for s in on_it) <= host.type.memory_mb
            assert all(s.az == host.az and s.host_id == host.id for s in on_it)

    async def test_sms_targets_that_cut_over_are_pool_servers(self) -> None:
        sim = make_sim(sources=200, seed=5)
        engine = sim.app.state.sim.engine

        def done() -> list[Any]:
            return [t for t in engine.tasks.values() if t.state == "MIGRATE_SUCCESS"]

        async with client_for(sim) as ecs:
            before = {t.id for t in done()}
            servers = {s.id: s for s in await ecs.list_all_servers()}
            assert before and all(engine.tasks[t].target_vm_id in servers for t in before)
            sim.clock.advance(3 * 86_400)
            servers = {s.id: s for s in await ecs.list_all_servers()}
        later = [t for t in done() if t.id not in before]
        assert later, "no task finished in three simulated days"
        for task in done():
            target = servers[task.target_vm_id]
            assert target.placement == "pool" and target.ips == [task.migration_ip]
            assert target.name == task.target_name

    async def test_faults_and_auth_apply_to_ecs_routes(self) -> None:
        sim = make_sim(faults="500=1@GET /v1.0/*")
        async with client_for(sim) as ecs:
            with pytest.raises(ServerError):
                await ecs.list_hosts()
            assert (await ecs.list_servers(limit=1)).servers
        signed = make_sim(ak="AKSIM", sk="SKSIM-secret")
        transport = SimTransport(signed.app)
        async with EcsClient("http://sim", "http://sim", PROJECT, AkSkAuth("AKSIM", "SKSIM-secret"),
                             transport=transport) as ecs:
            assert await ecs.list_all_hosts()
        async with EcsClient("http://sim", "http://sim", PROJECT, AkSkAuth("AKSIM", "wrong"),
                             transport=transport, retry=RetryPolicy(attempts=0)) as ecs:
            with pytest.raises(SignatureError):
                await ecs.list_servers()
        tokened = make_sim(token="T0K")
        async with EcsClient("http://sim", "http://sim", PROJECT, TokenAuth("bad"),
                             transport=SimTransport(tokened.app)) as ecs:
            with pytest.raises(AuthError):
                await ecs.get_job("x")


class TestCatalogue:
    def test_every_code_the_simulator_sends_is_decoded(self) -> None:
        source = "".join(p.read_text() for p in (REPO / "tui/sim/ecs").glob("*.py"))
        codes = set(re.findall(r"(?:Ecs|DEH)\.\d{4}", source))
        assert {"Ecs.0000", "Ecs.0100", "Ecs.1902", "Ecs.1906", "DEH.1900"} <= codes
        for code in codes | {f"Ecs.000{n}" for n in (0, 1, 2, 3, 5, 8)}:
            assert ecs_errors.lookup(code) is not None, code
            told = explain(code)  # the shared explain() hands Ecs/DEH codes to this catalogue
            assert told.known and told.handling != ecs_errors.GENERIC_HANDLING

    def test_unknown_code_keeps_the_servers_words(self) -> None:
        told = explain("Ecs.4242", None, fallback_message="Something specific")
        assert not told.known and told.message == "Something specific"


def mock_client(handler: Any) -> EcsClient:
    return EcsClient("http://ecs", "http://deh", PROJECT, transport=httpx.MockTransport(handler),
                     retry=RetryPolicy(attempts=0))


class TestWireForms:
    async def test_top_level_error_code_is_read_too(self) -> None:
        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(400, json={"error_code": "Ecs.1902", "error_msg": "full"})

        async with mock_client(handler) as ecs:
            with pytest.raises(InsufficientCapacity) as err:
                await ecs.migrate_server("s", "h")
        assert err.value.message == "full"

    async def test_nested_error_details_become_params(self) -> None:
        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(400, json={"error": {"code": "Ecs.0005", "message": "bad",
                                                       "details": [{"code": "Ecs.0005",
                                                                    "message": "limit"}]}})

        async with mock_client(handler) as ecs:
            with pytest.raises(Exception) as err:
                await ecs.list_hosts()
        assert getattr(err.value, "params", None) == ["Ecs.0005: limit"]

    async def test_unknown_statuses_are_not_finished_and_the_deadline_ends_it(self) -> None:
        answers = iter(["INIT", "PENDING_PAYMENT", "SOMETHING_NEW", "SUCCESS"])
        now = [0.0]

        async def get_job(job_id: str) -> Job:
            return Job.model_validate({"job_id": job_id, "status": next(answers)})

        async def sleep(seconds: float) -> None:
            now[0] += seconds

        job = await follow_job(get_job, "j", sleep=sleep, clock=lambda: now[0], interval=2)
        assert job.succeeded and now[0] == pytest.approx(2 + 3 + 4.5)

        async def never(job_id: str) -> Job:
            return Job.model_validate({"job_id": job_id, "status": "RUNNING"})

        with pytest.raises(JobTimedOut) as err:
            await follow_job(never, "j", sleep=sleep, clock=lambda: now[0], deadline=60)
        assert err.value.job is not None and err.value.job.status == "RUNNING"


class TestSettings:
    PROFILE = """\
[profiles.p]
sms_endpoint = "https://sms.example"
region = "ap-southeast-3"
project_id = "pid"
auth = "none"
"""

    def config(self, tmp_path: Path, extra: str = "") -> Path:
        path = tmp_path / "config.toml"
        path.write_text(self.PROFILE + extra)
        return path

    def test_derived_from_region(self, tmp_path: Path) -> None:
        s = resolve(config_path=self.config(tmp_path), env={})
        assert s.ecs_endpoint == "https://ecs.ap-southeast-3.myhuaweicloud.com"
        assert s.deh_endpoint == "https://deh.ap-southeast-3.myhuaweicloud.com"
        assert ecs_missing(s) is None

    def test_profile_keys_then_flags_win(self, tmp_path: Path) -> None:
        path = self.config(tmp_path, 'ecs_endpoint = "https://ecs.lab"\n'
                                     'deh_endpoint = "https://deh.lab"\n')
        s = resolve(config_path=path, env={})
        assert (s.ecs_endpoint, s.deh_endpoint) == ("https://ecs.lab", "https://deh.lab")
        s = resolve(config_path=path, env={}, ecs_endpoint="https://e", deh_endpoint="https://d")
        assert (s.ecs_endpoint, s.deh_endpoint) == ("https://e", "https://d")

    def test_not_configured_says_how(self, tmp_path: Path) -> None:
        s = resolve(endpoint="https://sms.example", config_path=tmp_path / "none.toml", env={})
        assert s.ecs_endpoint is None
        assert ecs_missing(s) == ECS_HOW_TO_CONFIGURE and "--ecs-endpoint" in ECS_HOW_TO_CONFIGURE
        assert open_ecs_client(s) is None

    def test_ecs_flags_without_sms_connection_are_an_error(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError):
            resolve(config_path=tmp_path / "none.toml", env={}, ecs_endpoint="https://e")

    async def test_demo_shares_the_sms_simulator(self) -> None:
        s = resolve(demo=True, sim_options={"sources": 120, "seed": 2})
        sms = open_client(s)
        ecs = open_ecs_client(s, sms=sms)
        assert ecs is not None and s.ecs_endpoint and ecs_missing(s) is None
        engine = sms.simulator.engine  # type: ignore[attr-defined]
        targets = {t.target_vm_id for t in engine.tasks.values() if t.state == "MIGRATE_SUCCESS"}
        servers = {x.id for x in await ecs.list_all_servers()}
        assert targets and targets <= servers
        assert ecs.sim_world is sms.sim_app.state.ecs  # type: ignore[attr-defined]
        await ecs.aclose()
        await sms.aclose()


def test_sim_and_dashboard_flags() -> None:
    from tui.cli import build_parser
    from tui.sim.cli import build_parser as sim_parser

    args = sim_parser().parse_args(["--hosts", "300", "--ecs-servers", "5000",
                                    "--numa-share", "1"])
    assert (args.hosts, args.ecs_servers, args.numa_share) == (300, 5000, 1.0)
    args = build_parser().parse_args(["--ecs-endpoint", "https://e", "--deh-endpoint", "https://d"])
    assert (args.ecs_endpoint, args.deh_endpoint) == ("https://e", "https://d")
