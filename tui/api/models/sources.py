"""Source servers (reference section 4.1): list items, detail, disks, checks, overview, errors."""

from __future__ import annotations

from typing import Annotated

from pydantic import AliasChoices, Field

from tui.api.models.common import (
    Bool,
    Float,
    Int,
    ListResponse,
    NullList,
    SizeBytes,
    SmsModel,
    Str,
)


def _list(*names: str) -> object:
    """A list field under any of ``names`` (the reference spells some several ways)."""
    if len(names) == 1:
        return Field(default_factory=list)
    return Field(default_factory=list, validation_alias=AliasChoices(*names))


class PhysicalVolume(SmsModel):
    """A partition / physical volume of a source disk."""

    id: Str = None
    device_use: Str = None
    file_system: Str = None
    index: Int = None
    mount_point: Str = None
    name: Str = None
    size: Int = None
    used_size: Int = None
    inode_size: Int = None
    inode_nums: Int = None
    uuid: Str = None
    size_per_cluster: Int = None
    need_migration: Bool = None
    adjust_size: Int = None


class Disk(SmsModel):
    """A source disk (``ServerDisk``) and its partitions."""

    id: Str = None
    name: Str = None
    partition_style: Str = None
    """MBR or GPT."""
    device_use: Str = None
    """BOOT, OS or NORMAL."""
    size: Int = None
    used_size: Int = None
    physical_volumes: Annotated[list[PhysicalVolume], NullList] = _list("physical_volumes")  # type: ignore[assignment]
    os_disk: Bool = None
    relation_name: Str = None
    inode_size: Int = None
    need_migration: Bool = None
    adjust_size: Int = None


class LogicalVolume(SmsModel):
    """An LVM logical volume."""

    id: Str = None
    block_count: Int = None
    block_size: Int = None
    file_system: Str = None
    inode_size: Int = None
    inode_nums: Int = None
    device_use: Str = None
    mount_point: Str = None
    name: Str = None
    size: Int = None
    used_size: Int = None
    free_size: Int = None
    need_migration: Bool = None
    adjust_size: Int = None


class VolumeGroup(SmsModel):
    """An LVM volume group and its logical volumes."""

    id: Str = None
    components: Str = None
    """The physical volumes it is built on."""
    free_size: Int = None
    logical_volumes: Annotated[list[LogicalVolume], NullList] = _list("logical_volumes")  # type: ignore[assignment]
    name: Str = None
    size: Int = None
    need_migration: Bool = None
    adjust_size: Int = None


class BtrfsSubvolume(SmsModel):
    """A btrfs subvolume (``is_snapshot`` is a string in the reference)."""

    uuid: Str = None
    is_snapshot: Str = None
    subvol_id: Str = None
    parent_id: Str = None
    subvol_name: Str = None
    subvol_mount_path: Str = None

    @property
    def snapshot(self) -> bool:
        """``is_snapshot`` as a boolean."""
        return (self.is_snapshot or "").strip().lower() in ("true", "1", "yes")


class BtrfsFileSystem(SmsModel):
    """A btrfs file system and its subvolumes."""

    name: Str = None
    label: Str = None
    uuid: Str = None
    device: Str = None
    size: SizeBytes = None
    """Bytes; agents send what ``btrfs filesystem show`` prints (``"3.30GiB"``)."""
    nodesize: Int = None
    sectorsize: Int = None
    data_profile: Str = None
    system_profile: Str = None
    metadata_profile: Str = None
    global_reserve1: Str = None
    g_vol_used_size: SizeBytes = None
    default_subvolid: Str = Field(
        None, validation_alias=AliasChoices("default_subvolid", "default_subvol_id")
    )
    default_subvol_name: Str = None
    default_subvol_mountpath: Str = None
    subvolume: Annotated[list[BtrfsSubvolume], NullList] = _list("subvolume", "subvolumn")  # type: ignore[assignment]


class NetworkInterface(SmsModel):
    """A NIC of the source server (``NetWork``)."""

    id: Str = None
    name: Str = None
    ip: Str = None
    ipv6: Str = None
    netmask: Str = None
    gateway: Str = None
    mtu: Int = None
    mac: Str = None


class EnvironmentCheck(SmsModel):
    """One environment check item with OK/WARN/ERROR and its catalogue code and params."""

    id: Int = None
    params: Annotated[list[str], NullList] = Field(default_factory=list)
    name: Str = None
    result: Str = None
    error_code: Str = None
    error_or_warn: Str = None
    error_params: Str = None


class TargetServerPhysicalVolume(SmsModel):
    """A partition of a recommended target disk."""

    device_use: Str = None
    file_system: Str = None
    index: Int = None
    mount_point: Str = None
    name: Str = None
    size: Int = None
    inode_size: Int = None
    used_size: Int = None
    uuid: Str = None


class TargetServerDisk(SmsModel):
    """A recommended target disk (``DiskIntargetServer``)."""

    name: Str = None
    size: Int = None
    device_use: Str = None
    used_size: Int = None
    physical_volumes: Annotated[list[TargetServerPhysicalVolume], NullList] = _list(  # type: ignore[assignment]
        "physical_volumes"
    )


class InitTargetServer(SmsModel):
    """The recommended target configuration."""

    disks: Annotated[list[TargetServerDisk], NullList] = _list("disks")  # type: ignore[assignment]
    volume_groups: Annotated[list[VolumeGroup], NullList] = _list(  # type: ignore[assignment]
        "volume_groups", "volume_group_s", "volumegroups"
    )


class TargetServerRef(SmsModel):
    """``TargetServerById``: the target server of a task."""

    vm_id: Str = None
    name: Str = None


class CloneServer(SmsModel):
    """The cloned server of a clone test."""

    vm_id: Str = None
    name: Str = None
    clone_error: Str = None
    clone_state: Str = None
    error_msg: Str = None


class SourceCurrentTask(SmsModel):
    """``TaskByServerSource(s)``: the source's migration task, in a list item or detail."""

    id: Str = None
    name: Str = None
    type: Str = None
    state: Str = None
    estimate_completion_time: Int = Field(
        None,
        validation_alias=AliasChoices("estimate_completion_time", "estimate_complete_time"),
    )
    start_date: Int = None
    speed_limit: Int = None
    migrate_speed: Float = None
    """MB/s per the reference."""
    compress_rate: Float = None
    start_target_server: Bool = None
    vm_template_id: Str = None
    region_id: Str = None
    project_name: Str = None
    project_id: Str = None
    target_server: TargetServerRef | None = None
    log_collect_status: Str = None
    exist_server: Bool = None
    use_public_ip: Bool = None
    clone_server: CloneServer | None = None
    remain_seconds: Int = None
    log_bucket: Str = None
    log_expire: Int = None
    log_upload_time: Int = None
    log_share_url: Str = None


class _SourceCommon(SmsModel):
    id: str = ""
    ip: Str = None
    name: Str = None
    enterprise_project_id: Str = None
    add_date: Int = None
    os_type: Str = None
    os_version: Str = None
    oem_system: Bool = None
    state: Str = None
    connected: Bool = None
    cpu_quantity: Int = None
    memory: Int = None
    current_task: SourceCurrentTask | None = None
    checks: Annotated[list[EnvironmentCheck], NullList] = _list("checks")  # type: ignore[assignment]
    init_target_server: InitTargetServer | None = None
    replicatesize: Int = None
    totalsize: Int = None
    stage_action_time: Int = None
    last_visit_time: Int = None
    migration_cycle: Str = None
    state_action_time: Int = None
    is_consistency_result_exist: Bool = None
    has_tc: Bool = None
    migprojectid: Str = None
    """Not in the list's field table, but SMS sends it; used to group by project."""


class SourceListItem(_SourceCommon):
    """One source server in ``GET /v3/sources`` (``SourceServersResponseBody``)."""


class ListSourcesResponse(ListResponse):
    """``GET /v3/sources``."""

    count: int = 0
    source_servers: Annotated[list[SourceListItem], NullList] = _list("source_servers")  # type: ignore[assignment]


class SourceDetail(_SourceCommon):
    """``GET /v3/sources/{id}``: everything about one source server."""

    hostname: Str = None
    firmware: Str = None
    """BIOS or UEFI."""
    disks: Annotated[list[Disk], NullList] = _list("disks")  # type: ignore[assignment]
    volume_groups: Annotated[list[VolumeGroup], NullList] = _list(  # type: ignore[assignment]
        "volume_groups", "volume_group_s", "volumegroups"
    )
    btrfs_list: Annotated[list[BtrfsFileSystem], NullList] = _list("btrfs_list")  # type: ignore[assignment]
    networks: Annotated[list[NetworkInterface], NullList] = _list("networks")  # type: ignore[assignment]
    agent_version: Str = None
    kernel_version: Str = None


class SourcesOverview(SmsModel):
    """``GET /v3/sources/overview``: how many sources are in each state."""

    waiting: Int = None
    replicate: Int = None
    syncing: Int = None
    stopped: Int = None
    deleting: Int = None
    cutovering: Int = None
    unavailable: Int = None
    stopping: Int = None
    finished: Int = None
    initialize: Int = None
    error: Int = None
    cloning: Int = None
    unconfigured: Int = None


class MigrationError(SmsModel):
    """One failed source server in ``GET /v3/errors``."""

    error_json: Str = None
    host_name: Str = None
    name: Str = None
    source_id: Str = None
    source_ip: Str = None
    target_ip: Str = None


class ListErrorsResponse(ListResponse):
    """``GET /v3/errors``."""

    count: int = 0
    migration_errors: Annotated[list[MigrationError], NullList] = _list("migration_errors")  # type: ignore[assignment]
