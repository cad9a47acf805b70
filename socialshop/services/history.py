"""A user's money history: what they paid, what came back, and what they were sent.

Amounts are signed from the user's side: money out is negative, money in positive.
Four queries whatever the history's length; each fetches only its newest `limit` rows,
which is enough because the merged list is cut to `limit` too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from socialshop.models import (
    Fundraiser,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
    Refund,
    Shop,
    User,
)
from socialshop.services.catalog import iso_utc
from socialshop.services.errors import ValidationError
from socialshop.services.inputs import clean_language
from socialshop.services.money import format_datetime, format_money

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
NO_METHOD = "—"
MINUS = "\u2212"  # a real minus sign: a hyphen looks like a dash next to "€"

_BRANDS = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express"}


@dataclass(frozen=True)
class HistoryEntry:
    id: str  # "payment:3", "refund:7", "received:5": unique across the list
    kind: str  # purchase | donation | transfer_sent | transfer_received | refund | transfer_returned
    direction: str  # "out" or "in"
    app: str
    counterparty: str
    amount_label: str
    amount_cents: int  # signed: negative when money left the user
    currency: str
    method_label: str
    status: str
    created_at_label: str
    created_at_iso: str
    payment_id: int
    note: str


def method_label(brand: str | None, last4: str | None) -> str:
    """'Visa •••• 4242' — only ever from display facts, never from the token."""
    if not brand or not last4:
        return NO_METHOD
    return f"{_BRANDS.get(brand.lower(), brand.title())} •••• {last4}"


def signed_money(amount_cents: int, currency: str, language: str) -> str:
    sign = MINUS if amount_cents < 0 else "+"
    return sign + format_money(abs(amount_cents), currency, language)


_OUT_KINDS = {
    PaymentKind.PURCHASE.value: "purchase",
    PaymentKind.DONATION.value: "donation",
    PaymentKind.TRANSFER.value: "transfer_sent",
}
# Tie-break for equal timestamps: a refund is listed above the payment it reverses.
_RANK = {"payment": 0, "received": 0, "refund": 1, "returned": 1}


def list_history(
    session: Session, *, user: User, language: object = "en", limit: object = DEFAULT_LIMIT
) -> list[HistoryEntry]:
    """The user's history, newest first."""
    lang = clean_language(language)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationError("limit_invalid", max=MAX_LIMIT)

    recipient = aliased(User)
    payer = aliased(User)
    # The method must belong to the payer: a bad row can never show another person's card.
    own_method = and_(PaymentMethod.id == Payment.method_id, PaymentMethod.user_id == Payment.payer_id)

    def with_counterparty(query):
        return (
            query.outerjoin(PaymentMethod, own_method)
            .outerjoin(Shop, Shop.id == Payment.counterparty_shop_id)
            .outerjoin(recipient, recipient.id == Payment.counterparty_user_id)
            .outerjoin(Fundraiser, Fundraiser.id == Payment.fundraiser_id)
        )

    detail_columns = (
        PaymentMethod.brand,
        PaymentMethod.last4,
        Shop.name,
        recipient.display_name,
        Fundraiser.title,
    )
    sent = session.exec(
        with_counterparty(select(Payment, *detail_columns))
        .where(Payment.payer_id == user.id)
        .order_by(Payment.created_at.desc(), Payment.id.desc())  # type: ignore[attr-defined,union-attr]
        .limit(limit)
    ).all()
    refunds = session.exec(
        with_counterparty(
            select(Refund, Payment, *detail_columns).join(Payment, Payment.id == Refund.payment_id)
        )
        .where(Payment.payer_id == user.id)
        .order_by(Refund.created_at.desc(), Refund.id.desc())  # type: ignore[attr-defined,union-attr]
        .limit(limit)
    ).all()
    # Incoming transfers: no method columns at all, the payer's card is none of our business.
    received_filter = (
        Payment.counterparty_user_id == user.id,
        Payment.kind == PaymentKind.TRANSFER.value,
        Payment.payer_id != user.id,
        Payment.status != PaymentStatus.FAILED.value,
    )
    received = session.exec(
        select(Payment, payer.display_name)
        .join(payer, payer.id == Payment.payer_id)
        .where(*received_filter)
        .order_by(Payment.created_at.desc(), Payment.id.desc())  # type: ignore[attr-defined,union-attr]
        .limit(limit)
    ).all()
    returned = session.exec(
        select(Refund, Payment, payer.display_name)
        .join(Payment, Payment.id == Refund.payment_id)
        .join(payer, payer.id == Payment.payer_id)
        .where(*received_filter)
        .order_by(Refund.created_at.desc(), Refund.id.desc())  # type: ignore[attr-defined,union-attr]
        .limit(limit)
    ).all()

    def counterparty(payment: Payment, shop_name, user_name, fundraiser_title) -> str:
        return payment.counterparty_label or shop_name or user_name or fundraiser_title or ""

    def entry(
        key: str,
        row_id: int,
        kind: str,
        payment: Payment,
        amount: int,
        currency: str,
        who: str,
        method: str,
        status: str,
        at: dt.datetime,
    ) -> tuple[tuple, HistoryEntry]:
        return (at, _RANK[key], row_id), HistoryEntry(
            id=f"{key}:{row_id}",
            kind=kind,
            direction="out" if amount < 0 else "in",
            app=payment.app,
            counterparty=who,
            amount_label=signed_money(amount, currency, lang),
            amount_cents=amount,
            currency=currency,
            method_label=method,
            status=status,
            created_at_label=format_datetime(at, lang),
            created_at_iso=iso_utc(at),
            payment_id=payment.id,  # type: ignore[arg-type]
            note=payment.note,
        )

    keyed = []
    for payment, brand, last4, shop_name, user_name, title in sent:
        keyed.append(
            entry(
                "payment",
                payment.id,  # type: ignore[arg-type]
                _OUT_KINDS.get(payment.kind, payment.kind),
                payment,
                -payment.amount_cents,
                payment.currency,
                counterparty(payment, shop_name, user_name, title),
                method_label(brand, last4),
                payment.status,
                payment.created_at,
            )
        )
    for refund, payment, brand, last4, shop_name, user_name, title in refunds:
        keyed.append(
            entry(
                "refund",
                refund.id,  # type: ignore[arg-type]
                "refund",
                payment,
                refund.amount_cents,
                refund.currency,
                counterparty(payment, shop_name, user_name, title),
                method_label(brand, last4),
                PaymentStatus.SUCCEEDED.value,
                refund.created_at,
            )
        )
    for payment, payer_name in received:
        keyed.append(
            entry(
                "received",
                payment.id,  # type: ignore[arg-type]
                "transfer_received",
                payment,
                payment.amount_cents,
                payment.currency,
                payer_name or "",
                NO_METHOD,
                payment.status,
                payment.created_at,
            )
        )
    for refund, payment, payer_name in returned:
        keyed.append(
            entry(
                "returned",
                refund.id,  # type: ignore[arg-type]
                "transfer_returned",
                payment,
                -refund.amount_cents,
                refund.currency,
                payer_name or "",
                NO_METHOD,
                PaymentStatus.SUCCEEDED.value,
                refund.created_at,
            )
        )
    keyed.sort(key=lambda pair: pair[0], reverse=True)
    return [item for _, item in keyed[:limit]]
