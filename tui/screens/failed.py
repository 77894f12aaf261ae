"""``e``: the failed source servers from ``/v3/errors``, each error decoded with the catalogue."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui.api.errors import decode_error_json
from tui.service.poller import FleetPolled
from tui.untrusted import clean, literal
from widgets.footer import KeyFooter as Footer
from widgets.status_header import StatusHeader


class FailedServersScreen(Screen[None]):
    """Server, IP, error code, message with its params, and the handling measure."""

    DEFAULT_CSS = """
    FailedServersScreen #failed-title { padding: 0 1; text-style: bold; height: 1; }
    FailedServersScreen DataTable { height: 1fr; }
    FailedServersScreen #failed-empty { padding: 1 2; color: $text-muted; }
    FailedServersScreen #failed-detail {
        height: auto; max-height: 12; padding: 0 1; border-top: solid $primary-darken-2;
    }
    """
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("enter", "open_source", "Detail"),
    ]

    _shown: tuple[Any, ...] | None = None

    def compose(self) -> ComposeResult:
        app: Any = self.app
        yield StatusHeader(app.settings.label, app.settings.region,
                           read_only=app.read_only, interval=app.settings.refresh,
                           clock=app.clock, id="header")
        yield Static("Failed servers", id="failed-title")
        table: DataTable[Any] = DataTable(cursor_type="row", zebra_stripes=True)
        table.add_columns("Server", "IP", "Code", "What happened", "What to do")
        yield table
        yield Static("", id="failed-empty")
        yield Static("", id="failed-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "fleet", self._show, init=True)
        self.watch(self.app, "connection", self._header, init=True)

    def _header(self, status: Any) -> None:
        self.query_one(StatusHeader).status = status

    def _show(self, polled: FleetPolled | None) -> None:
        table = self.query_one(DataTable)
        errors = polled.snapshot.errors if polled is not None else ()
        if polled is not None and errors == self._shown:
            return  # the list is rebuilt only when it changed, not on every poll
        self._shown = errors
        cursor = table.cursor_row
        table.clear()
        for err in errors:
            ex = decode_error_json(err.error_json)
            # Every cell as Text: a str cell of a DataTable is parsed as markup.
            code = literal(ex.code if ex else "—", style="bold bright_red")
            message = literal(ex.message if ex else "(no error detail)")
            handling = literal(ex.handling if ex else "")
            table.add_row(literal(err.name or err.host_name or err.source_id),
                          literal(err.source_ip), code, message, handling, key=err.source_id)
        if errors:
            table.move_cursor(row=min(cursor, len(errors) - 1))
        empty = self.query_one("#failed-empty", Static)
        empty.display = not errors
        empty.update("No failed servers." if polled is not None else "Loading…")
        self.query_one("#failed-title", Static).update(f"Failed servers ({len(errors)})")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted failure in full: message with params, and what to do."""
        key = event.row_key.value if event.row_key is not None else None
        err = next((e for e in (self._shown or ()) if e.source_id == key), None)
        detail = self.query_one("#failed-detail", Static)
        if err is None:
            detail.update("")
            return
        ex = decode_error_json(err.error_json)
        name = clean(err.name or err.host_name or err.source_id)
        if ex is None:
            detail.update(Text(f"{name}: no error detail was reported.", style="dim"))
            return
        detail.update(Text.assemble(
            (f"{name} ", "bold"),
            (f"({clean(err.source_ip or '?')} → target {clean(err.target_ip or '?')})\n", "dim"),
            (f"{clean(ex.code)} ", "bold bright_red"), clean(ex.message), "\n",
            ("What to do: ", "bold"), (clean(ex.handling), "italic")))

    def action_back(self) -> None:
        """Back to the source list."""
        self.dismiss(None)

    def action_open_source(self) -> None:
        """Open the highlighted server's detail."""
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key:
            from tui.navigation import SourceDetail

            self.app.open(SourceDetail(key))  # type: ignore[attr-defined]
