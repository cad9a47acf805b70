"""Engines and sessions for services, scripts and states (the same URL Reflex uses)."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Iterator

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from socialshop.settings import default_db_url


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # WAL lets readers go on while one writer commits; foreign keys are off by
            # default in SQLite and we rely on them.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    engine = create_engine(url, pool_size=20, max_overflow=20)
    _ping_when_idle(engine)
    return engine


# A connection idle in the pool for longer than this is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_when_idle(engine: Engine) -> None:
    """pool_pre_ping, but only for connections that sat unused for a while.

    A server restart or an idle timeout drops connections that wait in the pool; the
    ping catches those. pool_pre_ping pings on *every* checkout, and a checkout takes
    three (one per transaction: claim, record, plus the reads): on psycopg each ping was
    a server round trip plus an autocommit toggle, ~1 ms of CPU per checkout. A
    connection checked in moments ago is as good as pinged. A failed ping raises
    DisconnectionError, on which the pool discards the connection and opens another,
    exactly as with pool_pre_ping.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:
        record.info["socialshop.idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        since = record.info.get("socialshop.idle_since")
        if since is not None and time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError(str(error)) from error
        if not alive:
            raise exc.DisconnectionError("ping failed")


@functools.cache
def get_engine() -> Engine:
    return make_engine(default_db_url())


@contextlib.contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
