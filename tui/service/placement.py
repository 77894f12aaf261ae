"""Where an instance fits: pure placement logic for moves and host drains (no I/O, no Textual).

Generic over "a host with capacity" and "an instance with a size", so the DeH view (vCPUs and
MB) and the ZStack view (CPUs and bytes) share it. Capacity already promised to moves in
flight is passed in as ``reserved`` and counts as taken.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Capacity:
    """CPUs and memory (the unit of memory is the caller's: MB for ECS, bytes for ZStack)."""

    cpus: int = 0
    memory: int = 0

    def __add__(self, other: Capacity) -> Capacity:
        return Capacity(self.cpus + other.cpus, self.memory + other.memory)

    def __sub__(self, other: Capacity) -> Capacity:
        return Capacity(self.cpus - other.cpus, self.memory - other.memory)


@dataclass(frozen=True)
class Slot:
    """A host as placement sees it."""

    id: str
    name: str
    zone: str | None
    total: Capacity
    free: Capacity
    """Free now, before ``reserved`` is taken off."""
    refusal: str = ""
    """Why nothing may be placed on it at all ("state fault"); empty when it accepts."""


@dataclass(frozen=True)
class Item:
    """An instance to place."""

    id: str
    name: str
    zone: str | None
    size: Capacity
    host_id: str | None
    """Where it is now (None: not on any of the slots, e.g. the public pool)."""


@dataclass(frozen=True)
class Fit:
    """Whether ``item`` fits on ``slot``, why not, and the slot's free capacity afterwards."""

    slot: Slot
    ok: bool
    reason: str
    after: Capacity


def reserve(moves: Iterable[tuple[str, Capacity]]) -> dict[str, Capacity]:
    """Capacity promised per destination host by moves in flight: (host id, size) each."""
    out: dict[str, Capacity] = {}
    for host_id, size in moves:
        out[host_id] = out.get(host_id, Capacity()) + size
    return out


def fit(item: Item, slot: Slot, reserved: Mapping[str, Capacity] | None = None) -> Fit:
    """Does ``item`` fit on ``slot``, counting ``reserved`` capacity as taken?"""
    free = slot.free - (reserved or {}).get(slot.id, Capacity())
    after = free - item.size
    if item.host_id == slot.id:
        return Fit(slot, False, "it is on this host", free)
    if slot.refusal:
        return Fit(slot, False, slot.refusal, free)
    if item.zone and slot.zone and item.zone != slot.zone:
        return Fit(slot, False, f"other zone ({slot.zone})", free)
    if after.cpus < 0:
        return Fit(slot, False, f"needs {item.size.cpus} vCPUs, {max(free.cpus, 0)} free", free)
    if after.memory < 0:
        return Fit(slot, False, "not enough free memory", free)
    return Fit(slot, True, "", after)


def candidates(item: Item, slots: Iterable[Slot],
               reserved: Mapping[str, Capacity] | None = None) -> list[Fit]:
    """Every slot for ``item``: those it fits on first (most room left first), then the
    others with their reason (by name), so nothing is hidden silently."""
    fits = [fit(item, s, reserved) for s in slots]
    good = sorted((f for f in fits if f.ok), key=lambda f: (-f.after.cpus, -f.after.memory,
                                                             f.slot.name))
    bad = sorted((f for f in fits if not f.ok), key=lambda f: f.slot.name)
    return good + bad


@dataclass(frozen=True)
class DrainPlan:
    """Where each instance of a drained host goes, and what stays (with the reason)."""

    moves: tuple[tuple[Item, Slot], ...] = ()
    stays: tuple[tuple[Item, str], ...] = ()
    free_after: Mapping[str, Capacity] = field(default_factory=dict)
    """Each destination's free capacity once the plan has run."""


def plan_drain(host_id: str, items: Sequence[Item], slots: Iterable[Slot],
               reserved: Mapping[str, Capacity] | None = None, *,
               allowed: Mapping[str, Collection[str]] | None = None) -> DrainPlan:
    """Place every item of ``host_id`` on the other slots, largest first (CPUs, then memory).

    Each goes where the most CPUs stay free afterwards (spreading the load rather than
    packing one host full); capacity and zone are respected, and capacity taken by an
    earlier item of the plan counts for the next. What fits nowhere stays, with why.
    ``allowed`` (item id → slot ids) limits an item to the hosts its backend offered it
    (ZStack's migration-target-hosts); without it every slot is a candidate."""
    taken = dict(reserved or {})
    others = [s for s in slots if s.id != host_id]
    moves: list[tuple[Item, Slot]] = []
    stays: list[tuple[Item, str]] = []
    order = sorted(items, key=lambda i: (-i.size.cpus, -i.size.memory, i.name))
    for item in order:
        pool = others if allowed is None else [s for s in others
                                               if s.id in allowed.get(item.id, ())]
        fits = candidates(item, pool, taken)
        best = fits[0] if fits and fits[0].ok else None
        if best is None:
            stays.append((item, _why_nowhere(item, fits)))
            continue
        moves.append((item, best.slot))
        taken[best.slot.id] = taken.get(best.slot.id, Capacity()) + item.size
    free_after = {s.id: s.free - taken.get(s.id, Capacity()) for s in others
                  if s.id in {m[1].id for m in moves}}
    return DrainPlan(tuple(moves), tuple(stays), free_after)


def _why_nowhere(item: Item, fits: Sequence[Fit]) -> str:
    """One line for an item that fits nowhere: no host of its zone accepts, or none has room."""
    zone = f" in {item.zone}" if item.zone else ""
    if not any(f.reason.startswith("needs ") or f.reason == "not enough free memory"
               for f in fits):
        return f"no available host{zone}"
    return f"no host{zone} has room"
