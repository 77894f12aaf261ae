"""The table's line cache: one line per row drawn, replaced when the row changes."""

from __future__ import annotations

from rich.console import Console
from rich.style import Style

from widgets.table.cells import Column
from widgets.table.lines import LinePainter

COLUMNS = [Column("name", "Name"), Column("speed", "Speed", width=10)]
STYLE = Style()


def draw(painter: LinePainter, key: str, version: int, speed: str) -> str:
    strip = painter.row(key, version, {"name": key, "speed": speed}, 40, marked=False,
                        style=STYLE, cursor_style=None)
    return strip.text


def test_a_new_version_of_a_row_replaces_its_line() -> None:
    painter = LinePainter(COLUMNS, Console(width=40))
    for version in range(200):  # a poll every 5 s for a quarter of an hour, the row changing
        assert f"{version} MB/s" in draw(painter, "web-1", version, f"{version} MB/s")
    draw(painter, "web-2", 0, "1 MB/s")
    assert len(painter._rows) == 2  # one line per row, not one per version drawn


def test_the_same_version_is_drawn_once() -> None:
    painter = LinePainter(COLUMNS, Console(width=40))
    first = painter.row("web-1", 3, {"name": "web-1", "speed": "1"}, 40, marked=False,
                        style=STYLE, cursor_style=None)
    again = painter.row("web-1", 3, {"name": "web-1", "speed": "other"}, 40, marked=False,
                        style=STYLE, cursor_style=None)
    assert again is first  # a look-up: the row's version says nothing changed
    assert "other" in draw(painter, "web-1", 4, "other")


def test_a_row_that_leaves_and_comes_back_gets_a_version_never_given_before() -> None:
    from widgets.table.cells import Column
    from widgets.table.model import RowModel

    model = RowModel([Column("name", "Name")])
    model.apply({"a": {"name": "old"}}, ())
    first = model.versions["a"]
    model.apply({}, ["a"])
    model.apply({"a": {"name": "new"}}, ())  # back, with other cells: its cached line is stale
    assert model.versions["a"] != first
    model.replace({"a": {"name": "other"}})
    assert model.versions["a"] > first
