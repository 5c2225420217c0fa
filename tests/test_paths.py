"""One path-template parser: typed segments for the tricky templates of the 2021-07 corpus."""

from __future__ import annotations

import pytest

from graph_contracts import paths
from graph_contracts.discovery import Discoverer, Resolved
from graph_contracts.mock.store import Step, parse_template
from graph_contracts.openapi import openapi_path
from graph_contracts.paths import Segment


def lit(name: str) -> Segment:
    return Segment("literal", name)


def key(name: str, prefix: str = "", suffix: str = "") -> Segment:
    return Segment("key", name, prefix, suffix)


def cast(name: str) -> Segment:
    return Segment("cast", name)


# Templates as the corpus writes them (tests/test_corpus.py extracts them all).
CASES = [
    (
        "/deviceManagement/deviceConfigurations/{deviceConfigurationId}/userStatuses/{id}",
        [
            lit("deviceManagement"),
            lit("deviceConfigurations"),
            key("deviceConfigurationId"),
            lit("userStatuses"),
            key("id"),
        ],
    ),
    (
        "/me/drive/items/{itemId}/workbook/worksheets/{worksheetId}/range({address})/format/protection",
        [
            lit("me"),
            lit("drive"),
            lit("items"),
            key("itemId"),
            lit("workbook"),
            lit("worksheets"),
            key("worksheetId"),
            key("address", "range(", ")"),  # a key right after a key
            lit("format"),
            lit("protection"),
        ],
    ),
    (
        "/me/drive/items/{itemId}/workbook/worksheets/{worksheetId}/range(address='{address}')/format",
        [
            lit("me"),
            lit("drive"),
            lit("items"),
            key("itemId"),
            lit("workbook"),
            lit("worksheets"),
            key("worksheetId"),
            key("address", "range(address='", "')"),
            lit("format"),
        ],
    ),
    (
        "/me/drive/root:/{item-path}:/workbook/names/{name}/range/format/borders({sideIndex})",
        [
            lit("me"),
            lit("drive"),
            lit("root:"),
            key("item-path", suffix=":"),
            lit("workbook"),
            lit("names"),
            key("name"),
            lit("range"),
            lit("format"),
            key("sideIndex", "borders(", ")"),
        ],
    ),
    (
        "/deviceManagement/deviceConfigurations/{deviceConfigurationId}/"
        "microsoft.graph.windowsWifiEnterpriseEAPConfiguration/rootCertificatesForServerValidation/{id}",
        [
            lit("deviceManagement"),
            lit("deviceConfigurations"),
            key("deviceConfigurationId"),
            cast("microsoft.graph.windowsWifiEnterpriseEAPConfiguration"),
            lit("rootCertificatesForServerValidation"),
            key("id"),
        ],
    ),
    (
        "/deviceAppManagement/mobileApps/microsoft.graph.iosVppApp/{mobileAppId}",
        [
            lit("deviceAppManagement"),
            lit("mobileApps"),
            cast("microsoft.graph.iosVppApp"),
            key("mobileAppId"),
        ],
    ),
    (
        "/users/{id}/calendars/{id}/events/{id}",
        [lit("users"), key("id"), lit("calendars"), key("id"), lit("events"), key("id")],
    ),
    (
        "/me/contactFolders/{contactFolderId}/childFolders/{childFolderId}/.../contacts/{contactId}",
        [
            lit("me"),
            lit("contactFolders"),
            key("contactFolderId"),
            lit("childFolders"),
            key("childFolderId"),
            lit("..."),  # the docs' own ellipsis: a literal, not a cast
            lit("contacts"),
            key("contactId"),
        ],
    ),
    (
        "/** Entity URI for microsoft.management.services.api.vulnerableManagedDevice not found",
        [
            lit(
                "** Entity URI for microsoft.management.services.api.vulnerableManagedDevice not found"
            )
        ],
    ),
    ("/me", [lit("me")]),
    (" /policies//authorizationPolicy?$select=x ", [lit("policies"), lit("authorizationPolicy")]),
    ("/things/{}", [lit("things"), key("")]),
]


@pytest.mark.parametrize(("template", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_parse(template: str, expected: list[Segment]) -> None:
    segments = paths.parse(template)
    assert segments == expected
    # The segments write the template back (minus the query and empty segments).
    assert "/".join(s.text for s in segments) == "/".join(paths.split(template))


def test_fill_keeps_the_affixes() -> None:
    segment = key("address", "range(address='", "')")
    assert segment.fill("A1:B2") == "range(address='A1:B2')"
    assert key("item-path", suffix=":").fill("x") == "x:"
    assert cast("microsoft.graph.x").fill("ignored") == "microsoft.graph.x"
    assert lit("me").fill("ignored") == "me"


def test_is_cast_needs_a_qualified_name() -> None:
    assert paths.is_cast("microsoft.graph.iosScepCertificateProfile")
    for text in ("...", "root:", "range(A1)", "v1.0x y", "microsoft.", ".graph", "{a.b}"):
        assert not paths.is_cast(text), text
    # The first segment is never a cast: nothing comes before it to narrow.
    assert paths.parse("/microsoft.graph.x/y")[0].kind == "literal"


def test_the_three_consumers_read_the_same_segments() -> None:
    """openapi names the keys, the mock's steps and discovery's fills follow the same segments."""
    template = "/me/drive/root:/{item-path}:/workbook/worksheets/{worksheetId}/range({address})"
    path, params = openapi_path("beta", template)
    assert (
        path
        == "/beta/me/drive/root:/{item-path}:/workbook/worksheets/{worksheetId}/range({address})"
    )
    assert [p["name"] for p in params] == ["item-path", "worksheetId", "address"]
    assert parse_template(template) == [
        Step("nav", "me"),
        Step("nav", "drive"),
        Step("coll", "root:"),
        Step("key", "item-path", "", ":"),
        Step("nav", "workbook"),
        Step("coll", "worksheets"),
        Step("key", "worksheetId"),
        Step("coll", ""),  # `range({address})` keys an unnamed collection of the worksheet
        Step("key", "address", "range(", ")"),
    ]

    class Listing:
        def get(self, path: str, **_: object):
            import httpx

            body = {"value": [{"id": f"{path.rsplit('/', 1)[-1]}-1"}]}
            return httpx.Response(200, json=body)

    ids = {"address": ["A1"]}
    found = Discoverer(Listing(), ids=ids).resolve(template)
    assert isinstance(found, Resolved)
    assert found.path == "/me/drive/root:/root:-1:/workbook/worksheets/worksheets-1/range(A1)"


def test_duplicate_key_names_are_made_unique_for_openapi() -> None:
    path, params = openapi_path("v1.0", "/users/{id}/calendars/{id}/events/{id}")
    assert path == "/v1.0/users/{id}/calendars/{id2}/events/{id3}"
    assert [p["name"] for p in params] == ["id", "id2", "id3"]
