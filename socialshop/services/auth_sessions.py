"""Where a person is signed in: the list of their logins (device, last seen), and
signing the others out. A login is an AuthSession row; its token lives only in the
browser, the row keeps its hash (services/accounts.py opens and checks them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlmodel import Session, col, select
from ua_parser import parse as parse_user_agent

from socialshop.models import AuthSession, User, utcnow
from socialshop.services import accounts
from socialshop.services.errors import NotFound

# A page load refreshes "last seen" only when the stored time is older than this: the
# list needs minutes, not seconds, and a write per event would cost every event.
SEEN_EVERY = dt.timedelta(minutes=5)
USER_AGENT_MAX = 300
PAGE_SIZE = 10
MAX_LIMIT = 100


@dataclass(frozen=True)
class Device:
    """What a User-Agent says, in names a person recognises; empty when unknown."""

    browser: str
    os: str


@dataclass(frozen=True)
class SignedInSession:
    id: int
    device: Device
    signed_in_at: dt.datetime
    last_seen_at: dt.datetime
    is_current: bool


@dataclass(frozen=True)
class SessionPage:
    rows: list[SignedInSession]
    total: int


def describe_device(user_agent: str) -> Device:
    """'Chrome Mobile', 'Android' from a User-Agent (ua-parser's rules); 'Other' means unknown."""
    if not user_agent:
        return Device(browser="", os="")
    result = parse_user_agent(user_agent)
    browser = result.user_agent.family if result.user_agent else ""
    os_name = result.os.family if result.os else ""
    return Device(
        browser="" if browser == "Other" else browser,
        os="" if os_name == "Other" else os_name,
    )


def seen(session: Session, *, token: object, user_agent: object, now: dt.datetime | None = None) -> None:
    """Note that this login was just used, from this browser. Writes at most every
    SEEN_EVERY (or when the browser changed), so most page loads write nothing."""
    now = now or utcnow()
    row = accounts.session_for_token(session, token=token)
    if row is None or row.expires_at <= now:
        return
    agent = user_agent[:USER_AGENT_MAX] if isinstance(user_agent, str) else ""
    stale = row.last_seen_at is None or now - row.last_seen_at >= SEEN_EVERY
    if not stale and (not agent or agent == row.user_agent):
        return
    row.last_seen_at = now
    if agent:
        row.user_agent = agent
    session.add(row)


def _alive(user: User, now: dt.datetime):
    return (col(AuthSession.user_id) == user.id, col(AuthSession.expires_at) > now)


def list_sessions(
    session: Session, *, user: User, token: object, limit: int = PAGE_SIZE, now: dt.datetime | None = None
) -> SessionPage:
    """The user's live logins, this one first, then the most recently seen."""
    now = now or utcnow()
    limit = max(1, min(int(limit), MAX_LIMIT))
    current = accounts.session_for_token(session, token=token)
    current_id = current.id if current is not None and current.user_id == user.id else None
    seen_at = func.coalesce(col(AuthSession.last_seen_at), col(AuthSession.created_at))
    rows = session.exec(
        select(AuthSession)
        .where(*_alive(user, now))
        .order_by((col(AuthSession.id) == current_id).desc(), seen_at.desc(), col(AuthSession.id).desc())
        .limit(limit)
    ).all()
    total = session.exec(select(func.count()).select_from(AuthSession).where(*_alive(user, now))).one()
    return SessionPage(
        rows=[
            SignedInSession(
                id=row.id,  # type: ignore[arg-type]
                device=describe_device(row.user_agent),
                signed_in_at=row.created_at,
                last_seen_at=row.last_seen_at or row.created_at,
                is_current=row.id == current_id,
            )
            for row in rows
        ],
        total=total,
    )


def sign_out_others(session: Session, *, user: User, token: object) -> int:
    """End every login of `user` but the one holding `token`; how many ended.

    Their tabs notice on their next event or page load (the token no longer matches).
    """
    current = accounts.session_for_token(session, token=token)
    if current is None or current.user_id != user.id:
        raise NotFound("session_not_found")
    result = session.exec(
        delete(AuthSession).where(col(AuthSession.user_id) == user.id, col(AuthSession.id) != current.id)  # type: ignore[call-overload]
    )
    return result.rowcount or 0


def sign_out_session(session: Session, *, user: User, token: object, session_id: object) -> None:
    """End one other login of `user`. Someone else's id, an unknown one or this very
    login (that is "Log out") are all NotFound("session_not_found")."""
    if not isinstance(session_id, int) or isinstance(session_id, bool):
        raise NotFound("session_not_found")
    current = accounts.session_for_token(session, token=token)
    row = session.get(AuthSession, session_id)
    if row is None or row.user_id != user.id or current is None or row.id == current.id:
        raise NotFound("session_not_found")
    session.delete(row)
    session.flush()
