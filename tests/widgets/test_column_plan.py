"""Columns by priority on narrow lines, sideways scrolling, and sort headers that keep labels."""

from __future__ import annotations

from rich.console import Console
from rich.style import Style

from tui.screens.sources import COLUMNS
from widgets.table.cells import Column, plan_columns
from widgets.table.lines import MARK_WIDTH, header_strip


def shown(plan_widths: list[int]) -> list[str]:
    return [c.key for c, w in zip(COLUMNS, plan_widths, strict=True) if w]


def test_80_columns_keep_state_name_progress_task_and_speed() -> None:
    plan = plan_columns(COLUMNS, 78 - MARK_WIDTH)
    assert shown(plan.widths) == ["state", "name", "progress", "speed", "task"]
    assert set(plan.hidden_right) == {"IP", "OS", "Stage", "ETA", "Agent", "Changed"}
    assert plan.hidden_left == ()
    assert sum(plan.widths) + len(shown(plan.widths)) - 1 <= 78 - MARK_WIDTH


def test_ip_os_stage_changed_drop_first() -> None:
    plan = plan_columns(COLUMNS, 100 - MARK_WIDTH)
    assert {"state", "name", "progress", "task", "speed", "eta"} <= set(shown(plan.widths))
    assert {"IP", "OS", "Changed"} <= set(plan.hidden_right)


def test_everything_fits_at_160_and_scrolling_does_nothing() -> None:
    plan = plan_columns(COLUMNS, 157 - MARK_WIDTH, offset=3)
    assert plan.offset == 0 and plan.hidden_right == () and plan.hidden_left == ()
    assert len(shown(plan.widths)) == 11


def test_scrolling_right_brings_every_hidden_column_in_and_stops() -> None:
    seen: set[str] = set()
    offset = 0
    while True:
        plan = plan_columns(COLUMNS, 76, offset)
        seen |= set(shown(plan.widths))
        assert {"state", "name"} <= set(shown(plan.widths))  # pinned
        if plan.offset < offset:
            break
        offset += 1
    assert seen == {c.key for c in COLUMNS if c.width != 0}
    assert plan.hidden_right == () and plan.hidden_left


def test_default_priority_is_position_and_drops_from_the_right() -> None:
    columns = [Column("a", "A", width=10), Column("b", "B", width=10), Column("c", "C", width=10)]
    plan = plan_columns(columns, 25)
    assert plan.widths == [10, 10, 0] and plan.hidden_right == ("C",)


def test_sorted_header_keeps_its_label_when_it_fits_and_drops_the_space_first() -> None:
    console = Console(width=200)
    columns = [Column("agent", "Agent", width=7), Column("eta", "ETA", width=4)]
    line = header_strip(columns, [7, 4], "agent", False, 20, Style(), console).text
    assert "Agent ▲" in line
    line = header_strip(columns, [7, 4], "eta", True, 20, Style(), console).text
    assert "ETA▼" in line


def test_no_source_list_header_is_cut_when_sorted() -> None:
    console = Console(width=300)
    widths = plan_columns(COLUMNS, 200).widths
    for column in COLUMNS:
        if column.width == 0:
            continue
        line = header_strip(COLUMNS, widths, column.key, True, 202, Style(), console).text
        assert f"{column.label} ▼" in line, column.label


def test_header_says_where_columns_are_hidden() -> None:
    console = Console(width=200)
    plan = plan_columns(COLUMNS, 76, offset=1)
    line = header_strip(COLUMNS, plan.widths, None, False, 78, Style(), console,
                        more_left=bool(plan.hidden_left),
                        more_right=bool(plan.hidden_right)).text
    assert line.startswith("◂") and line.endswith("▸") and len(line) == 78


def test_prefix_columns_match_only_from_their_start() -> None:
    from widgets.table.model import RowModel

    columns = [Column("name", "Name", searchable=True),
               Column("id", "ID", width=0, searchable=True, prefix_search=True)]
    model = RowModel(columns)
    model.replace({"a": {"name": "web-prod-003", "id": "5f3fdb38-0001"},
                   "b": {"name": "db-dr-020", "id": "77aa0000-0002"}})
    model.set_needle("db")
    assert model.keys() == ["b"]  # "db" inside a's ID does not count
    model.set_needle("5f3f")
    assert model.keys() == ["a"]
    model.set_needle("5f3fdb38-00")  # narrowing path (longer than the last needle)
    assert model.keys() == ["a"]
    model.set_needle("5f3fdb38-0001")
    assert model.keys() == ["a"]
    model.set_needle("0001")
    assert model.keys() == []


def test_sort_by_state_is_by_severity() -> None:
    from tui.screens.sources import COLUMNS as cols

    state = next(c for c in cols if c.key == "state")
    assert state.sort_key is not None
    order = sorted(["finished", "syncing", "unavailable", "replicate", "error", "waiting"],
                   key=lambda s: state.sort_key({"_state": s}))  # type: ignore[misc]
    assert order == ["error", "unavailable", "waiting", "replicate", "syncing", "finished"]


def test_flexing_columns_with_unequal_minimums_never_overflow_the_line() -> None:
    from widgets.table.cells import layout_widths

    # An even share (12) is below two columns' minimum (14): they take 14 and the third takes
    # what is left, so the line is exactly as wide as it may be (it used to be 3 cells over).
    columns = [Column("name", "Name", min_width=8), Column("state", "State", width=13),
               Column("cpu", "CPU", min_width=14), Column("mem", "Mem", min_width=14)]
    widths = layout_widths(columns, 3 * 1 + 13 + 38)
    assert widths == [10, 13, 14, 14]
    assert sum(widths) + 3 == 3 + 13 + 38
    # Planned with a column that does not fit, the drawn columns still fit the line.
    plan = plan_columns([*columns, Column("vms", "VMs", width=4),
                         Column("cluster", "Cluster", width=9)], 64)
    assert plan.hidden_right == ("Cluster",)
    assert sum(plan.widths) + 4 <= 64 - 2  # the gaps, and the cells of the ▸
