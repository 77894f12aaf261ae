"""A one-field form: says which field is wrong and why, and returns nothing until it is right."""

from __future__ import annotations

import re
from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.untrusted import clean

Validator = Callable[[str], str | None]
"""Returns why the value is wrong, or None when it is right."""


class InputScreen(ModalScreen[str | None]):
    """Ask for one value; ``enter`` submits (only when valid), ``escape`` cancels."""

    DEFAULT_CSS = """
    InputScreen { align: center middle; }
    InputScreen > Vertical {
        width: 72; height: auto; border: thick $accent; background: $surface; padding: 1 2;
    }
    InputScreen #title { text-style: bold; margin-bottom: 1; }
    InputScreen #error { color: $error; height: auto; }
    InputScreen #hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, field: str, value: str = "", *, validate: Validator | None = None,
                 hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.field = field
        self.value = value
        self.validate = validate or (lambda _v: None)
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical():
            # The title and the value may quote a server's name: plain text, never markup.
            yield Static(clean(self.title_text), id="title", markup=False)
            yield Static(self.field, id="label", markup=False)
            yield Input(clean(self.value), id="value")
            yield Static("", id="error", markup=False)
            yield Static(clean(self.hint) or "enter saves · escape cancels", id="hint",
                         markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#error", Static).update("")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        why = self.validate(value)
        if why:
            # The field's label stands right above: the reason alone, not the label again.
            self.query_one("#error", Static).update(clean(f"✖ {why}"))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_size(text: str) -> int:
    """``120G``, ``500 MiB``, ``1.5T`` or bytes → bytes, rounded down to whole MiB
    (SMS refuses sizes that are not a multiple of 1 MB: SMS.6612)."""
    m = _SIZE.match(text)
    if not m:
        raise ValueError("write a size like 120G, 500M or 1.5T")
    unit = (m.group(2) or "b")[0].lower()
    value = int(float(m.group(1)) * _UNITS[unit])
    return value - value % (1024**2)
