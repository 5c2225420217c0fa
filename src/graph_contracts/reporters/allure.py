"""allure-results/: one Allure test result per check per endpoint, exchanges attached on failure.

Written with allure-python-commons (the library allure-pytest itself writes with), so the files are
what Allure's report generator expects whichever driver ran the suite. A failure carries the
request, a curl reproducer and the response, all already redacted by the engine. An endpoint that
met a target error gets one more result, `broken` (Allure's status for a test that could not run
properly, apart from failures), with the reason and the reproducer of the request it met.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from pathlib import Path

from allure_commons.logger import AllureFileLogger
from allure_commons.model2 import (
    Attachment,
    Label,
    Parameter,
    Status,
    StatusDetails,
    TestResult,
)
from allure_commons.types import AttachmentType

from graph_contracts.engine.events import CheckFinished, EndpointFinished, Event
from graph_contracts.engine.results import TargetError
from graph_contracts.exchanges import ExchangeRecord, redact
from graph_contracts.reporters.junit import test_name

DIRECTORY = "allure-results"
_STATUS = {"passed": Status.PASSED, "failed": Status.FAILED, "skipped": Status.SKIPPED}


class AllureReporter:
    def __init__(self, results_dir: Path) -> None:
        self.logger = AllureFileLogger(str(results_dir))

    def handle(self, event: Event) -> None:
        if isinstance(event, CheckFinished):
            self._write(event)
        elif isinstance(event, EndpointFinished) and event.target_error is not None:
            self._target_error(event.target_error)

    def _target_error(self, e: TargetError) -> None:
        now = int(time.time() * 1000)
        name = f"test_target[{e.contract} {e.path}]"
        full_name = f"{e.contract}::{name}"
        result = TestResult(
            uuid=str(uuid.uuid4()),
            name=name,
            fullName=full_name,
            historyId=hashlib.md5(full_name.encode()).hexdigest(),
            status=Status.BROKEN,
            statusDetails=StatusDetails(
                message=redact(e.reason), trace=redact(e.repro) if e.repro else None
            ),
            start=now,
            stop=now,
            labels=[
                Label(name="parentSuite", value=e.version),
                Label(name="suite", value=e.contract),
                Label(name="feature", value=e.workload or "other"),
                Label(name="tag", value="target-error"),
                Label(name="framework", value="graph-contracts"),
            ],
            parameters=[Parameter(name="path", value=e.path)],
        )
        if e.repro:
            source = f"{uuid.uuid4()}-attachment.{AttachmentType.TEXT.extension}"
            self.logger.report_attached_data(redact(e.repro), source)
            kind = AttachmentType.TEXT.mime_type
            result.attachments = [Attachment(name="reproducer (curl)", source=source, type=kind)]
        self.logger.report_result(result)

    def _write(self, event: CheckFinished) -> None:
        r, now = event.result, int(time.time() * 1000)
        full_name = f"{r.contract}::{test_name(r)}"
        result = TestResult(
            uuid=str(uuid.uuid4()),
            name=test_name(r),
            fullName=full_name,
            historyId=hashlib.md5(full_name.encode()).hexdigest(),
            status=_STATUS[r.outcome],
            statusDetails=StatusDetails(
                message=redact(r.message), trace=redact(r.repro) if r.repro else None
            ),
            start=now,
            stop=now,
            labels=[
                Label(name="parentSuite", value=r.version),
                Label(name="suite", value=r.contract),
                Label(name="feature", value=r.workload or "other"),
                Label(name="tag", value=r.check),
                Label(name="framework", value="graph-contracts"),
            ],
            parameters=[Parameter(name="path", value=r.path)],
        )
        if r.deviation:
            result.labels.append(Label(name="tag", value="deviation"))
        if event.exchange is not None:
            result.attachments = self._attach(event.exchange)
        self.logger.report_result(result)

    def _attach(self, exchange: ExchangeRecord) -> list[Attachment]:
        parts = [
            ("request", exchange.request, AttachmentType.TEXT),
            ("reproducer (curl)", exchange.curl, AttachmentType.TEXT),
            ("response", exchange.response, AttachmentType.TEXT),
        ]
        if exchange.response_json is not None:
            parts.append(("response body", exchange.response_json, AttachmentType.JSON))
        attachments = []
        for name, body, kind in parts:
            source = f"{uuid.uuid4()}-attachment.{kind.extension}"
            self.logger.report_attached_data(body, source)
            attachments.append(Attachment(name=name, source=source, type=kind.mime_type))
        return attachments
