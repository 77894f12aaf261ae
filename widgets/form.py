"""A multi-field form that says which field is wrong and why, next to the field, and sends nothing
until every field is right.

A form is a list of :class:`FormField` specs (text, masked secret, choice, bool, int with a
range) and a ``build`` function that turns the raw values into a strict pydantic request body.
Errors come from three places and all land beside the field they belong to:

* the field itself (a blank required field, an int that is not a number or is out of range);
* :class:`FieldError` raised by ``build`` (checks pydantic cannot make, e.g. a unique name);
* pydantic's ``ValidationError``: each error's location (``template.vpc.id``) is mapped back
  to the field declared with that ``loc`` (exact, else the closest enclosing or enclosed one).

Only a valid body reaches ``send`` (an async callable that returns the failure text, or None
when the server accepted it); the form closes with the body once it was sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ValidationError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static

from tui.untrusted import clean, literal

FieldKind = Literal["text", "secret", "choice", "bool", "int"]

Builder = Callable[[Mapping[str, Any]], BaseModel]
"""Raw values by field key → a validated body; raises ``ValidationError`` or :class:`FieldError`."""
Sender = Callable[[BaseModel], Awaitable[str | None]]
"""Sends a valid body; returns why it failed, or None when it was accepted."""


class FieldError(ValueError):
    """A check ``build`` makes itself, pinned to one field."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason


@dataclass(frozen=True)
class FormField:
    """One field of a form."""

    key: str
    """Name in the values mapping, and the widget id."""
    label: str
    kind: FieldKind = "text"
    value: Any = None
    """Initial value (never shown for a secret: a secret always starts empty)."""
    required: bool = False
    """A blank value is refused before ``build`` runs."""
    choices: tuple[tuple[str, Any], ...] = ()
    """(label, value) pairs of a choice field."""
    low: int | None = None
    high: int | None = None
    loc: str | None = None
    """The dotted pydantic location this field feeds; defaults to ``key``."""
    hint: str = ""
    """Shown dim beside the field until it has an error."""

    @property
    def location(self) -> str:
        """Where pydantic reports this field's errors."""
        return self.loc or self.key


def _clean_message(msg: str) -> str:
    # pydantic prefixes errors raised in validators with their kind; operators need the reason.
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix):]
    return msg


def map_errors(exc: ValidationError, fields: Sequence[FormField]) -> tuple[dict[str, str], list[str]]:
    """(field key → reason, reasons no field owns) for a pydantic error."""
    by_field: dict[str, str] = {}
    orphans: list[str] = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        msg = _clean_message(str(err.get("msg", "invalid")))
        key = field_for(loc, fields)
        if key is None:
            orphans.append(f"{loc}: {msg}" if loc else msg)
        else:
            by_field.setdefault(key, msg)
    return by_field, orphans


def field_for(loc: str, fields: Sequence[FormField]) -> str | None:
    """The field that owns an error at ``loc`` (exact, else nearest enclosing, else enclosed)."""
    if not loc:
        return None
    for f in fields:
        if f.location == loc:
            return f.key
    enclosing = [f for f in fields if loc.startswith(f.location + ".")]
    if enclosing:
        return max(enclosing, key=lambda f: len(f.location)).key
    for f in fields:
        if f.location.startswith(loc + "."):
            return f.key
    return None


class FormScreen(ModalScreen[BaseModel | None]):
    """A modal form: ``ctrl+s`` validates and sends, ``escape`` cancels; see the module docstring."""

    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > Vertical {
        width: 112; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    FormScreen #form-title { text-style: bold; padding: 1 0 0 0; }
    FormScreen #form-intro { color: $text-muted; height: auto; }
    FormScreen #form-fields { height: auto; max-height: 100%; margin: 1 0 0 0; }
    FormScreen .form-row { height: auto; margin-bottom: 0; }
    FormScreen .form-label { width: 26; padding: 0 1 0 0; text-align: right; }
    FormScreen .form-control { width: 40; background: $boost; }
    FormScreen .form-control:focus { background: $primary 30%; }
    FormScreen .form-message { width: 1fr; height: auto; padding: 0 0 0 1; color: $text-muted; }
    FormScreen .form-message.-error { color: $text-error; text-style: bold; }
    FormScreen .form-row.-invalid .form-label { color: $text-error; }
    FormScreen #form-status { height: auto; padding: 1 0 0 0; }
    FormScreen #form-status.-error { color: $text-error; }
    FormScreen #form-help { color: $text-muted; padding-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, fields: Sequence[FormField], build: Builder, *,
                 send: Sender | None = None, intro: str = "",
                 model_error_field: Callable[[str], str | None] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.fields = list(fields)
        self.build = build
        self.send = send
        self.intro = intro
        self.model_error_field = model_error_field or (lambda _msg: None)
        self.errors: dict[str, str] = {}
        """The reasons currently shown, by field key (for tests and the status line)."""
        self.sending = False
        self.sent: BaseModel | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            # Titles, prefills and the server's answers quote server text: plain characters
            # with controls made visible (tui.untrusted), never markup.
            yield Static(clean(self.title_text), id="form-title", markup=False)
            if self.intro:
                yield Static(clean(self.intro), id="form-intro", markup=False)
            with VerticalScroll(id="form-fields", can_focus=False):
                for f in self.fields:
                    with Horizontal(classes="form-row", id=f"row-{f.key}"):
                        yield Label(f.label + (" *" if f.required else ""), classes="form-label")
                        yield self._control(f)
                        yield Static(f.hint, classes="form-message", id=f"msg-{f.key}",
                                     markup=False)
            yield Static("", id="form-status", markup=False)
            yield Static("tab next field · ctrl+s save · escape cancel · * required",
                         id="form-help")

    def _control(self, f: FormField) -> Widget:
        cid = f"field-{f.key}"
        if f.kind == "bool":
            # The words, not only the tick's colour, say the state (SSH terminals vary).
            return Checkbox(_yes_no(bool(f.value)), bool(f.value), id=cid,
                            classes="form-control", compact=True)
        if f.kind == "choice":
            value = f.value if any(v == f.value for _, v in f.choices) else Select.NULL
            choices = [(literal(label), v) for label, v in f.choices]
            return Select(choices, value=value, id=cid, classes="form-control",
                          compact=True, allow_blank=not f.required)
        if f.kind == "secret":
            # A secret is never prefilled: what is stored stays on the server.
            return Input("", password=True, id=cid, classes="form-control", compact=True)
        text = clean(f.value)
        return Input(text, id=cid, classes="form-control", compact=True,
                     type="integer" if f.kind == "int" else "text")

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#field-{self.fields[0].key}").focus()

    # -- values and errors -----------------------------------------------------------------

    def raw_values(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Every field's value (blank → None) and the errors found without ``build``."""
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for f in self.fields:
            widget = self.query_one(f"#field-{f.key}")
            value: Any
            if isinstance(widget, Checkbox):
                value = widget.value
            elif isinstance(widget, Select):
                value = None if widget.value is Select.NULL else widget.value
            else:
                assert isinstance(widget, Input)
                text = widget.value if f.kind == "secret" else widget.value.strip()
                value = text or None
                if value is not None and f.kind == "int":
                    value, why = _parse_int(text, f.low, f.high)
                    if why:
                        errors[f.key] = why
            if value is None and f.required:
                errors[f.key] = "required"
            values[f.key] = value
        return values, errors

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Show each reason next to its field, clearing the others."""
        self.errors = dict(errors)
        for f in self.fields:
            msg = self.query_one(f"#msg-{f.key}", Static)
            row = self.query_one(f"#row-{f.key}")
            reason = errors.get(f.key)
            msg.update(clean(f"✖ {reason}" if reason else f.hint))
            msg.set_class(bool(reason), "-error")
            row.set_class(bool(reason), "-invalid")

    def set_status(self, text: str, *, error: bool = False) -> None:
        """The line under the fields: why nothing was sent, or what the server said."""
        status = self.query_one("#form-status", Static)
        status.update(clean(text))
        status.set_class(error, "-error")

    def validate_form(self) -> BaseModel | None:
        """The body when every field is right; otherwise show why and return None."""
        values, errors = self.raw_values()
        orphans: list[str] = []
        model: BaseModel | None = None
        # build runs even when a field is already wrong (its value then None), so the operator
        # sees every wrong field at once; a field's own reason wins over the body's.
        try:
            built = self.build(values)
        except FieldError as exc:
            errors.setdefault(exc.key, exc.reason)
        except ValidationError as exc:
            found, orphans = map_errors(exc, self.fields)
            for text in list(orphans):
                key = self.model_error_field(text)
                if key is not None:
                    found.setdefault(key, text)
                    orphans.remove(text)
            for key, why in found.items():
                errors.setdefault(key, why)
            if errors.keys() - found.keys():
                orphans = []  # body-level reasons may only echo a field already named
        else:
            model = None if errors else built
        if model is not None:
            self.show_errors({})
            self.set_status("")
            return model
        labels = {f.key: f.label for f in self.fields}
        order = [f.key for f in self.fields if f.key in errors]
        wrong = [f"{labels[k]} ({errors[k]})" for k in order]
        status = "Nothing was sent. Fix: " + "; ".join(wrong + orphans)
        self.show_errors(errors)
        self.set_status(status, error=True)
        first = next((f for f in self.fields if f.key in errors), None)
        if first is not None:
            self.query_one(f"#field-{first.key}").focus()
        return None

    # -- keys ------------------------------------------------------------------------------

    @on(Checkbox.Changed)
    def _ticked(self, event: Checkbox.Changed) -> None:
        event.checkbox.label = _yes_no(event.value)
        self._edited(event.checkbox)

    @on(Select.Changed)
    @on(Input.Changed)
    def _changed(self, event: Select.Changed | Input.Changed) -> None:
        self._edited(event.control)

    def _edited(self, control: Widget) -> None:
        # A reason shown beside a field goes once the field is changed (picking the template
        # answers "choose a template"); ctrl+s checks everything again anyway.
        key = (control.id or "").removeprefix("field-")
        if key in self.errors:
            self.show_errors({k: v for k, v in self.errors.items() if k != key})

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        # enter moves on like tab; only ctrl+s sends, so a stray enter never submits.
        event.stop()
        self.focus_next()

    def action_submit(self) -> None:
        """Validate every field; send the body only when all are right."""
        if self.sending:
            return
        model = self.validate_form()
        if model is None:
            return
        if self.send is None:
            self.sent = model
            self.dismiss(model)
            return
        self.sending = True
        self.set_status("Sending…")
        self._send(model)

    @work(exclusive=True, exit_on_error=False, group="form", description="sending the form")
    async def _send(self, model: BaseModel) -> None:
        assert self.send is not None
        try:
            why = await self.send(model)
        finally:
            self.sending = False
        if why:
            self.set_status(f"Not saved: {why}", error=True)
            return
        self.sent = model
        self.dismiss(model)

    def action_cancel(self) -> None:
        """Close without sending."""
        if not self.sending:
            self.dismiss(None)


def _parse_int(text: str, low: int | None, high: int | None) -> tuple[int | None, str | None]:
    try:
        number = int(text)
    except ValueError:
        return None, "must be a whole number"
    if (low is not None and number < low) or (high is not None and number > high):
        lo = "" if low is None else str(low)
        hi = "" if high is None else str(high)
        return None, f"must be {lo}–{hi}" if lo and hi else (
            f"must be at least {lo}" if lo else f"must be at most {hi}")
    return number, None


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"
