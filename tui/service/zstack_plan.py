"""ZStack's rules on the dashboard's side: which VMs may live-migrate, and where a host's VMs
go when it is evacuated (placement by :mod:`tui.service.placement`, shared with the DeH view,
limited to the hosts ZStack itself offered each VM)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tui.api.zstack.models import MIGRATABLE_STATES, Host, VmInstance
from tui.service.placement import Capacity, DrainPlan, Item, Slot, plan_drain

MIB = 1024**2


def refusal(vm: VmInstance, *, allow_unknown: bool = True) -> str | None:
    """Why this VM cannot be live-migrated now, or None when it can."""
    state = vm.state or "?"
    if state == "Migrating":
        return "it is already migrating"
    if state not in MIGRATABLE_STATES:
        return (f"it is {state}: live migration needs a Running or Paused VM (Unknown with "
                "allowUnknown); start it, or move it cold")
    if state == "Unknown" and not allow_unknown:
        return "its state is Unknown: migrate it on its own (M), with allowUnknown"
    if not vm.hostUuid:
        return "ZStack does not say which host it is on"
    return None


@dataclass(frozen=True)
class Usage:
    """A host's CPU (vCPUs) and memory (bytes) in use and in total."""

    cpu_used: int
    cpu_total: int
    mem_used: int
    mem_total: int


def usage(host: Host) -> Usage:
    """What the host's bars show."""
    return Usage(host.used_cpu or 0, host.totalCpuCapacity or 0, host.used_memory or 0,
                 host.totalMemoryCapacity or 0)


def slot_of(host: Host, *, refusal: str = "") -> Slot:
    """A ZStack host as placement sees it (vCPUs, memory in MiB like the DeH view's MB)."""
    return Slot(host.uuid or "", host.name or host.uuid or "", None,
                Capacity(host.totalCpuCapacity or 0, (host.totalMemoryCapacity or 0) // MIB),
                Capacity(host.availableCpuCapacity or 0,
                         (host.availableMemoryCapacity or 0) // MIB), refusal)


def item_of(vm: VmInstance) -> Item:
    """A VM as placement sees it."""
    return Item(vm.uuid or "", vm.name or vm.uuid or "", None,
                Capacity(vm.cpuNum or 0, -(-(vm.memorySize or 0) // MIB)), vm.hostUuid)


@dataclass(frozen=True)
class Step:
    """One VM of an evacuation: where it goes, or why it stays."""

    vm: VmInstance
    dest: str | None
    reason: str = ""


@dataclass(frozen=True)
class EvacuationPlan:
    """Every VM with its destination (None: listed, not forced), and the placement behind it."""

    host_uuid: str
    steps: tuple[Step, ...]
    drain: DrainPlan = field(default_factory=DrainPlan)
    """Placement's own plan (moves, stays, free capacity afterwards), for the plan dialog."""

    @property
    def movable(self) -> tuple[Step, ...]:
        """The steps with a destination."""
        return tuple(s for s in self.steps if s.dest is not None)

    @property
    def stuck(self) -> tuple[Step, ...]:
        """The VMs that cannot move, each with its reason."""
        return tuple(s for s in self.steps if s.dest is None)


def plan_evacuation(host_uuid: str, vms: Sequence[VmInstance],
                    candidates: Mapping[str, Sequence[Host] | str]) -> EvacuationPlan:
    """Place each VM on one of the hosts ZStack offered it (``candidates[vm.uuid]``: the host
    list, or the text of the error that kept ZStack from giving one); a VM whose state does not
    allow live migration, or that fits on none of its hosts, stays with the reason."""
    stuck: list[Step] = []
    items: list[Item] = []
    offered: dict[str, set[str]] = {}
    hosts: dict[str, Host] = {}
    for vm in vms:
        # An Unknown VM is moved only on its own, where allowUnknown is asked for explicitly.
        why = refusal(vm, allow_unknown=False)
        got = candidates.get(vm.uuid or "", ())
        if why is None and isinstance(got, str):
            why = f"ZStack gave no candidates: {got}"
        if why is None and not got:
            why = "no candidate host: none in its cluster is Enabled, Connected and has room"
        if why is not None:
            stuck.append(Step(vm, None, why))
            continue
        assert not isinstance(got, str)
        items.append(item_of(vm))
        offered[vm.uuid or ""] = {h.uuid or "" for h in got}
        hosts.update({h.uuid or "": h for h in got})
    drain = plan_drain(host_uuid, items, [slot_of(h) for h in hosts.values()], allowed=offered)
    by_id = {vm.uuid or "": vm for vm in vms}
    steps = [Step(by_id[item.id], slot.id) for item, slot in drain.moves]
    steps += [Step(by_id[item.id], None, f"the hosts ZStack offers are full: {why}")
              for item, why in drain.stays]
    return EvacuationPlan(host_uuid, tuple(steps + stuck), drain)


__all__ = ["EvacuationPlan", "MIB", "Step", "Usage", "item_of", "plan_evacuation", "refusal",
           "slot_of", "usage"]
