"""Password/PIN hashing and session tokens."""

from __future__ import annotations

import hashlib
import secrets

from passlib.context import CryptContext

# argon2 is memory-hard; passlib lets us migrate schemes later via needs_update().
_context = CryptContext(schemes=["argon2"], deprecated="auto")

# Verified against when an email is unknown, so a failed login takes as long either way.
_DUMMY_HASH = _context.hash("not-a-real-password")


def hash_secret(secret: str) -> str:
    return _context.hash(secret)


def verify_secret(secret: str, hashed: str | None) -> bool:
    if not hashed:
        _context.verify(secret, _DUMMY_HASH)
        return False
    try:
        return _context.verify(secret, hashed)
    except (ValueError, TypeError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


# What server-side state (pickled to disk or Redis) keeps of a browser's login token: this
# prefix and the token's digest, the same value AuthSession.token_hash holds.
STORED_TOKEN_PREFIX = "sha256:"


def stored_token(token: str) -> str:
    """The form of a login token that may be written down on the server."""
    return token if token.startswith(STORED_TOKEN_PREFIX) else STORED_TOKEN_PREFIX + token_digest(token)


def token_digest(token: str) -> str:
    """AuthSession.token_hash of a browser's token (or of its stored form)."""
    if token.startswith(STORED_TOKEN_PREFIX):
        return token[len(STORED_TOKEN_PREFIX):]
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
