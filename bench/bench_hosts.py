"""Benchmark the Dedicated hosts view at 300 hosts / 5,000 servers against the source list at
5,000 sources, measured in the same run on the same app (the ratio is what to read).

Run: ``.venv/bin/python bench/bench_hosts.py`` (about a minute).

Both views are fed their own backend's poll from the demo simulator (``hosts=300,
ecs_servers=5000, sources=5000``), headless at 160x48. Each timing is event-loop time from the
owner's handler to the next composed frame (see ``bench/bench_table.py`` for the method):

- paint: the first full snapshot into the screen's table(s) (the hosts view fills two);
- filter: one keystroke's worth of filter text applied (the hosts view filters both tables);
- poll: a poll in which 5 % of the rows changed, applied by key.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_table import timed  # noqa: E402
from tui.app import MigdashApp  # noqa: E402
from tui.connect import resolve  # noqa: E402
from tui.screens.hosts.hosts import HostsScreen  # noqa: E402
from tui.screens.sources import SourceListScreen  # noqa: E402
from tui.service.hosts import HostsPolled  # noqa: E402
from tui.service.poller import FleetPolled  # noqa: E402
from tui.service.state import diff  # noqa: E402

RUNS = 5
SIZE = (160, 48)
NEEDLES = ["1", "12", "123", "db", "10.1"]


def median(xs: list[float]) -> float:
    return statistics.median(xs)


async def main() -> None:
    settings = resolve(demo=True, refresh=3600.0, sim_options={
        "sources": 5000, "hosts": 300, "ecs_servers": 5000, "seed": 1})
    app = MigdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        poller: Any = app.backends["hosts"]
        service: Any = app.service
        await pilot.pause(0.5)
        # One real fetch of each backend (not timed): the data both views show.
        hosts, servers = await poller.fetch()
        sources = await app.client.list_all_sources()
        print(f"{len(hosts)} hosts, {len(servers)} servers; {len(sources)} sources")

        # -- the source list ------------------------------------------------------------------
        await pilot.press("1")
        src: Any = app.screen
        assert isinstance(src, SourceListScreen)
        snap = service.snapshot
        results: dict[str, dict[str, list[float]]] = {"sources": {}, "hosts": {}}
        r = results["sources"]
        for _ in range(RUNS):
            src._loaded = False
            fleet = FleetPolled(snap, diff({}, snap.sources))
            r.setdefault("paint", []).append(await timed(pilot, lambda: src._fleet_polled(fleet)))
            for needle in NEEDLES:
                r.setdefault("filter", []).append(await timed(
                    pilot, lambda n=needle: src.table.set_filter(n)))
            src.table.set_filter("")
            changed = {k: v.model_copy(update={"name": (v.name or "") + "~"}) for i, (k, v) in
                       enumerate(snap.sources.items()) if i % 20 == 0}
            new = replace(snap, sources={**snap.sources, **changed}, version=snap.version + 1)
            polled = FleetPolled(new, diff(snap.sources, new.sources))
            r.setdefault("poll", []).append(await timed(pilot, lambda: src._fleet_polled(polled)))
            snap = new

        # -- the hosts view -------------------------------------------------------------------
        poller.publish_polled((hosts, servers), 0.0)
        await pilot.press("2")
        await pilot.pause(0.5)
        scr: Any = app.screen
        assert isinstance(scr, HostsScreen)
        h = results["hosts"]
        for run in range(RUNS):
            first = poller.snapshot
            h.setdefault("paint", []).append(await timed(pilot, lambda: scr._show_all(first)))
            for needle in NEEDLES:
                h.setdefault("filter", []).append(await timed(
                    pilot, lambda n=needle: (scr.hosts_table.set_filter(n),
                                             scr.servers_table.set_filter(n))))
            scr.hosts_table.set_filter("")
            scr.servers_table.set_filter("")
            moved = [s.model_copy(update={"name": (s.name or "") + f"~{run}"})
                     if i % 20 == 0 else s for i, s in enumerate(servers)]
            events: list[Any] = []
            poller.publish = events.append
            poller.publish_polled((hosts, moved), 1.0 + run)
            event = next(e for e in events if isinstance(e, HostsPolled))
            h.setdefault("poll", []).append(await timed(pilot, lambda e=event: scr._apply(e)))
            servers = moved

    print(f"{'':10}{'source list (5,000)':>22}{'hosts view (300 + 5,000)':>28}{'ratio':>8}")
    for what in ("paint", "filter", "poll"):
        a, b = median(results["sources"][what]), median(results["hosts"][what])
        print(f"{what:10}{a:>19.1f} ms{b:>25.1f} ms{b / a:>8.2f}")


if __name__ == "__main__":
    asyncio.run(main())
