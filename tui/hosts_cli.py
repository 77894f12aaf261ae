"""``migdash hosts``: dedicated hosts with their capacity and servers, as text, JSON or CSV.

Every string from ECS/DeH passes :func:`tui.untrusted.clean` before it is printed, so a
server name cannot move the terminal's cursor or forge a line. Exit status: 0, 2 when ECS/DeH
are not configured, 3 when they could not be read.
Its options are declared in :mod:`tui.cli` (registering them must not import this).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from tui.api.exceptions import SmsError
from tui.connect import Settings, ecs_missing, open_ecs_client
from tui.service.hosts import POOL, locate
from tui.untrusted import clean

SERVER_FIELDS = ("id", "name", "status", "vcpus", "ram_mb", "ip", "availability_zone")
HOST_FIELDS = ("id", "name", "type", "state", "availability_zone", "vcpus_used", "vcpus_total",
               "memory_used_mb", "memory_total_mb", "servers", "auto_placement")
CSV_FIELDS = tuple(f"host_{f}" for f in HOST_FIELDS if f != "servers") + tuple(
    f"server_{f}" for f in SERVER_FIELDS)


def server_record(s: Any) -> dict[str, Any]:
    """One server, flat and clean."""
    return {"id": clean(s.id), "name": clean(s.name or ""), "status": clean(s.status or ""),
            "vcpus": s.vcpus, "ram_mb": s.ram_mb, "ip": clean(s.ips[0]) if s.ips else "",
            "availability_zone": clean(s.availability_zone or "")}


def host_records(hosts: Sequence[Any], servers: Sequence[Any]) -> list[dict[str, Any]]:
    """Every host (by name) with its servers, then the public pool."""
    where = locate(hosts, servers)
    by_host: dict[str, list[dict[str, Any]]] = {}
    for s in servers:
        by_host.setdefault(where[s.id], []).append(server_record(s))
    out = []
    for h in sorted(hosts, key=lambda h: h.name or h.dedicated_host_id):
        out.append({
            "id": clean(h.dedicated_host_id), "name": clean(h.name or ""),
            "type": clean(h.host_type or ""), "state": clean(h.state or ""),
            "availability_zone": clean(h.availability_zone or ""),
            "vcpus_used": h.used_vcpus, "vcpus_total": h.total_vcpus,
            "memory_used_mb": h.used_memory, "memory_total_mb": h.total_memory,
            "auto_placement": clean(h.auto_placement or ""),
            "servers": by_host.get(h.dedicated_host_id, []),
        })
    out.append({"id": POOL, "name": "public pool", "type": "shared", "state": "",
                "availability_zone": "", "vcpus_used": None, "vcpus_total": None,
                "memory_used_mb": None, "memory_total_mb": None, "auto_placement": "",
                "servers": by_host.get(POOL, [])})
    return out


def render(records: Sequence[dict[str, Any]], fmt: str) -> str:
    """Hosts as ``text``, ``json`` or ``csv``."""
    if fmt == "json":
        return json.dumps(list(records), ensure_ascii=False, indent=2)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        for h in records:
            host = {f"host_{k}": v for k, v in h.items() if k != "servers"}
            for s in h["servers"] or [{}]:
                writer.writerow({**host, **{f"server_{k}": v for k, v in s.items()}})
        return buf.getvalue().rstrip("\n")
    lines = []
    for h in records:
        if h["id"] == POOL:
            cap = "shared hosts"
        else:
            cap = (f"vCPU {h['vcpus_used']}/{h['vcpus_total']}  memory "
                   f"{h['memory_used_mb'] // 1024}/{h['memory_total_mb'] // 1024} GiB")
        lines.append(f"{h['name']:<24.24} {h['type']:<8.8} {h['state']:<10.10} "
                     f"{h['availability_zone']:<14.14} {cap}  {len(h['servers'])} servers")
        for s in h["servers"]:
            lines.append(f"    {s['name']:<28.28} {s['status']:<10.10} {s['vcpus']:>3} vCPU "
                         f"{s['ram_mb'] // 1024:>4} GiB  {s['ip']}")
    return "\n".join(lines)


async def hosts(settings: Settings, *, fmt: str) -> tuple[str, int]:
    """Fetch hosts and servers; (output, exit status)."""
    missing = ecs_missing(settings) if not settings.demo else None
    client = None if missing else open_ecs_client(settings)
    if client is None:
        return f"migdash: {missing or 'ECS/DeH are not configured'}", 2
    try:
        async with client:
            found_hosts = await client.list_all_hosts()
            servers = await client.list_all_servers()
    except SmsError as exc:
        hint = exc.hint
        return f"migdash: {exc}" + (f"\nWhat to do: {hint}" if hint else ""), 3
    return render(host_records(found_hosts, servers), fmt), 0
