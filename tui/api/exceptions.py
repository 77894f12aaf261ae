"""Every failure the SMS client can raise, as one tree.

    SmsError                      anything that went wrong talking to SMS
    ├── ApiError                  the server answered with an error status
    │   ├── AuthError             401 (or 400 SMS.6521/6522): bad token, bad AK/SK
    │   │   └── SignatureError    401 from APIG on an AK/SK signature mismatch
    │   ├── PermissionDenied      403 (SMS.9004 and friends)
    │   ├── NotFound              404, or 400 with a missing-object code (SMS.7703…)
    │   ├── InvalidRequest        400 / 409 / other 4xx the server refused
    │   ├── RateLimited           429, with ``retry_after`` seconds
    │   └── ServerError           5xx
    ├── TransportError            no usable answer: connect, reset, timeout, deadline
    │   └── DeadlineExceeded      the call's overall deadline ran out
    ├── BadResponse               an answer we cannot read (not JSON, wrong shape)
    ├── OutcomeUnknown            a write may have reached the server but no readable answer
    │                             came back (timeout or reset after sending, unreadable 2xx)
    └── RequestValidationError    a write body failed validation; nothing was sent

Every class carries the HTTP status (when there was one), the SMS ``error_code``, the
message and ``error_param`` list, so the UI can decode it with :func:`tui.api.errors.explain`.
Messages never contain credentials.
"""

from __future__ import annotations

from typing import Any, ClassVar


class SmsError(Exception):
    """Base of every error raised by the SMS client."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_code: str | None = None,
        params: list[str] | None = None,
        method: str | None = None,
        url: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.params: list[str] = list(params or [])
        self.method = method
        self.url = url
        self.request_id = request_id

    @property
    def hint(self) -> str:
        """What the operator can do about it (the catalogue's handling measure, if known)."""
        if self.error_code:
            from tui.api.errors import explain

            return explain(self.error_code, self.params).handling
        return ""

    def __str__(self) -> str:
        parts = []
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.error_code:
            parts.append(self.error_code)
        head = " ".join(parts)
        where = f" ({self.method} {self.url})" if self.method and self.url else ""
        return f"{head}: {self.message}{where}" if head else f"{self.message}{where}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, error_code={self.error_code!r}, "
            f"message={self.message!r})"
        )


class ApiError(SmsError):
    """The server answered with an error status."""


class AuthError(ApiError):
    """401, or SMS's token errors (sent with 400): the token or the AK/SK was refused; check
    credentials and the clock."""

    CODES: ClassVar[frozenset[str]] = frozenset({"SMS.6521", "SMS.6522"})
    """Token refused, token missing: table 5.1 gives them status 400, so the code decides."""


class SignatureError(AuthError):
    """APIG refused an AK/SK signature; carries both canonical requests to compare."""

    def __init__(
        self,
        message: str,
        *,
        ours: str | None = None,
        theirs: str | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.canonical_request_ours = ours
        self.canonical_request_server = theirs

    def __str__(self) -> str:
        text = super().__str__()
        if self.canonical_request_server is not None:
            text += (
                "\n--- server's canonical request ---\n"
                f"{self.canonical_request_server}\n"
                "--- our canonical request ---\n"
                f"{self.canonical_request_ours or '(unknown)'}"
            )
        return text


class PermissionDenied(ApiError):
    """403: the account lacks the permission (SMS.9004 and similar)."""


class NotFound(ApiError):
    """The source, task, template or project does not exist (any more): 404, or, as SMS sends
    it, 400 with the object's own code."""

    CODES: ClassVar[frozenset[str]] = frozenset({
        "SMS.7703",  # task does not exist
        "SMS.0505",  # task %s not found
        "SMS.7602",  # source server does not exist
        "SMS.7101",  # template does not exist
        "SMS.7301",  # migration project does not exist
    })
    """Codes that say the addressed object is missing (table 5.1 gives them status 400)."""


class InvalidRequest(ApiError):
    """400 (except the codes above)/409/other 4xx: the server refused the request as invalid
    in the current state."""


class RateLimited(ApiError):
    """429: too many requests; ``retry_after`` says how long to wait (seconds)."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the service failed; retry later."""


class TransportError(SmsError):
    """No usable answer: connection refused or reset, TLS failure, timeout.

    ``kind`` says which, for the header and the help: ``refused``, ``dns``, ``tls``,
    ``timeout``, ``reset`` or ``network``."""

    def __init__(self, message: str, *, kind: str = "network", **kw: Any) -> None:
        super().__init__(message, **kw)
        self.kind = kind


class DeadlineExceeded(TransportError):
    """The call's overall deadline ran out (retries included)."""

    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, kind="timeout", **kw)


class BadResponse(SmsError):
    """The server's answer could not be read: not JSON, truncated, or the wrong shape."""


class OutcomeUnknown(SmsError):
    """A write may have reached the server, but no readable answer came back: a timeout or a
    reset after the request was sent, or a success status with an unreadable body. Whether it
    took effect is unknown until the object is read again; it is not a refusal. (A connection
    refused before anything was sent is a plain :class:`TransportError`.)"""

    def __init__(self, message: str, *, cause: str = "", **kw: Any) -> None:
        super().__init__(message, **kw)
        self.cause = cause or message
        """What happened to the answer, in a few words ("timed out waiting for the answer")."""


class RequestValidationError(SmsError):
    """A write body failed validation before sending; ``errors`` maps field to reason."""

    def __init__(self, message: str, *, errors: dict[str, str] | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.errors: dict[str, str] = dict(errors or {})


__all__ = [
    "SmsError",
    "ApiError",
    "AuthError",
    "SignatureError",
    "PermissionDenied",
    "NotFound",
    "InvalidRequest",
    "RateLimited",
    "ServerError",
    "TransportError",
    "DeadlineExceeded",
    "BadResponse",
    "OutcomeUnknown",
    "RequestValidationError",
]
