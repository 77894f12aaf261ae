"""ZStack's own auth: log in with the account and the SHA-512 of its password, send the session
as ``Authorization: OAuth <uuid>``, log in again once when it expires, log out at the end.

Also how ZStack answers a failure: :func:`map_error` turns a response into the exception tree
of :mod:`tui.api.exceptions` (a 503 with an ErrorCode is an answer, not an outage).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx

from tui.api.exceptions import (
    ApiError,
    ZStackAuthError,
    ZStackFailed,
    ZStackMalformed,
)
from tui.api.transport import error_from_response
from tui.api.zstack.errors import cause_chain, summary

LOGIN_PATH = "/zstack/v1/accounts/login"
SESSIONS_PATH = "/zstack/v1/accounts/sessions"
AUTH_CODES = frozenset({"ID.1000", "ID.1001"})
"""Codes that mean "who you are" was refused: the login (ID.1000) or the session (ID.1001)."""
SESSION_EXPIRED = "ID.1001"


def hash_password(password: str) -> str:
    """The lowercase hex SHA-512 of ``password``: what ZStack's login expects, never the
    password itself."""
    return hashlib.sha512(password.encode("utf-8")).hexdigest()


def login_body(account: str, password: str) -> dict[str, Any]:
    """The LogInByAccount body, with the password hashed."""
    return {"logInByAccount": {"accountName": account, "password": hash_password(password)}}


def auth_header(session_uuid: str) -> dict[str, str]:
    """The header every call but the login carries."""
    return {"Authorization": f"OAuth {session_uuid}"}


def map_error(response: httpx.Response) -> ApiError:
    """A ZStack error response as a typed exception, its ErrorCode chain decoded."""
    status = response.status_code
    kw: dict[str, Any] = {"status": status, "method": response.request.method,
                          "url": str(response.request.url.copy_with(query=None))}
    body: Any = None
    if response.content:
        try:
            body = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        causes = cause_chain(error)
        code = causes[0][0] or None
        message = summary(code, causes, with_code=False)
        cls = ZStackAuthError if code in AUTH_CODES or status == 401 else ZStackFailed
        return cls(message, error_code=code, causes=causes, **kw)
    if status == 400:
        text = response.text[:300].strip() if response.content else ""
        return ZStackMalformed(text or "ZStack refused the request as malformed", **kw)
    if status == 401:
        return ZStackAuthError("ZStack refused the session", **kw)
    # 502/503 pages from a proxy, 404 for an unknown path, …: the generic mapping (retried
    # for reads when it is a 5xx).
    return error_from_response(response)


__all__ = ["AUTH_CODES", "LOGIN_PATH", "SESSIONS_PATH", "SESSION_EXPIRED", "auth_header",
           "hash_password", "login_body", "map_error"]
