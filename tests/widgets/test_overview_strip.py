"""The overview strip: states with servers first, each with its symbol; empty ones last, dim."""

from __future__ import annotations

from widgets.overview_strip import OverviewStrip
from widgets.states import SOURCE_STATES


def render(counts: dict[str, int]) -> str:
    strip = OverviewStrip()
    strip.set_reactive(OverviewStrip.overview, counts)
    return strip.render().plain


def test_problems_first_then_states_with_servers_then_empty_ones() -> None:
    text = render({"waiting": 3, "initialize": 0, "replicate": 5, "stopping": 0, "error": 2,
                   "unavailable": 1, "unconfigured": 0})
    expected = [f"{SOURCE_STATES[s][0]} {s} {n}" for s, n in
                [("error", 2), ("unavailable", 1), ("waiting", 3), ("replicate", 5)]]
    positions = [text.index(part) for part in expected]
    assert positions == sorted(positions)
    assert text.endswith("none: initialize, stopping")
    assert "unconfigured" not in text  # not a state: "no task", and only when there are some


def test_error_and_unavailable_show_even_at_zero() -> None:
    text = render({"waiting": 3, "error": 0, "unavailable": 0})
    assert text.startswith("✖ error 0  ⊘ unavailable 0")


def test_unconfigured_reads_no_task() -> None:
    text = render({"waiting": 3, "unconfigured": 7})
    assert "no task 7" in text and "unconfigured" not in text


def test_narrow_strip_abbreviates_the_rest_but_keeps_problem_counts() -> None:
    counts = {"waiting": 6, "initialize": 3, "replicate": 9, "syncing": 7, "stopped": 2,
              "finished": 4, "error": 5, "unavailable": 4, "unconfigured": 12}
    strip = OverviewStrip()
    strip.set_reactive(OverviewStrip.overview, counts)
    text = strip._line(counts, short=True).plain
    assert text.startswith("✖ error 5  ⊘ unavailable 4")
    assert "○6 ◔3 ▶9 ⇄7 ■2 ✔4" in text and "no task 12" in text
    assert len(text) <= 78


def test_unknown_state_is_kept_and_nothing_loaded_says_so() -> None:
    assert "hibernating 4" in render({"hibernating": 4, "waiting": 1})
    assert render({}) == "overview not loaded yet"


def test_a_middle_width_drops_the_empty_states_before_abbreviating() -> None:
    counts = {"waiting": 6, "initialize": 3, "replicate": 9, "syncing": 7, "stopped": 2,
              "finished": 4, "error": 5, "unavailable": 4, "stopping": 0, "cloning": 0}
    strip = OverviewStrip()
    full = strip._line(counts, short=False).plain
    names = strip._line(counts, short=False, empties=False).plain
    assert "none: stopping, cloning" in full and "none:" not in names
    assert "○ waiting 6" in names and len(names) < len(full)
