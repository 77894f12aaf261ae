"""Every connection failure carries its reason (refused, DNS, TLS, timeout, bad response), read
from real sockets, and the header/help words for it (no Textual here)."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.sim_server import free_port, serve
from tui.api import exceptions as ex
from tui.api.client import SmsClient
from tui.api.transport import RetryPolicy
from tui.service.link_reason import link_hint, link_reason
from tui.service.state import ConnectionStatus, Link
from tui.sim import SimConfig, SimTransport, create_app


async def failure(base: str, transport: httpx.AsyncBaseTransport | None = None,
                  **kw: object) -> ex.SmsError:
    client = SmsClient(base, transport=transport, retry=RetryPolicy(attempts=0),
                       **kw)  # type: ignore[arg-type]
    try:
        await client.list_sources(limit=1)
    except ex.SmsError as exc:
        return exc
    finally:
        await client.aclose()
    raise AssertionError("the read succeeded")


async def test_refused() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", free_port()))
        err = await failure(f"http://127.0.0.1:{s.getsockname()[1]}")  # bound, not listening
    assert isinstance(err, ex.TransportError) and err.kind == "refused"
    assert link_reason(err).startswith("connection refused")
    assert "host and port" in link_hint(err)


async def test_dns() -> None:
    err = await failure("http://no-such-host.invalid")
    assert isinstance(err, ex.TransportError) and err.kind == "dns"
    assert link_reason(err).startswith("DNS: host name not found")


async def test_tls_against_a_plain_http_port() -> None:
    with serve(create_app(SimConfig(sources=1))) as base:
        err = await failure(base.replace("http://", "https://"))
    assert isinstance(err, ex.TransportError) and err.kind == "tls"
    assert link_reason(err).startswith("TLS handshake failed")


async def test_timeout() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", free_port()))
        s.listen(1)  # accepts into the backlog, never answers
        err = await failure(f"http://127.0.0.1:{s.getsockname()[1]}", timeout=0.3)
    assert isinstance(err, ex.TransportError) and err.kind == "timeout"
    assert link_reason(err).startswith("timed out")


async def test_bad_response_says_what_was_wrong() -> None:
    app = create_app(SimConfig(sources=1, faults="malformed=1"))
    err = await failure("http://sim.test", SimTransport(app))
    assert isinstance(err, ex.BadResponse)
    reason = link_reason(err)
    assert reason.startswith("bad response: ") and "not valid JSON" in reason


def test_the_status_has_a_reason_only_when_not_online() -> None:
    err = ex.TransportError("could not connect: x", kind="refused")
    assert ConnectionStatus(Link.RECONNECTING, error=err).reason.startswith("connection refused")
    assert ConnectionStatus(Link.ONLINE, error=err).reason == ""
    hostile = ex.ServerError("boom \x1b]0;x\x07", status=503, error_code="SMS.9999")
    assert "\x1b" not in link_reason(hostile) and link_reason(hostile).startswith("HTTP 503")


@pytest.mark.parametrize("kind", ["refused", "dns", "tls", "timeout", "reset", "network"])
def test_every_kind_has_words(kind: str) -> None:
    assert link_reason(ex.TransportError("m", kind=kind), detail=False) != "error"


def test_a_gateway_html_page_is_named_by_its_title() -> None:
    err = ex.ServerError("<html><head><title>503 Service Unavailable</title></head><body>"
                         "<h1>503</h1></body></html>", status=503)
    assert link_reason(err) == "HTTP 503: 503 Service Unavailable (an HTML page)"
