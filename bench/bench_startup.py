"""Launch to first frame with fleet data, beside a bare Textual app, in tmux (issue 14).

A simulator with 60 sources listens on loopback; each run starts ``migdash --endpoint`` in a
fresh 120x40 tmux session and polls the pane until a source name from the fleet is on
screen. The baseline is ``bench/bare_app.py`` (Header, Static, Footer) until its text shows.
Runs alternate the two; medians and the ratio are printed (goal <= 1.5x). ``--before PATH``
also runs migdash from another checkout (e.g. ``git archive`` of an older commit), in the
same rounds, so a change is measured against its "before" under the same load.

    .venv/bin/python bench/bench_startup.py [--runs 7] [--port 18720] [--tree PATH]
                                            [--before PATH]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")


def wait_port(port: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listening on port {port}")


def first_name(sources: int) -> str:
    """The name the sources list shows first (newest registration), from the same seed."""
    out = subprocess.run([PY, "-c", "from tui.sim import Engine, EngineConfig; "
                          f"e = Engine(EngineConfig(sources={sources}, seed=0)); "
                          "print(e.sources[e.order[0]].name)"],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def time_to_text(session: str, command: str, text: str, env: dict[str, str],
                 timeout: float = 30.0) -> float:
    """Seconds from starting ``command`` in a new tmux session until ``text`` is on screen."""
    env_args = [a for k, v in env.items() for a in ("-e", f"{k}={v}")]
    new = ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", *env_args,
           command]
    t0 = time.perf_counter()
    if subprocess.run(new, capture_output=True).returncode != 0:
        # The tmux server is shared: it exits when its last session (ours or another's)
        # ends, and a session started in that moment fails. Once more, timed from here.
        time.sleep(0.2)
        t0 = time.perf_counter()
        subprocess.run(new, check=True)
    try:
        while time.perf_counter() - t0 < timeout:
            pane = subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                                  capture_output=True, text=True).stdout
            if text in pane:
                return time.perf_counter() - t0
            time.sleep(0.005)
        raise SystemExit(f"{text!r} never appeared running {command}")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--port", type=int, default=18720)
    ap.add_argument("--sources", type=int, default=60)
    ap.add_argument("--tmux-prefix", default="perf", help="tmux session names start with it")
    ap.add_argument("--tree", type=Path, default=None,
                    help="run migdash from another checkout (a 'before')")
    ap.add_argument("--before", type=Path, default=None,
                    help="also run migdash from this checkout, in the same rounds")
    args = ap.parse_args()
    # Bytecode for every tree launched: under PYTHONDONTWRITEBYTECODE=1 a module edited since
    # its .pyc was written is compiled again on every launch (10-20 ms for a few modules).
    for tree in (args.tree or ROOT, args.before):
        if tree is not None:
            subprocess.run([PY, "-m", "compileall", "-q", str(Path(tree) / "tui"),
                            str(Path(tree) / "widgets")], check=True)
    name = first_name(args.sources)
    home = tempfile.mkdtemp(prefix="perf-startup-")
    env = {"HOME": home, "XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home,
           "TERM": os.environ.get("TERM", "xterm-256color")}
    if args.tree is not None:
        env["PYTHONPATH"] = str(args.tree.resolve())
    sim = subprocess.Popen([PY, "-P", "-c", "from tui.sim.cli import main; main()", "--port",
                            str(args.port), "--sources", str(args.sources)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dash = (f"{PY} -P -c 'from tui.cli import main; main()' "
            f"--endpoint http://127.0.0.1:{args.port}")
    bare = f"{PY} {ROOT / 'bench' / 'bare_app.py'}"
    ours: list[float] = []
    base: list[float] = []
    before: list[float] = []
    before_env = {**env, "PYTHONPATH": str(args.before.resolve())} if args.before else env
    try:
        wait_port(args.port)
        for i in range(args.runs):
            base.append(time_to_text(f"{args.tmux_prefix}-bare{i}", bare, "bare-app-ready", env))
            if args.before is not None:
                before.append(time_to_text(f"{args.tmux_prefix}-before{i}", dash, name,
                                           before_env))
            ours.append(time_to_text(f"{args.tmux_prefix}-dash{i}", dash, name, env))
    finally:
        sim.terminate()
        sim.wait(10)
    b, o = statistics.median(base), statistics.median(ours)
    print(f"launch -> first frame, {args.sources} sources on loopback, {args.runs} runs, medians")
    print(f"  bare Textual app   {b:6.3f} s")
    if before:
        f = statistics.median(before)
        print(f"  migdash before     {f:6.3f} s   ratio {f / b:.2f}x  ({args.before})")
    print(f"  migdash (data)     {o:6.3f} s   ratio {o / b:.2f}x  (goal <= 1.5x)")
    print("  per run: bare " + ",".join(f"{x:.2f}" for x in base) + "; migdash "
          + ",".join(f"{x:.2f}" for x in ours)
          + ("; before " + ",".join(f"{x:.2f}" for x in before) if before else ""))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
