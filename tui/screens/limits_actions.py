"""The speed-limit editor's side actions: the task-level limit, presets, the source's clock.

A mixin of :class:`tui.screens.limits.SpeedLimitScreen`, kept apart so the screen module stays
about editing and saving the schedule itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import work

from tui.api.exceptions import SmsError
from tui.api.models.requests import UpdateTaskRequest
from tui.screens.limits_dialogs import (
    PresetPickerScreen,
    offset_problem,
    preset_name_problem,
    speed_problem,
)
from tui.service.commands import describe
from tui.service.presets import PresetError, PresetStore
from tui.service.schedule import RuleDraft, format_utc_offset, parse_utc_offset, validate


def operator_utc_offset(epoch_seconds: float) -> int:
    """The operator's own UTC offset at that instant, in minutes (the editor's first guess)."""
    offset = datetime.fromtimestamp(epoch_seconds).astimezone().utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


class ScheduleSideActions:
    """``L`` task-level limit, ``P``/``p`` load/save a preset, ``z`` the source's UTC offset."""

    if TYPE_CHECKING:  # provided by the screen this is mixed into
        app: Any
        task_id: str | None
        label: str
        task_limit: int | None
        drafts: list[RuleDraft]
        presets: PresetStore
        utc_offset_min: int | None

        def _redraw(self) -> None: ...
        def _close_editor(self) -> None: ...
        def _status(self, text: str, *, error: bool = False) -> None: ...

    def action_edit_task_limit(self) -> None:
        """Change the task-level speed limit (PUT /v3/tasks/{id}; 0 removes it)."""
        from tui.screens.forms import InputScreen

        def done(value: str | None) -> None:
            if value is not None:
                self._send_task_limit(int(value))

        self.app.push_screen(InputScreen(f"Task-level speed limit of {self.label}",
                                         "Mbit/s, 0–10000 (0 removes the limit)",
                                         str(self.task_limit or 0), validate=speed_problem), done)

    @work(group="write", exit_on_error=False, description="save the task-level speed limit")
    async def _send_task_limit(self, speed: int) -> None:
        app: Any = self.app
        assert self.task_id is not None
        body = UpdateTaskRequest(speed_limit=speed)
        outcome = await app.commands.write("task.update", self.task_id, self.label,
                                           "update_task", self.task_id, body, request=body)
        if not outcome.ok:
            self._status(f"Task-level limit not changed ({outcome.status}): {outcome.reason}",
                         error=True)
            return
        try:
            detail = await app.service.task(self.task_id)
        except SmsError as exc:
            self._status(f"Saved, but could not read it back: {describe(exc)}", error=True)
            return
        self.task_limit = detail.speed_limit or None
        self.app.notify(f"{self.label}: task-level limit "
                    f"{'removed' if not self.task_limit else f'{self.task_limit} Mbit/s'}.")
        self._redraw()

    # -- presets and the clock ---------------------------------------------------------------

    def action_load_preset(self) -> None:
        """Load a preset into the editor (saved only with ctrl+s)."""
        try:
            presets = self.presets.load()
        except PresetError as exc:
            self.app.notify(str(exc), severity="error", timeout=10)
            return

        def done(preset: Any) -> None:
            if preset is not None:
                self._close_editor()
                self.drafts = list(preset.rules)
                self._redraw()
                # The line may still say "Saved…" from before: it is not saved now.
                self._status(f"Loaded preset {preset.name!r}: not saved yet (ctrl+s saves it).")
                self.app.notify(f"Loaded {preset.name!r}; ctrl+s saves it.")

        self.app.push_screen(PresetPickerScreen(presets), done)

    def action_save_preset(self) -> None:
        """Save the schedule on screen as a named preset (on this machine, not on SMS)."""
        from tui.screens.forms import InputScreen

        if validate(self.drafts):
            self.app.notify("Fix the schedule before saving it as a preset.", severity="warning")
            return

        def done(name: str | None) -> None:
            if not name:
                return
            try:
                self.presets.save(name, self.drafts)
            except PresetError as exc:
                self.app.notify(str(exc), severity="error", timeout=10)
            else:
                self.app.notify(f"Preset {name!r} saved in {self.presets.path}.")

        self.app.push_screen(InputScreen("Save this schedule as a preset", "Name",
                                         validate=preset_name_problem), done)

    def action_set_offset(self) -> None:
        """Set the source's UTC offset (rules apply in its local time; SMS does not say it)."""
        from tui.screens.forms import InputScreen

        def done(value: str | None) -> None:
            if value is not None:
                self.utc_offset_min = parse_utc_offset(value)
                self._redraw()

        self.app.push_screen(InputScreen("The source's time zone", "UTC offset (e.g. +08:00)",
                                         format_utc_offset(self.utc_offset_min or 0)[3:],
                                         validate=offset_problem), done)
