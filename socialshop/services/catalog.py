"""Products and shops as shoppers see them.

Also home of the small input parsers the other shopper-facing services share: ids and
counts arrive from the browser, so they may be strings, floats, booleans or garbage.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from socialshop.models import Product, Shop
from socialshop.services.errors import NotFound
from socialshop.services.inputs import clean_language, parse_id
from socialshop.services.money import format_money

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def iso_utc(value: dt.datetime) -> str:
    """ISO 8601 in UTC for <time datetime=...>; a naive value is UTC already (SQLite drops zones)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def insert_ignore(session: Session, model: type, **values: object) -> bool:
    """INSERT unless a unique key already has the row; True when a row was added.

    For double clicks and parallel tabs: the loser of the race gets "already there"
    instead of an IntegrityError that would spoil the caller's whole transaction.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"unsupported database dialect {dialect!r}")
    result = session.exec(insert(model).values(**values).on_conflict_do_nothing())
    return bool(result.rowcount)


def product_available(product: Product, shop: Shop | None) -> bool:
    """Whether the product can be bought at all (stock aside)."""
    return bool(product.active) and shop is not None and shop.deleted_at is None


@dataclass(frozen=True)
class ProductView:
    id: int
    title: str
    description: str
    price_label: str
    price_cents: int
    currency: str
    stock: int
    in_stock: bool
    image: str
    shop_id: int
    shop_name: str
    shop_slug: str
    available: bool


@dataclass(frozen=True)
class ShopSummary:
    id: int
    name: str
    slug: str
    description: str
    logo: str
    product_count: int


@dataclass(frozen=True)
class ShopPage:
    id: int
    name: str
    slug: str
    description: str
    logo: str
    product_count: int
    products: list[ProductView]


def product_view(product: Product, shop: Shop, language: str) -> ProductView:
    return ProductView(
        id=product.id,  # type: ignore[arg-type]
        title=product.title,
        description=product.description,
        price_label=format_money(product.price_cents, product.currency, language),
        price_cents=product.price_cents,
        currency=product.currency,
        stock=product.stock,
        in_stock=product.stock > 0,
        image=product.image,
        shop_id=shop.id,  # type: ignore[arg-type]
        shop_name=shop.name,
        shop_slug=shop.slug,
        available=product_available(product, shop),
    )


def get_product_view(session: Session, *, product_id: object, language: object = "en") -> ProductView:
    """A product page, still shown (available=False) once the product is withdrawn."""
    pid = parse_id(product_id)
    if pid is None:
        raise NotFound("product_not_found")
    row = session.exec(
        select(Product, Shop).join(Shop, Shop.id == Product.shop_id).where(Product.id == pid)
    ).first()
    if row is None:
        raise NotFound("product_not_found")
    product, shop = row
    return product_view(product, shop, clean_language(language))


def get_shop_page(session: Session, *, slug: object, language: object = "en") -> ShopPage:
    """A shop and its active products; deleted shops are indistinguishable from unknown ones."""
    clean = slug.strip().lower() if isinstance(slug, str) else ""
    if not _SLUG.match(clean):
        raise NotFound("shop_not_found")
    shop = session.exec(
        select(Shop).where(Shop.slug == clean, Shop.deleted_at.is_(None))  # type: ignore[union-attr]
    ).first()
    if shop is None:
        raise NotFound("shop_not_found")
    lang = clean_language(language)
    products = session.exec(
        select(Product)
        .where(Product.shop_id == shop.id, Product.active.is_(True))  # type: ignore[attr-defined]
        .order_by(Product.created_at.desc(), Product.id.desc())  # type: ignore[attr-defined,union-attr]
    ).all()
    views = [product_view(p, shop, lang) for p in products]
    return ShopPage(
        id=shop.id,  # type: ignore[arg-type]
        name=shop.name,
        slug=shop.slug,
        description=shop.description,
        logo=shop.logo,
        product_count=len(views),
        products=views,
    )


def list_shops(session: Session) -> list[ShopSummary]:
    """Every open shop, by name, with its number of active products (one query)."""
    active_count = (
        select(func.count(Product.id))
        .where(Product.shop_id == Shop.id, Product.active.is_(True))  # type: ignore[attr-defined]
        .correlate(Shop)
        .scalar_subquery()
    )
    rows = session.exec(
        select(Shop, active_count)
        .where(Shop.deleted_at.is_(None))  # type: ignore[union-attr]
        .order_by(func.lower(Shop.name), Shop.id)
    ).all()
    return [
        ShopSummary(
            id=shop.id,  # type: ignore[arg-type]
            name=shop.name,
            slug=shop.slug,
            description=shop.description,
            logo=shop.logo,
            product_count=int(count or 0),
        )
        for shop, count in rows
    ]
