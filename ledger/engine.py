"""The ledger's engine and its short transactions.

The ledger is called from synchronous activities on a thread pool and from the HTTP service's
threads, so every call is one short transaction on its own connection from the engine's pool
(thread-safe). `Transactions` is how the write side opens them: on SQLite it queues the
process's own writers on one lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from psycopg import _queries
from sqlalchemy import Connection, Engine

from ledger.schema import create_ledger_engine, normalize_url

__all__ = ["Transactions", "make_engine"]


def make_engine(url: str) -> Engine:
    """The ledger's engine: SQLite tuned for threads (WAL, busy timeout, foreign keys, BEGIN
    IMMEDIATE), or PostgreSQL through psycopg 3 (`postgres://` and `postgresql://` accepted)."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "postgresql":
        cache_long_statements()
        # No pre-ping (a round trip per transaction): a connection gone stale fails once, the
        # pool is invalidated, and the activity's retry (or the caller's) gets a fresh one.
        return create_ledger_engine(parsed, pool_size=20, max_overflow=10)
    return create_ledger_engine(parsed)


LONG_STATEMENTS = {"MAX_CACHED_STATEMENT_LENGTH": 16384, "MAX_CACHED_STATEMENT_PARAMS": 256}
"""psycopg's limits on the statements whose parsing it keeps, raised to these."""


def cache_long_statements() -> None:
    """Have psycopg keep the parsing of the ledger's long statements too.

    psycopg rewrites a statement's `%(name)s` placeholders into PostgreSQL's `$n` by parsing its
    text, and keeps the result only for statements under 4 KB with at most 50 parameters
    (psycopg/_queries.py: longer ones are mostly generated and seldom repeat). A quiet change
    (`ledger.one_statement`) is about 9 KB with some 140 parameters, in a few dozen shapes that
    repeat all day: parsing it anew was about 6% of the ledger activity's CPU. The limits are
    psycopg's module constants; a psycopg without them is left as it is."""
    for name, limit in LONG_STATEMENTS.items():
        current = getattr(_queries, name, None)
        if isinstance(current, int):
            setattr(_queries, name, max(current, limit))


class Transactions:
    """Write transactions and the reads taken between them, over one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite has one writer at a time; queueing our own threads on a lock hands the write
        # over at once, where SQLite's busy handler would sleep (up to 100 ms a try).
        self._writer: AbstractContextManager[Any] = (
            threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        )

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self._writer, self.engine.begin() as conn:
            yield conn

    @contextmanager
    def single(self) -> Iterator[Connection]:
        """One statement, atomic by itself: a read outside any write transaction, or a single
        write. On PostgreSQL in autocommit (one round trip, no BEGIN or COMMIT); on SQLite, whose
        transactions all take the write lock, through `begin`."""
        if self.engine.dialect.name == "sqlite":
            with self.begin() as conn:
                yield conn
        else:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                yield conn

    read = single
    """A read between write transactions (see `single`)."""
