"""The ``migdash`` command: the dashboard, plus headless helpers (``status``, ``audit``).

Every option is declared once, in :data:`CONNECTION_OPTIONS`, and means the same before or
after a subcommand: the top-level parser holds the defaults, and each subcommand re-declares
the options with ``argparse.SUPPRESS`` as default, so a value given before the subcommand is
never overwritten by the subcommand's default. To add an option, append an :class:`Option`;
to add a subcommand, append a function to :data:`SUBCOMMANDS` that registers its parser
(``parents`` carries the shared options) and sets ``handler`` with ``set_defaults``.

This module imports little at the top, and registering a subcommand imports nothing of it:
a launch loads what the dashboard draws, with the collector paused meanwhile (:func:`main`).
"""

from __future__ import annotations

import argparse
import gc
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import msgspec

from tui.config import REFRESH_RANGE

DESCRIPTION = (
    "Terminal dashboard for server migrations: Huawei Cloud SMS (view 1), ECS dedicated hosts "
    "(view 2) and ZStack live migration (view 3). With no endpoint and no profile it runs on "
    "the embedded simulator, which serves all three."
)
EPILOG = (
    "Credentials come from the environment (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, "
    "HUAWEICLOUD_SDK_SECURITY_TOKEN, HUAWEICLOUD_SDK_PROJECT_ID, MIGDASH_TOKEN) or from a "
    "profile in the config file (which must be chmod 600 if it holds secrets). "
    "Options may come before or after a command. "
    "Commands: 'migdash status --help' prints the fleet for scripts; 'migdash hosts' prints "
    "dedicated hosts and their servers; 'migdash zstack' ZStack's hosts and VMs; 'migdash audit' prints the log of every write sent."
)

SOURCES_RANGE = (1, 100_000)
SPEED_RANGE = (0.01, 10_000.0)


def number_in_range(kind: type[float] | type[int], lo: float, hi: float,
            unit: str = "") -> Callable[[str], Any]:
    """An argparse type: a finite number in [lo, hi], the range said in the error."""
    what = f"{lo:g}–{hi:g}{unit}"

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number (expected {what})"
                                             ) from None
        if not math.isfinite(value) or not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{text!r} is out of range (expected {what})")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def endpoint_url(text: str) -> str:
    """An argparse type for any endpoint option: ``http(s)://host…`` or a clear error."""
    from tui.connect import check_endpoint

    try:
        return check_endpoint(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


endpoint_url.__name__ = "URL"


class Option(msgspec.Struct, frozen=True):
    """One command-line option shared by the dashboard and every connecting subcommand."""

    flags: tuple[str, ...]
    default: Any = None
    group: str | None = None
    """Shown under this heading in ``--help``."""
    kwargs: Mapping[str, Any] = msgspec.field(default_factory=dict)


def option(*flags: str, default: Any = None, group: str | None = None, **kw: Any) -> Option:
    """Shorthand for :class:`Option` (keyword arguments go to ``add_argument``)."""
    return Option(tuple(flags), default, group, kw)


SIM_GROUP = "embedded simulator (demo only)"

CONNECTION_OPTIONS: list[Option] = [
    option("--demo", action="store_true", default=False,
           help="run on the embedded simulator even if a profile is configured"),
    option("--endpoint", metavar="URL", type=endpoint_url,
           help="SMS endpoint, e.g. https://sms.<region>.myhuaweicloud.com"),
    option("--token", metavar="TOKEN",
           help="IAM token sent as X-Auth-Token (prefer MIGDASH_TOKEN: flags show in ps)"),
    option("--project-id", metavar="ID", help="project id (X-Project-Id for AK/SK)"),
    option("--ecs-endpoint", metavar="URL", type=endpoint_url,
           help="ECS endpoint (default: https://ecs.<profile region>.myhuaweicloud.com)"),
    option("--deh-endpoint", metavar="URL", type=endpoint_url,
           help="DeH endpoint (default: https://deh.<profile region>.myhuaweicloud.com)"),
    option("--profile", metavar="NAME", help="profile from config.toml"),
    option("--read-only", action="store_true", default=False,
           help="never send a write: mutating keys and commands are hidden"),
    option("--refresh", metavar="SECONDS", type=number_in_range(float, *REFRESH_RANGE, " s"),
           default=5.0, help="base polling interval, 1–3600 s (default 5)"),
    option("--insecure", action="store_true", default=False,
           help="do not verify the endpoint's TLS certificate"),
    option("--zstack-endpoint", metavar="URL", type=endpoint_url,
           help="ZStack management node for view 3, e.g. http://mn:8080 (password from "
                "MIGDASH_ZSTACK_PASSWORD or the profile's zstack_password, never a flag)"),
    option("--zstack-account", metavar="NAME", help="ZStack account (default admin)"),
    option("--sources", metavar="N", type=number_in_range(int, *SOURCES_RANGE), default=40,
           group=SIM_GROUP, help="number of simulated source servers, 1–100000 (default 40)"),
    option("--seed", metavar="S", type=int, default=0, group=SIM_GROUP,
           help="fleet seed (default 0)"),
    option("--speed", metavar="X", type=number_in_range(float, *SPEED_RANGE), default=1.0,
           group=SIM_GROUP, help="simulated time runs X times faster, 0.01–10000 (default 1)"),
]
"""Every shared option, declared once (see the module docstring)."""


def add_options(parser: argparse.ArgumentParser, options: Sequence[Option], *,
                nested: bool) -> None:
    """Declare ``options`` on ``parser``; on a subcommand (``nested``) without defaults, so a
    value given before the subcommand survives."""
    groups: dict[str, Any] = {}
    for opt in options:
        target: Any = parser
        if opt.group:
            target = groups.setdefault(opt.group, parser.add_argument_group(opt.group))
        target.add_argument(*opt.flags, default=argparse.SUPPRESS if nested else opt.default,
                            **opt.kwargs)


def _shared() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    add_options(parent, CONNECTION_OPTIONS, nested=True)
    return parent


# -- subcommands -------------------------------------------------------------------------------


def _add_status(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    from tui.api.models import SourceState

    states = [s.value for s in SourceState]
    st: argparse.ArgumentParser = sub.add_parser(
        "status", parents=parents,
        help="print the fleet and exit non-zero if any source is in error or unavailable",
        description="Print every source (aligned text with a header and a summary line, JSON "
        "or CSV; JSON and CSV carry the decoded error code and the stalled flag: the task "
        "should move data but its agent is disconnected, which one read can see). Exit "
        "status: 0 all well, 1 some source is in error or unavailable, 2 bad usage or "
        "configuration, 3 SMS could not be read.",
    )
    fmt = st.add_mutually_exclusive_group()
    fmt.add_argument("--json", dest="fmt", action="store_const", const="json",
                     help="JSON array")
    fmt.add_argument("--csv", dest="fmt", action="store_const", const="csv",
                     help="CSV with a header row, for spreadsheets")
    st.add_argument("--state", action="append", default=[], metavar="S", type=str.lower,
                    choices=states,
                    help=f"only sources in state S (repeatable): {', '.join(states)}")
    st.set_defaults(handler=_run_status)


def _run_status(args: argparse.Namespace) -> int:
    import asyncio

    from tui.headless import status

    settings = settings_from(args)
    out, code = asyncio.run(status(settings, fmt=args.fmt or "text", states=args.state,
                                   warn=lambda note: print(note, file=sys.stderr)))
    print(out, file=sys.stderr if code == 3 else sys.stdout)
    return code


def _add_audit(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    from tui.audit_cli import add_parser, run

    # Reads a local file: no endpoint, profile or credentials.
    add_parser(sub).set_defaults(handler=run)


def _formats(p: argparse.ArgumentParser, *, json: str, csv: str) -> None:
    """``--json`` / ``--csv`` (one of them; text when neither), into ``args.fmt``."""
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", dest="fmt", action="store_const", const="json", help=json)
    fmt.add_argument("--csv", dest="fmt", action="store_const", const="csv", help=csv)


def _add_hosts(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    # Declared here, not in tui.hosts_cli: importing that (the ECS/DeH service) to register a
    # parser cost ~15 ms of every launch.
    p: argparse.ArgumentParser = sub.add_parser(
        "hosts", parents=parents,
        help="print dedicated hosts with their capacity and servers",
        description="Print every dedicated host (capacity used/total) with the ECS servers on "
        "it, and the public pool. Exit status: 0, 2 ECS/DeH not configured, 3 not readable.")
    _formats(p, json="JSON array of hosts, each with its servers",
             csv="CSV, one row per server (a host without servers has one row)")
    p.set_defaults(handler=_run_hosts)


def _run_hosts(args: argparse.Namespace) -> int:
    import asyncio

    from tui.hosts_cli import hosts

    out, code = asyncio.run(hosts(settings_from(args), fmt=args.fmt or "text"))
    print(out, file=sys.stderr if code >= 2 else sys.stdout)
    return code


def _add_zstack(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    # Declared here, not in tui.zstack_cli: importing that (ZStack's client and models) to
    # register a parser cost ~40 ms of every launch.
    p: argparse.ArgumentParser = sub.add_parser(
        "zstack", parents=parents, help="print ZStack's hosts and VMs",
        description="Print every ZStack host (capacity, VM count) and VM (state, host, size, "
        "IP). Exit status: 0, 3 when ZStack could not be read or is not configured.")
    _formats(p, json='one JSON object {"hosts": [...], "vms": [...]}',
             csv="one CSV table (kind host or vm) with a header row")
    p.set_defaults(handler=_run_zstack)


def _run_zstack(args: argparse.Namespace) -> int:
    import asyncio

    from tui.zstack_cli import report

    out, code = asyncio.run(report(zstack_settings_from(args, settings_from(args)),
                                   args.fmt or "text"))
    print(out, file=sys.stderr if code == 3 else sys.stdout)
    return code


SUBCOMMANDS: list[Callable[[Any, list[argparse.ArgumentParser]], None]] = [
    _add_status,
    _add_audit,
    _add_hosts,
    _add_zstack,
]
"""Each registers one subcommand's parser and sets its ``handler(args) -> exit status``."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; ``migdash --help`` documents every option."""
    p = argparse.ArgumentParser(prog="migdash", description=DESCRIPTION, epilog=EPILOG)
    add_options(p, CONNECTION_OPTIONS, nested=False)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    shared = [_shared()]
    for register in SUBCOMMANDS:
        register(sub, shared)
    return p


def settings_from(args: argparse.Namespace) -> Any:
    """The connection settings the parsed options describe (ConfigError when they cannot)."""
    from tui.connect import resolve

    return resolve(
        demo=args.demo,
        endpoint=args.endpoint,
        token=args.token,
        project_id=args.project_id,
        ecs_endpoint=args.ecs_endpoint,
        deh_endpoint=args.deh_endpoint,
        profile=args.profile,
        read_only=args.read_only,
        refresh=args.refresh,
        insecure=args.insecure,
        sim_options={"sources": args.sources, "seed": args.seed, "speed": args.speed},
    )


def zstack_settings_from(args: argparse.Namespace, settings: Any) -> Any:
    """View 3's settings (None when no ZStack is configured; the demo has its simulator)."""
    from tui.connect import resolve_zstack

    return resolve_zstack(settings, endpoint=args.zstack_endpoint,
                          account=args.zstack_account, profile=args.profile)


def _run_dashboard(args: argparse.Namespace) -> int:
    from tui.app import MigdashApp
    from tui.gcpolicy import GcPolicy

    settings = settings_from(args)
    zstack = zstack_settings_from(args, settings)
    app = MigdashApp(settings, zstack_settings=zstack, gc_policy=GcPolicy())
    app.run()
    # Textual sets a non-zero return code when the app ended on an exception (a crash at
    # start must not look like a clean exit to a script or a supervisor).
    return app.return_code or 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``migdash`` console script."""
    from tui.config import ConfigError

    # What loads from here to the dashboard's first screen (modules, the app, its widgets)
    # lives as long as the process, so the collector's passes over it meanwhile found nothing:
    # 70-90 ms of a launch. The app's GcPolicy freezes all of it at mount and resumes the
    # collector with the first poll (tui.gcpolicy); a headless command resumes it at once;
    # leaving, it is as it was.
    collecting = gc.isenabled()
    gc.disable()
    try:
        args = build_parser().parse_args(argv)
        handler: Callable[[argparse.Namespace], int] = getattr(args, "handler", _run_dashboard)
        if collecting and handler is not _run_dashboard:
            gc.enable()
        return handler(args)
    except ConfigError as exc:
        print(f"migdash: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `migdash status | head`: the reader left; that is not an error of ours. Point stdout
        # at nothing so the interpreter's final flush does not fail again.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        if collecting:
            gc.enable()


if __name__ == "__main__":
    raise SystemExit(main())
