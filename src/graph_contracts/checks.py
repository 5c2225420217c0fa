"""The contract checks: plain functions registered by name (Schemathesis' `checks.py` idea).

Two kinds, one vocabulary (`CHECK_NAMES`, used by reports and by the mock's fault table):
- write checks judge one PATCH that carried a valid body (status, shape, round-trip,
  read-after-write, merge); they return None when the case gives them nothing to judge;
- probes send their own requests (rejection, auth, not-found).
The checks only talk to a `GraphClient`: live tenant, loopback mock and in-process mock differ only
in transport, so there is no `if mock:` here.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from graph_contracts import edm
from graph_contracts.auth import StaticToken
from graph_contracts.client import GraphClient
from graph_contracts.contracts import Contract

# The check vocabulary: reports, the fault catalogue and the suite's tests all use these names.
CHECK_NAMES = (
    "status",
    "shape",
    "round-trip",
    "read-after-write",
    "merge",
    "rejection",
    "auth",
    "not-found",
)
Outcome = Literal["passed", "failed", "skipped"]
MISSING = object()
# 4xx replies that do not mean "your body is invalid": they would hide a service that never parses it.
NOT_A_REJECTION = frozenset({401, 403, 404, 405})
INTERCHANGEABLE = frozenset({200, 204})  # OData 4.01 §11.4.3: with or without a representation


@dataclass
class Verdict:
    """What one check concluded about one case; request/response are kept for the reproducer."""

    outcome: Outcome
    message: str = ""
    deviation: str | None = None
    response: httpx.Response | None = None

    @property
    def failed(self) -> bool:
        return self.outcome == "failed"


def passed(message: str = "", deviation: str | None = None) -> Verdict:
    return Verdict("passed", message, deviation)


def failed(message: str, response: httpx.Response | None = None) -> Verdict:
    return Verdict("failed", message, response=response)


@dataclass
class Target:
    """One resolved endpoint as the checks see it; `known` is the entity as last read."""

    contract: Contract
    template: str
    path: str
    client: GraphClient
    sibling: str | None = None
    strict: bool = False
    read_window: float = 3.0
    poll_interval: float = 0.1
    known: dict[str, Any] | None = None


@dataclass
class Write:
    """One PATCH with a valid body, and the read that followed it (filled lazily by `read_back`)."""

    payload: dict[str, Any]
    response: httpx.Response
    before: dict[str, Any] | None
    source: str = "generated"
    after: dict[str, Any] | None = None
    after_response: httpx.Response | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return 200 <= self.response.status_code < 300


WriteCheck = Callable[[Target, Write], Verdict | None]
WRITE_CHECKS: dict[str, WriteCheck] = {}


def write_check(name: str) -> Callable[[WriteCheck], WriteCheck]:
    """Register a write check under its report name (order of registration = order of running)."""
    assert name in CHECK_NAMES, name

    def register(func: WriteCheck) -> WriteCheck:
        WRITE_CHECKS[name] = func
        return func

    return register


# --- helpers --------------------------------------------------------------------------------


def json_body(response: httpx.Response) -> Any:
    """The parsed body, or MISSING when there is none or it is not JSON."""
    if not response.content:
        return MISSING
    try:
        return response.json()
    except ValueError:
        return MISSING


def describe(response: httpx.Response) -> str:
    """`400 BadRequest: message` for a reply, short enough for a report cell."""
    body = json_body(response)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"{response.status_code} {error.get('code')}: {str(error.get('message'))[:120]}"
    return str(response.status_code)


def error_problems(response: httpx.Response) -> list[str]:
    """Why a reply is not an OData error (`{"error": {"code": str, "message": str, ...}}`)."""
    if "json" not in response.headers.get("content-type", ""):
        return [f"error reply Content-Type is {response.headers.get('content-type')!r}, not JSON"]
    body = json_body(response)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return ["error reply has no `error` object"]
    return [
        f"error.{key} is not a non-empty string"
        for key in ("code", "message")
        if not isinstance(error.get(key), str) or not error.get(key)
    ]


def sent_properties(contract: Contract, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The documented, updatable properties a body sets (annotations and unknown names left out).

    The key and read-only values a body carries (Intune doc examples send whole entities) are
    ignored by the service (OData 4.01 §11.4.3), so they are not expected to come back as sent.
    """
    return {
        k: v
        for k, v in payload.items()
        if "@" not in k and (prop := contract.property(k)) is not None and prop.updatable
    }


def mismatches(contract: Contract, sent: Mapping[str, Any], got: Any) -> list[str]:
    """Sent properties that do not come back equal per their Edm type."""
    if not isinstance(got, dict):
        return ["reply is not a JSON object"]
    problems = []
    for name, value in sent.items():
        prop = contract.property(name)
        assert prop is not None
        if name not in got:
            problems.append(f"{name}: sent {value!r}, missing from the reply")
        elif not edm.equal(value, got[name], prop.type, contract.types):
            problems.append(f"{name}: sent {value!r}, got {got[name]!r}")
    return problems


def differences(
    contract: Contract,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    skip: Iterable[str] = (),
) -> list[str]:
    """Documented, writable properties whose value changed between two reads of an entity."""
    skipped = set(skip)
    changes = []
    for prop in contract.properties:
        if not prop.updatable or prop.name in skipped:
            continue
        old, new = before.get(prop.name, MISSING), after.get(prop.name, MISSING)
        if old is MISSING and new is MISSING:
            continue
        if old is MISSING or new is MISSING or not edm.equal(old, new, prop.type, contract.types):
            shown = lambda v: "<absent>" if v is MISSING else repr(v)  # noqa: E731
            changes.append(f"{prop.name}: {shown(old)} -> {shown(new)}")
    return changes


def read_entity(client: GraphClient, path: str) -> tuple[httpx.Response, dict[str, Any] | None]:
    response = client.get(path)
    body = json_body(response)
    return response, body if response.status_code == 200 and isinstance(body, dict) else None


def read_back(target: Target, write: Write) -> tuple[httpx.Response, dict[str, Any] | None]:
    """GET the entity until it shows the sent values or the read window closes (eventual consistency)."""
    if write.after_response is not None:
        return write.after_response, write.after
    sent = sent_properties(target.contract, write.payload)
    deadline = time.monotonic() + target.read_window
    while True:
        response, body = read_entity(target.client, target.path)
        if body is not None and not mismatches(target.contract, sent, body):
            break
        if time.monotonic() >= deadline:
            break
        time.sleep(target.poll_interval)
    write.after_response, write.after = response, body
    if body is not None:
        target.known = body
    return response, body


# --- write checks ---------------------------------------------------------------------------


@write_check("status")
def status(target: Target, write: Write) -> Verdict:
    """The documented success status; 200 and 204 are interchangeable only in tolerant mode."""
    got, documented = write.response.status_code, target.contract.status
    if got == documented:
        return passed()
    if {got, documented} <= INTERCHANGEABLE:
        deviation = f"{got} instead of the documented {documented}"
        if target.strict:
            return failed(f"{deviation} (--strict holds the service to the docs)", write.response)
        return passed(deviation=deviation)
    return failed(
        f"PATCH ({write.source}) returned {describe(write.response)}, documented {documented}",
        write.response,
    )


@write_check("shape")
def shape(target: Target, write: Write) -> Verdict | None:
    """JSON Content-Type, the contract's @odata.type, every documented property valid for its type."""
    if not write.succeeded:
        return None
    response, note = write.response, ""
    if not response.content:
        response, _ = read_back(target, write)
        note = " (judged on the GET: the PATCH reply had no body)"
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith("application/json"):
        return failed(f"Content-Type is {content_type!r}, not application/json{note}", response)
    body = json_body(response)
    if not isinstance(body, dict):
        return failed(f"reply body is not a JSON object{note}", response)
    contract = target.contract
    problems = []
    odata_type = body.get("@odata.type")
    if odata_type != contract.odata_type:
        problems.append(f"@odata.type is {odata_type!r}, expected {contract.odata_type!r}")
    if not isinstance(body.get("@odata.context"), str):
        problems.append("no @odata.context")
    undocumented = []
    for key, value in body.items():
        if "@" in key:
            continue
        prop = contract.property(key)
        if prop is None:
            undocumented.append(key)
            continue
        problems += edm.validate(
            value, prop.type, contract.types, enum=prop.enum, nullable=prop.nullable, where=key
        )
    if problems:
        return failed("; ".join(problems) + note, response)
    extra = f"undocumented properties returned: {', '.join(sorted(undocumented))}"
    return passed((extra if undocumented else "") + note)


@write_check("round-trip")
def round_trip(target: Target, write: Write) -> Verdict | None:
    """Every property sent comes back equal in the reply (instants to 100 ns, not strings)."""
    if not write.succeeded:
        return None
    sent = sent_properties(target.contract, write.payload)
    body, response, note = json_body(write.response), write.response, ""
    if body is MISSING:
        response, body = read_back(target, write)
        note = " (judged on the GET: the PATCH reply had no body)"
    problems = mismatches(target.contract, sent, body)
    if problems:
        return failed(f"({write.source}) " + "; ".join(problems) + note, response)
    return passed(note.strip(" ()"))


@write_check("read-after-write")
def read_after_write(target: Target, write: Write) -> Verdict | None:
    """A GET afterwards shows the sent values, polling for the read window."""
    if not write.succeeded:
        return None
    response, body = read_back(target, write)
    if body is None:
        return failed(f"GET after PATCH returned {describe(response)}", response)
    problems = mismatches(target.contract, sent_properties(target.contract, write.payload), body)
    if problems:
        window = f"within {target.read_window:g} s"
        return failed(f"({write.source}) {window}: " + "; ".join(problems), response)
    return passed()


@write_check("merge")
def merge(target: Target, write: Write) -> Verdict | None:
    """Properties not sent keep their previous values (PATCH merges, it does not replace)."""
    if not write.succeeded or write.before is None:
        return None
    response, after = read_back(target, write)
    if after is None:
        return None  # read-after-write reports the failed GET
    changes = differences(target.contract, write.before, after, skip=write.payload)
    if changes:
        return failed(
            f"({write.source}) unsent properties changed: " + "; ".join(changes), response
        )
    return passed()


def sibling_unchanged(
    target: Target, before: Mapping[str, Any], after_response: httpx.Response, after: Any
) -> Verdict:
    """The merge check's second half: writing one entity leaves its sibling alone."""
    if not isinstance(after, dict):
        return failed(f"GET {target.sibling} returned {describe(after_response)}", after_response)
    changes = differences(target.contract, before, after)
    if changes:
        return failed(
            f"PATCH of {target.path} changed another entity ({target.sibling}): "
            + "; ".join(changes),
            after_response,
        )
    return passed()


# --- probes ---------------------------------------------------------------------------------


def rejection(target: Target, content: bytes, reason: str, content_type: str) -> Verdict:
    """An invalid body gets a 4xx with the OData error shape, and the entity stays as it was."""
    before = target.known
    response = target.client.patch(
        target.path, content=content, headers={"Content-Type": content_type}
    )
    code = response.status_code
    if not 400 <= code < 500 or code in NOT_A_REJECTION:
        outcome = "accepted" if 200 <= code < 300 else f"answered {describe(response)} to"
        verdict = failed(f"{outcome} an invalid body ({reason})", response)
    elif problems := error_problems(response):
        verdict = failed(f"{code} for {reason}, but " + "; ".join(problems), response)
    else:
        verdict = passed()
    get_response, after = read_entity(target.client, target.path)
    if after is not None:
        target.known = after
    if verdict.failed or before is None:
        return verdict
    if after is None:
        return failed(f"GET after a rejected PATCH returned {describe(get_response)}", get_response)
    changes = differences(target.contract, before, after)
    if changes:
        return failed(f"rejected {reason}, yet the entity changed: " + "; ".join(changes), response)
    return verdict


def auth(target: Target, payload: dict[str, Any]) -> Verdict:
    """No token and a wrong token both get 401 with the OData error shape, and change nothing."""
    wrong = StaticToken(f"invalid-{uuid.uuid4().hex}")
    for label, credentials in (("no token", None), ("a wrong token", wrong)):
        response = target.client.patch(target.path, json=payload, auth=credentials)
        if response.status_code != 401:
            return failed(
                f"PATCH with {label} returned {describe(response)}, expected 401", response
            )
        problems = error_problems(response)
        if "www-authenticate" not in response.headers:
            problems.append("no WWW-Authenticate challenge")
        if problems:
            return failed(f"401 for {label}, but " + "; ".join(problems), response)
    before = target.known
    get_response, after = read_entity(target.client, target.path)
    if after is not None:
        target.known = after
    if before is not None and after is not None:
        changes = differences(target.contract, before, after)
        if changes:
            return failed(
                "unauthenticated PATCH changed the entity: " + "; ".join(changes), get_response
            )
    return passed()


def not_found(target: Target, payload: dict[str, Any]) -> Verdict:
    """An unknown id gets 404 with the OData error shape, and a GET of it afterwards is still 404."""
    parent = target.path.rpartition("/")[0]
    if not target.template.rstrip("/").endswith("}"):
        return Verdict("skipped", "the path has no entity id to replace")
    missing = f"{parent}/{uuid.uuid4()}"
    response = target.client.patch(missing, json=payload)
    if response.status_code != 404:
        return failed(
            f"PATCH of an unknown id returned {describe(response)}, expected 404", response
        )
    if problems := error_problems(response):
        return failed("404, but " + "; ".join(problems), response)
    check = target.client.get(missing)
    if check.status_code != 404:
        return failed(f"PATCH of an unknown id created it: GET returned {describe(check)}", check)
    return passed()
