"""The migdash Textual application (placeholder shell until the dashboard lands)."""

from __future__ import annotations

from textual import work
from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from tui.api.exceptions import SmsError
from tui.connect import Settings, open_client


class MigdashApp(App[None]):
    """Keyboard-driven dashboard for SMS migrations."""

    TITLE = "migdash"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.sub_title = settings.label

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Connecting…", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.load_overview()

    @work(exclusive=True, exit_on_error=False, group="overview", description="first overview")
    async def load_overview(self) -> None:
        """Fetch the fleet overview once and show it (the polling service replaces this)."""
        status = self.query_one("#status", Static)
        try:
            async with open_client(self.settings) as sms:
                overview = await sms.get_overview()
        except SmsError as exc:
            status.update(f"[b]Could not reach SMS[/b]\n{exc}\n{exc.hint}")
            return
        counts = overview.model_dump(exclude_none=True)
        lines = [f"{k:>14}: {v}" for k, v in counts.items() if isinstance(v, int)]
        status.update("Fleet overview\n\n" + "\n".join(lines))
