"""The migration engine, driven by a manual clock."""

from __future__ import annotations

import json

import pytest

from tui.api.errors import decode_error_json
from tui.sim import Engine, EngineConfig, ManualClock, SimError
from tui.sim import views
from tui.sim.engine import MINUTE
from tui.sim.fleet import SimSource, SimTask, layout

DAY_START = ManualClock.DEFAULT_START_MS  # 2026-01-01T00:00Z


def make(sources: int = 60, seed: int = 7, start: int | None = None) -> tuple[Engine, ManualClock]:
    clock = ManualClock(start)
    return Engine(EngineConfig(sources=sources, seed=seed), clock), clock


def fresh_task(engine: Engine, *, os_type: str = "LINUX", syncing: bool = False,
               speed_limit: int | None = None) -> tuple[SimTask, SimSource]:
    """A new READY task on an unconfigured, connected source of ``os_type``."""
    src = next(s for s in engine.sources.values()
               if s.task_id is None and s.state == "waiting" and s.os_type == os_type and s.connected)
    body = {"name": f"t-{src.name}", "type": "MIGRATE_BLOCK", "os_type": src.os_type,
            "source_server": {"id": src.id}, "target_server": {},
            "vm_template_id": next(iter(engine.templates)), "region_name": "r", "region_id": "r",
            "project_name": "p", "project_id": "p", "syncing": syncing}
    if speed_limit:
        body["speed_limit"] = speed_limit
    task = engine.tasks[engine.create_task(body)]
    return task, src


def run(engine: Engine, clock: ManualClock, seconds: float, step: float = 5.0) -> list[str]:
    """Advance in steps; the distinct task states seen (in order) for every task."""
    seen: list[str] = []
    t = 0.0
    while t < seconds:
        clock.advance(step)
        engine.sync()
        t += step
    return seen


def test_task_runs_from_ready_to_success_through_its_subtasks() -> None:
    engine, clock = make()
    task, src = fresh_task(engine)
    assert task.state == "READY" and src.state == "waiting" and src.migration_cycle == "setting"
    names = [s.name for s in task.subtasks]
    assert names == ["CREATE_CLOUD_SERVER", "SSL_CONFIG", "ATTACH_AGENT_IMAGE",
                     "FORMAT_DISK_LINUX_BLOCK", "MIGRATE_LINUX_BLOCK", "CONFIGURE_LINUX_BLOCK",
                     "DETTACH_AGENT_IMAGE"]
    engine.action(task.id, "start")
    assert task.state == "RUNNING" and src.state == "initialize"

    states, source_states, progress_seen = [task.state], [src.state], {n: [] for n in names}
    while task.state != "MIGRATE_SUCCESS":
        clock.advance(30)
        engine.sync()
        if task.state != states[-1]:
            states.append(task.state)
        if src.state != source_states[-1]:
            source_states.append(src.state)
        for s in task.subtasks:
            progress_seen[s.name].append(s.progress)
        assert clock.now_ms() - DAY_START < 7 * 86_400_000, "the task never finished"

    assert states == ["RUNNING", "MIGRATE_SUCCESS"]
    assert source_states == ["initialize", "replicate", "finished"]
    assert src.migration_cycle == "cutovered"
    # Every subtask ran to 100 with ordered, non-overlapping dates; progress never went back.
    previous_end = task.start_date
    for s in task.subtasks:
        assert s.progress == 100.0
        assert s.start_date is not None and s.end_date is not None
        assert previous_end <= s.start_date <= s.end_date
        previous_end = s.end_date
        seen = progress_seen[s.name]
        assert seen == sorted(seen)
    # The data step moved through intermediate values (a live bar, not a jump).
    assert any(0 < p < 100 for p in progress_seen["MIGRATE_LINUX_BLOCK"])
    assert task.replicated == pytest.approx(task.totalsize)
    assert task.finish_date == task.subtasks[-1].end_date
    body = views.task_item(engine, task, detail=True)
    assert body["state"] == "MIGRATE_SUCCESS" and body["replicatesize"] == body["totalsize"]


def test_windows_and_file_tasks_have_their_own_subtasks_and_sync_step() -> None:
    engine, _ = make(sources=120)
    win, _ = fresh_task(engine, os_type="WINDOWS", syncing=True)
    assert [s.name for s in win.subtasks][3:] == ["FORMAT_DISK_WINDOWS", "MIGRATE_WINDOWS_BLOCK",
                                                  "CONFIGURE_WINDOWS", "DETTACH_AGENT_IMAGE",
                                                  "SYNC_WINDOWS_BLOCK"]
    src = next(s for s in engine.sources.values()
               if s.task_id is None and s.state == "waiting" and s.os_type == "WINDOWS")
    with pytest.raises(SimError) as exc:
        engine.create_task({"name": "x", "type": "MIGRATE_FILE", "os_type": "WINDOWS",
                            "source_server": {"id": src.id}, "target_server": {},
                            "vm_template_id": next(iter(engine.templates))})
    assert exc.value.code == "SMS.7712"


def test_stop_midway_goes_through_aborting_to_abort_and_start_resumes() -> None:
    engine, clock = make()
    task, src = fresh_task(engine)
    engine.action(task.id, "start")
    while task.cur < 4 or task.replicated < task.totalsize * 0.1:
        clock.advance(60)
        engine.sync()
    copied = task.replicated
    engine.action(task.id, "stop")
    assert task.state == "ABORTING" and src.state == "stopping"
    clock.advance(2)
    engine.sync()
    assert task.state == "ABORTING"
    assert task.replicated == copied, "nothing is copied while stopping"
    clock.advance(10)
    engine.sync()
    assert task.state == "ABORT" and src.state == "stopped"
    with pytest.raises(SimError) as exc:
        engine.action(task.id, "stop")
    assert exc.value.status == 400 and exc.value.code == "SMS.7714"
    clock.advance(600)
    engine.sync()
    assert task.replicated == copied, "a stopped task does not move"
    engine.action(task.id, "start")
    assert task.state == "RUNNING" and src.state == "replicate"
    clock.advance(120)
    engine.sync()
    assert task.replicated > copied, "start resumes where the stop left off"
    assert [c["command_name"] for c in src.commands][-3:] == ["START", "STOP", "START"]


def rule_speeds(engine: Engine, task: SimTask, src: SimSource, hours: int) -> dict[int, list[float]]:
    """Mbit/s seen in each local hour (sampled every minute)."""
    seen: dict[int, list[float]] = {}
    for minute in range(hours * 60):
        t = engine.now + minute * MINUTE
        local_hour = ((t // MINUTE + src.tz_offset_min) % 1440) // 60
        speed, _ = engine.speed_at(task, src, t)
        seen.setdefault(local_hour, []).append(speed)
    return seen


def test_speed_limit_rule_caps_speed_in_its_window_only() -> None:
    engine, clock = make()
    task, src = fresh_task(engine)
    src.bandwidth_mbit = 500.0
    src.burst = 0.02
    engine.set_speed_limits(task.id, [(0, 8 * 60, 20, None)])  # 00:00–08:00 local, 20 Mbit/s
    speeds = rule_speeds(engine, task, src, 24)
    for hour, values in speeds.items():
        if hour < 8:
            assert max(values) <= 20 * 1.02 + 1e-9, hour
            assert min(values) >= 20 * 0.99, hour  # it is a cap, not a stall
        else:
            assert min(values) >= 500 * 0.75 - 1e-9, hour
    # And the engine uses it: a task copying inside the window moves at ≤ 20.4 Mbit/s.
    local_now = ((clock.now_ms() // MINUTE + src.tz_offset_min) % 1440)
    clock.advance(((1440 - local_now) % 1440) * 60)  # local midnight
    engine.sync()
    task.totalsize = 500 * 1024**3
    engine.action(task.id, "start")
    clock.advance(600)  # 00:10 local: the setup steps are done, the copy is under way
    engine.sync()
    assert task.subtasks[task.cur].kind == "data"
    before = task.replicated
    clock.advance(3600)
    engine.sync()
    mbit = (task.replicated - before) * 8 / 1e6 / 3600
    assert 19.8 <= mbit <= 20.4 + 1e-6
    assert task.speed_mbit <= 20.4 + 1e-6


def test_task_level_speed_limit_caps_every_hour() -> None:
    engine, _ = make()
    task, src = fresh_task(engine, speed_limit=30)
    src.bandwidth_mbit = 1000.0
    speeds = rule_speeds(engine, task, src, 24)
    assert max(max(v) for v in speeds.values()) <= 30 * (1 + src.burst) + 1e-9


def test_overspeed_threshold_stops_the_task() -> None:
    engine, clock = make()
    task, src = fresh_task(engine)
    src.bandwidth_mbit = 1000.0
    src.burst = 0.6  # a throttle that overshoots a lot
    engine.set_speed_limits(task.id, [(0, 1440, 100, 5.0)])
    engine.action(task.id, "start")
    for _ in range(24 * 60):
        clock.advance(60)
        engine.sync()
        if task.state != "RUNNING":
            break
    assert task.state in ("ABORTING", "ABORT")
    assert "overspeed" in task.stop_reason
    clock.advance(30)
    engine.sync()
    assert task.state == "ABORT" and src.state == "stopped"


def test_state_is_independent_of_how_time_is_sliced() -> None:
    a, clock_a = make(seed=11)
    b, clock_b = make(seed=11)
    clock_a.advance(5 * 3600)
    a.sync()
    for _ in range(5 * 360):
        clock_b.advance(10)
        b.sync()
    for tid, ta in a.tasks.items():
        tb = b.tasks[tid]
        assert (ta.state, ta.cur) == (tb.state, tb.cur), tid
        assert ta.replicated == pytest.approx(tb.replicated, rel=1e-9, abs=1.0)
        assert [s.end_date for s in ta.subtasks] == [s.end_date for s in tb.subtasks]
    assert [s.state for s in a.sources.values()] == [s.state for s in b.sources.values()]


def test_same_seed_same_fleet_other_seed_other_fleet() -> None:
    a, _ = make(sources=200, seed=5)
    b, _ = make(sources=200, seed=5)
    c, _ = make(sources=200, seed=6)
    dump = lambda e: json.dumps([views.source_detail(e, e.sources[i]) for i in e.order])  # noqa: E731
    assert dump(a) == dump(b)
    assert dump(a) != dump(c)


def test_failures_happen_by_seed_with_catalogue_codes() -> None:
    engine, clock = make(sources=300, seed=2)
    failed = [t for t in engine.tasks.values() if t.state == "MIGRATE_FAIL"]
    assert failed, "a 300-source fleet has failed tasks"
    for t in failed:
        explained = decode_error_json(t.error_json)
        assert explained is not None and explained.known, t.error_json
        assert engine.sources[t.source_id].state == "error"
    errors = engine.errors({})
    assert len(errors) == len(failed)
    # Some running tasks are seeded to fail later; time makes them fail.
    doomed = [t for t in engine.tasks.values() if t.state == "RUNNING" and t.fail_at is not None]
    assert doomed
    for _ in range(48):
        clock.advance(1800)
        engine.sync()
    assert all(t.state == "MIGRATE_FAIL" for t in doomed)
    # Checks: unavailable sources have an ERROR check with a catalogue code; some warn.
    unavailable = [s for s in engine.sources.values() if s.state == "unavailable"]
    assert unavailable
    for s in unavailable:
        errs = [c for c in views.checks(s, problems_only=True) if c["result"] == "ERROR"]
        assert errs and all(c["error_code"].startswith("SMS.65") for c in errs)
    assert any(c["result"] == "WARN" for s in engine.sources.values()
               for c in views.checks(s, problems_only=True))
    # Disconnected agents exist and their tasks do not move.
    away = [s for s in engine.sources.values() if not s.connected and s.task_id]
    assert away
    task = engine.tasks[away[0].task_id]
    before = task.replicated
    clock.advance(3600)
    engine.sync()
    assert task.replicated == before


def test_syncing_task_syncs_then_test_cuts_over() -> None:
    engine, clock = make()
    task, src = fresh_task(engine, syncing=True)
    task.totalsize = 5 * 1024**3
    engine.action(task.id, "start")
    for _ in range(24 * 60):
        clock.advance(60)
        engine.sync()
        if task.state == "SYNCING":
            break
    assert task.state == "SYNCING" and src.state == "syncing" and src.migration_cycle == "syncing"
    sync = task.subtasks[-1]
    assert sync.name == "SYNC_LINUX_BLOCK"
    rounds = task.sync_round
    clock.advance(3600)
    engine.sync()
    assert task.sync_round > rounds, "sync rounds keep coming"
    with pytest.raises(SimError):
        engine.action(task.id, "clone_test", "no-such-template")
    engine.action(task.id, "clone_test", next(iter(engine.templates)))
    assert src.state == "cloning" and task.clone_server["clone_state"] == "cloning"
    clock.advance(90)
    engine.sync()
    assert task.clone_server["clone_state"] == "success" and src.state == "syncing"
    engine.action(task.id, "test")
    assert src.state == "cutovering" and src.migration_cycle == "cutovering"
    clock.advance(60)
    engine.sync()
    assert task.state == "MIGRATE_SUCCESS" and src.state == "finished"
    assert src.migration_cycle == "cutovered"


def test_restart_after_failure_starts_over() -> None:
    engine, clock = make(sources=300, seed=2)
    task = next(t for t in engine.tasks.values() if t.state == "MIGRATE_FAIL"
                and engine.sources[t.source_id].connected)
    engine.action(task.id, "restart")
    assert task.state == "RUNNING" and task.replicated == 0 and task.error_json == ""
    assert all(s.progress == 0 for s in task.subtasks)
    clock.advance(120)
    engine.sync()
    assert task.subtasks[0].progress > 0


def test_realistic_fleet() -> None:
    engine, _ = make(sources=400, seed=1)
    srcs = list(engine.sources.values())
    assert {s.os_type for s in srcs} == {"LINUX", "WINDOWS"}
    assert len({s.os_version for s in srcs}) >= 10
    styles = {d["partition_style"] for s in srcs for d in layout(s)["disks"]}
    assert styles == {"MBR", "GPT"}
    assert any(layout(s)["volume_groups"] for s in srcs)
    btrfs = [b for s in srcs for b in layout(s)["btrfs_list"]]
    assert btrfs and all(len(b["subvolume"]) >= 3 for b in btrfs)
    assert any(len(layout(s)["networks"]) > 1 for s in srcs)
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in s.name) for s in srcs)
    assert any(len(s.name) > 50 for s in srcs)
    assert len(engine.templates) >= 3
    projects = {s.migprojectid for s in srcs}
    assert projects == set(engine.projects)
    # The overview adds up.
    ov = engine.overview({})
    assert sum(v for k, v in ov.items() if k != "unconfigured") == len(srcs)
    assert ov["unconfigured"] == sum(1 for s in srcs if not s.task_id)


def test_changestate_follows_the_catalogue_rules() -> None:
    engine, _ = make()
    src = next(iter(engine.sources.values()))
    with pytest.raises(SimError) as exc:
        engine.change_state(src.id, {})
    assert exc.value.code == "SMS.7726"
    with pytest.raises(SimError) as exc:
        engine.change_state(src.id, {"copystate": "FINISHED", "migrationcycle": "checking"})
    assert exc.value.code == "SMS.7728"
    engine.change_state(src.id, {"copystate": "WAITING", "migrationcycle": "checking"})
    assert (src.state, src.migration_cycle) == ("waiting", "checking")
