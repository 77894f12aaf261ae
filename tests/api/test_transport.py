"""The HTTP layer: retries, backoff, deadlines and typed errors, against httpx.MockTransport."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from tui.api import exceptions as ex
from tui.api.transport import Caller, RetryPolicy, error_from_response, parse_retry_after


class Recorder:
    """A MockTransport handler that plays a script of answers and records every request."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def sms_error(status: int, code: str, msg: str = "x", params: list[str] | None = None,
              headers: dict[str, str] | None = None) -> httpx.Response:
    body = {"error_code": code, "error_msg": msg, "error_param": params or []}
    return httpx.Response(status, json=body, headers=headers)


def make_caller(handler: Callable[[httpx.Request], httpx.Response], **kw: object):
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    http = httpx.AsyncClient(base_url="http://sms.test", transport=httpx.MockTransport(handler))
    caller = Caller(http, sleep=fake_sleep, rng=lambda: 0.5, **kw)  # type: ignore[arg-type]
    return caller, sleeps


async def test_get_retries_5xx_with_doubling_backoff_then_succeeds() -> None:
    rec = Recorder(sms_error(503, "SMS.9999"), sms_error(502, "SMS.9999"),
                   httpx.Response(200, json={"ok": 1}))
    caller, sleeps = make_caller(rec)
    assert await caller.call("GET", "/v3/sources") == {"ok": 1}
    assert len(rec.requests) == 3
    assert sleeps == [1.0, 2.0]  # rng 0.5 -> no jitter


async def test_get_gives_up_after_four_retries_with_a_server_error() -> None:
    rec = Recorder(sms_error(500, "SMS.9999", "boom"))
    caller, sleeps = make_caller(rec)
    with pytest.raises(ex.ServerError) as info:
        await caller.call("GET", "/v3/tasks")
    assert len(rec.requests) == 5
    assert sleeps == [1.0, 2.0, 4.0, 8.0]
    assert info.value.status == 500 and info.value.error_code == "SMS.9999"


async def test_429_honours_retry_after() -> None:
    rec = Recorder(sms_error(429, "SMS.9001", headers={"Retry-After": "7"}),
                   httpx.Response(200, json={}))
    caller, sleeps = make_caller(rec)
    await caller.call("GET", "/v3/sources")
    assert sleeps == [7.0]


def test_retry_after_is_capped_and_parses_dates() -> None:
    assert parse_retry_after("600") == 60.0
    assert parse_retry_after("garbage") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0


def test_backoff_jitter_stays_within_bounds() -> None:
    policy = RetryPolicy()
    assert policy.delay(0, lambda: 0.0) == pytest.approx(0.75)
    assert policy.delay(3, lambda: 1.0) == pytest.approx(10.0)


async def test_writes_are_not_retried_once_they_may_have_reached_the_server() -> None:
    rec = Recorder(sms_error(503, "SMS.9999"))
    caller, sleeps = make_caller(rec)
    with pytest.raises(ex.ServerError):
        await caller.call("POST", "/v3/tasks/t1/action", json_body={"operation": "stop"})
    assert len(rec.requests) == 1 and sleeps == []

    rec = Recorder(httpx.ReadError("reset"))
    caller, sleeps = make_caller(rec)
    # Reset after sending: the write may have landed, so its outcome is unknown (not failed).
    with pytest.raises(ex.OutcomeUnknown):
        await caller.call("PUT", "/v3/tasks/t1", json_body={})
    assert len(rec.requests) == 1


async def test_writes_retry_when_the_connection_never_opened() -> None:
    rec = Recorder(httpx.ConnectError("refused"), httpx.Response(200, json={"id": "t"}))
    caller, sleeps = make_caller(rec)
    assert await caller.call("POST", "/v3/tasks", json_body={}) == {"id": "t"}
    assert len(rec.requests) == 2 and sleeps == [1.0]


async def test_every_attempt_is_a_fresh_request() -> None:
    rec = Recorder(sms_error(500, "SMS.9999"), httpx.Response(200, json={}))
    caller, _ = make_caller(rec)
    await caller.call("GET", "/v3/sources", params={"limit": 200})
    assert rec.requests[0] is not rec.requests[1]
    assert rec.requests[1].url.params["limit"] == "200"


async def test_overall_deadline_covers_retries() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("slow")

    http = httpx.AsyncClient(base_url="http://sms.test", transport=httpx.MockTransport(slow))
    caller = Caller(http, deadline=0.2, sleep=asyncio.sleep, rng=lambda: 0.5)
    with pytest.raises(ex.DeadlineExceeded):
        await caller.call("GET", "/v3/sources")


@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, ex.InvalidRequest), (401, ex.AuthError), (403, ex.PermissionDenied),
     (404, ex.NotFound), (409, ex.InvalidRequest), (429, ex.RateLimited), (500, ex.ServerError),
     (503, ex.ServerError)],
)
async def test_status_maps_to_typed_error(status: int, cls: type[ex.SmsError]) -> None:
    rec = Recorder(sms_error(status, "SMS.9004", "You do not have permission", ["a"]))
    caller, _ = make_caller(rec, retry=RetryPolicy(attempts=0))
    with pytest.raises(cls) as info:
        await caller.call("GET", "/v3/sources/x")
    err = info.value
    assert type(err) is cls
    assert (err.status, err.error_code, err.params) == (status, "SMS.9004", ["a"])
    assert "SMS.9004" in str(err)


async def test_error_param_as_json_string_is_decoded() -> None:
    resp = httpx.Response(400, json={"error_code": "SMS.1302", "error_param": '["/mnt/vdb1"]'},
                          request=httpx.Request("GET", "http://sms.test/v3/x"))
    err = error_from_response(resp)
    assert err.params == ["/mnt/vdb1"]


async def test_non_json_error_and_malformed_success_bodies() -> None:
    rec = Recorder(httpx.Response(502, text="<html>Bad gateway</html>"))
    caller, _ = make_caller(rec, retry=RetryPolicy(attempts=0))
    with pytest.raises(ex.ServerError) as info:
        await caller.call("GET", "/v3/sources")
    assert info.value.error_code is None and "Bad gateway" in info.value.message

    rec = Recorder(httpx.Response(200, content=b'{"count": 3, "source_ser'))
    caller, _ = make_caller(rec)
    with pytest.raises(ex.BadResponse):
        await caller.call("GET", "/v3/sources")


async def test_apig_signature_failure_shows_both_canonical_requests() -> None:
    body = {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication "
            "information: verify aksk signature fail, canonical request: GET\n/v3/sources/\n\n"}

    def handler(request: httpx.Request) -> httpx.Response:
        request.extensions["sdk_canonical_request"] = "GET\n/v3/sources/\nours"
        return httpx.Response(401, json=body)

    caller, _ = make_caller(handler)
    with pytest.raises(ex.SignatureError) as info:
        await caller.call("GET", "/v3/sources")
    text = str(info.value)
    assert "server's canonical request" in text and "GET\n/v3/sources/" in text
    assert info.value.canonical_request_server is not None


async def test_an_answer_read_is_freed_when_dropped_not_left_to_the_cycle_collector() -> None:
    import gc
    import weakref

    http = httpx.AsyncClient(base_url="http://sms.test", transport=httpx.MockTransport(
        lambda request: httpx.Response(200, json={"page": "x" * 1000})))
    caller = Caller(http)
    gc.disable()
    try:
        response = await caller._send(http.build_request("GET", "/v3/sources"))
        assert response.json() == {"page": "x" * 1000}
        gone = weakref.ref(response)
        del response
        assert gone() is None  # freed by its reference count: no cycle kept it
    finally:
        gc.enable()
        await http.aclose()
