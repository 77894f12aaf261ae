"""Small dialogs of the speed-limit editor: choosing a preset, and the validators of its inputs."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.screens.pickers import PICKER_CSS
from tui.service.presets import Preset
from tui.service.schedule import MAX_SPEED, parse_utc_offset
from tui.untrusted import clean


def preset_summary(preset: Preset) -> str:
    """``08:00–18:00 20 Mbit/s`` for each rule, or ``no rules (unlimited)``."""
    if not preset.rules:
        return "no rules (unlimited)"
    return ", ".join(f"{r.start}–{r.end} {r.speed} Mbit/s" for r in preset.rules)


class PresetPickerScreen(ModalScreen[Preset | None]):
    """Choose a preset to load into the editor; ``escape`` cancels."""

    DEFAULT_CSS = PICKER_CSS.format(width=80, name="PresetPickerScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, presets: Sequence[Preset]) -> None:
        super().__init__()
        self.presets = list(presets)

    def compose(self) -> ComposeResult:
        # Preset names come from a file anyone may edit: characters, never markup.
        options = [Option(Text.assemble(clean(p.name), "  (shipped)" if p.shipped else "",
                                        "\n  ", preset_summary(p)), id=str(i))
                   for i, p in enumerate(self.presets)]
        with Vertical():
            yield Static("Load a speed-limit preset", classes="picker-title")
            yield Static("enter loads it into the editor (not saved until ctrl+s) · escape "
                         "cancels", classes="picker-help")
            yield OptionList(*options, id="presets")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.presets[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        """Load nothing."""
        self.dismiss(None)


def speed_problem(text: str) -> str | None:
    """Why ``text`` is not a task-level speed limit (0–10000 Mbit/s, 0 = none), or None."""
    if not text.strip().isdigit():
        return "a whole number of Mbit/s (0 removes the limit)"
    if int(text) > MAX_SPEED:
        return f"must be 0–{MAX_SPEED} Mbit/s"
    return None


def offset_problem(text: str) -> str | None:
    """Why ``text`` is not a UTC offset, or None."""
    try:
        parse_utc_offset(text)
    except ValueError as exc:
        return str(exc)
    return None


def preset_name_problem(text: str) -> str | None:
    """Why ``text`` cannot name a preset, or None."""
    if not text.strip():
        return "a preset needs a name"
    if len(text) > 80:
        return "at most 80 characters"
    return None
