"""What the templates and migration-projects screens share: a keyed table with marks, a detail
pane for the highlighted row, the status header, and sending a form's body through the gateway."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from tui.screens.registry import WRITE_ACTIONS
from widgets.footer import KeyFooter as Footer
from widgets.source_table import Column, Row, SourceTable
from widgets.status_header import StatusHeader


def yes_no(value: Any) -> str:
    """``yes``/``no``/``—`` for an SMS boolean (which may arrive as a string)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return "yes" if value.lower() == "true" else "no"
    return "yes" if value else "no"


class CatalogScreen(Screen[None]):
    """A list of catalogue items (templates, projects): ``escape`` back, ``space`` marks."""

    TITLE_TEXT = ""
    """The line above the table."""
    COLUMNS: Sequence[Column] = ()
    EMPTY = "Nothing here yet."

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    def __init__(self) -> None:
        super().__init__()
        self.loaded = False

    def compose(self) -> ComposeResult:
        app: Any = self.app
        yield StatusHeader(app.settings.label, app.settings.region, read_only=app.read_only,
                           interval=app.settings.refresh, clock=app.clock, id="header")
        yield Static(self.TITLE_TEXT, id="title")
        yield Static("", id="info")
        yield SourceTable(list(self.COLUMNS), empty_message="Loading…", id="items")
        yield Static("", id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "connection", self._connection, init=True)
        self.table.focus()

    def _connection(self, status: Any) -> None:
        self.query_one(StatusHeader).status = status

    @property
    def table(self) -> SourceTable:
        """The items table."""
        return self.query_one("#items", SourceTable)

    def show_rows(self, rows: Mapping[str, Row], empty: str | None = None) -> None:
        """Replace the rows (catalogues are small), keeping the cursor and live marks."""
        table = self.table
        cursor = table.cursor_key
        table.set_rows(rows)
        if cursor in rows:
            table.cursor_key = cursor
        table.empty_message = empty or self.EMPTY
        self.loaded = True
        self.update_info()
        self.show_detail(table.cursor_key)

    def update_info(self) -> None:
        """The count line (items, marked)."""
        table = self.table
        parts = [f"{table.total_count} {self.noun()}"]
        if table.marked:
            parts.append(f"{len(table.marked)} marked")
        self.query_one("#info", Static).update(Text(" · ".join(parts)))

    def noun(self) -> str:
        """What the rows are, plural."""
        return "items"

    def show_detail(self, key: str | None) -> None:
        """Fill the detail pane for the highlighted row."""
        self.query_one("#detail", Static).update(self.detail_for(key) if key else "")

    def detail_for(self, key: str) -> RenderableType:
        """The detail pane's content for one row."""
        return ""

    def on_source_table_cursor_moved(self, event: SourceTable.CursorMoved) -> None:
        self.show_detail(event.key)

    def on_source_table_marks_changed(self, event: SourceTable.MarksChanged) -> None:
        self.update_info()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Write actions do not exist in read-only mode: the screen is view-only."""
        return not (action in WRITE_ACTIONS and getattr(self.app, "read_only", False))

    def action_back(self) -> None:
        """Back to where we came from."""
        self.app.pop_screen()

    def targets(self) -> list[str]:
        """The marked rows, else the highlighted one (in list order)."""
        table = self.table
        if table.marked:
            return [k for k in table.visible_keys() if k in table.marked] or sorted(table.marked)
        return [table.cursor_key] if table.cursor_key else []


CATALOG_CSS = """
{name} #title {{ height: 1; padding: 0 1; background: $boost; text-style: bold; }}
{name} #info {{ height: 1; padding: 0 1; color: $text-muted; }}
{name} #items {{ height: 1fr; }}
{name} #detail {{
    height: auto; max-height: 14; padding: 0 1; border-top: hkey $primary-darken-2;
}}
"""
"""Each screen's CSS, rooted in its own type selector."""
