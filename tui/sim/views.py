"""The simulator's records in the documented response shapes of the SMS v3 reference."""

from __future__ import annotations

from typing import Any

from tui.sim.engine import MINUTE, Engine, noise
from tui.sim.fleet import SimSource, SimSubtask, SimTask, layout


def _format_hhmm(minutes: int) -> str:
    minutes = min(minutes, 1439)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


_PROBLEMS: dict[tuple[int, int], tuple[object, list[dict[str, Any]]]] = {}
"""The list endpoint's checks per (seed, check plan): they change only with the plan, and
building them was a third of the cost of a list item."""


def problem_checks(src: SimSource) -> list[dict[str, Any]]:
    """The checks that are not OK (what ``GET /v3/sources`` carries), built once per plan."""
    key = (src.seed, id(src.check_plan))
    hit = _PROBLEMS.get(key)
    if hit is not None and hit[0] is src.check_plan:
        return hit[1]
    if len(_PROBLEMS) > 200_000:  # many fleets in one process (tests): start over
        _PROBLEMS.clear()
    out = checks(src, problems_only=True)
    _PROBLEMS[key] = (src.check_plan, out)
    return out


def checks(src: SimSource, *, problems_only: bool) -> list[dict[str, Any]]:
    """Environment checks; the list endpoint carries only the ones that are not OK."""
    out = []
    base = (src.seed % 100_000) * 20
    for k, (name, result, code, params) in enumerate(src.check_plan):
        if problems_only and result == "OK":
            continue
        out.append({
            "id": base + k,
            "params": list(params) or [""],
            "name": name,
            "result": result,
            "error_code": code,
            "error_or_warn": None if result == "OK" else result,
            "error_params": ",".join(params),
        })
    return out


def remain_seconds(task: SimTask) -> int | None:
    if task.state not in ("RUNNING", "SYNCING") or task.speed_mbit <= 0:
        return None
    left = max(0.0, task.totalsize - task.replicated)
    fixed_left = sum(max(0, s.duration_ms) for s in task.subtasks[task.cur + 1:] if s.kind == "fixed")
    return int(left / (task.speed_mbit * 125_000) + fixed_left / 1000)


def _estimate(task: SimTask, now: int) -> int | None:
    left = remain_seconds(task)
    return None if left is None else now + left * 1000


def current_task(engine: Engine, task: SimTask) -> dict[str, Any]:
    """``TaskByServerSource(s)``."""
    left = remain_seconds(task)
    return {
        "id": task.id,
        "name": task.name,
        "type": task.type,
        "state": task.state,
        "estimate_completion_time": None if left is None else engine.now + left * 1000,
        "start_date": task.start_date,
        "speed_limit": task.speed_limit or 0,
        "migrate_speed": round(task.speed_mbit / 8, 2),
        "compress_rate": task.compress_rate,
        "start_target_server": task.start_target_server,
        "vm_template_id": task.template_id,
        "region_id": task.region_id,
        "project_name": task.project_name,
        "project_id": task.project_id,
        "target_server": {"vm_id": task.target_vm_id, "name": task.target_name},
        "log_collect_status": "INIT",
        "exist_server": task.exist_server,
        "use_public_ip": task.use_public_ip,
        "clone_server": task.clone_server,
        "remain_seconds": left,
    }


def _source_common(engine: Engine, src: SimSource, *, detail: bool) -> dict[str, Any]:
    task = engine.tasks.get(src.task_id or "")
    return {
        "id": src.id,
        "ip": src.ip,
        "name": src.name,
        "enterprise_project_id": src.enterprise_project_id,
        "add_date": src.add_date,
        "os_type": src.os_type,
        "os_version": src.os_version,
        "oem_system": src.oem_system,
        "state": src.state,
        "connected": src.connected,
        "cpu_quantity": src.cpu_quantity,
        "memory": src.memory,
        "current_task": current_task(engine, task) if task else None,
        "checks": checks(src, problems_only=False) if detail else problem_checks(src),
        "replicatesize": int(task.replicated) if task else 0,
        "totalsize": task.totalsize if task else src.used_bytes,
        "stage_action_time": src.stage_action_time,
        "last_visit_time": engine.visited_at(src),
        "migration_cycle": src.migration_cycle,
        "state_action_time": src.state_action_time,
        "is_consistency_result_exist": src.is_consistency_result_exist,
        "has_tc": src.has_tc,
        "migprojectid": src.migprojectid,
    }


def source_item(engine: Engine, src: SimSource) -> dict[str, Any]:
    """One ``SourceServersResponseBody`` of ``GET /v3/sources``."""
    return _source_common(engine, src, detail=False)


def init_target_server(src: SimSource) -> dict[str, Any]:
    lay = layout(src)
    disks = []
    for d in lay["disks"]:
        disks.append({
            "name": d.get("name"),
            "size": d.get("adjust_size") or d.get("size"),
            "device_use": d.get("device_use"),
            "used_size": d.get("used_size"),
            "physical_volumes": [
                {k: pv.get(k) for k in ("uuid", "index", "name", "device_use", "file_system",
                                        "mount_point", "size", "used_size", "inode_size")}
                for pv in d.get("physical_volumes") or []
            ],
        })
    return {"disks": disks, "volume_groups": lay["volume_groups"]}


def source_detail(engine: Engine, src: SimSource) -> dict[str, Any]:
    """``GET /v3/sources/{id}``."""
    lay = layout(src)
    body = _source_common(engine, src, detail=True)
    body.update({
        "hostname": src.hostname,
        "firmware": src.firmware,
        "disks": lay["disks"],
        "volume_groups": lay["volume_groups"],
        "btrfs_list": lay["btrfs_list"],
        "networks": lay["networks"],
        "init_target_server": init_target_server(src),
        "agent_version": src.agent_version,
        "kernel_version": src.kernel_version,
    })
    return body


def subtask(sub: SimSubtask) -> dict[str, Any]:
    return {
        "id": sub.id,
        "name": sub.name,
        "progress": int(sub.progress) if sub.progress < 100 else 100,
        "start_date": sub.start_date,
        "end_date": sub.end_date,
        "migrate_speed": round(sub.migrate_speed, 2),
        "user_op": sub.user_op,
        "process_trace": sub.process_trace,
    }


def _usage(engine: Engine, task: SimTask) -> dict[str, float]:
    if task.usage:
        return dict(task.usage)
    moving = task.state in ("RUNNING", "SYNCING") and task.speed_mbit > 0
    k = engine.now // MINUTE
    n = noise(task.seed ^ 0xC0FFEE, k)
    mb_s = task.speed_mbit / 8
    src = engine.tasks and engine.sources.get(task.source_id)
    memory_mb = (src.memory / 1024 / 1024) if src else 8192.0
    return {
        "total_cpu_usage": round((25 + 40 * n) if moving else (4 + 6 * n), 1),
        "agent_cpu_usage": round((6 + 18 * n) if moving else (0.3 + n), 1),
        "total_mem_usage": round(memory_mb * (0.35 + 0.3 * n), 1),
        "agent_mem_usage": round((180 + 220 * n) if moving else (60 + 20 * n), 1),
        "total_disk_io": round(mb_s * (1.1 + 0.4 * n) + 2 * n, 2),
        "agent_disk_io": round(mb_s * (1.0 + 0.05 * n), 2),
    }


def _target_server(task: SimTask, src: SimSource | None) -> dict[str, Any]:
    disks = []
    if src is not None:
        for k, d in enumerate(layout(src)["disks"]):
            disks.append({
                "id": k,
                "device_use": d.get("device_use"),
                "disk_id": f"evs-{task.target_vm_id[:8]}-{k}",
                "name": d.get("name"),
                "size": d.get("adjust_size") or d.get("size"),
                "used_size": d.get("used_size"),
                "disk_index": str(k),
                "os_disk": d.get("os_disk"),
                "partition_style": d.get("partition_style"),
                "relation_name": d.get("relation_name"),
                "physical_volumes": [
                    {"id": j, "device_use": pv.get("device_use"), "file_system": pv.get("file_system"),
                     "index": pv.get("index"), "mount_point": pv.get("mount_point"),
                     "name": pv.get("name"), "size": pv.get("adjust_size") or pv.get("size"),
                     "used_size": pv.get("used_size"), "uuid": pv.get("uuid"),
                     "relation_name": pv.get("name"), "free_size": None}
                    for j, pv in enumerate(d.get("physical_volumes") or [])
                ],
            })
    return {
        "id": task.target_vm_id,
        "vm_id": task.target_vm_id,
        "name": task.target_name,
        "ip": task.migration_ip,
        "os_type": task.os_type,
        "os_version": src.os_version if src else None,
        "system_dir": "C:\\Windows" if task.os_type == "WINDOWS" else "/",
        "disks": disks,
        "volume_groups": layout(src)["volume_groups"] if src else [],
        "btrfs_list": [],
        "image_disk_id": "",
        "cutovered_snapshot_ids": "",
    }


def task_item(engine: Engine, task: SimTask, *, detail: bool = False) -> dict[str, Any]:
    """``TasksResponseBody`` (list) or the task detail."""
    src = engine.sources.get(task.source_id)
    end = task.finish_date or engine.now
    body: dict[str, Any] = {
        "id": task.id,
        "name": task.name,
        "type": task.type,
        "os_type": task.os_type,
        "state": task.state,
        "estimate_completion_time": _estimate(task, engine.now),
        "create_date": task.create_date,
        "start_date": task.start_date,
        "finish_date": task.finish_date,
        "priority": task.priority,
        "speed_limit": task.speed_limit or 0,
        "migrate_speed": round(task.speed_mbit / 8, 2),
        "compress_rate": task.compress_rate,
        "start_target_server": task.start_target_server,
        "error_json": task.error_json,
        "total_time": (end - task.start_date) if task.start_date else 0,
        "migration_ip": task.migration_ip,
        "sub_tasks": [subtask(s) for s in task.subtasks],
        "source_server": {
            "id": task.source_id,
            "ip": src.ip if src else None,
            "name": src.name if src else None,
            "os_type": src.os_type if src else None,
            "os_version": src.os_version if src else None,
            "oem_system": src.oem_system if src else None,
            "state": src.state if src else None,
            "migration_cycle": src.migration_cycle if src else None,
        },
        "target_server": _target_server(task, src) if detail else {
            "vm_id": task.target_vm_id, "name": task.target_name, "ip": task.migration_ip},
        "log_collect_status": "INIT",
        "clone_server": task.clone_server,
        "network_check_info": task.network_check_info,
        "special_config": [],
        "need_migration_test": False,
        "enterprise_project_id": task.enterprise_project_id,
        "replicatesize": int(task.replicated),
        "totalsize": task.totalsize,
    }
    body.update(_usage(engine, task))
    if detail:
        body.update({
            "region_id": task.region_id,
            "region_name": task.region_name,
            "project_name": task.project_name,
            "project_id": task.project_id,
            "vm_template_id": task.template_id,
            "connected": bool(src and src.connected),
            "remain_seconds": remain_seconds(task),
            "target_snapshot_id": "",
        })
    return body


def speed_limits(task: SimTask) -> dict[str, Any]:
    """``GET /v3/tasks/{id}/speed-limit``; an end of 24:00 is written 23:59 as SMS does."""
    return {"speed_limit": [
        {"start": _format_hhmm(start), "end": _format_hhmm(end), "speed": speed,
         "over_speed_threshold": threshold if threshold is not None else 0.0}
        for start, end, speed, threshold in task.rules
    ]}
