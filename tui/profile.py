"""The pydantic model of one profile in ``config.toml`` (read by :mod:`tui.config`).

A module of its own so that a launch without a configuration file never builds it: the model
and its attribute docstrings cost several milliseconds of the first frame, for nothing to read.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, SecretStr, model_validator

AuthKind = Literal["aksk", "token", "password", "none"]


class Profile(BaseModel):
    """One named way to reach an SMS endpoint, with its credentials."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """The profile's name: NAME in its ``[profiles.NAME]`` table."""
    sms_endpoint: str | None = None
    """Base URL of the SMS API, e.g. ``https://sms.ap-southeast-1.myhuaweicloud.com``."""
    iam_endpoint: str | None = None
    """Base URL of IAM, used to get a token for ``password`` auth."""
    region: str | None = None
    """Region name, e.g. ``ap-southeast-1``."""
    project_id: str | None = None
    """Project ID sent with AK/SK requests (``HUAWEICLOUD_SDK_PROJECT_ID`` overrides it)."""
    auth: AuthKind = "aksk"
    """How to authenticate; when omitted: ``token`` if a token is set, ``password`` if a
    password is set, else ``aksk``."""
    ak: SecretStr | None = None
    """Access key ID (``HUAWEICLOUD_SDK_AK`` overrides it)."""
    sk: SecretStr | None = None
    """Secret access key (``HUAWEICLOUD_SDK_SK`` overrides it)."""
    security_token: SecretStr | None = None
    """Security token for temporary AK/SK (``HUAWEICLOUD_SDK_SECURITY_TOKEN`` overrides it)."""
    token: SecretStr | None = None
    """A ready IAM token (``MIGDASH_TOKEN`` overrides it)."""
    user: str | None = None
    """IAM user name for ``password`` auth."""
    password: SecretStr | None = None
    """IAM password for ``password`` auth."""
    domain: str | None = None
    """Account (domain) name the IAM user belongs to, for ``password`` auth."""
    ecs_endpoint: str | None = None
    """Base URL of ECS; when absent, ``https://ecs.{region}.myhuaweicloud.com``."""
    deh_endpoint: str | None = None
    """Base URL of DeH (dedicated hosts); default ``https://deh.{region}.myhuaweicloud.com``."""
    zstack_endpoint: str | None = None
    """Base URL of a ZStack management node (``http://<mn>:8080``), for view 3."""
    zstack_account: str | None = None
    """ZStack account to log in with (``admin`` when omitted)."""
    zstack_password: SecretStr | None = None
    """That account's password (``MIGDASH_ZSTACK_PASSWORD`` overrides it); only its SHA-512
    is sent."""
    verify_tls: bool = True
    """Check the server's TLS certificate; switch off only for lab endpoints."""

    @model_validator(mode="before")
    @classmethod
    def _infer_auth(cls, data: Any) -> Any:
        if isinstance(data, dict) and "auth" not in data:
            if data.get("token"):
                return {**data, "auth": "token"}
            if data.get("password"):
                return {**data, "auth": "password"}
        return data
