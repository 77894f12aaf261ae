"""View 3 at scale: 300 ZStack hosts and 5,000 VMs in the dashboard (headless, in-process).

Prints medians: the first paint of both tables, applying a poll in which 10 VMs changed, and
a filter keystroke; the baseline, measured in the same run, is the bare table applying the
same 10 rows (``SourceTable.apply_diff``), so the ratio is what the view adds on top.

    PYTHONPATH=. .venv/bin/python bench/bench_zstack_view.py [--hosts N] [--vms N] [--runs R]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.app.conftest import build_app, loaded, wait_for
from tui.screens.zstack.rows import vm_row
from tui.screens.zstack.view import ZStackScreen
from tui.sim.zstack import ZStackSimConfig


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    """Median milliseconds of ``fn()``."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


async def main(hosts: int, vms: int, runs: int) -> None:
    app = build_app(Path(tempfile.mkdtemp()),
                    zstack=ZStackSimConfig(hosts=hosts, vms=vms, fail_share=0))
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, ZStackScreen)
                       and app.screen.vms.total_count == vms, "the view", tries=1200)
        screen: Any = app.screen
        poller = app.backends["zstack"]
        world = app.client.simulator.zstack.world
        before = await poller.fetch()
        changed = list(world.vms.values())[:10]
        for vm in changed:
            vm["state"] = "Paused" if vm["state"] != "Paused" else "Running"
        after = await poller.fetch()

        def first_paint() -> None:
            screen._loaded = False
            screen._draw()

        flip = [0]

        def apply_poll() -> None:
            flip[0] ^= 1
            poller.publish_polled(after if flip[0] else before, 0.0)

        paint = median_ms(first_paint, max(1, runs // 2))
        poll = median_ms(apply_poll, runs)
        # The baseline: the same 10 rows, alternating between their two versions.
        versions = []
        for data in (before, after):
            poller.publish_polled(data, 0.0)
            snap = poller.snapshot
            versions.append({v["uuid"]: vm_row(snap.vms[v["uuid"]], snap, None, 0.0)
                             for v in changed})
        flop = [0]

        def bare_diff() -> None:
            flop[0] ^= 1
            screen.vms.apply_diff(versions[flop[0]])

        bare = median_ms(bare_diff, runs)
        keys = iter(["w", "we", "web", "web-", "web-1"] * runs)
        typed = median_ms(lambda: (screen.vms.set_filter(next(keys)),
                                   screen.vms.visible_count), runs)
    print(f"view 3 with {hosts} hosts / {vms} VMs: first paint {paint:.0f} ms; a poll with 10 "
          f"VMs changed {poll:.1f} ms (bare table diff of those rows {bare:.1f} ms, ratio "
          f"{poll / bare:.1f}x); a filter keystroke {typed:.1f} ms")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hosts", type=int, default=300)
    p.add_argument("--vms", type=int, default=5000)
    p.add_argument("--runs", type=int, default=7)
    a = p.parse_args()
    asyncio.run(main(a.hosts, a.vms, a.runs))
