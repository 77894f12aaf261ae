"""The simulated ZStack management node: sessions, queries, candidate hosts, MigrateVm jobs.

Time is the simulator's clock (``--speed`` applies). A migration takes 3 s plus 2 s per GiB
of the VM's memory; the destination's capacity is reserved when it starts (as ZStack's
allocator does) and the source's freed when it ends. A seeded share of migrations fails with
``VM.1008`` and a cause, leaving the VM where it was.
"""

from __future__ import annotations

import hmac
import random
import re
import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tui.api.zstack.errors import error_code
from tui.api.zstack.models import STRATEGIES, format_date
from tui.api.zstack.session import SESSION_EXPIRED, hash_password
from tui.sim.clock import Clock
from tui.sim.zstack.world import GIB, START, ZStackSimConfig, build_world

MIGRATABLE = frozenset({"Running", "Paused", "Unknown"})


class ZStackSimError(Exception):
    """An answer other than success: ``status`` with an ErrorCode body (or a text body)."""

    def __init__(self, status: int, code: str = "", details: str = "", *,
                 text: str | None = None, cause: dict[str, Any] | None = None) -> None:
        super().__init__(details or text or code)
        self.status = status
        self.code = code
        self.details = details
        self.text = text
        self.cause = cause

    def body(self) -> dict[str, Any]:
        """The JSON error body (``{"error": ErrorCode}``)."""
        return {"error": error_code(self.code, self.details, cause=self.cause)}


@dataclass
class Job:
    """One async API job."""

    uuid: str
    vm_uuid: str
    source: str | None = None
    dest: str | None = None
    done_ms: int = 0
    prior_state: str = "Running"
    fails: bool = False
    error: ZStackSimError | None = None
    result: dict[str, Any] | None = None
    finished: bool = False


@dataclass
class ZStackEngine:
    """State and rules of the simulated ZStack (``Simulator.zstack``)."""

    config: ZStackSimConfig
    seed: int
    clock: Clock
    sessions: dict[str, int] = field(default_factory=dict)
    """Session uuid → expiry (sim epoch ms)."""
    jobs: dict[str, Job] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    fail_next: set[str] = field(default_factory=set)
    """VM uuids whose next migration fails (tests)."""
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    """Every write received: (method, path, body) — tests assert what was sent."""

    def __post_init__(self) -> None:
        self.world = build_world(self.config, self.seed)
        self._t0 = self.clock.now_ms()

    # -- sessions ----------------------------------------------------------------------------

    def login(self, body: Any) -> dict[str, Any]:
        """LogInByAccount: the password must be the lowercase hex SHA-512 of the real one."""
        params = body.get("logInByAccount") if isinstance(body, dict) else None
        if not isinstance(params, dict):
            raise ZStackSimError(400, text="the body doesn't contain action mapping to the URL"
                                 "[/v1/accounts/login]")
        name, given = str(params.get("accountName", "")), str(params.get("password", ""))
        expected = hash_password(self.config.password)
        if name != self.config.account or not hmac.compare_digest(given, expected):
            raise ZStackSimError(503, "ID.1000", "wrong account name or password")
        session = uuidlib.UUID(int=random.Random(f"{self.seed}:{len(self.sessions)}:"
                                                 f"{self.clock.now_ms()}").getrandbits(128)).hex
        now = self.clock.now_ms()
        expires = now + int(self.config.session_ttl * 1000)
        self.sessions[session] = expires
        return {"inventory": {"uuid": session, "accountUuid": "36c27e8ff05c4780bf6d2fa65700f22e",
                              "userUuid": "36c27e8ff05c4780bf6d2fa65700f22e",
                              "expiredDate": self._date(expires), "createDate": self._date(now)}}

    def check_session(self, header: str | None) -> None:
        """Refuse a missing, unknown or expired session as ZStack does (503 ID.1001)."""
        if not header:
            raise ZStackSimError(400, text="missing header Authorization")
        scheme, _, token = header.partition(" ")
        if scheme != "OAuth" or not token:
            raise ZStackSimError(400, text="Authorization header must be 'OAuth <session uuid>'")
        expires = self.sessions.get(token.strip())
        if expires is None or expires <= self.clock.now_ms():
            self.sessions.pop(token.strip(), None)
            raise ZStackSimError(503, SESSION_EXPIRED, f"Session expired or invalid[{token[:4]}…]")

    def logout(self, session: str) -> None:
        """End a session (unknown ones too, as ZStack does)."""
        self.sessions.pop(session, None)

    def expire_sessions(self) -> None:
        """Every session expires now (tests)."""
        self.sessions.clear()

    # -- reads -------------------------------------------------------------------------------

    def sync(self) -> None:
        """Finish every migration whose time has come."""
        now = self.clock.now_ms()
        for job in self.jobs.values():
            if not job.finished and job.done_ms <= now:
                self._finish(job)

    def candidates(self, vm_uuid: str) -> list[dict[str, Any]]:
        """Hosts the VM may move to: same cluster, Enabled and Connected, room, not its host."""
        vm = self.vm(vm_uuid)
        return [h for h in self.world.hosts.values()
                if h["clusterUuid"] == vm["clusterUuid"] and h["uuid"] != vm["hostUuid"]
                and h["state"] == "Enabled" and h["status"] == "Connected"
                and h["availableCpuCapacity"] >= vm["cpuNum"]
                and h["availableMemoryCapacity"] >= vm["memorySize"]]

    def vm(self, vm_uuid: str) -> dict[str, Any]:
        """One VM inventory; 503 SYS.1003 when there is none."""
        vm = self.world.vms.get(vm_uuid)
        if vm is None:
            raise ZStackSimError(503, "SYS.1003", f"cannot find VmInstanceVO[uuid:{vm_uuid}]")
        return vm

    # -- MigrateVm ---------------------------------------------------------------------------

    def migrate(self, vm_uuid: str, params: dict[str, Any], job_uuid: str | None) -> Job:
        """Start a MigrateVm job; a refusal is a job that has already failed (as in ZStack,
        where the checks run after the 202)."""
        job = Job(job_uuid if job_uuid and re.fullmatch(r"[0-9a-f]{32}", job_uuid)
                  else uuidlib.uuid4().hex, vm_uuid)
        self.jobs[job.uuid] = job
        try:
            self._start(job, params)
        except ZStackSimError as exc:
            job.error, job.finished = exc, True
            job.done_ms = self.clock.now_ms()
        return job

    def _start(self, job: Job, params: dict[str, Any]) -> None:
        vm = self.vm(job.vm_uuid)
        strategy = params.get("strategy")
        if strategy is not None and strategy not in STRATEGIES:
            raise ZStackSimError(503, "SYS.1007", f"strategy must be one of {list(STRATEGIES)}, "
                                 f"not {strategy!r}")
        down = params.get("downTime")
        if down is not None and (not isinstance(down, int) or isinstance(down, bool) or down < 1):
            raise ZStackSimError(503, "SYS.1007", "downTime must be a positive integer (ms)")
        allowed = MIGRATABLE if params.get("allowUnknown") is True else MIGRATABLE - {"Unknown"}
        if vm["state"] not in allowed:
            raise ZStackSimError(503, "VM.1010", f"The VM instance[uuid:{vm['uuid']}] is not in "
                                 f"the correct state; current state is {vm['state']}, allowed "
                                 f"states are {sorted(allowed)}")
        target = params.get("hostUuid")
        if target is not None and target == vm["hostUuid"]:
            raise ZStackSimError(503, "SYS.1007", f"the vm[uuid:{vm['uuid']}] is already on "
                                 f"host[uuid:{target}]")
        room = self.candidates(vm["uuid"])
        if target is None:
            if not room:
                raise ZStackSimError(503, "HOST_ALLOCATION.1000", "no host in the cluster has "
                                     "enough CPU and memory, or is Enabled and Connected")
            dest = max(room, key=lambda h: h["availableMemoryCapacity"])
        else:
            found = next((h for h in room if h["uuid"] == target), None)
            if found is None:
                raise ZStackSimError(503, "HOST_ALLOCATION.1000", f"host[uuid:{target}] cannot "
                                     "take the VM: another cluster, not Enabled and Connected, "
                                     "or not enough CPU or memory")
            dest = found
        n = self.attempts.get(vm["uuid"], 0) + 1
        self.attempts[vm["uuid"]] = n
        share = random.Random(f"{self.seed}:{vm['uuid']}:{n}").random()
        job.fails = vm["uuid"] in self.fail_next or share < self.config.fail_share
        self.fail_next.discard(vm["uuid"])
        job.source, job.dest, job.prior_state = vm["hostUuid"], dest["uuid"], vm["state"]
        seconds = 3 + 2 * vm["memorySize"] / GIB
        job.done_ms = self.clock.now_ms() + int(seconds * 1000)
        dest["availableCpuCapacity"] -= vm["cpuNum"]
        dest["availableMemoryCapacity"] -= vm["memorySize"]
        self._touch(vm, state="Migrating")

    def _finish(self, job: Job) -> None:
        vm = self.world.vms[job.vm_uuid]
        job.finished = True
        dest = self.world.hosts[job.dest or ""]
        state = "Running" if job.prior_state == "Unknown" else job.prior_state
        if job.fails:
            dest["availableCpuCapacity"] += vm["cpuNum"]
            dest["availableMemoryCapacity"] += vm["memorySize"]
            self._touch(vm, state=state)
            cause = error_code("SYS.1006", f"unable to migrate vm[uuid:{vm['uuid']}] to host"
                               f"[{dest['managementIp']}]: operation failed: migration job: "
                               "unexpectedly failed (libvirt)")
            job.error = ZStackSimError(503, "VM.1008", f"failed to migrate vm[uuid:{vm['uuid']}]"
                                       f" from host[uuid:{job.source}] to host[uuid:{job.dest}]",
                                       cause=cause)
            return
        source = self.world.hosts.get(job.source or "")
        if source is not None:
            source["availableCpuCapacity"] += vm["cpuNum"]
            source["availableMemoryCapacity"] += vm["memorySize"]
        self._touch(vm, state=state, hostUuid=job.dest, lastHostUuid=job.source)
        job.result = {"inventory": dict(vm)}

    def job_answer(self, job_uuid: str) -> tuple[int, dict[str, Any]]:
        """What the job's location answers now: 202 running, 200 result, 503 failed, 404."""
        job = self.jobs.get(job_uuid)
        now = self.clock.now_ms()
        if job is None or (job.finished and now > job.done_ms + self.config.job_retention * 1000):
            raise ZStackSimError(404, text=f"no job[uuid:{job_uuid}] found")
        if not job.finished:
            return 202, {}
        if job.error is not None:
            return 503, job.error.body()
        return 200, job.result or {}

    def _touch(self, vm: dict[str, Any], **changes: Any) -> None:
        vm.update(changes)
        vm["lastOpDate"] = self._date(self.clock.now_ms())

    def _date(self, ms: int) -> str:
        return format_date(START + timedelta(milliseconds=ms - self._t0))

    def location(self, job: Job) -> str:
        """The job's location as ZStack names it: the management node's internal address."""
        return f"{self.config.internal_host}/zstack/v1/api-jobs/{job.uuid}"


__all__ = ["Job", "MIGRATABLE", "ZStackEngine", "ZStackSimError"]
