"""View 3's dialogs: the candidate-host picker, the migration confirmation with its options,
the evacuation plan, and the migrations panel (``j``).

Server text reaches them only as :class:`rich.text.Text` built from ``clean``ed strings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from pydantic import BaseModel
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.api.zstack.models import MAX_DOWNTIME_MS, Host, MigrateVmBody, VmInstance
from tui.screens.confirm import ConfirmScreen
from tui.service.zstack import Migration, ZStackSnapshot
from tui.service.zstack_plan import EvacuationPlan, capacity
from tui.untrusted import clean
from widgets.form import FormField, FormScreen
from widgets.source_table import SourceTable
from tui.screens.zstack.rows import capacity_bar, gib
from widgets.table import Column, Row
from widgets.units import duration, human_size

BAR = 8


def capacity_after(host: Host, vm: VmInstance) -> tuple[Text, Text]:
    """The host's CPU and memory bars as they would be with ``vm`` on it: ``now→after/total``."""
    now, cap = capacity(host), capacity(host, plus=[vm])
    return (capacity_bar(cap.cpu_used, cap.cpu_total,
                         f"{now.cpu_used}→{cap.cpu_used}/{cap.cpu_total}", BAR),
            capacity_bar(cap.mem_used, cap.mem_total,
                         f"{gib(now.mem_used).rstrip('G')}→{gib(cap.mem_used).rstrip('G')}"
                         f"/{gib(cap.mem_total)}", BAR))


class CandidatePicker(ModalScreen[str | None]):
    """The hosts ZStack offers for one VM, each with its capacity after the move; ``enter``
    takes the highlighted one, ``escape`` cancels."""

    DEFAULT_CSS = """
    CandidatePicker { align: center middle; }
    CandidatePicker > Vertical {
        width: 100; max-width: 100%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    CandidatePicker #pick-title { text-style: bold; padding: 1 0 0 0; }
    CandidatePicker #pick-help { color: $text-muted; padding-bottom: 1; }
    CandidatePicker SourceTable { height: auto; max-height: 20; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    COLUMNS = [
        Column("name", "Host", min_width=12, searchable=True),
        Column("cluster", "Cluster", width=10),
        Column("cpu", "vCPU now→after", width=BAR + 12),
        Column("mem", "Memory now→after", width=BAR + 14),
    ]

    def __init__(self, vm: VmInstance, hosts: Sequence[Host], snap: ZStackSnapshot) -> None:
        super().__init__()
        self.vm = vm
        self.hosts = list(hosts)
        self.snap = snap

    def compose(self) -> ComposeResult:
        vm = self.vm
        with Vertical():
            yield Static(Text.assemble("Migrate ", (clean(vm.name), "bold"), " from ",
                                       clean(self.snap.host_name(vm.hostUuid)), " to…"),
                         id="pick-title")
            yield Static(f"{len(self.hosts)} host(s) ZStack accepts for this VM "
                         f"({vm.cpuNum or 0} vCPU, {human_size(vm.memorySize)}). enter takes the "
                         "highlighted host · escape cancels", id="pick-help", markup=False)
            yield SourceTable(self.COLUMNS, id="candidates",
                              empty_message="ZStack offers no host for this VM.")

    def on_mount(self) -> None:
        table = self.query_one(SourceTable)
        rows: dict[str, Row] = {}
        for host in self.hosts:
            cpu, mem = capacity_after(host, self.vm)
            rows[host.uuid or ""] = {"name": clean(host.name or host.uuid),
                                     "cluster": clean(self.snap.cluster_name(host.clusterUuid)),
                                     "cpu": cpu, "mem": mem}
        table.set_rows(rows)
        table.focus()

    @on(SourceTable.RowActivated, "#candidates")
    def _take(self, event: SourceTable.RowActivated) -> None:
        event.stop()
        self.dismiss(event.key)

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)


def options_text(body: MigrateVmBody, *, unknown: bool) -> str:
    """The options as the confirmation shows them, each with what it means when unset."""
    o = body.migrateVm
    lines = [
        f"  strategy                {o.strategy or 'default (plain pre-copy)'}",
        f"  downTime                {f'{o.downTime} ms' if o.downTime else 'default'}",
        f"  migrateFromDestination  {'yes' if o.migrateFromDestination else 'no'}",
    ]
    if unknown:
        lines.append(f"  allowUnknown            {'yes' if o.allowUnknown else 'no'}"
                     " (ZStack reports this VM Unknown)")
    lines.append("auto-converge slows a busy VM so its memory copy can finish; downTime is the "
                 "longest pause at the switch-over.")
    return "\n".join(lines)


def options_form(body: MigrateVmBody, *, unknown: bool) -> FormScreen:
    """A validated form for the MigrateVm options (nothing is sent from it)."""
    o = body.migrateVm
    fields = [
        FormField("strategy", "strategy", "choice", o.strategy or "default",
                  choices=(("ZStack default (plain pre-copy)", "default"),
                           ("auto-converge", "auto-converge")),
                  loc="migrateVm.strategy"),
        FormField("downTime", "downTime (ms)", "int", o.downTime, low=1, high=MAX_DOWNTIME_MS,
                  loc="migrateVm.downTime", hint="blank: ZStack's default"),
        FormField("migrateFromDestination", "migrateFromDestination", "bool",
                  bool(o.migrateFromDestination), loc="migrateVm.migrateFromDestination"),
    ]
    if unknown:
        fields.append(FormField("allowUnknown", "allowUnknown", "bool", bool(o.allowUnknown),
                                loc="migrateVm.allowUnknown"))

    def build(values: Any) -> BaseModel:
        return MigrateVmBody.model_validate({"migrateVm": {
            "hostUuid": o.hostUuid,
            "strategy": None if values.get("strategy") in (None, "default") else values["strategy"],
            "downTime": values.get("downTime"),
            "migrateFromDestination": values.get("migrateFromDestination") or None,
            "allowUnknown": values.get("allowUnknown") or None}})

    return FormScreen("MigrateVm options", fields, build,
                      intro="ctrl+s keeps them for this migration; escape leaves them as they were.")


class MigrateConfirm(ConfirmScreen):
    """One confirmation naming the VM, both hosts and the options; ``o`` edits the options,
    ``y``/``enter`` confirms. The body to send is :attr:`body` when it answers True."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *ConfirmScreen.BINDINGS, Binding("o", "options", "Options")]

    def __init__(self, vm: VmInstance, dest: Host, snap: ZStackSnapshot) -> None:
        self.vm, self.dest, self.snap = vm, dest, snap
        self.unknown = vm.state == "Unknown"
        self.body = MigrateVmBody.model_validate({"migrateVm": {
            "hostUuid": dest.uuid, "allowUnknown": True if self.unknown else None}})
        super().__init__(f"Live-migrate {clean(vm.name)}?", self._text(), confirm_label="Migrate")

    def _text(self) -> str:
        vm = self.vm
        return (f"{clean(vm.name)} ({clean(vm.state)}, {vm.cpuNum or 0} vCPU, "
                f"{human_size(vm.memorySize)}) moves from {clean(self.snap.host_name(vm.hostUuid))}"
                f" to {clean(self.dest.name)} while it keeps running (a short pause at the "
                "switch-over). One MigrateVm request; the job is followed live.\n\n"
                f"Options (o changes them):\n{options_text(self.body, unknown=self.unknown)}")

    def action_options(self) -> None:
        """Edit the options in a validated form."""
        def done(body: BaseModel | None) -> None:
            if isinstance(body, MigrateVmBody):
                self.body = body
                self.query_one("#body", Static).update(self._text())

        self.app.push_screen(options_form(self.body, unknown=self.unknown), done)


def plan_text(plan: EvacuationPlan, snap: ZStackSnapshot, concurrency: int) -> str:
    """The evacuation plan: each VM and its destination, then what cannot move and why."""
    lines = [f"{len(plan.movable)} of {len(plan.steps)} VM(s) move, {concurrency} at a time:"]
    for step in plan.movable:
        lines.append(f"  {clean(step.vm.name):<20.20} → {clean(snap.host_name(step.dest))}")
    if plan.stuck:
        lines.append(f"\n{len(plan.stuck)} cannot move (listed, not forced):")
        for step in plan.stuck:
            lines.append(f"  {clean(step.vm.name):<20.20} {clean(step.reason)}")
    return "\n".join(lines)


class MigrationsPanel(ModalScreen[None]):
    """``j``: every migration sent from this dashboard, in flight first; live."""

    DEFAULT_CSS = """
    MigrationsPanel { align: center middle; }
    MigrationsPanel > Vertical {
        width: 110; max-width: 100%; height: 80%; border: thick $accent;
        background: $surface; padding: 0 1;
    }
    MigrationsPanel #moves-title { text-style: bold; padding: 1 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,j,q", "close", "Close")]

    def __init__(self, records: Callable[[], Sequence[Migration]], snap: Callable[[], ZStackSnapshot],
                 now: Callable[[], float]) -> None:
        super().__init__()
        self.records, self.snap, self.now = records, snap, now

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Migrations in flight and done (escape closes)", id="moves-title",
                         markup=False)
            with VerticalScroll():
                yield Static(self.render_rows(), id="moves")

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh_rows)

    def refresh_rows(self) -> None:
        """Redraw (elapsed times move)."""
        self.query_one("#moves", Static).update(self.render_rows())

    def render_rows(self) -> Text:
        """One line per migration."""
        records = sorted(self.records(), key=lambda m: (m.status != "running", -m.started))
        if not records:
            return Text("No migration sent from this dashboard yet. M migrates a VM, D "
                        "evacuates a host.", style="dim")
        snap, now = self.snap(), self.now()
        look = {"running": ("⇄ running", "bright_cyan"), "ok": ("✔ done", "green"),
                "failed": ("✖ failed", "bold bright_red"), "skipped": ("– skipped", "yellow")}
        out = Text()
        for m in records:
            word, style = look.get(m.status, (m.status, ""))
            out.append(f"{word:<10}", style=style)
            out.append(f" {clean(m.vm_name):<18.18} {clean(snap.host_name(m.source)):<12.12} → "
                       f"{clean(snap.host_name(m.dest)):<12.12} {duration(m.elapsed(now)):>7}")
            if m.reason:
                out.append(f"\n           {clean(m.reason)}", style="dim")
            out.append("\n")
        return out

    def action_close(self) -> None:
        """Close the panel."""
        self.dismiss(None)


__all__ = ["CandidatePicker", "MigrateConfirm", "MigrationsPanel", "capacity_after",
           "options_form", "options_text", "plan_text"]
