"""``migdash audit``: the table, ``--json``, ``--tail``, ``--failed``; never the real log dir."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tui.cli import main
from tui.service.audit import AuditLog


@pytest.fixture(autouse=True)
def no_real_log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default log path points into tmp_path for every test here."""
    logs = tmp_path / "user-log-dir"
    monkeypatch.setattr("platformdirs.user_log_dir", lambda *a, **k: str(logs))
    return logs / "audit.jsonl"


def write_some(path: Path) -> AuditLog:
    log = AuditLog(path, profile="prod", endpoint="https://sms.example")
    log.record("task.start", ["task-1"], {"operation": "start"}, ok=True)
    log.record("task.stop", ["task-2"], {"operation": "stop"}, ok=False, error_code="SMS.7714",
               error="the task cannot be stopped")
    log.record("task.create", ["src-3"], {"name": "t", "target_server": {
        "target_password": "hunter2", "name": "x"}}, ok=True)
    log.record("source.delete", ["a", "b", "c"], None, ok=True)
    return log


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["audit", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_table_shows_every_field_and_no_secret(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "audit.jsonl"
    write_some(path)
    code, out, _ = run(capsys, "--file", str(path))
    lines = out.splitlines()
    assert code == 0 and len(lines) == 5
    assert lines[0].split() == ["TIME", "PROFILE", "ENDPOINT", "OPERATION", "TARGETS",
                                "OUTCOME", "REQUEST"]
    assert "task.start" in lines[1] and "prod" in lines[1] and "https://sms.example" in lines[1]
    assert "task-1" in lines[1] and " ok " in lines[1] and '{"operation":"start"}' in lines[1]
    assert "failed SMS.7714" in lines[2]
    assert "hunter2" not in out and '"target_password":"***"' in lines[3]
    assert "a +2" in lines[4]
    # Columns line up: OPERATION starts at the same place on every line.
    col = lines[0].index("OPERATION")
    assert all(line[col:].split()[0] in ("OPERATION", "task.start", "task.stop", "task.create",
                                         "source.delete") for line in lines)


def test_json_prints_the_raw_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "audit.jsonl"
    write_some(path)
    code, out, _ = run(capsys, "--file", str(path), "--json")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["operation"] for r in records] == [
        "task.start", "task.stop", "task.create", "source.delete"]
    assert set(records[1]) == {"time", "profile", "endpoint", "operation", "targets", "request",
                               "outcome", "error_code", "error"}
    assert records[1]["error_code"] == "SMS.7714" and records[1]["outcome"] == "failed"


def test_tail_and_failed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "audit.jsonl"
    write_some(path)
    _, out, _ = run(capsys, "--file", str(path), "--json", "--tail", "2")
    assert [json.loads(x)["operation"] for x in out.splitlines()] == ["task.create",
                                                                      "source.delete"]
    _, out, _ = run(capsys, "--file", str(path), "--json", "--failed")
    assert [json.loads(x)["operation"] for x in out.splitlines()] == ["task.stop"]
    _, out, _ = run(capsys, "--file", str(path), "--failed", "--tail", "1")
    assert len(out.splitlines()) == 2 and "task.stop" in out
    code, _, err = run(capsys, "--file", str(path), "--tail", "-1")
    assert code == 2 and "--tail" in err


def test_secrets_in_an_old_hand_written_line_are_scrubbed_on_output(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "audit.jsonl"
    line: dict[str, Any] = {"time": "2026-01-01T00:00:00+0000", "profile": "p", "endpoint": "e",
                            "operation": "task.create", "targets": ["s"], "outcome": "ok",
                            "request": {"password": "pw-123", "nested": [{"sk": "SK-9"}]}}
    path.write_text(json.dumps(line) + "\nnot json\n")
    _, out, _ = run(capsys, "--file", str(path), "--json")
    assert "pw-123" not in out and "SK-9" not in out
    assert json.loads(out)["request"] == {"password": "***", "nested": [{"sk": "***"}]}


def test_the_default_path_is_the_user_log_dir_and_a_missing_log_is_not_an_error(
        no_real_log_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert code == 0 and out == "" and str(no_real_log_dir) in err
    write_some(no_real_log_dir)
    code, out, _ = run(capsys, "--tail", "1")
    assert code == 0 and "source.delete" in out


def test_audit_needs_no_connection_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(**_: Any) -> Any:
        raise AssertionError("audit must not resolve a connection")

    monkeypatch.setattr("tui.connect.resolve", refuse)
    path = tmp_path / "audit.jsonl"
    write_some(path)
    assert main(["audit", "--file", str(path)]) == 0


def test_unknown_outcomes_and_their_check_are_shown(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, profile="prod", endpoint="https://sms.example")
    log.record("task.stop", ["task-1"], {"operation": "stop"}, ok=False, outcome="unknown",
               error="timed out waiting for the answer")
    log.record("task.stop", ["task-1"], {"operation": "stop"}, ok=True,
               verified="the task is ABORTING")
    code, out, _ = run(capsys, "--file", str(path))
    lines = out.splitlines()
    col = lines[0].index("OUTCOME")
    assert code == 0 and lines[1][col:].startswith("unknown ")
    assert lines[2][col:].startswith("ok (re-read)")
    _, out, _ = run(capsys, "--file", str(path), "--json")
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["outcome"] for r in records] == ["unknown", "ok"]
    assert "verified" not in records[0] and records[1]["verified"] == "the task is ABORTING"
