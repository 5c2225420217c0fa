"""The extraction facts the checks rely on (issue 15, item 3): each on a small page, then on the
corpus pages where it was lost (the false alarms Microsoft's own documented replies raised)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from samples import widget_update

from graph_contracts.contracts import Contract
from graph_contracts.docs import parse_page
from graph_contracts.docs._markup import plain
from graph_contracts.extract import Extraction, extract_paths

API = "graph-docs/api-reference"


@pytest.fixture(scope="module")
def corpus_extraction(corpus: Path) -> Extraction:
    """Both versions' api pages, extracted once for this module's corpus-wide tests."""
    return extract_paths([corpus / API / v / "api" for v in ("beta", "v1.0")])


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


# 5. Required request headers: every page that documents one (Planner's If-Match) has it.

_HEADER_HEADING = re.compile(r"^#+\s*(.*)$")


def required_header_rows(text: str) -> set[str]:
    """Lowercased names of the rows of a page's request-header tables whose description says
    "Required" and not "Optional": a scan of its own (any heading naming request headers, an
    example's excepted), not the extractor's parser."""
    names, in_headers = set(), False
    for line in text.splitlines():
        m = _HEADER_HEADING.match(line)
        if m:
            title = m.group(1).lower()
            in_headers = "request header" in title and "example" not in title
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not (in_headers and line.lstrip().startswith("|") and len(cells) >= 2):
            continue
        desc = " ".join(cells[1:]).lower()
        if re.search(r"\brequired\b", desc) and "optional" not in desc:
            names.add(re.sub(r"[`*_]", "", cells[0]).lower())
    return names


def test_required_header_under_an_optional_heading() -> None:
    """Planner's pages head their table "Optional request headers" and mark If-Match Required."""
    headers = (
        "## Optional request headers\n| Name | Description |\n|:--|:--|\n"
        "| If-Match | Last known ETag value for the **plannerTask** to be updated. Required. |\n\n"
    )
    page = parse_page(widget_update("").replace("## Request body", headers + "## Request body"))
    assert page.headers == ["If-Match"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("| Content-type | application/json. Required. |", ["Authorization", "Content-Type"]),
        ("| if-match | eTag. Required. |", ["Authorization", "If-Match"]),
        (
            "| If-Match | eTag. Optional. If included and it does not match: 412. |",
            ["Authorization"],
        ),
    ],
)
def test_required_header_names_are_canonical(row: str, expected: list[str]) -> None:
    page = parse_page(
        "# Update widget\n\n## HTTP request\n```http\nPATCH /widgets/{id}\n```\n"
        "## Request headers\n| Name | Description |\n|:--|:--|\n"
        f"| Authorization | Bearer {{token}}. Required. |\n{row}\n"
    )
    assert page.headers == expected


def test_corpus_required_headers(corpus_extraction, corpus: Path) -> None:
    """Each page's required headers are in its contract, and a contract requires only what one
    of its pages does: Planner's 17 update pages (If-Match, planner-overview: a PATCH without
    it gets 412) and Dynamics' 18."""
    root = corpus / API
    missing, extra = [], []
    if_match = set()
    for c in corpus_extraction.contracts:
        have = {h.lower() for h in c.headers}
        documented = set()
        for source in c.sources:
            want = required_header_rows((root / source).read_text(encoding="utf-8-sig"))
            missing += [f"{source}: {h}" for h in sorted(want - have)]
            documented |= want
        extra += [f"{c.id}: {h}" for h in sorted(have - documented)]
        if "If-Match" in c.headers:
            if_match.add(c.id)
    assert missing == [] and extra == []
    planner = {i for i in if_match if i.split("/")[1].startswith("planner")}
    assert (len(planner), len(if_match)) == (17, 35)
    assert {"beta/plannerTask", "v1.0/plannerTask"} <= planner
