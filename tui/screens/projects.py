"""Migration projects (``/v3/migprojects``): list with the default marked, switch the active
project (filters the source list), create, modify, delete, set default.

The projects come with every fleet poll (``app.fleet.snapshot.projects``); writes go through
the command gateway, whose refresh brings the change back on the next poll.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType

from tui.api.models.requests import MigProjectBody
from tui.screens.catalog import CATALOG_CSS, CatalogScreen, yes_no
from tui.service.poller import FleetPolled
from widgets.form import FieldError, FormField, FormScreen
from widgets.source_table import Column, Row

TASK_TYPES = (("MIGRATE_BLOCK (block level)", "MIGRATE_BLOCK"),
              ("MIGRATE_FILE (file level)", "MIGRATE_FILE"))

COLUMNS = [
    Column("active", "", width=1),
    Column("default", "Default", width=9),
    Column("name", "Name", min_width=14),
    Column("type", "Type", width=13),
    Column("region", "Region", width=14),
    Column("syncing", "Sync", width=4),
    Column("publicip", "Pub. IP", width=7),
    Column("exist", "Existing", width=8),
    Column("start", "Start tgt", width=9),
    Column("speed", "Limit", width=12, align="right"),
    Column("description", "Description", min_width=12),
]


def _speed(value: Any) -> str:
    return f"{value} Mbit/s" if value else "none"


def project_row(p: Any, active: str | None) -> Row:
    """The table row of one project; ``active`` is the project the source list shows."""
    return {
        "active": "▶" if p.id == active else "", "default": "★ default" if p.isdefault else "",
        "name": p.name or p.id, "type": p.type or "—", "region": p.region or "—",
        "syncing": yes_no(p.syncing), "publicip": yes_no(p.use_public_ip),
        "exist": yes_no(p.exist_server), "start": yes_no(p.start_target_server),
        "speed": _speed(p.speed_limit), "description": p.description or "",
    }


def project_detail(p: Any, active: str | None) -> RenderableType:
    """Every field of a project."""
    grid = Table.grid(padding=(0, 2), expand=True)
    for ratio in (0, 1, 0, 1):
        grid.add_column(no_wrap=True, min_width=19 if not ratio else None, ratio=ratio or None,
                        overflow="ellipsis")
    head = Text.assemble((p.name or p.id, "bold"), ("  ★ default" if p.isdefault else "", "yellow"),
                         ("  ▶ shown in the source list" if p.id == active else "", "cyan"))
    pairs = [
        ("ID", p.id), ("Region", p.region), ("Type", p.type),
        ("Enterprise project", p.enterprise_project),
        ("Continuous sync", yes_no(p.syncing)), ("Public IP", yes_no(p.use_public_ip)),
        ("Existing server", yes_no(p.exist_server)),
        ("Start target server", yes_no(p.start_target_server)),
        ("Network check", yes_no(p.start_network_check)), ("Speed limit", _speed(p.speed_limit)),
    ]
    for i in range(0, len(pairs), 2):
        (k1, v1), (k2, v2) = pairs[i], pairs[i + 1]
        grid.add_row(f"[b]{k1}[/b]", str(v1 or "—"), f"[b]{k2}[/b]", str(v2 or "—"))
    if p.description:
        grid.add_row("[b]Description[/b]", Text(p.description), "", "")
    return Group(head, grid)


def project_fields(p: Any | None, region: str) -> list[FormField]:
    """The form's fields, prefilled from ``p`` when modifying."""

    def get(attr: str, default: Any = None) -> Any:
        value = getattr(p, attr, None) if p is not None else None
        return default if value is None else value

    fields = [
        FormField("name", "Name", required=True, value=get("name"), hint="2–19 characters, unique"),
        FormField("description", "Description", value=get("description")),
        FormField("region", "Region", required=True, value=get("region", region)),
        FormField("type", "Migration type", "choice", required=True, choices=TASK_TYPES,
                  value=get("type", "MIGRATE_BLOCK")),
        FormField("syncing", "Continuous sync", "bool", value=get("syncing", False)),
        FormField("use_public_ip", "Use public IP", "bool", value=get("use_public_ip", True)),
        FormField("exist_server", "Use existing server", "bool", value=get("exist_server", False)),
        FormField("start_target_server", "Start target server", "bool",
                  value=get("start_target_server", True)),
        FormField("start_network_check", "Network check", "bool",
                  value=get("start_network_check", False)),
        FormField("speed_limit", "Speed limit (Mbit/s)", "int", low=0, high=10000,
                  value=get("speed_limit"), hint="0–10000; blank or 0: none"),
        FormField("enterprise_project", "Enterprise project", value=get("enterprise_project")),
    ]
    if p is None:
        fields.append(FormField("isdefault", "Make it the default", "bool", value=False))
    return fields


def build_project(values: Mapping[str, Any], others: Sequence[Any]) -> MigProjectBody:
    """The body from the form's values; the name must not be another project's."""
    name = values["name"]
    clash = next((o for o in others if o.name == name), None)
    if clash is not None:
        raise FieldError("name", f"already the name of project {clash.id[:8]}…")
    return MigProjectBody.model_validate({k: v for k, v in values.items() if v is not None})


class ProjectsScreen(CatalogScreen):
    """Projects: ``enter`` shows only its sources, ``a`` all, ``d`` default, ``n``/``e``/``ctrl+d``."""

    DEFAULT_CSS = CATALOG_CSS.format(name="ProjectsScreen")
    TITLE_TEXT = "Migration projects"
    COLUMNS = COLUMNS
    EMPTY = "No migration projects yet. Press n to create one."
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("enter", "switch", "Show its sources", show=False),
        Binding("a", "all_projects", "All"),
        Binding("d", "set_default_project", "Default"),
        Binding("n", "create_project", "New"),
        Binding("e", "edit_project", "Modify"),
        Binding("ctrl+d", "delete_project", "Delete"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.projects: dict[str, Any] = {}
        self._shown: tuple[Any, ...] | None = None

    def noun(self) -> str:
        return "migration projects"

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "fleet", self._fleet_polled, init=True)

    def _fleet_polled(self, polled: FleetPolled | None) -> None:
        if polled is None:
            return
        projects = tuple(polled.snapshot.projects)
        if projects == self._shown:
            return  # projects are fetched every 12th poll; nothing to redraw in between
        self._shown = projects
        self._show(projects)

    def _show(self, projects: Sequence[Any]) -> None:
        active = self.active()
        self.projects = {p.id: p for p in projects}
        self.show_rows({p.id: project_row(p, active) for p in projects})

    def active(self) -> str | None:
        """The project the source list is filtered by (None: all sources)."""
        lst = self._source_list()
        return lst.project[0] if lst is not None and lst.project else None

    def _source_list(self) -> Any:
        # The list is the screen that can switch projects (no import of its module: the
        # screens do not import each other).
        return next((s for s in self.app.screen_stack if hasattr(s, "use_project")), None)

    def detail_for(self, key: str) -> RenderableType:
        p = self.projects.get(key)
        return project_detail(p, self.active()) if p is not None else ""

    # -- switching -------------------------------------------------------------------------

    def on_source_table_row_activated(self, event: Any) -> None:
        event.stop()
        self.action_switch()

    def action_switch(self) -> None:
        """Show only the highlighted project's sources in the list (the API's ``migproject``)."""
        p = self.projects.get(self.table.cursor_key or "")
        if p is not None:
            self._use((p.id, p.name or p.id))

    def action_all_projects(self) -> None:
        """Show every source again."""
        self._use(None)

    def _use(self, project: tuple[str, str] | None) -> None:
        lst = self._source_list()
        if lst is None:
            return
        # The list's own switch (the same one its ``m`` picker uses), then back to the list.
        lst.use_project(project)
        while self.app.screen is not lst:
            self.app.pop_screen()
        self.app.notify(f"Showing the sources of {project[1]}." if project
                        else "Showing every source.")

    # -- writes ----------------------------------------------------------------------------

    def _region(self) -> str:
        app: Any = self.app
        return app.settings.region or next((p.region for p in self.projects.values()
                                            if p.region), "")

    def action_create_project(self) -> None:
        """A form for a new project."""
        others = list(self.projects.values())

        async def send(body: Any) -> str | None:
            out = await self.app.commands.write(  # type: ignore[attr-defined]
                "migproject.create", body.name, body.name, "create_migproject", body,
                request=body)
            return None if out.ok else out.reason

        self.app.push_screen(FormScreen(
            "New migration project", project_fields(None, self._region()),
            lambda v: build_project(v, others), send=send), self._saved)

    def action_edit_project(self) -> None:
        """A form to modify the highlighted project."""
        p = self.projects.get(self.table.cursor_key or "")
        if p is None:
            return
        others = [o for o in self.projects.values() if o.id != p.id]

        async def send(body: Any) -> str | None:
            out = await self.app.commands.write(  # type: ignore[attr-defined]
                "migproject.update", p.id, body.name, "update_migproject", p.id, body,
                request=body)
            return None if out.ok else out.reason

        self.app.push_screen(FormScreen(
            f"Modify migration project {p.name}", project_fields(p, self._region()),
            lambda v: build_project(v, others), send=send), self._saved)

    def _saved(self, body: Any) -> None:
        if body is not None:
            self.notify(f"Migration project {body.name} saved.")

    def action_set_default_project(self) -> None:
        """Make the highlighted project the default."""
        p = self.projects.get(self.table.cursor_key or "")
        if p is None:
            return
        if p.isdefault:
            self.notify(f"{p.name} is already the default project.")
            return
        self._write("migproject.set_default", p, "set_default_migproject",
                    f"{p.name} is the default project now.")

    def action_delete_project(self) -> None:
        """Delete the highlighted project, after asking."""
        from tui.screens.confirm import ConfirmScreen

        p = self.projects.get(self.table.cursor_key or "")
        if p is None:
            return
        if p.isdefault:
            self.notify(f"{p.name} is the default project and cannot be deleted; make another "
                        "one the default first (d).", severity="warning")
            return

        def done(ok: bool | None) -> None:
            if ok:
                self._write("migproject.delete", p, "delete_migproject",
                            f"Deleted migration project {p.name}.")

        self.app.push_screen(ConfirmScreen(
            f"Delete migration project {p.name}?",
            "SMS refuses while source servers still belong to it.", confirm_label="Delete"), done)

    @work(exclusive=True, exit_on_error=False, group="projects", description="project write")
    async def _write(self, operation: str, p: Any, method: str, done: str) -> None:
        out = await self.app.commands.write(operation, p.id, p.name or p.id,  # type: ignore[attr-defined]
                                            method, p.id)
        if out.ok:
            self.notify(done)
        else:
            self.notify(f"{p.name}: {out.reason}", severity="error", timeout=10)
