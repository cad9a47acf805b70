"""Process-wide settings read from the environment (no reflex import: services use it too)."""

from __future__ import annotations

import functools
import os
import tempfile
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


_SECRET_BYTES = 32


@functools.cache
def server_secret() -> bytes:
    """The key for our own HMACs (QR tokens, customer pseudonyms): SOCIALSHOP_SECRET_KEY, or a
    random key made once in DATA_DIR/secret_key (private file) and shared by every worker.
    Read once per process: it never changes while the process runs."""
    configured = os.environ.get("SOCIALSHOP_SECRET_KEY", "")
    if configured:
        return configured.encode()
    path = DATA_DIR / "secret_key"
    try:
        return bytes.fromhex(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        pass
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = os.urandom(_SECRET_BYTES).hex()
    # Written whole to a private temporary file, then linked into place: link() fails if
    # another worker got there first, and nobody ever reads a half-written key.
    fd, tmp = tempfile.mkstemp(dir=DATA_DIR, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return bytes.fromhex(path.read_text().strip())
    finally:
        os.unlink(tmp)
    return bytes.fromhex(key)
