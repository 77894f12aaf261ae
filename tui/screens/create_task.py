"""Create a migration task (``POST /v3/tasks``) for a source that has none (``C``).

The form is prefilled from the source (its OS, and the target disks SMS recommends in
``init_target_server``) and from the connection (region, project); the template list is read
through the polling service. A source that already has a task gets a reason, not a form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tui.api.exceptions import SmsError
from tui.api.models.requests import CreateTaskRequest
from widgets.form import FieldError, FormField, FormScreen
from widgets.units import human_size

TASK_TYPES = (("MIGRATE_BLOCK (block level)", "MIGRATE_BLOCK"),
              ("MIGRATE_FILE (file level)", "MIGRATE_FILE"))
OS_TYPES = (("Linux", "LINUX"), ("Windows", "WINDOWS"))
PRIORITIES = (("low", 0), ("normal", 1), ("high", 2))


def target_disks(detail: Any) -> list[dict[str, Any]]:
    """The recommended target disks (``init_target_server.disks``) as ``TargetDisks`` bodies."""
    init = getattr(detail, "init_target_server", None)
    out: list[dict[str, Any]] = []
    for d in (init.disks if init is not None else []):
        volumes = [{k: v for k, v in pv.model_dump().items()
                    if v is not None and k != "inode_size"} for pv in d.physical_volumes]
        out.append({k: v for k, v in {
            "name": d.name, "size": d.size or 0, "used_size": d.used_size or 0,
            "device_use": d.device_use, "physical_volumes": volumes}.items() if v is not None})
    return out


def task_fields(detail: Any, templates: Sequence[Any], *, region: str,
                project_id: str) -> list[FormField]:
    """The form's fields, prefilled from the source and the connection."""
    os_type = (getattr(detail, "os_type", None) or "").upper() or None
    template_choices = tuple((f"{t.name} ({t.flavor or '?'})", t.id) for t in templates)
    return [
        FormField("name", "Task name", required=True, value=detail.name, loc="name"),
        FormField("type", "Migration type", "choice", required=True, choices=TASK_TYPES,
                  value="MIGRATE_BLOCK", loc="type",
                  hint="a Windows source migrates at block level only" if os_type == "WINDOWS"
                  else "block copies disks; file copies files"),
        FormField("os_type", "OS", "choice", required=True, choices=OS_TYPES, value=os_type,
                  loc="os_type", hint="from the source"),
        FormField("region_name", "Region name", required=True, value=region, loc="region_name"),
        FormField("region_id", "Region ID", required=True, value=region, loc="region_id"),
        FormField("project_name", "Project name", required=True, value=region,
                  loc="project_name"),
        FormField("project_id", "Project ID", required=True, value=project_id or None,
                  loc="project_id"),
        FormField("template", "Target template", "choice", choices=template_choices,
                  loc="vm_template_id", hint="or an existing server below"),
        FormField("exist_server", "Use existing server", "bool", value=False,
                  loc="exist_server"),
        FormField("vm_id", "Existing server ID", loc="target_server.vm_id"),
        FormField("target_name", "Target server name", loc="target_server.name"),
        FormField("start_target_server", "Start target server", "bool", value=True,
                  loc="start_target_server", hint="after the migration"),
        FormField("syncing", "Continuous sync", "bool", value=False, loc="syncing"),
        FormField("auto_start", "Start at once", "bool", value=False, loc="auto_start"),
        FormField("use_public_ip", "Use public IP", "bool", value=True, loc="use_public_ip"),
        FormField("speed_limit", "Speed limit (Mbit/s)", "int", low=0, high=10000,
                  loc="speed_limit", hint="0–10000; blank: none"),
        FormField("priority", "Priority", "choice", choices=PRIORITIES, value=1,
                  loc="priority"),
    ]


def build_task(values: Mapping[str, Any], source_id: str,
               disks: list[dict[str, Any]]) -> CreateTaskRequest:
    """The request body from the form's values."""
    v = values
    if v["os_type"] == "WINDOWS" and v["type"] == "MIGRATE_FILE":
        raise FieldError("type", "a Windows source migrates at block level only")
    if v["exist_server"] and not v["vm_id"]:
        raise FieldError("vm_id", "required when using an existing server")
    if not v["exist_server"] and v["vm_id"] and v["template"]:
        raise FieldError("vm_id", "choose a template or an existing server, not both")
    target: dict[str, Any] = {"vm_id": v["vm_id"] or "", "disks": disks}
    if v["target_name"]:
        target["name"] = v["target_name"]
    body = {
        "name": v["name"], "type": v["type"], "os_type": v["os_type"],
        "source_server": {"id": source_id}, "target_server": target,
        "region_name": v["region_name"], "region_id": v["region_id"],
        "project_name": v["project_name"], "project_id": v["project_id"],
        "vm_template_id": v["template"], "exist_server": bool(v["exist_server"]),
        "start_target_server": bool(v["start_target_server"]), "syncing": bool(v["syncing"]),
        "auto_start": bool(v["auto_start"]), "use_public_ip": bool(v["use_public_ip"]),
        "speed_limit": v["speed_limit"], "priority": v["priority"],
    }
    return CreateTaskRequest.model_validate({k: x for k, x in body.items() if x is not None})


def _model_error_field(message: str) -> str | None:
    # The body's cross-field rule reports at the top level; say it beside the template.
    return "template" if "template" in message else ("vm_id" if "vm_id" in message else None)


def open_create_task(app: Any, source: Any) -> None:
    """Open the form for ``source`` (a list item or a detail), or say why not."""
    task = getattr(source, "current_task", None)
    if task is not None:
        app.notify(f"{source.name} already has a migration task ({task.name or task.id}, "
                   f"{(task.state or '?').lower()}); open it with t.", severity="warning")
        return
    app.run_worker(_open(app, source), exclusive=True, exit_on_error=False,
                   group="create-task", description="preparing the new task")


async def _open(app: Any, source: Any) -> None:
    from tui.service.commands import describe

    detail = source if getattr(source, "init_target_server", None) is not None else None
    current = app.source_detail
    if detail is None and current is not None and current.source_id == source.id:
        detail = current.detail
    if detail is None:
        try:
            detail = await app.service.source(source.id)
        except SmsError as exc:
            app.notify(f"Could not read {source.name}: {describe(exc)}", severity="error",
                       timeout=10)
            return
    if getattr(detail, "current_task", None) is not None:
        app.notify(f"{detail.name} already has a migration task; open it with t.",
                   severity="warning")
        return
    templates = await app.load_templates()
    region = app.settings.region or next((t.region for t in templates if t.region), "") or ""
    project = app.settings.project_id or next((t.projectid for t in templates if t.projectid),
                                              "") or ""
    disks = target_disks(detail)
    shown = ", ".join(f"{d['name']} {human_size(d['size'])}" for d in disks) or "none reported"

    async def send(body: Any) -> str | None:
        out = await app.commands.write("task.create", detail.id, body.name, "create_task", body,
                                       request=body)
        return None if out.ok else out.reason

    def done(body: Any) -> None:
        if body is not None:
            app.notify(f"Task {body.name} created; it shows on the next refresh.")

    app.push_screen(FormScreen(
        f"New migration task for {detail.name}",
        task_fields(detail, templates, region=region, project_id=project),
        lambda v: build_task(v, detail.id, disks), send=send,
        intro=f"Target disks (recommended by SMS): {shown}",
        model_error_field=_model_error_field), done)

