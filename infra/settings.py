"""Settings from the environment. Everything has an embedded default so `make demo` needs nothing:
a SQLite ledger under .waypost/, the local dev server, and console delivery when no provider
credentials are set."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
from datetime import timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.bounds import Identifier
from models.shop import ShopProfile
from models.tracking import TrackerMode, TrackerService
from models.webhooks import WebhookRetry

PAYLOAD_KEY_BYTES = 32
"""AES-256: a payload key is 32 random bytes, written in base64."""
PAYLOAD_KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
LOCAL_PAYLOAD_KEY = "payload-key.json"
"""Under `home`: the key `waypost dev` generates on first run, so a local dev server's histories
hold no readable personal data; every `waypost` command run with that home uses it while
`WAYPOST_PAYLOAD_KEYS` is unset."""
MiB = 1024 * 1024
MAX_BODY_LIMIT = 64 * MiB
"""No body limit may be raised past this: a few concurrent bodies of this size are what the
HTTP service can hold in memory."""


class RetentionMode(StrEnum):
    ANONYMISE = "anonymise"
    """Keep the figures, remove who and what: reports stay right for any past period."""
    DELETE = "delete"
    """Keep nothing: the shipments vanish from reports too."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="WAYPOST_",
        extra="ignore",
        # Errors never echo what was given: settings hold keys and tokens.
        hide_input_in_errors=True,
    )

    home: Path = Field(
        default=Path(".waypost"), description="Folder for local state (ledger, dev server)."
    )
    temporal_address: str = Field(
        default="localhost:7233",
        description="Temporal frontend, host:port (Temporal Cloud: the namespace's gRPC endpoint).",
    )
    temporal_namespace: str = Field(
        default="default", description="Temporal namespace the shipment workflows live in."
    )
    task_queue: str = Field(
        default="waypost-shipments",
        description="Task queue the workers poll and shipments are started on; every worker of "
        "one deployment uses the same one.",
    )
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("WAYPOST_DATABASE_URL", "DATABASE_URL"),
        description="SQLAlchemy URL of the ledger; default: a SQLite file under `home`.",
    )
    max_concurrent_activities: int = Field(
        default=20,
        ge=1,
        description="Activities (ledger writes and provider calls) one worker runs at once; also "
        "the size of its thread pool.",
    )
    send_lease_seconds: int = Field(
        default=60,
        ge=15,
        description="How long a claimed message is left to its sender before another attempt "
        "may take over (after asking the provider whether it was sent). Longer than a provider "
        "call can take.",
    )
    max_concurrent_workflow_tasks: int = Field(
        default=50, ge=1, description="Workflow tasks one worker runs at once."
    )
    max_cached_workflows: int = Field(
        default=250,
        ge=0,
        description="Workflows a worker keeps in memory between tasks (Temporal's sticky cache). "
        "Each costs about 0.3 MB above a worker's ~135 MB, so 250 keeps a worker near 240 MB; "
        "a workflow not cached is replayed from its history on its next event.",
    )
    workflow_sandbox: bool = Field(
        default=False,
        description="Run the workflow in Temporal's sandbox. The test suite always does, so a "
        "non-deterministic call in workflow code fails CI; production workers skip it, since it "
        "re-imports the workflow module for every run and enters it for every payload (about a "
        "third of a worker's CPU in `make bench`).",
    )
    log_level: str = Field(
        default="INFO", description="Least severe log level written: DEBUG, INFO, WARNING, ERROR."
    )
    log_format: str = Field(
        default="json",
        pattern="^(json|console)$",
        description="json (one object per line, for log collectors) or console (for people).",
    )
    ui_port: int = Field(
        default=8233, description="Port of the local dev server's Temporal UI (`waypost dev`)."
    )
    metrics_bind: str = Field(
        default="",
        description="Where this process serves Prometheus metrics, `http://<address>/metrics`: "
        "an IP address and port, like 0.0.0.0:9464. Empty (the default): no metrics, so a "
        "worker, the HTTP service and the tests on one machine never fight over a port. Served "
        "by `waypost worker`, `waypost api`, `waypost dev` and `waypost demo`; never by one-off "
        "commands (`waypost shipment ...`).",
    )
    metrics_timers_refresh_seconds: float = Field(
        default=15.0,
        gt=0,
        description="How often a worker serving metrics counts the shipments waiting on each "
        "kind of timer in Temporal visibility (`waypost_pending_timers`).",
    )

    @field_validator("metrics_bind")
    @classmethod
    def _metrics_bind(cls, value: str) -> str:
        value = value.strip()
        if value and not _socket_address(value):
            raise ValueError(
                "WAYPOST_METRICS_BIND must be an IP address and a port, like 0.0.0.0:9464 or "
                "[::1]:9464 (a host name such as localhost is not accepted; empty: no metrics)"
            )
        return value

    twilio_account_sid: str | None = Field(
        default=None,
        validation_alias=AliasChoices("WAYPOST_TWILIO_ACCOUNT_SID", "TWILIO_ACCOUNT_SID"),
        description="Twilio account SID (AC...). With the auth token, SMS go through Twilio; "
        "without, to the console.",
    )
    twilio_auth_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("WAYPOST_TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN"),
        description="Twilio auth token; also verifies the signatures of Twilio's callbacks.",
    )
    twilio_from_number: str | None = Field(
        default=None, description="Sender number (E.164) of SMS, or set the Messaging Service."
    )
    twilio_messaging_service_sid: str | None = Field(
        default=None,
        description="Twilio Messaging Service (MG...) that picks the sender; instead of, or with, "
        "the from number.",
    )
    twilio_api_base: str | None = Field(
        default=None, description="Override of https://api.twilio.com (a local server in tests)."
    )

    shop_profiles: dict[Identifier, ShopProfile] = Field(
        default_factory=dict,
        description="Shops' profiles until the shop registry holds them: JSON of shop id -> "
        'profile, {"acme": {"display_name": "Acme Outdoor", "brand": {"logo_url": ...}}}; '
        "a shop not listed is named by its id.",
    )

    sendgrid_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("WAYPOST_SENDGRID_API_KEY", "SENDGRID_API_KEY"),
        description="SendGrid API key. Set: emails go through SendGrid; unset: to the console.",
    )
    sendgrid_from_email: str | None = Field(
        default=None, description="Sender address of emails (a verified SendGrid sender)."
    )
    sendgrid_from_name: str = Field(default="Waypost", description="Sender name of emails.")
    sendgrid_host: str = Field(
        default="https://api.sendgrid.com",
        description="SendGrid API base URL (a local server in tests).",
    )
    sendgrid_webhook_public_key: str | None = Field(
        default=None,
        description="SendGrid's Event Webhook verification key (base64, as SendGrid shows it).",
    )
    sendgrid_max_body_bytes: int = Field(
        default=1 * MiB,
        ge=64 * 1024,
        le=MAX_BODY_LIMIT,
        description="Largest SendGrid Event Webhook request accepted (SendGrid batches events); "
        "a larger one is refused with 413 while it streams in.",
    )

    api_host: str = Field(
        default="127.0.0.1",
        description="Address the HTTP service listens on (0.0.0.0 in a container).",
    )
    api_port: int = Field(
        default=8000, ge=1, le=65535, description="Port the HTTP service listens on."
    )
    public_url: str | None = Field(
        default=None,
        description="Where customers and providers reach the HTTP service: tracking links in "
        "messages and Twilio's status callbacks use it. Unset: the service's own address, "
        "http://<api_host>:<api_port> (127.0.0.1 for an all-interfaces host), so it follows "
        "WAYPOST_API_PORT. Empty: messages link the shop's own tracking_url, and Twilio sends "
        "no callbacks.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs tracking links and keys the phone-number hashes that match a "
        "customer's SMS reply to a shipment. Default: a random key kept in `home`/secret.key.",
    )
    tracking_link_days: int = Field(
        default=90, ge=1, description="How long a tracking link in a message stays valid."
    )
    retention_days: int = Field(
        default=180,
        ge=1,
        description="`waypost db retention` anonymises (or deletes) the ledger's record of "
        "shipments closed longer ago than this many days; open ones are never touched. Keep it "
        "at least `tracking_link_days`: an anonymised shipment's tracking page is gone.",
    )
    retention_mode: RetentionMode = Field(
        default=RetentionMode.ANONYMISE,
        description="`anonymise`: clear everything that identifies a shipment or customer and "
        "keep the figures `waypost report` counts; `delete`: keep nothing.",
    )
    shop_api_keys: dict[Identifier, SecretStr] = Field(
        default_factory=dict,
        description='Shop id (the id alphabet) to API key, as JSON: {"shop-1": "long-random-key"}. '
        "The bootstrap for the demo and compose; the shop registry's keys (`waypost shop key "
        "create`: named, hashed, revocable) are accepted beside them.",
    )
    carrier_secrets: dict[str, SecretStr] = Field(
        default_factory=dict,
        description='Carrier adapter to webhook signing secret, as JSON: {"easypost": "..."}.',
    )
    shop_carrier_secrets: dict[str, dict[str, SecretStr]] = Field(
        default_factory=dict,
        description="Per shop, carrier adapter to the signing secret of the shop's own webhook "
        '(/v1/carriers/{carrier}/shops/{shop_id}/events), as JSON: {"shop-1": {"easypost": '
        "\"...\"}}. Without one, a shop's webhook takes the carrier's secret above.",
    )
    carrier_url_tokens: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Carrier adapter to the token its webhook URL carries, as JSON: "
        '{"shippo": "long-random-token"}; the webhook is then registered as '
        ".../v1/carriers/shippo/events?token=<token> (Shippo's documented security). Compared in "
        "constant time; a request with the token needs no signature, a wrong one is refused "
        "(403). Only adapters that document URL tokens take one (shippo).",
    )
    shop_carrier_url_tokens: dict[str, dict[str, SecretStr]] = Field(
        default_factory=dict,
        description="Per shop, carrier adapter to the URL token of the shop's own webhook, as "
        'JSON: {"shop-1": {"shippo": "..."}}. Without one, a shop\'s webhook takes the '
        "carrier's token above.",
    )
    carrier_modes: list[Literal["production", "test"]] | None = Field(
        default=None,
        min_length=1,
        description='Carrier event modes this deployment takes, as JSON: ["production"] or '
        '["production", "test"] (EasyPost\'s Event mode, Shippo\'s test flag). Others are '
        "answered 200 `ignored_test_mode` and move nothing. Default: production only when a real "
        "provider is configured (Twilio or SendGrid: customers are really told), both otherwise "
        "(the demo, `waypost dev`).",
    )
    carrier_max_body_bytes: int = Field(
        default=5 * MiB,
        ge=64 * 1024,
        le=MAX_BODY_LIMIT,
        description="Largest carrier webhook request accepted (a whole tracker's history); a "
        "larger one is refused with 413 while it streams in.",
    )

    easypost_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("WAYPOST_EASYPOST_API_KEY", "EASYPOST_API_KEY"),
        description="EasyPost API key. Set: Waypost creates each shipment's EasyPost tracker when "
        "it starts (POST /v2/trackers), so the shop need not; unset: the shop creates its own.",
    )
    easypost_api_base: str = Field(
        default="https://api.easypost.com",
        description="EasyPost API base URL, without /v2 (a local server in tests).",
    )
    easypost_tracker_mode: TrackerMode = Field(
        default=TrackerMode.WEBHOOK,
        description="`webhook`: the tracker's events arrive on the EasyPost webhook; `polling`: "
        "the worker fetches each tracker on a durable timer whose interval follows the status "
        "(for an account with no webhook).",
    )
    shippo_api_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("WAYPOST_SHIPPO_API_TOKEN", "SHIPPO_API_TOKEN"),
        description="Shippo API token. Set (and no EasyPost key): Waypost registers each "
        "shipment's tracking number with Shippo when it starts (POST /tracks/).",
    )
    shippo_api_base: str = Field(
        default="https://api.goshippo.com",
        description="Shippo API base URL (a local server in tests).",
    )
    shippo_tracker_mode: TrackerMode = Field(
        default=TrackerMode.WEBHOOK,
        description="`webhook` or `polling`, as for EasyPost.",
    )
    shop_tracker_keys: dict[Identifier, dict[TrackerService, SecretStr]] = Field(
        default_factory=dict,
        description="Per shop with its own carrier account, service to its key, as JSON: "
        '{"shop-1": {"shippo": "shippo_live_..."}}. A shop listed here has its trackers made '
        "with its own key (EasyPost first when it has both); the others with the keys above.",
    )
    carrier_api_timeout_seconds: int = Field(
        default=30,
        ge=1,
        le=100,
        description="How long one call to EasyPost's or Shippo's tracker API may take before it "
        "is given up and retried (a create is deduplicated by the service, so a retry after a "
        "timeout makes no second tracker).",
    )

    temporal_api_key: SecretStr | None = Field(
        default=None,
        description="API key for Temporal Cloud (or any cluster taking one); sent over TLS only.",
    )
    temporal_tls: bool | None = Field(
        default=None,
        description="TLS to Temporal. Default: on when a client certificate, a server CA or an "
        "API key is set, off otherwise (the local dev server).",
    )
    temporal_tls_client_cert: Path | None = Field(
        default=None, description="mTLS client certificate (PEM file), with its key."
    )
    temporal_tls_client_key: Path | None = Field(
        default=None, description="mTLS client private key (PEM file), with its certificate."
    )
    temporal_tls_server_ca: Path | None = Field(
        default=None,
        description="CA (PEM file) the server's certificate is checked against; default: the "
        "system's roots (right for Temporal Cloud).",
    )
    temporal_tls_server_name: str | None = Field(
        default=None,
        description="Name the server's certificate must carry (and SNI), when it differs from "
        "the address's host.",
    )

    payload_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Payload encryption keys, as JSON: key id to a base64 32-byte key, "
        '{"2026-11": "..."} (`waypost codec keygen` makes one). When set, every payload '
        "Temporal stores (inputs, results, state, failure messages) is encrypted (AES-GCM). "
        "Keep an old key here after a rotation until no history encrypted with it is left.",
    )
    payload_key_id: str | None = Field(
        default=None,
        description="The key id new payloads are encrypted with; may be left out when "
        "`payload_keys` holds one key.",
    )
    codec_server_host: str = Field(
        default="127.0.0.1",
        description="Where the codec server listens. Anything but loopback needs "
        "`codec_server_token`.",
    )
    codec_server_port: int = Field(default=8081, ge=1, le=65535, description="Its port.")
    codec_server_max_body_bytes: int = Field(
        default=4 * MiB,
        ge=64 * 1024,
        le=MAX_BODY_LIMIT,
        description="Largest /encode or /decode request the codec server accepts (the payloads "
        "of one history event; Temporal's own limit per payload is 2 MB); a larger one is "
        "refused with 413 while it streams in.",
    )
    codec_server_token: SecretStr | None = Field(
        default=None,
        description="Bearer token the codec server requires (`Authorization: Bearer ...`, or "
        "the session its /login page sets for the Temporal UI). Unset: it answers loopback "
        "requests from the allowed origins only.",
    )
    codec_server_origins: list[str] = Field(
        default_factory=list,
        description="Origins of Temporal UIs allowed to call the codec server (CORS), as JSON: "
        '["https://cloud.temporal.io"]. Default: the local UI, http://localhost:<ui_port> '
        "and http://127.0.0.1:<ui_port>.",
    )
    webhook_retry_initial_seconds: float = Field(
        default=10.0,
        gt=0,
        description="Webhooks to the shop: the first retry after a failed POST; each next one "
        "waits twice as long, up to WAYPOST_WEBHOOK_RETRY_MAX_SECONDS.",
    )
    webhook_retry_max_seconds: float = Field(
        default=3600.0, gt=0, description="The longest wait between two POSTs of one webhook."
    )
    webhook_give_up_hours: float = Field(
        default=24.0,
        gt=0,
        le=24 * 7,
        description="How long a webhook is retried before its delivery is recorded failed "
        "(`waypost shop webhook replay` sends it again).",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=60,
        description="One POST to the shop's endpoint: a slow endpoint costs an attempt.",
    )
    webhook_concurrency: int = Field(
        default=50,
        ge=1,
        description="Webhook POSTs one worker has in flight at once (asynchronous: they hold no "
        "thread), on a task queue of their own so they never take the messages' slots.",
    )
    webhook_relay_seconds: float = Field(
        default=2.0,
        gt=0,
        description="How often a worker looks for recorded webhooks whose delivery has not "
        "started (events the HTTP service records, replays); the worker's own start at once.",
    )

    @model_validator(mode="after")
    def _local_payload_key(self) -> Settings:
        """Without configured keys, the local key under `home` (`waypost dev`'s), if any."""
        if not self.payload_keys:
            self.payload_keys = read_local_payload_key(self.home)
        return self

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        """Contradictory connection or encryption settings are refused at start, naming them."""
        problems = [*_tls_problems(self), *_payload_key_problems(self)]
        if self.codec_server_token is not None and len(self.codec_server_token) < 16:
            problems.append("WAYPOST_CODEC_SERVER_TOKEN must be at least 16 characters long")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def ledger_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'ledger.db').resolve()}"

    @property
    def public_base(self) -> str | None:
        """The public address without a trailing slash: the configured one, else the service's
        own (derived here, so a changed port is followed whatever set it); None when empty."""
        if self.public_url is None:
            return local_url(self.api_host, self.api_port)
        return self.public_url.rstrip("/") or None

    @property
    def accepted_carrier_modes(self) -> frozenset[str]:
        """WAYPOST_CARRIER_MODES, or its default: test events only where nobody is really told."""
        if self.carrier_modes is not None:
            return frozenset(self.carrier_modes)
        live = self.twilio_enabled or self.sendgrid_enabled
        return frozenset({"production"} if live else {"production", "test"})

    def webhook_retry(self) -> WebhookRetry:
        return WebhookRetry(
            initial_interval=timedelta(seconds=self.webhook_retry_initial_seconds),
            maximum_interval=timedelta(seconds=self.webhook_retry_max_seconds),
            give_up_after=timedelta(hours=self.webhook_give_up_hours),
            request_timeout=timedelta(seconds=self.webhook_timeout_seconds),
        )

    @property
    def twilio_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token)

    @property
    def sendgrid_enabled(self) -> bool:
        return self.sendgrid_api_key is not None

    @property
    def active_payload_key_id(self) -> str | None:
        """The key new payloads are encrypted with; None: encryption is off."""
        if self.payload_key_id is not None:
            return self.payload_key_id
        return next(iter(self.payload_keys), None)

    @property
    def codec_cors_origins(self) -> list[str]:
        return self.codec_server_origins or [
            f"http://localhost:{self.ui_port}",
            f"http://127.0.0.1:{self.ui_port}",
        ]


def read_local_payload_key(home: Path) -> dict[str, SecretStr]:
    """The key `waypost dev` keeps under `home`, as `payload_keys` holds it; {} when none (or
    unreadable: the settings check then says nothing is encrypted, as without a file)."""
    try:
        data = json.loads((home / LOCAL_PAYLOAD_KEY).read_text(encoding="utf-8"))
        return {str(data["id"]): SecretStr(str(data["key"]))}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def local_url(host: str, port: int) -> str:
    """The URL a process on this machine reaches a service listening on `host`:`port` at: an
    all-interfaces address is reached on loopback, an IPv6 literal goes in brackets."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return f"http://{host}:{port}"
    if address.is_unspecified:
        address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
    shown = f"[{address}]" if address.version == 6 else str(address)
    return f"http://{shown}:{port}"


def decode_payload_key(key: SecretStr) -> bytes:
    """The key's bytes; ValueError (never showing the key) unless base64 of 32 bytes."""
    try:
        raw = base64.b64decode(key.get_secret_value(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != PAYLOAD_KEY_BYTES:
        raise ValueError(f"not the base64 of {PAYLOAD_KEY_BYTES} bytes")
    return raw


def _tls_problems(settings: Settings) -> list[str]:
    cert, key = settings.temporal_tls_client_cert, settings.temporal_tls_client_key
    problems: list[str] = []
    if (cert is None) != (key is None):
        given, missing = ("CERT", "KEY") if key is None else ("KEY", "CERT")
        problems.append(
            f"WAYPOST_TEMPORAL_TLS_CLIENT_{given} is set without "
            f"WAYPOST_TEMPORAL_TLS_CLIENT_{missing}: mTLS needs both"
        )
    if settings.temporal_tls is False:
        tls_only = {
            "WAYPOST_TEMPORAL_TLS_CLIENT_CERT": cert,
            "WAYPOST_TEMPORAL_TLS_CLIENT_KEY": key,
            "WAYPOST_TEMPORAL_TLS_SERVER_CA": settings.temporal_tls_server_ca,
            "WAYPOST_TEMPORAL_TLS_SERVER_NAME": settings.temporal_tls_server_name,
            "WAYPOST_TEMPORAL_API_KEY": settings.temporal_api_key,
        }
        for name in (name for name, value in tls_only.items() if value is not None):
            problems.append(f"WAYPOST_TEMPORAL_TLS is false but {name} is set (it needs TLS)")
    return problems


def _payload_key_problems(settings: Settings) -> list[str]:
    keys, active = settings.payload_keys, settings.payload_key_id
    problems: list[str] = []
    for key_id, key in keys.items():
        if not PAYLOAD_KEY_ID_PATTERN.match(key_id):
            problems.append(
                f"WAYPOST_PAYLOAD_KEYS: key id {key_id!r} must be 1-64 letters, digits, '.', '_' "
                "or '-'"
            )
        try:
            decode_payload_key(key)
        except ValueError as err:
            problems.append(
                f"WAYPOST_PAYLOAD_KEYS: key {key_id!r} is {err} (`waypost codec keygen` makes one)"
            )
    ids = ", ".join(keys) or "none"
    if active is not None and not keys:
        problems.append("WAYPOST_PAYLOAD_KEY_ID is set but WAYPOST_PAYLOAD_KEYS is empty")
    elif active is not None and active not in keys:
        problems.append(
            f"WAYPOST_PAYLOAD_KEY_ID {active!r} is not among WAYPOST_PAYLOAD_KEYS ({ids})"
        )
    if active is None and len(keys) > 1:
        problems.append(
            f"WAYPOST_PAYLOAD_KEYS holds {len(keys)} keys ({ids}): set WAYPOST_PAYLOAD_KEY_ID to "
            "the one new payloads are encrypted with"
        )
    return problems


def _socket_address(text: str) -> bool:
    """`ip:port` or `[ipv6]:port`, as the metrics exporter binds it."""
    host, _, port = text.rpartition(":")
    bracketed = host.startswith("[") and host.endswith("]")
    try:
        ip = ipaddress.ip_address(host[1:-1] if bracketed else host)
    except ValueError:
        return False
    return bracketed == (ip.version == 6) and port.isdigit() and 1 <= int(port) <= 65535


def settings_error_message(err: ValidationError) -> str:
    """One line per problem, naming the environment variable and never the value given."""
    lines = ["invalid settings:"]
    for problem in err.errors(include_url=False, include_input=False):
        message = problem["msg"].removeprefix("Value error, ")
        where = f"WAYPOST_{str(problem['loc'][0]).upper()}: " if problem["loc"] else ""
        lines.append(f"  {where}{message}")
    return "\n".join(lines)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
