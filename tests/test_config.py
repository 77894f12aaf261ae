"""Profiles from config.toml: parsing, environment overrides, permission checks, secret hiding."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from tui.config import ConfigError, Profile, default_config_path, load_profiles, resolve_profile

SECRET_FILE = """\
default_profile = "prod"

[profiles.prod]
sms_endpoint = "https://sms.ap-southeast-1.myhuaweicloud.com"
region = "ap-southeast-1"
project_id = "p-file"
auth = "aksk"
ak = "AK-FROM-FILE"
sk = "SK-FROM-FILE-very-secret"

[profiles.lab]
sms_endpoint = "https://sms.lab.example"
auth = "none"
verify_tls = false
"""

PLAIN_FILE = """\
[profiles.only]
sms_endpoint = "https://sms.example"
region = "eu-west-101"
"""


def write(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.fixture(autouse=True)
def isolated_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the user config dir into tmp_path so no test can read the real one."""
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


class TestParsing:
    def test_profiles_from_file(self, tmp_path: Path) -> None:
        profiles = load_profiles(write(tmp_path, SECRET_FILE))
        assert sorted(profiles) == ["lab", "prod"]
        prod = profiles["prod"]
        assert prod.name == "prod" and prod.region == "ap-southeast-1" and prod.auth == "aksk"
        assert prod.sk is not None and prod.sk.get_secret_value() == "SK-FROM-FILE-very-secret"
        assert prod.verify_tls is True
        assert profiles["lab"].verify_tls is False and profiles["lab"].ak is None

    def test_missing_file_means_no_profiles(self, tmp_path: Path) -> None:
        assert load_profiles(tmp_path / "absent.toml") == {}
        assert resolve_profile(None, env={}, path=tmp_path / "absent.toml") is None

    def test_default_path_is_in_user_config_dir(self, isolated_config_dir: Path) -> None:
        assert default_config_path() == isolated_config_dir / "migdash" / "config.toml"
        assert load_profiles() == {}

    def test_invalid_toml_names_file_and_line(self, tmp_path: Path) -> None:
        path = write(tmp_path, '[profiles.x]\nregion = "a"\nauth = \n')
        with pytest.raises(ConfigError) as info:
            load_profiles(path)
        assert str(path) in str(info.value) and "line 3" in str(info.value)

    def test_unknown_auth_kind_names_field_and_line(self, tmp_path: Path) -> None:
        path = write(tmp_path, '[profiles.x]\nregion = "a"\nauth = "oauth"\n')
        with pytest.raises(ConfigError) as info:
            load_profiles(path)
        message = str(info.value)
        assert str(path) in message and "profiles.x.auth" in message and "line 3" in message

    def test_unknown_key_is_refused(self, tmp_path: Path) -> None:
        path = write(tmp_path, '[profiles.x]\nsecret_key = "typo"\n')
        with pytest.raises(ConfigError, match="profiles.x.secret_key"):
            load_profiles(path)

    def test_auth_inferred_when_omitted(self, tmp_path: Path) -> None:
        path = write(tmp_path, '[profiles.t]\ntoken = "tok"\n[profiles.p]\npassword = "pw"\n')
        profiles = load_profiles(path)
        assert profiles["t"].auth == "token" and profiles["p"].auth == "password"

    def test_profile_must_be_a_table(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match="profiles.x must be a table"):
            load_profiles(write(tmp_path, 'profiles = { x = "y" }\n'))


class TestResolve:
    def test_default_profile(self, tmp_path: Path) -> None:
        prof = resolve_profile(None, env={}, path=write(tmp_path, SECRET_FILE))
        assert prof is not None and prof.name == "prod"

    def test_name_wins_over_default(self, tmp_path: Path) -> None:
        prof = resolve_profile("lab", env={}, path=write(tmp_path, SECRET_FILE))
        assert prof is not None and prof.name == "lab"

    def test_unknown_name_is_none(self, tmp_path: Path) -> None:
        assert resolve_profile("nope", env={}, path=write(tmp_path, SECRET_FILE)) is None

    def test_single_profile_without_default(self, tmp_path: Path) -> None:
        prof = resolve_profile(None, env={}, path=write(tmp_path, PLAIN_FILE))
        assert prof is not None and prof.name == "only"

    def test_ambiguous_without_default(self, tmp_path: Path) -> None:
        path = write(tmp_path, SECRET_FILE.replace('default_profile = "prod"', ""))
        with pytest.raises(ConfigError, match="no default_profile"):
            resolve_profile(None, env={}, path=path)

    def test_dangling_default_profile(self, tmp_path: Path) -> None:
        path = write(tmp_path, 'default_profile = "gone"\n' + PLAIN_FILE)
        with pytest.raises(ConfigError, match=r"\[profiles.gone\]"):
            resolve_profile(None, env={}, path=path)

    def test_environment_overrides_file(self, tmp_path: Path) -> None:
        env = {
            "HUAWEICLOUD_SDK_AK": "AK-ENV",
            "HUAWEICLOUD_SDK_SK": "SK-ENV",
            "HUAWEICLOUD_SDK_SECURITY_TOKEN": "STS-ENV",
            "HUAWEICLOUD_SDK_PROJECT_ID": "p-env",
            "MIGDASH_TOKEN": "TOKEN-ENV",
        }
        prof = resolve_profile("prod", env=env, path=write(tmp_path, SECRET_FILE))
        assert prof is not None
        assert prof.ak is not None and prof.ak.get_secret_value() == "AK-ENV"
        assert prof.sk is not None and prof.sk.get_secret_value() == "SK-ENV"
        assert prof.security_token is not None
        assert prof.security_token.get_secret_value() == "STS-ENV"
        assert prof.token is not None and prof.token.get_secret_value() == "TOKEN-ENV"
        assert prof.project_id == "p-env"
        assert prof.auth == "aksk"  # stated in the file, so the env token does not change it

    def test_environment_completes_secret_free_file(self, tmp_path: Path) -> None:
        env = {"HUAWEICLOUD_SDK_AK": "AK-ENV", "HUAWEICLOUD_SDK_SK": "SK-ENV", "OTHER": "x"}
        prof = resolve_profile(None, env=env, path=write(tmp_path, PLAIN_FILE, 0o644))
        assert prof is not None and prof.project_id is None
        assert prof.sk is not None and prof.sk.get_secret_value() == "SK-ENV"

    def test_empty_environment_values_are_ignored(self, tmp_path: Path) -> None:
        env = {"HUAWEICLOUD_SDK_SK": "", "HUAWEICLOUD_SDK_PROJECT_ID": ""}
        prof = resolve_profile("prod", env=env, path=write(tmp_path, SECRET_FILE))
        assert prof is not None and prof.project_id == "p-file"
        assert prof.sk is not None and prof.sk.get_secret_value() == "SK-FROM-FILE-very-secret"

    def test_os_environ_is_the_default(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", "p-os")
        prof = resolve_profile("only", path=write(tmp_path, PLAIN_FILE))
        assert prof is not None and prof.project_id == "p-os"


class TestPermissions:
    """POSIX modes; migdash does not check them on Windows."""

    def test_readable_file_with_secrets_is_refused(self, tmp_path: Path) -> None:
        path = write(tmp_path, SECRET_FILE, 0o644)
        with pytest.raises(ConfigError) as info:
            load_profiles(path)
        message = str(info.value)
        assert str(path) in message and "0644" in message
        assert f"chmod 600 {path}" in message
        assert "SK-FROM-FILE" not in message
        with pytest.raises(ConfigError):
            resolve_profile("prod", env={}, path=path)

    @pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
    def test_any_group_or_other_bit_is_refused(self, tmp_path: Path, mode: int) -> None:
        with pytest.raises(ConfigError, match=f"{mode:04o}"):
            load_profiles(write(tmp_path, SECRET_FILE, mode))

    def test_private_file_with_secrets_is_accepted(self, tmp_path: Path) -> None:
        assert sorted(load_profiles(write(tmp_path, SECRET_FILE, 0o600))) == ["lab", "prod"]

    def test_secret_free_file_may_be_world_readable(self, tmp_path: Path) -> None:
        assert list(load_profiles(write(tmp_path, PLAIN_FILE, 0o644))) == ["only"]

    def test_empty_secret_does_not_count(self, tmp_path: Path) -> None:
        path = write(tmp_path, PLAIN_FILE + 'sk = ""\n', 0o644)
        sk = load_profiles(path)["only"].sk
        assert sk is not None and sk.get_secret_value() == ""


class TestSecretsStayHidden:
    def test_repr_str_and_json_hide_secrets(self, tmp_path: Path) -> None:
        prof = resolve_profile(
            "prod",
            env={"MIGDASH_TOKEN": "TOKEN-ENV-secret", "HUAWEICLOUD_SDK_SECURITY_TOKEN": "STS-x"},
            path=write(tmp_path, SECRET_FILE),
        )
        assert prof is not None
        password_prof = Profile(
            name="p", auth="password", user="u", password=SecretStr("PW-secret")
        )
        for shown in (
            repr(prof),
            str(prof),
            prof.model_dump_json(),
            repr(password_prof),
            str(password_prof),
            password_prof.model_dump_json(),
        ):
            for secret in ("AK-FROM-FILE", "SK-FROM-FILE", "TOKEN-ENV", "STS-x", "PW-secret"):
                assert secret not in shown
        assert "**********" in prof.model_dump_json()
        assert "ap-southeast-1" in repr(prof)
