"""Reporters: handlers of the run's event stream (console, summary.json/md, JUnit, Allure).

The engine never imports this package; a driver picks the handlers and hands them to the run.
`prepare` empties a report directory of an earlier run's files before a new run writes there, so
no report can be mistaken for this run's.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from graph_contracts.engine.events import EventHandler
from graph_contracts.reporters.allure import DIRECTORY as ALLURE_DIRECTORY
from graph_contracts.reporters.allure import AllureReporter
from graph_contracts.reporters.console import ConsoleReporter
from graph_contracts.reporters.history import KEEP as HISTORY_KEEP
from graph_contracts.reporters.junit import NAME as JUNIT_NAME
from graph_contracts.reporters.junit import JUnitReporter
from graph_contracts.reporters.summary import JSON_NAME, MARKDOWN_NAME, SummaryReporter

__all__ = [
    "AllureReporter",
    "ConsoleReporter",
    "JUnitReporter",
    "SummaryReporter",
    "files_handlers",
    "prepare",
]

RUN_FILES = (JSON_NAME, MARKDOWN_NAME, JUNIT_NAME)


def prepare(report_dir: Path) -> None:
    """Remove what an earlier run wrote here (only our own files: the folder may hold others).

    history.jsonl stays: it may be the very file `--history` carries, and a whole run rewrites it.
    """
    report_dir.mkdir(parents=True, exist_ok=True)
    for name in RUN_FILES:
        (report_dir / name).unlink(missing_ok=True)
    shutil.rmtree(report_dir / ALLURE_DIRECTORY, ignore_errors=True)


def files_handlers(
    report_dir: Path, history: Path | None = None, keep: int = HISTORY_KEEP, *, night: bool = True
) -> list[EventHandler]:
    """The report files of a `graph-contracts run`: summaries, junit.xml and allure-results/;
    a `night` (not a shard) also history.jsonl, the nights of `history` and this run."""
    return [
        SummaryReporter(report_dir, history, keep, night=night),
        JUnitReporter(report_dir / JUNIT_NAME),
        AllureReporter(report_dir / ALLURE_DIRECTORY),
    ]
