"""Request bodies of every write, validated against the reference's ranges before sending."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import BeforeValidator, Field, SecretStr, StringConstraints, field_serializer, field_validator, model_validator

from tui.api.models.common import WriteModel
from tui.api.models.hhmm import format_hhmm, parse_hhmm

Name255 = Annotated[str, StringConstraints(min_length=1, max_length=255)]
Id255 = Annotated[str, StringConstraints(min_length=1, max_length=255)]
Opt255 = Annotated[str, StringConstraints(max_length=255)]


def _not_bool(value: Any) -> Any:
    # JSON true/false is not a number: lax int/float parsing would read it as 1/0.
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    return value


Speed = Annotated[int, BeforeValidator(_not_bool), Field(ge=0, le=10000)]
"""Mbit/s, 0–10000."""
Threshold = Annotated[float, BeforeValidator(_not_bool), Field(ge=0, le=100)]
"""Over-speed threshold, percent 0–100."""
Bytes = Annotated[int, Field(ge=0)]

DOCUMENTED_OPERATIONS = ("start", "stop", "test", "clone_test", "restart", "network_check")


# -- speed limits --------------------------------------------------------------------------


class SpeedLimitRuleWrite(WriteModel):
    """One rule to send: ``start``/``end`` ``HH:MM`` (``0:00`` accepted), speed in Mbit/s.

    A rule covers ``[start, end)``; an ``end`` of ``23:59`` (the reference's own end of day)
    covers the day's last minute too."""

    start: str
    end: str
    speed: Speed
    over_speed_threshold: Threshold | None = None

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        return format_hhmm(parse_hhmm(value))

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if parse_hhmm(self.start) >= parse_hhmm(self.end):
            raise ValueError(f"start {self.start} must be before end {self.end}")
        return self

    def minutes(self) -> tuple[int, int]:
        """``[start, end)`` in minutes since midnight (23:59 as an end means 24:00)."""
        end = parse_hhmm(self.end)
        return parse_hhmm(self.start), 1440 if end == 1439 else end


class SpeedLimitRequest(WriteModel):
    """``POST /v3/tasks/{id}/speed-limit``: replaces every rule; rules may not overlap."""

    speed_limit: list[SpeedLimitRuleWrite]

    @model_validator(mode="after")
    def _no_overlap(self) -> Self:
        spans = sorted((r.minutes(), i) for i, r in enumerate(self.speed_limit))
        for ((_, end_a), a), ((start_b, _), b) in zip(spans, spans[1:], strict=False):
            if start_b < end_a:
                ra, rb = self.speed_limit[a], self.speed_limit[b]
                raise ValueError(
                    f"rules {a + 1} ({ra.start}–{ra.end}) and {b + 1} ({rb.start}–{rb.end}) "
                    "overlap"
                )
        return self


# -- tasks ---------------------------------------------------------------------------------


class TaskActionRequest(WriteModel):
    """``POST /v3/tasks/{id}/action``; ``clone_test`` needs ``template_id``.

    Only the reference's operations validate; :meth:`passthrough` sends any other operation
    a newer service accepts (cutover, sync-related ones) and lets the server answer."""

    operation: Literal["start", "stop", "test", "clone_test", "restart", "network_check"]
    template_id: Annotated[str, StringConstraints(max_length=2048)] | None = None
    switch_hce: bool | None = None
    is_need_consistency_check: bool | None = None

    @model_validator(mode="after")
    def _clone_needs_template(self) -> Self:
        if self.operation == "clone_test" and not self.template_id:
            raise ValueError("clone_test needs template_id")
        return self

    @classmethod
    def passthrough(cls, operation: str, **fields: Any) -> TaskActionRequest:
        """An action the reference does not document, sent as-is (the server decides)."""
        if not operation or len(operation) > 255:
            raise ValueError("operation must be 1–255 characters")
        return cls.model_construct(operation=operation, **fields)


class PhysicalVolumeWrite(WriteModel):
    """A partition of a target disk in a create-task body."""

    name: Opt255 | None = None
    device_use: Opt255 | None = None
    file_system: Opt255 | None = None
    index: Annotated[int, Field(ge=0)] | None = None
    mount_point: Opt255 | None = None
    size: Bytes | None = None
    used_size: Bytes | None = None
    uuid: Opt255 | None = None


class TargetDiskWrite(WriteModel):
    """``TargetDisks``: a target disk in a create-task body."""

    name: Name255
    size: Bytes
    used_size: Bytes
    device_use: Literal["BOOT", "OS", "NORMAL"] | None = None
    disk_id: Opt255 | None = None
    physical_volumes: list[PhysicalVolumeWrite] = Field(default_factory=list)


class LogicalVolumeWrite(WriteModel):
    """A logical volume in a create-task body."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    file_system: Opt255
    inode_size: Annotated[int, Field(ge=0)]
    mount_point: Annotated[str, StringConstraints(max_length=256)]
    size: Bytes
    used_size: Bytes
    free_size: Bytes
    block_count: Annotated[int, Field(ge=0)] | None = None
    block_size: Annotated[int, Field(ge=0, le=1048576)] | None = None


class VolumeGroupWrite(WriteModel):
    """A volume group in a create-task body."""

    name: Opt255 | None = None
    components: Opt255 | None = None
    free_size: Bytes | None = None
    size: Bytes | None = None
    logical_volumes: list[LogicalVolumeWrite] = Field(default_factory=list)


class SourceServerRef(WriteModel):
    """``SourceServerByTask``."""

    id: Id255


class TargetServerWrite(WriteModel):
    """``TargetServerByTask``: an existing server (``vm_id``) and how to lay out its disks."""

    vm_id: Opt255 = ""
    name: Opt255 | None = None
    disks: list[TargetDiskWrite]
    volume_group_s: list[VolumeGroupWrite] | None = None


class CreateTaskRequest(WriteModel):
    """``POST /v3/tasks``: a migration task for one source."""

    name: Name255
    type: Literal["MIGRATE_BLOCK", "MIGRATE_FILE"]
    os_type: Literal["WINDOWS", "LINUX"]
    source_server: SourceServerRef
    target_server: TargetServerWrite
    region_name: Name255
    region_id: Name255
    project_name: Name255
    project_id: Name255
    start_target_server: bool | None = None
    auto_start: bool | None = None
    migration_ip: Opt255 | None = None
    priority: Annotated[int, Field(ge=0, le=2)] | None = None
    """0 low, 1 normal, 2 high (the list endpoint's documented range)."""
    vm_template_id: Opt255 | None = None
    use_public_ip: bool | None = None
    use_ipv6: bool | None = None
    syncing: bool | None = None
    exist_server: bool | None = None
    start_network_check: bool | None = None
    speed_limit: Speed | None = None
    over_speed_threshold: Threshold | None = None
    is_need_consistency_check: bool | None = None

    @model_validator(mode="after")
    def _target(self) -> Self:
        if self.exist_server and not self.target_server.vm_id:
            raise ValueError("target_server.vm_id is required when exist_server is true")
        if not self.exist_server and not self.vm_template_id and not self.target_server.vm_id:
            raise ValueError("choose a template (vm_template_id) or an existing target server")
        return self


class UpdateTaskRequest(WriteModel):
    """``PUT /v3/tasks/{id}``: the fields an operator changes (e.g. the task-level speed)."""

    name: Name255 | None = None
    type: Literal["MIGRATE_BLOCK", "MIGRATE_FILE"] | None = None
    priority: Annotated[int, Field(ge=0, le=2)] | None = None
    speed_limit: Speed | None = None
    start_target_server: bool | None = None
    migration_ip: Opt255 | None = None
    vm_template_id: Opt255 | None = None


# -- sources -------------------------------------------------------------------------------


class PutLogicalVolume(WriteModel):
    """Migrate or resize one logical volume."""

    id: Id255
    need_migration: bool | None = None
    adjust_size: Bytes | None = None


class PutVolumeGroup(WriteModel):
    """Migrate or resize one volume group."""

    id: Id255
    need_migration: bool | None = None
    adjust_size: Bytes | None = None
    logical_volumes: list[PutLogicalVolume] | None = None


class PutVolume(WriteModel):
    """Migrate or resize one partition."""

    id: Id255 | None = None
    need_migration: bool | None = None
    adjust_size: Bytes | None = None


class PutDisk(WriteModel):
    """Migrate or resize one disk and its partitions."""

    id: Id255
    adjust_size: Bytes
    need_migration: bool | None = None
    physical_volumes: list[PutVolume] | None = None


class UpdateSourceRequest(WriteModel):
    """``PUT /v3/sources/{id}``: rename, move project, choose and resize disks/volumes."""

    name: Name255 | None = None
    migprojectid: Opt255 | None = None
    disks: list[PutDisk] | None = None
    volume_group_s: list[PutVolumeGroup] | None = None


class ChangeStateRequest(WriteModel):
    """``PUT /v3/sources/{id}/changestate``."""

    copystate: Opt255 | None = None
    migrationcycle: Literal["checking", "setting", "replicating", "syncing", "cutovering",
                            "cutovered"] | None = None


class BatchDeleteRequest(WriteModel):
    """``POST …/delete``: the ids to delete (sources, tasks or templates)."""

    ids: list[Id255] = Field(min_length=1)


DeleteSourcesRequest = BatchDeleteRequest
DeleteTasksRequest = BatchDeleteRequest
DeleteTemplatesRequest = BatchDeleteRequest


# -- templates and projects ----------------------------------------------------------------


class VpcWrite(WriteModel):
    """``VpcObject``."""

    id: Id255
    name: Name255
    cidr: Opt255 | None = None


class NicWrite(WriteModel):
    """``Nics``."""

    id: Opt255
    name: Opt255
    cidr: Opt255
    ip: Opt255 | None = None


class SecurityGroupWrite(WriteModel):
    """``SgObject``."""

    id: Opt255
    name: Opt255


class PublicIpWrite(WriteModel):
    """``PublicIp``: bandwidth 1–2000 Mbit/s."""

    type: Name255
    bandwidth_size: Annotated[int, Field(ge=1, le=2000)]
    bandwidth_share_type: Opt255 | None = None


class TemplateDiskWrite(WriteModel):
    """``TemplateDisk``."""

    index: Annotated[int, Field(ge=0)]
    name: Name255
    disktype: Literal["SAS", "SSD", "SATA"]
    size: Bytes
    id: Annotated[int, Field(ge=0)] | None = None
    device_use: Opt255 | None = None


class TemplateRequest(WriteModel):
    """``TemplateRequest``; ``target_password`` is a secret, sent but never shown or logged."""

    name: Name255
    is_template: bool
    region: Name255
    projectid: Name255
    target_server_name: Opt255 | None = None
    availability_zone: Opt255 | None = None
    volumetype: Literal["SAS", "SSD", "SATA"] | None = None
    flavor: Annotated[str, StringConstraints(max_length=65535)] | None = None
    vpc: VpcWrite | None = None
    nics: list[NicWrite] | None = None
    security_groups: list[SecurityGroupWrite] | None = None
    publicip: PublicIpWrite | None = None
    disk: list[TemplateDiskWrite] | None = None
    data_volume_type: Literal["SAS", "SSD", "SATA"] | None = None
    target_password: SecretStr | None = Field(None, max_length=1024)
    image_id: Opt255 | None = None

    @field_serializer("target_password", when_used="json")
    def _reveal(self, value: SecretStr | None) -> str | None:
        # Only the body sent to SMS carries it; reprs and audit summaries go through scrub.
        return value.get_secret_value() if value is not None else None


class TemplateBody(WriteModel):
    """``POST /v3/vm/templates`` and ``PUT /v3/vm/templates/{id}``."""

    template: TemplateRequest


class MigProjectBody(WriteModel):
    """``POST /v3/migprojects`` / ``PUT /v3/migprojects/{id}``: name 2–19 characters."""

    name: Annotated[str, StringConstraints(min_length=2, max_length=19)]
    region: Name255
    use_public_ip: bool
    exist_server: bool
    type: Literal["MIGRATE_BLOCK", "MIGRATE_FILE"]
    syncing: bool
    description: Opt255 | None = None
    isdefault: bool | None = None
    start_target_server: bool | None = None
    speed_limit: Speed | None = None
    enterprise_project: Opt255 | None = None
    start_network_check: bool | None = None
