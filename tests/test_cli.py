"""``migdash`` flags, ``status`` output and config errors: each as an operator meets it."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rich.cells import cell_len

from tests.sim_server import serve
from tui.cli import build_parser, main
from tui.headless import render, row
from tui.sim import SimConfig, create_app

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No real config file, log dir or credentials reach these tests."""
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    for var in ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "MIGDASH_TOKEN",
                "HUAWEICLOUD_SDK_PROJECT_ID", "HUAWEICLOUD_SDK_SECURITY_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    return home / "migdash" / "config.toml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse refuses bad usage with exit 2
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


# -- options mean the same before or after a subcommand ---------------------------------


@pytest.mark.parametrize("argv", [
    ["--endpoint", "http://127.0.0.1:18299", "--read-only", "--refresh", "7", "status"],
    ["status", "--endpoint", "http://127.0.0.1:18299", "--read-only", "--refresh", "7"],
    ["--endpoint", "http://127.0.0.1:18299", "status", "--read-only", "--refresh", "7"],
    ["--read-only", "status", "--refresh", "7", "--endpoint", "http://127.0.0.1:18299"],
])
def test_options_mean_the_same_before_or_after_the_subcommand(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert (args.endpoint, args.read_only, args.refresh) == ("http://127.0.0.1:18299", True, 7.0)
    assert args.demo is False and args.sources == 40  # the defaults are still there


def test_status_reads_the_endpoint_given_before_the_subcommand(
        capsys: pytest.CaptureFixture[str]) -> None:
    with serve(create_app(SimConfig(sources=3, seed=7))) as base:
        code, out, err = run(capsys, "--endpoint", base, "status", "--json")
    rows = json.loads(out)
    assert len(rows) == 3, "the served fleet of 3, not the embedded demo's 40"
    assert "demo fleet" not in err and code in (0, 1)


# -- status output ----------------------------------------------------------------------


def test_status_text_has_a_header_a_summary_and_says_it_is_the_demo(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "status")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["STATE", "DONE", "NAME"]
    assert len(lines) == 40 + 2
    assert "demo fleet" in lines[-1]
    assert code == 1 and re.search(r": \d+ error, \d+ unavailable.* → exit 1$", lines[-1])


def test_status_json_and_csv_carry_the_error_code_and_the_stalled_flag(
        capsys: pytest.CaptureFixture[str]) -> None:
    _, out, err = run(capsys, "status", "--json")
    rows = json.loads(out)
    assert "demo fleet" in err  # said to the person, not mixed into the JSON
    failed = [r for r in rows if r["state"] == "error"]
    assert failed and all(r["error_code"] and r["error_code"].startswith("SMS.")
                          for r in failed)
    assert any(r["stalled"] for r in rows) and all(isinstance(r["stalled"], bool) for r in rows)
    _, out, _ = run(capsys, "status", "--csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert {"error_code", "error", "stalled"} <= set(table[0])
    assert [r["error_code"] for r in table if r["state"] == "error"] == [
        r["error_code"] for r in failed]


def test_status_state_filter_and_an_unknown_state_is_an_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "status", "--state", "error", "--json")
    assert code == 1 and {r["state"] for r in json.loads(out)} == {"error"}
    code, out, err = run(capsys, "status", "--state", "bogus")
    assert code == 2 and out == ""
    assert "bogus" in err and "replicate" in err and "unavailable" in err


def source(name: str, **kw: Any) -> Any:
    base = dict(id="s-1", name=name, ip="10.0.0.1", os_type="LINUX", state="replicate",
                migration_cycle="replicating", connected=True, replicatesize=1, totalsize=2,
                current_task=SimpleNamespace(state="RUNNING"))
    return SimpleNamespace(**{**base, **kw})


def test_cjk_names_keep_the_columns_aligned() -> None:
    rows = [row(source("数据库服务器-上海-01")), row(source("web-01")),
            row(source("アプリ", ip="10.0.0.22"))]
    lines = render(rows, "text").splitlines()[:4]
    ip_cells = {cell_len(line[:line.index("10.0.0.")]) for line in lines[1:]}
    assert len(ip_cells) == 1, lines
    assert cell_len(lines[0][:lines[0].index("IP")]) in ip_cells


def test_server_strings_cannot_reach_the_terminal_in_any_format() -> None:
    hostile = source("\x1b]0;pwned\x07x\x1b[2J\x9b31m\u202eevil", ip="\x1b[31m10.0.0.9",
                     state="error\x07", os_type="LINUX\x1b]8;;file:///etc/passwd\x1b\\")
    failure = SimpleNamespace(code="SMS.1\x1b[0m", message="bad \x9d disk \x1b[5m")
    rows = [row(hostile, failure)]
    for fmt in ("text", "csv", "json"):
        out = render(rows, fmt)
        assert not CONTROL.search(out.replace("\n", "")), (fmt, out)
        assert "\\u001b" not in out and "\\u0007" not in out
    assert "␛]0;pwned␇x" in render(rows, "text")


# -- flags are checked at start ---------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e-9", "0", "0.5", "3601", "x"])
def test_refresh_accepts_only_a_sane_finite_range(value: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, f"--refresh={value}", "status")
    assert code == 2 and "--refresh" in err and "1–3600 s" in err


def test_refresh_at_the_bounds_is_accepted() -> None:
    assert build_parser().parse_args(["--refresh", "1"]).refresh == 1.0
    assert build_parser().parse_args(["status", "--refresh", "3600"]).refresh == 3600.0


@pytest.mark.parametrize(("url", "why"), [
    ("notaurl", "is not a URL"), ("http://", "has no host"), ("ftp://x", "must be http or https"),
    ("https://sms.example/?a=1", "no query"),
])
def test_a_bad_endpoint_is_refused_at_start_with_the_reason(
        url: str, why: str, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--endpoint", url], ["status", "--endpoint", url]):
        code, _, err = run(capsys, *argv)
        assert code == 2 and why in err, err


# -- config errors: one clear message, exit 2 -------------------------------------------


def write_config(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)


def test_password_auth_without_credentials_is_one_message(
        isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_config(isolated, '[profiles.p]\nsms_endpoint = "https://sms.example"\n'
                           'auth = "password"\n')
    code, out, err = run(capsys, "status")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert 'auth = "password"' in err and "user" in err and "password" in err


@pytest.mark.parametrize(("text", "named"), [
    ('default_profle = "p"\n[profiles.p]\nsms_endpoint = "https://sms.example"\n',
     "'default_profile'"),
    ('[profiles.p]\nsms_endpiont = "https://sms.example"\n', "'sms_endpoint'"),
    ('[profile.p]\nsms_endpoint = "https://sms.example"\n', "'profiles'"),
])
def test_unknown_config_keys_are_named_with_the_closest_known_one(
        isolated: Path, text: str, named: str, capsys: pytest.CaptureFixture[str]) -> None:
    write_config(isolated, text)
    code, _, err = run(capsys, "status")
    assert code == 2 and f"did you mean {named}" in err and err.count("\n") == 1


def test_a_bad_endpoint_in_a_profile_is_a_config_error(
        isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_config(isolated, '[profiles.p]\nsms_endpoint = "sms.example.com"\nauth = "none"\n')
    code, _, err = run(capsys, "status")
    assert code == 2 and "profile 'p' sms_endpoint" in err and "is not a URL" in err


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e-9, 0.0, 3601.0])
def test_settings_refuse_a_refresh_out_of_range_from_any_caller(value: float) -> None:
    from tui.config import ConfigError
    from tui.connect import resolve

    with pytest.raises(ConfigError, match="1–3600 s"):
        resolve(demo=True, refresh=value)


def test_a_reader_that_leaves_early_is_not_a_traceback() -> None:
    """`migdash hosts | head -1`: the pipe closes under us; no BrokenPipeError traceback."""
    import subprocess
    import sys

    proc = subprocess.run(
        f"{sys.executable} -m tui.cli --demo hosts | head -1",
        shell=True, capture_output=True, text=True, timeout=120,
    )
    assert proc.stdout.strip(), proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr


def test_the_collector_is_paused_for_the_dashboards_start_only(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import gc

    import tui.audit_cli
    import tui.cli

    seen: dict[str, bool] = {}

    def dashboard(args: Any) -> int:
        seen["dashboard"] = gc.isenabled()
        return 0

    def audit(args: Any) -> int:
        seen["audit"] = gc.isenabled()
        return 0

    monkeypatch.setattr(tui.cli, "_run_dashboard", dashboard)
    monkeypatch.setattr(tui.audit_cli, "run", audit)
    assert gc.isenabled()
    assert main(["--demo"]) == 0
    assert gc.isenabled()  # as it was (in the app, GcPolicy resumes it at the first poll)
    assert main(["audit"]) == 0
    assert seen == {"dashboard": False, "audit": True}
    assert gc.isenabled()
    with pytest.raises(SystemExit):
        main(["--refresh", "0"])  # argparse leaves: the collector is back all the same
    assert gc.isenabled()
