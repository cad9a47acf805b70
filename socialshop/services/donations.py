"""Donations to fundraisers: one charge, credited to the fundraiser's ledger account."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from socialshop.models import Fundraiser, Payment, PaymentKind, PaymentStatus, User
from socialshop.money import engine
from socialshop.money.engine import CheckoutResult, closed_attempt_result
from socialshop.services import ledger
from socialshop.services.errors import NotFound, ValidationError
from socialshop.services.inputs import parse_id, parse_int
from socialshop.services.money import LOCALES, format_money

MIN_DONATION_CENTS = 100
MAX_DONATION_CENTS = 1_000_000
DONATION = "donation"


def _raise_total(s: Session, plan: dict, paid: engine.Paid) -> None:
    # In SQL, not read-modify-write: donations to one fundraiser arrive concurrently.
    s.exec(
        update(Fundraiser)
        .where(col(Fundraiser.id) == plan["payment_fields"]["fundraiser_id"])
        .values(raised_cents=col(Fundraiser.raised_cents) + paid.values["amount_cents"])
        .execution_options(synchronize_session=False)
    )


engine.register_handler(DONATION, engine.credit_handler(after_record=_raise_total))


@dataclass(frozen=True)
class FundraiserProgress:
    fundraiser_id: int
    title: str
    raised_cents: int
    goal_cents: int
    currency: str
    donations: int
    # Whole percent of the goal, capped at 100 for progress bars.
    percent: int
    raised_label: str
    goal_label: str


def _fundraiser(session: Session, fundraiser_id: object) -> Fundraiser:
    parsed = parse_id(fundraiser_id)
    fundraiser = session.get(Fundraiser, parsed) if parsed is not None else None
    if fundraiser is None:
        raise NotFound("fundraiser_not_found")
    return fundraiser


def check_donation_amount(amount_cents: object) -> int:
    amount = parse_int(amount_cents)
    if amount is None or not MIN_DONATION_CENTS <= amount <= MAX_DONATION_CENTS:
        raise ValidationError("donation_out_of_range", min=MIN_DONATION_CENTS, max=MAX_DONATION_CENTS)
    return amount


def donate(
    session: Session,
    *,
    user: User,
    key: object,
    fundraiser_id: object,
    amount_cents: object,
    method_id: object,
    app: object,
) -> CheckoutResult:
    """Give `amount_cents` (100..1,000,000) to a fundraiser. Commits (see checkout.py).

    NotFound("attempt_not_found" | "fundraiser_not_found" | "method_not_found"),
    ValidationError("donation_out_of_range", min=100, max=1000000), and the attempt
    errors of charge_to_account. A decline returns status "failed".
    """
    replay = closed_attempt_result(session, user=user, key=key)
    if replay is not None:
        return replay
    fundraiser = _fundraiser(session, fundraiser_id)
    amount = check_donation_amount(amount_cents)
    target_id: int = fundraiser.id  # type: ignore[assignment]
    return engine.charge_to_account(
        session,
        user=user,
        key=key,
        kind=PaymentKind.DONATION,
        handler=DONATION,
        app=app,
        method_id=method_id,
        amount_cents=amount,
        currency=fundraiser.currency,
        credit_account=ledger.fundraiser_account(target_id),
        description=f"Donation to {fundraiser.title}",
        payment_fields={"counterparty_label": fundraiser.title, "fundraiser_id": target_id},
    )


def fundraiser_progress(session: Session, *, fundraiser_id: object, language: object = "en") -> FundraiserProgress:
    """NotFound("fundraiser_not_found") for garbage or unknown ids; labels in `language`."""
    lang = language if language in LOCALES else "en"
    fundraiser = _fundraiser(session, fundraiser_id)
    session.refresh(fundraiser)
    donations = session.exec(
        select(func.count()).where(
            Payment.fundraiser_id == fundraiser.id,
            Payment.kind == PaymentKind.DONATION.value,
            Payment.status != PaymentStatus.FAILED.value,
        )
    ).one()
    goal = max(fundraiser.goal_cents, 0)
    percent = 100 if goal == 0 else min(100, fundraiser.raised_cents * 100 // goal)
    return FundraiserProgress(
        fundraiser_id=fundraiser.id,  # type: ignore[arg-type]
        title=fundraiser.title,
        raised_cents=fundraiser.raised_cents,
        goal_cents=fundraiser.goal_cents,
        currency=fundraiser.currency,
        donations=int(donations),
        percent=percent,
        raised_label=format_money(fundraiser.raised_cents, fundraiser.currency, lang),  # type: ignore[arg-type]
        goal_label=format_money(fundraiser.goal_cents, fundraiser.currency, lang),  # type: ignore[arg-type]
    )
