"""Saved payment methods (cards and PayPal): add, list, default, remove, and what may pay.

The card number and CVC go to the gateway once and are never stored or logged. Adding or
removing from the Pay hub asks for the Pay PIN (`*_with_pin`); checkout adds a card after
its own PIN step through `add_card`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exc as sa_exc
from sqlalchemy import update
from sqlmodel import Session, col, select

from socialshop import payments
from socialshop.models import PaymentMethod, PaymentMethodKind, PayProfile, User, utcnow
from socialshop.payments import card_validation
from socialshop.payments.base import CardInput, MethodNotSupported, PaymentDeclined, ProviderUnavailable
from socialshop.services import notifications
from socialshop.services.errors import Conflict, NotFound, ValidationError
from socialshop.services.inputs import parse_id
from socialshop.services.ledger import dialect_insert

MAX_HOLDER_NAME = 120
MAX_EMAIL = 254
# Bounds the Pay hub's list (one page, no pagination needed) and checkout's choice.
MAX_ACTIVE_METHODS = 20

BRAND_NAMES = {
    "visa": "Visa",
    "mastercard": "Mastercard",
    "amex": "American Express",
    "paypal": "PayPal",
}


def _today() -> dt.date:
    """The clock for expiry; tests monkeypatch it."""
    return utcnow().date()


@dataclass(frozen=True)
class MethodView:
    """One saved method as the Pay hub shows it: nothing that could pay or identify more."""

    id: int
    kind: str
    brand: str
    # "•••• 4242" for a card, the masked address for PayPal.
    detail: str
    # "12/27" for a card, "" for PayPal (it does not expire).
    expiry: str
    is_default: bool
    expired: bool


def ensure_pay_profile(session: Session, *, user: User) -> PayProfile:
    """The user's Pay profile, created on first use (safe against two tabs doing it at once)."""
    profile = session.get(PayProfile, user.id)
    if profile is not None:
        return profile
    session.exec(
        dialect_insert(session, PayProfile)
        .values(user_id=user.id)
        .on_conflict_do_nothing(index_elements=["user_id"])
    )
    profile = session.get(PayProfile, user.id)
    assert profile is not None
    return profile


def _ensure_customer(session: Session, *, user: User, profile: PayProfile) -> str:
    if profile.provider_customer_ref:
        return profile.provider_customer_ref
    try:
        ref = payments.get_provider().create_customer(email=user.email, name=user.display_name)
    except ProviderUnavailable as exc:
        raise Conflict("provider_unavailable") from exc
    # Conditional: if another tab created a customer meanwhile, keep theirs so every card
    # hangs off one gateway customer.
    session.exec(
        update(PayProfile)
        .where(col(PayProfile.user_id) == user.id, col(PayProfile.provider_customer_ref) == "")
        .values(provider_customer_ref=ref)
    )
    session.refresh(profile)
    return profile.provider_customer_ref


def _active(session: Session, user_id: int):
    return select(PaymentMethod).where(
        PaymentMethod.user_id == user_id, col(PaymentMethod.removed_at).is_(None)
    )


# ---------------------------------------------------------------- rules on one method


def card_fingerprint(brand: str, last4: str, exp_month: int, exp_year: int) -> str:
    # Same text as the migration's backfill builds in SQL: keep the two in step.
    return f"card:{brand}:{last4}:{exp_month}/{exp_year}"


def paypal_fingerprint(email: str) -> str:
    return f"paypal:{email}"


def expired(*, kind: str, exp_month: int, exp_year: int, today: dt.date | None = None) -> bool:
    """A card is good through the last day of its expiry month; PayPal never expires."""
    if kind != PaymentMethodKind.CARD.value:
        return False
    today = today or _today()
    return (exp_year, exp_month) < (today.year, today.month)


def is_expired(method: PaymentMethod, today: dt.date | None = None) -> bool:
    return expired(kind=method.kind, exp_month=method.exp_month, exp_year=method.exp_year, today=today)


def expiry_label(method: PaymentMethod) -> str:
    if method.kind != PaymentMethodKind.CARD.value:
        return ""
    return f"{method.exp_month:02d}/{method.exp_year % 100:02d}"


def check_payable(*, kind: str, exp_month: int, exp_year: int, today: dt.date | None = None) -> None:
    """Conflict("method_expired", expiry="MM/YY") for a card past its expiry month.

    Every money path calls this on the method it is about to charge (money.engine,
    services.checkout), so an expired card is refused whichever screen offers it.
    """
    if expired(kind=kind, exp_month=exp_month, exp_year=exp_year, today=today):
        raise Conflict("method_expired", expiry=f"{exp_month:02d}/{exp_year % 100:02d}")


def mask_email(email: str) -> str:
    """"g•••@example.com": enough for the owner to recognise it, little for a shoulder."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


def method_label(method: PaymentMethod) -> str:
    """One line naming a method, for choosers: "Visa •••• 4242 (12/27)", "PayPal g•••@example.com"."""
    brand = BRAND_NAMES.get(method.brand, method.brand.capitalize())
    if method.kind == PaymentMethodKind.PAYPAL.value:
        return f"{brand} {mask_email(method.account_email)}"
    return f"{brand} •••• {method.last4} ({expiry_label(method)})"


def _view(method: PaymentMethod, today: dt.date) -> MethodView:
    paypal = method.kind == PaymentMethodKind.PAYPAL.value
    return MethodView(
        id=method.id,  # type: ignore[arg-type]
        kind=method.kind,
        brand=BRAND_NAMES.get(method.brand, method.brand.capitalize()),
        detail=mask_email(method.account_email) if paypal else f"•••• {method.last4}",
        expiry=expiry_label(method),
        is_default=method.is_default,
        expired=is_expired(method, today),
    )


# ---------------------------------------------------------------- reading


def list_methods(session: Session, *, user: User) -> list[PaymentMethod]:
    """Active methods (at most MAX_ACTIVE_METHODS), the default first, then newest first."""
    return list(
        session.exec(
            _active(session, user.id)  # type: ignore[arg-type]
            .order_by(col(PaymentMethod.is_default).desc(), col(PaymentMethod.id).desc())
            .limit(MAX_ACTIVE_METHODS)
            .execution_options(populate_existing=True)
        ).all()
    )


def method_views(session: Session, *, user: User) -> list[MethodView]:
    """What the Pay hub lists: every saved method, expired ones marked."""
    today = _today()
    return [_view(method, today) for method in list_methods(session, user=user)]


def payable_methods(session: Session, *, user: User) -> list[PaymentMethod]:
    """What checkout offers: saved methods that can pay now (not expired), default first."""
    today = _today()
    return [method for method in list_methods(session, user=user) if not is_expired(method, today)]


def get_method(session: Session, *, user: User, method_id: object) -> PaymentMethod:
    """The user's active method; NotFound("method_not_found") for garbage, others' or removed ones."""
    parsed = parse_id(method_id)
    method = session.get(PaymentMethod, parsed) if parsed is not None else None
    if method is None or method.user_id != user.id or method.removed_at is not None:
        raise NotFound("method_not_found")
    return method


# ---------------------------------------------------------------- adding


@dataclass(frozen=True)
class _CardFields:
    number: str
    exp_month: int
    exp_year: int
    cvc: str
    holder_name: str
    make_default: bool

    @property
    def brand(self) -> str:
        return card_validation.card_brand(self.number)

    @property
    def last4(self) -> str:
        return self.number[-4:]


def _card_fields(
    *, number: object, exp_month: object, exp_year: object, cvc: object, holder_name: object, make_default: object
) -> _CardFields:
    """The card as typed, checked field by field (ValidationError("card_invalid", fields=...))."""
    fields = card_validation.validate_card(
        number=number if isinstance(number, str) else "",
        exp_month=exp_month if isinstance(exp_month, (int, str)) else None,
        exp_year=exp_year if isinstance(exp_year, (int, str)) else None,
        cvc=cvc if isinstance(cvc, str) else "",
        today=_today(),
    )
    if holder_name is None:
        holder_name = ""
    if not isinstance(holder_name, str):
        fields["holder_name"] = "invalid"
    elif len(holder_name.strip()) > MAX_HOLDER_NAME:
        fields["holder_name"] = "too_long"
    if fields:
        raise ValidationError("card_invalid", fields=fields)
    if not isinstance(make_default, bool):
        raise ValidationError("make_default_invalid")
    expiry = card_validation.parse_expiry(exp_month, exp_year)  # type: ignore[arg-type]
    assert expiry is not None
    return _CardFields(
        number=card_validation.normalize_card_number(number),  # type: ignore[arg-type]
        exp_month=expiry[0],
        exp_year=expiry[1],
        cvc=cvc.strip(),  # type: ignore[union-attr]
        holder_name=holder_name.strip(),  # type: ignore[union-attr]
        make_default=make_default,
    )


def _check_room_and_duplicates(
    session: Session, *, user: User, fingerprint: str, duplicate_of
) -> list[PaymentMethod]:
    """Conflict("method_duplicate") when the same method is saved already,
    Conflict("too_many_methods") when there is no room; the active methods otherwise."""
    active = list(session.exec(_active(session, user.id)).all())  # type: ignore[arg-type]
    # By fingerprint, and by the facts too: rows saved before fingerprints existed have none.
    if any(m.fingerprint == fingerprint or duplicate_of(m) for m in active):
        raise Conflict("method_duplicate")
    if len(active) >= MAX_ACTIVE_METHODS:
        raise Conflict("too_many_methods", max=MAX_ACTIVE_METHODS)
    return active


def _card_duplicate(card: _CardFields):
    return lambda m: (
        m.kind == PaymentMethodKind.CARD.value
        and (m.brand, m.last4, m.exp_month, m.exp_year) == (card.brand, card.last4, card.exp_month, card.exp_year)
    )


def _save(session: Session, *, user: User, method: PaymentMethod, make_default: bool, first: bool) -> PaymentMethod:
    """Insert a tokenized method; a twin saved by another tab meanwhile is refused (and the
    gateway's copy detached again)."""
    # No savepoint: on SQLite's driver an outermost RELEASE would commit. A clash leaves
    # the session to be rolled back, which the caller's session_scope does on the raise.
    try:
        session.add(method)
        session.flush()
    except sa_exc.IntegrityError:
        _detach_quietly(method)
        raise Conflict("method_duplicate") from None
    notifications.notify(
        session, user_id=user.id, kind="method_added", link="/pay/methods",  # type: ignore[arg-type]
        params={"method": method_label(method)},
    )
    if make_default or first:
        _make_default(session, user_id=user.id, method_id=method.id)  # type: ignore[arg-type]
    return method


def _detach_quietly(method: PaymentMethod) -> None:
    try:
        payments.get_provider().detach_method(customer_ref="", token=method.provider_token)
    except ProviderUnavailable:
        pass  # the token is not saved anywhere of ours: it can never be charged from here


def add_card(
    session: Session,
    *,
    user: User,
    number: object,
    exp_month: object,
    exp_year: object,
    cvc: object,
    holder_name: object = "",
    make_default: object = False,
) -> PaymentMethod:
    """Tokenize a card at the gateway and save what we may keep about it. Does not commit.

    No PIN here: checkout calls it after its own PIN step; the Pay hub uses add_card_with_pin.
    ValidationError("card_invalid", fields={field: code}) for bad input (codes from
    card_validation, plus holder_name: "invalid" | "too_long"), Conflict("method_duplicate"),
    Conflict("too_many_methods"), ValidationError("card_declined", reason=...) when the
    gateway refuses the card, Conflict("provider_unavailable").
    """
    card = _card_fields(
        number=number, exp_month=exp_month, exp_year=exp_year, cvc=cvc,
        holder_name=holder_name, make_default=make_default,
    )
    return _add_checked_card(session, user=user, card=card)


def _add_checked_card(session: Session, *, user: User, card: _CardFields) -> PaymentMethod:
    fingerprint = card_fingerprint(card.brand, card.last4, card.exp_month, card.exp_year)
    active = _check_room_and_duplicates(session, user=user, fingerprint=fingerprint, duplicate_of=_card_duplicate(card))
    profile = ensure_pay_profile(session, user=user)
    customer_ref = _ensure_customer(session, user=user, profile=profile)
    provider = payments.get_provider()
    try:
        saved = provider.tokenize_card(
            customer_ref=customer_ref,
            card=CardInput(
                number=card.number,
                exp_month=card.exp_month,
                exp_year=card.exp_year,
                cvc=card.cvc,
                holder_name=card.holder_name,
            ),
        )
    except PaymentDeclined as exc:
        raise ValidationError("card_declined", reason=exc.code.value) from exc
    except ProviderUnavailable as exc:
        raise Conflict("provider_unavailable") from exc

    brand, last4 = saved.brand[:16], saved.last4[-4:]
    method = PaymentMethod(
        user_id=user.id,  # type: ignore[arg-type]
        kind=PaymentMethodKind.CARD.value,
        provider=provider.name,
        provider_token=saved.token,
        brand=brand,
        last4=last4,
        exp_month=saved.exp_month,
        exp_year=saved.exp_year,
        fingerprint=card_fingerprint(brand, last4, saved.exp_month, saved.exp_year),
        is_default=False,
    )
    return _save(session, user=user, method=method, make_default=card.make_default, first=not active)


def _verify_pin(session: Session, *, user: User, pin: object) -> None:
    # Imported here: pay_pin builds on this module (ensure_pay_profile).
    from socialshop.services import pay_pin

    pay_pin.verify_pin(session, user=user, pin=pin)


def add_card_with_pin(
    session: Session,
    *,
    user: User,
    pin: object,
    number: object,
    exp_month: object,
    exp_year: object,
    cvc: object,
    holder_name: object = "",
    make_default: object = False,
) -> PaymentMethod:
    """The Pay hub's "Add card": the fields, then the PIN, then the gateway. Does not commit.

    A typo or a duplicate is refused before the PIN is checked, so it costs no PIN try.
    Raises what add_card raises and what pay_pin.verify_pin raises (a wrong PIN counts
    toward the lock, as at checkout).
    """
    card = _card_fields(
        number=number, exp_month=exp_month, exp_year=exp_year, cvc=cvc,
        holder_name=holder_name, make_default=make_default,
    )
    fingerprint = card_fingerprint(card.brand, card.last4, card.exp_month, card.exp_year)
    _check_room_and_duplicates(session, user=user, fingerprint=fingerprint, duplicate_of=_card_duplicate(card))
    # Before any write through `session` (verify_pin counts tries on its own connection).
    _verify_pin(session, user=user, pin=pin)
    return _add_checked_card(session, user=user, card=card)


def _paypal_email(raw: object) -> str:
    from socialshop.services.accounts import normalize_email

    if not isinstance(raw, str) or len(raw.strip()) > MAX_EMAIL:
        raise ValidationError("paypal_email_invalid")
    try:
        return normalize_email(raw)
    except ValidationError:
        raise ValidationError("paypal_email_invalid") from None


def add_paypal(
    session: Session, *, user: User, pin: object, email: object, make_default: object = False
) -> PaymentMethod:
    """Link a PayPal account by its email; it then pays like a card. Does not commit.

    ValidationError("paypal_email_invalid" | "make_default_invalid"),
    Conflict("method_duplicate" | "too_many_methods" | "paypal_unavailable" |
    "provider_unavailable"), ValidationError("paypal_declined"), and the PIN's errors.
    """
    address = _paypal_email(email)
    if not isinstance(make_default, bool):
        raise ValidationError("make_default_invalid")
    fingerprint = paypal_fingerprint(address)
    active = _check_room_and_duplicates(
        session, user=user, fingerprint=fingerprint,
        duplicate_of=lambda m: m.kind == PaymentMethodKind.PAYPAL.value and m.account_email == address,
    )
    _verify_pin(session, user=user, pin=pin)
    profile = ensure_pay_profile(session, user=user)
    customer_ref = _ensure_customer(session, user=user, profile=profile)
    provider = payments.get_provider()
    try:
        saved = provider.link_account(customer_ref=customer_ref, kind=PaymentMethodKind.PAYPAL.value, email=address)
    except MethodNotSupported as exc:
        raise Conflict("paypal_unavailable") from exc
    except PaymentDeclined as exc:
        raise ValidationError("paypal_declined") from exc
    except ProviderUnavailable as exc:
        raise Conflict("provider_unavailable") from exc
    method = PaymentMethod(
        user_id=user.id,  # type: ignore[arg-type]
        kind=PaymentMethodKind.PAYPAL.value,
        provider=provider.name,
        provider_token=saved.token,
        brand="paypal",
        last4="",
        exp_month=0,
        exp_year=0,
        account_email=address,
        fingerprint=fingerprint,
        is_default=False,
    )
    return _save(session, user=user, method=method, make_default=make_default, first=not active)


# ---------------------------------------------------------------- default and removal


def _make_default(session: Session, *, user_id: int, method_id: int | None) -> None:
    # One statement flips every flag, so two tabs can never leave two defaults behind.
    session.exec(
        update(PaymentMethod)
        .where(col(PaymentMethod.user_id) == user_id, col(PaymentMethod.removed_at).is_(None))
        .values(is_default=col(PaymentMethod.id) == method_id)
        .execution_options(synchronize_session=False)
    )
    session.exec(_active(session, user_id).execution_options(populate_existing=True)).all()


def set_default(session: Session, *, user: User, method_id: object) -> PaymentMethod:
    """NotFound("method_not_found"), Conflict("method_expired"): an expired card cannot pay."""
    method = get_method(session, user=user, method_id=method_id)
    check_payable(kind=method.kind, exp_month=method.exp_month, exp_year=method.exp_year)
    _make_default(session, user_id=user.id, method_id=method.id)  # type: ignore[arg-type]
    return method


def remove_method(session: Session, *, user: User, method_id: object) -> None:
    """Detach the method at the gateway, then soft delete it. Does not commit.

    Soft: payments made with it keep pointing at it for their history; the token is
    dropped too so it can never be charged again. If it was the default, the newest
    remaining method that can pay becomes the default (the newest of all when every one
    has expired); with none left, checkout asks for a new card.
    Conflict("provider_unavailable") when the gateway cannot be asked: nothing changed.
    """
    method = get_method(session, user=user, method_id=method_id)
    provider = payments.get_provider()
    # A method saved with another gateway (before a switch) cannot be asked about here;
    # dropping its token is what keeps it from ever being charged by this app.
    if method.provider == provider.name and method.provider_token:
        profile = session.get(PayProfile, user.id)
        try:
            provider.detach_method(
                customer_ref=profile.provider_customer_ref if profile else "", token=method.provider_token
            )
        except ProviderUnavailable as exc:
            raise Conflict("provider_unavailable") from exc
    was_default = method.is_default
    method.removed_at = utcnow()
    method.is_default = False
    method.provider_token = ""
    session.add(method)
    session.flush()
    if was_default:
        remaining = session.exec(
            _active(session, user.id).order_by(col(PaymentMethod.id).desc())  # type: ignore[arg-type]
        ).all()
        today = _today()
        successor = next((m for m in remaining if not is_expired(m, today)), remaining[0] if remaining else None)
        if successor is not None:
            _make_default(session, user_id=user.id, method_id=successor.id)  # type: ignore[arg-type]


def remove_method_with_pin(session: Session, *, user: User, method_id: object, pin: object) -> None:
    """The Pay hub's "Remove": ownership first (a forged id costs no PIN try), then the PIN."""
    get_method(session, user=user, method_id=method_id)
    _verify_pin(session, user=user, pin=pin)
    remove_method(session, user=user, method_id=method_id)


__all__ = [
    "MAX_ACTIVE_METHODS",
    "MethodView",
    "add_card",
    "add_card_with_pin",
    "add_paypal",
    "check_payable",
    "ensure_pay_profile",
    "expired",
    "get_method",
    "is_expired",
    "list_methods",
    "mask_email",
    "method_label",
    "method_views",
    "payable_methods",
    "remove_method",
    "remove_method_with_pin",
    "set_default",
]
