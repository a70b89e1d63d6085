"""The `waypost` command as shops, carriers and support staff use it, in a real subprocess."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker
from typer.testing import CliRunner

from infra.links import TrackingLinks
from infra.serving import free_port
from infra.settings import Settings
from ledger.claims import Ledger
from ledger.engine import make_engine
from models.notification import DeliveryReport, NotificationStatus
from models.status import ShipmentStatus
from starters.cli import app
from testing.factories import event, out_for_delivery, shipment
from tests.db_fixtures import REFUSED_DESCRIPTION, refusing_description
from tests.polling import all_settled, eventually
from workflows.client import report_event, start_shipment

S = ShipmentStatus
WAYPOST = str(Path(sys.executable).parent / "waypost")


@dataclass
class Run:
    code: int
    out: str
    err: str


async def waypost(*args: str, env: dict[str, str], timeout: float = 60) -> Run:
    proc = await asyncio.create_subprocess_exec(
        WAYPOST,
        *args,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return Run(proc.returncode, out.decode(), err.decode())


@pytest.fixture
def cli_env(temporal_env: WorkflowEnvironment, worker: Worker, tmp_path: Path) -> dict[str, str]:
    return {
        "WAYPOST_TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
        "WAYPOST_TASK_QUEUE": worker.task_queue,
        "WAYPOST_HOME": str(tmp_path / "home"),
    }


def write(tmp_path: Path, name: str, payload: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(payload))
    return str(path)


async def test_start_refuses_a_bad_phone_naming_the_field_and_creates_nothing(
    client: Client, cli_env: dict[str, str], tmp_path: Path
) -> None:
    payload = shipment().model_dump(mode="json")
    payload["recipient"]["phone"] = "0770 090"
    run = await waypost("shipment", "start", write(tmp_path, "s.json", payload), env=cli_env)

    assert run.code == 2
    assert "recipient.phone" in run.err and "E.164" in run.err
    workflow_id = f"shipment:{payload['shop_id']}:{payload['shipment_id']}"
    with pytest.raises(RPCError):
        await client.get_workflow_handle(workflow_id).describe()


async def test_start_twice_reports_the_existing_shipment(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    start = shipment()
    path = write(tmp_path, "s.json", start.model_dump(mode="json"))

    first = await waypost("shipment", "start", path, env=cli_env)
    second = await waypost("shipment", "start", path, env=cli_env)

    assert first.out.strip() == f"started: {start.workflow_id}"
    assert second.out.strip() == f"already exists: {start.workflow_id}"


async def test_event_prints_accepted_and_refused_with_the_reason(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    start = shipment()
    await waypost(
        "shipment", "start", write(tmp_path, "s.json", start.model_dump(mode="json")), env=cli_env
    )
    events = [event(S.AVAILABLE_FOR_PICKUP, 60, event_id="p1"), out_for_delivery(90, event_id="o1")]
    path = write(tmp_path, "e.json", [e.model_dump(mode="json") for e in events])

    run = await waypost("shipment", "event", start.workflow_id, path, env=cli_env)

    assert run.code == 1
    lines = run.out.splitlines()
    assert lines[0].startswith("accepted p1: applied, status available_for_pickup")
    assert any(
        line.startswith("refused o1:") and "cannot go from available_for_pickup" in line
        for line in lines
    )


async def test_event_file_with_an_unknown_status_is_refused_before_sending(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    payload = {"event_id": "x", "status": "lost_in_space", "occurred_at": "2026-11-20T10:00:00Z"}
    run = await waypost(
        "shipment", "event", "shop-1:nope", write(tmp_path, "e.json", payload), env=cli_env
    )

    assert run.code == 2
    assert "status" in run.err and "in_transit" in run.err


async def test_show_lists_events_messages_and_what_comes_next(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    start = shipment()
    await waypost(
        "shipment", "start", write(tmp_path, "s.json", start.model_dump(mode="json")), env=cli_env
    )
    path = write(tmp_path, "e.json", out_for_delivery(60, event_id="o1").model_dump(mode="json"))
    await waypost("shipment", "event", start.workflow_id, path, env=cli_env)

    run = await waypost("shipment", "show", start.workflow_id, env=cli_env)

    assert run.code == 0
    assert "status: out_for_delivery" in run.out
    assert "Leeds" in run.out and "o1 [applied]" in run.out
    assert "out_for_delivery      sms" in run.out
    assert "next carrier event" in run.out


async def refused_shipment(client: Client, task_queue: str, ledger_url: str) -> str:
    """A shipment one of whose events (e-in_transit-60) the ledger's database refuses for good."""
    start = shipment()
    await start_shipment(client, start, task_queue)
    with refusing_description(ledger_url):
        await report_event(
            client, start.workflow_id, event(S.IN_TRANSIT, 60, description=REFUSED_DESCRIPTION)
        )
        await report_event(client, start.workflow_id, out_for_delivery(120))
        await eventually(
            client, start.workflow_id, lambda s: len(s.notifications) == 2 and all_settled(s)
        )
    return start.workflow_id


async def test_show_lists_what_the_ledger_set_aside(
    cli_env: dict[str, str], client: Client, worker: Worker, sqlite_ledger_url: str
) -> None:
    ref = await refused_shipment(client, worker.task_queue, sqlite_ledger_url)

    run = await waypost(
        "shipment", "show", ref, env={**cli_env, "WAYPOST_DATABASE_URL": sqlite_ledger_url}
    )

    assert run.code == 0, run.err
    assert "set aside by the ledger" in run.out
    assert "event           e-in_transit-60" in run.out
    assert "IntegrityError: shipment_events: the schema refuses this description" in run.out


async def test_db_set_aside_prints_a_shipments_parts_with_their_payload(
    cli_env: dict[str, str], client: Client, worker: Worker, sqlite_ledger_url: str
) -> None:
    ref = await refused_shipment(client, worker.task_queue, sqlite_ledger_url)

    run = await waypost(
        "db",
        "set-aside",
        "--shipment",
        ref,
        "--json",
        env={**cli_env, "WAYPOST_DATABASE_URL": sqlite_ledger_url},
    )

    assert run.code == 0, run.err
    [part] = json.loads(run.out)
    assert (part["shipment_ref"], part["part"], part["key"]) == (ref, "event", "e-in_transit-60")
    payload = json.loads(part["payload"])
    assert (payload["status"], payload["description"]) == ("in_transit", REFUSED_DESCRIPTION)


async def test_show_of_an_unknown_shipment_says_so(cli_env: dict[str, str]) -> None:
    run = await waypost("shipment", "show", "shop-1:missing", env=cli_env)

    assert run.code == 1
    assert "no shipment shipment:shop-1:missing" in run.err


async def test_demo_once_runs_every_path_on_its_own_stack(tmp_path: Path) -> None:
    env = {
        "WAYPOST_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "WAYPOST_HOME": str(tmp_path / "home"),
    }
    env_without_db = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    proc = await asyncio.create_subprocess_exec(
        WAYPOST,
        "demo",
        "--once",
        env={**env_without_db, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 180)

    assert proc.returncode == 0, out.decode() + err.decode()
    assert "demo passed: 8/8" in out.decode()
    # Nothing it printed points at a service it does not leave running.
    assert "tracking page:" not in out.decode() and "/history" not in out.decode()
    assert "127.0.0.1:8000" not in out.decode()


async def test_show_of_a_closed_shipment_gives_the_ledgers_statuses_and_no_waits(
    cli_env: dict[str, str], client: Client, worker: Worker, sqlite_ledger_url: str
) -> None:
    start = shipment()
    started = await start_shipment(client, start, worker.task_queue)
    await report_event(client, start.workflow_id, out_for_delivery(60))
    await report_event(client, start.workflow_id, event(S.DELIVERED, 120))
    closed = await started.handle.result()
    [sms] = [n for n in closed.notifications if n.kind.value == "out_for_delivery"]
    # Twilio's "delivered" arrives after the workflow closed: only the ledger hears of it.
    Ledger(make_engine(sqlite_ledger_url)).record_delivery_report(
        DeliveryReport(
            provider="twilio",
            event="delivered",
            event_id=f"{sms.provider_message_id}:delivered",
            provider_message_id=sms.provider_message_id,
            key=sms.key,
            status=NotificationStatus.DELIVERED,
            occurred_at=datetime.now(UTC),
        )
    )

    run = await waypost(
        "shipment",
        "show",
        start.workflow_id,
        env={**cli_env, "WAYPOST_DATABASE_URL": sqlite_ledger_url},
    )

    assert run.code == 0, run.err
    [line] = [line for line in run.out.splitlines() if line.strip().startswith("out_for_delivery")]
    assert line.split()[:3] == ["out_for_delivery", "sms", "delivered"]
    waiting = run.out.split("waiting for:")[1]
    assert waiting.strip() == "nothing: the shipment is closed"


@pytest.mark.usefixtures("fresh_settings")
def test_link_prints_the_page_link_the_page_accepts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOST_PUBLIC_URL", "https://track.example.net")
    monkeypatch.setenv("WAYPOST_SECRET_KEY", "support-link-secret")

    done = CliRunner().invoke(app, ["shipment", "link", "shop-1:s-1"])

    assert done.exit_code == 0, done.output
    link = done.output.strip()
    assert link.startswith("https://track.example.net/t/")
    token = link.rsplit("/", 1)[1]
    links = TrackingLinks.from_settings(Settings())
    assert links.read(token, datetime.now(UTC)) == "shipment:shop-1:s-1"


@pytest.mark.usefixtures("fresh_settings")
def test_link_without_a_public_url_says_there_is_no_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOST_PUBLIC_URL", "")

    done = CliRunner().invoke(app, ["shipment", "link", "shop-1:s-1"])

    assert done.exit_code == 2 and "WAYPOST_PUBLIC_URL is empty" in done.output
