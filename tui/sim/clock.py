"""Clocks for the simulator: real time (optionally sped up) or a manual clock for tests.

Times are epoch milliseconds, the unit SMS uses for every date.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the simulated time in epoch milliseconds."""

    def now_ms(self) -> int: ...


class RealClock:
    """Wall-clock time, running ``speed`` times faster from the moment it was created.

    Time moves in steps of ``tick`` wall seconds: every request within one step sees the same
    time, so the engine advances the fleet once per step, not once per request (a 50-page fetch
    of a 10k fleet advanced ~5,000 tasks 50 times)."""

    def __init__(self, speed: float = 1.0, start_ms: int | None = None,
                 tick: float = 0.5) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self.tick = max(0.001, tick)
        self._start_ms = int(time.time() * 1000) if start_ms is None else int(start_ms)
        self._t0 = time.monotonic()

    def now_ms(self) -> int:
        steps = int((time.monotonic() - self._t0) / self.tick)
        return self._start_ms + int(steps * self.tick * 1000 * self.speed)

    def __repr__(self) -> str:
        return f"RealClock(speed={self.speed})"


class ManualClock:
    """A clock that moves only when told to; the engine is a pure function of seed and time."""

    DEFAULT_START_MS = 1_767_225_600_000
    """2026-01-01T00:00:00Z."""

    def __init__(self, start_ms: int | None = None) -> None:
        self._now = self.DEFAULT_START_MS if start_ms is None else int(start_ms)

    def now_ms(self) -> int:
        return self._now

    def advance(self, seconds: float) -> int:
        """Move forward by ``seconds``; returns the new time."""
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        self._now += int(round(seconds * 1000))
        return self._now

    def set(self, now_ms: int) -> None:
        """Jump to ``now_ms`` (not backwards)."""
        if now_ms < self._now:
            raise ValueError("a clock does not go backwards")
        self._now = int(now_ms)

    def __repr__(self) -> str:
        return f"ManualClock(now_ms={self._now})"
