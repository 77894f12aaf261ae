"""ZStack benchmark: seed 300 hosts and 5,000 VMs, then one full poll through the client.

Prints medians of several runs and ratios against baselines measured in the same run:
the poll against ``json.loads`` of the same answers (the bare cost of the bytes), and the
date parser against ``datetime.strptime`` on the same 10,000 ZStack dates.

    .venv/bin/python bench/bench_zstack.py [--hosts N] [--vms N] [--runs R]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from datetime import datetime

from tui.api.zstack import ZStackClient
from tui.api.zstack.models import _parse_date
from tui.sim import ManualClock, SimConfig, SimTransport, create_app
from tui.sim.zstack import ZStackSimConfig


def timed(fn: object, runs: int) -> float:
    """Median seconds of ``fn()`` over ``runs`` runs."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=300)
    parser.add_argument("--vms", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    config = SimConfig(sources=1, clock=ManualClock(),
                       zstack=ZStackSimConfig(hosts=args.hosts, vms=args.vms))
    generate = timed(lambda: create_app(config), max(1, args.runs // 2))
    app = create_app(config)
    engine = app.state.sim.zstack
    client = ZStackClient("http://bench", account="admin", password="password",
                          transport=SimTransport(app))

    async def poll() -> None:
        await client.list_hosts()
        await client.list_vms()
        await client.list_clusters()

    loop = asyncio.new_event_loop()
    loop.run_until_complete(poll())  # log in once, outside the timing
    poll_s = timed(lambda: loop.run_until_complete(poll()), args.runs)
    payload = json.dumps({"inventories": list(engine.world.vms.values())}).encode()
    payload_h = json.dumps({"inventories": list(engine.world.hosts.values())}).encode()
    bare = timed(lambda: (json.loads(payload), json.loads(payload_h)), args.runs)
    dates = [v[k] for v in engine.world.vms.values() for k in ("createDate", "lastOpDate")]

    def ours() -> None:
        _parse_date.cache_clear()
        for d in dates:
            _parse_date(d)

    strptime = timed(lambda: [datetime.strptime(d, "%b %d, %Y %I:%M:%S %p") for d in dates],
                     args.runs)
    fast = timed(ours, args.runs)
    loop.run_until_complete(client.aclose())
    loop.close()
    print(f"seed {args.hosts} hosts / {args.vms} VMs: {generate * 1000:.0f} ms (create_app)")
    print(f"one poll (hosts + VMs + clusters through the client): {poll_s * 1000:.0f} ms; "
          f"json.loads of the same answers: {bare * 1000:.0f} ms; ratio {poll_s / bare:.1f}x")
    print(f"{len(dates)} ZStack dates: ours {fast * 1000:.1f} ms, strptime {strptime * 1000:.1f}"
          f" ms; ratio {strptime / fast:.1f}x faster")


if __name__ == "__main__":
    main()
