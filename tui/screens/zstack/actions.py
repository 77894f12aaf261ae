"""View 3's writes: ``M`` migrate (destination picker, confirmation with options, the job
followed) and ``D`` evacuate (plan, one confirmation, two at a time, per-VM summary).

The base class of :class:`~tui.screens.zstack.view.ZStackScreen` (kept apart so each module
stays small); every write goes through the poller's :class:`~tui.service.zstack.Migrations`, i.e.
the command gateway.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual import work
from textual.screen import Screen

from tui.api.exceptions import SmsError
from tui.service.commands import BulkSummary, ReadOnlyViolation
from tui.service.hosts import MovePlan, PlanOutcome
from tui.service.zstack import ZStackPoller, describe
from tui.service.zstack_plan import plan_evacuation, refusal
from tui.untrusted import clean
from widgets.source_table import SourceTable

EVACUATE_CONCURRENCY = 2


class MigrateActions(Screen[None]):
    """``M`` and ``D`` for the ZStack screen: its base class (it provides ``backend``,
    ``vms``, ``hosts`` and ``host_filter``)."""

    host_filter: str | None

    if TYPE_CHECKING:  # provided by ZStackScreen
        @property
        def backend(self) -> ZStackPoller: ...
        @property
        def vms(self) -> SourceTable: ...
        @property
        def hosts(self) -> SourceTable: ...

    def _toast(self, message: str, **kw: Any) -> None:
        """A toast with markup off: names and errors from ZStack are shown as they are."""
        self.notify(message, markup=False, **kw)

    # -- migrate ---------------------------------------------------------------------------

    def action_zstack_migrate(self) -> None:
        """Migrate the marked VMs (a plan, like an evacuation), else the highlighted one."""
        snap = self.backend.snapshot
        if self.vms.marked:
            vms = [snap.vms[k] for k in self.vms.marked if k in snap.vms]
            self._plan_and_confirm(None, vms, f"Migrate {len(vms)} marked VMs?")
            return
        key = self.vms.cursor_key
        vm = snap.vms.get(key) if key else None
        if vm is None:
            self._toast("Highlight a VM in the lower table first (enter on a host shows its VMs).",
                        severity="warning")
            return
        why = refusal(vm)
        if why is None and self.backend.moves.running_for(vm.uuid or "") is not None:
            why = "a migration of it is already in flight"
        if why is not None:
            self._toast(f"{clean(vm.name)} cannot be live-migrated: {why}.",
                        title="Not offered", severity="warning", timeout=8)
            return
        self._pick(vm)

    @work(exclusive=True, exit_on_error=False, group="zstack-ui", description="candidate hosts")
    async def _pick(self, vm: Any) -> None:
        from tui.screens.zstack.dialogs import MigrateConfirm, picker

        try:
            hosts = await self.backend.moves.candidates(vm.uuid)
        except SmsError as exc:
            self._toast(clean(describe(exc)), title="No candidates", severity="error", timeout=10)
            return
        if not hosts:
            self._toast(f"{clean(vm.name)}: ZStack offers no host (same cluster, Enabled and "
                        "Connected, with room).", severity="warning")
            return
        snap = self.backend.snapshot
        choice = await self.app.push_screen_wait(picker(vm, hosts, snap))
        host = next((h for h in hosts if choice is not None and h.uuid == choice.dest), None)
        if host is None:
            return
        confirm = MigrateConfirm(vm, host, snap)
        if not await self.app.push_screen_wait(confirm):
            return
        self._migrate(vm, host.uuid, confirm.body)

    @work(exit_on_error=False, group="zstack-moves", description="a migration")
    async def _migrate(self, vm: Any, dest: str, body: Any) -> None:
        try:
            outcome = await self.backend.moves.migrate(vm, dest, body)
        except ReadOnlyViolation as exc:
            self._toast(str(exc), severity="error")
            return
        snap = self.backend.snapshot
        if outcome.ok:
            self._toast(f"{clean(vm.name)} is now on {clean(snap.host_name(dest))}.",
                        title="Migrated")
        elif outcome.unknown:
            self._toast(f"{clean(vm.name)}: {clean(outcome.reason)}", title="Outcome unknown",
                        severity="warning", timeout=15)
        else:
            self._toast(f"{clean(vm.name)}: {clean(outcome.reason)}",
                        title="Migration failed" if outcome.status == "failed" else "Not sent",
                        severity="error", timeout=15)

    # -- evacuate --------------------------------------------------------------------------

    def action_zstack_evacuate(self) -> None:
        """Move every VM off the highlighted host (or the host whose VMs are shown)."""
        host_uuid = self.host_filter if self.focused is self.vms and self.host_filter else (
            self.hosts.cursor_key)
        snap = self.backend.snapshot
        host = snap.hosts.get(host_uuid or "")
        if host is None:
            self._toast("Highlight a host first.", severity="warning")
            return
        vms = snap.vms_on(host.uuid or "")
        if not vms:
            self._toast(f"{clean(host.name)} runs no VM: nothing to evacuate.")
            return
        self._plan_and_confirm(host.uuid, vms, f"Evacuate {clean(host.name)}")

    @work(exclusive=True, exit_on_error=False, group="zstack-ui", description="evacuation plan")
    async def _plan_and_confirm(self, host_uuid: str | None, vms: list[Any], title: str) -> None:
        from tui.screens.zstack.dialogs import plan_dialog

        gate = asyncio.Semaphore(4)

        async def candidates(vm: Any) -> Any:
            if refusal(vm, allow_unknown=False) is not None:
                return []
            async with gate:
                try:
                    return await self.backend.moves.candidates(vm.uuid)
                except SmsError as exc:
                    return describe(exc)

        found = await asyncio.gather(*(candidates(v) for v in vms))
        plan = plan_evacuation(host_uuid or "", vms, {v.uuid: c for v, c in zip(vms, found)})
        snap = self.backend.snapshot
        heading = f"{title}: {len(plan.movable)} of {len(plan.steps)} VMs can move"
        if not await self.app.push_screen_wait(plan_dialog(heading, plan, snap)):
            return
        self.vms.clear_marks()
        self.run_worker(self._evacuate(plan, title), group="zstack-moves",
                        exit_on_error=False, description=title)

    async def _evacuate(self, plan: Any, title: str) -> None:
        from tui.screens.hosts.outcomes import MoveSummaryScreen

        try:
            summary: BulkSummary = await self.backend.moves.evacuate(
                plan, concurrency=EVACUATE_CONCURRENCY)
        except ReadOnlyViolation as exc:
            self._toast(str(exc), severity="error")
            return
        snap = self.backend.snapshot
        dests = {s.vm.uuid: s.dest for s in plan.steps}
        outcomes = [PlanOutcome(MovePlan(o.target, clean(o.label), plan.host_uuid or None,
                                         dests.get(o.target), clean(snap.host_name(dests.get(o.target)))),
                                o.status, "", clean(o.reason)) for o in summary.outcomes]
        self.app.push_screen(MoveSummaryScreen(title.lower(), outcomes))



__all__ = ["EVACUATE_CONCURRENCY", "MigrateActions"]
