"""The ZStack error codes migdash meets, decoded to a sentence and what to do about it.

ZStack answers a failure with an ``ErrorCode`` (``code``, ``description``, ``details``, and a
nested ``cause``). The codes are ``<DOMAIN>.<number>`` from ZStack's enums (``SysErrors``,
``IdentityErrors``, ``VmErrors``, ``HostAllocatorError``); the texts here are ours, written
from what each code means in ZStack's source. The simulator builds its error bodies with
:func:`error_code`, so both sides speak the same catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tui.api.errors import Explanation

GENERIC_HANDLING = (
    "This ZStack error code is not in migdash's catalogue. Read the details and the cause "
    "below, then check the VM and hosts in the ZStack console or the management node's log."
)
"""The advice for codes the catalogue does not know."""

MAX_CAUSES = 8
"""How deep a cause chain is followed; a server that nests forever cannot hang the UI."""


@dataclass(frozen=True)
class ZStackCode:
    """One ZStack error code: what happened, and what the operator can do."""

    code: str
    message: str
    handling: str


_CODES: tuple[ZStackCode, ...] = (
    ZStackCode("SYS.1000", "ZStack hit an internal error.",
               "Retry once; if it repeats, read the management node's log for the stack trace."),
    ZStackCode("SYS.1001", "The operation timed out inside ZStack.",
               "The VM or host may be busy; refresh to see where the VM is now before retrying."),
    ZStackCode("SYS.1003", "The resource does not exist (any more).",
               "Refresh: the VM or host may have been deleted or renamed by someone else."),
    ZStackCode("SYS.1006", "The operation failed on the host.",
               "Read the cause below (often libvirt or the host agent); fix the host, then retry."),
    ZStackCode("SYS.1007", "ZStack refused an argument of the request.",
               "The details say which; e.g. a VM cannot be migrated to the host it is on."),
    ZStackCode("SYS.1008", "ZStack does not know this API message.",
               "The management node may be older than this call; check its version."),
    ZStackCode("SYS.1010", "ZStack is not ready for this operation yet.",
               "Wait for the management node to finish starting, then retry."),
    ZStackCode("SYS.1012", "The management node is unavailable.",
               "Check that the ZStack management node is running and reachable."),
    ZStackCode("ID.1000", "The account name or password was refused.",
               "Check --zstack-account and the password (MIGDASH_ZSTACK_PASSWORD or the "
               "profile's zstack_password)."),
    ZStackCode("ID.1001", "The session is invalid or has expired.",
               "migdash logs in again once by itself; if this persists, check the account and "
               "the management node's session timeout."),
    ZStackCode("ID.1002", "The account is not permitted to do this.",
               "Use an account allowed to migrate VMs (admin, or a role with MigrateVm)."),
    ZStackCode("ID.1006", "The account has too many sessions open.",
               "Close other sessions of this account (or wait for them to expire), then retry."),
    ZStackCode("ID.1007", "The account is disabled.", "Ask the ZStack administrator to enable it."),
    ZStackCode("VM.1008", "The live migration failed; the VM stays on its host.",
               "Read the cause below; check the destination host's agent and network, then "
               "retry, or choose another host."),
    ZStackCode("VM.1010", "The VM is not in a state that allows this operation.",
               "Live migration needs a Running or Paused VM (Unknown only with allowUnknown); "
               "wait for the VM to settle or start it first."),
    ZStackCode("HOST_ALLOCATION.1000", "No host can take the VM.",
               "Every candidate lacks CPU or memory, or is disabled or disconnected; free "
               "capacity or enable a host in the same cluster."),
)

CATALOGUE: Mapping[str, ZStackCode] = {c.code: c for c in _CODES}
"""Every code migdash decodes, by code."""


def lookup(code: str) -> ZStackCode | None:
    """The catalogue row for ``code``, or None."""
    return CATALOGUE.get(code.strip().upper())


def explain(code: str | None, description: str | None = None) -> Explanation:
    """Decode a ZStack code (same shape as the SMS :func:`tui.api.errors.explain`)."""
    clean = (code or "").strip()
    entry = lookup(clean) if clean else None
    if entry is None:
        message = description or (f"Unknown ZStack error code {clean}" if clean
                                  else "Unknown ZStack error (no error code given)")
        return Explanation(clean, message, GENERIC_HANDLING, None, False, ())
    return Explanation(entry.code, entry.message, entry.handling, None, True, ())


def cause_chain(error: Mapping[str, Any] | None) -> list[tuple[str, str, str]]:
    """``(code, description, details)`` for an ErrorCode and each nested ``cause``."""
    chain: list[tuple[str, str, str]] = []
    node: Any = error
    while isinstance(node, Mapping) and len(chain) < MAX_CAUSES:
        chain.append((_str(node.get("code")), _str(node.get("description")),
                      _str(node.get("details"))))
        node = node.get("cause")
    return chain


def summary(code: str | None, causes: list[tuple[str, str, str]], *,
            with_code: bool = True) -> str:
    """One line for a toast or an outcome: the decoded code, its details, then each cause."""
    ex = explain(code, causes[0][1] if causes else None)
    text = f"{ex.code}: {ex.message}" if ex.code and with_code else ex.message
    if causes and causes[0][2] and len(causes) == 1:
        # With a cause, the cause's details say more than the outer "failed to migrate vm[…]".
        text += f" ({causes[0][2]})"
    for sub_code, description, details in causes[1:]:
        text += f" ← caused by {sub_code or '?'}: {details or description or 'no details'}"
    return text


def error_code(code: str, details: str = "", *, cause: Mapping[str, Any] | None = None,
               description: str | None = None) -> dict[str, Any]:
    """An ErrorCode body as ZStack sends it (the simulator uses this)."""
    entry = lookup(code)
    body: dict[str, Any] = {
        "code": code,
        "description": description or (entry.message if entry else "error"),
        "details": details,
    }
    if cause is not None:
        body["cause"] = dict(cause)
    return body


def _str(value: Any) -> str:
    return "" if value is None else str(value)


__all__ = ["CATALOGUE", "GENERIC_HANDLING", "ZStackCode", "cause_chain", "error_code",
           "explain", "lookup", "summary"]
