"""THE PATCH-body oracle: one function decides what is wrong with a body, as typed `Problem`s.

Lint, the payload strategies, the mock and the shape check used to judge bodies each with their own
rules (a derived `@odata.type` and `{}` came out differently). Now they all call `problems` and map
its typed problems to their own outputs: lint findings, invalid cases, 400s, shape failures.
Whether a problem makes a body *invalid* is the problem kind's documented rejection
(`edm.ProblemKind.rejection_documented`), never the consumer's opinion.

Request mode (a PATCH body):
- the body is a JSON object; `{}` is `empty-body`, which sets nothing and is invalid nowhere;
- key and read-only properties are valid and not judged: the service ignores them (OData 4.01
  §11.4.3), so only a lone surrogate in them counts;
- `@odata.type` must be an accepted type (`accepted_types`); properties the contract does not list
  are `unknown-property`, except when the body names an accepted derived type: the base type's
  table cannot judge that type's own properties;
- annotations (`x@odata.type`, `@odata.etag`, ...) are not values;
- Graph's evolvable-enum sentinel `unknownFutureValue` is `unknown-future-value`: a client never
  writes it (a PATCH that sends it leaves the property as it was), though no source has it refused.

Reply mode (the entity a service answers with): `@odata.type` is optional (minimal metadata omits it
for an instance of the declared type) but, present, must be accepted; undocumented properties are
not problems (`undocumented` lists them for the report); null where nullability is unknown is fine;
every documented property, the key and read-only ones included, is judged, except an `Edm.Stream`
(never inline in an entity's JSON: a stream is read from its own URL). `judge_reply` sorts what it
finds into failures, deviations and notes, for the `shape` check, lint's response examples and the
test of the docs' own replies alike.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from graph_contracts import edm
from graph_contracts.contracts import ABSTRACT_ROOT, NAMESPACE, Contract
from graph_contracts.edm import Problem, ProblemKind

Verdict = Literal["valid", "invalid", "uncertain"]


def problems(
    contract: Contract,
    body: Any,
    *,
    reply: bool = False,
    accepted_types: frozenset[str] | None = None,
) -> list[Problem]:
    """Everything wrong with `body` as a PATCH body (or, `reply=True`, as the entity replied).

    `accepted_types` (qualified names, `#` optional) defaults to `accepted_types(contract)`.
    """
    if not isinstance(body, dict):
        kind = edm.json_kind(body)
        return [Problem(ProblemKind.NOT_AN_OBJECT, "body", f"expected a JSON object, got {kind}")]
    if not body and not reply:
        return [Problem(ProblemKind.EMPTY_BODY, "body", "`{}` sets nothing")]
    accepted = accepted_types if accepted_types is not None else _default_accepted(contract)
    derived = _names_derived_type(contract, body, accepted)
    found: list[Problem] = []
    for key, value in body.items():
        if edm.has_lone_surrogate(key):
            found.append(edm.lone_surrogate(edm.printable(key), key))
        elif key == "@odata.type":
            found += _odata_type_problems(contract, value, accepted)
        elif "@" in key:  # instance and property annotations are not values
            found += edm.surrogate_problems(value, key)
        else:
            found += _property_problems(contract, key, value, reply=reply, derived=derived)
    return found


def _property_problems(
    contract: Contract, key: str, value: Any, *, reply: bool, derived: bool
) -> list[Problem]:
    prop = contract.property(key)
    if prop is None:
        if reply or derived:  # undocumented in a reply; a derived type's own in a request
            return edm.surrogate_problems(value, key)
        message = f"not a property of {contract.name}"
        return [Problem(ProblemKind.UNKNOWN_PROPERTY, key, message)]
    if not reply and not prop.updatable:  # ignored by the service (OData 4.01 §11.4.3)
        return edm.surrogate_problems(value, key)
    if reply and edm.is_stream(prop.type):  # never inline in an entity's JSON: nothing to judge
        return []
    found = edm.value_problems(
        value, prop.type, contract.types, enum=prop.enum, nullable=prop.nullable, where=key
    )
    if reply:  # null for what the docs leave open; the sentinel, for members not opted in to
        found = [p for p in found if p.kind not in REPLY_ALLOWED]
    return found


def _odata_type_problems(contract: Contract, value: Any, accepted: frozenset[str]) -> list[Problem]:
    if isinstance(value, str) and _bare(value) in accepted:
        return []
    shown = edm.printable(value) if isinstance(value, str) else value
    message = f"{shown!r} is neither {contract.odata_type} nor a type derived from it"
    return [Problem(ProblemKind.WRONG_ODATA_TYPE, "@odata.type", message)]


def _names_derived_type(contract: Contract, body: dict, accepted: frozenset[str]) -> bool:
    value = body.get("@odata.type")
    return isinstance(value, str) and _bare(value) in accepted and _bare(value) != contract.resource


def undocumented(contract: Contract, body: Any) -> list[str]:
    """Properties of a (reply) body the contract does not list, in body order; annotations aside."""
    if not isinstance(body, dict):
        return []
    return [k for k in body if "@" not in k and contract.property(k) is None]


# --- judging a reply ----------------------------------------------------------------------------

# What a reply may carry that a request may not: null where the docs leave nullability open, and
# Graph's evolvable-enum sentinel, which a service answers for a member declared after it.
REPLY_ALLOWED = frozenset({ProblemKind.NULL_NULLABILITY_UNKNOWN, ProblemKind.SENTINEL})

# OData JSON 4.01 §3.2: with IEEE754Compatible=true a service writes these (and only these) as
# strings; a reply saying so may, any other may not (a writer follows the format).
IEEE754_STRINGS = frozenset({"Edm.Int64", "Edm.Decimal"})
# Never a reply's failure: a value the docs do not list (new members, `unknownFutureValue`), a
# member spelled in another case (Graph answers as CSDL spells it), a type that may be derived.
REPLY_DEVIATIONS = frozenset(
    {ProblemKind.UNLISTED_VALUE, ProblemKind.MEMBER_CASE, ProblemKind.UNKNOWN_DERIVED_TYPE}
)


@dataclass
class ReplyJudgement:
    """What an entity a service answered shows, by what each finding means.

    `failures`: the reply is not the documented format (the `shape` check fails, lint reports a
    response example); `deviations`: allowed by OData or Graph, not as documented (reported);
    `undocumented`: members no table lists, at every depth (notes: OData 4.01 Part 1, Protocol,
    says clients MUST be prepared to receive properties metadata does not advertise, even for
    types not marked as open).
    """

    failures: list[Problem] = field(default_factory=list)
    deviations: list[Problem] = field(default_factory=list)
    undocumented: list[str] = field(default_factory=list)


def judge_reply(
    contract: Contract,
    body: dict[str, Any],
    *,
    accepted_types: frozenset[str] | None = None,
    hierarchy_known: bool = False,
    ieee754_compatible: bool = False,
) -> ReplyJudgement:
    """Judge an entity a service answered (a JSON object) as OData says a client must.

    `hierarchy_known`: a CSDL gave the whole type hierarchy, so an `@odata.type` the contract does
    not accept is wrong for sure (without one it may be derived: a deviation).
    `ieee754_compatible`: the reply's Content-Type says `IEEE754Compatible=true`.
    """
    accepted = accepted_types if accepted_types is not None else _default_accepted(contract)
    judged = ReplyJudgement(undocumented=undocumented(contract, body))
    for problem in problems(contract, body, reply=True, accepted_types=accepted):
        if problem.where == "@odata.type":
            continue  # judged below, by what is known of the hierarchy
        if problem.kind is ProblemKind.UNKNOWN_PROPERTY:
            judged.undocumented.append(problem.where)
        elif problem.kind in REPLY_DEVIATIONS:
            if problem.kind is not ProblemKind.UNKNOWN_DERIVED_TYPE:  # nested: unverifiable
                judged.deviations.append(problem)
        elif not (ieee754_compatible and _ieee754_string(problem)):
            judged.failures.append(problem)
    _judge_odata_type(contract, body.get("@odata.type"), accepted, hierarchy_known, judged)
    return judged


def _ieee754_string(problem: Problem) -> bool:
    return problem.kind is ProblemKind.LENIENT_STRING and problem.type_name in IEEE754_STRINGS


def _judge_odata_type(
    contract: Contract,
    odata_type: Any,
    accepted: frozenset[str],
    hierarchy_known: bool,
    judged: ReplyJudgement,
) -> None:
    """Minimal metadata: `@odata.type` may be absent; present, the contract's type or derived.

    Without a CSDL a type the docs never name may still be derived from the contract's: a
    deviation, not a failure. Graph's abstract root is never an instance's type.
    """
    if odata_type is None:
        return
    if not isinstance(odata_type, str):
        message = f"{odata_type!r} is not a type name"
        judged.failures.append(Problem(ProblemKind.WRONG_ODATA_TYPE, "@odata.type", message))
        return
    named = _bare(odata_type)
    if named == contract.resource or named in accepted:
        return
    shown = edm.printable(odata_type)
    if hierarchy_known or named == ABSTRACT_ROOT:
        message = f"{shown!r} is not {contract.odata_type} or derived"
        judged.failures.append(Problem(ProblemKind.WRONG_ODATA_TYPE, "@odata.type", message))
        return
    message = f"{shown!r} may be a derived type (give --metadata to judge)"
    judged.deviations.append(Problem(ProblemKind.UNKNOWN_DERIVED_TYPE, "@odata.type", message))


def classify(
    contract: Contract, body: Any, accepted_types: frozenset[str] | None = None
) -> Verdict:
    """`valid` (no problem), `invalid` (every problem's rejection is documented) or `uncertain`.

    An uncertain body (`{}`, null where nullability is unknown, `"12"` for an Int64) is neither
    sent as a valid write nor expected to be rejected.
    """
    found = problems(contract, body, accepted_types=accepted_types)
    if not found:
        return "valid"
    return "invalid" if all(p.kind.rejection_documented for p in found) else "uncertain"


# --- accepted @odata.type values ------------------------------------------------------------


def accepted_types(
    contract: Contract, hierarchy: Mapping[str, Iterable[str]] | None = None
) -> frozenset[str]:
    """Types a body for `contract` may name in `@odata.type`, qualified and without `#`.

    The contract's own type; every `microsoft.graph.*` type its request examples send (the docs show
    it accepted: `aadUserConversationMember` on a `conversationMember` page); and the types a CSDL
    derives from it (`hierarchy`: base -> derived names, e.g. from `metadata.derived_types`).
    """
    names = {contract.resource, *documented_types(contract)}
    for base, derived in (hierarchy or {}).items():
        if _bare(base) == contract.resource:
            names.update(_bare(name) for name in derived)
    return frozenset(names)


def documented_types(contract: Contract) -> set[str]:
    """Qualified `microsoft.graph.*` types the contract's request examples send in `@odata.type`.

    Other names (`#Microsoft.OutlookServices.ConversationThread`) are what lint calls invalid, and
    the suite sends those examples as bodies to refuse.
    """
    found = set()
    for example in contract.examples:
        body = example.body if example.kind == "request" else None
        value = body.get("@odata.type") if isinstance(body, dict) else None
        if isinstance(value, str) and _bare(value).startswith(f"{NAMESPACE}."):
            found.add(_bare(value))
    return found


def _default_accepted(contract: Contract) -> frozenset[str]:
    return accepted_types(contract)


def _bare(name: str) -> str:
    """OData 4.01 JSON allows `@odata.type` with or without `#`."""
    return name.removeprefix("#")


# --- raw bytes ------------------------------------------------------------------------------


def parse(content: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity literals, no number that overflows a double.

    Raises ValueError (its message says why) for what `malformed-json` covers.
    """
    try:
        return json.loads(content.decode("utf-8"), parse_constant=_no_constant, parse_float=_finite)
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8: {exc}") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None


def judge(contract: Contract, content: bytes, **options: Any) -> list[Problem]:
    """`problems` of a raw request body, `malformed-json` when it does not parse."""
    try:
        body = parse(content)
    except ValueError as exc:
        return [Problem(ProblemKind.MALFORMED_JSON, "body", f"not valid JSON: {exc}")]
    return problems(contract, body, **options)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text} is out of range")
    return value
