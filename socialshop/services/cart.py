"""The shopping cart, kept per account so it follows the user across devices and apps.

Stock is checked when items go in, but not reserved: checkout checks again under its own
transaction, since another buyer may empty the shelf in the meantime.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlmodel import Session, select

from socialshop.models import AppSurface, CartItem, Product, Shop, User, utcnow
from socialshop.services.catalog import (
    insert_ignore,
    product_available,
)
from socialshop.services.errors import Conflict, NotFound, ValidationError
from socialshop.services.inputs import clean_language, parse_app, parse_count, parse_id
from socialshop.services.money import format_money

DEFAULT_CURRENCY = "EUR"


@dataclass(frozen=True)
class CartLine:
    product_id: int
    title: str
    image: str
    unit_price_label: str
    unit_price_cents: int
    quantity: int
    line_total_label: str
    line_total_cents: int
    currency: str
    stock: int
    # False when the product was withdrawn, its shop closed, or there is less stock than
    # the quantity: such lines stay visible but are left out of the totals.
    available: bool
    app: str


@dataclass(frozen=True)
class CartShopGroup:
    shop_id: int
    shop_name: str
    shop_slug: str
    lines: list[CartLine]
    subtotal_label: str
    subtotal_cents: int


@dataclass(frozen=True)
class CartAppTotal:
    """The lines found in one app: they are paid together, in that app."""

    app: str
    total_cents: int
    total_label: str
    item_count: int


@dataclass(frozen=True)
class CartView:
    groups: list[CartShopGroup]
    total_label: str
    total_cents: int
    currency: str
    item_count: int
    has_unavailable: bool
    # One checkout per app (its Pay switch and history entry are that app's), in app order.
    apps: list[CartAppTotal]


def _parse_quantity(raw: object, *, allow_zero: bool = False) -> int:
    quantity = parse_count(raw)
    if quantity is None or (quantity == 0 and not allow_zero):
        raise ValidationError("quantity_invalid")
    return quantity


def _product_and_shop(session: Session, product_id: object) -> tuple[Product, Shop]:
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
    return row


def _line(session: Session, user: User, product_id: int) -> CartItem | None:
    return session.exec(
        select(CartItem).where(CartItem.user_id == user.id, CartItem.product_id == product_id)
    ).first()


def add_to_cart(
    session: Session,
    *,
    user: User,
    product_id: object,
    quantity: object = 1,
    app: object = AppSurface.FACEBOOK.value,
) -> int:
    """Add `quantity` more of a product; returns the quantity now in the cart.

    The line remembers the app where the product was first added: its order is paid there.
    """
    count = _parse_quantity(quantity)
    app_value = parse_app(app).value
    product, shop = _product_and_shop(session, product_id)
    if not product_available(product, shop):
        raise Conflict("product_unavailable")
    line = _line(session, user, product.id)  # type: ignore[arg-type]
    in_cart = line.quantity if line is not None else 0
    if in_cart + count > product.stock:
        raise Conflict("out_of_stock", available=max(product.stock, 0), in_cart=in_cart)
    if line is None:
        # Two tabs adding the same product at once: one inserts, the other adds to it.
        if insert_ignore(
            session,
            CartItem,
            user_id=user.id,
            product_id=product.id,
            quantity=count,
            app=app_value,
            added_at=utcnow(),
        ):
            return count
        line = _line(session, user, product.id)  # type: ignore[arg-type]
        assert line is not None
        if line.quantity + count > product.stock:
            raise Conflict("out_of_stock", available=max(product.stock, 0), in_cart=line.quantity)
    line.quantity += count
    session.add(line)
    session.flush()
    return line.quantity


def set_quantity(session: Session, *, user: User, product_id: object, quantity: object) -> int:
    """Set a cart line's quantity (0 removes it); returns the new quantity.

    Lowering a quantity is always allowed, even for a withdrawn product, so a shopper can
    fix a cart that no longer fits the stock.
    """
    count = _parse_quantity(quantity, allow_zero=True)
    product, shop = _product_and_shop(session, product_id)
    line = _line(session, user, product.id)  # type: ignore[arg-type]
    if count == 0:
        if line is not None:
            session.delete(line)
            session.flush()
        return 0
    if line is None:
        raise NotFound("cart_item_not_found")
    if count > line.quantity:
        if not product_available(product, shop):
            raise Conflict("product_unavailable")
        if count > product.stock:
            raise Conflict("out_of_stock", available=max(product.stock, 0), in_cart=line.quantity)
    line.quantity = count
    session.add(line)
    session.flush()
    return count


def remove_from_cart(session: Session, *, user: User, product_id: object) -> bool:
    """Take a product out of the cart; False when it was not there (removing twice is fine)."""
    pid = parse_id(product_id)
    if pid is None:
        raise NotFound("product_not_found")
    removed = session.exec(
        delete(CartItem).where(CartItem.user_id == user.id, CartItem.product_id == pid)  # type: ignore[arg-type]
    ).rowcount
    return bool(removed)


def clear_cart(session: Session, *, user: User) -> int:
    return session.exec(delete(CartItem).where(CartItem.user_id == user.id)).rowcount  # type: ignore[arg-type]


def cart_items(session: Session, *, user: User, app: object = None) -> list[tuple[int, int]]:
    """(product_id, quantity) pairs, by product id so checkout locks rows in a stable order;
    with `app`, only the lines added in that app (ValidationError("app_invalid"))."""
    stmt = select(CartItem.product_id, CartItem.quantity).where(CartItem.user_id == user.id)
    if app is not None:
        stmt = stmt.where(CartItem.app == parse_app(app).value)
    rows = session.exec(stmt.order_by(CartItem.product_id)).all()
    return [(int(pid), int(qty)) for pid, qty in rows]


def cart_count(session: Session, *, user: User) -> int:
    """Number of units in the cart, for the badge."""
    total = session.exec(
        select(func.coalesce(func.sum(CartItem.quantity), 0)).where(CartItem.user_id == user.id)
    ).one()
    return int(total or 0)


def get_cart(session: Session, *, user: User, language: object = "en") -> CartView:
    """The cart grouped by shop (one order per shop at checkout), in one query."""
    lang = clean_language(language)
    rows = session.exec(
        select(CartItem, Product, Shop)
        .join(Product, Product.id == CartItem.product_id)
        .join(Shop, Shop.id == Product.shop_id)
        .where(CartItem.user_id == user.id)
        .order_by(func.lower(Shop.name), Shop.id, CartItem.added_at, CartItem.id)
    ).all()
    # Products are priced in one currency throughout SocialShop; the cart takes the first.
    currency = rows[0][1].currency if rows else DEFAULT_CURRENCY
    groups: dict[int, tuple[Shop, list[CartLine]]] = {}
    for item, product, shop in rows:
        line_total = product.price_cents * item.quantity
        available = (
            product_available(product, shop)
            and item.quantity <= product.stock
            and product.currency == currency
        )
        groups.setdefault(shop.id, (shop, []))[1].append(  # type: ignore[arg-type]
            CartLine(
                product_id=product.id,  # type: ignore[arg-type]
                title=product.title,
                image=product.image,
                unit_price_label=format_money(product.price_cents, product.currency, lang),
                unit_price_cents=product.price_cents,
                quantity=item.quantity,
                line_total_label=format_money(line_total, product.currency, lang),
                line_total_cents=line_total,
                currency=product.currency,
                stock=product.stock,
                available=available,
                app=item.app,
            )
        )
    views = []
    total = 0
    for shop, lines in groups.values():
        subtotal = sum(line.line_total_cents for line in lines if line.available)
        total += subtotal
        views.append(
            CartShopGroup(
                shop_id=shop.id,  # type: ignore[arg-type]
                shop_name=shop.name,
                shop_slug=shop.slug,
                lines=lines,
                subtotal_label=format_money(subtotal, currency, lang),
                subtotal_cents=subtotal,
            )
        )
    all_lines = [line for group in views for line in group.lines]
    by_app: dict[str, list[CartLine]] = {}
    for line in all_lines:
        if line.available:
            by_app.setdefault(line.app, []).append(line)
    apps = [
        CartAppTotal(
            app=surface.value,
            total_cents=sum(line.line_total_cents for line in by_app[surface.value]),
            total_label=format_money(sum(line.line_total_cents for line in by_app[surface.value]), currency, lang),
            item_count=sum(line.quantity for line in by_app[surface.value]),
        )
        for surface in AppSurface
        if surface.value in by_app
    ]
    return CartView(
        groups=views,
        total_label=format_money(total, currency, lang),
        total_cents=total,
        currency=currency,
        item_count=sum(line.quantity for line in all_lines),
        has_unavailable=any(not line.available for line in all_lines),
        apps=apps,
    )
