"""A view whose backend is not configured: how to set it up. Not an error; other views work."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from widgets.footer import KeyFooter as Footer
from widgets.status_header import StatusHeader


def setup_text(view: Any) -> Text:
    """The setup instructions of ``view`` (a :class:`tui.views.View`) as plain Text."""
    setup = view.setup
    out = Text()
    out.append(f"{view.title} is not configured.\n\n", style="bold")
    out.append(f"This view shows {setup.system}. Tell migdash where it is in any of these "
               "ways, then start migdash again:\n\n")
    out.append("  command-line flags    ", style="bold")
    out.append("  ".join(setup.flags) + "\n")
    out.append("  profile keys          ", style="bold")
    out.append(", ".join(setup.profile_keys))
    out.append("   (in config.toml, under [profiles.NAME])\n")
    out.append("  environment           ", style="bold")
    out.append(", ".join(setup.environment) + "\n")
    if setup.note:
        out.append(f"\n{setup.note}\n")
    out.append("\nThe other views work without it: press 1, 2 or 3 to switch.", style="dim")
    return out


class NotConfiguredScreen(Screen[None]):
    """The root of a view whose backend has no endpoint: says how to configure it."""

    DEFAULT_CSS = """
    NotConfiguredScreen #setup { padding: 1 2; }
    """

    def __init__(self, view: Any) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        app: Any = self.app
        yield StatusHeader(self.view.title, None, read_only=app.read_only,
                           interval=app.settings.refresh, clock=app.clock, id="header",
                           configured=False)
        yield Static(setup_text(self.view), id="setup")
        yield Footer()
