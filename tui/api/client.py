"""Async client for the Huawei Cloud SMS v3 API: one method per operator-facing endpoint.

Usage::

    async with SmsClient("https://sms.ap-southeast-1.myhuaweicloud.com", AkSkAuth(ak, sk)) as sms:
        sources = await sms.list_all_sources(state="error")

Reads are retried (see :mod:`tui.api.transport`); writes never are once they may have
reached the server. Every failure is an :class:`~tui.api.exceptions.SmsError`.
"""

from __future__ import annotations

import asyncio
import random
from itertools import chain
from operator import attrgetter
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from tui.api import models as m
from tui.api.models.record import Page, Record, RecordError, page_reader
from tui.api.exceptions import (
    BadResponse,
    DeadlineExceeded,
    RateLimited,
    RequestValidationError,
    ServerError,
    TransportError,
)
from tui.api.transport import MAX_RESPONSE_BYTES, Caller, RetryPolicy, Sleep, open_http

if TYPE_CHECKING:  # pydantic is imported when a pydantic model is first read or sent: the
    # first frame's records (sources, errors, overview, projects) are msgspec's
    from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound="BaseModel | Record")
L = TypeVar("L", bound="m.ListResponse")
P = TypeVar("P", bound=Page)


class Listing(list[T]):
    """Every record of a list endpoint (all pages), and why any record was left out."""

    skipped: tuple[str, ...] = ()
    """One reason per unreadable record (server text: clean it before showing it)."""

SOURCES_PAGE = 200
"""The largest page /v3/sources and /v3/tasks accept; we never ask for more."""
SMALL_PAGE = 100
"""The largest page /v3/errors, /v3/vm/templates and /v3/migprojects accept."""


class SmsClient:
    """Typed async client for SMS v3; ``transport`` is injectable (tests use the simulator)."""

    def __init__(
        self,
        endpoint: str,
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
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.page_concurrency = page_concurrency
        self._http = open_http(self.endpoint, auth=auth, transport=transport, timeout=timeout,
                               max_connections=max_connections, verify=verify)
        self._caller = Caller(
            self._http, deadline=deadline, retry=retry, sleep=sleep, rng=rng, on_event=on_event,
            max_response_bytes=max_response_bytes,
        )

    def __repr__(self) -> str:
        return f"SmsClient(endpoint={self.endpoint!r})"

    async def __aenter__(self) -> SmsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # -- plumbing ------------------------------------------------------------------------

    async def _get(self, path: str, model: type[T], params: Mapping[str, Any] | None = None) -> T:
        return _parse(model, await self._caller.call("GET", path, params=params), path)

    async def _get_list(
        self, path: str, model: type[L], field: str, item: type[BaseModel],
        params: Mapping[str, Any],
    ) -> L:
        """One page of a list; a record that cannot be read is left out and noted in
        ``skipped``, so one bad record never blanks the whole page."""
        from pydantic import ValidationError
        data = await self._caller.call("GET", path, params=params)
        try:
            return model.model_validate(data)
        except ValidationError:
            pass
        rows = data.get(field) if isinstance(data, dict) else None
        if not isinstance(rows, list):
            return _parse(model, data, path)  # the envelope itself is wrong: BadResponse
        good: list[BaseModel] = []
        skipped: list[str] = []
        offset = int(params.get("offset") or 0)
        for index, row in enumerate(rows):
            try:
                good.append(item.model_validate(row))
            except ValidationError as exc:
                skipped.append(_skip_reason(row, offset + index, exc))
        page = _parse(model, {**data, field: []}, path).model_copy(update={field: good})
        page._skipped = tuple(skipped)
        return page

    async def _get_page(self, path: str, model: type[P], field: str,
                        params: Mapping[str, Any]) -> P:
        """One page of a list of :class:`~tui.api.models.record.Record`: read from the body's
        bytes in one pass (see ``page_reader``); records that cannot be read are left out and
        noted in ``skipped``."""
        reader = _page_reader(model, field)
        offset = int(params.get("offset") or 0)

        def decode(raw: bytes) -> Any:
            try:
                return reader(raw, offset)
            except RecordError as exc:  # JSON, but not a page: said as a BadResponse below
                return exc

        page = await self._caller.call("GET", path, params=params, decode=decode)
        if isinstance(page, model):
            return page
        if isinstance(page, RecordError):
            why = str(page)
        else:  # an empty body ({}), read as an empty page
            try:
                return model.model_validate(page)
            except RecordError as exc:
                why = str(exc)
        raise BadResponse(f"unexpected answer shape from {path}: {why}", url=path)

    async def _write(self, method: str, path: str, body: BaseModel | None = None) -> Any:
        payload = _body(body) if body is not None else None
        return await self._caller.call(method, path, json_body=payload)

    async def _all_pages(
        self,
        fetch: Callable[[int, int], Awaitable[tuple[int, list[T]]]],
        page: int,
        key: Callable[[T], str | None],
    ) -> Listing[T]:
        """First page, then the rest concurrently (bounded); dedupe by id if pages shifted.

        A page that fails after the transport's retries is tried once more (its retries
        again) before the whole listing is given up: at a 30 % error rate one page in ~400
        exhausts its retries, and losing 49 good pages for it left the data minutes old."""

        async def again(offset: int) -> tuple[int, list[T]]:
            try:
                return await fetch(page, offset)
            except (ServerError, TransportError, RateLimited) as exc:
                if isinstance(exc, DeadlineExceeded):
                    raise
                return await fetch(page, offset)

        count, first = await again(0)
        offsets = list(range(page, count, page))
        gate = asyncio.Semaphore(max(1, self.page_concurrency))

        async def one(offset: int) -> list[T]:
            async with gate:
                return (await again(offset))[1]

        rest = await asyncio.gather(*(one(o) for o in offsets))
        chunks = [first, *rest]
        items: Listing[T] = Listing(chain.from_iterable(chunks))
        items.skipped = tuple(chain.from_iterable(getattr(c, "skipped", ()) for c in chunks))
        idents = [i for i in map(key, items) if i is not None]
        if len(set(idents)) == len(idents):  # nearly always: no record on two pages
            return items
        seen: set[str] = set()
        unique: Listing[T] = Listing()
        unique.skipped = items.skipped
        for item in items:
            ident = key(item)
            if ident is not None:
                if ident in seen:
                    continue
                seen.add(ident)
            unique.append(item)
        return unique

    # -- 4.1 source servers ----------------------------------------------------------------

    async def list_errors(
        self, *, limit: int = 50, offset: int = 0, migproject: str | None = None,
        enterprise_project_id: str | None = None,
    ) -> m.ListErrorsResponse:
        """GET /v3/errors: failed source servers with their ``error_json``."""
        params = {"limit": limit, "offset": offset, "migproject": migproject,
                  "enterprise_project_id": enterprise_project_id}
        return await self._get_page("/v3/errors", m.ListErrorsResponse, "migration_errors",
                                    params)

    async def list_all_errors(self, *, migproject: str | None = None) -> list[m.MigrationError]:
        """Every failed source server, all pages."""

        async def fetch(limit: int, offset: int) -> tuple[int, list[m.MigrationError]]:
            r = await self.list_errors(limit=limit, offset=offset, migproject=migproject)
            return r.count, _with_skipped(list(r.migration_errors), r)

        return await self._all_pages(fetch, SMALL_PAGE, lambda e: None)

    async def list_sources(
        self, *, limit: int = SOURCES_PAGE, offset: int = 0, **filters: Any
    ) -> m.ListSourcesResponse:
        """GET /v3/sources: one page. Filters: state, name, id, ip, migproject, migration_cycle,
        connected, enterprise_project_id, is_consistency_result_exist."""
        _check_limit(limit, SOURCES_PAGE)
        return await self._get_page("/v3/sources", m.ListSourcesResponse, "source_servers",
                                    {"limit": limit, "offset": offset, **filters})

    async def list_all_sources(
        self, *, same_as: Mapping[str, m.SourceListItem] | None = None, **filters: Any
    ) -> list[m.SourceListItem]:
        """Every source matching ``filters``: first page, then the rest 4 at a time.

        ``same_as``: records the caller holds, by id (its last listing). A record read equal to
        the one of its id there is returned as that object, page by page as pages arrive, so
        the copy read is dropped at once: a poll of a fleet that mostly did not change keeps
        one copy of it instead of building a second (at 10k sources, RSS 13 MiB lower and
        growing 7 MiB instead of 12 over 15 minutes: less of a poll's peak left scattered)."""

        async def fetch(limit: int, offset: int) -> tuple[int, list[m.SourceListItem]]:
            r = await self.list_sources(limit=limit, offset=offset, **filters)
            rows = list(r.source_servers)
            if same_as:
                _keep_known(rows, same_as)
            return r.count, _with_skipped(rows, r)

        return await self._all_pages(fetch, SOURCES_PAGE, _BY_ID)

    async def get_source(self, source_id: str) -> m.SourceDetail:
        """GET /v3/sources/{id}: disks, volume groups, btrfs, networks, checks, target config."""
        return await self._get(f"/v3/sources/{_seg(source_id)}", m.SourceDetail)

    async def get_overview(self, **filters: Any) -> m.SourcesOverview:
        """GET /v3/sources/overview: how many sources are in each state."""
        return await self._get("/v3/sources/overview", m.SourcesOverview, filters)

    async def update_source(self, source_id: str, body: m.UpdateSourceRequest) -> Any:
        """PUT /v3/sources/{id}: rename, move project, choose disks and resize them."""
        return await self._write("PUT", f"/v3/sources/{_seg(source_id)}", body)

    async def change_source_state(self, source_id: str, body: m.ChangeStateRequest) -> Any:
        """PUT /v3/sources/{id}/changestate: set copystate / migrationcycle."""
        return await self._write("PUT", f"/v3/sources/{_seg(source_id)}/changestate", body)

    async def delete_source(self, source_id: str) -> Any:
        """DELETE /v3/sources/{id}: delete one source record."""
        return await self._write("DELETE", f"/v3/sources/{_seg(source_id)}")

    async def delete_sources(self, body: m.DeleteSourcesRequest) -> Any:
        """POST /v3/sources/delete: delete several source records."""
        return await self._write("POST", "/v3/sources/delete", body)

    # -- 4.2 tasks -------------------------------------------------------------------------

    async def create_task(self, body: m.CreateTaskRequest) -> m.CreatedResponse:
        """POST /v3/tasks: create a migration task; returns the new task id."""
        return _parse(m.CreatedResponse, await self._write("POST", "/v3/tasks", body), "/v3/tasks")

    async def list_tasks(
        self, *, limit: int = SOURCES_PAGE, offset: int = 0, **filters: Any
    ) -> m.ListTasksResponse:
        """GET /v3/tasks: one page. Filters: state, name, id, source_server_id, …"""
        _check_limit(limit, SOURCES_PAGE)
        return await self._get_list(
            "/v3/tasks", m.ListTasksResponse, "tasks", m.TaskListItem,
            {"limit": limit, "offset": offset, **filters},
        )

    async def list_all_tasks(self, **filters: Any) -> list[m.TaskListItem]:
        """Every task matching ``filters``: first page, then the rest 4 at a time."""

        async def fetch(limit: int, offset: int) -> tuple[int, list[m.TaskListItem]]:
            r = await self.list_tasks(limit=limit, offset=offset, **filters)
            return r.count, _with_skipped(list(r.tasks), r)

        return await self._all_pages(fetch, SOURCES_PAGE, _BY_ID)

    async def get_task(self, task_id: str) -> m.TaskDetail:
        """GET /v3/tasks/{id}: subtasks, progress, speeds, resources, network check."""
        return await self._get(f"/v3/tasks/{_seg(task_id)}", m.TaskDetail)

    async def update_task(self, task_id: str, body: m.UpdateTaskRequest) -> Any:
        """PUT /v3/tasks/{id}: update a task (e.g. the task-level speed_limit)."""
        return await self._write("PUT", f"/v3/tasks/{_seg(task_id)}", body)

    async def delete_task(self, task_id: str) -> Any:
        """DELETE /v3/tasks/{id}."""
        return await self._write("DELETE", f"/v3/tasks/{_seg(task_id)}")

    async def delete_tasks(self, body: m.DeleteTasksRequest) -> Any:
        """POST /v3/tasks/delete: delete several tasks."""
        return await self._write("POST", "/v3/tasks/delete", body)

    async def task_action(self, task_id: str, body: m.TaskActionRequest) -> Any:
        """POST /v3/tasks/{id}/action: start, stop, test, clone_test, restart, network_check.

        An operation the reference does not document can be sent with
        ``TaskActionRequest.passthrough(...)``; the server's answer decides."""
        return await self._write("POST", f"/v3/tasks/{_seg(task_id)}/action", body)

    async def get_speed_limits(self, task_id: str) -> m.SpeedLimitResponse:
        """GET /v3/tasks/{id}/speed-limit: the time-of-day rate limits."""
        return await self._get(f"/v3/tasks/{_seg(task_id)}/speed-limit", m.SpeedLimitResponse)

    async def set_speed_limits(self, task_id: str, body: m.SpeedLimitRequest) -> Any:
        """POST /v3/tasks/{id}/speed-limit: replace every rule."""
        return await self._write("POST", f"/v3/tasks/{_seg(task_id)}/speed-limit", body)

    # -- 4.4 templates ---------------------------------------------------------------------

    async def create_template(self, body: m.TemplateBody) -> m.CreatedResponse:
        """POST /v3/vm/templates."""
        data = await self._write("POST", "/v3/vm/templates", body)
        return _parse(m.CreatedResponse, data, "/v3/vm/templates")

    async def list_templates(
        self, *, limit: int = 50, offset: int = 0, **filters: Any
    ) -> m.ListTemplatesResponse:
        """GET /v3/vm/templates: one page (filters: name, availability_zone, region)."""
        _check_limit(limit, SMALL_PAGE)
        return await self._get(
            "/v3/vm/templates", m.ListTemplatesResponse, {"limit": limit, "offset": offset,
                                                          **filters}
        )

    async def list_all_templates(self, **filters: Any) -> list[m.Template]:
        """Every template, all pages."""

        async def fetch(limit: int, offset: int) -> tuple[int, list[m.Template]]:
            r = await self.list_templates(limit=limit, offset=offset, **filters)
            return r.count, list(r.templates)

        return await self._all_pages(fetch, SMALL_PAGE, _BY_ID)

    async def get_template(self, template_id: str) -> m.Template:
        """GET /v3/vm/templates/{id} (the answer wraps it in ``template``)."""
        path = f"/v3/vm/templates/{_seg(template_id)}"
        return (await self._get(path, m.TemplateEnvelope)).template

    async def update_template(self, template_id: str, body: m.TemplateBody) -> Any:
        """PUT /v3/vm/templates/{id}."""
        return await self._write("PUT", f"/v3/vm/templates/{_seg(template_id)}", body)

    async def delete_template(self, template_id: str) -> Any:
        """DELETE /v3/vm/templates/{id}."""
        return await self._write("DELETE", f"/v3/vm/templates/{_seg(template_id)}")

    async def delete_templates(self, body: m.DeleteTemplatesRequest) -> Any:
        """POST /v3/vm/templates/delete: delete several templates."""
        return await self._write("POST", "/v3/vm/templates/delete", body)

    # -- 4.5 migration projects ------------------------------------------------------------

    async def create_migproject(self, body: m.MigProjectBody) -> m.CreatedResponse:
        """POST /v3/migprojects."""
        data = await self._write("POST", "/v3/migprojects", body)
        return _parse(m.CreatedResponse, data, "/v3/migprojects")

    async def list_migprojects(
        self, *, limit: int = 50, offset: int = 0
    ) -> m.ListMigProjectsResponse:
        """GET /v3/migprojects: one page."""
        _check_limit(limit, SMALL_PAGE)
        return await self._get(
            "/v3/migprojects", m.ListMigProjectsResponse, {"limit": limit, "offset": offset}
        )

    async def list_all_migprojects(self) -> list[m.MigProject]:
        """Every migration project, all pages."""

        async def fetch(limit: int, offset: int) -> tuple[int, list[m.MigProject]]:
            r = await self.list_migprojects(limit=limit, offset=offset)
            return r.count, list(r.migprojects)

        return await self._all_pages(fetch, SMALL_PAGE, _BY_ID)

    async def get_migproject(self, project_id: str) -> m.MigProject:
        """GET /v3/migprojects/{id}."""
        return await self._get(f"/v3/migprojects/{_seg(project_id)}", m.MigProject)

    async def update_migproject(self, project_id: str, body: m.MigProjectBody) -> Any:
        """PUT /v3/migprojects/{id}."""
        return await self._write("PUT", f"/v3/migprojects/{_seg(project_id)}", body)

    async def delete_migproject(self, project_id: str) -> Any:
        """DELETE /v3/migprojects/{id}."""
        return await self._write("DELETE", f"/v3/migprojects/{_seg(project_id)}")

    async def set_default_migproject(self, project_id: str) -> Any:
        """PUT /v3/migprojects/{id}/default: make it the default project."""
        return await self._write("PUT", f"/v3/migprojects/{_seg(project_id)}/default")


_BY_ID = attrgetter("id")
"""A record's id, read in C (10,000 a poll)."""

_READERS: dict[tuple[type[Page], str], Any] = {}


def _page_reader(model: type[P], field: str) -> Any:
    """One reader per page type, built on first use (it holds a compiled msgspec decoder)."""
    reader = _READERS.get((model, field))
    if reader is None:
        reader = _READERS[(model, field)] = page_reader(model, field)
    return reader


def _keep_known(rows: list[Any], known: Mapping[str, Any]) -> None:
    """Replace, in place, each row equal to the ``known`` record of its id with that record
    (msgspec compares the two in C, nested values too)."""
    get = known.get
    for i, row in enumerate(rows):
        before = get(row.id)
        if before is not None and before == row:
            rows[i] = before


def _with_skipped(rows: list[T], page: m.ListResponse | Page) -> list[T]:
    """A page's rows carrying the page's ``skipped`` to :meth:`SmsClient._all_pages`."""
    if not page.skipped:
        return rows
    out: Listing[T] = Listing(rows)
    out.skipped = page.skipped
    return out


def _skip_reason(row: Any, position: int, exc: ValidationError) -> str:
    """``record 12 (id s-1): current_task: Input should be a valid dictionary``."""
    ident = row.get("id") or row.get("source_id") if isinstance(row, dict) else None
    who = f"record {position}" + (f" (id {str(ident)[:64]})" if ident else "")
    errors = exc.errors()
    if not errors:
        return f"{who}: unreadable"
    # A tolerant field (Str, Int, ...) is a union: it fails once per member, each error's
    # place tagged with the member. Name the field without the tags, in the words of the
    # last member (the tolerant one: "unable to parse string as a number").
    path = _field_path(errors[0]["loc"])
    err = [e for e in errors if _field_path(e["loc"]) == path][-1]
    loc = ".".join(str(p) for p in path) or "record"
    return f"{who}: {loc}: {err['msg']}"


_UNION_TAGS = frozenset({"str", "int", "float", "bool"})


def _field_path(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    return tuple(p for p in loc if not isinstance(p, str)
                 or (p not in _UNION_TAGS and not p.startswith("function-")))


def _seg(value: str) -> str:
    """One path segment, percent-encoded so an id can never change the path."""
    from urllib.parse import quote

    if not value:
        raise RequestValidationError("an id is required", errors={"id": "must not be empty"})
    return quote(value, safe="")


def _check_limit(limit: int, most: int) -> None:
    if not 0 <= limit <= most:
        raise RequestValidationError(
            f"limit must be 0–{most}", errors={"limit": f"{limit} is outside 0–{most}"}
        )


def _body(body: BaseModel) -> Any:
    """The exact JSON of a validated write model (its ``to_body()``, else a by-alias dump)."""
    to_body = getattr(body, "to_body", None)
    if callable(to_body):
        return to_body()
    return body.model_dump(mode="json", by_alias=True, exclude_none=True)


def _parse(model: type[T], data: Any, where: str) -> T:
    if issubclass(model, Record):
        try:
            return model.model_validate(data)
        except RecordError as exc:
            raise BadResponse(f"unexpected answer shape from {where}: {exc}",
                              url=where) from None
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        loc = ".".join(str(p) for p in errors[0]["loc"]) if errors else ""
        why = errors[0]["msg"] if errors else str(exc)
        raise BadResponse(
            f"unexpected answer shape from {where}: {loc or 'body'}: {why}",
            url=where,
        ) from None


__all__ = ["Listing", "SmsClient", "RetryPolicy"]
