"""The simulator as an ASGI application: every SMS v3 endpoint, auth, faults, admin routes."""

from __future__ import annotations

import asyncio
import hmac
import json
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tui.api.auth import verify_request
from tui.api.errors import error_body
from tui.api.models.hhmm import parse_hhmm
from tui.api.models.requests import MigProjectBody, SpeedLimitRequest, UpdateSourceRequest
from tui.sim import sdk_routes, views
from tui.sim.clock import Clock, RealClock
from tui.sim.engine import Engine, EngineConfig, SimError, invalid
from tui.sim.faults import FaultDecision, FaultInjector, FaultSpecError

MAX_LIMIT = 200
MAX_OFFSET = 65535
ADMIN_PREFIX = "/_sim"


@dataclass
class SimConfig:
    """How the simulator is set up.

    With neither ``token`` nor ``ak`` the API is open (the demo). ``admin`` enables the
    ``/_sim`` routes (fault changes at run time); it defaults to on when ``faults`` is given.
    """

    sources: int = 40
    seed: int = 0
    speed: float = 1.0
    clock: Clock | None = None
    token: str | None = field(default=None, repr=False)
    ak: str | None = None
    sk: str | None = field(default=None, repr=False)
    faults: str | None = None
    admin: bool | None = None
    region: str = "sim-region-1"
    hosts: int = 12
    """Dedicated hosts in the ECS/DeH world (see :mod:`tui.sim.ecs`)."""
    ecs_servers: int = 60
    """ECS servers on those hosts and in the public pool (SMS targets come on top)."""
    numa_share: float = 0.1
    """Share of migrations to a dedicated host that fail on a NUMA shortage."""
    wall: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), repr=False)
    """Wall time used to check AK/SK signature dates (not the simulated clock)."""
    zstack: Any = None
    """A ``tui.sim.zstack.ZStackSimConfig`` (None: its defaults)."""

    @property
    def auth_mode(self) -> str:
        if self.ak:
            return "aksk+token" if self.token else "aksk"
        return "token" if self.token else "open"


class Simulator:
    """Engine, auth and faults behind one app (``app.state.sim``)."""

    def __init__(self, config: SimConfig) -> None:
        if config.ak and not config.sk:
            raise ValueError("an AK needs its SK")
        self.config = config
        self.clock = config.clock or RealClock(config.speed)
        self.engine = Engine(EngineConfig(sources=config.sources, seed=config.seed,
                                          region=config.region), self.clock)
        self.faults = FaultInjector(config.faults, seed=config.seed)
        self.admin = bool(config.faults) if config.admin is None else config.admin
        self.requests = 0

    # -- auth ------------------------------------------------------------------------------

    def authenticate(self, request: Request, body: bytes) -> Response | None:
        cfg = self.config
        if not cfg.token and not cfg.ak:
            return None
        headers = request.headers
        if cfg.ak and "authorization" in headers:
            raw = request.scope.get("raw_path") or request.url.path.encode()
            raw_path = raw.split(b"?", 1)[0].decode("latin-1")
            query = request.scope.get("query_string", b"").decode("latin-1")
            result = verify_request(
                request.method, raw_path, query, headers, body,
                lookup_sk=lambda ak: cfg.sk if hmac.compare_digest(ak, cfg.ak or "") else None,
                now=cfg.wall(),
            )
            if result.ok:
                return None
            why = {
                "missing": "the Authorization header is missing",
                "malformed": "the Authorization header or X-Sdk-Date is malformed or unsigned",
                "unknown_key": "the access key does not exist",
                "clock_skew": "the request time (X-Sdk-Date) differs from the server time by "
                              "more than 15 minutes",
                "bad_signature": "verify aksk signature fail",
            }[result.reason]
            message = f"Incorrect IAM authentication information: {why}"
            if result.canonical_request and result.reason in ("bad_signature", "clock_skew"):
                message += f", canonical request: {result.canonical_request}"
            return _json({"error_code": "APIGW.0301", "error_msg": message,
                          "request_id": uuid.uuid4().hex}, 401)
        if cfg.token:
            given = headers.get("x-auth-token")
            # Table 5.1 gives both token errors status 400 (the client reads them as auth
            # errors by their code).
            if given is None:
                return _json(error_body("SMS.6522"), 400)
            if not hmac.compare_digest(given.encode(), cfg.token.encode()):
                return _json(error_body("SMS.6521"), 400)
            return None
        return _json({"error_code": "APIGW.0301",
                      "error_msg": "Incorrect IAM authentication information: the Authorization "
                                   "header is missing", "request_id": uuid.uuid4().hex}, 401)


# -- plumbing ---------------------------------------------------------------------------------


def _json(data: Any, status: int = 200) -> Response:
    try:  # orjson: the same compact UTF-8, ~3x faster on a 200-source page
        body = orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:  # a type orjson does not know (e.g. an int past 64 bits)
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status, media_type="application/json",
                    headers={"X-Request-Id": uuid.uuid4().hex})


def _error(exc: SimError) -> Response:
    return _json(error_body(exc.code, exc.params), exc.status)


Handler = Callable[[Simulator, Request, Any], Any]


def _endpoint(fn: Handler, *, reads_body: bool = False) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        sim: Simulator = request.app.state.sim
        sim.requests += 1
        raw = await request.body()
        refused = sim.authenticate(request, raw)
        if refused is not None:
            return refused
        try:
            data: Any = None
            if reads_body:
                data = _body(raw)
            sim.engine.sync()
            result = fn(sim, request, data)
        except SimError as exc:
            return _error(exc)
        if isinstance(result, Response):
            return result
        return _json({} if result is None else result)

    return handle


def _body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        raise invalid("body", "a JSON object is required")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid("body", "not valid JSON") from None
    if not isinstance(data, dict):
        raise invalid("body", "must be a JSON object")
    return data


def _validated(model: type[BaseModel], data: Mapping[str, Any]) -> BaseModel:
    """Validate ``data`` with a strict write model, ignoring top-level keys it does not know."""
    known = {k: v for k, v in data.items() if k in model.model_fields or any(
        f.alias == k for f in model.model_fields.values())}
    try:
        return model.model_validate(known)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ())) or "body"
        message = str(err.get("msg", "invalid"))
        raise invalid(where, message.removeprefix("Value error, ")) from None


def _page(request: Request) -> tuple[int, int]:
    q = request.query_params
    try:
        limit = int(q.get("limit", "0") or 0)
    except ValueError:
        raise invalid("limit", "must be an integer") from None
    try:
        offset = int(q.get("offset", "0") or 0)
    except ValueError:
        raise invalid("offset", "must be an integer") from None
    if not 0 <= limit <= MAX_LIMIT:
        raise invalid("limit", f"must be 0–{MAX_LIMIT} (0 means {MAX_LIMIT})")
    if not 0 <= offset <= MAX_OFFSET:
        raise invalid("offset", f"must be 0–{MAX_OFFSET}")
    return (limit or MAX_LIMIT), offset


def _filters(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k in names and v != ""}


SOURCE_FILTERS = ("state", "name", "id", "ip", "migproject", "migration_cycle", "connected",
                  "enterprise_project_id", "is_consistency_result_exist")
TASK_FILTERS = ("state", "name", "id", "source_server_id", "enterprise_project_id")


def _ids(data: Mapping[str, Any]) -> list[str]:
    ids = data.get("ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
        raise invalid("ids", "a non-empty list of ids is required")
    return ids


# -- sources ------------------------------------------------------------------------------------


def list_sources(sim: Simulator, request: Request, _: Any) -> Any:
    limit, offset = _page(request)
    rows = sim.engine.filter_sources(_filters(request, SOURCE_FILTERS))
    return {"count": len(rows),
            "source_servers": [views.source_item(sim.engine, s) for s in rows[offset:offset + limit]]}


def register_source(sim: Simulator, request: Request, data: Any) -> Any:
    return {"id": sim.engine.register(data)}


def overview(sim: Simulator, request: Request, _: Any) -> Any:
    return sim.engine.overview(_filters(request, ("migproject", "enterprise_project_id")))


def get_source(sim: Simulator, request: Request, _: Any) -> Any:
    return views.source_detail(sim.engine, sim.engine.source(request.path_params["source_id"]))


def update_source(sim: Simulator, request: Request, data: Any) -> Any:
    _validated(UpdateSourceRequest, data)
    sim.engine.update_source(request.path_params["source_id"], data)


def delete_source(sim: Simulator, request: Request, _: Any) -> Any:
    sim.engine.delete_sources([request.path_params["source_id"]])


def delete_sources(sim: Simulator, request: Request, data: Any) -> Any:
    sim.engine.delete_sources(_ids(data))


def change_state(sim: Simulator, request: Request, data: Any) -> Any:
    sim.engine.change_state(request.path_params["source_id"], data)


def diskinfo(sim: Simulator, request: Request, data: Any) -> Any:
    sim.engine.update_diskinfo(request.path_params["source_id"], data)


def get_command(sim: Simulator, request: Request, _: Any) -> Any:
    return sim.engine.next_command(request.path_params["source_id"])


def command_result(sim: Simulator, request: Request, data: Any) -> Any:
    for key in ("command_name", "result"):
        if not data.get(key):
            raise invalid(key, "required")
    sim.engine.command_result(request.path_params["source_id"], data)


def list_errors(sim: Simulator, request: Request, _: Any) -> Any:
    limit, offset = _page(request)
    rows = sim.engine.errors(_filters(request, ("migproject",)))
    return {"count": len(rows), "migration_errors": rows[offset:offset + limit]}


# -- tasks ----------------------------------------------------------------------------------------


def create_task(sim: Simulator, request: Request, data: Any) -> Any:
    for key in ("name", "type", "os_type", "source_server", "target_server", "region_name",
                "region_id", "project_name", "project_id"):
        if data.get(key) in (None, ""):
            raise invalid(key, "required")
    if not isinstance(data.get("source_server"), dict) or not data["source_server"].get("id"):
        raise invalid("source_server.id", "required")
    if not isinstance(data.get("target_server"), dict):
        raise invalid("target_server", "must be an object")
    if len(str(data["name"])) > 255:
        raise invalid("name", "at most 255 characters")
    priority = data.get("priority")
    if priority is not None and (not isinstance(priority, int) or not 0 <= priority <= 2):
        raise invalid("priority", "must be 0, 1 or 2")
    speed = data.get("speed_limit")
    if speed is not None and (not isinstance(speed, int) or not 0 <= speed <= 10000):
        raise invalid("speed_limit", "must be 0–10000 Mbit/s")
    threshold = data.get("over_speed_threshold")
    if threshold is not None and (not isinstance(threshold, (int, float)) or not 0 <= threshold <= 100):
        raise invalid("over_speed_threshold", "must be 0–100 %")
    return {"id": sim.engine.create_task(data)}


def list_tasks(sim: Simulator, request: Request, _: Any) -> Any:
    limit, offset = _page(request)
    rows = sim.engine.filter_tasks(_filters(request, TASK_FILTERS))
    return {"count": len(rows),
            "tasks": [views.task_item(sim.engine, t) for t in rows[offset:offset + limit]]}


def get_task(sim: Simulator, request: Request, _: Any) -> Any:
    return views.task_item(sim.engine, sim.engine.task(request.path_params["task_id"]), detail=True)


def update_task(sim: Simulator, request: Request, data: Any) -> Any:
    task = sim.engine.task(request.path_params["task_id"])
    if "name" in data and (not isinstance(data["name"], str) or not 0 < len(data["name"]) <= 255):
        raise SimError(400, "SMS.7711")
    if "type" in data and data["type"] not in ("MIGRATE_BLOCK", "MIGRATE_FILE"):
        raise SimError(400, "SMS.7712")
    if "priority" in data and data["priority"] not in (0, 1, 2):
        raise invalid("priority", "must be 0, 1 or 2")
    if "speed_limit" in data and (not isinstance(data["speed_limit"], int)
                                  or not 0 <= data["speed_limit"] <= 10000):
        raise invalid("speed_limit", "must be 0–10000 Mbit/s")
    if data.get("vm_template_id"):
        sim.engine.template(str(data["vm_template_id"]))
    for key in ("name", "priority", "migration_ip", "start_target_server"):
        if key in data:
            setattr(task, key, data[key])
    if "speed_limit" in data:
        task.speed_limit = data["speed_limit"] or None
    if "vm_template_id" in data:
        task.template_id = data["vm_template_id"] or None
    # As the reference's example (and the SDK's UpdateTaskResponse) shows: the task's id.
    return {"id": task.id}


def delete_task(sim: Simulator, request: Request, _: Any) -> Any:
    sim.engine.delete_task(request.path_params["task_id"])


def delete_tasks(sim: Simulator, request: Request, data: Any) -> Any:
    sim.engine.delete_tasks(_ids(data))


def task_action(sim: Simulator, request: Request, data: Any) -> Any:
    operation = data.get("operation")
    if not isinstance(operation, str) or not operation:
        raise invalid("operation", "required")
    template_id = data.get("template_id")
    sim.engine.action(request.path_params["task_id"], operation,
                      template_id if isinstance(template_id, str) else None)


def progress(sim: Simulator, request: Request, data: Any) -> Any:
    sim.engine.report_progress(request.path_params["task_id"], data)


def get_speed_limit(sim: Simulator, request: Request, _: Any) -> Any:
    return views.speed_limits(sim.engine.task(request.path_params["task_id"]))


def set_speed_limit(sim: Simulator, request: Request, data: Any) -> Any:
    task = sim.engine.task(request.path_params["task_id"])
    rules = data.get("speed_limit")
    if not isinstance(rules, list):
        raise invalid("speed_limit", "a list of rules is required")
    for k, rule in enumerate(rules):
        if not isinstance(rule, dict):
            raise invalid(f"speed_limit.{k}", "must be an object")
        for key in ("start", "end"):
            try:
                parse_hhmm(rule.get(key))  # type: ignore[arg-type]
            except (ValueError, TypeError, AttributeError):
                raise SimError(400, "SMS.6405", f"speed_limit.{k}.{key}: {rule.get(key)!r} is not HH:MM") from None
    parsed = _validated(SpeedLimitRequest, data)
    out = []
    for rule in parsed.speed_limit:  # type: ignore[attr-defined]
        start, end = rule.minutes()
        out.append((start, end, rule.speed, rule.over_speed_threshold))
    sim.engine.set_speed_limits(task.id, out)


# -- templates and projects --------------------------------------------------------------------------


def _template_body(data: Mapping[str, Any]) -> dict[str, Any]:
    body = data.get("template")
    if not isinstance(body, dict):
        raise invalid("template", "required")
    name = body.get("name")
    if not isinstance(name, str) or not 0 < len(name) <= 255:
        raise invalid("template.name", "1–255 characters")
    for key in ("region", "projectid"):
        if "is_template" in body and not body.get(key):
            raise invalid(f"template.{key}", "required")
    for key in ("volumetype", "data_volume_type"):
        if body.get(key) not in (None, "SAS", "SSD", "SATA"):
            raise invalid(f"template.{key}", "must be SAS, SSD or SATA")
    return body


def create_template(sim: Simulator, request: Request, data: Any) -> Any:
    return {"id": sim.engine.create_template(_template_body(data))}


def list_templates(sim: Simulator, request: Request, _: Any) -> Any:
    limit, offset = _page(request)
    q = request.query_params
    rows = [t.body for t in sim.engine.templates.values()
            if (not q.get("name") or q["name"].lower() in str(t.body.get("name", "")).lower())
            and (not q.get("availability_zone") or t.body.get("availability_zone") == q["availability_zone"])
            and (not q.get("region") or t.body.get("region") == q["region"])]
    return {"count": len(rows), "templates": rows[offset:offset + limit]}


def get_template(sim: Simulator, request: Request, _: Any) -> Any:
    return {"template": sim.engine.template(request.path_params["template_id"]).body}


def update_template(sim: Simulator, request: Request, data: Any) -> Any:
    sim.engine.update_template(request.path_params["template_id"], _template_body(data))


def delete_template(sim: Simulator, request: Request, _: Any) -> Any:
    sim.engine.delete_templates([request.path_params["template_id"]])


def delete_templates(sim: Simulator, request: Request, data: Any) -> Any:
    sim.engine.delete_templates(_ids(data))


def create_project(sim: Simulator, request: Request, data: Any) -> Any:
    _validated(MigProjectBody, data)
    return {"id": sim.engine.create_project(data)}


def list_projects(sim: Simulator, request: Request, _: Any) -> Any:
    limit, offset = _page(request)
    rows = [p.body for p in sim.engine.projects.values()]
    return {"count": len(rows), "migprojects": rows[offset:offset + limit]}


def get_project(sim: Simulator, request: Request, _: Any) -> Any:
    return sim.engine.project(request.path_params["project_id"]).body


def update_project(sim: Simulator, request: Request, data: Any) -> Any:
    _validated(MigProjectBody, data)
    sim.engine.update_project(request.path_params["project_id"], data)


def delete_project(sim: Simulator, request: Request, _: Any) -> Any:
    sim.engine.delete_project(request.path_params["project_id"])


def default_project(sim: Simulator, request: Request, _: Any) -> Any:
    sim.engine.set_default_project(request.path_params["project_id"])


# -- admin -------------------------------------------------------------------------------------------


def admin_faults(sim: Simulator, request: Request, data: Any) -> Any:
    if request.method == "PUT":
        spec = data.get("spec") if isinstance(data, dict) else None
        if not isinstance(spec, str):
            raise invalid("spec", "a fault spec string is required")
        try:
            sim.faults.set(spec)
        except FaultSpecError as exc:
            raise invalid("spec", str(exc)) from None
    elif request.method == "DELETE":
        sim.faults.set(None)
    return {"spec": sim.faults.spec, "injected": dict(sim.faults.injected)}


def admin_state(sim: Simulator, request: Request, _: Any) -> Any:
    engine = sim.engine
    return {"now": engine.now, "sources": len(engine.sources), "tasks": len(engine.tasks),
            "active_tasks": len(engine.active), "requests": sim.requests,
            "auth": sim.config.auth_mode, "faults": sim.faults.spec}


def _admin_gate(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    async def gated(request: Request) -> Response:
        if not request.app.state.sim.admin:
            return _no_such_api(request, "admin routes are disabled (start with --admin or "
                                         "--faults)")
        return await handler(request)

    return gated


def _route(path: str, fn: Handler, methods: list[str], body: bool = False) -> Route:
    return Route(path, _endpoint(fn, reads_body=body), methods=methods)


ROUTES = [
    _route("/v3/errors", list_errors, ["GET"]),
    _route("/v3/sources", list_sources, ["GET"]),
    _route("/v3/sources", register_source, ["POST"], body=True),
    _route("/v3/sources/overview", overview, ["GET"]),
    _route("/v3/sources/delete", delete_sources, ["POST"], body=True),
    _route("/v3/sources/{source_id}/changestate", change_state, ["PUT"], body=True),
    _route("/v3/sources/{source_id}/diskinfo", diskinfo, ["PUT"], body=True),
    _route("/v3/sources/{source_id}/command", get_command, ["GET"]),
    _route("/v3/sources/{source_id}/command_result", command_result, ["POST"], body=True),
    _route("/v3/sources/{source_id}", get_source, ["GET"]),
    _route("/v3/sources/{source_id}", update_source, ["PUT"], body=True),
    _route("/v3/sources/{source_id}", delete_source, ["DELETE"]),
    _route("/v3/tasks", create_task, ["POST"], body=True),
    _route("/v3/tasks", list_tasks, ["GET"]),
    _route("/v3/tasks/delete", delete_tasks, ["POST"], body=True),
    _route("/v3/tasks/{task_id}/action", task_action, ["POST"], body=True),
    _route("/v3/tasks/{task_id}/progress", progress, ["PUT"], body=True),
    _route("/v3/tasks/{task_id}/speed-limit", get_speed_limit, ["GET"]),
    _route("/v3/tasks/{task_id}/speed-limit", set_speed_limit, ["POST"], body=True),
    _route("/v3/tasks/{task_id}", get_task, ["GET"]),
    _route("/v3/tasks/{task_id}", update_task, ["PUT"], body=True),
    _route("/v3/tasks/{task_id}", delete_task, ["DELETE"]),
    _route("/v3/vm/templates", create_template, ["POST"], body=True),
    _route("/v3/vm/templates", list_templates, ["GET"]),
    _route("/v3/vm/templates/delete", delete_templates, ["POST"], body=True),
    _route("/v3/vm/templates/{template_id}", get_template, ["GET"]),
    _route("/v3/vm/templates/{template_id}", update_template, ["PUT"], body=True),
    _route("/v3/vm/templates/{template_id}", delete_template, ["DELETE"]),
    _route("/v3/migprojects", create_project, ["POST"], body=True),
    _route("/v3/migprojects", list_projects, ["GET"]),
    _route("/v3/migprojects/{project_id}/default", default_project, ["PUT"]),
    _route("/v3/migprojects/{project_id}", get_project, ["GET"]),
    _route("/v3/migprojects/{project_id}", update_project, ["PUT"], body=True),
    _route("/v3/migprojects/{project_id}", delete_project, ["DELETE"]),
    # What the official SDK calls beyond the reference (API versions, consistency results).
    *(_route(path, fn, [method], body) for path, fn, method, body in sdk_routes.ROUTES),
    Route(f"{ADMIN_PREFIX}/faults", _admin_gate(_endpoint(admin_faults)), methods=["GET", "DELETE"]),
    Route(f"{ADMIN_PREFIX}/faults", _admin_gate(_endpoint(admin_faults, reads_body=True)), methods=["PUT"]),
    Route(f"{ADMIN_PREFIX}/state", _admin_gate(_endpoint(admin_state)), methods=["GET"]),
]


def _no_such_api(request: Request, why: str) -> Response:
    """What API Gateway answers for a path or method it does not route: 404 ``APIGW.0101``
    (a gateway code, not an SMS one: table 5.1 has no 404)."""
    return _json({"error_code": "APIGW.0101",
                  "error_msg": f"The API does not exist or has not been published in the "
                               f"environment: {why}",
                  "request_id": uuid.uuid4().hex}, 404)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _no_such_api(request, f"{request.method} {request.url.path}")


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return _no_such_api(request, f"{request.method} {request.url.path}")


# -- faults middleware -------------------------------------------------------------------------------


class SimulatedReset(ConnectionResetError):
    """Raised by the app to drop a connection mid-answer (an injected ``reset`` fault)."""


class FaultMiddleware:
    """Applies the injector's decision to each API request (never to ``/_sim`` routes)."""

    def __init__(self, app: ASGIApp, sim: Simulator) -> None:
        self.app = app
        self.sim = sim

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        decision = self.sim.faults.decide(scope["method"], scope["path"])
        if decision.delay_ms:
            await asyncio.sleep(decision.delay_ms / 1000)
        if decision.status is not None:
            await _send_fault_status(send, decision)
            return
        if decision.reset:
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")]})
            await send({"type": "http.response.body", "body": b'{"count":', "more_body": True})
            raise SimulatedReset("simulated connection reset (fault injection)")
        if decision.malformed:
            body = b"{'count': 1, source_servers: [ {\"id\": }"
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        if decision.truncate:
            await self._truncated(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _truncated(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        cut = body[: max(1, len(body) // 2)]
        assert start is not None
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(cut)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": cut})


async def _send_fault_status(send: Send, decision: FaultDecision) -> None:
    status = decision.status or 500
    headers = [(b"content-type", b"application/json")]
    if status == 429:
        body = json.dumps({"error_code": "APIGW.0308",
                           "error_msg": "The throttling threshold has been reached: policy user "
                                        "over ratelimit (injected fault)",
                           "request_id": uuid.uuid4().hex}).encode()
        headers.append((b"retry-after", str(decision.retry_after or 1).encode()))
    elif status == 500:
        body = json.dumps({"error_code": "SMS.9999", "error_msg": "Internal server error "
                           "(injected fault)"}).encode()
    else:
        # Gateways answer 502/503 with HTML, not JSON: clients must cope with that too.
        headers = [(b"content-type", b"text/html")]
        reason = "Bad Gateway" if status == 502 else "Service Unavailable"
        body = f"<html><head><title>{status} {reason}</title></head><body><h1>{status} {reason}</h1></body></html>".encode()
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def create_app(config: SimConfig | None = None) -> Starlette:
    """The simulator app; ``app.state.sim`` is its :class:`Simulator`."""
    from tui.sim.ecs import ROUTES as ECS_ROUTES, EcsWorld

    sim = Simulator(config or SimConfig())
    app = Starlette(routes=ROUTES + ECS_ROUTES,
                    exception_handlers={404: _not_found, 405: _not_allowed})
    app.state.sim = sim
    cfg = sim.config
    app.state.ecs = EcsWorld(seed=cfg.seed, hosts=cfg.hosts, servers=cfg.ecs_servers,
                             region=cfg.region, clock=sim.clock, sms=sim.engine,
                             numa_share=cfg.numa_share)
    from tui.sim.zstack import mount as mount_zstack

    mount_zstack(app, sim)
    app.add_middleware(FaultMiddleware, sim=sim)
    return app
