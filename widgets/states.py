"""How each SMS state looks: a symbol and a colour, so no state is told by colour alone.

Colours are the terminal's named ANSI colours (they follow the user's palette); the symbol
carries the meaning on monochrome terminals and for colour-blind operators.
"""

from __future__ import annotations

from rich.text import Text

from tui.untrusted import clean

SOURCE_STATES: dict[str, tuple[str, str]] = {
    "unavailable": ("⊘", "bright_red"),
    "waiting": ("○", "bright_black"),
    "initialize": ("◔", "cyan"),
    "replicate": ("▶", "bright_cyan"),
    "syncing": ("⇄", "bright_blue"),
    "stopping": ("◼", "yellow"),
    "stopped": ("■", "yellow"),
    "deleting": ("⌫", "magenta"),
    "error": ("✖", "bold bright_red"),
    "cloning": ("⎘", "blue"),
    "cutovering": ("⇪", "bright_magenta"),
    "testing": ("◇", "bright_magenta"),
    "finished": ("✔", "green"),
    "unconfigured": ("·", "bright_black"),
}
"""Source ``state`` → (symbol, style), in the reference's order."""

TASK_STATES: dict[str, tuple[str, str]] = {
    "READY": ("○", "bright_black"),
    "RUNNING": ("▶", "bright_cyan"),
    "SYNCING": ("⇄", "bright_blue"),
    "MIGRATE_SUCCESS": ("✔", "green"),
    "MIGRATE_FAIL": ("✖", "bold bright_red"),
    "ABORTING": ("◼", "yellow"),
    "ABORT": ("■", "yellow"),
    "DELETING": ("⌫", "magenta"),
    "SYNC_F_ROLLBACKING": ("↺", "yellow"),
    "SYNC_F_ROLLBACK_SUCCESS": ("↺", "green"),
}
"""Task ``state`` → (symbol, style)."""

CHECK_RESULTS: dict[str, tuple[str, str]] = {
    "OK": ("✔", "green"),
    "WARN": ("▲", "yellow"),
    "ERROR": ("✖", "bold bright_red"),
}
"""Environment check ``result`` → (symbol, style)."""

UNKNOWN = ("?", "magenta")


def badge(value: str | None, table: dict[str, tuple[str, str]], *, width: int = 0) -> Text:
    """``value`` with its symbol and colour; unknown values show as-is with a ``?``."""
    text = clean(value) or "—"  # an unknown state is the server's text, shown as-is
    symbol, style = table.get(value or "", UNKNOWN) if value else ("·", "bright_black")
    label = f"{symbol} {text}"
    if width:
        label = label.ljust(width)
    return Text(label, style=style, no_wrap=True, end="")


def source_badge(state: str | None) -> Text:
    """A source state badge."""
    return badge(state, SOURCE_STATES)


def task_badge(state: str | None) -> Text:
    """A task state badge."""
    return badge(state, TASK_STATES)


def check_badge(result: str | None) -> Text:
    """An environment check result badge."""
    return badge(result, CHECK_RESULTS)
