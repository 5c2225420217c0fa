"""What a failure means for tonight's verdict: new since the baseline, known and excused, or neither.

A nightly run is useful when its reader sees what changed since last night, and when accepted gaps
do not turn every night red. Two inputs, both optional:

- a baseline: a previous run's summary.json. Each result gets `change`: `new` (failing now, not in
  the baseline), `fixed` (failing there, passing now), `unchanged`, or `unknown` (absent there).
  With `--fail-on new`, failures already failing in the baseline do not fail the run.
- known failures: a YAML list of entries with `check` and optional `contract`, `version`, `path` (a
  glob), `reason` and `until` (a date after which the entry no longer excuses). A matching failure
  is reported as known and does not fail the run; a known failure that now passes is reported as
  fixed ("remove it from the known failures"); an expired entry stops excusing and says so.

A failure that matches nothing still fails the run: excusing is always explicit.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from graph_contracts.engine.results import CheckResult

FAIL_ON = ("any", "new")
ENTRY_FIELDS = frozenset({"check", "contract", "version", "path", "reason", "until"})


class TriageError(ValueError):
    """A baseline or known-failures file that cannot be used; the message names file and entry."""


Key = tuple[str, str, str, str]  # contract, version, path, check


def key_of(result: CheckResult | dict[str, Any]) -> Key:
    get = result.get if isinstance(result, dict) else lambda name: getattr(result, name)
    return (get("contract"), get("version"), get("path"), get("check"))


@dataclass(frozen=True)
class Baseline:
    """A previous run's outcomes by result key, and the facts of that run."""

    path: Path
    outcomes: dict[Key, str]
    run: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Baseline:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise TriageError(f"{path}: cannot read the baseline ({exc.strerror})") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise TriageError(f"{path}: not a summary.json ({exc})") from None
        results = document.get("results") if isinstance(document, dict) else None
        if not isinstance(results, list):
            raise TriageError(f"{path}: not a summary.json (no `results` list)")
        try:
            outcomes = {key_of(r): r["outcome"] for r in results}
        except (KeyError, TypeError, AttributeError) as exc:
            raise TriageError(f"{path}: a result lacks {exc}") from None
        return cls(path, outcomes, document.get("run") or {})

    def change(self, result: CheckResult) -> str:
        before = self.outcomes.get(key_of(result))
        if before is None:
            return "unknown"
        if result.outcome == "failed":
            return "unchanged" if before == "failed" else "new"
        if before == "failed" and result.outcome == "passed":
            return "fixed"
        return "unchanged"


@dataclass(frozen=True)
class KnownFailure:
    check: str
    contract: str | None = None
    version: str | None = None
    path: str | None = None  # a glob over path templates
    reason: str = ""
    until: dt.date | None = None
    line: int = 0

    def matches(self, result: CheckResult) -> bool:
        return (
            self.check == result.check
            and self.contract in (None, result.contract)
            and self.version in (None, result.version)
            and (self.path is None or fnmatch.fnmatchcase(result.path, self.path))
        )

    def expired(self, today: dt.date) -> bool:
        return self.until is not None and today > self.until

    def describe(self) -> str:
        until = f", until {self.until.isoformat()}" if self.until else ""
        return f"line {self.line}: {self.reason or 'no reason given'}{until}"


def load_known_failures(path: Path) -> list[KnownFailure]:
    """Entries of a known-failures YAML file; errors name the file, line and field."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TriageError(f"{path}: cannot read the known failures ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise TriageError(f"{path}: not YAML: {exc}".replace("\n", " ")) from None
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise TriageError(f"{path}:{root.start_mark.line + 1}: expected a list of entries")
    return [_entry(path, node) for node in root.value]


def _entry(path: Path, node: yaml.Node) -> KnownFailure:
    where = f"{path}:{node.start_mark.line + 1}"
    data = yaml.safe_load(yaml.serialize(node))
    if not isinstance(data, dict):
        raise TriageError(f"{where}: an entry is a mapping with at least `check`")
    unknown = sorted(set(data) - ENTRY_FIELDS)
    if unknown:
        raise TriageError(f"{where}: unknown field {', '.join(map(repr, unknown))}")
    if not isinstance(data.get("check"), str) or not data["check"]:
        raise TriageError(f"{where}: `check` is required (a check name such as round-trip)")
    for name in ("contract", "version", "path", "reason"):
        if name in data and not isinstance(data[name], str):
            raise TriageError(f"{where}: `{name}` must be a string")
    return KnownFailure(
        check=data["check"],
        contract=data.get("contract"),
        version=data.get("version"),
        path=data.get("path"),
        reason=data.get("reason", ""),
        until=_date(where, data.get("until")),
        line=node.start_mark.line + 1,
    )


def _date(where: str, value: Any) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise TriageError(f"{where}: `until` must be a date (YYYY-MM-DD), not {value!r}") from None


@dataclass
class Triage:
    """Annotates results with their change and known status; decides which failures count."""

    baseline: Baseline | None = None
    known: list[KnownFailure] = field(default_factory=list)
    fail_on: str = "any"
    today: dt.date = field(default_factory=dt.date.today)

    def annotate(self, result: CheckResult) -> CheckResult:
        change = self.baseline.change(result) if self.baseline is not None else None
        entry = next((k for k in self.known if k.matches(result)), None)
        known = None
        if entry is not None:
            if result.outcome == "failed":
                known = (
                    f"expired known failure ({entry.describe()}): no longer excused"
                    if entry.expired(self.today)
                    else f"known failure ({entry.describe()})"
                )
            elif result.outcome == "passed":
                known = f"fixed: remove it from the known failures ({entry.describe()})"
        annotated = replace(result, change=change, known=known)
        return replace(annotated, excused=self._excuse(annotated))

    def _excuse(self, result: CheckResult) -> str | None:
        """Why a failed result does not fail the run, or None when it does."""
        if result.outcome != "failed":
            return None
        if result.known and result.known.startswith("known failure"):
            return result.known
        if self.fail_on == "new" and result.change == "unchanged":
            return "failing in the baseline too (--fail-on new)"
        return None

    @staticmethod
    def counts(result: CheckResult) -> bool:
        """Whether a result fails the run."""
        return result.outcome == "failed" and result.excused is None

    def summarize(self, results: Iterable[CheckResult]) -> dict[str, int]:
        results = list(results)
        return {
            "new_failures": sum(r.change == "new" for r in results),
            "fixed": sum(r.change == "fixed" for r in results),
            "known_failures": sum(
                bool(r.known and r.known.startswith("known failure")) for r in results
            ),
            "known_fixed": sum(bool(r.known and r.known.startswith("fixed:")) for r in results),
            "expired_known": sum(bool(r.known and r.known.startswith("expired")) for r in results),
            "failing": sum(self.counts(r) for r in results),
        }
