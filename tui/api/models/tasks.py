"""Migration tasks (reference section 4.2): list items, detail, subtasks, speed-limit rules."""

from __future__ import annotations

from typing import Annotated

from pydantic import AliasChoices, Field

from tui.api.models.common import Bool, Float, Int, ListResponse, NullList, SmsModel, Str
from tui.api.models.sources import CloneServer, LogicalVolume, VolumeGroup


class SubTask(SmsModel):
    """One step of a task with its progress 0–100 and a human ``process_trace``."""

    id: Int = None
    name: Str = None
    progress: Int = None
    start_date: Int = None
    end_date: Int = None
    migrate_speed: Float = None
    """Mbit/s per the reference (the task's own ``migrate_speed`` is MB/s)."""
    user_op: Str = None
    process_trace: Str = None


class NetworkCheckInfo(SmsModel):
    """Result of a network check (``NetworkCheckInfoRequestBody``)."""

    domain_connectivity: Bool = None
    destination_connectivity: Bool = None
    network_delay: Float = None
    """Latency, ms."""
    network_jitter: Float = None
    migration_speed: Float = None
    """Measured bandwidth, Mbit/s."""
    loss_percentage: Float = None
    cpu_usage: Float = None
    mem_usage: Float = None
    evaluation_result: Str = None


class TaskSourceServer(SmsModel):
    """The source server as a task describes it."""

    id: Str = None
    ip: Str = None
    name: Str = None
    os_type: Str = None
    os_version: Str = None
    oem_system: Bool = None
    state: Str = None
    migration_cycle: Str = None


class TargetPhysicalVolume(SmsModel):
    """A partition on a target disk."""

    id: Int = None
    device_use: Str = None
    file_system: Str = None
    index: Int = None
    mount_point: Str = None
    name: Str = None
    size: Int = None
    used_size: Int = None
    uuid: Str = None
    relation_name: Str = None
    free_size: Int = None


class TargetDisk(SmsModel):
    """A disk of the target server."""

    id: Int = None
    device_use: Str = None
    disk_id: Str = None
    name: Str = None
    physical_volumes: Annotated[list[TargetPhysicalVolume], NullList] = Field(
        default_factory=list
    )
    size: Int = None
    used_size: Int = None
    disk_index: Str = None
    os_disk: Bool = None
    partition_style: Str = None
    relation_name: Str = None


class TargetServer(SmsModel):
    """The target server of a task, with its disks (``TaskTargetServer``)."""

    id: Str = None
    vm_id: Str = None
    name: Str = None
    ip: Str = None
    os_type: Str = None
    os_version: Str = None
    system_dir: Str = None
    disks: Annotated[list[TargetDisk], NullList] = Field(default_factory=list)
    volume_groups: Annotated[list[VolumeGroup], NullList] = Field(
        default_factory=list,
        validation_alias=AliasChoices("volume_groups", "volume_group_s", "volumegroups"),
    )
    btrfs_list: Annotated[list[str], NullList] = Field(default_factory=list)
    image_disk_id: Str = None
    cutovered_snapshot_ids: Str = None


class ConfigBody(SmsModel):
    """A special configuration item of a task."""

    config_key: Str = None
    config_value: Str = None
    config_status: Str = None


class _TaskCommon(SmsModel):
    id: str = ""
    name: Str = None
    type: Str = None
    os_type: Str = None
    state: Str = None
    estimate_completion_time: Int = Field(
        None,
        validation_alias=AliasChoices("estimate_completion_time", "estimate_complete_time"),
    )
    create_date: Int = None
    start_date: Int = None
    finish_date: Int = None
    priority: Int = None
    speed_limit: Int = None
    migrate_speed: Float = None
    """MB/s per the reference."""
    compress_rate: Float = None
    start_target_server: Bool = None
    error_json: Str = None
    total_time: Int = None
    migration_ip: Str = None
    sub_tasks: Annotated[list[SubTask], NullList] = Field(default_factory=list)
    source_server: TaskSourceServer | None = None
    target_server: TargetServer | None = None
    log_collect_status: Str = None
    clone_server: CloneServer | None = None
    network_check_info: NetworkCheckInfo | None = None
    special_config: Annotated[list[ConfigBody], NullList] = Field(default_factory=list)
    total_cpu_usage: Float = None
    agent_cpu_usage: Float = None
    total_mem_usage: Float = None
    """MB."""
    agent_mem_usage: Float = None
    total_disk_io: Float = None
    """MB/s."""
    agent_disk_io: Float = None
    need_migration_test: Bool = None
    enterprise_project_id: Str = None
    replicatesize: Int = None
    totalsize: Int = None


class TaskListItem(_TaskCommon):
    """One task in ``GET /v3/tasks`` (``TasksResponseBody``)."""


class ListTasksResponse(ListResponse):
    """``GET /v3/tasks``."""

    count: int = 0
    tasks: Annotated[list[TaskListItem], NullList] = Field(default_factory=list)


class TaskDetail(_TaskCommon):
    """``GET /v3/tasks/{id}``."""

    region_id: Str = None
    region_name: Str = None
    project_name: Str = None
    project_id: Str = None
    vm_template_id: Str = None
    exist_server: Bool = None
    use_public_ip: Bool = None
    syncing: Bool = None
    connected: Bool = None
    float_ip: Str = None
    remain_seconds: Int = None
    target_snapshot_id: Str = None


class SpeedLimitRule(SmsModel):
    """A time-of-day rate limit as read back (``SpeedLimitUson``); speed in Mbit/s."""

    start: Str = None
    end: Str = None
    speed: Int = None
    over_speed_threshold: Float = None


class SpeedLimitResponse(SmsModel):
    """``GET /v3/tasks/{id}/speed-limit``."""

    speed_limit: Annotated[list[SpeedLimitRule], NullList] = Field(default_factory=list)


__all__ = [
    "ConfigBody",
    "LogicalVolume",
    "ListTasksResponse",
    "NetworkCheckInfo",
    "SpeedLimitResponse",
    "SpeedLimitRule",
    "SubTask",
    "TargetDisk",
    "TargetPhysicalVolume",
    "TargetServer",
    "TaskDetail",
    "TaskListItem",
    "TaskSourceServer",
]
