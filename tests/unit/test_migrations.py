"""The checked-in Alembic migrations build exactly the schema the SQLModel tables describe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import socialshop.models  # noqa: F401
from socialshop.db import make_engine

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def migrate(url: str) -> None:
    env = {**os.environ, "REFLEX_DB_URL": url, "REFLEX_TELEMETRY_ENABLED": "false"}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "reflex"), "db", "migrate"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def schema_drift(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_match_the_models(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'migrated.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    migrate(url)
    assert schema_drift(url) == []
    migrate(url)  # running it again is a no-op, as `make run` does on every start
    assert schema_drift(url) == []
