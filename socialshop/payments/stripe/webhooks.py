"""Stripe webhooks: verify an event, then apply it to our attempt, once.

`parse_event` checks the `Stripe-Signature` header with the official SDK (secret from
STRIPE_WEBHOOK_SECRET, 5 minutes of tolerance); `handle_stripe_event` applies a verified
event through `money.engine.resolve_attempt`. No Reflex here: the HTTP route is in
`socialshop.api`.

Stripe delivers at least once, retries any non-2xx answer for days and may deliver
events out of order. Each handled event id is stored in `WebhookEvent` before anything is
done, so repeated deliveries change nothing; and `resolve_attempt` itself leaves an
attempt already in the reported outcome alone, so even handling an event twice would be
harmless.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

import stripe
from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from socialshop import payments
from socialshop.models import UNRESOLVED_ATTEMPT_STATUSES, CheckoutAttempt, utcnow
from socialshop.models.webhooks import WebhookEvent, WebhookOutcome
from socialshop.payments.base import Charge
from socialshop.payments.stripe.provider import KEY_METADATA, StripeProvider

log = logging.getLogger(__name__)

PROVIDER = "stripe"
SECRET_ENV = "STRIPE_WEBHOOK_SECRET"
# Stripe's own default: a signed request older than this is refused (replay protection).
TOLERANCE_SECONDS = 300
# A delivery that claimed an event and then died leaves it "received"; after this long
# another delivery of the same event may handle it again.
STALE_CLAIM = dt.timedelta(minutes=10)
MAX_KEY_LENGTH = 64

SUCCEEDED = "payment_intent.succeeded"
PAYMENT_FAILED = "payment_intent.payment_failed"
CHARGE_REFUNDED = "charge.refunded"
HANDLED_TYPES = frozenset({SUCCEEDED, PAYMENT_FAILED, CHARGE_REFUNDED})

# What handle_stripe_event returns besides WebhookOutcome values.
DUPLICATE = "duplicate"


class WebhookSecretMissing(Exception):
    """STRIPE_WEBHOOK_SECRET is not set: no event can be trusted (the route answers 503)."""


class InvalidWebhook(Exception):
    """Bad or missing signature, stale timestamp, or a body that is not a Stripe event (400)."""


def webhook_secret() -> str:
    return os.environ.get(SECRET_ENV, "").strip()


def parse_event(payload: bytes | str, sig_header: str | None, *, secret: str | None = None) -> dict[str, Any]:
    """The verified event as plain dicts. `secret` defaults to STRIPE_WEBHOOK_SECRET.

    Raises WebhookSecretMissing when no secret is configured, InvalidWebhook otherwise.
    """
    secret = webhook_secret() if secret is None else secret.strip()
    if not secret:
        raise WebhookSecretMissing(f"{SECRET_ENV} is not set")
    try:
        event = stripe.Webhook.construct_event(payload, sig_header, secret, tolerance=TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as exc:
        raise InvalidWebhook(str(exc.user_message or exc)) from exc
    except (ValueError, TypeError, AttributeError) as exc:  # not UTF-8, not a JSON object, a v2 "thin" event
        raise InvalidWebhook("not a Stripe event") from exc
    data = event.to_dict()
    if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str) or not data["id"]:
        raise InvalidWebhook("not a Stripe event")
    return data


def handle_stripe_event(
    session: Session,
    event: Mapping[str, Any],
    *,
    intent_key: Callable[[str], str | None] | None = None,
) -> str:
    """Apply one verified event; what came of it. Commits (call with nothing pending).

    Returns "duplicate" (this event was handled before: nothing done), "ignored" (a type
    we do not act on, or nothing of ours), "no_attempt" (our key, but no such attempt) or
    "applied" (handed to resolve_attempt). Types other than HANDLED_TYPES are not stored.
    `intent_key(payment_intent_id)` finds our key when a Charge event lacks it (defaults
    to asking the configured Stripe provider). Exceptions (ProviderUnavailable while
    refunding a late charge, a database error) propagate after the event is marked
    "error", so Stripe's next delivery of it is handled again.
    """
    event_type = str(event.get("type", ""))
    if event_type not in HANDLED_TYPES:
        return WebhookOutcome.IGNORED.value
    event_id = str(event["id"])
    row_id = _claim(session, event_id=event_id, event_type=event_type)
    if row_id is None:
        log.info("stripe event %s (%s) already handled", event_id, event_type)
        return DUPLICATE
    try:
        outcome, key, detail = _apply(session, event_type, _object_of(event), intent_key or _provider_intent_key)
    except BaseException as exc:
        session.rollback()
        _finish(session, row_id, WebhookOutcome.ERROR, "", f"{type(exc).__name__}: {exc}")
        raise
    log.info("stripe event %s (%s): %s %s", event_id, event_type, outcome.value, detail)
    _finish(session, row_id, outcome, key, detail)
    return outcome.value


def _claim(session: Session, *, event_id: str, event_type: str) -> int | None:
    """Store the event id (committed); None when another delivery has it already.

    An event whose handling failed, or whose handler died long ago, is claimed again.
    """
    session.rollback()
    row = WebhookEvent(provider=PROVIDER, event_id=event_id[:255], type=event_type[:64])
    session.add(row)
    try:
        session.commit()
        return row.id
    except IntegrityError:
        session.rollback()
    now = utcnow()
    reclaimed = session.connection().execute(
        update(WebhookEvent)
        .where(
            WebhookEvent.provider == PROVIDER,
            WebhookEvent.event_id == event_id[:255],
            or_(
                WebhookEvent.outcome == WebhookOutcome.ERROR.value,
                (WebhookEvent.outcome == WebhookOutcome.RECEIVED.value) & (WebhookEvent.received_at < now - STALE_CLAIM),
            ),
        )
        .values(outcome=WebhookOutcome.RECEIVED.value, received_at=now, handled_at=None)
    )
    session.commit()
    if reclaimed.rowcount != 1:
        return None
    return session.exec(
        select(WebhookEvent.id).where(WebhookEvent.provider == PROVIDER, WebhookEvent.event_id == event_id[:255])
    ).one()


def _finish(session: Session, row_id: int, outcome: WebhookOutcome, key: str, detail: str) -> None:
    session.connection().execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == row_id)
        .values(outcome=outcome.value, attempt_key=key[:MAX_KEY_LENGTH], detail=detail[:255], handled_at=utcnow())
    )
    session.commit()


def _object_of(event: Mapping[str, Any]) -> dict[str, Any]:
    data = event.get("data")
    obj = data.get("object") if isinstance(data, Mapping) else None
    return dict(obj) if isinstance(obj, Mapping) else {}


def _our_key(obj: Mapping[str, Any]) -> str | None:
    metadata = obj.get("metadata")
    key = metadata.get(KEY_METADATA) if isinstance(metadata, Mapping) else None
    return key if isinstance(key, str) and 0 < len(key) <= MAX_KEY_LENGTH else None


def _charge_of(obj: Mapping[str, Any], intent_id: str) -> Charge | None:
    amount, currency = obj.get("amount"), obj.get("currency")
    if not intent_id or not isinstance(amount, int) or not isinstance(currency, str):
        return None
    return Charge(provider_ref=intent_id, amount_cents=amount, currency=currency.upper())


def _provider_intent_key(intent_id: str) -> str | None:
    provider = payments.get_provider()
    if not isinstance(provider, StripeProvider):
        return None
    return provider.intent_key(intent_id)


def _attempt_state(session: Session, key: str) -> tuple[str, str] | None:
    """(status, provider) of the attempt with this key, read in a transaction of its own."""
    row = session.exec(
        select(CheckoutAttempt.status, CheckoutAttempt.provider).where(CheckoutAttempt.idempotency_key == key)
    ).first()
    session.rollback()
    return None if row is None else (row[0], row[1])


def _apply(
    session: Session, event_type: str, obj: dict[str, Any], intent_key: Callable[[str], str | None]
) -> tuple[WebhookOutcome, str, str]:
    """(outcome, our key or "", detail) of one claimed event."""
    if event_type == CHARGE_REFUNDED:
        intent = obj.get("payment_intent")
        intent_id = intent.get("id") if isinstance(intent, Mapping) else intent
        intent_id = intent_id if isinstance(intent_id, str) else ""
        key = _our_key(obj) or (intent_key(intent_id) if intent_id else None)
    else:
        intent_id = obj.get("id") if isinstance(obj.get("id"), str) else ""
        key = _our_key(obj)
    if key is None:
        return WebhookOutcome.IGNORED, "", f"no {KEY_METADATA} on {intent_id or 'the object'}"

    state = _attempt_state(session, key)
    if state is None:
        return WebhookOutcome.NO_ATTEMPT, key, intent_id
    status, provider = state
    if provider and provider != PROVIDER:
        return WebhookOutcome.IGNORED, key, f"attempt charged through {provider}"

    if event_type == PAYMENT_FAILED:
        charge = None
    else:
        charge = _charge_of(obj, intent_id)
        if charge is None:
            return WebhookOutcome.IGNORED, key, f"no amount/currency on {intent_id or 'the object'}"
    if event_type == CHARGE_REFUNDED and status not in UNRESOLVED_ATTEMPT_STATUSES:
        # Our own refunds echo back here: the attempt is settled and the refund is ours.
        return WebhookOutcome.IGNORED, key, f"refund of {intent_id}; attempt already {status}"

    from socialshop.money import engine

    status = engine.resolve_attempt(session, key=key, charge=charge, source="webhook")
    if status is None:
        return WebhookOutcome.NO_ATTEMPT, key, intent_id
    return WebhookOutcome.APPLIED, key, f"{intent_id}: attempt {status}"
