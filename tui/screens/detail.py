"""Source detail: facts, disk/volume tree, environment checks, networks, task summary, edits."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui import navigation as nav
from tui.screens.detail_view import checks_table, facts_table, networks_table, task_summary
from tui.screens.problems import failure_note
from tui.screens.registry import WRITE_ACTIONS
from tui.service.poller import DetailPollFailed, SourceDetailPolled
from tui.untrusted import clean, literal
from widgets.disk_tree import DiskTree, Volume
from widgets.footer import KeyFooter as Footer
from widgets.states import source_badge
from widgets.status_header import StatusHeader
from widgets.units import human_size


class SourceDetailScreen(Screen[None]):
    """One source server in full; edits are absent in read-only mode."""

    DEFAULT_CSS = """
    SourceDetailScreen #title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    SourceDetailScreen #body { height: 1fr; }
    SourceDetailScreen #left { width: 1fr; min-width: 40; padding: 0 1; }
    SourceDetailScreen #right { width: 1fr; border-left: vkey $primary-darken-2; }
    SourceDetailScreen .section { margin-bottom: 1; }
    SourceDetailScreen .heading { text-style: bold; color: $accent; }
    SourceDetailScreen #tree { height: 1fr; }
    SourceDetailScreen #edits { height: auto; padding: 0 1; color: $warning; }
    SourceDetailScreen #error { height: auto; padding: 0 1; color: $error; }
    SourceDetailScreen.-narrow #body { layout: vertical; }
    SourceDetailScreen.-narrow #left { width: 1fr; height: 1fr; min-width: 0; }
    SourceDetailScreen.-narrow #right {
        width: 1fr; height: 1fr; border-left: none; border-top: hkey $primary-darken-2;
    }
    """
    NARROW = 110
    """Below this many columns the facts and the disk tree stack (each full width)."""
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("t", "task", "Task"),
        Binding("l", "edit_speed_limits", "Limits"),
        Binding("n", "rename_source", "Rename"),
        Binding("m", "edit_disks", "Migrate on/off"),
        Binding("z", "resize", "Resize"),
        Binding("ctrl+s", "save", "Save disks"),
        Binding("ctrl+d", "delete_source", "Delete"),
        Binding("tab", "focus_next", "Next pane", show=False),
        Binding("C", "create_task", "New task", show=False),
    ]

    def __init__(self, source_id: str) -> None:
        super().__init__()
        self.source_id = source_id
        self.detail: Any = None
        self._deleted = False

    @property
    def has_unsaved_changes(self) -> bool:
        """Pending disk edits that were not saved."""
        try:
            return bool(self.query_one(DiskTree).edits)
        except Exception:  # noqa: BLE001 - not mounted
            return False

    def compose(self) -> ComposeResult:
        app: Any = self.app
        yield StatusHeader(app.settings.label, app.settings.region, read_only=app.read_only,
                           interval=app.settings.refresh, clock=app.clock, id="header")
        yield Static("", id="title")
        yield Static("", id="error")
        with Horizontal(id="body"):
            with VerticalScroll(id="left"):
                yield Static("Facts", classes="heading")
                yield Static("Loading…", id="facts", classes="section")
                yield Static("Current task", classes="heading")
                yield Static("", id="task", classes="section")
                yield Static("", id="failure", classes="section")
                yield Static("Environment checks", classes="heading")
                yield Static("", id="checks", classes="section")
                yield Static("Networks", classes="heading")
                yield Static("", id="networks", classes="section")
            with VerticalScroll(id="right"):
                yield DiskTree(id="tree")
                yield Static("", id="edits")
        yield Footer()

    def on_mount(self) -> None:
        app: Any = self.app
        self.watch(app, "source_detail", self._polled, init=False)
        self.watch(app, "detail_error", self._failed, init=False)
        self.watch(app, "connection", self._connection, init=True)
        listed = app.fleet.snapshot.sources.get(self.source_id) if app.fleet else None
        if listed is not None:
            self.query_one("#title", Static).update(Text.assemble(source_badge(listed.state), "  ",
                                                                  clean(listed.name or listed.id)))
        current = app.source_detail
        if current is not None and current.source_id == self.source_id:
            self._polled(current)
        app.service.watch_source(self.source_id)
        self.query_one(DiskTree).focus()

    def on_resize(self, event: Any) -> None:
        # Side by side, an 80-column window leaves the tree 30 cells: bars and sizes cut.
        self.set_class(event.size.width < self.NARROW, "-narrow")

    def on_screen_resume(self) -> None:
        self.app.service.watch_source(self.source_id)  # type: ignore[attr-defined]

    def on_screen_suspend(self) -> None:
        self.app.service.watch_source(None)  # type: ignore[attr-defined]

    def on_unmount(self) -> None:
        self.app.service.watch_source(None)  # type: ignore[attr-defined]

    def _connection(self, status: Any) -> None:
        self.query_one(StatusHeader).status = status

    def _polled(self, polled: SourceDetailPolled | None) -> None:
        if polled is None or polled.source_id != self.source_id:
            return
        d = polled.detail
        self.detail = d
        now = self.app.wall_clock()  # type: ignore[attr-defined]
        self.query_one("#error", Static).update("")
        self.query_one("#title", Static).update(Text.assemble(source_badge(d.state), "  ",
                                                              clean(d.name or d.id), "  ",
                                                              (clean(d.ip), "dim")))
        self.query_one("#facts", Static).update(facts_table(d, now))
        self.query_one("#task", Static).update(
            task_summary(d, now, read_only=bool(getattr(self.app, "read_only", False))))
        self._show_failure()
        self.query_one("#checks", Static).update(checks_table(d))
        self.query_one("#networks", Static).update(networks_table(d))
        self.query_one(DiskTree).show(d)
        self._show_edits()

    def _show_failure(self) -> None:
        # The source detail carries no error: /v3/errors (polled with the fleet) does.
        fleet = getattr(self.app, "fleet", None)
        errors = fleet.snapshot.errors if fleet is not None else ()
        err = next((e for e in errors if e.source_id == self.source_id), None)
        note = failure_note(err.error_json) if err is not None else None
        box = self.query_one("#failure", Static)
        box.display = note is not None
        box.update(note if note is not None else "")

    def _failed(self, event: DetailPollFailed | None) -> None:
        if event is None or event.what != "source" or event.ident != self.source_id:
            return
        from tui.service.commands import describe

        stale = " (showing the last good data)" if self.detail is not None else ""
        self.query_one("#error", Static).update(literal(f"Could not refresh this source{stale}: "
                                                        f"{describe(event.error)}"))

    # -- keys ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS | {"resize"} and getattr(self.app, "read_only", False):
            return False
        return True

    def action_back(self) -> None:
        """Back to the list (asks first when disk edits are unsaved)."""
        if not self.has_unsaved_changes:
            self.app.pop_screen()
            return
        from tui.screens.confirm import ConfirmScreen

        def done(ok: bool | None) -> None:
            if ok:
                self.app.pop_screen()

        self.app.push_screen(ConfirmScreen("Discard disk changes?", "The migrate/resize "
                                           "changes you made here have not been saved (ctrl+s).",
                                           confirm_label="Discard"), done)

    def _task_id(self) -> str | None:
        d = self.detail
        if d is None:
            listed = self.app.fleet.snapshot.sources.get(self.source_id) if self.app.fleet else None  # type: ignore[attr-defined]
            d = listed
        return d.current_task.id if d is not None and d.current_task is not None else None

    def action_task(self) -> None:
        """Open the task progress screen."""
        task_id = self._task_id()
        if task_id is None:
            self.notify("This source has no migration task yet.", severity="warning")
            return
        self.app.open(nav.TaskProgress(task_id, self.source_id))  # type: ignore[attr-defined]

    def action_create_task(self) -> None:
        """A form for this source's migration task (when it has none)."""
        app: Any = self.app
        source = self.detail or (app.fleet.snapshot.sources.get(self.source_id)
                                 if app.fleet else None)
        if source is not None:
            app.open(nav.CreateTask(source))

    def action_edit_speed_limits(self) -> None:
        """Open the task's speed-limit schedule."""
        task_id = self._task_id()
        if task_id is None:
            self.notify("This source has no migration task to throttle.", severity="warning")
            return
        name = getattr(self.detail, "name", None) or self.source_id
        self.app.open(nav.SpeedLimits(task_id, name))  # type: ignore[attr-defined]

    def action_rename_source(self) -> None:
        """Rename the source (1–255 characters)."""
        from tui.screens.forms import InputScreen

        current = self.detail.name if self.detail is not None else ""

        def valid(value: str) -> str | None:
            if not value:
                return "a name is required"
            if len(value) > 255:
                return f"at most 255 characters (this one has {len(value)})"
            return None

        def done(value: str | None) -> None:
            if value and value != current:
                self._send_update({"name": value}, f"rename to {value!r}")

        self.app.push_screen(InputScreen("Rename source server", "name", clean(current),
                                         validate=valid), done)

    def action_edit_disks(self) -> None:
        """Migrate or skip the highlighted disk or volume (saved with ctrl+s)."""
        vol = self.query_one(DiskTree).toggle_migration()
        if vol is None:
            self.notify("Highlight a disk, partition, volume group or logical volume "
                        "(the OS disk is always migrated).", severity="warning")
        self._show_edits()

    def action_resize(self) -> None:
        """Change the target size of the highlighted disk or volume (not below its used size)."""
        from tui.screens.forms import InputScreen, parse_size

        tree = self.query_one(DiskTree)
        vol = tree.highlighted()
        if vol is None or not vol.editable:
            self.notify("Highlight a disk or volume to resize.", severity="warning")
            return
        used = vol.used or 0

        def valid(value: str) -> str | None:
            try:
                size = parse_size(value)
            except ValueError as exc:
                return str(exc)
            if size <= 0:
                return "must be more than 0"
            if size < used:
                return f"{human_size(size)} is below the {human_size(used)} already used"
            return None

        def done(value: str | None) -> None:
            if value:
                tree.resize(vol, parse_size(value))
                self._show_edits()

        current = tree.edits.get(vol.ident, (True, vol.adjust_size or vol.size or 0))[1]
        self.app.push_screen(InputScreen(f"Target size of {clean(vol.name)}",
                                         "New size on the target",
                                         f"{(current or 0) // 1024**3}G",
                                         validate=valid,
                                         hint=f"used {human_size(used)} · e.g. 120G, 500M · "
                                              "enter keeps it until ctrl+s"), done)

    def _show_edits(self) -> None:
        edits = self.query_one(DiskTree).edits
        self.query_one("#edits", Static).update(
            f"{len(edits)} unsaved disk change(s): ctrl+s saves, escape discards" if edits else "")

    def action_save(self) -> None:
        """Send the disk/volume plan (PUT /v3/sources/{id})."""
        tree = self.query_one(DiskTree)
        if not tree.edits:
            self.notify("No disk changes to save.")
            return
        body = self._disk_body(tree)
        if body is None:
            return
        self._send_update(body, f"{len(tree.edits)} disk/volume change(s)", clear_edits=True)

    def _disk_body(self, tree: DiskTree) -> dict[str, Any] | None:
        vols = tree.volumes
        disks: dict[str, dict[str, Any]] = {}
        vgs: dict[str, dict[str, Any]] = {}

        def state(vol: Volume) -> tuple[bool, int]:
            need, size = tree.edits.get(vol.ident, (vol.need_migration, vol.adjust_size))
            return need is not False, int(size or vol.size or 0)

        for ident in tree.edits:
            vol = vols.get(ident)
            if vol is None:
                continue
            if vol.kind in ("disk", "pv"):
                disk = vols.get(vol.parent or "") if vol.kind == "pv" else vol
                if disk is None:
                    continue
                need, size = state(disk)
                entry = disks.setdefault(disk.ident, {"id": disk.ident, "need_migration": need,
                                                      "adjust_size": size})
                if vol.kind == "pv":
                    need, size = state(vol)
                    entry.setdefault("physical_volumes", []).append(
                        {"id": vol.ident, "need_migration": need, "adjust_size": size})
            else:
                vg = vols.get(vol.parent or "") if vol.kind == "lv" else vol
                if vg is None:
                    continue
                need, size = state(vg)
                entry = vgs.setdefault(vg.ident, {"id": vg.ident, "need_migration": need,
                                                  "adjust_size": size})
                if vol.kind == "lv":
                    need, size = state(vol)
                    entry.setdefault("logical_volumes", []).append(
                        {"id": vol.ident, "need_migration": need, "adjust_size": size})
        body: dict[str, Any] = {}
        if disks:
            body["disks"] = list(disks.values())
        if vgs:
            body["volume_group_s"] = list(vgs.values())
        return body

    @work(group="write", exclusive=False)
    async def _send_update(self, changes: dict[str, Any], what: str,
                           clear_edits: bool = False) -> None:
        from pydantic import ValidationError

        from tui.api.models import UpdateSourceRequest

        try:
            body = UpdateSourceRequest.model_validate(changes)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err.get("loc", ()))
            self.notify(f"Not sent: {where}: {err.get('msg')}", severity="error", timeout=10)
            return
        app: Any = self.app
        name = self.detail.name if self.detail is not None else self.source_id
        outcome = await app.commands.write("source.update", self.source_id, name or "",
                                           "update_source", self.source_id, body, request=body)
        if outcome.ok:
            self.notify(f"{name}: {what} saved.")
            if clear_edits:
                self.query_one(DiskTree).edits.clear()
                self.query_one(DiskTree).relabel()
                self._show_edits()
        else:
            self.notify(f"{name}: {what} {outcome.status}: {outcome.reason}",
                        severity="warning" if outcome.unknown else "error", timeout=15)

    def action_delete_source(self) -> None:
        """Delete this source record (confirmed)."""
        from tui.screens.confirm import ConfirmScreen

        name = self.detail.name if self.detail is not None else self.source_id

        def done(ok: bool | None) -> None:
            if ok:
                self._delete()

        self.app.push_screen(ConfirmScreen(
            f"Delete source {clean(name)}?",
            "The source record and its migration task are removed from SMS. The agent must "
            "register again before this server can be migrated. Servers with a running task "
            "cannot be deleted.", confirm_label="Delete"), done)

    @work(group="write")
    async def _delete(self) -> None:
        app: Any = self.app
        name = self.detail.name if self.detail is not None else self.source_id
        outcome = await app.commands.write("source.delete", self.source_id, name or "",
                                           "delete_source", self.source_id)
        if outcome.ok:
            self.notify(f"{name} deleted.")
            self._deleted = True
            self.app.pop_screen()
        else:
            self.notify(f"Delete {name} {outcome.status}: {outcome.reason}",
                        severity="warning" if outcome.unknown else "error", timeout=15)
