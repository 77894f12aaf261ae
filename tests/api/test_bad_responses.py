"""Bad responses (issue 13): unreadable records are skipped and counted, deep or broken JSON is
a typed BadResponse, oversized answers are refused at a cap, and a failed page is retried."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tui.api import exceptions as ex
from tui.api.client import SmsClient
from tui.api.transport import RetryPolicy
from tui.service.poller import ConnectionChanged, PollingService
from widgets.status_header import StatusHeader


def source(i: int, **extra: Any) -> dict[str, Any]:
    return {"id": f"s-{i}", "name": f"web-{i}", "state": "replicate",
            "current_task": {"id": f"t-{i}", "migrate_speed": 1.5}, **extra}


def client_for(handler: Any, **kw: Any) -> SmsClient:
    async def no_sleep(_: float) -> None:
        return None

    return SmsClient("http://sms.test", transport=httpx.MockTransport(handler), sleep=no_sleep,
                     rng=lambda: 0.5, **kw)


def fleet_handler(rows: list[Any], count: int | None = None) -> Any:
    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v3/sources":
            offset = int(request.url.params.get("offset", 0))
            limit = int(request.url.params.get("limit", 200))
            return httpx.Response(200, json={"count": len(rows) if count is None else count,
                                             "source_servers": rows[offset:offset + limit]})
        if path == "/v3/errors":
            return httpx.Response(200, json={"count": 0, "migration_errors": []})
        if path == "/v3/migprojects":
            return httpx.Response(200, json={"count": 0, "migprojects": []})
        return httpx.Response(200, json={"waiting": 0})

    return handle


async def test_a_source_whose_current_task_is_not_an_object_is_skipped_not_the_fleet() -> None:
    rows = [source(1), source(2, current_task="garbage"), source(3)]
    async with client_for(fleet_handler(rows)) as sms:
        got = await sms.list_all_sources()
    assert [s.id for s in got] == ["s-1", "s-3"]
    assert len(got.skipped) == 1
    assert "s-2" in got.skipped[0] and "current_task" in got.skipped[0]


async def test_skipped_records_are_counted_across_pages() -> None:
    rows = [source(i) for i in range(450)]
    rows[5] = source(5, current_task=[1, 2])
    rows[260] = "not even an object"  # type: ignore[call-overload]
    async with client_for(fleet_handler(rows)) as sms:
        got = await sms.list_all_sources()
    assert len(got) == 448 and len(got.skipped) == 2
    assert any("record 260" in why for why in got.skipped)


async def test_an_envelope_that_is_wrong_is_still_a_bad_response() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"count": "many", "source_servers": "nope"})

    async with client_for(handle) as sms:
        with pytest.raises(ex.BadResponse):
            await sms.list_sources()


async def test_the_poller_shows_the_rest_and_the_header_says_how_many_were_skipped() -> None:
    rows = [source(1), source(2, current_task="garbage"), source(3)]
    events: list[Any] = []
    async with client_for(fleet_handler(rows)) as sms:
        svc = PollingService(sms, events.append)
        await svc.poll_fleet()
    assert list(svc.snapshot.sources) == ["s-1", "s-3"]
    status = [e for e in events if isinstance(e, ConnectionChanged)][-1].status
    assert len(status.skipped) == 1
    header = StatusHeader("sim", None, read_only=False, interval=5.0, clock=lambda: 0.0)
    header.set_reactive(StatusHeader.status, status)
    assert "1 unreadable record skipped" in header.render().plain


@pytest.mark.parametrize("status", [200, 500])
async def test_deeply_nested_json_is_a_bad_response_not_a_recursion_error(status: int) -> None:
    body = b"[" * 200_000 + b"]" * 200_000

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body,
                              headers={"Content-Type": "application/json"})

    retry = RetryPolicy(attempts=0)
    async with client_for(handle, retry=retry) as sms:
        with pytest.raises(ex.SmsError) as info:
            await sms.get_overview()
    if status == 200:
        assert isinstance(info.value, ex.BadResponse)
    else:
        assert isinstance(info.value, ex.ServerError)


async def test_an_answer_over_the_size_cap_is_refused_as_a_bad_response() -> None:
    big = b'{"count": 0, "source_servers": [], "pad": "' + b"x" * 3_000_000 + b'"}'

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=big)

    async with client_for(handle, max_response_bytes=1_000_000) as sms:
        with pytest.raises(ex.BadResponse, match="larger than"):
            await sms.list_sources()
    # The same answer under a larger cap is read.
    async with client_for(handle, max_response_bytes=4_000_000) as sms:
        assert (await sms.list_sources()).count == 0


async def test_the_cap_holds_when_the_length_is_not_announced() -> None:
    async def chunks() -> Any:
        for _ in range(40):
            yield b"x" * 100_000

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks())

    async with client_for(handle, max_response_bytes=1_000_000) as sms:
        with pytest.raises(ex.BadResponse, match="larger than"):
            await sms.get_overview()


async def test_a_page_that_fails_all_its_retries_is_tried_again_within_the_listing() -> None:
    rows = [source(i) for i in range(600)]
    inner = fleet_handler(rows)
    failures = {"left": 5}  # exactly one full round of attempts (1 + 4 retries) on one page

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("offset") == "400" and failures["left"] > 0:
            failures["left"] -= 1
            return httpx.Response(500, json={"error_code": "SMS.9999", "error_msg": "boom"})
        return inner(request)  # type: ignore[no-any-return]

    async with client_for(handle) as sms:
        got = await sms.list_all_sources()
    assert len(got) == 600 and failures["left"] == 0


def test_the_size_cap_is_configurable_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.config import ConfigError
    from tui.connect import max_response_bytes, open_client, resolve

    assert max_response_bytes({}) == 32 * 2**20
    assert max_response_bytes({"MIGDASH_MAX_RESPONSE_MB": "2"}) == 2 * 2**20
    for bad in ("0", "nan", "inf", "lots"):
        with pytest.raises(ConfigError, match="MIGDASH_MAX_RESPONSE_MB"):
            max_response_bytes({"MIGDASH_MAX_RESPONSE_MB": bad})
    monkeypatch.setenv("MIGDASH_MAX_RESPONSE_MB", "3")
    client = open_client(resolve(demo=True))
    assert client._caller.max_response_bytes == 3 * 2**20


async def test_a_record_that_moved_to_the_next_page_between_reads_is_listed_once() -> None:
    # A source added while the pages are read pushes the last record of page one onto page
    # two: it arrives twice and is kept once, where it was first seen.
    rows = [source(i) for i in range(400)]
    shifted = rows[:200] + [rows[199]] + rows[200:]

    def handle(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", 0))
        return httpx.Response(200, json={"count": len(shifted),
                                         "source_servers": shifted[offset:offset + 200]})

    async with client_for(handle) as sms:
        got = await sms.list_all_sources()
    assert [s.id for s in got] == [f"s-{i}" for i in range(400)]
    assert got.skipped == ()


async def test_records_equal_to_known_ones_come_back_as_those_objects() -> None:
    # The poller passes its snapshot: an unchanged record is the snapshot's own object (one
    # copy of the fleet kept, not two), a changed or new one is the fresh read.
    rows = [source(i) for i in range(450)]
    async with client_for(fleet_handler(rows)) as sms:
        first = await sms.list_all_sources()
        known = {s.id: s for s in first}
        rows[7] = source(7, name="renamed")
        rows.append(source(450))
        second = await sms.list_all_sources(same_as=known)
    by_id = {s.id: s for s in second}
    assert len(second) == 451
    assert by_id["s-0"] is known["s-0"] and by_id["s-449"] is known["s-449"]  # pages 1 and 3
    assert by_id["s-7"] is not known["s-7"] and by_id["s-7"].name == "renamed"
    assert "s-450" not in known and by_id["s-450"].id == "s-450"
    assert sum(s is known.get(s.id) for s in second) == 449


async def test_same_as_is_not_sent_as_a_filter() -> None:
    seen: list[httpx.URL] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return fleet_handler([source(1)])(request)

    async with client_for(handle) as sms:
        await sms.list_all_sources(same_as={}, state="replicate")
    assert seen and all(dict(url.params) == {"limit": "200", "offset": "0", "state": "replicate"}
                        for url in seen)
