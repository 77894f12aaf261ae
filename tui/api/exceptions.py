"""Every failure the SMS, ECS, DeH and ZStack clients can raise, as one tree.

    SmsError                      anything that went wrong talking to a cloud API
    ├── ApiError                  the server answered with an error status
    │   ├── AuthError             401 (or 400 SMS.6521/6522): bad token, bad AK/SK
    │   │   └── SignatureError    401 from APIG on an AK/SK signature mismatch
    │   ├── PermissionDenied      403 (SMS.9004, Ecs.0003 and friends)
    │   ├── NotFound              404, or 400 with a missing-object code (SMS.7703…)
    │   ├── InvalidRequest        400 / 409 / other 4xx the server refused
    │   │   └── EcsRefused        ECS/DeH refused a write at once (an ``Ecs.xxxx`` code)
    │   │       ├── ServerStateRefused    the server is not in the state the action needs
    │   │       ├── ChargingModeRefused   yearly/monthly server: only pay-per-use moves
    │   │       ├── InsufficientCapacity  the dedicated host lacks vCPUs or memory
    │   │       └── HostUnavailable       the host is in fault/released, or in another AZ
    │   ├── RateLimited           429, with ``retry_after`` seconds
    │   └── ServerError           5xx
    ├── TransportError            no usable answer: connect, reset, timeout, deadline
    │   └── DeadlineExceeded      the call's overall deadline ran out
    ├── BadResponse               an answer we cannot read (not JSON, wrong shape)
    ├── OutcomeUnknown            a write may have reached the server but no readable answer
    │                             came back (timeout or reset after sending, unreadable 2xx)
    ├── RequestValidationError    a write body failed validation; nothing was sent
    ├── JobFailed                 an ECS job ended in FAIL: ``fail_reason``, sub-job errors
    ├── JobTimedOut               an ECS job was followed past its deadline (it may still end)
    └── ZStackError               ZStack answered with an ErrorCode (or its protocol failed);
        │                         each is also the generic class on its right, so code that
        │                         handles ``AuthError`` or ``NotFound`` handles ZStack's too
        ├── ZStackAuthError       + AuthError: login refused, or the session refused again
        │                           after logging in once more (ID.1000, ID.1001)
        ├── ZStackMalformed       + InvalidRequest: 400 with a text body (e.g. wrong action key)
        ├── ZStackFailed          + ApiError: 503 with an ErrorCode and its ``cause`` chain
        │   └── ZStackJobFailed   the async job ended in 503 (VM.1008, VM.1010, …)
        ├── ZStackJobExpired      + NotFound: the job's location answers 404 (expired)
        └── ZStackJobTimeout      + OutcomeUnknown: no result within the call's apiTimeout
                                    (the migration may still finish: its outcome is unknown)

Every class carries the HTTP status (when there was one), the ``error_code`` (``SMS.xxxx``,
``Ecs.xxxx``, ``DEH.xxxx``, ``APIGW.xxxx``), the message and a parameter list (SMS
``error_param``; for ECS the ``details`` as ``code: message``), so the UI can decode it with
:func:`tui.api.errors.explain`. Messages never contain credentials. ZStack errors decode with
:func:`tui.api.zstack.errors.explain` (their ``hint`` does it).
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec


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


class EcsRefused(InvalidRequest):
    """ECS or DeH refused a write at once; ``error_code`` is the ``Ecs.xxxx`` code."""


class ServerStateRefused(EcsRefused):
    """The server is not in the state the action needs (a migration needs SHUTOFF)."""


class ChargingModeRefused(EcsRefused):
    """Only pay-per-use servers can be cold migrated; this one is yearly/monthly."""


class InsufficientCapacity(EcsRefused):
    """The dedicated host has not enough free vCPUs or memory for the server's flavor."""


class HostUnavailable(EcsRefused):
    """The dedicated host cannot take servers: in ``fault``, released, or in another AZ."""


class SubJobError(msgspec.Struct, frozen=True):
    """One failed sub job of an ECS job: which server, its code and reason."""

    job_id: str | None
    job_type: str | None
    server_id: str | None
    error_code: str | None
    fail_reason: str | None


class JobFailed(SmsError):
    """An ECS job ended in FAIL; carries ``fail_reason``, ``job`` and ``sub_job_errors``."""

    def __init__(
        self,
        message: str,
        *,
        job_id: str | None = None,
        job_type: str | None = None,
        fail_reason: str | None = None,
        sub_job_errors: list[SubJobError] | None = None,
        job: Any = None,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.job_id = job_id
        self.job_type = job_type
        self.fail_reason = fail_reason
        self.sub_job_errors: list[SubJobError] = list(sub_job_errors or [])
        self.job = job


class JobTimedOut(SmsError):
    """Following an ECS job ran past its deadline; ``job`` is the last status seen."""

    def __init__(self, message: str, *, job_id: str | None = None, job: Any = None,
                 **kw: Any) -> None:
        super().__init__(message, **kw)
        self.job_id = job_id
        self.job = job


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


class ZStackJobTimeout(ZStackError, OutcomeUnknown):
    """The job gave no result within the call's ``apiTimeout``; it may still finish, so the
    write's outcome is unknown (the gateway re-reads its target), not failed."""


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
    "EcsRefused",
    "ServerStateRefused",
    "ChargingModeRefused",
    "InsufficientCapacity",
    "HostUnavailable",
    "SubJobError",
    "JobFailed",
    "JobTimedOut",
    "ZStackError",
    "ZStackAuthError",
    "ZStackMalformed",
    "ZStackFailed",
    "ZStackJobFailed",
    "ZStackJobExpired",
    "ZStackJobTimeout",
]
