"""Fee packages (the platform's commission a shop chooses) and every order's fee breakdown.

A package fixes, for orders paid while it is chosen: a commission in basis points of the
gross, an optional flat fee (for all orders, or only small ones), a monthly fee, and how
soon the shop's money becomes available for payout. All arithmetic is in integer cents,
rounded half up; a fee never exceeds the gross.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class FeePackage:
    code: str
    percent_bps: int
    flat_cents: int
    # The flat fee applies only to orders of at most this gross; None: to every order.
    flat_up_to_cents: int | None
    monthly_cents: int
    # Money from an order can be paid out this long after the order was paid.
    payout_delay: dt.timedelta
    # "weekly", "2 days", "daily": the words the fee page uses for payout_delay.
    payout_schedule: str


PACKAGES: dict[str, FeePackage] = {
    "starter": FeePackage("starter", 500, 40, 800, 0, dt.timedelta(days=7), "weekly"),
    "growth": FeePackage("growth", 399, 0, None, 0, dt.timedelta(days=2), "two_days"),
    "pro": FeePackage("pro", 290, 30, None, 1900, dt.timedelta(days=1), "daily"),
}
DEFAULT_PACKAGE = "starter"


def package(code: object) -> FeePackage:
    """The package with this code; unknown or old codes ("" on orders made before packages)
    are the default package."""
    return PACKAGES.get(code if isinstance(code, str) else "", PACKAGES[DEFAULT_PACKAGE])


def parse_package(code: object) -> FeePackage | None:
    """The package a merchant picked, or None for anything that is not one."""
    return PACKAGES.get(code) if isinstance(code, str) else None


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


@dataclass(frozen=True)
class FeeBreakdown:
    package: str
    gross_cents: int
    commission_cents: int
    flat_cents: int

    @property
    def fee_cents(self) -> int:
        return self.commission_cents + self.flat_cents

    @property
    def net_cents(self) -> int:
        return self.gross_cents - self.fee_cents


def breakdown(package_code: object, gross_cents: int) -> FeeBreakdown:
    """The platform's fee on one order of `gross_cents` under a package."""
    chosen = package(package_code)
    gross = max(int(gross_cents), 0)
    commission = min(_half_up(gross * chosen.percent_bps, 10_000), gross)
    flat = 0
    if chosen.flat_cents and (chosen.flat_up_to_cents is None or gross <= chosen.flat_up_to_cents):
        flat = min(chosen.flat_cents, gross - commission)
    return FeeBreakdown(chosen.code, gross, commission, flat)


def fee_to_give_back(*, fee_cents: int, gross_cents: int, refunded_before_cents: int, refund_cents: int,
                     fee_refunded_before_cents: int) -> int:
    """How much of an order's fee a refund gives back to the shop: pro rata of everything
    refunded so far, minus what earlier refunds gave back, so a full refund in any number of
    parts gives back exactly the whole fee."""
    if gross_cents <= 0:
        return 0
    refunded_after = min(refunded_before_cents + refund_cents, gross_cents)
    due = _half_up(fee_cents * refunded_after, gross_cents)
    return max(due - fee_refunded_before_cents, 0)
