"""Exchanges as reports show them: redacted text, a reproducer, never a secret."""

from __future__ import annotations

import httpx

from graph_contracts.exchanges import record, redact

TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJlLXNlY3JldA"
SECRET = "client-secret-value~42"


def test_redact_text_and_headers() -> None:
    text = f"token {TOKEN} and Bearer abc.def-1 and secret hunter2-secret and Bearer $GRAPH_TOKEN"
    out = redact(text, ["hunter2-secret", ""])
    assert TOKEN not in out and "abc.def-1" not in out and "hunter2-secret" not in out
    assert "Bearer $GRAPH_TOKEN" in out
    headers = redact(
        httpx.Headers({"Authorization": "Bearer x", "X-Key": "hunter2-secret"}), ["hunter2-secret"]
    )
    assert headers == {"authorization": "Bearer [REDACTED]", "x-key": "[REDACTED]"}


def test_a_record_holds_no_secret_anywhere() -> None:
    request = httpx.Request(
        "PATCH",
        "http://graph.test/beta/x('1')",
        headers={"Authorization": f"Bearer {TOKEN}", "X-Secret": SECRET},
        json={"displayName": "n", "note": SECRET},
    )
    response = httpx.Response(
        400, json={"error": {"code": "BadRequest", "message": SECRET}}, request=request
    )
    exchange = record(response, [SECRET])
    assert exchange.request.startswith("PATCH http://graph.test/beta/x('1')\n")
    assert "authorization: Bearer [REDACTED]" in exchange.request
    assert exchange.response.startswith("HTTP 400 Bad Request\n")
    assert '"code": "BadRequest"' in (exchange.response_json or "")
    assert '"Authorization: Bearer $GRAPH_TOKEN"' in exchange.curl
    for text in (*exchange.to_dict().values(), exchange.response_json):
        assert TOKEN not in str(text) and SECRET not in str(text)


def test_a_short_value_is_not_replaced_everywhere_but_a_bearer_header_still_is() -> None:
    """A test token "t" must not turn every "t" of a report into [REDACTED]."""
    text = "restore the entity; Authorization: Bearer t"
    assert redact(text, ["t"]) == "restore the entity; Authorization: Bearer [REDACTED]"
    assert redact("secret-value-1234 here", ["secret-value-1234"]) == "[REDACTED] here"
