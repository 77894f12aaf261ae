"""Turn command-line flags, a profile and the environment into a ready SMS client.

With no endpoint and no profile the client talks to the embedded simulator in-process
(``httpx.ASGITransport``), so the demo needs no port and no credentials.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from tui.api.auth import AkSkAuth, TokenAuth
from tui.api.client import SmsClient
from tui.api.transport import MAX_RESPONSE_BYTES
from tui.config import REFRESH_RANGE, ConfigError, resolve_profile

if TYPE_CHECKING:  # imported when opened: its 60 models cost ~35 ms of a launch without ECS
    from tui.api.ecs import EcsClient
    from tui.profile import Profile

DEMO_ENDPOINT = "http://migdash-sim.local"
"""The base URL used for the in-process simulator (never resolved: no socket is opened)."""


@dataclass(frozen=True)
class Settings:
    """Where to connect and how; secrets stay inside ``auth`` and never reach a repr."""

    endpoint: str
    label: str
    demo: bool = False
    read_only: bool = False
    refresh: float = 5.0
    region: str | None = None
    project_id: str | None = None
    verify_tls: bool = True
    auth_kind: str = "none"
    auth: httpx.Auth | None = field(default=None, repr=False, compare=False)
    ecs_endpoint: str | None = None
    """ECS base URL (flag, profile, or derived from the region); None: not configured."""
    deh_endpoint: str | None = None
    """DeH base URL, like ``ecs_endpoint``."""
    sim_options: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


ENDPOINT_EXAMPLE = "https://sms.ap-southeast-1.myhuaweicloud.com"


def check_endpoint(url: str) -> str:
    """``url`` without a trailing slash if it can be an API endpoint; else ValueError saying
    what is wrong (checked at start, so a bad URL never turns into "reconnecting" forever)."""
    text = url.strip()
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise ValueError(f"{url!r} is not a URL ({exc})") from None
    if not parsed.scheme:
        raise ValueError(f"{url!r} is not a URL: expected http:// or https:// and a host, "
                         f"e.g. {ENDPOINT_EXAMPLE}")
    if parsed.scheme not in ("http", "https"):
        raise ValueError(f"{url!r}: the scheme must be http or https, not {parsed.scheme!r}")
    if not parsed.host:
        raise ValueError(f"{url!r} has no host name, e.g. {ENDPOINT_EXAMPLE}")
    if parsed.query or parsed.fragment:
        raise ValueError(f"{url!r}: an endpoint has no query (?…) or fragment (#…)")
    return text.rstrip("/")


def resolve(
    *,
    demo: bool = False,
    endpoint: str | None = None,
    token: str | None = None,
    project_id: str | None = None,
    ecs_endpoint: str | None = None,
    deh_endpoint: str | None = None,
    profile: str | None = None,
    read_only: bool = False,
    refresh: float = 5.0,
    insecure: bool = False,
    env: Mapping[str, str] | None = None,
    config_path: Any = None,
    sim_options: Mapping[str, Any] | None = None,
) -> Settings:
    """Settings from flags > environment > profile; the embedded simulator when nothing is set."""
    env = os.environ if env is None else env
    lo, hi = REFRESH_RANGE
    if not math.isfinite(refresh) or not lo <= refresh <= hi:
        raise ConfigError(f"the refresh interval must be {lo:g}–{hi:g} s (got {refresh!r})")
    common = {"read_only": read_only, "refresh": refresh}
    explicit_ecs = ecs_endpoint or deh_endpoint
    if demo:
        return _demo(common, sim_options, explicit_ecs)
    prof: Profile | None = None
    if endpoint is None:
        prof = resolve_profile(profile, env=env, path=config_path)
        if prof is None:
            if profile:
                raise ConfigError(f"no profile named {profile!r} in the configuration file")
            return _demo(common, sim_options, explicit_ecs)
        endpoint = prof.sms_endpoint
        if not endpoint:
            raise ConfigError(f"profile {prof.name!r} has no sms_endpoint")
    try:
        endpoint = check_endpoint(endpoint)
    except ValueError as exc:
        where = f"profile {prof.name!r} sms_endpoint" if prof else "--endpoint"
        raise ConfigError(f"{where}: {exc}") from None
    project_id = project_id or env.get("HUAWEICLOUD_SDK_PROJECT_ID") or (
        prof.project_id if prof else None
    )
    try:
        auth, kind = _auth(token, project_id, prof, env)
    except ValueError as exc:  # an auth that cannot work with what was given
        raise ConfigError(f"{prof.name if prof else endpoint}: {exc}") from None
    return Settings(
        endpoint=endpoint,
        label=prof.name if prof else endpoint,
        region=prof.region if prof else None,
        project_id=project_id,
        verify_tls=not insecure and (prof.verify_tls if prof else True),
        auth_kind=kind,
        auth=auth,
        ecs_endpoint=ecs_endpoint or (prof.ecs_endpoint if prof else None)
        or _derived("ecs", prof.region if prof else None),
        deh_endpoint=deh_endpoint or (prof.deh_endpoint if prof else None)
        or _derived("deh", prof.region if prof else None),
        **common,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class ZStackSettings:
    """Where view 3's ZStack is and how to log in; the password never reaches a repr."""

    endpoint: str
    account: str
    demo: bool = False
    verify_tls: bool = True
    password: str | None = field(default=None, repr=False, compare=False)
    session_id: str | None = field(default=None, repr=False, compare=False)
    sim_options: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


def zstack_configured(settings: Settings, zstack: Any) -> bool:
    """Whether view 3 has a ZStack to read: its own settings, or the demo's simulator."""
    return zstack is not None or settings.demo


def resolve_zstack(
    settings: Settings,
    *,
    endpoint: str | None = None,
    account: str | None = None,
    profile: str | None = None,
    env: Mapping[str, str] | None = None,
    config_path: Any = None,
) -> ZStackSettings | None:
    """ZStack from flags > environment > profile; the embedded simulator in the demo; None
    when no ZStack is configured. The password comes from ``MIGDASH_ZSTACK_PASSWORD`` or the
    (0600) profile, never from the command line; ``MIGDASH_ZSTACK_SESSION`` reuses a session."""
    env = os.environ if env is None else env
    if settings.demo and endpoint is None:
        from tui.sim.zstack import ZStackSimConfig

        sim = ZStackSimConfig()
        return ZStackSettings(DEMO_ENDPOINT, sim.account, demo=True, password=sim.password,
                              sim_options=dict(settings.sim_options))
    prof = None if settings.demo else resolve_profile(profile, env=env, path=config_path)
    endpoint = endpoint or (prof.zstack_endpoint if prof else None)
    if not endpoint:
        return None
    password = env.get("MIGDASH_ZSTACK_PASSWORD") or (
        _secret(prof.zstack_password) if prof else None)
    session = env.get("MIGDASH_ZSTACK_SESSION") or None
    if password is None and session is None:
        raise ConfigError("ZStack needs a password: set MIGDASH_ZSTACK_PASSWORD (or "
                          "zstack_password in a chmod 600 profile), or MIGDASH_ZSTACK_SESSION")
    return ZStackSettings(
        endpoint=endpoint.rstrip("/"),
        account=account or (prof.zstack_account if prof else None) or "admin",
        verify_tls=settings.verify_tls and (prof.verify_tls if prof else True),
        password=password, session_id=session,
    )


def open_zstack_client(zsettings: ZStackSettings, *, sms: Any = None, **client_kw: Any) -> Any:
    """A ``ZStackClient`` for ``zsettings``. In the demo it talks to the same in-process
    simulator as ``sms`` (a fresh one without); ``client.simulator`` is that ``Simulator``,
    whose ``zstack`` engine tests inspect."""
    from tui.api.zstack import ZStackClient

    if zsettings.demo:
        from tui.sim import SimConfig, SimTransport, create_app

        app = getattr(sms, "sim_app", None) or create_app(SimConfig(**dict(zsettings.sim_options)))
        client = ZStackClient(zsettings.endpoint, account=zsettings.account,
                              password=zsettings.password, transport=SimTransport(app),
                              **client_kw)
        client.simulator = app.state.sim  # type: ignore[attr-defined]
        return client
    return ZStackClient(zsettings.endpoint, account=zsettings.account,
                        password=zsettings.password, session_id=zsettings.session_id,
                        verify=zsettings.verify_tls, **client_kw)


def _derived(service: str, region: str | None) -> str | None:
    """``https://{service}.{region}.myhuaweicloud.com`` when the profile names a region."""
    return f"https://{service}.{region}.myhuaweicloud.com" if region else None


def _demo(common: Mapping[str, Any], sim_options: Mapping[str, Any] | None,
          explicit_ecs: str | None = None) -> Settings:
    if explicit_ecs:
        raise ConfigError(
            "--ecs-endpoint/--deh-endpoint need the SMS connection too (--endpoint or a "
            "profile); without them migdash runs the demo, which simulates every backend")
    return Settings(
        endpoint=DEMO_ENDPOINT,
        label="demo (embedded simulator)",
        demo=True,
        region="sim-region-1",
        ecs_endpoint=DEMO_ENDPOINT,
        deh_endpoint=DEMO_ENDPOINT,
        sim_options=dict(sim_options or {}),
        **common,
    )


def _secret(value: Any) -> str | None:
    if value is None:
        return None
    getter = getattr(value, "get_secret_value", None)
    return str(getter()) if callable(getter) else str(value)


def _auth(
    token: str | None, project_id: str | None, prof: Profile | None, env: Mapping[str, str]
) -> tuple[httpx.Auth | None, str]:
    """Pick the auth: explicit token, then AK/SK, then the profile's token or password login."""
    token = token or env.get("MIGDASH_TOKEN") or (_secret(prof.token) if prof else None)
    ak = env.get("HUAWEICLOUD_SDK_AK") or (_secret(prof.ak) if prof else None)
    sk = env.get("HUAWEICLOUD_SDK_SK") or (_secret(prof.sk) if prof else None)
    sts = env.get("HUAWEICLOUD_SDK_SECURITY_TOKEN") or (
        _secret(prof.security_token) if prof else None
    )
    kind = prof.auth if prof else None
    if token and kind in (None, "token"):
        return TokenAuth(token), "token"
    if ak and sk and kind in (None, "aksk"):
        return AkSkAuth(ak, sk, project_id=project_id, security_token=sts), "aksk"
    if prof is not None and kind == "password":
        from tui.config import PASSWORD_FIELDS

        missing = [name for name in PASSWORD_FIELDS if not getattr(prof, name)]
        if missing:
            raise ConfigError(
                f'profile {prof.name!r}: auth = "password" logs in to IAM and needs '
                f"{', '.join(PASSWORD_FIELDS)}; missing: {', '.join(missing)}"
            )
        return (
            TokenAuth(
                iam_endpoint=prof.iam_endpoint,
                user=prof.user,
                password=_secret(prof.password),
                domain=prof.domain,
                project=prof.region,
            ),
            "password",
        )
    if kind in ("token", "aksk"):
        raise ConfigError(
            f"profile {prof.name if prof else '?'!r} uses {kind} auth but no credentials were "
            "found: set MIGDASH_TOKEN or HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK"
        )
    return None, "none"


def max_response_bytes(env: Mapping[str, str] | None = None) -> int:
    """The largest answer the client reads: ``MIGDASH_MAX_RESPONSE_MB`` (default 32)."""
    raw = (os.environ if env is None else env).get("MIGDASH_MAX_RESPONSE_MB", "").strip()
    if not raw:
        return MAX_RESPONSE_BYTES
    try:
        mib = float(raw)
    except ValueError:
        mib = float("nan")
    if not 1 <= mib <= 4096:  # also refuses nan and inf
        raise ConfigError(f"MIGDASH_MAX_RESPONSE_MB must be a number of MiB from 1 to 4096, "
                          f"not {raw!r}")
    return int(mib * 2**20)


def open_client(settings: Settings, **client_kw: Any) -> SmsClient:
    """A client for ``settings``; for the demo, wired to a fresh in-process simulator."""
    client_kw.setdefault("max_response_bytes", max_response_bytes())
    if settings.demo:
        from tui.sim import SimConfig, SimTransport, create_app

        app = create_app(SimConfig(**dict(settings.sim_options)))
        transport: httpx.AsyncBaseTransport = SimTransport(app)
        client = SmsClient(settings.endpoint, transport=transport, **client_kw)
        client.simulator = app.state.sim  # type: ignore[attr-defined]
        client.sim_app = app  # type: ignore[attr-defined]  # ECS/DeH share this simulator
        return client
    return SmsClient(
        settings.endpoint, settings.auth, verify=settings.verify_tls, **client_kw
    )


# -- ECS and DeH (dedicated hosts) ---------------------------------------------------------------

ECS_HOW_TO_CONFIGURE = (
    "ECS/DeH are not configured. Give --ecs-endpoint URL and --deh-endpoint URL, or set "
    "ecs_endpoint/deh_endpoint (or just region) in the profile in config.toml; they use the "
    "SMS credentials (HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK, MIGDASH_TOKEN or the profile) and "
    "need a project id (--project-id, HUAWEICLOUD_SDK_PROJECT_ID or the profile's project_id)."
)
"""What the Dedicated hosts view says when :func:`ecs_missing` is not None."""


def ecs_missing(settings: Settings) -> str | None:
    """Why ECS/DeH cannot be reached with ``settings`` (None when they can)."""
    if settings.demo:
        return None
    if not settings.ecs_endpoint or not settings.deh_endpoint or not settings.project_id:
        return ECS_HOW_TO_CONFIGURE
    return None


def open_ecs_client(settings: Settings, *, sms: SmsClient | None = None,
                    **client_kw: Any) -> EcsClient | None:
    """The ECS/DeH client for ``settings``, or None when not configured (see ecs_missing).

    In the demo it talks to the same in-process simulator as ``sms`` (a fresh one without),
    so SMS targets that cut over are servers in its public pool."""
    if not settings.demo and ecs_missing(settings) is not None:
        return None
    from tui.api.ecs import EcsClient

    if settings.demo:
        from tui.sim import SimConfig, SimTransport, create_app
        from tui.sim.engine import EngineConfig

        app = getattr(sms, "sim_app", None) or create_app(SimConfig(**dict(settings.sim_options)))
        client = EcsClient(DEMO_ENDPOINT, DEMO_ENDPOINT, EngineConfig.project_id,
                           transport=SimTransport(app), **client_kw)
        client.sim_world = app.state.ecs  # type: ignore[attr-defined]  # for tests, like .simulator
        return client
    assert settings.ecs_endpoint and settings.deh_endpoint and settings.project_id
    return EcsClient(settings.ecs_endpoint, settings.deh_endpoint, settings.project_id,
                     settings.auth, verify=settings.verify_tls, **client_kw)
