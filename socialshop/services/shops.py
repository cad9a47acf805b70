"""Shops: a merchant owns exactly one."""

from __future__ import annotations

from slugify import slugify
from sqlmodel import Session, select

from socialshop.models import Role, Shop, User
from socialshop.services.errors import Conflict, PermissionDenied, ValidationError


def unique_slug(session: Session, name: str) -> str:
    base = slugify(name, max_length=60) or "shop"
    slug, n = base, 1
    while session.exec(select(Shop.id).where(Shop.slug == slug)).first() is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def clean_shop_name(name: object) -> str:
    clean_name = name.strip() if isinstance(name, str) else ""
    if not clean_name or len(clean_name) > 80:
        raise ValidationError("shop_name_required")
    return clean_name


def create_shop(session: Session, *, owner: User, name: object, description: object = "") -> Shop:
    clean_name = clean_shop_name(name)
    text = description.strip() if isinstance(description, str) else ""
    if session.exec(select(Shop.id).where(Shop.owner_id == owner.id)).first() is not None:
        raise Conflict("shop_exists")
    shop = Shop(
        owner_id=owner.id,  # type: ignore[arg-type]
        name=clean_name,
        slug=unique_slug(session, clean_name),
        description=text[:2000],
    )
    owner.role = Role.MERCHANT.value
    session.add(owner)
    session.add(shop)
    session.flush()
    return shop


def shop_of(session: Session, *, owner: User) -> Shop | None:
    return session.exec(
        select(Shop).where(Shop.owner_id == owner.id, Shop.deleted_at.is_(None))  # type: ignore[union-attr]
    ).first()


def require_shop(session: Session, *, user: User | None) -> Shop:
    """The acting merchant's own open shop: every merchant service starts here, so a shopper
    (or a merchant whose shop is closed) calling a merchant handler gets a refusal, and a
    merchant only ever reaches their own shop's rows. PermissionDenied("merchant_only")."""
    shop = shop_of(session, owner=user) if user is not None and user.role == Role.MERCHANT.value else None
    if shop is None:
        raise PermissionDenied("merchant_only")
    return shop
