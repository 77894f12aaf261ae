"""The one place every write goes through: read-only guard, no double submit, audit, refresh.

Screens call these methods (from a worker); nothing else in the UI can reach a write endpoint.
Each method returns an :class:`Outcome` instead of raising, so the UI always has something to
show: done, failed with the decoded SMS error, skipped with the reason, or unknown.

"Failed" means the server answered and refused. When the answer is lost after the request may
have reached the server (timeout or reset after sending, unreadable success), the outcome is
*unknown*: the gateway says so at once (``on_unknown``, "outcome unknown — checking"), audits
``unknown``, re-reads the target with the write's ``verify`` check a few times, and ends with
what the server shows: ``ok`` when the write took effect, still ``unknown`` otherwise (it may
yet be applied, so nothing is re-sent). The verified result is a second audit record.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from tui.api.actions import refusal
from tui.api.exceptions import OutcomeUnknown, SmsError
from tui.api.errors import explain
from tui.service import verify as checks
from tui.service.audit import AuditLog
from tui.service.verify import Check, Verify
from tui.untrusted import clean

if TYPE_CHECKING:  # imported when a write is sent: the launch does not load pydantic
    from pydantic import ValidationError

Status = Literal["ok", "failed", "skipped", "unknown"]

VERIFY_DELAYS = (1.0, 2.0, 4.0, 8.0)
"""Seconds before each re-read of a write whose outcome is unknown (15 s in all: a server that
applies a write a few seconds after the answer timed out is still seen)."""


class ReadOnlyViolation(RuntimeError):
    """A write was attempted in read-only mode; nothing was sent."""


class Outcome(msgspec.Struct, frozen=True):
    """How one write ended for one target."""

    target: str
    label: str
    status: Status
    reason: str = ""
    error: SmsError | None = None
    result: Any = None

    @property
    def ok(self) -> bool:
        """True when the server accepted it (or a re-read showed it took effect)."""
        return self.status == "ok"

    @property
    def unknown(self) -> bool:
        """True when the write may or may not have reached the server (see the module doc)."""
        return self.status == "unknown"


class BulkSummary(msgspec.Struct, frozen=True):
    """Per-target outcomes of one action applied to many sources."""

    operation: str
    outcomes: tuple[Outcome, ...]

    def count(self, status: Status) -> int:
        """How many targets ended with ``status``."""
        return sum(1 for o in self.outcomes if o.status == status)


def describe(error: SmsError) -> str:
    """The operator-facing text of an error: decoded SMS message plus handling measure."""
    if error.error_code:
        ex = explain(error.error_code, error.params, fallback_message=error.message)
        return f"{ex.code}: {ex.message} — {ex.handling}"
    return str(error)


class CommandGateway:
    """Sends writes for the dashboard; see the module docstring."""

    def __init__(
        self,
        client: Any,
        audit: AuditLog,
        *,
        read_only: bool,
        on_sent: Callable[[], None] = lambda: None,
        on_unknown: Callable[[Outcome], None] = lambda outcome: None,
        concurrency: int = 4,
        verify_delays: Sequence[float] = VERIFY_DELAYS,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._client = client
        self.audit = audit
        self.read_only = read_only
        self._on_sent = on_sent
        self._on_unknown = on_unknown
        """Told at once when a write's outcome is unknown (the app toasts "checking")."""
        self.verify_delays = tuple(verify_delays)
        self._sleep = sleep
        self._in_flight: set[tuple[str, str]] = set()
        self._gate = asyncio.Semaphore(concurrency)

    async def send(
        self,
        operation: str,
        target: str,
        label: str,
        call: Callable[[], Awaitable[Any]],
        request: Any = None,
        *,
        verify: Verify | None = None,
        on_unknown: Callable[[Outcome], None] | None = None,
    ) -> Outcome:
        """Send one write exactly once, audit it and ask the poller to refresh.

        ``verify`` re-reads the target when the answer is lost (see the module doc);
        ``on_unknown`` replaces the gateway's own "checking" notice for this write."""
        if self.read_only:
            raise ReadOnlyViolation(f"{operation} refused: migdash is in read-only mode")
        key = (operation, target)
        if key in self._in_flight:
            return Outcome(target, label, "skipped", "the same request is already being sent")
        self._in_flight.add(key)
        from pydantic import BaseModel

        summary = request.model_dump(mode="json", exclude_none=True) if isinstance(
            request, BaseModel) else request
        try:
            async with self._gate:
                result = await call()
        except OutcomeUnknown as exc:
            # Still in flight while it is checked: a second key press sends nothing.
            try:
                return await self._settle(operation, target, label, summary, exc, verify,
                                          on_unknown or self._on_unknown)
            finally:
                self._in_flight.discard(key)
        except SmsError as exc:
            self._in_flight.discard(key)
            self.audit.record(operation, [target], summary, ok=False,
                              error_code=exc.error_code, error=exc.message)
            return Outcome(target, label, "failed", describe(exc), exc)
        self._in_flight.discard(key)
        self.audit.record(operation, [target], summary, ok=True)
        self._on_sent()
        return Outcome(target, label, "ok", result=result)

    async def _settle(self, operation: str, target: str, label: str, summary: Any,
                      exc: OutcomeUnknown, verify: Verify | None,
                      tell: Callable[[Outcome], None]) -> Outcome:
        """Audit ``unknown``, re-read the target, audit and return what the server shows."""
        self.audit.record(operation, [target], summary, ok=False, outcome="unknown",
                          error_code=exc.error_code, error=exc.message)
        what = operation.rsplit(".", 1)[-1].replace("_", " ")
        lost = clean(exc.cause)  # may quote a gateway's answer: shown, never obeyed
        tell(Outcome(target, label, "unknown", f"{what}: outcome unknown — checking "
                     f"({lost})", exc))
        self._on_sent()  # the write may have landed: poll soon whatever the check says
        seen: Check | None = None
        read_error: SmsError | None = None
        for delay in self.verify_delays if verify is not None else ():
            await self._sleep(delay)
            assert verify is not None
            try:
                answer = await verify()
            except SmsError as err:
                read_error = err
                continue
            seen = answer if isinstance(answer, Check) else Check(bool(answer))
            if seen.applied is not False:
                break
        if seen is not None and seen.applied:
            shows = seen.shows or "the server shows it took effect"
            self.audit.record(operation, [target], summary, ok=True, verified=shows)
            return Outcome(target, label, "ok", f"re-reading shows it took effect: {shows} "
                           f"(the answer was lost: {lost})", exc)
        if verify is None:
            shows = "nothing re-reads this kind of write"
        elif seen is None:
            shows = ("could not re-read it"
                     + (f" ({describe(read_error)})" if read_error is not None else ""))
        elif seen.applied is None:
            shows = f"re-reading cannot tell: {seen.shows}"
        else:
            waited = sum(self.verify_delays)
            shows = f"{waited:g} s later {seen.shows}; it may still be applied"
        self.audit.record(operation, [target], summary, ok=False, outcome="unknown",
                          error_code=exc.error_code, error=exc.message, verified=shows)
        return Outcome(target, label, "unknown", f"outcome unknown: {shows} (the answer was "
                       f"lost: {lost}). Check before sending it again.", exc)

    # -- task actions ----------------------------------------------------------------------

    async def task_action(self, task_id: str | None, operation: str, *, label: str = "",
                          task_state: str | None = None, template_id: str | None = None,
                          check_state: bool = True,
                          on_unknown: Callable[[Outcome], None] | None = None) -> Outcome:
        """start/stop/restart/test/clone_test/network_check one task, if its state allows."""
        from pydantic import ValidationError

        from tui.api.models import TaskActionRequest

        target = task_id or label
        why = refusal(operation, task_state) if check_state else None
        if task_id is None:
            why = "the source has no migration task"
        if why:
            return Outcome(target, label, "skipped", why)
        try:
            # A strict body: an operation the reference does not document is refused here.
            body = TaskActionRequest.model_validate({"operation": operation,
                                                     "template_id": template_id})
        except ValidationError as exc:
            return Outcome(target, label, "skipped", _first_error(exc))
        assert task_id is not None
        return await self.send(f"task.{operation}", task_id, label,
                               lambda: self._client.task_action(task_id, body), body,
                               verify=checks.task_action(self._client, task_id, operation,
                                                         task_state),
                               on_unknown=on_unknown)

    async def bulk_task_action(
        self, targets: Sequence[tuple[str | None, str | None, str]], operation: str, **kw: Any
    ) -> BulkSummary:
        """The same action on many tasks: (task_id, task_state, label) each, 4 at a time."""
        outcomes = await asyncio.gather(
            *(self.task_action(tid, operation, label=label, task_state=state, **kw)
              for tid, state, label in targets)
        )
        return BulkSummary(operation, tuple(outcomes))

    async def speed_limits(self, task_id: str | None, body: Any, *, label: str = "") -> Outcome:
        """Replace one task's speed-limit rules with ``body`` (a ``SpeedLimitRequest``)."""
        if task_id is None:
            return Outcome(label, label, "skipped", "no migration task")
        return await self.send("task.speed_limits", task_id, label,
                               lambda: self._client.set_speed_limits(task_id, body), body,
                               verify=checks.speed_limits(self._client, task_id, body))

    async def bulk_speed_limits(self, targets: Sequence[tuple[str | None, str]],
                                body: Any) -> BulkSummary:
        """One schedule onto many tasks: (task_id or None, label) each, 4 at a time."""
        outcomes = await asyncio.gather(
            *(self.speed_limits(tid, body, label=label) for tid, label in targets))
        return BulkSummary("speed limits", tuple(outcomes))

    async def delete_task(self, task_id: str, *, label: str = "",
                          task_state: str | None = None) -> Outcome:
        """Delete a task (not while it moves data)."""
        why = refusal("delete", task_state)
        if why:
            return Outcome(task_id, label, "skipped", why)
        return await self.send("task.delete", task_id, label,
                               lambda: self._client.delete_task(task_id),
                               verify=checks.task_deleted(self._client, task_id))

    async def write(self, operation: str, target: str, label: str, method: str,
                    *args: Any, request: Any = None) -> Outcome:
        """Any other client write by method name (create_task, update_source, …)."""
        fn = getattr(self._client, method)
        return await self.send(operation, target, label, lambda: fn(*args), request,
                               verify=checks.for_write(self._client, method, args))


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ())) or "body"
    return f"{loc}: {err.get('msg', 'invalid')}"
