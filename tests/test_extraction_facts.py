"""The extraction facts the checks rely on (issue 15, item 3): each on a small page, then on the
corpus pages where it was lost (the false alarms Microsoft's own documented replies raised)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_contracts.contracts import Contract
from graph_contracts.docs import parse_page
from graph_contracts.docs._markup import plain
from graph_contracts.extract import extract_paths

API = "graph-docs/api-reference"


def _corpus_contract(corpus: Path, page: str, resource: str | None = None) -> Contract:
    """The contract of one corpus api page (`beta/api/x.md`), its linked pages read beside it."""
    result = extract_paths([corpus / API / page])
    assert result.errors == []
    found = [c for c in result.contracts if resource is None or c.name == resource]
    assert len(found) == 1, [c.id for c in result.contracts]
    return found[0]


def _typedef_members(contract: Contract, name: str) -> list[str]:
    return [p.name for p in contract.types[f"microsoft.graph.{name}"].properties]


# 1. Names with underscores inside are names, not emphasis (CommonMark: `_` only opens or
#    closes emphasis at a word's edge).


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v4_0_3", "v4_0_3"),
        ("**sha_256_128**", "sha_256_128"),
        ("`remote_Control_Software`", "remote_Control_Software"),
        ("_if-match_", "if-match"),
        ("an _emphasized_ word", "an emphasized word"),
        ("__strong__ and *em*", "strong and em"),
        ("userId_DeviceId_AppId", "userId_DeviceId_AppId"),
    ],
)
def test_underscores_inside_a_word_are_no_emphasis(text: str, expected: str) -> None:
    assert plain(text) == expected


def test_member_table_keeps_underscored_names() -> None:
    page = parse_page(
        "# authenticationTransformConstant enum type\n\n## Members\n|Member|Value|Description|\n"
        "|:---|:---|:---|\n|md5_96|0|MD596|\n|sha_256_128|2|SHA256128|\n",
        resource_only=True,
    )
    assert page.members == ["md5_96", "sha_256_128"]


def test_corpus_underscored_names(corpus: Path) -> None:
    lob = _corpus_contract(corpus, "beta/api/intune-apps-androidlobapp-update.md")
    assert "v4_0_3" in _typedef_members(lob, "androidMinimumOperatingSystem")
    vpn = _corpus_contract(
        corpus, "beta/api/intune-deviceconfig-windows10vpnconfiguration-update.md"
    )
    members = vpn.types["microsoft.graph.authenticationTransformConstant"].members
    assert members == ["md5_96", "sha1_96", "sha_256_128", "aes128Gcm", "aes192Gcm", "aes256Gcm"]


# 2. A row whose cell wraps over several lines is one row, and the rows after it are kept.


def test_rows_whose_cells_wrap_are_kept() -> None:
    page = parse_page(
        "# embeddedSIMActivationCode resource type\n\n## Properties\n|Property|Type|Description|\n"
        "|:---|:---|:---|\n|iccid|String|The ICCID.\nThe input must match '^[0-9]{19}$'.|\n"
        "|matchingIdentifier|String|The MatchingID.\nIt must match\nthis.|\n"
        "|smdpPlusServerAddress|String|The server.|\n",
        resource_only=True,
    )
    rows = [(p.name, p.line) for p in page.properties]
    assert rows == [("iccid", 6), ("matchingIdentifier", 8), ("smdpPlusServerAddress", 11)]
    assert page.properties[1].description == "The MatchingID. It must match this."


def test_a_closed_row_then_prose_ends_the_table() -> None:
    """Only a row left open (no closing pipe) goes on: prose right under a closed row is prose."""
    page = parse_page(
        "# widget resource type\n\n## Properties\n|Property|Type|Description|\n|:---|:---|:---|\n"
        "|size|Int32|Size.|\nSee also the [widget](widget.md) page.\n",
        resource_only=True,
    )
    assert [p.description for p in page.properties] == ["Size."]


def test_corpus_wrapped_cells(corpus: Path) -> None:
    pool = _corpus_contract(corpus, "beta/api/intune-esim-embeddedsimactivationcodepool-update.md")
    assert _typedef_members(pool, "embeddedSIMActivationCode") == [
        "integratedCircuitCardIdentifier",
        "matchingIdentifier",
        "smdpPlusServerAddress",
    ]
    delivery = _corpus_contract(
        corpus, "beta/api/intune-deviceconfig-windowsdeliveryoptimizationconfiguration-update.md"
    )
    names = [p.name for p in delivery.properties]
    assert names[names.index("restrictPeerSelectionBy") + 1] == "groupIdSource"
    assert "minimumFileSizeToCacheInMegabytes" in names
