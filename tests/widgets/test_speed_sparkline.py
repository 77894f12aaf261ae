"""The task screen's sparkline starts its axis at zero."""

from __future__ import annotations

from widgets.speed_sparkline import zero_based_rows


def test_a_small_dip_near_the_top_stays_near_the_top() -> None:
    rows = zero_based_rows([993.0, 928.0, 990.0, 960.0], width=4, height=3)
    # 928 of 993 is 93 %: the bottom two lines are full everywhere, the top line nearly so.
    assert rows[1] == rows[2] == "████"
    assert all(ch in "▅▆▇█" for ch in rows[0])


def test_zero_is_blank_and_any_speed_is_at_least_one_eighth() -> None:
    rows = zero_based_rows([0.0, 0.5, 1000.0], width=3, height=1)
    assert rows == [" ▁█"]


def test_more_data_than_cells_keeps_the_peak_of_each_share() -> None:
    rows = zero_based_rows([0.0, 100.0, 0.0, 0.0], width=2, height=1)
    assert rows == ["█ "]
