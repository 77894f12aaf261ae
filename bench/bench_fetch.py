"""Fetch all 10,000 sources: the official huaweicloudsdksms client against ours, same run.

Three figures of issue 14, from one command:

* official SDK time / ours, against ``migdash-sim`` over loopback with AK/SK (goal >= 3x);
* the same against a replay server answering recorded pages (isolates the clients; goal >= 5x);
* the simulator's CPU time to serve all 50 pages (goal <= 0.4 s), read from /proc.

The SDK lives in its own virtualenv (``.venv-sdk``, created here on first use); each fetch runs
in a fresh process and only the fetch is timed (not imports or client construction). Runs
alternate SDK and ours; medians are printed.

    .venv/bin/python bench/bench_fetch.py [--sources 10000] [--runs 5] [--port 18710]
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

import httpx

from tui.api.auth import AkSkAuth

ROOT = Path(__file__).resolve().parents[1]
SDK_VENV = ROOT / ".venv-sdk"
AK, SK = "BENCHAK0000000000000", "bench-secret-key-0000000000000000000000"


def ensure_sdk() -> Path:
    """The SDK's interpreter, installing it into .venv-sdk the first time."""
    python = SDK_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(SDK_VENV)], check=True)
    probe = subprocess.run([str(python), "-c", "import huaweicloudsdksms"], capture_output=True)
    if probe.returncode != 0:
        print("installing huaweicloudsdksms into .venv-sdk …", flush=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "huaweicloudsdksms"],
                       check=True)
    return python


def wait_port(port: int, proc: subprocess.Popen[bytes], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listening on port {port}")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


CPU: dict[str, list[float]] = {}
"""The client's own CPU seconds per fetch, by run kind: a ratio that a busy machine bends
less than wall time (a client waiting for a core counts in wall time, not in CPU)."""


def timed(cmd: list[str], kind: str) -> float:
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    fields = out.split()
    if len(fields) > 2:
        CPU.setdefault(kind, []).append(float(fields[2]))
    return float(fields[0])


def record(endpoint: str, directory: Path) -> int:
    """Save every page of /v3/sources as page-<offset>.json; returns the count."""
    with httpx.Client(base_url=endpoint, auth=AkSkAuth(AK, SK), timeout=60) as http:
        first = http.get("/v3/sources", params={"limit": 200, "offset": 0})
        first.raise_for_status()
        count = int(first.json()["count"])
        (directory / "page-0.json").write_bytes(first.content)
        for offset in range(200, count, 200):
            page = http.get("/v3/sources", params={"limit": 200, "offset": offset})
            page.raise_for_status()
            (directory / f"page-{offset}.json").write_bytes(page.content)
    return count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--port", type=int, default=18710, help="simulator; replay uses port + 1")
    ap.add_argument("--tree", type=Path, default=None,
                    help="run our client and the simulator from another checkout (a 'before')")
    args = ap.parse_args()
    sdk = str(ensure_sdk())
    ours = str(ROOT / ".venv" / "bin" / "python")
    if args.tree is not None:
        os.environ["PYTHONPATH"] = str(args.tree.resolve())
    sim_port, replay_port = args.port, args.port + 1
    sim = subprocess.Popen([ours, "-P", "-c", "from tui.sim.cli import main; main()", "--port",
                            str(sim_port), "--sources", str(args.sources), "--ak", AK, "--sk", SK],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    replay: subprocess.Popen[bytes] | None = None
    try:
        wait_port(sim_port, sim)
        sim_url = f"http://127.0.0.1:{sim_port}"
        with tempfile.TemporaryDirectory(prefix="perf-pages-") as tmp:
            count = record(sim_url, Path(tmp))
            replay = subprocess.Popen([sys.executable, str(ROOT / "bench" / "replay_server.py"),
                                       tmp, str(replay_port)])
            wait_port(replay_port, replay)
            replay_url = f"http://127.0.0.1:{replay_port}"
            results: dict[str, list[float]] = {k: [] for k in
                                               ("sdk-sim", "ours-sim", "sdk-replay",
                                                "ours-replay", "sim-cpu")}
            for _ in range(args.runs):
                results["sdk-sim"].append(timed([sdk, "bench/fetch_sdk.py", sim_url, AK, SK],
                                                "sdk-sim"))
                before = cpu_seconds(sim.pid)
                results["ours-sim"].append(timed([ours, "bench/fetch_ours.py", sim_url, AK, SK],
                                                 "ours-sim"))
                results["sim-cpu"].append(cpu_seconds(sim.pid) - before)
                results["sdk-replay"].append(
                    timed([sdk, "bench/fetch_sdk.py", replay_url, AK, SK], "sdk-replay"))
                results["ours-replay"].append(
                    timed([ours, "bench/fetch_ours.py", replay_url, AK, SK], "ours-replay"))
    finally:
        for proc in (replay, sim):
            if proc is not None:
                proc.terminate()
                proc.wait(10)
    med = {k: statistics.median(v) for k, v in results.items()}
    print(f"fetch all {count} sources ({(count + 199) // 200} pages), {args.runs} runs, medians")
    print(f"  migdash-sim  SDK {med['sdk-sim']:6.2f} s  ours {med['ours-sim']:6.2f} s  "
          f"SDK/ours {med['sdk-sim'] / med['ours-sim']:5.2f}x  (goal >= 3x)")
    print(f"  replay       SDK {med['sdk-replay']:6.2f} s  ours {med['ours-replay']:6.2f} s  "
          f"SDK/ours {med['sdk-replay'] / med['ours-replay']:5.2f}x  (goal >= 5x)")
    cpu = {k: statistics.median(v) for k, v in CPU.items()}
    if len(cpu) == 4:
        print(f"  client CPU   sim: SDK {cpu['sdk-sim']:.2f} s / ours {cpu['ours-sim']:.2f} s = "
              f"{cpu['sdk-sim'] / cpu['ours-sim']:.2f}x;  replay: SDK {cpu['sdk-replay']:.2f} s / "
              f"ours {cpu['ours-replay']:.2f} s = {cpu['sdk-replay'] / cpu['ours-replay']:.2f}x")
    print(f"  simulator CPU to serve all pages (ours' fetch): {med['sim-cpu']:.2f} s "
          f"(goal <= 0.4 s)")
    print("  per run: " + "; ".join(f"{k} " + ",".join(f"{x:.2f}" for x in v)
                                    for k, v in results.items()))


if __name__ == "__main__":
    main()
