"""Which PostgreSQL the tests run on: the configured server when it answers; an embedded one
from the wheel when nothing answers on a laptop; never a swap or a skip under CI=true."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from tests.db_fixtures import postgres_for_tests

NOTHING_LISTENS = "postgresql+psycopg://postgres@127.0.0.1:1/postgres"


def server_version(url: str) -> str:
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            return str(conn.exec_driver_sql("SHOW server_version").scalar_one())
    finally:
        engine.dispose()


def test_a_server_that_answers_is_used_as_it_is(postgres_admin_url: str, tmp_path: Path) -> None:
    with postgres_for_tests(
        tmp_path, admin_url=postgres_admin_url, configured=True, ci=True
    ) as url:
        assert url == postgres_admin_url


def test_nothing_answering_on_a_laptop_starts_an_embedded_server_and_stops_it(
    tmp_path: Path,
) -> None:
    with postgres_for_tests(
        tmp_path / "data", admin_url=NOTHING_LISTENS, configured=False, ci=False
    ) as url:
        assert url != NOTHING_LISTENS
        assert server_version(url)
    with pytest.raises(OperationalError):
        server_version(url)
    assert not (tmp_path / "data").exists()


def test_nothing_answering_under_ci_fails_the_run(tmp_path: Path) -> None:
    with (
        pytest.raises(pytest.fail.Exception, match="CI=true"),
        postgres_for_tests(tmp_path, admin_url=NOTHING_LISTENS, configured=False, ci=True),
    ):
        pass


def test_a_configured_server_that_is_down_is_skipped_not_swapped(tmp_path: Path) -> None:
    with (
        pytest.raises(pytest.skip.Exception, match="WAYPOST_TEST_POSTGRES_URL"),
        postgres_for_tests(tmp_path, admin_url=NOTHING_LISTENS, configured=True, ci=False),
    ):
        pass
