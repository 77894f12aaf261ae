"""Target-server templates (``/v3/vm/templates``): list, detail, create, modify, delete.

Reads go through the polling service on demand, writes through the command gateway. The
template's ``target_password`` is typed into a masked field, sent once, and never shown,
prefilled or logged (the gateway's audit log scrubs it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType

from tui.api.exceptions import SmsError
from tui.api.models.requests import BatchDeleteRequest, TemplateBody
from tui.screens.catalog import CATALOG_CSS, CatalogScreen, yes_no
from tui.untrusted import literal
from widgets.form import FieldError, FormField, FormScreen
from widgets.source_table import Column, Row, SourceTable

DISK_TYPES = (("SAS (high I/O)", "SAS"), ("SSD (ultra-high I/O)", "SSD"),
              ("SATA (common I/O)", "SATA"))
SHARE_TYPES = (("PER (dedicated)", "PER"), ("WHOLE (shared)", "WHOLE"))

COLUMNS = [
    Column("name", "Name", min_width=16),
    Column("flavor", "Flavor", width=13),
    Column("az", "AZ", width=13),
    Column("volumetype", "Disk", width=4),
    Column("vpc", "VPC", width=14),
    Column("subnet", "Subnet", width=16),
    Column("sg", "Security group", width=14),
    Column("eip", "Public IP", width=18),
    Column("image", "Image", width=8),
]


def template_row(t: Any) -> Row:
    """The table row of one template."""
    eip = t.publicip
    return {
        "name": t.name or t.id, "flavor": t.flavor or "—", "az": t.availability_zone or "—",
        "volumetype": t.volumetype or "—", "vpc": t.vpc.name if t.vpc else "—",
        "subnet": ", ".join(n.name or n.id or "?" for n in t.nics) or "—",
        "sg": ", ".join(g.name or g.id or "?" for g in t.security_groups) or "—",
        "eip": f"{eip.type or '?'} {eip.bandwidth_size or '?'} Mbit/s" if eip else "none",
        "image": t.image_id or "—",
    }


def template_detail(t: Any) -> RenderableType:
    """Every field of a template except its password."""
    grid = Table.grid(padding=(0, 2), expand=True)
    for ratio in (0, 1, 0, 1):
        grid.add_column(no_wrap=True, min_width=11 if not ratio else None, ratio=ratio or None,
                        overflow="ellipsis")
    vpc = t.vpc
    eip = t.publicip
    pairs = [
        ("Name", t.name), ("ID", t.id), ("Region", t.region), ("Project", t.projectid),
        ("Target name", t.target_server_name), ("AZ", t.availability_zone),
        ("Flavor", t.flavor), ("Image", t.image_id),
        ("Disk type", t.volumetype), ("Data disks", t.data_volume_type),
        ("VPC", f"{vpc.name} {vpc.id or ''} {vpc.cidr or ''}" if vpc else None),
        ("Template", yes_no(t.is_template)),
        ("NICs", "; ".join(f"{n.name} {n.cidr or ''} {n.ip or 'auto'}" for n in t.nics)),
        ("Sec. groups", ", ".join(g.name or g.id or "?" for g in t.security_groups)),
        ("Public IP", f"{eip.type} {eip.bandwidth_size} Mbit/s {eip.bandwidth_share_type or ''}"
         if eip else "none"),
        ("Disks", ", ".join(f"{d.name} {d.disktype} {d.size} GB" for d in t.disk)),
    ]
    for i in range(0, len(pairs), 2):
        (k1, v1), (k2, v2) = pairs[i], pairs[i + 1]
        # Values are the server's text: Text, never markup (a str cell of a Table is parsed).
        grid.add_row(Text(k1, style="bold"), literal(v1 or "—"), Text(k2, style="bold"),
                     literal(v2 or "—"))
    return grid


def template_fields(t: Any | None, *, region: str, project_id: str) -> list[FormField]:
    """The form's fields, prefilled from ``t`` when modifying (never the password)."""
    vpc = t.vpc if t is not None else None
    nic = t.nics[0] if t is not None and t.nics else None
    sg = t.security_groups[0] if t is not None and t.security_groups else None
    eip = t.publicip if t is not None else None
    disk = t.disk[0] if t is not None and t.disk else None

    def get(attr: str, default: Any = None) -> Any:
        return getattr(t, attr, default) if t is not None else default

    return [
        FormField("name", "Name", required=True, value=get("name"), loc="template.name"),
        FormField("is_template", "Is a template", "bool",
                  value=str(get("is_template", "true")).lower() != "false",
                  loc="template.is_template"),
        FormField("region", "Region", required=True, value=get("region") or region,
                  loc="template.region"),
        FormField("projectid", "Project ID", required=True,
                  value=get("projectid") or project_id, loc="template.projectid"),
        FormField("target_server_name", "Target server name", value=get("target_server_name"),
                  loc="template.target_server_name"),
        FormField("availability_zone", "Availability zone", value=get("availability_zone"),
                  loc="template.availability_zone"),
        FormField("volumetype", "System disk type", "choice", value=get("volumetype"),
                  choices=DISK_TYPES, loc="template.volumetype"),
        FormField("flavor", "Flavor", value=get("flavor"), loc="template.flavor"),
        FormField("image_id", "Image ID", value=get("image_id"), loc="template.image_id",
                  hint="blank: same OS as the source"),
        FormField("vpc_id", "VPC ID", value=vpc.id if vpc else None, loc="template.vpc.id"),
        FormField("vpc_name", "VPC name", value=vpc.name if vpc else None,
                  loc="template.vpc.name"),
        FormField("vpc_cidr", "VPC CIDR", value=vpc.cidr if vpc else None,
                  loc="template.vpc.cidr"),
        FormField("nic_id", "NIC subnet ID", value=nic.id if nic else None,
                  loc="template.nics.0.id"),
        FormField("nic_name", "NIC subnet name", value=nic.name if nic else None,
                  loc="template.nics.0.name"),
        FormField("nic_cidr", "NIC subnet CIDR", value=nic.cidr if nic else None,
                  loc="template.nics.0.cidr"),
        FormField("nic_ip", "NIC IP", value=nic.ip if nic else None, loc="template.nics.0.ip",
                  hint="blank: assigned automatically"),
        FormField("sg_id", "Security group ID", value=sg.id if sg else None,
                  loc="template.security_groups.0.id"),
        FormField("sg_name", "Security group name", value=sg.name if sg else None,
                  loc="template.security_groups.0.name"),
        FormField("eip_type", "Public IP type", value=eip.type if eip else None,
                  loc="template.publicip.type", hint="e.g. 5_bgp; blank: no public IP"),
        FormField("eip_bandwidth", "Bandwidth (Mbit/s)", "int", low=1, high=2000,
                  value=eip.bandwidth_size if eip else None,
                  loc="template.publicip.bandwidth_size", hint="1–2000"),
        FormField("eip_share", "Bandwidth sharing", "choice", choices=SHARE_TYPES,
                  value=eip.bandwidth_share_type if eip else None,
                  loc="template.publicip.bandwidth_share_type"),
        FormField("disk_size", "System disk (GB)", "int", low=1, high=1024,
                  value=disk.size if disk else None, loc="template.disk.0.size"),
        FormField("data_volume_type", "Data disk type", "choice", choices=DISK_TYPES,
                  value=get("data_volume_type"), loc="template.data_volume_type"),
        FormField("target_password", "Target password", "secret",
                  loc="template.target_password",
                  hint="masked; blank keeps the stored one" if t is not None else "masked"),
    ]


def _present(**values: Any) -> dict[str, Any]:
    # Leave out what was left blank, so a missing part is "Field required", not "not a string".
    return {k: v for k, v in values.items() if v is not None}


def build_template(v: Mapping[str, Any], existing: Any | None = None) -> TemplateBody:
    """The request body from the form's values; the existing template's extra NICs, security
    groups and disks (beyond the first, which the form edits) are kept as they are."""
    body: dict[str, Any] = _present(
        name=v["name"], is_template=bool(v["is_template"]), region=v["region"],
        projectid=v["projectid"], target_server_name=v["target_server_name"],
        availability_zone=v["availability_zone"], volumetype=v["volumetype"],
        flavor=v["flavor"], image_id=v["image_id"], data_volume_type=v["data_volume_type"],
        target_password=v["target_password"],
    )
    if any(v[k] is not None for k in ("vpc_id", "vpc_name", "vpc_cidr")):
        body["vpc"] = _present(id=v["vpc_id"], name=v["vpc_name"], cidr=v["vpc_cidr"])
    extra_nics = [n.model_dump(exclude_none=True) for n in existing.nics[1:]] if existing else []
    if any(v[k] is not None for k in ("nic_id", "nic_name", "nic_cidr", "nic_ip")):
        body["nics"] = [_present(id=v["nic_id"], name=v["nic_name"], cidr=v["nic_cidr"],
                                 ip=v["nic_ip"]), *extra_nics]
    extra_sgs = ([g.model_dump(exclude_none=True) for g in existing.security_groups[1:]]
                 if existing else [])
    if v["sg_id"] is not None or v["sg_name"] is not None:
        body["security_groups"] = [_present(id=v["sg_id"], name=v["sg_name"]), *extra_sgs]
    if any(v[k] is not None for k in ("eip_type", "eip_bandwidth", "eip_share")):
        body["publicip"] = _present(type=v["eip_type"], bandwidth_size=v["eip_bandwidth"],
                                    bandwidth_share_type=v["eip_share"])
    if v["disk_size"] is not None:
        if v["volumetype"] is None:
            raise FieldError("volumetype", "needed for the system disk")
        first = existing.disk[0] if existing and existing.disk else None
        extra = [d.model_dump(exclude_none=True) for d in existing.disk[1:]] if existing else []
        body["disk"] = [_present(index=0, name=first.name if first and first.name else "system",
                                 disktype=v["volumetype"], size=v["disk_size"],
                                 id=first.id if first else None, device_use="OS"), *extra]
    return TemplateBody.model_validate({"template": body})


class TemplatesScreen(CatalogScreen):
    """Templates: ``n`` new, ``e`` modify, ``ctrl+d`` delete (the marked ones, or this one)."""

    DEFAULT_CSS = CATALOG_CSS.format(name="TemplatesScreen")
    TITLE_TEXT = "Target-server templates"
    COLUMNS = COLUMNS
    EMPTY = "No templates yet. Press n to create one."
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("n", "create_template", "New"),
        Binding("e", "edit_template", "Modify"),
        Binding("ctrl+d", "delete_template", "Delete"),
        Binding("r", "reload", "Refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.templates: dict[str, Any] = {}

    def noun(self) -> str:
        return "templates"

    def on_mount(self) -> None:
        super().on_mount()
        self.action_reload()

    @work(exclusive=True, exit_on_error=False, group="templates", description="loading templates")
    async def action_reload(self) -> None:
        """Read the templates again."""
        from tui.service.commands import describe

        try:
            found = await self.app.service.templates()  # type: ignore[attr-defined]
        except SmsError as exc:
            self.show_rows({}, f"Could not load the templates: {describe(exc)} (g retries)")
            return
        self.templates = {t.id: t for t in found}
        self.show_rows({t.id: template_row(t) for t in found})

    def on_source_table_row_activated(self, event: SourceTable.RowActivated) -> None:
        event.stop()
        self._read_one(event.key)

    @work(exclusive=True, exit_on_error=False, group="templates", description="reading a template")
    async def _read_one(self, key: str) -> None:
        """``enter``: read the highlighted template as stored now into the detail pane."""
        from tui.service.commands import describe

        try:
            current = await self.app.service.template(key)  # type: ignore[attr-defined]
        except SmsError as exc:
            self.notify(f"Could not read the template: {describe(exc)}", severity="error")
            return
        self.templates[key] = current
        self.table.apply_diff({key: template_row(current)})
        self.show_detail(key)

    def detail_for(self, key: str) -> RenderableType:
        t = self.templates.get(key)
        return template_detail(t) if t is not None else ""

    # -- writes ----------------------------------------------------------------------------

    def _defaults(self) -> tuple[str, str]:
        app: Any = self.app
        some = next(iter(self.templates.values()), None)
        region = app.settings.region or (some.region if some else "") or ""
        project = app.settings.project_id or (some.projectid if some else "") or ""
        return region, project

    def action_create_template(self) -> None:
        """A form for a new template."""
        region, project = self._defaults()

        async def send(body: Any) -> str | None:
            name = body.template.name
            out = await self.app.commands.write(  # type: ignore[attr-defined]
                "template.create", name, name, "create_template", body, request=body)
            return None if out.ok else out.reason

        self.app.push_screen(FormScreen("New template", template_fields(
            None, region=region, project_id=project), build_template, send=send),
            self._after_write)

    @work(exclusive=True, exit_on_error=False, group="templates", description="reading a template")
    async def action_edit_template(self) -> None:
        """Read the highlighted template as stored now, then a form to modify it."""
        from tui.service.commands import describe

        key = self.table.cursor_key
        if key is None:
            return
        try:
            current = await self.app.service.template(key)  # type: ignore[attr-defined]
        except SmsError as exc:
            self.notify(f"Could not read the template: {describe(exc)}", severity="error")
            return
        region, project = self._defaults()

        async def send(body: Any) -> str | None:
            out = await self.app.commands.write(  # type: ignore[attr-defined]
                "template.update", key, body.template.name, "update_template", key, body,
                request=body)
            return None if out.ok else out.reason

        self.app.push_screen(FormScreen(
            f"Modify template {current.name}", template_fields(current, region=region,
                                                               project_id=project),
            lambda v: build_template(v, current), send=send), self._after_write)

    def _after_write(self, body: Any) -> None:
        if body is not None:
            self.notify(f"Template {body.template.name} saved.")
            self.action_reload()

    def action_delete_template(self) -> None:
        """Delete the marked templates in one request, or the highlighted one; asks first."""
        from tui.screens.confirm import ConfirmScreen

        ids = [k for k in self.targets() if k in self.templates]
        if not ids:
            return
        names = ", ".join(self.templates[i].name or i for i in ids)
        title = (f"Delete template {names}?" if len(ids) == 1
                 else f"Delete {len(ids)} templates?")

        def done(ok: bool | None) -> None:
            if ok:
                self._delete(ids)

        self.app.push_screen(ConfirmScreen(title, f"{names}\n\nTasks that use them can no "
                                           "longer clone or launch with them.",
                                           confirm_label="Delete"), done)

    @work(exclusive=True, exit_on_error=False, group="templates", description="deleting templates")
    async def _delete(self, ids: list[str]) -> None:
        commands: Any = self.app.commands  # type: ignore[attr-defined]
        if len(ids) == 1:
            out = await commands.write("template.delete", ids[0], self.templates[ids[0]].name
                                       or ids[0], "delete_template", ids[0])
        else:
            body = BatchDeleteRequest(ids=ids)
            out = await commands.write("template.delete_batch", ",".join(ids),
                                       f"{len(ids)} templates", "delete_templates", body,
                                       request=body)
        if out.ok:
            self.table.clear_marks()
            self.notify(f"Deleted {out.label}.")
            self.action_reload()
        else:
            self.notify(f"Could not delete {out.label}: {out.reason}", severity="error",
                        timeout=10)
