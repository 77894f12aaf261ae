"""The overview strip: states with servers first, each with its symbol; empty ones last, dim."""

from __future__ import annotations

from widgets.overview_strip import OverviewStrip
from widgets.states import SOURCE_STATES


def render(counts: dict[str, int]) -> str:
    strip = OverviewStrip()
    strip.set_reactive(OverviewStrip.overview, counts)
    return strip.render().plain


def test_states_with_servers_come_first_with_symbol_and_count() -> None:
    text = render({"waiting": 3, "initialize": 0, "replicate": 5, "stopping": 0, "error": 2,
                   "unavailable": 1, "unconfigured": 0})
    expected = [f"{SOURCE_STATES[s][0]} {s} {n}" for s, n in
                [("waiting", 3), ("replicate", 5), ("error", 2), ("unavailable", 1)]]
    positions = [text.index(part) for part in expected]
    assert positions == sorted(positions)
    assert text.endswith("none: initialize, stopping, unconfigured")
    # error and unavailable are placed before every empty state, so a narrow terminal keeps them
    assert text.index("unavailable 1") < text.index("none:")


def test_unknown_state_is_kept_and_nothing_loaded_says_so() -> None:
    assert "hibernating 4" in render({"hibernating": 4, "waiting": 1})
    assert render({}) == "overview not loaded yet"
