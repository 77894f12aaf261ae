"""Schedule validation: one test per rule the editor enforces, and the body it writes."""

from __future__ import annotations

import pytest

from tui.api.models import SpeedLimitRule
from tui.service.schedule import (
    Problem,
    RuleDraft,
    duplicate,
    format_utc_offset,
    local_minute,
    next_default,
    parse_utc_offset,
    rule_at,
    span,
    to_request,
    validate,
)


def by_field(problems: list[Problem]) -> dict[tuple[int, str], str]:
    return {(p.rule, p.field): p.message for p in problems}


def test_a_good_schedule_has_no_problem_and_writes_hhmm() -> None:
    drafts = [RuleDraft("0:00", "8:00", "100"), RuleDraft("8:00", "18:00", "20", "15"),
              RuleDraft("18:00", "23:59", "0")]
    assert validate(drafts) == []
    body = to_request(drafts).to_body()
    assert body == {"speed_limit": [
        {"start": "00:00", "end": "08:00", "speed": 100},
        {"start": "08:00", "end": "18:00", "speed": 20, "over_speed_threshold": 15.0},
        {"start": "18:00", "end": "23:59", "speed": 0},
    ]}


@pytest.mark.parametrize("text", ["25:00", "8", "08:60", "ab:cd", "8:5"])
def test_bad_time_is_reported_on_its_field(text: str) -> None:
    problems = by_field(validate([RuleDraft(text, "23:00", "10"), RuleDraft("01:00", text, "10")]))
    assert "not a time HH:MM" in problems[(0, "start")]
    assert "not a time HH:MM" in problems[(1, "end")]
    assert set(problems) == {(0, "start"), (1, "end")}


def test_empty_fields_are_required() -> None:
    problems = by_field(validate([RuleDraft()]))
    assert set(problems) == {(0, "start"), (0, "end"), (0, "speed")}
    assert "required" in problems[(0, "speed")]


@pytest.mark.parametrize(("start", "end"), [("10:00", "09:00"), ("10:00", "10:00"),
                                            ("23:59", "23:59")])
def test_start_not_before_end(start: str, end: str) -> None:
    problems = by_field(validate([RuleDraft(start, end, "10")]))
    assert list(problems) == [(0, "end")]
    assert problems[(0, "end")].startswith("must be after the start")
    with pytest.raises(ValueError, match="rule 1 end"):
        to_request([RuleDraft(start, end, "10")])


def test_overlap_marks_both_rules() -> None:
    drafts = [RuleDraft("08:00", "12:00", "10"), RuleDraft("13:00", "14:00", "10"),
              RuleDraft("11:00", "12:30", "50")]
    problems = by_field(validate(drafts))
    assert problems == {(0, "end"): "overlaps rule 3 (11:00–12:30)",
                        (2, "start"): "overlaps rule 1 (08:00–12:00)"}
    with pytest.raises(ValueError, match="overlaps"):
        to_request(drafts)


def test_touching_rules_do_not_overlap_and_23_59_ends_the_day() -> None:
    drafts = [RuleDraft("22:00", "23:59", "5"), RuleDraft("08:00", "22:00", "7")]
    assert validate(drafts) == []
    assert span(drafts[0]) == (1320, 1440)
    assert rule_at(drafts, 1439) == 0 and rule_at(drafts, 1320) == 0 and rule_at(drafts, 1319) == 1
    assert rule_at(drafts, 60) is None


def test_24_00_is_accepted_as_an_end_and_written_23_59() -> None:
    assert to_request([RuleDraft("20:00", "24:00", "5")]).to_body()["speed_limit"][0]["end"] == "23:59"
    assert "not a time" in by_field(validate([RuleDraft("24:00", "24:00", "5")]))[(0, "start")]


@pytest.mark.parametrize(("speed", "why"), [("10001", "must be 0–10000 Mbit/s"),
                                            ("-1", "a whole number of Mbit/s"),
                                            ("2.5", "a whole number of Mbit/s"),
                                            ("fast", "a whole number of Mbit/s")])
def test_speed_out_of_range(speed: str, why: str) -> None:
    assert by_field(validate([RuleDraft("01:00", "02:00", speed)])) == {(0, "speed"): why}


def test_speed_bounds_are_inclusive() -> None:
    assert validate([RuleDraft("01:00", "02:00", "0"), RuleDraft("02:00", "03:00", "10000")]) == []


@pytest.mark.parametrize(("threshold", "why"), [("101", "must be 0–100 %"), ("-0.5", "must be 0–100 %"),
                                                ("lots", "a number of percent (or empty)")])
def test_threshold_out_of_range(threshold: str, why: str) -> None:
    assert by_field(validate([RuleDraft("01:00", "02:00", "5", threshold)])) == {
        (0, "threshold"): why}


def test_threshold_is_optional_and_may_carry_a_percent_sign() -> None:
    body = to_request([RuleDraft("01:00", "02:00", "5", "12.5 %"),
                       RuleDraft("02:00", "03:00", "5", " ")]).to_body()
    assert body["speed_limit"][0]["over_speed_threshold"] == 12.5
    assert "over_speed_threshold" not in body["speed_limit"][1]


def test_read_back_rules_become_drafts_and_a_zero_threshold_means_none() -> None:
    draft = RuleDraft.from_rule(SpeedLimitRule(start="08:00", end="23:59", speed=20,
                                               over_speed_threshold=0.0))
    assert draft == RuleDraft("08:00", "23:59", "20", "")
    assert RuleDraft.from_rule(SpeedLimitRule(start="0:00", end="8:00", speed=5,
                                              over_speed_threshold=10.0)).threshold == "10"


def test_new_rule_defaults_follow_the_last_rule() -> None:
    assert next_default([]) == RuleDraft("08:00", "18:00", "20")
    assert next_default([RuleDraft("08:00", "18:00", "30", "5")]) == RuleDraft("18:00", "20:00", "30", "5")
    # the day's end is reached: the new rule goes to the first free time, stopping at the next rule
    tail = [RuleDraft("01:00", "12:00", "30"), RuleDraft("22:00", "23:59", "40")]
    assert next_default(tail) == RuleDraft("00:00", "01:00", "40")
    full = [RuleDraft("00:00", "23:59", "9")]
    assert next_default(full) == RuleDraft("00:00", "02:00", "9")
    assert validate([*tail, next_default(tail)]) == []


def test_duplicate_moves_the_copy_after_the_original() -> None:
    drafts = [RuleDraft("08:00", "10:00", "30", "5")]
    assert duplicate(drafts, 0) == RuleDraft("10:00", "12:00", "30", "5")
    late = [RuleDraft("20:00", "23:00", "30")]
    assert duplicate(late, 0) == late[0]
    assert by_field(validate([*late, duplicate(late, 0)]))[(1, "start")].startswith("overlaps rule 1")


@pytest.mark.parametrize(("text", "minutes"), [("+8", 480), ("+08:00", 480), ("UTC-5", -300),
                                               ("5:30", 330), ("0", 0), ("", 0), ("gmt+14", 840)])
def test_utc_offsets_parse(text: str, minutes: int) -> None:
    assert parse_utc_offset(text) == minutes


@pytest.mark.parametrize("text", ["+15", "8:75", "eight", "+8:3x"])
def test_bad_utc_offsets_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="UTC offset"):
        parse_utc_offset(text)


def test_local_minute_follows_the_offset() -> None:
    midnight_utc = 1_767_225_600  # 2026-01-01T00:00:00Z
    assert local_minute(midnight_utc, 480) == 480
    assert local_minute(midnight_utc + 90, -300) == 1141
    assert format_utc_offset(-330) == "UTC-05:30" and format_utc_offset(480) == "UTC+08:00"
