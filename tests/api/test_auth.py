"""AK/SK signing against the official SDK's vectors, server-side verification, and IAM tokens."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tui.api import exceptions
from tui.api.auth import (
    CANONICAL_REQUEST_EXTENSION,
    TOKEN_LIFETIME,
    AkSkAuth,
    TokenAuth,
    VerifyResult,
    canonical_request,
    parse_authorization,
    parse_sdk_date,
    redact_canonical_request,
    signature,
    string_to_sign,
    verify_request,
)

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "signer_vectors.json").read_text("utf-8")
)["vectors"]
AK, SK = "HPUAEXAMPLEAK0123456", "ExampleSecretKey0123456789abcdefghijKLMN"
T0 = datetime(2024, 4, 16, 9, 53, 41, tzinfo=UTC)


def vector_request(v: dict[str, Any], *, via_params: bool) -> httpx.Request:
    """The vector as httpx builds it: from the SDK's wire URL, or from decoded ``params=``."""
    body = v["body"].encode("utf-8") or None
    if via_params:
        url = f"{v['scheme']}://{v['host']}{v['resource_path']}"
        return httpx.Request(
            v["method"], url, params=v["query"], headers=v["headers"], content=body
        )
    return httpx.Request(v["method"], v["url"], headers=v["headers"], content=body)


def vector_auth(v: dict[str, Any]) -> AkSkAuth:
    return AkSkAuth(v["ak"], v["sk"], v["project_id"], v["security_token"])


def wire(request: httpx.Request) -> tuple[str, str]:
    """(raw path, raw query) exactly as the server receives them."""
    path, _, query = request.url.raw_path.decode("ascii").partition("?")
    return path, query


def verify(request: httpx.Request, *, now: datetime = T0, sk: str | None = SK) -> VerifyResult:
    path, query = wire(request)
    return verify_request(
        request.method,
        path,
        query,
        dict(request.headers.items()),
        request.content,
        lookup_sk=lambda ak: sk if ak == AK else None,
        now=now,
    )


def signed(
    method: str = "POST", url: str = "https://sms.example.com/v3/tasks", **kw: Any
) -> httpx.Request:
    request = httpx.Request(method, url, **kw)
    AkSkAuth(AK, SK, project_id="p1").sign(request, now=T0)
    return request


class TestOfficialVectors:
    def test_vectors_cover_the_required_cases(self) -> None:
        assert len(VECTORS) >= 15
        assert {v["method"] for v in VECTORS} == {"GET", "POST", "PUT", "DELETE"}
        assert any(v["security_token"] for v in VECTORS)

    @pytest.mark.parametrize("via_params", [False, True], ids=["wire-url", "params"])
    @pytest.mark.parametrize("v", VECTORS, ids=[v["name"] for v in VECTORS])
    def test_auth_flow_reproduces_the_official_signer(
        self, v: dict[str, Any], via_params: bool
    ) -> None:
        request = vector_request(v, via_params=via_params)
        # httpx must not add headers the SDK did not sign (Host/Content-Length are in the vector).
        assert set(request.headers.keys()) == {k.lower() for k in v["headers"]}
        out = next(vector_auth(v).auth_flow(request))
        expected = v["expected"]
        assert out.headers["Authorization"] == expected["authorization"]
        assert out.extensions[CANONICAL_REQUEST_EXTENSION] == redact_canonical_request(
            expected["canonical_request"]
        )
        assert str(out.url) == v["url"]  # the query is sent in the SDK's canonical form
        sent = {k: val for k, val in out.headers.items() if k != "authorization"}
        assert sent == {k.lower(): val for k, val in expected["headers"].items()}

    @pytest.mark.parametrize("v", VECTORS, ids=[v["name"] for v in VECTORS])
    def test_pure_functions_match_and_verify_sdk_requests(self, v: dict[str, Any]) -> None:
        expected = v["expected"]
        headers = dict(expected["headers"], Authorization=expected["authorization"])
        path, _, query = v["url"].partition("://")[2].partition("/")[2].partition("?")
        access, names, sig = parse_authorization(expected["authorization"])
        body = v["body"].encode("utf-8")
        canonical = canonical_request(v["method"], "/" + path, query, headers, names, body)
        assert canonical == expected["canonical_request"]
        sts = string_to_sign(canonical, expected["headers"]["X-Sdk-Date"])
        assert sts == expected["string_to_sign"]
        assert signature(v["sk"], sts) == sig
        result = verify_request(
            v["method"],
            "/" + path,
            query,
            headers,
            body,
            lookup_sk={access: v["sk"]}.get,
            now=parse_sdk_date(expected["headers"]["X-Sdk-Date"]),
        )
        assert (result.ok, result.reason, result.access_key) == (True, "ok", v["ak"])
        assert result.canonical_request == redact_canonical_request(canonical)


class TestSigning:
    def test_fresh_date_each_time_unless_given(self) -> None:
        auth = AkSkAuth(AK, SK)
        first = httpx.Request("GET", "https://sms.example.com/v3/sources")
        second = httpx.Request("GET", "https://sms.example.com/v3/sources")
        auth.sign(first, now=T0)
        auth.sign(second, now=T0 + timedelta(seconds=3))
        assert first.headers["X-Sdk-Date"] == "20240416T095341Z"
        assert second.headers["X-Sdk-Date"] == "20240416T095344Z"
        assert first.headers["Authorization"] != second.headers["Authorization"]
        live = next(auth.auth_flow(httpx.Request("GET", "https://sms.example.com/v3/sources")))
        assert abs(datetime.now(UTC) - parse_sdk_date(live.headers["X-Sdk-Date"])) < timedelta(
            seconds=5
        )

    def test_resigning_drops_the_stale_authorization(self) -> None:
        request = signed()
        AkSkAuth(AK, SK, project_id="p1").sign(request, now=T0)
        assert "authorization" not in parse_authorization(request.headers["Authorization"])[1]
        assert verify(request).ok

    def test_security_token_is_signed_but_redacted_from_the_extension(self) -> None:
        request = httpx.Request("GET", "https://sms.example.com/v3/sources")
        AkSkAuth(AK, SK, security_token="STS-SECRET-TOKEN").sign(request, now=T0)
        assert "x-security-token" in request.headers["Authorization"]
        assert "STS-SECRET-TOKEN" not in request.extensions[CANONICAL_REQUEST_EXTENSION]
        assert verify(request).ok

    def test_repr_masks_the_ak_and_never_shows_the_sk(self) -> None:
        auth = AkSkAuth(AK, SK, project_id="p1", security_token="STS-SECRET-TOKEN")
        for text in (repr(auth), str(auth)):
            assert "HPUA…" in text
            assert AK not in text and SK not in text and "STS-SECRET-TOKEN" not in text

    def test_credentials_are_required(self) -> None:
        with pytest.raises(ValueError, match="secret key"):
            AkSkAuth(AK, "")


class TestVerify:
    def test_accepts_our_signature_and_an_unsigned_proxy_header(self) -> None:
        request = signed(params={"name": "a b+c/中", "tag": ["x", "y"]}, json={"名": "值"})
        request.headers["Via"] = "1.1 proxy"  # added after signing, not in SignedHeaders
        result = verify(request)
        assert (result.ok, result.reason, result.access_key) == (True, "ok", AK)

    def test_rejects_wrong_sk_and_unknown_ak(self) -> None:
        assert verify(signed(), sk="another-secret").reason == "bad_signature"
        request = httpx.Request("GET", "https://sms.example.com/v3/sources")
        AkSkAuth("UNKNOWNAK", SK).sign(request, now=T0)
        assert verify(request).reason == "unknown_key"

    def test_rejects_tampered_body_query_and_path(self) -> None:
        request = signed(params={"limit": "10"}, json={"name": "t1"})
        assert verify(request).ok
        path, query = wire(request)
        headers = dict(request.headers.items())
        tampered = [
            (path, query, b'{"name": "t2"}'),
            (path, "limit=11", request.content),
            (path + "x", query, request.content),
        ]
        for raw_path, raw_query, body in tampered:
            result = verify_request(
                "POST", raw_path, raw_query, headers, body, lookup_sk={AK: SK}.get, now=T0
            )
            assert (result.ok, result.reason) == (False, "bad_signature")

    def test_rejects_clock_skew_beyond_fifteen_minutes(self) -> None:
        request = signed()
        assert verify(request, now=T0 + timedelta(minutes=14)).ok
        assert verify(request, now=T0 + timedelta(minutes=16)).reason == "clock_skew"
        assert verify(request, now=T0 - timedelta(minutes=16)).reason == "clock_skew"
        assert verify(request, now=T0.replace(tzinfo=None)).ok  # naive is UTC

    def test_missing_and_malformed(self) -> None:
        request = signed()
        del request.headers["Authorization"]
        assert verify(request).reason == "missing"
        request.headers["Authorization"] = "Basic dXNlcjpwYXNz"
        assert verify(request).reason == "malformed"
        good = signed()
        auth = good.headers["Authorization"]
        good.headers["Authorization"] = auth.replace("x-sdk-date", "x-other")
        assert verify(good).reason == "malformed"  # listed header absent, date unsigned

    def test_errors_and_reprs_never_show_the_signature(self) -> None:
        request = signed()
        sig = parse_authorization(request.headers["Authorization"])[2]
        with pytest.raises(ValueError) as caught:
            parse_authorization(request.headers["Authorization"].replace(", Signature", " Sig"))
        assert sig not in str(caught.value)
        assert sig not in repr(verify(request)) and AK not in repr(verify(request))

    async def test_end_to_end_through_an_async_client(self) -> None:
        def server(request: httpx.Request) -> httpx.Response:
            path, query = wire(request)
            now = parse_sdk_date(request.headers["X-Sdk-Date"])
            result = verify_request(
                request.method, path, query, dict(request.headers.items()), request.content,
                lookup_sk={AK: SK}.get, now=now,
            )  # fmt: skip
            return httpx.Response(200 if result.ok else 401, json={"reason": result.reason})

        async with httpx.AsyncClient(
            transport=httpx.MockTransport(server), auth=AkSkAuth(AK, SK, "p1")
        ) as client:
            params = {"name": "web 01+x", "q": "~*'()/&=中", "k": ["b", "a"]}
            url = "https://sms.example.com/v3/sources/" + quote("id 1/中", safe="")
            for response in (
                await client.get(url, params=params),
                await client.put(url, json={"note": "ünïcode 迁移"}),
                await client.delete(url),
                await client.post(url, content=b"raw", headers={"Content-Type": "text/plain"}),
            ):
                assert response.json() == {"reason": "ok"}


IAM = "https://iam.example.com"
PASSWORD = "s3cr3t-P@ss"


class FakeCloud:
    """IAM and an API in one MockTransport handler; the API accepts only ``valid`` tokens."""

    def __init__(self, *, iam_status: int = 201, iam_body: Any = None) -> None:
        self.iam_status, self.iam_body = iam_status, iam_body
        self.login_bodies: list[Any] = []
        self.api_tokens: list[str] = []
        self.valid: set[str] = set()
        self.api_down = False
        self.refusal: tuple[int, Any] | None = None
        """How the API refuses a token, when not with a bare 401: (status, body)."""
        self.transport = httpx.MockTransport(self.handle)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3/auth/tokens":
            self.login_bodies.append(json.loads(request.content))
            await asyncio.sleep(0.01)  # let concurrent callers pile up on the lock
            if self.iam_status != 201:
                return httpx.Response(self.iam_status, json=self.iam_body)
            token = f"tok-{len(self.login_bodies)}"
            self.valid.add(token)
            return httpx.Response(201, headers={"X-Subject-Token": token}, json={"token": {}})
        token = request.headers.get("X-Auth-Token", "")
        self.api_tokens.append(token)
        if self.refusal is not None and (token not in self.valid or self.api_down):
            return httpx.Response(self.refusal[0], json=self.refusal[1])
        return httpx.Response(
            200 if token in self.valid and not self.api_down else 401, json={"token": token}
        )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def password_auth(cloud: FakeCloud, clock: Clock | None = None, **kw: Any) -> TokenAuth:
    return TokenAuth(
        iam_endpoint=IAM, user="alice", password=PASSWORD, domain="acme",
        project="ap-southeast-1", transport=cloud.transport, clock=clock or Clock(), **kw,
    )  # fmt: skip


def api(cloud: FakeCloud, auth: httpx.Auth) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=cloud.transport, auth=auth, base_url="https://sms.example.com"
    )


class TestTokenAuth:
    async def test_logs_in_once_with_the_iam_password_body_and_caches(self) -> None:
        cloud = FakeCloud()
        auth = password_auth(cloud)
        async with api(cloud, auth) as client:
            assert (await client.get("/v3/sources")).status_code == 200
            assert (await client.get("/v3/tasks")).status_code == 200
        assert auth.logins == 1 and cloud.api_tokens == ["tok-1", "tok-1"]
        assert cloud.login_bodies[0] == {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {"name": "alice", "password": PASSWORD, "domain": {"name": "acme"}}
                    },
                },
                "scope": {"project": {"name": "ap-southeast-1"}},
            }
        }

    async def test_logs_in_again_after_23_hours(self) -> None:
        cloud, clock = FakeCloud(), Clock()
        auth = password_auth(cloud, clock)
        async with api(cloud, auth) as client:
            await client.get("/v3/sources")
            clock.now += TOKEN_LIFETIME - 1
            await client.get("/v3/sources")
            assert auth.logins == 1
            clock.now += 1
            await client.get("/v3/sources")
        assert auth.logins == 2 and cloud.api_tokens == ["tok-1", "tok-1", "tok-2"]

    async def test_refreshes_once_on_401_then_returns_a_second_401(self) -> None:
        cloud = FakeCloud()
        auth = password_auth(cloud)
        async with api(cloud, auth) as client:
            await client.get("/v3/sources")
            cloud.valid.clear()  # token revoked server-side: one re-login fixes it
            assert (await client.get("/v3/sources")).status_code == 200
            assert cloud.api_tokens == ["tok-1", "tok-1", "tok-2"]
            cloud.api_down = True  # now every token is refused
            assert (await client.get("/v3/sources")).status_code == 401
        assert cloud.api_tokens[3:] == ["tok-2", "tok-3"]  # sent, re-login, resent once only
        assert auth.logins == 3

    async def test_refreshes_once_on_sms_6521_sent_with_400(self) -> None:
        # Table 5.1 gives "token-based authentication failed" status 400, not 401.
        cloud = FakeCloud()
        cloud.refusal = (400, {"error_code": "SMS.6521", "error_msg": "Token-based "
                               "authentication failed."})
        auth = password_auth(cloud)
        async with api(cloud, auth) as client:
            await client.get("/v3/sources")
            cloud.valid.clear()
            assert (await client.get("/v3/sources")).status_code == 200
            assert cloud.api_tokens == ["tok-1", "tok-1", "tok-2"]
            # Another 400 is an answer about the request, not the token: no login.
            cloud.refusal = (400, {"error_code": "SMS.9001", "error_msg": "Invalid parameters."})
            cloud.api_down = True
            assert (await client.get("/v3/sources")).status_code == 400
        assert auth.logins == 2 and cloud.api_tokens[3:] == ["tok-2"]

    async def test_concurrent_requests_share_one_login(self) -> None:
        cloud = FakeCloud()
        auth = password_auth(cloud)
        async with api(cloud, auth) as client:
            responses = await asyncio.gather(*(client.get("/v3/sources") for _ in range(8)))
        assert [r.status_code for r in responses] == [200] * 8
        assert auth.logins == 1

    async def test_login_failure_raises_auth_error_without_the_password(self) -> None:
        body = {"error": {"code": 401, "message": f"wrong password {PASSWORD}", "title": "x"}}
        cloud = FakeCloud(iam_status=401, iam_body=body)
        async with api(cloud, password_auth(cloud)) as client:
            with pytest.raises(exceptions.AuthError) as caught:
                await client.get("/v3/sources")
        text = str(caught.value) + repr(caught.value)
        assert "wrong password ***" in text and "alice" in text and caught.value.status == 401
        assert PASSWORD not in text

    async def test_unreachable_iam_and_missing_subject_token(self) -> None:
        def refuse(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("refused", request=request)

        auth = TokenAuth(
            iam_endpoint=IAM, user="alice", password=PASSWORD, domain="acme",
            transport=httpx.MockTransport(refuse),
        )  # fmt: skip
        with pytest.raises(exceptions.TransportError, match="could not reach IAM") as caught:
            async with httpx.AsyncClient(transport=FakeCloud().transport, auth=auth) as client:
                await client.get("https://sms.example.com/v3/sources")
        assert PASSWORD not in str(caught.value)
        no_header = httpx.MockTransport(lambda request: httpx.Response(201, json={}))
        auth = TokenAuth(
            iam_endpoint=IAM, user="alice", password=PASSWORD, domain="acme", transport=no_header
        )
        with pytest.raises(exceptions.AuthError, match="no X-Subject-Token"):
            async with httpx.AsyncClient(transport=no_header, auth=auth) as client:
                await client.get("https://sms.example.com/v3/sources")

    async def test_given_token_is_sent_as_is_and_a_401_returned(self) -> None:
        cloud = FakeCloud()
        cloud.valid.add("given")
        async with api(cloud, TokenAuth("given")) as client:
            assert (await client.get("/v3/sources")).status_code == 200
            cloud.valid.clear()
            assert (await client.get("/v3/sources")).status_code == 401
        assert cloud.login_bodies == [] and cloud.api_tokens == ["given", "given"]

    def test_sync_client_works_with_a_token_but_refuses_password_login(self) -> None:
        seen: list[str] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request.headers["X-Auth-Token"])
            return httpx.Response(200)

        with httpx.Client(transport=httpx.MockTransport(handler), auth=TokenAuth("t")) as client:
            client.get("https://sms.example.com/v3/sources")
        assert seen == ["t"]
        auth = password_auth(FakeCloud())
        client = httpx.Client(transport=httpx.MockTransport(handler), auth=auth)
        with client, pytest.raises(RuntimeError, match="AsyncClient"):
            client.get("https://sms.example.com/v3/sources")

    def test_repr_shows_no_token_or_password(self) -> None:
        assert "secret-token" not in repr(TokenAuth("secret-token"))
        text = repr(password_auth(FakeCloud()))
        assert PASSWORD not in text and "alice" in text
        with pytest.raises(ValueError, match="needs a token"):
            TokenAuth(iam_endpoint=IAM, user="alice")


@pytest.mark.sdk
def test_matches_the_official_signer_on_random_requests() -> None:
    """Opt-in (``pytest -m sdk``): the only place the official SDK is imported."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials  # type: ignore[import-untyped,import-not-found,unused-ignore]
    from huaweicloudsdkcore.sdk_request import SdkRequest  # type: ignore[import-untyped,import-not-found,unused-ignore]

    rng = random.Random(20240416)
    alphabet = "abcXYZ019-_.~ !*'()+=&/%:@,;$中é"
    host = "sms.ap-southeast-1.myhuaweicloud.com"

    def text(n: int, chars: str = alphabet) -> str:
        return "".join(rng.choice(chars) for _ in range(rng.randint(1, n)))

    for _ in range(300):
        segments = [s for s in (text(8) for _ in range(rng.randint(0, 4))) if s not in (".", "..")]
        path = "/" + "/".join(quote(s, safe="") for s in segments) + rng.choice(["", "/"])
        path = path.replace("//", "/")
        query = [
            (text(5), text(10) if rng.random() > 0.2 else "") for _ in range(rng.randint(0, 5))
        ]
        method = rng.choice(["GET", "POST", "PUT", "DELETE"])
        body = json.dumps({"v": text(20)}, ensure_ascii=False) if method in ("POST", "PUT") else ""
        headers = {"Host": host, "X-Sdk-Date": "20240416T095341Z"}
        headers["Content-Type"] = rng.choice(["application/json;charset=UTF-8", "text/plain"])
        headers["X-Extra" if rng.random() > 0.5 else "X_Extra"] = (
            "  v " + text(4, alphabet[:-2]) + " "
        )
        if method in ("POST", "PUT"):
            headers["Content-Length"] = str(len(body.encode("utf-8")))
        sdk = SdkRequest(method, "https", host, path, query_params=list(query),
                         header_params=dict(headers), body=body.encode("utf-8"))  # fmt: skip
        BasicCredentials(AK, SK, "p1").with_security_token("sts").sign_request(sdk)
        ours = httpx.Request(
            method, f"https://{host}{path}", params=tuple(query), headers=headers,
            content=body.encode("utf-8") or None,
        )  # fmt: skip
        AkSkAuth(AK, SK, "p1", "sts").sign(ours)
        assert ours.headers["Authorization"] == sdk.header_params["Authorization"], (path, query)
        assert ours.url.raw_path.decode("ascii") == sdk.uri
