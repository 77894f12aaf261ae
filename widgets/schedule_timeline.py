"""A 24-hour bar of a speed-limit schedule: segments shaded by speed, gaps shown as unlimited,
and a marker at the source's current local time.

:func:`render_timeline` is pure (segments, width, now → four lines of Rich text) so it can be
tested at any width; :class:`ScheduleTimeline` draws it at whatever width it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

DAY = 1440
GAP = "·"
"""No rule: the task runs unlimited (only the task-level limit applies)."""
CLASH = "╳"
"""Two rules claim the same time (an invalid schedule)."""
MARKER = "▼"
LINES = 4


@dataclass(frozen=True)
class Segment:
    """One rule on the bar: ``[start, end)`` in minutes of the day, speed in Mbit/s."""

    start: int
    end: int
    speed: int


def shade(speed: int) -> tuple[str, str]:
    """(glyph, style) of a segment: the tighter the limit, the denser the block.

    A speed of 0 sets no cap (SMS applies none), so it is drawn as light as the fastest."""
    if speed <= 0 or speed >= 1000:
        return "░", "green"
    if speed >= 100:
        return "▒", "cyan"
    if speed >= 10:
        return "▓", "yellow"
    return "█", "red"


def column_minutes(column: int, width: int) -> int:
    """The minute of the day at the middle of ``column`` (which rule the column shows)."""
    return int((column + 0.5) * DAY / width)


def marker_column(minute: int, width: int) -> int:
    """The column of ``minute`` of the day on a bar ``width`` wide."""
    return min(width - 1, max(0, minute * width // DAY))


def _owners(segments: Sequence[Segment], width: int) -> list[int | None]:
    """Per column: the index of the one segment there, None for a gap, -1 for a clash."""
    out: list[int | None] = []
    for c in range(width):
        m = column_minutes(c, width)
        here = [i for i, s in enumerate(segments) if s.start <= m < s.end]
        out.append(None if not here else here[0] if len(here) == 1 else -1)
    return out


def _runs(owners: list[int | None]) -> list[tuple[int, int, int | None]]:
    """(first column, last column + 1, owner) of each run of equal owners."""
    runs: list[tuple[int, int, int | None]] = []
    for c, owner in enumerate(owners):
        if runs and runs[-1][2] == owner:
            runs[-1] = (runs[-1][0], c + 1, owner)
        else:
            runs.append((c, c + 1, owner))
    return runs


def _bar(segments: Sequence[Segment], owners: list[int | None], in_force: int | None) -> Text:
    bar = Text(no_wrap=True)
    drawn: dict[int, tuple[str, str]] = {}
    previous: int | None = None
    for owner in owners:
        if owner is None:
            bar.append(GAP, style="dim")
        elif owner == -1:
            bar.append(CLASH, style="bold red")
        else:
            if owner not in drawn:
                look = shade(segments[owner].speed)
                # Two touching rules of the same shade would read as one: the second takes
                # the bright variant of the colour, so the boundary shows.
                if previous is not None and previous >= 0 and drawn.get(previous) == look:
                    look = (look[0], f"bright_{look[1]}")
                drawn[owner] = look
            glyph, style = drawn[owner]
            bar.append(glyph, style=f"bold {style}" if owner == in_force else style)
        previous = owner
    return bar


def _scale(width: int) -> Text:
    # Two-digit labels with room between them: an hour needs 6 columns to get its own label.
    step = next((h for h in (1, 2, 3, 4, 6, 12) if h * width / 24 >= 6), 24)
    line = [" "] * width
    for hour in range(0, 25, step):
        label = f"{hour:02d}"
        col = min(width - len(label), hour * width // 24)
        if all(ch == " " for ch in line[max(0, col - 1): col + len(label)]):
            line[col: col + len(label)] = list(label)
    return Text("".join(line)[:width], style="dim", no_wrap=True)


def _labels(segments: Sequence[Segment], runs: list[tuple[int, int, int | None]],
            width: int) -> Text:
    line = Text(" " * width, no_wrap=True)
    for first, stop, owner in runs:
        room = stop - first
        if owner is None:
            choices = ["unlimited", "∞"]
        elif owner == -1:
            choices = ["overlap", "!"]
        else:
            speed = segments[owner].speed
            choices = [f"{speed} Mbit/s", f"{speed}M"] if speed else ["no cap", "∞"]
        label = next((c for c in choices if len(c) <= room), "")
        if label:
            at = first + (room - len(label)) // 2
            style = "red" if owner == -1 else "dim" if owner is None else "bold"
            line = line[:at] + Text(label, style=style) + line[at + len(label):]
    return line


def _marker(col: int, width: int, caption: str) -> Text:
    text = f" {caption}" if caption else ""
    line = Text(" " * width, no_wrap=True)
    if col + 1 + len(text) <= width:
        line = line[:col] + Text(MARKER + text, style="bold magenta") + line[col + 1 + len(text):]
    elif col - len(text) >= 0:
        left = text.strip() + " "
        line = (line[:col - len(left)] + Text(left + MARKER, style="bold magenta")
                + line[col + 1:])
    else:
        line = line[:col] + Text(MARKER, style="bold magenta") + line[col + 1:]
    return line


def render_timeline(segments: Sequence[Segment], width: int, now: int | None = None, *,
                    caption: str = "", in_force: int | None = None) -> list[Text]:
    """Four lines ``width`` wide: the now-marker, the bar, the hour scale, the speed labels.

    ``now`` is the minute of the day at the source; ``in_force`` the segment drawn bold."""
    width = max(1, width)
    owners = _owners(segments, width)
    marker = Text(" " * width)
    if now is not None:
        col = marker_column(now, width)
        if in_force is not None and owners[col] != in_force:
            # Now sits in a column split between two rules: point at the one in force.
            col = next((c for c in (col + 1, col - 1) if 0 <= c < width
                        and owners[c] == in_force), col)
        marker = _marker(col, width, caption)
    return [marker, _bar(segments, owners, in_force), _scale(width),
            _labels(segments, _runs(owners), width)]


class ScheduleTimeline(Widget):
    """The 24-hour bar of a schedule (see :func:`render_timeline`); four lines high."""

    DEFAULT_CSS = """
    ScheduleTimeline { height: 4; width: 1fr; }
    """

    segments: reactive[tuple[Segment, ...]] = reactive(tuple)
    """The rules to draw (invalid ones left out by the caller)."""
    now: reactive[int | None] = reactive(None)
    """Minute of the day at the source, or None for no marker."""
    caption: reactive[str] = reactive("")
    """Text beside the marker, e.g. ``now 08:15``."""
    in_force: reactive[int | None] = reactive(None)
    """Index into ``segments`` of the rule in force now (drawn bold)."""

    def render(self) -> Text:
        lines = render_timeline(self.segments, self.content_size.width, self.now,
                                caption=self.caption, in_force=self.in_force)
        return Text("\n").join(lines)
