"""``?``: every key of every screen, read from the screens' own bindings."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.screens.registry import WRITE_ACTIONS
from tui.untrusted import clean, literal


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
        width: 90; max-width: 100%; height: 90%; border: thick $accent; background: $surface;
        padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Content.from_rich_text(_as_text(self._table())))

    def _table(self) -> Table:
        app: Any = self.app
        read_only = bool(getattr(self.app, "read_only", False))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(justify="right", style="bold cyan", no_wrap=True)
        grid.add_column()
        skipped = getattr(getattr(self.app, "connection", None), "skipped", ())
        if skipped:
            # Why the header says records were skipped: the server's own words, made literal.
            grid.add_row(Text(f"{len(skipped)} skipped", style="bold yellow"),
                         Text("records the server sent that could not be read:", style="bold"))
            for reason in skipped[:20]:
                grid.add_row("", literal(reason))
            if len(skipped) > 20:
                grid.add_row("", Text(f"… and {len(skipped) - 20} more", style="dim"))
            grid.add_row("", "")
        grid.add_row(Text("migdash keys", style="bold"), "")
        status = getattr(self.app, "connection", None)
        if status is not None and status.reason:  # why the endpoint cannot be read right now
            from tui.service.link_reason import link_hint

            hint = link_hint(status.error)
            grid.add_row(Text("connection", style="bold yellow"),
                         Text(f"{status.link.value} — {clean(status.reason)}"
                              + (f"\n{hint}" if hint else "")))
        for title, bindings in app.help_sections():
            grid.add_row("", "")
            grid.add_row(Text(title, style="bold underline"), "")
            for key, what in _rows(bindings, read_only):
                grid.add_row(Text(key), Text(what))  # "[" is a key, not markup
        return grid

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)



def _as_text(grid: Table) -> Text:
    """The two-column grid as one ``Text``: keys right-aligned in the column's style, each
    description two cells after the widest key, its further lines under it.

    A Rich ``Table`` of a hundred rows took 35–65 ms to lay out, and Textual lays it out twice
    (its height, then its lines), on the event loop; the same lines as a ``Text`` cost ~1 ms.
    """
    key_cells, what_cells = ([c if isinstance(c, Text) else Text(str(c)) for c in column.cells]
                             for column in grid.columns)
    key_style = grid.columns[0].style
    width = max((k.cell_len for k in key_cells), default=0)
    out = Text(end="")
    for index, (key, what) in enumerate(zip(key_cells, what_cells, strict=True)):
        if index:
            out.append("\n")
        cell = Text(" " * (width - key.cell_len), style=key_style)
        cell.append_text(key)
        out.append_text(cell)
        for number, line in enumerate(what.split("\n", allow_blank=True)):
            out.append("  " if number == 0 else "\n" + " " * (width + 2))
            out.append_text(line)
    return out
