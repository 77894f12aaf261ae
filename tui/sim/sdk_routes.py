"""Operations the official SDK (huaweicloudsdksms v3) calls that the v3 reference does not
document: the API versions and a task's consistency-check results.

Shaped like the SDK's models: ``ListApiVersionResponse`` (``versions``: list of ``Version``),
``ShowApiVersionResponse`` (a ``Version`` at the top level: ``id``, ``links`` of ``href``/``rel``,
``status``, ``updated``), ``ShowConsistencyResultResponse`` (``task_id``, ``result_list``:
list of str) and ``SetConsistencyResultRequestBody`` (``consistency_result``: list of
``ConsistencyResult``). The SDK types ``result_list`` as strings while the service's own pages
describe objects (``finished_time``, ``check_result``, ``consistency_result``): each string here
is such an object, JSON-encoded, so both readings get what they expect.

Handlers take ``(sim, request, data)`` like the ones in :mod:`tui.sim.app`, which wraps them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from tui.sim.engine import invalid

if TYPE_CHECKING:
    from tui.sim.app import Simulator

VERSIONS = ({"id": "v3", "status": "SUPPORTED", "updated": "2020-09-02T17:50:00Z"},)
"""The API versions served: only v3 (the reference's example)."""

MAX_RESULTS = 30
"""``consistency_result`` array length: 0 to 30 (the upload's documented range)."""
MAX_FILES = 1_000_000
"""Every file count is 0 to 1,000,000."""
MAX_DIR = 1024
"""``dir_check`` is at most 1,024 characters."""
COUNTS = ("num_total_files", "num_different_files", "num_target_miss_files",
          "num_target_more_files")


def _version(request: Request, row: dict[str, str]) -> dict[str, Any]:
    href = str(request.base_url).rstrip("/") + f"/{row['id']}/"
    return {**row, "links": [{"href": href, "rel": "self"}]}


def list_versions(sim: Simulator, request: Request, _: Any) -> Any:
    """``GET /``: every API version."""
    return {"versions": [_version(request, row) for row in VERSIONS]}


def show_v3(sim: Simulator, request: Request, _: Any) -> Any:
    """``GET /v3``: the one version, at the top level of the body (any other ``/{version}`` is
    a path the gateway does not route, as for a real endpoint)."""
    return _version(request, VERSIONS[0])


def show_consistency(sim: Simulator, request: Request, _: Any) -> Any:
    """``GET /v3/tasks/{task_id}/consistency-result``: what the agent has uploaded."""
    task = sim.engine.task(request.path_params["task_id"])
    return {"task_id": task.id, "result_list": list(task.consistency_results)}


def upload_consistency(sim: Simulator, request: Request, data: Any) -> Any:
    """``POST /v3/tasks/{task_id}/consistency-result``: the agent uploads a check's results."""
    task = sim.engine.task(request.path_params["task_id"])
    rows = data.get("consistency_result", [])
    if not isinstance(rows, list) or len(rows) > MAX_RESULTS:
        raise invalid("consistency_result", f"a list of at most {MAX_RESULTS} results")
    checked = [_result(k, row) for k, row in enumerate(rows)]
    task.consistency_results.append(json.dumps({
        "finished_time": sim.engine.now,
        # The check ran (its "execution result"); the counts say what it found.
        "check_result": "SUCCESS",
        "consistency_result": checked,
    }, separators=(",", ":")))
    src = sim.engine.task_source(task)
    if src is not None:
        src.is_consistency_result_exist = True
    return {}


def _result(k: int, row: Any) -> dict[str, Any]:
    where = f"consistency_result[{k}]"
    if not isinstance(row, dict):
        raise invalid(where, "must be an object")
    folder = row.get("dir_check")
    if not isinstance(folder, str) or len(folder) > MAX_DIR:
        raise invalid(f"{where}.dir_check", f"a string of at most {MAX_DIR} characters")
    out: dict[str, Any] = {"dir_check": folder}
    for name in COUNTS:
        value = row.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_FILES:
            raise invalid(f"{where}.{name}", f"an integer 0–{MAX_FILES}")
        out[name] = value
    return out


ROUTES: tuple[tuple[str, Any, str, bool], ...] = (
    ("/", list_versions, "GET", False),
    ("/v3", show_v3, "GET", False),
    ("/v3/tasks/{task_id}/consistency-result", show_consistency, "GET", False),
    ("/v3/tasks/{task_id}/consistency-result", upload_consistency, "POST", True),
)
"""(path, handler, method, reads a body) for :mod:`tui.sim.app` to mount."""
