"""Following an ECS job to its end: polling with backoff under a deadline.

ECS answers every stop, start and migration with a ``job_id``; only the job says whether it
worked. :func:`follow_job` polls it (``interval`` growing 1.5x up to ``max_interval``) and
returns the job on SUCCESS, raises :class:`~tui.api.exceptions.JobFailed` on FAIL (with
``fail_reason`` and every failed sub job) and :class:`~tui.api.exceptions.JobTimedOut` when
the deadline passes first. Statuses it does not know (INIT, PENDING_PAYMENT, new ones) mean
"not finished". It takes any ``get_job`` coroutine, so the service layer can use it directly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from tui.api.ecs.models import Job
from tui.api.exceptions import JobFailed, JobTimedOut, SubJobError

BACKOFF = 1.5
"""Each wait is this much longer than the last, up to ``max_interval``."""


def sub_job_errors(job: Job) -> list[SubJobError]:
    """Every sub job that failed, with its server, code and reason."""
    out = []
    for sub in job.sub_jobs:
        if sub.status == "FAIL" or sub.error_code or sub.fail_reason:
            out.append(SubJobError(
                job_id=sub.job_id, job_type=sub.job_type, server_id=sub.entities.server_id,
                error_code=sub.error_code,
                fail_reason=sub.fail_reason or sub.entities.errorcode_message,
            ))
    return out


def job_failure(job: Job) -> JobFailed:
    """The typed error for a job that ended in FAIL (its own or a sub job's code and reason)."""
    subs = sub_job_errors(job)
    reason = job.fail_reason or next((s.fail_reason for s in subs if s.fail_reason), None)
    code = job.error_code or next((s.error_code for s in subs if s.error_code), None)
    # The reason alone is the message: describe() puts the decoded code in front of it.
    message = reason or f"{job.job_type or 'job'} {job.job_id or ''} failed".replace("  ", " ")
    return JobFailed(message, job_id=job.job_id, job_type=job.job_type, fail_reason=reason,
                     sub_job_errors=subs, job=job, error_code=code)


async def follow_job(
    get_job: Callable[[str], Awaitable[Job]],
    job_id: str,
    *,
    deadline: float = 1800.0,
    interval: float = 2.0,
    max_interval: float = 15.0,
    on_update: Callable[[Job], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Job:
    """Poll ``get_job(job_id)`` until SUCCESS (returned), FAIL or ``deadline`` seconds pass."""
    start = clock()
    wait = interval
    while True:
        job = await get_job(job_id)
        if on_update is not None:
            on_update(job)
        if job.succeeded:
            return job
        if job.failed:
            raise job_failure(job)
        left = deadline - (clock() - start)
        if left <= 0:
            raise JobTimedOut(
                f"job {job_id} still {job.status or 'unknown'} after {deadline:g} s; it may "
                "still finish: follow it again or check it in the ECS console",
                job_id=job_id, job=job)
        await sleep(min(wait, left))
        wait = min(wait * BACKOFF, max_interval)


__all__ = ["BACKOFF", "follow_job", "job_failure", "sub_job_errors"]
