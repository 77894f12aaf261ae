"""The simulator's records and the seeded fleet generator.

A source is generated in two steps so that 10,000 of them are quick to make: the fields a list
shows are drawn at once from the fleet's random stream; the disk layout (disks → partitions,
volume groups → logical volumes, btrfs → subvolumes, NICs) is drawn on first use from the
source's own seed. Both are pure functions of the fleet seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

GiB = 1024**3
MiB = 1024**2

# -- records --------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class SimSubtask:
    """One step of a task: fixed-length steps, the bulk copy (``data``) or sync rounds."""

    id: int
    name: str
    kind: str  # "fixed" | "data" | "sync"
    duration_ms: int = 0
    progress: float = 0.0
    start_date: int | None = None
    end_date: int | None = None
    migrate_speed: float = 0.0
    """Mbit/s (as the reference documents for subtasks)."""
    process_trace: str = ""
    user_op: str | None = None


@dataclass(slots=True, eq=False)
class SimTask:
    """A migration task and everything the engine needs to move it."""

    id: str
    name: str
    type: str
    os_type: str
    source_id: str
    state: str
    create_date: int
    seed: int
    subtasks: list[SimSubtask]
    totalsize: int
    priority: int = 1
    start_date: int | None = None
    finish_date: int | None = None
    speed_limit: int | None = None
    """Task-level cap in Mbit/s; None or 0 means none."""
    rules: list[tuple[int, int, int, float | None]] = field(default_factory=list)
    """Speed-limit rules as (start minute, end minute (exclusive), Mbit/s, threshold %)."""
    syncing: bool = False
    cur: int = 0
    replicated: float = 0.0
    sync_round: int = 0
    sync_delta: float = 0.0
    compress_rate: float = 1.0
    speed_mbit: float = 0.0
    fail_at: float | None = None
    fail_code: str = ""
    fail_params: tuple[str, ...] = ()
    error_json: str = ""
    until_ms: int | None = None
    """When a transitional state (ABORTING, cutovering, cloning) ends."""
    after: str | None = None
    """What the transitional state becomes."""
    template_id: str | None = None
    region_id: str = "sim-region-1"
    region_name: str = "sim-region-1"
    project_id: str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    project_name: str = "sim-region-1"
    enterprise_project_id: str = "0"
    start_target_server: bool = True
    exist_server: bool = False
    use_public_ip: bool = True
    migration_ip: str = ""
    target_vm_id: str = ""
    target_name: str = ""
    clone_server: dict[str, Any] | None = None
    network_check_info: dict[str, Any] | None = None
    external: bool = False
    """Progress is reported by a real agent (PUT …/progress): the engine stops driving it."""
    usage: dict[str, float] = field(default_factory=dict)
    stop_reason: str = ""
    consistency_results: list[str] = field(default_factory=list)
    """Consistency checks the agent uploaded, each a JSON object (see :mod:`tui.sim.sdk_routes`)."""


@dataclass(slots=True, eq=False)
class SimSource:
    """A registered source server."""

    id: str
    name: str
    hostname: str
    ip: str
    os_type: str
    os_version: str
    firmware: str
    cpu_quantity: int
    memory: int
    """Bytes."""
    add_date: int
    seed: int
    used_bytes: int
    state: str = "waiting"
    migration_cycle: str = "setting"
    connected: bool = True
    state_action_time: int = 0
    stage_action_time: int = 0
    last_visit_time: int = 0
    agent_version: str = "24.3.0"
    kernel_version: str = ""
    migprojectid: str = ""
    enterprise_project_id: str = "0"
    oem_system: bool = False
    has_tc: bool = True
    tz_offset_min: int = 480
    bandwidth_mbit: float = 300.0
    burst: float = 0.02
    """How far the agent's throttle overshoots a limit (fraction)."""
    check_plan: tuple[tuple[str, str, str | None, tuple[str, ...]], ...] = ()
    """(name, OK|WARN|ERROR, error code, params) per environment check."""
    task_id: str | None = None
    layout: dict[str, Any] | None = None
    """Disks, volume groups, btrfs, NICs; drawn lazily (see :func:`layout`)."""
    commands: list[dict[str, Any]] = field(default_factory=list)
    command_results: list[dict[str, Any]] = field(default_factory=list)
    is_consistency_result_exist: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class SimTemplate:
    """A target-server template (the password is kept but never returned)."""

    id: str
    body: dict[str, Any]
    target_password: str = ""


@dataclass(slots=True, eq=False)
class SimProject:
    """A migration project."""

    id: str
    body: dict[str, Any]


# -- helpers --------------------------------------------------------------------------------


def make_id(rng: random.Random) -> str:
    """A UUID-shaped id from ``rng`` (deterministic, unlike uuid4)."""
    n = rng.getrandbits(128)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:32]}"


LINUX_VERSIONS = (
    ("CENTOS7.6", "3.10.0-957.el7.x86_64"),
    ("CENTOS7.9", "3.10.0-1160.el7.x86_64"),
    ("CENTOS8.2", "4.18.0-193.el8.x86_64"),
    ("UBUNTU20.04", "5.4.0-150-generic"),
    ("UBUNTU22.04", "5.15.0-91-generic"),
    ("SUSE12SP5", "4.12.14-122.37-default"),
    ("SUSE15SP3", "5.3.18-57-default"),
    ("DEBIAN11", "5.10.0-26-amd64"),
    ("EULEROS2.5", "3.10.0-862.14.1.2.h249.eulerosv2r7.x86_64"),
    ("RHEL8.4", "4.18.0-305.el8.x86_64"),
    ("OPENEULER22.03", "5.10.0-60.18.0.50.oe2203.x86_64"),
)
WINDOWS_VERSIONS = (
    ("WINDOWS2008R2", "6.1.7601"),
    ("WINDOWS2012R2", "6.3.9600"),
    ("WINDOWS2016", "10.0.14393"),
    ("WINDOWS2019", "10.0.17763"),
    ("WINDOWS2022", "10.0.20348"),
)
ROLES = ("web", "app", "db", "cache", "mq", "batch", "etl", "api", "auth", "file", "mail", "log")
ENVS = ("prod", "stg", "dev", "dr")
CJK_NAMES = ("财务系统", "订单中心", "仓储管理", "人事系统", "数据仓库", "监控平台", "客服系统")
LONG_NAMES = (
    "erp-application-server-with-a-very-long-descriptive-hostname",
    "legacy-billing-reconciliation-batch-processing-node",
)
TIMEZONES = (480, 480, 480, 0, 60, -300, 330, 540)

LINUX_CHECKS = ("OS_VERSION", "FIRMWARE", "CPU", "MEMORY", "PARTITION_STYLE", "FILE_SYSTEM",
                "FREE_SPACE", "BOOT_LOADER", "RSYNC", "RAW_DEVICE", "PARAVIRTUALIZATION",
                "DISK_LATENCY", "NETWORK")
WINDOWS_CHECKS = ("OS_VERSION", "FIRMWARE", "CPU", "MEMORY", "SYSTEM_ROOT", "PARTITION_STYLE",
                  "FILE_SYSTEM", "FREE_SPACE", "OEM_SYSTEM", "DRIVER_FILE", "SERVICE",
                  "ACCOUNT_RIGHTS", "NETWORK")

CHECK_ERRORS: dict[str, tuple[tuple[str, tuple[str, tuple[str, ...]]], ...]] = {
    "LINUX": (
        ("OS_VERSION", ("SMS.6504", ())),
        ("PARTITION_STYLE", ("SMS.6508", ())),
        ("FILE_SYSTEM", ("SMS.6509", ())),
        ("BOOT_LOADER", ("SMS.6516", ())),
        ("RAW_DEVICE", ("SMS.6518", ())),
        ("PARAVIRTUALIZATION", ("SMS.6515", ())),
        ("MEMORY", ("SMS.6514", ())),
    ),
    "WINDOWS": (
        ("OS_VERSION", ("SMS.6504", ())),
        ("DRIVER_FILE", ("SMS.6511", ())),
        ("SERVICE", ("SMS.6512", ())),
        ("ACCOUNT_RIGHTS", ("SMS.6513", ())),
        ("SYSTEM_ROOT", ("SMS.6534", ())),
    ),
}
CHECK_WARNINGS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("NETWORK", "SMS.6548", ()),
    ("FREE_SPACE", "SMS.6543", ()),
    ("DISK_LATENCY", "SMS.6547", ()),
)
TASK_FAILURES = (
    ("SMS.2802", ("{target_ip}",)),
    ("SMS.3805", ()),
    ("SMS.0519", ()),
    ("SMS.1805", ()),
    ("SMS.1807", ("{target_ip}",)),
    ("SMS.0411", ("/dev/vdb",)),
)

SCENARIOS = (
    # (name, weight)
    ("unavailable", 6),
    ("unconfigured", 12),
    ("ready", 10),
    ("running", 34),
    ("syncing", 10),
    ("finished", 10),
    ("failed", 6),
    ("stopped", 6),
    ("disconnected", 6),
)
_SCENARIO_NAMES = tuple(s for s, _ in SCENARIOS)
_SCENARIO_CUM = []
_acc = 0
for _s, _w in SCENARIOS:
    _acc += _w
    _SCENARIO_CUM.append(_acc)


def source_name(rng: random.Random, i: int) -> str:
    """Names an operator would see: role-env-nn, some in Chinese, a few very long."""
    r = rng.random()
    if r < 0.08:
        return f"{CJK_NAMES[i % len(CJK_NAMES)]}-{i:03d}"
    if r < 0.11:
        return f"{LONG_NAMES[i % len(LONG_NAMES)]}-{i:03d}"
    return f"{ROLES[rng.randrange(len(ROLES))]}-{ENVS[rng.randrange(len(ENVS))]}-{i:03d}"


def new_source(rng: random.Random, i: int, now_ms: int, *, windows_share: float = 0.3) -> SimSource:
    """A source with its list-level fields drawn from ``rng``."""
    windows = rng.random() < windows_share
    if windows:
        os_version, kernel = WINDOWS_VERSIONS[rng.randrange(len(WINDOWS_VERSIONS))]
    else:
        os_version, kernel = LINUX_VERSIONS[rng.randrange(len(LINUX_VERSIONS))]
    name = source_name(rng, i)
    cpu = (2, 4, 4, 8, 8, 16, 32)[rng.randrange(7)]
    memory = cpu * (2, 4, 8)[rng.randrange(3)] * GiB
    used = int(rng.uniform(8, 600 if rng.random() < 0.15 else 160) * GiB)
    src = SimSource(
        id=make_id(rng),
        name=name,
        hostname=name.lower() if name.isascii() else f"host-{i:05d}",
        ip=f"10.{((i + 1) >> 16) & 255}.{((i + 1) >> 8) & 255}.{(i + 1) & 255}",
        os_type="WINDOWS" if windows else "LINUX",
        os_version=os_version,
        firmware="UEFI" if rng.random() < 0.35 else "BIOS",
        cpu_quantity=cpu,
        memory=memory,
        add_date=now_ms - rng.randrange(3_600_000, 30 * 86_400_000),
        seed=rng.getrandbits(32),
        used_bytes=used,
        kernel_version=kernel,
        oem_system=windows and rng.random() < 0.05,
        has_tc=not windows,
        tz_offset_min=TIMEZONES[rng.randrange(len(TIMEZONES))],
        bandwidth_mbit=float((50, 100, 200, 300, 500, 1000)[rng.randrange(6)]),
        burst=0.02 if rng.random() < 0.85 else rng.uniform(0.2, 0.6),
    )
    src.last_visit_time = now_ms - rng.randrange(1_000, 60_000)
    src.state_action_time = src.stage_action_time = src.add_date
    return src


def pick_scenario(rng: random.Random) -> str:
    """A scenario name by weight."""
    x = rng.random() * _acc
    for name, cum in zip(_SCENARIO_NAMES, _SCENARIO_CUM, strict=True):
        if x < cum:
            return name
    return _SCENARIO_NAMES[-1]


def check_plan(rng: random.Random, src: SimSource, fail: bool) -> tuple[Any, ...]:
    """Environment checks: all OK, a few warnings, or (``fail``) one error."""
    names = WINDOWS_CHECKS if src.os_type == "WINDOWS" else LINUX_CHECKS
    results: dict[str, tuple[str, str | None, tuple[str, ...]]] = {n: ("OK", None, ()) for n in names}
    if fail:
        errs = CHECK_ERRORS[src.os_type]
        name, (error_code, error_params) = errs[rng.randrange(len(errs))]
        results[name] = ("ERROR", error_code, error_params)
    if rng.random() < 0.2:
        name, code, params = CHECK_WARNINGS[rng.randrange(len(CHECK_WARNINGS))]
        if name in results and results[name][0] == "OK":
            results[name] = ("WARN", code, params)
    return tuple((n, r, c, p) for n, (r, c, p) in results.items())


# -- layout (lazy) ---------------------------------------------------------------------------


def _uuid(rng: random.Random) -> str:
    return make_id(rng)


def layout(src: SimSource) -> dict[str, Any]:
    """The source's disks, volume groups, btrfs and NICs (drawn once from its seed)."""
    if src.layout is None:
        src.layout = _draw_layout(src)
    return src.layout


def _draw_layout(src: SimSource) -> dict[str, Any]:
    rng = random.Random(src.seed)
    if src.os_type == "WINDOWS":
        return _windows_layout(rng, src)
    return _linux_layout(rng, src)


def _pv(rng: random.Random, index: int, name: str, size: int, used: int, fs: str, mount: str | None,
        use: str) -> dict[str, Any]:
    return {
        "id": f"pv-{rng.getrandbits(40):010x}",
        "uuid": _uuid(rng),
        "index": index,
        "name": name,
        "device_use": use,
        "file_system": fs,
        "mount_point": mount,
        "size": size,
        "used_size": min(used, size),
        "inode_size": 256 if fs.startswith("ext") else None,
        "inode_nums": size // (16 * 1024) if fs.startswith("ext") else None,
        "size_per_cluster": 4096 if fs == "NTFS" else None,
        "need_migration": True,
        "adjust_size": size,
    }


def _windows_layout(rng: random.Random, src: SimSource) -> dict[str, Any]:
    style = "GPT" if src.firmware == "UEFI" else "MBR"
    sys_size = (40, 60, 100, 200)[rng.randrange(4)] * GiB
    os_used = min(int(src.used_bytes * 0.6), sys_size - 2 * GiB)
    data_used = max(0, src.used_bytes - os_used)
    disk0 = {
        "id": f"disk-{rng.getrandbits(40):010x}", "name": "Disk 0", "partition_style": style,
        "device_use": "BOOT", "os_disk": True, "relation_name": "Disk 0", "inode_size": None,
        "size": sys_size, "used_size": os_used + 400 * MiB, "need_migration": True,
        "adjust_size": sys_size,
        "physical_volumes": [
            _pv(rng, 1, "(Reserved)", 500 * MiB, 400 * MiB, "NTFS", None, "BOOT"),
            _pv(rng, 2, "C:\\", sys_size - 500 * MiB, os_used, "NTFS", None, "OS"),
        ],
    }
    disks = [disk0]
    if data_used:
        size = max(100 * GiB, int(data_used * 1.6) // GiB * GiB)
        disks.append({
            "id": f"disk-{rng.getrandbits(40):010x}", "name": "Disk 1", "partition_style": style,
            "device_use": "NORMAL", "os_disk": False, "relation_name": "Disk 1",
            "inode_size": None, "size": size, "used_size": data_used, "need_migration": True,
            "adjust_size": size,
            "physical_volumes": [_pv(rng, 1, "D:\\", size, data_used, "NTFS", None, "NORMAL")],
        })
    return {"disks": disks, "volume_groups": [], "btrfs_list": [], "networks": _nics(rng, src)}


def _linux_layout(rng: random.Random, src: SimSource) -> dict[str, Any]:
    style = "GPT" if src.firmware == "UEFI" or rng.random() < 0.3 else "MBR"
    sys_size = (40, 50, 100)[rng.randrange(3)] * GiB
    root_used = min(int(src.used_bytes * 0.3) + 2 * GiB, sys_size - 2 * GiB)
    rest = max(0, src.used_bytes - root_used)
    use_btrfs = src.os_version.startswith("SUSE") and rng.random() < 0.7
    root_fs = "btrfs" if use_btrfs else ("xfs" if "CENTOS" in src.os_version or "RHEL" in src.os_version else "ext4")
    boot = _pv(rng, 1, "/dev/vda1", 1 * GiB, 200 * MiB, "ext4" if style == "MBR" else "vfat",
               "/boot" if style == "MBR" else "/boot/efi", "BOOT")
    root = _pv(rng, 2, "/dev/vda2", sys_size - GiB, root_used, root_fs, "/", "OS")
    disks = [{
        "id": f"disk-{rng.getrandbits(40):010x}", "name": "/dev/vda", "partition_style": style,
        "device_use": "BOOT", "os_disk": True, "relation_name": "/dev/vda", "inode_size": 256,
        "size": sys_size, "used_size": root_used + 200 * MiB, "need_migration": True,
        "adjust_size": sys_size, "physical_volumes": [boot, root],
    }]
    volume_groups: list[dict[str, Any]] = []
    if rest:
        lvm = rng.random() < 0.6
        n_data = 1 if rest < 200 * GiB else 2
        per = rest // n_data
        components = []
        for k in range(n_data):
            dev = f"/dev/vd{'bcdefg'[k]}"
            size = max(100 * GiB, int(per * 1.5) // GiB * GiB)
            pvs = [] if lvm else [_pv(rng, 1, f"{dev}1", size, per, "ext4", f"/data{k or ''}", "NORMAL")]
            disks.append({
                "id": f"disk-{rng.getrandbits(40):010x}", "name": dev, "partition_style": style,
                "device_use": "NORMAL", "os_disk": False, "relation_name": dev, "inode_size": 256,
                "size": size, "used_size": per, "need_migration": True, "adjust_size": size,
                "physical_volumes": pvs,
            })
            components.append(dev)
        if lvm:
            vg_size = sum(int(d["size"]) for d in disks[1:])  # type: ignore[call-overload]
            lv_sizes = ((int(rest * 0.8 * 1.3) // GiB + 1) * GiB, (int(rest * 0.2 * 1.5) // GiB + 1) * GiB)
            lvs = []
            for j, (lv_name, mount, share) in enumerate((("lv_data", "/data", 0.8), ("lv_log", "/var/log", 0.2))):
                used = int(rest * share)
                lvs.append({
                    "id": f"lv-{rng.getrandbits(40):010x}",
                    "name": f"/dev/mapper/vg_data-{lv_name}",
                    "block_count": lv_sizes[j] // 4096, "block_size": 4096,
                    "file_system": "xfs" if j == 0 else "ext4", "inode_size": 256,
                    "inode_nums": lv_sizes[j] // (16 * 1024), "device_use": "NORMAL",
                    "mount_point": mount, "size": lv_sizes[j], "used_size": used,
                    "free_size": lv_sizes[j] - used, "need_migration": True,
                    "adjust_size": lv_sizes[j],
                })
            volume_groups.append({
                "id": f"vg-{rng.getrandbits(40):010x}", "name": "vg_data",
                "components": ";".join(components), "size": vg_size,
                "free_size": vg_size - sum(lv_sizes), "logical_volumes": lvs,
                "need_migration": True, "adjust_size": vg_size,
            })
    btrfs = [_btrfs(rng, root)] if use_btrfs else []
    return {"disks": disks, "volume_groups": volume_groups, "btrfs_list": btrfs,
            "networks": _nics(rng, src)}


def _btrfs(rng: random.Random, root: dict[str, Any]) -> dict[str, Any]:
    fs_uuid = _uuid(rng)
    subs = [("257", "5", "@", "null", "false"), ("258", "257", "@/.snapshots", "/.snapshots", "false"),
            ("259", "258", "@/.snapshots/1/snapshot", "/", "true"), ("260", "257", "@/opt", "/opt", "false"),
            ("261", "257", "@/home", "/home", "false"), ("262", "257", "@/var", "/var", "false")]
    return {
        "name": root["name"], "label": "none", "uuid": fs_uuid, "device": root["name"],
        "size": root["size"], "nodesize": 16384, "sectorsize": 4096, "data_profile": "single",
        "system_profile": "DUP", "metadata_profile": "DUP", "global_reserve1": "single",
        "g_vol_used_size": root["used_size"], "default_subvolid": "259",
        "default_subvol_name": "@/.snapshots/1/snapshot", "default_subvol_mountpath": "/",
        "subvolume": [
            {"uuid": _uuid(rng), "is_snapshot": snap, "subvol_id": sid, "parent_id": pid,
             "subvol_name": name, "subvol_mount_path": mount}
            for sid, pid, name, mount, snap in subs
        ],
    }


def _nics(rng: random.Random, src: SimSource) -> list[dict[str, Any]]:
    count = 1 + (rng.random() < 0.4) + (rng.random() < 0.1)
    nics = []
    for k in range(count):
        ip = src.ip if k == 0 else f"192.168.{rng.randrange(1, 255)}.{rng.randrange(2, 254)}"
        name = (f"Ethernet{k}" if src.os_type == "WINDOWS" else f"eth{k}")
        nics.append({
            "id": f"nic-{rng.getrandbits(40):010x}", "name": name, "ip": ip,
            "ipv6": None, "netmask": "255.255.255.0", "gateway": ip.rsplit(".", 1)[0] + ".1",
            "mtu": 1500, "mac": ":".join(f"{rng.randrange(256):02x}" for _ in range(6)),
        })
    return nics


# -- templates and projects ------------------------------------------------------------------


def default_templates(rng: random.Random, region: str, project_id: str) -> list[SimTemplate]:
    """A handful of target-server templates."""
    specs = (("general-c7.large", "c7.large.2", "SSD"), ("memory-m7.xlarge", "m7.xlarge.8", "SSD"),
             ("budget-s6.medium", "s6.medium.2", "SAS"), ("windows-c7.2xlarge", "c7.2xlarge.2", "SSD"))
    out = []
    for name, flavor, vtype in specs:
        tid = make_id(rng)
        out.append(SimTemplate(tid, {
            "id": tid, "name": name, "is_template": "true", "region": region,
            "projectid": project_id, "target_server_name": "", "availability_zone": f"{region}a",
            "volumetype": vtype, "flavor": flavor,
            "vpc": {"id": make_id(rng), "name": "vpc-migration", "cidr": "192.168.0.0/16"},
            "nics": [{"id": make_id(rng), "name": "subnet-migration", "cidr": "192.168.0.0/24",
                      "ip": ""}],
            "security_groups": [{"id": make_id(rng), "name": "sg-sms-8899"}],
            "publicip": {"type": "5_bgp", "bandwidth_size": 100, "bandwidth_share_type": "PER"},
            "disk": [{"id": 0, "index": 0, "name": "system", "disktype": vtype, "size": 40,
                      "device_use": "OS"}],
            "data_volume_type": vtype, "image_id": "",
        }, target_password=""))
    return out


def default_projects(rng: random.Random, region: str) -> list[SimProject]:
    """The default migration project and a few waves."""
    names = (("default", True, "MIGRATE_BLOCK", False), ("wave-1-web", False, "MIGRATE_BLOCK", False),
             ("wave-2-db", False, "MIGRATE_BLOCK", True), ("财务-迁移", False, "MIGRATE_FILE", True))
    out = []
    for name, default, mtype, syncing in names:
        pid = make_id(rng)
        out.append(SimProject(pid, {
            "id": pid, "name": name, "description": f"{name} servers", "isdefault": default,
            "region": region, "start_target_server": True, "speed_limit": 0,
            "use_public_ip": True, "exist_server": False, "type": mtype,
            "enterprise_project": "default", "syncing": syncing, "start_network_check": False,
        }))
    return out
