"""A write whose answer is lost is "outcome unknown", never "failed"; a write that certainly did
not leave this machine is a plain failure (and may be retried); reads are unchanged."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tui.api import exceptions as ex
from tui.api.transport import Caller, RetryPolicy
from tests.api.test_transport import Recorder, make_caller, sms_error


@pytest.mark.parametrize("failure", [
    httpx.ReadTimeout("timed out"),
    httpx.ReadError("connection reset by peer"),
    httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
    httpx.WriteError("broken pipe"),
])
async def test_a_write_that_may_have_been_sent_has_an_unknown_outcome(failure: Exception) -> None:
    rec = Recorder(failure)
    caller, sleeps = make_caller(rec)
    with pytest.raises(ex.OutcomeUnknown) as info:
        await caller.call("POST", "/v3/tasks/t1/action", json_body={"operation": "stop"})
    assert len(rec.requests) == 1 and sleeps == []  # sent once, never repeated
    assert not isinstance(info.value, ex.TransportError)
    assert "may have reached the server" in info.value.message
    assert (info.value.method, info.value.url) == ("POST", "/v3/tasks/t1/action")


async def test_a_success_status_with_a_truncated_body_is_unknown_for_a_write() -> None:
    rec = Recorder(httpx.Response(200, content=b'{"id": "t1", "na'))
    caller, _ = make_caller(rec)
    with pytest.raises(ex.OutcomeUnknown) as info:
        await caller.call("POST", "/v3/tasks/t1/action", json_body={"operation": "start"})
    assert info.value.status == 200
    # A read with the same body stays a bad response (nothing to verify: it changed nothing).
    caller, _ = make_caller(Recorder(httpx.Response(200, content=b'{"id": "t1", "na')))
    with pytest.raises(ex.BadResponse):
        await caller.call("GET", "/v3/tasks/t1")


@pytest.mark.parametrize("failure", [httpx.ConnectError("connection refused"),
                                     httpx.ConnectTimeout("connect timed out")])
async def test_a_write_refused_before_sending_is_a_plain_failure(failure: Exception) -> None:
    caller, sleeps = make_caller(Recorder(failure), retry=RetryPolicy(attempts=1))
    with pytest.raises(ex.TransportError) as info:
        await caller.call("POST", "/v3/tasks/t1/action", json_body={"operation": "stop"})
    assert not isinstance(info.value, ex.OutcomeUnknown)
    assert sleeps == [1.0]  # it never left, so it was safe to try once more


async def test_a_server_refusal_is_failed_not_unknown() -> None:
    caller, _ = make_caller(Recorder(sms_error(400, "SMS.7714")))
    with pytest.raises(ex.InvalidRequest):
        await caller.call("POST", "/v3/tasks/t1/action", json_body={"operation": "stop"})


async def test_the_deadline_after_sending_a_write_is_unknown_but_before_it_is_not() -> None:
    async def slow_answer(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, json={})

    http = httpx.AsyncClient(base_url="http://sms.test",
                             transport=httpx.MockTransport(slow_answer))
    caller = Caller(http, deadline=0.1)
    with pytest.raises(ex.OutcomeUnknown):
        await caller.call("POST", "/v3/tasks/t1/action", json_body={"operation": "stop"})
    with pytest.raises(ex.DeadlineExceeded):
        await caller.call("GET", "/v3/tasks/t1")

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    http = httpx.AsyncClient(base_url="http://sms.test", transport=httpx.MockTransport(refused))
    caller = Caller(http, deadline=0.2, retry=RetryPolicy(attempts=9, base_delay=0.05))
    # Every attempt was refused before sending: the write surely did not happen.
    with pytest.raises(ex.DeadlineExceeded):
        await caller.call("POST", "/v3/tasks/t1/action", json_body={"operation": "stop"})


@pytest.mark.parametrize(("status", "unknown"), [(502, True), (504, True), (500, False),
                                                 (503, False)])
async def test_a_gateway_that_lost_the_backend_leaves_a_write_unknown(status: int,
                                                                      unknown: bool) -> None:
    caller, _ = make_caller(Recorder(httpx.Response(status, text="<html>gateway</html>")))
    with pytest.raises(ex.SmsError) as info:
        await caller.call("POST", "/v3/tasks/t1/action", json_body={"operation": "stop"})
    assert isinstance(info.value, ex.OutcomeUnknown) is unknown
    assert info.value.status == status
