"""``migdash zstack``: ZStack's hosts and VMs as text, JSON or CSV, for scripts.

Every string from the server goes through :func:`tui.untrusted.clean`, so a VM named with
terminal escapes prints as visible placeholders. Exit status: 0, or 3 when ZStack could not
be read (or is not configured).
Its options are declared in :mod:`tui.cli` (registering them must not import this).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from tui.api.exceptions import SmsError
from tui.connect import ZStackSettings, open_zstack_client
from tui.service.zstack_plan import usage
from tui.untrusted import clean
from widgets.units import human_size

COLUMNS = ("kind", "uuid", "name", "cluster", "host", "state", "status", "vcpus", "memory",
           "ip", "cpu_used", "cpu_total", "mem_used", "mem_total", "vm_count")


def rows(hosts: Sequence[Any], vms: Sequence[Any], clusters: dict[str, str]
         ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The flat host and VM records, server text cleaned."""
    names = {h.uuid: h.name for h in hosts}
    count: dict[str, int] = {}
    for v in vms:
        if v.hostUuid:
            count[v.hostUuid] = count.get(v.hostUuid, 0) + 1
    host_rows = []
    for h in hosts:
        cap = usage(h)
        host_rows.append({
            "kind": "host", "uuid": clean(h.uuid), "name": clean(h.name),
            "cluster": clean(clusters.get(h.clusterUuid or "", h.clusterUuid)),
            "state": clean(h.state), "status": clean(h.status), "ip": clean(h.managementIp),
            "cpu_used": cap.cpu_used, "cpu_total": cap.cpu_total, "mem_used": cap.mem_used,
            "mem_total": cap.mem_total, "vm_count": count.get(h.uuid or "", 0)})
    vm_rows = [{
        "kind": "vm", "uuid": clean(v.uuid), "name": clean(v.name),
        "cluster": clean(clusters.get(v.clusterUuid or "", v.clusterUuid)),
        "host": clean(names.get(v.hostUuid, v.hostUuid)), "state": clean(v.state),
        "vcpus": v.cpuNum, "memory": v.memorySize, "ip": clean(v.ip)} for v in vms]
    return host_rows, vm_rows


def render(hosts: list[dict[str, Any]], vms: list[dict[str, Any]], fmt: str) -> str:
    """``text`` (two aligned sections), ``json`` or ``csv``."""
    if fmt == "json":
        return json.dumps({"hosts": hosts, "vms": vms}, ensure_ascii=False, indent=2)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n", restval="")
        writer.writeheader()
        writer.writerows([*hosts, *vms])
        return buf.getvalue().rstrip("\n")
    lines = [f"HOSTS ({len(hosts)})"]
    for h in hosts:
        lines.append(f"  {h['name']:<20.20} {h['cluster']:<12.12} {h['state']:<12} "
                     f"{h['status']:<13} cpu {h['cpu_used']}/{h['cpu_total']}  mem "
                     f"{human_size(h['mem_used'])}/{human_size(h['mem_total'])}  "
                     f"{h['vm_count']} VMs")
    lines.append(f"VMS ({len(vms)})")
    for v in vms:
        lines.append(f"  {v['name']:<20.20} {v['state']:<10} {v['host'] or '—':<20.20} "
                     f"{v['vcpus'] or 0:>2} vCPU {human_size(v['memory']):>9}  {v['ip'] or ''}")
    return "\n".join(lines)


async def report(zsettings: ZStackSettings | None, fmt: str) -> tuple[str, int]:
    """Fetch and render; (output, exit status)."""
    if zsettings is None:
        return ("migdash zstack: no ZStack configured: give --zstack-endpoint (or a profile's "
                "zstack_endpoint) and MIGDASH_ZSTACK_PASSWORD, or use --demo"), 3
    try:
        async with open_zstack_client(zsettings) as zs:
            hosts = await zs.list_hosts()
            vms = await zs.list_vms()
            clusters = {c.uuid: c.name for c in await zs.list_clusters()}
    except SmsError as exc:
        hint = exc.hint
        return f"migdash zstack: {clean(str(exc))}" + (f"\nWhat to do: {hint}" if hint else ""), 3
    host_rows, vm_rows = rows(hosts, vms, clusters)
    return render(host_rows, vm_rows, fmt), 0


__all__ = ["COLUMNS", "render", "report", "rows"]
