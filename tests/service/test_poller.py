"""The polling service without Textual: snapshots, diffs, backoff, staleness, recovery."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from tui.api import exceptions as ex
from tui.service.poller import (
    ConnectionChanged,
    FleetPolled,
    Intervals,
    PollingService,
    TaskDetailPolled,
)
from tui.service.state import ConnectionStatus, Link, diff


@dataclass(frozen=True)
class Src:
    id: str
    state: str = "waiting"
    replicatesize: int = 0


@dataclass(frozen=True)
class Task:
    id: str
    migrate_speed: float


@dataclass
class FakeClient:
    sources: list[Src] = field(default_factory=list)
    fail_with: list[Exception] = field(default_factory=list)
    calls: int = 0
    project_calls: int = 0
    same_as: list[Any] = field(default_factory=list)

    async def list_all_sources(self, *, same_as: Any = None, **filters: Any) -> list[Src]:
        self.calls += 1
        self.same_as.append(same_as)
        if self.fail_with:
            raise self.fail_with.pop(0)
        return list(self.sources)

    async def get_overview(self, **filters: Any) -> dict[str, int]:
        return {"waiting": len(self.sources)}

    async def list_all_errors(self, *, migproject: str | None = None) -> list[Any]:
        return []

    async def get_source(self, source_id: str) -> Any:
        return {"id": source_id}

    async def get_task(self, task_id: str) -> Task:
        return Task(task_id, 12.5)

    async def list_all_migprojects(self) -> list[Any]:
        self.project_calls += 1
        return ["p1"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def service(client: FakeClient, clock: Clock | None = None) -> tuple[PollingService, list[Any]]:
    events: list[Any] = []
    svc = PollingService(client, events.append, intervals=Intervals(fleet=5.0),
                         clock=clock or Clock())
    return svc, events


async def test_first_poll_publishes_snapshot_and_everything_as_changed() -> None:
    client = FakeClient([Src("a"), Src("b", "replicate")])
    svc, events = service(client)
    delay = await svc.poll_fleet()
    polled = [e for e in events if isinstance(e, FleetPolled)]
    assert len(polled) == 1
    assert list(polled[0].snapshot.sources) == ["a", "b"]
    assert set(polled[0].diff.changed) == {"a", "b"}
    assert delay == 5.0  # something is migrating: base interval
    assert svc.status.link is Link.ONLINE


async def test_second_poll_diff_names_only_changed_and_removed() -> None:
    client = FakeClient([Src("a"), Src("b", "replicate"), Src("c")])
    svc, events = service(client)
    await svc.poll_fleet()
    client.sources = [Src("a"), Src("b", "replicate", 10)]
    await svc.poll_fleet()
    last = [e for e in events if isinstance(e, FleetPolled)][-1]
    assert set(last.diff.changed) == {"b"} and last.diff.removed == {"c"}


async def test_each_poll_offers_the_last_snapshot_for_reuse() -> None:
    client = FakeClient([Src("a"), Src("b", "replicate")])
    svc, _ = service(client)
    await svc.poll_fleet()
    first = svc.snapshot
    await svc.poll_fleet()
    assert client.same_as[0] == {} and client.same_as[1] is first.sources


async def test_idle_fleet_polls_slower() -> None:
    svc, _ = service(FakeClient([Src("a", "finished")]))
    assert await svc.poll_fleet() == 15.0


async def test_failures_back_off_keep_data_and_go_stale_then_recover() -> None:
    clock = Clock()
    client = FakeClient([Src("a", "replicate")])
    svc, events = service(client, clock)
    await svc.poll_fleet()
    good = svc.snapshot
    client.fail_with = [ex.ServerError("boom", status=500)] * 3 + [
        ex.TransportError("reset")
    ] * 10
    delays = []
    for _ in range(7):
        clock.now += 1
        delays.append(await svc.poll_fleet())
    assert delays == [5.0, 10.0, 20.0, 40.0, 80.0, 120.0, 120.0]
    assert svc.snapshot is good  # last good data kept
    assert svc.status.link is Link.RECONNECTING
    assert svc.status.is_stale(clock.now, 5.0)
    assert svc.status.retry_in(clock.now) == 120.0
    client.fail_with = []
    await svc.poll_fleet()
    assert svc.status.link is Link.ONLINE and svc.status.failures == 0
    changes = [e for e in events if isinstance(e, ConnectionChanged)]
    assert changes[-1].status.link is Link.ONLINE


async def test_rate_limit_retry_after_wins_over_shorter_backoff() -> None:
    client = FakeClient([Src("a")], fail_with=[ex.RateLimited("slow down", retry_after=42)])
    svc, _ = service(client)
    assert await svc.poll_fleet() == 42.0


async def test_auth_failure_is_reported_as_such() -> None:
    client = FakeClient([], fail_with=[ex.AuthError("token expired", status=401,
                                                    error_code="APIGW.0307")])
    svc, events = service(client)
    await svc.poll_fleet()
    status = [e for e in events if isinstance(e, ConnectionChanged)][-1].status
    assert status.link is Link.AUTH_FAILED and status.error is not None
    assert status.error.error_code == "APIGW.0307"


def test_stale_after_20_seconds_even_without_two_misses() -> None:
    status = ConnectionStatus(Link.ONLINE, last_ok=0.0)
    assert not status.is_stale(12.0, 5.0)
    assert status.is_stale(12.6, 5.0)  # 2.5 intervals without fresh data
    assert ConnectionStatus(Link.ONLINE, last_ok=0.0).is_stale(21.0, 60.0)


def test_diff_by_value() -> None:
    d = diff({"a": Src("a"), "b": Src("b")}, {"a": Src("a"), "b": Src("b", "error")})
    assert set(d.changed) == {"b"} and not d.removed and not d.empty


async def test_run_polls_watched_task_and_keeps_history_until_stopped() -> None:
    client = FakeClient([Src("a", "replicate")])
    events: list[Any] = []
    svc = PollingService(client, events.append, intervals=Intervals(fleet=0.05, task=0.01))
    svc.watch_task("t1")
    runner = asyncio.create_task(svc.run())
    # Until three task polls landed (not a fixed 0.1 s: a loaded 2-core machine gave two).
    async with asyncio.timeout(5):
        while sum(isinstance(e, TaskDetailPolled) for e in events) < 3 or client.calls < 2:
            await asyncio.sleep(0.005)
    svc.stop()
    await asyncio.wait_for(runner, 2)
    task_events = [e for e in events if isinstance(e, TaskDetailPolled)]
    assert len(task_events) >= 3
    assert len(task_events[-1].history) == len(task_events)
    assert client.calls >= 2  # scheduled again after each poll finished


async def test_refresh_now_wakes_the_fleet_loop() -> None:
    client = FakeClient([Src("a")])
    svc = PollingService(client, lambda e: None, intervals=Intervals(fleet=3600))
    runner = asyncio.create_task(svc.run())
    await asyncio.sleep(0.02)
    assert client.calls == 1
    svc.refresh_now()
    await asyncio.sleep(0.02)
    assert client.calls == 2
    svc.stop()
    await asyncio.wait_for(runner, 2)


async def test_projects_are_fetched_first_then_every_twelfth_poll_or_on_refresh() -> None:
    client = FakeClient([Src("a")])
    svc, _ = service(client)
    for _ in range(13):
        await svc.poll_fleet()
    assert client.project_calls == 2  # poll 1 and poll 13
    assert svc.snapshot.projects == ("p1",)
    svc.refresh_now()
    await svc.poll_fleet()
    assert client.project_calls == 3


class ErrorsClient(FakeClient):
    """Counts /v3/errors reads; lists the sources in ``error`` as failed servers."""

    def __init__(self, sources: list[Any]) -> None:
        super().__init__(sources)
        self.error_calls = 0
        self.errors_fail: list[Exception] = []

    async def list_all_errors(self, *, migproject: str | None = None) -> list[Any]:
        self.error_calls += 1
        if self.errors_fail:
            raise self.errors_fail.pop(0)
        return [s.id for s in self.sources if s.state == "error"]


async def test_errors_are_read_again_only_when_a_source_fails_or_recovers() -> None:
    client = ErrorsClient([Src("a", "replicate"), Src("b", "error")])
    svc, _ = service(client)
    await svc.poll_fleet()
    assert client.error_calls == 1 and svc.snapshot.errors == ("b",)
    for _ in range(3):  # nothing failed or recovered: the last read stands
        await svc.poll_fleet()
    assert client.error_calls == 1 and svc.snapshot.errors == ("b",)
    client.sources = [Src("a", "error"), Src("b", "error")]
    await svc.poll_fleet()  # "a" failed: read in this very poll
    assert client.error_calls == 2 and svc.snapshot.errors == ("a", "b")
    client.sources = [Src("a", "error"), Src("b", "replicate")]
    await svc.poll_fleet()  # "b" recovered
    assert client.error_calls == 3 and svc.snapshot.errors == ("a",)
    svc.refresh_now()
    await svc.poll_fleet()
    assert client.error_calls == 4


async def test_errors_are_read_every_twelfth_poll_and_after_a_failed_read() -> None:
    client = ErrorsClient([Src("a", "error")])
    svc, _ = service(client)
    for _ in range(13):
        await svc.poll_fleet()
    assert client.error_calls == 2  # poll 1 and poll 13, though nothing changed
    for _ in range(11):
        await svc.poll_fleet()
    client.errors_fail = [ex.ServerError("busy")]
    await svc.poll_fleet()  # poll 25's read fails: the last errors stand ...
    assert client.error_calls == 3 and svc.snapshot.errors == ("a",)
    await svc.poll_fleet()  # ... and the next poll reads them again, though nothing changed
    assert client.error_calls == 4
    client.sources = [Src("a", "error"), Src("b", "error")]
    client.errors_fail = [ex.ServerError("busy")]
    await svc.poll_fleet()  # "b" failed, and reading why fails too ...
    assert client.error_calls == 5 and svc.snapshot.errors == ("a",)
    await svc.poll_fleet()  # ... so the next poll reads again
    assert client.error_calls == 6 and svc.snapshot.errors == ("a", "b")


@dataclass(frozen=True)
class SrcWithTask:
    id: str
    state: str
    current_task: Task


async def test_fleet_polls_record_speed_history_of_running_tasks() -> None:
    client = FakeClient([SrcWithTask("a", "replicate", Task("t-a", 3.0)),  # type: ignore[list-item]
                         SrcWithTask("b", "finished", Task("t-b", 9.0))])  # type: ignore[list-item]
    svc, _ = service(client)
    await svc.poll_fleet()
    await svc.poll_fleet()
    assert [v for _, v in svc.speed_history["t-a"]] == [3.0, 3.0]
    assert "t-b" not in svc.speed_history  # finished tasks do not move


def test_the_heartbeat_is_read_by_the_detail_not_by_the_list() -> None:
    # The list record leaves the agent heartbeat out (it moved for every source on every
    # poll); the detail screen, which shows it, reads it.
    from tui.api.models import SourceDetail, SourceListItem

    assert "last_visit_time" not in SourceListItem.__struct_fields__
    assert SourceDetail.model_validate({"id": "s", "last_visit_time": 7}).last_visit_time == 7


def test_diff_on_real_models_ignores_last_visit_time_only() -> None:
    from tui.api.models import SourceListItem

    base = {"id": "s", "state": "replicate", "last_visit_time": 1,
            "current_task": {"id": "t", "migrate_speed": 1.0}}
    a = SourceListItem.model_validate(base)
    b = SourceListItem.model_validate({**base, "last_visit_time": 2})
    c = SourceListItem.model_validate({**base, "current_task": {"id": "t", "migrate_speed": 2.0}})
    assert diff({"s": a}, {"s": b}).empty
    assert set(diff({"s": a}, {"s": c}).changed) == {"s"}


async def test_speed_history_is_bounded_and_forgets_tasks_that_stop() -> None:
    from tui.service.poller import FLEET_HISTORY

    client = FakeClient([SrcWithTask("a", "replicate", Task("t-a", 3.0)),  # type: ignore[list-item]
                         SrcWithTask("b", "replicate", Task("t-b", 4.0))])  # type: ignore[list-item]
    clock = Clock()
    svc, _ = service(client, clock)
    for _ in range(FLEET_HISTORY + 25):
        clock.now += 5
        await svc.poll_fleet()
    assert len(svc.speed_history["t-a"]) == FLEET_HISTORY  # the oldest fell off
    assert svc.speed_history["t-a"][-1] == (clock.now, 3.0)
    for _ in range(400):  # the open task's own poll keeps up to history_len
        svc._record_speed("t-b", Task("t-b", 5.0), clock.now)
    assert len(svc.speed_history["t-b"]) == svc.history_len == 300
    client.sources = [SrcWithTask("a", "finished", Task("t-a", 0.0))]  # type: ignore[list-item]
    await svc.poll_fleet()
    assert "t-a" not in svc.speed_history and "t-b" not in svc.speed_history
