"""Logs are structured JSON with workflow context, and never carry a phone number or an email."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

import pytest
import structlog
from temporalio.client import Client
from temporalio.worker import Worker

from infra.logs import configure_logging
from models.status import ShipmentStatus
from testing.factories import event, out_for_delivery, shipment
from workflows.client import report_event, start_shipment

PHONE, EMAIL = "+447700900123", "sam@example.com"
NAME, COURIER, COURIER_PHONE = "Sam Taylor", "Piotr", "+48600999888"
LINK_TOKEN = re.compile(r"/t/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")


@pytest.fixture
def json_logs(capfd: pytest.CaptureFixture[str]) -> Iterator[None]:
    """Our logging set-up for one test (after capfd took stderr), then the previous one back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO", "json")
    yield
    root.handlers, root.level = handlers, level
    structlog.reset_defaults()


def lines(err: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


@pytest.mark.usefixtures("json_logs")
def test_standard_library_records_are_masked(capfd: pytest.CaptureFixture[str]) -> None:
    logging.getLogger("anything").info("texting %s", PHONE, extra={"to": EMAIL})

    [record] = lines(capfd.readouterr().err)

    assert record["event"] == "texting +44*******123"
    assert record["to"] == "s***@example.com"


@pytest.mark.usefixtures("json_logs")
async def test_a_shipment_run_logs_context_but_no_personal_data(
    client: Client, worker: Worker, capfd: pytest.CaptureFixture[str]
) -> None:
    start = shipment()
    started = await start_shipment(client, start, worker.task_queue)
    await report_event(client, start.workflow_id, out_for_delivery(60))
    await report_event(client, start.workflow_id, event(ShipmentStatus.DELIVERED, 90))
    await started.handle.result()

    out = capfd.readouterr()
    records = lines(out.err)

    assert PHONE not in out.err + out.out and EMAIL not in out.err + out.out
    assert any(r.get("event") == "message sent" for r in records)
    contexts = [
        r["temporal_workflow"] for r in records if isinstance(r.get("temporal_workflow"), dict)
    ]
    assert any(c.get("workflow_id") == start.workflow_id for c in contexts)  # type: ignore[attr-defined]


async def test_the_console_provider_prints_no_personal_data_or_live_link(
    client: Client, worker: Worker, capfd: pytest.CaptureFixture[str]
) -> None:
    """The embedded default sends through the console: its stdout is as clean as the logs."""
    start = shipment()
    started = await start_shipment(client, start, worker.task_queue)
    await report_event(client, start.workflow_id, out_for_delivery(60))
    await report_event(client, start.workflow_id, event(ShipmentStatus.DELIVERED, 90))
    await started.handle.result()

    out = capfd.readouterr().out

    for secret in (PHONE, EMAIL, NAME, COURIER_PHONE, COURIER):
        assert secret not in out
    assert LINK_TOKEN.search(out) is None
    assert "--- sms to +44*******123 ---" in out and "--- email to s***@example.com ---" in out
    assert f"{start.workflow_id}:out_for_delivery:" in out  # the kind, in the key
    assert "/t/***" in out  # the link's place in the message, its token gone


def test_a_line_below_the_level_is_never_processed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Below the level a line costs no masking (the busy path logs each message at INFO)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    masked: list[object] = []
    monkeypatch.setattr("infra.logs._mask", masked.append)
    configure_logging("WARNING", "json")
    try:
        structlog.get_logger("waypost.test").info("message sent", to=EMAIL)
    finally:
        root.handlers, root.level = handlers, level
        structlog.reset_defaults()

    assert masked == []
