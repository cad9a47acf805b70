"""Settles attempts left unresolved by a lost gateway answer or a crashed process.

Any process may run it at any time, several at once: each stale attempt is looked up at
the gateway by its idempotency key (`find_or_void_charge`, which also makes sure a
charge that was never made cannot be made later), and the answer is applied through
`engine.resolve_attempt`, whose conditional updates let exactly one settler win. Pending
refunds (money.refunds) are sent again with their own key: the gateway answers a repeated
key with the refund it already made, and `refunds.settle` records it once.
It runs at start-up and periodically in every app worker, and as a command:

    python -m socialshop.payments reconcile      (or python -m socialshop.money reconcile)
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from socialshop import payments
from socialshop.money import engine
from socialshop.payments.base import ProviderUnavailable

log = logging.getLogger(__name__)


def _seconds(name: str, default: float) -> dt.timedelta:
    try:
        return dt.timedelta(seconds=max(0.0, float(os.environ.get(name, default))))
    except ValueError:
        return dt.timedelta(seconds=default)


# A payer's own gateway call (three network tries at most) ends well within this.
def processing_grace() -> dt.timedelta:
    return _seconds("SOCIALSHOP_RECONCILE_PROCESSING_GRACE_SECONDS", 60)


# A confirming attempt's call has ended; wait only a moment for the gateway to settle.
def confirming_grace() -> dt.timedelta:
    return _seconds("SOCIALSHOP_RECONCILE_CONFIRMING_GRACE_SECONDS", 2)


def interval_seconds() -> float:
    return _seconds("SOCIALSHOP_RECONCILE_INTERVAL_SECONDS", 15).total_seconds()


@dataclass(frozen=True)
class Resolution:
    attempt_id: int
    key: str
    outcome: str  # "charged", "not charged", "still unknown", "skipped: ..."
    status: str  # the attempt's status afterwards

    def __str__(self) -> str:
        return f"attempt {self.attempt_id}: {self.outcome} -> {self.status}"


def resolve_one(session: Session, *, attempt_id: int, key: str, provider_name: str, user_id: int) -> Resolution:
    provider = payments.get_provider()
    if provider_name and provider_name != provider.name:
        return Resolution(attempt_id, key, f"skipped: charged through {provider_name}", "unchanged")
    try:
        charge = provider.find_or_void_charge(
            idempotency_key=key, customer_ref=engine.customer_ref_of(session, user_id)
        )
    except ProviderUnavailable as exc:
        session.rollback()
        log.warning("attempt %s: gateway still cannot tell (%s)", attempt_id, exc)
        return Resolution(attempt_id, key, "still unknown", "confirming")
    status = engine.resolve_attempt(session, key=key, charge=charge, source="reconciler")
    return Resolution(attempt_id, key, "charged" if charge is not None else "not charged", status or "missing")


def reconcile(
    db: Engine,
    *,
    now: dt.datetime | None = None,
    processing_after: dt.timedelta | None = None,
    confirming_after: dt.timedelta | None = None,
    limit: int = 100,
) -> list[Resolution]:
    """Resolve every unresolved attempt older than its grace period; what was done."""
    engine.handlers_loaded()
    with Session(db, expire_on_commit=False) as session:
        stale = engine.unresolved_attempts(
            session,
            now=now or engine._now(),
            processing_grace=processing_grace() if processing_after is None else processing_after,
            confirming_grace=confirming_grace() if confirming_after is None else confirming_after,
            limit=limit,
        )
        session.rollback()
        done = []
        for attempt_id, key, provider_name, user_id in stale:
            try:
                done.append(
                    resolve_one(session, attempt_id=attempt_id, key=key, provider_name=provider_name, user_id=user_id)
                )
            except Exception:
                session.rollback()
                log.exception("attempt %s: reconciling failed", attempt_id)
                done.append(Resolution(attempt_id, key, "error (see log)", "unchanged"))
        return done


def reconcile_refunds(db: Engine, *, now: dt.datetime | None = None, after: dt.timedelta | None = None,
                      limit: int = 100) -> list[Resolution]:
    """Send every pending refund again (a lost answer, a crash between the steps)."""
    from socialshop.money import refunds

    with Session(db, expire_on_commit=False) as session:
        stale = refunds.pending_attempts(
            session, now=now or refunds._now(), grace=confirming_grace() if after is None else after, limit=limit
        )
        session.rollback()
        done = []
        for attempt_id in stale:
            try:
                result = refunds.send(session, attempt_id=attempt_id, source="reconciler")
                done.append(Resolution(attempt_id, f"refund:{attempt_id}", "refund sent again", result.status))
            except Exception:
                session.rollback()
                log.exception("refund %s: reconciling failed", attempt_id)
                done.append(Resolution(attempt_id, f"refund:{attempt_id}", "error (see log)", "unchanged"))
        return done


def resolve_own_attempt(db: Engine, *, key: str, user_id: int) -> str | None:
    """For a payer's page waiting on its confirming attempt: look it up now if it is old
    enough (same rules as the periodic run). The attempt's status afterwards."""
    engine.handlers_loaded()
    with Session(db, expire_on_commit=False) as session:
        for attempt_id, _, provider_name, owner in engine.unresolved_attempts(
            session,
            now=engine._now(),
            processing_grace=processing_grace(),
            confirming_grace=confirming_grace(),
            limit=1,
            key=key,
        ):
            if owner == user_id:
                return resolve_one(
                    session, attempt_id=attempt_id, key=key, provider_name=provider_name, user_id=owner
                ).status
        return None


async def reconcile_forever() -> None:
    """The app's lifespan task: once at start-up, then every interval, off the event loop.

    Every worker runs it; settling is safe from several processes at once.
    """
    import asyncio

    from socialshop.db import get_engine

    while True:
        try:
            for resolution in await asyncio.to_thread(reconcile, get_engine()):
                log.info("reconciled %s", resolution)
            for resolution in await asyncio.to_thread(reconcile_refunds, get_engine()):
                log.info("reconciled %s", resolution)
        except Exception:
            log.exception("reconciler run failed; trying again next interval")
        await asyncio.sleep(interval_seconds())
