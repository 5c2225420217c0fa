"""The contract checks: plain functions registered by name, one signature for all.

As Schemathesis registers `@schemathesis.check def name(ctx, response, case)`, every check here is
`@check(name, judges=...) def name(ctx: CheckContext, case: Case) -> Verdict | None`. The engine
sends each case (a valid write, an invalid body, a request without or with a wrong token, a PATCH
of an unknown id, the read of a sibling after the writes) and hands it to every check that judges
its kind; a check returns None when the case gives it nothing to judge. The checks only talk to a
`GraphClient` through the context: live tenant, loopback mock and in-process mock differ only in
transport, so there is no `if mock:` here.

Each expectation has a source, and its effect depends on it (README, "What is checked"):
documented by the page and by OData/Graph -> a failure; documented by the page but allowed by
OData/Graph (204 for 200) -> a deviation, a failure only under --strict; an assumption no source
makes -> at most a deviation, in either mode.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from graph_contracts import bodies, edm, preferences, required_headers
from graph_contracts.client import GraphClient, json_error
from graph_contracts.contracts import Contract
from graph_contracts.edm import ProblemKind

Outcome = Literal["passed", "failed", "skipped"]
CaseKind = Literal["write", "invalid", "no-token", "wrong-token", "unknown-id", "sibling"]
MISSING = object()
# 4xx replies that do not mean "your body is invalid": they would hide a service that never parses it.
NOT_A_REJECTION = frozenset({401, 403, 404, 405})
INTERCHANGEABLE = frozenset({200, 204})  # OData 4.01 §11.4.3: with or without a representation
# Graph's evolvable-enum pattern (microsoft/api-guidelines, graph/patterns/evolvable-enums.md): a
# service hides members declared after `unknownFutureValue` behind it, and refuses them in a
# request, unless the request opts in; every request does, and RFC 7240 lets a service ignore it.
OPTED_IN = f"{preferences.APPLIED}: {preferences.INCLUDE_UNKNOWN_ENUM_MEMBERS}"
WITHHELD = (
    f"shown as unknownFutureValue by a reply without {OPTED_IN} (Graph hides members declared "
    "after the sentinel from a client it did not opt in)"
)
REFUSED = (
    f"members declared after unknownFutureValue, refused by a reply without {OPTED_IN} (Graph "
    "refuses them from a client it did not opt in)"
)


@dataclass
class Verdict:
    """What one check concluded about one case; the response is kept for the reproducer."""

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
class CheckContext:
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
    # Qualified types (no `#`) a reply may name in `@odata.type`: the contract's own, those its
    # docs send, and those a CSDL derives from it (`bodies.accepted_types`).
    accepted_types: frozenset[str] = frozenset()
    # True when a CSDL gave the whole type hierarchy, so an unknown `@odata.type` is wrong for sure.
    hierarchy_known: bool = False
    # Schemathesis' operation for this endpoint (its own checks judge the replies); None when off.
    operation: Any = None
    # The read window's cost (`read_back`): checks that failed after waiting the whole window on
    # this endpoint, reads since then not waited for, and whether `known` is the entity's settled
    # state (False once a read was not waited for: a write may still land).
    window_failed: set[str] = field(default_factory=set)
    unwaited: int = 0
    settled: bool = True

    def tolerate(self, what: str, response: httpx.Response | None) -> Verdict:
        """A page-documented expectation OData/Graph allows otherwise: deviation, or --strict failure."""
        if self.strict:
            return failed(f"{what} (--strict holds the service to the docs)", response)
        return passed(deviation=what)


@dataclass
class Case:
    """One request the engine sent for an endpoint, and what the checks read after it."""

    kind: CaseKind
    source: str
    body: Any = None  # the JSON payload (write, and the probes' valid body)
    content: bytes | None = None  # the raw bytes of an invalid body
    content_type: str = "application/json"
    documented: bool = True  # invalid: a conforming service's rejection is documented
    path: str | None = None  # where it went, when not the endpoint's entity
    response: httpx.Response | None = None
    before: dict[str, Any] | None = None  # the entity as known before the case
    after: dict[str, Any] | None = None  # the entity as read after it (filled lazily)
    after_response: httpx.Response | None = None
    waited: bool = True  # False: `after` is one GET, not waited for (see read_back)
    notes: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.response is not None and 200 <= self.response.status_code < 300


CheckFunction = Callable[[CheckContext, Case], Verdict | None]


@dataclass(frozen=True)
class Check:
    """A registered check: its report name, the case kinds it judges, and the function."""

    name: str
    judges: frozenset[str]
    func: CheckFunction
    description: str

    def __call__(self, ctx: CheckContext, case: Case) -> Verdict | None:
        return self.func(ctx, case) if case.kind in self.judges else None


CHECKS: dict[str, Check] = {}


def check(name: str, *, judges: Iterable[CaseKind]) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under its report name (registration order is the report's column order)."""

    def register(func: CheckFunction) -> CheckFunction:
        doc = (func.__doc__ or "").strip().splitlines()
        CHECKS[name] = Check(name, frozenset(judges), func, doc[0] if doc else "")
        return func

    return register


# --- helpers --------------------------------------------------------------------------------


def json_body(response: httpx.Response) -> Any:
    """The parsed body, or MISSING when there is none or it is not JSON.

    Numbers with a fraction or exponent keep their text (`edm.JsonNumber`), so a Decimal is
    compared by its digits, not by the double they round to; integers are exact anyway.
    """
    if not response.content:
        return MISSING
    try:
        return response.json(parse_float=edm.JsonNumber)
    except ValueError:
        return MISSING


def describe(response: httpx.Response) -> str:
    """`400 BadRequest: message` for a reply, short enough for a report cell."""
    error = _error_object(response)
    if error is not None:
        return f"{response.status_code} {error.get('code')}: {str(error.get('message'))[:120]}"
    return str(response.status_code)


def error_code(response: httpx.Response) -> str:
    """The OData error code of a reply (`Authorization_RequestDenied`), or "" when it has none."""
    error = _error_object(response)
    code = error.get("code") if error is not None else None
    return code if isinstance(code, str) else ""


def _error_object(response: httpx.Response) -> dict[str, Any] | None:
    """The `error` object of an OData error reply (`{"error": {...}}`), or None."""
    body = json_body(response)
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


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
    ignored by the service (OData 4.01 §11.4.3), so they are not expected to come back as sent;
    nor is an `Edm.Stream`, which an entity's JSON never carries inline.
    """
    return {
        k: v
        for k, v in payload.items()
        if "@" not in k
        and (prop := contract.property(k)) is not None
        and prop.updatable
        and not edm.is_stream(prop.type)
    }


def compare_sent(
    contract: Contract, sent: Mapping[str, Any], got: Any, *, opted_in: bool = True
) -> edm.Comparison:
    """What came back of what was sent, per Edm type (`edm.compare`).

    Complex values are compared on the members sent: members a service fills in, and the
    annotations a client sent inside them, are listed (`added`, `annotations`), never failed.
    `opted_in`: the reply says `Preference-Applied: include-unknown-enum-members`; without it, a
    member declared after `unknownFutureValue` shown as the sentinel is `withheld`, not a
    mismatch (Graph's evolvable-enum pattern hides such members from a client not opted in).
    """
    result = edm.Comparison()
    if not isinstance(got, dict):
        result.mismatches.append("reply is not a JSON object")
        return result
    for name, value in sent.items():
        prop = contract.property(name)
        assert prop is not None
        if name not in got:
            result.mismatches.append(f"{name}: sent {value!r}, missing from the reply")
            continue
        found = edm.compare(value, got[name], prop.type, contract.types, where=name)
        if found.mismatches and edm.withheld(value, got[name], prop.type, contract.types):
            shown = f"{name}: sent {value!r}, got {got[name]!r}"
            if not opted_in:
                result.withheld.append(shown)
                continue
            found.mismatches = [f"{shown}, although the reply says {OPTED_IN}"]
        result.mismatches += found.mismatches
        result.added += found.added
        result.annotations += found.annotations
    return result


def mismatches(
    contract: Contract, sent: Mapping[str, Any], got: Any, *, opted_in: bool = True
) -> list[str]:
    """Sent properties that do not come back equal per their Edm type."""
    return compare_sent(contract, sent, got, opted_in=opted_in).mismatches


def opted_in(response: httpx.Response) -> bool:
    """Whether a reply applied the run's opt-in to members declared after the sentinel."""
    return preferences.applied(response.headers)


def _withheld(comparison: edm.Comparison) -> str | None:
    """The deviation a reply that hid members declared after the sentinel is named by."""
    if not comparison.withheld:
        return None
    return f"{WITHHELD}: {'; '.join(comparison.withheld)}"


def _filled(comparison: edm.Comparison) -> str:
    """A note on what a service added to, or dropped from, the complex values sent (allowed)."""
    notes = []
    if comparison.added:
        notes.append(f"members the service filled in: {', '.join(sorted(comparison.added))}")
    if comparison.annotations:
        notes.append(f"annotations not echoed: {', '.join(sorted(comparison.annotations))}")
    return "; ".join(notes)


def differences(
    contract: Contract,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    skip: Iterable[str] = (),
) -> list[str]:
    """Documented, writable properties whose value changed between two reads of an entity
    (an `Edm.Stream` is no value of the entity's JSON)."""
    return compare_reads(contract, before, after, skip).mismatches


def compare_reads(
    contract: Contract,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    skip: Iterable[str] = (),
    *,
    opted_in: bool = True,
) -> edm.Comparison:
    """`differences` as `mismatches`; and, `withheld`, the values one read showed as
    `unknownFutureValue` where the other showed a member declared after it: the earlier read may
    have hidden it, the later one too unless it applied the opt-in (`opted_in`)."""
    skipped = set(skip)
    result = edm.Comparison()
    for prop in contract.properties:
        if not prop.updatable or prop.name in skipped or edm.is_stream(prop.type):
            continue
        old, new = before.get(prop.name, MISSING), after.get(prop.name, MISSING)
        if old is MISSING and new is MISSING:
            continue
        change = f"{prop.name}: {_shown(old)} -> {_shown(new)}"
        if old is MISSING or new is MISSING:
            result.mismatches.append(change)
        elif not edm.equal(old, new, prop.type, contract.types):
            hidden = edm.hides(old, new, prop.type, contract.types) or (
                not opted_in and edm.hides(new, old, prop.type, contract.types)
            )
            (result.withheld if hidden else result.mismatches).append(change)
    return result


def _shown(value: Any) -> str:
    return "<absent>" if value is MISSING else repr(value)


def read_entity(client: GraphClient, path: str) -> tuple[httpx.Response, dict[str, Any] | None]:
    response = client.get(path)
    body = json_body(response)
    return response, body if response.status_code == 200 and isinstance(body, dict) else None


def read_back(ctx: CheckContext, case: Case) -> tuple[httpx.Response, dict[str, Any] | None]:
    """GET the entity until it shows the sent values or the read window closes.

    Live services are eventually consistent: a read that judges a write polls for the whole window
    while the checks it serves have not failed, whatever earlier cases showed (a pass never
    shortens it). Once every check this read serves has failed on the endpoint after waiting the
    whole window, waiting it again proves nothing new: the read is one GET (`case.waited` False
    when it does not show the sent values), so a defect that every write exposes costs one window
    per endpoint, not one per case. Such a read leaves the entity's state unsettled (a write may
    still land): `ctx.settled` turns False and the engine stops comparing later cases with it.
    """
    if case.after_response is not None:
        return case.after_response, case.after
    sent = sent_properties(ctx.contract, case.body or {})
    # When the entity already showed the sent values, a read showing them proves nothing: it may
    # predate the write. That matters for complex values, which a service replaces and fills
    # (members not sent): a stale read would hide that, and the next case would be blamed for
    # it. Such a read counts once something changed, or when the read window closes.
    already = (
        case.before is not None
        and any(_is_complex(ctx.contract, name) for name in sent)
        and not mismatches(ctx.contract, sent, case.before)
    )
    serves = _window_checks(case)
    waits = not serves <= ctx.window_failed
    deadline = time.monotonic() + (ctx.read_window if waits else 0.0)
    while True:
        response, body = read_entity(ctx.client, ctx.path)
        fresh = not already or (body is not None and body != case.before)
        shown = body is not None and not mismatches(
            ctx.contract, sent, body, opted_in=opted_in(response)
        )
        if shown and fresh:
            break
        if time.monotonic() >= deadline:
            break
        time.sleep(ctx.poll_interval)
    case.after_response, case.after = response, body
    if not shown and waits:  # each check it serves fails on this read, the window waited
        ctx.window_failed |= serves
    elif not shown:
        case.waited, ctx.settled = False, False
        ctx.unwaited += 1
    if body is not None:
        ctx.known = body
    return response, body


def _window_checks(case: Case) -> frozenset[str]:
    """The checks whose verdict on a write depends on a GET showing the sent values."""
    if case.response is not None and json_body(case.response) is MISSING:
        return frozenset({"read-after-write", "round-trip"})  # round-trip is judged on the GET
    return frozenset({"read-after-write"})


def _is_complex(contract: Contract, name: str) -> bool:
    prop = contract.property(name)
    if prop is None:
        return False
    kind = edm.resolve(prop.type, contract.types, prop.enum)
    item = kind.item if kind.kind is edm.TypeKind.COLLECTION else kind
    return item is not None and item.kind is edm.TypeKind.COMPLEX


def read_after(ctx: CheckContext, case: Case) -> tuple[httpx.Response, dict[str, Any] | None]:
    """One GET of the entity after a case that must not have changed it (cached on the case)."""
    if case.after_response is None:
        case.after_response, case.after = read_entity(ctx.client, ctx.path)
        if case.after is not None:
            ctx.known = case.after
    return case.after_response, case.after


def unchanged(ctx: CheckContext, case: Case, what: str) -> Verdict | None:
    """A failure when the entity changed between `case.before` and a read after the case."""
    if case.before is None:
        return None
    response, after = read_after(ctx, case)
    if after is None:
        return failed(f"GET after {what} returned {describe(response)}", response)
    found = compare_reads(ctx.contract, case.before, after, opted_in=opted_in(response))
    if found.mismatches:
        changes = "; ".join(found.mismatches)
        return failed(f"{what}, yet the entity changed: {changes}", case.response)
    return passed(deviation=_withheld(found)) if found.withheld else None


# --- checks of valid writes -----------------------------------------------------------------


@check("status", judges=["write"])
def status(ctx: CheckContext, case: Case) -> Verdict:
    """PATCH answers the documented success status (204 for 200 is a deviation, see --strict)."""
    assert case.response is not None
    got, documented = case.response.status_code, _documented_status(ctx.contract, case.response)
    if got == documented:
        return passed()
    if {got, documented} <= INTERCHANGEABLE:
        return ctx.tolerate(f"{got} instead of the documented {documented}", case.response)
    future = _future_members(ctx.contract, case.body)
    if got == 400 and future and not opted_in(case.response):
        return passed(deviation=f"400 for {future}: {REFUSED}")
    return failed(
        f"PATCH ({case.source}) returned {describe(case.response)}, documented {documented}",
        case.response,
    )


def _future_members(contract: Contract, body: Any) -> str:
    """The properties of a body that carry a member declared after `unknownFutureValue`."""
    sent = sent_properties(contract, body if isinstance(body, dict) else {})
    return ", ".join(
        f"{name} {value!r}"
        for name, value in sent.items()
        if (prop := contract.property(name)) is not None
        and edm.hide_future_members(value, prop.type, contract.types) != value
    )


def _documented_status(contract: Contract, response: httpx.Response) -> int:
    """The documented success status for what the request asked.

    Pages that document 204 also document 200 with the entity when the request asks `Prefer:
    return=representation` (the Planner pages; OData 4.01 Part 1 §8.2.8.7), which the suite
    sends where the docs require If-Match (`required_headers`).
    """
    try:
        request_headers = response.request.headers
    except RuntimeError:  # a response built without a request (a test's fake reply)
        return contract.status
    if contract.status == 204 and required_headers.asked_representation(request_headers):
        return 200
    return contract.status


@check("shape", judges=["write"])
def shape(ctx: CheckContext, case: Case) -> Verdict | None:
    """The reply is a JSON entity: @odata.context, an accepted @odata.type if any, valid values."""
    if not case.succeeded:
        return None
    response, note = case.response, ""
    assert response is not None
    if not response.content:
        response, _ = read_back(ctx, case)
        note = " (judged on the GET: the PATCH reply had no body)"
    body = json_body(response)
    verdict = judge_reply(
        ctx.contract,
        body,
        response.headers.get("content-type", ""),
        accepted_types=ctx.accepted_types,
        hierarchy_known=ctx.hierarchy_known,
        parse_error=None if isinstance(body, dict) else json_error(response),
    )
    verdict.message = (verdict.message + note).strip()
    verdict.response = response if verdict.failed else None
    return verdict


def judge_reply(
    contract: Contract,
    body: Any,
    content_type: str,
    *,
    accepted_types: frozenset[str] = frozenset(),
    hierarchy_known: bool = False,
    parse_error: str | None = None,
) -> Verdict:
    """The `shape` judgement of an entity reply, without an HTTP exchange: its body (parsed, or
    MISSING with the parser's `parse_error`) and its Content-Type.

    The one place a reply is judged, so the docs' own replies are judged exactly as a live one
    (tests/test_documented_replies.py). Failures: not JSON, no `@odata.context` (OData JSON 4.01
    §4.5.1), or what `bodies.judge_reply` calls a failure; its deviations are reported, and the
    members no table lists, at any depth, are noted.
    """
    if not content_type.startswith("application/json"):
        return failed(f"Content-Type is {content_type!r}, not application/json")
    if not isinstance(body, dict):  # a body cut mid-JSON is named for what it is
        what = f"not valid JSON ({parse_error})" if parse_error else "not a JSON object"
        return failed(f"reply body is {what}")
    judged = bodies.judge_reply(
        contract,
        body,
        accepted_types=accepted_types,
        hierarchy_known=hierarchy_known,
        ieee754_compatible=_ieee754_compatible(content_type),
    )
    problems = [str(p) for p in judged.failures]
    if not isinstance(body.get("@odata.context"), str):
        problems.append("no @odata.context")
    if problems:
        return failed("; ".join(problems))
    notes = judged.undocumented
    extra = f"undocumented properties returned: {', '.join(sorted(notes))}" if notes else ""
    return passed(extra, "; ".join(_deviation(p) for p in judged.deviations) or None)


def _ieee754_compatible(content_type: str) -> bool:
    """A reply may write Int64 and Decimal as strings when its Content-Type says so (OData JSON
    4.01 §3.2); Graph's say `IEEE754Compatible=false`."""
    return "ieee754compatible=true" in content_type.replace(" ", "").lower()


_DEVIATIONS = {
    ProblemKind.UNLISTED_VALUE: "a value the docs do not list: {}",
    ProblemKind.MEMBER_CASE: "an enum member spelled in another case: {}",
}


def _deviation(problem: edm.Problem) -> str:
    if problem.where == "@odata.type":
        return f"@odata.type {problem.message}"
    return _DEVIATIONS.get(problem.kind, "{}").format(problem)


@check("round-trip", judges=["write"])
def round_trip(ctx: CheckContext, case: Case) -> Verdict | None:
    """Every property sent comes back equal in the reply (compared per Edm type, not as text)."""
    if not case.succeeded:
        return None
    assert case.response is not None
    sent = sent_properties(ctx.contract, case.body or {})
    body, response, note = json_body(case.response), case.response, ""
    if body is MISSING:
        response, body = read_back(ctx, case)
        note = " (judged on the GET: the PATCH reply had no body)"
    comparison = compare_sent(ctx.contract, sent, body, opted_in=opted_in(response))
    if comparison.mismatches:
        return failed(f"({case.source}) " + "; ".join(comparison.mismatches) + note, response)
    message = "; ".join(filter(None, (note.strip(" ()"), _filled(comparison))))
    return passed(message, _withheld(comparison))


@check("read-after-write", judges=["write"])
def read_after_write(ctx: CheckContext, case: Case) -> Verdict | None:
    """A GET afterwards shows the sent values, polling for the read window."""
    if not case.succeeded:
        return None
    response, body = read_back(ctx, case)
    if body is None:
        return failed(f"GET after PATCH returned {describe(response)}", response)
    sent = sent_properties(ctx.contract, case.body or {})
    comparison = compare_sent(ctx.contract, sent, body, opted_in=opted_in(response))
    if comparison.mismatches:
        window = f"within {ctx.read_window:g} s"
        return failed(f"({case.source}) {window}: " + "; ".join(comparison.mismatches), response)
    return passed(deviation=_withheld(comparison))


@check("merge", judges=["write", "sibling"])
def merge(ctx: CheckContext, case: Case) -> Verdict | None:
    """Properties not sent keep their values, and another entity of the collection is untouched."""
    if case.kind == "sibling":
        return _sibling_unchanged(ctx, case)
    if not case.succeeded or case.before is None:
        return None
    response, after = read_back(ctx, case)
    if after is None:
        return None  # read-after-write reports the failed GET
    found = compare_reads(
        ctx.contract, case.before, after, skip=case.body or {}, opted_in=opted_in(response)
    )
    if found.mismatches:
        changes = "; ".join(found.mismatches)
        return failed(f"({case.source}) unsent properties changed: {changes}", response)
    return passed(deviation=_withheld(found))


def _sibling_unchanged(ctx: CheckContext, case: Case) -> Verdict | None:
    """The merge check's second half: writing one entity leaves its sibling alone."""
    if case.before is None or case.response is None:
        return None
    after = json_body(case.response)
    if case.response.status_code != 200 or not isinstance(after, dict):
        return failed(f"GET {case.path} returned {describe(case.response)}", case.response)
    found = compare_reads(ctx.contract, case.before, after, opted_in=opted_in(case.response))
    if found.mismatches:
        return failed(
            f"PATCH of {ctx.path} changed another entity ({case.path}): "
            + "; ".join(found.mismatches),
            case.response,
        )
    return passed(deviation=_withheld(found))


# --- checks of the probes -------------------------------------------------------------------


@check("rejection", judges=["invalid"])
def rejection(ctx: CheckContext, case: Case) -> Verdict | None:
    """An invalid body gets a 4xx with the OData error shape, and the entity stays as it was."""
    response = case.response
    assert response is not None
    code = response.status_code
    if not 400 <= code < 500 or code in NOT_A_REJECTION:
        outcome = "accepted" if 200 <= code < 300 else f"answered {describe(response)} to"
        what = f"{outcome} an invalid body ({case.source})"
        if not case.documented:  # nothing says a service must refuse it: report, never fail
            return passed(deviation=what)
        verdict = failed(what, response)
    elif problems := error_problems(response):
        verdict = failed(f"{code} for {case.source}, but " + "; ".join(problems), response)
    else:
        verdict = passed()
    changed = unchanged(ctx, case, f"rejected {case.source}")
    return verdict if verdict.failed or changed is None else changed


@check("auth", judges=["no-token", "wrong-token"])
def auth(ctx: CheckContext, case: Case) -> Verdict | None:
    """No token and a wrong token both get 401 with a challenge and the OData error shape."""
    response = case.response
    assert response is not None
    label = "no token" if case.kind == "no-token" else "a wrong token"
    if response.status_code != 401:
        return failed(f"PATCH with {label} returned {describe(response)}, expected 401", response)
    problems = error_problems(response)
    if "www-authenticate" not in response.headers:  # RFC 6750 §3
        problems.append("no WWW-Authenticate challenge")
    if problems:
        return failed(f"401 for {label}, but " + "; ".join(problems), response)
    return unchanged(ctx, case, f"a PATCH with {label} was refused") or passed()


@check("not-found", judges=["unknown-id"])
def not_found(ctx: CheckContext, case: Case) -> Verdict | None:
    """An unknown id gets 404 with the OData error shape, and a GET of it afterwards is 404 too."""
    response = case.response
    assert response is not None and case.path is not None
    if response.status_code != 404:
        return failed(
            f"PATCH of an unknown id returned {describe(response)}, expected 404", response
        )
    if problems := error_problems(response):
        return failed("404, but " + "; ".join(problems), response)
    again = ctx.client.get(case.path)
    if again.status_code != 404:
        return failed(f"PATCH of an unknown id created it: GET returned {describe(again)}", again)
    return passed()


# --- Schemathesis' own checks, on the same replies ---------------------------------------------

SENT = ("write", "invalid", "no-token", "wrong-token", "unknown-id")
# 503 is Graph's documented transient error (with or without Retry-After): after the client's
# bounded retries it is an outage to report, not a defect of the contract.
TRANSIENT = frozenset({503})


@check("not-a-server-error", judges=SENT)
def not_a_server_error(ctx: CheckContext, case: Case) -> Verdict | None:
    """Schemathesis' not_a_server_error on every reply: no 5xx, whatever was sent."""
    assert case.response is not None
    if case.response.status_code in TRANSIENT:
        return passed(deviation=f"{case.response.status_code} after retries ({case.source})")
    return _schemathesis_verdict(ctx, case, "not_a_server_error")


@check("response-schema-conformance", judges=SENT)
def response_schema_conformance(ctx: CheckContext, case: Case) -> Verdict | None:
    """Schemathesis' response_schema_conformance: the reply matches the OpenAPI of the docs."""
    assert case.response is not None
    if case.response.status_code in TRANSIENT:
        return None
    return _schemathesis_verdict(ctx, case, "response_schema_conformance")


def _schemathesis_verdict(ctx: CheckContext, case: Case, name: str) -> Verdict | None:
    """Run one of Schemathesis' checks on a reply the suite's own client received."""
    if ctx.operation is None or case.response is None:
        return None
    from datetime import timedelta

    import schemathesis
    from schemathesis.checks import CheckContext as SchemathesisContext
    from schemathesis.checks import not_a_server_error as server_error
    from schemathesis.core.failures import Failure, FailureGroup
    from schemathesis.specs.openapi.checks import response_schema_conformance as conformance

    operation, response = ctx.operation, case.response
    try:
        response.elapsed  # noqa: B018 - set by a real transport; a test's MockTransport has none
    except RuntimeError:
        response.elapsed = timedelta(0)
    sctx = SchemathesisContext(
        override=None,
        auth=None,
        headers=None,
        config=operation.schema.config.checks_config_for(operation=operation, phase="fuzzing"),
        transport_kwargs=None,
        response_checks=None,
    )
    scase = operation.Case(media_type="application/json", body=case.body)
    func = server_error if name == "not_a_server_error" else conformance
    try:
        func(sctx, schemathesis.Response.from_any(response), scase)
    except FailureGroup as group:
        return failed(
            f"({case.source}) " + "; ".join(_failure(f) for f in group.exceptions), response
        )
    except Failure as failure:
        return failed(f"({case.source}) {_failure(failure)}", response)
    return passed()


def _failure(failure: Exception) -> str:
    title = getattr(failure, "title", type(failure).__name__)
    message = (getattr(failure, "message", "") or "").strip().splitlines()
    return f"{title}: {message[0]}" if message else title


CHECK_NAMES: tuple[str, ...] = tuple(CHECKS)
