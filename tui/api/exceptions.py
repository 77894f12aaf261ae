"""Every failure the SMS client can raise, as one tree.

    SmsError                      anything that went wrong talking to SMS
    ├── ApiError                  the server answered with an error status
    │   ├── AuthError             401: bad token, expired token, bad AK/SK
    │   │   └── SignatureError    401 from APIG on an AK/SK signature mismatch
    │   ├── PermissionDenied      403 (SMS.9004 and friends)
    │   ├── NotFound              404
    │   ├── InvalidRequest        400 / 409 / other 4xx the server refused
    │   ├── RateLimited           429, with ``retry_after`` seconds
    │   └── ServerError           5xx
    ├── TransportError            no usable answer: connect, reset, timeout, deadline
    │   └── DeadlineExceeded      the call's overall deadline ran out
    ├── BadResponse               an answer we cannot read (not JSON, wrong shape)
    ├── RequestValidationError    a write body failed validation; nothing was sent
    └── ZStackError               ZStack answered with an ErrorCode (or its protocol failed);
        │                         each is also the generic class on its right, so code that
        │                         handles ``AuthError`` or ``NotFound`` handles ZStack's too
        ├── ZStackAuthError       + AuthError: login refused, or the session refused again
        │                           after logging in once more (ID.1000, ID.1001)
        ├── ZStackMalformed       + InvalidRequest: 400 with a text body (e.g. wrong action key)
        ├── ZStackFailed          + ApiError: 503 with an ErrorCode and its ``cause`` chain
        │   └── ZStackJobFailed   the async job ended in 503 (VM.1008, VM.1010, …)
        ├── ZStackJobExpired      + NotFound: the job's location answers 404 (expired)
        └── ZStackJobTimeout      + DeadlineExceeded: no result within the call's apiTimeout

ZStack errors decode with :func:`tui.api.zstack.errors.explain` (their ``hint`` does it).
Every class carries the HTTP status (when there was one), the SMS ``error_code``, the
message and ``error_param`` list, so the UI can decode it with :func:`tui.api.errors.explain`.
Messages never contain credentials.
"""

from __future__ import annotations

from typing import Any


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
    """401: the token or the AK/SK was refused; check credentials and the clock."""


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
    """404: the source, task, template or project does not exist (any more)."""


class InvalidRequest(ApiError):
    """400/409/other 4xx: the server refused the request as invalid in the current state."""


class RateLimited(ApiError):
    """429: too many requests; ``retry_after`` says how long to wait (seconds)."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the service failed; retry later."""


class TransportError(SmsError):
    """No usable answer: connection refused or reset, TLS failure, timeout."""


class DeadlineExceeded(TransportError):
    """The call's overall deadline ran out (retries included)."""


class BadResponse(SmsError):
    """The server's answer could not be read: not JSON, truncated, or the wrong shape."""


class RequestValidationError(SmsError):
    """A write body failed validation before sending; ``errors`` maps field to reason."""

    def __init__(self, message: str, *, errors: dict[str, str] | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.errors: dict[str, str] = dict(errors or {})


class ZStackError(SmsError):
    """Base of every error the ZStack client raises; ``causes`` is the ErrorCode chain
    (outermost first) as ``(code, description, details)`` triples."""

    def __init__(self, message: str, *,
                 causes: list[tuple[str, str, str]] | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.causes: list[tuple[str, str, str]] = list(causes or [])

    @property
    def hint(self) -> str:
        """What to do, from the ZStack catalogue (the SMS one does not know these codes)."""
        from tui.api.zstack.errors import explain

        return explain(self.error_code).handling if self.error_code else ""


class ZStackAuthError(ZStackError, AuthError):
    """ZStack refused the login, or refused the session again after one fresh login."""


class ZStackMalformed(ZStackError, InvalidRequest):
    """400 with a text body: ZStack could not map the request (wrong action key, bad JSON)."""


class ZStackFailed(ZStackError, ApiError):
    """503 with an ErrorCode: ZStack ran the call and it failed (``causes`` says why)."""


class ZStackJobFailed(ZStackFailed):
    """An async job (``202`` then its location) ended in 503 with an ErrorCode."""


class ZStackJobExpired(ZStackError, NotFound):
    """The job's location answered 404: ZStack forgot the job before we read its result."""


class ZStackJobTimeout(ZStackError, DeadlineExceeded):
    """The job gave no result within the call's ``apiTimeout``; it may still finish."""


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
    "RequestValidationError",
    "ZStackError",
    "ZStackAuthError",
    "ZStackMalformed",
    "ZStackFailed",
    "ZStackJobFailed",
    "ZStackJobExpired",
    "ZStackJobTimeout",
]
