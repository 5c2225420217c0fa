"""Permissions understood: what a token carries, what the docs list, and a 403 on a valid write.

Tokens are JWTs signed with a key graph-contracts never sees (it reads claims, never verifies:
the service does). The docs' permission tables come from the corpus's own pages. The 403 comes
from real servers: the mock on uvicorn behind tests/proxy.py, the fault-injecting proxy, whose
`forbidden` rule answers PATCHes of one collection as Graph does when an app lacks the permission
(`Authorization_RequestDenied`); in-process runs wrap the mock's ASGI app the same way.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from drive import run_cli, summary_of
from proxy import FaultProxy, Rule
from servers import app_server
from starlette.responses import JSONResponse

from graph_contracts import contracts as contract_files
from graph_contracts import journal as journals
from graph_contracts import plan
from graph_contracts.auth import PERSONAL_TENANT, Grants, StaticToken, grants_of
from graph_contracts.client import GraphClient, InProcessTransport
from graph_contracts.contracts import Contract
from graph_contracts.discovery import Discoverer, Unreachable
from graph_contracts.engine.endpoint import Endpoint, EndpointRun, PermissionDenied, drive
from graph_contracts.engine.endpoint import Settings as EndpointSettings
from graph_contracts.extract import extract_paths
from graph_contracts.mock import create_app

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ["--contracts", str(ROOT / "contracts")]
FAST = ["--max-examples", "3", "--seed", "2", "--no-progress"]
INTUNE = "DeviceManagementConfiguration.ReadWrite.All"
USER_STATUS = "beta/deviceConfigurationUserStatus"
# Writes under deviceConfigurations take DeviceManagementConfiguration.ReadWrite.All: refused as
# a whole (the seeds' ten beta userStatuses endpoints), mobileApps' not (another permission).
CONFIGURATIONS = r"^/beta/deviceManagement/deviceConfigurations/"
DENIED = {
    "error": {
        "code": "Authorization_RequestDenied",
        "message": "Insufficient privileges to complete the operation.",
        "innerError": {"date": "2021-07-01T00:00:00", "request-id": "0000"},
    }
}


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    """The authority's key: graph-contracts never has it, and needs it for nothing."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def token(key: rsa.RSAPrivateKey, **claims: Any) -> str:
    """An Entra-shaped access token (RS256, `aud` Graph) with these claims."""
    payload = {"aud": "https://graph.microsoft.com", "tid": "11111111-2222-3333", **claims}
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "test"})


# --- what a token carries ----------------------------------------------------------------------


def test_an_application_tokens_roles_are_read_without_its_key(signing_key) -> None:
    app_token = token(signing_key, roles=[INTUNE, "User.Read.All"], idtyp="app")
    grants = StaticToken(app_token).grants()
    assert grants == Grants("application", (INTUNE, "User.Read.All"))
    assert grants.describe() == f"an application token with roles {INTUNE}, User.Read.All"
    assert app_token not in repr(grants) and app_token not in grants.describe()


def test_delegated_scopes_and_the_personal_account_tenant(signing_key) -> None:
    work = Grants.of(token(signing_key, scp="User.ReadWrite Directory.Read.All"))
    assert work == Grants("delegated_work", ("User.ReadWrite", "Directory.Read.All"))
    personal = Grants.of(token(signing_key, scp="User.ReadWrite", tid=PERSONAL_TENANT))
    assert personal.kind == "delegated_personal"
    assert personal.describe() == (
        "a delegated (personal Microsoft account) token with scopes User.ReadWrite"
    )


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("mock-1234", "not a JWT"),  # the mock's own token
        ("a.b.c", "not a JWT"),
        (None, "neither a `roles` nor an `scp` claim"),
    ],
)
def test_a_token_without_claims_carries_no_known_permission(signing_key, raw, why) -> None:
    grants = Grants.of(raw if raw is not None else token(signing_key, sub="x"))
    assert grants.kind is None and why in grants.why and grants.names == ()
    assert grants_of(None).kind is None and "no token" in grants_of(None).why


# --- what the docs list, against what the token carries ------------------------------------------


@pytest.fixture(scope="module")
def user_update(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Contract:
    """user-update.md (v1.0): least to most privileged, per kind, as the docs list them."""
    folder = tmp_path_factory.mktemp("docs") / "v1.0" / "api"
    folder.mkdir(parents=True)
    shutil.copy(corpus / "graph-docs/api-reference/v1.0/api/user-update.md", folder)
    (contract,) = extract_paths([folder]).contracts
    return contract


@pytest.mark.parametrize(
    ("kind", "names", "covered", "reason"),
    [
        ("application", ("User.ReadWrite.All",), True, "Application User.ReadWrite.All"),
        # a higher-privileged permission the docs list covers it...
        ("application", ("Directory.ReadWrite.All",), True, "Application Directory.ReadWrite.All"),
        ("delegated_work", ("directory.accessasuser.all",), True, "Directory.AccessAsUser.All"),
        # ...one they do not list does not, however it reads
        ("application", ("User.Read.All", "Directory.Read.All"), False, "needs one of Application"),
        (
            "delegated_personal",
            ("User.ReadWrite.All",),
            False,
            "Microsoft account): User.ReadWrite",
        ),
        ("delegated_personal", ("User.ReadWrite",), True, "account) User.ReadWrite"),
    ],
)
def test_coverage_follows_the_docs_table(user_update, kind, names, covered, reason) -> None:
    coverage = plan.permission_coverage(user_update, Grants(kind, names))
    assert coverage.covered is covered and reason in coverage.reason


def test_coverage_that_cannot_be_told_says_why(user_update) -> None:
    seeds = {c.id: c for c in contract_files.load(ROOT / "contracts")}
    intune = seeds["beta/deviceConfigurationUserStatus"]
    personal = plan.permission_coverage(intune, Grants("delegated_personal", (INTUNE,)))
    assert personal.covered is False  # Intune's table: "Not supported." for personal accounts
    assert "no Delegated (personal Microsoft account) permission" in personal.reason
    silent = plan.permission_coverage(
        seeds["v1.0/deviceConfigurationDeviceStatus"], Grants("application", (INTUNE,))
    )
    assert silent.covered is None and "docs list no permission" in silent.reason
    opaque = plan.permission_coverage(user_update, Grants.of("mock-1234"))
    assert opaque.covered is None and "not a JWT" in opaque.reason


@pytest.mark.parametrize(
    ("status", "code", "denied"),
    [
        (403, "Authorization_RequestDenied", True),
        (403, "Forbidden", True),
        (403, None, True),  # a 403 is a permission unless a page documents another cause
        (403, "MaximumTasksInProject", False),  # planner-overview.md: a service limit
        (401, "InvalidAuthenticationToken", False),
        (400, "BadRequest", False),
    ],
)
def test_which_replies_mean_a_missing_permission(status, code, denied) -> None:
    assert plan.denied_by_permission(status, code) is denied


# --- discovery ---------------------------------------------------------------------------------


def test_a_403_listing_is_named_a_permission_and_ends_the_search() -> None:
    """Each candidate parent's collection answers 403: one is enough to know it."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/beta")
        seen.append(path)
        if path == "/configs":
            return httpx.Response(200, json={"value": [{"id": f"c{i}"} for i in range(8)]})
        return httpx.Response(403, json=DENIED)

    client = GraphClient("https://graph.test", "beta", transport=httpx.MockTransport(handler))
    found = Discoverer(client).resolve("/configs/{configId}/statuses/{statusId}")
    assert isinstance(found, Unreachable) and found.denied
    assert found.reason == (
        "GET /configs/c0/statuses returned 403 Authorization_RequestDenied: "
        "the token lacks a permission to read it"
    )
    assert seen == ["/configs", "/configs/c0/statuses"]


# --- a 403 on a valid write: the endpoint skipped, nothing left changed ---------------------------


def refusing(app: Any, pattern: str, seen: list[str], token: str) -> Any:
    """The app, but PATCHes with `token` whose path matches `pattern` get Graph's 403 (a request
    without it is the app's to answer 401: authentication comes before authorization)."""
    matcher = re.compile(pattern)
    bearer = f"Bearer {token}".encode()

    async def wrapper(scope: dict, receive: Any, send: Any) -> None:
        own = (b"authorization", bearer) in scope.get("headers", [])
        if own and scope["method"] == "PATCH" and matcher.search(scope["path"]):
            seen.append(scope["path"])
            await JSONResponse(DENIED, status_code=403)(scope, receive, send)
            return
        await app(scope, receive, send)

    return wrapper


@pytest.fixture
def served(signing_key, fault_proxy) -> Iterator[tuple[str, str, FaultProxy]]:
    """(base URL, token, proxy): the seeds' mock on uvicorn behind the fault proxy, which refuses
    PATCHes of Intune configurations. The token is an app's, with a role the Intune pages do not
    list."""
    app_token = token(signing_key, roles=["User.Read.All"])
    app = create_app(contract_files.load(ROOT / "contracts"), token=app_token)
    with app_server(app) as url:
        proxy = fault_proxy(url, Rule("forbidden", method="PATCH", path=CONFIGURATIONS))
        yield proxy.url, app_token, proxy


def test_a_403_on_a_valid_write_skips_the_endpoint_and_leaves_nothing_changed(
    served, tmp_path: Path
) -> None:
    url, app_token, proxy = served
    code, output = run_cli(
        *CONTRACTS, "--base-url", url, "--token", app_token, "--version", "beta",
        "--report-dir", str(tmp_path), *FAST,
    )  # fmt: skip
    summary = summary_of(tmp_path)
    assert code == 0, output  # userAppInstallStatus is checked and passes
    assert summary["totals"]["failed"] == 0 and summary["left_changed"] == []
    denied = [r for r in summary["results"] if "deviceConfigurations" in r["path"]]
    assert len({r["path"] for r in denied}) == 10 and {r["outcome"] for r in denied} == {"skipped"}
    reason = denied[0]["message"]
    assert reason.startswith("permission denied: PATCH /deviceManagement/deviceConfigurations/")
    assert "answered 403 Authorization_RequestDenied: Insufficient privileges" in reason
    assert f"the docs list Application: {INTUNE}; Delegated (work or school account): {INTUNE}" in (
        reason
    )
    assert reason.endswith("the token is an application token with roles User.Read.All")
    refused = [path for method, path in proxy.seen if method == "PATCH" and "Configur" in path]
    assert len(refused) == proxy.fired["forbidden"] == 10  # one write per endpoint, no restore
    # Said up front, before any write: what the token covers and what the rest needs.
    assert (
        "permissions: an application token with roles User.Read.All: 0 of 11 endpoints covered,"
        " 10 need more, 1 cannot be told (their docs list no permission)"
    ) in output
    assert f"  needs one of Application: {INTUNE}: 10 endpoints of {USER_STATUS}\n" in output
    # the journal is closed (a refused write changed nothing): the next run may start at once
    assert journals.refusal(tmp_path / journals.NAME) is None
    assert summary["totals"]["restores"] == 2  # userAppInstallStatus: its entity and sibling
    # the permission names, never the token nor any other of its claims
    text = (tmp_path / "summary.json").read_text()
    assert app_token.split(".")[1] not in text and app_token.split(".")[1] not in output
    assert "11111111-2222-3333" not in text + output


def test_require_permissions_turns_the_skip_into_a_status_failure(served, tmp_path: Path) -> None:
    url, app_token, _ = served
    code, output = run_cli(
        *CONTRACTS, "--base-url", url, "--token", app_token, "--version", "beta",
        "--require-permissions", "--report-dir", str(tmp_path), *FAST,
    )  # fmt: skip
    summary = summary_of(tmp_path)
    assert code == 1, output
    failed = [r for r in summary["results"] if r["outcome"] == "failed"]
    assert {r["check"] for r in failed} == {"status"} and len(failed) == 10
    assert failed[0]["message"].startswith("permission denied: PATCH ")
    assert failed[0]["message"].endswith("(--require-permissions)")
    assert failed[0]["repro"].startswith("curl") and "PATCH" in failed[0]["repro"]
    assert summary["left_changed"] == [] and "TARGET LEFT CHANGED" not in output


def test_dry_run_says_which_endpoints_the_token_covers(signing_key, tmp_path: Path) -> None:
    app_token = token(signing_key, roles=[INTUNE])
    app = create_app(contract_files.load(ROOT / "contracts"), token=app_token)
    with app_server(app) as url:
        code, output = run_cli(
            *CONTRACTS, "--base-url", url, "--token", app_token, "--dry-run",
            "--report-dir", str(tmp_path), *FAST,
        )  # fmt: skip
    assert code == 0, output
    assert (
        f"permissions: an application token with roles {INTUNE}: 10 of 12 endpoints covered,"
        " 2 cannot be told (their docs list no permission)"
    ) in output
    assert not (tmp_path / "summary.json").exists()


def test_a_denial_after_accepted_writes_keeps_their_verdicts_and_restores() -> None:
    """One refused write mid-way (the third PATCH): the two before it were judged; the rest of the
    endpoint is not tried, and the entity, which the accepted writes changed, is put back."""
    (contract,) = [c for c in contract_files.load(ROOT / "contracts") if c.version == "v1.0"]
    wrapped = third_patch_refused(create_app([contract], token="t"))
    client = GraphClient(
        "http://mock", "v1.0", auth=StaticToken("t"), transport=InProcessTransport(wrapped)
    )
    endpoint = Endpoint(contract, contract.paths[0])
    path = Discoverer(client).resolve(endpoint.template).path
    before = client.get(path).json()
    run = EndpointRun(
        endpoint,
        client,
        Discoverer(client),
        EndpointSettings(max_examples=3, seed=2, read_window=0),
    )
    results = {r.check: r for r in run.run()}
    assert results["status"].outcome == "passed" and results["status"].cases == 2
    assert results["rejection"].outcome == "skipped"
    assert results["rejection"].message.startswith("permission denied: PATCH ")
    assert run.left_changed == [] and run.restores == 2
    after = client.get(path).json()
    assert {k: after.get(k) for k in before} == before
    client.close()


def third_patch_refused(app: Any) -> Any:
    """Refuses exactly the third PATCH (a permission withdrawn mid-run), passes the rest."""
    count = {"patches": 0}

    async def wrapper(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "PATCH":
            count["patches"] += 1
            if count["patches"] == 3:
                await JSONResponse(DENIED, status_code=403)(scope, receive, send)
                return
        await app(scope, receive, send)

    return wrapper


def test_an_endpoint_with_nothing_to_write_is_denied_on_its_first_own_patch() -> None:
    """No updatable property: the first PATCHes are invalid bodies. Their 403 is the missing
    permission too, never "an invalid body answered 403" (a rejection failure)."""
    (contract,) = [c for c in contract_files.load(ROOT / "contracts") if c.version == "v1.0"]
    properties = [replace(p, read_only=True) for p in contract.properties]
    frozen = replace(contract, properties=properties, examples=[])
    refused: list[str] = []
    app = refusing(create_app([frozen], token="t"), ".", refused, "t")
    client = GraphClient(
        "http://mock", "v1.0", auth=StaticToken("t"), transport=InProcessTransport(app)
    )
    endpoint = Endpoint(frozen, frozen.paths[0])
    run = EndpointRun(
        endpoint, client, Discoverer(client), EndpointSettings(max_examples=3, seed=2)
    )
    results = run.run()
    client.close()
    assert {r.outcome for r in results} == {"skipped"}, [(r.check, r.message) for r in results]
    assert all(r.message.startswith("permission denied: PATCH ") for r in results)
    assert len(refused) == 1 and run.left_changed == [] and run.restores == 0


def test_a_denied_write_inside_hypothesis_generation_ends_it_at_once() -> None:
    """Generated writes run inside Hypothesis, which collects Exceptions as failures and replays
    them: PermissionDenied must pass straight through, after the one write that was refused."""
    from hypothesis import strategies as st

    calls: list[int] = []
    response = httpx.Response(403, json=DENIED)

    def write(value: int) -> None:
        calls.append(value)
        if len(calls) == 2:
            raise PermissionDenied(response, "/x")

    with pytest.raises(PermissionDenied):
        drive(st.integers(), 20, 1, write)
    assert len(calls) == 2
