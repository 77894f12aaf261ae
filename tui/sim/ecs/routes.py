"""ECS and DeH routes of migdash-sim, served by the same app (and auth, faults) as SMS.

ECS errors are ``{"error": {"code", "message", "details"}}``; DeH errors are top-level
``error_code``/``error_msg``: the client must read both, as the official SDK does.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tui.api.ecs.errors import deh_error_body, ecs_error_body
from tui.sim.ecs import views
from tui.sim.ecs.world import EcsSimError, EcsWorld

SERVERS_MAX = 1000
SERVERS_DEFAULT = 25
HOSTS_DEFAULT = 1000

Handler = Callable[[EcsWorld, Request, Any], Any]


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status, media_type="application/json",
                    headers={"X-Request-Id": uuid.uuid4().hex})


def _endpoint(fn: Handler, *, service: str, reads_body: bool = False
              ) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        sim = request.app.state.sim
        world: EcsWorld = request.app.state.ecs
        sim.requests += 1
        raw = await request.body()
        refused = sim.authenticate(request, raw)
        if refused is not None:
            return refused  # type: ignore[no-any-return]
        try:
            data = _body(raw) if reads_body else None
            sim.engine.sync()
            world.sync()
            return _json(fn(world, request, data))
        except EcsSimError as exc:
            body = deh_error_body(exc.code, exc.detail) if exc.service == "deh" else \
                ecs_error_body(exc.code, exc.detail)
            return _json(body, exc.status)

    return handle


def _body(raw: bytes) -> Any:
    if not raw.strip():
        raise EcsSimError("Ecs.0000", "a JSON body is required")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise EcsSimError("Ecs.0000", "the body is not valid JSON") from None


def _int(request: Request, name: str, default: int, service: str) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        code = "DEH.1905" if service == "deh" else "Ecs.0005"
        raise EcsSimError(code, f"{name} must be an integer", service=service) from None


def _pid(request: Request) -> str:
    return str(request.path_params["project_id"])


# -- ECS ------------------------------------------------------------------------------------


def list_servers(world: EcsWorld, request: Request, _: Any) -> Any:
    limit = _int(request, "limit", SERVERS_DEFAULT, "ecs")
    page = _int(request, "offset", 1, "ecs")
    if not 1 <= limit <= SERVERS_MAX:
        raise EcsSimError("Ecs.0005", f"limit must be 1–{SERVERS_MAX}")
    if page < 0:
        raise EcsSimError("Ecs.0005", "offset is a page number starting at 1")
    page = max(page, 1)
    rows = world.filter_servers({k: v for k, v in request.query_params.items() if v != ""})
    chunk = rows[(page - 1) * limit: page * limit]
    return {"count": len(rows),
            "servers": [views.server_detail(world, s, _pid(request)) for s in chunk]}


def get_server(world: EcsWorld, request: Request, _: Any) -> Any:
    server = world.server(request.path_params["server_id"])
    return {"server": views.server_detail(world, server, _pid(request))}


def _ids(body: Any, key: str) -> list[str]:
    servers = body.get("servers") if isinstance(body, dict) else None
    if not isinstance(servers, list) or not servers:
        raise EcsSimError("Ecs.0005", f"{key}.servers must be a non-empty list")
    if len(servers) > 1000:
        raise EcsSimError("Ecs.0005", f"{key}.servers takes at most 1000 servers")
    ids = [s.get("id") if isinstance(s, dict) else None for s in servers]
    if not all(isinstance(i, str) and i for i in ids):
        raise EcsSimError("Ecs.0005", f"every {key}.servers item needs an id")
    return [str(i) for i in ids]


def server_action(world: EcsWorld, request: Request, data: Any) -> Any:
    if not isinstance(data, dict):
        raise EcsSimError("Ecs.0000", "the body must be a JSON object")
    if "os-stop" in data:
        body = data["os-stop"]
        kind = body.get("type", "SOFT") if isinstance(body, dict) else None
        if kind not in ("SOFT", "HARD"):
            raise EcsSimError("Ecs.0005", "os-stop.type must be SOFT or HARD")
        return {"job_id": world.stop(_ids(body, "os-stop"), hard=kind == "HARD")}
    if "os-start" in data:
        return {"job_id": world.start(_ids(data["os-start"], "os-start"))}
    raise EcsSimError("Ecs.0000", "the body needs os-stop or os-start")


def migrate(world: EcsWorld, request: Request, data: Any) -> Any:
    if not isinstance(data, dict):
        raise EcsSimError("Ecs.0000", "the body must be a JSON object")
    # {"migrate": null} is the documented pool move; the official SDK drops None attributes
    # and sends {}; {"migrate": {}} leaves out the optional dedicated_host_id: all three mean
    # "to the public pool".
    target = data.get("migrate")
    if target is not None and not isinstance(target, dict):
        raise EcsSimError("Ecs.0000", "migrate must be an object or null")
    dest = target.get("dedicated_host_id") if target else None
    if dest is not None and (not isinstance(dest, str) or not dest):
        raise EcsSimError("Ecs.0005", "migrate.dedicated_host_id must be a non-empty string")
    return {"job_id": world.migrate(request.path_params["server_id"], dest)}


def get_job(world: EcsWorld, request: Request, _: Any) -> Any:
    return views.job(world.job(request.path_params["job_id"]))


# -- DeH -------------------------------------------------------------------------------------


def _after(ids: list[str], marker: str | None) -> int:
    if not marker:
        return 0
    try:
        return ids.index(marker) + 1
    except ValueError:
        raise EcsSimError("DEH.1905", f"marker {marker} is not an item of this list",
                          service="deh") from None


def list_hosts(world: EcsWorld, request: Request, _: Any) -> Any:
    limit = _int(request, "limit", HOSTS_DEFAULT, "deh")
    if limit < 1:
        raise EcsSimError("DEH.1905", "limit must be at least 1", service="deh")
    q = {k: v for k, v in request.query_params.items() if v != ""}
    rows = world.filter_hosts(q)
    start = _after([h.id for h in rows], q.get("marker"))
    return {"dedicated_hosts": [views.host(h, _pid(request)) for h in rows[start:start + limit]],
            "total": len(rows)}


def get_host(world: EcsWorld, request: Request, _: Any) -> Any:
    return {"dedicated_host": views.host(world.host(request.path_params["host_id"]),
                                         _pid(request))}


def host_servers(world: EcsWorld, request: Request, _: Any) -> Any:
    host = world.host(request.path_params["host_id"])
    limit = _int(request, "limit", HOSTS_DEFAULT, "deh")
    if limit < 1:
        raise EcsSimError("DEH.1905", "limit must be at least 1", service="deh")
    start = _after(host.servers, request.query_params.get("marker"))
    ids = host.servers[start:start + limit]
    return {"servers": [views.host_server(world.servers[i], _pid(request)) for i in ids]}


def _route(path: str, fn: Handler, method: str, service: str, body: bool = False) -> Route:
    return Route(path, _endpoint(fn, service=service, reads_body=body), methods=[method])


ROUTES = [
    _route("/v1/{project_id}/cloudservers/detail", list_servers, "GET", "ecs"),
    _route("/v1/{project_id}/cloudservers/action", server_action, "POST", "ecs", body=True),
    _route("/v1/{project_id}/cloudservers/{server_id}/migrate", migrate, "POST", "ecs",
           body=True),
    _route("/v1/{project_id}/cloudservers/{server_id}", get_server, "GET", "ecs"),
    _route("/v1/{project_id}/jobs/{job_id}", get_job, "GET", "ecs"),
    _route("/v1.0/{project_id}/dedicated-hosts", list_hosts, "GET", "deh"),
    _route("/v1.0/{project_id}/dedicated-hosts/{host_id}/servers", host_servers, "GET", "deh"),
    _route("/v1.0/{project_id}/dedicated-hosts/{host_id}", get_host, "GET", "deh"),
]
"""Mounted by :func:`tui.sim.app.create_app` beside the SMS routes."""
