"""Data age under server errors: the fleet poller against the simulator answering 500 to a
share of requests, in simulated time (issue 13: at 30 % 500s and --refresh 1, p95 < 30 s).

The poller, the client's retry sleeps and the simulator run on one virtual clock, so ten
minutes of polling take a few seconds and a run is repeatable (seeded faults and jitter). The
client is configured as the app configures it (one retry per call, 20 s deadline). Requests
take no virtual time, which flatters neither version: both pay only their sleeps.

    .venv/bin/python bench/bench_data_age.py [--errors 0.3] [--refresh 1] [--minutes 10]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import random
import statistics
from dataclasses import dataclass

from tui.api.client import SmsClient
from tui.api.transport import RetryPolicy
from tui.service.poller import Intervals, PollingService
from tui.sim import ManualClock, SimConfig, SimTransport, create_app


@dataclass(frozen=True)
class AgeReport:
    """Data age (seconds since the last good fleet poll), sampled every 0.5 s of the run."""

    p50: float
    p95: float
    worst: float
    polls: int
    failed: int


async def soak(*, errors: float = 0.3, refresh: float = 1.0, minutes: float = 10.0,
               sources: int = 60, seed: int = 1) -> AgeReport:
    """Poll for ``minutes`` of simulated time and report how old the data got."""
    now = [0.0]
    sim_clock = ManualClock()

    async def sleep(seconds: float) -> None:
        now[0] += max(0.0, seconds)
        sim_clock.set(sim_clock.now_ms() + int(max(0.0, seconds) * 1000))
        await asyncio.sleep(0)

    app = create_app(SimConfig(sources=sources, seed=seed, clock=sim_clock,
                               faults=f"500={errors}" if errors else None))
    client = SmsClient("http://sim", transport=SimTransport(app), sleep=sleep,
                       rng=random.Random(seed).random, retry=RetryPolicy(attempts=1),
                       deadline=20.0)
    service = PollingService(client, lambda event: None, intervals=Intervals(fleet=refresh),
                             clock=lambda: now[0])
    successes: list[float] = []
    polls = failed = 0
    end = minutes * 60
    async with client:
        while now[0] < end:
            began = now[0]
            delay = await service.poll_fleet()
            polls += 1
            if service.status.last_ok == now[0] and service.status.failures == 0:
                successes.append(now[0])
            else:
                failed += 1
            await sleep(delay - (now[0] - began))
    ages = []
    t = successes[0] if successes else 0.0
    while t < end:
        at = bisect.bisect_right(successes, t) - 1
        ages.append(t - successes[at] if at >= 0 else t)
        t += 0.5
    ages.sort()
    return AgeReport(p50=statistics.median(ages), p95=ages[int(0.95 * (len(ages) - 1))],
                     worst=ages[-1], polls=polls, failed=failed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", type=float, default=0.3, help="share of requests answered 500")
    ap.add_argument("--refresh", type=float, default=1.0)
    ap.add_argument("--minutes", type=float, default=10.0, help="simulated minutes per run")
    ap.add_argument("--sources", type=int, default=60)
    ap.add_argument("--runs", type=int, default=5, help="runs with different seeds")
    args = ap.parse_args()
    reports = [asyncio.run(soak(errors=args.errors, refresh=args.refresh, minutes=args.minutes,
                                sources=args.sources, seed=seed))
               for seed in range(1, args.runs + 1)]
    print(f"data age at {args.errors:.0%} 500s, --refresh {args.refresh:g}, {args.sources} "
          f"sources, {args.minutes:g} simulated min x {args.runs} seeds (goal: p95 < 30 s)")
    for seed, r in enumerate(reports, 1):
        print(f"  seed {seed}: p50 {r.p50:6.1f} s  p95 {r.p95:6.1f} s  worst {r.worst:6.1f} s  "
              f"({r.failed}/{r.polls} polls failed)")
    p95 = statistics.median(r.p95 for r in reports)
    print(f"  median p95 {p95:.1f} s: {'PASS' if p95 < 30 else 'FAIL'}")


if __name__ == "__main__":
    main()
