"""Re-reads that tell whether a write whose answer was lost took effect.

When a write ends with :class:`~tui.api.exceptions.OutcomeUnknown` (a timeout or reset after
sending, or an unreadable success), the command gateway calls one of these checks a few times.
Each re-reads the target and returns a :class:`Check`: ``applied`` True (the server shows the
write), False (not yet), or None (the server's state cannot show this kind of write).

The checks only read; a :class:`~tui.api.exceptions.SmsError` from a read means "could not
tell this time" and the gateway tries again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from tui.api.exceptions import NotFound
from tui.api.models import parse_hhmm
from tui.untrusted import clean


class Check(msgspec.Struct, frozen=True):
    """What one re-read showed about a write."""

    applied: bool | None
    """True: the server shows the write; False: not (yet); None: its state cannot tell."""
    shows: str = ""
    """What the server shows, in the operator's words (server text already cleaned)."""


Verify = Callable[[], Awaitable["bool | Check"]]
"""A zero-argument coroutine factory that re-reads a write's target (see the module doc)."""

EFFECT_STATES: dict[str, frozenset[str]] = {
    "start": frozenset({"RUNNING", "SYNCING", "MIGRATE_SUCCESS"}),
    "restart": frozenset({"RUNNING", "SYNCING"}),
    "stop": frozenset({"ABORTING", "ABORT"}),
}
"""Task states that show a start, restart or stop was applied."""


def task_action(client: Any, task_id: str, operation: str, sent_state: str | None) -> Verify:
    """Did ``operation`` (sent while the task was ``sent_state``) reach the task?"""

    async def check() -> Check:
        detail = await client.get_task(task_id)
        state = clean(str(detail.state or "?"))
        shows = f"the task is {state}"
        wanted = EFFECT_STATES.get(operation)
        if wanted is not None:
            if detail.state in wanted and detail.state != sent_state:
                return Check(True, shows)
            if detail.state == sent_state:
                return Check(False, f"{shows}, as before")
            return Check(None, f"{shows} (was {sent_state}): not what {operation} leads to")
        if operation == "clone_test" and detail.clone_server is not None:
            return Check(True, f"{shows}, with a clone server")
        if sent_state is not None and detail.state != sent_state:
            return Check(True, f"{shows} (was {sent_state})")
        # A launch or network check may leave the task's state as it was.
        return Check(None, f"{shows}; its state does not show whether {operation} was applied")

    return check


def task_deleted(client: Any, task_id: str) -> Verify:
    """Is the task gone?"""

    async def check() -> Check:
        try:
            detail = await client.get_task(task_id)
        except NotFound:
            return Check(True, "the task no longer exists")
        return Check(False, f"the task still exists ({clean(str(detail.state or '?'))})")

    return check


def _rules(items: Any) -> set[tuple[int, int, int | None]]:
    out = set()
    for rule in items or ():
        try:
            span = (parse_hhmm(str(rule.start)), parse_hhmm(str(rule.end)))
        except (TypeError, ValueError):
            continue
        speed = None if rule.speed is None else int(rule.speed)
        out.add((*span, speed))
    return out


def speed_limits(client: Any, task_id: str, body: Any) -> Verify:
    """Does the task's schedule now read back as ``body`` (a ``SpeedLimitRequest``)?"""
    wanted = _rules(body.speed_limit)

    async def check() -> Check:
        got = _rules((await client.get_speed_limits(task_id)).speed_limit)
        if got == wanted:
            return Check(True, f"the task has the {len(wanted)} rule(s) sent")
        return Check(False, f"the task has {len(got)} rule(s), not the {len(wanted)} sent")

    return check


def _gone(read: Callable[[], Awaitable[Any]], what: str) -> Verify:
    async def check() -> Check:
        try:
            await read()
        except NotFound:
            return Check(True, f"the {what} no longer exists")
        return Check(False, f"the {what} still exists")

    return check


def _fields(read: Callable[[], Awaitable[Any]], body: Any, names: tuple[str, ...],
            what: str) -> Verify:
    """The object's fields ``names`` equal the ones set in ``body``."""
    sent = {n: getattr(body, n, None) for n in names}
    sent = {n: v for n, v in sent.items() if v is not None}

    async def check() -> Check:
        current = await read()
        differs = [n for n, v in sent.items() if getattr(current, n, None) != v]
        if not sent:
            return Check(None, f"the {what} exists; nothing re-readable was changed")
        if differs:
            return Check(False, f"the {what}'s {', '.join(differs)} is not what was sent")
        return Check(True, f"the {what} shows {', '.join(sent)} as sent")

    return check


def for_write(client: Any, method: str, args: tuple[Any, ...]) -> Verify | None:
    """The check for ``CommandGateway.write(…, method, *args)``, when one can tell."""
    if method == "delete_source" and args:
        return _gone(lambda: client.get_source(args[0]), "source")
    if method == "delete_template" and args:
        return _gone(lambda: client.get_template(args[0]), "template")
    if method == "delete_task" and args:
        return task_deleted(client, args[0])
    if method == "update_source" and len(args) == 2:
        return _fields(lambda: client.get_source(args[0]), args[1], ("name",), "source")
    if method == "update_task" and len(args) == 2:
        return _fields(lambda: client.get_task(args[0]), args[1], ("name", "speed_limit"),
                       "task")
    if method == "update_template" and len(args) == 2:
        return _fields(lambda: client.get_template(args[0]), args[1], ("name",), "template")
    if method == "create_task" and args and getattr(args[0], "name", None):
        name = args[0].name
        source_id = getattr(getattr(args[0], "source_server", None), "id", None)

        async def created() -> Check:
            filters = {"source_server_id": source_id} if source_id else {"name": name}
            found = await client.list_tasks(limit=50, **filters)
            if any(t.name == name for t in found.tasks):
                return Check(True, f"the task {clean(name)} now exists")
            return Check(False, f"no task named {clean(name)} exists")

        return created
    if method == "create_template" and args and getattr(args[0], "name", None):
        tname = args[0].name

        async def created_template() -> Check:
            found = await client.list_templates(limit=50, name=tname)
            if any(t.name == tname for t in found.templates):
                return Check(True, f"the template {clean(tname)} now exists")
            return Check(False, f"no template named {clean(tname)} exists")

        return created_template
    return None


__all__ = ["Check", "EFFECT_STATES", "Verify", "for_write", "speed_limits", "task_action",
           "task_deleted"]
