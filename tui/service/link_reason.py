"""Why the dashboard cannot reach its endpoint, in a few words for the header and the help.

Every connection failure has a reason the operator can act on: the connection was refused, the
host name is unknown (DNS), the TLS handshake failed, the server did not answer in time, it
answered something unreadable (and what was wrong with it), or it answered with an error
status. Server text in the detail passes :func:`tui.untrusted.clean`.
"""

from __future__ import annotations

import re

from tui.api.exceptions import (
    ApiError,
    AuthError,
    BadResponse,
    PermissionDenied,
    RateLimited,
    SmsError,
    TransportError,
)
from tui.untrusted import clean

KIND_WORDS = {
    "refused": "connection refused",
    "dns": "DNS: host name not found",
    "tls": "TLS handshake failed",
    "timeout": "timed out",
    "reset": "connection reset",
    "network": "network failure",
}
"""``TransportError.kind`` → the header's words for it."""

DETAIL_WIDTH = 100
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")

HINTS = {
    "refused": "nothing listens there: check the endpoint's host and port, and that it is up",
    "dns": "check the host name in --endpoint or the profile's sms_endpoint",
    "tls": "the certificate is not trusted or the port does not speak TLS (http vs https); "
           "--insecure only for lab endpoints",
    "timeout": "the server or the network is slow or unreachable; migdash keeps retrying",
    "reset": "the connection broke mid-answer (proxy, load balancer); migdash keeps retrying",
    "bad response": "the endpoint answered something that is not the SMS API: is the URL "
                    "right (a proxy or login page)?",
    "access refused": "check the credentials, their permissions and the machine's clock",
}
"""What the operator can do, by reason (shown in the help)."""


def link_reason(error: SmsError | None, *, detail: bool = True) -> str:
    """``refused``/``DNS``/``TLS``/``timeout``/``bad response: …``/``HTTP 503 …``, plus what
    the error said when ``detail``; empty when there is no error."""
    if error is None:
        return ""
    if isinstance(error, TransportError):
        head = KIND_WORDS.get(getattr(error, "kind", "network"), "network failure")
    elif isinstance(error, BadResponse):
        head = "bad response"
    elif isinstance(error, (AuthError, PermissionDenied)):
        head = "access refused"
    elif isinstance(error, RateLimited):
        head = "rate limited"
    elif isinstance(error, ApiError):
        head = f"HTTP {error.status}" if error.status else "error answer"
    else:
        head = "error"
    if not detail:
        return head
    said = clean(" ".join(p for p in (error.error_code, _plain(error.message)) if p))
    if len(said) > DETAIL_WIDTH:
        said = said[: DETAIL_WIDTH - 1] + "…"
    return f"{head}: {said}" if said else head


def _plain(message: str) -> str:
    """A gateway's HTML error page as its title, not as markup soup."""
    if "<" not in message[:40]:
        return message
    title = _TITLE.search(message)
    text = title.group(1) if title else _TAG.sub(" ", message)
    return " ".join(text.split()) + " (an HTML page)"


def link_hint(error: SmsError | None) -> str:
    """What to do about ``error``, when there is a general answer."""
    if error is None:
        return ""
    kind = getattr(error, "kind", None) if isinstance(error, TransportError) else None
    if kind is None:
        kind = link_reason(error, detail=False)
    return HINTS.get(kind, "")


__all__ = ["HINTS", "KIND_WORDS", "link_hint", "link_reason"]
