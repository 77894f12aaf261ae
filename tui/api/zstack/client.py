"""Async client for ZStack's REST API: session auth, queries, async jobs, MigrateVm.

Usage::

    async with ZStackClient("http://mn:8080", account="admin", password=pw) as zs:
        vms = await zs.list_vms("state=Running")
        vm = await zs.migrate_vm(vms[0].uuid, MigrateVmBody(migrateVm={"hostUuid": h}))

HTTP (deadline, retries of reads, transport errors) is :class:`tui.api.transport.Caller`'s;
ZStack's error bodies are read by :func:`tui.api.zstack.session.map_error`. An action answers
``202 {location, apiTimeout}``: the job is polled at the location's *path* on the configured
host (the location may name an internal address), every second at first, then slower, until
200 (the result), 503 (:class:`ZStackJobFailed`), 404 (:class:`ZStackJobExpired`) or the
``apiTimeout`` (:class:`ZStackJobTimeout`).
"""

from __future__ import annotations

import asyncio
import time
import uuid as uuidlib
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from tui.api.exceptions import (
    BadResponse,
    NotFound,
    OutcomeUnknown,
    SmsError,
    ZStackAuthError,
    ZStackFailed,
    ZStackJobExpired,
    ZStackJobFailed,
    ZStackJobTimeout,
)
from tui.api.transport import Caller, RetryPolicy, Sleep, open_http
from tui.api.zstack import models as zm
from tui.api.zstack.session import (
    LOGIN_PATH,
    SESSION_EXPIRED,
    SESSIONS_PATH,
    auth_header,
    login_body,
    map_error,
)

T = TypeVar("T", bound=BaseModel)

PAGE = 1000
"""Rows asked for per query page."""
DEFAULT_API_TIMEOUT_MS = 30 * 60 * 1000
"""The job deadline when the 202 names no ``apiTimeout`` (ZStack's own default is 30 min)."""
JOBS_PATH = "/zstack/v1/api-jobs/"
"""Where ZStack answers for a job, by the ``X-Job-UUID`` the action was sent with."""
FOLLOW_MISSES = 5
"""Job polls in a row that may fail to be read (each after the transport's own retries)
before following the job is given up: the action's outcome is then unknown, not failed."""
LOST_JOB_LOOKUPS = (1.0, 2.0, 4.0)
"""Seconds before each look for the job of an action whose answer was lost (7 s in all: a
request still on its way, or still being filed, has its job by then)."""


def poll_delay(polls: int) -> float:
    """Seconds before job poll number ``polls`` (0-based): 1 s for the first 10, then 2 s,
    then 5 s after a minute, so a long migration does not cost a request a second."""
    if polls < 10:
        return 1.0
    if polls < 30:
        return 2.0
    return 5.0


class ZStackClient:
    """Typed async client for ZStack; ``transport`` is injectable (tests use the simulator).

    Give ``account`` and ``password`` to log in (and to log in again once when the session
    expires), or ``session_id`` to use an existing session (which is then not logged out).
    """

    def __init__(
        self,
        endpoint: str,
        *,
        account: str | None = None,
        password: str | None = None,
        session_id: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        deadline: float = 30.0,
        retry: RetryPolicy = RetryPolicy(),
        verify: bool = True,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.account = account
        self._password = password
        self._session = session_id
        self._own_session = False
        self._sleep = sleep
        self._clock = clock
        self.logins = 0
        """How many times this client logged in (tests and the header read it)."""
        self._http = open_http(self.endpoint, transport=transport, timeout=timeout,
                               verify=verify)
        self._caller = Caller(self._http, deadline=deadline, retry=retry, sleep=sleep,
                              map_error=map_error)

    def __repr__(self) -> str:
        return f"ZStackClient(endpoint={self.endpoint!r}, account={self.account!r})"

    async def __aenter__(self) -> ZStackClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Log out the session this client opened (never one it was given), then close."""
        try:
            if self._own_session and self._session:
                await self.logout()
        finally:
            await self._http.aclose()

    # -- session ---------------------------------------------------------------------------

    @property
    def has_session(self) -> bool:
        """True once a session is set (given or logged in)."""
        return self._session is not None

    async def login(self) -> zm.Session:
        """Log in with the account and the SHA-512 of the password; keeps the session."""
        if not self.account or self._password is None:
            raise ZStackAuthError("no ZStack account and password to log in with "
                                  "(set --zstack-account and MIGDASH_ZSTACK_PASSWORD)")
        data = await self._caller.call("PUT", LOGIN_PATH,
                                       json_body=login_body(self.account, self._password))
        session = _parse(zm.Session, _inventory(data, LOGIN_PATH), LOGIN_PATH)
        if not session.uuid:
            raise BadResponse("the login answer has no session uuid", method="PUT",
                              url=LOGIN_PATH)
        self._session = session.uuid
        self._own_session = True
        self.logins += 1
        return session

    async def logout(self) -> None:
        """Delete the session on the server; failures are ignored (it expires anyway)."""
        ident, self._session = self._session, None
        if ident is None:
            return
        try:
            await self._caller.exchange("DELETE", f"{SESSIONS_PATH}/{ident}",
                                        headers=auth_header(ident), deadline=5.0)
        except Exception:  # noqa: BLE001 - logging out is best effort on the way out
            pass
        self._own_session = False

    async def _exchange(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                        json_body: Any = None, headers: Mapping[str, str] | None = None,
                        ) -> tuple[int, Any]:
        """One authenticated call; an expired session is renewed once, then it is an error."""
        if self._session is None:
            await self.login()
        renewed = False
        while True:
            assert self._session is not None
            try:
                return await self._caller.exchange(
                    method, path, params=params, json_body=json_body,
                    headers={**auth_header(self._session), **(headers or {})})
            except ZStackAuthError as exc:
                can_renew = self._password is not None and self.account
                if renewed or not can_renew or exc.error_code not in (SESSION_EXPIRED, None):
                    if renewed:
                        exc.message = ("ZStack refused the session again right after logging "
                                       f"in: {exc.message}")
                    raise
                renewed = True
                await self.login()

    # -- async jobs ------------------------------------------------------------------------

    async def action(self, path: str, body: Mapping[str, Any],
                     on_job: Callable[[str], None] | None = None) -> Any:
        """PUT an action and follow its job to the result (the JSON of the final 200)."""
        job_id = uuidlib.uuid4().hex
        try:
            status, data = await self._exchange("PUT", path, json_body=body,
                                                headers={"X-Job-UUID": job_id})
        except OutcomeUnknown as lost:
            # The job is filed under the id chosen here: look it up instead of guessing.
            return await self._find_job(job_id, lost, on_job)
        if status != 202:
            return data
        job = _parse(zm.Job, data, path)
        if not job.location:
            raise BadResponse("a 202 without a job location", status=202, method="PUT", url=path)
        if on_job is not None:
            on_job(job.location)
        return await self.follow(job.location, job.apiTimeout)

    async def _find_job(self, job_id: str, lost: OutcomeUnknown,
                        on_job: Callable[[str], None] | None) -> Any:
        """The action's answer was lost: follow its job if ZStack filed it (sent once, so
        the outcome is ZStack's: the result, or the job's failure); still unknown if ZStack
        has no such job after :data:`LOST_JOB_LOOKUPS`, and then most likely never received."""
        location = JOBS_PATH + job_id
        unread: SmsError | None = None  # the last lookup that got no answer about the job
        for delay in LOST_JOB_LOOKUPS:
            await self._sleep(delay)
            try:
                status, data = await self._job_answer(location)
            except ZStackJobFailed:  # the job's own failure: the outcome is known
                raise
            except NotFound:
                unread = None
                continue
            except SmsError as exc:  # the lookup failed, not the action: look again
                unread = exc
                continue
            if on_job is not None:
                on_job(location)
            return data if status == 200 else await self.follow(location)
        waited = sum(LOST_JOB_LOOKUPS)
        found = (f"its job {job_id} could not be looked up ({unread.message})" if unread
                 else f"ZStack had no job {job_id} {waited:g} s later, so it most likely "
                 "never received it")
        raise OutcomeUnknown(lost.message, cause=f"{lost.cause}; {found}",
                             error_code=lost.error_code, status=lost.status, method=lost.method,
                             url=lost.url) from lost

    async def _job_answer(self, path: str) -> tuple[int, Any]:
        """What a job's location answers now (202 running, 200 its result); a 503 with an
        ErrorCode is the job's own failure, raised as :class:`ZStackJobFailed`."""
        try:
            return await self._exchange("GET", path)
        except ZStackFailed as exc:
            raise ZStackJobFailed(exc.message, error_code=exc.error_code, causes=exc.causes,
                                  status=exc.status, method="GET", url=path) from None

    async def follow(self, location: str, api_timeout_ms: int | None = None) -> Any:
        """Poll a job at ``location``'s path on the configured host until it ends. A poll that
        cannot be read (the network, a proxy) is not the job's failure: polling goes on, and
        after :data:`FOLLOW_MISSES` such polls in a row the outcome is unknown."""
        parts = urlsplit(location)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        limit = (api_timeout_ms or DEFAULT_API_TIMEOUT_MS) / 1000
        started = self._clock()
        polls = misses = 0
        while True:
            await self._sleep(poll_delay(polls))
            polls += 1
            try:
                status, data = await self._job_answer(path)
            except (ZStackAuthError, ZStackJobFailed):
                raise
            except NotFound:
                raise ZStackJobExpired(
                    "ZStack no longer knows the job (expired before its result was read); "
                    "refresh to see where the VM is", status=404, method="GET", url=path,
                ) from None
            except SmsError as exc:
                misses += 1
                if misses < FOLLOW_MISSES:
                    continue
                raise OutcomeUnknown(
                    f"its job could not be read {misses} times in a row", cause=(
                        f"the job at {path} could not be read {misses} times in a row: "
                        f"{exc.message}"), status=exc.status, method="GET", url=path) from exc
            misses = 0
            if status == 200:
                return data
            if self._clock() - started >= limit:
                raise ZStackJobTimeout(
                    f"the job gave no result within its apiTimeout ({limit:g} s); it may still "
                    "finish: refresh to see where the VM is", method="GET", url=path)

    # -- queries ---------------------------------------------------------------------------

    async def query(self, path: str, model: type[T], conditions: Sequence[str] = (), *,
                    start: int = 0, limit: int | None = PAGE, reply_with_count: bool = False,
                    sort: str | None = None) -> tuple[list[T], int | None]:
        """One page of a query: ``q=`` conditions such as ``state=Running`` or
        ``clusterUuid?=a,b``; returns the items and, with ``reply_with_count``, the total."""
        params: dict[str, Any] = {"q": list(conditions) or None, "start": start or None,
                                  "limit": limit, "replyWithCount": reply_with_count or None,
                                  "sort": sort}
        _, data = await self._exchange("GET", path, params=params)
        result = _parse(zm.QueryResult, data, path)
        return _parse_list(model, result.inventories, path), result.total

    async def query_all(self, path: str, model: type[T], conditions: Sequence[str] = ()
                        ) -> list[T]:
        """Every row of a query: the first page with its count, then the rest (4 at a time)."""
        first, total = await self.query(path, model, conditions, reply_with_count=True)
        if total is None or total <= len(first):
            return first
        gate = asyncio.Semaphore(4)

        async def page(start: int) -> list[T]:
            async with gate:
                return (await self.query(path, model, conditions, start=start))[0]

        rest = await asyncio.gather(*(page(s) for s in range(PAGE, total, PAGE)))
        seen: set[str | None] = set()
        out: list[T] = []
        for item in [*first, *(i for chunk in rest for i in chunk)]:
            ident = getattr(item, "uuid", None)
            if ident is not None and ident in seen:
                continue  # a page shifted under us
            seen.add(ident)
            out.append(item)
        return out

    async def list_zones(self, *conditions: str) -> list[zm.Zone]:
        """Every zone."""
        return await self.query_all("/zstack/v1/zones", zm.Zone, conditions)

    async def list_clusters(self, *conditions: str) -> list[zm.Cluster]:
        """Every cluster."""
        return await self.query_all("/zstack/v1/clusters", zm.Cluster, conditions)

    async def list_hosts(self, *conditions: str) -> list[zm.Host]:
        """Every host (``q=`` conditions optional)."""
        return await self.query_all("/zstack/v1/hosts", zm.Host, conditions)

    async def list_vms(self, *conditions: str) -> list[zm.VmInstance]:
        """Every VM (``q=`` conditions optional, e.g. ``hostUuid=<uuid>``)."""
        return await self.query_all("/zstack/v1/vm-instances", zm.VmInstance, conditions)

    async def get_vm(self, vm_uuid: str) -> zm.VmInstance:
        """One VM; NotFound-like :class:`ZStackFailed` (SYS.1003) when it does not exist."""
        path = f"/zstack/v1/vm-instances/{vm_uuid}"
        _, data = await self._exchange("GET", path)
        items = _parse(zm.QueryResult, data, path).inventories
        if not items:
            raise ZStackFailed(f"no VM with uuid {vm_uuid}", error_code="SYS.1003",
                               causes=[("SYS.1003", "resource not found", vm_uuid)],
                               method="GET", url=path)
        return _parse(zm.VmInstance, items[0], path)

    async def migration_target_hosts(self, vm_uuid: str) -> list[zm.Host]:
        """The hosts ZStack would accept as this VM's destination."""
        path = f"/zstack/v1/vm-instances/{vm_uuid}/migration-target-hosts"
        _, data = await self._exchange("GET", path)
        return _parse_list(zm.Host, _parse(zm.QueryResult, data, path).inventories, path)

    # -- writes ----------------------------------------------------------------------------

    async def migrate_vm(self, vm_uuid: str, body: zm.MigrateVmBody,
                         on_job: Callable[[str], None] | None = None) -> zm.VmInstance:
        """Live-migrate a VM and wait for the job; the VM as ZStack has it afterwards."""
        path = f"/zstack/v1/vm-instances/{vm_uuid}/actions"
        data = await self.action(path, body.to_body(), on_job)
        return _parse(zm.VmInstance, _inventory(data, path), path)


def _inventory(data: Any, path: str) -> Any:
    if not isinstance(data, dict) or not isinstance(data.get("inventory"), dict):
        raise BadResponse("the answer has no 'inventory' object", url=path)
    return data["inventory"]


@cache
def _list_adapter(model: type[T]) -> TypeAdapter[list[T]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def _parse_list(model: type[T], items: list[Any], path: str) -> list[T]:
    """Every item at once (one validator call for a 1,000-row page, not one per row)."""
    try:
        return _list_adapter(model).validate_python(items)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        raise BadResponse(f"unexpected answer shape from {path} at {where}: {err['msg']}",
                          url=path) from None


def _parse(model: type[T], data: Any, path: str) -> T:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadResponse(f"unexpected answer shape from {path}: {exc.errors()[0]['msg']}",
                          url=path) from None


__all__ = ["DEFAULT_API_TIMEOUT_MS", "PAGE", "ZStackClient", "poll_delay"]
