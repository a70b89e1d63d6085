"""Database fixtures: every ledger test runs on SQLite and on PostgreSQL.

SQLite gets a fresh file per test. PostgreSQL gets one throwaway database for the session
(created here, migrated once, dropped with FORCE at the end), so tests keep apart through unique
refs: use `shipment_ref` or `unique`. Without a PostgreSQL server the PostgreSQL half is skipped,
except under CI=true where it fails: CI never skips a missing service.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from ledger.claims import Ledger
from ledger.engine import make_engine
from ledger.migrations import upgrade_database
from testing.factories import shipment

POSTGRES_ADMIN_URL = os.environ.get(
    "WAYPOST_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]
REFUSED_DESCRIPTION = "refused by the database"
"""A carrier description every model accepts, which `refusing_description` makes the schema
refuse."""


def unique(prefix: str) -> str:
    """A name no other test (or run) uses: tests sharing a database never meet."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@contextmanager
def refusing_description(url: str, description: str = REFUSED_DESCRIPTION) -> Iterator[None]:
    """While inside, the ledger at `url` refuses for good any timeline entry with this
    description, as a schema that drifted from the models (or a DBA's constraint) would: a CHECK
    constraint on PostgreSQL, a BEFORE INSERT trigger on SQLite (which cannot add a CHECK to a
    table). Both raise an IntegrityError. Removed on leaving, since the database may be shared
    by the session."""
    name = unique("refuse").replace("-", "_")
    literal = description.replace("'", "''")
    upgrade_database(url)  # a worker may not have migrated it yet
    engine = create_engine(url, poolclass=NullPool)
    if engine.dialect.name == "postgresql":
        install = (
            f"ALTER TABLE shipment_events ADD CONSTRAINT {name} "
            f"CHECK (description IS DISTINCT FROM '{literal}')"
        )
        remove = f"ALTER TABLE shipment_events DROP CONSTRAINT IF EXISTS {name}"
    else:
        install = (
            f"CREATE TRIGGER {name} BEFORE INSERT ON shipment_events "
            f"WHEN NEW.description = '{literal}' "
            "BEGIN SELECT RAISE(ABORT, 'shipment_events: the schema refuses this description'); END"
        )
        remove = f"DROP TRIGGER IF EXISTS {name}"
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(install)
        yield
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(remove)
        engine.dispose()


class PostgresServer:
    """Creates throwaway databases on the test server and drops them again."""

    def __init__(self, admin: Engine) -> None:
        self._admin = admin

    def create_database(self) -> str:
        name = f"waypost_test_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = make_url(self._admin.url).set(database=name)
        return url.render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        with self._admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The server at WAYPOST_TEST_POSTGRES_URL (default: local, user postgres, trust auth)."""
    admin = create_engine(
        POSTGRES_ADMIN_URL,
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
        connect_args={"connect_timeout": 3},
    )
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except OperationalError as err:
        admin.dispose()
        reason = f"PostgreSQL is not answering at {admin.url!r}: {err.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: a missing service fails, it is never skipped)")
        pytest.skip(reason)
    try:
        yield PostgresServer(admin)
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_database_url(postgres_server: PostgresServer) -> Iterator[str]:
    """One migrated database shared by the session's PostgreSQL tests."""
    url = postgres_server.create_database()
    try:
        upgrade_database(url)
        yield url
    finally:
        postgres_server.drop_database(url)


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, not even migrations, for the migration tests."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty' / 'ledger.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    try:
        yield url
    finally:
        server.drop_database(url)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated ledger database: a fresh SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ledger' / 'ledger.db'}"
        upgrade_database(url)
        return url
    return str(request.getfixturevalue("postgres_database_url"))


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    engine = make_engine(database_url)
    try:
        yield Ledger(engine)
    finally:
        engine.dispose()


@pytest.fixture
def shipment_ref(ledger: Ledger) -> str:
    """A freshly recorded shipment of its own (claims and events need their shipment row)."""
    start = shipment(shipment_id=unique("s"))
    ledger.record_shipment(start.workflow_id, start)
    return start.workflow_id
