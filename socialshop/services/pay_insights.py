"""Pay insights: what the user spent, by app, merchant, product category and month.

Spending is the user's own outgoing money that went through (purchases, donations,
transfers sent; failed payments are not money spent) less what was refunded, counted in
the month the payment was made, as the overview's "Spent this month" does. Every sum is
per currency: amounts in different currencies are never added together. All sums are
computed by the database (GROUP BY); only the aggregated rows reach Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, extract, func
from sqlmodel import Session, col, select

from socialshop.models import (
    Fundraiser,
    Order,
    OrderItem,
    Payment,
    PaymentKind,
    PaymentStatus,
    Product,
    Shop,
    StrEnum,
    User,
    utcnow,
)
from socialshop.services.errors import ValidationError
from socialshop.services.pay_apps import month_start


class Period(StrEnum):
    MONTH = "month"
    THREE_MONTHS = "3months"
    TWELVE_MONTHS = "12months"
    ALL = "all"


DEFAULT_PERIOD = Period.THREE_MONTHS
# Calendar months each period covers, the current one included; None: since the first payment.
PERIOD_MONTHS: dict[Period, int | None] = {
    Period.MONTH: 1,
    Period.THREE_MONTHS: 3,
    Period.TWELVE_MONTHS: 12,
    Period.ALL: None,
}
# "All time" shows at most this many months in the month chart (the totals cover all of them).
MAX_CHART_MONTHS = 24
# Merchants beyond this many are summed into one "other merchants" slice: a pie of thirty
# slivers says nothing.
MAX_MERCHANTS = 6

# Pseudo-categories, so that the categories add up to the total like the other breakdowns.
CATEGORY_DONATIONS = "donations"
CATEGORY_TRANSFERS = "transfers"
# Merchant kinds: a shop, a fundraiser, the people paid in Messenger, the merchants past MAX_MERCHANTS.
MERCHANT_SHOP = "shop"
MERCHANT_FUNDRAISER = "fundraiser"
MERCHANT_PEOPLE = "people"
MERCHANT_OTHERS = "others"


@dataclass(frozen=True)
class Slice:
    """One part of a breakdown: `key` identifies it (an app, a category, "shop:<id>"...),
    `label` is a name to show as it is (a shop's or fundraiser's name) or empty when the
    UI names it from the key."""

    key: str
    cents: int
    label: str = ""


@dataclass(frozen=True)
class MonthTotal:
    month: dt.date  # the first day of the month
    cents: int


@dataclass(frozen=True)
class Insights:
    period: Period
    since: dt.datetime | None
    # Spending per currency, biggest first; the breakdowns are for `currency`, the first.
    totals: list[tuple[str, int]]
    currency: str | None
    by_app: list[Slice]
    by_merchant: list[Slice]
    by_category: list[Slice]
    by_month: list[MonthTotal]
    # "All time" longer than MAX_CHART_MONTHS: by_month holds only the latest months.
    months_truncated: bool = False

    @property
    def total_cents(self) -> int:
        return self.totals[0][1] if self.totals else 0


def parse_period(raw: object) -> Period:
    """The period a browser asked for; ValidationError("insights_period_invalid") otherwise."""
    period = Period.parse(raw) if isinstance(raw, str) else None
    if period is None:
        raise ValidationError("insights_period_invalid")
    return period


def _shift_months(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + (month.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_start(period: Period, now: dt.datetime) -> dt.datetime | None:
    """The first instant the period covers (UTC), None for all time."""
    months = PERIOD_MONTHS[period]
    if months is None:
        return None
    first = _shift_months(month_start(now).date(), -(months - 1))
    return dt.datetime(first.year, first.month, 1, tzinfo=dt.UTC)


_NET = col(Payment.amount_cents) - col(Payment.refunded_cents)


def _spent(*, user: User, since: dt.datetime | None, currency: str | None = None) -> list:
    """The WHERE of every sum: my payments that went through, in the period (and currency)."""
    where = [
        Payment.payer_id == user.id,
        Payment.status != PaymentStatus.FAILED.value,
    ]
    if since is not None:
        where.append(col(Payment.created_at) >= since)
    if currency is not None:
        where.append(Payment.currency == currency)
    return where


def _slices(rows, key=lambda r: str(r[0]), label=lambda r: "") -> list[Slice]:
    """Aggregated rows (..., total) as slices, biggest first; fully refunded ones dropped."""
    slices = [Slice(key=key(r), cents=int(r[-1] or 0), label=label(r)) for r in rows]
    return sorted((s for s in slices if s.cents > 0), key=lambda s: (-s.cents, s.key))


def spending_totals(session: Session, *, user: User, period: Period, now: dt.datetime | None = None) -> list[tuple[str, int]]:
    """What the user spent in the period, per currency, biggest first."""
    since = period_start(period, now or utcnow())
    rows = session.exec(
        select(Payment.currency, func.sum(_NET)).where(*_spent(user=user, since=since)).group_by(Payment.currency)
    ).all()
    return [(s.key, s.cents) for s in _slices(rows)]


def spending_by_app(
    session: Session, *, user: User, period: Period, currency: str, now: dt.datetime | None = None
) -> list[Slice]:
    since = period_start(period, now or utcnow())
    rows = session.exec(
        select(Payment.app, func.sum(_NET))
        .where(*_spent(user=user, since=since, currency=currency))
        .group_by(Payment.app)
    ).all()
    return _slices(rows)


def spending_by_merchant(
    session: Session, *, user: User, period: Period, currency: str, now: dt.datetime | None = None,
    limit: int = MAX_MERCHANTS,
) -> list[Slice]:
    """Shops (a cart paying several shops counts each shop's order), fundraisers, and the
    people paid in Messenger as one slice; past `limit`, the rest as "others"."""
    since = period_start(period, now or utcnow())
    where = _spent(user=user, since=since, currency=currency)
    shops = session.exec(
        select(Shop.id, Shop.name, func.sum(col(Order.subtotal_cents) - col(Order.refunded_cents)))
        .select_from(Payment)
        .join(Order, col(Order.payment_id) == Payment.id)
        .join(Shop, col(Shop.id) == Order.shop_id)
        .where(*where, Payment.kind == PaymentKind.PURCHASE.value)
        .group_by(Shop.id, Shop.name)
    ).all()
    fundraisers = session.exec(
        select(Fundraiser.id, Fundraiser.title, func.sum(_NET))
        .select_from(Payment)
        .join(Fundraiser, col(Fundraiser.id) == Payment.fundraiser_id)
        .where(*where, Payment.kind == PaymentKind.DONATION.value)
        .group_by(Fundraiser.id, Fundraiser.title)
    ).all()
    people = session.exec(
        select(func.sum(_NET)).where(*where, Payment.kind == PaymentKind.TRANSFER.value)
    ).one()
    merchants = (
        _slices(shops, key=lambda r: f"{MERCHANT_SHOP}:{r[0]}", label=lambda r: r[1])
        + _slices(fundraisers, key=lambda r: f"{MERCHANT_FUNDRAISER}:{r[0]}", label=lambda r: r[1])
        + _slices([(MERCHANT_PEOPLE, people)])
    )
    merchants.sort(key=lambda s: (-s.cents, s.key))
    limit = max(1, limit)
    if len(merchants) <= limit:
        return merchants
    rest = sum(s.cents for s in merchants[limit - 1:])
    return [*merchants[: limit - 1], Slice(key=MERCHANT_OTHERS, cents=rest)]


def spending_by_category(
    session: Session, *, user: User, period: Period, currency: str, now: dt.datetime | None = None
) -> list[Slice]:
    """Product categories of what was bought, plus donations and transfers as categories of
    their own. An order's refund is taken off its lines in proportion to their price
    (refunds today are whole orders, which leaves nothing of any line)."""
    since = period_start(period, now or utcnow())
    where = _spent(user=user, since=since, currency=currency)
    line = col(OrderItem.unit_price_cents) * col(OrderItem.quantity)
    refunded_share = case(
        (col(Order.subtotal_cents) > 0, line * col(Order.refunded_cents) // col(Order.subtotal_cents)),
        else_=0,
    )
    products = session.exec(
        select(Product.category, func.sum(line - refunded_share))
        .select_from(Payment)
        .join(Order, col(Order.payment_id) == Payment.id)
        .join(OrderItem, col(OrderItem.order_id) == Order.id)
        .join(Product, col(Product.id) == OrderItem.product_id)
        .where(*where, Payment.kind == PaymentKind.PURCHASE.value)
        .group_by(Product.category)
    ).all()
    others = session.exec(
        select(Payment.kind, func.sum(_NET))
        .where(*where, col(Payment.kind).in_((PaymentKind.DONATION.value, PaymentKind.TRANSFER.value)))
        .group_by(Payment.kind)
    ).all()
    names = {PaymentKind.DONATION.value: CATEGORY_DONATIONS, PaymentKind.TRANSFER.value: CATEGORY_TRANSFERS}
    return sorted(
        _slices(products) + _slices(others, key=lambda r: names[r[0]]), key=lambda s: (-s.cents, s.key)
    )


def spending_by_month(
    session: Session, *, user: User, period: Period, currency: str, now: dt.datetime | None = None
) -> tuple[list[MonthTotal], bool]:
    """Every month of the period, oldest first, months without spending as 0 (all time:
    from the first month with a payment, at most MAX_CHART_MONTHS); and whether months
    were left out."""
    now = now or utcnow()
    since = period_start(period, now)
    year = extract("year", Payment.created_at)
    month = extract("month", Payment.created_at)
    rows = session.exec(
        select(year, month, func.sum(_NET))
        .where(*_spent(user=user, since=since, currency=currency))
        .group_by(year, month)
    ).all()
    totals = {dt.date(int(y), int(m), 1): int(cents or 0) for y, m, cents in rows}
    last = month_start(now).date()
    if since is not None:
        first = since.date()
    elif totals:
        first = min(totals)
    else:
        first = last
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    truncated = count > MAX_CHART_MONTHS
    count = min(count, MAX_CHART_MONTHS)
    months = [_shift_months(last, -offset) for offset in range(count - 1, -1, -1)]
    return [MonthTotal(m, totals.get(m, 0)) for m in months], truncated


def insights(
    session: Session, *, user: User, period: Period | str, now: dt.datetime | None = None
) -> Insights:
    """Everything the Insights page shows; the breakdowns are in the currency the user
    spent most in (the others only as totals). ValidationError for an unknown period."""
    period = parse_period(period.value if isinstance(period, Period) else period)
    now = now or utcnow()
    totals = spending_totals(session, user=user, period=period, now=now)
    currency = totals[0][0] if totals else None
    if currency is None:
        return Insights(period, period_start(period, now), [], None, [], [], [], [])
    args = {"user": user, "period": period, "currency": currency, "now": now}
    by_month, truncated = spending_by_month(session, **args)
    return Insights(
        period=period,
        since=period_start(period, now),
        totals=totals,
        currency=currency,
        by_app=spending_by_app(session, **args),
        by_merchant=spending_by_merchant(session, **args),
        by_category=spending_by_category(session, **args),
        by_month=by_month,
        months_truncated=truncated,
    )
