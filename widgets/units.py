"""Human units for sizes, speeds, durations and ages (one place, so every screen agrees)."""

from __future__ import annotations

import time

_SIZE_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def human_size(n: float | None) -> str:
    """Bytes as ``512 B``, ``1.5 GiB``…; ``—`` for unknown."""
    if n is None:
        return "—"
    value = float(n)
    for unit in _SIZE_UNITS:
        if abs(value) < 1024 or unit == _SIZE_UNITS[-1]:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return "—"


def mbit(speed_mbit: float | None) -> str:
    """A speed in Mbit/s (the one unit migdash shows for every speed)."""
    if speed_mbit is None:
        return "—"
    if speed_mbit >= 1000:
        return f"{speed_mbit / 1000:.2f} Gbit/s"
    return f"{speed_mbit:.1f} Mbit/s"


def mbyte_to_mbit(mb_per_s: float | None) -> float | None:
    """Task ``migrate_speed`` is documented in MB/s; subtask speeds in Mbit/s."""
    return None if mb_per_s is None else mb_per_s * 8.0


def duration(seconds: float | None) -> str:
    """``45s``, ``12m05s``, ``3h07m``, ``2d04h``; ``—`` for unknown or negative."""
    if seconds is None or seconds < 0:
        return "—"
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d{(s % 86400) // 3600:02d}h"


def since_ms(epoch_ms: int | None, now: float | None = None) -> str:
    """Age of an epoch-milliseconds timestamp as a duration (``—`` if unset).

    A timestamp slightly ahead of our clock (the server's clock is not ours) reads as ``0s``."""
    if not epoch_ms:
        return "—"
    now = time.time() if now is None else now
    return duration(max(0.0, now - epoch_ms / 1000))


def percent(done: float | None, total: float | None) -> float | None:
    """``done / total`` as a fraction 0–1, or None when the total is unknown."""
    if not total or done is None:
        return None
    return max(0.0, min(1.0, done / total))
