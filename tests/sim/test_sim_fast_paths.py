"""The simulator's fast paths keep its answers: time in steps, agents' last visit read lazily,
list checks built once per plan."""

from __future__ import annotations

import time

from tui.sim import Engine, EngineConfig, ManualClock, RealClock
from tui.sim import views


def test_real_clock_moves_in_steps_so_a_burst_of_requests_syncs_once() -> None:
    clock = RealClock(speed=60, tick=0.2)
    first = clock.now_ms()
    assert clock.now_ms() == first  # same step: the engine does not advance again
    time.sleep(0.45)
    later = clock.now_ms()
    assert later - first in (24_000, 36_000)  # whole steps of 0.2 s x 60


def test_connected_agents_report_at_every_step_and_a_lost_one_keeps_its_last_visit() -> None:
    clock = ManualClock()
    engine = Engine(EngineConfig(sources=30, seed=3), clock)
    away = next(s for s in engine.sources.values() if not s.connected)
    here = next(s for s in engine.sources.values() if s.connected)
    before_away = views.source_item(engine, away)["last_visit_time"]
    clock.advance(90)
    engine.sync()
    assert views.source_item(engine, here)["last_visit_time"] == engine.now
    assert views.source_item(engine, away)["last_visit_time"] == before_away
    engine.change_state(here.id, {"copystate": "UNCONNECTED", "migrationcycle":
                                  here.migration_cycle})
    went_away = engine.now
    clock.advance(60)
    engine.sync()
    assert views.source_item(engine, here)["last_visit_time"] == went_away


def test_list_checks_follow_a_new_plan() -> None:
    engine = Engine(EngineConfig(sources=10, seed=5), ManualClock())
    src = next(iter(engine.sources.values()))
    assert views.source_item(engine, src)["checks"] == views.checks(src, problems_only=True)
    src.check_plan = (("cpu", "ERROR", "SMS.1234", ("x",)),)
    got = views.source_item(engine, src)["checks"]
    assert [c["name"] for c in got] == ["cpu"] and got[0]["error_code"] == "SMS.1234"
