"""Products and shops as shoppers see them.

Also home of the small input parsers the other shopper-facing services share: ids and
counts arrive from the browser, so they may be strings, floats, booleans or garbage.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from socialshop.models import Product, Shop
from socialshop.services.errors import NotFound, ValidationError
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
    """A storefront's header and the first page of its products (newest first); the rest
    come from list_shop_products."""

    id: int
    name: str
    slug: str
    description: str
    logo: str
    product_count: int
    products: list[ProductView]
    city: str = ""
    next_cursor: int = 0


# Storefront sort orders: (column, descending).
SORTS = {
    "newest": (Product.created_at, True),
    "price_asc": (Product.price_cents, False),
    "price_desc": (Product.price_cents, True),
}
STOREFRONT_PAGE_SIZE = 12
MAX_SEARCH_LENGTH = 80


@dataclass(frozen=True)
class ProductPage:
    products: list[ProductView]
    # The last product's id, to pass as `after` for the next page; 0 on the last page.
    next_cursor: int


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


def product_path(shop_slug: str, product_id: int) -> str:
    """A product's own page (its permalink): readable logged out, shareable."""
    return f"/shop/{shop_slug}/product/{product_id}"


def get_shop_product(
    session: Session, *, slug: object, product_id: object, language: object = "en"
) -> ProductView:
    """A product as its permalink shows it: it must belong to the open shop named in the link.

    A wrong slug, a wrong id and another shop's product get one answer ("not found"), so a
    link cannot be bent to show a product under a shop that does not sell it. A withdrawn
    product of this shop is still shown (available=False), like the product sheet does.
    """
    pid = parse_id(product_id)
    clean = slug.strip().lower() if isinstance(slug, str) else ""
    if pid is None or not _SLUG.match(clean):
        raise NotFound("product_not_found")
    row = session.exec(
        select(Product, Shop)
        .join(Shop, Shop.id == Product.shop_id)
        .where(Product.id == pid, Shop.slug == clean, Shop.deleted_at.is_(None))  # type: ignore[union-attr]
    ).first()
    if row is None:
        raise NotFound("product_not_found")
    product, shop = row
    return product_view(product, shop, clean_language(language))


def _open_shop_by_slug(session: Session, slug: object) -> Shop:
    clean = slug.strip().lower() if isinstance(slug, str) else ""
    if not _SLUG.match(clean):
        raise NotFound("shop_not_found")
    shop = session.exec(
        select(Shop).where(Shop.slug == clean, Shop.deleted_at.is_(None))  # type: ignore[union-attr]
    ).first()
    if shop is None:
        raise NotFound("shop_not_found")
    return shop


def get_shop_page(session: Session, *, slug: object, language: object = "en") -> ShopPage:
    """A shop and the first page of its active products; deleted shops are indistinguishable
    from unknown ones."""
    shop = _open_shop_by_slug(session, slug)
    count = session.exec(
        select(func.count(Product.id)).where(
            Product.shop_id == shop.id, Product.active.is_(True)  # type: ignore[attr-defined]
        )
    ).one()
    first = list_shop_products(session, shop_id=shop.id, language=language)
    return ShopPage(
        id=shop.id,  # type: ignore[arg-type]
        name=shop.name,
        slug=shop.slug,
        description=shop.description,
        logo=shop.logo,
        product_count=int(count or 0),
        products=first.products,
        city=shop.city,
        next_cursor=first.next_cursor,
    )


def clean_search(query: object) -> str:
    text = " ".join(query.split()) if isinstance(query, str) else ""
    if len(text) > MAX_SEARCH_LENGTH:
        raise ValidationError("search_too_long", max=MAX_SEARCH_LENGTH)
    return text


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own % and _ taken literally (escape "\\")."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def keyset_after(query, column, descending: bool, after_id: int):
    """Rows after the row `after_id` in (column, id) order, by a subquery rather than
    OFFSET: a page costs the same however deep it is, and nothing is skipped or repeated
    when rows are added meanwhile. An unknown id compares with NULL and ends the list."""
    key = select(column).where(Product.id == after_id).scalar_subquery()
    if descending:
        return query.where(or_(column < key, and_(column == key, Product.id < after_id)))
    return query.where(or_(column > key, and_(column == key, Product.id > after_id)))


def list_shop_products(
    session: Session,
    *,
    shop_id: int,
    query: object = "",
    sort: object = "newest",
    after: object = None,
    limit: int = STOREFRONT_PAGE_SIZE,
    language: object = "en",
) -> ProductPage:
    """One page of an open shop's active products, searched by title and sorted."""
    if not isinstance(sort, str) or sort not in SORTS:
        raise ValidationError("sort_invalid")
    text = clean_search(query)
    after_id = None
    if after not in (None, "", 0):
        after_id = parse_id(after)
        if after_id is None:
            raise ValidationError("cursor_invalid")
    shop = session.exec(
        select(Shop).where(Shop.id == shop_id, Shop.deleted_at.is_(None))  # type: ignore[union-attr]
    ).first()
    if shop is None:
        raise NotFound("shop_not_found")
    column, descending = SORTS[sort]
    stmt = select(Product).where(Product.shop_id == shop.id, Product.active.is_(True))  # type: ignore[attr-defined]
    if text:
        stmt = stmt.where(func.lower(Product.title).like(like_pattern(text), escape="\\"))
    if after_id is not None:
        stmt = keyset_after(stmt, column, descending, after_id)
    order = (column.desc(), Product.id.desc()) if descending else (column.asc(), Product.id.asc())  # type: ignore[attr-defined,union-attr]
    # One more than shown tells whether there is a next page.
    rows = session.exec(stmt.order_by(*order).limit(limit + 1)).all()
    lang = clean_language(language)
    shown = rows[:limit]
    return ProductPage(
        products=[product_view(p, shop, lang) for p in shown],
        next_cursor=shown[-1].id if len(rows) > limit and shown else 0,  # type: ignore[return-value]
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
