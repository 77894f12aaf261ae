"""The 24-hour schedule bar at three widths: segment columns, gap glyphs, marker column."""

from __future__ import annotations

import pytest

from widgets.schedule_timeline import (
    CLASH,
    GAP,
    MARKER,
    Segment,
    marker_column,
    render_timeline,
    shade,
)

# 00:00–08:00 at 100, 08:00–18:00 at 20, nothing 18:00–20:00, 20:00–24:00 at 5
SCHEDULE = [Segment(0, 480, 100), Segment(480, 1080, 20), Segment(1200, 1440, 5)]


def plain(width: int, now: int | None = 495, caption: str = "now 08:15") -> list[str]:
    return [line.plain for line in render_timeline(SCHEDULE, width, now, caption=caption)]


@pytest.mark.parametrize("width", [48, 96, 144])
def test_segments_sit_at_their_hours_and_gaps_show_as_unlimited(width: int) -> None:
    marker, bar, scale, labels = plain(width)
    assert len(bar) == len(scale) == len(labels) == len(marker) == width
    col = width // 24  # columns per hour at these widths
    assert bar[: 8 * col] == shade(100)[0] * (8 * col)
    assert bar[8 * col: 18 * col] == shade(20)[0] * (10 * col)
    assert bar[18 * col: 20 * col] == GAP * (2 * col)
    assert bar[20 * col:] == shade(5)[0] * (4 * col)
    assert len({shade(100)[0], shade(20)[0], shade(5)[0], GAP}) == 4, "each speed its own shade"
    # the hour scale: every label stands at its hour's column
    for hour in (0, 6, 12, 18):
        assert scale[hour * col: hour * col + 2] == f"{hour:02d}"


@pytest.mark.parametrize(("width", "column"), [(48, 16), (96, 33), (144, 49)])
def test_the_marker_stands_at_the_local_time(width: int, column: int) -> None:
    marker = plain(width)[0]
    assert marker.index(MARKER) == column == marker_column(495, width)
    assert marker.count(MARKER) == 1
    assert "now 08:15" in marker


def test_labels_fit_the_width() -> None:
    assert "20 Mbit/s" in plain(48)[3] and "100 Mbit/s" in plain(48)[3]
    wide = plain(144)[3]
    assert "unlimited" in wide and wide.index("unlimited") in range(108, 120)
    narrow = plain(24)[3]
    assert "unlimited" not in narrow and "∞" in narrow and "5M" in narrow


def test_the_caption_moves_left_of_the_marker_near_the_end_of_the_day() -> None:
    marker = plain(48, now=1430, caption="now 23:50")[0]
    assert marker.endswith("now 23:50 " + MARKER)
    assert marker.index(MARKER) == 47


def test_no_marker_without_a_time_and_an_empty_schedule_is_all_gap() -> None:
    lines = [line.plain for line in render_timeline([], 48)]
    assert MARKER not in lines[0]
    assert lines[1] == GAP * 48
    assert lines[3].strip() == "unlimited"


def test_overlapping_rules_are_drawn_as_a_clash() -> None:
    bar = render_timeline([Segment(0, 600, 10), Segment(500, 700, 3)], 48)[1].plain
    clash = [i for i, ch in enumerate(bar) if ch == CLASH]
    assert clash == [17, 18, 19]  # 08:30–10:00, the 30-minute columns both rules claim
    assert bar[20:23] == shade(3)[0] * 3


def test_the_rule_in_force_is_bold() -> None:
    bar = render_timeline(SCHEDULE, 48, 495, in_force=1)[1]
    styles = {str(span.style) for span in bar.spans if span.start == 16}
    assert any("bold" in s for s in styles)
    assert not any("bold" in str(span.style) for span in bar.spans if span.start == 0)


def test_at_a_rule_boundary_the_marker_points_at_the_rule_in_force() -> None:
    # 158 columns: 08:00 falls inside column 52, which the bar gives to the 00:00–08:00 rule
    lines = render_timeline(SCHEDULE, 158, 480, in_force=1)
    assert lines[1].plain[52] == shade(100)[0] and lines[1].plain[53] == shade(20)[0]
    assert lines[0].plain.index(MARKER) == 53
    assert render_timeline(SCHEDULE, 158, 480)[0].plain.index(MARKER) == 52


def test_touching_rules_of_the_same_shade_get_different_colours() -> None:
    from rich.console import Console

    from widgets.schedule_timeline import _bar, _owners

    segments = [Segment(0, 480, 20), Segment(480, 960, 50), Segment(960, 1440, 30)]
    assert len({shade(s.speed) for s in segments}) == 1  # one shade for all three
    owners = _owners(segments, 48)
    bar = _bar(segments, owners, None)
    styles = [str(bar.get_style_at_offset(Console(), c)) for c in (0, 20, 40)]
    assert styles[0] != styles[1] and styles[1] != styles[2]
