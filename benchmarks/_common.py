"""Helpers shared by the benchmark scripts: the PostgreSQL target, throw-away databases, engines."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

from socialshop.db import make_engine

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_target(pg_url: str | None, *, default: str | None = None) -> str | None:
    """--pg-url, else REFLEX_DB_URL when it is PostgreSQL, else `default` (None: no PostgreSQL run)."""
    url = pg_url or os.environ.get("REFLEX_DB_URL", "")
    return url if url.startswith("postgresql") else default


def _admin_engine(server_url: str) -> Engine:
    return make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")


@contextlib.contextmanager
def temporary_database(server_url: str, *, prefix: str = "socialshop_bench") -> Iterator[str]:
    """A new, empty database on the server of `server_url`; yields its URL, drops it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine(server_url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def connection_budget(server_url: str) -> tuple[int, int]:
    """(max_connections, connections open now) of the PostgreSQL server."""
    admin = _admin_engine(server_url)
    try:
        with admin.connect() as conn:
            maximum = int(conn.execute(text("SHOW max_connections")).scalar_one())
            reserved = int(conn.execute(text("SHOW superuser_reserved_connections")).scalar_one())
            in_use = int(conn.execute(text("SELECT count(*) FROM pg_stat_activity")).scalar_one())
    finally:
        admin.dispose()
    return maximum - reserved, in_use


def sized_engine(url: str, pool_size: int, *, pool_timeout: float = 120.0) -> Engine:
    """An engine holding at most `pool_size` connections (the app's make_engine allows 20 + 20).

    Threads beyond `pool_size` wait for a connection, as requests do in a worker whose
    pool is exhausted; the wait counts in their latency.
    """
    return create_engine(url, pool_size=pool_size, max_overflow=0, pool_timeout=pool_timeout)
