"""The one home of Graph's naming rules: path segments, singulars, camelCase."""

from __future__ import annotations

import pytest

from graph_contracts import naming, paths


def test_segments_drop_query_and_empty_parts() -> None:
    assert naming.segments(" /me//events/{id}?$select=x ") == ["me", "events", "{id}"]
    assert paths.split is naming.segments  # one definition, whatever name a caller uses


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/users/{id}/calendars/<id>", ["users", "calendars"]),
        ("/workbook/worksheets('{id}')/range(address='{a}')", ["workbook", "worksheets", "range"]),
        ("/groups/(group-id)/team/microsoft.graph.x", ["groups", "team"]),
        ("/drive/root:/{item-path}:", ["drive", "root:"]),
        ("/a/'{id}'", ["a"]),
    ],
)
def test_literal_segments(path: str, expected: list[str]) -> None:
    assert naming.literal_segments(path) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/me/mailboxSettings", ["mailboxSetting", "mailboxSettings", "meMailboxSetting"]),
        (
            "/me/drive/items/{id}/workbook/tables/{id}",
            [
                "table",
                "tables",
                "workbookTable",
                "itemTable",
                "itemsTable",
                "driveTable",
                "meTable",
            ],
        ),
        ("/teams/{id}/channels/{id}/tabs/{id}", ["tab", "tabs", "channelTab", "channelsTab"]),
        ("/{id}", []),
    ],
)
def test_path_type_names_nearest_first(path: str, expected: list[str]) -> None:
    assert list(naming.path_type_names(path))[: len(expected)] == expected
    assert naming.last_type_name(path) == next(naming.path_type_names(path), None)
    assert len(set(naming.path_type_names(path))) == len(list(naming.path_type_names(path)))


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("policies", "policy"),
        ("addresses", "address"),
        ("statuses", "status"),
        ("boxes", "box"),
        ("branches", "branch"),
        ("status", "status"),
        ("analysis", "analysis"),
        ("access", "access"),
        ("userStatuses", "userStatus"),
    ],
)
def test_singular(word: str, expected: str) -> None:
    assert naming.singular(word) == expected


def test_camel_case_spellings() -> None:
    """CSDL type names always start lower-case (`iPv6Range` in $metadata); placeholders keep
    an acronym (`{UPN}`)."""
    assert naming.type_name("IPv6Range") == "iPv6Range"
    assert naming.type_name("SharingLink") == "sharingLink"
    assert naming.lower_first("WorkbookChart") == "workbookChart"
    assert naming.lower_first("UPN") == "UPN"
    assert naming.lower_first("") == ""
    assert naming.upper_first("table") == "Table"
    assert naming.camel_words("user-id") == "userId"
    assert naming.camel_words("team_id x") == "teamIdX"
    assert naming.camel_words("teamId") == "teamId"
    assert naming.is_camel_case("plannerBucket") and not naming.is_camel_case("plannerbucket")
