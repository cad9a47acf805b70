"""Shops: a merchant owns exactly one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from slugify import slugify
from sqlalchemy import func
from sqlmodel import Session, select

from socialshop import images
from socialshop.models import Post, Product, Role, Shop, User
from socialshop.services.errors import Conflict, PermissionDenied, ValidationError

# Lowercase letters, digits and single hyphens inside: it is the shop's address (/shop/<slug>).
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){1,59}$")
# Words of the site's own addresses: a shop called "new" or "merchant" would confuse people.
RESERVED_SLUGS = frozenset({"new", "edit", "admin", "merchant", "shop", "shops", "pay", "support", "api"})
MAX_CITY_LENGTH = 60
MAX_DESCRIPTION_LENGTH = 2000


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


def suggest_slug(session: Session, *, name: object) -> str:
    """A free address made from the name ("Caffè Aurora" -> "caffe-aurora", "-2" if taken);
    "" while the name gives nothing to work with."""
    if not isinstance(name, str) or not slugify(name[:200], max_length=60):
        return ""
    return unique_slug(session, name[:200])


def clean_slug(session: Session, slug: object) -> str:
    """The slug as typed, or ValidationError("slug_invalid") / Conflict("slug_taken").
    Never changed silently: the person chose this address and will share it."""
    clean = slug.strip().lower() if isinstance(slug, str) else ""
    if not SLUG_RE.match(clean):
        raise ValidationError("slug_invalid")
    if clean in RESERVED_SLUGS:
        raise Conflict("slug_taken", slug=clean)
    if session.exec(select(Shop.id).where(Shop.slug == clean)).first() is not None:
        raise Conflict("slug_taken", slug=clean)
    return clean


def clean_city(city: object) -> str:
    text = " ".join(city.split()) if isinstance(city, str) else ""
    if len(text) > MAX_CITY_LENGTH:
        raise ValidationError("city_too_long", max=MAX_CITY_LENGTH)
    return text


def clean_description(description: object) -> str:
    text = description.strip() if isinstance(description, str) else ""
    if len(text) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError("description_too_long", max=MAX_DESCRIPTION_LENGTH)
    return text


def clean_logo(logo: object) -> str:
    """"" or a logo uploaded here (services/uploads.py): never an outside address."""
    if logo in (None, ""):
        return ""
    if not images.is_upload_url(logo, "logos"):
        raise ValidationError("image_invalid")
    return logo  # type: ignore[return-value]


def create_shop(
    session: Session,
    *,
    owner: User,
    name: object,
    description: object = "",
    slug: object = None,
    city: object = "",
    logo: object = "",
) -> Shop:
    """Open `owner`'s shop and make them a merchant. Without `slug` (sign-up) one is made
    from the name; with one, it must be well formed and free (see clean_slug)."""
    clean_name = clean_shop_name(name)
    text = clean_description(description)
    clean_town = clean_city(city)
    logo_url = clean_logo(logo)
    if session.exec(select(Shop.id).where(Shop.owner_id == owner.id)).first() is not None:
        raise Conflict("shop_exists")
    if owner.role == Role.SUPPORT.value:
        # A support agent who also sold would handle their own shop's disputes.
        raise PermissionDenied("shop_not_for_support")
    shop = Shop(
        owner_id=owner.id,  # type: ignore[arg-type]
        name=clean_name,
        slug=unique_slug(session, clean_name) if slug is None else clean_slug(session, slug),
        description=text,
        city=clean_town,
        logo=logo_url,
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


@dataclass(frozen=True)
class ShopOverview:
    """The merchant dashboard's landing: the shop as its owner sees it."""

    name: str
    slug: str
    city: str
    description: str
    logo: str
    fee_package: str
    active_products: int
    archived_products: int
    out_of_stock: int
    posts: int


def shop_overview(session: Session, *, user: User | None) -> ShopOverview:
    shop = require_shop(session, user=user)
    active, archived, out_of_stock = session.exec(
        select(
            func.count(Product.id).filter(Product.active.is_(True)),  # type: ignore[attr-defined]
            func.count(Product.id).filter(Product.active.is_(False)),  # type: ignore[attr-defined]
            func.count(Product.id).filter(Product.active.is_(True), Product.stock <= 0),  # type: ignore[attr-defined]
        ).where(Product.shop_id == shop.id)
    ).one()
    posts = session.exec(select(func.count(Post.id)).where(Post.author_shop_id == shop.id)).one()
    return ShopOverview(
        name=shop.name,
        slug=shop.slug,
        city=shop.city,
        description=shop.description,
        logo=shop.logo,
        fee_package=shop.fee_package,
        active_products=int(active or 0),
        archived_products=int(archived or 0),
        out_of_stock=int(out_of_stock or 0),
        posts=int(posts or 0),
    )
