"""The worker: runs ShipmentWorkflow and the ledger activity until SIGTERM/SIGINT.

Activities are synchronous (SQLAlchemy, the Twilio and SendGrid SDKs block), so they run on a
thread pool sized by the concurrency setting.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial

import structlog
from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.carriers.trackers import TrackerActivities, clients_from
from activities.providers.base import Provider
from activities.providers.factory import providers_for
from activities.publish import ShipmentActivities
from activities.sending import Sender
from activities.shops import RegistryShops, SettingsShops
from activities.webhooks import WebhookActivities
from infra.collector import tune_collector
from infra.encryption import Keyring, warn_if_unencrypted
from infra.links import TrackingLinks, UnsubscribeLinks, load_secret, recipient_hash
from infra.metrics import NOOP, AppMetrics
from infra.serving import stop_on_signals
from infra.settings import Settings
from infra.telemetry import app_metrics
from ledger.claims import LedgerWriter
from ledger.engine import make_engine
from ledger.migrations import upgrade_database
from ledger.views import LedgerReader
from ledger.webhooks import WebhookLog
from models.notification import Channel
from workers.metrics import reporting_pending_timers
from workers.webhook_relay import WebhookRelay, relaying
from workflows.shipment import ShipmentWorkflow
from workflows.webhook import WebhookDeliveryWorkflow

log = structlog.get_logger("waypost.worker")

WORKFLOW_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules("email_validator", "idna")
)
"""pydantic validates emails with email_validator, imported lazily on first use: pass it (and
idna) through so the sandbox does not re-import them for every workflow run."""


def workflow_runner(settings: Settings) -> WorkflowRunner:
    """The sandbox where the settings ask for it (tests, replay), else the plain runner."""
    return WORKFLOW_RUNNER if settings.workflow_sandbox else UnsandboxedWorkflowRunner()


def build_activities(
    settings: Settings,
    *,
    providers: Mapping[Channel, Provider] | None = None,
    metrics: AppMetrics = NOOP,
) -> ShipmentActivities:
    """The ledger activity on a migrated ledger, with the providers the settings call for."""
    upgrade_database(settings.ledger_url)
    ledger = LedgerWriter(make_engine(settings.ledger_url), metrics=metrics)
    secret = load_secret(settings)
    sender = Sender(
        ledger,
        providers or providers_for(settings),
        lease=timedelta(seconds=settings.send_lease_seconds),
        links=TrackingLinks.from_settings(settings),
        hash_recipient=partial(recipient_hash, secret),
        metrics=metrics,
        shops=RegistryShops(
            LedgerReader(ledger.engine), fallback=SettingsShops(settings.shop_profiles)
        ),
        unsubscribe=UnsubscribeLinks(secret, settings.public_base),
    )
    return ShipmentActivities(ledger, sender, keyring=Keyring.from_settings(settings))


def webhook_queue(task_queue: str) -> str:
    """Webhook deliveries run on a task queue of their own, beside the shipments': a shop's
    endpoint that is slow or down takes only the slots of its deliveries, never those the
    customers' messages are sent from."""
    return f"{task_queue}-webhooks"


@asynccontextmanager
async def running_worker(
    client: Client,
    settings: Settings,
    *,
    task_queue: str | None = None,
    activities: ShipmentActivities | None = None,
    trackers: TrackerActivities | None = None,
) -> AsyncIterator[Worker]:
    """A started worker; leaving the block shuts it down gracefully (in-flight work finishes)."""
    activities = activities or build_activities(settings, metrics=app_metrics(client))
    trackers = trackers or TrackerActivities(clients_from(settings))
    webhooks = WebhookLog(activities.ledger.engine)
    queue = task_queue or settings.task_queue
    relay = WebhookRelay(
        client,
        webhooks,
        task_queue=webhook_queue(queue),
        retry=settings.webhook_retry(),
        every=settings.webhook_relay_seconds,
    )
    if activities.webhooks_recorded is None:
        activities.webhooks_recorded = relay.nudge
    delivery = WebhookActivities(webhooks)
    workflow.logger.workflow_info_on_message = False
    with ThreadPoolExecutor(max_workers=settings.max_concurrent_activities) as pool:
        worker = Worker(
            client,
            task_queue=task_queue or settings.task_queue,
            workflows=[ShipmentWorkflow],
            workflow_runner=workflow_runner(settings),
            activities=[activities.publish_update, trackers.create_tracker, trackers.poll_tracker],
            activity_executor=pool,
            max_concurrent_activities=settings.max_concurrent_activities,
            max_concurrent_workflow_tasks=settings.max_concurrent_workflow_tasks,
            max_cached_workflows=settings.max_cached_workflows,
            graceful_shutdown_timeout=timedelta(seconds=10),
        )
        deliveries = Worker(
            client,
            task_queue=webhook_queue(queue),
            workflows=[WebhookDeliveryWorkflow],
            workflow_runner=workflow_runner(settings),
            activities=[delivery.deliver_webhook, delivery.give_up_webhook],
            max_concurrent_activities=settings.webhook_concurrency,
            graceful_shutdown_timeout=timedelta(seconds=2),
        )
        async with (
            worker,
            deliveries,
            reporting_pending_timers(client, settings, worker.task_queue),
            relaying(relay),
        ):
            log.info("worker started", task_queue=worker.task_queue)
            yield worker
        log.info("worker stopped", task_queue=worker.task_queue)


async def serve(client: Client, settings: Settings) -> None:
    """`waypost worker`: a production worker, so it says so loudly when payloads go in plain."""
    warn_if_unencrypted(settings, "worker")
    stop = stop_on_signals()
    async with running_worker(client, settings):
        tune_collector()
        await stop.wait()
        log.info("shutting down")
