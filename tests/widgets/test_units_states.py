"""Units and state badges: the strings every screen shows."""

from __future__ import annotations

import pytest

from widgets.states import SOURCE_STATES, TASK_STATES, source_badge, task_badge
from widgets.units import duration, human_size, mbit, mbyte_to_mbit, percent, since_ms


@pytest.mark.parametrize(
    ("n", "text"),
    [(None, "—"), (0, "0 B"), (1023, "1023 B"), (1536, "1.5 KiB"), (5 * 1024**3, "5.0 GiB"),
     (3 * 1024**5, "3.0 PiB")],
)
def test_human_size(n: int | None, text: str) -> None:
    assert human_size(n) == text


@pytest.mark.parametrize(
    ("s", "text"),
    [(None, "—"), (-1, "—"), (0, "0s"), (59, "59s"), (725, "12m05s"), (11220, "3h07m"),
     (187200, "2d04h")],
)
def test_duration(s: float | None, text: str) -> None:
    assert duration(s) == text


def test_speed_units_convert_mb_to_mbit() -> None:
    assert mbyte_to_mbit(12.5) == 100.0
    assert mbit(100.0) == "100.0 Mbit/s"
    assert mbit(2500) == "2.50 Gbit/s"
    assert mbit(None) == "—"


def test_percent_and_since() -> None:
    assert percent(50, 200) == 0.25
    assert percent(10, 0) is None
    assert percent(300, 200) == 1.0
    assert since_ms(1_000_000, now=1_000 + 65) == "1m05s"
    assert since_ms(None) == "—"
    assert since_ms(1_000_000 + 30_000, now=1_000) == "0s"  # server clock ahead of ours


def test_every_state_has_a_distinct_symbol_and_a_colour() -> None:
    for table in (SOURCE_STATES, TASK_STATES):
        for symbol, style in table.values():
            assert symbol.strip() and style
    assert len({s for s, _ in SOURCE_STATES.values()}) == len(SOURCE_STATES)


def test_badges_keep_unknown_values() -> None:
    assert source_badge("error").plain == "✖ error"
    assert task_badge("CUTOVER_NEW").plain == "? CUTOVER_NEW"
    assert source_badge(None).plain == "· —"
