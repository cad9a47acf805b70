"""Fee packages from the merchant's side: which one the shop is on, choosing another, what
each would have cost on the shop's own last 30 days, and the monthly fee.

A change of package applies to orders paid from then on: every order stores the package
and fee it was paid under (Order.fee_package, fee_cents), so nothing already sold moves.

The monthly fee (Pro) is posted to the ledger, merchant -> platform fees, once per calendar
month with the key "monthly_fee:<shop>:<YYYY-MM>": it is charged for a month in which the
shop is on a package with a monthly fee when its balance is first computed that month (the
payouts page or a payout), so no scheduler is needed and a second look, a second
worker or a package changed back and forth in the same month never charges twice. The fee is
for the whole month whenever in the month the shop moved to the package (no proration).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from socialshop.models import LedgerEntry, LedgerTransaction, Order, Shop, User, utcnow
from socialshop.money import fees
from socialshop.services import ledger
from socialshop.services.errors import ValidationError
from socialshop.services.shops import require_shop

# The comparison looks back this far.
COMPARISON_DAYS = 30
MONTHLY_FEE_KIND = "monthly_fee"
MONTHLY_FEE_PREFIX = "monthly_fee:"


@dataclass(frozen=True)
class PackageCost:
    """What the shop's orders of the comparison window cost, or would have cost, under one package."""

    code: str
    # Commission and flat fees of the orders, less what their refunds gave back.
    order_fees_cents: int
    monthly_cents: int
    current: bool

    @property
    def total_cents(self) -> int:
        return self.order_fees_cents + self.monthly_cents


@dataclass(frozen=True)
class FeeOverview:
    package: str  # the shop's package now (new orders)
    since: dt.datetime | None  # when it was chosen; None: since the shop opened
    currency: str
    # The comparison: every package on the same orders, and what the shop actually paid.
    orders: int
    sales_cents: int
    costs: list[PackageCost]
    actual_cents: int
    # Monthly fees actually charged in the window, included in actual_cents.
    actual_monthly_cents: int
    window_start: dt.datetime


def monthly_fee_key(shop_id: int, month: dt.date | dt.datetime) -> str:
    return f"{MONTHLY_FEE_PREFIX}{int(shop_id)}:{month.year:04d}-{month.month:02d}"


def post_monthly_fee(session: Session, *, shop: Shop, now: dt.datetime | None = None) -> int:
    """Charge this calendar month's fee of the shop's package, once (see the module doc).
    Returns the cents charged by this call (0 when there is none or it was charged already).
    Does not commit."""
    chosen = fees.package(shop.fee_package)
    if not chosen.monthly_cents:
        return 0
    key = monthly_fee_key(shop.id, now or utcnow())  # type: ignore[arg-type]
    existing = session.exec(select(LedgerTransaction.id).where(LedgerTransaction.idempotency_key == key)).first()
    if existing is not None:
        return 0
    ledger.post_transaction(
        session,
        idempotency_key=key,
        kind=MONTHLY_FEE_KIND,
        legs=[
            (ledger.merchant_account(shop.id), -chosen.monthly_cents),  # type: ignore[arg-type]
            (ledger.platform_fees_account(), chosen.monthly_cents),
        ],
        description=f"{chosen.code} monthly fee {key.rsplit(':', 1)[1]}",
    )
    return chosen.monthly_cents


def monthly_fees_charged(session: Session, *, shop_id: int, since: dt.datetime) -> int:
    """The monthly fees posted for the shop since `since` (part of what it actually paid)."""
    total = session.exec(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
        .select_from(LedgerTransaction)
        .join(LedgerEntry, col(LedgerEntry.transaction_id) == LedgerTransaction.id)
        .where(
            col(LedgerTransaction.idempotency_key).startswith(f"{MONTHLY_FEE_PREFIX}{int(shop_id)}:"),
            col(LedgerTransaction.created_at) >= since,
            # The platform's leg: the fee as the platform received it.
            col(LedgerEntry.amount_cents) > 0,
        )
    ).one()
    return int(total)


def choose_package(session: Session, *, user: User | None, package: object, now: dt.datetime | None = None) -> Shop:
    """Put the merchant's shop on another package, for orders paid from now on.

    PermissionDenied("merchant_only"), ValidationError("fee_package_unknown"). Choosing the
    package the shop is already on changes nothing. Does not commit."""
    shop = require_shop(session, user=user)
    chosen = fees.parse_package(package)
    if chosen is None:
        raise ValidationError("fee_package_unknown")
    if chosen.code == shop.fee_package:
        return shop
    shop.fee_package = chosen.code
    shop.fee_package_since = now or utcnow()
    session.add(shop)
    session.flush()
    return shop


def overview(session: Session, *, user: User | None, now: dt.datetime | None = None) -> FeeOverview:
    """The fees page: the shop's package and the comparison on its last 30 days.

    Every package is applied, order by order, to the same orders (those paid in the last
    COMPARISON_DAYS days), with what refunds would have given back pro rata, plus the
    package's monthly fee; `actual_cents` is what those orders' fees really came to after
    refunds, plus the monthly fees charged in the window. PermissionDenied("merchant_only")."""
    shop = require_shop(session, user=user)
    now = now or utcnow()
    start = now - dt.timedelta(days=COMPARISON_DAYS)
    rows = session.exec(
        select(Order.subtotal_cents, Order.refunded_cents, Order.fee_cents, Order.fee_refunded_cents)
        .where(Order.shop_id == shop.id, col(Order.paid_at).is_not(None), col(Order.paid_at) >= start)
    ).all()
    current = fees.package(shop.fee_package).code
    costs = []
    for code in fees.PACKAGES:
        kept = 0
        for gross, refunded, _, _ in rows:
            fee = fees.breakdown(code, gross).fee_cents
            kept += fee - fees.fee_to_give_back(
                fee_cents=fee, gross_cents=gross, refunded_before_cents=0,
                refund_cents=refunded, fee_refunded_before_cents=0,
            )
        costs.append(PackageCost(code, kept, fees.PACKAGES[code].monthly_cents, code == current))
    monthly = monthly_fees_charged(session, shop_id=shop.id, since=start)  # type: ignore[arg-type]
    actual = sum(fee - fee_back for _, _, fee, fee_back in rows) + monthly
    return FeeOverview(
        package=current,
        since=shop.fee_package_since,
        currency="EUR",
        orders=len(rows),
        sales_cents=sum(gross - refunded for gross, refunded, _, _ in rows),
        costs=costs,
        actual_cents=actual,
        actual_monthly_cents=monthly,
        window_start=start,
    )
