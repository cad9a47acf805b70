"""A merchant's own products: list, create, edit, archive and bring back.

Every function starts from shops.require_shop, so a shopper gets PermissionDenied and a
merchant only ever reaches their own shop's products: another shop's product id is
NotFound("product_not_found"), exactly like an id that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import format_decimal
from sqlalchemy import func
from sqlmodel import Session, select

from socialshop import images
from socialshop.models import Product, ProductCategory, User
from socialshop.services import shops
from socialshop.services.catalog import clean_search, keyset_after, like_pattern
from socialshop.services.errors import NotFound, ValidationError
from socialshop.services.inputs import clean_language, parse_id, parse_int
from socialshop.services.money import LOCALES, format_money, parse_amount, to_decimal

# €10,000: above that a typo ("1250" for "12,50" is fine, "125000" is not) is more likely
# than a real price, and the checkout's limits are lower anyway.
MAX_PRICE_CENTS = 1_000_000
MAX_STOCK = 100_000
MAX_TITLE_LENGTH = 120
MAX_DESCRIPTION_LENGTH = 4000
PAGE_SIZE = 10
STATUSES = ("active", "archived")


@dataclass(frozen=True)
class MerchantProduct:
    id: int
    title: str
    description: str
    price_label: str
    # The price as the edit form shows it ("12,50" / "12.50").
    price_input: str
    price_cents: int
    stock: int
    category: str
    image: str
    thumb: str
    active: bool


@dataclass(frozen=True)
class MerchantProductPage:
    products: list[MerchantProduct]
    # The last product's id, for `after` on the next page; 0 on the last page.
    next_cursor: int


def _view(product: Product, language: str) -> MerchantProduct:
    return MerchantProduct(
        id=product.id,  # type: ignore[arg-type]
        title=product.title,
        description=product.description,
        price_label=format_money(product.price_cents, product.currency, language),
        price_input=format_decimal(
            to_decimal(product.price_cents, product.currency), format="0.00", locale=LOCALES.get(language, "en_IE")
        ),
        price_cents=product.price_cents,
        stock=product.stock,
        category=product.category,
        image=product.image,
        thumb=images.thumb_url(product.image),
        active=bool(product.active),
    )


def parse_price(raw: object, language: object = "en") -> int:
    """Cents from "12,50" / "12.50" / "€ 12"; 0, negative and over €10,000 refused."""
    try:
        cents = parse_amount(raw, "EUR", clean_language(language))
    except ValidationError as error:
        if error.code == "amount_not_positive":
            raise ValidationError("price_not_positive") from error
        raise
    if cents > MAX_PRICE_CENTS:
        raise ValidationError("price_too_high", max=MAX_PRICE_CENTS)
    return cents


def parse_stock(raw: object) -> int:
    value = parse_int(raw.strip() if isinstance(raw, str) else raw)
    if value is None:
        raise ValidationError("stock_invalid")
    if value < 0:
        raise ValidationError("stock_negative")
    if value > MAX_STOCK:
        raise ValidationError("stock_too_high", max=MAX_STOCK)
    return value


def _clean_fields(
    *, title: object, description: object, price: object, stock: object, category: object, image: object, language: object
) -> dict:
    clean_title = " ".join(title.split()) if isinstance(title, str) else ""
    if not clean_title:
        raise ValidationError("product_title_required")
    if len(clean_title) > MAX_TITLE_LENGTH:
        raise ValidationError("product_title_too_long", max=MAX_TITLE_LENGTH)
    text = description.strip() if isinstance(description, str) else ""
    if len(text) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError("description_too_long", max=MAX_DESCRIPTION_LENGTH)
    kind = ProductCategory.parse(category) if isinstance(category, str) else None
    if kind is None:
        raise ValidationError("category_invalid")
    if image not in (None, "") and not images.is_upload_url(image, "products"):
        raise ValidationError("image_invalid")
    return {
        "title": clean_title,
        "description": text,
        "price_cents": parse_price(price, language),
        "stock": parse_stock(stock),
        "category": kind.value,
        "image": image or "",
    }


def _own_product(session: Session, shop_id: int, product_id: object) -> Product:
    pid = parse_id(product_id)
    product = (
        session.exec(select(Product).where(Product.id == pid, Product.shop_id == shop_id)).first()
        if pid is not None
        else None
    )
    if product is None:
        raise NotFound("product_not_found")
    return product


def list_products(
    session: Session,
    *,
    user: User | None,
    status: object = "active",
    query: object = "",
    after: object = None,
    limit: int = PAGE_SIZE,
    language: object = "en",
) -> MerchantProductPage:
    """One page of the merchant's products with that status, newest first."""
    shop = shops.require_shop(session, user=user)
    if status not in STATUSES:
        raise ValidationError("status_invalid")
    text = clean_search(query)
    after_id = None
    if after not in (None, "", 0):
        after_id = parse_id(after)
        if after_id is None:
            raise ValidationError("cursor_invalid")
    stmt = select(Product).where(Product.shop_id == shop.id, Product.active.is_(status == "active"))  # type: ignore[attr-defined]
    if text:
        stmt = stmt.where(func.lower(Product.title).like(like_pattern(text), escape="\\"))
    if after_id is not None:
        stmt = keyset_after(stmt, Product.created_at, True, after_id)
    rows = session.exec(
        stmt.order_by(Product.created_at.desc(), Product.id.desc()).limit(limit + 1)  # type: ignore[attr-defined,union-attr]
    ).all()
    lang = clean_language(language)
    shown = rows[:limit]
    return MerchantProductPage(
        products=[_view(p, lang) for p in shown],
        next_cursor=shown[-1].id if len(rows) > limit and shown else 0,  # type: ignore[arg-type]
    )


def get_product(session: Session, *, user: User | None, product_id: object, language: object = "en") -> MerchantProduct:
    shop = shops.require_shop(session, user=user)
    return _view(_own_product(session, shop.id, product_id), clean_language(language))  # type: ignore[arg-type]


def create_product(
    session: Session,
    *,
    user: User | None,
    title: object,
    price: object,
    stock: object,
    category: object = ProductCategory.OTHER.value,
    description: object = "",
    image: object = "",
    language: object = "en",
) -> Product:
    """A new active product in the merchant's shop. `price` is what the person typed
    ("12,50"); `image` a URL from uploads.process_picture(kind="products") or ""."""
    shop = shops.require_shop(session, user=user)
    fields = _clean_fields(
        title=title, description=description, price=price, stock=stock, category=category, image=image, language=language
    )
    product = Product(shop_id=shop.id, currency="EUR", active=True, **fields)  # type: ignore[arg-type]
    session.add(product)
    session.flush()
    return product


def update_product(
    session: Session,
    *,
    user: User | None,
    product_id: object,
    title: object,
    price: object,
    stock: object,
    category: object,
    description: object = "",
    image: object = None,
    language: object = "en",
) -> Product:
    """Change one of the merchant's products; image=None keeps the current picture.
    Orders already placed keep their own copy of title and price (OrderItem)."""
    shop = shops.require_shop(session, user=user)
    product = _own_product(session, shop.id, product_id)  # type: ignore[arg-type]
    keep_image = image is None or image == product.image
    fields = _clean_fields(
        title=title,
        description=description,
        price=price,
        stock=stock,
        category=category,
        image="" if keep_image else image,
        language=language,
    )
    if keep_image:
        fields["image"] = product.image
    for name, value in fields.items():
        setattr(product, name, value)
    session.add(product)
    session.flush()
    return product


def set_archived(session: Session, *, user: User | None, product_id: object, archived: object) -> Product:
    """Archive (hidden from the storefront, feeds' tags and checkout) or bring back."""
    if not isinstance(archived, bool):
        raise ValidationError("archived_invalid")
    shop = shops.require_shop(session, user=user)
    product = _own_product(session, shop.id, product_id)  # type: ignore[arg-type]
    product.active = not archived
    session.add(product)
    session.flush()
    return product
