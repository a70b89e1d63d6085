"""Alembic environment of the ledger.

There is no alembic.ini: `ledger.migrations.alembic_config` builds the Config, passing either an
open connection (`config.attributes["connection"]`, what `upgrade_database` does, inside its own
transaction and lock) or a URL (the `sqlalchemy.url` main option). SQLite gets batch mode, since
it can only alter a table by recreating it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.pool import NullPool

from ledger.schema import Base, create_ledger_engine, normalize_url

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """`alembic upgrade --sql`: the DDL as text, for a DBA to review and run."""
    url = normalize_url(_url())
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.get_backend_name() == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run(connection)
        return
    engine = create_ledger_engine(_url(), foreign_keys=False, poolclass=NullPool)
    try:
        with engine.connect() as fresh:
            _run(fresh)
    finally:
        engine.dispose()


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database: pass a connection or set the sqlalchemy.url option")
    return url


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
