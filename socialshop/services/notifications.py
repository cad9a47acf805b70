"""Notifications: written by the service whose event they describe, in its transaction; read by the bell.

An entry stores its kind and parameters, not text: it is rendered in the reader's
language when shown. Only the owner can read or mark an entry; any other id is "not found".
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import func, insert, update
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from socialshop import i18n
from socialshop.models import AuthSession, Notification, NotificationKind, User, utcnow
from socialshop.services import history, security
from socialshop.services.errors import NotFound, ValidationError
from socialshop.services.inputs import clean_language, parse_id
from socialshop.services.money import format_datetime, format_money

PAGE_SIZE = 8
# A tab that was away for a while toasts at most this many of the entries it missed.
MAX_TOASTS = 3
MAX_PARAM_TEXT = 120
MAX_LINK = 200


def entry_link(source: str, row_id: object) -> str:
    """The receipt of one history entry: /pay/history/payment-12."""
    return f"/pay/history/{history.entry_id(source, row_id)}"


def notify(
    session: Session | Connection,
    *,
    user_id: int,
    kind: NotificationKind | str,
    params: dict | None = None,
    link: str = "",
) -> None:
    """Add one entry for `user_id`, through the caller's transaction (a Session or a Core
    connection), so it exists exactly when the event it describes does. Does not commit."""
    kind_value = NotificationKind(kind).value
    clean = {}
    for name, value in (params or {}).items():
        if isinstance(value, dt.datetime):
            value = value.isoformat()
        elif isinstance(value, str):
            value = value[:MAX_PARAM_TEXT]
        elif not isinstance(value, (int, bool)) and value is not None:
            value = str(value)[:MAX_PARAM_TEXT]
        clean[str(name)] = value
    conn = session.connection() if isinstance(session, Session) else session
    conn.execute(
        _INSERT_NOTIFICATION,
        {
            "user_id": user_id,
            "kind": kind_value,
            "params": json.dumps(clean, separators=(",", ":")),
            "link": link[:MAX_LINK] if link.startswith("/") and not link.startswith("//") else "",
            "created_at": utcnow(),
        },
    )


# Built once: every payment writes one (a Core insert on the table, no ORM bookkeeping).
_INSERT_NOTIFICATION = insert(Notification.__table__).inline()  # type: ignore[attr-defined]


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    text: str
    link: str
    created_at_label: str
    unread: bool


def _as_datetime(raw: object) -> dt.datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def render(kind: str, params_json: str, language: object) -> str:
    """The entry's text in `language`; unreadable parameters leave the plain sentence."""
    lang = clean_language(language)
    try:
        params = json.loads(params_json or "{}")
    except ValueError:
        params = {}
    if not isinstance(params, dict):
        params = {}
    shown: dict[str, object] = {k: v for k, v in params.items() if isinstance(v, (str, int))}
    amount = params.get("amount_cents")
    if isinstance(amount, int) and not isinstance(amount, bool):
        shown["amount"] = format_money(amount, str(params.get("currency") or "EUR"), lang)
    until = _as_datetime(params.get("until"))
    if until is not None:
        shown["until"] = format_datetime(until, lang)
    app = params.get("app")
    if isinstance(app, str) and f"app.{app}" in i18n.CATALOG:
        shown["app"] = i18n.translate(f"app.{app}", lang)
    key = f"notification.{kind}"
    if kind == NotificationKind.PAYMENT.value and not params.get("counterparty"):
        key = "notification.payment_no_counterparty"
    event = params.get("event")
    if isinstance(event, str) and f"{key}.{event}" in i18n.CATALOG:
        # One kind, several sentences: a dispute opened, answered, escalated, resolved.
        key = f"{key}.{event}"
    return i18n.translate(key if key in i18n.CATALOG else "notification.generic", lang, **shown)


def _view(row: Notification, lang: str) -> NotificationView:
    return NotificationView(
        id=row.id,  # type: ignore[arg-type]
        kind=row.kind,
        text=render(row.kind, row.params, lang),
        link=row.link,
        created_at_label=format_datetime(row.created_at, lang),
        unread=row.read_at is None,
    )


def list_notifications(
    session: Session, *, user: User, language: object = "en", before_id: object = None, limit: int = PAGE_SIZE
) -> tuple[list[NotificationView], bool]:
    """A page of the user's entries, newest first, older than `before_id` if given;
    and whether there are older ones. ValidationError("notification_page_invalid") for a bad cursor."""
    lang = clean_language(language)
    query = select(Notification).where(Notification.user_id == user.id)
    if before_id not in (None, "", 0):
        cursor = parse_id(before_id)
        if cursor is None:
            raise ValidationError("notification_page_invalid")
        query = query.where(col(Notification.id) < cursor)
    rows = session.exec(query.order_by(col(Notification.id).desc()).limit(limit + 1)).all()
    return [_view(row, lang) for row in rows[:limit]], len(rows) > limit


def unread_count(session: Session, *, user: User) -> int:
    return session.exec(
        select(func.count()).select_from(Notification).where(
            Notification.user_id == user.id, col(Notification.read_at).is_(None)
        )
    ).one()


def mark_read(session: Session, *, user: User, notification_id: object) -> Notification:
    """NotFound("notification_not_found") for a malformed id or someone else's entry."""
    nid = parse_id(notification_id)
    row = session.get(Notification, nid) if nid is not None else None
    if row is None or row.user_id != user.id:
        raise NotFound("notification_not_found")
    if row.read_at is None:
        row.read_at = utcnow()
        session.add(row)
        session.flush()
    return row


def mark_all_read(session: Session, *, user: User) -> int:
    result = session.exec(
        update(Notification)
        .where(col(Notification.user_id) == user.id, col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


@dataclass(frozen=True)
class Pulse:
    user_id: int
    latest_id: int
    unread: int


def pulse(session: Session, *, token: object) -> Pulse | None:
    """What an open tab polls: the newest entry id and the unread count, in ONE indexed
    statement that also checks the tab's login (None when it is not a live session), so
    a signed-out or revoked tab stops receiving anything."""
    if not isinstance(token, str) or not token or len(token) > 256:
        return None
    owner = AuthSession.__table__.c.user_id  # type: ignore[attr-defined]
    table = Notification.__table__  # type: ignore[attr-defined]
    latest = core_select(func.coalesce(func.max(table.c.id), 0)).where(table.c.user_id == owner).scalar_subquery()
    unread = (
        core_select(func.count()).select_from(table)
        .where(table.c.user_id == owner, table.c.read_at.is_(None))
        .scalar_subquery()
    )
    row = session.connection().execute(
        core_select(owner, latest, unread).where(
            AuthSession.__table__.c.token_hash == security.token_digest(token),  # type: ignore[attr-defined]
            AuthSession.__table__.c.expires_at > utcnow(),  # type: ignore[attr-defined]
        )
    ).first()
    if row is None:
        return None
    return Pulse(user_id=row[0], latest_id=int(row[1] or 0), unread=int(row[2] or 0))


def newer_than(session: Session, *, user_id: int, after_id: int, language: object = "en") -> list[NotificationView]:
    """The newest few entries after `after_id`, oldest first (for toasts)."""
    lang = clean_language(language)
    rows = session.exec(
        select(Notification)
        .where(Notification.user_id == user_id, col(Notification.id) > after_id)
        .order_by(col(Notification.id).desc())
        .limit(MAX_TOASTS)
    ).all()
    return [_view(row, lang) for row in reversed(rows)]
