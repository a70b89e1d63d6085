"""`waypost shop ...` against a real ledger (SQLite and PostgreSQL): a shop's round trip, keys
printed once and never again, nothing secret printed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from ledger.engine import make_engine
from ledger.shops import ShopRegistry
from ledger.webhooks import WebhookLog
from models.shop import ShopProfile
from models.webhooks import ShopEventType
from starters.cli import app
from tests.db_fixtures import unique


@pytest.fixture
def shop_cli(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fresh_settings: None
) -> CliRunner:
    monkeypatch.setenv("WAYPOST_DATABASE_URL", database_url)
    monkeypatch.setenv("WAYPOST_HOME", str(tmp_path / "home"))
    return CliRunner()


def waypost(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, ["shop", *args])


def test_a_shop_round_trip(shop_cli: CliRunner, tmp_path: Path, database_url: str) -> None:
    shop = unique("shop")
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({"postal_address": "1 Hill Road", "default_locale": "pl"}))
    patch = tmp_path / "patch.json"
    patch.write_text(json.dumps({"brand": {"accent_colour": "#112233"}}))

    created = waypost(shop_cli, "create", shop, "--name", "Acme", "--from-file", str(profile))
    made = waypost(shop_cli, "key", "create", shop, "--name", "production")
    key = made.stdout.strip()
    updated = waypost(shop_cli, "update", shop, "--from-file", str(patch), "--name", "Acme Ltd")
    listed = waypost(shop_cli, "list")
    shown = waypost(shop_cli, "show", shop)
    revoked = waypost(shop_cli, "key", "revoke", shop, key[:11])
    after = waypost(shop_cli, "show", shop)

    assert [r.exit_code for r in (created, made, updated, listed, shown, revoked)] == [0] * 6
    assert f"{shop}\tAcme Ltd\t1 live keys" in listed.stdout
    assert '"accent_colour": "#112233"' in shown.stdout and '"default_locale": "pl"' in shown.stdout
    assert "production" in shown.stdout and key[:11] in shown.stdout
    assert "revoked" in after.stdout and "0 live" in after.stdout
    engine = make_engine(database_url)
    try:
        assert ShopRegistry(engine).authenticate(key) is None
    finally:
        engine.dispose()


def test_a_key_is_printed_once_and_no_secret_ever_again(
    shop_cli: CliRunner, database_url: str
) -> None:
    shop = unique("shop")
    waypost(shop_cli, "create", shop, "--name", "Acme")
    key = waypost(shop_cli, "key", "create", shop, "--name", "production").stdout.strip()

    later = [waypost(shop_cli, *args) for args in (["list"], ["show", shop])]

    engine = make_engine(database_url)
    try:
        known = ShopRegistry(engine).authenticate(key)
        with engine.connect() as conn:
            secret = conn.exec_driver_sql(
                f"SELECT webhook_secret FROM shops WHERE shop_id = '{shop}'"
            ).scalar_one()
    finally:
        engine.dispose()
    assert known is not None and known.shop_id == shop
    for run in later:
        assert key not in run.output and key[11:] not in run.output
        assert secret not in run.output


def test_an_invalid_profile_names_the_field(shop_cli: CliRunner, tmp_path: Path) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({"brand": {"accent_colour": "red"}}))

    run = waypost(shop_cli, "create", unique("shop"), "--name", "Acme", "--from-file", str(profile))

    assert run.exit_code == 2
    assert "brand.accent_colour" in run.stderr


def test_revoking_an_unknown_key_says_so(shop_cli: CliRunner) -> None:
    shop = unique("shop")
    waypost(shop_cli, "create", shop, "--name", "Acme")

    run = waypost(shop_cli, "key", "revoke", shop, "staging")

    assert run.exit_code == 2
    assert "no live key staging" in run.stderr


def test_the_webhook_log_shows_a_shops_deliveries_and_replay_queues_one_again(
    shop_cli: CliRunner, database_url: str
) -> None:
    shop, other = unique("shop"), unique("shop")
    engine = make_engine(database_url)
    try:
        registry = ShopRegistry(engine)
        for shop_id in (shop, other):
            registry.create(
                shop_id,
                ShopProfile(display_name="Acme", webhook_url=f"http://127.0.0.1:9/{shop_id}"),
            )
        log = WebhookLog(engine)
        ident = log.emit(shop, ShopEventType.CUSTOMER_REPLY, {"reply": {"answer": "reschedule"}})
        assert ident is not None
        log.record_attempt(
            ident,
            generation=0,
            attempt=1,
            started_at=datetime.now(UTC),
            status_code=503,
            error="HTTP 503",
            delivered=False,
        )

        listed = waypost(shop_cli, "webhook", "log", shop)
        one = waypost(shop_cli, "webhook", "log", shop, "--delivery", ident)
        elsewhere = waypost(shop_cli, "webhook", "replay", other, ident)
        replayed = waypost(shop_cli, "webhook", "replay", shop, ident)
        secret = waypost(shop_cli, "webhook", "secret", shop)

        assert listed.exit_code == 0 and ident in listed.stdout
        assert "customer.reply" in listed.stdout and "attempts 1" in listed.stdout
        assert "HTTP 503" in one.stdout and '"answer": "reschedule"' in one.stdout
        assert elsewhere.exit_code == 2  # another shop's delivery is not found
        assert replayed.exit_code == 0 and "replay 1" in replayed.stdout
        view = log.delivery(shop, ident)
        assert view is not None and view.generation == 1
        assert secret.stdout.strip() == registry.webhook_secret(shop)
    finally:
        engine.dispose()
