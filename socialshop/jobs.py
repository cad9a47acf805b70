"""Periodic work every worker runs besides the money reconciler: deadlines that pass while
nobody is looking (an unanswered dispute goes to support on its own)."""

from __future__ import annotations

import asyncio
import logging

from sqlmodel import Session

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60


def run_once() -> int:
    from socialshop.db import get_engine
    from socialshop.services import disputes

    with Session(get_engine(), expire_on_commit=False) as session:
        return disputes.escalate_overdue(session)


async def deadlines_forever() -> None:
    """The app's lifespan task; several workers at once are safe (each move is conditional)."""
    while True:
        try:
            moved = await asyncio.to_thread(run_once)
            if moved:
                log.info("escalated %s overdue disputes to support", moved)
        except Exception:
            log.exception("deadline job failed; trying again next interval")
        await asyncio.sleep(INTERVAL_SECONDS)
