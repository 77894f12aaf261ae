"""The documented values of SMS's enum-like fields (states, cycles, types, check results).

Read models keep these fields as plain ``str`` (an unknown value is kept, not refused); the
enums name what the reference documents. No pydantic here: the command line lists the
states for ``--state`` without loading the models.
"""

from __future__ import annotations

from enum import StrEnum


class SourceState(StrEnum):
    """Documented source ``state`` values."""

    UNAVAILABLE = "unavailable"
    WAITING = "waiting"
    INITIALIZE = "initialize"
    REPLICATE = "replicate"
    SYNCING = "syncing"
    STOPPING = "stopping"
    STOPPED = "stopped"
    DELETING = "deleting"
    ERROR = "error"
    CLONING = "cloning"
    CUTOVERING = "cutovering"
    FINISHED = "finished"
    TESTING = "testing"


class MigrationCycle(StrEnum):
    """Documented source ``migration_cycle`` values."""

    CHECKING = "checking"
    SETTING = "setting"
    REPLICATING = "replicating"
    SYNCING = "syncing"
    CUTOVERING = "cutovering"
    CUTOVERED = "cutovered"


class TaskState(StrEnum):
    """Documented task ``state`` values."""

    READY = "READY"
    RUNNING = "RUNNING"
    SYNCING = "SYNCING"
    MIGRATE_SUCCESS = "MIGRATE_SUCCESS"
    MIGRATE_FAIL = "MIGRATE_FAIL"
    ABORTING = "ABORTING"
    ABORT = "ABORT"
    DELETING = "DELETING"
    SYNC_F_ROLLBACKING = "SYNC_F_ROLLBACKING"
    SYNC_F_ROLLBACK_SUCCESS = "SYNC_F_ROLLBACK_SUCCESS"


class TaskType(StrEnum):
    """Task (and migration project) ``type``."""

    MIGRATE_FILE = "MIGRATE_FILE"
    MIGRATE_BLOCK = "MIGRATE_BLOCK"


class OsType(StrEnum):
    """Source ``os_type``."""

    WINDOWS = "WINDOWS"
    LINUX = "LINUX"


class CheckResult(StrEnum):
    """Environment check ``result``."""

    OK = "OK"
    WARN = "WARN"
    ERROR = "ERROR"


class SubTaskName(StrEnum):
    """Subtask names from the progress-report section."""

    CREATE_CLOUD_SERVER = "CREATE_CLOUD_SERVER"
    SSL_CONFIG = "SSL_CONFIG"
    ATTACH_AGENT_IMAGE = "ATTACH_AGENT_IMAGE"
    DETTACH_AGENT_IMAGE = "DETTACH_AGENT_IMAGE"
    FORMAT_DISK_LINUX = "FORMAT_DISK_LINUX"
    FORMAT_DISK_LINUX_FILE = "FORMAT_DISK_LINUX_FILE"
    FORMAT_DISK_LINUX_BLOCK = "FORMAT_DISK_LINUX_BLOCK"
    FORMAT_DISK_WINDOWS = "FORMAT_DISK_WINDOWS"
    MIGRATE_LINUX_FILE = "MIGRATE_LINUX_FILE"
    MIGRATE_LINUX_BLOCK = "MIGRATE_LINUX_BLOCK"
    MIGRATE_WINDOWS_BLOCK = "MIGRATE_WINDOWS_BLOCK"
    CLONE_VM = "CLONE_VM"
    SYNC_LINUX_FILE = "SYNC_LINUX_FILE"
    SYNC_LINUX_BLOCK = "SYNC_LINUX_BLOCK"
    SYNC_WINDOWS_BLOCK = "SYNC_WINDOWS_BLOCK"
    CONFIGURE_LINUX = "CONFIGURE_LINUX"
    CONFIGURE_LINUX_BLOCK = "CONFIGURE_LINUX_BLOCK"
    CONFIGURE_LINUX_FILE = "CONFIGURE_LINUX_FILE"
    CONFIGURE_WINDOWS = "CONFIGURE_WINDOWS"
