"""The dashboard at 10k sources: CPU share, RSS growth and the longest event-loop stall.

A simulator (``--sources 10000 --speed 60``) runs in its own process on loopback.

1. CPU and RSS (issue 14: <= 5 % of a core; RSS flat, < 10 MiB growth over 15 min, < 200 MiB):
   ``migdash --endpoint … --refresh 5`` runs in a 160x48 tmux session; once the fleet is on
   screen, its process's CPU time and RSS are read from /proc every 5 s for ``--duration``
   seconds (default 120, the CPU figure; 900 gives the RSS figure).
2. Stalls (goal < 100 ms): the same app headless in this process (``App.run_test``) with a
   probe that wakes every 5 ms and records how late it woke; the bench presses every sort
   (``o``), reverses (``O``), opens and closes help (``?``) and lets polls land.

    .venv/bin/python bench/bench_poll.py [--duration 120] [--port 18730] [--skip-stalls]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")


def wait_port(port: int, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listening on port {port}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def dashboard_pid(session: str) -> int:
    pane_pid = subprocess.run(["tmux", "display-message", "-p", "-t", session, "#{pane_pid}"],
                              capture_output=True, text=True, check=True).stdout.strip()
    # The pane runs the interpreter directly (exec), so the pane's pid is the dashboard.
    return int(pane_pid)


def first_name(sources: int) -> str:
    """The name the sources list shows first, from the simulator's seed."""
    from tui.sim import Engine, EngineConfig

    engine = Engine(EngineConfig(sources=sources, seed=0))
    return engine.sources[engine.order[0]].name


def cpu_and_rss(port: int, duration: float, env: dict[str, str], name: str,
                session: str = "perf-poll") -> dict[str, Any]:
    cmd = (f"exec {PY} -P -c 'from tui.cli import main; main()' "
           f"--endpoint http://127.0.0.1:{port} --refresh 5")
    env_args = [a for k, v in env.items() for a in ("-e", f"{k}={v}")]
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "48",
                    *env_args, cmd], check=True)
    try:
        pid = dashboard_pid(session)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:  # the fleet is on screen
            pane = subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                                  capture_output=True, text=True).stdout
            if name in pane:
                break
            time.sleep(0.2)
        time.sleep(5)  # the first poll's rows are built; measure the steady state
        c0, t0, r0 = cpu_seconds(pid), time.monotonic(), rss_mib(pid)
        samples: list[float] = []
        rss: list[float] = [r0]
        last_c, last_t = c0, t0
        while time.monotonic() - t0 < duration:
            time.sleep(5)
            c, t = cpu_seconds(pid), time.monotonic()
            samples.append(100 * (c - last_c) / (t - last_t))
            rss.append(rss_mib(pid))
            last_c, last_t = c, t
        share = 100 * (cpu_seconds(pid) - c0) / (time.monotonic() - t0)
        return {"cpu": share, "samples": samples, "rss_start": r0, "rss_end": rss[-1],
                "rss_max": max(rss), "rss": rss}
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


async def stalls(port: int) -> tuple[dict[str, float], dict[str, float]]:
    """Longest event-loop stall per action, headless: (wall, the loop thread's CPU).

    The wall figure is the goal's; on a shared machine it also counts time the process
    waited for a core. The CPU figure is the work the loop itself did in that gap (its
    thread's CPU time between two wakes), which other processes do not inflate."""
    from tui.app import MigdashApp
    from tui.connect import resolve

    from tui.gcpolicy import GcPolicy

    # As the command line runs it (tui.cli passes the same policy).
    app = MigdashApp(resolve(endpoint=f"http://127.0.0.1:{port}", refresh=5.0),
                     gc_policy=GcPolicy())
    worst: dict[str, float] = {}
    worst_cpu: dict[str, float] = {}
    label = ["load"]

    async def probe() -> None:
        loop = asyncio.get_running_loop()
        while True:
            before, cpu = loop.time(), time.thread_time()
            await asyncio.sleep(0.005)
            late = loop.time() - before - 0.005
            worst[label[0]] = max(worst.get(label[0], 0.0), late)
            worst_cpu[label[0]] = max(worst_cpu.get(label[0], 0.0), time.thread_time() - cpu)

    async with app.run_test(size=(160, 48)) as pilot:
        task = asyncio.create_task(probe())
        deadline = time.monotonic() + 180
        while getattr(app, "fleet", None) is None and time.monotonic() < deadline:
            await pilot.pause(0.1)
        # Actions first, with no poll landing in between: park the fleet loop (it sleeps out
        # the interval it already started, so wait for that poll, then it sleeps for hours).
        service = app.service
        service.intervals.fleet = 10_000.0
        version = app.fleet.snapshot.version if app.fleet else 0
        while app.fleet is not None and app.fleet.snapshot.version == version:
            await pilot.pause(0.1)
        await pilot.pause(1.0)
        for _ in range(12):
            label[0] = "sort (o)"
            await pilot.press("o")
            await pilot.pause(0.3)
        label[0] = "reverse (O)"
        await pilot.press("O")
        await pilot.pause(0.3)
        for _ in range(2):
            label[0] = "help (?)"
            await pilot.press("question_mark")
            await pilot.pause(0.5)
            label[0] = "help closed"
            await pilot.press("escape")
            await pilot.pause(0.3)
        label[0] = "polls landing"
        for _ in range(3):
            version = app.fleet.snapshot.version if app.fleet else 0
            service.refresh_now()
            while app.fleet is not None and app.fleet.snapshot.version == version:
                await pilot.pause(0.05)
            await pilot.pause(0.5)
        task.cancel()
    return worst, worst_cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=120.0, help="seconds of CPU/RSS sampling")
    ap.add_argument("--port", type=int, default=18730)
    ap.add_argument("--sources", type=int, default=10_000)
    ap.add_argument("--tree", type=Path, default=None, help="run another checkout (a 'before')")
    ap.add_argument("--skip-stalls", action="store_true")
    ap.add_argument("--tmux-session", default="perf-poll")
    ap.add_argument("--skip-cpu", action="store_true")
    args = ap.parse_args()
    if args.tree is not None and os.environ.get("PYTHONPATH") != str(args.tree.resolve()):
        # The stalls are measured in this process: run it again importing the other tree's
        # tui/widgets (the simulator and the tmux dashboard get it through the environment).
        os.execve(PY, [PY, "-P", __file__, *sys.argv[1:]],
                  {**os.environ, "PYTHONPATH": str(args.tree.resolve())})
    home = tempfile.mkdtemp(prefix="perf-poll-")
    env = {"HOME": home, "XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home,
           "TERM": os.environ.get("TERM", "xterm-256color")}
    if args.tree is not None:
        env["PYTHONPATH"] = str(args.tree.resolve())
    sim = subprocess.Popen([PY, "-P", "-c", "from tui.sim.cli import main; main()", "--port",
                            str(args.port), "--sources", str(args.sources), "--speed", "60"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env={**os.environ, **({"PYTHONPATH": env["PYTHONPATH"]}
                                                 if "PYTHONPATH" in env else {})})
    try:
        wait_port(args.port)
        print(f"dashboard at {args.sources} sources, migdash-sim --speed 60, --refresh 5")
        if not args.skip_cpu:
            r = cpu_and_rss(args.port, args.duration, env, first_name(args.sources),
                            args.tmux_session)
            med = statistics.median(r["samples"]) if r["samples"] else 0.0
            print(f"  CPU over {args.duration:g} s: {r['cpu']:.1f} % of a core (5 s samples: "
                  f"median {med:.0f} %, max {max(r['samples'], default=0):.0f} %) (goal <= 5 %)")
            print(f"  RSS {r['rss_start']:.0f} -> {r['rss_end']:.0f} MiB (max {r['rss_max']:.0f})"
                  f", growth {r['rss_end'] - r['rss_start']:+.1f} MiB over {args.duration:g} s "
                  f"(goal < 10 MiB over 900 s, < 200 MiB)")
            per_minute = r["rss"][::12]
            print("  RSS each minute: " + " ".join(f"{x:.0f}" for x in per_minute) + " MiB")
        if not args.skip_stalls:
            worst, worst_cpu = asyncio.run(stalls(args.port))
            for what, late in sorted(worst.items(), key=lambda kv: -kv[1]):
                print(f"  longest stall, {what:14s} {late * 1000:7.0f} ms "
                      f"(most loop CPU in one gap {worst_cpu.get(what, 0.0) * 1000:4.0f} ms)")
            print(f"  longest stall overall {max(worst.values()) * 1000:.0f} ms (goal < 100 ms); "
                  f"loop CPU {max(worst_cpu.values()) * 1000:.0f} ms")
    finally:
        sim.terminate()
        sim.wait(10)


if __name__ == "__main__":
    main()
