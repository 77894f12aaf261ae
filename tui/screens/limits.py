"""The speed-limit schedule editor of one task, or of every marked server's task at once.

A 24-hour bar above the rules, the rule in force now highlighted, rules edited in place with
the reason for any problem next to the field, ``ctrl+s`` replacing the rules with one POST and
reading back what the server holds, presets, and the task-level limit. In read-only mode it is
a viewer: no key that edits or writes is bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from tui.api.exceptions import SmsError
from tui.screens import limits_view as view
from tui.screens.limits_actions import ScheduleSideActions, operator_utc_offset
from tui.screens.registry import WRITE_ACTIONS
from tui.service.commands import describe
from tui.service.presets import PresetStore
from tui.service.schedule import (
    FIELDS,
    Field,
    Problem,
    RuleDraft,
    duplicate,
    free_after,
    local_minute,
    next_default,
    rule_at,
    to_request,
    validate,
)
from tui.untrusted import literal
from widgets.footer import KeyFooter as Footer
from widgets.schedule_timeline import ScheduleTimeline
from widgets.status_header import StatusHeader


class SpeedLimitScreen(Screen[None], ScheduleSideActions):
    """Edit a task's time-of-day speed limits; with ``targets``, one schedule for many tasks."""

    DEFAULT_CSS = """
    SpeedLimitScreen #lim-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    SpeedLimitScreen #lim-task, SpeedLimitScreen #lim-clock { height: auto; padding: 0 1; }
    SpeedLimitScreen #lim-clock { color: $text-muted; }
    SpeedLimitScreen ScheduleTimeline { margin: 1 1 0 1; }
    SpeedLimitScreen #lim-rules { height: 1fr; margin: 1 1 0 1; }
    SpeedLimitScreen #lim-editor { height: auto; display: none; margin: 0 1; padding: 0 1;
                                   border: round $accent; }
    SpeedLimitScreen #lim-editor.editing { display: block; }
    SpeedLimitScreen #lim-editor Vertical { width: 1fr; height: auto; }
    SpeedLimitScreen #lim-editor Input { width: 100%; }
    SpeedLimitScreen .lim-field { color: $text-muted; }
    SpeedLimitScreen .lim-why { color: $error; height: auto; }
    SpeedLimitScreen #lim-status { height: auto; padding: 0 1; }
    SpeedLimitScreen #lim-problems { height: auto; padding: 0 1; color: $error; }
    SpeedLimitScreen #lim-status.error { color: $error; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("a", "add_rule", "Add"),
        # A priority binding: the table's own enter must not swallow it, and in the field
        # editor it closes the editor (the value is already applied as typed).
        Binding("enter", "edit_rule", "Edit", priority=True),
        Binding("d", "delete_rule", "Delete"),
        Binding("D", "duplicate_rule", "Duplicate"),
        Binding("ctrl+s", "save", "Save"),
        Binding("L", "edit_task_limit", "Task limit"),
        Binding("P", "load_preset", "Load preset"),
        Binding("p", "save_preset", "Save preset"),
        Binding("z", "set_offset", "Zone"),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self, task_id: str | None, label: str, *,
                 targets: Sequence[tuple[str | None, str]] | None = None,
                 utc_offset_min: int | None = None, presets: PresetStore | None = None) -> None:
        super().__init__()
        self.task_id = task_id
        self.label = label
        self.targets = list(targets) if targets is not None else None
        """Bulk mode: (task id or None, server name) of every marked server."""
        self.utc_offset_min = utc_offset_min
        self.presets = presets or PresetStore()
        self.drafts: list[RuleDraft] = []
        self.saved: list[RuleDraft] = []
        """What the server held at the last read (the editor is dirty when drafts differ)."""
        self.loaded = self.targets is not None  # bulk mode replaces rules it never shows
        self.task_limit: int | None = None
        self.editing: int | None = None
        self.busy = False

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        app: Any = self.app
        yield StatusHeader(app.settings.label, app.settings.region, read_only=app.read_only,
                           interval=app.settings.refresh, clock=app.clock, id="header")
        yield Static("", id="lim-title")
        yield Static("", id="lim-task")
        yield Static("", id="lim-clock")
        yield ScheduleTimeline()
        table: DataTable[Any] = DataTable(id="lim-rules", cursor_type="row", zebra_stripes=True)
        table.add_columns(*view.COLUMNS)
        yield table
        with Horizontal(id="lim-editor"):
            for field in FIELDS:
                with Vertical():
                    yield Static(view.HEADINGS[field], classes="lim-field")
                    yield Input(id=f"lim-{field}", compact=True)
                    yield Static("", id=f"lim-why-{field}", classes="lim-why")
        yield Static("", id="lim-problems")
        yield Static("", id="lim-status")
        yield Footer()

    def on_mount(self) -> None:
        app: Any = self.app
        self.watch(app, "connection", lambda s: setattr(self.query_one(StatusHeader), "status", s),
                   init=True)
        if self.utc_offset_min is None:
            self.utc_offset_min = operator_utc_offset(app.wall_clock())
        self.set_interval(30, self._redraw)  # the now-marker moves with the source's clock
        self._redraw()
        self.query_one(DataTable).focus()
        if self.targets is None:
            self._load()
        elif self.read_only:
            self._status("Read-only: nothing can be applied.")

    @property
    def read_only(self) -> bool:
        """True when the editor is a viewer."""
        return bool(getattr(self.app, "read_only", False))

    @property
    def has_unsaved_changes(self) -> bool:
        """True when the rules on screen differ from what the server holds (asked on quit)."""
        return self.drafts != self.saved

    # -- reading ---------------------------------------------------------------------------

    @work(group="read", exclusive=True, exit_on_error=False, description="read speed limits")
    async def _load(self, after_save: bool = False) -> None:
        service: Any = self.app.service  # type: ignore[attr-defined]
        assert self.task_id is not None
        try:
            rules = await service.speed_limits(self.task_id)
        except SmsError as exc:
            self._status(f"Could not read the rules; nothing can be saved until they are "
                         f"(r retries): {describe(exc)}", error=True)
            return
        if not self.is_attached:
            return
        self.saved = [RuleDraft.from_rule(r) for r in rules]
        self.drafts = list(self.saved)
        self.loaded = True
        self._close_editor()
        try:
            detail = await service.task(self.task_id)
        except SmsError as exc:
            self._status(f"Could not read the task-level limit: {describe(exc)}", error=True)
        else:
            self.task_limit = detail.speed_limit or None
            self._status("Read-only: view only." if self.read_only else
                         f"Saved. The server now holds {len(self.saved)} rule(s), shown here."
                         if after_save else "")
        self._redraw()

    # -- drawing ---------------------------------------------------------------------------

    def _now_minute(self) -> int:
        return local_minute(self.app.wall_clock(), self.utc_offset_min or 0)  # type: ignore[attr-defined]

    def _redraw(self) -> None:
        if not self.is_attached:
            return  # a read or write finished after the operator left
        problems = validate(self.drafts)
        now = self._now_minute()
        in_force = rule_at(self.drafts, now)
        self.query_one("#lim-title", Static).update(
            view.title(self.label, self.task_id, self.targets, self.has_unsaved_changes))
        task_line = self.query_one("#lim-task", Static)
        task_line.display = self.targets is None
        task_line.update(view.task_limit_line(self.task_limit, editable=not self.read_only))
        self.query_one("#lim-clock", Static).update(view.clock_line(self.utc_offset_min or 0))
        segments, index = view.segments(self.drafts)
        timeline = self.query_one(ScheduleTimeline)
        timeline.segments = segments
        timeline.now = now
        timeline.caption = f"now {now // 60:02d}:{now % 60:02d}"
        timeline.in_force = index.get(in_force) if in_force is not None else None
        table: DataTable[Any] = self.query_one(DataTable)
        cursor = table.cursor_row
        # A handful of rules: rebuilding the rows on each keystroke is cheaper than diffing.
        table.clear()
        for i, d in enumerate(self.drafts):
            table.add_row(*view.rule_row(i, d, problems, in_force), key=str(i))
        if self.drafts:
            table.move_cursor(row=min(max(cursor, 0), len(self.drafts) - 1))
        self._draw_reasons(problems)
        self.query_one("#lim-problems", Static).update(view.problems_line(problems))

    def _draw_reasons(self, problems: list[Problem]) -> None:
        for field in FIELDS:
            why = [p.message for p in problems if p.rule == self.editing and p.field == field]
            self.query_one(f"#lim-why-{field}", Static).update("✖ " + "; ".join(why) if why else "")

    def _status(self, text: str, *, error: bool = False) -> None:
        if not self.is_attached:
            return
        status = self.query_one("#lim-status", Static)
        status.update(literal(text))  # may quote the server's error: characters, not markup
        status.set_class(error, "error")

    # -- editing in place --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.read_only and action in WRITE_ACTIONS:
            return False
        return not (action == "edit_task_limit" and self.targets is not None)

    def _cursor(self) -> int | None:
        table: DataTable[Any] = self.query_one(DataTable)
        return table.cursor_row if self.drafts and 0 <= table.cursor_row < len(self.drafts) else None

    def _open_editor(self, index: int) -> None:
        self.editing = index
        draft = self.drafts[index]
        for field in FIELDS:
            box = self.query_one(f"#lim-{field}", Input)
            with box.prevent(Input.Changed):
                box.value = getattr(draft, field)
        self.query_one("#lim-editor").add_class("editing")
        self.query_one(DataTable).move_cursor(row=index)
        self.query_one("#lim-start", Input).focus()
        self._draw_reasons(validate(self.drafts))

    def _close_editor(self) -> None:
        self.editing = None
        self.query_one("#lim-editor").remove_class("editing")
        self.query_one(DataTable).focus()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if self.editing is None or event.input.id is None or self.editing >= len(self.drafts):
            return
        field = cast(Field, event.input.id.removeprefix("lim-"))
        self.drafts[self.editing] = self.drafts[self.editing].replace(field, event.value)
        self._redraw()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._close_editor()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if not self.read_only:
            self.action_edit_rule()

    def action_add_rule(self) -> None:
        """Add a rule in the first gap after the last one (two hours at its speed) and edit
        it; when the day is fully covered, say so and add nothing."""
        if self.drafts and free_after(self.drafts, 0) is None:
            self._status("No gap left: the rules cover the whole day. Shorten or delete one "
                         "(d) to make room for another.", error=True)
            return
        self.drafts.append(next_default(self.drafts))
        self._redraw()
        self._open_editor(len(self.drafts) - 1)

    def action_edit_rule(self) -> None:
        """Edit the highlighted rule in place (in the editor: done editing)."""
        if self.editing is not None:
            self._close_editor()
            return
        index = self._cursor()
        if index is not None:
            self._open_editor(index)

    def action_delete_rule(self) -> None:
        """Delete the highlighted rule (nothing is sent before ctrl+s)."""
        index = self._cursor()
        if index is None:
            return
        del self.drafts[index]
        self._close_editor()
        self._redraw()

    def action_duplicate_rule(self) -> None:
        """Copy the highlighted rule to just after it."""
        index = self._cursor()
        if index is None:
            return
        self.drafts.insert(index + 1, duplicate(self.drafts, index))
        self._redraw()
        self._open_editor(index + 1)

    def action_back(self) -> None:
        """Close the field editor, or leave (asking first when there are unsaved changes)."""
        if self.editing is not None:
            self._close_editor()
            return
        if not self.has_unsaved_changes or self.read_only:
            self.app.pop_screen()
            return
        from tui.screens.confirm import ConfirmScreen

        def done(ok: bool | None) -> None:
            if ok:
                self.app.pop_screen()

        self.app.push_screen(ConfirmScreen("Discard the unsaved schedule?",
                                           "Your changes to the rules were not sent and will "
                                           "be lost.", confirm_label="Discard"), done)

    def action_reload(self) -> None:
        """Read the rules from the server again (asking before dropping unsaved changes)."""
        if self.targets is not None:
            return
        if not self.has_unsaved_changes or self.read_only:
            self._load()
            return
        from tui.screens.confirm import ConfirmScreen

        def done(ok: bool | None) -> None:
            if ok:
                self._load()

        self.app.push_screen(ConfirmScreen("Reload the rules from the server?", "Your unsaved "
                                           "changes will be lost.", confirm_label="Reload"), done)

    # -- saving ----------------------------------------------------------------------------

    def action_save(self) -> None:
        """Replace the task's rules (or every marked task's) with what is on screen."""
        if self.busy:
            self.notify("Wait: the schedule is still being sent.", severity="warning")
            return
        if not self.loaded:
            self.notify("Not saved: the current rules were never read (r retries).",
                        severity="warning")
            return
        try:
            body = to_request(self.drafts)
        except ValueError as exc:
            self.notify(f"Not saved: {exc}.", severity="error")
            return
        if self.targets is None:
            self._send(body)
            return
        from tui.screens.confirm import ConfirmScreen

        def apply(ok: bool | None) -> None:
            if ok:
                self._send_bulk(body)

        with_task = sum(1 for tid, _ in self.targets if tid)
        skipped = len(self.targets) - with_task
        self.app.push_screen(ConfirmScreen(
            f"Apply this schedule to {with_task} task{'s' if with_task != 1 else ''}?",
            f"{len(body.speed_limit)} rule(s) replace each task's rules."
            + (f" {skipped} server(s) without a task are skipped." if skipped else ""),
            confirm_label="Apply"), apply)

    @work(group="write", exit_on_error=False, description="save speed limits")
    async def _send(self, body: Any) -> None:
        app: Any = self.app
        self.busy = True
        self._status("⧗ Saving…")
        try:
            outcome = await app.commands.speed_limits(self.task_id, body, label=self.label)
        finally:
            self.busy = False
        if not outcome.ok:
            # The edit stays on screen so the operator can fix it and save again.
            self._status(f"Not saved ({outcome.status}): {outcome.reason}", error=True)
            return
        self.notify(f"{self.label}: speed limits saved.")
        if self.is_attached:
            self._load(after_save=True)  # show what the server holds now, not what was sent

    @work(group="write", exit_on_error=False, description="apply speed limits to marked servers")
    async def _send_bulk(self, body: Any) -> None:
        from tui.screens.bulk import BulkSummaryScreen

        app: Any = self.app
        assert self.targets is not None
        self.busy = True
        self._status(f"⧗ Applying to {len(self.targets)} servers…")
        try:
            summary = await app.commands.bulk_speed_limits(self.targets, body)
        finally:
            self.busy = False
        self.saved = list(self.drafts)
        unknown = summary.count("unknown")
        self._status(f"Applied: {summary.count('ok')} accepted, {summary.count('failed')} "
                     f"failed, {summary.count('skipped')} skipped"
                     + (f", {unknown} unknown (see the summary)." if unknown else "."),
                     error=bool(summary.count("failed") or unknown))
        self._redraw()
        app.push_screen(BulkSummaryScreen(summary))
