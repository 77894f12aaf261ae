"""``?``: every key of every screen, read from the screens' own bindings."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.screens.registry import WRITE_ACTIONS


def _rows(bindings: list[BindingType], read_only: bool) -> list[tuple[str, str]]:
    rows = []
    for b in bindings:
        if not isinstance(b, Binding):
            b = Binding(*b)
        if read_only and b.action in WRITE_ACTIONS:
            continue
        for key in b.key.split(","):
            label = b.key_display or key
            rows.append((label.replace("ctrl+", "^").replace("question_mark", "?"),
                         b.description or b.action))
    return rows


class HelpScreen(ModalScreen[None]):
    """A table of keys per screen; ``escape``, ``q`` or ``?`` closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; height: 90%; border: thick $accent; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self._table())

    def _table(self) -> Table:
        app: Any = self.app
        read_only = bool(getattr(self.app, "read_only", False))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(justify="right", style="bold cyan", no_wrap=True)
        grid.add_column()
        grid.add_row(Text("migdash keys", style="bold"), "")
        for title, bindings in app.help_sections():
            grid.add_row("", "")
            grid.add_row(Text(title, style="bold underline"), "")
            for key, what in _rows(bindings, read_only):
                grid.add_row(key, what)
        return grid

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
