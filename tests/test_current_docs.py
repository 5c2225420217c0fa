"""Today's Graph docs (2023 onwards): permission-table includes, per-scenario permissions, and
the newer page conventions, on copies of real microsoftgraph/microsoft-graph-docs-contrib pages
(tests/fixtures/current-docs/README.md says where each file came from)."""

from __future__ import annotations

from pathlib import Path

from graph_contracts.docs import include_permissions, parse_page
from graph_contracts.extract import extract_paths
from graph_contracts.lint import lint_paths

DOCS = Path(__file__).parent / "fixtures" / "current-docs" / "api-reference"


def _one(path: Path):
    ex = extract_paths([path])
    assert ex.errors == []
    assert len(ex.contracts) == 1
    return ex.contracts[0], ex.findings


def test_three_scenario_includes_merge_per_kind_least_privileged_first():
    contract, findings = _one(DOCS / "beta/api/cloudlicensing-assignment-update.md")
    assert contract.resource == "microsoft.graph.cloudLicensing.assignment"
    assert contract.permissions["delegated_work"] == [
        "CloudLicensing.AssignLicenses",  # admin scenario: least privileged
        "CloudLicensing.AssignLicenses.Organization",  # ... then its higher privileged column
        "Directory.ReadWrite.All",
        "User-CloudLicensing.AssignLicenses",  # user scenario (hyphenated names kept whole)
        "User-CloudLicensing.AssignLicenses.Organization",
        "User.ReadWrite.All",
        "Group-CloudLicensing.AssignLicenses",  # group scenario
        "Group-CloudLicensing.AssignLicenses.Organization",
        "Group.ReadWrite.All",
    ]
    assert contract.permissions["application"][:2] == [
        "CloudLicensing.AssignLicenses.Organization",
        "Directory.ReadWrite.All",
    ]
    assert contract.permissions["delegated_personal"] == []  # "Not supported." everywhere
    assert not [f for f in contract.findings + findings if "permission" in f.rule]


def test_includes_resolve_against_the_page_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    contract, _ = _one(DOCS / "v1.0/api/authorizationpolicy-update.md")
    assert contract.permissions == {
        "delegated_work": ["Policy.ReadWrite.Authorization"],  # "Not available." is no name
        "delegated_personal": [],
        "application": ["Policy.ReadWrite.Authorization"],
    }
    assert contract.status == 204


def test_includes_under_scenario_subheadings_are_all_kept():
    # "### Permissions acting on self" / "### Permissions acting on other users"
    contract, _ = _one(DOCS / "beta/api/todotasklist-update.md")
    assert contract.permissions["delegated_work"] == ["Tasks.ReadWrite", "Tasks.ReadWrite.All"]
    assert contract.permissions["delegated_personal"] == ["Tasks.ReadWrite"]
    assert contract.permissions["application"] == ["Tasks.ReadWrite.All"]
    assert not [f for f in contract.findings if f.rule == "missing-permissions"]


def test_a_missing_include_is_a_finding_at_its_line_and_the_page_still_extracts():
    page = DOCS / "beta/api/plannertaskchatmessage-update.md"
    contract, findings = _one(page)
    assert [p.name for p in contract.properties] == ["content", "mentions"]
    (missing,) = [f for f in findings if f.rule == "missing-include"]
    assert missing.severity == "error"
    assert missing.line == 26
    assert page.read_text().splitlines()[25].startswith("[!INCLUDE [permissions-table]")
    looked_for = "includes/permissions/plannertaskchatmessage-update-permissions.md"
    assert looked_for in missing.message
    assert missing.file.endswith("plannertaskchatmessage-update.md")


def test_a_checkout_with_one_missing_include_gives_every_contract_and_one_finding():
    ex = extract_paths([DOCS / "beta/api", DOCS / "v1.0/api"])
    assert ex.errors == []
    assert sorted(c.resource for c in ex.contracts) == [
        "microsoft.graph.authorizationPolicy",
        "microsoft.graph.cloudLicensing.assignment",
        "microsoft.graph.plannerTaskChatMessage",
        "microsoft.graph.todoTaskList",
    ]
    assert [f.rule for f in ex.findings] == ["missing-include"]
    findings, errors = lint_paths([DOCS / "beta/api"])
    assert errors == []
    assert "missing-include" in {f.rule for f in findings}


def test_an_unreadable_include_is_a_finding_not_a_crash(tmp_path):
    api, inc = tmp_path / "beta" / "api", tmp_path / "beta" / "includes" / "permissions"
    api.mkdir(parents=True)
    inc.mkdir(parents=True)
    source = DOCS / "beta/api/todotasklist-update.md"
    (api / "todotasklist-update.md").write_text(source.read_text())
    (inc / "todotasklist-update-permissions.md").write_text("---\ndescription: cut short\n")
    (inc / "todotasklist-update-2-permissions.md").mkdir()  # a folder where a file should be
    ex = extract_paths([api])
    assert len(ex.contracts) == 1
    assert [(f.rule, f.line) for f in ex.findings] == [
        ("missing-include", 25),
        ("missing-include", 30),
    ]
    assert "truncated" in ex.findings[0].message


def test_include_file_note_names_a_permission_that_does_not_work():
    text = (DOCS / "beta/includes/permissions/agentidentity-update-permissions.md").read_text()
    perms = include_permissions(text)
    assert perms["delegated_work"] == [
        "AgentIdentity.EnableDisable.All",
        "AgentIdentity.ReadWrite.All",
        "Directory.ReadWrite.All",
    ]  # not "Directory.AccessAsUser.All", which the cell's Note says cannot be used
    assert perms["application"] == [
        "AgentIdentity.EnableDisable.All",
        "AgentIdentity.CreateAsManager",
        "AgentIdentity.ReadWrite.All",
        "Directory.ReadWrite.All",
    ]


def test_permission_blocks_under_permissions_are_not_examples():
    # Each scenario names its paths in an http block before its include: not request examples.
    contract, _ = _one(DOCS / "beta/api/cloudlicensing-assignment-update.md")
    requests = [e for e in contract.examples if e.kind == "request"]
    assert [(e.line, e.body is not None) for e in requests] == [(110, True)]


def test_the_include_line_is_recorded_with_its_target_and_other_includes_are_skipped():
    text = (DOCS / "beta/api/todotasklist-update.md").read_text()
    page = parse_page(text)
    assert page.permission_includes == [
        (25, "../includes/permissions/todotasklist-update-permissions.md"),
        (30, "../includes/permissions/todotasklist-update-2-permissions.md"),
    ]
    assert page.beta_note  # `[!INCLUDE [beta-disclaimer](...)]`: today's beta note
    assert page.permissions == {}  # resolved by extract, which knows the page's file


def test_beta_disclaimer_include_decides_the_version_of_a_page_outside_a_checkout(tmp_path):
    text = (DOCS / "beta/api/todotasklist-update.md").read_text()
    text = text.replace("https://graph.microsoft.com/beta/", "/")  # no version in the examples
    (tmp_path / "todotasklist-update.md").write_text(text)
    ex = extract_paths([tmp_path / "todotasklist-update.md"])
    assert [c.version for c in ex.contracts] == ["beta"]


def test_per_scenario_tables_with_one_column_per_kind_are_read(corpus: Path):
    # `| Calendar | Delegated (work or school account) | ... | Application |`, one row per
    # scenario (user calendar, group calendar): every cell merged per kind. The corpus fixture
    # fails in CI without ../shared (a skipif here passed silently).
    text = (corpus / "graph-docs/api-reference/v1.0/api/calendar-update.md").read_text()
    page = parse_page(text)
    assert page.permissions == {
        "delegated_work": ["Calendars.ReadWrite", "Group.ReadWrite.All"],
        "delegated_personal": ["Calendars.ReadWrite"],
        "application": ["Calendars.ReadWrite"],
    }


def test_union_types_and_a_property_with_two_rows_do_not_drop_the_page():
    # Rows of today's docs whose reading is another part's concern (_properties): here only
    # that the page still gives its contract and its other rows.
    text = (DOCS / "beta/api/todotasklist-update.md").read_text()
    extra = (
        "|displayName|String|Field indicating updated title of the task list.|\n"
        "|owner|[user](../resources/user.md) &#124; [group](../resources/group.md)|The owner.|\n"
        "|displayName|String|The same property documented twice.|\n"
    )
    text = text.replace(
        "|displayName|String|Field indicating updated title of the task list.|\n", extra
    )
    page = parse_page(text)
    assert page.method == "PATCH"
    assert "displayName" in [p.name for p in page.properties]
    assert len(page.permission_includes) == 2


def test_the_published_page_with_includes_rendered_in_place_gives_the_same_permissions():
    # On the published site each include is a table in place, under its scenario's sentence.
    text_page = DOCS.parent / "published" / "cloudlicensing-assignment-update.txt"
    text, _ = _one(text_page)
    markdown, _ = _one(DOCS / "beta/api/cloudlicensing-assignment-update.md")
    assert text.resource == markdown.resource
    for kind, names in text.permissions.items():
        assert names == [n for n in markdown.permissions[kind] if not n.startswith("Group")]
    assert len(text.permissions["delegated_work"]) == 6
    assert [e for e in text.examples if e.kind == "request"] == []  # scenario paths: no examples


def test_no_permission_from_the_includes_is_reported_at_the_include_line():
    contract, _ = _one(DOCS / "beta/api/plannertaskchatmessage-update.md")
    (missing,) = [f for f in contract.findings if f.rule == "missing-permissions"]
    assert (missing.line, missing.message) == (
        26,
        "no permission listed (none in its permission includes)",
    )
