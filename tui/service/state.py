"""Immutable snapshots the polling service publishes, and the diff between two of them."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType
from typing import Any

import msgspec

from tui.api.exceptions import SmsError


class Link(str, Enum):
    """How the dashboard's connection to SMS is doing."""

    CONNECTING = "connecting"
    ONLINE = "online"
    RECONNECTING = "reconnecting"
    AUTH_FAILED = "auth failed"


class ConnectionStatus(msgspec.Struct, frozen=True):
    """The connection as the header shows it: state, last success, next retry, last error."""

    link: Link = Link.CONNECTING
    last_ok: float | None = None
    """Clock time of the last successful fleet poll."""
    next_retry: float | None = None
    """Clock time of the next attempt while reconnecting."""
    failures: int = 0
    """Consecutive failed fleet polls."""
    error: SmsError | None = None
    skipped: tuple[str, ...] = ()
    """Records of the last good poll that could not be read, one reason each (server text)."""

    def age(self, now: float) -> float | None:
        """Seconds since the last good data, or None if there never was any."""
        return None if self.last_ok is None else max(0.0, now - self.last_ok)

    def is_stale(self, now: float, interval: float) -> bool:
        """True after two missed polls or 20 s without fresh data, whichever comes first."""
        age = self.age(now)
        if age is None:
            return False
        return self.failures >= 2 or age > min(20.0, 2 * interval + interval / 2)

    @property
    def reason(self) -> str:
        """Why the last poll failed (refused, DNS, TLS, timeout, bad response: …); empty
        when online."""
        from tui.service.link_reason import link_reason

        return "" if self.link is Link.ONLINE else link_reason(self.error)

    def retry_in(self, now: float) -> float | None:
        """Seconds until the next attempt while reconnecting."""
        return None if self.next_retry is None else max(0.0, self.next_retry - now)


def _freeze(items: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(items))


class FleetDiff(msgspec.Struct, frozen=True):
    """What changed between two fleet snapshots, so the UI touches only those rows."""

    changed: Mapping[str, Any] = msgspec.field(default_factory=dict)
    """Added or modified sources by id (the new value)."""
    removed: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not self.changed and not self.removed


class FleetSnapshot(msgspec.Struct, frozen=True):
    """Every source, the overview and the failed servers as of one poll."""

    sources: Mapping[str, Any]
    """Source id → ``SourceListItem``, in the server's order."""
    overview: Any = None
    errors: tuple[Any, ...] = ()
    polled_at: float = 0.0
    version: int = 0
    projects: tuple[Any, ...] = ()
    """Migration projects (refreshed less often than sources)."""

    @classmethod
    def build(cls, sources: list[Any], overview: Any, errors: list[Any], polled_at: float,
              version: int, projects: tuple[Any, ...] = ()) -> FleetSnapshot:
        """Freeze freshly fetched lists into a snapshot."""
        return cls(_freeze({s.id: s for s in sources}), overview, tuple(errors), polled_at,
                   version, tuple(projects))


_MISSING = object()


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> FleetDiff:
    """Sources added or changed (by value, nested values too) and removed. The agent's
    heartbeat, which moves on every poll, is not part of a list record
    (``SourceListItem.__ignored__``), so it never counts."""
    changed = {}
    get = old.get
    for key, value in new.items():
        before = get(key, _MISSING)
        # The same object, or equal records (compared in C); a missing one never is.
        if before is not value and (before is _MISSING or before != value):
            changed[key] = value
    removed = frozenset(k for k in old if k not in new)
    return FleetDiff(changed, removed)
