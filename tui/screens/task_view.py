"""What the task screen shows, as rich renderables: summary, subtask bars, resources."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from tui.untrusted import literal
from widgets.source_table import progress_bar
from widgets.states import task_badge
from widgets.units import duration, human_size, mbit, mbyte_to_mbit, percent

BAR = 24


def _clock(ms: int | None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(ms / 1000)) if ms else "—"


def subtask_symbol(sub: Any, task_state: str | None, is_current: bool) -> Text:
    if sub.progress is not None and sub.progress >= 100 and sub.end_date:
        return Text("✔", style="green")
    if task_state == "MIGRATE_FAIL" and is_current:
        return Text("✖", style="bold red")
    if is_current and task_state in ("RUNNING", "SYNCING"):
        return Text("▶", style="bright_cyan")
    if is_current and task_state in ("ABORT", "ABORTING"):
        return Text("■", style="yellow")
    return Text("○", style="bright_black")


class SubtaskBars:
    """The subtask table laid out for the width it is drawn in (narrow bars below 110)."""

    def __init__(self, detail: Any) -> None:
        self.detail = detail

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield subtasks_table(self.detail, options.max_width)


def subtasks_table(d: Any, width: int | None = None) -> Table:
    # One space between columns; at 80-100 cells the bars shrink so subtask names stay
    # readable (a jump host's 80x24 must still say which step is running).
    bar = BAR if width is None or width >= 110 else 12
    t = Table(box=None, show_header=True, header_style="bold", expand=True,
              padding=(0, 1, 0, 0), pad_edge=False)
    # Fixed columns keep their width; the name column (and the process_trace line under it)
    # takes what is left and is cut with an ellipsis, so a long trace never squeezes the times.
    t.add_column("", width=1, min_width=1, no_wrap=True)
    t.add_column("Subtask", no_wrap=True, overflow="ellipsis", ratio=1, min_width=12)
    t.add_column("Progress", width=bar, min_width=bar, no_wrap=True)
    t.add_column("Start", width=8, min_width=8, no_wrap=True)
    t.add_column("End", width=8, min_width=8, no_wrap=True)
    t.add_column("Took", width=6, min_width=6, no_wrap=True, justify="right")
    t.add_column("Speed", width=12, min_width=12, no_wrap=True, justify="right")
    subs = list(d.sub_tasks)
    current = next((i for i, s in enumerate(subs) if not (s.progress and s.progress >= 100
                                                          and s.end_date)), len(subs) - 1)
    for i, s in enumerate(subs):
        took = ((s.end_date or 0) - s.start_date) / 1000 if s.start_date and s.end_date else None
        t.add_row(subtask_symbol(s, d.state, i == current), literal(s.name or "?"),
                  progress_bar((s.progress or 0) / 100 if s.start_date else None, bar),
                  _clock(s.start_date), _clock(s.end_date), duration(took),
                  mbit(s.migrate_speed) if s.migrate_speed else "—")
        if s.process_trace:
            t.add_row("", literal("  " + s.process_trace, style="dim italic"), "", "", "", "", "")
    return t


FINISHED = frozenset({"MIGRATE_SUCCESS", "MIGRATE_FAIL", "ABORT"})
"""Task states after which "speed now" means nothing: show the total time and average."""


def took_seconds(d: Any) -> float | None:
    """How long the task ran: ``total_time`` (ms), else finish − start, else the subtasks'
    own times added up (a finish date before the start date is not believed)."""
    if d.total_time and d.total_time > 0:
        return float(d.total_time) / 1000
    if d.start_date and d.finish_date and d.finish_date > d.start_date:
        return float(d.finish_date - d.start_date) / 1000
    spans = [s.end_date - s.start_date for s in d.sub_tasks or ()
             if s.start_date and s.end_date and s.end_date >= s.start_date]
    return sum(spans) / 1000 if spans else None


def speed_cells(d: Any, took: float) -> tuple[Text, str]:
    """``Avg speed`` and the bytes copied over the time taken, for a task that has ended."""
    avg = (d.replicatesize or 0) * 8 / 1_000_000 / took if took > 0 else None
    return Text("Avg speed", style="bold"), mbit(avg) if avg else "—"


def summary_table(d: Any, now: float) -> Table:
    # Labels keep their width; values share the rest and long names end in an ellipsis.
    t = Table.grid(padding=(0, 2), expand=True)
    for _ in range(2):
        t.add_column(no_wrap=True, min_width=11)
        t.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
    frac = percent(d.replicatesize, d.totalsize)
    src = d.source_server
    tgt = d.target_server
    eta = d.estimate_completion_time
    remain = (eta / 1000 - now) if eta else None
    started = d.start_date / 1000 if d.start_date else None
    # Server strings reach the table as Text: a str cell of a rich Table is parsed as markup.
    t.add_row(Text("State", style="bold"), task_badge(d.state), Text("Type", style="bold"),
              "block-level" if d.type == "MIGRATE_BLOCK" else "file-level" if d.type == "MIGRATE_FILE" else literal(d.type or "—"))
    t.add_row(Text("Source", style="bold"), literal(f"{src.name if src else '—'} ({src.ip if src else '?'})"),
              Text("Target", style="bold"), literal(f"{tgt.name if tgt else '—'} ({(tgt.ip if tgt else None) or d.migration_ip or '?'})"))
    t.add_row(Text("Progress", style="bold"), progress_bar(frac, 20),
              Text("Copied", style="bold"), f"{human_size(d.replicatesize)} of {human_size(d.totalsize)}")
    took = took_seconds(d) if d.state in FINISHED else None
    t.add_row(*(speed_cells(d, took) if took is not None else (
              Text("Speed", style="bold"), mbit(mbyte_to_mbit(d.migrate_speed)))),
              Text("Compression", style="bold"), f"{d.compress_rate:.2f}x" if d.compress_rate else "—")
    t.add_row(Text("ETA", style="bold"), time.strftime("%Y-%m-%d %H:%M", time.localtime(eta / 1000)) if eta else "—",
              Text("Remaining", style="bold"), duration(remain) if remain is not None else "—")
    t.add_row(Text("Started", style="bold"), time.strftime("%Y-%m-%d %H:%M", time.localtime(started)) if started else "—",
              *((Text("Took", style="bold"), duration(took)) if took is not None else (
              Text("Elapsed", style="bold"), duration((d.finish_date / 1000 if d.finish_date else now) - started) if started else "—")))
    return t


def resources_table(d: Any) -> Any:
    t = Table(box=None, show_header=True, header_style="bold", padding=(0, 1))
    t.add_column("")
    t.add_column("CPU", justify="right")
    t.add_column("Memory", justify="right")
    t.add_column("Disk IO", justify="right")

    def pct(v: float | None) -> str:
        return f"{v:.0f} %" if v is not None else "—"

    def mem(v: float | None) -> str:
        return human_size(v * 1024 * 1024) if v is not None else "—"

    def io(v: float | None) -> str:
        return mbit(v * 8) if v is not None else "—"

    t.add_row("Server", pct(d.total_cpu_usage), mem(d.total_mem_usage), io(d.total_disk_io))
    t.add_row("Agent", pct(d.agent_cpu_usage), mem(d.agent_mem_usage), io(d.agent_disk_io))
    n = d.network_check_info
    if n is None:
        return t
    net = Table.grid(padding=(0, 2))
    net.add_column(style="bold")
    net.add_column()

    def yes(v: bool | None) -> Text:
        return Text("—") if v is None else Text("✔ yes", style="green") if v else Text("✖ no", style="red")

    net.add_row("Domain reachable", yes(n.domain_connectivity))
    net.add_row("Target reachable", yes(n.destination_connectivity))
    net.add_row("Latency / jitter", f"{n.network_delay or 0:.1f} ms / {n.network_jitter or 0:.1f} ms")
    net.add_row("Bandwidth", mbit(n.migration_speed))
    net.add_row("Packet loss", f"{n.loss_percentage or 0:.2f} %")
    net.add_row("Evaluation", literal(n.evaluation_result or "—"))
    grid = Table.grid(padding=(0, 4))
    grid.add_row(t, net)
    return grid
