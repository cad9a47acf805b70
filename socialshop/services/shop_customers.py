"""Customer pseudonyms: how a shop knows a buyer ("Customer 7F3K") without a name, email or phone.

The alias is an HMAC of (shop, buyer, generation) under the server's secret, shown as four
characters from an alphabet without look-alikes. The same person gets unrelated aliases at
different shops, a shop cannot recompute it, and the buyer can reset it for one shop (the
generation goes up). Rows are made the first time a shop sees the buyer (an order, a QR or
chat payment), so "which shops know me" is a plain list.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from socialshop import settings
from socialshop.models import Shop, ShopCustomer, User, utcnow
from socialshop.services.errors import NotFound
from socialshop.services.inputs import parse_id

# Crockford-like: no 0/O, 1/I/L, so "7F3K" reads back unambiguously.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_ALIAS_LENGTH = 4
PREFIX = "Customer"


def _alias(shop_id: int, user_id: int, generation: int, attempt: int = 0) -> str:
    digest = hmac.new(
        settings.server_secret(), f"shop-customer:{shop_id}:{user_id}:{generation}:{attempt}".encode(), hashlib.sha256
    ).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(_ALIAS_LENGTH + attempt // 4):  # a rare clash at one shop grows the alias
        number, index = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[index])
    return "".join(chars)


def display(alias: str) -> str:
    return f"{PREFIX} {alias}"


def _insert(session: Session, *, shop_id: int, user_id: int, generation: int) -> ShopCustomer:
    for attempt in range(12):
        row = ShopCustomer(shop_id=shop_id, user_id=user_id, generation=generation,
                           alias=_alias(shop_id, user_id, generation, attempt))
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
            return row
        except IntegrityError:
            existing = session.exec(
                select(ShopCustomer).where(ShopCustomer.shop_id == shop_id, ShopCustomer.user_id == user_id)
            ).first()
            if existing is not None:  # another request made it at the same time
                return existing
    raise RuntimeError("could not find a free customer alias")


def customer_alias(session: Session, *, shop_id: int, user_id: int) -> str:
    """The buyer's alias at this shop ("7F3K"), made on first use. Does not commit."""
    row = session.exec(
        select(ShopCustomer).where(ShopCustomer.shop_id == shop_id, ShopCustomer.user_id == user_id)
    ).first()
    if row is None:
        row = _insert(session, shop_id=shop_id, user_id=user_id, generation=0)
    return row.alias


def aliases(session: Session, *, shop_id: int, user_ids: Iterable[int]) -> dict[int, str]:
    """Aliases of many buyers at one shop (made where missing), for a page of orders."""
    wanted = set(user_ids)
    found = dict(
        session.exec(
            select(ShopCustomer.user_id, ShopCustomer.alias).where(
                ShopCustomer.shop_id == shop_id, col(ShopCustomer.user_id).in_(wanted)
            )
        ).all()
    )
    for user_id in sorted(wanted - found.keys()):
        found[user_id] = customer_alias(session, shop_id=shop_id, user_id=user_id)
    return found


def user_for_alias(session: Session, *, shop_id: int, alias: object) -> int | None:
    """The buyer behind an alias at this shop, for the shop's own searches; never shown."""
    if not isinstance(alias, str):
        return None
    text = alias.strip().upper().removeprefix(PREFIX.upper()).strip()
    if not 0 < len(text) <= 16:
        return None
    return session.exec(
        select(ShopCustomer.user_id).where(ShopCustomer.shop_id == shop_id, ShopCustomer.alias == text)
    ).first()


@dataclass(frozen=True)
class KnownShop:
    shop_id: int
    shop_name: str
    shop_slug: str
    alias: str
    first_seen_at: str
    reset_at: str


def known_shops(session: Session, *, user: User, limit: int = 100) -> list[KnownShop]:
    """The shops that know this buyer, and as whom, newest first."""
    rows = session.exec(
        select(ShopCustomer, Shop.name, Shop.slug)
        .join(Shop, col(Shop.id) == ShopCustomer.shop_id)
        .where(ShopCustomer.user_id == user.id)
        .order_by(col(ShopCustomer.first_seen_at).desc(), col(ShopCustomer.id).desc())
        .limit(limit)
    ).all()
    return [
        KnownShop(row.shop_id, name, slug, row.alias, row.first_seen_at.isoformat(),
                  row.reset_at.isoformat() if row.reset_at else "")
        for row, name, slug in rows
    ]


def reset_alias(session: Session, *, user: User, shop_id: object) -> str:
    """Give the buyer a new alias at one shop; the shop's past orders show the new one too,
    so the shop can no longer tie new activity to the old alias it may have noted. Commits.
    NotFound("shop_customer_not_found") for a shop that does not know the buyer."""
    parsed = parse_id(shop_id)
    row = None
    if parsed is not None:
        row = session.exec(
            select(ShopCustomer).where(ShopCustomer.shop_id == parsed, ShopCustomer.user_id == user.id)
        ).first()
    if row is None:
        raise NotFound("shop_customer_not_found")
    generation = row.generation + 1
    for attempt in range(12):
        candidate = _alias(row.shop_id, row.user_id, generation, attempt)
        taken = session.exec(
            select(ShopCustomer.id).where(ShopCustomer.shop_id == row.shop_id, ShopCustomer.alias == candidate)
        ).first()
        if taken is None:
            break
    row.generation, row.alias, row.reset_at = generation, candidate, utcnow()
    session.add(row)
    session.commit()
    return row.alias
