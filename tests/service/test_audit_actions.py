"""Audit log lines and the action/state table."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tui.api.actions import ALLOWED_STATES, DOCUMENTED_OPERATIONS, refusal
from tui.service.audit import AuditLog, scrub


def test_audit_appends_json_lines_without_secrets(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "logs" / "audit.jsonl", profile="prod", endpoint="https://sms")
    log.record("template.create", ["t-1"], {"name": "web", "target_password": "S3cret!",
                                            "nested": [{"password": "x"}]}, ok=True)
    log.record("task.stop", ["task-9"], {"operation": "stop"}, ok=False,
               error_code="SMS.1810", error="task state invalid")
    text = log.path.read_text()
    assert "S3cret!" not in text and '"x"' not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert [r["operation"] for r in lines] == ["template.create", "task.stop"]
    assert lines[1]["outcome"] == "failed" and lines[1]["error_code"] == "SMS.1810"
    assert lines[0]["profile"] == "prod" and lines[0]["targets"] == ["t-1"]
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert [r["operation"] for r in log.read()] == ["template.create", "task.stop"]


def test_audit_write_failure_does_not_raise(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    log = AuditLog(blocker / "audit.jsonl")
    log.record("task.start", ["t"], {}, ok=True)
    assert log.last_error is not None


def test_scrub_is_case_insensitive_and_deep() -> None:
    assert scrub({"SK": "a", "x": {"Token": "b", "keep": 1}}) == {"SK": "***",
                                                                  "x": {"Token": "***", "keep": 1}}


@pytest.mark.parametrize(
    ("op", "state", "allowed"),
    [("stop", "RUNNING", True), ("stop", "SYNCING", True), ("stop", "READY", False),
     ("start", "READY", True), ("start", "RUNNING", False), ("restart", "MIGRATE_FAIL", True),
     ("test", "MIGRATE_SUCCESS", True), ("test", "RUNNING", False),
     ("delete", "RUNNING", False), ("delete", "ABORT", True)],
)
def test_refusal_table(op: str, state: str, allowed: bool) -> None:
    why = refusal(op, state)
    assert (why is None) is allowed
    if why:
        assert state in why


def test_every_documented_operation_has_a_rule_and_unknown_ones_pass() -> None:
    assert set(DOCUMENTED_OPERATIONS) <= set(ALLOWED_STATES)
    assert refusal("cutover", "RUNNING") is None
    assert refusal("start", None) == "the source has no migration task"
