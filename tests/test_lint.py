"""Doc lint: example bodies judged by their own property table, findings by file:line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph_contracts.cli import app
from graph_contracts.contracts import Contract, Example, Finding, Property, TypeDef
from graph_contracts.lint import _key_lines, lint_contract, sort_findings

COMPLIANCE = ["unknown", "notApplicable", "compliant", "remediated", "nonCompliant", "error"]


def user_status(*examples: Example) -> Contract:
    return Contract(
        version="beta",
        resource="microsoft.graph.deviceConfigurationUserStatus",
        paths=["/deviceManagement/deviceConfigurations/{a}/userStatuses/{b}"],
        properties=[
            Property("id", "Edm.String", key=True, nullable=False),
            Property("userDisplayName", "Edm.String"),
            Property("devicesCount", "Edm.Int32", nullable=False),
            Property("status", "microsoft.graph.complianceStatus", enum=COMPLIANCE),
            Property("lastReportedDateTime", "Edm.DateTimeOffset", nullable=False),
            Property("tags", "Collection(Edm.String)"),
        ],
        status=200,
        types={
            "microsoft.graph.complianceStatus": TypeDef(
                "microsoft.graph.complianceStatus", "enum", members=COMPLIANCE
            )
        },
        examples=list(examples),
    )


def example(body: object, *, kind="request", line=10, body_line=14, method="PATCH") -> Example:
    text = json.dumps(body, indent=2)
    return Example(
        kind=kind,
        file="page.md",
        line=line,
        method=method if kind == "request" else None,
        status=200 if kind == "response" else None,
        body=body,
        body_text=text,
        body_line=body_line,
    )


SEED_000_BODY = {
    "@odata.type": "#microsoft.graph.deviceConfigurationUserStatus",
    "userDisplayName": "User Display Name value",
    "devicesCount": 12,
    "status": "String",
    "lastReportedDateTime": "2017-01-01T00:00:59.8078557+03:00",
}


def test_valid_request_example_has_no_findings():
    body = {**SEED_000_BODY, "status": "compliant", "tags": ["a"], "userDisplayName": None}
    assert lint_contract(user_status(example(body))) == []


def test_enum_placeholder_is_flagged_at_the_property_line():
    findings = lint_contract(user_status(example(SEED_000_BODY)))
    assert [(f.rule, f.severity, f.file, f.line) for f in findings] == [
        ("example-invalid", "error", "page.md", 18)  # `{` on 14, status is the 5th line
    ]
    assert "'String' is not a member of microsoft.graph.complianceStatus" in findings[0].message


@pytest.mark.parametrize(
    ("prop", "value", "expected"),
    [
        ("lastReportedDateTime", "String (timestamp)", "not an OData DateTimeOffset"),
        ("devicesCount", "Integer", "expected Edm.Int32 as a JSON integer, got string"),
        ("devicesCount", 2**31, "outside the Edm.Int32 range"),
        ("devicesCount", None, "null is not allowed"),
        ("tags", "a", "expected an array of Edm.String"),
        ("lastReportedDateTime", "2017-01-01T00:00:00+15:00", "beyond ±14:00"),
    ],
)
def test_invalid_values(prop, value, expected):
    (finding,) = lint_contract(user_status(example({prop: value})))
    assert finding.rule == "example-invalid" and finding.severity == "error"
    assert expected in finding.message and prop in finding.message
    assert finding.line == 15  # the only key sits on the line after `{`


def test_unknown_property_is_an_error_but_annotations_are_not():
    body = {
        "@odata.type": "#microsoft.graph.deviceConfigurationUserStatus",
        "@odata.etag": "W/1",
        "status@odata.type": "#microsoft.graph.complianceStatus",
        "colour": "red",
        "devicesCount": 1,
    }
    (finding,) = lint_contract(user_status(example(body)))
    assert finding.rule == "example-unknown-property" and finding.severity == "error"
    assert "'colour'" in finding.message and finding.line == 18


def test_odata_type_mismatch_is_reported():
    other = lint_contract(user_status(example({"@odata.type": "#microsoft.graph.userAppStatus"})))
    assert [(f.rule, f.line) for f in other] == [("example-odata-type", 15)]
    assert "#microsoft.graph.deviceConfigurationUserStatus" in other[0].message
    garbage = lint_contract(user_status(example({"@odata.type": 5})))
    assert [(f.rule, f.severity) for f in garbage] == [("example-invalid", "error")]
    # Without the leading `#` the name still names the type.
    plain = {"@odata.type": "microsoft.graph.deviceConfigurationUserStatus"}
    assert lint_contract(user_status(example(plain))) == []


def test_response_examples_are_judged_as_a_live_reply():
    """An invalid value is an error (the service never answers `"Integer"` for an Int32); an
    undocumented member a warning (the table may be incomplete, OData allows more members)."""
    body = {"id": "x", "devicesCount": "Integer", "extra": 1}
    findings = lint_contract(user_status(example(body, kind="response")))
    assert sorted((f.rule, f.severity, f.line) for f in findings) == [
        ("example-unknown-property", "warning", 17),
        ("response-example-invalid", "error", 16),
    ]
    invalid = next(f for f in findings if f.severity == "error")
    assert "devicesCount: expected Edm.Int32 as a JSON integer, got string 'Integer'" in (
        invalid.message
    )
    # What a live reply only deviates in is no finding: a member in another case, the
    # evolvable-enum sentinel where the list lacks it. An unknown member fails a live reply.
    for quiet in ("NonCompliant", "unknownFutureValue"):
        assert lint_contract(user_status(example({"status": quiet}, kind="response"))) == []
    wrong = lint_contract(user_status(example({"status": "x"}, kind="response")))
    assert [f.rule for f in wrong] == ["response-example-invalid"]


def test_collection_response_items_are_checked():
    body = {"@odata.context": "x", "value": [{"devicesCount": 1}, {"devicesCount": "two"}]}
    findings = lint_contract(user_status(example(body, kind="response")))
    assert [f.rule for f in findings] == ["response-example-invalid"]


def test_non_object_body_and_other_methods():
    (finding,) = lint_contract(user_status(example(["a"])))
    assert finding.rule == "example-invalid" and "expected a JSON object" in finding.message
    assert finding.line == 14
    # A GET request shown on the page is not a PATCH body.
    assert lint_contract(user_status(example({"colour": 1}, method="GET"))) == []
    # A body the extractor could not parse carries no values to judge.
    broken = Example("request", "page.md", 10, method="PATCH", body=None, body_text="{ oops")
    assert lint_contract(user_status(broken)) == []


def test_line_falls_back_to_the_example_line_without_body_line():
    (finding,) = lint_contract(user_status(example({"devicesCount": "x"}, body_line=None)))
    assert finding.line == 10


def test_nested_keys_do_not_shadow_top_level_lines():
    text = (
        '{\n  "a": {\n    "b": "x:y",\n    "c": 1\n  },\n  "b": "q\\"\\n",\n  "c": [1, {"d": 2}]\n}'
    )
    assert _key_lines(text) == {"a": 1, "b": 5, "c": 6}


def test_sort_findings_orders_and_dedupes():
    a = Finding("r", "error", "m", "b.md", 3)
    b = Finding("r", "warning", "m", "a.md", 9)
    c = Finding("r", "info", "m", "a.md", None)
    assert sort_findings([a, b, c, a]) == [c, b, a]


# --- on the seed pages (needs the extractor) ----------------------------------------------------

runner = CliRunner()


def _lint_json(*paths: Path) -> tuple[int, list[dict], str]:
    result = runner.invoke(app, ["lint", *map(str, paths), "--json"])
    return result.exit_code, json.loads(result.stdout), result.stderr


def test_seed_examples_are_flagged(seeds):
    code, findings, _ = _lint_json(seeds)
    assert code == 1
    invalid = {
        (Path(f["file"]).name[:3], f["line"]) for f in findings if f["rule"] == "example-invalid"
    }
    # 000 "status": "String" (line 76), 002 "String (timestamp)", 003 "Integer" x3 (lines 77-79).
    assert ("000", 76) in invalid
    assert {("003", 77), ("003", 78), ("003", 79)} <= invalid
    assert any(name == "002" for name, _ in invalid)
    by_rule = {f["rule"] for f in findings}
    assert {
        "todo-placeholder",
        "missing-permissions",
        "collection-path",
        "pages-disagree",
    } <= by_rule
    for f in findings:
        assert set(f) == {"rule", "severity", "message", "file", "line"}
        assert f["severity"] in {"error", "warning", "info"}
    assert findings == sorted(findings, key=lambda f: (f["file"], f["line"] or 0))


def test_seed_002_timestamp_placeholder_points_at_its_line(seeds):
    page = next(seeds.glob("002_*"))
    code, findings, _ = _lint_json(page)
    lines = page.read_text().splitlines()
    hits = [f for f in findings if "String (timestamp)" in f["message"]]
    assert hits and code == 1
    assert all('"String (timestamp)"' in lines[f["line"] - 1] for f in hits)


def test_clean_page_exits_zero(seeds, tmp_path):
    page = next(seeds.glob("004_*"))
    result = runner.invoke(app, ["lint", str(page)])
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert result.exit_code == (1 if errors else 0)
    assert result.stdout.strip().splitlines()[-1].startswith("lint:")


def test_human_output_format(seeds):
    page = next(seeds.glob("003_*"))
    result = runner.invoke(app, ["lint", str(page)])
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert f"{page.name}:77: error: example-invalid: " in result.stdout
    assert lines[-1].startswith("lint:") and "error" in lines[-1]


def test_bad_input_is_one_line_and_others_still_linted(seeds, tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_text("")
    binary = tmp_path / "blob.md"
    binary.write_bytes(b"\x00\x01\x02\xff" * 50)
    page = next(seeds.glob("003_*"))
    result = runner.invoke(app, ["lint", str(empty), str(binary), str(page)])
    assert result.exit_code == 1
    err = result.stderr.strip().splitlines()
    assert len(err) == 2 and any("empty.md" in e for e in err) and any("blob.md" in e for e in err)
    assert "Traceback" not in result.output
    assert "example-invalid" in result.stdout  # the good page was still linted


def test_only_bad_input_exits_one(tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_text("")
    result = runner.invoke(app, ["lint", str(empty)])
    assert result.exit_code == 1 and "empty.md" in result.stderr


def test_derived_type_example_properties_are_not_unknown():
    body = {"@odata.type": "#microsoft.graph.specialUserStatus", "special": 1, "devicesCount": "x"}
    findings = lint_contract(user_status(example(body)))
    assert sorted(f.rule for f in findings) == ["example-invalid", "example-odata-type"]


def _locate(shown: str, root: Path) -> Path:
    """Findings name files relative to the folder above the inputs; find the real file."""
    bases = (Path.cwd(), root, root.parent, root.parent.parent)
    return next(base / shown for base in bases if (base / shown).is_file())


@pytest.mark.slow
def test_corpus_lint_points_inside_real_files(corpus):
    """Whole-corpus lint: no crash, and every finding's file:line exists (the line is real)."""
    from graph_contracts.lint import lint_paths

    root = corpus / "graph-docs" / "api-reference" / "v1.0"
    findings, errors = lint_paths([root])
    invalid = [f for f in findings if f.rule == "example-invalid" and f.severity == "error"]
    assert len(findings) > 100 and invalid
    lengths: dict[str, int] = {}
    for f in findings:
        path = _locate(f.file, root)
        if f.file not in lengths:
            lengths[f.file] = len(path.read_text(encoding="utf-8", errors="replace").splitlines())
        assert f.line is None or 1 <= f.line <= lengths[f.file], f
    # A property-level finding names its property, and that line of the page names it too.
    for f in invalid[:50]:
        key = f.message.split(": ", 2)[1].split(".")[0].split("[")[0]
        path = _locate(f.file, root)
        line = path.read_text(encoding="utf-8", errors="replace").splitlines()[f.line - 1]
        assert key.startswith("@") or f'"{key}"' in line, (f, line)
    assert all(": " in e for e in errors)


@pytest.mark.parametrize("kind", ["request", "response"])
def test_an_open_types_dynamic_members_are_no_finding(kind: str) -> None:
    """identitySet is `OpenType="true"` in CSDL (TypeDef.open): its members no table lists are
    the type's by design, in a request as in a reply; a closed type's are reported."""
    identity_set = TypeDef(
        "microsoft.graph.identitySet", "complex", properties=[Property("user", "Edm.String")]
    )
    contract = user_status(example({"organizer": {"user": "u", "app": "a"}}, kind=kind))
    contract.properties.append(Property("organizer", identity_set.name))
    contract.types[identity_set.name] = identity_set
    closed = lint_contract(contract)
    assert [f.rule for f in closed] == ["example-unknown-property"]
    assert "organizer.app" in closed[0].message and closed[0].line == 15
    identity_set.open = True
    assert lint_contract(contract) == []
