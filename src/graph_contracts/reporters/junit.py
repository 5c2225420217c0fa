"""junit.xml: one test case per check per endpoint, one test suite per contract.

Named as the pytest plugin names them (`test_round_trip[<contract> <path>]`), so a CI dashboard
shows the same tests whichever driver ran the suite. An endpoint that met a target error gets one
more test case, `test_target[<contract> <path>]`, with an `<error>` (JUnit's "could not run
properly", apart from failures) carrying the reason and the reproducer. Written with the
standard library's ElementTree: the format is four elements, and `report merge` reads it back
the same way.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from graph_contracts.engine.events import CheckFinished, Event, RunFinished
from graph_contracts.engine.results import CheckResult, TargetError
from graph_contracts.exchanges import redact

NAME = "junit.xml"


def test_name(result: CheckResult) -> str:
    return f"test_{result.check.replace('-', '_')}[{result.contract} {result.path}]"


class JUnitReporter:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.results: list[CheckResult] = []

    def handle(self, event: Event) -> None:
        if isinstance(event, CheckFinished):
            self.results.append(event.result)
        elif isinstance(event, RunFinished):
            write(self.results, event, self.path)


def write(results: list[CheckResult], finished: RunFinished, path: Path) -> Path:
    by_contract: dict[str, list[CheckResult]] = defaultdict(list)
    for r in results:
        by_contract[r.contract].append(r)
    root = ET.Element("testsuites", name="graph-contracts")
    properties = ET.SubElement(root, "properties")
    for name, value in (
        ("target", finished.run.target),
        ("seed", str(finished.run.seed)),
        ("mode", finished.run.mode),
        ("outcome", finished.outcome),
    ):
        ET.SubElement(properties, "property", name=name, value=value)
    errors: dict[str, list[TargetError]] = defaultdict(list)
    for e in finished.target_errors:
        errors[e.contract].append(e)
    for contract in sorted(set(by_contract) | set(errors)):
        suite = ET.SubElement(root, "testsuite", name=contract, timestamp=finished.run.started)
        for r in by_contract.get(contract, []):
            _case(suite, r)
        for e in errors.get(contract, []):
            _target_case(suite, e)
        recount(suite)
    recount(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def _case(suite: ET.Element, r: CheckResult) -> None:
    case = ET.SubElement(suite, "testcase", classname=r.contract, name=test_name(r), time="0")
    message = redact(r.message)  # the engine redacted its secrets; tokens a service echoed too
    if r.outcome == "failed" and r.excused:  # as pytest reports an xfail
        ET.SubElement(case, "skipped", type="xfail", message=redact(r.excused)[:500]).text = message
    elif r.outcome == "failed":
        failure = ET.SubElement(case, "failure", message=message[:500], type=r.check)
        failure.text = message + (f"\n\nReproduce:\n{redact(r.repro)}" if r.repro else "")
    elif r.outcome == "skipped":
        ET.SubElement(case, "skipped", message=message[:500])
    if r.deviation:
        ET.SubElement(case, "system-out").text = f"deviation from the docs: {redact(r.deviation)}"


def _target_case(suite: ET.Element, e: TargetError) -> None:
    name = f"test_target[{e.contract} {e.path}]"
    case = ET.SubElement(suite, "testcase", classname=e.contract, name=name, time="0")
    error = ET.SubElement(case, "error", message=redact(e.reason)[:500], type=e.cause)
    error.text = redact(e.reason) + (f"\n\nReproduce:\n{redact(e.repro)}" if e.repro else "")


def recount(element: ET.Element) -> None:
    """tests/failures/skipped/errors attributes from the test cases below `element`."""
    cases = list(element.iter("testcase"))
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(c.find("failure") is not None for c in cases)))
    element.set("skipped", str(sum(c.find("skipped") is not None for c in cases)))
    element.set("errors", str(sum(c.find("error") is not None for c in cases)))
