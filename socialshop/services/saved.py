"""Products a shopper bookmarked for later. Saving and unsaving are idempotent."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, select

from socialshop.models import Product, SavedItem, Shop, User, utcnow
from socialshop.services.catalog import (
    ProductView,
    insert_ignore,
    product_available,
    product_view,
)
from socialshop.services.errors import Conflict, NotFound
from socialshop.services.inputs import clean_language, parse_id


def save_product(session: Session, *, user: User, product_id: object) -> bool:
    """Bookmark a product; returns True (saved), also when it already was."""
    pid = parse_id(product_id)
    row = (
        session.exec(
            select(Product, Shop).join(Shop, Shop.id == Product.shop_id).where(Product.id == pid)
        ).first()
        if pid is not None
        else None
    )
    if row is None:
        raise NotFound("product_not_found")
    product, shop = row
    if is_saved(session, user=user, product_id=pid):
        return True
    if not product_available(product, shop):
        raise Conflict("product_unavailable")
    insert_ignore(session, SavedItem, user_id=user.id, product_id=pid, created_at=utcnow())
    return True


def unsave_product(session: Session, *, user: User, product_id: object) -> bool:
    """Remove a bookmark; returns False (not saved), also when there was none."""
    pid = parse_id(product_id)
    if pid is None:
        raise NotFound("product_not_found")
    session.exec(
        delete(SavedItem).where(SavedItem.user_id == user.id, SavedItem.product_id == pid)  # type: ignore[arg-type]
    )
    return False


def toggle_saved(session: Session, *, user: User, product_id: object) -> bool:
    """Flip the bookmark; returns whether the product is saved now."""
    if is_saved(session, user=user, product_id=product_id):
        return unsave_product(session, user=user, product_id=product_id)
    return save_product(session, user=user, product_id=product_id)


def is_saved(session: Session, *, user: User, product_id: object) -> bool:
    pid = parse_id(product_id)
    if pid is None:
        return False
    return (
        session.exec(
            select(SavedItem.id).where(SavedItem.user_id == user.id, SavedItem.product_id == pid)
        ).first()
        is not None
    )


def saved_product_ids(session: Session, *, user: User) -> set[int]:
    """Every saved product id at once, so a feed page can mark its tags without N lookups."""
    return set(session.exec(select(SavedItem.product_id).where(SavedItem.user_id == user.id)).all())


def list_saved(session: Session, *, user: User, language: object = "en") -> list[ProductView]:
    """Saved products, most recently saved first; withdrawn ones stay with available=False."""
    lang = clean_language(language)
    rows = session.exec(
        select(Product, Shop)
        .join(SavedItem, SavedItem.product_id == Product.id)
        .join(Shop, Shop.id == Product.shop_id)
        .where(SavedItem.user_id == user.id)
        .order_by(SavedItem.created_at.desc(), SavedItem.id.desc())  # type: ignore[attr-defined]
    ).all()
    return [product_view(product, shop, lang) for product, shop in rows]
