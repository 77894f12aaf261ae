"""Benchmark the fleet table against a bare Textual app and Textual's DataTable.

Run: ``.venv/bin/python bench/bench_table.py`` (about two minutes; ~25 s of it is idling).

Everything runs in this process, headless, with ``App.run_test(size=(160, 48))``. Timings are
*event-loop time*: the wall time of the synchronous work a real app would do between two
frames, measured as

    t0 → the owner's handler (e.g. ``set_rows`` + the count label) → pending messages handled
       (``Pilot._wait_for_screen``) → the next frame composed (``Screen._on_timer_update``:
       layout, then every dirty widget's ``render_lines``) → t1

The frame is forced instead of waiting for Textual's 60 Hz update timer, and no
``pilot.pause()`` is used because it sleeps at least 20 ms to detect idleness. The driver is
headless, so writing to the terminal is excluded (the same for every contender). A "painted"
check after each first paint confirms the first rows and the total are in the frame.

The machine is shared: read the ratios against the baselines, which run in the same process.
"""

from __future__ import annotations

import asyncio
import gc
import os
import resource
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from widgets.source_table import Column, Row, SourceTable, progress_bar
from widgets.states import source_badge

SIZE = (160, 48)
RUNS = 5
STATES = ["replicate", "syncing", "error", "finished", "waiting", "stopped", "cloning"]
COLUMNS = [
    Column("name", "Name", min_width=20, searchable=True),
    Column("ip", "IP", width=15, searchable=True),
    Column("id", "ID", width=12, searchable=True),
    Column("state", "State", width=13, sort_key=lambda row: str(row["raw_state"])),
    Column("progress", "Progress", width=20, sort_key=lambda row: row["fraction"] or 0.0),
    Column("os", "OS", width=8),
]


def make_row(i: int, tick: int = 0) -> Row:
    """A source row; ``tick`` moves its progress and sometimes its state, like a poll."""
    state = STATES[(i + tick) % len(STATES)]
    fraction = ((i * 37 + tick * 13) % 1001) / 1000
    name = (
        f"数据库服务器-{i}" if i % 50 == 3 else f"web-{i:06d}" + ("-x" * 100 if i % 97 == 5 else "")
    )
    return {
        "name": name,
        "ip": f"10.{i // 65536}.{i // 256 % 256}.{i % 256}",
        "id": f"id{i:08d}",
        "state": source_badge(state),
        "raw_state": state,
        "progress": progress_bar(fraction, 20),
        "fraction": fraction,
        "os": "Linux" if i % 3 else "Windows",
    }


def make_rows(n: int) -> dict[str, Row]:
    return {f"src-{i:08d}": make_row(i) for i in range(n)}


def plain_cells(row: Row) -> tuple[Any, ...]:
    return tuple(row[c.key] for c in COLUMNS)


class TableApp(App[None]):
    """The owner: a count label and a SourceTable."""

    def compose(self) -> ComposeResult:
        yield Static("", id="count")
        yield SourceTable(COLUMNS, empty_message="No sources registered yet")


class DataTableApp(App[None]):
    """The baseline owner: a count label and Textual's DataTable."""

    def compose(self) -> ComposeResult:
        yield Static("", id="count")
        table: DataTable[Any] = DataTable(cursor_type="row")
        table.add_columns(*(c.label for c in COLUMNS))
        yield table


class BareApp(App[None]):
    """The floor: one Static."""

    def compose(self) -> ComposeResult:
        yield Static("", id="count")


async def frame(pilot: Pilot[Any]) -> None:
    """Handle pending messages, then compose the next frame now."""
    await pilot._wait_for_screen()
    pilot.app.screen._on_timer_update()


async def timed(
    pilot: Pilot[Any], work: Callable[[], object], painted: Callable[[], bool] = lambda: True
) -> float:
    """Milliseconds from ``work`` to a composed frame in which ``painted()`` holds."""
    gc.collect()
    t0 = time.perf_counter()
    work()
    await frame(pilot)
    while not painted():  # DataTable measures new rows in a later idle handler
        await asyncio.sleep(0)
        await frame(pilot)
    return (time.perf_counter() - t0) * 1000


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def with_app(app: App[None], body: Callable[[Pilot[Any]], Awaitable[Any]]) -> Any:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        return await body(pilot)


def screen_text(app: App[None]) -> str:
    """The screen as exported (SVG), with its non-breaking spaces made plain."""
    return app.export_screenshot().replace("&#160;", " ")


# -- scenarios -------------------------------------------------------------------------------


async def first_paint_source_table(rows: dict[str, Row]) -> float:
    async def body(pilot: Pilot[Any]) -> float:
        table = pilot.app.query_one(SourceTable)
        label = pilot.app.query_one("#count", Static)
        first = next(iter(rows.values()))["id"]

        def work() -> None:
            table.set_rows(rows)
            label.update(f"{table.visible_count:,} of {table.total_count:,} sources")

        ms = await timed(pilot, work)
        text = screen_text(pilot.app)
        assert f"{len(rows):,} of {len(rows):,} sources" in text and str(first) in text, (
            "not painted"
        )
        return ms

    return float(await with_app(TableApp(), body))


async def first_paint_data_table(rows: dict[str, Row]) -> float:
    async def body(pilot: Pilot[Any]) -> float:
        table = pilot.app.query_one(DataTable)
        label = pilot.app.query_one("#count", Static)
        cells = [plain_cells(row) for row in rows.values()]
        keys = list(rows)

        def work() -> None:
            for key, row in zip(keys, cells, strict=True):
                table.add_row(*row, key=key)
            label.update(f"{table.row_count:,} sources")

        ms = await timed(pilot, work, lambda: table.virtual_size.height >= len(rows))
        assert f"{len(rows):,} sources" in screen_text(pilot.app), "not painted"
        return ms

    return float(await with_app(DataTableApp(), body))


async def first_paint_bare() -> float:
    async def body(pilot: Pilot[Any]) -> float:
        label = pilot.app.query_one("#count", Static)
        return await timed(pilot, lambda: label.update("10,000 sources"))

    return float(await with_app(BareApp(), body))


QUERIES = ["web-0012", "10.0.3", "id0000", "数据库", "xyz"]


def keystrokes() -> list[str]:
    """Type each query one character at a time, then delete it: the filter text per key."""
    texts: list[str] = []
    for query in QUERIES:
        texts += [query[:i] for i in range(1, len(query) + 1)]
        texts += [query[:i] for i in range(len(query) - 1, -1, -1)]
    return texts


async def filter_source_table(pilot: Pilot[Any]) -> list[float]:
    table = pilot.app.query_one(SourceTable)
    label = pilot.app.query_one("#count", Static)

    def keystroke(text: str) -> None:
        table.set_filter(text)
        table.empty_message = f"Nothing matches the filter {text!r}"
        label.update(f"{table.visible_count:,} of {table.total_count:,} sources")

    return [await timed(pilot, partial(keystroke, text)) for text in keystrokes()]


async def filter_data_table(pilot: Pilot[Any], rows: dict[str, Row]) -> list[float]:
    """DataTable has no filter: the usual way is clear() and add the matching rows."""
    table = pilot.app.query_one(DataTable)
    hay = {key: f"{row['name']}\0{row['ip']}\0{row['id']}".casefold() for key, row in rows.items()}
    cells = {key: plain_cells(row) for key, row in rows.items()}
    times = []
    for text in keystrokes()[:30]:
        needle = text.casefold()
        keep = [key for key in rows if needle in hay[key]]

        def work(keep: list[str] = keep) -> None:
            table.clear()
            for key in keep:
                table.add_row(*cells[key], key=key)

        def painted(count: int = len(keep)) -> bool:
            return table.row_count == count

        times.append(await timed(pilot, work, painted))
    return times


def poll_diff(rows: dict[str, Row], tick: int, fraction: float = 0.05) -> dict[str, Row]:
    keys = list(rows)
    step = int(1 / fraction)
    return {keys[i]: make_row(i, tick) for i in range(tick % step, len(keys), step)}


async def diff_source_table(
    pilot: Pilot[Any], rows: dict[str, Row], sort: str = "progress", first_tick: int = 1
) -> list[float]:
    """Polls of 5 % changed rows; sorted by progress every changed row moves (worst case)."""
    table = pilot.app.query_one(SourceTable)
    label = pilot.app.query_one("#count", Static)
    table.sort_by(sort)
    await frame(pilot)
    times = []
    for tick in range(first_tick, first_tick + RUNS + 2):
        changed = poll_diff(rows, tick)

        def work(changed: dict[str, Row] = changed) -> None:
            table.apply_diff(changed, [])
            label.update(f"{table.visible_count:,} of {table.total_count:,} sources")

        times.append(await timed(pilot, work))
    return times


async def diff_data_table(pilot: Pilot[Any], rows: dict[str, Row]) -> list[float]:
    table = pilot.app.query_one(DataTable)
    keys = list(table.columns)
    times = []
    for tick in range(1, RUNS + 1):
        changed = poll_diff(rows, tick)

        def work(changed: dict[str, Row] = changed) -> None:
            for key, row in changed.items():
                for column, value in zip(keys, plain_cells(row), strict=True):
                    table.update_cell(key, column, value)

        times.append(await timed(pilot, work))
    return times


async def idle(pilot: Pilot[Any], seconds: float = 10.0) -> float:
    """Process CPU time over wall time while nothing happens, as % of one core."""
    await pilot.pause()
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.sleep(seconds)
    return (time.process_time() - cpu) / (time.perf_counter() - wall) * 100


# -- report ----------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def main() -> None:
    results: list[tuple[str, float, str, float | None, str]] = []

    def row(what: str, value: float, base_name: str, base: float | None, target: str) -> None:
        results.append((what, value, base_name, base, target))

    print(f"python {sys.version.split()[0]}, pid {os.getpid()}, {os.cpu_count()} cores", flush=True)
    bare_paint = median([await first_paint_bare() for _ in range(RUNS)])
    bare_idle = await with_app(BareApp(), idle)
    bare_rss = max_rss_mb()
    print("baseline: bare app done", flush=True)
    rows_10k = make_rows(10_000)  # made after the bare app, so its RSS excludes them

    paint_10k = [await first_paint_source_table(rows_10k) for _ in range(RUNS)]

    async def table_session(
        pilot: Pilot[Any],
    ) -> tuple[list[float], list[float], list[float], float]:
        table = pilot.app.query_one(SourceTable)
        table.set_rows(rows_10k)
        await frame(pilot)
        filters = await filter_source_table(pilot)
        table.set_filter("")
        diffs = await diff_source_table(pilot, rows_10k)
        by_name = await diff_source_table(pilot, rows_10k, "name", first_tick=50)
        return filters, diffs, by_name, await idle(pilot)

    filters, diffs, diffs_by_name, table_idle = await with_app(TableApp(), table_session)
    table_rss_now, table_rss_peak = rss_mb(), max_rss_mb()
    print("SourceTable 10k done", flush=True)

    dt_paint = [await first_paint_data_table(rows_10k) for _ in range(RUNS)]

    async def data_table_session(pilot: Pilot[Any]) -> tuple[list[float], list[float]]:
        table = pilot.app.query_one(DataTable)
        for key, cells in rows_10k.items():
            table.add_row(*plain_cells(cells), key=key)
        await frame(pilot)
        diffs = await diff_data_table(pilot, rows_10k)
        return await filter_data_table(pilot, rows_10k), diffs

    dt_filters, dt_diffs = await with_app(DataTableApp(), data_table_session)
    print("DataTable 10k done", flush=True)

    rows_100k = make_rows(100_000)
    paint_100k = [await first_paint_source_table(rows_100k) for _ in range(RUNS)]

    async def big_session(pilot: Pilot[Any]) -> list[float]:
        pilot.app.query_one(SourceTable).set_rows(rows_100k)
        await frame(pilot)
        return await diff_source_table(pilot, rows_100k)

    diffs_100k = await with_app(TableApp(), big_session)

    row("first paint 10k (median ms)", median(paint_10k), "DataTable", median(dt_paint), "<=150")
    row(
        "first paint 100k (median ms)",
        median(paint_100k),
        "DataTable 10k",
        median(dt_paint),
        "<=500",
    )
    row("first paint: bare Static (ms)", bare_paint, "", None, "")
    row(
        f"filter keystroke p95, {len(filters)} keys (ms)",
        p95(filters),
        "DataTable rebuild",
        p95(dt_filters),
        "<=50",
    )
    row(
        "filter keystroke median (ms)", median(filters), "DataTable rebuild", median(dt_filters), ""
    )
    row(
        "apply_diff 5% of 10k, sorted (median ms)",
        median(diffs),
        "DataTable update_cell",
        median(dt_diffs),
        "<=16",
    )
    row("apply_diff 5% of 10k, by name (median ms)", median(diffs_by_name), "", None, "")
    row("apply_diff 5% of 100k (median ms, info)", median(diffs_100k), "", None, "")
    row("idle CPU over 10 s (% of a core)", table_idle, "bare app", bare_idle, "<2")
    row("RSS now after 10k session (MB)", table_rss_now, "", None, "")
    row("peak RSS after 10k session (MB)", table_rss_peak, "bare app", bare_rss, "<300")
    row("peak RSS, whole run incl. 100k (MB)", max_rss_mb(), "", None, "")

    print()
    header = f"{'measure':<44}{'SourceTable':>12}  {'baseline':<22}{'base':>9}{'ratio':>8}  target  result"
    print(header)
    print("-" * len(header))
    for what, value, base_name, base, target in results:
        ratio = f"{value / base:7.2f}x" if base else ""
        base_text = "" if base is None else f"{base:9.1f}" if base >= 10 else f"{base:9.2f}"
        verdict = ""
        if target:
            limit = float(target.lstrip("<="))
            ok = value <= limit if target.startswith("<=") else value < limit
            verdict = "PASS" if ok else "FAIL"
        shown = f"{value:>12.1f}" if value >= 10 else f"{value:>12.2f}"
        print(f"{what:<44}{shown}  {base_name:<22}{base_text:>9}{ratio:>8}  {target:<7} {verdict}")
    print("\nfilter keystrokes (ms):", " ".join(f"{t:.1f}" for t in filters))
    print("apply_diff runs (ms):", " ".join(f"{t:.1f}" for t in diffs))


if __name__ == "__main__":
    asyncio.run(main())
