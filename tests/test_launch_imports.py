"""What a launch imports (issue 14): only what the first frame of the source list needs.

Not the ECS client and its models nor the hosts poller without ECS/DeH (~35 ms), not ZStack's
client and models without ZStack (~40 ms), not the headless subcommands' modules (registering
their options must not load them), not the profile model nor a TOML parser without a
configuration file, and no screen but the source list. Not httpx's default transport either
(httpcore, h11, anyio: ~60 ms): requests go through ``tui.api.wire``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

NOT_AT_LAUNCH = ("tui.api.ecs", "tui.service.hosts", "tui.api.zstack", "tui.service.zstack",
                 "tui.hosts_cli", "tui.zstack_cli", "tui.headless", "tui.profile", "tomllib",
                 "pydantic", "httpcore", "h11", "anyio")

# As ``migdash --endpoint URL`` runs (no config file in an empty home): parse the options,
# resolve the settings, run the app headless until its first screen is up. Nothing listens
# on the endpoint: the polls fail, which changes no import.
LAUNCH = """
import asyncio, json, sys
from tui import cli
args = cli.build_parser().parse_args(["--endpoint", "http://127.0.0.1:9"])
settings = cli.settings_from(args)
zstack = cli.zstack_settings_from(args, settings)
from tui.app import MigdashApp
from tui.screens.sources import SourceListScreen
app = MigdashApp(settings, zstack_settings=zstack)

async def first_screen():
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SourceListScreen), app.screen

asyncio.run(first_screen())
print(json.dumps(sorted(sys.modules)))
"""


def _launch(tmp_path: Path) -> list[str]:
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", LAUNCH], capture_output=True, text=True,
                         env=env, timeout=60, cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr
    modules: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return modules


def test_a_launch_imports_only_what_the_source_list_draws(tmp_path: Path) -> None:
    modules = _launch(tmp_path)
    assert [m for m in modules if m.startswith(NOT_AT_LAUNCH)] == []
    # The source list and the modules it is made of; no other screen (the task screen, the
    # detail, the dialogs) until it is opened.
    screens = {m for m in modules if m.startswith("tui.screens.")}
    assert "tui.screens.sources" in screens
    assert screens <= {"tui.screens.sources", "tui.screens.bulk", "tui.screens.problems",
                       "tui.screens.registry", "tui.screens.source_columns",
                       "tui.screens.source_rows"}


# A first fleet poll, read through the client from recorded-shape answers: the sources,
# overview, failed servers and projects are msgspec records, so reading them loads no pydantic.
FIRST_POLL = """
import asyncio, json, sys
import httpx
from tui.api.client import SmsClient
from tui.service.poller import PollingService

def handle(request):
    path = request.url.path
    if path == "/v3/sources":
        rows = [{"id": f"s{i}", "name": f"n{i}", "memory": "1024", "checks": None,
                 "current_task": {"id": f"t{i}", "state": "RUNNING", "migrate_speed": 1.5}}
                for i in range(3)]
        return httpx.Response(200, json={"count": 3, "source_servers": rows})
    if path == "/v3/errors":
        return httpx.Response(200, json={"count": 1, "migration_errors": [{"source_id": "s1"}]})
    if path == "/v3/migprojects":
        return httpx.Response(200, json={"count": 1, "migprojects": [{"id": "p", "name": 7}]})
    return httpx.Response(200, json={"replicate": 3})

async def poll():
    published = []
    async with SmsClient("http://sms.test", transport=httpx.MockTransport(handle)) as sms:
        service = PollingService(sms, published.append)
        await service.poll_fleet()
        snap = service.snapshot
        assert len(snap.sources) == 3 and snap.sources["s0"].memory == 1024, snap
        assert snap.projects[0].name == "7" and snap.errors[0].source_id == "s1", snap

asyncio.run(poll())
print(json.dumps(sorted(sys.modules)))
"""


def test_the_first_poll_reads_the_fleet_without_pydantic(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", FIRST_POLL], capture_output=True, text=True,
                         env=env, timeout=60, cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr
    modules: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    assert "tui.api.models.sources" in modules
    assert [m for m in modules if m.startswith("pydantic")] == []
