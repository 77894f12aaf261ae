"""The migration engine: a seeded fleet whose tasks move with the simulator's clock.

The engine is advanced lazily (on each request) but its state is a pure function of the seed,
the actions taken and the time: speeds change only on whole minutes (of a grid shared by every
source, since time-zone offsets are whole minutes) and every event (a subtask ending, a stop
completing, a failure) happens at an exact computed instant, so advancing by one hour in one
step or in 3,600 steps gives the same fleet.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from tui.api.actions import refusal
from tui.api.errors import explain
from tui.sim.clock import Clock, ManualClock
from tui.sim.fleet import (
    GiB,
    TASK_FAILURES,
    SimProject,
    SimSource,
    SimSubtask,
    SimTask,
    SimTemplate,
    check_plan,
    default_projects,
    default_templates,
    layout,
    make_id,
    new_source,
    pick_scenario,
)

MINUTE = 60_000
MASK64 = (1 << 64) - 1

FIXED_MS = {
    "CREATE_CLOUD_SERVER": 45_000,
    "SSL_CONFIG": 10_000,
    "ATTACH_AGENT_IMAGE": 20_000,
    "FORMAT_DISK_LINUX_BLOCK": 30_000,
    "FORMAT_DISK_LINUX_FILE": 30_000,
    "FORMAT_DISK_WINDOWS": 40_000,
    "CONFIGURE_LINUX_BLOCK": 40_000,
    "CONFIGURE_LINUX_FILE": 40_000,
    "CONFIGURE_WINDOWS": 60_000,
    "DETTACH_AGENT_IMAGE": 15_000,
}
TRACE = {
    "CREATE_CLOUD_SERVER": "Creating the target server",
    "SSL_CONFIG": "Setting up the secure channel to the target",
    "ATTACH_AGENT_IMAGE": "Attaching the agent image disk",
    "FORMAT_DISK_LINUX_BLOCK": "Partitioning target disks",
    "FORMAT_DISK_LINUX_FILE": "Partitioning and formatting target disks",
    "FORMAT_DISK_WINDOWS": "Partitioning and formatting target disks (NTFS)",
    "CONFIGURE_LINUX_BLOCK": "Updating fstab, grub and drivers on the target",
    "CONFIGURE_LINUX_FILE": "Updating fstab, grub and drivers on the target",
    "CONFIGURE_WINDOWS": "Injecting drivers and updating the registry on the target",
    "DETTACH_AGENT_IMAGE": "Detaching the agent image disk",
}
STOP_MS = 8_000
CUTOVER_MS = 30_000
CLONE_MS = 60_000
SYNC_EVERY_MS = 10 * MINUTE

SOURCE_STATES = ("unavailable", "waiting", "initialize", "replicate", "syncing", "stopping",
                 "stopped", "deleting", "error", "cloning", "cutovering", "finished")
ACTIVE_TASK_STATES = frozenset({"RUNNING", "SYNCING", "ABORTING"})
BUSY_TASK_STATES = frozenset({"RUNNING", "SYNCING", "ABORTING"})

# copystate → state, and which states each migration cycle allows (error SMS.7728).
COPYSTATE = {"UNAVAILABLE": "unavailable", "WAITING": "waiting", "INIT": "initialize",
             "REPLICATE": "replicate", "SYNCING": "syncing", "STOPPING": "stopping",
             "STOPPED": "stopped", "DELETING": "deleting", "ERROR": "error", "CLONING": "cloning",
             "CUTOVERING": "cutovering", "FINISHED": "finished", "UNCONNECTED": "unconnected"}
CYCLE_STATES = {
    "checking": {"unavailable", "waiting", "unconnected"},
    "setting": {"waiting", "unconnected"},
    "replicating": {"initialize", "replicate", "deleting", "stopping", "error", "stopped",
                    "unconnected"},
    "syncing": {"syncing", "cloning", "deleting", "stopping", "error", "stopped", "unconnected"},
    "cutovering": {"cutovering", "deleting", "stopping", "error", "stopped", "unconnected"},
    "cutovered": {"finished", "deleting", "stopping", "error", "stopped", "unconnected"},
}


class SimError(Exception):
    """An SMS error the simulator answers with: HTTP status, catalogue code and params."""

    def __init__(self, status: int, code: str, *params: str) -> None:
        super().__init__(f"{status} {code} {params}")
        self.status = status
        self.code = code
        self.params = tuple(str(p) for p in params)


def not_found(code: str, ident: str) -> SimError:
    """A missing task, source, template or project: the reference's table gives these 400 with
    the object's own code (SMS.7703, SMS.7602, SMS.7101, SMS.7301), never 404."""
    return SimError(400, code, ident)


def invalid(field: str, why: str) -> SimError:
    """400 ``SMS.9001`` naming the field."""
    return SimError(400, "SMS.9001", f"{field}: {why}")


def noise(seed: int, k: int) -> float:
    """A deterministic pseudo-random number in [0, 1) for (seed, k) (splitmix64)."""
    x = (seed * 0x9E3779B97F4A7C15 + (k + 1) * 0xBF58476D1CE4E5B9) & MASK64
    x ^= x >> 31
    x = (x * 0x94D049BB133111EB) & MASK64
    x ^= x >> 29
    x = (x * 0xBF58476D1CE4E5B9) & MASK64
    x ^= x >> 32
    return (x >> 11) / float(1 << 53)


def subtask_names(os_type: str, task_type: str, syncing: bool) -> list[str]:
    """The subtasks of a task for its OS and type (plus the sync step when syncing)."""
    if os_type == "WINDOWS":
        fmt, mig, cfg, syn = ("FORMAT_DISK_WINDOWS", "MIGRATE_WINDOWS_BLOCK", "CONFIGURE_WINDOWS",
                              "SYNC_WINDOWS_BLOCK")
    elif task_type == "MIGRATE_FILE":
        fmt, mig, cfg, syn = ("FORMAT_DISK_LINUX_FILE", "MIGRATE_LINUX_FILE",
                              "CONFIGURE_LINUX_FILE", "SYNC_LINUX_FILE")
    else:
        fmt, mig, cfg, syn = ("FORMAT_DISK_LINUX_BLOCK", "MIGRATE_LINUX_BLOCK",
                              "CONFIGURE_LINUX_BLOCK", "SYNC_LINUX_BLOCK")
    names = ["CREATE_CLOUD_SERVER", "SSL_CONFIG", "ATTACH_AGENT_IMAGE", fmt, mig, cfg,
             "DETTACH_AGENT_IMAGE"]
    if syncing:
        names.append(syn)
    return names


def make_subtasks(seed: int, names: Iterable[str]) -> list[SimSubtask]:
    subs = []
    for k, name in enumerate(names):
        kind = "data" if name.startswith("MIGRATE_") else "sync" if name.startswith("SYNC_") else "fixed"
        subs.append(SimSubtask(id=(seed % 900_000) * 10 + k + 1, name=name, kind=kind,
                               duration_ms=FIXED_MS.get(name, 0)))
    return subs


def fmt_size(n: float) -> str:
    return f"{n / GiB:.1f} GiB"


@dataclass(frozen=True)
class EngineConfig:
    sources: int = 40
    seed: int = 0
    region: str = "sim-region-1"
    project_id: str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


class _InOrder(Sequence[SimSource]):
    """The sources in list order, looked up only when read."""

    def __init__(self, sources: Mapping[str, SimSource], order: list[str]) -> None:
        self._sources = sources
        self._order = order

    def __len__(self) -> int:
        return len(self._order)

    @overload
    def __getitem__(self, index: int) -> SimSource: ...
    @overload
    def __getitem__(self, index: slice) -> list[SimSource]: ...
    def __getitem__(self, index: int | slice) -> SimSource | list[SimSource]:
        if isinstance(index, slice):
            return [self._sources[i] for i in self._order[index]]
        return self._sources[self._order[index]]

    def __iter__(self) -> Iterator[SimSource]:
        return (self._sources[i] for i in self._order)


class Engine:
    """The simulated SMS: sources, tasks, templates, projects, errors, moving with ``clock``."""

    def __init__(self, config: EngineConfig | None = None, clock: Clock | None = None) -> None:
        self.config = config or EngineConfig()
        self.clock: Clock = clock or ManualClock()
        self.now = self.clock.now_ms()
        self.sources: dict[str, SimSource] = {}
        self.order: list[str] = []
        """Source ids, newest registration first (the list order)."""
        self.tasks: dict[str, SimTask] = {}
        self.task_order: list[str] = []
        self.templates: dict[str, SimTemplate] = {}
        self.projects: dict[str, SimProject] = {}
        self.active: set[str] = set()
        self._moved_at: int | None = None
        """When sync last moved the world (connected agents' last visit)."""
        self.rng = random.Random(self.config.seed)
        self._generate()

    # -- generation ------------------------------------------------------------------------

    def _generate(self) -> None:
        rng = self.rng
        cfg = self.config
        for tpl in default_templates(rng, cfg.region, cfg.project_id):
            self.templates[tpl.id] = tpl
        for proj in default_projects(rng, cfg.region):
            self.projects[proj.id] = proj
        project_ids = list(self.projects)
        template_ids = list(self.templates)
        now = self.now
        made: list[SimSource] = []
        for i in range(cfg.sources):
            src = new_source(rng, i, now)
            r = rng.random()
            src.migprojectid = project_ids[0 if r < 0.4 else 1 + int((r - 0.4) / 0.6 * (len(project_ids) - 1))]
            scenario = pick_scenario(rng)
            src.check_plan = check_plan(rng, src, scenario == "unavailable")
            self.sources[src.id] = src
            made.append(src)
            if scenario == "unavailable":
                self._set_source(src, "unavailable", "checking", src.add_date)
                continue
            if scenario == "unconfigured":
                self._set_source(src, "waiting", "setting", src.add_date)
                continue
            self._seed_task(rng, src, scenario, template_ids[rng.randrange(len(template_ids))])
        made.sort(key=lambda s: -s.add_date)
        self.order = [s.id for s in made]

    def _project_of(self, src: SimSource) -> dict[str, Any]:
        proj = self.projects.get(src.migprojectid)
        return proj.body if proj else {}

    def _new_task(self, rng: random.Random, src: SimSource, *, task_type: str, syncing: bool,
                  template_id: str | None, created: int) -> SimTask:
        seed = rng.getrandbits(32)
        if src.os_type == "WINDOWS":
            task_type = "MIGRATE_BLOCK"
        task = SimTask(
            id=make_id(rng), name=f"{src.name}", type=task_type, os_type=src.os_type,
            source_id=src.id, state="READY", create_date=created, seed=seed,
            subtasks=make_subtasks(seed, subtask_names(src.os_type, task_type, syncing)),
            totalsize=src.used_bytes, syncing=syncing, template_id=template_id,
            compress_rate=round(1.2 + noise(seed, 7) * 1.3, 2),
            region_id=self.config.region, region_name=self.config.region,
            project_id=self.config.project_id, project_name=self.config.region,
            migration_ip=f"192.168.{(seed >> 8) & 255}.{(seed & 253) + 2}",
            target_vm_id=make_id(rng), target_name=f"{src.name}-target",
        )
        self.tasks[task.id] = task
        self.task_order.insert(0, task.id)
        src.task_id = task.id
        return task

    def _seed_task(self, rng: random.Random, src: SimSource, scenario: str, template_id: str) -> None:
        proj = self._project_of(src)
        now = self.now
        created = now - rng.randrange(2 * 3_600_000, 3 * 86_400_000)
        task = self._new_task(rng, src, task_type=proj.get("type", "MIGRATE_BLOCK"),
                              syncing=bool(proj.get("syncing")), template_id=template_id,
                              created=created)
        r = rng.random()
        if r < 0.2:
            task.rules = [(0, 480, 50, 50.0), (480, 1080, 20, 50.0), (1080, 1440, 100, 50.0)]
        elif r < 0.3:
            task.speed_limit = (50, 100, 200)[rng.randrange(3)]
        if scenario == "ready":
            self._set_source(src, "waiting", "setting", created)
            return
        mig = next(k for k, s in enumerate(task.subtasks) if s.kind == "data")
        if scenario == "syncing" and not task.syncing:
            task.syncing = True
            task.subtasks = make_subtasks(task.seed, subtask_names(src.os_type, task.type, True))
        if scenario in ("running", "disconnected", "failed", "stopped"):
            if scenario == "running" and rng.random() < 0.15:
                cur, frac = rng.randrange(mig), 0.0
            else:
                cur, frac = mig, rng.uniform(0.02, 0.95)
        else:  # syncing / finished: the bulk copy is done
            cur, frac = len(task.subtasks) - (1 if task.syncing else 0), 1.0
        stopped_at = now - rng.randrange(MINUTE, 6 * 3_600_000) if scenario in ("failed", "stopped") else now
        self._backfill(task, src, cur, frac, stopped_at)
        src.migration_cycle = "replicating"
        if scenario in ("running", "disconnected"):
            self._set_state(task, src, "RUNNING", task.start_date or now)
            if task.subtasks[task.cur].kind == "data" and scenario == "running":
                speed, _ = self.speed_at(task, src, now)
                task.speed_mbit = task.subtasks[task.cur].migrate_speed = speed
            if scenario == "disconnected":
                src.connected = False
                src.last_visit_time = now - rng.randrange(10 * MINUTE, 180 * MINUTE)
            elif rng.random() < 0.08:
                task.fail_at = min(0.99, frac + rng.uniform(0.01, 0.3))
                task.fail_code, task.fail_params = TASK_FAILURES[rng.randrange(len(TASK_FAILURES))]
        elif scenario == "failed":
            code, params = TASK_FAILURES[rng.randrange(len(TASK_FAILURES))]
            task.fail_code, task.fail_params = code, params
            self._fail(task, src, stopped_at)
        elif scenario == "stopped":
            self._set_state(task, src, "ABORT", stopped_at)
        elif scenario == "syncing":
            self._set_state(task, src, "SYNCING", now)
            sync = task.subtasks[-1]
            sync.start_date = now - rng.randrange(MINUTE, SYNC_EVERY_MS)
            sync.progress = 100.0
            sync.end_date = sync.start_date + 20_000
            task.sync_round = 1
        else:  # finished
            task.finish_date = now - rng.randrange(MINUTE, 86_400_000)
            self._set_state(task, src, "MIGRATE_SUCCESS", task.finish_date)

    def _backfill(self, task: SimTask, src: SimSource, cur: int, frac: float,
                  end: int | None = None) -> None:
        """Make a task look as if it had run up to subtask ``cur`` (data fraction ``frac``)
        by ``end`` (default now)."""
        t = self.now if end is None else end
        speed = src.bandwidth_mbit * 0.87
        spans: list[tuple[int, int]] = []
        for k in range(min(cur, len(task.subtasks) - 1), -1, -1):
            sub = task.subtasks[k]
            if sub.kind == "fixed":
                took = sub.duration_ms if k < cur else int(sub.duration_ms * 0.4)
            elif sub.kind == "data":
                part = frac if k == cur else 1.0
                took = int(task.totalsize * part / (speed * 125))
            else:
                took = 0
            spans.append((t - took, t))
            t -= took
        spans.reverse()
        task.replicated = task.totalsize * frac
        for k, (start, end) in enumerate(spans):
            sub = task.subtasks[k]
            sub.start_date = start
            if k < cur:
                sub.end_date, sub.progress = end, 100.0
                sub.process_trace = self._trace(task, sub, done=True)
            else:
                sub.progress = (frac * 100) if sub.kind == "data" else 40.0
                sub.process_trace = self._trace(task, sub)
        task.cur = min(cur, len(task.subtasks))
        task.replicated = task.totalsize * frac
        task.start_date = spans[0][0] if spans else self.now

    # -- source bookkeeping ----------------------------------------------------------------

    def _set_source(self, src: SimSource, state: str, cycle: str | None, at: int) -> None:
        if src.state != state:
            src.state = state
            src.state_action_time = at
        if cycle and src.migration_cycle != cycle:
            src.migration_cycle = cycle
            src.stage_action_time = at

    def _set_state(self, task: SimTask, src: SimSource | None, state: str, at: int) -> None:
        """Move ``task`` to ``state`` and its source to the matching state and cycle."""
        task.state = state
        if state in ACTIVE_TASK_STATES and not task.external:
            self.active.add(task.id)
        elif task.until_ms is None:
            self.active.discard(task.id)
        if src is None:
            return
        if state == "READY":
            self._set_source(src, "waiting", "setting", at)
        elif state == "RUNNING":
            data_at = next((k for k, s in enumerate(task.subtasks) if s.kind == "data"), 0)
            self._set_source(src, "initialize" if task.cur < data_at else "replicate",
                             "replicating", at)
        elif state == "SYNCING":
            self._set_source(src, "syncing", "syncing", at)
        elif state == "ABORTING":
            self._set_source(src, "stopping", None, at)
        elif state == "ABORT":
            self._set_source(src, "stopped", None, at)
        elif state == "MIGRATE_FAIL":
            self._set_source(src, "error", None, at)
        elif state == "MIGRATE_SUCCESS":
            self._set_source(src, "finished", "cutovered", at)

    def _fail(self, task: SimTask, src: SimSource, at: int) -> None:
        params = [p.format(target_ip=task.migration_ip) for p in task.fail_params]
        task.error_json = json.dumps({"error_code": task.fail_code,
                                      "error_param": json.dumps(params)})
        sub = task.subtasks[min(task.cur, len(task.subtasks) - 1)]
        sub.process_trace = f"Failed: {explain(task.fail_code, params).message}"
        sub.migrate_speed = 0.0
        task.speed_mbit = 0.0
        task.fail_at = None
        task.finish_date = at
        self._set_state(task, src, "MIGRATE_FAIL", at)

    # -- time --------------------------------------------------------------------------------

    def sync(self) -> int:
        """Advance everything to the clock's time; returns it."""
        now = self.clock.now_ms()
        if now > self.now:
            for tid in sorted(self.active):
                task = self.tasks.get(tid)
                if task is None:
                    self.active.discard(tid)
                    continue
                self._advance(task, self.now, now)
            # Every connected agent visits on every step: read through visited_at instead of
            # writing 10,000 sources' last_visit_time on every request.
            self._moved_at = now
            self.now = now
        return self.now

    def visited_at(self, src: SimSource) -> int:
        """The agent's last visit: the last time the world moved while it is connected (every
        connected agent reports on every step), else when it went away."""
        if src.connected and self._moved_at is not None:
            return max(src.last_visit_time, self._moved_at)
        return src.last_visit_time

    def _rule_at(self, task: SimTask, src: SimSource, t: int) -> tuple[int, int, int, float | None] | None:
        if not task.rules:
            return None
        local = ((t // MINUTE) + src.tz_offset_min) % 1440
        for rule in task.rules:
            if rule[0] <= local < rule[1]:
                return rule
        return None

    def limit_at(self, task: SimTask, src: SimSource, t: int) -> tuple[float | None, float | None]:
        """The speed cap (Mbit/s) in force at ``t`` and its overspeed threshold (%)."""
        rule = self._rule_at(task, src, t)
        caps = []
        threshold = None
        if rule is not None and rule[2] > 0:
            caps.append(float(rule[2]))
            threshold = rule[3]
        if task.speed_limit:
            caps.append(float(task.speed_limit))
        return (min(caps) if caps else None), threshold

    def speed_at(self, task: SimTask, src: SimSource, t: int) -> tuple[float, bool]:
        """(Mbit/s during the minute containing ``t``, whether it breaks the overspeed threshold)."""
        if not src.connected:
            return 0.0, False
        minute = t // MINUTE
        link = src.bandwidth_mbit * (0.75 + 0.25 * noise(task.seed, minute))
        cap, threshold = self.limit_at(task, src, t)
        if cap is None:
            return link, False
        actual = min(link, cap * (1 + src.burst * noise(task.seed ^ 0x5BD1, minute)))
        over = bool(threshold) and actual > cap * (1 + threshold / 100)  # type: ignore[operator]
        return actual, over

    def _advance(self, task: SimTask, start: int, end: int) -> None:
        src = self.sources.get(task.source_id)
        if src is None:
            self.active.discard(task.id)
            return
        t = start
        guard = 0
        while t < end:
            guard += 1
            if guard > 1_000_000:  # pragma: no cover - a bug, not a state
                raise RuntimeError("engine did not converge")
            if task.until_ms is not None:
                if task.until_ms > end:
                    return
                t = task.until_ms
                self._finish_transition(task, src, t)
                continue
            if task.state not in ("RUNNING", "SYNCING") or task.external:
                self.active.discard(task.id)
                return
            if not src.connected:
                return  # the agent is away: nothing moves until it is back
            if task.cur >= len(task.subtasks):
                self._complete(task, src, t)
                continue
            sub = task.subtasks[task.cur]
            if sub.start_date is None:
                sub.start_date = t
            if sub.kind == "fixed":
                done_at = sub.start_date + sub.duration_ms
                if done_at <= end:
                    t = max(t, done_at)
                    self._finish_subtask(task, src, sub, t)
                else:
                    sub.progress = min(99.0, (end - sub.start_date) * 100 / max(1, sub.duration_ms))
                    sub.process_trace = self._trace(task, sub)
                    t = end
            elif sub.kind == "data":
                t = self._copy(task, src, sub, t, end)
            else:
                t = self._sync_step(task, src, sub, t, end)

    def _copy(self, task: SimTask, src: SimSource, sub: SimSubtask, t: int, end: int) -> int:
        seg_end = min(end, (t // MINUTE + 1) * MINUTE)
        speed, over = self.speed_at(task, src, t)
        if over:
            cap, threshold = self.limit_at(task, src, t)
            task.stop_reason = (f"stopped by the overspeed guard: {speed:.0f} Mbit/s is more than "
                                f"{threshold:g}% over the {cap:.0f} Mbit/s limit")
            sub.process_trace = task.stop_reason
            task.speed_mbit = sub.migrate_speed = 0.0
            task.until_ms = t + STOP_MS
            task.after = "ABORT"
            self._set_state(task, src, "ABORTING", t)
            return t
        rate = speed * 125.0  # bytes per ms
        need = task.totalsize - task.replicated
        fail_bytes = (task.fail_at * task.totalsize - task.replicated) if task.fail_at is not None else None
        span = seg_end - t
        moved = rate * span
        task.speed_mbit = sub.migrate_speed = speed
        if fail_bytes is not None and fail_bytes <= moved and fail_bytes <= need:
            at = t + (int(fail_bytes / rate) if rate else 0)
            task.replicated += max(0.0, fail_bytes)
            sub.progress = task.replicated * 100 / max(1, task.totalsize)
            self._fail(task, src, at)
            return at
        if moved >= need:
            at = t + (int(need / rate) + 1 if rate else 0)
            task.replicated = float(task.totalsize)
            self._finish_subtask(task, src, sub, min(at, seg_end))
            return min(at, seg_end)
        task.replicated += moved
        sub.progress = task.replicated * 100 / max(1, task.totalsize)
        sub.process_trace = self._trace(task, sub)
        return seg_end

    def _sync_step(self, task: SimTask, src: SimSource, sub: SimSubtask, t: int, end: int) -> int:
        if sub.progress >= 100.0:
            # Idle until the next sync round on the shared 10-minute grid.
            nxt = (t // SYNC_EVERY_MS + 1) * SYNC_EVERY_MS
            if nxt > end:
                task.speed_mbit = sub.migrate_speed = 0.0
                return end
            task.sync_round += 1
            task.sync_delta = task.totalsize * (0.002 + 0.02 * noise(task.seed, nxt // SYNC_EVERY_MS))
            sub.progress, sub.start_date, sub.end_date = 0.0, nxt, None
            task.replicated = float(task.totalsize) - task.sync_delta
            return nxt
        seg_end = min(end, (t // MINUTE + 1) * MINUTE)
        speed, _ = self.speed_at(task, src, t)
        rate = speed * 125.0
        need = task.totalsize - task.replicated
        moved = rate * (seg_end - t)
        task.speed_mbit = sub.migrate_speed = speed
        if moved >= need:
            at = min(seg_end, t + (int(need / rate) + 1 if rate else 0))
            task.replicated = float(task.totalsize)
            sub.progress, sub.end_date = 100.0, at
            sub.process_trace = f"Sync round {task.sync_round} finished at {self._clock_text(at)}"
            return at
        task.replicated += moved
        sub.progress = 100 - need * 100 / max(1.0, task.sync_delta)
        sub.process_trace = f"Sync round {task.sync_round}: {fmt_size(task.sync_delta - need + moved)} of {fmt_size(task.sync_delta)}"
        return seg_end

    @staticmethod
    def _clock_text(ms: int) -> str:
        m = (ms // MINUTE) % 1440
        return f"{m // 60:02d}:{m % 60:02d} UTC"

    def _finish_subtask(self, task: SimTask, src: SimSource, sub: SimSubtask, at: int) -> None:
        sub.progress, sub.end_date = 100.0, at
        sub.migrate_speed = 0.0 if sub.kind != "data" else sub.migrate_speed
        sub.process_trace = self._trace(task, sub, done=True)
        task.cur += 1
        if task.cur < len(task.subtasks):
            nxt = task.subtasks[task.cur]
            nxt.start_date = at
            if nxt.kind == "data":
                self._set_source(src, "replicate", "replicating", at)
            elif nxt.kind == "sync":
                task.speed_mbit = 0.0
                nxt.progress, nxt.end_date = 100.0, at
                task.sync_round = 1
                nxt.process_trace = "Continuous synchronization: waiting for the next round"
                self._set_state(task, src, "SYNCING", at)
                self._command(src, "SYNC", task.id)
        else:
            self._complete(task, src, at)

    def _complete(self, task: SimTask, src: SimSource, at: int) -> None:
        task.cur = len(task.subtasks)
        task.speed_mbit = 0.0
        task.finish_date = at
        self._set_state(task, src, "MIGRATE_SUCCESS", at)

    def _finish_transition(self, task: SimTask, src: SimSource, at: int) -> None:
        after = task.after
        task.until_ms = None
        task.after = None
        if after == "ABORT":
            self._set_state(task, src, "ABORT", at)
        elif after == "CUTOVER":
            task.finish_date = task.finish_date or at
            self._set_state(task, src, "MIGRATE_SUCCESS", at)
        elif after == "CLONED":
            if task.clone_server is not None:
                task.clone_server["clone_state"] = "success"
            self._set_state(task, src, task.state, at)
        if task.state not in ACTIVE_TASK_STATES:
            self.active.discard(task.id)

    def _trace(self, task: SimTask, sub: SimSubtask, done: bool = False) -> str:
        if sub.kind == "data":
            if done:
                return f"Replicated {fmt_size(task.totalsize)}"
            return f"Replicating: {fmt_size(task.replicated)} of {fmt_size(task.totalsize)}"
        if sub.kind == "sync":
            return "Continuous synchronization"
        text = TRACE.get(sub.name, sub.name)
        if sub.name == "CREATE_CLOUD_SERVER":
            text = f"{text} {task.target_name}"
        return f"{text}: done" if done else f"{text}…"

    # -- commands for the agent --------------------------------------------------------------

    def _command(self, src: SimSource, name: str, task_id: str | None) -> None:
        src.commands.append({"command_name": name, "command_param": {"task_id": task_id or ""}})
        del src.commands[:-8]

    # -- lookups -------------------------------------------------------------------------------

    def source(self, source_id: str) -> SimSource:
        src = self.sources.get(source_id)
        if src is None:
            raise not_found("SMS.7602", source_id)
        return src

    def task(self, task_id: str) -> SimTask:
        task = self.tasks.get(task_id)
        if task is None:
            raise not_found("SMS.7703", task_id)
        return task

    def template(self, template_id: str) -> SimTemplate:
        tpl = self.templates.get(template_id)
        if tpl is None:
            raise not_found("SMS.7101", template_id)
        return tpl

    def project(self, project_id: str) -> SimProject:
        proj = self.projects.get(project_id)
        if proj is None:
            raise not_found("SMS.7301", project_id)
        return proj

    def task_source(self, task: SimTask) -> SimSource | None:
        return self.sources.get(task.source_id)

    # -- actions ---------------------------------------------------------------------------------

    # The refusal for each operation in a state that does not allow it (status 400, table 5.1).
    ACTION_CODES = {"start": "SMS.7713", "stop": "SMS.7714", "restart": "SMS.7722",
                    "test": "SMS.7721", "clone_test": "SMS.7721", "network_check": "SMS.6005",
                    "delete": "SMS.7719"}

    def _check(self, op: str, task: SimTask) -> None:
        src = self.task_source(task)
        in_transition = task.until_ms is not None
        why = refusal(op, task.state)
        if why is not None or (in_transition and op != "network_check"):
            raise SimError(400, self.ACTION_CODES[op])
        if src is not None and not src.connected and op in ("start", "restart", "network_check"):
            raise SimError(400, "SMS.6603")

    def action(self, task_id: str, operation: str, template_id: str | None = None) -> None:
        """``POST /v3/tasks/{id}/action``."""
        task = self.task(task_id)
        if operation not in self.ACTION_CODES or operation == "delete":
            raise invalid("operation", f"unknown operation {operation!r}")
        if operation == "clone_test" and not template_id:
            raise invalid("template_id", "clone_test needs template_id")
        self._check(operation, task)
        src = self.task_source(task)
        now = self.now
        if operation == "start":
            if task.state == "READY":
                task.start_date = now
                task.cur = 0
                task.subtasks[0].start_date = now
                self._set_state(task, src, "RUNNING", now)
            else:  # resume after a stop, or retry a failure from the step that failed
                task.stop_reason = ""
                task.error_json = ""
                task.finish_date = None
                resumed = "SYNCING" if task.cur < len(task.subtasks) and task.subtasks[task.cur].kind == "sync" else "RUNNING"
                if task.cur < len(task.subtasks):
                    sub = task.subtasks[task.cur]
                    if sub.kind == "fixed":
                        sub.start_date = now  # a fixed step starts over
                self._set_state(task, src, resumed, now)
            if src:
                self._command(src, "START", task.id)
        elif operation == "stop":
            task.until_ms, task.after = now + STOP_MS, "ABORT"
            task.speed_mbit = 0.0
            self._set_state(task, src, "ABORTING", now)
            if src:
                self._command(src, "STOP", task.id)
        elif operation == "restart":
            task.subtasks = make_subtasks(task.seed, [s.name for s in task.subtasks])
            task.cur, task.replicated, task.error_json = 0, 0.0, ""
            task.fail_at, task.finish_date, task.stop_reason = None, None, ""
            task.start_date = now
            task.subtasks[0].start_date = now
            self._set_state(task, src, "RUNNING", now)
            if src:
                self._command(src, "START", task.id)
        elif operation == "test":
            task.until_ms, task.after = now + CUTOVER_MS, "CUTOVER"
            self.active.add(task.id)
            if src:
                self._set_source(src, "cutovering", "cutovering", now)
        elif operation == "clone_test":
            self.template(template_id or "")
            task.until_ms, task.after = now + CLONE_MS, "CLONED"
            task.clone_server = {"vm_id": make_id(random.Random(task.seed + now)),
                                 "name": f"{task.target_name}-clone", "clone_error": "",
                                 "clone_state": "cloning", "error_msg": ""}
            self.active.add(task.id)
            if src:
                self._set_source(src, "cloning", None, now)
        elif operation == "network_check":
            self._network_check(task, src)

    def _network_check(self, task: SimTask, src: SimSource | None) -> None:
        k = self.now // MINUTE
        bw = src.bandwidth_mbit if src else 100.0
        delay = 5 + 80 * noise(task.seed ^ 0x77, k)
        loss = round(3 * noise(task.seed ^ 0x78, k) ** 3, 2)
        speed = round(bw * (0.7 + 0.3 * noise(task.seed ^ 0x79, k)), 1)
        task.network_check_info = {
            "domain_connectivity": True, "destination_connectivity": bool(src and src.connected),
            "network_delay": round(delay, 1), "network_jitter": round(delay * 0.1, 1),
            "migration_speed": speed, "loss_percentage": loss,
            "cpu_usage": round(10 + 30 * noise(task.seed ^ 0x7A, k), 1),
            "mem_usage": round(20 + 40 * noise(task.seed ^ 0x7B, k), 1),
            "evaluation_result": "POOR" if loss > 1 or delay > 60 else "GOOD",
        }

    def set_speed_limits(self, task_id: str, rules: list[tuple[int, int, int, float | None]]) -> None:
        task = self.task(task_id)
        task.rules = sorted(rules)

    def delete_task(self, task_id: str) -> None:
        task = self.task(task_id)
        self._check("delete", task)
        self._drop_task(task)

    def delete_tasks(self, ids: list[str]) -> None:
        tasks = [self.task(i) for i in ids]
        for task in tasks:
            self._check("delete", task)
        for task in tasks:
            self._drop_task(task)

    def _drop_task(self, task: SimTask) -> None:
        self.tasks.pop(task.id, None)
        self.active.discard(task.id)
        if task.id in self.task_order:
            self.task_order.remove(task.id)
        src = self.sources.get(task.source_id)
        if src is not None and src.task_id == task.id:
            src.task_id = None
            self._set_source(src, "waiting", "setting", self.now)

    def delete_sources(self, ids: list[str]) -> None:
        sources = [self.source(i) for i in ids]
        for src in sources:
            task = self.tasks.get(src.task_id or "")
            if task is not None and task.state in BUSY_TASK_STATES:
                raise SimError(400, "SMS.7601")
        for src in sources:
            if src.task_id and src.task_id in self.tasks:
                self._drop_task(self.tasks[src.task_id])
            self.sources.pop(src.id, None)
            self.order.remove(src.id)

    # -- creation --------------------------------------------------------------------------------

    def create_task(self, body: Mapping[str, Any]) -> str:
        source_ref = body.get("source_server") or {}
        src = self.source(str(source_ref.get("id", "")))
        task_type = body.get("type")
        if task_type not in ("MIGRATE_BLOCK", "MIGRATE_FILE"):
            raise SimError(400, "SMS.7712")
        if src.os_type == "WINDOWS" and task_type == "MIGRATE_FILE":
            raise SimError(400, "SMS.7712")
        if src.task_id and src.task_id in self.tasks:
            raise SimError(400, "SMS.6005")
        if src.state == "unavailable":
            raise SimError(400, "SMS.6520")
        template_id = body.get("vm_template_id") or None
        if template_id:
            self.template(template_id)
        target = body.get("target_server") or {}
        if not template_id and not target.get("vm_id"):
            raise invalid("vm_template_id", "choose a template or an existing target server")
        task = self._new_task(random.Random(f"{self.config.seed}:{src.id}:{self.now}"), src,
                              task_type=task_type, syncing=bool(body.get("syncing")),
                              template_id=template_id, created=self.now)
        task.name = str(body.get("name") or task.name)
        task.priority = int(body.get("priority", 1) if body.get("priority") is not None else 1)
        task.speed_limit = body.get("speed_limit") or None
        task.start_target_server = body.get("start_target_server", True) is not False
        task.exist_server = bool(body.get("exist_server"))
        task.use_public_ip = body.get("use_public_ip", True) is not False
        if body.get("migration_ip"):
            task.migration_ip = str(body["migration_ip"])
        if target.get("vm_id"):
            task.target_vm_id = str(target["vm_id"])
        if target.get("name"):
            task.target_name = str(target["name"])
        for key in ("region_id", "region_name", "project_id", "project_name"):
            if body.get(key):
                setattr(task, key, str(body[key]))
        threshold = body.get("over_speed_threshold")
        if threshold and task.speed_limit:
            task.rules = [(0, 1440, int(task.speed_limit), float(threshold))]
        self._set_state(task, src, "READY", self.now)
        if body.get("auto_start"):
            self.action(task.id, "start")
        return task.id

    # -- agent side --------------------------------------------------------------------------------

    def register(self, body: Mapping[str, Any]) -> str:
        """``POST /v3/sources``: a new source, or an update of a known one (same id)."""
        known = self.sources.get(str(body.get("id") or ""))
        created = False
        if known is None:
            for src in self.sources.values():
                if body.get("ip") and src.ip == body.get("ip") and src.hostname == body.get("hostname"):
                    known = src
                    break
        if known is None:
            for field_name in ("ip", "hostname", "os_type", "os_version"):
                if not body.get(field_name):
                    raise invalid(field_name, "required to register a source server")
            rng = random.Random(f"{self.config.seed}:{body.get('ip')}:{body.get('hostname')}")
            known = new_source(rng, len(self.sources), self.now)
            known.add_date = known.state_action_time = known.stage_action_time = self.now
            known.layout = {"disks": [], "volume_groups": [], "btrfs_list": [], "networks": []}
            known.check_plan = check_plan(rng, known, False)
            default = next((p.id for p in self.projects.values() if p.body.get("isdefault")), "")
            known.migprojectid = default
            self.sources[known.id] = known
            self.order.insert(0, known.id)
            self._set_source(known, "waiting", "setting", self.now)
            created = True
        src = known
        for key in ("ip", "hostname", "os_type", "os_version", "firmware", "agent_version",
                    "kernel_version"):
            if body.get(key):
                setattr(src, key, str(body[key]))
        if body.get("name"):
            src.name = str(body["name"])
        elif created:
            src.name = str(body.get("hostname"))
        if body.get("cpu_quantity") is not None:
            src.cpu_quantity = int(body["cpu_quantity"])
        if body.get("memory") is not None:
            src.memory = int(body["memory"])
        self._apply_disks(src, body)
        if body.get("networks") is not None:
            layout(src)["networks"] = list(body.get("networks") or [])
        src.connected = True
        src.last_visit_time = self.now
        return src.id

    def _apply_disks(self, src: SimSource, body: Mapping[str, Any]) -> None:
        lay = layout(src)
        if body.get("disks") is not None:
            lay["disks"] = list(body.get("disks") or [])
            used = sum(int(pv.get("used_size") or 0) for d in lay["disks"]
                       for pv in (d.get("physical_volumes") or []))
            if used:
                src.used_bytes = used
        # The diskinfo reference (table 4-86) spells it "volumegroups"; registration says
        # "volume_groups" and the examples drift to "volume_group_s": read whichever came.
        vgs = next((body[k] for k in ("volumegroups", "volume_groups", "volume_group_s")
                    if body.get(k) is not None), None)
        if vgs is not None:
            lay["volume_groups"] = list(vgs or [])
        if body.get("btrfs_list") is not None:
            lay["btrfs_list"] = list(body.get("btrfs_list") or [])

    def update_diskinfo(self, source_id: str, body: Mapping[str, Any]) -> None:
        self._apply_disks(self.source(source_id), body)

    def report_progress(self, task_id: str, body: Mapping[str, Any]) -> None:
        """``PUT /v3/tasks/{id}/progress`` from a real agent: it now drives the task."""
        task = self.task(task_id)
        name = body.get("subtask_name")
        index = next((k for k, s in enumerate(task.subtasks) if s.name == name), None)
        if index is None:
            raise SimError(400, "SMS.6004")
        progress = body.get("progress")
        if not isinstance(progress, int) or not 0 <= progress <= 100:
            raise SimError(400, "SMS.6101")
        task.external = True
        self.active.discard(task.id)
        for k, sub in enumerate(task.subtasks[:index]):
            if sub.progress < 100:
                sub.progress, sub.end_date = 100.0, sub.end_date or self.now
            sub.start_date = sub.start_date or self.now
        sub = task.subtasks[index]
        sub.start_date = sub.start_date or self.now
        sub.progress = float(progress)
        sub.process_trace = str(body.get("process_trace") or "")[:2048]
        if body.get("migrate_speed") is not None:
            sub.migrate_speed = float(body["migrate_speed"])
            task.speed_mbit = sub.migrate_speed
        if progress == 100:
            sub.end_date = self.now
        task.cur = index + (1 if progress == 100 else 0)
        if body.get("totalsize"):
            task.totalsize = int(body["totalsize"])
        if body.get("replicatesize") is not None:
            task.replicated = float(body["replicatesize"])
        if body.get("compress_rate") is not None:
            task.compress_rate = float(body["compress_rate"])
        for key in ("total_cpu_usage", "agent_cpu_usage", "total_mem_usage", "agent_mem_usage",
                    "total_disk_io", "agent_disk_io"):
            if body.get(key) is not None:
                task.usage[key] = float(body[key])
        if task.state == "READY":
            task.start_date = task.start_date or self.now
            self._set_state(task, self.task_source(task), "RUNNING", self.now)

    def next_command(self, source_id: str) -> dict[str, Any]:
        src = self.source(source_id)
        src.last_visit_time = self.now
        if src.commands:
            return src.commands.pop(0)
        return {"command_name": "", "command_param": None}

    def command_result(self, source_id: str, body: Mapping[str, Any]) -> None:
        src = self.source(source_id)
        name = str(body.get("command_name") or "")
        result = str(body.get("result") or "")
        if name not in ("START", "STOP", "DELETE", "SYNC"):
            raise SimError(400, "SMS.6021")
        src.command_results.append({"command_name": name, "result": result,
                                    "result_detail": body.get("result_detail"), "at": self.now})
        del src.command_results[:-16]
        task = self.tasks.get(src.task_id or "")
        if task is None:
            return
        failed = result.lower() in ("fail", "failed", "error")
        if name == "START" and failed and task.state in ("RUNNING", "SYNCING"):
            detail = body.get("result_detail") or {}
            task.fail_code = str(detail.get("error_code") if isinstance(detail, dict) and detail.get("error_code") else "SMS.0007")
            task.fail_params = ()
            self._fail(task, src, self.now)
        elif name == "STOP" and not failed and task.state == "ABORTING":
            task.until_ms = None
            task.after = None
            self._set_state(task, src, "ABORT", self.now)

    # -- source edits ----------------------------------------------------------------------------

    def update_source(self, source_id: str, body: Mapping[str, Any]) -> None:
        src = self.source(source_id)
        if "migprojectid" in body and body["migprojectid"]:
            self.project(str(body["migprojectid"]))
        lay = layout(src)
        disks = {d.get("id"): d for d in lay["disks"]}
        for d in body.get("disks") or []:
            disk = disks.get(d.get("id"))
            if disk is None:
                raise SimError(400, "SMS.0411", str(d.get("id")))
            size = d.get("adjust_size")
            if size is not None and int(size) < int(disk.get("used_size") or 0):
                raise SimError(400, "SMS.6538")
            if size is not None and int(size) % (1024 * 1024):
                raise SimError(400, "SMS.6612")
        vgs = {v.get("id"): v for v in lay["volume_groups"]}
        for v in body.get("volume_group_s") or []:
            if v.get("id") not in vgs:
                raise invalid("volume_group_s.id", f"unknown volume group {v.get('id')}")
        # All checked: apply.
        if body.get("name"):
            src.name = str(body["name"])
        if body.get("migprojectid"):
            src.migprojectid = str(body["migprojectid"])
        for d in body.get("disks") or []:
            disk = disks[d.get("id")]
            for key in ("need_migration", "adjust_size"):
                if d.get(key) is not None:
                    disk[key] = d[key]
            pvs = {p.get("id"): p for p in disk.get("physical_volumes") or []}
            for p in d.get("physical_volumes") or []:
                target = pvs.get(p.get("id"))
                if target is not None:
                    for key in ("need_migration", "adjust_size"):
                        if p.get(key) is not None:
                            target[key] = p[key]
        for v in body.get("volume_group_s") or []:
            vg = vgs[v.get("id")]
            for key in ("need_migration", "adjust_size"):
                if v.get(key) is not None:
                    vg[key] = v[key]
            lvs = {lv.get("id"): lv for lv in vg.get("logical_volumes") or []}
            for lv_in in v.get("logical_volumes") or []:
                lv = lvs.get(lv_in.get("id"))
                if lv is not None:
                    for key in ("need_migration", "adjust_size"):
                        if lv_in.get(key) is not None:
                            lv[key] = lv_in[key]

    def change_state(self, source_id: str, body: Mapping[str, Any]) -> None:
        src = self.source(source_id)
        if "copystate" not in body and "migrationcycle" not in body:
            raise SimError(400, "SMS.7726")
        copystate = body.get("copystate")
        cycle = body.get("migrationcycle")
        if ("copystate" in body and not copystate) or ("migrationcycle" in body and not cycle):
            raise SimError(400, "SMS.7727")
        state = COPYSTATE.get(str(copystate).upper()) if copystate else src.state
        if state is None:
            raise invalid("copystate", f"unknown state {copystate!r}")
        cycle = str(cycle) if cycle else src.migration_cycle
        if cycle not in CYCLE_STATES or state not in CYCLE_STATES[cycle]:
            raise SimError(400, "SMS.7728")
        if state == "unconnected":
            src.last_visit_time = self.now
            src.connected = False
        else:
            self._set_source(src, state, cycle, self.now)
        self._set_source(src, src.state, cycle, self.now)

    # -- templates and projects --------------------------------------------------------------------

    def create_template(self, body: Mapping[str, Any]) -> str:
        name = body.get("name")
        if any(t.body.get("name") == name for t in self.templates.values()):
            raise SimError(400, "SMS.7112")
        if len(self.templates) >= 50:
            raise SimError(400, "SMS.8115")
        tid = make_id(random.Random(f"tpl:{self.config.seed}:{name}:{self.now}"))
        data = {k: v for k, v in body.items() if k != "target_password"}
        data["id"] = tid
        data["is_template"] = str(body.get("is_template", True)).lower()
        self.templates[tid] = SimTemplate(tid, data, str(body.get("target_password") or ""))
        return tid

    def update_template(self, template_id: str, body: Mapping[str, Any]) -> None:
        tpl = self.template(template_id)
        name = body.get("name")
        if name and any(t.body.get("name") == name and t.id != template_id for t in self.templates.values()):
            raise SimError(400, "SMS.7112")
        for key, value in body.items():
            if key == "target_password":
                tpl.target_password = str(value or "")
            elif key != "id":
                tpl.body[key] = str(value).lower() if key == "is_template" else value

    def delete_templates(self, ids: list[str]) -> None:
        tpls = [self.template(i) for i in ids]
        for tpl in tpls:
            if any(t.template_id == tpl.id and t.state in BUSY_TASK_STATES for t in self.tasks.values()):
                raise SimError(400, "SMS.7111")
        for tpl in tpls:
            self.templates.pop(tpl.id, None)

    def create_project(self, body: Mapping[str, Any]) -> str:
        name = body.get("name")
        if any(p.body.get("name") == name for p in self.projects.values()):
            raise SimError(400, "SMS.7312")
        pid = make_id(random.Random(f"proj:{self.config.seed}:{name}:{self.now}"))
        data = dict(body)
        data["id"] = pid
        data.setdefault("isdefault", False)
        if data.get("isdefault"):
            for p in self.projects.values():
                p.body["isdefault"] = False
        self.projects[pid] = SimProject(pid, data)
        return pid

    def update_project(self, project_id: str, body: Mapping[str, Any]) -> None:
        proj = self.project(project_id)
        name = body.get("name")
        if name and any(p.body.get("name") == name and p.id != project_id for p in self.projects.values()):
            raise SimError(400, "SMS.7312")
        for key, value in body.items():
            if key not in ("id", "isdefault"):
                proj.body[key] = value

    def delete_project(self, project_id: str) -> None:
        proj = self.project(project_id)
        if proj.body.get("isdefault"):
            raise SimError(400, "SMS.7303")
        if any(s.migprojectid == project_id for s in self.sources.values()):
            raise SimError(400, "SMS.7311")
        self.projects.pop(project_id, None)

    def set_default_project(self, project_id: str) -> None:
        proj = self.project(project_id)
        for p in self.projects.values():
            p.body["isdefault"] = p.id == proj.id

    # -- queries -----------------------------------------------------------------------------------

    def filter_sources(self, filters: Mapping[str, str]) -> Sequence[SimSource]:
        """Sources matching the documented list filters, in list order.

        Unfiltered, a view of the list order: a page reads its 200 sources, not all 10,000."""
        if not filters:
            return _InOrder(self.sources, self.order)
        rows = [self.sources[i] for i in self.order]
        state = filters.get("state")
        name = (filters.get("name") or "").lower()
        ident = filters.get("id")
        ip = filters.get("ip")
        project = filters.get("migproject")
        cycle = filters.get("migration_cycle")
        connected = filters.get("connected")
        epid = filters.get("enterprise_project_id")
        consistency = filters.get("is_consistency_result_exist")
        out = []
        for s in rows:
            if state and s.state != state:
                continue
            if name and name not in s.name.lower():
                continue
            if ident and s.id != ident:
                continue
            if ip and ip not in s.ip:
                continue
            if project and s.migprojectid != project:
                continue
            if cycle and s.migration_cycle != cycle:
                continue
            if connected is not None and s.connected != (connected.lower() == "true"):
                continue
            if epid and s.enterprise_project_id != epid:
                continue
            if consistency is not None and s.is_consistency_result_exist != (consistency.lower() == "true"):
                continue
            out.append(s)
        return out

    def filter_tasks(self, filters: Mapping[str, str]) -> list[SimTask]:
        rows = [self.tasks[i] for i in self.task_order]
        state = filters.get("state")
        name = (filters.get("name") or "").lower()
        ident = filters.get("id")
        source_id = filters.get("source_server_id")
        epid = filters.get("enterprise_project_id")
        if not (state or name or ident or source_id or epid):
            return rows
        return [t for t in rows
                if (not state or t.state == state)
                and (not name or name in t.name.lower())
                and (not ident or t.id == ident)
                and (not source_id or t.source_id == source_id)
                and (not epid or t.enterprise_project_id == epid)]

    def overview(self, filters: Mapping[str, str]) -> dict[str, int]:
        counts = dict.fromkeys(SOURCE_STATES, 0)
        unconfigured = 0
        for s in self.filter_sources({k: v for k, v in filters.items()
                                      if k in ("migproject", "enterprise_project_id")}):
            counts[s.state] = counts.get(s.state, 0) + 1
            if not s.task_id:
                unconfigured += 1
        counts["unconfigured"] = unconfigured
        return counts

    def errors(self, filters: Mapping[str, str]) -> list[dict[str, Any]]:
        out = []
        for s in self.filter_sources({k: v for k, v in filters.items() if k == "migproject"}):
            task = self.tasks.get(s.task_id or "")
            if s.state == "error" and task is not None and task.error_json:
                out.append({"error_json": task.error_json, "host_name": s.hostname,
                            "name": s.name, "source_id": s.id, "source_ip": s.ip,
                            "target_ip": task.migration_ip})
        return out
