"""`waypost db retention`: shipments closed longer ago than the period are anonymised (or deleted)
in batches, idempotently, on SQLite and PostgreSQL; nothing else is touched, and reports over
anonymised shipments give the same figures.

The ledger is tests/ledger_data.py's: a0, a1, a2, a3, a5 (shop-a) and b1 (shop-b) closed about
120 days ago; a4, a6 and `open` still open (started as long ago); `recent` closed five days ago;
one provider callback that never matched a message 120 days ago, another yesterday.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, update
from typer.testing import CliRunner

from infra.settings import Settings
from ledger.anonymisation import ANONYMISATION, Fate, RetentionMode, RetentionSummary
from ledger.claims import Ledger
from ledger.engine import make_engine
from ledger.retention import Retention
from ledger.schema import Base, Shipment
from models.notification import Channel, NotificationKind
from reports.model import Period, Report, build_report
from reports.queries import read_rows
from starters.cli import app
from tests.db_fixtures import BACKENDS
from tests.ledger_data import (
    D0,
    D4,
    Known,
    add_recent_and_open,
    dump,
    fill_known_ledger,
    migrated_database,
)

DAYS = 90
NOW = datetime.now(UTC)
DUE = ("a0", "a1", "a2", "a3", "a5", "b1")
KEPT = ("a4", "a6", "open", "recent")
Rows = dict[str, list[dict[str, object]]]


@dataclass
class Filled:
    url: str
    engine: Engine
    known: Known

    def retention(self, batch_size: int = 500) -> Retention:
        return Retention(self.engine, batch_size=batch_size, clock=lambda: NOW)

    def refs(self, names: tuple[str, ...]) -> set[str]:
        return {self.known.refs[name] for name in names}


@pytest.fixture(params=BACKENDS)
def filled(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Filled]:
    """The known ledger in a database of the test's own (retention touches every shop)."""
    with migrated_database(request, request.param, tmp_path) as url:
        engine = make_engine(url)
        try:
            known = fill_known_ledger(engine).merge(add_recent_and_open(engine))
            yield Filled(url, engine, known)
        finally:
            engine.dispose()


def rows_of(tables: Rows, refs: set[str]) -> Rows:
    """The rows of these shipments in every table (children found through their parents)."""
    shipments = [r for r in tables["shipments"] if r["ref"] in refs]
    events = [r for r in tables["shipment_events"] if r["shipment_ref"] in refs]
    notifications = [r for r in tables["notifications"] if r["shipment_ref"] in refs]
    ids = {r["id"] for r in notifications}
    return {
        "shipments": shipments,
        "shipment_events": events,
        "notifications": notifications,
        "notification_attempts": [
            r for r in tables["notification_attempts"] if r["notification_id"] in ids
        ],
        "delivery_reports": [r for r in tables["delivery_reports"] if r["notification_id"] in ids],
        "calls": [r for r in tables["calls"] if r["shipment_ref"] in refs],
    }


def anonymised_rows(tables: Rows) -> Rows:
    refs = {str(r["ref"]) for r in tables["shipments"] if r["anonymised_at"] is not None}
    return rows_of(tables, refs)


def text_of(tables: Rows) -> str:
    return "\n".join(repr(value) for rows in tables.values() for r in rows for value in r.values())


def report_over_the_data(engine: Engine) -> Report:
    period = Period(since=D0, until=D4)
    return build_report(period, None, read_rows(engine, period, None), NOW)


EXPECTED = RetentionSummary(
    mode=RetentionMode.ANONYMISE,
    days=DAYS,
    cutoff=NOW - timedelta(days=DAYS),
    dry_run=True,
    shipments_by_shop={"shop-a": 5, "shop-b": 1},
    events=11,
    notifications=14,
    attempts=13,
    delivery_reports=8,
    calls=4,
    unmatched_reports=1,
)


# What a run touches


def test_dry_run_counts_what_is_due_and_changes_nothing(filled: Filled) -> None:
    before = dump(filled.engine)

    planned = filled.retention().plan(DAYS, RetentionMode.ANONYMISE)

    assert planned == EXPECTED
    assert dump(filled.engine) == before


def test_a_run_does_what_the_dry_run_said(filled: Filled) -> None:
    done = filled.retention().run(DAYS, RetentionMode.ANONYMISE)

    assert done == EXPECTED.model_copy(update={"dry_run": False, "batches": 1})


def test_anonymising_leaves_nothing_that_identifies_a_shipment_or_customer(
    filled: Filled,
) -> None:
    filled.retention().run(DAYS, RetentionMode.ANONYMISE)

    tables = dump(filled.engine)
    everything = text_of(tables)
    for name in (*DUE, "stray-old"):
        for secret in filled.known.secrets[name]:
            assert secret not in everything, (name, secret)
    anonymised = text_of(anonymised_rows(tables))
    for trace in ("Okafor", "Harrogate", "Kiosk", "@", "*", "+44", "scan-", "SM", "sg"):
        assert trace not in anonymised, trace


def test_anonymising_clears_every_column_the_policy_clears(filled: Filled) -> None:
    filled.retention().run(DAYS, RetentionMode.ANONYMISE)

    tables = anonymised_rows(dump(filled.engine))
    assert len(tables["shipments"]) == len(DUE)
    for table, rows in tables.items():
        assert rows, table
        for row in rows:
            for column, rule in ANONYMISATION[table].items():
                if rule.fate is Fate.CLEAR:
                    assert row[column] in (None, ""), (table, column, row[column])
                elif rule.fate is Fate.REPLACE:
                    assert str(row[column]).startswith("anonymised"), (table, column)


def test_anonymised_shipments_give_the_same_report(filled: Filled) -> None:
    before = report_over_the_data(filled.engine)

    filled.retention().run(DAYS, RetentionMode.ANONYMISE)

    after = report_over_the_data(filled.engine)
    assert after.shops == before.shops
    assert before.shops[0].shipments == 7  # a0..a6: the anonymised ones are among them


def test_open_and_recently_closed_shipments_are_untouched(filled: Filled) -> None:
    kept = filled.refs(KEPT)
    before = rows_of(dump(filled.engine), kept)

    filled.retention().run(DAYS, RetentionMode.ANONYMISE)

    assert rows_of(dump(filled.engine), kept) == before
    assert all(before.values())  # every table had rows of them to keep


def test_a_second_run_changes_nothing(filled: Filled) -> None:
    filled.retention().run(DAYS, RetentionMode.ANONYMISE)
    once = dump(filled.engine)

    again = filled.retention().run(DAYS, RetentionMode.ANONYMISE)

    assert (again.shipments, again.events, again.notifications, again.unmatched_reports) == (
        0,
        0,
        0,
        0,
    )
    assert dump(filled.engine) == once


def test_shipments_go_in_batches_of_the_given_size(filled: Filled) -> None:
    done = filled.retention(batch_size=4).run(DAYS, RetentionMode.ANONYMISE)

    assert (done.batches, done.shipments, done.notifications) == (2, 6, 14)
    shipments = dump(filled.engine)["shipments"]
    assert sum(r["anonymised_at"] is not None for r in shipments) == len(DUE)


def test_two_runs_at_once_share_the_work(filled: Filled) -> None:
    """Overlapping runs (a slow one and the next day's cron) never anonymise a shipment twice."""
    before = report_over_the_data(filled.engine)
    retention = filled.retention(batch_size=1)

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda _: retention.run(DAYS, RetentionMode.ANONYMISE), range(2)))

    assert sum(run.shipments for run in runs) == len(DUE)
    shipments = dump(filled.engine)["shipments"]
    assert len(shipments) == len(DUE) + len(KEPT)
    assert report_over_the_data(filled.engine).shops == before.shops


def test_a_longer_period_leaves_everything_alone(filled: Filled) -> None:
    before = dump(filled.engine)

    done = filled.retention().run(200, RetentionMode.ANONYMISE)

    assert done.shipments == 0 and done.unmatched_reports == 0
    assert dump(filled.engine) == before


def test_only_unmatched_callbacks_older_than_the_period_are_deleted(filled: Filled) -> None:
    filled.retention().run(DAYS, RetentionMode.ANONYMISE)

    everything = text_of(dump(filled.engine))
    for message_id in filled.known.secrets["stray-old"]:
        assert message_id not in everything
    for message_id in filled.known.secrets["stray-recent"]:
        assert message_id in everything


def test_an_anonymised_shipment_is_found_by_no_tracking_number(filled: Filled) -> None:
    filled.retention().run(DAYS, RetentionMode.ANONYMISE)

    ledger = Ledger(filled.engine)
    assert ledger.shipments_tracked_as("") == []
    assert ledger.shipment(filled.known.refs["a1"]) is None


# Deleting


def test_delete_mode_removes_due_shipments_with_every_row_about_them(filled: Filled) -> None:
    kept = filled.refs(KEPT)
    before = rows_of(dump(filled.engine), kept)

    done = filled.retention().run(DAYS, RetentionMode.DELETE)

    assert done == EXPECTED.model_copy(
        update={"mode": RetentionMode.DELETE, "dry_run": False, "batches": 1}
    )
    tables = dump(filled.engine)
    assert rows_of(tables, filled.refs(DUE)) == {table: [] for table in before}
    assert rows_of(tables, kept) == before
    assert sum(len(rows) for rows in tables.values()) == sum(len(r) for r in before.values()) + 1
    # the one row left besides the kept shipments' own: yesterday's unmatched callback


def test_delete_mode_also_removes_shipments_anonymised_before(filled: Filled) -> None:
    filled.retention().run(DAYS, RetentionMode.ANONYMISE)

    done = filled.retention().run(DAYS, RetentionMode.DELETE)

    assert done.shipments == len(DUE)
    assert not any(r["anonymised_at"] for r in dump(filled.engine)["shipments"])


# The policy


def test_every_column_of_every_ledger_table_has_a_rule() -> None:
    """A column added to the ledger fails here until someone decides what retention does to it."""
    schema = {t.name: {c.name for c in t.columns} for t in Base.metadata.sorted_tables}

    assert {table: set(columns) for table, columns in ANONYMISATION.items()} == schema


def test_anonymising_keeps_everything_a_report_counts() -> None:
    counted = {
        "shipments": {"shop_id", "status", "created_at", "closed_at"},
        "shipment_events": {"shipment_ref", "status", "outcome"},
        "notifications": {
            "shipment_ref",
            "channel",
            "kind",
            "provider",
            "status",
            "sent_at",
            "segments",
            "cost",
        },
    }
    for table, columns in counted.items():
        for column in columns:
            assert ANONYMISATION[table][column].fate in (Fate.KEEP, Fate.REPLACE), (table, column)


# The command


@pytest.fixture
def cli(filled: Filled, monkeypatch: pytest.MonkeyPatch, fresh_settings: None) -> CliRunner:
    monkeypatch.setenv("WAYPOST_DATABASE_URL", filled.url)
    monkeypatch.setenv("WAYPOST_RETENTION_DAYS", str(DAYS))
    return CliRunner()


def test_command_dry_run_says_what_it_would_do(cli: CliRunner, filled: Filled) -> None:
    before = dump(filled.engine)

    result = cli.invoke(app, ["db", "retention", "--dry-run"])

    assert result.exit_code == 0, result.output
    cutoff = (NOW - timedelta(days=DAYS)).date().isoformat()
    assert f"would anonymise 6 shipment(s) closed before {cutoff}" in result.stdout
    assert "shop-a 5, shop-b 1" in result.stdout
    assert "11 timeline event(s), 14 message(s), 13 provider attempt(s)" in result.stdout
    assert "shipments.order_id" in result.stdout
    assert "dry run: nothing was changed" in result.stdout
    assert dump(filled.engine) == before


def test_command_anonymises_by_default(cli: CliRunner, filled: Filled) -> None:
    result = cli.invoke(app, ["db", "retention"])

    assert result.exit_code == 0, result.output
    assert "anonymised 6 shipment(s)" in result.stdout
    shipments = dump(filled.engine)["shipments"]
    assert sum(r["anonymised_at"] is not None for r in shipments) == len(DUE)


def test_command_options_override_the_settings(cli: CliRunner, filled: Filled) -> None:
    result = cli.invoke(app, ["db", "retention", "--mode", "delete", "--days", "100"])

    assert result.exit_code == 0, result.output
    assert "deleted 6 shipment(s)" in result.stdout
    assert len(dump(filled.engine)["shipments"]) == len(KEPT)
    assert "shorter than the tracking links" not in result.stderr


def test_command_warns_when_tracking_links_outlive_the_period(cli: CliRunner) -> None:
    result = cli.invoke(app, ["db", "retention", "--days", "30", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "30 days is shorter than the tracking links' 90" in result.stderr


def test_command_refuses_a_period_under_a_day(cli: CliRunner) -> None:
    result = cli.invoke(app, ["db", "retention", "--days", "0"])

    assert result.exit_code == 2
    assert "greater than or equal to 1" in result.stderr


def test_command_refuses_an_unknown_mode(cli: CliRunner) -> None:
    result = cli.invoke(app, ["db", "retention", "--mode", "shred"])

    assert result.exit_code == 2
    assert "anonymise" in result.stderr and "delete" in result.stderr


def test_the_settings_default_to_half_a_year_of_anonymising(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WAYPOST_RETENTION_DAYS", raising=False)
    monkeypatch.delenv("WAYPOST_RETENTION_MODE", raising=False)
    settings = Settings()

    assert (settings.retention_days, settings.retention_mode) == (180, RetentionMode.ANONYMISE)


def test_the_settings_refuse_an_unknown_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOST_RETENTION_MODE", "shred")

    with pytest.raises(ValidationError, match="retention_mode"):
        Settings()


@pytest.mark.parametrize("mode", list(RetentionMode))
def test_what_the_ledger_set_aside_goes_with_its_shipment(
    filled: Filled, mode: RetentionMode
) -> None:
    ledger = Ledger(filled.engine)
    [due], [kept] = sorted(filled.refs(DUE))[:1], sorted(filled.refs(KEPT))[:1]
    for ref in (due, kept):
        ledger.claim(
            f"{ref}:{'x' * 500}",
            shipment_ref=ref,
            kind=NotificationKind.SHIPPED,
            occurrence=1,
            channel=Channel.EMAIL,
            recipient_masked="s***@example.com",
            token="t",
            lease=timedelta(seconds=60),
            now=NOW,
        )

    filled.retention().run(DAYS, mode)

    assert ledger.set_aside_for(due) == []
    assert [a.part for a in ledger.set_aside_for(kept)] == ["claim"]


def test_anonymising_clears_a_page_snapshot_left_on_a_closed_shipment(filled: Filled) -> None:
    """Closing clears it already (the ledger activity); retention is the backstop."""
    ref = filled.known.refs["a0"]
    with filled.engine.begin() as conn:  # as if the close had not cleared it
        conn.execute(
            update(Shipment)
            .where(Shipment.ref == ref)
            .values(page_contact=b"+447700900123", page_live=b"PK-774411")
        )

    filled.retention().run(DAYS, RetentionMode.ANONYMISE)

    everything = text_of(dump(filled.engine))
    assert "+447700900123" not in everything and "PK-774411" not in everything
    assert all(
        r["page_contact"] is None and r["page_live"] is None
        for r in anonymised_rows(dump(filled.engine))["shipments"]
    )
