"""The top bar: where we are connected, how fresh the data is, and whether writes are off."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from tui.service.state import ConnectionStatus, Link
from widgets.units import duration


class StatusHeader(Widget):
    """One line: ``migdash │ profile │ region │ ● online · 3s ago │ READ-ONLY``."""

    DEFAULT_CSS = """
    StatusHeader { height: 1; dock: top; background: $panel; color: $foreground; }
    """

    status: reactive[ConnectionStatus] = reactive(ConnectionStatus, always_update=True)
    """The connection as last published by the polling service."""

    def __init__(
        self,
        label: str,
        region: str | None,
        *,
        read_only: bool,
        interval: float,
        clock: Callable[[], float],
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.label = label
        self.region_name = region
        self.read_only = read_only
        self.interval = interval
        self.clock = clock

    def on_mount(self) -> None:
        # The only ticking thing on screen: ages and countdowns need a one-second clock.
        self.set_interval(1.0, self.refresh)

    def render(self) -> Text:
        now = self.clock()
        st = self.status
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append(" migdash ", style="bold reverse")
        out.append(f" {self.label} ")
        if self.region_name:
            out.append(f"│ {self.region_name} ", style="dim")
        out.append("│ ")
        age = st.age(now)
        if st.link is Link.ONLINE:
            stale = st.is_stale(now, self.interval)
            out.append("● online", style="bold green" if not stale else "bold yellow")
        elif st.link is Link.CONNECTING:
            out.append("◌ connecting…", style="bold cyan")
        elif st.link is Link.AUTH_FAILED:
            out.append("✖ authentication failed", style="bold bright_red")
            if st.error is not None:
                out.append(f" {st.error.error_code or ''} {st.error.message}"[:80], style="red")
        else:
            retry = st.retry_in(now)
            out.append("⟳ reconnecting", style="bold yellow")
            if retry is not None:
                out.append(f" in {int(retry + 0.999)} s", style="yellow")
        if age is not None:
            stale = st.is_stale(now, self.interval)
            out.append(
                f" · data {duration(age)} old" + (" (stale)" if stale else ""),
                style="bold yellow" if stale else "dim",
            )
        if st.skipped:
            n = len(st.skipped)
            out.append(f" · {n} unreadable record{'s' if n != 1 else ''} skipped (?)",
                       style="bold yellow")
        if self.read_only:
            out.append(" │ ", style="dim")
            out.append(" READ-ONLY ", style="bold black on yellow")
        return out
