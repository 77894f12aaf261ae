"""Speed-limit schedules as the operator types them: validation, defaults and the request body.

A schedule is a list of :class:`RuleDraft` holding the raw text of each field, so a half-typed
value can sit on screen with the reason it is wrong next to it. :func:`validate` returns every
problem per rule and field; :func:`to_request` builds the strict write body only when there is
none. No Textual here: the editor screen and the tests share this module.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from tui.api.models.hhmm import format_hhmm, parse_hhmm
from tui.api.models.requests import SpeedLimitRequest, SpeedLimitRuleWrite

Field = Literal["start", "end", "speed", "threshold"]
FIELDS: tuple[Field, ...] = ("start", "end", "speed", "threshold")
DAY = 1440
"""Minutes in a day; a span's end of 1440 is written ``23:59`` (the reference's end of day)."""
MAX_SPEED = 10000
DEFAULT_SPEED = "20"
DEFAULT_LENGTH = 120
"""A new rule after the last one covers two hours (cut at the end of the day)."""


@dataclass(frozen=True)
class RuleDraft:
    """One rule as typed: ``start``/``end`` ``H:MM``, speed Mbit/s, optional threshold %."""

    start: str = ""
    end: str = ""
    speed: str = ""
    threshold: str = ""
    """Empty means no over-speed threshold."""

    @classmethod
    def from_rule(cls, rule: Any) -> RuleDraft:
        """A draft of a rule read from SMS (``SpeedLimitRule``) or a preset."""
        threshold = getattr(rule, "over_speed_threshold", None)
        # SMS reads back 0.0 for "no threshold"; 0 % would mean "every overshoot counts",
        # which no operator sets on purpose, so it is shown (and re-sent) as absent.
        return cls(
            start=str(getattr(rule, "start", "") or ""),
            end=str(getattr(rule, "end", "") or ""),
            speed="" if getattr(rule, "speed", None) is None else str(rule.speed),
            threshold=number_text(threshold) if threshold else "",
        )

    def replace(self, field: Field, value: str) -> RuleDraft:
        """A copy with one field changed."""
        return dataclasses.replace(self, **{field: value})


@dataclass(frozen=True)
class Problem:
    """Why one field of one rule (index into the schedule) cannot be sent."""

    rule: int
    field: Field
    message: str


def number_text(value: float) -> str:
    """``15`` for 15.0, ``12.5`` for 12.5."""
    return str(int(value)) if float(value).is_integer() else str(value)


def parse_time(text: str, *, end: bool = False) -> int:
    """Minutes since midnight of ``H:MM``/``HH:MM``; as an end, ``23:59``/``24:00`` mean 1440."""
    text = text.strip()
    if end and text == "24:00":
        return DAY
    minutes = parse_hhmm(text)
    return DAY if end and minutes == DAY - 1 else minutes


def span(draft: RuleDraft) -> tuple[int, int] | None:
    """``[start, end)`` in minutes, or None when either time is unreadable or out of order."""
    try:
        start, end = parse_time(draft.start), parse_time(draft.end, end=True)
    except ValueError:
        return None
    # Compared as written: SMS wants start < end in HH:MM, so 23:59 can never be a start.
    return (start, end) if start < min(end, DAY - 1) else None


def field_problems(draft: RuleDraft) -> dict[Field, str]:
    """What is wrong with each field of one rule on its own (overlaps need the whole schedule)."""
    out: dict[Field, str] = {}
    times: dict[Field, int] = {}
    time_fields: tuple[Field, Field] = ("start", "end")
    for field in time_fields:
        text = getattr(draft, field).strip()
        if not text:
            out[field] = "required (HH:MM)"
            continue
        try:
            times[field] = parse_time(text, end=field == "end")
        except ValueError:
            out[field] = f"{text!r} is not a time HH:MM (00:00–23:59)"
    if len(times) == 2 and times["start"] >= min(times["end"], DAY - 1):
        out["end"] = f"must be after the start {format_hhmm(times['start'])}"
    speed = draft.speed.strip()
    if not speed:
        out["speed"] = "required (Mbit/s)"
    elif not speed.isdigit():
        out["speed"] = "a whole number of Mbit/s"
    elif not 0 <= int(speed) <= MAX_SPEED:
        out["speed"] = f"must be 0–{MAX_SPEED} Mbit/s"
    threshold = draft.threshold.strip().rstrip("%").strip()
    if threshold:
        try:
            value = float(threshold)
        except ValueError:
            out["threshold"] = "a number of percent (or empty)"
        else:
            if not 0 <= value <= 100:
                out["threshold"] = "must be 0–100 %"
    return out


def validate(drafts: Sequence[RuleDraft]) -> list[Problem]:
    """Every problem of the schedule: each rule's fields, then overlaps (both rules marked)."""
    problems = [Problem(i, field, why) for i, d in enumerate(drafts)
                for field, why in field_problems(d).items()]
    spans = [span(d) for d in drafts]
    for i, a in enumerate(spans):
        for j in range(i + 1, len(spans)):
            b = spans[j]
            if a is None or b is None or not (a[0] < b[1] and b[0] < a[1]):
                continue
            # The rule that starts first runs into the other with its end, the other starts
            # inside it: each is marked on the field that makes the overlap.
            first, second = (i, j) if (a, i) <= (b, j) else (j, i)
            problems.append(Problem(first, "end", f"overlaps rule {second + 1} "
                                                  f"({_label(drafts[second])})"))
            problems.append(Problem(second, "start", f"overlaps rule {first + 1} "
                                                     f"({_label(drafts[first])})"))
    return problems


def _label(draft: RuleDraft) -> str:
    return f"{draft.start.strip()}–{draft.end.strip()}"


def to_request(drafts: Sequence[RuleDraft]) -> SpeedLimitRequest:
    """The POST body (times written ``HH:MM``); ValueError when the schedule has a problem."""
    problems = validate(drafts)
    if problems:
        p = problems[0]
        raise ValueError(f"rule {p.rule + 1} {p.field}: {p.message}")
    rules = []
    for d in drafts:
        start, end = span(d) or (0, 0)
        threshold = d.threshold.strip().rstrip("%").strip()
        rules.append(SpeedLimitRuleWrite(
            start=format_hhmm(start), end=format_hhmm(min(end, DAY - 1)), speed=int(d.speed),
            over_speed_threshold=float(threshold) if threshold else None,
        ))
    return SpeedLimitRequest(speed_limit=rules)


def rule_at(drafts: Sequence[RuleDraft], minute: int) -> int | None:
    """The index of the (first valid) rule in force at ``minute`` of the day, if any."""
    for i, d in enumerate(drafts):
        s = span(d)
        if s is not None and s[0] <= minute < s[1]:
            return i
    return None


def free_after(drafts: Sequence[RuleDraft], minute: int) -> int | None:
    """The first minute at or after ``minute`` (wrapping once) no valid rule covers."""
    spans = [s for s in (span(d) for d in drafts) if s is not None]
    for m in itertools.chain(range(minute, DAY), range(minute)):
        if not any(a <= m < b for a, b in spans):
            return m
    return None


def next_default(drafts: Sequence[RuleDraft]) -> RuleDraft:
    """A sensible new rule: two hours from where the last rule ends, at the last rule's speed.

    On an empty schedule, business hours (08:00–18:00); when the last rule ends the day, the
    first free time of the day; when nothing is free, 00:00–02:00 (shown as an overlap)."""
    if not drafts:
        return RuleDraft("08:00", "18:00", DEFAULT_SPEED)
    last = drafts[-1]
    last_span = span(last)
    start = free_after(drafts, last_span[1] % DAY if last_span else 0)
    speed = last.speed.strip() if last.speed.strip().isdigit() else DEFAULT_SPEED
    if start is None:
        return RuleDraft("00:00", format_hhmm(DEFAULT_LENGTH), speed)
    spans = [s for s in (span(d) for d in drafts) if s is not None]
    stop = min([start + DEFAULT_LENGTH, DAY, *(a for a, _ in spans if a > start)])
    return RuleDraft(format_hhmm(start), _format_end(stop), speed, last.threshold)


def duplicate(drafts: Sequence[RuleDraft], index: int) -> RuleDraft:
    """A copy of rule ``index`` moved to just after it (same length), if the day has room."""
    rule = drafts[index]
    s = span(rule)
    if s is None or s[1] + (s[1] - s[0]) > DAY:
        return rule  # nowhere to move it: the copy sits on the original (marked as overlap)
    length = s[1] - s[0]
    return rule.replace("start", format_hhmm(s[1])).replace("end", _format_end(s[1] + length))


def _format_end(minute: int) -> str:
    return "23:59" if minute >= DAY else format_hhmm(minute)


# -- the source's clock ------------------------------------------------------------------------


def parse_utc_offset(text: str) -> int:
    """Minutes east of UTC from ``+8``, ``+08:00``, ``-5:30``, ``UTC+9``, ``0``; ValueError else."""
    t = text.strip().upper().removeprefix("UTC").removeprefix("GMT").strip() or "0"
    sign = -1 if t.startswith("-") else 1
    hours, _, minutes = t.lstrip("+-").partition(":")
    if not hours.isdigit() or (minutes and not minutes.isdigit()):
        raise ValueError(f"{text!r} is not a UTC offset like +08:00 or -5")
    total = int(hours) * 60 + int(minutes or 0)
    if int(minutes or 0) >= 60 or total > 14 * 60:
        raise ValueError(f"{text!r} is not a UTC offset between -14:00 and +14:00")
    return sign * total


def format_utc_offset(minutes: int) -> str:
    """``UTC+08:00`` for 480."""
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def local_minute(epoch_seconds: float, utc_offset_min: int) -> int:
    """The minute of the day at a place ``utc_offset_min`` east of UTC (as SMS applies rules)."""
    return (int(epoch_seconds // 60) + utc_offset_min) % DAY
