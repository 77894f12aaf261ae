"""Sign a fixed set of requests with the OFFICIAL Huawei Cloud signer and save them as test vectors.

Run with a scratch venv that has the SDK; the SDK never becomes a dependency of migdash:

    python3 -m venv /tmp/sdkvenv && /tmp/sdkvenv/bin/pip install huaweicloudsdkcore
    /tmp/sdkvenv/bin/python scripts/make_signer_vectors.py

Each vector holds what the caller hands to the signer (method, host, resource path, decoded query
pairs, headers, body, credentials), the URL the SDK would put on the wire, and what the official
``Signer`` produced: canonical request, string to sign, headers and ``Authorization``.
``tests/api/test_auth.py`` checks that ``tui.api.auth.AkSkAuth`` reproduces every one byte for byte.

The headers given here include ``Host`` and, for POST/PUT, ``Content-Length``, because httpx adds
exactly those to a request it builds, and the signer signs every header it is handed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from huaweicloudsdkcore.auth.credentials import BasicCredentials  # type: ignore[import-untyped]
from huaweicloudsdkcore.sdk_request import SdkRequest  # type: ignore[import-untyped]
from huaweicloudsdkcore.signer.signer import Signer  # type: ignore[import-untyped]

OUT = Path(__file__).resolve().parent.parent / "tests" / "api" / "data" / "signer_vectors.json"
HOST = "sms.ap-southeast-1.myhuaweicloud.com"
AK = "HPUAEXAMPLEAK0123456"
SK = "ExampleSecretKey0123456789abcdefghijKLMN"
PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
STS_TOKEN = "gQpjbi1ub3J0aC00TEMPORARY-SECURITY-TOKEN+/="
DATE = "20240416T095341Z"
JSON = "application/json;charset=UTF-8"

_captured: dict[str, str] = {}
_orig_canonical = Signer._process_canonical_request
_orig_sts = Signer._process_string_to_sign


def _capture_canonical(self: Signer, request: SdkRequest, signed_headers: list[str]) -> str:
    # The SDK does not expose the canonical request; record it on its way through.
    _captured["canonical_request"] = _orig_canonical(self, request, signed_headers)
    return _captured["canonical_request"]


def _capture_sts(self: Signer, canonical: str, time: Any) -> str:
    _captured["string_to_sign"] = _orig_sts(self, canonical, time)
    return _captured["string_to_sign"]


Signer._process_canonical_request = _capture_canonical
Signer._process_string_to_sign = _capture_sts


def case(
    name: str,
    method: str,
    path: str,
    query: list[tuple[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    body: str = "",
    *,
    project_id: str | None = PROJECT,
    security_token: str | None = None,
    host: str = HOST,
    scheme: str = "https",
) -> dict[str, Any]:
    """Sign one request through BasicCredentials, the path every SDK call takes."""
    given = {"Host": host, "Content-Type": JSON, "X-Sdk-Date": DATE}
    if method in ("POST", "PUT", "PATCH") or body:
        given["Content-Length"] = str(len(body.encode("utf-8")))
    given.update(headers or {})
    request = SdkRequest(
        method=method,
        schema=scheme,
        host=host,
        resource_path=path,
        query_params=list(query or []),
        header_params=dict(given),
        body=body.encode("utf-8"),
    )
    credentials = BasicCredentials(AK, SK, project_id)
    if security_token:
        credentials = credentials.with_security_token(security_token)
    _captured.clear()
    credentials.sign_request(request)
    headers_out = dict(request.header_params)
    return {
        "name": name,
        "method": method,
        "scheme": scheme,
        "host": host,
        "resource_path": path,
        "query": [list(pair) for pair in query or []],
        "headers": given,
        "body": body,
        "ak": AK,
        "sk": SK,
        "project_id": project_id,
        "security_token": security_token,
        "url": f"{scheme}://{host}{request.uri}",
        "expected": {
            "canonical_request": _captured["canonical_request"],
            "string_to_sign": _captured["string_to_sign"],
            "authorization": headers_out.pop("Authorization"),
            "headers": headers_out,
        },
    }


def vectors() -> list[dict[str, Any]]:
    """Every case the signer must agree on."""
    p = f"/v3/{PROJECT}"
    task_body = json.dumps(
        {"name": "迁移任务 café", "type": "MIGRATE_FILE", "os_type": "LINUX", "tags": ["ä", "b"]},
        ensure_ascii=False,
    )
    return [
        case("get_simple_list", "GET", "/v3/sources", [("limit", "10"), ("offset", "0")]),
        case(
            "get_special_query_values",
            "GET",
            "/v3/sources",
            [
                ("name", "web server 01"),
                ("ip", "10.0.0.1/24"),
                ("note", "a~b*c'd"),
                ("expr", "x+y=z&w"),
                ("cjk", "迁移 服务器"),
                ("pct", "100%"),
            ],
        ),
        case(
            "get_repeated_keys",
            "GET",
            "/v3/tasks",
            [("tag", "web"), ("id", "2"), ("tag", "db"), ("id", "10"), ("tag", "app")],
        ),
        case(
            "get_special_keys_and_empty_value",
            "GET",
            "/v3/sources",
            [("中文", "值"), ("a b", "x"), ("marker", ""), ("Z", "upper"), ("a", "lower")],
        ),
        case("get_root_path", "GET", "/"),
        case("get_trailing_slash", "GET", "/v3/sources/", [("limit", "1")]),
        case("get_no_project_id", "GET", "/v3/sources", [("limit", "5")], project_id=None),
        case(
            "post_json_non_ascii",
            "POST",
            "/v3/tasks",
            body=task_body,
            security_token=STS_TOKEN,
        ),
        case("post_empty_body", "POST", f"/v3/tasks/{'7f1e'}/action"),
        case(
            "put_percent_encoded_path",
            "PUT",
            f"/v3/sources/{quote('web 01/中', safe='')}/{quote('a~b*c', safe='')}",
            body='{"name": "renamed"}',
        ),
        case("delete_no_trailing_slash", "DELETE", "/v3/sources/3e2c9a7b-1f00-4b5e"),
        case(
            "delete_with_query_and_token",
            "DELETE",
            "/v3/tasks/9d1c",
            [("force", "true")],
            security_token=STS_TOKEN,
        ),
        case(
            "put_non_json_content_type",
            "PUT",
            "/v3/tasks/9d1c/speed-limit",
            headers={"Content-Type": "text/plain"},
            body="limit=100",
        ),
        case(
            "get_underscore_and_padded_headers",
            "GET",
            f"{p}/sources",
            headers={"X_Trace_Id": "not-signed", "X-Custom": "  padded value  ", "Accept": "*/*"},
        ),
        case("get_raw_reserved_path_chars", "GET", "/v3/sources/a+b'c(d)!e,f;g=h:i@j"),
        case(
            # strptime accepts unpadded fields; the string to sign then carries the padded form.
            "get_unpadded_sdk_date",
            "GET",
            "/v3/sources",
            headers={"X-Sdk-Date": "2024416T95341Z"},
        ),
        case(
            "get_simulator_host_with_port",
            "GET",
            "/v3/sources",
            [("state", "connected")],
            host="127.0.0.1:8080",
            scheme="http",
        ),
    ]


def main() -> None:
    """Write the vectors file."""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "generator": "scripts/make_signer_vectors.py with huaweicloudsdkcore Signer",
        "vectors": vectors(),
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(data['vectors'])} vectors to {OUT}")


if __name__ == "__main__":
    main()
