"""tui.api.wire.Http1Transport against scripted servers on loopback: framing, keep-alive,
the pool, hostile answers, timeouts, TLS, and what the Caller makes of its failures."""

from __future__ import annotations

import asyncio
import gzip
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from tui.api import exceptions as ex
from tui.api.transport import Caller, RetryPolicy, failure_kind, open_http
from tui.api.wire import MAX_HEAD_BYTES, Http1Transport

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, "Server"], Awaitable[None]]


class Server:
    """A loopback server running ``handler`` per connection; counts connections and requests."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.requests: list[bytes] = []
        self.live = 0
        self.most_live = 0

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.live += 1
        self.most_live = max(self.most_live, self.live)
        try:
            await self.handler(reader, writer, self)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # (cancelled: the test ended while this connection was still open)
        finally:
            self.live -= 1
            writer.close()

    async def request(self, reader: asyncio.StreamReader) -> bytes:
        """One request's head and body (by its Content-Length); b"" if the client left."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return b""
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        body = await reader.readexactly(length) if length else b""
        self.requests.append(head + body)
        return head + body


@asynccontextmanager
async def serving(handler: Handler, tls: ssl.SSLContext | None = None
                  ) -> AsyncIterator[tuple[Server, str]]:
    server = Server(handler)
    srv = await asyncio.start_server(server._serve, "127.0.0.1", 0, ssl=tls)
    port = srv.sockets[0].getsockname()[1]
    try:
        yield server, f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    finally:
        srv.close()


def answer(body: bytes = b'{"ok": true}', *, status: str = "200 OK",
           headers: bytes = b"") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n").encode() + headers + b"\r\n" + body


def keep_answering(reply: bytes = answer()) -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                      server: Server) -> None:
        while await server.request(reader):
            writer.write(reply)
            await writer.drain()
    return handler


def once(reply: bytes, *, then_close: bool = True) -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                      server: Server) -> None:
        await server.request(reader)
        writer.write(reply)
        await writer.drain()
        if not then_close:
            await reader.read()
    return handler


def silent_after(reply: bytes = b"", seconds: float = 2.0) -> Handler:
    """Reads the request, writes ``reply`` (perhaps nothing), then says nothing for a while."""
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                      server: Server) -> None:
        await server.request(reader)
        writer.write(reply)
        await writer.drain()
        await asyncio.sleep(seconds)
    return handler


def client(base: str, timeout: httpx.Timeout | float = 2.0,
           **kw: object) -> tuple[httpx.AsyncClient, Http1Transport]:
    transport = Http1Transport(**kw)  # type: ignore[arg-type]
    return httpx.AsyncClient(base_url=base, transport=transport, timeout=timeout), transport


async def ask_twice(handler: Handler, method: str = "GET") -> tuple[list[httpx.Response], int]:
    """The same request twice to a server: both answers, and how many connections it took."""
    async with serving(handler) as (server, base):
        http, transport = client(base)
        answers = [await http.request(method, "/") for _ in range(2)]
        await http.aclose()
        return answers, transport.opened


# -- framing ------------------------------------------------------------------------------

async def test_a_content_length_answer_is_read_and_its_connection_reused() -> None:
    async with serving(keep_answering(answer(b'{"n": 1}', headers=b"X-Trace: a b\r\n"))) as (
            server, base):
        http, transport = client(base)
        first = await http.get("/v3/sources", params={"limit": 2})
        second = await http.get("/v3/sources")
        assert first.status_code == 200 and first.reason_phrase == "OK"
        assert first.json() == {"n": 1} and second.json() == {"n": 1}
        assert first.headers["x-trace"] == "a b"
        assert transport.opened == 1 and server.connections == 1
        assert server.requests[0].startswith(b"GET /v3/sources?limit=2 HTTP/1.1\r\n")
        assert b"\r\nHost: 127.0.0.1:" in server.requests[0]
        await http.aclose()


@pytest.mark.parametrize("reply, content, opened", [
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"  # extensions, trailers
     b"5;name=x\r\nhello\r\n7\r\n, world\r\n0\r\nX-Checksum: 1\r\n\r\n", b"hello, world", 1),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"5\r\nhello\r\n0\r\n\r\n", b"hello", 2),  # both framings: chunked, then not reused
], ids=["chunked", "chunked-and-length"])
async def test_a_chunked_answer_is_joined(reply: bytes, content: bytes, opened: int) -> None:
    answers, connections = await ask_twice(keep_answering(reply))
    assert [a.content for a in answers] == [content] * 2
    assert connections == opened


async def test_an_answer_without_length_runs_to_the_close_and_is_not_reused() -> None:
    reply = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + b"x" * 300_000
    answers, opened = await ask_twice(once(reply))
    assert [len(a.content) for a in answers] == [300_000] * 2
    assert opened == 2


async def test_connection_close_and_http_1_0_are_not_reused() -> None:
    replies = [answer(headers=b"Connection: close\r\n"),
               answer().replace(b"HTTP/1.1", b"HTTP/1.0")]
    for reply in replies:
        answers, opened = await ask_twice(keep_answering(reply))
        assert [a.json() for a in answers] == [{"ok": True}] * 2
        assert opened == 2


async def test_head_204_and_304_have_no_body_and_keep_the_connection() -> None:
    answers, opened = await ask_twice(keep_answering(b"HTTP/1.1 204 No Content\r\n\r\n"),
                                      "DELETE")
    assert [a.status_code for a in answers] == [204, 204] and opened == 1
    not_modified = b"HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n"
    answers, opened = await ask_twice(keep_answering(not_modified))
    assert [a.status_code for a in answers] == [304, 304] and opened == 1
    head_reply = b"HTTP/1.1 200 OK\r\nContent-Length: 9999\r\n\r\n"  # HEAD: no body follows
    answers, opened = await ask_twice(keep_answering(head_reply), "HEAD")
    assert [a.content for a in answers] == [b"", b""] and opened == 1
    assert answers[0].headers["content-length"] == "9999"


async def test_interim_100_answers_are_skipped() -> None:
    reply = b"HTTP/1.1 100 Continue\r\n\r\n" + answer(b'{"a": 1}')
    async with serving(keep_answering(reply)) as (server, base):
        http, _ = client(base)
        assert (await http.post("/", json={"x": 1})).json() == {"a": 1}
        await http.aclose()


async def test_a_gzip_answer_is_decoded_by_httpx() -> None:
    packed = gzip.compress(b'{"big": "' + b"y" * 10_000 + b'"}')
    async with serving(keep_answering(answer(packed, headers=b"Content-Encoding: gzip\r\n"))
                       ) as (server, base):
        http, _ = client(base)
        assert len((await http.get("/")).json()["big"]) == 10_000
        await http.aclose()


async def test_a_post_body_is_sent_framed_by_its_length() -> None:
    async with serving(keep_answering()) as (server, base):
        http, _ = client(base)
        await http.post("/v3/tasks", json={"name": "t1"})
        sent = server.requests[0]
        assert sent.startswith(b"POST /v3/tasks HTTP/1.1\r\n")
        assert b"\r\nContent-Length: 13\r\n" in sent and sent.endswith(b'\r\n\r\n{"name":"t1"}')
        await http.aclose()


async def test_a_streamed_request_body_is_sent_whole_with_a_length() -> None:
    async def parts() -> AsyncIterator[bytes]:
        yield b"ab"
        yield b"cd"
    async with serving(keep_answering()) as (server, base):
        http, _ = client(base)
        await http.post("/", content=parts())
        sent = server.requests[0]
        assert b"Transfer-Encoding" not in sent and b"Content-Length: 4\r\n" in sent
        assert sent.endswith(b"\r\n\r\nabcd")
        await http.aclose()


# -- hostile or broken answers --------------------------------------------------------------

@pytest.mark.parametrize("reply, why", [
    (b"HTTP/2 200 OK\r\n\r\n", "malformed status line"),
    (b"HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n", "malformed status line"),
    (b"<html>hello</html>\r\n\r\n", "malformed status line"),
    (b"HTTP/1.1 200 OK\r\nNo colon here\r\nContent-Length: 0\r\n\r\n", "malformed header line"),
    (b"HTTP/1.1 200 OK\r\nX-A: a\x1b[2Jb\r\nContent-Length: 0\r\n\r\n", "malformed header line"),
    (b"HTTP/1.1 200 OK\r\n folded: x\r\nContent-Length: 0\r\n\r\n", "malformed header line"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello", "bad Content-Length"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nhello", "bad Content-Length"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\nhello", "bad Content-Length"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY", "not followed by CRLF"),
    (b"HTTP/1.1 101 Switching Protocols\r\n\r\n", "switched protocols"),
])
async def test_a_malformed_answer_is_a_protocol_error(reply: bytes, why: str) -> None:
    async with serving(once(reply, then_close=False)) as (server, base):
        http, _ = client(base)
        with pytest.raises(httpx.RemoteProtocolError, match=why):
            await http.get("/")
        await http.aclose()


async def test_a_head_past_the_limit_is_refused_without_reading_on() -> None:
    flood = b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"a" * (MAX_HEAD_BYTES + 10) + b"\r\n\r\n"
    async with serving(once(flood, then_close=False)) as (server, base):
        http, _ = client(base)
        with pytest.raises(httpx.RemoteProtocolError, match="larger than 64 KiB"):
            await http.get("/")
        await http.aclose()


async def test_an_answer_cut_short_is_a_protocol_error() -> None:
    async with serving(once(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..")) as (
            server, base):
        http, _ = client(base)
        with pytest.raises(httpx.RemoteProtocolError, match="mid-answer"):
            await http.get("/")
        await http.aclose()


async def test_bytes_arriving_on_an_idle_connection_drop_it() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                      server: Server) -> None:
        while await server.request(reader):
            writer.write(answer() + b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")  # one extra
            await writer.drain()
    async with serving(handler) as (server, base):
        http, transport = client(base)
        await http.get("/")
        await asyncio.sleep(0.05)
        assert (await http.get("/")).json() == {"ok": True}  # not the stray empty answer
        assert transport.opened == 2
        await http.aclose()


async def test_a_header_that_would_split_the_request_is_never_sent() -> None:
    async with serving(keep_answering()) as (server, base):
        http, _ = client(base)
        for headers in ({"X-Name": "a\r\nX-Admin: yes"}, {"X-Name": "a\nb"}, {"X-Name": "a\0"}):
            with pytest.raises(httpx.LocalProtocolError, match="forbidden character"):
                await http.get("/", headers=headers)
        assert server.requests == []
        await http.aclose()


# -- the pool and reuse races ---------------------------------------------------------------

async def test_an_idle_connection_the_server_closed_is_not_reused() -> None:
    async with serving(once(answer())) as (server, base):  # answers once, then closes
        http, transport = client(base)
        await http.get("/")
        await asyncio.sleep(0.05)  # the FIN arrives while idle
        await http.post("/", json={})
        assert transport.opened == 2 and len(server.requests) == 2
        await http.aclose()


def close_on_second_request() -> Handler:
    """Answers a connection's first request; reads its second and closes without answering
    (the server's idle timeout racing the client's reuse)."""
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                      server: Server) -> None:
        await server.request(reader)
        writer.write(answer())
        await writer.drain()
        await server.request(reader)
    return handler


async def test_a_get_that_lost_the_reuse_race_is_sent_once_more_on_a_new_connection() -> None:
    async with serving(close_on_second_request()) as (server, base):
        http, transport = client(base)
        await http.get("/a")
        assert (await http.get("/b")).json() == {"ok": True}
        assert transport.opened == 2
        assert [r.split(b" ")[1] for r in server.requests] == [b"/a", b"/b", b"/b"]
        await http.aclose()


async def test_a_write_that_lost_the_reuse_race_is_not_resent_and_its_outcome_is_unknown(
) -> None:
    async with serving(close_on_second_request()) as (server, base):
        http = open_http(base, timeout=2.0)
        caller = Caller(http, retry=RetryPolicy(attempts=0))
        await caller.call("GET", "/a")
        with pytest.raises(ex.OutcomeUnknown):
            await caller.call("POST", "/v3/tasks", json_body={"name": "t"})
        assert [r.split(b" ")[0] for r in server.requests] == [b"GET", b"POST"]
        await http.aclose()


async def test_no_more_than_max_connections_requests_are_in_flight() -> None:
    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                   server: Server) -> None:
        while await server.request(reader):
            await asyncio.sleep(0.05)
            writer.write(answer())
            await writer.drain()
    async with serving(slow) as (server, base):
        http, transport = client(base, max_connections=2)
        replies = await asyncio.gather(*(http.get(f"/{i}") for i in range(6)))
        assert [r.status_code for r in replies] == [200] * 6
        assert server.most_live == 2 and transport.opened == 2
        await http.aclose()


async def test_a_request_waiting_too_long_for_a_slot_is_a_pool_timeout() -> None:
    async with serving(silent_after()) as (server, base):
        http, _ = client(base, httpx.Timeout(5.0, pool=0.1), max_connections=1)
        first = asyncio.create_task(http.get("/slow"))
        await asyncio.sleep(0.05)
        with pytest.raises(httpx.PoolTimeout):
            await http.get("/waits")
        first.cancel()
        await asyncio.gather(first, return_exceptions=True)
        await http.aclose()


async def test_a_slot_handed_to_a_request_that_just_gave_up_passes_on() -> None:
    async with serving(keep_answering()) as (server, base):
        http, _ = client(base, httpx.Timeout(2.0, pool=0.2), max_connections=1)
        held = await http.send(http.build_request("GET", "/a"), stream=True)
        waiting = asyncio.create_task(http.get("/b"))
        await asyncio.sleep(0.05)  # /b waits for the only slot
        await held.aclose()  # the slot is handed to /b ...
        waiting.cancel()  # ... which gives up before it runs
        await asyncio.gather(waiting, return_exceptions=True)
        assert (await http.get("/c")).status_code == 200
        await http.aclose()


async def test_a_cancelled_request_frees_its_slot_and_drops_its_connection() -> None:
    async def slow_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                        server: Server) -> None:
        while await server.request(reader):
            if len(server.requests) == 1:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf")
                await writer.drain()
                await asyncio.sleep(1)
                return
            writer.write(answer())
            await writer.drain()
    async with serving(slow_once) as (server, base):
        http, transport = client(base, max_connections=1)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await http.get("/first")
        assert (await http.get("/second")).json() == {"ok": True}
        assert transport.opened == 2
        await http.aclose()


async def test_an_expired_idle_connection_is_not_reused() -> None:
    now = [0.0]
    async with serving(keep_answering()) as (server, base):
        http, transport = client(base, keepalive_expiry=5.0, clock=lambda: now[0])
        await http.get("/")
        now[0] = 4.9
        await http.get("/")
        now[0] = 10.0
        await http.get("/")
        assert transport.opened == 2
        await http.aclose()


# -- failures the Caller reads --------------------------------------------------------------

async def test_a_refused_connection_is_a_connect_error_read_as_refused() -> None:
    async with serving(keep_answering()) as (server, base):
        pass  # closed: nothing listens there now
    http, _ = client(base)
    with pytest.raises(httpx.ConnectError) as caught:
        await http.get("/")
    assert failure_kind(caught.value) == "refused"
    await http.aclose()


async def test_a_silent_server_is_a_read_timeout_and_a_retried_read() -> None:
    async with serving(silent_after()) as (server, base):
        http = open_http(base, timeout=0.1)
        caller = Caller(http, retry=RetryPolicy(attempts=1, base_delay=0.01))
        with pytest.raises(ex.TransportError) as caught:
            await caller.call("GET", "/v3/sources")
        assert caught.value.kind == "timeout"
        assert len(server.requests) == 2  # the read was tried again
        await http.aclose()


async def test_the_read_timeout_is_for_silence_not_for_a_whole_slow_answer() -> None:
    body = b"s" * 40_000

    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                      server: Server) -> None:
        await server.request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
        for at in range(0, len(body), 4_000):  # 10 pieces, 0.05 s apart: 0.5 s in all
            writer.write(body[at:at + 4_000])
            await writer.drain()
            await asyncio.sleep(0.05)
    async with serving(trickle) as (server, base):
        http, _ = client(base, 0.2)
        assert (await http.get("/")).content == body  # never 0.2 s without a byte
        await http.aclose()

    half = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf"
    async with serving(silent_after(half)) as (server, base):
        http, _ = client(base, 0.2)
        with pytest.raises(httpx.ReadTimeout):
            await http.get("/")
        await http.aclose()


async def test_the_caller_still_refuses_an_answer_over_its_size_cap_mid_stream() -> None:
    reply = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
             + b"".join(b"400\r\n" + b"z" * 1024 + b"\r\n" for _ in range(64)) + b"0\r\n\r\n")
    async with serving(keep_answering(reply)) as (server, base):
        http = open_http(base, timeout=2.0)
        caller = Caller(http, max_response_bytes=16 * 1024)
        with pytest.raises(ex.BadResponse, match="larger than"):
            await caller.call("GET", "/v3/sources")
        await http.aclose()


async def test_the_query_is_written_sorted_and_encoded_once() -> None:
    async with serving(keep_answering()) as (server, base):
        http = open_http(base, timeout=2.0)
        caller = Caller(http)
        await caller.call("GET", "/v3/sources", params={"offset": 200, "name": "a b/c+d",
                                                         "connected": True, "state": None,
                                                         "q": ["z=1", "a=2"]})
        line = server.requests[0].split(b"\r\n")[0]
        assert line == (b"GET /v3/sources?connected=true&name=a%20b%2Fc%2Bd&offset=200"
                        b"&q=a%3D2&q=z%3D1 HTTP/1.1")
        await http.aclose()


# -- TLS ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ca() -> object:
    trustme = pytest.importorskip("trustme")
    return trustme.CA()


def _tls_server(ca: object) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)  # type: ignore[attr-defined]
    return context


async def test_tls_is_verified_against_the_given_trust(ca: object) -> None:
    async with serving(keep_answering(), tls=_tls_server(ca)) as (server, base):
        trusting = ssl.create_default_context()
        ca.configure_trust(trusting)  # type: ignore[attr-defined]
        http, transport = client(base, verify=trusting)
        assert (await http.get("/")).json() == {"ok": True}
        assert (await http.get("/")).json() == {"ok": True}
        assert transport.opened == 1
        await http.aclose()


async def test_an_untrusted_certificate_is_a_connect_error_read_as_tls(ca: object) -> None:
    async with serving(keep_answering(), tls=_tls_server(ca)) as (server, base):
        http, _ = client(base)  # the system's and certifi's trust: not this CA
        with pytest.raises(httpx.ConnectError) as caught:
            await http.get("/")
        assert failure_kind(caught.value) == "tls"
        assert server.requests == []
        await http.aclose()


async def test_the_bundle_named_by_ssl_cert_file_is_trusted(
        ca: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))  # type: ignore[attr-defined]
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    async with serving(keep_answering(), tls=_tls_server(ca)) as (server, base):
        http, _ = client(base)  # verify=True: the default trust, read from the environment
        assert (await http.get("/")).json() == {"ok": True}
        await http.aclose()


async def test_insecure_skips_verification(ca: object) -> None:
    async with serving(keep_answering(), tls=_tls_server(ca)) as (server, base):
        http = open_http(base, verify=False, timeout=2.0)
        assert (await http.get("/")).json() == {"ok": True}
        await http.aclose()


# -- where it is used -----------------------------------------------------------------------

def test_clients_send_through_it_and_an_environment_proxy_through_httpx(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
                 "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert open_http("https://sms.example.com")._mounts == {}
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "iam.example.com")
    http = open_http("https://sms.example.com", verify=True)
    assert isinstance(http._transport, Http1Transport)
    # As httpx does without a transport of ours: its own transport for the proxy (CONNECT,
    # proxy auth), none for the hosts NO_PROXY names.
    sms = http._transport_for_url(httpx.URL("https://sms.example.com/v3/sources"))
    assert isinstance(sms, httpx.AsyncHTTPTransport)
    assert sms._pool._proxy_url.host == b"proxy.example"  # type: ignore[attr-defined]
    iam = http._transport_for_url(httpx.URL("https://iam.example.com/v3/auth/tokens"))
    assert iam is http._transport
    plain = http._transport_for_url(httpx.URL("http://other.example.com/"))
    assert plain is http._transport  # only https:// was given a proxy
