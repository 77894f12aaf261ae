"""The ``migdash`` command: the dashboard, plus headless helpers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tui.config import ConfigError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; ``migdash --help`` documents every option."""
    p = argparse.ArgumentParser(
        prog="migdash",
        description=(
            "Terminal dashboard for Huawei Cloud Server Migration Service (SMS). With no "
            "endpoint and no profile it runs on the embedded SMS simulator."
        ),
        epilog=(
            "Credentials come from the environment (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, "
            "HUAWEICLOUD_SDK_SECURITY_TOKEN, HUAWEICLOUD_SDK_PROJECT_ID, MIGDASH_TOKEN) or "
            "from a profile in the config file (which must be chmod 600 if it holds secrets)."
        ),
    )
    p.add_argument("--demo", action="store_true",
                   help="run on the embedded simulator even if a profile is configured")
    p.add_argument("--endpoint", metavar="URL", help="SMS endpoint, e.g. https://sms.<region>.myhuaweicloud.com")
    p.add_argument("--token", metavar="TOKEN",
                   help="IAM token sent as X-Auth-Token (prefer MIGDASH_TOKEN: flags show in ps)")
    p.add_argument("--project-id", metavar="ID", help="project id (X-Project-Id for AK/SK)")
    p.add_argument("--profile", metavar="NAME", help="profile from config.toml")
    p.add_argument("--read-only", action="store_true",
                   help="never send a write: mutating keys and commands are hidden")
    p.add_argument("--refresh", metavar="SECONDS", type=float, default=5.0,
                   help="base polling interval (default 5)")
    p.add_argument("--insecure", action="store_true",
                   help="do not verify the endpoint's TLS certificate")
    p.add_argument("--sources", metavar="N", type=int, default=40,
                   help="demo only: number of simulated source servers (default 40)")
    p.add_argument("--seed", metavar="S", type=int, default=0, help="demo only: fleet seed")
    p.add_argument("--speed", metavar="X", type=float, default=1.0,
                   help="demo only: simulated time runs X times faster (default 1)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``migdash`` console script."""
    args = build_parser().parse_args(argv)
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
            profile=args.profile,
            read_only=args.read_only,
            refresh=args.refresh,
            insecure=args.insecure,
            sim_options={"sources": args.sources, "seed": args.seed, "speed": args.speed},
        )
    except ConfigError as exc:
        print(f"migdash: {exc}", file=sys.stderr)
        return 2
    from tui.app import MigdashApp

    MigdashApp(settings).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
