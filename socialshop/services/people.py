"""People a user can send money to: names only, never emails or phone numbers.

Nobody gets a list of the platform's users: a user sees the people they have exchanged
money with, and finds anyone else only by typing that person's exact email, phone or @handle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from socialshop.models import Payment, PaymentKind, PaymentStatus, User
from socialshop.services.accounts import normalize_email
from socialshop.services.errors import NotFound, ValidationError

RECENT_LIMIT = 20
MIN_PHONE_DIGITS = 6
HANDLE = re.compile(r"@([a-z0-9_]{1,30})")


@dataclass(frozen=True)
class Person:
    id: int
    display_name: str


def recent_people(session: Session, *, user: User, limit: int = RECENT_LIMIT) -> list[Person]:
    """Who this user has sent money to or received money from, most recent first."""
    other = func.coalesce(
        func.nullif(Payment.payer_id, user.id), Payment.counterparty_user_id  # type: ignore[arg-type]
    )
    latest = (
        select(other.label("other_id"), func.max(Payment.created_at).label("latest"))
        .where(
            Payment.kind == PaymentKind.TRANSFER.value,
            col(Payment.status).in_([
                PaymentStatus.SUCCEEDED.value, PaymentStatus.REFUNDED.value, PaymentStatus.PARTIALLY_REFUNDED.value
            ]),
            or_(Payment.payer_id == user.id, Payment.counterparty_user_id == user.id),
        )
        .group_by(other)
        .subquery()
    )
    rows = session.exec(
        select(User.id, User.display_name)
        .join(latest, latest.c.other_id == User.id)
        .where(User.id != user.id)
        .order_by(latest.c.latest.desc(), col(User.id))
        .limit(limit)
    ).all()
    return [Person(id=row[0], display_name=row[1]) for row in rows]


def _digits(column):
    for mark in (" ", "-", "+", "(", ")", "."):
        column = func.replace(column, mark, "")
    return column


def find_person(session: Session, *, user: User, query: object) -> Person:
    """The one user whose email, phone number or @handle is exactly `query`.

    NotFound('person_not_found') for anything else, partial matches included.
    """
    text = query.strip() if isinstance(query, str) else ""
    if not text or len(text) > 254:
        raise ValidationError("person_query_invalid")
    if text.startswith("@"):
        handle = HANDLE.fullmatch(text.lower())
        if handle is None:
            raise ValidationError("person_query_invalid")
        row = session.exec(select(User.id, User.display_name).where(User.handle == handle.group(1))).first()
    elif "@" in text:
        email = normalize_email(text)
        row = session.exec(select(User.id, User.display_name).where(User.email == email)).first()
    else:
        if not all(c.isdigit() or c in " -+()." for c in text):
            raise ValidationError("person_query_invalid")
        digits = "".join(c for c in text if c.isdigit())
        if len(digits) < MIN_PHONE_DIGITS:
            raise ValidationError("person_query_invalid")
        row = session.exec(
            select(User.id, User.display_name)
            .where(col(User.phone_number).is_not(None), _digits(User.phone_number) == digits)
            .order_by(col(User.id))
        ).first()
    if row is None:
        raise NotFound("person_not_found")
    if row[0] == user.id:
        raise ValidationError("person_is_you")
    return Person(id=row[0], display_name=row[1])
