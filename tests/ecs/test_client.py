"""The ECS/DeH client against the simulator in-process: pages, filters, typed refusals, jobs."""

from __future__ import annotations

import httpx
import pytest

from tui.api.ecs import EcsClient
from tui.api.ecs.models import POOL
from tui.api.exceptions import (
    ChargingModeRefused,
    EcsRefused,
    HostUnavailable,
    InsufficientCapacity,
    InvalidRequest,
    JobFailed,
    NotFound,
    RequestValidationError,
    ServerStateRefused,
)
from tui.sim import SimTransport

from .conftest import PROJECT, Sim, fitting_host, movable


def raw(sim: Sim) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=SimTransport(sim.app), base_url="http://sim")


class TestReads:
    async def test_all_server_pages_offset_is_a_page_number(self, sim: Sim, ecs: EcsClient) -> None:
        servers = await ecs.list_all_servers(page_size=7)
        assert [s.id for s in servers] == sim.world.server_order
        assert len(servers) >= 60
        page2 = await ecs.list_servers(limit=7, offset=2)
        assert page2.count == len(servers)
        assert [s.id for s in page2.servers] == sim.world.server_order[7:14]

    async def test_limit_and_offset_are_checked_before_sending(self, ecs: EcsClient) -> None:
        with pytest.raises(RequestValidationError):
            await ecs.list_servers(limit=1001)
        with pytest.raises(RequestValidationError):
            await ecs.list_servers(offset=0)

    async def test_server_limit_over_1000_is_refused_by_the_server(self, sim: Sim) -> None:
        async with raw(sim) as c:
            r = await c.get(f"/v1/{PROJECT}/cloudservers/detail", params={"limit": 1001})
        assert r.status_code == 400
        assert r.json()["error"]["code"] == "Ecs.0005"

    async def test_server_filters(self, sim: Sim, ecs: EcsClient) -> None:
        everything = await ecs.list_all_servers()
        one = everything[5]
        assert [s.id for s in await ecs.list_all_servers(ip=one.ips[0])] == [
            s.id for s in everything if one.ips[0] in s.ips[0]]
        shut = await ecs.list_all_servers(status="SHUTOFF")
        assert shut and all(s.status == "SHUTOFF" for s in shut)
        assert len(shut) == sum(1 for s in everything if s.status == "SHUTOFF")
        flavored = await ecs.list_all_servers(flavor=one.flavor.id)
        assert one.id in {s.id for s in flavored}
        assert all(s.flavor.id == one.flavor.id for s in flavored)
        named = await ecs.list_all_servers(name=one.name)
        assert one.id in {s.id for s in named}

    async def test_read_models_are_tolerant(self, ecs: EcsClient) -> None:
        server = (await ecs.list_servers(limit=1)).servers[0]
        assert isinstance(server.vcpus, int) and server.vcpus > 0  # "vcpus": "2" on the wire
        assert server.model_extra and server.model_extra["tenant_id"] == PROJECT  # kept

    async def test_hosts_by_marker_and_their_servers(self, sim: Sim, ecs: EcsClient) -> None:
        hosts = await ecs.list_all_hosts(page_size=5)
        assert [h.dedicated_host_id for h in hosts] == sim.world.host_order
        for host in hosts:
            one = await ecs.get_host(host.dedicated_host_id)
            assert one == host
            on_it = await ecs.list_all_host_servers(host.dedicated_host_id, page_size=2)
            assert [s.id for s in on_it] == host.instance_uuids
            assert host.instance_total == len(on_it)
            used = sum(sim.world.servers[s.id].flavor.vcpus for s in on_it)
            assert host.used_vcpus == used and host.available_vcpus == host.total_vcpus - used
        faulty = await ecs.list_all_hosts(state="fault")
        assert faulty and all(h.state == "fault" for h in faulty)

    async def test_unknown_host_and_job_are_not_found_with_their_codes(self, ecs: EcsClient
                                                                        ) -> None:
        with pytest.raises(NotFound) as host_err:
            await ecs.get_host("nope")
        assert host_err.value.error_code == "DEH.1900"  # DeH's top-level error_code form
        with pytest.raises(NotFound) as job_err:
            await ecs.get_job("nope")
        assert job_err.value.error_code == "Ecs.1900"  # ECS's nested {"error": {...}} form


class TestRefusals:
    async def test_running_server_is_refused_at_once(self, ecs: EcsClient) -> None:
        servers = await ecs.list_all_servers()
        hosts = await ecs.list_all_hosts()
        running = next(s for s in servers if s.status == "ACTIVE" and s.pay_per_use)
        with pytest.raises(ServerStateRefused) as err:
            await ecs.migrate_server(running.id, fitting_host(hosts, running).dedicated_host_id)
        assert err.value.error_code == "Ecs.0100" and err.value.status == 409
        assert "SHUTOFF" in err.value.hint

    async def test_yearly_monthly_server_is_refused(self, ecs: EcsClient) -> None:
        servers = await ecs.list_all_servers()
        hosts = await ecs.list_all_hosts()
        yearly = next(s for s in servers if s.stopped and not s.pay_per_use)
        with pytest.raises(ChargingModeRefused) as err:
            await ecs.migrate_server(yearly.id, fitting_host(hosts, yearly).dedicated_host_id)
        assert err.value.error_code == "Ecs.1901"

    async def test_host_in_fault_and_other_zone_are_refused(self, ecs: EcsClient) -> None:
        servers = await ecs.list_all_servers()
        hosts = await ecs.list_all_hosts()
        fault = next(h for h in hosts if h.state == "fault")
        server = movable(servers, lambda s: s.availability_zone == fault.availability_zone)
        with pytest.raises(HostUnavailable) as err:
            await ecs.migrate_server(server.id, fault.dedicated_host_id)
        assert err.value.error_code == "Ecs.1903"
        elsewhere = next(h for h in hosts if h.state == "available"
                         and h.availability_zone != server.availability_zone)
        with pytest.raises(HostUnavailable) as err:
            await ecs.migrate_server(server.id, elsewhere.dedicated_host_id)
        assert err.value.error_code == "Ecs.1904"

    async def test_not_enough_capacity_counts_moves_in_flight(self, sim: Sim,
                                                              ecs: EcsClient) -> None:
        servers = await ecs.list_all_servers()
        hosts = await ecs.list_all_hosts()
        first = movable(servers)
        dest = fitting_host(hosts, first)
        second = movable(servers, lambda s: s.id != first.id
                         and s.availability_zone == first.availability_zone
                         and s.dedicated_host_id != dest.dedicated_host_id)
        # Leave room for exactly one of them: the second is refused while the first moves.
        world_host = sim.world.hosts[dest.dedicated_host_id]
        world_host.used_vcpus = world_host.type.vcpus - max(first.vcpus, second.vcpus)
        await ecs.migrate_server(first.id, dest.dedicated_host_id)
        with pytest.raises(InsufficientCapacity) as err:
            await ecs.migrate_server(second.id, dest.dedicated_host_id)
        assert err.value.error_code == "Ecs.1902"
        assert isinstance(err.value, EcsRefused) and isinstance(err.value, InvalidRequest)

    async def test_already_there_and_bad_body(self, sim: Sim, ecs: EcsClient) -> None:
        servers = await ecs.list_all_servers()
        pooled = movable(servers, lambda s: s.placement == POOL)
        with pytest.raises(EcsRefused) as err:
            await ecs.migrate_server(pooled.id, None)
        assert err.value.error_code == "Ecs.1905"
        async with raw(sim) as c:
            r = await c.post(f"/v1/{PROJECT}/cloudservers/{pooled.id}/migrate",
                             json={"migrate": "somewhere"})
        assert (r.status_code, r.json()["error"]["code"]) == (400, "Ecs.0000")

    async def test_write_bodies_are_strict(self, ecs: EcsClient) -> None:
        with pytest.raises(RequestValidationError):
            await ecs.stop_servers([])
        with pytest.raises(RequestValidationError):
            await ecs.start_servers([f"s{i}" for i in range(1001)])
        with pytest.raises(RequestValidationError):
            await ecs.migrate_server("x", "")


class TestJobs:
    async def test_migration_to_success_moves_capacity(self, sim: Sim, ecs: EcsClient) -> None:
        servers = await ecs.list_all_servers()
        hosts = await ecs.list_all_hosts()
        server = movable(servers, lambda s: s.dedicated_host_id is not None)
        dest = fitting_host(hosts, server)
        source = await ecs.get_host(server.dedicated_host_id or "")
        job_id = await ecs.migrate_server(server.id, dest.dedicated_host_id)
        sim.clock.advance(5)
        moving = await ecs.get_server(server.id)
        assert (moving.status, moving.task_state) == ("RESIZE", "resize_migrating")
        job = await ecs.get_job(job_id)
        assert job.status == "RUNNING" and job.sub_jobs[0].entities.server_id == server.id
        assert server.id in (await ecs.get_host(source.dedicated_host_id)).instance_uuids
        seen: list[str] = []
        done = await ecs.wait_job(job_id, sleep=sim.sleep, clock=sim.now,
                                  on_update=lambda j: seen.append(j.status or ""))
        assert done.succeeded and seen[-1] == "SUCCESS" and (done.elapsed or 0) >= 60
        after = await ecs.get_server(server.id)
        assert after.dedicated_host_id == dest.dedicated_host_id and after.status == "SHUTOFF"
        new_dest = await ecs.get_host(dest.dedicated_host_id)
        new_source = await ecs.get_host(source.dedicated_host_id)
        assert server.id in new_dest.instance_uuids
        assert server.id not in new_source.instance_uuids
        assert new_dest.available_vcpus == (dest.available_vcpus or 0) - server.vcpus
        assert new_dest.available_memory == (dest.available_memory or 0) - server.ram_mb
        assert new_source.available_vcpus == (source.available_vcpus or 0) + server.vcpus
        on_dest = await ecs.list_all_host_servers(dest.dedicated_host_id)
        assert server.id in {s.id for s in on_dest}

    async def test_numa_shortage_fails_the_job_with_its_reason(self, sim: Sim,
                                                               ecs: EcsClient) -> None:
        sim.world.numa_share = 1.0
        servers = await ecs.list_all_servers()
        hosts = await ecs.list_all_hosts()
        server = movable(servers, lambda s: s.dedicated_host_id is not None)
        dest = fitting_host(hosts, server)
        job_id = await ecs.migrate_server(server.id, dest.dedicated_host_id)
        with pytest.raises(JobFailed) as err:
            await ecs.wait_job(job_id, sleep=sim.sleep, clock=sim.now)
        failure = err.value
        assert failure.error_code == "Ecs.1906" and failure.job_id == job_id
        assert failure.fail_reason and "NUMA" in failure.fail_reason
        assert [e.server_id for e in failure.sub_job_errors] == [server.id]
        assert failure.sub_job_errors[0].error_code == "Ecs.1906"
        assert "NUMA" in failure.hint
        after = await ecs.get_server(server.id)
        assert after.dedicated_host_id == server.dedicated_host_id and after.stopped

    @pytest.mark.parametrize("body", [{"migrate": None}, {}, {"migrate": {}}])
    async def test_null_and_empty_bodies_both_mean_the_pool(self, sim: Sim, ecs: EcsClient,
                                                            body: dict[str, object]) -> None:
        servers = await ecs.list_all_servers()
        server = movable(servers, lambda s: s.dedicated_host_id is not None)
        async with raw(sim) as c:
            r = await c.post(f"/v1/{PROJECT}/cloudservers/{server.id}/migrate", json=body)
        assert r.status_code == 200, r.text
        await ecs.wait_job(r.json()["job_id"], sleep=sim.sleep, clock=sim.now)
        after = await ecs.get_server(server.id)
        assert after.placement == POOL and after.scheduler_hints is not None
        assert after.scheduler_hints.tenancy == "shared"

    async def test_client_pool_move_sends_migrate_null(self, sim: Sim) -> None:
        sent: list[bytes] = []
        inner = SimTransport(sim.app)

        class Spy(httpx.AsyncBaseTransport):
            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                if request.method == "POST":
                    sent.append(request.content)
                return await inner.handle_async_request(request)

        async with EcsClient("http://sim", "http://sim", PROJECT, transport=Spy()) as ecs:
            server = movable(await ecs.list_all_servers(), lambda s: s.dedicated_host_id is not None)
            await ecs.migrate_server(server.id, None)
        assert sent == [b'{"migrate":null}']

    async def test_stop_then_start(self, sim: Sim, ecs: EcsClient) -> None:
        servers = await ecs.list_all_servers()
        running = [s.id for s in servers if s.status == "ACTIVE"][:3]
        stop = await ecs.stop_servers(running)
        job = await ecs.get_job(stop)
        assert job.job_type == "batchStopServers" and len(job.sub_jobs) == 3
        assert (await ecs.get_server(running[0])).task_state == "powering-off"
        done = await ecs.wait_job(stop, sleep=sim.sleep, clock=sim.now)
        assert (done.elapsed or 0) <= 15
        assert all([(await ecs.get_server(i)).stopped for i in running])
        start = await ecs.start_servers(running)
        await ecs.wait_job(start, sleep=sim.sleep, clock=sim.now)
        assert [(await ecs.get_server(i)).status for i in running] == ["ACTIVE"] * 3

    async def test_a_job_in_progress_refuses_another_action(self, ecs: EcsClient) -> None:
        running = next(s for s in await ecs.list_all_servers() if s.status == "ACTIVE")
        await ecs.stop_servers([running.id], hard=True)
        with pytest.raises(ServerStateRefused):
            await ecs.start_servers([running.id])


async def test_a_failed_job_is_described_like_any_other_error(sim: Sim, ecs: EcsClient) -> None:
    from tui.service.commands import describe

    sim.world.numa_share = 1.0
    server = movable(await ecs.list_all_servers(), lambda s: s.dedicated_host_id is not None)
    job_id = await ecs.migrate_server(server.id,
                                      fitting_host(await ecs.list_all_hosts(), server)
                                      .dedicated_host_id)
    with pytest.raises(JobFailed) as err:
        await ecs.wait_job(job_id, sleep=sim.sleep, clock=sim.now)
    text = describe(err.value)
    assert text.startswith("Ecs.1906: Not enough resources on a single NUMA node")
    assert err.value.fail_reason and err.value.fail_reason in text
    assert "choose another host" in text


def test_read_models_take_nulls_string_numbers_odd_shapes_and_keep_unknown_fields() -> None:
    from tui.api.ecs.models import DedicatedHost, Job, Server

    server = Server.model_validate({
        "id": 42, "name": 7, "status": "SHELVED", "flavor": None, "addresses": None,
        "metadata": None, "locked": "false", "os:scheduler_hints": {"dedicated_host_id": "h1"},
        "tags": [{"key": "env", "value": "prod"}], "OS-EXT-STS:power_state": "4",
        "brand_new_field": {"x": 1},
    })
    assert (server.id, server.name, server.status) == ("42", "7", "SHELVED")
    assert server.vcpus == 0 and server.ips == [] and server.pay_per_use
    assert server.locked is False and server.power_state == 4
    assert server.dedicated_host_id == "h1" and server.tags == ["env=prod"]
    assert server.model_extra == {"brand_new_field": {"x": 1}}
    pooled = Server.model_validate({"id": "s", "os:scheduler_hints": {"dedicated_host_id": []}})
    assert pooled.placement == "pool"
    host = DedicatedHost.model_validate({
        "dedicated_host_id": "h", "host_properties": None, "available_vcpus": "12",
        "available_memory": "", "instance_uuids": None, "tags": {"team": "db"},
    })
    assert host.total_vcpus == 0 and host.available_vcpus == 12 and host.available_memory is None
    assert host.instance_uuids == [] and host.tags[0].key == "team"
    job = Job.model_validate({"job_id": "j", "status": "PENDING_PAYMENT", "entities": None})
    assert not job.finished and job.sub_jobs == [] and job.server_id is None
