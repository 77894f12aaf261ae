"""The audit log: one JSON line per write the dashboard sends, in the user's log directory."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec
import platformdirs

SECRET_KEYS = frozenset({"target_password", "password", "sk", "ak", "token", "security_token",
                         "auth_token"})
"""Keys whose values never reach the log, at any depth."""


def default_path() -> Path:
    """``platformdirs.user_log_dir("migdash")/audit.jsonl``."""
    return Path(platformdirs.user_log_dir("migdash")) / "audit.jsonl"


def scrub(value: Any) -> Any:
    """A copy of ``value`` with every secret-looking key's value replaced by ``***``."""
    if isinstance(value, Mapping):
        return {k: ("***" if str(k).lower() in SECRET_KEYS else scrub(v))
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    return value


class AuditRecord(msgspec.Struct, frozen=True):
    """One write: who sent what to where, and how it ended."""

    time: str
    profile: str
    endpoint: str
    operation: str
    targets: list[str]
    request: Any
    outcome: str
    """``ok``, ``failed`` (the server refused), or ``unknown`` (no readable answer: the write
    may have reached the server). An ``unknown`` record is followed by a second record for the
    same write with ``verified`` set: what re-reading the target showed."""
    error_code: str | None = None
    error: str | None = None
    verified: str | None = None
    """On the record written after re-reading an unknown write: what the server showed."""


class AuditLog:
    """Appends :class:`AuditRecord` lines; a write failure never breaks the operator's action."""

    def __init__(self, path: Path | None = None, *, profile: str = "", endpoint: str = "") -> None:
        self.path = path or default_path()
        self.profile = profile
        self.endpoint = endpoint
        self.last_error: OSError | None = None

    def record(self, operation: str, targets: Sequence[str], request: Any, *, ok: bool,
               error_code: str | None = None, error: str | None = None,
               outcome: str | None = None, verified: str | None = None) -> AuditRecord:
        """Append one record (secrets scrubbed) and return it; ``outcome`` (``unknown``)
        overrides what ``ok`` says."""
        rec = AuditRecord(
            time=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            profile=self.profile,
            endpoint=self.endpoint,
            operation=operation,
            targets=list(targets),
            request=scrub(request),
            outcome=outcome or ("ok" if ok else "failed"),
            error_code=error_code,
            error=error,
            verified=verified,
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as fh:
                line = msgspec.structs.asdict(rec)
                if rec.verified is None:  # only the follow-up of an unknown write has it
                    del line["verified"]
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError as exc:  # the action happened; losing its log line must not hide that
            self.last_error = exc
        return rec

    def read(self) -> Iterator[dict[str, Any]]:
        """Every record, oldest first; unreadable lines are skipped."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    yield json.loads(line)
                except ValueError:
                    continue
