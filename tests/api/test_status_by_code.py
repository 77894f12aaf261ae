"""SMS sends missing-object and token errors with 400: the client types them by their code."""

from __future__ import annotations

import httpx
import pytest

from tui.api import exceptions as ex
from tui.api.transport import error_from_response


def answer(status: int, code: str) -> httpx.Response:
    request = httpx.Request("GET", "https://sms.example.com/v3/tasks/t1")
    return httpx.Response(status, json={"error_code": code, "error_msg": "m", "error_param": []},
                          request=request)


@pytest.mark.parametrize(("status", "code", "kind"), [
    (400, "SMS.7703", ex.NotFound),        # task
    (400, "SMS.0505", ex.NotFound),        # task %s not found
    (400, "SMS.7602", ex.NotFound),        # source
    (400, "SMS.7101", ex.NotFound),        # template
    (400, "SMS.7301", ex.NotFound),        # migration project
    (404, "APIGW.0101", ex.NotFound),      # the gateway's unknown path
    (400, "SMS.6521", ex.AuthError),       # token refused
    (400, "SMS.6522", ex.AuthError),       # token missing
    (400, "SMS.7714", ex.InvalidRequest),  # a state error stays a refusal
    (400, "SMS.9001", ex.InvalidRequest),
    (403, "SMS.7703", ex.PermissionDenied),  # the status decides outside 400
])
def test_the_code_decides_within_400(status: int, code: str, kind: type[ex.ApiError]) -> None:
    error = error_from_response(answer(status, code))
    assert type(error) is kind
    assert (error.status, error.error_code) == (status, code)
