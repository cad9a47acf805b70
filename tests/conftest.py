"""Fixtures shared by every test: an isolated database per test, on SQLite or PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import socialshop.db
import socialshop.models  # noqa: F401  (registers every table)
from socialshop.db import make_engine
from tests.e2e import shared_server


def pytest_configure(config):
    """The controller (the single process of a serial run, or xdist's controller) names the
    run folder the browser scenarios' shared app server lives in (tests/e2e/shared_server.py)."""
    if not hasattr(config, "workerinput"):
        shared_server.controller_configure(config)


def pytest_sessionfinish(session, exitstatus):
    """After every worker's last test: stop the shared app server and report its ledger check."""
    if not hasattr(session.config, "workerinput"):
        shared_server.controller_finish(session)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """pytest-randomly shuffles the tests (its seed is in the header, which -q hides): say at
    the end how to replay this order."""
    if config.pluginmanager.hasplugin("randomly") and not hasattr(config, "workerinput"):
        seed = config.getoption("randomly_seed")
        terminalreporter.write_line(f"random order seed {seed}: replay this order with --randomly-seed={seed}"
                                    " (and the same -n and -k)")


POSTGRES_ADMIN_URL = os.environ.get(
    "SOCIALSHOP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture
def engine(tmp_path, monkeypatch) -> Iterator[Engine]:
    """A fresh SQLite file per test (a file, not :memory:, so threads share it).

    It is also the process's database for the test, so code that opens its own
    sessions (the sandbox gateway's memory, the reconciler) sees the same data.
    """
    eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    SQLModel.metadata.create_all(eng)
    monkeypatch.setattr(socialshop.db, "get_engine", lambda: eng)
    yield eng
    eng.dispose()


@pytest.fixture(autouse=True)
def fresh_login_throttle() -> Iterator[None]:
    """Each test starts with no failed log-ins counted (the default throttle is per process)."""
    from socialshop.services.login_throttle import default_throttle

    default_throttle.cache_clear()
    yield
    default_throttle.cache_clear()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


def _postgres_available() -> bool:
    try:
        eng = make_engine(POSTGRES_ADMIN_URL)
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return True
    except Exception:
        return False


@contextlib.contextmanager
def throwaway_postgres_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards.

    CI has PostgreSQL: there, its absence fails; elsewhere the test is skipped.
    """
    if not _postgres_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}")
        pytest.skip("PostgreSQL is not reachable")
    name = f"socialshop_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    with throwaway_postgres_database() as url:
        yield url


@pytest.fixture
def pg_engine(pg_url, monkeypatch) -> Iterator[Engine]:
    """A throw-away PostgreSQL database per test, with every table."""
    eng = make_engine(pg_url)
    SQLModel.metadata.create_all(eng)
    monkeypatch.setattr(socialshop.db, "get_engine", lambda: eng)
    yield eng
    eng.dispose()
