"""The top bar: which view, where we are connected, how fresh the data is, whether writes
are off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from tui.service.state import ConnectionStatus, Link
from tui.untrusted import clean
from widgets.units import duration


class ViewTab(msgspec.Struct, frozen=True):
    """One of the app's views as the header names it."""

    key: str
    title: str
    short: str
    link: Link | None
    """Its backend's connection (None: not configured)."""
    active: bool


_LINK_MARK = {
    Link.ONLINE: ("●", "green"), Link.CONNECTING: ("◌", "cyan"),
    Link.RECONNECTING: ("⟳", "yellow"), Link.AUTH_FAILED: ("✖", "bright_red"),
}


class StatusHeader(Widget):
    """One line: ``migdash 1 Migrations● 2 DeH● 3 ZStack○ │ profile │ region │ ● online · 3s
    ago │ READ-ONLY``: the view shown is named in full, every view's connection is a mark."""

    DEFAULT_CSS = """
    StatusHeader { height: 1; dock: top; background: $panel; color: $foreground; }
    """

    status: reactive[ConnectionStatus] = reactive(ConnectionStatus, always_update=True)
    """The connection as last published by the polling service."""
    tabs: reactive[tuple[ViewTab, ...]] = reactive(tuple)
    """The app's views (empty: an app without views, e.g. a widget test)."""

    def __init__(
        self,
        label: str,
        region: str | None,
        *,
        read_only: bool,
        interval: float,
        clock: Callable[[], float],
        id: str | None = None,
        configured: bool = True,
    ) -> None:
        super().__init__(id=id)
        self.configured = configured
        self.label = label
        self.region_name = region
        self.read_only = read_only
        self.interval = interval
        self.clock = clock

    def on_mount(self) -> None:
        # The only ticking thing on screen: ages and countdowns need a one-second clock.
        self.set_interval(1.0, self.refresh)
        if hasattr(self.app, "view_tabs"):
            self.watch(self.app, "view_tabs", self._tabs, init=True)

    def _tabs(self, tabs: Any) -> None:
        self.tabs = tuple(tabs)

    def render(self) -> Text:
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append(" migdash ", style="bold reverse")
        if not self.tabs:  # no views (a widget test): where, then how it is doing
            out.append(f" {clean(self.label)} ")
            if self.region_name:
                out.append(f"│ {self.region_name} ", style="dim")
            out.append("│ ")
            out.append_text(self._link())
            if self.read_only:
                out.append(" │ ", style="dim")
                out.append(" READ-ONLY ", style="bold black on yellow")
            return out
        # With views, what must survive 80 columns comes first: the views, READ-ONLY and the
        # connection; the profile and region may be cut. Narrower still (a split pane), the
        # views shrink to their keys and marks, then the brand goes: never the link state.
        width = self.size.width
        for compact in range(3):
            line = self._with_views(out.copy() if compact < 2 else Text(no_wrap=True,
                                    overflow="ellipsis"), compact)
            if not width or line.cell_len <= width:
                break
        # Where the operator is (profile, region) last: cut first when space runs out.
        line.append(f" │ {clean(self.label)}", style="dim")
        if self.region_name:
            line.append(f" │ {self.region_name}", style="dim")
        return line

    def _with_views(self, out: Text, compact: int) -> Text:
        """The header with the view tabs: ``compact`` 0 full, 1 inactive views as key and
        mark, 2 every view as key and mark (and no brand)."""
        for tab in self.tabs:
            out.append(" ")
            if tab.active and compact < 2:
                out.append(f"{tab.key} {tab.title if not compact else tab.short}",
                           style="bold underline")
            elif tab.active:
                out.append(tab.key, style="bold underline")
            elif compact:
                out.append(tab.key, style="dim")
            else:
                out.append(f"{tab.key} {tab.short}", style="dim")
            mark, colour = _LINK_MARK[tab.link] if tab.link else ("○", "dim")
            out.append(mark, style=colour)
        if self.read_only:
            out.append(" ")
            out.append(" READ-ONLY ", style="bold black on yellow")
        out.append(" │ ", style="dim")
        out.append_text(self._link())
        return out

    def _link(self) -> Text:
        """``● online · data 3s old``, ``⟳ reconnecting in 8 s``, …"""
        now = self.clock()
        st = self.status
        out = Text()
        age = st.age(now)
        if not self.configured:
            out.append("○ not configured", style="dim")
            return out
        if st.link is Link.ONLINE:
            stale = st.is_stale(now, self.interval)
            out.append("● online", style="bold green" if not stale else "bold yellow")
        elif st.link is Link.CONNECTING:
            out.append("◌ connecting…", style="bold cyan")
        elif st.link is Link.AUTH_FAILED:
            out.append("✖ authentication failed", style="bold bright_red")
            if st.error is not None:
                out.append(clean(f" {st.error.error_code or ''} {st.error.message}"[:80]),
                           style="red")  # the server's words: controls made visible
        else:
            retry = st.retry_in(now)
            out.append("⟳ reconnecting", style="bold yellow")
            if retry is not None:
                out.append(f" in {int(retry + 0.999)} s", style="yellow")
            if st.reason:  # already cleaned: refused, DNS, TLS, timeout, bad response …
                out.append(f" — {st.reason}", style="yellow")
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
        return out
