"""Which VMs may move, where, and what a host looks like after a move: ZStack's placement
rules on the dashboard's side (ZStack still decides: candidates come from it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tui.api.zstack.models import MIGRATABLE_STATES, Host, VmInstance


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
class Capacity:
    """A host's CPU (vCPUs) and memory (bytes) in use and in total."""

    cpu_used: int
    cpu_total: int
    mem_used: int
    mem_total: int

    @property
    def fits(self) -> bool:
        """True while neither is over its total."""
        return self.cpu_used <= self.cpu_total and self.mem_used <= self.mem_total


def capacity(host: Host, *, plus: Sequence[VmInstance] = ()) -> Capacity:
    """The host's capacity now, or after the VMs in ``plus`` land on it."""
    cpu = sum(v.cpuNum or 0 for v in plus)
    mem = sum(v.memorySize or 0 for v in plus)
    return Capacity((host.used_cpu or 0) + cpu, host.totalCpuCapacity or 0,
                    (host.used_memory or 0) + mem, host.totalMemoryCapacity or 0)


@dataclass(frozen=True)
class Step:
    """One VM of an evacuation: where it goes, or why it stays."""

    vm: VmInstance
    dest: str | None
    reason: str = ""


@dataclass(frozen=True)
class EvacuationPlan:
    """Every VM of a host with its destination (None: listed, not forced)."""

    host_uuid: str
    steps: tuple[Step, ...]

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
    """Place each VM (largest memory first) on the candidate ZStack offered it that keeps the
    most memory free after the VMs already placed there; ``candidates[vm.uuid]`` is the
    host list, or the text of the error that kept ZStack from giving one."""
    placed: dict[str, list[VmInstance]] = {}
    steps: list[Step] = []
    for vm in sorted(vms, key=lambda v: (-(v.memorySize or 0), v.name or "")):
        # An Unknown VM is moved only on its own, where allowUnknown is asked for explicitly.
        why = refusal(vm, allow_unknown=False)
        offered = candidates.get(vm.uuid or "", ())
        if why is None and isinstance(offered, str):
            why = f"ZStack gave no candidates: {offered}"
        if why is not None:
            steps.append(Step(vm, None, why))
            continue
        assert not isinstance(offered, str)
        best: tuple[int, Host] | None = None
        for host in offered:
            after = capacity(host, plus=[*placed.get(host.uuid or "", []), vm])
            if after.fits and (best is None or after.mem_total - after.mem_used > best[0]):
                best = (after.mem_total - after.mem_used, host)
        if best is None:
            reason = ("no candidate host: none in its cluster is Enabled, Connected and has "
                      "room" if not offered else "the candidates are full after the VMs "
                      "placed before it")
            steps.append(Step(vm, None, reason))
            continue
        placed.setdefault(best[1].uuid or "", []).append(vm)
        steps.append(Step(vm, best[1].uuid))
    return EvacuationPlan(host_uuid, tuple(steps))


__all__ = ["Capacity", "EvacuationPlan", "Step", "capacity", "plan_evacuation", "refusal"]
