"""View 3's dialogs. The destination picker, the plan and (in the view) the outcome summary
are the DeH view's components fed with ZStack's data; the confirmation with the MigrateVm
options and the migrations panel (``j``) are ZStack's own.

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
from tui.screens.hosts.drain import DrainScreen, plan_lines
from tui.screens.hosts.move import MoveScreen
from tui.screens.zstack.rows import gib
from tui.service.placement import DrainPlan, Fit, candidates
from tui.service.zstack import Migration, ZStackSnapshot
from tui.service.zstack_plan import EvacuationPlan, item_of, slot_of
from tui.untrusted import clean
from widgets.form import FormField, FormScreen
from widgets.units import duration, human_size

def destinations(vm: VmInstance, offered: Sequence[Host], snap: ZStackSnapshot) -> list[Fit]:
    """The VM's cluster as the DeH view's destination picker lists it: the hosts ZStack
    offered first, with their capacity after the move, then the others dimmed with why."""
    ids = {h.uuid for h in offered}
    slots = [slot_of(h) for h in offered]
    for host in snap.hosts.values():
        if host.clusterUuid == vm.clusterUuid and host.uuid not in ids and host.uuid != vm.hostUuid:
            why = f"not offered by ZStack ({clean(host.state)}, {clean(host.status)})"
            slots.append(slot_of(host, refusal=why))
    return candidates(item_of(vm), slots)


def picker(vm: VmInstance, offered: Sequence[Host], snap: ZStackSnapshot) -> MoveScreen:
    """The DeH view's destination picker, for one VM and the hosts ZStack offers it."""
    title = f"Live-migrate {clean(vm.name)} from {clean(snap.host_name(vm.hostUuid))} to…"
    what = (f"{vm.cpuNum or 0} vCPU, {gib(vm.memorySize)}iB · cluster "
            f"{clean(snap.cluster_name(vm.clusterUuid))} · {len(offered)} host(s) offered by "
            "ZStack")
    return MoveScreen(title, what, destinations(vm, offered, snap), pool=False, running=0)


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


def plan_dialog(title: str, plan: EvacuationPlan, snap: ZStackSnapshot) -> DrainScreen:
    """The DeH view's drain dialog for an evacuation plan (placement's moves and free
    capacity afterwards, then every VM that stays, with its own reason)."""
    stays = tuple((item_of(s.vm), clean(s.reason)) for s in plan.stuck)
    shown = DrainPlan(plan.drain.moves, stays, plan.drain.free_after)
    names = {k: clean(h.name or k) for k, h in snap.hosts.items()}
    text = plan_lines(shown, names, set())
    return DrainScreen(title, text, len(plan.movable))


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
                "failed": ("✖ failed", "bold bright_red"), "skipped": ("– skipped", "yellow"),
                "unknown": ("? unknown", "bold yellow")}
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


__all__ = ["MigrateConfirm", "MigrationsPanel", "destinations", "options_form", "options_text",
           "picker", "plan_dialog"]
