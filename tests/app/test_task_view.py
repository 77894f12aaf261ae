"""Task screen renderables: a finished task's totals, subtasks readable at 80 columns."""

from __future__ import annotations

from types import SimpleNamespace as NS
from typing import Any

from rich.console import Console

from tui.screens.task_view import SubtaskBars, summary_table, took_seconds


def subtask(name: str, start: int | None, end: int | None, progress: float) -> Any:
    return NS(name=name, start_date=start, end_date=end, progress=progress, migrate_speed=None,
              process_trace="")


def task(**kw: Any) -> Any:
    base = dict(state="RUNNING", replicatesize=0, totalsize=0, source_server=None,
                target_server=None, migration_ip=None, estimate_completion_time=None,
                start_date=1_000_000, finish_date=None, total_time=None, migrate_speed=0.0,
                compress_rate=None, type="MIGRATE_BLOCK", name="t", sub_tasks=[])
    base.update(kw)
    return NS(**base)


def draw(renderable: Any, width: int) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_finished_task_shows_total_time_and_average_speed() -> None:
    d = task(state="MIGRATE_SUCCESS", replicatesize=450_000_000_000, total_time=3_600_000,
             finish_date=4_600_000)
    text = draw(summary_table(d, now=10_000.0), 120)
    assert "Took" in text and "1h00m" in text
    assert "Avg speed" in text and "1.00 Gbit/s" in text
    assert "Elapsed" not in text and "0.0 Mbit/s" not in text


def test_took_does_not_believe_a_finish_before_the_start() -> None:
    d = task(state="MIGRATE_SUCCESS", start_date=5_000_000, finish_date=1_000_000, total_time=-1,
             sub_tasks=[subtask("A", 1_000, 46_000, 100), subtask("B", 46_000, 56_000, 100)])
    assert took_seconds(d) == 55.0


def test_subtask_names_and_times_fit_at_80_columns() -> None:
    d = task(sub_tasks=[subtask("CREATE_CLOUD_SERVER", 1_000, 46_000, 100),
                        subtask("MIGRATE_LINUX_BLOCK", 46_000, None, 70)])
    text = draw(SubtaskBars(d), 78)
    assert "CREATE_CLOUD_SERVER" in text and "MIGRATE_LINUX_BLOCK" in text
    assert "100%" in text and "45s" in text and "70%" in text
    assert max(len(line) for line in text.splitlines()) <= 78
