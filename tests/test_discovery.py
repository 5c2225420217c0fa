"""Discovery reaches entities by listing collections, as a client of a real tenant would."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from graph_contracts.client import GraphClient
from graph_contracts.discovery import (
    Discoverer,
    IdsFileError,
    Resolved,
    TargetError,
    Unreachable,
    load_ids,
)

TEMPLATE = "/configs/{configId}/microsoft.graph.wifi/rootCertificate/statuses/{statusId}"


def graph(routes: dict[str, tuple[int, object]], seen: list[str] | None = None) -> GraphClient:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/beta")
        if seen is not None:
            seen.append(path)
        status, body = routes.get(path, (404, {"error": {"code": "NotFound", "message": "no"}}))
        return httpx.Response(status, json=body)

    return GraphClient("https://graph.test", "beta", transport=httpx.MockTransport(handler))


def listing(*items: dict) -> tuple[int, dict]:
    return 200, {"value": list(items)}


def test_type_cast_and_navigation_with_backtracking() -> None:
    """The first config is another derived type whose navigation 404s; the second one leads on."""
    routes = {
        "/configs": listing(
            {"id": "c1", "@odata.type": "#microsoft.graph.vpn"},
            {"id": "c2"},
            {"id": "c3", "@odata.type": "#microsoft.graph.wifi"},
        ),
        "/configs/c2/microsoft.graph.wifi/rootCertificate/statuses": listing({"id": "s1"}),
    }
    found = Discoverer(graph(routes)).resolve(TEMPLATE)
    assert found == Resolved(
        "/configs/c2/microsoft.graph.wifi/rootCertificate/statuses/s1",
        {"configId": "c2", "statusId": "s1"},
        None,
    )


def test_matching_derived_type_is_tried_first_and_sibling_found() -> None:
    routes = {
        "/configs": listing(
            {"id": "c1", "@odata.type": "#microsoft.graph.vpn"},
            {"id": "c3", "@odata.type": "#microsoft.graph.wifi"},
        ),
        "/configs/c3/microsoft.graph.wifi/rootCertificate/statuses": listing(
            {"id": "s1"}, {"id": "s2"}
        ),
    }
    seen: list[str] = []
    found = Discoverer(graph(routes, seen)).resolve(TEMPLATE)
    assert isinstance(found, Resolved)
    assert found.path.endswith("/c3/microsoft.graph.wifi/rootCertificate/statuses/s1")
    assert found.sibling == "/configs/c3/microsoft.graph.wifi/rootCertificate/statuses/s2"
    assert seen == ["/configs", "/configs/c3/microsoft.graph.wifi/rootCertificate/statuses"]


def test_no_entity_is_a_reason_not_a_pass() -> None:
    found = Discoverer(graph({"/configs": listing()})).resolve(TEMPLATE)
    assert isinstance(found, Unreachable)
    assert "GET /configs returned an empty collection" in found.reason


def test_ids_file_values_skip_listing(tmp_path: Path) -> None:
    ids_file = tmp_path / "ids.json"
    ids_file.write_text(json.dumps({"configId": "c9", "statusId": ["s1", "s2"]}))
    seen: list[str] = []
    found = Discoverer(graph({}, seen), load_ids(ids_file)).resolve(TEMPLATE)
    assert isinstance(found, Resolved) and found.params == {"configId": "c9", "statusId": "s1"}
    assert found.sibling is not None and found.sibling.endswith("/s2")
    assert seen == []


def test_bad_ids_file_names_file_and_line(tmp_path: Path) -> None:
    ids_file = tmp_path / "ids.json"
    ids_file.write_text('{\n  "configId": \n}')
    with pytest.raises(IdsFileError, match=r"ids.json:3: invalid JSON"):
        load_ids(ids_file)
    ids_file.write_text('{"configId": 3}')
    with pytest.raises(IdsFileError, match="configId"):
        load_ids(ids_file)


def test_401_is_credentials_rejected() -> None:
    client = graph({"/configs": (401, {"error": {"code": "InvalidAuthenticationToken"}})})
    with pytest.raises(TargetError, match="credentials rejected: GET /configs returned 401"):
        Discoverer(client).resolve(TEMPLATE)


def test_connection_failure_is_unreachable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = GraphClient("https://graph.test", "beta", transport=httpx.MockTransport(refuse))
    with pytest.raises(TargetError, match="target unreachable"):
        Discoverer(client).resolve(TEMPLATE)


def test_last_key_prefers_the_contracts_own_type_then_untyped_items() -> None:
    """namedLocations holds country and ip locations: the ipNamedLocation contract gets an ip one."""
    routes = {
        "/locations": listing(
            {"id": "c1", "@odata.type": "#microsoft.graph.countryNamedLocation"},
            {"id": "u1"},
            {"id": "i1", "@odata.type": "#microsoft.graph.ipNamedLocation"},
            {"id": "i2", "@odata.type": "#microsoft.graph.ipNamedLocation"},
        )
    }
    discoverer = Discoverer(graph(routes))
    found = discoverer.resolve("/locations/{id}", "#microsoft.graph.ipNamedLocation")
    assert found == Resolved("/locations/i1", {"id": "i1"}, "/locations/i2")
    other = discoverer.resolve("/locations/{id}", "#microsoft.graph.namedLocation")
    assert isinstance(other, Resolved) and other.path == "/locations/u1"
    untyped = discoverer.resolve("/locations/{id}")
    assert isinstance(untyped, Resolved) and untyped.path == "/locations/c1"


def test_an_entity_of_another_type_is_never_the_one_patched() -> None:
    """A sibling derived type answers 400 to the contract's own properties: a false alarm. Only
    types `accepted` for the contract (derived ones, from --metadata) may stand in for it."""
    country = {"id": "c1", "@odata.type": "#microsoft.graph.countryNamedLocation"}
    discoverer = Discoverer(graph({"/locations": listing(country)}))
    found = discoverer.resolve("/locations/{id}", "#microsoft.graph.ipNamedLocation")
    assert isinstance(found, Unreachable)
    assert "countryNamedLocation" in found.reason and "--metadata" in found.reason
    base = discoverer.resolve(
        "/locations/{id}",
        "#microsoft.graph.namedLocation",
        {"microsoft.graph.namedLocation", "microsoft.graph.countryNamedLocation"},
    )
    assert isinstance(base, Resolved) and base.path == "/locations/c1"


def test_a_single_valued_navigation_of_another_type_tries_the_next_parent() -> None:
    """`.../assignments/{id}/configuration` has no key to choose by: its GET says the type."""
    routes = {
        "/assignments": listing({"id": "a1"}, {"id": "a2"}),
        "/assignments/a1/configuration": (200, {"@odata.type": "#microsoft.graph.iosConfig"}),
        "/assignments/a2/configuration": (200, {"@odata.type": "#microsoft.graph.wifiConfig"}),
    }
    discoverer = Discoverer(graph(routes))
    found = discoverer.resolve("/assignments/{id}/configuration", "#microsoft.graph.wifiConfig")
    assert isinstance(found, Resolved) and found.path == "/assignments/a2/configuration"
    none = discoverer.resolve("/assignments/{id}/configuration", "#microsoft.graph.macConfig")
    assert isinstance(none, Unreachable) and "wifiConfig" in none.reason
    singleton = Discoverer(graph({"/me": (200, {"@odata.type": "#microsoft.graph.user"})}))
    assert isinstance(singleton.resolve("/me", "#microsoft.graph.other"), Resolved)  # no parent


def test_keys_with_literal_affixes_are_filled_in_their_segment() -> None:
    """`root:/{item-path}:/workbook` lists `root:` and keeps the `:`; `range({address})` has no
    listing, so it needs an --ids value (and says so)."""
    routes = {
        "/drive/root:": listing({"id": "book.xlsx"}),
        "/drive/root:/book.xlsx:/workbook/names": listing({"id": "n1"}),
    }
    found = Discoverer(graph(routes)).resolve("/drive/root:/{item-path}:/workbook/names/{name}")
    assert found == Resolved(
        "/drive/root:/book.xlsx:/workbook/names/n1", {"item-path": "book.xlsx", "name": "n1"}
    )
    template = "/drive/root:/{item-path}:/workbook/range({address})/format"
    missing = Discoverer(graph(routes)).resolve(template)
    assert isinstance(missing, Unreachable) and "{address}" in missing.reason
    given = Discoverer(graph(routes), {"address": ["A1:B2"]}).resolve(template)
    assert given == Resolved(
        "/drive/root:/book.xlsx:/workbook/range(A1:B2)/format",
        {"item-path": "book.xlsx", "address": "A1:B2"},
    )
