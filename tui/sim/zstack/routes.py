"""ZStack's REST routes (``/zstack/v1/…``) on the simulator's app and port.

Mounted by :func:`mount` from ``create_app``; the fault middleware wraps them like the SMS
routes (``--faults '503=0.1@/zstack/*'``). Every call but the login needs
``Authorization: OAuth <session>``; writes are recorded in ``engine.requests`` for tests.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tui.sim.zstack import query
from tui.sim.zstack.engine import ZStackEngine, ZStackSimError
from tui.sim.zstack.world import ZStackSimConfig

PREFIX = "/zstack/v1"
ACTIONS = ("migrateVm",)
"""Action keys the simulator serves; ZStack matches them case-sensitively."""

Handler = Callable[[ZStackEngine, Request, Any], Any]


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status, media_type="application/json")


def _refusal(exc: ZStackSimError) -> Response:
    if exc.text is not None:  # ZStack's RestServer answers a malformed request in plain text
        return PlainTextResponse(exc.text, status_code=exc.status)
    return _json(exc.body(), exc.status)


def _endpoint(fn: Handler, *, auth: bool = True, body: bool = False
              ) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        sim = request.app.state.sim
        engine: ZStackEngine = sim.zstack
        sim.requests += 1
        raw = await request.body()
        try:
            if auth:
                engine.check_session(request.headers.get("authorization"))
            data: Any = None
            if body:
                try:
                    data = json.loads(raw) if raw.strip() else None
                except (ValueError, UnicodeDecodeError):
                    raise ZStackSimError(400, text="the body is not valid JSON") from None
                if not isinstance(data, dict):
                    raise ZStackSimError(400, text="the body must be a JSON object")
            engine.sync()
            result = fn(engine, request, data)
        except ZStackSimError as exc:
            return _refusal(exc)
        return result if isinstance(result, Response) else _json(result)

    return handle


def login(engine: ZStackEngine, request: Request, data: Any) -> Any:
    return engine.login(data)


def logout(engine: ZStackEngine, request: Request, _: Any) -> Any:
    engine.logout(request.path_params["session"])
    return {}


def _lister(attr: str) -> Handler:
    def handle(engine: ZStackEngine, request: Request, _: Any) -> Any:
        items = getattr(engine.world, attr).values()
        return query.run(items, request.query_params, request.query_params.getlist("q"))

    return handle


def get_vm(engine: ZStackEngine, request: Request, _: Any) -> Any:
    vm = engine.world.vms.get(request.path_params["uuid"])
    return {"inventories": [vm] if vm else []}


def get_host(engine: ZStackEngine, request: Request, _: Any) -> Any:
    host = engine.world.hosts.get(request.path_params["uuid"])
    return {"inventories": [host] if host else []}


def targets(engine: ZStackEngine, request: Request, _: Any) -> Any:
    return {"inventories": engine.candidates(request.path_params["uuid"])}


def action(engine: ZStackEngine, request: Request, data: Any) -> Any:
    path = request.url.path
    engine.requests.append(("PUT", path, data))
    key = next((k for k in data if k in ACTIONS), None)
    if key is None:
        raise ZStackSimError(400, text="the body doesn't contain action mapping to the URL"
                             f"[{path.removeprefix('/zstack')}]")
    params = data[key]
    if not isinstance(params, dict):
        raise ZStackSimError(400, text=f"'{key}' must be a JSON object")
    job = engine.migrate(request.path_params["uuid"], params, request.headers.get("x-job-uuid"))
    return _json({"location": engine.location(job), "apiTimeout": engine.config.api_timeout_ms},
                 202)


def api_job(engine: ZStackEngine, request: Request, _: Any) -> Any:
    status, body = engine.job_answer(request.path_params["uuid"])
    return _json(body, status)


ROUTES = [
    Route(f"{PREFIX}/accounts/login", _endpoint(login, auth=False, body=True), methods=["PUT"]),
    Route(f"{PREFIX}/accounts/sessions/{{session}}", _endpoint(logout, auth=False),
          methods=["DELETE"]),
    Route(f"{PREFIX}/zones", _endpoint(_lister("zones")), methods=["GET"]),
    Route(f"{PREFIX}/clusters", _endpoint(_lister("clusters")), methods=["GET"]),
    Route(f"{PREFIX}/hosts", _endpoint(_lister("hosts")), methods=["GET"]),
    Route(f"{PREFIX}/hosts/{{uuid}}", _endpoint(get_host), methods=["GET"]),
    Route(f"{PREFIX}/vm-instances", _endpoint(_lister("vms")), methods=["GET"]),
    Route(f"{PREFIX}/vm-instances/{{uuid}}", _endpoint(get_vm), methods=["GET"]),
    Route(f"{PREFIX}/vm-instances/{{uuid}}/migration-target-hosts", _endpoint(targets),
          methods=["GET"]),
    Route(f"{PREFIX}/vm-instances/{{uuid}}/actions", _endpoint(action, body=True),
          methods=["PUT"]),
    Route(f"{PREFIX}/api-jobs/{{uuid}}", _endpoint(api_job), methods=["GET"]),
]


def mount(app: Any, sim: Any) -> ZStackEngine:
    """Add the ZStack routes to the simulator's app; ``sim.zstack`` is their engine."""
    config = getattr(sim.config, "zstack", None) or ZStackSimConfig()
    engine = ZStackEngine(config, sim.config.seed, sim.clock)
    sim.zstack = engine
    app.router.routes.extend(ROUTES)
    return engine


__all__ = ["ACTIONS", "PREFIX", "ROUTES", "mount"]
