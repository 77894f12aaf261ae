"""ECS and DeH: the client, its models and its error catalogue (issue 11, dedicated hosts)."""

from __future__ import annotations

from tui.api.ecs.client import EcsClient, typed_error
from tui.api.ecs.errors import explain
from tui.api.ecs.jobs import follow_job, job_failure, sub_job_errors

__all__ = ["EcsClient", "explain", "follow_job", "job_failure", "sub_job_errors", "typed_error"]
