"""examples/ci: the nightly templates are valid for their CI systems and run the same commands.

Each template is validated against the official schema check-jsonschema vendors, its shell steps
are parsed for the `graph-contracts` commands they run, and the small scripts that decide the
shards and whether to restore are executed with bash, so a template that would split the
endpoints wrongly, lose a shard's report or skip a needed restore fails here and not at 02:17.
"""

from __future__ import annotations

import contextlib
import datetime
import fnmatch
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from check_jsonschema import main as check_jsonschema

from graph_contracts.checks import CHECKS

ROOT = Path(__file__).resolve().parents[1]
CI = ROOT / "examples" / "ci"
GITHUB = CI / "github-actions-nightly.yml"
AZURE = CI / "azure-pipelines-nightly.yml"
GITHUB_DOCS = CI / "github-actions-docs-pr.yml"
AZURE_DOCS = CI / "azure-pipelines-docs-pr.yml"
KNOWN_FAILURES = CI / "known-failures.yml"
CLI = Path(sys.executable).with_name("graph-contracts")

# What both templates must run: subcommand -> the options it is given (brief of issue 10).
EXPECTED_COMMANDS = {
    "run": {
        "--base-url",
        "--allow-writes",
        "--plan",
        "--contracts",
        "--shard",
        "--baseline",
        "--fail-on",
        "--known-failures",
        "--report-dir",
    },
    # --history only when last night's history was downloaded (as --baseline for the run).
    "report merge": {"--out", "--history"},
    "restore": set(),
}
SCRIPT_KEYS = ("run", "script", "inlineScript", "bash")
WIF_BLOCK = re.compile(r"^[ \t]*# >>>.*?^[ \t]*# <<<[^\n]*\n", re.M | re.S)


# --- reading the templates ----------------------------------------------------------------------


def load(path: Path | str) -> dict[str, Any]:
    """Parse a template. PyYAML reads GitHub's `on:` key as True (YAML 1.1); give it its name."""
    text = path.read_text() if isinstance(path, Path) else path
    doc = yaml.safe_load(text)
    if True in doc:
        doc["on"] = doc.pop(True)
    return doc


def with_workload_identity(text: str) -> str:
    """The Azure template with its `# >>>` ... `# <<<` blocks uncommented, as the README says."""

    def uncomment(block: re.Match[str]) -> str:
        lines = block.group(0).splitlines(keepends=True)[1:-1]
        return "".join(re.sub(r"^(\s*)# ?", r"\1", line, count=1) for line in lines)

    return WIF_BLOCK.sub(uncomment, text)


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping in a parsed YAML tree."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def scripts(doc: dict[str, Any]) -> list[str]:
    """Every shell script of a template (`run:`, `script:`, `inlineScript:`)."""
    return [m[k] for m in walk(doc) for k in SCRIPT_KEYS if isinstance(m.get(k), str)]


def steps_calling(doc: dict[str, Any], subcommand: str) -> list[dict[str, Any]]:
    """The steps whose script runs `graph-contracts <subcommand>`."""
    found = []
    for step in walk(doc):
        script = next((step[k] for k in SCRIPT_KEYS if isinstance(step.get(k), str)), None)
        if script and any(sub == subcommand for sub, _ in invocations(script)):
            found.append(step)
    return found


def logical_lines(script: str) -> list[str]:
    return script.replace("\\\n", " ").splitlines()


def array_options(script: str, name: str) -> list[str]:
    """The words a bash array gets in `name=(...)` or `name+=(...)` anywhere in the script."""
    words: list[str] = []
    for body in re.findall(rf"\b{name}\+?=\(([^)]*)\)", script):
        words += shlex.split(body)
    return words


def invocations(script: str) -> list[tuple[str, list[str]]]:
    """(subcommand, argument words) of each `graph-contracts` command line in a script.

    Words of `"${array[@]}"` expansions are replaced by what the script assigns to the array, so
    an option passed only when a file exists (`--baseline`) still counts.
    """
    found = []
    for line in logical_lines(script):
        words = shlex.split(line.split("||")[0], comments=True)
        if not words or words[0] != "graph-contracts":
            continue
        rest = words[1:]
        sub = []
        while rest and re.fullmatch(r"[a-z][a-z-]*", rest[0]):
            sub.append(rest.pop(0))
        args: list[str] = []
        for word in rest:
            array = re.fullmatch(r"\$\{(\w+)\[@\]\}", word)
            args += array_options(script, array.group(1)) if array else [word]
        found.append((" ".join(sub), args))
    return found


def commands(doc: dict[str, Any]) -> dict[str, list[list[str]]]:
    """subcommand -> the argument lists it is called with, over the whole template."""
    out: dict[str, list[list[str]]] = {}
    for script in scripts(doc):
        for sub, args in invocations(script):
            out.setdefault(sub, []).append(args)
    return out


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def github_jobs() -> dict[str, Any]:
    return load(GITHUB)["jobs"]


def azure_jobs() -> dict[str, Any]:
    return {job["job"]: job for job in load(AZURE)["jobs"]}


def step_named(steps: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(s for s in steps if name in (s.get("name"), s.get("displayName"), s.get("id")))


# --- running their scripts ----------------------------------------------------------------------


def bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a template's script as its CI would (bash, errexit and pipefail as GitHub sets them)."""
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def github_outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def azure_variables(stdout: str) -> dict[str, str]:
    return dict(re.findall(r"##vso\[task\.setvariable variable=(\w+)[^\]]*\](.*)", stdout))


def github_shards(tmp_path: Path, count: str) -> subprocess.CompletedProcess[str]:
    step = step_named(github_jobs()["setup"]["steps"], "shards")
    out = tmp_path / "github_output"
    out.write_text("")
    return bash(step["run"], tmp_path, {"SHARDS": count, "GITHUB_OUTPUT": str(out)})


def azure_shards(tmp_path: Path, count: str) -> subprocess.CompletedProcess[str]:
    step = step_named(azure_jobs()["setup"]["steps"], "shards")
    return bash(step["script"], tmp_path, {"SHARDS": count})


# --- schemas --------------------------------------------------------------------------------------


def schema_check(path: Path, schema: str) -> tuple[int, str]:
    """check-jsonschema in-process: (exit status, its output).

    Azure's schema needs `--regex-variant python`: the default ECMAScript engine crashes on its
    patterns even for a valid file.
    """
    extra = ["--regex-variant", "python"] if schema == "vendor.azure-pipelines" else []
    out = io.StringIO()
    code: int | str | None = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            check_jsonschema(["--builtin-schema", schema, *extra, str(path)])
        except SystemExit as exit_:
            code = exit_.code
    return int(code or 0), out.getvalue()


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        (GITHUB, "vendor.github-workflows"),
        (AZURE, "vendor.azure-pipelines"),
        (GITHUB_DOCS, "vendor.github-workflows"),
        (AZURE_DOCS, "vendor.azure-pipelines"),
    ],
    ids=["github", "azure", "github-docs-pr", "azure-docs-pr"],
)
def test_template_is_valid_against_its_official_schema(path: Path, schema: str) -> None:
    code, output = schema_check(path, schema)
    assert code == 0, output


def test_azure_template_with_workload_identity_is_valid_too(tmp_path: Path) -> None:
    variant = tmp_path / "azure-wif.yml"
    variant.write_text(with_workload_identity(AZURE.read_text()))
    code, output = schema_check(variant, "vendor.azure-pipelines")
    assert code == 0, output


@pytest.mark.parametrize(
    ("path", "schema", "old", "new"),
    [
        # GitHub: a job with no runner.
        (GITHUB, "vendor.github-workflows", "runs-on: ubuntu-latest", "runs_on: ubuntu-latest"),
        # Azure's schema knows task inputs by their names, not by their documented aliases.
        (
            AZURE,
            "vendor.azure-pipelines",
            "buildVersionToDownload: latestFromBranch",
            "runVersion: latestFromBranch",
        ),
    ],
    ids=["github", "azure"],
)
def test_the_schema_check_rejects_a_broken_template(
    tmp_path: Path, path: Path, schema: str, old: str, new: str
) -> None:
    broken = tmp_path / path.name
    text = path.read_text()
    assert old in text
    broken.write_text(text.replace(old, new, 1))
    code, output = schema_check(broken, schema)
    assert code == 1, output


# --- the commands they run --------------------------------------------------------------------


@pytest.mark.parametrize("text", [GITHUB.read_text(), AZURE.read_text()], ids=["github", "azure"])
def test_each_template_runs_each_command_once_with_the_expected_options(text: str) -> None:
    found = commands(load(text))
    assert set(found) == set(EXPECTED_COMMANDS)
    for sub, calls in found.items():
        assert len(calls) == 1, f"graph-contracts {sub} is run {len(calls)} times"
        options = {word for word in calls[0] if word.startswith("--")}
        assert options == EXPECTED_COMMANDS[sub], sub


def test_both_templates_run_the_same_command_lines() -> None:
    github, azure = commands(load(GITHUB)), commands(load(AZURE))
    assert github == azure


@pytest.mark.parametrize("path", [GITHUB, AZURE], ids=["github", "azure"])
def test_shard_run_restore_and_merge_agree_on_paths(path: Path) -> None:
    found = commands(load(path))
    [run], [restore], [merge] = found["run"], found["restore"], found["report merge"]
    report_dir = option(run, "--report-dir")
    assert option(run, "--shard") == "$SHARD_K/$SHARD_N"
    assert report_dir == "reports/shard-$SHARD_K"
    # restore reads the journal the run wrote, in the run's own report directory.
    assert restore == [f"{report_dir}/journal.jsonl"]
    assert option(run, "--baseline") == "baseline/summary.json"
    assert option(run, "--fail-on") == "new"
    assert option(run, "--known-failures") == "ci/known-failures.yml"
    assert "--allow-writes" in run
    assert option(merge, "--out") == "reports/merged"
    assert option(merge, "--history") == "history/history.jsonl"


# --- shards -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_github_matrix_and_shard_option_cover_one_to_n(tmp_path: Path) -> None:
    jobs = github_jobs()
    result = github_shards(tmp_path, "3")
    assert result.returncode == 0, result.stderr
    outputs = github_outputs(tmp_path / "github_output")
    legs = json.loads(outputs["list"])
    assert legs == [1, 2, 3] and outputs["count"] == "3"

    assert jobs["setup"]["outputs"]["shards"] == "${{ steps.shards.outputs.list }}"
    assert jobs["setup"]["outputs"]["shard-count"] == "${{ steps.shards.outputs.count }}"
    matrix = jobs["shard"]["strategy"]["matrix"]
    # One dimension only, or strategy.job-total (N) would count every combination.
    assert matrix == {"shard": "${{ fromJSON(needs.setup.outputs.shards) }}"}
    env = jobs["shard"]["env"]
    assert env["SHARD_K"] == "${{ matrix.shard }}"
    assert env["SHARD_N"] == "${{ strategy.job-total }}"  # = len(legs), by GitHub's definition
    # The merge job expects reports/shard-1 .. shard-N, each downloaded from artifact shard-K.
    assert jobs["merge"]["env"]["SHARD_COUNT"] == "${{ needs.setup.outputs.shard-count }}"
    upload = step_named(jobs["shard"]["steps"], "Upload shard report")["with"]
    assert upload["name"] == "shard-${{ matrix.shard }}"
    assert upload["path"] == "reports/shard-${{ matrix.shard }}/"
    download = step_named(jobs["merge"]["steps"], "Download shard reports")["with"]
    assert download["pattern"] == "shard-*" and download["path"] == "reports"


@pytest.mark.slow
def test_azure_matrix_legs_carry_k_and_n(tmp_path: Path) -> None:
    jobs = azure_jobs()
    result = azure_shards(tmp_path, "3")
    assert result.returncode == 0, result.stderr
    variables = azure_variables(result.stdout)
    legs = json.loads(variables["legs"])
    assert variables["count"] == "3"
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,99}", name) for name in legs)
    assert sorted(int(leg["shard"]) for leg in legs.values()) == [1, 2, 3]
    assert {leg["shardCount"] for leg in legs.values()} == {"3"}

    assert jobs["shard"]["strategy"]["matrix"] == "$[ dependencies.setup.outputs['shards.legs'] ]"
    [run] = steps_calling(load(AZURE), "run")
    assert run["env"]["SHARD_K"] == "$(shard)" and run["env"]["SHARD_N"] == "$(shardCount)"
    assert (
        jobs["merge"]["variables"]["shardCount"]
        == "$[ dependencies.setup.outputs['shards.count'] ]"
    )
    publish = step_named(jobs["shard"]["steps"], "Publish shard report")["inputs"]
    assert publish == {
        "targetPath": "reports/shard-$(shard)",
        "artifact": "shard-$(shard)",
        "publishLocation": "pipeline",
    }
    download = step_named(jobs["merge"]["steps"], "Download shard reports")["inputs"]
    assert download["itemPattern"] == "shard-*/**"
    assert download["targetPath"].endswith("/reports")


@pytest.mark.parametrize("count", ["0", "04", "-1", "two", ""])
@pytest.mark.parametrize("run_setup", [github_shards, azure_shards], ids=["github", "azure"])
def test_a_bad_shard_count_stops_the_setup_job(tmp_path: Path, run_setup: Any, count: str) -> None:
    assert run_setup(tmp_path, count).returncode == 2


# --- restore after an unclosed journal --------------------------------------------------------


def journal_check(path: Path) -> str:
    steps = github_jobs()["shard"]["steps"] if path == GITHUB else azure_jobs()["shard"]["steps"]
    step = step_named(steps, "Unclosed journal?")
    return step.get("run") or step["script"]


@pytest.fixture
def fake_python(tmp_path: Path) -> Path:
    """A `python` that prints $STATE and exits $RC, standing in for graph_contracts.journal."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "python"
    fake.write_text('#!/bin/sh\n[ -n "$STATE" ] && echo "$STATE"\nexit "${RC:-0}"\n')
    fake.chmod(0o755)
    return bin_dir


@pytest.mark.slow
@pytest.mark.parametrize("path", [GITHUB, AZURE], ids=["github", "azure"])
@pytest.mark.parametrize(
    ("journal", "state", "rc", "unclosed"),
    [
        (False, "unclosed", 0, "false"),  # no journal: the run wrote nothing
        (True, "closed", 0, "false"),
        (True, "unclosed", 0, "true"),
        (True, "", 1, "true"),  # the check itself failed: restore is safe to run twice
    ],
    ids=["no-journal", "closed", "unclosed", "check-failed"],
)
def test_restore_runs_only_when_the_journal_is_not_known_closed(
    tmp_path: Path, fake_python: Path, path: Path, journal: bool, state: str, rc: int, unclosed: str
) -> None:
    report_dir = tmp_path / "reports" / "shard-2"
    report_dir.mkdir(parents=True)
    if journal:
        (report_dir / "journal.jsonl").write_text("{}\n")
    out = tmp_path / "github_output"
    out.write_text("")
    env = {
        "SHARD_K": "2",
        "GITHUB_OUTPUT": str(out),
        "STATE": state,
        "RC": str(rc),
        "PATH": f"{fake_python}{os.pathsep}{os.environ['PATH']}",
    }
    result = bash(journal_check(path), tmp_path, env)
    assert result.returncode == 0, result.stderr
    found = github_outputs(out) if path == GITHUB else azure_variables(result.stdout)
    assert found["unclosed"] == unclosed


def test_github_restore_step_follows_the_journal_check() -> None:
    steps = github_jobs()["shard"]["steps"]
    check = step_named(steps, "journal")
    assert check["if"] == "always()"
    [restore] = steps_calling({"steps": steps}, "restore")
    assert "always()" in restore["if"]
    assert "steps.journal.outputs.unclosed == 'true'" in restore["if"]
    assert steps.index(check) < steps.index(restore)


def test_azure_restore_step_follows_the_journal_check() -> None:
    steps = azure_jobs()["shard"]["steps"]
    check = step_named(steps, "Unclosed journal?")
    assert check["condition"] == "always()"
    [restore] = steps_calling({"steps": steps}, "restore")
    assert restore["condition"] == "and(always(), eq(variables.unclosed, 'true'))"
    assert steps.index(check) < steps.index(restore)


# --- credentials ------------------------------------------------------------------------------

CLIENT_CREDENTIALS = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET")


def test_github_passes_client_credentials_only_to_the_steps_that_use_them() -> None:
    doc = load(GITHUB)
    for sub in ("run", "restore"):
        [step] = steps_calling(doc, sub)
        assert {k: step["env"][k] for k in CLIENT_CREDENTIALS} == {
            k: f"${{{{ secrets.{k} }}}}" for k in CLIENT_CREDENTIALS
        }
    holders = [m for m in walk(doc) if "secrets.AZURE_CLIENT_SECRET" in json.dumps(m.get("env"))]
    assert len(holders) == 2  # not at workflow or job level, where every action would see it


def test_github_oidc_token_comes_before_the_run_and_again_before_restore() -> None:
    steps = github_jobs()["shard"]["steps"]
    logins = [i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("azure/login@")]
    tokens = [i for i, s in enumerate(steps) if "az account get-access-token" in s.get("run", "")]
    [run] = steps_calling({"steps": steps}, "run")
    [restore] = steps_calling({"steps": steps}, "restore")
    assert len(logins) == len(tokens) == 2
    assert logins[0] < tokens[0] < steps.index(run) < logins[1] < tokens[1] < steps.index(restore)
    for i in logins + tokens:
        assert "env.GRAPH_CONTRACTS_AUTH == 'oidc'" in steps[i]["if"]
    for i in tokens:
        assert "::add-mask::" in steps[i]["run"]  # the token never shows in a log
        assert 'GRAPH_TOKEN=$token" >> "$GITHUB_ENV"' in steps[i]["run"]


@pytest.mark.parametrize("workload_identity", [False, True], ids=["client-secret", "wif"])
def test_azure_maps_secret_variables_into_env_explicitly(workload_identity: bool) -> None:
    text = AZURE.read_text()
    doc = load(with_workload_identity(text) if workload_identity else text)
    steps = next(j for j in doc["jobs"] if j["job"] == "shard")["steps"]
    for sub in ("run", "restore"):
        [step] = steps_calling(doc, sub)
        for name in CLIENT_CREDENTIALS:
            assert step["env"][name] == f"$({name})"
        assert ("GRAPH_TOKEN" in step["env"]) is workload_identity
        before = steps[: steps.index(step)]
        fetched = [s for s in before if s.get("task") == "AzureCLI@2"]
        assert bool(fetched) is workload_identity
    if workload_identity:
        cli = [s for s in steps if s.get("task") == "AzureCLI@2"]
        assert len(cli) == 2
        for step in cli:
            script = step["inputs"]["inlineScript"]
            assert "az account get-access-token --resource" in script
            assert "variable=GRAPH_TOKEN;issecret=true" in script


# --- policies a nightly run against a tenant needs --------------------------------------------


def test_github_jobs_have_timeouts_and_least_privilege() -> None:
    doc = load(GITHUB)
    assert doc["permissions"] == {"contents": "read"}
    allowed_writes = {"shard": {"id-token"}, "merge": {"checks"}, "setup": set()}
    for name, job in doc["jobs"].items():
        assert isinstance(job["timeout-minutes"], int), name
        writes = {scope for scope, level in job["permissions"].items() if level == "write"}
        assert writes == allowed_writes[name], name
    assert doc["concurrency"]["cancel-in-progress"] is False
    assert doc["jobs"]["shard"]["strategy"]["fail-fast"] is False
    run = steps_calling(doc, "run")[0]
    assert run["timeout-minutes"] < doc["jobs"]["shard"]["timeout-minutes"]


def test_github_triggers_and_merge_job() -> None:
    doc = load(GITHUB)
    assert doc["on"]["schedule"][0]["cron"]
    assert set(doc["on"]["workflow_dispatch"]["inputs"]) == {"plan", "shards"}
    merge = doc["jobs"]["merge"]
    assert set(merge["needs"]) == {"setup", "shard"}
    assert merge["if"].startswith("always()")
    steps = merge["steps"]
    publish = next(s for s in steps if str(s.get("uses", "")).startswith("EnricoMi/"))
    assert publish["uses"].endswith("@v2") and publish["with"]["junit_files"].endswith("junit.xml")
    uploads = {
        s["with"]["name"]: s["with"]["path"]
        for s in steps
        if "upload-artifact" in str(s.get("uses"))
    }
    assert uploads["graph-contracts-baseline"] == "reports/merged/summary.json"
    assert uploads["allure-results"] == "reports/merged/allure-results/"
    summary = step_named(steps, "Job summary")["run"]
    assert 'reports/merged/summary.md >> "$GITHUB_STEP_SUMMARY"' in summary
    verdict = step_named(steps, "Verdict")
    assert (
        verdict["if"] == "always()"
        and verdict["env"]["SHARDS_RESULT"] == "${{ needs.shard.result }}"
    )


def test_github_baseline_is_the_last_successful_run_of_this_workflow() -> None:
    jobs = github_jobs()
    find = step_named(jobs["setup"]["steps"], "baseline")["run"]
    assert "gh run list" in find and "--status success" in find and "--limit 1" in find
    download = step_named(jobs["shard"]["steps"], "Baseline")
    assert download["uses"] == "actions/download-artifact@v4"
    assert download["with"]["run-id"] == "${{ needs.setup.outputs.baseline-run-id }}"
    assert download["with"]["github-token"] == "${{ github.token }}"
    assert download["with"]["path"] == "baseline"
    assert download["continue-on-error"] is True  # an expired artifact is no baseline, not an error


def test_azure_jobs_have_timeouts_and_the_merge_job_runs_after_failures() -> None:
    doc = load(AZURE)
    assert doc["trigger"] == "none" and doc["pr"] == "none"
    [schedule] = doc["schedules"]
    assert schedule["always"] == "true"
    for job in doc["jobs"]:
        assert int(job["timeoutInMinutes"]) > 0, job["job"]
    merge = azure_jobs()["merge"]
    assert set(merge["dependsOn"]) == {"setup", "shard"}
    assert merge["condition"] == "succeededOrFailed()"
    tasks = {s.get("task") for s in merge["steps"]}
    assert {
        "PublishTestResults@2",
        "PublishPipelineArtifact@1",
        "DownloadPipelineArtifact@2",
    } <= tasks
    tests = next(s for s in merge["steps"] if s.get("task") == "PublishTestResults@2")
    assert tests["inputs"]["testResultsFormat"] == "JUnit"
    assert any("##vso[task.uploadsummary]" in s.get("script", "") for s in merge["steps"])


def test_azure_baseline_tolerates_its_absence_without_losing_the_next_one() -> None:
    """continueOnError turns a first night into "partially succeeded": such runs must be
    accepted as baselines. Only the two downloads may tolerate failure: the baseline, and the
    history, which cannot make a bad night a baseline since the Verdict still fails it."""
    doc = load(AZURE)
    tolerant = {m["displayName"]: m for m in walk(doc) if m.get("continueOnError") is True}
    assert set(tolerant) == {
        "Baseline (last successful night)",
        "History (latest night that kept one)",
    }
    download = tolerant["Baseline (last successful night)"]
    assert download["task"] == "DownloadPipelineArtifact@2"
    inputs = download["inputs"]
    assert inputs["buildType"] == "specific"
    assert inputs["definition"] == "$(System.DefinitionId)"
    assert inputs["buildVersionToDownload"] == "latestFromBranch"
    assert inputs["allowPartiallySucceededBuilds"] is True
    assert inputs["allowFailedBuilds"] is False
    assert inputs["artifactName"] == "graph-contracts-baseline"
    verdict = step_named(azure_jobs()["merge"]["steps"], "Verdict")["script"]
    assert "SucceededWithIssues" in verdict


# --- the history carried between nights (the trend and Allure's) --------------------------------


def test_azure_history_comes_from_the_latest_night_that_kept_one_failed_or_not() -> None:
    steps = azure_jobs()["merge"]["steps"]
    download = step_named(steps, "History (latest night that kept one)")
    inputs = download["inputs"]
    assert download["task"] == "DownloadPipelineArtifact@2"
    assert inputs["definition"] == "$(System.DefinitionId)"
    assert inputs["buildVersionToDownload"] == "latestFromBranch"
    assert inputs["allowFailedBuilds"] is True and inputs["allowPartiallySucceededBuilds"] is True
    assert inputs["artifactName"] == "graph-contracts-history"
    # Only runs that published a history carry the tag: a run that died before its merge job
    # cannot hide the last history behind an empty "latest" run.
    assert inputs["tags"] == "graph-contracts-history"
    assert inputs["targetPath"].endswith("/history")
    keep = step_named(steps, "History for the next night")
    assert "##vso[build.addbuildtag]graph-contracts-history" in keep["script"]
    publish = step_named(steps, "Publish history for the next night")
    assert publish["inputs"] == {
        "targetPath": "history",
        "artifact": "graph-contracts-history",
        "publishLocation": "pipeline",
    }
    [merge] = steps_calling({"steps": steps}, "report merge")
    order = [
        steps.index(s) for s in (download, merge, step_named(steps, "Allure report"), keep, publish)
    ]
    assert order == sorted(order)


def fake_gh(tmp_path: Path, reply: dict[str, Any]) -> Path:
    """A `gh` answering `gh api URL --jq FILTER` with `reply`, the filter applied by jq (gh
    applies it with gojq, which reads the same language)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (tmp_path / "reply.json").write_text(json.dumps(reply))
    gh = bin_dir / "gh"
    gh.write_text(
        "#!/bin/sh\n"
        '[ "$1" = api ] || exit 3\n'
        'case "$2" in *"actions/artifacts?name=graph-contracts-history"*) ;; *) exit 4 ;; esac\n'
        '[ "$3" = --jq ] || exit 5\n'
        f'exec jq -r "$4" {tmp_path / "reply.json"}\n'
    )
    gh.chmod(0o755)
    return bin_dir


def artifact(run_id: int, branch: str, created: str, expired: bool = False) -> dict[str, Any]:
    return {
        "name": "graph-contracts-history",
        "expired": expired,
        "created_at": created,
        "workflow_run": {"id": run_id, "head_branch": branch},
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("artifacts", "run_id"),
    [
        ([], ""),
        (
            [
                artifact(11, "main", "2026-01-01T02:40:00Z"),
                artifact(13, "main", "2026-01-03T02:40:00Z"),  # the latest on this branch
                artifact(12, "main", "2026-01-02T02:40:00Z"),
                artifact(14, "feature", "2026-01-04T02:40:00Z"),  # another branch
                artifact(15, "main", "2026-01-05T02:40:00Z", expired=True),
            ],
            "13",
        ),
    ],
    ids=["first-night", "latest-on-branch"],
)
def test_github_history_is_the_latest_unexpired_artifact_of_this_branch(
    tmp_path: Path, artifacts: list[dict[str, Any]], run_id: str
) -> None:
    step = step_named(github_jobs()["setup"]["steps"], "history")
    out = tmp_path / "github_output"
    out.write_text("")
    env = {
        "GITHUB_OUTPUT": str(out),
        "GITHUB_REF_NAME": "main",
        "GH_REPO": "org/repo",
        "PATH": f"{fake_gh(tmp_path, {'artifacts': artifacts})}{os.pathsep}{os.environ['PATH']}",
    }
    result = bash(step["run"], tmp_path, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert github_outputs(out) == {"run-id": run_id}
    assert ("no history yet" in result.stdout) is (run_id == "")


def test_github_history_is_downloaded_merged_and_uploaded_every_night() -> None:
    jobs = github_jobs()
    assert jobs["setup"]["outputs"]["history-run-id"] == "${{ steps.history.outputs.run-id }}"
    steps = jobs["merge"]["steps"]
    download = step_named(steps, "History")
    assert download["uses"] == "actions/download-artifact@v4"
    assert download["continue-on-error"] is True  # expired: tonight starts a new history
    # Another run's artifact: every job that downloads one may read actions.
    for name, job in jobs.items():
        other_runs = [m for m in walk(job["steps"]) if "run-id" in m.get("with", {})]
        if other_runs:
            assert job["permissions"].get("actions") == "read", name
    assert download["with"] == {
        "name": "graph-contracts-history",
        "path": "history",
        "run-id": "${{ needs.setup.outputs.history-run-id }}",
        "github-token": "${{ github.token }}",
    }
    [merge] = steps_calling({"steps": steps}, "report merge")
    allure = step_named(steps, "Allure report")
    keep = step_named(steps, "History for the next night")
    upload = step_named(steps, "Upload history for the next night")
    assert keep["if"] == "always()" and upload["if"].startswith("always()")
    assert upload["with"]["name"] == "graph-contracts-history"
    assert upload["with"]["path"] == "history/"
    order = [steps.index(s) for s in (download, merge, allure, keep, upload)]
    assert order == sorted(order)  # Allure appends tonight before the history is uploaded
    report = step_named(steps, "Upload Allure report")
    assert report["with"] == {"name": "allure-report", "path": "reports/allure-report/"}


@pytest.fixture
def fake_graph_contracts(tmp_path: Path) -> Path:
    """A `graph-contracts` that writes its arguments to args.txt, one per line."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    fake = bin_dir / "graph-contracts"
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > args.txt\n')
    fake.chmod(0o755)
    return bin_dir


@pytest.mark.slow
@pytest.mark.parametrize("path", [GITHUB, AZURE], ids=["github", "azure"])
@pytest.mark.parametrize("kept", [False, True], ids=["first-night", "history-kept"])
def test_merge_passes_the_history_only_when_one_was_downloaded(
    tmp_path: Path, fake_graph_contracts: Path, path: Path, kept: bool
) -> None:
    [merge] = steps_calling(load(path), "report merge")
    (tmp_path / "reports" / "shard-1").mkdir(parents=True)
    (tmp_path / "reports" / "shard-1" / "summary.json").write_text("{}")
    if kept:
        (tmp_path / "history").mkdir()
        (tmp_path / "history" / "history.jsonl").write_text("{}\n")
    env = {"SHARD_COUNT": "1", "PATH": f"{fake_graph_contracts}{os.pathsep}{os.environ['PATH']}"}
    result = bash(merge.get("run") or merge["script"], tmp_path, env)
    assert result.returncode == 0, result.stdout + result.stderr
    args = (tmp_path / "args.txt").read_text().splitlines()
    expected = ["report", "merge", "reports/shard-1"]
    expected += ["--history", "history/history.jsonl"] if kept else []
    assert args == [*expected, "--out", "reports/merged"]


# --- known failures and the adoption README ---------------------------------------------------

KNOWN_FAILURE_KEYS = {"check", "contract", "version", "path", "reason", "until"}


def contract_paths() -> dict[str, list[str]]:
    index = json.loads((ROOT / "contracts" / "index.json").read_text())
    return {
        entry["file"].removesuffix(".json"): json.loads(
            (ROOT / "contracts" / entry["file"]).read_text()
        )["paths"]
        for entry in index["contracts"]
    }


def test_known_failures_example_names_real_checks_contracts_and_paths() -> None:
    entries = yaml.safe_load(KNOWN_FAILURES.read_text())
    assert isinstance(entries, list) and entries
    paths = contract_paths()
    for entry in entries:
        assert set(entry) <= KNOWN_FAILURE_KEYS and entry["check"] in CHECKS, entry
        if "until" in entry:
            assert isinstance(entry["until"], datetime.date), entry
        if "contract" in entry:
            assert entry["contract"] in paths, entry
            if "version" in entry:
                assert entry["contract"].startswith(entry["version"] + "/"), entry
            if "path" in entry:
                assert fnmatch.filter(paths[entry["contract"]], entry["path"]), entry


def test_adoption_readme_names_every_secret_variable_and_artifact() -> None:
    readme = (CI / "README.md").read_text()
    text = GITHUB.read_text()
    names = set(re.findall(r"\b(?:secrets|vars)\.(\w+)", text))
    names |= {"graph-contracts-tenant", "graphContractsSpec", "graphBaseUrl"}
    names |= set(re.findall(r"name: (graph-contracts-\w+|allure-\w+)", text))
    names |= set(re.findall(r"artifact: (graph-contracts-\w+|allure-\w+)", AZURE.read_text()))
    missing = sorted(name for name in names if name not in readme)
    assert not missing, f"examples/ci/README.md does not mention {missing}"


# --- end to end against the mock ----------------------------------------------------------------


@pytest.mark.slow
def test_github_scripts_run_two_nights_against_the_mock(tmp_path: Path) -> None:
    """The template's own scripts against a `graph-contracts mock` server: two shards, their
    journal checks, the merge, then a second night on the first night's merged baseline."""
    from servers import mock_process

    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "known-failures.yml").write_text("[]\n")
    jobs = github_jobs()
    shard_steps, merge_steps = jobs["shard"]["steps"], jobs["merge"]["steps"]
    [run] = steps_calling({"steps": shard_steps}, "run")
    [merge] = steps_calling({"steps": merge_steps}, "report merge")
    check = step_named(shard_steps, "journal")["run"]
    env = {"PLAN": "minimal", "GRAPH_TOKEN": "t", "SHARD_N": "2", "SHARD_COUNT": "2"}
    env["PATH"] = f"{CLI.parent}{os.pathsep}{os.environ['PATH']}"  # this venv's python too
    merged = tmp_path / "reports" / "merged" / "summary.json"
    with mock_process(tmp_path / "contracts", token="t") as url:
        whole = subprocess.run(
            [str(CLI), "run", "--base-url", url, "--allow-writes", "--plan", "minimal",
             "--contracts", "contracts", "--report-dir", "whole"],
            cwd=tmp_path, env={**os.environ, **env}, capture_output=True, text=True,
        )  # fmt: skip
        assert whole.returncode == 0, whole.stdout + whole.stderr
        single = json.loads((tmp_path / "whole" / "summary.json").read_text())["totals"]
        for night in (1, 2):
            for k in ("1", "2"):
                shard_env = {**env, "GRAPH_BASE_URL": url, "SHARD_K": k}
                shard = bash(run["run"], tmp_path, shard_env)
                assert shard.returncode == 0, (
                    f"night {night} shard {k}: {shard.stdout}{shard.stderr}"
                )
                out = tmp_path / "github_output"
                out.write_text("")
                closed = bash(check, tmp_path, {**shard_env, "GITHUB_OUTPUT": str(out)})
                assert github_outputs(out)["unclosed"] == "false", closed.stderr
            result = bash(merge["run"], tmp_path, env)
            assert result.returncode == 0, result.stdout + result.stderr
            summary = json.loads(merged.read_text())
            assert summary["totals"]["failed"] == 0
            for key in ("endpoints", "checks_run"):
                assert summary["totals"][key] == single[key], key
            if night == 2:
                assert {r["change"] for r in summary["results"]} == {"unchanged"}
            (tmp_path / "baseline").mkdir(exist_ok=True)
            shutil.copy(merged, tmp_path / "baseline" / "summary.json")
            shutil.rmtree(tmp_path / "reports")


# --- the docs pull-request templates ------------------------------------------------------------


def test_docs_pr_templates_run_lint_on_the_changed_pages_only() -> None:
    for path in (GITHUB_DOCS, AZURE_DOCS):
        found = commands(load(path))
        assert set(found) == {"lint"}, path.name
        [args] = found["lint"]
        assert args[0] == "$DOCS_PATH", path.name
        assert {w for w in args if w.startswith("--")} == {
            "--changed-since",
            "--format",
            "--output",
        }
    github, azure = commands(load(GITHUB_DOCS))["lint"][0], commands(load(AZURE_DOCS))["lint"][0]
    assert option(github, "--changed-since") == "origin/$BASE_REF"
    assert option(azure, "--changed-since") == "origin/${TARGET_BRANCH#refs/heads/}"
    assert option(azure, "--format") == "sarif"


def test_github_docs_pr_triggers_permissions_and_upload() -> None:
    doc = load(GITHUB_DOCS)
    assert set(doc["on"]) == {"pull_request"}  # never pull_request_target: no write token
    assert doc["on"]["pull_request"]["paths"] == ["api-reference/**"]
    assert doc["permissions"] == {"contents": "read"}
    [job] = doc["jobs"].values()
    writes = {scope for scope, level in job["permissions"].items() if level == "write"}
    assert writes == {"security-events"} and isinstance(job["timeout-minutes"], int)
    steps = job["steps"]
    checkout = steps[0]
    assert checkout["uses"] == "actions/checkout@v4" and checkout["with"]["fetch-depth"] == 0
    [lint] = steps_calling(doc, "lint")
    assert lint["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert lint["env"]["FORMAT"] == "${{ steps.output.outputs.format }}"
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/"))
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    assert upload["with"]["sarif_file"] == "lint.sarif"
    assert upload["if"].startswith("always() && steps.output.outputs.format == 'sarif'")
    assert steps.index(lint) < steps.index(upload)


def test_azure_docs_pr_publishes_the_sarif_even_when_lint_fails() -> None:
    doc = load(AZURE_DOCS)
    assert doc["trigger"] == "none" and doc["pr"]["paths"]["include"] == ["api-reference"]
    [job] = doc["jobs"]
    assert job["steps"][0] == {"checkout": "self", "fetchDepth": "0"}
    [lint] = steps_calling(doc, "lint")
    assert lint["env"]["TARGET_BRANCH"] == "$(System.PullRequest.TargetBranch)"
    publish = next(s for s in job["steps"] if s.get("task") == "PublishBuildArtifacts@1")
    assert publish["condition"] == "succeededOrFailed()"
    assert publish["inputs"]["ArtifactName"] == "CodeAnalysisLogs"  # what the Scans tab reads
    assert publish["inputs"]["PathtoPublish"] == lint["env"]["SARIF_DIR"]
    assert not [m for m in walk(doc) if m.get("continueOnError")]


def docs_output(tmp_path: Path, fork: str, wanted: str) -> subprocess.CompletedProcess[str]:
    step = step_named(load(GITHUB_DOCS)["jobs"]["lint"]["steps"], "Output")
    out = tmp_path / "github_output"
    out.write_text("")
    return bash(step["run"], tmp_path, {"FORK": fork, "WANTED": wanted, "GITHUB_OUTPUT": str(out)})


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fork", "wanted", "fmt"),
    [
        ("false", "code-scanning", "sarif"),
        ("true", "code-scanning", "github"),  # a fork's token cannot upload SARIF
        ("false", "annotations", "github"),
        ("true", "annotations", "github"),
    ],
)
def test_github_docs_pr_chooses_sarif_or_annotations(
    tmp_path: Path, fork: str, wanted: str, fmt: str
) -> None:
    result = docs_output(tmp_path, fork, wanted)
    assert result.returncode == 0, result.stdout + result.stderr
    assert github_outputs(tmp_path / "github_output") == {"format": fmt}


@pytest.mark.slow
def test_github_docs_pr_refuses_an_unknown_output(tmp_path: Path) -> None:
    result = docs_output(tmp_path, "false", "sarif")
    assert result.returncode == 2 and "::error::GRAPH_CONTRACTS_LINT_OUTPUT" in result.stdout


@pytest.fixture
def docs_checkout(tmp_path: Path) -> Path:
    """CI's checkout of a docs pull request: a clone (so `origin/main` exists) on a branch whose
    commit edits only the planner resource page, which the planner update page links."""
    from docs_repo import BETA, append, commit, docs_repository, git, pull_request

    origin = docs_repository(tmp_path / "origin")
    git(tmp_path, "clone", "-q", str(origin), "checkout")
    checkout = pull_request(tmp_path / "checkout")
    append(checkout, BETA / "resources/plannertaskchatmessage.md")
    commit(checkout)
    return checkout


def lint_env(checkout: Path, **env: str) -> dict[str, str]:
    return {"PATH": f"{CLI.parent}{os.pathsep}{os.environ['PATH']}", **env}


def sarif_pages(path: Path) -> set[str]:
    results = json.loads(path.read_text())["runs"][0]["results"]
    return {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}


@pytest.mark.slow
def test_github_docs_pr_lint_step_on_a_pull_request_checkout(docs_checkout: Path) -> None:
    from docs_repo import PLANNER_UPDATE

    step = steps_calling(load(GITHUB_DOCS), "lint")[0]["run"]
    docs_path = load(GITHUB_DOCS)["env"]["DOCS_PATH"].split("'")[1]
    env = lint_env(docs_checkout, BASE_REF="main", DOCS_PATH=docs_path)
    sarif = bash(step, docs_checkout, {**env, "FORMAT": "sarif"})
    assert sarif.returncode == 1, sarif.stderr  # the planner page's missing include: an error
    assert sarif_pages(docs_checkout / "lint.sarif") == {PLANNER_UPDATE.as_posix()}
    annotations = bash(step, docs_checkout, {**env, "FORMAT": "github"})
    assert annotations.returncode == 1
    lines = annotations.stdout.splitlines()
    assert lines and all(line.startswith("::") for line in lines[:-1])
    assert all(f"file={PLANNER_UPDATE.as_posix()}," in line for line in lines[:-1])


@pytest.mark.slow
def test_azure_docs_pr_lint_step_on_a_pull_request_checkout(
    docs_checkout: Path, tmp_path: Path
) -> None:
    from docs_repo import PLANNER_UPDATE

    [lint] = steps_calling(load(AZURE_DOCS), "lint")
    staging = tmp_path / "staging" / "CodeAnalysisLogs"
    env = lint_env(
        docs_checkout,
        DOCS_PATH=load(AZURE_DOCS)["variables"][1]["value"],
        TARGET_BRANCH="refs/heads/main",
        SARIF_DIR=str(staging),
    )
    result = bash(lint["script"], docs_checkout, env)
    assert result.returncode == 1, result.stderr
    assert sarif_pages(staging / "graph-contracts-lint.sarif") == {PLANNER_UPDATE.as_posix()}


def test_docs_pr_readme_names_every_variable_and_artifact() -> None:
    readme = (CI / "README.md").read_text()
    names = set(re.findall(r"\bvars\.(\w+)", GITHUB_DOCS.read_text()))
    names |= {
        "CodeAnalysisLogs",
        "docsPath",
        "graphContractsSpec",
        GITHUB_DOCS.name,
        AZURE_DOCS.name,
    }
    assert names >= {"GRAPH_CONTRACTS_LINT_OUTPUT", "GRAPH_CONTRACTS_DOCS_PATH"}
    missing = sorted(name for name in names if name not in readme)
    assert not missing, f"examples/ci/README.md does not mention {missing}"


def test_templates_install_the_allure_version_the_tests_use() -> None:
    """tests/test_allure_report.py proves the report with the version tests/allure pins: the
    templates, their README and the lock file must name that one."""
    package = json.loads((ROOT / "tests" / "allure" / "package.json").read_text())
    version = package["dependencies"]["allure"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)  # exact: no range
    lock = json.loads((ROOT / "tests" / "allure" / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/allure"]["version"] == version
    assert load(GITHUB)["env"]["ALLURE_VERSION"] == version
    assert {"name": "allureVersion", "value": version} in load(AZURE)["variables"]
    assert f"allure@{version}" in (CI / "README.md").read_text()
    assert f"allure@{version}" in (ROOT / "docs" / "nightly.md").read_text()
    for path in (GITHUB, AZURE):
        installs = [s for s in scripts(load(path)) if "npm install" in s]
        assert installs == ['npm install --global --no-audit --no-fund "allure@$ALLURE_VERSION"']
