"""Shared fixtures live in plugin modules so each part of the suite owns its own."""

from __future__ import annotations

import os
import sys

import pytest

pytest_plugins = [
    "tests.db_fixtures",
    "tests.temporal_fixtures",
    "tests.fakes.fixtures",
    "tests.worker_processes",
]

_exit_status: int | None = None


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
    if _exit_status is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_status)
