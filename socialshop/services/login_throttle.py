"""Wrong-password throttling per account and per client (ASVS V2.2.1).

Failed log-ins are counted in moving windows. Each account has tiers that make the wait
grow (a minute after 5 failures, up to 15 minutes after 10) and end in a lock of up to an
hour after 20: far below ASVS's ceiling of 100 failures an hour per account. Each client
(IP address) has looser tiers, so one machine cannot try many accounts. Unknown emails are
counted like real ones: the throttle says nothing about which addresses exist.

Counts live in the `limits` storage: in this process's memory, or in Redis when
REFLEX_REDIS_URL is set, so every backend worker sees the same counts.
"""

from __future__ import annotations

import functools
import math
import os
import time

from limits import parse_many, storage, strategies

ACCOUNT_LIMITS = parse_many("5/minute;10/15 minutes;20/hour")
CLIENT_LIMITS = parse_many("30/minute;200/hour")
_NAMESPACE = "socialshop-login"


class LoginThrottle:
    def __init__(self, store: storage.Storage) -> None:
        self._limiter = strategies.MovingWindowRateLimiter(store)

    def _tiers(self, *, account: str, client: str):
        yield from ((limit, ("account", account)) for limit in ACCOUNT_LIMITS)
        if client:
            yield from ((limit, ("client", client)) for limit in CLIENT_LIMITS)

    def wait_seconds(self, *, account: str, client: str) -> int:
        """0 when a log-in may be tried now, else how many seconds until it may."""
        now = time.time()
        wait = 0.0
        for limit, keys in self._tiers(account=account, client=client):
            stats = self._limiter.get_window_stats(limit, _NAMESPACE, *keys)
            if stats.remaining <= 0:
                wait = max(wait, stats.reset_time - now)
        return max(1, math.ceil(wait)) if wait > 0 else 0

    def failed(self, *, account: str, client: str) -> None:
        for limit, keys in self._tiers(account=account, client=client):
            self._limiter.hit(limit, _NAMESPACE, *keys)

    def succeeded(self, *, account: str) -> None:
        """The account's owner got in: their earlier typos no longer count (the client's do)."""
        for limit in ACCOUNT_LIMITS:
            self._limiter.clear(limit, _NAMESPACE, "account", account)


def throttle_for(url: str) -> LoginThrottle:
    """A throttle on a `limits` storage URL: memory:// or redis://host:port/db."""
    return LoginThrottle(storage.storage_from_string(url))


@functools.cache
def default_throttle() -> LoginThrottle:
    return throttle_for(os.environ.get("REFLEX_REDIS_URL") or "memory://")
