"""The ledger's Alembic migrations, shipped inside the package so an installed worker can migrate.

`upgrade_database` is what the worker, `waypost db upgrade` and the tests call; nothing creates
the schema any other way.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.pool import NullPool

from ledger.schema import create_ledger_engine, normalize_url

__all__ = ["SCRIPT_LOCATION", "alembic_config", "upgrade_database"]

SCRIPT_LOCATION = Path(__file__).resolve().parent

_MIGRATION_LOCK = 0x5741_5950  # "WAYP": one advisory lock id for every Waypost migration


def alembic_config(url: str | None = None, *, connection: Connection | None = None) -> Config:
    """A Config without any ini file: scripts from this package, the database given here."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    if url is not None:
        rendered = normalize_url(url).render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_database(url: str, revision: str = "head") -> None:
    """`alembic upgrade head` on `url`, safe to run again and from several workers at once.

    Everything happens in one transaction: PostgreSQL takes an advisory lock first, SQLite's
    BEGIN IMMEDIATE already excludes other writers; the second runner then finds nothing to do.
    """
    engine = create_ledger_engine(url, foreign_keys=False, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _MIGRATION_LOCK}
                )
            command.upgrade(alembic_config(connection=connection), revision)
    finally:
        engine.dispose()
