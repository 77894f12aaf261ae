"""The hosts poller without Textual: where servers are, plans step by step, failures decoded."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from types import SimpleNamespace
from typing import Any

from tui.api.exceptions import ServerError
from tui.service.hosts import POOL, HostsPoller, MovePlan, locate


def job(status: str, **kw: Any) -> Any:
    return SimpleNamespace(status=status, sub_jobs=kw.pop("subs", []), error_code=kw.pop(
        "code", None), fail_reason=kw.pop("why", None), job_type="x",
        entities=SimpleNamespace(errorcode_message=None), **kw)


class FakeEcs:
    """Answers each job id with the statuses queued for it, one per read."""

    def __init__(self, answers: dict[str, list[Any]]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    async def list_all_hosts(self) -> list[Any]:
        return []

    async def list_all_servers(self) -> list[Any]:
        return []

    async def get_job(self, job_id: str) -> Any:
        answer = self.answers[job_id].pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def stop_servers(self, ids: Sequence[str], *, hard: bool = False) -> str:
        self.calls.append(f"stop:{'HARD' if hard else 'SOFT'}")
        return "j-stop"

    async def start_servers(self, ids: Sequence[str]) -> str:
        self.calls.append("start")
        return "j-start"

    async def migrate_server(self, server_id: str, host: str | None) -> str:
        self.calls.append(f"migrate:{host}")
        return "j-migrate"


class Gateway:
    """Sends at once, like the real gateway when nothing refuses."""

    async def send(self, operation: str, target: str, label: str,
                   call: Callable[[], Awaitable[Any]], request: Any = None) -> Any:
        return SimpleNamespace(ok=True, status="ok", reason="", result=await call())


async def no_sleep(_: float) -> None:
    await asyncio.sleep(0)


def poller(client: FakeEcs) -> tuple[HostsPoller, list[Any]]:
    events: list[Any] = []
    return HostsPoller(client, events.append, sleep=no_sleep), events


PLAN = MovePlan("s1", "web-1", "h1", "h2", "deh-2", ("stop", "migrate", "start"))


async def test_a_plan_runs_each_step_after_the_previous_jobs_success() -> None:
    ecs = FakeEcs({"j-stop": [job("RUNNING"), job("SUCCESS")],
                   "j-migrate": [job("INIT"), job("RUNNING"), job("SUCCESS")],
                   "j-start": [job("SUCCESS")]})
    p, events = poller(ecs)
    outcome = await p.run_plan(PLAN, Gateway())
    assert outcome.ok and ecs.calls == ["stop:SOFT", "migrate:h2", "start"]
    assert all(not answers for answers in ecs.answers.values()), "every job read to its end"
    assert [p.jobs[j].source for j in ("j-stop", "j-migrate", "j-start")] == ["h1", "h1", "h2"]


async def test_a_failed_job_stops_the_plan_with_the_step_and_the_decoded_reason() -> None:
    sub = job("FAIL", code="Ecs.1906", why="NUMA node short")
    ecs = FakeEcs({"j-stop": [job("SUCCESS")],
                   "j-migrate": [job("FAIL", code="Ecs.1906", why="no room", subs=[sub])]})
    p, _ = poller(ecs)
    outcome = await p.run_plan(PLAN, Gateway())
    assert (outcome.status, outcome.step) == ("failed", "migrate")
    assert "Ecs.1906: no room" in outcome.reason and "NUMA node short" in outcome.reason
    assert ecs.calls == ["stop:SOFT", "migrate:h2"], "no start after a failed move"


async def test_a_job_that_cannot_be_read_stops_the_plan_rather_than_guess() -> None:
    ecs = FakeEcs({"j-stop": [ServerError("down", status=503)] * 5})
    p, _ = poller(ecs)
    outcome = await p.run_plan(PLAN, Gateway())
    assert (outcome.status, outcome.step) == ("failed", "stop")
    assert "could not be read" in outcome.reason and ecs.calls == ["stop:SOFT"]


def test_a_hosts_own_list_wins_over_scheduler_hints() -> None:
    hosts = [SimpleNamespace(dedicated_host_id="h1", instance_uuids=["a"]),
             SimpleNamespace(dedicated_host_id="h2", instance_uuids=[])]
    servers = [SimpleNamespace(id="a", dedicated_host_id="h2"),
               SimpleNamespace(id="b", dedicated_host_id="h2"),
               SimpleNamespace(id="c", dedicated_host_id="gone"),
               SimpleNamespace(id="d", dedicated_host_id=None)]
    assert locate(hosts, servers) == {"a": "h1", "b": "h2", "c": POOL, "d": POOL}
