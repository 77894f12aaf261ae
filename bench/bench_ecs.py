"""ECS/DeH benchmark: seed 300 hosts and 5,000 servers, then read them all through the client.

Prints medians of several runs, in-process (no sockets), each beside a baseline measured in the
same run: the SMS client reading the same number of sources from the same simulator. Time is a
manual clock, so the SMS engine does not move between requests.

    .venv/bin/python bench/bench_ecs.py [--hosts N] [--servers N] [--runs R]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from tui.api.client import SmsClient
from tui.api.ecs import EcsClient
from tui.sim import ManualClock, SimConfig, SimTransport, create_app

PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


async def measure(app: object) -> dict[str, float]:
    out: dict[str, float] = {}
    transport = SimTransport(app)
    async with EcsClient("http://sim", "http://sim", PROJECT, transport=transport) as ecs, \
            SmsClient("http://sim", transport=transport) as sms:
        t = time.perf_counter()
        servers = await ecs.list_all_servers()
        out["ecs servers"] = time.perf_counter() - t
        t = time.perf_counter()
        hosts = await ecs.list_all_hosts()
        out["deh hosts"] = time.perf_counter() - t
        t = time.perf_counter()
        sources = await sms.list_all_sources()
        out["sms sources (baseline)"] = time.perf_counter() - t
        out["rows"] = len(servers)
        assert hosts and len(sources) > 0
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=300)
    parser.add_argument("--servers", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    t = time.perf_counter()
    app = create_app(SimConfig(sources=args.servers, hosts=args.hosts, ecs_servers=args.servers,
                               clock=ManualClock()))
    print(f"generate {args.hosts} hosts + {args.servers} servers (+ {args.servers} SMS "
          f"sources): {time.perf_counter() - t:.2f} s")
    runs = [asyncio.run(measure(app)) for _ in range(args.runs)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    base = med["sms sources (baseline)"]
    for key in ("ecs servers", "deh hosts", "sms sources (baseline)"):
        print(f"{key:>24}: {med[key]:.3f} s  ({med[key] / base:.2f}x baseline)")
    print(f"{'servers read':>24}: {int(med['rows'])}")


if __name__ == "__main__":
    main()
