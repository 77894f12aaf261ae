"""A sparkline whose axis starts at zero, so 928–993 Mbit/s does not look like a collapse."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from textual.widget import Widget

BARS = " ▁▂▃▄▅▆▇█"


def zero_based_rows(data: Sequence[float], width: int, height: int) -> list[str]:
    """``height`` lines of ``width`` bar glyphs, top line first; the bottom is 0, the top
    the largest value. Each cell shows the largest value of its share of ``data``."""
    if width <= 0 or height <= 0:
        return []
    if not data:
        return [" " * width] * (height - 1) + ["▁" * width]
    top = max(max(data), 0.0)
    levels = height * 8
    cells: list[int] = []
    for cell in range(width):
        start = cell * len(data) // width
        end = max((cell + 1) * len(data) // width, start + 1)
        value = max(data[start:end])
        # Anything above zero shows at least one eighth: "slow" must not read as "stopped".
        level = 0 if top <= 0 or value <= 0 else max(1, round(value / top * levels))
        cells.append(level)
    rows = []
    for line in reversed(range(height)):
        floor = line * 8
        rows.append("".join(BARS[min(max(level - floor, 0), 8)] for level in cells))
    return rows


class ZeroBasedSparkline:
    """Rich renderable of :func:`zero_based_rows` in one style."""

    def __init__(self, data: Sequence[float], height: int, style: Style) -> None:
        self.data, self.height, self.style = data, height, style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for i, row in enumerate(zero_based_rows(self.data, options.max_width, self.height)):
            if i:
                yield Segment.line()
            yield Segment(row, self.style)


class SpeedSparkline(Widget):
    """Speeds over time as bars from zero (the title says the unit and the range)."""

    DEFAULT_CSS = """
    SpeedSparkline { height: 3; color: $accent; }
    """

    def __init__(self, data: Sequence[float] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._data: list[float] = list(data)

    @property
    def data(self) -> list[float]:
        """The speeds, oldest first."""
        return self._data

    @data.setter
    def data(self, data: Sequence[float]) -> None:
        self._data = list(data)
        self.refresh()

    def render(self) -> ZeroBasedSparkline:
        return ZeroBasedSparkline(self._data, self.size.height, self.rich_style)
