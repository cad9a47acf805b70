"""Where a person is signed in: the list, "last seen", and signing other logins out."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from socialshop.models import AuthSession, utcnow
from socialshop.services import accounts, auth_sessions, security
from socialshop.services.errors import NotFound
from tests.unit.factories import make_user

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


def log_in(session, user, *, user_agent="", created_at=None, expires_in=dt.timedelta(days=30)) -> str:
    """A login as services/accounts.py opens one; its browser token."""
    token = security.new_token()
    created_at = created_at or utcnow()
    session.add(
        AuthSession(
            user_id=user.id, token_hash=security.token_digest(token), created_at=created_at,
            expires_at=created_at + expires_in, user_agent=user_agent,
        )
    )
    session.flush()
    return token


def ids(session, user) -> set[int]:
    return set(session.exec(select(AuthSession.id).where(AuthSession.user_id == user.id)).all())


@pytest.mark.parametrize(
    ("user_agent", "browser", "os"),
    [(ANDROID_CHROME, "Chrome Mobile", "Android"), (IPHONE_SAFARI, "Mobile Safari", "iOS"),
     ("", "", ""), ("some nonsense", "", "")],
)
def test_the_device_is_named_from_the_user_agent(user_agent, browser, os):
    assert auth_sessions.describe_device(user_agent) == auth_sessions.Device(browser=browser, os=os)


def test_the_list_holds_only_my_live_sessions_this_one_first(session):
    me, other = make_user(session), make_user(session)
    now = utcnow()
    old = log_in(session, me, user_agent=IPHONE_SAFARI, created_at=now - dt.timedelta(days=3))
    current = log_in(session, me, user_agent=ANDROID_CHROME, created_at=now - dt.timedelta(days=5))
    log_in(session, me, created_at=now - dt.timedelta(days=40))  # expired
    log_in(session, other, user_agent=ANDROID_CHROME)

    page = auth_sessions.list_sessions(session, user=me, token=current, now=now)
    assert page.total == 2
    assert [(row.is_current, row.device.os) for row in page.rows] == [(True, "Android"), (False, "iOS")]
    assert ids(session, me) >= {row.id for row in page.rows}
    # Another person's token marks nothing as "this device" in my list.
    assert not any(row.is_current for row in auth_sessions.list_sessions(session, user=me, token=old + "x").rows)


def test_the_list_is_paged(session):
    me = make_user(session)
    now = utcnow()
    tokens = [log_in(session, me, created_at=now - dt.timedelta(minutes=i)) for i in range(auth_sessions.PAGE_SIZE + 2)]
    page = auth_sessions.list_sessions(session, user=me, token=tokens[-1], now=now)
    assert (len(page.rows), page.total) == (auth_sessions.PAGE_SIZE, auth_sessions.PAGE_SIZE + 2)
    assert page.rows[0].is_current
    assert len(auth_sessions.list_sessions(session, user=me, token=tokens[-1], limit=50, now=now).rows) == 12


def test_last_seen_is_written_at_most_every_few_minutes(session):
    me = make_user(session)
    start = utcnow()
    token = log_in(session, me, created_at=start - dt.timedelta(hours=1))
    row = session.exec(select(AuthSession)).one()
    assert row.last_seen_at is None

    auth_sessions.seen(session, token=token, user_agent=ANDROID_CHROME, now=start)
    assert (row.last_seen_at, row.user_agent) == (start, ANDROID_CHROME)
    auth_sessions.seen(session, token=token, user_agent=ANDROID_CHROME, now=start + dt.timedelta(minutes=4))
    assert row.last_seen_at == start  # too soon: nothing written
    later = start + auth_sessions.SEEN_EVERY
    auth_sessions.seen(session, token=token, user_agent=ANDROID_CHROME, now=later)
    assert row.last_seen_at == later
    page = auth_sessions.list_sessions(session, user=me, token=token, now=later)
    assert page.rows[0].last_seen_at == later

    auth_sessions.seen(session, token=token, user_agent="x" * 1000, now=later)
    assert len(row.user_agent) == auth_sessions.USER_AGENT_MAX
    auth_sessions.seen(session, token="not-a-token", user_agent=IPHONE_SAFARI, now=later)
    auth_sessions.seen(session, token=None, user_agent=IPHONE_SAFARI, now=later)
    assert row.user_agent.startswith("x")


def test_sign_out_everywhere_else_keeps_this_one_and_nobody_elses(session):
    me, other = make_user(session), make_user(session)
    current = log_in(session, me)
    elsewhere = [log_in(session, me), log_in(session, me)]
    theirs = log_in(session, other)

    assert auth_sessions.sign_out_others(session, user=me, token=current) == 2
    assert accounts.user_for_token(session, token=current).id == me.id
    assert [accounts.user_for_token(session, token=t) for t in elsewhere] == [None, None]
    assert accounts.user_for_token(session, token=theirs).id == other.id
    assert auth_sessions.sign_out_others(session, user=me, token=current) == 0


def test_sign_out_everywhere_else_needs_my_own_live_token(session):
    me, other = make_user(session), make_user(session)
    mine = log_in(session, me)
    theirs = log_in(session, other)
    for token in (theirs, "", None, "forged"):
        with pytest.raises(NotFound):
            auth_sessions.sign_out_others(session, user=me, token=token)
    assert accounts.user_for_token(session, token=mine).id == me.id


def test_signing_out_one_session_refuses_foreign_current_and_forged_ids(session):
    me, other = make_user(session), make_user(session)
    current = log_in(session, me)
    log_in(session, me)
    log_in(session, other)
    [current_id] = [r.id for r in auth_sessions.list_sessions(session, user=me, token=current).rows if r.is_current]
    [mine_elsewhere] = ids(session, me) - {current_id}
    [theirs] = ids(session, other)

    for forged in (theirs, current_id, 999_999, -1, "1", None, True, 1.5):
        with pytest.raises(NotFound) as info:
            auth_sessions.sign_out_session(session, user=me, token=current, session_id=forged)
        assert info.value.code == "session_not_found"
    assert ids(session, other) == {theirs}
    assert ids(session, me) == {current_id, mine_elsewhere}

    auth_sessions.sign_out_session(session, user=me, token=current, session_id=mine_elsewhere)
    assert ids(session, me) == {current_id}
