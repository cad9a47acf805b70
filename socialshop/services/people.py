"""People a user can send money to: names only, never emails or phone numbers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from socialshop.models import User


@dataclass(frozen=True)
class Person:
    id: int
    display_name: str


def list_people(session: Session, *, user: User, limit: int = 200) -> list[Person]:
    rows = session.exec(
        select(User.id, User.display_name)
        .where(User.id != user.id)
        .order_by(col(User.display_name))
        .limit(limit)
    ).all()
    return [Person(id=row[0], display_name=row[1]) for row in rows]
