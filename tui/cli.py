"""The ``migdash`` command: the dashboard, plus headless helpers (``status``)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from tui.config import ConfigError

DESCRIPTION = (
    "Terminal dashboard for Huawei Cloud Server Migration Service (SMS). With no endpoint and "
    "no profile it runs on the embedded SMS simulator."
)
EPILOG = (
    "Credentials come from the environment (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, "
    "HUAWEICLOUD_SDK_SECURITY_TOKEN, HUAWEICLOUD_SDK_PROJECT_ID, MIGDASH_TOKEN) or from a "
    "profile in the config file (which must be chmod 600 if it holds secrets). "
    "Commands: 'migdash status --help' prints the fleet for scripts; 'migdash audit' prints "
    "the log of every write sent."
)


def _connection_options() -> argparse.ArgumentParser:
    """Options shared by the dashboard and the headless commands."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--demo", action="store_true",
                   help="run on the embedded simulator even if a profile is configured")
    p.add_argument("--endpoint", metavar="URL",
                   help="SMS endpoint, e.g. https://sms.<region>.myhuaweicloud.com")
    p.add_argument("--token", metavar="TOKEN",
                   help="IAM token sent as X-Auth-Token (prefer MIGDASH_TOKEN: flags show in ps)")
    p.add_argument("--project-id", metavar="ID", help="project id (X-Project-Id for AK/SK)")
    p.add_argument("--ecs-endpoint", metavar="URL",
                   help="ECS endpoint (default: https://ecs.<profile region>.myhuaweicloud.com)")
    p.add_argument("--deh-endpoint", metavar="URL",
                   help="DeH endpoint (default: https://deh.<profile region>.myhuaweicloud.com)")
    p.add_argument("--profile", metavar="NAME", help="profile from config.toml")
    p.add_argument("--read-only", action="store_true",
                   help="never send a write: mutating keys and commands are hidden")
    p.add_argument("--refresh", metavar="SECONDS", type=float, default=5.0,
                   help="base polling interval (default 5)")
    p.add_argument("--insecure", action="store_true",
                   help="do not verify the endpoint's TLS certificate")
    p.add_argument("--zstack-endpoint", metavar="URL",
                   help="ZStack management node for view 3, e.g. http://mn:8080 (password from "
                        "MIGDASH_ZSTACK_PASSWORD or the profile's zstack_password)")
    p.add_argument("--zstack-account", metavar="NAME", help="ZStack account (default admin)")
    sim = p.add_argument_group("embedded simulator (demo only)")
    sim.add_argument("--sources", metavar="N", type=int, default=40,
                     help="number of simulated source servers (default 40)")
    sim.add_argument("--seed", metavar="S", type=int, default=0, help="fleet seed (default 0)")
    sim.add_argument("--speed", metavar="X", type=float, default=1.0,
                     help="simulated time runs X times faster (default 1)")
    return p


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; ``migdash --help`` documents every option."""
    common = _connection_options()
    p = argparse.ArgumentParser(prog="migdash", parents=[common], description=DESCRIPTION,
                                epilog=EPILOG)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    st = sub.add_parser(
        "status", parents=[common],
        help="print the fleet and exit non-zero if any source is in error or unavailable",
        description="Print every source (one line each, JSON or CSV). Exit status: 0 all "
        "well, 1 some source is in error or unavailable, 3 SMS could not be read.",
    )
    fmt = st.add_mutually_exclusive_group()
    fmt.add_argument("--json", dest="fmt", action="store_const", const="json",
                     help="JSON array")
    fmt.add_argument("--csv", dest="fmt", action="store_const", const="csv",
                     help="CSV with a header row, for spreadsheets")
    st.add_argument("--state", action="append", default=[], metavar="S",
                    help="only sources in state S (repeatable)")
    from tui.audit_cli import add_parser as add_audit

    add_audit(sub)
    from tui.zstack_cli import add_parser as add_zstack

    add_zstack(sub, [common])

    from tui.hosts_cli import add_parser as add_hosts

    add_hosts(sub, [common])
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``migdash`` console script."""
    args = build_parser().parse_args(argv)
    if args.command == "audit":  # reads a local file: no endpoint, profile or credentials
        from tui.audit_cli import run as run_audit

        return run_audit(args)
    from tui.connect import resolve

    if args.refresh <= 0:
        print("migdash: --refresh must be a positive number of seconds", file=sys.stderr)
        return 2
    try:
        settings = resolve(
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
    except ConfigError as exc:
        print(f"migdash: {exc}", file=sys.stderr)
        return 2
    if args.command == "zstack":
        from tui.connect import resolve_zstack
        from tui.zstack_cli import report

        try:
            zs = resolve_zstack(settings, endpoint=args.zstack_endpoint,
                                account=args.zstack_account, profile=args.profile)
        except ConfigError as exc:
            print(f"migdash: {exc}", file=sys.stderr)
            return 2
        out, code = asyncio.run(report(zs, args.fmt or "text"))
        print(out, file=sys.stderr if code == 3 else sys.stdout)
        return code
    if args.command == "hosts":
        from tui.hosts_cli import hosts

        out, code = asyncio.run(hosts(settings, fmt=args.fmt or "text"))
        print(out, file=sys.stderr if code >= 2 else sys.stdout)
        return code
    if args.command == "status":
        from tui.headless import status

        out, code = asyncio.run(status(settings, fmt=args.fmt or "text", states=args.state))
        print(out, file=sys.stderr if code == 3 else sys.stdout)
        return code
    from tui.app import MigdashApp
    from tui.connect import resolve_zstack

    app = MigdashApp(settings)
    try:  # view 3: None when no ZStack is configured (the demo has its simulator)
        app.zstack_settings = resolve_zstack(settings, endpoint=args.zstack_endpoint,  # type: ignore[attr-defined]
                                             account=args.zstack_account, profile=args.profile)
    except ConfigError as exc:
        print(f"migdash: {exc}", file=sys.stderr)
        return 2
    app.run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
