"""GraphClient: URL joining, headers, retries per Retry-After, counters, unreachable targets.

The transient errors of a real network (resets, hangs, cut and oversized replies, a target that
goes away) are met through tests/proxy.py, a real fault-injecting server in front of a real one.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time

import httpx
import pytest
import uvicorn
from proxy import FaultProxy, Rule
from servers import app_server
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graph_contracts.auth import StaticToken
from graph_contracts.client import (
    GraphClient,
    GraphContractsError,
    InProcessTransport,
    RequestFailed,
    RetryPolicy,
    TargetUnreachable,
    Waited,
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


def test_exhausted_attempts_raise_a_target_error_with_the_last_reply() -> None:
    waits: list[float] = []
    transport, seen = scripted(*[(429, {"Retry-After": "1.5"})] * 10)
    client = GraphClient(
        "http://t",
        "beta",
        transport=transport,
        retry=RetryPolicy(max_attempts=3),
        sleep=waits.append,
    )
    with pytest.raises(RequestFailed) as failed:
        client.get("/x")
    assert (
        failed.value.reason
        == "GET http://t/beta/x: answered 429 Too Many Requests (after 3 attempts)"
    )
    assert failed.value.cause == "429" and failed.value.answering
    assert failed.value.response is not None
    assert failed.value.response.json()["error"]["code"] == "TooManyRequests"
    assert len(seen) == 3 and waits == [1.5, 1.5]
    assert (client.retries.count, client.retries.waited) == (2, 3.0)
    assert (client.retries.requests, client.retries.throttled) == (3, 3)


@pytest.mark.parametrize("status", [502, 504])
@pytest.mark.parametrize("method", ["GET", "PATCH"])
def test_gateway_errors_are_retried_whatever_their_body(status: int, method: str) -> None:
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        if len(seen) < 3:
            return httpx.Response(status, html="<html><body><h1>Bad Gateway</h1></body></html>")
        return httpx.Response(200, json={"ok": 1})

    waits: list[float] = []
    client = GraphClient(
        "http://t", "beta", transport=httpx.MockTransport(handler), sleep=waits.append
    )
    assert client.request(method, "/x", json={} if method == "PATCH" else None).json() == {"ok": 1}
    assert len(seen) == 3 and len(waits) == 2 and all(w > 0 for w in waits)
    assert client.retries.causes == {str(status): 2}


def test_a_conditional_patch_is_not_sent_twice_after_a_gateway_error() -> None:
    """Its first attempt may have been applied: the retry would meet a changed ETag (412)."""
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        return httpx.Response(502, html="<html>502 Bad Gateway</html>")

    client = GraphClient(
        "http://t", "beta", transport=httpx.MockTransport(handler), sleep=lambda s: None
    )
    with pytest.raises(RequestFailed, match=r"answered 502 Bad Gateway \(not retried\)"):
        client.patch("/x", json={}, headers={"If-Match": 'W/"1"'})
    assert len(seen) == 1
    with pytest.raises(RequestFailed, match=r"\(after 5 attempts\)"):
        client.patch("/x", json={})  # the same PATCH, unconditional: retried
    assert len(seen) == 6


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


# --- a real network, through the fault-injecting proxy ------------------------------------------


def counting_app() -> tuple[Starlette, list[str]]:
    """Echoes like echo_app and records each request that reached it (method and body)."""
    reached: list[str] = []
    inner = echo_app()

    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            reached.append(scope["method"])
        await inner(scope, receive, send)

    return app, reached  # type: ignore[return-value]


@pytest.fixture(scope="module")
def echo_url() -> str:
    with app_server(echo_app()) as url:
        yield url


def test_resets_and_html_502s_are_retried_until_answered(echo_url: str) -> None:
    rules = [Rule("reset", rate=0.1), Rule("bad-gateway", rate=0.2)]
    with FaultProxy(echo_url, rules, seed=1) as proxy:
        client = GraphClient(proxy.url, "beta", sleep=lambda s: None)
        for i in range(30):
            method = "PATCH" if i % 2 else "GET"
            reply = client.request(method, f"/x/{i}", json={"i": i} if i % 2 else None)
            assert reply.json()["method"] == method and reply.json()["url"].endswith(f"/x/{i}")
    assert proxy.fired["reset"] > 0 and proxy.fired["bad-gateway"] > 0
    assert client.retries.causes == {
        "connection reset": proxy.fired["reset"],
        "502": proxy.fired["bad-gateway"],
    }
    assert client.retries.requests == 30 + client.retries.count


def test_a_patch_whose_reply_was_lost_is_sent_again() -> None:
    """OData's merge semantics make the same body idempotent: the retry's reply is judged."""
    app, reached = counting_app()
    with app_server(app) as url, FaultProxy(url, [Rule("reset-after", times=1)]) as proxy:
        client = GraphClient(proxy.url, "beta", sleep=lambda s: None)
        assert client.patch("/x", json={"a": 1}).status_code == 200
        proxy.rules[0].times = 2  # once more, on a conditional PATCH
        with pytest.raises(RequestFailed, match=r"connection (reset|closed).*\(not retried\)"):
            client.patch("/x", json={"a": 1}, headers={"If-Match": 'W/"1"'})
    assert reached == ["PATCH", "PATCH", "PATCH"]  # applied twice, then once (not retried)


def test_a_request_never_answered_times_out_and_is_retried(echo_url: str) -> None:
    with FaultProxy(echo_url, [Rule("hang", method="PATCH", times=1)]) as proxy:
        client = GraphClient(proxy.url, "beta", sleep=lambda s: None, timeout=0.3)
        began = time.monotonic()
        assert client.patch("/x", json={}).status_code == 200
    assert 0.3 <= time.monotonic() - began < 5
    assert client.retries.causes == {"timeout": 1}


def test_a_get_whose_2xx_body_is_not_json_is_a_target_error_named_for_it(echo_url: str) -> None:
    with FaultProxy(echo_url, [Rule("truncate", method="GET")]) as proxy:
        client = GraphClient(proxy.url, "beta", sleep=lambda s: None)
        with pytest.raises(RequestFailed) as failed:
            client.get("/x")
        # a PATCH reply is the checks' to judge (a shape failure), not a transport matter
        assert client.patch("/x", json={}).status_code == 200
    assert failed.value.cause == "not JSON" and failed.value.answering
    assert failed.value.reason.startswith(f"GET {proxy.url}/beta/x: answered 200 with a body that ")
    assert "is not JSON (Unterminated string" in failed.value.reason
    assert failed.value.reason.endswith("(after 5 attempts)")


def test_an_oversized_reply_is_cut_off_while_reading_and_never_held_whole(echo_url: str) -> None:
    size = 50 * 1024 * 1024
    with FaultProxy(echo_url, [Rule("oversize", times=1, size=size)]) as proxy:
        client = GraphClient(proxy.url, "beta", max_reply_bytes=1024 * 1024)
        with pytest.raises(RequestFailed) as failed:
            client.get("/big")
        assert client.get("/x").status_code == 200  # the next request is fine
    assert failed.value.cause == "too large" and failed.value.attempts == 1
    assert "over the 1 MB reply limit" in failed.value.reason
    assert proxy.oversize_sent < size / 5  # the client hung up early: the rest was never sent


def test_a_declared_oversized_reply_is_refused_before_reading() -> None:
    handler_calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        handler_calls.append(1)
        return httpx.Response(200, headers={"Content-Length": str(10**9)}, content=b"{}")

    client = GraphClient(
        "http://t", "beta", transport=httpx.MockTransport(handler), max_reply_bytes=10
    )
    with pytest.raises(RequestFailed, match=r"declares 1000000000 bytes"):
        client.get("/x")
    assert handler_calls == [1]


def test_a_target_that_goes_away_mid_run_is_retried_then_a_target_error() -> None:
    """Refused after the target answered once: it went away (retry, wait); before: wrong URL."""
    port = free_port()
    app, _ = counting_app()
    config = uvicorn.Config(app, port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    waits: list[float] = []
    client = GraphClient(f"http://127.0.0.1:{port}", "beta", sleep=waits.append, timeout=2)
    assert client.get("/x").status_code == 200
    server.should_exit = True
    thread.join(timeout=10)
    with pytest.raises(RequestFailed) as failed:
        client.get("/x")
    assert failed.value.cause == "connection refused" and not failed.value.answering
    assert failed.value.attempts == 5 and len(waits) == 4
    began, url = time.monotonic(), client.url("/x")
    assert client.wait_until_answering(url, 0.3, interval=0.05) is Waited.TIMED_OUT
    # A stop request ends the wait at once, and says so: it learnt nothing of the target.
    assert client.wait_until_answering(url, 60, stop=lambda: True) is Waited.STOPPED
    assert time.monotonic() - began < 5
    asked = iter([False, True])  # a stop that arrives during the wait, after one GET
    assert client.wait_until_answering(url, 60, stop=lambda: next(asked)) is Waited.STOPPED
