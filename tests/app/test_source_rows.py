"""The fleet table's rows (``SourceRow``): what each cell shows, what two rows are equal by,
and that styled cells are built only when read (a poll changes thousands of rows; the table
draws forty)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.text import Text

from tui.api.models.sources import SourceListItem
from tui.screens.problems import problem_reason
from tui.screens.source_rows import SourceRow, is_problem
from tui.screens.sources import make_row
from widgets.table.cells import progress_bar

EXAMPLES = Path(__file__).parents[1] / "api" / "fixtures" / "examples"
EXAMPLE = EXAMPLES / "L1390_list_sources_response.json"
NOW = 1_700_000_000.0


def sources() -> list[Any]:
    body = json.loads(EXAMPLE.read_text())
    return [SourceListItem.model_validate(s) for s in body["source_servers"]]


def running(**task: Any) -> Any:
    base = json.loads(EXAMPLE.read_text())["source_servers"][0]
    base.update(state="replicate", replicatesize=25, totalsize=100, state_action_time=
                int((NOW - 125) * 1000))
    base["current_task"].update({"state": "RUNNING", "migrate_speed": 12.5,
                                 "estimate_complete_time": int((NOW + 600) * 1000), **task})
    return SourceListItem.model_validate(base)


def test_cells_say_what_the_source_says() -> None:
    row = make_row(running(), NOW)
    assert row["name"] == "sms-test" and row["ip"] == "192.168.0.1"
    assert row["speed"] == "100.0 Mbit/s"  # 12.5 MB/s
    assert row["eta"] == "10m00s" and row["changed"] == "2m05s"
    assert isinstance(row["state"], Text) and row["state"].plain == "▶ replicate"
    assert row["task"].plain == "▶ RUNNING"
    assert row["progress"] == progress_bar(0.25, 12)
    assert row["agent"].plain == "✔"
    assert row["_progress"] == 0.25 and row["_eta"] == 600.0
    assert row["_ip"] == (0, (192, 168, 0, 1), "")
    assert row["problem"].plain == "" and row["_problem_sort"] == (True, "")


def test_every_key_a_row_had_is_there() -> None:
    row = make_row(running(), NOW)
    keys = set(row)
    assert {"state", "name", "ip", "os", "stage", "progress", "speed", "eta", "agent", "task",
            "changed", "id", "problem", "_problem_sort", "_problem", "_state_raw", "_no_task",
            "_state", "_name", "_ip", "_os", "_stage", "_progress", "_speed", "_eta", "_agent",
            "_task", "_changed", "_size"} == keys
    assert len(dict(row)) == len(keys)
    assert row.get("nope") is None and "nope" not in row


def test_stall_and_pending_show_in_the_task_cell_and_problem() -> None:
    source = running()
    assert make_row(source, NOW, stall=object())["task"].plain == "⚠ RUNNING stalled"
    assert make_row(source, NOW, stall=object())["problem"].plain == "⚠ stalled"
    assert make_row(source, NOW, stall=object())["_problem"] is True
    assert make_row(source, NOW, pending="stop")["task"].plain == "⧗ stop sent"


def test_problem_values_match_the_problem_view() -> None:
    for source in sources():
        for stall in (None, object()):
            row = make_row(source, NOW, stall=stall)
            assert row["problem"] == problem_reason(source, stall)
            assert row["_problem"] == (is_problem(source) or stall is not None)


def test_equal_by_what_is_shown_and_sorted() -> None:
    source = running()
    assert make_row(source, NOW) == make_row(running(), NOW)
    assert make_row(source, NOW) != make_row(running(migrate_speed=13.0), NOW)
    assert make_row(source, NOW) != make_row(source, NOW, stall=object())
    assert make_row(source, NOW) != make_row(source, NOW, pending="start")
    # The ETA is a sort value: a row a second later sorts differently, so it is not equal.
    assert make_row(source, NOW) != make_row(source, NOW + 1)
    assert make_row(source, NOW) == dict(make_row(source, NOW))


def test_styled_cells_are_built_only_when_read() -> None:
    row = make_row(running(), NOW)
    assert isinstance(row, SourceRow)
    assert "progress" not in row._values and "state" not in row._values
    first = row["progress"]
    assert row["progress"] is first  # built once, kept
