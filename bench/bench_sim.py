"""Simulator benchmark: generate a 10,000-source fleet and serve every page of GET /v3/sources.

Prints medians of several runs and the ratio against a baseline measured in the same run
(json.dumps of the same 10,000 list items, i.e. the bare cost of the bytes on the wire).
Target (issue 3): generation + all pages under 2 s on a 2-core machine.

    .venv/bin/python bench/bench_sim.py [--sources N] [--runs R]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import httpx

from tui.sim import ManualClock, SimConfig, SimTransport, create_app
from tui.sim import views


async def serve_all_pages(app: object, concurrency: int = 4) -> tuple[int, int, int]:
    """Fetch every page (limit 200) with bounded concurrency; (count, rows, bytes)."""
    async with httpx.AsyncClient(transport=SimTransport(app), base_url="http://sim") as client:
        first = await client.get("/v3/sources", params={"limit": 200, "offset": 0})
        first.raise_for_status()
        count = first.json()["count"]
        rows = len(first.json()["source_servers"])
        size = len(first.content)
        sem = asyncio.Semaphore(concurrency)

        async def page(offset: int) -> tuple[int, int]:
            async with sem:
                r = await client.get("/v3/sources", params={"limit": 200, "offset": offset})
                r.raise_for_status()
                return len(r.json()["source_servers"]), len(r.content)

        for n, b in await asyncio.gather(*(page(o) for o in range(200, count, 200))):
            rows += n
            size += b
        return count, rows, size


def run_once(n: int) -> dict[str, float]:
    t0 = time.perf_counter()
    app = create_app(SimConfig(sources=n, seed=0, clock=ManualClock()))
    t1 = time.perf_counter()
    count, rows, size = asyncio.run(serve_all_pages(app))
    t2 = time.perf_counter()
    assert count == rows == n, (count, rows, n)
    engine = app.state.sim.engine
    t3 = time.perf_counter()
    json.dumps([views.source_item(engine, engine.sources[i]) for i in engine.order],
               ensure_ascii=False, separators=(",", ":"))
    t4 = time.perf_counter()
    return {"generate": t1 - t0, "serve": t2 - t1, "total": t2 - t0, "baseline": t4 - t3,
            "mbytes": size / 1e6}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    runs = [run_once(args.sources) for _ in range(args.runs)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"simulator, {args.sources} sources, {args.runs} runs (medians)")
    print(f"  generate fleet         {med['generate'] * 1000:8.1f} ms")
    print(f"  serve all pages        {med['serve'] * 1000:8.1f} ms  ({med['mbytes']:.1f} MB, "
          f"{(args.sources + 199) // 200} pages, 4 in flight)")
    print(f"  total                  {med['total'] * 1000:8.1f} ms  (target < 2000 ms: "
          f"{'PASS' if med['total'] < 2.0 else 'FAIL'})")
    print(f"  baseline json.dumps    {med['baseline'] * 1000:8.1f} ms  "
          f"(total / baseline = {med['total'] / med['baseline']:.1f}x)")


if __name__ == "__main__":
    main()
