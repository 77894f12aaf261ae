"""HTTP/1.1 on an asyncio protocol: the wire under every backend's ``httpx.AsyncClient``.

httpx stays the HTTP layer (requests, URLs, auth flows, timeouts, content decoding, proxies);
this is only its transport, the part that opens connections and reads answers. httpx's own
(httpcore with h11 on anyio) cost the dashboard at 10k sources ~2 ms of CPU per 200-source page,
about 60 % of its polling CPU (per request: anyio cancel scopes and socket attribute lookups,
a readability poll of every pooled connection, h11's event machinery), and its import ~60 ms
of every launch. Here a request is one ``write`` and an answer one buffer that is parsed when
it is complete: ``make bench-fetch`` and ``bench/bench_poll.py`` give the figures.

What it does, and where it is as strict as h11:

- HTTP/1.1 with keep-alive, at most ``max_connections`` requests in flight (a free slot is
  waited for up to the pool timeout), idle connections reused for ``keepalive_expiry`` seconds.
  A connection is reused only if its answer was read to the end, the server did not say
  ``Connection: close``, and nothing arrived on it while it was idle (stray bytes or a FIN:
  it is dropped).
- Answers framed by ``Content-Length`` (a single decimal value), ``Transfer-Encoding:
  chunked``, or the connection's end (then never reused). A head larger than 64 KiB, a
  malformed status line or header line, a bad chunk size, or a connection that ends early is a
  ``RemoteProtocolError``; 1xx interim answers are skipped (101 is refused).
- Headers that would split a request (CR, LF or NUL in a value, a name that is not a token) are a
  ``LocalProtocolError`` and nothing is sent.
- Failures are httpx's exception types with the OS error as their cause, so the caller's
  reading of them (``transport.failure_kind``: refused, dns, tls, timeout, reset) is unchanged.
- A GET or HEAD that finds its reused connection closed by the server before any byte of the
  answer (the server's idle timeout raced our reuse) is sent once more on a new connection; any
  other method is not (its outcome is unknown: the caller reports it so).
- TLS through :func:`httpx.create_ssl_context` (certifi, ``SSL_CERT_FILE``), ALPN
  ``http/1.1``. Proxies from the environment never reach this class: httpx mounts its own
  proxy transport for them.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from collections.abc import AsyncIterator, Callable

import httpx

MAX_HEAD_BYTES = 64 * 1024
"""The largest status line plus headers read (h11's default is 16 KiB)."""

MAX_LINE_BYTES = 4 * 1024
"""The longest chunk-size or trailer line read."""

PIECE = 1024 * 1024
"""A body is handed on in pieces of at most this many bytes (the caller caps the total)."""

_HIGH_WATER = 4 * PIECE
"""Reading from the socket pauses while this much is buffered and not asked for."""

Origin = tuple[str, str, int]

_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_VALUE = re.compile(rb"[\r\n\0]")
_STATUS = re.compile(rb"HTTP/1\.([01]) ([0-9]{3})(?: ([\t\x20-\x7e\x80-\xff]*))?")
_FIELD = re.compile(
    rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*"
    rb"((?:[\x21-\x7e\x80-\xff](?:[ \t]*[\x21-\x7e\x80-\xff])*)?)[ \t]*"
)
_CHUNK = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?")
_IDEMPOTENT = frozenset({"GET", "HEAD"})


class _Closed(Exception):
    """The connection ended; ``partial`` bytes had arrived of what was being read."""

    def __init__(self, partial: int, cause: BaseException | None) -> None:
        super().__init__(partial)
        self.partial = partial
        self.cause = cause


class _Conn(asyncio.Protocol):
    """One connection: bytes in one buffer, a reader woken only when what it wants is there."""

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None
        self.ended = False
        self.error: BaseException | None = None
        self.idle_since = 0.0
        self._want = 0
        self._waiter: asyncio.Future[None] | None = None
        self._loop = asyncio.get_running_loop()
        self._heard = 0.0
        """Loop time of the last bytes received (a read times out after ``timeout`` of silence,
        as httpx's does, not after ``timeout`` for a whole body)."""
        self._paused = False
        self._drained: asyncio.Future[None] | None = None

    # -- asyncio.Protocol ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buf += data
        self._heard = self._loop.time()
        if len(self.buf) >= self._want:
            self._wake()
        if len(self.buf) > max(self._want, _HIGH_WATER) and not self._paused:
            self._paused = True
            assert self.transport is not None
            self.transport.pause_reading()

    def eof_received(self) -> bool:
        self.ended = True
        self._wake()
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended = True
        self.error = exc
        self._wake()
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    def pause_writing(self) -> None:
        self._drained = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)
        self._drained = None

    # -- used by the transport -----------------------------------------------------------

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    @property
    def usable(self) -> bool:
        """Idle and fit for another request: open, and nothing arrived since the last answer."""
        return (not self.ended and not self.buf and self.transport is not None
                and not self.transport.is_closing())

    def close(self) -> None:
        self.ended = True
        if self.transport is not None:
            self.transport.close()

    async def send(self, data: bytes, timeout: float | None) -> None:
        if self.ended or self.transport is None or self.transport.is_closing():
            raise _Closed(0, self.error)
        self.transport.write(data)
        if self._drained is not None:
            async with asyncio.timeout(timeout):
                await self._drained
            if self.ended:
                raise _Closed(0, self.error)

    async def _more(self, want: int, timeout: float | None) -> None:
        """Wait until ``want`` bytes are buffered or the connection ends; TimeoutError after
        ``timeout`` seconds in which nothing arrived (a slow link that keeps sending is fine).
        The reader is woken once, when what it wants is there, not at every packet."""
        if self.ended:
            raise _Closed(len(self.buf), self.error)
        self._want = want
        if self._paused:
            self._paused = False
            assert self.transport is not None
            self.transport.resume_reading()
        loop = self._loop
        waiter = self._waiter = loop.create_future()
        timer: asyncio.TimerHandle | None = None
        if timeout is not None:
            self._heard = loop.time()

            def check() -> None:
                nonlocal timer
                silent = loop.time() - self._heard
                if silent < timeout:
                    timer = loop.call_later(timeout - silent, check)
                elif not waiter.done():
                    waiter.set_exception(TimeoutError())

            timer = loop.call_later(timeout, check)
        try:
            await waiter
        finally:
            if timer is not None:
                timer.cancel()
            self._waiter = None
            self._want = 0

    async def until(self, sep: bytes, limit: int, timeout: float | None) -> bytes:
        """Bytes up to and including ``sep``; ValueError past ``limit`` bytes without it."""
        start = 0
        while True:
            at = self.buf.find(sep, start)
            if at >= 0:
                end = at + len(sep)
                if end > limit:
                    raise ValueError(limit)
                out = bytes(self.buf[:end])
                del self.buf[:end]
                return out
            if len(self.buf) > limit:
                raise ValueError(limit)
            start = max(0, len(self.buf) - len(sep) + 1)
            await self._more(len(self.buf) + 1, timeout)

    async def exactly(self, n: int, timeout: float | None) -> bytes:
        while len(self.buf) < n:
            await self._more(n, timeout)
        if len(self.buf) == n:
            out = bytes(self.buf)
            self.buf.clear()
        else:
            with memoryview(self.buf) as view:
                out = bytes(view[:n])
            del self.buf[:n]
        return out

    async def some(self, timeout: float | None) -> bytes:
        """What is buffered (waiting for at least a byte); b"" once the connection ended."""
        if not self.buf:
            try:
                await self._more(1, timeout)
            except _Closed:
                return b""
        out = bytes(self.buf[:PIECE])
        del self.buf[:PIECE]
        return out


class _Head:
    """A parsed status line and headers, with how the body is framed."""

    __slots__ = ("status", "reason", "headers", "length", "chunked", "keep_alive")

    def __init__(self, raw: bytes, method: str) -> None:
        lines = raw[:-4].split(b"\r\n")
        status = _STATUS.fullmatch(lines[0])
        if status is None:
            raise ValueError(f"malformed status line {lines[0][:80]!r}")
        minor, code, reason = status.groups()
        self.status = int(code)
        self.reason = reason or b""
        headers: list[tuple[bytes, bytes]] = []
        lengths: set[bytes] = set()
        codings: list[bytes] = []
        tokens: list[bytes] = []
        for line in lines[1:]:
            field = _FIELD.fullmatch(line)
            if field is None:
                raise ValueError(f"malformed header line {line[:80]!r}")
            name, value = field.groups()
            headers.append((name, value))
            lowered = name.lower()
            if lowered == b"content-length":
                lengths.update(v.strip() for v in value.split(b","))
            elif lowered == b"transfer-encoding":
                codings.extend(v.strip().lower() for v in value.split(b","))
            elif lowered == b"connection":
                tokens.extend(v.strip().lower() for v in value.split(b","))
        self.headers = headers
        self.keep_alive = minor == b"1" and b"close" not in tokens
        self.chunked = False
        self.length: int | None = None  # None: the body ends with the connection
        if method == "HEAD" or self.status in (204, 304) or self.status < 200:
            self.length = 0
        elif codings:
            # RFC 9112 6.3: Transfer-Encoding wins over Content-Length, and a response whose
            # last coding is not chunked runs to the connection's end.
            self.chunked = codings[-1] == b"chunked"
            if not self.chunked:
                self.keep_alive = False
            elif lengths:
                self.keep_alive = False  # both framings: read this one, trust no other
        elif lengths:
            if len(lengths) != 1 or not next(iter(lengths)).isdigit():
                raise ValueError(f"bad Content-Length {b','.join(sorted(lengths))[:40]!r}")
            self.length = int(next(iter(lengths)))
        else:
            self.keep_alive = False


class _Body(httpx.AsyncByteStream):
    """An answer's body, read from its connection as the caller iterates; closing it hands the
    connection back (if the body was read to its end) and frees its slot."""

    def __init__(self, pool: Http1Transport, conn: _Conn, head: _Head, request: httpx.Request,
                 timeout: float | None) -> None:
        self._pool = pool
        self._conn = conn
        self._head = head
        self._request = request
        self._timeout = timeout
        self._done = head.length == 0
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._done:
            return
        conn, timeout, request = self._conn, self._timeout, self._request
        try:
            if self._head.chunked:
                async for piece in self._chunks():
                    yield piece
            elif self._head.length is not None:
                async for piece in self._pieces(self._head.length):
                    yield piece
            else:
                while piece := await conn.some(timeout):
                    yield piece
            self._done = True
        except _Closed as exc:
            raise _read_failure(exc, request, "the connection ended mid-answer") from exc.cause
        except TimeoutError:
            raise httpx.ReadTimeout("timed out reading the answer", request=request) from None
        except ValueError as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from None

    async def _chunks(self) -> AsyncIterator[bytes]:
        conn, timeout = self._conn, self._timeout
        while True:
            line = await conn.until(b"\r\n", MAX_LINE_BYTES, timeout)
            size = _CHUNK.fullmatch(line[:-2])
            if size is None:
                raise ValueError(f"bad chunk size line {line[:40]!r}")
            left = int(size.group(1), 16)
            if left == 0:
                while await conn.until(b"\r\n", MAX_LINE_BYTES, timeout) != b"\r\n":
                    pass  # trailers: read and dropped
                return
            async for piece in self._pieces(left):
                yield piece
            if await conn.exactly(2, timeout) != b"\r\n":
                raise ValueError("a chunk not followed by CRLF")

    async def _pieces(self, left: int) -> AsyncIterator[bytes]:
        """The next ``left`` bytes of the body, a piece at a time."""
        while left:
            piece = await self._conn.exactly(min(left, PIECE), self._timeout)
            left -= len(piece)
            yield piece

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            self._pool._release(self._conn, reuse=self._done and self._head.keep_alive)


class Http1Transport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncBaseTransport`` speaking HTTP/1.1 over asyncio (see the module)."""

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | str | bool = True,
        max_connections: int = 8,
        keepalive_expiry: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._verify = verify
        self._ssl: ssl.SSLContext | None = None
        self._max = max_connections
        self._expiry = keepalive_expiry
        self._clock = clock
        self._idle: dict[Origin, list[_Conn]] = {}
        self._slots = asyncio.Semaphore(max_connections)
        """One per request in flight (the pool timeout bounds the wait for one)."""
        self._closed = False
        self.opened = 0
        """How many connections this transport opened (for tests and diagnostics)."""

    # -- the pool ----------------------------------------------------------------------------

    async def _slot(self, timeout: float | None, request: httpx.Request) -> None:
        """Count this request in flight, waiting (up to ``timeout``) while all slots are."""
        try:
            async with asyncio.timeout(timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no free connection in time", request=request) from None

    def _release(self, conn: _Conn, *, reuse: bool) -> None:
        self._slots.release()
        if reuse and not self._closed and conn.usable:
            conn.idle_since = self._clock()
            idle = self._idle.setdefault(conn.origin, [])
            idle.append(conn)
            if len(idle) > self._max:
                idle.pop(0).close()
        else:
            conn.close()

    def _reusable(self, origin: Origin) -> _Conn | None:
        idle = self._idle.get(origin)
        now = self._clock()
        while idle:
            conn = idle.pop()  # the most recently used: the least likely to have timed out
            if conn.usable and now - conn.idle_since < self._expiry:
                return conn
            conn.close()
        return None

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            context = (self._verify if isinstance(self._verify, ssl.SSLContext)
                       else httpx.create_ssl_context(verify=self._verify))
            context.set_alpn_protocols(["http/1.1"])
            self._ssl = context
        return self._ssl

    async def _open(self, origin: Origin, timeout: float | None,
                    request: httpx.Request) -> _Conn:
        scheme, host, port = origin
        context = self._ssl_context() if scheme == "https" else None
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                _, conn = await loop.create_connection(
                    lambda: _Conn(origin), host, port, ssl=context,
                    server_hostname=host if context is not None else None)
        except TimeoutError:
            raise httpx.ConnectTimeout(f"timed out connecting to {host}:{port}",
                                       request=request) from None
        except OSError as exc:  # refused, DNS (gaierror), TLS (SSLError), unreachable
            raise httpx.ConnectError(str(exc) or exc.__class__.__name__,
                                     request=request) from exc
        self.opened += 1
        return conn

    # -- one request ------------------------------------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise RuntimeError("the transport is closed")
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}",
                                            request=request)
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        data = _request_bytes(request, await request.aread())
        await self._slot(timeouts.get("pool"), request)
        try:
            conn, head = await self._exchange(origin, request, data, timeouts)
        except BaseException:
            self._slots.release()
            raise
        body = _Body(self, conn, head, request, timeouts.get("read"))
        return httpx.Response(head.status, headers=head.headers, stream=body,
                              extensions={"http_version": b"HTTP/1.1",
                                          "reason_phrase": head.reason})

    async def _exchange(self, origin: Origin, request: httpx.Request, data: bytes,
                        timeouts: dict[str, float | None]) -> tuple[_Conn, _Head]:
        retry_stale = request.method in _IDEMPOTENT
        while True:
            conn = self._reusable(origin)
            reused = conn is not None
            if conn is None:
                conn = await self._open(origin, timeouts.get("connect"), request)
            try:
                return conn, await self._ask(conn, request, data, timeouts)
            except _Closed as exc:
                conn.close()
                if reused and retry_stale and exc.partial == 0:
                    retry_stale = False  # the server closed it while idle: once, anew
                    continue
                raise _read_failure(exc, request, "the server closed the connection without "
                                    "answering") from exc.cause
            except BaseException:
                conn.close()
                raise

    async def _ask(self, conn: _Conn, request: httpx.Request, data: bytes,
                   timeouts: dict[str, float | None]) -> _Head:
        try:
            await conn.send(data, timeouts.get("write"))
        except TimeoutError:
            raise httpx.WriteTimeout("timed out sending the request", request=request) from None
        read = timeouts.get("read")
        try:
            while True:
                raw = await conn.until(b"\r\n\r\n", MAX_HEAD_BYTES, read)
                head = _Head(raw, request.method)
                if head.status >= 200:
                    return head
                if head.status == 101:
                    raise ValueError("the server switched protocols (101), which was not asked")
        except TimeoutError:
            raise httpx.ReadTimeout("timed out waiting for the answer", request=request) from None
        except ValueError as exc:
            why = (f"the answer's head is larger than {MAX_HEAD_BYTES // 1024} KiB"
                   if exc.args == (MAX_HEAD_BYTES,) else str(exc))
            raise httpx.RemoteProtocolError(why, request=request) from None

    async def aclose(self) -> None:
        self._closed = True
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()


def _request_bytes(request: httpx.Request, body: bytes) -> bytes:
    """The request line, headers and body; LocalProtocolError for what would split it."""
    method = request.method.encode("ascii", "replace")
    target = request.url.raw_path
    if not _TOKEN.fullmatch(method) or not target or b" " in target or _BAD_VALUE.search(target):
        raise httpx.LocalProtocolError(f"cannot send {request.method} {target[:80]!r}",
                                       request=request)
    parts = [method, b" ", target, b" HTTP/1.1\r\n"]
    framed = False
    for name, value in request.headers.raw:
        if not _TOKEN.fullmatch(name) or _BAD_VALUE.search(value):
            raise httpx.LocalProtocolError(f"header {name[:40]!r} has a forbidden character",
                                           request=request)
        lowered = name.lower()
        if lowered == b"transfer-encoding":
            continue  # the body is sent whole, framed by its length
        framed = framed or lowered == b"content-length"
        parts += (name, b": ", value, b"\r\n")
    if body and not framed:
        parts += (b"Content-Length: ", str(len(body)).encode(), b"\r\n")
    parts += (b"\r\n", body)
    return b"".join(parts)


def _read_failure(exc: _Closed, request: httpx.Request, what: str) -> httpx.TransportError:
    """A connection that ended: reset by the peer (ReadError) or just closed (protocol)."""
    if isinstance(exc.cause, OSError):
        return httpx.ReadError(f"{what}: {exc.cause}", request=request)
    return httpx.RemoteProtocolError(what, request=request)

