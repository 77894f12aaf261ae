"""Authentication for SMS: AK/SK request signing (``SDK-HMAC-SHA256``) and IAM tokens.

:class:`AkSkAuth` signs exactly as the official Python SDK's ``huaweicloudsdkcore`` ``Signer``
does; ``tests/api/data/signer_vectors.json`` holds requests signed by that signer and the tests
reproduce them byte for byte. The pure functions (:func:`canonical_request`,
:func:`string_to_sign`, :func:`signature`, :func:`parse_authorization`, :func:`verify_request`)
are shared with the simulator, which verifies signatures the way APIG does.

Quirks of the official signer, kept on purpose because APIG expects them:

* The path is percent-decoded, split on ``/`` and each segment re-encoded (only ``A-Za-z0-9_.-~``
  stay literal); a trailing ``/`` is added. An encoded ``%2F`` therefore signs as a separator.
* Query pairs are sorted by decoded key, then decoded value, and re-encoded the same way. The
  client sends the query in exactly that canonical form, so the wire carries no ``+`` for space.
* Every header is signed (names lower-cased and sorted, values stripped) except names with ``_``.
* A ``Content-Type`` that is neither ``application/json…`` nor ``application/bson…`` adds
  ``X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`` and the body is then not hashed.
* An empty body hashes as the SHA-256 of nothing, whatever ``X-Sdk-Content-Sha256`` says.
* ``X-Sdk-Date`` is signed as sent, but the string to sign carries it re-formatted after parsing,
  so an unpadded ``2024416T95341Z`` signs as ``20240416T095341Z``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import time
from collections.abc import AsyncGenerator, Callable, Generator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, unquote

import httpx
import msgspec

from tui.api.exceptions import AuthError, TransportError

ALGORITHM = "SDK-HMAC-SHA256"
"""The signing algorithm named in the ``Authorization`` header."""
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
"""``X-Sdk-Date`` format, always UTC."""
EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
"""SHA-256 of the empty string: the payload hash of every request without a body."""
CANONICAL_REQUEST_EXTENSION = "sdk_canonical_request"
"""``httpx.Request.extensions`` key holding our (redacted) canonical request, for SignatureError."""
TOKEN_LIFETIME = 23 * 3600.0
"""Seconds an IAM token is reused: IAM tokens live 24 h, keep an hour of margin."""

_CONTENT_HASH_HEADER = "X-Sdk-Content-Sha256"
_UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
_HEX_SIGNATURE = re.compile(r"[0-9a-f]{64}")

VerifyReason = Literal["ok", "missing", "malformed", "unknown_key", "bad_signature", "clock_skew"]


def mask(value: str | None) -> str:
    """First four characters and an ellipsis: enough to tell keys apart, not to use one."""
    if not value:
        return "None"
    return value[:4] + "…"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup over any mapping (the SDK's ``_get_header_ignore_case``)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def canonical_uri(raw_path: str) -> str:
    """The wire path decoded, re-encoded per segment, with a trailing slash."""
    path = "/".join(quote(segment, safe="~") for segment in unquote(raw_path).split("/"))
    return path if path.endswith("/") else path + "/"


def parse_query(query: str) -> list[tuple[str, str]]:
    """Decode a raw query string into pairs, keeping repeats and blanks; ``+`` means space.

    ``+`` is read as a space because httpx (``params=``) and form parsers write a space that way;
    a literal plus is always ``%2B`` in both, and in the official SDK's canonical query.
    """
    return parse_qsl(query, keep_blank_values=True)


def canonical_query_string(query: Sequence[tuple[str, str]] | str) -> str:
    """Pairs sorted by decoded key then value, each side encoded like a path segment."""
    pairs = parse_query(query) if isinstance(query, str) else list(query)
    return "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in sorted(pairs))


def signed_header_names(headers: Mapping[str, str]) -> list[str]:
    """The header names the official signer signs: all but those containing ``_``, sorted."""
    return sorted({key.lower() for key in headers if "_" not in key})


def payload_hash(headers: Mapping[str, str], body: bytes) -> str:
    """Hex SHA-256 of the body, or the declared ``X-Sdk-Content-Sha256`` for a non-empty body."""
    if not body:
        return EMPTY_BODY_SHA256
    declared = _header(headers, _CONTENT_HASH_HEADER)
    if declared and declared.strip():
        return declared.strip()
    return hashlib.sha256(body).hexdigest()


def canonical_request(
    method: str,
    raw_path: str,
    query: list[tuple[str, str]] | str,
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    body: bytes,
) -> str:
    """The SDK-HMAC-SHA256 canonical request; ``raw_path`` is as sent (percent-encoded).

    ``query`` is decoded pairs or the raw query string. Raises ``KeyError`` when a signed header
    is absent from ``headers``.
    """
    values = {key.lower(): str(value).strip() for key, value in headers.items()}
    lines = [f"{name}:{values[name]}" for name in signed_headers]
    return "\n".join(
        [
            method.upper(),
            canonical_uri(raw_path),
            canonical_query_string(query),
            "\n".join(lines) + "\n",
            ";".join(signed_headers),
            payload_hash(headers, body),
        ]
    )


def parse_sdk_date(value: str) -> datetime:
    """Parse an ``X-Sdk-Date`` value as UTC; ``ValueError`` when it does not fit the format."""
    return datetime.strptime(value.strip(), DATE_FORMAT).replace(tzinfo=UTC)


def string_to_sign(canonical: str, sdk_date: str) -> str:
    """Algorithm, the date re-formatted after parsing (as the SDK does), hash of the request."""
    date = parse_sdk_date(sdk_date).strftime(DATE_FORMAT)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{date}\n{digest}"


def signature(sk: str, string_to_sign: str) -> str:
    """Hex HMAC-SHA256 of the string to sign, keyed with the secret key."""
    return hmac.new(sk.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def parse_authorization(value: str) -> tuple[str, list[str], str]:
    """Split an ``Authorization`` value into (access key, signed header names, signature).

    Raises ``ValueError`` (whose message never repeats the signature) when it is not a
    well-formed ``SDK-HMAC-SHA256`` header.
    """
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise ValueError(f"Authorization is not {ALGORITHM}")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, eq, val = part.strip().partition("=")
        if not eq:
            raise ValueError("Authorization field without '='")
        fields[key] = val.strip()
    access, names, sig = (fields.get(k, "") for k in ("Access", "SignedHeaders", "Signature"))
    if not access or not names or not _HEX_SIGNATURE.fullmatch(sig):
        raise ValueError("Authorization needs Access, SignedHeaders and a hex Signature")
    return access, names.split(";"), sig


def redact_canonical_request(canonical: str) -> str:
    """Hide the ``x-security-token`` value, so the text can go into errors and logs."""
    return re.sub(r"(?m)^(x-security-token:).*$", r"\1***", canonical)


class VerifyResult(msgspec.Struct, frozen=True):
    """What :func:`verify_request` decided, and the server-side canonical request it built."""

    ok: bool
    reason: VerifyReason
    access_key: str | None = None
    canonical_request: str = ""
    """Redacted with :func:`redact_canonical_request`; empty when it was never built."""

    def __repr__(self) -> str:
        return f"VerifyResult(ok={self.ok}, reason={self.reason!r}, access_key={mask(self.access_key)})"


def verify_request(
    method: str,
    raw_path: str,
    query_string: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    lookup_sk: Callable[[str], str | None],
    now: datetime,
    max_skew: timedelta = timedelta(minutes=15),
) -> VerifyResult:
    """Check an AK/SK signature as APIG does; ``raw_path`` and ``query_string`` as on the wire.

    The date must be signed (``x-sdk-date`` in SignedHeaders) and within ``max_skew`` of ``now``
    (naive ``now`` is taken as UTC).
    """
    auth = _header(headers, "Authorization")
    if not auth:
        return VerifyResult(False, "missing")
    try:
        access, signed, claimed = parse_authorization(auth)
    except ValueError:
        return VerifyResult(False, "malformed")
    sdk_date = _header(headers, "X-Sdk-Date")
    if sdk_date is None or "x-sdk-date" not in signed:
        return VerifyResult(False, "malformed", access)
    try:
        when = parse_sdk_date(sdk_date)
        canonical = canonical_request(method, raw_path, query_string, headers, signed, body)
    except (KeyError, ValueError):
        return VerifyResult(False, "malformed", access)
    shown = redact_canonical_request(canonical)
    sk = lookup_sk(access)
    if sk is None:
        return VerifyResult(False, "unknown_key", access, shown)
    if abs((now if now.tzinfo else now.replace(tzinfo=UTC)) - when) > max_skew:
        return VerifyResult(False, "clock_skew", access, shown)
    expected = signature(sk, string_to_sign(canonical, sdk_date))
    if not hmac.compare_digest(expected, claimed):
        return VerifyResult(False, "bad_signature", access, shown)
    return VerifyResult(True, "ok", access, shown)


class AkSkAuth(httpx.Auth):
    """httpx auth that signs every request with ``SDK-HMAC-SHA256`` (AK/SK).

    Each pass through the flow signs afresh with the current UTC time, unless the request
    already carries ``X-Sdk-Date`` (then that date is signed, as the official signer does).
    """

    requires_request_body = True

    def __init__(
        self,
        ak: str,
        sk: str,
        project_id: str | None = None,
        security_token: str | None = None,
    ) -> None:
        if not ak or not sk:
            raise ValueError("AK/SK auth needs both an access key (AK) and a secret key (SK)")
        self._ak = ak
        self._sk = sk
        self.project_id = project_id
        self._security_token = security_token

    @property
    def access_key(self) -> str:
        """The access key ID (not a secret, but repr still shortens it)."""
        return self._ak

    def __repr__(self) -> str:
        temporary = ", temporary=True" if self._security_token else ""
        return f"AkSkAuth(ak={mask(self._ak)}, project_id={self.project_id!r}{temporary})"

    def sign(self, request: httpx.Request, now: datetime | None = None) -> None:
        """Sign ``request`` in place; rewrites its query into canonical form as the SDK does."""
        # A request object sent twice must not sign its own stale Authorization header.
        request.headers.pop("Authorization", None)
        if self._security_token:
            request.headers["X-Security-Token"] = self._security_token
        if self.project_id:
            request.headers["X-Project-Id"] = self.project_id
        content_type = request.headers.get("Content-Type")
        if content_type and not content_type.startswith(("application/json", "application/bson")):
            request.headers[_CONTENT_HASH_HEADER] = _UNSIGNED_PAYLOAD
        if "X-Sdk-Date" not in request.headers:
            moment = now or datetime.now(UTC)
            request.headers["X-Sdk-Date"] = moment.strftime(DATE_FORMAT)
        # The SDK sends the stripped values it signed; do the same so the server sees them.
        for key, value in list(request.headers.items()):
            if value != value.strip():
                request.headers[key] = value.strip()
        headers = dict(request.headers.items())
        path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
        pairs = parse_query(raw_query)
        query = canonical_query_string(pairs)
        if query != raw_query:  # (the client writes it canonical already: no parse then)
            request.url = request.url.copy_with(query=query.encode("ascii") if query else None)
        signed = signed_header_names(headers)
        canonical = canonical_request(request.method, path, pairs, headers, signed, request.content)
        sig = signature(self._sk, string_to_sign(canonical, headers["x-sdk-date"]))
        request.headers["Authorization"] = (
            f"{ALGORITHM} Access={self._ak}, SignedHeaders={';'.join(signed)}, Signature={sig}"
        )
        request.extensions[CANONICAL_REQUEST_EXTENSION] = redact_canonical_request(canonical)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign and send once; no retry here (the transport builds retries anew)."""
        self.sign(request)
        yield request


async def _token_refused(response: httpx.Response) -> bool:
    """401, or SMS's own "token-based authentication failed" (SMS.6521, which table 5.1 sends
    with status 400)."""
    if response.status_code == 401:
        return True
    if response.status_code != 400:
        return False
    await response.aread()
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("error_code") == "SMS.6521"


class TokenAuth(httpx.Auth):
    """httpx auth sending ``X-Auth-Token``: a given token, or one from IAM password login.

    A login token is reused for 23 hours, and replaced once when the API answers 401 (the
    request is then resent once). Logins are serialised, so concurrent requests share one.
    """

    requires_request_body = True  # a request may be resent after a 401

    def __init__(
        self,
        token: str | None = None,
        *,
        iam_endpoint: str | None = None,
        user: str | None = None,
        password: str | None = None,
        domain: str | None = None,
        project: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._can_login = bool(iam_endpoint and user and password and domain)
        if token is None and not self._can_login:
            raise ValueError(
                "token auth needs a token, or iam_endpoint, user, password and domain to log in"
            )
        self.iam_endpoint = (iam_endpoint or "").rstrip("/")
        self.user = user
        self.domain = domain
        self.project = project
        self._password = password
        self._transport = transport
        self._own_transport: httpx.AsyncBaseTransport | None = None
        self._clock = clock
        self._token = token
        self._expires_at = float("inf") if token is not None else float("-inf")
        self._lock = asyncio.Lock()
        self.logins = 0
        """How many IAM logins this auth has attempted (for tests and diagnostics)."""

    def __repr__(self) -> str:
        if not self._can_login:
            return "TokenAuth(token=***)"
        return (
            f"TokenAuth(iam_endpoint={self.iam_endpoint!r}, user={self.user!r}, "
            f"domain={self.domain!r}, project={self.project!r})"
        )

    def _valid_token(self) -> str | None:
        if self._token is not None and self._clock() < self._expires_at:
            return self._token
        return None

    async def _get_token(self, stale: str | None = None) -> str:
        """A usable token; with ``stale``, one other than it (log in unless someone already did)."""
        async with self._lock:
            token = self._valid_token()
            if token is not None and token != stale:
                return token
            return await self._login()

    def _login_body(self) -> dict[str, Any]:
        """IAM v3 password auth, scoped to the project by name (or to the domain without one)."""
        user = {"name": self.user, "password": self._password, "domain": {"name": self.domain}}
        scope = (
            {"project": {"name": self.project}}
            if self.project
            else {"domain": {"name": self.domain}}
        )
        identity = {"methods": ["password"], "password": {"user": user}}
        return {"auth": {"identity": identity, "scope": scope}}

    async def _login(self) -> str:
        """POST /v3/auth/tokens and keep the ``X-Subject-Token``; failures raise AuthError."""
        url = f"{self.iam_endpoint}/v3/auth/tokens"
        who = f"user {self.user!r} in domain {self.domain!r}"
        request = httpx.Request(
            "POST",
            url,
            content=json.dumps(self._login_body()).encode("utf-8"),
            headers={"Content-Type": "application/json;charset=utf8"},
            extensions={"timeout": httpx.Timeout(30.0).as_dict()},
        )
        transport = self._transport or self._default_transport()
        try:
            response = await transport.handle_async_request(request)
            await response.aread()
        except httpx.TransportError as exc:
            raise TransportError(
                f"could not reach IAM to log in {who}: {type(exc).__name__}. "
                "Check the IAM endpoint and the network.",
                method="POST",
                url=url,
            ) from None
        finally:
            self.logins += 1
        token: str | None = response.headers.get("X-Subject-Token")
        if response.status_code not in (200, 201) or not token:
            detail = self._iam_message(response)
            raise AuthError(
                f"IAM password login for {who} failed ({detail}). "
                "Check the user name, password, domain (account) name and project name.",
                status=response.status_code,
                method="POST",
                url=url,
            )
        self._token = token
        self._expires_at = self._clock() + TOKEN_LIFETIME
        return token

    def _iam_message(self, response: httpx.Response) -> str:
        """IAM's own reason, with the password scrubbed should it ever be echoed."""
        try:
            body = response.json()
        except ValueError:
            body = {}
        error = body.get("error") if isinstance(body, dict) else None
        reason = error.get("message") if isinstance(error, dict) else None
        if isinstance(body, dict) and not reason:
            reason = body.get("error_msg")
        if not reason and response.status_code in (200, 201):
            reason = "no X-Subject-Token header in the answer"
        text = f"HTTP {response.status_code}" + (f": {reason}" if reason else "")
        return text.replace(self._password, "***") if self._password else text

    def _default_transport(self) -> httpx.AsyncBaseTransport:
        if self._own_transport is None:
            from tui.api.wire import Http1Transport

            self._own_transport = Http1Transport()
        return self._own_transport

    async def aclose(self) -> None:
        """Close the IAM connection pool this auth created (not an injected transport)."""
        if self._own_transport is not None:
            await self._own_transport.aclose()
            self._own_transport = None

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Send with the token; when it is refused, log in again and resend once."""
        if self.requires_request_body:
            await request.aread()
        token = self._valid_token() or await self._get_token()
        request.headers["X-Auth-Token"] = token
        response = yield request
        if self._can_login and await _token_refused(response):
            request.headers["X-Auth-Token"] = await self._get_token(stale=token)
            yield request

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Send with a given or cached token; password login needs an ``httpx.AsyncClient``."""
        token = self._valid_token()
        if token is None:
            raise RuntimeError(
                "TokenAuth can only log in to IAM from an httpx.AsyncClient; "
                "use the async client or pass a token"
            )
        request.headers["X-Auth-Token"] = token
        yield request
