"""ZStack configuration: endpoint and account from flags or profile, password never a flag."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui.cli import build_parser
from tui.config import ConfigError
from tui.connect import resolve, resolve_zstack


def _profile(tmp_path: Path, mode: int, password: bool = True) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.lab]\nsms_endpoint = "https://sms.example"\nauth = "none"\n'
                    'zstack_endpoint = "http://mn.lab:8080/"\nzstack_account = "ops"\n'
                    + ('zstack_password = "pw"\n' if password else ""))
    os.chmod(path, mode)
    return path


def test_the_password_comes_from_the_environment_or_a_private_profile(tmp_path: Path) -> None:
    path = _profile(tmp_path, 0o600)
    sms = resolve(env={}, config_path=path)
    zs = resolve_zstack(sms, env={}, config_path=path)
    assert zs is not None and (zs.endpoint, zs.account, zs.password) == (
        "http://mn.lab:8080", "ops", "pw")
    assert "pw" not in repr(zs)
    zs = resolve_zstack(sms, env={"MIGDASH_ZSTACK_PASSWORD": "env"}, config_path=path,
                        account="root")
    assert zs is not None and (zs.password, zs.account) == ("env", "root")
    with pytest.raises(ConfigError, match="chmod 600"):
        resolve_zstack(sms, env={}, config_path=_profile(tmp_path, 0o644))


def test_no_password_anywhere_is_a_config_error_and_no_flag_takes_one(tmp_path: Path) -> None:
    path = _profile(tmp_path, 0o600, password=False)
    with pytest.raises(ConfigError, match="MIGDASH_ZSTACK_PASSWORD"):
        resolve_zstack(resolve(env={}, config_path=path), env={}, config_path=path)
    zs = resolve_zstack(resolve(env={}, config_path=path),
                        env={"MIGDASH_ZSTACK_SESSION": "s" * 32}, config_path=path)
    assert zs is not None and zs.session_id == "s" * 32 and zs.password is None
    args = build_parser().parse_args(["--zstack-endpoint", "http://x", "--zstack-account", "a"])
    assert (args.zstack_endpoint, args.zstack_account) == ("http://x", "a")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--zstack-password", "pw"])


def test_demo_uses_the_simulator_and_nothing_configured_is_none(tmp_path: Path) -> None:
    demo = resolve_zstack(resolve(demo=True, env={}))
    assert demo is not None and demo.demo and demo.password == "password"
    empty = tmp_path / "none.toml"
    assert resolve_zstack(resolve(endpoint="https://sms.example", env={}, config_path=empty),
                          env={}, config_path=empty) is None
