"""SourceTable: the fleet table's data behaviour, keys, drawing widths and one snapshot."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from rich.cells import cell_len
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.pilot import Pilot

from widgets.source_table import Column, Row, SourceTable, progress_bar
from widgets.states import source_badge
from widgets.table.model import RowModel

STATES = ["replicate", "syncing", "error", "finished", "waiting", "stopped"]

COLUMNS = [
    Column("name", "Name", min_width=16, searchable=True),
    Column("ip", "IP", width=15, searchable=True),
    Column("id", "ID", width=10, searchable=True),
    Column("state", "State", width=13, sort_key=lambda row: str(row["raw_state"])),
    Column("progress", "Progress", width=15, sort_key=lambda row: row["fraction"] or 0.0),
    Column("os", "OS", width=8),
]


def make_row(i: int, *, name: str | None = None, fraction: float | None = None) -> Row:
    """A deterministic source row; ``i`` picks its name, address, state and progress."""
    state = STATES[i % len(STATES)]
    frac = (i * 37 % 101) / 100 if fraction is None else fraction
    return {
        "name": name if name is not None else f"web-{i:03d}",
        "ip": f"10.0.{i // 250}.{i % 250 + 1}",
        "id": f"id{i:05d}",
        "state": source_badge(state),
        "raw_state": state,
        "progress": progress_bar(frac, 15),
        "fraction": frac,
        "os": "Linux" if i % 3 else "Windows",
    }


def make_rows(n: int) -> dict[str, Row]:
    """``n`` rows keyed ``src-0000``…; a few have CJK or 255-character names."""
    rows: dict[str, Row] = {}
    for i in range(n):
        name: str | None = None
        if i % 10 == 3:
            name = f"数据库服务器-{i}号"
        elif i % 10 == 7:
            name = f"very-long-{i}-" + "x" * 240
        rows[f"src-{i:04d}"] = make_row(i, name=name)
    return rows


class Host(App[None]):
    """A tiny owner: the table, and an escape binding that clears the filter."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "clear_filter", "Clear filter")]

    def __init__(self, rows: dict[str, Row] | None = None) -> None:
        super().__init__()
        self.rows = make_rows(40) if rows is None else rows
        self.messages: list[Message] = []
        self.escapes = 0

    def compose(self) -> ComposeResult:
        yield SourceTable(COLUMNS, empty_message="No sources registered yet")

    def on_mount(self) -> None:
        self.query_one(SourceTable).set_rows(self.rows)

    def action_clear_filter(self) -> None:
        self.escapes += 1
        self.query_one(SourceTable).set_filter("")

    def on_source_table_cursor_moved(self, message: SourceTable.CursorMoved) -> None:
        self.messages.append(message)

    def on_source_table_row_activated(self, message: SourceTable.RowActivated) -> None:
        self.messages.append(message)

    def on_source_table_marks_changed(self, message: SourceTable.MarksChanged) -> None:
        self.messages.append(message)


def lines(table: SourceTable) -> list[str]:
    """The text of every line the table draws now, header first."""
    return [table.render_line(y).text for y in range(table.size.height)]


def screen_keys(table: SourceTable) -> list[str]:
    """Keys of the rows on screen, top to bottom."""
    top = table.scroll_offset.y
    return table.visible_keys()[top : top + table.size.height - 1]


@pytest.fixture
async def pilot() -> Any:
    app = Host()
    async with app.run_test(size=(120, 20)) as pilot:
        await pilot.pause()
        yield pilot


def table_of(pilot: Pilot[None]) -> SourceTable:
    return pilot.app.query_one(SourceTable)


async def test_first_paint_shows_header_and_first_rows(pilot: Pilot[None]) -> None:
    table = table_of(pilot)
    text = lines(table)
    assert text[0].split() == ["Name", "IP", "ID", "State", "Progress", "OS"]
    assert "web-000" in text[1] and "10.0.0.1" in text[1] and "id00000" in text[1]
    assert "web-001" in text[2]
    assert table.total_count == table.visible_count == 40
    assert table.cursor_key == "src-0000"


async def test_badges_and_bars_keep_their_colours(pilot: Pilot[None]) -> None:
    table = table_of(pilot)
    strip = table.render_line(2)  # web-001 (not the cursor row): syncing, 37 %
    badge = next(seg for seg in strip if "syncing" in seg.text)
    track = next(seg for seg in strip if "░" in seg.text)
    assert badge.style is not None and badge.style.color is not None
    assert badge.style.color.name == "bright_blue"
    assert track.style is not None and track.style.dim


async def test_header_stays_while_scrolling(pilot: Pilot[None]) -> None:
    table = table_of(pilot)
    await pilot.press("end")
    await pilot.pause()
    assert table.scroll_offset.y > 0
    text = lines(table)
    assert text[0].split()[:2] == ["Name", "IP"]
    assert "id00039" in text[-1]


async def test_filter_narrows_case_insensitively_over_searchable_columns(
    pilot: Pilot[None],
) -> None:
    table = table_of(pilot)
    table.set_filter("WEB-01")
    assert table.visible_keys() == [f"src-{i:04d}" for i in range(10, 20) if i % 10 not in (3, 7)]
    assert table.total_count == 40
    table.set_filter("10.0.0.3")  # IP: 10.0.0.3 and 10.0.0.30..39
    assert len(table.visible_keys()) == 11
    table.set_filter("ID00021")
    assert table.visible_keys() == ["src-0021"]
    table.set_filter("数据库")
    assert table.visible_count == 4
    table.set_filter("windows")  # the OS column is not searchable
    assert table.visible_count == 0


async def test_a_zero_width_column_is_hidden_but_searchable() -> None:
    columns = [*COLUMNS[:2], Column("uuid", "UUID", width=0, min_width=0, searchable=True)]
    rows = {k: {**row, "uuid": f"uuid-{k}"} for k, row in make_rows(5).items()}

    class Hidden(Host):
        def compose(self) -> ComposeResult:
            yield SourceTable(columns)

    app = Hidden(rows)
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        table = table_of(pilot)
        assert "UUID" not in lines(table)[0] and "uuid" not in lines(table)[1]
        assert lines(table)[1].rstrip().endswith("10.0.0.1")
        table.set_filter("UUID-SRC-0003")
        assert table.visible_keys() == ["src-0003"]


async def test_predicate_filters_by_row_data(pilot: Pilot[None]) -> None:
    table = table_of(pilot)
    table.set_predicate(lambda key, row: row["raw_state"] == "error")
    assert table.visible_keys() == [f"src-{i:04d}" for i in range(2, 40, 6)]
    table.set_filter("web-00")
    assert table.visible_keys() == ["src-0002", "src-0008"]
    table.set_predicate(None)
    assert table.visible_count == 8


async def test_escape_belongs_to_the_owner(pilot: Pilot[None]) -> None:
    table = table_of(pilot)
    table.set_filter("web-02")
    await pilot.press("escape")
    assert pilot.app.escapes == 1  # type: ignore[attr-defined]
    assert table.visible_count == 40


async def test_sort_by_column_and_reverse(pilot: Pilot[None]) -> None:
    table = table_of(pilot)
    fractions = {key: float(str(row["fraction"])) for key, row in make_rows(40).items()}
    table.sort_by("progress")
    ascending = table.visible_keys()
    assert [fractions[k] for k in ascending] == sorted(fractions.values())
    assert "Progress ▲" in lines(table)[0]
    table.sort_by("progress", reverse=True)
    assert table.visible_keys() == sorted(fractions, key=lambda k: (-fractions[k], -int(k[4:])))
    await pilot.pause()
    assert "Progress ▼" in lines(table)[0]
    table.sort_by(None)
    assert table.visible_keys() == list(make_rows(40))


async def test_name_sort_is_natural(pilot: Pilot[None]) -> None:
    table = table_of(pilot)
    table.set_rows(
        {
            "a": make_row(1, name="web-10"),
            "b": make_row(2, name="web-9"),
            "c": make_row(3, name="Web-100"),
        }
    )
    table.sort_by("name")
    assert table.visible_keys() == ["b", "a", "c"]


async def test_header_click_and_key_cycle_the_sort(pilot: Pilot[None]) -> None:
    table = table_of(pilot)
    await pilot.click(SourceTable, offset=(2, 0))
    assert (table.sort_column, table.sort_reverse) == ("name", False)
    await pilot.click(SourceTable, offset=(2, 0))
    assert (table.sort_column, table.sort_reverse) == ("name", True)
    table.action_cycle_sort()  # the owner binds the keys (``o``/``O`` on the source list)
    assert (table.sort_column, table.sort_reverse) == ("ip", False)
    table.action_reverse_sort()
    assert table.sort_reverse


async def test_cursor_follows_its_key_through_diff_sort_and_filter(pilot: Pilot[None]) -> None:
    table = table_of(pilot)
    table.sort_by("progress")
    table.cursor_key = "src-0005"
    before = table.visible_keys().index("src-0005")
    table.apply_diff({"src-0005": make_row(5, fraction=1.0)}, [])
    await pilot.pause()
    assert table.cursor_key == "src-0005"
    after = table.visible_keys().index("src-0005")
    assert after > before
    assert after == 38  # only src-0030 (also 100 %, but it arrived later) comes after it
    assert "src-0005" in screen_keys(table)  # the view followed the cursor
    table.sort_by("name", reverse=True)
    assert table.cursor_key == "src-0005"
    table.set_filter("web-00")
    assert table.cursor_key == "src-0005"
    # Filtered out: the cursor moves to the row that now stands in its place.
    table.set_filter("web-01")
    assert table.cursor_key is not None and table.cursor_key in table.visible_keys()
    table.set_filter("")
    table.sort_by(None)
    table.cursor_key = "src-0012"
    table.set_filter("web-02")
    assert table.cursor_key == "src-0020"  # the next row down, in view order


async def test_click_moves_the_cursor_then_activates(pilot: Pilot[None]) -> None:
    table = table_of(pilot)
    app: Host = pilot.app  # type: ignore[assignment]
    await pilot.click(SourceTable, offset=(5, 4))
    assert table.cursor_key == "src-0003"
    await pilot.click(SourceTable, offset=(5, 4))
    await pilot.pause()
    assert [m.key for m in app.messages if isinstance(m, SourceTable.RowActivated)] == ["src-0003"]


async def test_stale_rows_are_drawn_with_the_stale_style(pilot: Pilot[None]) -> None:
    table = table_of(pilot)
    fresh = table.render_line(2)
    table.stale = True
    await pilot.pause()
    stale = table.render_line(2)
    assert stale.text == fresh.text
    assert all(seg.style is not None and seg.style.italic for seg in stale)
    assert not any(seg.style is not None and seg.style.italic for seg in fresh)


async def test_keys_move_the_cursor_and_enter_activates(pilot: Pilot[None]) -> None:
    table = table_of(pilot)
    app: Host = pilot.app  # type: ignore[assignment]
    await pilot.press("down", "down")
    assert table.cursor_key == "src-0002"
    await pilot.press("end")
    assert table.cursor_key == "src-0039"
    await pilot.press("pageup")
    assert table.cursor_key == "src-0021"  # 19 rows on screen: a page is 18
    await pilot.press("home", "up")
    assert table.cursor_key == "src-0000"
    await pilot.press("enter")
    await pilot.pause()
    moved = [m.key for m in app.messages if isinstance(m, SourceTable.CursorMoved)]
    assert moved[-4:] == ["src-0002", "src-0039", "src-0021", "src-0000"]
    activated = [m for m in app.messages if isinstance(m, SourceTable.RowActivated)]
    assert [m.key for m in activated] == ["src-0000"]


async def test_marks_toggle_and_survive_a_diff(pilot: Pilot[None]) -> None:
    table = table_of(pilot)
    app: Host = pilot.app  # type: ignore[assignment]
    # space marks and moves down: a run of spaces marks a run of rows
    await pilot.press("space", "space", "space", "up", "space")
    assert table.cursor_key == "src-0003"
    assert table.marked == {"src-0000", "src-0001"}
    assert lines(table)[1].startswith("●") and lines(table)[3].startswith(" ")
    table.apply_diff({"src-0000": make_row(0, fraction=0.5)}, ["src-0001"])
    assert table.marked == {"src-0000"}
    table.set_filter("web-02")  # hidden rows keep their marks
    assert table.marked == {"src-0000"}
    await pilot.pause()
    counts = [m.count for m in app.messages if isinstance(m, SourceTable.MarksChanged)]
    assert counts == [1, 2, 3, 2, 1]


async def test_apply_diff_adds_changes_and_removes(pilot: Pilot[None]) -> None:
    table = table_of(pilot)
    table.cursor_key = "src-0010"
    table.apply_diff(
        {"src-0100": make_row(100), "src-0002": make_row(2, name="renamed")},
        ["src-0010", "src-0011", "no-such-key"],
    )
    assert table.total_count == 39
    assert table.visible_keys()[-1] == "src-0100"
    assert table.cursor_key == "src-0012"  # its row went: the next one takes the cursor
    assert "renamed" in table.render_line(3).text
    assert table.row("src-0010") is None


async def test_diff_off_screen_refreshes_nothing_on_screen(pilot: Pilot[None]) -> None:
    table = table_of(pilot)
    regions: list[Region] = []
    original = table.refresh

    def spy(*args: Region, **kwargs: Any) -> SourceTable:
        regions.extend(args)
        if not args:
            regions.append(table.size.region)
        return original(*args, **kwargs)

    table.refresh = spy  # type: ignore[method-assign]
    table.apply_diff({"src-0035": make_row(35, name="changed")}, [])
    assert regions == []
    table.apply_diff({"src-0004": make_row(4, name="changed")}, [])
    assert regions == [Region(0, 5, table.size.width, 1)]


@pytest.mark.parametrize("width", [120, 83, 61, 40])
async def test_cjk_and_long_names_keep_every_line_the_widget_width(width: int) -> None:
    app = Host()
    async with app.run_test(size=(width, 30)) as pilot:
        await pilot.pause()
        table = table_of(pilot)
        line_width = table.scrollable_content_region.width
        ip_start = lines(table)[0].index("IP")
        for y in range(table.size.height):
            strip = table.render_line(y)
            assert strip.cell_length == line_width
            assert sum(cell_len(segment.text) for segment in strip) == line_width
        bar_start = lines(table)[0].find("Progress")
        for y in range(1, table.size.height):
            key = table.visible_keys()[y - 1]
            strip = table.render_line(y)
            ip = str(app.rows[key]["ip"])
            # Cut at the IP column's cell offset: the name before it never pushes it along.
            assert strip.crop(ip_start, ip_start + len(ip)).text == ip, (width, y)
            if bar_start > 0 and bar_start + 15 <= line_width:
                bar = app.rows[key]["progress"]
                assert isinstance(bar, Text)
                assert strip.crop(bar_start, bar_start + 15).text == bar.plain, (width, y)
        names = [lines(table)[y] for y in (4, 8)]
        assert "数据库服务器-3号" in names[0] or "数据库" in names[0]
        assert "…" in names[1]


async def test_empty_state_messages() -> None:
    app = Host(rows={})
    async with app.run_test(size=(80, 11)) as pilot:
        await pilot.pause()
        table = table_of(pilot)
        assert table.cursor_key is None
        # Header, then ten body lines: the message sits on the middle one (screen line 6).
        assert [line.strip() for line in lines(table)][5:8] == [
            "",
            "No sources registered yet",
            "",
        ]
        table.set_rows(make_rows(5))
        table.set_filter("zzz")
        table.empty_message = "Nothing matches the filter 'zzz'"
        await pilot.pause()
        text = lines(table)
        assert text[6].strip() == "Nothing matches the filter 'zzz'"
        assert text[0].split()[0] == "Name"
        assert table.cursor_key is None


def test_progress_bar_draws_eighths_and_percent() -> None:
    assert progress_bar(0.65, 15).plain == "██████▌░░░  65%"
    assert progress_bar(0.999, 15).plain == "█████████▉  99%"
    assert progress_bar(1.0, 15).plain == "██████████ 100%"
    assert progress_bar(None, 15).plain == " " * 14 + "—"
    assert progress_bar(float("nan"), 8).cell_len == 8
    assert progress_bar(0.5, 3).cell_len == 3


def _shuffled_diffs(seed: int) -> Iterator[tuple[dict[str, Row], list[str]]]:
    rng = random.Random(seed)
    keys = [f"k{i}" for i in range(300)]
    for _ in range(30):
        changed_count = rng.choice([1, 5, 60, 200])
        changed: dict[str, Row] = {
            rng.choice(keys): {
                "name": f"n{rng.randrange(50)}",
                "ip": "10.0.0.1",
                "state": Text(rng.choice(STATES)),
            }
            for _ in range(changed_count)
        }
        removed = [rng.choice(keys) for _ in range(rng.randrange(4))]
        yield changed, removed


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_order_matches_a_full_sort(seed: int) -> None:
    columns = [
        Column("name", "Name", searchable=True),
        Column("ip", "IP"),
        Column("state", "State"),
    ]
    model = RowModel(columns)
    model.sort_by("name", reverse=seed == 2)
    model.set_needle("n1" if seed == 3 else "")
    model.set_predicate(None if seed == 1 else lambda k, r: "error" not in str(r["state"]))
    reference: dict[str, Row] = {}
    for changed, removed in _shuffled_diffs(seed):
        model.apply(changed, removed)
        for key in removed:
            reference.pop(key, None)
        reference.update(changed)
        fresh = RowModel(columns)
        fresh.replace({k: reference[k] for k in model.rows})  # same arrival order
        fresh.sort_by("name", reverse=model.reverse)
        fresh.set_needle(model.needle)
        fresh.set_predicate(model.predicate)
        assert model.keys() == fresh.keys()
        assert model.total == len(reference)


class TestSnapshot:
    """The table as an operator sees it."""

    def test_fleet_table_120x40(self, snap_compare: Any) -> None:
        rows = make_rows(60)

        async def prepare(pilot: Pilot[None]) -> None:
            table = table_of(pilot)
            table.toggle_mark("src-0002")
            table.toggle_mark("src-0004")
            await pilot.press("down", "down", "down")
            await pilot.pause()

        assert snap_compare(Host(rows), terminal_size=(120, 40), run_before=prepare)
