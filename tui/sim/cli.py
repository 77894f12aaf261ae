"""``migdash-sim``: the SMS v3 simulator as a standalone HTTP server."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from tui.sim.faults import KINDS, FaultSpecError, parse_faults

EPILOG = f"""\
auth:
  With neither --token nor --ak the API is open. --token T requires the header
  X-Auth-Token: T. --ak/--sk require SDK-HMAC-SHA256 signatures (as the Huawei Cloud
  SDKs send them); bad signatures, unknown keys and clocks more than 15 minutes off
  are refused with 401 and an APIG-style error body. Both may be given. Secrets can
  also come from MIGDASH_SIM_TOKEN, MIGDASH_SIM_AK and MIGDASH_SIM_SK.

faults (--faults SPEC):
  ';'-separated rules KIND=VALUE[:retry=N][@[METHOD ]ROUTE-GLOB], KIND one of
  {", ".join(KINDS)}. Examples:
    latency=200ms                  every request waits 200 ms
    latency=50-400ms@/v3/tasks*    a random 50-400 ms on task routes
    500=0.1;429=0.05:retry=3       10 % answer 500, 5 % answer 429 Retry-After: 3
    reset=0.02;truncate=0.02@GET /v3/sources*;malformed=0.01
  With --faults (or --admin) the admin routes are on:
    GET /_sim/faults, PUT /_sim/faults {{"spec": "..."}}, DELETE /_sim/faults,
    GET /_sim/state (fleet size, simulated time, request count).

examples:
  migdash-sim                                 40 sources on http://127.0.0.1:8080
  migdash-sim --sources 10000 --speed 60      a big fleet, one minute per second
  migdash-sim --hosts 300 --ecs-servers 5000  a big dedicated-host estate (ECS/DeH)
  migdash-sim --ak AK --sk SK --port 9000     AK/SK signed requests only
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="migdash-sim",
        description="Serve a simulated Huawei Cloud SMS v3 API (every endpoint of the "
                    "reference, agent-side ones included) with a live, seeded migration engine, "
                    "and ECS/DeH (servers, dedicated hosts, cold migration, jobs) on the same "
                    "port.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: loopback only)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--sources", metavar="N", type=int, default=40,
                   help="number of source servers to generate (default 40, up to 100000)")
    p.add_argument("--hosts", metavar="N", type=int, default=12,
                   help="ECS dedicated hosts to generate (default 12, up to 2000)")
    p.add_argument("--ecs-servers", metavar="N", type=int, default=60,
                   help="ECS servers on those hosts and in the public pool (default 60, up "
                        "to 50000; migrated SMS targets come on top)")
    p.add_argument("--numa-share", metavar="P", type=float, default=0.1,
                   help="share of cold migrations to a dedicated host that fail on a NUMA "
                        "shortage (default 0.1; 1 fails them all)")
    p.add_argument("--seed", metavar="S", type=int, default=0,
                   help="seed of the fleet and of everything that happens to it (default 0)")
    p.add_argument("--speed", metavar="X", type=float, default=1.0,
                   help="simulated time runs X times faster than real time (default 1)")
    p.add_argument("--token", metavar="T", default=os.environ.get("MIGDASH_SIM_TOKEN"),
                   help="require X-Auth-Token: T")
    p.add_argument("--ak", metavar="AK", default=os.environ.get("MIGDASH_SIM_AK"),
                   help="accept AK/SK signatures made with this access key")
    p.add_argument("--sk", metavar="SK", default=os.environ.get("MIGDASH_SIM_SK"),
                   help="the secret key that goes with --ak")
    p.add_argument("--faults", metavar="SPEC", default=None,
                   help="inject faults (see below); also enables the admin routes")
    p.add_argument("--admin", action="store_true",
                   help="enable the /_sim admin routes without initial faults")
    zs = p.add_argument_group("ZStack (/zstack/v1/... on the same port)")
    zs.add_argument("--zstack-hosts", metavar="N", type=int, default=8,
                    help="hosts to generate (default 8, up to 5000)")
    zs.add_argument("--zstack-vms", metavar="N", type=int, default=48,
                    help="VMs to generate (default 48, up to 100000)")
    zs.add_argument("--zstack-account", metavar="NAME", default="admin",
                    help="account accepted by the login (default admin)")
    zs.add_argument("--zstack-password", metavar="PW",
                    default=os.environ.get("MIGDASH_SIM_ZSTACK_PASSWORD", "password"),
                    help="its password (default 'password'; or MIGDASH_SIM_ZSTACK_PASSWORD)")
    zs.add_argument("--zstack-fail-share", metavar="F", type=float, default=0.1,
                    help="share of migrations that fail with VM.1008 (default 0.1)")
    p.add_argument("--log-level", default="warning",
                   choices=["critical", "error", "warning", "info", "debug"],
                   help="uvicorn log level (default warning)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if bool(args.ak) != bool(args.sk):
        print("migdash-sim: --ak and --sk go together", file=sys.stderr)
        return 2
    if not 0 < args.sources <= 100_000:
        print("migdash-sim: --sources must be 1–100000", file=sys.stderr)
        return 2
    if not 0 <= args.hosts <= 2000 or not 0 <= args.ecs_servers <= 50_000:
        print("migdash-sim: --hosts must be 0–2000 and --ecs-servers 0–50000", file=sys.stderr)
        return 2
    if not 0 <= args.numa_share <= 1:
        print("migdash-sim: --numa-share must be 0–1", file=sys.stderr)
        return 2
    if args.speed <= 0:
        print("migdash-sim: --speed must be positive", file=sys.stderr)
        return 2
    if not (0 < args.zstack_hosts <= 5000 and 0 <= args.zstack_vms <= 100_000
            and 0 <= args.zstack_fail_share <= 1):
        print("migdash-sim: --zstack-hosts 1-5000, --zstack-vms 0-100000, "
              "--zstack-fail-share 0-1", file=sys.stderr)
        return 2
    try:
        parse_faults(args.faults)
    except FaultSpecError as exc:
        print(f"migdash-sim: --faults: {exc}", file=sys.stderr)
        return 2

    import uvicorn

    from tui.sim.app import SimConfig, create_app
    from tui.sim.zstack import ZStackSimConfig

    zstack = ZStackSimConfig(hosts=args.zstack_hosts, vms=args.zstack_vms,
                             account=args.zstack_account, password=args.zstack_password,
                             fail_share=args.zstack_fail_share)
    app = create_app(SimConfig(sources=args.sources, seed=args.seed, speed=args.speed,
                               hosts=args.hosts, ecs_servers=args.ecs_servers,
                               numa_share=args.numa_share,
                               token=args.token, ak=args.ak, sk=args.sk, faults=args.faults,
                               admin=True if args.admin else None, zstack=zstack))
    mode = app.state.sim.config.auth_mode
    print(f"migdash-sim: {args.sources} sources, {args.hosts} dedicated hosts, "
          f"{args.ecs_servers} ECS servers (seed {args.seed}, speed x{args.speed:g}, "
          f"auth {mode}{', faults ' + args.faults if args.faults else ''}) on "
          f"http://{args.host}:{args.port}", file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
