"""GraphClient: URL joining, headers, retries per Retry-After, counters, unreachable targets."""

from __future__ import annotations

import json
import socket
import subprocess
import time

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graph_contracts.auth import StaticToken
from graph_contracts.client import (
    GraphClient,
    GraphContractsError,
    InProcessTransport,
    RetryPolicy,
    TargetUnreachable,
    retry_after,
)
from graph_contracts.exchanges import curl

TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJlLXNlY3JldA"


def echo_app() -> Starlette:
    """Echoes what it received, so tests see exactly what went over the wire."""

    async def echo(request: Request) -> Response:
        body = await request.body()
        return JSONResponse(
            {
                "method": request.method,
                "url": str(request.url),
                "headers": dict(request.headers),
                "body": body.decode("utf-8", "replace"),
            },
            headers={"client-request-id": request.headers.get("client-request-id", "")},
        )

    async def boom(request: Request) -> Response:
        raise RuntimeError("defect")

    return Starlette(
        routes=[
            Route("/beta/boom", boom),
            Route("/{path:path}", echo, methods=["GET", "PATCH", "POST"]),
        ]
    )


def scripted(*responses: tuple[int, dict[str, str]]) -> tuple[httpx.MockTransport, list]:
    """A transport replaying (status, headers) in order, then 200; records request times."""
    seen: list[float] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(time.monotonic())
        status, headers = queue.pop(0) if queue else (200, {})
        body = {"error": {"code": "TooManyRequests", "message": "slow down"}}
        return httpx.Response(status, headers=headers, json=body if status != 200 else {"ok": 1})

    return httpx.MockTransport(handler), seen


@pytest.fixture
def inproc() -> GraphClient:
    with GraphClient("http://graph.test", "beta", transport=InProcessTransport(echo_app())) as c:
        yield c


@pytest.mark.parametrize("base", ["https://graph.example", "https://graph.example/"])
@pytest.mark.parametrize("path", ["/me/x('1')", "me/x('1')"])
def test_url_joins_base_version_and_path(base: str, path: str) -> None:
    client = GraphClient(base, "v1.0")
    assert client.url(path) == "https://graph.example/v1.0/me/x('1')"


def test_url_keeps_a_base_path_prefix() -> None:
    assert GraphClient("http://h:1/root/", "beta").url("/a") == "http://h:1/root/beta/a"


def test_in_process_round_trip_sends_graph_headers(inproc: GraphClient) -> None:
    response = inproc.patch("/deviceManagement/things('a b')", json={"n": 1})
    seen = response.json()
    assert response.status_code == 200
    assert seen["method"] == "PATCH"
    assert seen["url"].startswith("http://graph.test/beta/deviceManagement/things(")
    assert seen["headers"]["accept"] == "application/json"
    assert seen["headers"]["content-type"] == "application/json"
    assert json.loads(seen["body"]) == {"n": 1}
    rid = seen["headers"]["client-request-id"]
    assert len(rid) == 36 and response.headers["client-request-id"] == rid
    # a fresh id per request
    assert inproc.get("/x").json()["headers"]["client-request-id"] != rid


def test_headers_can_be_overridden_or_omitted(inproc: GraphClient) -> None:
    seen = inproc.patch(
        "/x", content=b"{}", headers={"Content-Type": "text/plain", "Accept": None}
    ).json()
    assert seen["headers"]["content-type"] == "text/plain"
    assert "accept" not in seen["headers"]
    seen = inproc.patch("/x", json={"a": 1}, headers={"Content-Type": None}).json()
    assert "content-type" not in seen["headers"]


def test_in_process_app_exception_is_a_500_not_a_crash(inproc: GraphClient) -> None:
    assert inproc.get("/boom").status_code == 500


def test_in_process_transport_close_stops_the_loop() -> None:
    transport = InProcessTransport(echo_app())
    with httpx.Client(transport=transport) as http:
        assert http.get("http://t/ping").status_code == 200
        thread = transport._thread
        assert thread is not None and thread.is_alive()
    assert transport._loop is None and not thread.is_alive()
    transport.close()  # idempotent
    with httpx.Client(transport=transport) as again:  # a shared transport restarts on demand
        assert again.get("http://t/ping").status_code == 200


def test_in_process_uses_no_socket(monkeypatch: pytest.MonkeyPatch, inproc: GraphClient) -> None:
    def refuse(*a: object, **k: object) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "create_connection", refuse)
    assert inproc.get("/x").status_code == 200


def test_auth_adds_token_and_caller_can_send_wrong_or_no_token() -> None:
    client = GraphClient(
        "http://t", "beta", auth=StaticToken(TOKEN), transport=InProcessTransport(echo_app())
    )
    with client:
        assert client.get("/x").json()["headers"]["authorization"] == f"Bearer {TOKEN}"
        assert "authorization" not in client.get("/x", auth=None).json()["headers"]
        wrong = client.get("/x", headers={"Authorization": "Bearer wrong"}).json()
        assert wrong["headers"]["authorization"] == "Bearer wrong"
        none = client.get("/x", headers={"Authorization": None}).json()
        assert "authorization" not in none["headers"]
        assert client.secrets == (TOKEN,)


def test_429_is_retried_after_fractional_retry_after() -> None:
    transport, seen = scripted((429, {"Retry-After": "0.05"}), (429, {"Retry-After": "0.05"}))
    with GraphClient("http://t", "beta", transport=transport) as client:
        response = client.get("/x")
    assert response.status_code == 200 and response.json() == {"ok": 1}
    assert client.retries.count == 2
    assert client.retries.waited == pytest.approx(0.1)
    assert seen[1] - seen[0] >= 0.045 and seen[2] - seen[1] >= 0.045


def test_503_is_retried_too() -> None:
    transport, _ = scripted((503, {"Retry-After": "0"}))
    with GraphClient("http://t", "beta", transport=transport) as client:
        assert client.get("/x").status_code == 200
    assert client.retries.count == 1


def test_missing_retry_after_backs_off_exponentially_with_jitter() -> None:
    waits: list[float] = []
    transport, _ = scripted((429, {}), (429, {}), (503, {}))
    policy = RetryPolicy(max_attempts=5, base=1.0, max_wait=3.0)
    client = GraphClient("http://t", "beta", transport=transport, retry=policy, sleep=waits.append)
    assert client.get("/x").status_code == 200
    assert len(waits) == 3 and client.retries.count == 3
    assert 0.5 <= waits[0] <= 1.0 and 1.0 <= waits[1] <= 2.0 and 1.5 <= waits[2] <= 3.0
    assert client.retries.waited == pytest.approx(sum(waits))


def test_long_retry_after_is_capped_by_max_wait() -> None:
    waits: list[float] = []
    transport, _ = scripted((429, {"Retry-After": "120"}))
    client = GraphClient(
        "http://t", "beta", transport=transport, retry=RetryPolicy(max_wait=2.0), sleep=waits.append
    )
    assert client.get("/x").status_code == 200
    assert waits == [2.0]


def test_exhausted_attempts_return_the_last_throttled_response() -> None:
    waits: list[float] = []
    transport, seen = scripted(*[(429, {"Retry-After": "1.5"})] * 10)
    client = GraphClient(
        "http://t",
        "beta",
        transport=transport,
        retry=RetryPolicy(max_attempts=3),
        sleep=waits.append,
    )
    response = client.get("/x")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "TooManyRequests"
    assert len(seen) == 3 and waits == [1.5, 1.5]
    assert (client.retries.count, client.retries.waited) == (2, 3.0)
    assert (client.retries.requests, client.retries.throttled) == (3, 3)


def test_every_retry_is_told_to_the_observer_before_its_wait() -> None:
    heard, waits = [], []
    transport, _ = scripted((429, {"Retry-After": "0.25"}), (503, {}))
    client = GraphClient(
        "http://t", "beta", transport=transport, sleep=waits.append, on_retry=heard.append
    )
    assert client.patch("/x", json={}).status_code == 200
    assert [(r.method, r.status, r.attempt) for r in heard] == [
        ("PATCH", 429, 1),
        ("PATCH", 503, 2),
    ]
    assert heard[0].retry_after == 0.25 and heard[0].wait == waits[0] == 0.25
    assert heard[1].retry_after is None and heard[1].wait == waits[1] > 0
    assert (client.retries.requests, client.retries.throttled) == (3, 1)


def test_other_errors_are_not_retried() -> None:
    transport, seen = scripted((500, {"Retry-After": "0"}))
    client = GraphClient("http://t", "beta", transport=transport)
    assert client.get("/x").status_code == 500
    assert len(seen) == 1 and client.retries.count == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2", 2.0), ("2.128", 2.128), (" 0.05 ", 0.05), ("-3", 0.0), ("soon", None), (None, None)],
)
def test_retry_after_values(value: str | None, expected: float | None) -> None:
    headers = {} if value is None else {"Retry-After": value}
    assert retry_after(httpx.Response(429, headers=headers)) == expected


def test_retry_after_http_date() -> None:
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 10))
    assert 8 <= retry_after(httpx.Response(429, headers={"Retry-After": when})) <= 10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_target_is_one_clear_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with GraphClient(url, "beta", timeout=2) as client, pytest.raises(TargetUnreachable) as info:
        client.get("/deviceManagement")
    message = str(info.value)
    assert isinstance(info.value, GraphContractsError)
    assert message.startswith(f"cannot reach {url}/beta/deviceManagement")
    assert "\n" not in message


@pytest.mark.slow
def test_curl_reproducer_has_no_token_and_runs_in_a_shell(inproc: GraphClient) -> None:
    inproc.auth = StaticToken(TOKEN)
    request = inproc.patch("/things('1')", json={"name": "O'Brien \u00e9"}).request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    command = curl(request, secrets=[TOKEN])
    assert TOKEN not in command and "c2lnbmF0dXJl" not in command
    assert '"Authorization: Bearer $GRAPH_TOKEN"' in command
    assert command.startswith("curl -X PATCH \"http://graph.test/beta/things('1')\" ")
    # the shell parses it back into the same body
    argv = subprocess.run(
        ["bash", "-c", 'printf "%s\\n" ' + command.removeprefix("curl ")],
        capture_output=True,
        text=True,
        check=True,
        env={"GRAPH_TOKEN": "T"},
    ).stdout.splitlines()
    assert "Authorization: Bearer T" in argv
    assert argv[:3] == ["-X", "PATCH", "http://graph.test/beta/things('1')"]
    assert json.loads(argv[argv.index("--data-binary") + 1]) == {"name": "O'Brien \u00e9"}


@pytest.mark.slow
def test_curl_keeps_malformed_bytes_exactly() -> None:
    request = httpx.Request("PATCH", "http://t/beta/x", content=b"{\xff'\n")
    command = curl(request)
    out = subprocess.run(
        ["bash", "-c", "printf %s " + command.split("--data-binary ", 1)[1]],
        capture_output=True,
        check=True,
    ).stdout
    assert out == b"{\xff'\n"
