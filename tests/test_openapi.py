"""The OpenAPI 3.0.3 document: valid, complete for every contract path, and faithful to the mock."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from typer.testing import CliRunner

from graph_contracts import contracts as contract_files
from graph_contracts.cli import app as cli
from graph_contracts.contracts import Contract, Property, TypeDef
from graph_contracts.openapi import build, openapi_path

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def seeds() -> list[Contract]:
    return contract_files.load(ROOT / "contracts")


def rich_contract() -> Contract:
    """Read-only, complex, collection, flags enum, unresolved and duplicate parameter names."""
    types = {
        "microsoft.graph.size": TypeDef(
            "microsoft.graph.size", "complex", properties=[Property("width", "Edm.Int64")]
        ),
        "microsoft.graph.days": TypeDef(
            "microsoft.graph.days", "enum", members=["mon", "tue"], flags=True
        ),
    }
    return Contract(
        "v1.0",
        "microsoft.graph.widget",
        ["/users/{id}/calendars/{id}/widgets/{id | name}", "/me/widget"],
        [
            Property("id", "Edm.String", nullable=False, key=True),
            Property("created", "Edm.DateTimeOffset", read_only=True),
            Property("size", "microsoft.graph.size", nullable=True),
            Property("days", "microsoft.graph.days", nullable=False),
            Property("tags", "Collection(Edm.Guid)"),
            Property("mystery", "microsoft.graph.unresolved"),
            Property("ratio", "Edm.Single"),
        ],
        204,
        types=types,
    )


def test_document_validates_as_openapi_3_0_3(seeds):
    doc = build([*seeds, rich_contract()])
    assert doc["openapi"] == "3.0.3"
    validate(doc)
    json.dumps(doc)  # JSON-ready


def test_every_template_has_get_and_patch_with_its_parameters(seeds):
    doc = build(seeds)
    for contract in seeds:
        for template in contract.paths:
            path, _ = openapi_path(contract.version, template)
            operations = doc["paths"][path]
            assert set(operations) == {"get", "patch"}
            names = re.findall(r"\{([^}]+)\}", path)
            assert [p["name"] for p in operations["patch"]["parameters"]] == names
            if names:
                assert doc["paths"][path.rsplit("/", 1)[0]]["get"]["responses"]["200"]


def test_patch_request_schema_encodes_the_mock_rules(seeds):
    doc = build(seeds)
    contract = next(c for c in seeds if c.name == "deviceConfigurationUserStatus")
    schema = doc["components"]["schemas"][f"beta.{contract.resource}.update"]
    assert schema["additionalProperties"] is False and "minProperties" not in schema  # {} is valid
    assert schema["properties"]["@odata.type"]["enum"] == [contract.odata_type]
    assert "id" not in schema["properties"]
    count = schema["properties"]["devicesCount"]
    assert (count["type"], count["format"], count["minimum"], count["maximum"]) == (
        "integer",
        "int32",
        -(2**31),
        2**31 - 1,
    )
    when = schema["properties"]["lastReportedDateTime"]
    assert when["format"] == "date-time" and when["x-graph-type"] == "Edm.DateTimeOffset"
    status = schema["properties"]["status"]
    assert "compliant" in status["enum"]
    if contract.property("status").nullable:
        assert status["nullable"] is True and None in status["enum"]


def test_read_only_nullable_complex_and_duplicates():
    doc = build([rich_contract()])
    path = "/v1.0/users/{id}/calendars/{id2}/widgets/{id_name}"
    assert path in doc["paths"] and "/v1.0/me/widget" in doc["paths"]
    entity = doc["components"]["schemas"]["v1.0.microsoft.graph.widget"]["properties"]
    update = doc["components"]["schemas"]["v1.0.microsoft.graph.widget.update"]["properties"]
    assert entity["id"]["readOnly"] and entity["created"]["readOnly"]
    assert "created" not in update and "id" not in update
    assert update["size"]["nullable"] is True
    assert update["size"]["allOf"] == [
        {"$ref": "#/components/schemas/v1.0.microsoft.graph.size.input"}
    ]
    assert (
        doc["components"]["schemas"]["v1.0.microsoft.graph.size.input"]["additionalProperties"]
        is False
    )
    # Flags: members joined by commas, so a pattern rather than an enum.
    days = re.compile(update["days"]["pattern"])
    assert days.match("mon") and days.match("tue, mon") and not days.match("wed")
    assert "nullable" not in update["days"]
    assert update["tags"]["items"]["format"] == "uuid"
    # an unresolved type may be an enum or a complex type: a string or an object, no narrower
    assert update["mystery"]["anyOf"] == [{"type": "object"}, {"type": "string"}]
    assert update["ratio"]["format"] == "float"
    responses = doc["paths"][path]["patch"]["responses"]
    assert "204" in responses and "200" not in responses  # the contract documents 204
    # Replies: minimal metadata may omit @odata.type (or name a derived type); nullability the
    # docs leave open is nullable in a reply, never in a request.
    schema = doc["components"]["schemas"]["v1.0.microsoft.graph.widget"]
    assert "@odata.type" not in schema["required"] and "enum" not in entity["@odata.type"]
    open_nullability = [p.name for p in rich_contract().properties if p.nullable is None]
    for name in open_nullability:
        assert entity[name].get("nullable") is True, name
        assert not update.get(name, {}).get("nullable"), name


def test_errors_and_security(seeds):
    doc = build(seeds)
    error = doc["components"]["schemas"]["ODataError"]
    assert error["required"] == ["error"]
    assert set(error["properties"]["error"]["properties"]["innerError"]["properties"]) == {
        "date",
        "request-id",
        "client-request-id",
    }
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert doc["security"] == [{"bearerAuth": []}]
    for operations in doc["paths"].values():
        for operation in operations.values():
            assert operation["responses"]["401"] == {"$ref": "#/components/responses/Error"}


def test_mock_replies_match_the_response_schemas(seeds):
    import anyio
    import httpx
    from jsonschema import Draft4Validator

    from graph_contracts.mock import create_app

    doc = build(seeds)
    app = create_app(seeds)
    store = app.state.graph.store

    async def get(path: str) -> dict:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as http:
            return (await http.get(path, headers={"Authorization": "Bearer t"})).json()

    for contract in seeds:
        path = f"/{contract.version}" + store.sample(contract.version, contract.paths[0])
        body = anyio.run(get, path)
        schema = _inline(doc["components"]["schemas"][f"{contract.version}.{contract.resource}"])
        Draft4Validator(schema).validate(body)
        assert set(body) <= set(schema["properties"])


def _inline(schema):
    """3.0 `nullable` as Draft 4 understands it (enough for the primitive seed properties)."""
    props = {}
    for name, prop in schema["properties"].items():
        prop = {k: v for k, v in prop.items() if not k.startswith("x-") and k != "readOnly"}
        if prop.pop("nullable", False) and "type" in prop:
            prop["type"] = [prop["type"], "null"]
        props[name] = prop
    return {**schema, "properties": props}


def test_cli_prints_the_document_and_fails_cleanly():
    runner = CliRunner()
    result = runner.invoke(cli, ["openapi", "--contracts", str(ROOT / "contracts")])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["openapi"] == "3.0.3"
    missing = runner.invoke(cli, ["openapi", "--contracts", str(ROOT / "no-such-dir")])
    assert missing.exit_code == 2 and "contracts folder not found" in missing.stderr
    assert "Traceback" not in missing.output


def test_a_reply_valid_for_several_types_sharing_a_template_conforms() -> None:
    """Derived types share their base's properties: an entity valid under two of the schemas
    of a shared template is a faithful reply (`oneOf` called it a violation)."""
    import jsonschema

    def policy(name: str, own: str) -> Contract:
        props = [Property("id", "Edm.String", key=True), Property("displayName", "Edm.String")]
        return Contract(
            version="beta",
            resource=f"microsoft.graph.{name}",
            paths=["/policies/{policyId}"],
            properties=[*props, Property(own, "Edm.Boolean")],
            status=200,
        )

    doc = build([policy("androidPolicy", "androidOnly"), policy("iosPolicy", "iosOnly")])
    operation = doc["paths"]["/beta/policies/{policyId}"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert "anyOf" in schema and "oneOf" not in json.dumps(doc)
    resolver = {"components": doc["components"], **schema}
    jsonschema.validate({"id": "p1", "displayName": "Both"}, resolver)


def test_reply_schemas_judge_as_the_shape_check_and_requests_send_the_types_spelling() -> None:
    """Schemathesis' response_schema_conformance runs on the same replies as `shape`: a member in
    another case or `unknownFutureValue` must not fail there either; a stream is in no request."""
    import jsonschema

    response = TypeDef(
        "microsoft.graph.responseType", "enum", members=["none", "organizer", "accepted"]
    )
    days = TypeDef("microsoft.graph.days", "enum", members=["mon", "tue"], flags=True)
    contract = Contract(
        "v1.0",
        "microsoft.graph.event",
        ["/events/{id}"],
        [
            Property("id", "Edm.String", key=True),
            Property("response", response.name, enum=["None", "Organizer", "Accepted"]),
            Property("days", days.name),
            Property("logo", "Edm.Stream"),
        ],
        200,
        types={response.name: response, days.name: days},
    )
    doc = build([contract])
    validate(doc)
    schemas = doc["components"]["schemas"]
    reply = schemas["v1.0.microsoft.graph.event"]["properties"]
    update = schemas["v1.0.microsoft.graph.event.update"]["properties"]
    assert update["response"]["enum"] == ["none", "organizer", "accepted"]  # the type's spelling
    assert "logo" not in update and reply["logo"]["x-graph-type"] == "Edm.Stream"
    assert "type" not in reply["logo"]

    def conforms(name: str, value: object) -> bool:
        return jsonschema.Draft4Validator(reply[name]).is_valid(value)

    for value in ("organizer", "Organizer", "ORGANIZER", "unknownFutureValue"):
        assert conforms("response", value), value
    assert not conforms("response", "chair") and not conforms("response", "organizers")
    assert conforms("days", "Mon, tue") and not conforms("days", "mon,wed")
    assert conforms("logo", 12)
