"""A yes/no question that names the target and the consequence."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.untrusted import clean


class ConfirmScreen(ModalScreen[bool]):
    """``y``/``enter`` confirm, ``n``/``escape`` cancel; dismisses with True or False once."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 72; height: auto; max-height: 80%; border: thick $warning;
        background: $surface; padding: 1 2;
    }
    ConfirmScreen #title { text-style: bold; margin-bottom: 1; }
    ConfirmScreen #body { margin-bottom: 1; }
    ConfirmScreen #items { height: auto; max-height: 20vh; margin-bottom: 1; }
    ConfirmScreen Horizontal { height: 3; align-horizontal: right; }
    ConfirmScreen Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("y", "confirm", "Confirm"),
        Binding("enter", "confirm", "Confirm", show=False),
        Binding("n", "cancel", "Cancel"),
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    def __init__(self, title: str, body: str, *, confirm_label: str = "Yes",
                 items: Sequence[Text] = ()) -> None:
        super().__init__()
        self.title_text = title
        self.body_text = body
        self.confirm_label = confirm_label
        self.items = tuple(items)
        """One line per target (a bulk action names every server), in a scrolling box."""
        self._answered = False

    def compose(self) -> ComposeResult:
        with Vertical():
            # Questions name servers: plain text, controls made visible (the body's own line
            # breaks are kept).
            yield Static(clean(self.title_text), id="title", markup=False)
            yield Static("\n".join(clean(line) for line in self.body_text.split("\n")),
                         id="body", markup=False)
            if self.items:
                with VerticalScroll(id="items"):
                    lines = Text("\n").join(self.items)
                    lines.no_wrap, lines.overflow = True, "ellipsis"
                    yield Static(lines, id="item-lines")
            with Horizontal():
                # "Stop (y)" beside "Cancel (n)": one case for both buttons.
                label = self.confirm_label.replace("_", " ")
                yield Button(f"{label[:1].upper()}{label[1:]} (y)", id="yes", variant="warning")
                yield Button("Cancel (n)", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._answer(event.button.id == "yes")

    def action_confirm(self) -> None:
        """Answer yes."""
        self._answer(True)

    def action_cancel(self) -> None:
        """Answer no."""
        self._answer(False)

    def _answer(self, value: bool) -> None:
        # A second key press while the screen is closing must not answer twice.
        if self._answered:
            return
        self._answered = True
        self.dismiss(value)
