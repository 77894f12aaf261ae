"""Stalled migrations: a running task that stops copying, or whose agent goes away.

Fed one fleet snapshot per poll (pure, no Textual, no clock of its own). A source's task is
*stalled* when

* its task is RUNNING or SYNCING and the source's agent is disconnected (nothing can move), or
* its task is RUNNING in the data phase (source state ``replicate``, bytes left to copy) and
  ``replicatesize`` has not grown for :data:`FLAT_POLLS` polls in a row.

A stall is an *incident* from the poll it is first seen until the poll it is gone (the bytes
grow again, the agent is back, or the task leaves the running states); the next stall of the
same source is a new incident. The UI alerts once per incident (:attr:`StallReport.started`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any, Literal

import msgspec

FLAT_POLLS = 3
"""Polls in a row without replicated bytes growing before a running task counts as stalled."""
MOVING_STATES = frozenset({"RUNNING", "SYNCING"})
"""Task states in which data should be moving."""

Reason = Literal["agent", "flat"]


class Stall(msgspec.Struct, frozen=True):
    """One stalled task, as of the poll that saw it."""

    source_id: str
    task_id: str
    label: str
    """The source server's name (or id), for messages."""
    reason: Reason
    flat_polls: int = 0
    """Polls in a row the replicated bytes have not grown (0 for an agent stall)."""
    since: float = 0.0
    """Clock time of the poll that started the incident."""

    @property
    def why(self) -> str:
        """What is wrong, in operator words."""
        if self.reason == "agent":
            return "agent disconnected; no data can move until it reconnects"
        return f"no data copied in the last {self.flat_polls} polls"


class StallReport(msgspec.Struct, frozen=True, dict=True):  # (dict: the cached index)
    """The stall picture after one poll."""

    stalled: Mapping[str, Stall] = msgspec.field(default_factory=lambda: MappingProxyType({}))
    """Source id → its ongoing stall."""
    started: tuple[Stall, ...] = ()
    """Incidents that began with this poll and should be announced."""
    changed: frozenset[str] = frozenset()
    """Sources whose stall flag appeared, changed reason or went away with this poll."""

    def for_task(self, task_id: str) -> Stall | None:
        """The ongoing stall of ``task_id``, if any."""
        return self._by_task.get(task_id)

    @cached_property
    def _by_task(self) -> Mapping[str, Stall]:
        # The task list asks once per task: an index, not a scan of every stall each time.
        return {s.task_id: s for s in self.stalled.values()}


class _Track(msgspec.Struct):
    bytes: int | None
    flat: int = 0


class StallDetector:
    """Keeps a little history per source and turns each fleet snapshot into a StallReport.

    Incidents already present at the first snapshot (or the first after :meth:`reset`) are
    flagged but not in ``started``: the operator is looking at the list right then, and an
    alarm for what was already so before the dashboard opened would only be noise.
    """

    def __init__(self, flat_polls: int = FLAT_POLLS) -> None:
        self.flat_polls = flat_polls
        self._tracks: dict[str, _Track] = {}
        self._stalled: dict[str, Stall] = {}
        self._primed = False

    def reset(self) -> None:
        """Forget everything (the fleet being watched changed, e.g. another project)."""
        self._tracks.clear()
        self._stalled.clear()
        self._primed = False

    def update(self, sources: Mapping[str, Any], now: float) -> StallReport:
        """Fold one fleet snapshot (source id → ``SourceListItem``) in; report the stalls."""
        stalled: dict[str, Stall] = {}
        started: list[Stall] = []
        tracks = self._tracks
        for sid, source in sources.items():
            task = getattr(source, "current_task", None)
            if task is None or getattr(task, "state", None) not in MOVING_STATES:
                # Most of a fleet, on every poll: what _check would decide, without the call.
                if sid in tracks:
                    del tracks[sid]
                continue
            stall = self._check(sid, source, task, now)
            if stall is None:
                continue
            previous = self._stalled.get(sid)
            if previous is not None and previous.task_id == stall.task_id:
                stall = Stall(sid, stall.task_id, stall.label, stall.reason, stall.flat_polls,
                              previous.since)
            else:
                if self._primed:
                    started.append(stall)
            stalled[sid] = stall
        for sid in list(self._tracks):
            if sid not in sources:
                del self._tracks[sid]
        changed = {sid for sid in stalled.keys() | self._stalled.keys()
                   if sid not in stalled or sid not in self._stalled
                   or stalled[sid].reason != self._stalled[sid].reason}
        self._stalled = stalled
        self._primed = True
        return StallReport(MappingProxyType(dict(stalled)), tuple(started), frozenset(changed))

    def _check(self, sid: str, source: Any, task: Any, now: float) -> Stall | None:
        """The stall of ``source``, whose ``task`` is in a moving state (:meth:`update` decided
        the rest), if any; its track follows the replicated bytes."""
        task_state = task.state
        if task.id is None:
            self._tracks.pop(sid, None)
            return None
        label = source.name or sid
        copied = source.replicatesize
        track = self._tracks.get(sid)
        copying = (task_state == "RUNNING" and source.state == "replicate" and copied is not None
                   and (source.totalsize is None or copied < source.totalsize))
        if track is None:
            track = self._tracks[sid] = _Track(None)
        if source.connected is False:
            # The cause is known; flat polls start counting again once the agent is back.
            track.bytes, track.flat = copied, 0
            return Stall(sid, task.id, label, "agent", 0, now)
        if not copying or track.bytes is None or copied != track.bytes:
            # Growth (or a reset to fewer bytes after a restart) is a fresh baseline (the
            # track is reused: thousands are renewed every poll).
            track.bytes, track.flat = copied, 0
        else:
            track.flat += 1
        flat = track.flat
        if copying and flat >= self.flat_polls:
            return Stall(sid, task.id, label, "flat", flat, now)
        return None


EMPTY_REPORT = StallReport()
"""No stalls (before the first poll)."""
