"""Tokens: StaticToken, and msal client credentials against a local fake authority over HTTPS.

msal is not mocked: it discovers a real (local) OpenID configuration over TLS, signs real client
assertions, and caches real tokens. The fake authority checks what a real one would check.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import jwt
import pytest
import trustme
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graph_contracts.auth import (
    CLOUDS,
    AuthError,
    ClientCredentials,
    Grants,
    StaticToken,
    from_settings,
    grants_of,
)
from graph_contracts.client import CredentialsRejected, GraphClient, InProcessTransport

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
SECRET = "s3cr3t~Value.With-Chars_42"
SCOPE = "https://graph.microsoft.com/.default"
AUTHORITY_KEY = "the-fake-authoritys-own-signing-key-0123456789"


@dataclass
class Authority:
    """What the fake authority saw, and how to reach it."""

    base: str = ""
    ca_path: Path = Path()
    cert_pem: bytes = b""  # the client certificate the app registration trusts
    token_requests: list[dict[str, list[str]]] = field(default_factory=list)
    counter: itertools.count = field(default_factory=itertools.count)
    expires_in: int = 3599  # lifetime of the tokens it issues, seconds
    issued: dict[str, float] = field(default_factory=dict)  # token -> expiry (time.monotonic)
    roles: list[str] | None = None  # set: issue JWT-shaped tokens with these app roles, as Entra

    @property
    def url(self) -> str:
        return f"{self.base}/{TENANT}"


def fake_authority_app(state: Authority) -> Starlette:
    async def openid(request: Request) -> Response:
        tenant = request.path_params["tenant"]
        root = f"{state.base}/{tenant}"
        return JSONResponse(
            {
                "issuer": f"{root}/v2.0",
                "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                "token_endpoint": f"{root}/oauth2/v2.0/token",
            }
        )

    def refuse(code: str, description: str, status: int = 401) -> Response:
        # like Entra: the description carries a trace id on later lines
        text = f"AADSTS7000215: {description}\r\nTrace ID: 0000\r\nTimestamp: 2024-01-01"
        return JSONResponse({"error": code, "error_description": text}, status_code=status)

    async def token(request: Request) -> Response:
        form = parse_qs((await request.body()).decode())
        state.token_requests.append(form)
        one = {k: v[0] for k, v in form.items()}
        if one.get("grant_type") != "client_credentials" or one.get("scope") != SCOPE:
            return refuse("invalid_request", "unexpected grant or scope", 400)
        if one.get("client_id") != CLIENT_ID:
            return refuse("unauthorized_client", "unknown application")
        if "client_secret" in one:
            if one["client_secret"] != SECRET:
                return refuse("invalid_client", "Invalid client secret provided.")
        elif not _assertion_ok(state, one, str(request.url)):
            return refuse("invalid_client", "Client assertion failed signature validation.")
        n = next(state.counter)
        access_token = f"fake-access-token-{n}"
        if state.roles is not None:  # signed with a key the client never sees
            claims = {"aud": "https://graph.microsoft.com", "roles": state.roles, "n": n}
            access_token = jwt.encode(claims, AUTHORITY_KEY, algorithm="HS256")
        state.issued[access_token] = time.monotonic() + state.expires_in
        return JSONResponse(
            {"token_type": "Bearer", "expires_in": state.expires_in, "access_token": access_token}
        )

    return Starlette(
        routes=[
            Route("/{tenant}/v2.0/.well-known/openid-configuration", openid),
            Route("/{tenant}/oauth2/v2.0/token", token, methods=["POST"]),
        ]
    )


def _b64(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _assertion_ok(state: Authority, form: dict[str, str], token_url: str) -> bool:
    """A signed JWT naming the registered certificate by x5t (SHA-1) or x5t#S256 (SHA-256)."""
    if (
        form.get("client_assertion_type")
        != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    ):
        return False
    assertion = form.get("client_assertion", "")
    cert = x509.load_pem_x509_certificate(state.cert_pem)
    der = cert.public_bytes(Encoding.DER)
    header = {k: str(v).rstrip("=") for k, v in jwt.get_unverified_header(assertion).items()}
    sha1, sha256 = _b64(hashlib.sha1(der).digest()), _b64(hashlib.sha256(der).digest())
    if header.get("x5t") != sha1 and header.get("x5t#S256") != sha256:
        return False
    claims = jwt.decode(
        assertion, cert.public_key(), algorithms=["RS256", "PS256"], audience=token_url
    )
    return claims["iss"] == claims["sub"] == CLIENT_ID


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def authority(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Authority]:
    """The fake authority on uvicorn over TLS, on a port chosen by the OS."""
    tmp = tmp_path_factory.mktemp("authority")
    server_pem = tmp / "server.pem"
    ca.issue_cert("127.0.0.1", "localhost").private_key_and_cert_chain_pem.write_to_path(server_pem)
    ca_path = tmp / "ca.pem"
    ca.cert_pem.write_to_path(ca_path)
    # Entra app certificates are RSA (trustme defaults to EC)
    client_cert = ca.issue_cert("graph-contracts-test-app", key_type=trustme.KeyType.RSA)
    state = Authority(ca_path=ca_path, cert_pem=client_cert.cert_chain_pems[0].bytes())
    (tmp / "client.pem").write_bytes(
        client_cert.private_key_pem.bytes() + client_cert.cert_chain_pems[0].bytes()
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    state.base = f"https://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(
        fake_authority_app(state),
        ssl_certfile=str(server_pem),
        ssl_keyfile=str(server_pem),
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=0.5,  # msal's requests session keeps connections alive
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "fake authority did not start"
        time.sleep(0.01)
    yield state
    server.should_exit = True
    thread.join(5)
    sock.close()


@pytest.fixture(autouse=True)
def no_ca_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """requests (under msal) lets these silently override verify=; and keep proxies away."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def client_pem(authority: Authority) -> Path:
    return authority.ca_path.parent / "client.pem"


def credentials(authority: Authority, **kw: object) -> ClientCredentials:
    kw.setdefault("client_secret", SECRET)
    return ClientCredentials(
        TENANT, CLIENT_ID, authority_url=authority.url, verify=str(authority.ca_path), **kw
    )


def header_echo() -> Starlette:
    async def echo(request: Request) -> Response:
        return JSONResponse({"authorization": request.headers.get("authorization")})

    return Starlette(routes=[Route("/{p:path}", echo)])


def test_secret_flow_gets_a_token(authority: Authority) -> None:
    before = len(authority.token_requests)
    token = credentials(authority).token()
    assert token.startswith("fake-access-token-")
    sent = authority.token_requests[before]
    assert sent["client_secret"] == [SECRET] and sent["scope"] == [SCOPE]


def test_token_is_cached_and_sent_by_graph_client(authority: Authority) -> None:
    auth = credentials(authority)
    before = len(authority.token_requests)
    with GraphClient(
        "http://graph.test", "beta", auth=auth, transport=InProcessTransport(header_echo())
    ) as client:
        first = client.get("/me").json()["authorization"]
        second = client.get("/me").json()["authorization"]
    assert first == second and first.startswith("Bearer fake-access-token-")
    assert len(authority.token_requests) == before + 1  # the second request used msal's cache
    assert first.removeprefix("Bearer ") in client.secrets


def test_the_roles_of_msals_token_are_what_the_run_says_it_carries(authority: Authority) -> None:
    """An app's client-credentials token names its application permissions in `roles`."""
    authority.roles = ["DeviceManagementConfiguration.ReadWrite.All", "User.Read.All"]
    try:
        auth = credentials(authority)
        grants = grants_of(auth)
        assert grants == Grants("application", tuple(authority.roles))
        assert auth.secrets and auth.secrets[-1] not in grants.describe()
    finally:
        authority.roles = None
    assert grants_of(credentials(authority)).kind is None  # an opaque token: nothing to read


def test_token_is_acquired_lazily(authority: Authority) -> None:
    before = len(authority.token_requests)
    credentials(authority)
    assert len(authority.token_requests) == before


def test_wrong_secret_is_a_clear_auth_error_without_the_secret(authority: Authority) -> None:
    wrong = "Wr0ng-Secret-Value"
    with pytest.raises(AuthError) as info:
        credentials(authority, client_secret=wrong).token()
    message = str(info.value)
    assert "invalid_client" in message and "Invalid client secret provided" in message
    assert wrong not in message and SECRET not in message
    assert "\n" not in message and "Trace ID" not in message


def test_wrong_secret_surfaces_through_graph_client(authority: Authority) -> None:
    auth = credentials(authority, client_secret="nope")
    with (
        GraphClient(
            "http://g", "beta", auth=auth, transport=InProcessTransport(header_echo())
        ) as c,
        pytest.raises(AuthError, match="invalid_client"),
    ):
        c.get("/me")


def test_certificate_flow_with_sha1_thumbprint(authority: Authority, client_pem: Path) -> None:
    der = x509.load_pem_x509_certificate(authority.cert_pem).public_bytes(Encoding.DER)
    thumbprint = hashlib.sha1(der).hexdigest().upper()
    before = len(authority.token_requests)
    auth = credentials(
        authority,
        client_secret=None,
        certificate_path=client_pem,
        certificate_thumbprint=thumbprint,
    )
    assert auth.token().startswith("fake-access-token-")
    header = jwt.get_unverified_header(authority.token_requests[before]["client_assertion"][0])
    assert header["x5t"].rstrip("=") == _b64(hashlib.sha1(der).digest())
    assert "client_secret" not in authority.token_requests[before]


def test_certificate_flow_without_thumbprint_uses_sha256(
    authority: Authority, client_pem: Path
) -> None:
    before = len(authority.token_requests)
    auth = credentials(authority, client_secret=None, certificate_path=client_pem)
    assert auth.token().startswith("fake-access-token-")
    header = jwt.get_unverified_header(authority.token_requests[before]["client_assertion"][0])
    assert "x5t#S256" in header and "x5c" in header


def test_certificate_the_authority_does_not_know_is_refused(
    authority: Authority, tmp_path: Path
) -> None:
    other = trustme.CA().issue_cert("someone-else", key_type=trustme.KeyType.RSA)
    pem = tmp_path / "other.pem"
    pem.write_bytes(other.private_key_pem.bytes() + other.cert_chain_pems[0].bytes())
    key_text = other.private_key_pem.bytes().decode()
    with pytest.raises(AuthError, match="invalid_client") as info:
        credentials(authority, client_secret=None, certificate_path=pem).token()
    assert key_text.splitlines()[1] not in str(info.value)


def test_bad_certificate_file_is_one_line_naming_it(authority: Authority, tmp_path: Path) -> None:
    pem = tmp_path / "not-a-cert.pem"
    pem.write_text("hello")
    with pytest.raises(AuthError, match=r"not-a-cert\.pem: expected a PEM file"):
        credentials(authority, client_secret=None, certificate_path=pem).token()
    with pytest.raises(AuthError, match=r"missing\.pem: cannot read"):
        credentials(
            authority, client_secret=None, certificate_path=tmp_path / "missing.pem"
        ).token()


def test_untrusted_authority_certificate_is_an_auth_error(authority: Authority) -> None:
    auth = ClientCredentials(TENANT, CLIENT_ID, client_secret=SECRET, authority_url=authority.url)
    with pytest.raises(AuthError) as info:
        auth.token()  # the system trust store does not know the test CA
    assert SECRET not in str(info.value) and "\n" not in str(info.value)


def test_static_token_and_repr_hide_secrets() -> None:
    request = httpx.Request("GET", "http://t/")
    next(StaticToken("tok").auth_flow(request))
    assert request.headers["Authorization"] == "Bearer tok"
    assert "tok" not in repr(StaticToken("tok"))
    auth = ClientCredentials("t", "c", client_secret=SECRET)
    assert SECRET not in repr(auth) and auth.secrets == (SECRET,)


@pytest.mark.parametrize(
    ("cloud", "authority", "scope"),
    [
        ("global", "https://login.microsoftonline.com/t", "https://graph.microsoft.com/.default"),
        ("usgov", "https://login.microsoftonline.us/t", "https://graph.microsoft.us/.default"),
        ("dod", "https://login.microsoftonline.us/t", "https://dod-graph.microsoft.us/.default"),
        (
            "china",
            "https://login.chinacloudapi.cn/t",
            "https://microsoftgraph.chinacloudapi.cn/.default",
        ),
    ],
)
def test_national_clouds(cloud: str, authority: str, scope: str) -> None:
    auth = ClientCredentials("t", "c", client_secret="x", cloud=cloud)
    assert (auth.authority, auth.scope) == (authority, scope)
    assert CLOUDS[cloud].scope == scope


def test_unknown_cloud_and_ambiguous_credentials() -> None:
    with pytest.raises(AuthError, match="unknown cloud 'mars'"):
        ClientCredentials("t", "c", client_secret="x", cloud="mars")
    with pytest.raises(AuthError, match="exactly one"):
        ClientCredentials("t", "c")


def test_from_settings_precedence(tmp_path: Path) -> None:
    azure = {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s"}
    explicit = from_settings("cli", {"GRAPH_TOKEN": "env", **azure})
    assert isinstance(explicit, StaticToken) and explicit.secrets == ("cli",)
    env_token = from_settings(None, {"GRAPH_TOKEN": "env", **azure})
    assert isinstance(env_token, StaticToken) and env_token.secrets == ("env",)
    cc = from_settings(None, {**azure, "GRAPH_CLOUD": "china"})
    assert isinstance(cc, ClientCredentials) and cc.scope == CLOUDS["china"].scope
    cert = from_settings(
        None, {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_CERTIFICATE_PATH": "x"}
    )
    assert isinstance(cert, ClientCredentials) and cert.secrets == ()
    assert from_settings(None, {}) is None
    assert from_settings(None, {"AZURE_TENANT_ID": "t"}) is None


def test_from_settings_incomplete_credentials_name_the_missing_variable() -> None:
    with pytest.raises(AuthError, match=r"set AZURE_CLIENT_ID$") as info:
        from_settings(None, {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": "hunter2"})
    assert "hunter2" not in str(info.value)


def test_cloud_follows_the_base_url_unless_graph_cloud_says_otherwise():
    azure = {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s"}
    gov = from_settings(None, azure, base_url="https://graph.microsoft.us/")
    assert gov.scope == "https://graph.microsoft.us/.default"
    assert gov.authority.startswith("https://login.microsoftonline.us/")
    explicit = from_settings(
        None, {**azure, "GRAPH_CLOUD": "china"}, base_url="https://graph.microsoft.us"
    )
    assert explicit.scope == "https://microsoftgraph.chinacloudapi.cn/.default"
    assert from_settings(None, azure, base_url="http://127.0.0.1:8000").scope == (
        "https://graph.microsoft.com/.default"
    )


# --- tokens that last the night -------------------------------------------------------------


def graph_accepting(authority: Authority, refuse: set[str] | None = None) -> Starlette:
    """A Graph that accepts only tokens the authority issued and that have not expired.

    Tokens in `refuse` get 401 once each (revoked, as after a password reset or a clock skew).
    """
    refused = set(refuse or ())

    async def endpoint(request: Request) -> Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        expiry = authority.issued.get(token)
        if expiry is None or time.monotonic() >= expiry or token in refused:
            refused.discard(token)
            error = {"error": {"code": "InvalidAuthenticationToken", "message": "expired"}}
            return JSONResponse(error, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return JSONResponse({"token": token})

    return Starlette(routes=[Route("/{p:path}", endpoint, methods=["GET", "PATCH"])])


def test_short_lived_tokens_are_renewed_before_they_expire(authority: Authority) -> None:
    """msal serves a cached token only while it has 5 minutes left: a run never sends a stale one."""
    authority.expires_in = 302  # cached for ~2 s, then renewed (302 - 300)
    try:
        auth = credentials(authority)
        transport = InProcessTransport(graph_accepting(authority))
        before = len(authority.token_requests)
        used = set()
        with GraphClient("http://graph.test", "beta", auth=auth, transport=transport) as client:
            deadline = time.monotonic() + 3.5
            while time.monotonic() < deadline:
                response = client.get("/me")
                assert response.status_code == 200  # never a 401: renewed before expiry
                used.add(response.json()["token"])
                time.sleep(0.25)
        assert len(used) >= 2 and len(authority.token_requests) - before == len(used)
    finally:
        authority.expires_in = 3599


def test_a_401_mid_run_gets_one_renewal_and_one_retry(authority: Authority) -> None:
    auth = credentials(authority)
    current = auth.token()
    transport = InProcessTransport(graph_accepting(authority, refuse={current}))
    before = len(authority.token_requests)
    with GraphClient("http://graph.test", "beta", auth=auth, transport=transport) as client:
        response = client.patch("/things/1", json={"a": 1})
    assert response.status_code == 200 and response.json()["token"] != current
    assert len(authority.token_requests) == before + 1  # msal's cache was bypassed once


def test_a_401_that_persists_stops_the_run_as_credentials_rejected(authority: Authority) -> None:
    auth = credentials(authority)

    async def always_401(request: Request) -> Response:
        return JSONResponse({"error": {"code": "x", "message": "y"}}, status_code=401)

    app = Starlette(routes=[Route("/{p:path}", always_401, methods=["GET"])])
    before = len(authority.token_requests)
    with (
        GraphClient("http://g", "beta", auth=auth, transport=InProcessTransport(app)) as client,
        pytest.raises(CredentialsRejected, match="after a token renewal") as info,
    ):
        client.get("/me")
    assert len(authority.token_requests) == before + 2  # the first token and one renewal
    assert "on the first request" in str(info.value)
    for token in authority.issued:
        assert token not in str(info.value)


def test_a_static_token_rejected_mid_run_is_not_retried() -> None:
    answers = iter([200, 401])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(answers), json={})

    client = GraphClient(
        "http://g", "beta", auth=StaticToken("tok-123456"), transport=httpx.MockTransport(handler)
    )
    assert client.get("/ok").status_code == 200
    with pytest.raises(CredentialsRejected, match=r"mid-run.*static token cannot be renewed"):
        client.get("/now-rejected")


def test_probes_without_or_with_a_wrong_token_are_answered_not_raised() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={})

    client = GraphClient(
        "http://g", "beta", auth=StaticToken("tok-123456"), transport=httpx.MockTransport(handler)
    )
    assert client.patch("/x", json={}, auth=None).status_code == 401
    assert client.patch("/x", json={}, auth=StaticToken("wrong-one")).status_code == 401
