"""Stall detection, fed fleet snapshots by hand (no Textual, no simulator)."""

from __future__ import annotations

from typing import Any

from tui.api.models import SourceListItem
from tui.service.stalls import StallDetector


def item(sid: str = "s1", *, copied: int = 100, total: int = 1000, task_state: str = "RUNNING",
         state: str = "replicate", connected: bool = True, task_id: str = "t1") -> Any:
    return SourceListItem.model_validate({
        "id": sid, "name": f"name-{sid}", "state": state, "connected": connected,
        "replicatesize": copied, "totalsize": total,
        "current_task": {"id": task_id, "state": task_state},
    })


def fleet(*items: Any) -> dict[str, Any]:
    return {i.id: i for i in items}


def test_three_flat_polls_after_the_baseline_flag_a_stall_and_start_one_incident() -> None:
    d = StallDetector()
    assert not d.update(fleet(item(copied=100)), 0).stalled  # baseline
    for n in (1, 2):
        report = d.update(fleet(item(copied=100)), n)
        assert not report.stalled and not report.started, n
    report = d.update(fleet(item(copied=100)), 3)
    assert set(report.stalled) == {"s1"}
    assert [s.source_id for s in report.started] == ["s1"]
    assert report.changed == {"s1"}
    stall = report.stalled["s1"]
    assert stall.reason == "flat" and stall.flat_polls == 3 and stall.since == 3
    assert "3 polls" in stall.why
    # Still flat: the same incident, nothing new to announce, since kept.
    report = d.update(fleet(item(copied=100)), 4)
    assert set(report.stalled) == {"s1"} and not report.started and not report.changed
    assert report.stalled["s1"].since == 3 and report.stalled["s1"].flat_polls == 4
    assert report.for_task("t1") is report.stalled["s1"]
    assert report.for_task("other") is None


def test_growth_ends_the_incident_and_a_later_stall_is_a_new_one() -> None:
    d = StallDetector()
    for n in range(4):
        report = d.update(fleet(item(copied=100)), n)
    assert report.stalled
    report = d.update(fleet(item(copied=150)), 4)
    assert not report.stalled and report.changed == {"s1"} and not report.started
    for n in (5, 6):
        assert not d.update(fleet(item(copied=150)), n).stalled
    report = d.update(fleet(item(copied=150)), 7)
    assert [s.since for s in report.started] == [7]


def test_growing_bytes_are_never_a_stall() -> None:
    d = StallDetector()
    for n in range(10):
        report = d.update(fleet(item(copied=100 + n)), n)
        assert not report.stalled and not report.started


def test_a_disconnected_agent_is_a_stall_at_once_and_reconnecting_ends_it() -> None:
    d = StallDetector()
    d.update(fleet(item(copied=100)), 0)
    report = d.update(fleet(item(copied=100, connected=False)), 1)
    assert report.stalled["s1"].reason == "agent"
    assert [s.reason for s in report.started] == ["agent"]
    assert "agent disconnected" in report.stalled["s1"].why
    for n in (2, 3, 4):
        report = d.update(fleet(item(copied=100, connected=False)), n)
        assert not report.started and report.stalled["s1"].reason == "agent"
    # Back: the incident is over; flat polls count from here, not from the outage.
    report = d.update(fleet(item(copied=100)), 5)
    assert not report.stalled and report.changed == {"s1"}
    assert not d.update(fleet(item(copied=100)), 6).stalled


def test_a_syncing_task_with_a_disconnected_agent_is_stalled_but_flat_syncing_is_not() -> None:
    d = StallDetector()
    full: dict[str, Any] = {"copied": 1000, "total": 1000, "task_state": "SYNCING",
                            "state": "syncing"}
    for n in range(6):
        assert not d.update(fleet(item(**full)), n).stalled
    report = d.update(fleet(item(**full, connected=False)), 6)
    assert report.stalled["s1"].reason == "agent" and report.started


def test_setup_steps_and_finished_copies_are_not_watched_for_bytes() -> None:
    d = StallDetector()
    for n in range(6):
        report = d.update(fleet(item("a", copied=0, state="initialize"),
                                item("b", copied=1000, total=1000),
                                item("c", copied=5, task_state="ABORT", state="stopped"),
                                item("d", copied=5, task_state="MIGRATE_FAIL", state="error",
                                     connected=False)), n)
        assert not report.stalled, n


def test_stalls_present_at_the_first_poll_are_flagged_but_not_announced() -> None:
    d = StallDetector()
    report = d.update(fleet(item(connected=False)), 0)
    assert set(report.stalled) == {"s1"} and not report.started and report.changed == {"s1"}
    d.reset()
    report = d.update(fleet(item(connected=False)), 1)
    assert report.stalled and not report.started


def test_a_new_task_on_the_same_source_is_a_new_incident() -> None:
    d = StallDetector()
    d.update(fleet(item(copied=1)), 0)
    d.update(fleet(item(connected=False)), 1)
    report = d.update(fleet(item(connected=False, task_id="t2")), 2)
    assert [s.task_id for s in report.started] == ["t2"]


def test_a_source_that_disappears_is_forgotten() -> None:
    d = StallDetector()
    d.update(fleet(item(copied=1), item("s2", copied=1)), 0)
    report = d.update(fleet(item("s2", copied=1, connected=False)), 1)
    assert set(report.stalled) == {"s2"}
    report = d.update(fleet(), 2)
    assert not report.stalled and report.changed == {"s2"}


def test_a_restart_to_fewer_bytes_is_a_fresh_baseline() -> None:
    d = StallDetector()
    for n, copied in enumerate((500, 500, 500, 0, 0, 0)):
        report = d.update(fleet(item(copied=copied)), n)
        assert not report.stalled, n
    assert d.update(fleet(item(copied=0)), 6).stalled
