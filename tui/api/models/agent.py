"""Agent-side bodies (register, disk info, progress, commands): the simulator reads these."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, Field

from tui.api.models.common import Bool, Float, Int, NullList, SmsModel, Str
from tui.api.models.sources import BtrfsFileSystem, Disk, NetworkInterface, VolumeGroup


class RegisterSourceRequest(SmsModel):
    """``POST /v3/sources``: what the agent reports when it registers a server."""

    id: Str = None
    ip: Str = None
    name: Str = None
    hostname: Str = None
    os_type: Str = None
    os_version: Str = None
    virtualization_type: Str = None
    linux_block_check: Str = None
    firmware: Str = None
    cpu_quantity: Int = None
    memory: Int = None
    disks: Annotated[list[Disk], NullList] = Field(default_factory=list)
    btrfs_list: Annotated[list[BtrfsFileSystem], NullList] = Field(default_factory=list)
    networks: Annotated[list[NetworkInterface], NullList] = Field(default_factory=list)
    domain_id: Str = None
    volume_groups: Annotated[list[VolumeGroup], NullList] = Field(
        default_factory=list,
        validation_alias=AliasChoices("volume_group_s", "volume_groups", "volumegroups"),
    )
    agent_version: Str = None
    kernel_version: Str = None
    migration_cycle: Str = None
    state: Str = None
    oem_system: bool | None = None
    start_type: Str = None
    has_tc: bool | None = None
    platform: Str = None
    has_rsync: Bool = Field(None, validation_alias=AliasChoices("has_rsync", "has_rsycn"))
    """The table spells it ``has_rsycn``; the example ``has_rsync``."""
    paravirtualization: Bool = None
    raw_devices: Str = None
    driver_files: Bool = None
    system_services: Bool = None
    account_rights: Bool = None
    boot_loader: Str = None
    """GRUB or LILO (Linux)."""
    system_dir: Str = None
    """Windows system directory."""
    io_read_wait: Float = None


class UpdateDiskInfoRequest(SmsModel):
    """``PUT /v3/sources/{id}/diskinfo``."""

    disks: Annotated[list[Disk], NullList] = Field(default_factory=list)
    volume_groups: Annotated[list[VolumeGroup], NullList] = Field(
        default_factory=list,
        validation_alias=AliasChoices("volumegroups", "volume_groups", "volume_group_s"),
    )
    btrfs_list: Annotated[list[BtrfsFileSystem], NullList] = Field(default_factory=list)


class TaskProgressReport(SmsModel):
    """``PUT /v3/tasks/{id}/progress``: the agent's progress and resource report."""

    subtask_name: str
    progress: int = Field(ge=0, le=100)
    replicatesize: int = Field(ge=0)
    totalsize: int = Field(ge=0)
    process_trace: str = Field(max_length=2048)
    migrate_speed: Float = None
    compress_rate: Float = None
    remain_time: Int = None
    total_cpu_usage: Float = None
    agent_cpu_usage: Float = None
    total_mem_usage: Float = None
    agent_mem_usage: Float = None
    total_disk_io: Float = None
    agent_disk_io: Float = None
    agent_time: Str = None


class CommandParam(SmsModel):
    """``ComandParam`` of a command."""

    task_id: Str = None
    bucket: Str = None


class SourceCommand(SmsModel):
    """``GET /v3/sources/{id}/command``: START, STOP, DELETE, SYNC or nothing."""

    command_name: Str = None
    command_param: CommandParam | None = None


class CommandResultRequest(SmsModel):
    """``POST /v3/sources/{id}/command_result``."""

    command_name: str
    result: str
    result_detail: dict[str, Any] | Any = None
