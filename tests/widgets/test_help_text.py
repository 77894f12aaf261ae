"""The help's keys as one ``Text`` read line for line as the Rich grid they come from."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tui.screens.help import _as_text


def lines(renderable: object, width: int = 60) -> list[str]:
    console = Console(width=width, file=open("/dev/null", "w"), color_system=None)
    return ["".join(s.text for s in line).rstrip()
            for line in console.render_lines(renderable, console.options)]  # type: ignore[arg-type]


def test_same_lines_as_the_grid() -> None:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(justify="right", style="bold cyan", no_wrap=True)
    grid.add_column()
    grid.add_row(Text("migdash keys", style="bold"), "")
    grid.add_row(Text("connection", style="bold yellow"),
                 Text("offline — refused\nstart the server"))
    grid.add_row("", "")
    grid.add_row(Text("Source list", style="bold underline"), "")
    for key, what in (("enter", "Open"), ("^a", "Mark all shown"), ("[", "a bracket, not markup")):
        grid.add_row(Text(key), Text(what))
    text = _as_text(grid)
    assert lines(text) == lines(grid)
    assert "[" in text.plain
    # The key column's style sits under each key's own.
    rendered = Console(width=60, file=open("/dev/null", "w"), color_system="truecolor")
    styles = {seg.text.strip(): seg.style for line in rendered.render_lines(text) for seg in line}
    enter = styles["enter"]
    assert enter is not None and enter.bold
    assert enter.color is not None and enter.color.name == "cyan"
