"""``migdash hosts``: hosts with capacity and their servers, for scripts; server text cleaned."""

from __future__ import annotations

import csv
import io
import json
from types import SimpleNamespace
from typing import Any

import pytest

from tui.cli import main
from tui.hosts_cli import host_records, render


def test_json_lists_every_host_with_its_servers_and_the_pool(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hosts", "--json"]) == 0
    hosts = json.loads(capsys.readouterr().out)
    assert hosts[-1]["id"] == "public-pool" and hosts[-1]["servers"]
    deh = [h for h in hosts if h["id"] != "public-pool"]
    assert len(deh) == 12
    for h in deh:
        assert 0 <= h["vcpus_used"] <= h["vcpus_total"]
        assert h["vcpus_used"] == sum(s["vcpus"] for s in h["servers"])


def test_csv_has_one_row_per_server(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hosts", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len({r["server_id"] for r in rows if r["server_id"]}) >= 60
    assert rows[0]["host_name"] and rows[0]["server_name"]


def test_not_configured_exits_2_and_says_how(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hosts", "--endpoint", "http://127.0.0.1:9"]) == 2
    assert "--ecs-endpoint" in capsys.readouterr().err


def _host(name: str, servers: list[str]) -> Any:
    return SimpleNamespace(dedicated_host_id="h1", name=name, host_type="s6", state="available",
                           availability_zone="az1", used_vcpus=2, total_vcpus=8,
                           used_memory=1024, total_memory=8192, auto_placement="off",
                           instance_uuids=servers)


def test_server_text_cannot_drive_the_terminal() -> None:
    evil = SimpleNamespace(id="s1", name="web\x1b[2J\rowned", status="ACTIVE", vcpus=2,
                           ram_mb=1024, ips=["10.0.0.1\n"], availability_zone="az1",
                           dedicated_host_id="h1")
    out = render(host_records([_host("deh\x07", ["s1"])], [evil]), "text")
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "web␛[2J␍owned" in out and len(out.splitlines()) == 3
