"""Source servers (reference section 4.1): list items, detail, disks, checks, overview, errors."""

from __future__ import annotations

from typing import ClassVar

from tui.api.models.record import Page, Record, fold, spelled


class PhysicalVolume(Record, frozen=True):
    """A partition / physical volume of a source disk."""

    id: str | None = None
    device_use: str | None = None
    file_system: str | None = None
    index: int | None = None
    mount_point: str | None = None
    name: str | None = None
    size: int | None = None
    used_size: int | None = None
    inode_size: int | None = None
    inode_nums: int | None = None
    uuid: str | None = None
    size_per_cluster: int | None = None
    need_migration: bool | None = None
    adjust_size: int | None = None


class Disk(Record, frozen=True):
    """A source disk (``ServerDisk``) and its partitions."""

    id: str | None = None
    name: str | None = None
    partition_style: str | None = None
    """MBR or GPT."""
    device_use: str | None = None
    """BOOT, OS or NORMAL."""
    size: int | None = None
    used_size: int | None = None
    physical_volumes: list[PhysicalVolume] = []
    os_disk: bool | None = None
    relation_name: str | None = None
    inode_size: int | None = None
    need_migration: bool | None = None
    adjust_size: int | None = None


class LogicalVolume(Record, frozen=True):
    """An LVM logical volume."""

    id: str | None = None
    block_count: int | None = None
    block_size: int | None = None
    file_system: str | None = None
    inode_size: int | None = None
    inode_nums: int | None = None
    device_use: str | None = None
    mount_point: str | None = None
    name: str | None = None
    size: int | None = None
    used_size: int | None = None
    free_size: int | None = None
    need_migration: bool | None = None
    adjust_size: int | None = None


class VolumeGroup(Record, frozen=True):
    """An LVM volume group and its logical volumes."""

    id: str | None = None
    components: str | None = None
    """The physical volumes it is built on."""
    free_size: int | None = None
    logical_volumes: list[LogicalVolume] = []
    name: str | None = None
    size: int | None = None
    need_migration: bool | None = None
    adjust_size: int | None = None


class BtrfsSubvolume(Record, frozen=True):
    """A btrfs subvolume (``is_snapshot`` is a string in the reference)."""

    uuid: str | None = None
    is_snapshot: str | None = None
    subvol_id: str | None = None
    parent_id: str | None = None
    subvol_name: str | None = None
    subvol_mount_path: str | None = None

    @property
    def snapshot(self) -> bool:
        """``is_snapshot`` as a boolean."""
        return (self.is_snapshot or "").strip().lower() in ("true", "1", "yes")


class BtrfsFileSystem(Record, frozen=True):
    """A btrfs file system and its subvolumes."""

    name: str | None = None
    label: str | None = None
    uuid: str | None = None
    device: str | None = None
    size: int | None = None
    """Bytes; agents send what ``btrfs filesystem show`` prints (``"3.30GiB"``)."""
    nodesize: int | None = None
    sectorsize: int | None = None
    data_profile: str | None = None
    system_profile: str | None = None
    metadata_profile: str | None = None
    global_reserve1: str | None = None
    g_vol_used_size: int | None = None
    default_subvolid: str | None = None
    default_subvol_name: str | None = None
    default_subvol_mountpath: str | None = None
    subvolume: list[BtrfsSubvolume] = []
    _default_subvol_id: str | None = spelled("default_subvol_id")
    _subvolumn: list[BtrfsSubvolume] | None = spelled("subvolumn")

    def __post_init__(self) -> None:
        fold(self, "default_subvolid", "_default_subvol_id")
        fold(self, "subvolume", "_subvolumn")


class NetworkInterface(Record, frozen=True):
    """A NIC of the source server (``NetWork``)."""

    id: str | None = None
    name: str | None = None
    ip: str | None = None
    ipv6: str | None = None
    netmask: str | None = None
    gateway: str | None = None
    mtu: int | None = None
    mac: str | None = None


class EnvironmentCheck(Record, frozen=True):
    """One environment check item with OK/WARN/ERROR and its catalogue code and params."""

    id: int | None = None
    params: list[str] = []
    name: str | None = None
    result: str | None = None
    error_code: str | None = None
    error_or_warn: str | None = None
    error_params: str | None = None


class TargetServerPhysicalVolume(Record, frozen=True):
    """A partition of a recommended target disk."""

    device_use: str | None = None
    file_system: str | None = None
    index: int | None = None
    mount_point: str | None = None
    name: str | None = None
    size: int | None = None
    inode_size: int | None = None
    used_size: int | None = None
    uuid: str | None = None


class TargetServerDisk(Record, frozen=True):
    """A recommended target disk (``DiskIntargetServer``)."""

    name: str | None = None
    size: int | None = None
    device_use: str | None = None
    used_size: int | None = None
    physical_volumes: list[TargetServerPhysicalVolume] = []


class InitTargetServer(Record, frozen=True):
    """The recommended target configuration."""

    disks: list[TargetServerDisk] = []
    volume_groups: list[VolumeGroup] = []
    # The reference spells a source's volume groups three ways.
    _volume_group_s: list[VolumeGroup] | None = spelled("volume_group_s")
    _volumegroups: list[VolumeGroup] | None = spelled("volumegroups")

    def __post_init__(self) -> None:
        fold(self, "volume_groups", "_volume_group_s", "_volumegroups")


class TargetServerRef(Record, frozen=True):
    """``TargetServerById``: the target server of a task."""

    vm_id: str | None = None
    name: str | None = None


class CloneServer(Record, frozen=True):
    """The cloned server of a clone test."""

    vm_id: str | None = None
    name: str | None = None
    clone_error: str | None = None
    clone_state: str | None = None
    error_msg: str | None = None


class SourceCurrentTask(Record, frozen=True):
    """``TaskByServerSource(s)``: the source's migration task, in a list item or detail."""

    id: str | None = None
    name: str | None = None
    type: str | None = None
    state: str | None = None
    estimate_completion_time: int | None = None
    start_date: int | None = None
    speed_limit: int | None = None
    migrate_speed: float | None = None
    """MB/s per the reference."""
    compress_rate: float | None = None
    start_target_server: bool | None = None
    vm_template_id: str | None = None
    region_id: str | None = None
    project_name: str | None = None
    project_id: str | None = None
    target_server: TargetServerRef | None = None
    log_collect_status: str | None = None
    exist_server: bool | None = None
    use_public_ip: bool | None = None
    clone_server: CloneServer | None = None
    remain_seconds: int | None = None
    log_bucket: str | None = None
    log_expire: int | None = None
    log_upload_time: int | None = None
    log_share_url: str | None = None
    _estimate_complete_time: int | None = spelled("estimate_complete_time")

    def __post_init__(self) -> None:
        fold(self, "estimate_completion_time", "_estimate_complete_time")


class _SourceCommon(Record, frozen=True):
    id: str = ""
    ip: str | None = None
    name: str | None = None
    enterprise_project_id: str | None = None
    add_date: int | None = None
    os_type: str | None = None
    os_version: str | None = None
    oem_system: bool | None = None
    state: str | None = None
    connected: bool | None = None
    cpu_quantity: int | None = None
    memory: int | None = None
    current_task: SourceCurrentTask | None = None
    checks: list[EnvironmentCheck] = []
    init_target_server: InitTargetServer | None = None
    replicatesize: int | None = None
    totalsize: int | None = None
    stage_action_time: int | None = None
    migration_cycle: str | None = None
    state_action_time: int | None = None
    is_consistency_result_exist: bool | None = None
    has_tc: bool | None = None
    migprojectid: str | None = None
    """Not in the list's field table, but SMS sends it; used to group by project."""


class SourceListItem(_SourceCommon, frozen=True):
    """One source server in ``GET /v3/sources`` (``SourceServersResponseBody``)."""

    __ignored__: ClassVar[frozenset[str]] = frozenset({"last_visit_time"})
    """Sent but deliberately not read: the agent's heartbeat moves on every poll for every
    connected source, no list shows it, and with it 94 % of a 10k fleet "changed" on every
    poll. The detail (its own poll) reads it."""


class ListSourcesResponse(Page, frozen=True):
    """``GET /v3/sources``."""

    count: int = 0
    source_servers: list[SourceListItem] = []


class SourceDetail(_SourceCommon, frozen=True):
    """``GET /v3/sources/{id}``: everything about one source server."""

    hostname: str | None = None
    firmware: str | None = None
    """BIOS or UEFI."""
    disks: list[Disk] = []
    volume_groups: list[VolumeGroup] = []
    btrfs_list: list[BtrfsFileSystem] = []
    networks: list[NetworkInterface] = []
    agent_version: str | None = None
    kernel_version: str | None = None
    last_visit_time: int | None = None
    """The agent's last heartbeat (ms)."""
    _volume_group_s: list[VolumeGroup] | None = spelled("volume_group_s")
    _volumegroups: list[VolumeGroup] | None = spelled("volumegroups")

    def __post_init__(self) -> None:
        fold(self, "volume_groups", "_volume_group_s", "_volumegroups")


class SourcesOverview(Record, frozen=True):
    """``GET /v3/sources/overview``: how many sources are in each state."""

    waiting: int | None = None
    replicate: int | None = None
    syncing: int | None = None
    stopped: int | None = None
    deleting: int | None = None
    cutovering: int | None = None
    unavailable: int | None = None
    stopping: int | None = None
    finished: int | None = None
    initialize: int | None = None
    error: int | None = None
    cloning: int | None = None
    unconfigured: int | None = None


class MigrationError(Record, frozen=True):
    """One failed source server in ``GET /v3/errors``."""

    error_json: str | None = None
    host_name: str | None = None
    name: str | None = None
    source_id: str | None = None
    source_ip: str | None = None
    target_ip: str | None = None


class ListErrorsResponse(Page, frozen=True):
    """``GET /v3/errors``."""

    count: int = 0
    migration_errors: list[MigrationError] = []
