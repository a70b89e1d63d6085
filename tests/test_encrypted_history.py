"""With payload keys set, a shipment runs on a real worker and dev server as always, and the
history the server keeps holds no phone number, email or name of the customer or the courier:
read raw, without the keys, it is ciphertext; read through the codec server, as the Temporal UI
does, it shows them."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from temporalio.client import Client, WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from codec.server import running_codec_server
from infra.connection import connect
from infra.serving import free_port
from infra.settings import Settings
from models.status import ShipmentStatus
from testing.factories import event, out_for_delivery, shipment
from workers.worker import running_worker
from workflows.client import report_event, start_shipment

KEYS = {"2026-11": base64.b64encode(b"\x07" * 32).decode()}
TOKEN = "support-codec-token-42"
PERSONAL = ["+447700900123", "sam@example.com", "Sam Taylor", "+48600999888", "Piotr"]
"""The recipient's phone, email and name and the courier's phone and name (testing/factories)."""


@pytest.fixture
def encrypted(worker_settings: Settings) -> Settings:
    return Settings(
        database_url=worker_settings.database_url,
        task_queue=worker_settings.task_queue,
        max_concurrent_activities=4,
        payload_keys=KEYS,
        codec_server_port=free_port(),
        codec_server_token=TOKEN,
    )


@pytest.fixture
async def encrypting_client(temporal_env: WorkflowEnvironment, encrypted: Settings) -> Client:
    return await connect(encrypted, target=temporal_env.client.service_client.config.target_host)


@pytest.fixture
async def delivered(encrypting_client: Client, encrypted: Settings) -> AsyncIterator[str]:
    """A courier shipment run to delivered by a worker holding the keys; yields its id."""
    start = shipment()
    assert all(value in start.model_dump_json() for value in PERSONAL[:3])
    async with running_worker(encrypting_client, encrypted):
        started = await start_shipment(encrypting_client, start, encrypted.task_queue)
        for e in (out_for_delivery(60), event(ShipmentStatus.DELIVERED, 120)):
            await report_event(encrypting_client, start.workflow_id, e)
        final = await started.handle.result()
    assert final.status is ShipmentStatus.DELIVERED
    assert final.shipment.recipient.phone == PERSONAL[0]  # the keys' holder reads it all
    yield start.workflow_id


async def raw_history(temporal_env: WorkflowEnvironment, workflow_id: str) -> WorkflowHistory:
    """What the server stores, fetched by a client without the keys."""
    plain = temporal_env.client
    return await plain.get_workflow_handle(workflow_id).fetch_history()


NEVER_ENCODED = {"searchAttributes", "patch-data"}
"""Search attributes (the server indexes them) and `workflow.patched` markers (written by the
SDK's core, holding the patch id only) never pass through a codec."""


def payloads_in(node: Any) -> list[dict[str, Any]]:
    """Every payload in a history's protobuf JSON that goes through the codec, as the UI finds
    them."""
    if isinstance(node, list):
        return [p for item in node for p in payloads_in(item)]
    if not isinstance(node, dict):
        return []
    metadata = node.get("metadata")
    if isinstance(metadata, dict) and "encoding" in metadata:
        return [node]
    return [
        p for key, value in node.items() if key not in NEVER_ENCODED for p in payloads_in(value)
    ]


async def test_the_raw_history_holds_no_phone_email_or_name(
    temporal_env: WorkflowEnvironment, delivered: str
) -> None:
    history = await raw_history(temporal_env, delivered)
    as_bytes = b"".join(e.SerializeToString() for e in history.events)
    as_json = history.to_json()

    for value in PERSONAL:
        assert value.encode() not in as_bytes, f"{value} is readable in the history"
        assert value not in as_json
    payloads = payloads_in(json.loads(as_json))
    assert len(payloads) > 10
    encodings = {base64.b64decode(p["metadata"]["encoding"]) for p in payloads}
    assert encodings == {b"binary/encrypted"}


async def test_the_same_history_through_the_codec_server_shows_them(
    temporal_env: WorkflowEnvironment, delivered: str, encrypted: Settings
) -> None:
    payloads = payloads_in((await raw_history(temporal_env, delivered)).to_json_dict())

    async with (
        running_codec_server(encrypted) as url,
        httpx.AsyncClient(
            headers={"Authorization": f"Bearer {TOKEN}", "X-Namespace": "default"}
        ) as http,
    ):
        response = await http.post(f"{url}/decode", json={"payloads": payloads})

    assert response.status_code == 200, response.text
    decoded = response.json()["payloads"]
    assert len(decoded) == len(payloads)
    text = b"".join(base64.b64decode(p.get("data", "")) for p in decoded).decode()
    for value in PERSONAL:
        assert value in text, f"{value} is missing from the decoded history"


async def test_search_attributes_carry_no_personal_data(
    encrypting_client: Client, delivered: str
) -> None:
    description = await encrypting_client.get_workflow_handle(delivered).describe()
    shown = json.dumps(
        {k.name: str(v) for k, v in ((p.key, p.value) for p in description.typed_search_attributes)}
    )

    assert "OrderId" in shown
    for value in PERSONAL:
        assert value not in shown
