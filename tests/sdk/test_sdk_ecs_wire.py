"""The official ECS and DeH SDKs (huaweicloudsdkecs, huaweicloudsdkdeh) against migdash-sim.

Opt-in like the SMS wire test (``make sdk`` then ``.venv/bin/pytest -q -m sdk tests/sdk``):
each call goes through the SDK's own AK/SK signer, its HTTP session and its deserialiser, over
real HTTP on a free 127.0.0.1 port, so the simulator is shown to speak what real clients read.
Time moves only when a test says so (``ManualClock``).
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

ecs = pytest.importorskip("huaweicloudsdkecs.v2")
deh = pytest.importorskip("huaweicloudsdkdeh.v1")
credentials = pytest.importorskip("huaweicloudsdkcore.auth.credentials")
sdk_exceptions = pytest.importorskip("huaweicloudsdkcore.exceptions.exceptions")

import uvicorn  # noqa: E402

from tui.sim import ManualClock, SimConfig, create_app  # noqa: E402

AK, SK = "SIMAKEXAMPLE0000", "simsecretkeyexample0000000000000"
PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


@dataclass
class Sim:
    endpoint: str
    app: Any
    clock: ManualClock

    @property
    def world(self) -> Any:
        return self.app.state.ecs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sim() -> Iterator[Sim]:
    clock = ManualClock()
    app = create_app(SimConfig(sources=40, seed=4, hosts=12, ecs_servers=60, ak=AK, sk=SK,
                               clock=clock, numa_share=0.0))
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


def ecs_client(sim: Sim, sk: str = SK) -> Any:
    return (ecs.EcsClient.new_builder()
            .with_credentials(credentials.BasicCredentials(AK, sk, PROJECT))
            .with_endpoint(sim.endpoint).build())


def deh_client(sim: Sim) -> Any:
    return (deh.DeHClient.new_builder()
            .with_credentials(credentials.BasicCredentials(AK, SK, PROJECT))
            .with_endpoint(sim.endpoint).build())


def movable_on_host(sim: Sim) -> Any:
    return next(s for s in sim.world.servers.values() if s.status == "SHUTOFF"
                and s.charging_mode == "0" and s.host_id and s.job_id is None)


def room_for(sim: Sim, server: Any) -> Any:
    return next(h for h in sim.world.hosts.values() if h.state == "available"
                and h.az == server.az and h.id != server.host_id
                and h.type.vcpus - h.used_vcpus >= server.flavor.vcpus
                and h.type.memory_mb - h.used_ram_mb >= server.flavor.ram_mb)


def test_list_servers_details_pages_by_page_number(sim: Sim) -> None:
    c = ecs_client(sim)
    total = len(sim.world.servers)
    pages = [c.list_servers_details(ecs.ListServersDetailsRequest(limit=25, offset=n))
             for n in (1, 2, 3)]
    assert [p.count for p in pages] == [total] * 3
    ids = [s.id for p in pages for s in p.servers]
    assert ids == sim.world.server_order
    placed = next(s for p in pages for s in p.servers if s.osscheduler_hints.dedicated_host_id)
    assert placed.osscheduler_hints.dedicated_host_id[0] in sim.world.hosts
    assert int(placed.flavor.vcpus) == sim.world.servers[placed.id].flavor.vcpus


def test_dedicated_hosts_marker_one_host_and_its_servers(sim: Sim) -> None:
    c = deh_client(sim)
    first = c.list_dedicated_hosts(deh.ListDedicatedHostsRequest(limit=5))
    second = c.list_dedicated_hosts(deh.ListDedicatedHostsRequest(
        limit=5, marker=first.dedicated_hosts[-1].dedicated_host_id))
    assert first.total == 12
    ids = [h.dedicated_host_id for h in first.dedicated_hosts + second.dedicated_hosts]
    assert ids == sim.world.host_order[:10]
    host = first.dedicated_hosts[0]
    shown = c.show_dedicated_host(deh.ShowDedicatedHostRequest(
        dedicated_host_id=host.dedicated_host_id)).dedicated_host
    assert shown.host_properties.vcpus == sim.world.hosts[host.dedicated_host_id].type.vcpus
    assert shown.available_vcpus == host.available_vcpus
    servers = c.list_servers_dedicated_host(deh.ListServersDedicatedHostRequest(
        dedicated_host_id=host.dedicated_host_id)).servers or []
    assert [s.id for s in servers] == host.instance_uuids


def test_migrate_to_a_host_then_show_job_to_success(sim: Sim) -> None:
    c = ecs_client(sim)
    server = movable_on_host(sim)
    dest = room_for(sim, server)
    body = ecs.MigrateServerRequestBody(migrate=ecs.MigrateServerOption(dedicated_host_id=dest.id))
    job_id = c.migrate_server(ecs.MigrateServerRequest(server_id=server.id, body=body)).job_id
    assert job_id
    sim.clock.advance(15 * 60)
    job = c.show_job(ecs.ShowJobRequest(job_id=job_id))
    assert job.status == "SUCCESS" and job.entities.sub_jobs[0].entities.server_id == server.id
    shown = c.show_server(ecs.ShowServerRequest(server_id=server.id)).server
    assert shown.osscheduler_hints.dedicated_host_id == [dest.id]
    hosted = deh_client(sim).list_servers_dedicated_host(
        deh.ListServersDedicatedHostRequest(dedicated_host_id=dest.id)).servers
    assert server.id in {s.id for s in hosted}


def test_sdk_pool_move_sends_an_empty_body_and_it_means_the_pool(sim: Sim) -> None:
    c = ecs_client(sim)
    server = movable_on_host(sim)
    body = ecs.MigrateServerRequestBody(migrate=None)  # the SDK drops None: the wire has {}
    job_id = c.migrate_server(ecs.MigrateServerRequest(server_id=server.id, body=body)).job_id
    sim.clock.advance(15 * 60)
    assert c.show_job(ecs.ShowJobRequest(job_id=job_id)).status == "SUCCESS"
    assert sim.world.servers[server.id].host_id is None


def test_batch_stop_then_start(sim: Sim) -> None:
    c = ecs_client(sim)
    running = next(s for s in sim.world.servers.values() if s.status == "ACTIVE")
    stop = c.batch_stop_servers(ecs.BatchStopServersRequest(body=ecs.BatchStopServersRequestBody(
        os_stop=ecs.BatchStopServersOption(servers=[ecs.ServerId(id=running.id)], type="HARD"))))
    sim.clock.advance(30)
    assert c.show_job(ecs.ShowJobRequest(job_id=stop.job_id)).status == "SUCCESS"
    start = c.batch_start_servers(ecs.BatchStartServersRequest(
        body=ecs.BatchStartServersRequestBody(
            os_start=ecs.BatchStartServersOption(servers=[ecs.ServerId(id=running.id)]))))
    sim.clock.advance(30)
    assert c.show_job(ecs.ShowJobRequest(job_id=start.job_id)).status == "SUCCESS"
    assert sim.world.servers[running.id].status == "ACTIVE"


def test_refusal_reaches_the_sdk_with_its_ecs_code(sim: Sim) -> None:
    c = ecs_client(sim)
    running = next(s for s in sim.world.servers.values()
                   if s.status == "ACTIVE" and s.charging_mode == "0")
    body = ecs.MigrateServerRequestBody(migrate=ecs.MigrateServerOption(
        dedicated_host_id=room_for(sim, running).id))
    with pytest.raises(sdk_exceptions.ClientRequestException) as err:
        c.migrate_server(ecs.MigrateServerRequest(server_id=running.id, body=body))
    assert err.value.status_code == 409 and err.value.error_code == "Ecs.0100"


def test_wrong_secret_key_is_refused(sim: Sim) -> None:
    with pytest.raises(sdk_exceptions.ClientRequestException) as err:
        ecs_client(sim, sk="not-the-secret").list_servers_details(
            ecs.ListServersDetailsRequest(limit=1))
    assert err.value.status_code == 401
