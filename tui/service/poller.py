"""The background polling service: fetches what the screens show and publishes snapshots.

It is a plain asyncio class (no Textual): it takes a client, intervals, a clock and a
``publish`` callback; the app runs :meth:`PollingService.run` in one worker and turns each
published event into a Textual message. Each poll is scheduled only after the previous one has
finished, so a slow server never causes overlapping polls.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import msgspec

from tui.api.exceptions import AuthError, PermissionDenied, RateLimited, SmsError
from tui.service.history import SpeedHistory
from tui.service.stalls import EMPTY_REPORT, StallDetector, StallReport
from tui.service.state import ConnectionStatus, FleetDiff, FleetSnapshot, Link, diff

ACTIVE_STATES = frozenset({"initialize", "replicate", "syncing", "stopping", "deleting",
                           "cloning", "cutovering", "testing"})
MAX_BACKOFF = 120.0
FLEET_HISTORY = 60
"""Speed points kept per task from fleet polls alone (5 min at --refresh 5): the open task's own
poll fills up to ``history_len``. 5,000 running tasks x 300 points grew RSS for 25 minutes."""
PROJECTS_EVERY = 12
"""Migration projects change rarely: fetched on every 12th fleet poll (and on refresh)."""
ERRORS_EVERY = 12
"""The failed servers (``/v3/errors``, up to 100 a page: 9 requests at 10k sources) are read
again when the sources in ``error`` changed (:func:`failed_key`), on refresh, and at least on
every 12th fleet poll (a minute at ``--refresh 5``) in case a server changes an error's text
without the source changing."""


def failed_key(sources: list[Any]) -> frozenset[tuple[str, Any]]:
    """Which sources are failed, and since when: a source failing, failing again or recovering
    changes it (``/v3/errors`` lists the sources in ``error``)."""
    return frozenset((s.id, getattr(s, "state_action_time", None))
                     for s in sources if s.state == "error")


async def _none() -> None:
    return None


class Client(Protocol):
    """The part of :class:`tui.api.client.SmsClient` the poller uses."""

    async def list_all_sources(self, *, same_as: Mapping[str, Any] | None = None,
                               **filters: Any) -> list[Any]: ...
    async def get_overview(self, **filters: Any) -> Any: ...
    async def list_all_errors(self, *, migproject: str | None = None) -> list[Any]: ...
    async def get_source(self, source_id: str) -> Any: ...
    async def get_task(self, task_id: str) -> Any: ...
    async def list_all_migprojects(self) -> list[Any]: ...
    async def list_all_tasks(self, **filters: Any) -> list[Any]: ...
    async def list_all_templates(self, **filters: Any) -> list[Any]: ...
    async def get_template(self, template_id: str) -> Any: ...
    async def get_speed_limits(self, task_id: str) -> Any: ...


# -- events -----------------------------------------------------------------------------


class FleetPolled(msgspec.Struct, frozen=True):
    """A fleet poll finished: the new snapshot and what changed since the last one."""

    snapshot: FleetSnapshot
    diff: FleetDiff
    stalls: StallReport = EMPTY_REPORT
    """Running tasks that stopped moving, and the incidents that began with this poll."""


class ConnectionChanged(msgspec.Struct, frozen=True):
    """The connection status changed (online, reconnecting with a countdown, auth failed)."""

    status: ConnectionStatus


class SourceDetailPolled(msgspec.Struct, frozen=True):
    """The open source's detail was fetched."""

    source_id: str
    detail: Any


class TaskDetailPolled(msgspec.Struct, frozen=True):
    """The open task's detail was fetched; ``speed`` is appended to its speed history."""

    task_id: str
    detail: Any
    history: tuple[tuple[float, float], ...]


class DetailPollFailed(msgspec.Struct, frozen=True):
    """A detail poll (source or task) failed; the last good detail stays on screen."""

    what: str
    ident: str
    error: SmsError


class TasksPolled(msgspec.Struct, frozen=True):
    """Every task (``/v3/tasks``) was fetched for the task list; failures are DetailPollFailed."""

    tasks: tuple[Any, ...]
    polled_at: float


Event = (FleetPolled | ConnectionChanged | SourceDetailPolled | TaskDetailPolled
         | DetailPollFailed | TasksPolled)


class Intervals(msgspec.Struct):
    """Polling intervals in seconds."""

    fleet: float = 5.0
    source: float = 2.0
    task: float = 1.0
    idle_factor: float = 3.0
    """The fleet interval is multiplied by this when nothing is migrating."""


class PollingService:
    """Polls SMS and publishes immutable snapshots; never raises out of :meth:`run`."""

    def __init__(
        self,
        client: Client,
        publish: Callable[[Event], None],
        *,
        intervals: Intervals | None = None,
        clock: Callable[[], float] = time.monotonic,
        migproject: str | None = None,
        history_len: int = 300,
    ) -> None:
        self.client = client
        self.publish = publish
        self.intervals = intervals or Intervals()
        self.clock = clock
        self.migproject = migproject
        self.history_len = history_len
        self.snapshot = FleetSnapshot({})
        self.status = ConnectionStatus()
        self.speed_history = SpeedHistory(history_len)
        """Speed points per task; the task screen draws the last 300."""
        self._source_id: str | None = None
        self._task_id: str | None = None
        self._wake = {name: asyncio.Event() for name in ("fleet", "source", "task", "tasks")}
        self.stalls = StallDetector()
        self._tasks_watched = False
        self._stopped = asyncio.Event()
        self._projects_due = True
        self._errors_due = True
        self._errors_key: frozenset[tuple[str, Any]] | None = None
        """:func:`failed_key` of the sources when the errors were last read."""
        self._stalls_reset = False

    # -- control from the UI ---------------------------------------------------------------

    def refresh_now(self) -> None:
        """Poll everything at once (the operator pressed ``r`` or just acted)."""
        self._projects_due = True
        self._errors_due = True
        for event in self._wake.values():
            event.set()

    def watch_source(self, source_id: str | None) -> None:
        """Poll this source's detail every ``intervals.source`` seconds (None stops)."""
        self._source_id = source_id
        self._wake["source"].set()

    def watch_task(self, task_id: str | None) -> None:
        """Poll this task's detail every ``intervals.task`` seconds (None stops)."""
        self._task_id = task_id
        self._wake["task"].set()

    def watch_tasks(self, on: bool) -> None:
        """Poll every task (``/v3/tasks``) at the fleet interval while ``on`` (the task list)."""
        self._tasks_watched = on
        self._wake["tasks"].set()

    def set_migproject(self, migproject: str | None) -> None:
        """Filter the fleet by migration project (the API's ``migproject``) and re-poll."""
        self.migproject = migproject
        self._errors_due = True
        # Another fleet: its standing stalls are not news. Reset by the next poll's digest,
        # which may be running in a thread right now.
        self._stalls_reset = True
        self._wake["fleet"].set()

    async def templates(self) -> list[Any]:
        """The target-server templates (read on demand, e.g. for a clone test); raises SmsError."""
        return list(await self.client.list_all_templates())

    async def speed_limits(self, task_id: str) -> list[Any]:
        """A task's time-of-day speed-limit rules (read on demand by the editor); raises SmsError."""
        response = await self.client.get_speed_limits(task_id)
        return list(response.speed_limit)

    async def task(self, task_id: str) -> Any:
        """One task's detail, read on demand (e.g. its task-level speed limit); raises SmsError."""
        return await self.client.get_task(task_id)

    async def template(self, template_id: str) -> Any:
        """One template as stored now (read on demand, before modifying it); raises SmsError."""
        return await self.client.get_template(template_id)

    async def source(self, source_id: str) -> Any:
        """One source's detail (read on demand, e.g. its ``init_target_server`` for a new
        task); raises SmsError."""
        return await self.client.get_source(source_id)

    def stop(self) -> None:
        """Ask :meth:`run` to return."""
        self._stopped.set()
        self.refresh_now()

    # -- the loops -------------------------------------------------------------------------

    async def run(self) -> None:
        """Run the fleet, source and task loops until :meth:`stop`."""
        await asyncio.gather(self._fleet_loop(), self._source_loop(), self._task_loop(),
                             self._tasks_loop())

    async def _sleep(self, name: str, seconds: float) -> None:
        """Sleep, but wake early on refresh_now / watch changes / stop."""
        event = self._wake[name]
        try:
            await asyncio.wait_for(event.wait(), timeout=max(0.0, seconds))
        except TimeoutError:
            pass
        event.clear()

    async def _fleet_loop(self) -> None:
        while not self._stopped.is_set():
            began = self.clock()
            delay = await self.poll_fleet()
            # Fixed rate: the interval counts from the poll's start, so a 3 s poll at
            # --refresh 5 is not an 8 s cycle (a poll longer than the interval runs back to back).
            await self._sleep("fleet", delay - (self.clock() - began))

    async def poll_fleet(self) -> float:
        """One fleet poll; returns how long to wait before the next one."""
        # The sources are the data; the rest only decorates it. All four go out together
        # (the first frame waits for one round trip, not four), and a failure of one of the
        # others keeps its last good value instead of throwing the fresh sources away.
        old = self.snapshot
        fetch_projects = self._projects_due or old.version % PROJECTS_EVERY == 0
        fetch_errors = self._errors_due or old.version % ERRORS_EVERY == 0
        sources, overview, errors, projects = await asyncio.gather(
            # Records unchanged since the last poll come back as the snapshot's own objects.
            self.client.list_all_sources(migproject=self.migproject, same_as=old.sources),
            self.client.get_overview(migproject=self.migproject),
            self.client.list_all_errors(migproject=self.migproject) if fetch_errors else _none(),
            self.client.list_all_migprojects() if fetch_projects else _none(),
            return_exceptions=True,
        )
        if isinstance(sources, SmsError):
            return self._failed(sources)
        for extra in (sources, overview, errors, projects):
            if isinstance(extra, BaseException) and not isinstance(extra, SmsError):
                raise extra
        if isinstance(overview, SmsError):
            overview = old.overview
        key = failed_key(sources)
        if errors is None and key != self._errors_key:
            # A source failed, failed again or recovered since the errors were read: read
            # them now (one more round trip, in the polls where that happened).
            try:
                errors = await self.client.list_all_errors(migproject=self.migproject)
            except SmsError as exc:
                errors = exc
        if errors is None:
            errors = list(old.errors)  # nothing failed or recovered: the last read stands
        elif isinstance(errors, SmsError):
            errors = list(old.errors)
            self._errors_due = True
        else:
            self._errors_key = key
            self._errors_due = False
        if isinstance(projects, SmsError) or projects is None:
            projects = old.projects
        else:
            projects = tuple(projects)
            self._projects_due = False
        now = self.clock()
        # Freezing, diffing and the stall and speed bookkeeping walk all 10k sources: done in a
        # thread so the event loop (keys, redraws) keeps running meanwhile. Nothing else
        # touches this state while a poll is in flight (polls never overlap).
        new, changes, stalls, busy = await asyncio.to_thread(
            self._digest, sources, overview, errors, projects, now)
        self.snapshot = new
        skipped = tuple(getattr(sources, "skipped", ()))
        self.status = ConnectionStatus(Link.ONLINE, last_ok=now, skipped=skipped)
        # Published on every success: the header's "data N s old" counts from last_ok.
        self.publish(ConnectionChanged(self.status))
        self.publish(FleetPolled(new, changes, stalls))
        return self.intervals.fleet * (1.0 if busy else self.intervals.idle_factor)

    def _digest(
        self, sources: list[Any], overview: Any, errors: Any, projects: tuple[Any, ...],
        now: float,
    ) -> tuple[FleetSnapshot, FleetDiff, StallReport, bool]:
        """The new snapshot, what changed, the stalls, and whether anything is migrating."""
        old = self.snapshot
        new = FleetSnapshot.build(sources, overview, errors, now, old.version + 1, projects)
        changes = diff(old.sources, new.sources)
        if self._stalls_reset:
            self._stalls_reset = False
            self.stalls.reset()
        stalls = self.stalls.update(new.sources, now)
        busy = False
        running: list[str] = []
        speeds: list[tuple[str, float]] = []
        watched = self._task_id  # the task screen's poll records that one, every second
        for s in sources:
            if s.state in ACTIVE_STATES:
                busy = True
                task = getattr(s, "current_task", None)
                if task is not None and task.id:
                    task_id = task.id
                    running.append(task_id)
                    speed = getattr(task, "migrate_speed", None)
                    if speed is not None and task_id != watched:
                        speeds.append((task_id, float(speed)))
        self.speed_history.record_many(speeds, now, keep=FLEET_HISTORY)
        if watched is not None:
            running.append(watched)
        self.speed_history.keep_only(running)
        return new, changes, stalls, busy

    def _failed(self, exc: SmsError) -> float:
        failures = self.status.failures + 1
        delay = min(MAX_BACKOFF, self.intervals.fleet * (2 ** (failures - 1)))
        if isinstance(exc, RateLimited) and exc.retry_after:
            delay = max(delay, exc.retry_after)
        link = Link.AUTH_FAILED if isinstance(exc, (AuthError, PermissionDenied)) else (
            Link.RECONNECTING
        )
        self.status = msgspec.structs.replace(self.status, link=link, failures=failures,
                                              error=exc, next_retry=self.clock() + delay)
        self.publish(ConnectionChanged(self.status))
        return float(delay)

    async def _source_loop(self) -> None:
        while not self._stopped.is_set():
            ident = self._source_id
            if ident is None:
                await self._sleep("source", 3600)
                continue
            try:
                detail = await self.client.get_source(ident)
            except SmsError as exc:
                self.publish(DetailPollFailed("source", ident, exc))
            else:
                if ident == self._source_id:
                    self.publish(SourceDetailPolled(ident, detail))
            await self._sleep("source", self.intervals.source)

    async def _task_loop(self) -> None:
        while not self._stopped.is_set():
            ident = self._task_id
            if ident is None:
                await self._sleep("task", 3600)
                continue
            try:
                detail = await self.client.get_task(ident)
            except SmsError as exc:
                self.publish(DetailPollFailed("task", ident, exc))
            else:
                history = self._record_speed(ident, detail, self.clock())
                if ident == self._task_id:
                    self.publish(TaskDetailPolled(ident, detail, history))
            await self._sleep("task", self.intervals.task)

    async def _tasks_loop(self) -> None:
        while not self._stopped.is_set():
            if not self._tasks_watched:
                await self._sleep("tasks", 3600)
                continue
            try:
                tasks = await self.client.list_all_tasks()
            except SmsError as exc:
                self.publish(DetailPollFailed("tasks", "", exc))
            else:
                if self._tasks_watched:
                    self.publish(TasksPolled(tuple(tasks), self.clock()))
            await self._sleep("tasks", self.intervals.fleet)

    def _record_speed(
        self, task_id: str, task: Any, now: float
    ) -> tuple[tuple[float, float], ...]:
        """Keep every running task's speed (MB/s, as the API gives it), the last
        ``history_len`` points.

        Fleet polls feed it for every running task, the task poll every second for the open
        one, so the history survives leaving and reopening the task screen."""
        speed = getattr(task, "migrate_speed", None)
        if speed is not None:
            self.speed_history.record(task_id, now, float(speed))
        return self.speed_history.points(task_id)
