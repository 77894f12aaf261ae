"""Connection profiles, read from ``config.toml`` in the user's config directory.

    default_profile = "prod"

    [profiles.prod]
    sms_endpoint = "https://sms.ap-southeast-1.myhuaweicloud.com"
    region = "ap-southeast-1"
    auth = "aksk"          # the AK/SK can stay in HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK

Secrets from the environment override or complete a profile. A file that holds any secret
must not be readable by group or others (``chmod 600``); otherwise it is refused.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import platformdirs

if TYPE_CHECKING:
    from tui.profile import AuthKind, Profile

REFRESH_RANGE = (1.0, 3600.0)
"""Seconds between fleet polls: at least 1 (SMS rate limits), at most an hour."""

SECRET_FIELDS = frozenset({"ak", "sk", "security_token", "token", "password",
                           "zstack_password"})
"""Profile keys whose values are credentials; their presence makes file permissions matter."""

ENV_FIELDS: Mapping[str, str] = {
    "HUAWEICLOUD_SDK_AK": "ak",
    "HUAWEICLOUD_SDK_SK": "sk",
    "HUAWEICLOUD_SDK_SECURITY_TOKEN": "security_token",
    "HUAWEICLOUD_SDK_PROJECT_ID": "project_id",
    "MIGDASH_TOKEN": "token",
    "MIGDASH_ZSTACK_PASSWORD": "zstack_password",
}
"""Environment variables that override (or fill in) a profile's field."""


class ConfigError(Exception):
    """The configuration file cannot be used; the message says where and how to fix it."""


def __getattr__(name: str) -> Any:
    """``Profile`` and ``AuthKind`` from :mod:`tui.profile`, loaded on first use (PEP 562):
    the pydantic model is built only when a configuration file has a profile to read."""
    if name in ("Profile", "AuthKind"):
        from tui import profile

        return getattr(profile, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


PASSWORD_FIELDS = ("iam_endpoint", "user", "password", "domain")
"""What a ``password`` profile must set to log in to IAM (checked when the auth is built)."""
TOP_LEVEL_KEYS = ("default_profile", "profiles")
"""Every key the file may have outside ``[profiles.NAME]`` tables."""


def _closest(key: str, known: Any) -> str:
    """`` (did you mean 'x'?)`` for the known key nearest to ``key``, or nothing."""
    import difflib

    match = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


class _ConfigFile(msgspec.Struct, frozen=True):
    """A parsed configuration file: raw profile tables, before validation."""

    path: Path
    text: str = ""
    tables: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)
    default: str | None = None


def default_config_path() -> Path:
    """Where the configuration lives: ``<user config dir>/migdash/config.toml``."""
    return Path(platformdirs.user_config_dir("migdash")) / "config.toml"


def load_profiles(path: Path | None = None) -> dict[str, Profile]:
    """Every profile in the file, by name; a missing file means no profiles."""
    config = _read(path)
    return {name: _validate(config, name, table) for name, table in config.tables.items()}


def resolve_profile(
    name: str | None,
    *,
    env: Mapping[str, str] | None = None,
    path: Path | None = None,
) -> Profile | None:
    """The profile to use, completed from the environment.

    ``name`` wins, then ``default_profile``, then the only profile if there is one.
    None when ``name`` is not in the file, or when the file has no profiles.
    """
    environ: Mapping[str, str] = os.environ if env is None else env
    config = _read(path)
    chosen = name or config.default
    if chosen is None:
        if not config.tables:
            return None
        if len(config.tables) > 1:
            names = ", ".join(sorted(config.tables))
            raise ConfigError(
                f"{config.path}: several profiles ({names}) and no default_profile; "
                "choose one with --profile or set default_profile"
            )
        chosen = next(iter(config.tables))
    table = config.tables.get(chosen)
    if table is None:
        if name:
            return None
        raise ConfigError(
            f"{config.path}: default_profile names {chosen!r}, but there is no "
            f"[profiles.{chosen}] table"
        )
    overrides = {key: environ[var] for var, key in ENV_FIELDS.items() if environ.get(var)}
    return _validate(config, chosen, {**table, **overrides})


def _read(path: Path | None) -> _ConfigFile:
    """Read and check the file: TOML syntax, layout, and permissions when it holds secrets."""
    path = default_config_path() if path is None else Path(path)
    try:
        with path.open("rb") as handle:
            # The mode comes from the open file, so it is the file we actually read.
            mode = stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
            raw = handle.read()
    except FileNotFoundError:
        return _ConfigFile(path)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    # Only a launch with a configuration file parses TOML (or quotes a path, or suggests a key).
    import shlex
    import tomllib

    try:
        text = raw.decode("utf-8")
        document = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc

    if _holds_secret(document) and os.name != "nt" and mode & 0o077:
        raise ConfigError(
            f"{path} holds credentials but its mode is {mode:04o}, so other users can read "
            f"it; refusing to use it. Fix: chmod 600 {shlex.quote(str(path))}"
        )

    for key in document:
        if key not in TOP_LEVEL_KEYS:
            raise ConfigError(
                f"{path}: unknown key {key!r}{_closest(key, TOP_LEVEL_KEYS)}; the file has "
                f"{' and '.join(TOP_LEVEL_KEYS)} at the top, profile settings go in "
                "[profiles.NAME] tables"
            )
    profiles = document.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: 'profiles' must be a table of [profiles.NAME] tables")
    tables: dict[str, dict[str, Any]] = {}
    for name, table in profiles.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: profiles.{name} must be a table ([profiles.{name}])")
        tables[name] = table
    default = document.get("default_profile")
    if default is not None and not isinstance(default, str):
        raise ConfigError(f"{path}: default_profile must be a string (a profile name)")
    return _ConfigFile(path, text, tables, default or None)


def _holds_secret(value: Any) -> bool:
    """True if any table in the document sets a credential key to a non-empty value."""
    if isinstance(value, dict):
        return any(
            (key in SECRET_FIELDS and item not in (None, "")) or _holds_secret(item)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return any(_holds_secret(item) for item in value)
    return False


def _validate(config: _ConfigFile, name: str, table: Mapping[str, Any]) -> Profile:
    """Build a Profile, turning validation errors into a ConfigError naming field and line."""
    from pydantic import ValidationError

    from tui.profile import Profile

    try:
        return Profile.model_validate({**table, "name": name})
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"])
            line = _line_of(config.text, name, key.split(".")[0]) if key else None
            where = f"line {line}, " if line else ""
            message = str(error["msg"]).removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                known = [f for f in Profile.model_fields if f != "name"]
                message = f"unknown key{_closest(key, known)}"
            problems.append(f"{where}profiles.{name}{'.' + key if key else ''}: {message}")
        raise ConfigError(f"{config.path}: " + "; ".join(problems)) from None


def _line_of(text: str, profile: str, key: str) -> int | None:
    """Best-effort line number of ``key`` in ``[profiles.<profile>]`` (or of that header)."""
    header = re.compile(rf"""^\s*\[\s*profiles\s*\.\s*["']?{re.escape(profile)}["']?\s*\]""")
    assignment = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=""")
    header_line: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if header_line is None:
            if header.match(line):
                header_line = number
        elif line.lstrip().startswith("["):
            break
        elif assignment.match(line):
            return number
    return header_line


__all__ = [
    "AuthKind",
    "ConfigError",
    "Profile",
    "default_config_path",
    "load_profiles",
    "resolve_profile",
]
