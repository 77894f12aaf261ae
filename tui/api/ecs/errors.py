"""The ECS and DeH error codes migdash meets, each with a sentence and what to do.

The general codes (``Ecs.0000``–``Ecs.0008``) are documented by ECS. The migration codes
(``Ecs.0100``, ``Ecs.19xx``, ``DEH.19xx``) are the ones migdash-sim sends for the refusals
the cold-migration documents describe without naming a code; a real endpoint may send other
codes, which explain gracefully with the server's own message. The simulator builds its
error bodies from this table (:func:`ecs_error_body`, :func:`deh_error_body`), so client and
simulator cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui.api.errors import Explanation


@dataclass(frozen=True)
class EcsCode:
    """One row of the ECS/DeH catalogue."""

    code: str
    status: int
    message: str
    handling: str
    documented: bool
    """True for codes ECS documents; False for the ones migdash-sim defines."""


GENERIC_HANDLING = (
    "This ECS/DeH error code is not in migdash's catalogue. Read the message, check the server "
    "or dedicated host in the ECS console, and retry; if it persists, contact support."
)

_ROWS = (
    EcsCode("Ecs.0000", 400, "The request body is invalid.",
            "migdash sent a body ECS could not read; report it (with the audit log entry).", True),
    EcsCode("Ecs.0001", 400, "The quota is insufficient.",
            "Release unused resources or ask for a higher ECS quota, then retry.", True),
    EcsCode("Ecs.0002", 500, "The task could not be submitted.",
            "ECS could not accept the job right now; wait a minute and retry.", True),
    EcsCode("Ecs.0003", 403, "The account is restricted (frozen or without permission).",
            "Check the account's balance and status, and that the user has the ECS "
            "permission for this action (ecs:cloudServers:migrate for a move).", True),
    EcsCode("Ecs.0005", 400, "A parameter is invalid.",
            "Check the value named in the message (server id, host id, limit, offset).", True),
    EcsCode("Ecs.0008", 400, "A flavor attribute is invalid.",
            "The server's flavor cannot be used here; choose a host type that supports it.", True),
    EcsCode("Ecs.0100", 409, "The server is not in a state that allows this action.",
            "A cold migration needs a stopped (SHUTOFF) server: stop it first, or choose "
            "\"stop, move, start again\". Start needs SHUTOFF, stop needs ACTIVE.", False),
    EcsCode("Ecs.1900", 404, "The server or job does not exist.",
            "It was deleted or the id is wrong; refresh the list.", False),
    EcsCode("Ecs.1901", 400, "Only pay-per-use servers can be cold migrated.",
            "This server is billed yearly/monthly; change it to pay-per-use in the console "
            "before moving it.", False),
    EcsCode("Ecs.1902", 400, "The dedicated host has not enough free vCPUs or memory.",
            "Choose a host with room for the flavor, or move other servers off this one "
            "first.", False),
    EcsCode("Ecs.1903", 400, "The dedicated host is not available (fault or released).",
            "Choose another host; a host in fault takes no servers until it is repaired.",
            False),
    EcsCode("Ecs.1904", 400, "The dedicated host is in another availability zone.",
            "A cold migration stays in the server's availability zone; choose a host there.",
            False),
    EcsCode("Ecs.1905", 400, "The server is already where it was asked to go.",
            "Nothing to do: the server is on that host (or in the public pool) already.",
            False),
    EcsCode("Ecs.1906", 500, "Not enough resources on a single NUMA node of the host.",
            "The host has room in total but not on one NUMA node; choose another host or a "
            "smaller flavor, or free capacity on this host.", False),
    EcsCode("DEH.1900", 404, "The dedicated host does not exist.",
            "It was released or the id is wrong; refresh the host list.", False),
    EcsCode("DEH.1905", 400, "A parameter is invalid.",
            "Check the value named in the message (limit, marker, filter).", False),
)

CATALOGUE: dict[str, EcsCode] = {row.code.upper(): row for row in _ROWS}
"""Every known code, keyed upper-case (codes are compared case-insensitively)."""


def lookup(code: str) -> EcsCode | None:
    """The catalogue row for ``code``, or None."""
    return CATALOGUE.get(code.strip().upper())


def explain(code: str | None, fallback_message: str | None = None) -> Explanation:
    """An ECS/DeH code as a sentence and what to do; unknown codes keep the server's words."""
    clean = (code or "").strip()
    row = lookup(clean) if clean else None
    if row is None:
        message = fallback_message or (f"Unknown error code {clean}" if clean
                                       else "Unknown error (no error code given)")
        return Explanation(clean, message, GENERIC_HANDLING, None, False, ())
    message = row.message
    if fallback_message and fallback_message.strip() != message:
        # migdash-sim (like ECS) starts its message with the sentence and adds the detail;
        # another wording is kept beside ours, not dropped.
        told = fallback_message.strip()
        message = told if told.startswith(message) else f"{message} The server said: {told}"
    return Explanation(row.code, message, row.handling, row.status, True, ())


def ecs_error_body(code: str, detail: str | None = None) -> dict[str, Any]:
    """The body ECS sends: ``{"error": {"code", "message", "details"}}``."""
    row = lookup(code)
    message = row.message if row else code
    text = f"{message} {detail}" if detail else message
    return {"error": {"code": code, "message": text,
                      "details": [{"code": code, "message": detail or message}]}}


def deh_error_body(code: str, detail: str | None = None) -> dict[str, Any]:
    """The body DeH sends: top-level ``error_code``/``error_msg``."""
    row = lookup(code)
    message = row.message if row else code
    return {"error_code": code, "error_msg": f"{message} {detail}" if detail else message}


def status_of(code: str) -> int:
    """The HTTP status that goes with ``code`` (400 for unknown codes)."""
    row = lookup(code)
    return row.status if row else 400


__all__ = [
    "CATALOGUE",
    "EcsCode",
    "GENERIC_HANDLING",
    "deh_error_body",
    "ecs_error_body",
    "explain",
    "lookup",
    "status_of",
]
