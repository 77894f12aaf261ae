"""Placement for moves and drains: capacity, zone, state and moves in flight (no I/O)."""

from __future__ import annotations

from tui.service.placement import Capacity, Item, Slot, candidates, fit, plan_drain, reserve


def slot(ident: str, free_cpus: int, free_mem: int, *, zone: str = "az1", refusal: str = "",
         total: Capacity = Capacity(64, 262144)) -> Slot:
    return Slot(ident, ident, zone, total, Capacity(free_cpus, free_mem), refusal)


def item(ident: str, cpus: int, mem: int, *, zone: str = "az1", host: str | None = "h0") -> Item:
    return Item(ident, ident, zone, Capacity(cpus, mem), host)


def test_fits_when_cpus_and_memory_are_free_and_says_what_is_left() -> None:
    f = fit(item("s", 4, 8192), slot("h1", 10, 16384))
    assert f.ok and f.after == Capacity(6, 8192)


def test_each_refusal_has_its_reason() -> None:
    assert fit(item("s", 4, 8192), slot("h1", 3, 16384)).reason == "needs 4 vCPUs, 3 free"
    assert fit(item("s", 4, 8192), slot("h1", 8, 4096)).reason == "not enough free memory"
    assert fit(item("s", 1, 1), slot("h1", 8, 8192, zone="az2")).reason == "other zone (az2)"
    assert fit(item("s", 1, 1), slot("h1", 8, 8192, refusal="state fault")).reason == (
        "state fault")
    assert fit(item("s", 1, 1, host="h1"), slot("h1", 8, 8192)).reason == "it is on this host"


def test_moves_in_flight_count_as_taken() -> None:
    s = slot("h1", 8, 16384)
    assert fit(item("s", 4, 4096), s).ok
    taken = reserve([("h1", Capacity(4, 4096)), ("h1", Capacity(2, 2048))])
    assert taken == {"h1": Capacity(6, 6144)}
    f = fit(item("s", 4, 4096), s, taken)
    assert not f.ok and f.reason == "needs 4 vCPUs, 2 free"


def test_candidates_list_the_fitting_first_then_every_other_with_its_reason() -> None:
    slots = [slot("tight", 4, 8192), slot("roomy", 32, 65536), slot("full", 0, 0),
             slot("far", 32, 65536, zone="az2")]
    names = [(f.slot.id, f.ok) for f in candidates(item("s", 4, 8192), slots)]
    assert names == [("roomy", True), ("tight", True), ("far", False), ("full", False)]


def test_drain_places_largest_first_respecting_capacity_and_lists_what_stays() -> None:
    items = [item("small", 2, 2048), item("big", 16, 32768), item("mid", 8, 16384),
             item("huge", 48, 65536), item("zoned", 2, 2048, zone="az2")]
    slots = [slot("h0", 0, 0), slot("a", 16, 32768), slot("b", 12, 65536)]
    plan = plan_drain("h0", items, slots)
    assert [(i.id, s.id) for i, s in plan.moves] == [("big", "a"), ("mid", "b"),
                                                     ("small", "b")]
    assert [(i.id, why) for i, why in plan.stays] == [
        ("huge", "no host in az1 has room"), ("zoned", "no available host in az2")]
    assert plan.free_after == {"a": Capacity(0, 0), "b": Capacity(2, 65536 - 18432)}


def test_drain_never_overfills_a_host_with_its_own_moves() -> None:
    items = [item(f"s{i}", 4, 4096) for i in range(5)]
    plan = plan_drain("h0", items, [slot("a", 8, 65536), slot("b", 4, 65536)])
    assert len(plan.moves) == 3 and len(plan.stays) == 2
    for s in ("a", "b"):
        used = sum(i.size.cpus for i, dest in plan.moves if dest.id == s)
        assert used <= {"a": 8, "b": 4}[s]
