"""Times of day as the speed-limit rules write them (``HH:MM``); no pydantic, so the
verification of a speed-limit write can read them without loading the models."""

from __future__ import annotations

import re

HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_hhmm(value: str) -> int:
    """Minutes since midnight of ``H:MM`` or ``HH:MM`` (00:00–23:59); ValueError otherwise."""
    m = HHMM.match(value.strip()) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"{value!r} is not a time of day HH:MM (00:00–23:59)")
    return int(m.group(1)) * 60 + int(m.group(2))


def format_hhmm(minutes: int) -> str:
    """``HH:MM`` for minutes since midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
