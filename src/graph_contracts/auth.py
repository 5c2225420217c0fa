"""Tokens as small httpx.Auth objects, so no request-building code ever handles a secret.

`StaticToken` sends a token given on the command line or in GRAPH_TOKEN; `ClientCredentials`
gets one from Entra ID with msal (client secret or certificate), lazily on the first request and
from msal's cache afterwards. Every auth object exposes `secrets` for report redaction.

Tokens that last the night: client-credentials tokens live 60-90 minutes. msal serves a cached
token only while it has more than five minutes left, so asking msal before every request renews
it before it expires. A 401 with a token msal thought valid (revoked, clock skew) gets one
renewal and one retry, inside the auth flow; a 401 after that is the client's to report.

What a token may do (`Grants`): an Entra access token is a JWT whose `roles` claim lists an app's
application permissions and whose `scp` claim lists a user's delegated scopes (Microsoft identity
platform, "access token claims reference"). The claims are read, never verified: the service
verifies the signature, and the suite only needs the names to say which endpoints the token's
permissions cover. Only the permission names leave this module, never the token.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt

from graph_contracts.client import GraphContractsError
from graph_contracts.exchanges import redact

__all__ = [
    "CLOUDS",
    "AuthError",
    "ClientCredentials",
    "Cloud",
    "Grants",
    "StaticToken",
    "cloud_for",
    "from_settings",
    "grants_of",
]


class AuthError(GraphContractsError):
    """Credentials are missing, incomplete or rejected by the token endpoint."""


@dataclass(frozen=True)
class Cloud:
    """A national cloud: where to log in and which Graph host the token is for."""

    authority: str
    graph: str

    @property
    def scope(self) -> str:
        return self.graph + "/.default"


CLOUDS: dict[str, Cloud] = {
    "global": Cloud("https://login.microsoftonline.com", "https://graph.microsoft.com"),
    # US Government L4 (GCC High) and L5 (DoD) share an authority, not a Graph host.
    "usgov": Cloud("https://login.microsoftonline.us", "https://graph.microsoft.us"),
    "dod": Cloud("https://login.microsoftonline.us", "https://dod-graph.microsoft.us"),
    "china": Cloud("https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"),
}


# The `tid` of every personal Microsoft account (access token claims reference): a delegated token
# with it is for the docs' "Delegated (personal Microsoft account)" kind.
PERSONAL_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
KIND_WORDS = {  # how a report names the token's kind
    "application": "an application token",
    "delegated_work": "a delegated (work or school account) token",
    "delegated_personal": "a delegated (personal Microsoft account) token",
}


@dataclass(frozen=True)
class Grants:
    """The permissions a token carries: its kind (as a contract's `permissions` names kinds) and
    the names of its roles (application) or scopes (delegated); `kind` None when unknown, `why`
    then says why (no token, not a JWT, neither claim)."""

    kind: str | None
    names: tuple[str, ...] = ()
    why: str = ""

    @classmethod
    def of(cls, token: str) -> Grants:
        """Read the claims of `token` without verifying it (see the module docstring)."""
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return cls(None, why="not a JWT, so it names no roles or scopes")
        scopes, roles = claims.get("scp"), claims.get("roles")
        if isinstance(scopes, str) and scopes.strip():  # a user's token: space-separated scopes
            personal = claims.get("tid") == PERSONAL_TENANT
            kind = "delegated_personal" if personal else "delegated_work"
            return cls(kind, tuple(scopes.split()))
        if isinstance(roles, list):  # an app's token (client credentials): its app roles
            return cls("application", tuple(str(role) for role in roles))
        return cls(None, why="it carries neither a `roles` nor an `scp` claim")

    def describe(self) -> str:
        """`an application token with roles A, B` (the names only: never the token)."""
        if self.kind is None:
            return f"a token whose permissions are unknown ({self.why})"
        what = "scopes" if self.kind.startswith("delegated") else "roles"
        names = ", ".join(self.names) if self.names else "none"
        return f"{KIND_WORDS[self.kind]} with {what} {names}"


def grants_of(auth: httpx.Auth | None) -> Grants:
    """What the run's credentials carry (a client-credentials token comes from msal's cache)."""
    if auth is None:
        return Grants(None, why="no token was given")
    read = getattr(auth, "grants", None)
    return read() if callable(read) else Grants(None, why="the credentials hold no token to read")


class StaticToken(httpx.Auth):
    """A bearer token known up front."""

    def __init__(self, token: str) -> None:
        self._token = token

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self._token,)

    def grants(self) -> Grants:
        return Grants.of(self._token)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "StaticToken([REDACTED])"


class ClientCredentials(httpx.Auth):
    """Client-credentials flow with msal: a client secret, or a PEM certificate with its key.

    The msal app is built on the first request, not here, because building it already contacts
    the authority (discovery) and a mock run must not need the network.
    """

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        *,
        client_secret: str | None = None,
        certificate_path: str | os.PathLike[str] | None = None,
        certificate_thumbprint: str | None = None,
        cloud: str = "global",
        authority_url: str | None = None,
        verify: str | bool = True,
        graph_scope: str | None = None,
    ) -> None:
        if cloud not in CLOUDS:
            raise AuthError(f"unknown cloud {cloud!r}; expected one of {', '.join(CLOUDS)}")
        if (client_secret is None) == (certificate_path is None):
            raise AuthError(
                "client credentials need exactly one of a client secret or a certificate"
            )
        self.tenant_id = tenant_id
        self.client_id = client_id
        self._custom_authority = authority_url is not None
        self.authority = authority_url or f"{CLOUDS[cloud].authority}/{tenant_id}"
        self.scope = graph_scope or CLOUDS[cloud].scope
        self._secret = client_secret
        self._certificate_path = certificate_path
        self._thumbprint = certificate_thumbprint
        self._verify = verify
        self._app: object | None = None
        self._last_token: str | None = None
        self._lock = threading.Lock()

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self._secret, self._last_token) if s)

    def _credential(self) -> str | dict[str, str]:
        if self._secret is not None:
            return self._secret
        path = Path(self._certificate_path)  # type: ignore[arg-type]
        try:
            pem = path.read_text()
        except (OSError, UnicodeDecodeError) as exc:
            raise AuthError(
                f"{path}: cannot read the certificate ({exc.__class__.__name__})"
            ) from None
        if "PRIVATE KEY-----" not in pem or "CERTIFICATE-----" not in pem:
            raise AuthError(f"{path}: expected a PEM file holding the private key and certificate")
        if self._thumbprint:  # SHA-1 thumbprint as shown in the app registration: x5t header
            return {"private_key": pem, "thumbprint": self._thumbprint}
        return {"private_key": pem, "public_certificate": pem}  # msal uses x5t#S256 + x5c

    def _msal_app(self) -> object:
        import msal

        if self._app is None:
            try:
                self._app = msal.ConfidentialClientApplication(
                    self.client_id,
                    client_credential=self._credential(),
                    authority=self.authority,
                    # a custom authority (a test or private one) has no instance metadata
                    instance_discovery=False if self._custom_authority else None,
                    verify=self._verify,
                )
            except AuthError:
                raise
            except Exception as exc:  # msal raises ValueError and requests errors alike
                raise AuthError(
                    f"cannot set up sign-in at {self.authority}: {_one_line(exc, self.secrets)}"
                ) from None
        return self._app

    def token(self) -> str:
        """An access token for the Graph scope, from msal's cache when still valid."""
        with self._lock:
            app = self._msal_app()
            try:
                result = app.acquire_token_for_client([self.scope])  # type: ignore[attr-defined]
            except Exception as exc:
                raise AuthError(
                    f"token request to {self.authority} failed: {_one_line(exc, self.secrets)}"
                ) from None
        if "access_token" not in result:
            error = result.get("error", "unknown_error")
            detail = _one_line(result.get("error_description", ""), self.secrets)
            raise AuthError(f"token request to {self.authority} was refused: {error}: {detail}")
        self._last_token = result["access_token"]
        return result["access_token"]

    def grants(self) -> Grants:
        """The current token's roles (msal serves it from its cache once the run has one)."""
        return Grants.of(self.token())

    def renew(self) -> None:
        """Forget msal's cached access token, so the next `token()` asks the authority again.

        `acquire_token_for_client` has no force-refresh; removing the cached access token is the
        supported way (msal's own token cache API).
        """
        with self._lock:
            if self._app is None:
                return
            cache = self._app.token_cache  # type: ignore[attr-defined]
            kind = cache.CredentialType.ACCESS_TOKEN
            for entry in list(cache.search(kind, target=[self.scope])):
                cache.remove_at(entry)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        response = yield request
        if response.status_code == 401:  # one renewal and one retry; the client judges the rest
            self.renew()
            request.headers["Authorization"] = f"Bearer {self.token()}"
            yield request

    def __repr__(self) -> str:
        return f"ClientCredentials(tenant_id={self.tenant_id!r}, client_id={self.client_id!r})"


def _one_line(value: object, secrets: tuple[str, ...]) -> str:
    """First line of an error, redacted: Entra descriptions carry trace ids on later lines."""
    lines = str(value).strip().splitlines()
    return redact(lines[0] if lines else type(value).__name__, secrets)


def cloud_for(base_url: str | None) -> str | None:
    """The national cloud whose Graph host `base_url` is, so the token is for the right audience."""
    if not base_url:
        return None
    host = base_url.rstrip("/").lower()
    return next((name for name, cloud in CLOUDS.items() if host == cloud.graph), None)


def from_settings(
    token: str | None, env: Mapping[str, str] = os.environ, *, base_url: str | None = None
) -> httpx.Auth | None:
    """Pick credentials: explicit token > GRAPH_TOKEN > AZURE_* client credentials > None.

    The cloud is GRAPH_CLOUD, else the one whose Graph host is `base_url`, else global.
    """
    if token:
        return StaticToken(token)
    if env.get("GRAPH_TOKEN"):
        return StaticToken(env["GRAPH_TOKEN"])
    secret = env.get("AZURE_CLIENT_SECRET") or None
    cert = env.get("AZURE_CLIENT_CERTIFICATE_PATH") or None
    if not (secret or cert):
        return None
    missing = [k for k in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID") if not env.get(k)]
    if missing:
        raise AuthError(f"client credentials are incomplete: set {' and '.join(missing)}")
    return ClientCredentials(
        env["AZURE_TENANT_ID"],
        env["AZURE_CLIENT_ID"],
        client_secret=None if cert and not secret else secret,
        certificate_path=None if secret else cert,
        certificate_thumbprint=env.get("AZURE_CLIENT_CERTIFICATE_THUMBPRINT") or None,
        cloud=env.get("GRAPH_CLOUD") or cloud_for(base_url) or "global",
    )
