"""Async client for ECS (servers, stop/start, cold migration, jobs) and DeH (dedicated hosts).

Usage::

    async with EcsClient(ecs_url, deh_url, project_id, AkSkAuth(ak, sk)) as ecs:
        hosts = await ecs.list_all_hosts()
        job_id = await ecs.migrate_server(server_id, hosts[0].dedicated_host_id)
        job = await ecs.wait_job(job_id)          # JobFailed carries fail_reason

Same transport, retries and auth as the SMS client (:mod:`tui.api.transport`,
:mod:`tui.api.auth`): reads are retried, writes never once they may have reached the server.
Every failure is an :class:`~tui.api.exceptions.SmsError`; the refusals the cold-migration
documents describe come as :class:`~tui.api.exceptions.EcsRefused` subclasses.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from tui.api.ecs import models as m
from tui.api.ecs.jobs import follow_job
from tui.api.exceptions import (
    ApiError,
    BadResponse,
    ChargingModeRefused,
    EcsRefused,
    HostUnavailable,
    InsufficientCapacity,
    InvalidRequest,
    RequestValidationError,
    ServerStateRefused,
)
from tui.api.transport import Caller, RetryPolicy, Sleep, open_http

T = TypeVar("T", bound=BaseModel)

SERVERS_PAGE = 1000
"""The largest page ``/cloudservers/detail`` accepts."""
HOSTS_PAGE = 1000
"""The page size asked of DeH lists (marker paging)."""

REFUSALS: Mapping[str, type[EcsRefused]] = {
    "ECS.0100": ServerStateRefused,
    "ECS.1901": ChargingModeRefused,
    "ECS.1902": InsufficientCapacity,
    "ECS.1903": HostUnavailable,
    "ECS.1904": HostUnavailable,
}
"""Refusal codes with their own class; any other Ecs/DEH code on a 4xx is an EcsRefused."""


def typed_error(exc: ApiError) -> ApiError:
    """The ECS-specific class for a refused request (same status, code, message), else ``exc``."""
    code = (exc.error_code or "").upper()
    if not isinstance(exc, InvalidRequest) or isinstance(exc, EcsRefused):
        return exc
    if not code.startswith(("ECS.", "DEH.")):
        return exc
    cls = REFUSALS.get(code, EcsRefused)
    return cls(exc.message, status=exc.status, error_code=exc.error_code, params=exc.params,
               method=exc.method, url=exc.url, request_id=exc.request_id)


class EcsClient:
    """Typed async client for ECS and DeH; ``transport`` is injectable (tests use the sim)."""

    def __init__(
        self,
        ecs_endpoint: str,
        deh_endpoint: str,
        project_id: str,
        auth: httpx.Auth | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        deadline: float = 30.0,
        retry: RetryPolicy = RetryPolicy(),
        max_connections: int = 8,
        page_concurrency: int = 4,
        verify: bool = True,
        sleep: Sleep = asyncio.sleep,
        rng: Callable[[], float] = random.random,
        on_event: Callable[[str, Mapping[str, Any]], None] | None = None,
    ) -> None:
        if not project_id:
            raise RequestValidationError("ECS and DeH need a project id",
                                         errors={"project_id": "must not be empty"})
        self.ecs_endpoint = ecs_endpoint.rstrip("/")
        self.deh_endpoint = deh_endpoint.rstrip("/")
        self.project_id = project_id
        self.page_concurrency = page_concurrency
        self._sleep = sleep

        self._ecs_http, self._deh_http = (
            open_http(base, auth=auth, transport=transport, timeout=timeout,
                      max_connections=max_connections, verify=verify)
            for base in (self.ecs_endpoint, self.deh_endpoint))
        kw: dict[str, Any] = {"deadline": deadline, "retry": retry, "sleep": sleep, "rng": rng,
                              "on_event": on_event}
        self._ecs = Caller(self._ecs_http, **kw)
        self._deh = Caller(self._deh_http, **kw)
        pid = _seg(project_id)
        self._v1 = f"/v1/{pid}"
        self._v10 = f"/v1.0/{pid}"

    def __repr__(self) -> str:
        return f"EcsClient(ecs={self.ecs_endpoint!r}, deh={self.deh_endpoint!r})"

    async def __aenter__(self) -> EcsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close both connection pools."""
        await self._ecs_http.aclose()
        await self._deh_http.aclose()

    # -- plumbing ------------------------------------------------------------------------

    async def _call(self, caller: Caller, method: str, path: str, *,
                    params: Mapping[str, Any] | None = None, body: BaseModel | None = None) -> Any:
        payload = body.to_body() if body is not None and hasattr(body, "to_body") else (
            body.model_dump(mode="json", by_alias=True) if body is not None else None)
        try:
            return await caller.call(method, path, params=params, json_body=payload)
        except ApiError as exc:
            raise typed_error(exc) from None

    async def _get(self, caller: Caller, path: str, model: type[T],
                   params: Mapping[str, Any] | None = None) -> T:
        return _parse(model, await self._call(caller, "GET", path, params=params), path)

    async def _job(self, path: str, body: BaseModel) -> str:
        answer = _parse(m.JobAccepted, await self._call(self._ecs, "POST", path, body=body), path)
        if not answer.job_id:
            raise BadResponse(f"{path} accepted the request but sent no job_id", url=path)
        return answer.job_id

    # -- ECS servers -----------------------------------------------------------------------

    async def list_servers(self, *, limit: int = SERVERS_PAGE, offset: int = 1,
                           **filters: Any) -> m.ServerList:
        """GET /cloudservers/detail: one page; ``offset`` is the 1-based page number.

        Filters: name, status, flavor, ip, server_id, tags, enterprise_project_id."""
        if not 1 <= limit <= SERVERS_PAGE:
            raise RequestValidationError(f"limit must be 1–{SERVERS_PAGE}",
                                         errors={"limit": f"{limit} is outside 1–{SERVERS_PAGE}"})
        if offset < 1:
            raise RequestValidationError("offset is a page number starting at 1",
                                         errors={"offset": f"{offset} is below 1"})
        return await self._get(self._ecs, f"{self._v1}/cloudservers/detail", m.ServerList,
                               {"limit": limit, "offset": offset, **filters})

    async def list_all_servers(self, *, page_size: int = SERVERS_PAGE,
                               **filters: Any) -> list[m.Server]:
        """Every server matching ``filters``: page 1, then the rest concurrently (bounded)."""
        first = await self.list_servers(limit=page_size, offset=1, **filters)
        total = first.count or 0
        pages = range(2, -(-total // page_size) + 1)
        gate = asyncio.Semaphore(max(1, self.page_concurrency))

        async def one(page: int) -> list[m.Server]:
            async with gate:
                return (await self.list_servers(limit=page_size, offset=page, **filters)).servers

        rest = await asyncio.gather(*(one(p) for p in pages))
        return _dedupe([first.servers, *rest], lambda s: s.id)

    async def get_server(self, server_id: str) -> m.Server:
        """GET /cloudservers/{id}."""
        path = f"{self._v1}/cloudservers/{_seg(server_id)}"
        data = await self._call(self._ecs, "GET", path)
        server = data.get("server") if isinstance(data, dict) else None
        return _parse(m.Server, server, path)

    async def stop_servers(self, server_ids: Sequence[str], *, hard: bool = False) -> str:
        """POST /cloudservers/action ``os-stop`` (SOFT unless ``hard``); returns the job id."""
        body = _validated(m.StopRequest, {"os-stop": {
            "type": "HARD" if hard else "SOFT", "servers": [{"id": i} for i in server_ids]}})
        return await self._job(f"{self._v1}/cloudservers/action", body)

    async def start_servers(self, server_ids: Sequence[str]) -> str:
        """POST /cloudservers/action ``os-start``; returns the job id."""
        body = _validated(m.StartRequest, {"os-start": {
            "servers": [{"id": i} for i in server_ids]}})
        return await self._job(f"{self._v1}/cloudservers/action", body)

    async def migrate_server(self, server_id: str, dedicated_host_id: str | None) -> str:
        """POST /cloudservers/{id}/migrate to a DeH, or to the pool when ``None``; the job id."""
        body = _validated(m.MigrateRequest, {"migrate": None if dedicated_host_id is None
                                             else {"dedicated_host_id": dedicated_host_id}})
        return await self.migrate(server_id, body)

    async def migrate(self, server_id: str, body: m.MigrateRequest) -> str:
        """POST /cloudservers/{id}/migrate with a ready body; returns the job id."""
        return await self._job(f"{self._v1}/cloudservers/{_seg(server_id)}/migrate", body)

    # -- jobs ----------------------------------------------------------------------------------

    async def get_job(self, job_id: str) -> m.Job:
        """GET /v1/{project_id}/jobs/{job_id}: status, sub jobs, ``fail_reason``."""
        return await self._get(self._ecs, f"{self._v1}/jobs/{_seg(job_id)}", m.Job)

    async def wait_job(
        self,
        job_id: str,
        *,
        deadline: float = 1800.0,
        interval: float = 2.0,
        max_interval: float = 15.0,
        on_update: Callable[[m.Job], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep | None = None,
    ) -> m.Job:
        """Follow a job to SUCCESS (returned); FAIL raises JobFailed, the deadline JobTimedOut."""
        return await follow_job(self.get_job, job_id, deadline=deadline, interval=interval,
                                max_interval=max_interval, on_update=on_update, clock=clock,
                                sleep=sleep or self._sleep)

    # -- DeH -------------------------------------------------------------------------------------

    async def list_hosts(self, *, limit: int = HOSTS_PAGE, marker: str | None = None,
                         **filters: Any) -> m.HostList:
        """GET /v1.0/{project_id}/dedicated-hosts: one page after ``marker``.

        Filters: dedicated_host_id, name, host_type, host_type_name, flavor, state,
        availability_zone, changes-since (pass as ``changes_since``)."""
        if "changes_since" in filters:
            filters["changes-since"] = filters.pop("changes_since")
        return await self._get(self._deh, f"{self._v10}/dedicated-hosts", m.HostList,
                               {"limit": limit, "marker": marker, **filters})

    async def list_all_hosts(self, *, page_size: int = HOSTS_PAGE,
                             **filters: Any) -> list[m.DedicatedHost]:
        """Every dedicated host, following the marker page by page."""

        async def page(marker: str | None) -> list[m.DedicatedHost]:
            return (await self.list_hosts(limit=page_size, marker=marker,
                                          **filters)).dedicated_hosts

        return await _marker_pages(page, page_size, lambda h: h.dedicated_host_id)

    async def get_host(self, dedicated_host_id: str) -> m.DedicatedHost:
        """GET /v1.0/{project_id}/dedicated-hosts/{id}."""
        path = f"{self._v10}/dedicated-hosts/{_seg(dedicated_host_id)}"
        return (await self._get(self._deh, path, m.HostResponse)).dedicated_host

    async def list_host_servers(self, dedicated_host_id: str, *, limit: int = HOSTS_PAGE,
                                marker: str | None = None) -> m.HostServerList:
        """GET /v1.0/{project_id}/dedicated-hosts/{id}/servers: one page after ``marker``."""
        path = f"{self._v10}/dedicated-hosts/{_seg(dedicated_host_id)}/servers"
        return await self._get(self._deh, path, m.HostServerList,
                               {"limit": limit, "marker": marker})

    async def list_all_host_servers(self, dedicated_host_id: str, *,
                                    page_size: int = HOSTS_PAGE) -> list[m.Server]:
        """Every server on one dedicated host."""

        async def page(marker: str | None) -> list[m.Server]:
            return (await self.list_host_servers(dedicated_host_id, limit=page_size,
                                                 marker=marker)).servers

        return await _marker_pages(page, page_size, lambda s: s.id)


async def _marker_pages(fetch: Callable[[str | None], Any], size: int,
                        key: Callable[[Any], str]) -> list[Any]:
    """Pages after each page's last id until a short page; a repeated marker ends it too."""
    items: list[Any] = []
    seen: set[str] = set()
    marker: str | None = None
    while True:
        chunk = await fetch(marker)
        fresh = [item for item in chunk if key(item) not in seen]
        for item in fresh:
            seen.add(key(item))
        items.extend(fresh)
        if len(chunk) < size or not fresh:
            return items
        marker = key(chunk[-1])


def _dedupe(chunks: Sequence[Sequence[T]], key: Callable[[T], str]) -> list[T]:
    seen: set[str] = set()
    out: list[T] = []
    for chunk in chunks:
        for item in chunk:
            if key(item) not in seen:
                seen.add(key(item))
                out.append(item)
    return out


def _seg(value: str) -> str:
    """One path segment, percent-encoded so an id can never change the path."""
    if not value:
        raise RequestValidationError("an id is required", errors={"id": "must not be empty"})
    return quote(value, safe="")


def _validated(model: type[T], data: Any) -> T:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = {".".join(str(p) for p in e["loc"]) or "body": e["msg"] for e in exc.errors()}
        raise RequestValidationError("invalid request: " + "; ".join(
            f"{k}: {v}" for k, v in errors.items()), errors=errors) from None


def _parse(model: type[T], data: Any, where: str) -> T:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        loc = ".".join(str(p) for p in errors[0]["loc"]) if errors else ""
        why = errors[0]["msg"] if errors else str(exc)
        raise BadResponse(f"unexpected answer shape from {where}: {loc or 'body'}: {why}",
                          url=where) from None


__all__ = ["EcsClient", "HOSTS_PAGE", "REFUSALS", "SERVERS_PAGE", "typed_error"]
