"""What the speed-limit editor draws, as pure functions of the schedule (no widgets here)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from tui.service.schedule import Field, Problem, RuleDraft, format_utc_offset, span
from tui.untrusted import clean
from widgets.schedule_timeline import Segment

COLUMNS = ("", "#", "Start", "End", "Speed", "Threshold", "Problem")
HEADINGS: dict[Field, str] = {"start": "Start (HH:MM)", "end": "End (HH:MM)",
                              "speed": "Speed (Mbit/s)", "threshold": "Over-speed threshold (%)"}


def title(label: str, task_id: str | None, targets: Sequence[tuple[str | None, str]] | None,
          dirty: bool) -> Text:
    """The title line: which task (or how many marked servers), and the unsaved mark."""
    if targets is not None:
        with_task = sum(1 for tid, _ in targets if tid)
        text = (f"Speed limits · one schedule for {len(targets)} marked servers "
                f"({with_task} with a task; it replaces their rules)")
    else:
        text = f"Speed limits · {clean(label)} · task {clean(task_id)}"
    return Text.assemble(text, ("  ● unsaved changes" if dirty else "", "bold yellow"))


def task_limit_line(limit: int | None, *, editable: bool) -> Text:
    """The task-level limit (``PUT /v3/tasks/{id}``'s ``speed_limit``) and how it combines."""
    return Text.assemble(
        ("Task-level limit: ", "bold"), f"{limit} Mbit/s" if limit else "none",
        ("  — applies all day; the lower of it and the rule in force wins"
         + ("  (L changes it)" if editable else ""), "dim"))


def clock_line(utc_offset_min: int) -> str:
    """Whose clock the rules follow, and that the offset is an assumption."""
    return (f"Times are the source's local time, assumed {format_utc_offset(utc_offset_min)} "
            "(SMS does not say which; z sets it). Gaps run unlimited.")


def problems_line(problems: Sequence[Problem]) -> str:
    """The first reason the schedule cannot be saved, or nothing."""
    if not problems:
        return ""
    p = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"✖ Cannot save: rule {p.rule + 1} {p.field}: {p.message}{more}."


def segments(drafts: Sequence[RuleDraft]) -> tuple[tuple[Segment, ...], dict[int, int]]:
    """The rules the bar can draw (readable times and speed), and rule index → segment index."""
    out: list[Segment] = []
    index: dict[int, int] = {}
    for i, d in enumerate(drafts):
        s = span(d)
        if s is not None and d.speed.strip().isdigit():
            index[i] = len(out)
            out.append(Segment(s[0], s[1], int(d.speed)))
    return tuple(out), index


def rule_row(i: int, draft: RuleDraft, problems: Sequence[Problem],
             in_force: int | None) -> tuple[Text | str, ...]:
    """One table row: now-mark, number, fields (bad ones red, the rule in force bold), reasons."""
    bad = {p.field for p in problems if p.rule == i}

    def cell(field: Field, text: str) -> Text:
        style = "bold red" if field in bad else "bold" if i == in_force else ""
        return Text(text or "—", style=style)

    why = "; ".join(f"{p.field}: {p.message}" for p in problems if p.rule == i)
    speed = draft.speed.strip()
    return (Text("▶ now", style="bold magenta") if i == in_force else "", str(i + 1),
            cell("start", draft.start), cell("end", draft.end),
            cell("speed", f"{speed} Mbit/s" if speed.isdigit() else speed),
            cell("threshold", f"{draft.threshold.strip()} %" if draft.threshold.strip() else ""),
            Text(why or "✔", style="red" if why else "green"))
