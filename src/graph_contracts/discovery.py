"""Reaching entities the way a client of a real tenant does: by listing collections along the path.

A path template such as `/deviceManagement/deviceConfigurations/{deviceConfigurationId}/
microsoft.graph.windowsWifiEnterpriseEAPConfiguration/rootCertificatesForServerValidation/{id}/...`
names no entity. The suite fills each placeholder with an id taken from a `GET` of the collection
before it (or from an `--ids` file), backtracking when a candidate turns out not to lead anywhere
(wrong derived type for a type-cast segment, a missing single-valued navigation, an empty
collection). No mock-specific knowledge: the same requests work against graph.microsoft.com.

A 403 on a discovery GET is a permission the token lacks (reading a collection takes a permission of
its own), not a missing entity: the reason says so, and the other candidates of that branch are not
tried, since a permission covers every entity of a collection alike and each try costs a request.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx

from graph_contracts import checks, paths
from graph_contracts.client import GraphContractsError, TargetUnreachable
from graph_contracts.contracts import ABSTRACT_ROOT
from graph_contracts.paths import Segment

MAX_CANDIDATES = 8  # ids tried per placeholder before giving up on a branch


class TargetError(Exception):
    """The target cannot be used at all (credentials rejected, unreachable): a configuration error."""


class IdsFileError(ValueError):
    """An --ids file that cannot be used; the message names the file."""


class Getter(Protocol):
    def get(self, path: str, **kwargs: Any) -> httpx.Response: ...


@dataclass(frozen=True)
class Resolved:
    """A template with every placeholder filled; `sibling` is a second entity of the same collection."""

    path: str
    params: dict[str, str]
    sibling: str | None = None


@dataclass(frozen=True)
class Unreachable:
    """No entity could be reached; `reason` says which request showed it (reported as a skip).

    `denied`: a GET answered 403, so the reason is a missing permission.
    """

    reason: str
    denied: bool = False


def load_ids(path: Path) -> dict[str, list[str]]:
    """Read an --ids file: a JSON object mapping a path parameter name to an id or a list of ids."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise IdsFileError(f"{path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise IdsFileError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise IdsFileError(f"{path}: expected a JSON object mapping parameter names to ids")
    ids: dict[str, list[str]] = {}
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) and v for v in values):
            raise IdsFileError(f"{path}: {name}: expected a non-empty id string or list of them")
        ids[name] = list(values)
    return ids


def _type_rank(odata_type: Any, wanted: str, accepted: Collection[str] = ()) -> int:
    """0: the wanted type (or one `accepted` for it), 1: no type given (or Graph's abstract
    root: a mislabelled entity, which the `shape` check judges), 2: another type."""
    named = str(odata_type).lstrip("#")
    if odata_type is None or named == ABSTRACT_ROOT:
        return 1
    return 0 if odata_type == wanted or named in accepted else 2


def _rank_of(item: Any, rank: dict[str, int]) -> bool:
    return isinstance(item, dict) and rank.get(str(item.get("id")), 1) == 2


@dataclass
class Discoverer:
    """Resolves templates against one client, caching collection listings shared between paths."""

    client: Getter
    ids: Mapping[str, list[str]] = field(default_factory=dict)
    requests: int = 0
    _listings: dict[str, httpx.Response] = field(default_factory=dict)
    _accepted: frozenset[str] = frozenset()
    _denied: bool = False  # a GET of this resolution answered 403

    def resolve(
        self, template: str, odata_type: str | None = None, accepted: Collection[str] = ()
    ) -> Resolved | Unreachable:
        """Fill every placeholder of `template`, or say why no entity is reachable.

        `odata_type` (`#microsoft.graph.ipNamedLocation`) is the type the contract documents: a
        collection often holds several derived types (namedLocations, messages, mailFolders), and
        the entity PATCHed must be one of the contract's type, not merely the first listed. An
        entity that names another type is never the one PATCHed: the contract's properties may
        not be its (a sibling derived type answers 400 to a faithful write: a false alarm), unless
        `accepted` (qualified names without `#`: types derived from the contract's, known from
        `--metadata`) names it. An entity without `@odata.type` is of the collection's type.
        """
        self._accepted = frozenset(accepted)
        self._denied = False
        segments = paths.parse(template)
        reasons: list[str] = []
        found = self._walk("", segments, {}, reasons, odata_type)
        if found is not None:
            return found
        reason = reasons[-1] if reasons else f"no entity reachable for {template}"
        return Unreachable(reason, self._denied)

    def _walk(
        self,
        prefix: str,
        rest: list[Segment],
        params: dict[str, str],
        reasons: list[str],
        odata_type: str | None = None,
    ) -> Resolved | None:
        for i, segment in enumerate(rest):
            if segment.kind != "key":
                prefix += "/" + segment.text
                continue
            name, tail = segment.name, rest[i + 1 :]
            if segment.prefix and name not in self.ids:
                # `range({address})`: a value no listing names; only an --ids file can give it.
                reasons.append(f"{segment.text} needs a value for {{{name}}} (give it in --ids)")
                return None
            wanted = f"#{tail[0].name}" if tail and tail[0].kind == "cast" else None
            if not tail:
                wanted = odata_type
            ids = self._candidates(prefix, name, wanted, reasons, final=not tail)
            candidates = [segment.fill(ident) for ident in ids]
            if not tail:
                if not candidates:
                    return None
                sibling = f"{prefix}/{candidates[1]}" if len(candidates) > 1 else None
                return Resolved(f"{prefix}/{candidates[0]}", {**params, name: ids[0]}, sibling)
            for ident, candidate in list(zip(ids, candidates, strict=True))[:MAX_CANDIDATES]:
                found = self._walk(
                    f"{prefix}/{candidate}", tail, {**params, name: ident}, reasons, odata_type
                )
                if found is not None or self._denied:
                    return found
            return None
        # No placeholder left (a singleton or single-valued navigation): the path is the entity.
        if params and odata_type and not self._of_type(prefix, odata_type, reasons):
            return None  # this parent's navigation holds another type: try the next parent
        return Resolved(prefix or "/", params)

    def _of_type(self, path: str, wanted: str, reasons: list[str]) -> bool:
        """Whether the entity at `path` may be PATCHed as `wanted` (see `resolve`)."""
        response = self._get(path)
        if response.status_code != 200:
            reasons.append(self._refused(path, response))
            return False
        try:
            named = response.json().get("@odata.type")
        except (ValueError, AttributeError):
            named = None
        if _type_rank(named, wanted, self._accepted) == 2:
            reasons.append(f"GET {path} is a {named}, not a {wanted}")
            return False
        return True

    def _candidates(
        self, collection: str, name: str, wanted: str | None, reasons: list[str], final: bool
    ) -> list[str]:
        """Ids listed in `collection`, those of the `wanted` @odata.type first.

        An item without `@odata.type` (Graph leaves it out for the collection's own type) comes
        before one that names another type. For the entity PATCHed (`final`), items of another
        type are left out (see `resolve`); on the way to it they are tried last.
        """
        if name in self.ids:
            return list(self.ids[name])
        items = self._list(collection, reasons)
        ids = [str(item["id"]) for item in items if isinstance(item, dict) and item.get("id")]
        if items and not ids:
            reasons.append(f"GET {collection} returned no entity with an id")
        if wanted:
            rank = {
                str(item.get("id")): _type_rank(item.get("@odata.type"), wanted, self._accepted)
                for item in items
                if isinstance(item, dict)
            }
            ids.sort(key=lambda i: rank.get(i, 1))
            if final:
                others = sorted({str(i.get("@odata.type")) for i in items if _rank_of(i, rank)})
                ids = [i for i in ids if rank.get(i, 1) < 2]
                if not ids and others:
                    reasons.append(
                        f"GET {collection} lists no {wanted} (only {', '.join(others)}); "
                        "give --metadata to accept types derived from it, or --ids"
                    )
        return ids

    def _list(self, collection: str, reasons: list[str]) -> list[Any]:
        response = self._listings.get(collection)
        if response is None:
            response = self._get(collection)
            self._listings[collection] = response
        if response.status_code != 200:
            reasons.append(self._refused(collection, response))
            return []
        try:
            value = response.json().get("value")
        except (ValueError, AttributeError):
            value = None
        if not isinstance(value, list):
            reasons.append(f"GET {collection} did not return a collection (no `value` array)")
            return []
        if not value:
            reasons.append(f"GET {collection} returned an empty collection")
        return value

    def _refused(self, path: str, response: httpx.Response) -> str:
        """`GET x returned 404`; a 403 is named as the permission it is (and ends the search)."""
        if response.status_code != 403:
            return f"GET {path} returned {response.status_code}"
        self._denied = True
        code = checks.error_code(response)
        return (
            f"GET {path} returned 403{' ' + code if code else ''}: "
            "the token lacks a permission to read it"
        )

    def _get(self, path: str) -> httpx.Response:
        first = self.requests == 0
        self.requests += 1
        try:
            response = self.client.get(path)
        except httpx.TransportError as exc:
            raise TargetError(f"target unreachable: GET {path}: {exc}") from None
        except TargetUnreachable as exc:
            raise TargetError(f"target unreachable: {exc}") from None
        except GraphContractsError as exc:  # no token from the authority
            raise TargetError(str(exc)) from None
        if response.status_code == 401:
            what = "the first discovery request" if first else "discovery"
            raise TargetError(
                f"credentials rejected: GET {path} returned 401 on {what}; "
                "check --token / GRAPH_TOKEN or the client-credentials settings"
            )
        return response
