"""Settings from the environment. Everything has an embedded default so `make demo` needs nothing:
a SQLite ledger under .waypost/, the local dev server, and console delivery when no provider
credentials are set."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WAYPOST_", extra="ignore")

    home: Path = Field(
        default=Path(".waypost"), description="Folder for local state (ledger, dev server)."
    )
    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    task_queue: str = "waypost-shipments"
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("WAYPOST_DATABASE_URL", "DATABASE_URL"),
        description="SQLAlchemy URL of the ledger; default: a SQLite file under `home`.",
    )
    max_concurrent_activities: int = Field(default=20, ge=1)
    send_lease_seconds: int = Field(
        default=60,
        ge=15,
        description="How long a claimed message is left to its sender before another attempt "
        "may take over (after asking the provider whether it was sent). Longer than a provider "
        "call can take.",
    )
    max_concurrent_workflow_tasks: int = Field(default=50, ge=1)
    max_cached_workflows: int = Field(
        default=250,
        ge=0,
        description="Workflows a worker keeps in memory between tasks (Temporal's sticky cache). "
        "Each costs about 0.3 MB above a worker's ~135 MB, so 250 keeps a worker near 240 MB; "
        "a workflow not cached is replayed from its history on its next event.",
    )
    log_level: str = "INFO"
    log_format: str = Field(default="json", pattern="^(json|console)$")
    ui_port: int = 8233

    twilio_account_sid: str | None = Field(
        default=None,
        validation_alias=AliasChoices("WAYPOST_TWILIO_ACCOUNT_SID", "TWILIO_ACCOUNT_SID"),
    )
    twilio_auth_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("WAYPOST_TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN"),
    )
    twilio_from_number: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_base: str | None = Field(
        default=None, description="Override of https://api.twilio.com (a local server in tests)."
    )

    sendgrid_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("WAYPOST_SENDGRID_API_KEY", "SENDGRID_API_KEY")
    )
    sendgrid_from_email: str | None = None
    sendgrid_from_name: str = "Waypost"
    sendgrid_host: str = "https://api.sendgrid.com"
    sendgrid_webhook_public_key: str | None = Field(
        default=None,
        description="SendGrid's Event Webhook verification key (base64, as SendGrid shows it).",
    )

    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    public_url: str | None = Field(
        default="http://127.0.0.1:8000",
        description="Where customers and providers reach the HTTP service: tracking links in "
        "messages and Twilio's status callbacks use it. Empty: messages link the shop's own "
        "tracking_url, and Twilio sends no callbacks.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs tracking links and keys the phone-number hashes that match a "
        "customer's SMS reply to a shipment. Default: a random key kept in `home`/secret.key.",
    )
    tracking_link_days: int = Field(
        default=90, ge=1, description="How long a tracking link in a message stays valid."
    )
    shop_api_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description='Shop id to API key, as JSON: {"shop-1": "long-random-key"}.',
    )
    carrier_secrets: dict[str, SecretStr] = Field(
        default_factory=dict,
        description='Carrier adapter to webhook signing secret, as JSON: {"easypost": "..."}.',
    )

    @property
    def ledger_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'ledger.db').resolve()}"

    @property
    def public_base(self) -> str | None:
        return self.public_url.rstrip("/") if self.public_url else None

    @property
    def twilio_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token)

    @property
    def sendgrid_enabled(self) -> bool:
        return self.sendgrid_api_key is not None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
