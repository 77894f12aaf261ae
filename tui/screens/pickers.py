"""Small modal pickers: source states to show, and the active migration project."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from tui.untrusted import clean, literal
from widgets.states import SOURCE_STATES

PICKER_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: {width}; height: auto; max-height: 80%; border: thick $accent; background: $surface;
    padding: 0 1;
}}
{name} .picker-title {{ text-style: bold; padding: 1 0 0 0; }}
{name} .picker-help {{ color: $text-muted; padding-bottom: 1; }}
{name} SelectionList, {name} OptionList {{ height: auto; max-height: 24; }}
"""


class StateFilterScreen(ModalScreen[frozenset[str] | None]):
    """Tick the states to show; ``enter`` applies, ``escape`` cancels, ``a`` clears all.

    Source states by default; the task list passes the task states (``states``, ``what``)."""

    DEFAULT_CSS = PICKER_CSS.format(width=60, name="StateFilterScreen")
    BINDINGS = [
        # The list's own enter would toggle the row again: enter belongs to the picker.
        Binding("enter", "apply", "Apply", priority=True),
        Binding("escape", "cancel", "Cancel"),
        Binding("a", "clear_all", "All states"),
    ]

    def __init__(self, counts: Mapping[str, int], current: frozenset[str], *,
                 states: Mapping[str, tuple[str, str]] = SOURCE_STATES,
                 what: str = "sources") -> None:
        super().__init__()
        self.counts = counts
        self.current = current
        self.states = states
        self.what = what

    def compose(self) -> ComposeResult:
        states = list(self.states) + sorted(set(self.counts) - set(self.states))
        items = [
            Selection(literal(f"{self.states.get(s, ('?', ''))[0]} {_label(s)} "
                              f"({self.counts.get(s, 0)})"),
                      s, s in self.current)
            for s in states if s != "unconfigured" or s in self.counts
        ]
        with Vertical():
            yield Static(f"Show {self.what} in these states", classes="picker-title")
            yield Static("space ticks · enter applies · a shows all · escape cancels",
                         classes="picker-help")
            yield SelectionList[str](*items, id="states")

    def action_apply(self) -> None:
        """Apply the ticked states (none ticked means all)."""
        self.dismiss(frozenset(self.query_one(SelectionList).selected))

    def action_clear_all(self) -> None:
        """Show every state."""
        self.dismiss(frozenset())

    def action_cancel(self) -> None:
        """Keep the current filter."""
        self.dismiss(None)


def _label(state: str) -> str:
    # The overview's "unconfigured" is not a state but "no task yet": say so.
    return "no task (any state)" if state == "unconfigured" else state


ALL_PROJECTS = "\x00all"


class ProjectPickerScreen(ModalScreen[tuple[str, str] | None | bool]):
    """Choose the active migration project; returns (id, name), None for all, False to cancel."""

    DEFAULT_CSS = PICKER_CSS.format(width=60, name="ProjectPickerScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, projects: Sequence[Any], current: tuple[str, str] | None) -> None:
        super().__init__()
        self.projects = list(projects)
        self.current = current

    def compose(self) -> ComposeResult:
        options = [Option("All sources (no project filter)", id=ALL_PROJECTS)]
        for p in self.projects:
            mark = " ★ default" if getattr(p, "isdefault", False) else ""
            options.append(Option(literal(f"{p.name}{mark}"), id=p.id))  # never markup
        with Vertical():
            yield Static("Migration project", classes="picker-title")
            yield Static("enter chooses · escape cancels", classes="picker-help")
            yield OptionList(*options, id="projects")

    def on_mount(self) -> None:
        if self.current is not None:
            ol = self.query_one(OptionList)
            try:
                ol.highlighted = ol.get_option_index(self.current[0])
            except Exception:  # the project vanished since it was chosen
                pass

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        ident = event.option.id
        if ident == ALL_PROJECTS or ident is None:
            self.dismiss(None)
            return
        name = clean(next((p.name for p in self.projects if p.id == ident), ident))
        self.dismiss((ident, name))

    def action_cancel(self) -> None:
        """Keep the current project."""
        self.dismiss(False)


class TemplatePickerScreen(ModalScreen[str | None]):
    """Choose a target-server template (for a clone test); returns its id or None."""

    DEFAULT_CSS = PICKER_CSS.format(width=60, name="TemplatePickerScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, templates: Sequence[Any]) -> None:
        super().__init__()
        self.templates = list(templates)

    def compose(self) -> ComposeResult:
        options = [Option(literal(f"{t.name}  ({t.flavor or '?'}, {t.availability_zone or '?'})"),
                          id=t.id) for t in self.templates]
        with Vertical():
            yield Static("Clone test: target template", classes="picker-title")
            yield Static("enter chooses · escape cancels", classes="picker-help")
            yield OptionList(*options, id="templates")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Do not clone."""
        self.dismiss(None)
