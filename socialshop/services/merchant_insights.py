"""Merchant insights: the shop's sales by day, app, product and buyer city, with k-anonymity.

Sales are what buyers paid and kept (order subtotal less refunds; a product's share of a
refund is taken in proportion to its line), counted on the day the order was paid (UTC).
Every group (a day, an app, a product, a city) must hold at least K_ANONYMITY distinct
buyers; a smaller group is *suppressed*: its amount, order count and buyer count never
leave this module (the result carries only its name), and the page says "fewer than 5
buyers". A buyer with many orders counts once.

Suppressing small groups alone is not enough: the period's total minus the shown groups
of a breakdown would give the suppressed groups' sum away. So when the suppressed groups of
a breakdown together hold fewer than K_ANONYMITY buyers, the smallest shown groups are
suppressed too until they hold enough (complementary suppression). The total itself is a
group: a period with fewer than K_ANONYMITY buyers shows nothing at all.

Orders without a shipping address (QR and chat payments, or none given) are the city
"no address". Periods are at most 90 days, so the rows read stay bounded.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from socialshop.models import Order, OrderItem, Product, StrEnum, User, utcnow
from socialshop.services.errors import ValidationError
from socialshop.services.shops import require_shop

K_ANONYMITY = 5
NO_ADDRESS = "no_address"
# An app, product or city breakdown lists at most this many shown groups and this many
# suppressed ones; the rest become one "others" group of each kind (OTHERS: shown with the
# sum, it holds at least K_ANONYMITY buyers as each of its parts does; MORE_HIDDEN: its
# label is how many groups it stands for).
MAX_GROUPS = 8
OTHERS = "others"
MORE_HIDDEN = "more_hidden"


class Period(StrEnum):
    WEEK = "7days"
    MONTH = "30days"
    QUARTER = "90days"


PERIOD_DAYS = {Period.WEEK: 7, Period.MONTH: 30, Period.QUARTER: 90}
DEFAULT_PERIOD = Period.MONTH


@dataclass(frozen=True)
class Group:
    """One bar or slice. Suppressed groups have `shown` False and zeros for every number,
    whatever the truth: the numbers are not computed into the result at all."""

    key: str
    label: str
    shown: bool
    cents: int = 0
    orders: int = 0
    buyers: int = 0


@dataclass(frozen=True)
class Insights:
    period: Period
    since: dt.datetime
    currency: str
    # False: the whole period has fewer than K_ANONYMITY buyers; every group is suppressed.
    total_shown: bool
    total_cents: int
    total_orders: int
    total_buyers: int
    by_day: list[Group]
    by_app: list[Group]
    by_product: list[Group]
    by_city: list[Group]

    @property
    def has_sales(self) -> bool:
        return bool(self.by_day)


def parse_period(raw: object) -> Period:
    period = Period.parse(raw) if isinstance(raw, str) else None
    if period is None:
        raise ValidationError("insights_period_invalid")
    return period


class _Acc:
    __slots__ = ("label", "cents", "orders", "buyers")

    def __init__(self, label: str) -> None:
        self.label = label
        self.cents = 0
        self.orders: set[int] = set()
        self.buyers: set[int] = set()

    def add(self, order_id: int, buyer_id: int, cents: int) -> None:
        self.cents += cents
        self.orders.add(order_id)
        self.buyers.add(buyer_id)


def _suppress(groups: dict[str, _Acc]) -> set[str]:
    """The keys to suppress: small groups, and then the smallest others until the
    suppressed ones together hold at least K_ANONYMITY buyers (or are all of them)."""
    hidden = {key for key, acc in groups.items() if len(acc.buyers) < K_ANONYMITY}

    def hidden_buyers() -> int:
        return len(set().union(*(groups[key].buyers for key in hidden))) if hidden else 0

    shown = sorted(
        (key for key in groups if key not in hidden),
        key=lambda key: (len(groups[key].buyers), groups[key].cents, key),
    )
    while hidden and 0 < hidden_buyers() < K_ANONYMITY and shown:
        hidden.add(shown.pop(0))
    return hidden


def _shown(key: str, acc: _Acc) -> Group:
    return Group(key, acc.label, True, acc.cents, len(acc.orders), len(acc.buyers))


def _groups(groups: dict[str, _Acc], order: str) -> list[Group]:
    hidden = _suppress(groups)
    if order == "key":
        return [
            Group(key, groups[key].label, False) if key in hidden else _shown(key, groups[key])
            for key in sorted(groups)
        ]
    # Biggest first; the suppressed ones (no number to sort by) after them, by name.
    shown = sorted((k for k in groups if k not in hidden), key=lambda k: (-groups[k].cents, groups[k].label.casefold(), k))
    small = sorted(hidden, key=lambda k: (groups[k].label.casefold(), k))
    out = [_shown(k, groups[k]) for k in shown[: MAX_GROUPS - 1 if len(shown) > MAX_GROUPS else MAX_GROUPS]]
    if len(shown) > MAX_GROUPS:
        rest = _Acc("")
        for k in shown[MAX_GROUPS - 1:]:
            rest.cents += groups[k].cents
            rest.orders |= groups[k].orders
            rest.buyers |= groups[k].buyers
        out.append(_shown(OTHERS, rest))
    out += [Group(k, groups[k].label, False) for k in small[: MAX_GROUPS - 1 if len(small) > MAX_GROUPS else MAX_GROUPS]]
    if len(small) > MAX_GROUPS:
        out.append(Group(MORE_HIDDEN, str(len(small) - (MAX_GROUPS - 1)), False))
    return out


def insights(
    session: Session, *, user: User | None, period: object = DEFAULT_PERIOD.value, now: dt.datetime | None = None
) -> Insights:
    """The insights page for the merchant's shop. PermissionDenied("merchant_only"),
    ValidationError("insights_period_invalid")."""
    shop = require_shop(session, user=user)
    chosen = parse_period(period.value if isinstance(period, Period) else period)
    now = now or utcnow()
    day_start = dt.datetime.combine(now.astimezone(dt.UTC).date(), dt.time.min, dt.UTC)
    since = day_start - dt.timedelta(days=PERIOD_DAYS[chosen] - 1)

    orders = session.exec(
        select(
            Order.id, Order.buyer_id, Order.paid_at, Order.app, Order.needs_shipping, Order.ship_city,
            Order.subtotal_cents, Order.refunded_cents,
        ).where(
            Order.shop_id == shop.id,
            col(Order.paid_at).is_not(None),
            col(Order.paid_at) >= since,
            col(Order.refunded_cents) < col(Order.subtotal_cents),
        )
    ).all()
    total = _Acc("")
    by_day: dict[str, _Acc] = {}
    by_app: dict[str, _Acc] = {}
    by_city: dict[str, _Acc] = {}
    refunds: dict[int, tuple[int, int]] = {}
    buyer_of: dict[int, int] = {}
    for order_id, buyer_id, paid_at, app, needs_shipping, city, subtotal, refunded in orders:
        cents = subtotal - refunded
        paid = paid_at.replace(tzinfo=dt.UTC) if paid_at.tzinfo is None else paid_at.astimezone(dt.UTC)
        day = paid.date().isoformat()
        clean_city = " ".join((city or "").split())
        city_key = clean_city.casefold() if needs_shipping and clean_city else NO_ADDRESS
        for groups, key, label in (
            (by_day, day, day),
            (by_app, app, app),
            (by_city, city_key, clean_city if city_key != NO_ADDRESS else ""),
        ):
            groups.setdefault(key, _Acc(label)).add(order_id, buyer_id, cents)
        total.add(order_id, buyer_id, cents)
        refunds[order_id] = (refunded, subtotal)
        buyer_of[order_id] = buyer_id

    by_product: dict[str, _Acc] = defaultdict(lambda: _Acc(""))
    if refunds:
        lines = session.exec(
            select(OrderItem.order_id, OrderItem.product_id, OrderItem.title, Product.title,
                   OrderItem.unit_price_cents, OrderItem.quantity)
            .outerjoin(Product, col(Product.id) == OrderItem.product_id)
            .where(col(OrderItem.order_id).in_(list(refunds)))
        ).all()
        for order_id, product_id, item_title, product_title, unit, quantity in lines:
            refunded, subtotal = refunds[order_id]
            line = unit * quantity
            kept = line - (line * refunded // subtotal if subtotal else 0)
            acc = by_product[str(product_id)]
            acc.label = product_title or item_title
            acc.add(order_id, buyer_of[order_id], kept)

    total_shown = len(total.buyers) >= K_ANONYMITY
    return Insights(
        period=chosen,
        since=since,
        currency="EUR",
        total_shown=total_shown,
        total_cents=total.cents if total_shown else 0,
        total_orders=len(total.orders) if total_shown else 0,
        total_buyers=len(total.buyers) if total_shown else 0,
        by_day=_groups(by_day, "key"),
        by_app=_groups(by_app, "size"),
        by_product=_groups(dict(by_product), "size"),
        by_city=_groups(by_city, "size"),
    )
