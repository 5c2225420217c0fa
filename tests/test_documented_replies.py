"""Microsoft's own replies, judged as a live reply is: no false alarm where the docs' values are real.

The corpus holds 898 documented `200` replies to update requests (the response examples of the
PATCH pages, 2021-07). Each is judged by `checks.judge_reply`, the code the `shape` check runs on a
live reply, with `@odata.context` added where the docs trim it. What fails must be a defect of the
docs, and lint must report it (`response-example-invalid`, at the property's line); the CSDL of
the same date, which we did not write, must agree that each failing value is invalid, and that the
values the judgement lets through as deviations are real members.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from graph_contracts import bodies, checks, edm
from graph_contracts.checks import Verdict
from graph_contracts.contracts import Contract, Example
from graph_contracts.edm import Problem, ProblemKind
from graph_contracts.extract import extract_paths
from graph_contracts.lint import RESPONSE_EXAMPLE_INVALID, lint_contract
from graph_contracts.metadata import Csdl, load_csdl

pytestmark = pytest.mark.slow

CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#entity/$entity"
REPLIES = 898  # documented 200 replies with a JSON object body, 2021-07 corpus
FAILING_REPLIES = 22
FAILING_VALUES = 29
# The docs' placeholders: a type's name (`"String"`, `"Date"`), `<name>-value`, `""` for an enum.
PLACEHOLDER = re.compile(r"^(|String|Date|[A-Za-z]+-value)$")
# Real-looking values that are wrong all the same, and why.
DOCS_DEFECTS = {
    ("v1.0/api/contact-update.md", "birthday"): "a date (`1974-07-22`) where contact.birthday is "
    "an Edm.DateTimeOffset: the service answers an instant",
}
# Replies that failed before the judgement followed OData (issue 15), and what they show now.
FORMER_FALSE_ALARMS = {
    # Members no table lists, nested: notes (OData 4.01 Part 1: clients MUST expect them).
    "beta/api/educationrubric-update.md": "qualities[0].criteria[0].id",
    "v1.0/api/educationrubric-update.md": "qualities[0].criteria[0].id",
    # identitySet and identity are open types (CSDL OpenType="true").
    "beta/api/onlinemeeting-update.md": "participants.organizer.identity.applicationInstance",
    "v1.0/api/onlinemeeting-update.md": "participants.organizer.identity.user.tenantId",
}
ANDROID_APP_PAGES = (
    "androidlobapp",
    "androidstoreapp",
    "managedandroidlobapp",
    "managedandroidstoreapp",
)
# Replies that showed an extraction loss (issue 15; stream i15-extract fixed them): each now
# passes with nothing to say of the member its table lost, and the value is the table's.
FORMER_EXTRACTION_LOSSES = {
    **{
        (f"{version}/api/intune-apps-{page}-update.md", "minimumSupportedOperatingSystem.v4_0_3"): (
            "underscores inside a name were read as emphasis (`v4_0_3` became `v403`)"
        )
        for version in ("beta", "v1.0")
        for page in ANDROID_APP_PAGES
    },
    **{
        (
            "beta/api/intune-esim-embeddedsimactivationcodepool-update.md",
            f"activationCodes[0].{member}",
        ): "a row whose cells wrap over several lines was dropped"
        for member in ("matchingIdentifier", "smdpPlusServerAddress")
    },
    **{
        (f"{version}/api/place-update.md", "bookingType"): "the type was taken from the link "
        "target (`room`) and the members from the prose (`Standard`)"
        for version in ("beta", "v1.0")
    },
    # The service spells members as CSDL does (`organizer`); the prose list is capitalised.
    **{
        ("v1.0/api/group-update-event.md", where): "enum members were spelled as the prose, "
        "not as the enum's own page"
        for where in ("responseStatus.response", "attendees[0].status.response")
    },
}


@dataclass
class Judged:
    contract: Contract
    example: Example
    body: dict[str, Any]
    verdict: Verdict
    failures: list[Problem]

    @property
    def file(self) -> str:
        return self.example.file


@pytest.fixture(scope="module")
def contracts(corpus: Path) -> list[Contract]:
    root = corpus / "graph-docs" / "api-reference"
    return extract_paths([root / "beta" / "api", root / "v1.0" / "api"]).contracts


@pytest.fixture(scope="module")
def judged(contracts: list[Contract]) -> list[Judged]:
    out = []
    for contract in contracts:
        accepted = bodies.accepted_types(contract)
        for example in contract.examples:
            if example.kind != "response" or example.status != 200:
                continue
            if not isinstance(example.body, dict):
                continue
            body = {"@odata.context": CONTEXT, **example.body}  # the docs trim it
            verdict = checks.judge_reply(
                contract, body, "application/json", accepted_types=accepted
            )
            typed = bodies.judge_reply(contract, body, accepted_types=accepted).failures
            out.append(Judged(contract, example, body, verdict, typed))
    return out


@pytest.fixture(scope="module")
def csdl(corpus: Path) -> dict[str, Csdl]:
    return {v: load_csdl(corpus / "csdl" / f"{v}_metadata.xml") for v in ("beta", "v1.0")}


def value_at(body: Any, where: str) -> Any:
    """The value at a problem's path (`detail.startMonthYear`, `attendees[0].status.response`)."""
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", where):
        body = body[int(index)] if index else body[name]
    return body


# The docs' name for a type the CSDL of the same date names otherwise.
CSDL_NAMES = {"microsoft.graph.personAnniversary": "microsoft.graph.personAnnualEvent"}


def csdl_type(csdl: Csdl, resource: str, where: str) -> str:
    """The CSDL type of the member at `where`, walked from the entity type."""
    current = CSDL_NAMES.get(resource, resource)
    for name in re.sub(r"\[\d+\]", "", where).split("."):
        current = edm.split_collection(csdl.properties(current)[name].type)[1]
    return current


def test_every_documented_reply_is_judged(judged: list[Judged]) -> None:
    assert len(judged) == REPLIES
    # The judgement is the shape check's: a verdict fails exactly when its typed failures exist.
    assert all(j.verdict.failed is bool(j.failures) for j in judged)


def test_no_false_alarm_where_the_docs_values_are_real(judged: list[Judged]) -> None:
    failing = [j for j in judged if j.verdict.failed]
    assert len(failing) == FAILING_REPLIES, [(j.file, j.verdict.message) for j in failing]
    values = [(j, p, value_at(j.body, p.where)) for j in failing for p in j.failures]
    assert len(values) == FAILING_VALUES
    real = [
        (j.file, p.where, value)
        for j, p, value in values
        if not (isinstance(value, str) and PLACEHOLDER.match(value))
        and (j.file, p.where) not in DOCS_DEFECTS
    ]
    assert real == []
    kinds = Counter(p.kind for _, p, _ in values)
    assert kinds == {ProblemKind.BAD_FORMAT: 19, ProblemKind.UNKNOWN_MEMBER: 10}
    # Every known docs defect is still among them (the list cannot go stale silently).
    assert set(DOCS_DEFECTS) <= {(j.file, p.where) for j, p, _ in values}


def test_the_csdl_agrees_each_failing_value_is_invalid(
    judged: list[Judged], csdl: dict[str, Csdl]
) -> None:
    """Microsoft's CSDL of the same date, not our tables: each failing value is invalid for the
    member's CSDL type (a Date, a DateTimeOffset, a TimeOfDay, an enum without that member)."""
    checked = 0
    for j in (j for j in judged if j.verdict.failed):
        schema = csdl[j.contract.version]
        for problem in j.failures:
            value = value_at(j.body, problem.where)
            name = csdl_type(schema, j.contract.resource, problem.where)
            typedef = schema.types.get(name)
            if typedef is not None and typedef.kind == "enum":
                assert value.casefold() not in {m.casefold() for m in typedef.members}
            else:
                found = edm.value_problems(value, name, {})
                assert any(p.kind.rejection_documented for p in found), (j.file, problem)
            checked += 1
    assert checked == FAILING_VALUES


def test_lint_reports_every_failing_value_at_its_property(
    judged: list[Judged], contracts: list[Contract], corpus: Path
) -> None:
    wanted = Counter(
        (j.file, f"response example: {p}") for j in judged if j.verdict.failed for p in j.failures
    )
    findings = [
        f
        for contract in contracts
        for f in lint_contract(contract)
        if f.rule == RESPONSE_EXAMPLE_INVALID
    ]
    assert len(findings) == FAILING_VALUES
    assert all(f.severity == "error" for f in findings)
    got = Counter((f.file, f.message.split(" (table type")[0]) for f in findings)
    assert got == wanted
    pages = corpus / "graph-docs" / "api-reference"
    for finding in findings:  # the line is the property's own, in the page itself
        key = finding.message.removeprefix("response example: ").split(":")[0]
        top = key.split(".")[0].split("[")[0]
        lines = (pages / finding.file).read_text(encoding="utf-8").splitlines()
        assert f'"{top}"' in lines[finding.line - 1], (finding.location, top)


def test_the_former_false_alarms_pass_with_what_they_show(judged: list[Judged]) -> None:
    for file, shown in FORMER_FALSE_ALARMS.items():
        (j,) = [j for j in judged if j.file == file]
        assert j.verdict.outcome == "passed", (file, j.verdict.message)
        assert shown in j.verdict.message + (j.verdict.deviation or ""), file


def test_the_former_extraction_losses_are_judged_by_their_tables(
    judged: list[Judged], csdl: dict[str, Csdl]
) -> None:
    """Each value now passes as the table's own, with no note or deviation: a regression of the
    extraction shows here as the note it was. The CSDL agrees the values are real."""
    for (file, where), why in FORMER_EXTRACTION_LOSSES.items():
        (j,) = {id(j): j for j in judged if j.file == file and _holds(j.body, where)}.values()
        said = j.verdict.message + (j.verdict.deviation or "")
        assert j.verdict.outcome == "passed" and where.split(".")[-1] not in said, (file, why)
        schema = csdl[j.contract.version]
        named = str(j.body.get("@odata.type", j.contract.resource)).removeprefix("#")
        name = csdl_type(schema, named, where)  # place-update.md answers a room
        if schema.types.get(name) is not None and schema.types[name].kind == "enum":
            assert value_at(j.body, where) in schema.types[name].members, (file, where)


def _holds(body: Any, where: str) -> bool:
    try:
        value_at(body, where)
    except (KeyError, IndexError, TypeError):
        return False
    return True
