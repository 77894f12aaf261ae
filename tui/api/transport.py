"""One HTTP call to SMS, done right: deadline, retries with backoff, and typed errors.

The client (``client.py``) knows the endpoints; this module knows HTTP. Every attempt is a
fresh ``httpx.Request`` that goes through the auth flow again, so an AK/SK signature (and its
``X-Sdk-Date``) is never reused across retries.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
import msgspec
import orjson

from tui.api.auth import canonical_query_string
from tui.api.exceptions import (
    ApiError,
    AuthError,
    BadResponse,
    DeadlineExceeded,
    InvalidRequest,
    NotFound,
    OutcomeUnknown,
    PermissionDenied,
    RateLimited,
    ServerError,
    SignatureError,
    SmsError,
    TransportError,
)

RETRY_AFTER_CAP = 60.0
"""The longest ``Retry-After`` we honour, in seconds."""

MAX_RESPONSE_BYTES = 32 * 1024 * 1024
"""The largest answer read by default (a 200-source page is ~0.5 MB; a bigger one is hostile
or broken, and reading it whole would cost the dashboard hundreds of MB)."""

DECODE_ERRORS = (ValueError, UnicodeDecodeError, RecursionError)
"""What reading JSON can raise: orjson's JSONDecodeError is a ValueError (it also refuses
nesting past 1,024 levels that way); RecursionError is there for any stdlib fallback."""


def loads(content: bytes) -> Any:
    """JSON from bytes with orjson (4-5x faster than ``json`` on a 200-source page)."""
    return orjson.loads(content)


class RetryPolicy(msgspec.Struct, frozen=True):
    """How reads are retried: up to ``attempts`` retries with doubling backoff and jitter."""

    attempts: int = 4
    base_delay: float = 1.0
    jitter: float = 0.25
    """Each delay is scaled by a random factor in [1 - jitter, 1 + jitter]."""

    def delay(self, retry: int, rng: Callable[[], float]) -> float:
        """Seconds to wait before retry number ``retry`` (0-based): 1, 2, 4, 8 … with jitter."""
        base = self.base_delay * (2**retry)
        return float(base * (1 - self.jitter + 2 * self.jitter * rng()))


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), capped at 60 s."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, min(seconds, RETRY_AFTER_CAP))


def _error_fields(response: httpx.Response) -> tuple[str | None, str, list[str], dict[str, Any]]:
    """(error_code, message, params, body) from an SMS or APIG error body; never raises."""
    try:
        body = loads(response.content)
    except DECODE_ERRORS:
        text = response.text[:300].strip() if response.content else ""
        return None, text or response.reason_phrase or "no error body", [], {}
    if not isinstance(body, dict):
        return None, str(body)[:300], [], {}
    nested = body.get("error")
    if isinstance(nested, dict) and not body.get("error_code"):
        return _nested_error_fields(nested, response, body)
    code = body.get("error_code") or body.get("code")
    message = body.get("error_msg") or body.get("message") or response.reason_phrase or ""
    raw_params = body.get("error_param") or []
    if isinstance(raw_params, str):
        try:
            raw_params = loads(raw_params.encode())
        except DECODE_ERRORS:
            raw_params = [raw_params]
    params = [str(p) for p in raw_params] if isinstance(raw_params, list) else [str(raw_params)]
    return (str(code) if code else None), str(message), params, body


def _nested_error_fields(
    nested: dict[str, Any], response: httpx.Response, body: dict[str, Any]
) -> tuple[str | None, str, list[str], dict[str, Any]]:
    """ECS's ``{"error": {"code", "message", "details": [{"code", "message"}]}}`` form."""
    code = nested.get("code")
    message = nested.get("message") or response.reason_phrase or ""
    details = nested.get("details")
    params = [
        f"{d.get('code') or ''}: {d.get('message') or ''}".strip(": ")
        for d in details if isinstance(d, dict)
    ] if isinstance(details, list) else []
    return (str(code) if code else None), str(message), params, body


def error_from_response(response: httpx.Response) -> ApiError:
    """Map an error response to the exception class for its status, with the SMS code decoded."""
    status = response.status_code
    code, message, params, body = _error_fields(response)
    kw: dict[str, Any] = {
        "status": status,
        "error_code": code,
        "params": params,
        "method": response.request.method,
        "url": str(response.request.url.copy_with(query=None)),
        "request_id": response.headers.get("X-Request-Id") or body.get("request_id"),
    }
    # SMS sends its missing-object and token errors with 400: the code, not the status, says
    # what happened.
    if status == 401 or (status == 400 and code in AuthError.CODES):
        theirs = _server_canonical_request(message)
        if theirs is not None or (code or "").startswith("APIGW.0301"):
            ours = response.request.extensions.get("sdk_canonical_request")
            return SignatureError(
                f"AK/SK signature refused: {message}. Check the SK, the machine clock, and any "
                "proxy that rewrites the path or query.",
                ours=ours if isinstance(ours, str) else None,
                theirs=theirs,
                **kw,
            )
        return AuthError(message or "authentication failed", **kw)
    if status == 403:
        return PermissionDenied(message or "permission denied", **kw)
    if status == 404 or (status == 400 and code in NotFound.CODES):
        return NotFound(message or "not found", **kw)
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimited(message or "too many requests", retry_after=retry_after, **kw)
    if status >= 500:
        return ServerError(message or "server error", **kw)
    return InvalidRequest(message or "request refused", **kw)


def _server_canonical_request(message: str) -> str | None:
    """APIG echoes its canonical request in a signature-mismatch message; pull it out."""
    marker = "canonical request"
    lowered = message.lower()
    at = lowered.find(marker)
    if at < 0:
        return None
    rest = message[at + len(marker) :].lstrip(" :'\"`\n")
    return rest.rstrip("'\"` \n") or None


def open_http(
    base_url: str,
    *,
    auth: httpx.Auth | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = 10.0,
    max_connections: int = 8,
    verify: bool = True,
) -> httpx.AsyncClient:
    """The connection pool every backend's client sends through: JSON bodies, no redirects.

    Loading the CA bundle costs 20-45 ms at start; a plain-http endpoint never uses it (every
    request is relative to it and redirects are not followed), so it is skipped there.
    Requests go through :class:`tui.api.wire.Http1Transport` unless another ``transport`` is
    given (tests, the embedded simulator). A proxy set in the environment (``HTTPS_PROXY``,
    ``NO_PROXY`` …) is honoured as httpx would without a transport: it is mounted with httpx's
    own transport (CONNECT, proxy auth), which is imported only then.
    """
    verify_for = verify and not base_url.startswith("http://")
    limits = httpx.Limits(max_connections=max_connections,
                          max_keepalive_connections=max_connections)
    mounts: dict[str, httpx.AsyncBaseTransport | None] = {}
    if transport is None:
        from httpx._utils import get_environment_proxies

        from tui.api.wire import Http1Transport

        transport = Http1Transport(verify=verify_for, max_connections=max_connections)
        # (httpx reads the environment's proxies only when it builds the transport itself)
        mounts = {pattern: None if proxy is None else httpx.AsyncHTTPTransport(
                      proxy=proxy, verify=verify_for, limits=limits)
                  for pattern, proxy in get_environment_proxies().items()}
    return httpx.AsyncClient(
        base_url=base_url,
        auth=auth,
        transport=transport,
        mounts=mounts,
        timeout=httpx.Timeout(timeout),
        limits=limits,
        verify=verify_for,
        headers={"Content-Type": "application/json;charset=UTF-8"},
        follow_redirects=False,
    )


Decode = Callable[[bytes], Any]
"""Reads a body's bytes (ValueError if it cannot): JSON by default; a list page can be read
straight into its records (:func:`tui.api.models.record.page_reader`)."""


def decode_json(response: httpx.Response, decode: Decode = loads) -> Any:
    """The response body as JSON; an empty body is ``{}``; anything unreadable is BadResponse."""
    if not response.content:
        return {}
    try:
        return decode(response.content)
    except DECODE_ERRORS as exc:
        raise BadResponse(
            f"the server's answer is not valid JSON ({exc.__class__.__name__}: {exc})",
            status=response.status_code,
            method=response.request.method,
            url=str(response.request.url.copy_with(query=None)),
        ) from None


Sleep = Callable[[float], Awaitable[None]]


class Caller:
    """Sends one logical call with a deadline and the retry policy; returns decoded JSON."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        deadline: float = 30.0,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Sleep = asyncio.sleep,
        rng: Callable[[], float] = random.random,
        on_event: Callable[[str, Mapping[str, Any]], None] | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        map_error: Callable[[httpx.Response], ApiError] = error_from_response,
    ) -> None:
        self._http = http
        # Each backend reads its own error bodies (ZStack's ``{"error": ErrorCode}``).
        self._map_error = map_error
        self.max_response_bytes = max_response_bytes
        self.deadline = deadline
        self.retry = retry
        self._sleep = sleep
        self._rng = rng
        self._on_event = on_event

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        deadline: float | None = None,
        decode: Decode = loads,
    ) -> Any:
        """Send ``method path`` and return its JSON (or what ``decode`` reads from the body);
        raise an :class:`SmsError` subclass."""
        return (await self.exchange(method, path, params=params, json_body=json_body,
                                    deadline=deadline, decode=decode))[1]

    async def exchange(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        deadline: float | None = None,
        headers: Mapping[str, str] | None = None,
        decode: Decode = loads,
    ) -> tuple[int, Any]:
        """Like :meth:`call`, but also the status of the success (ZStack's 202 vs 200)."""
        limit = self.deadline if deadline is None else deadline
        # Whether the current attempt may have reached the server: a write that ends while
        # this is set has an unknown outcome, not a failed one.
        sent = [False]
        try:
            async with asyncio.timeout(limit):
                return await self._attempts(method, path, params, json_body, sent, headers,
                                            decode)
        except TimeoutError:
            if sent[0] and not _idempotent(method):
                raise OutcomeUnknown(
                    f"no answer within the {limit:g} s deadline after the request was sent; "
                    "it may have reached the server",
                    cause=f"no answer within {limit:g} s",
                    method=method,
                    url=path,
                ) from None
            raise DeadlineExceeded(
                f"no answer within the {limit:g} s deadline (retries included)",
                method=method,
                url=path,
            ) from None

    async def _attempts(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        sent: list[bool],
        headers: Mapping[str, str] | None = None,
        decode: Decode = loads,
    ) -> tuple[int, Any]:
        idempotent = _idempotent(method)
        retry = 0
        url = self._url(path, params)
        while True:
            request = self._http.build_request(method, url, json=json_body, headers=headers)
            try:
                sent[0] = True
                response = await self._send(request)
            except httpx.HTTPError as exc:
                # A write may have reached the server unless the connection never opened.
                reached = not isinstance(exc, NOT_SENT)
                sent[0] = reached
                if reached and not idempotent:
                    raise _unknown(exc, method, path) from None
                error: SmsError = _transport_error(exc, method, path)
                if retry >= self.retry.attempts:
                    raise error from None
                await self._wait(retry, None, error)
                retry += 1
                continue
            if response.status_code < 400:
                if idempotent:
                    return response.status_code, decode_json(response, decode)
                try:
                    return response.status_code, decode_json(response, decode)
                except BadResponse as exc:
                    # The server said yes but the answer is unreadable (e.g. cut short): the
                    # write most likely took effect, and only a re-read can tell.
                    raise OutcomeUnknown(
                        f"HTTP {response.status_code} with an unreadable answer "
                        f"({exc.message}); the write may have taken effect",
                        cause=f"HTTP {response.status_code} with an unreadable body",
                        status=response.status_code,
                        method=method,
                        url=path,
                    ) from None
            error = self._map_error(response)
            if not idempotent and response.status_code in GATEWAY_LOST:
                # A gateway answered for a backend it lost: the write may have been applied.
                raise OutcomeUnknown(
                    f"HTTP {response.status_code} from a gateway ({error.message[:80]}); the "
                    "request may have reached the server",
                    cause=f"HTTP {response.status_code} from a gateway",
                    status=response.status_code,
                    method=method,
                    url=path,
                ) from None
            sent[0] = False  # the server answered: whatever it said, it is known
            # By class, not status: a ZStack 503 carrying an ErrorCode is an answer, not an outage.
            retriable = isinstance(error, (RateLimited, ServerError))
            if not (idempotent and retriable) or retry >= self.retry.attempts:
                raise error
            retry_after = error.retry_after if isinstance(error, RateLimited) else None
            if retry_after is None:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
            await self._wait(retry, retry_after, error)
            retry += 1

    def _url(self, path: str, params: Mapping[str, Any] | None) -> httpx.URL:
        """The absolute URL of ``path`` with its query, parsed once for all attempts.

        The query is written sorted and percent-encoded like AK/SK's canonical query, so the
        signer has nothing to rewrite; httpx's ``params=`` (a parse per merge, ~80 us a
        request) would write the same pairs, in another order and spelling."""
        query = _query(_clean_params(params))
        base = str(self._http.base_url).rstrip("/") if path.startswith("/") else ""
        return httpx.URL(f"{base}{path}?{query}" if query else f"{base}{path}")

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """Send and read the answer, refusing one larger than ``max_response_bytes``.

        The body is streamed so an oversized answer is dropped at the cap instead of being
        buffered whole; the cap counts decoded bytes, so a gzip bomb stops there too."""
        response = await self._http.send(request, stream=True)
        try:
            limit = self.max_response_bytes
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise _too_big(response, limit, f"{int(declared):,} bytes announced")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise _too_big(response, limit, "more than that sent")
                chunks.append(chunk)
            # What httpx's own aread() does; the response then behaves as a read one.
            response._content = b"".join(chunks)
        finally:
            await response.aclose()
        # httpx's client wraps the body stream in one that refers back to the response: a
        # reference cycle, so every page (~0.2 MB) waited for the cycle collector, ~11 MB a
        # 10k poll. A plain stream of the body read breaks it: a page is freed when dropped.
        response.stream = httpx.ByteStream(response._content)
        return response

    async def _wait(self, retry: int, retry_after: float | None, error: SmsError) -> None:
        delay = self.retry.delay(retry, self._rng)
        if retry_after is not None:
            delay = max(delay, retry_after)
        if self._on_event is not None:
            self._on_event("retry", {"attempt": retry + 1, "delay": delay, "error": error})
        await self._sleep(delay)


def _too_big(response: httpx.Response, limit: int, why: str) -> BadResponse:
    return BadResponse(
        f"the server's answer is larger than the {limit / 2**20:g} MiB limit ({why}); "
        "raise max_response_mb if this server really sends pages that large",
        status=response.status_code,
        method=response.request.method,
        url=str(response.request.url.copy_with(query=None)),
    )


def _clean_params(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Drop unset filters and spell booleans the way the API expects (true/false)."""
    if not params:
        return None
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else value
    return out


def _query(params: Mapping[str, Any] | None) -> str:
    """The query in AK/SK's canonical form (:func:`tui.api.auth.canonical_query_string`): a
    list value repeats its key."""
    if not params:
        return ""
    return canonical_query_string([
        (key, str(item)) for key, value in params.items()
        for item in (value if isinstance(value, (list, tuple)) else (value,))
    ])


GATEWAY_LOST = frozenset({502, 504})
"""A gateway's "bad gateway" and "gateway timeout": it forwarded the request (or may have)
and lost the backend's answer, so a write's outcome is unknown, not refused."""

NOT_SENT: tuple[type[httpx.HTTPError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)
"""Failures that happen before a request leaves this machine: a write that ends with one of
these certainly did not reach the server."""


def _idempotent(method: str) -> bool:
    return method in ("GET", "HEAD")


def _unknown(exc: httpx.HTTPError, method: str, path: str) -> OutcomeUnknown:
    """A write whose request may have been sent when ``exc`` happened."""
    cause = _transport_error(exc, method, path)
    return OutcomeUnknown(
        f"{cause.message}; the request may have reached the server",
        cause=cause.message.split(":", 1)[0],
        method=method,
        url=path,
    )


def _transport_error(exc: httpx.HTTPError, method: str, path: str) -> TransportError:
    kinds: dict[type[httpx.HTTPError], str] = {
        httpx.ConnectError: "could not connect",
        httpx.ConnectTimeout: "timed out connecting",
        httpx.ReadTimeout: "timed out waiting for the answer",
        httpx.WriteTimeout: "timed out sending the request",
        httpx.PoolTimeout: "no free connection in the pool",
        httpx.RemoteProtocolError: "the connection was closed or broken mid-answer",
        httpx.ReadError: "the connection was reset while reading",
    }
    kind = kinds.get(type(exc), "network failure")
    detail = str(exc) or exc.__class__.__name__
    return TransportError(f"{kind}: {detail}", kind=failure_kind(exc), method=method, url=path)


def failure_kind(exc: BaseException) -> str:
    """``refused``, ``dns``, ``tls``, ``timeout``, ``reset`` or ``network``: what went wrong
    with the connection, read from the exception and the OS errors it wraps."""
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"  # checked first: a timed-out TLS handshake wraps an SSL "want read"
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            break
        if isinstance(seen, socket.gaierror):
            return "dns"
        if isinstance(seen, ConnectionRefusedError):
            return "refused"
        if isinstance(seen, ssl.SSLError):
            return "tls"
        seen = seen.__cause__ or seen.__context__
    text = str(exc).lower()
    for words, kind in ((("name or service not known", "nodename nor servname",
                          "name resolution", "getaddrinfo"), "dns"),
                        (("refused",), "refused"),
                        (("ssl", "certificate", "tls"), "tls")):
        if any(w in text for w in words):
            return kind
    if isinstance(exc, (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError)):
        return "reset"
    return "network"
