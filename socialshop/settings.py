"""Process-wide settings read from the environment (no reflex import: services use it too)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The embedded database lives in a gitignored folder so a checkout never tracks user data.
DATA_DIR = Path(os.environ.get("SOCIALSHOP_DATA_DIR", PROJECT_ROOT / "var"))


def default_db_url() -> str:
    """Database URL: REFLEX_DB_URL wins, else an SQLite file under DATA_DIR."""
    url = os.environ.get("REFLEX_DB_URL")
    if url:
        return url
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DATA_DIR / 'socialshop.db'}"


def payment_provider_name() -> str:
    return os.environ.get("SOCIALSHOP_PAYMENT_PROVIDER", "sandbox").strip().lower()


SESSION_TTL_DAYS = int(os.environ.get("SOCIALSHOP_SESSION_TTL_DAYS", "30"))
