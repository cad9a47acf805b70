"""Saved cards. The number and CVC go to the gateway once and are never stored or logged."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from socialshop import payments
from socialshop.models import PaymentMethod, PayProfile, User, utcnow
from socialshop.payments import card_validation
from socialshop.payments.base import CardInput, PaymentDeclined, ProviderUnavailable
from socialshop.services.errors import Conflict, NotFound, ValidationError
from socialshop.services.inputs import parse_id
from socialshop.services.ledger import dialect_insert

MAX_HOLDER_NAME = 120
MAX_ACTIVE_METHODS = 20

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

    ValidationError("card_invalid", fields={field: code}) for bad input (codes from
    card_validation, plus holder_name: "too_long"), ValidationError("card_declined",
    reason=...) when the gateway refuses the card.
    """
    fields = card_validation.validate_card(
        number=number if isinstance(number, str) else "",
        exp_month=exp_month,  # type: ignore[arg-type]
        exp_year=exp_year,  # type: ignore[arg-type]
        cvc=cvc if isinstance(cvc, str) else "",
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

    active = session.exec(_active(session, user.id)).all()  # type: ignore[arg-type]
    if len(active) >= MAX_ACTIVE_METHODS:
        raise Conflict("too_many_methods", max=MAX_ACTIVE_METHODS)

    profile = ensure_pay_profile(session, user=user)
    customer_ref = _ensure_customer(session, user=user, profile=profile)
    provider = payments.get_provider()
    try:
        saved = provider.tokenize_card(
            customer_ref=customer_ref,
            card=CardInput(
                number=card_validation.normalize_card_number(number),  # type: ignore[arg-type]
                exp_month=expiry[0],
                exp_year=expiry[1],
                cvc=cvc.strip(),  # type: ignore[union-attr]
                holder_name=holder_name.strip(),  # type: ignore[union-attr]
            ),
        )
    except PaymentDeclined as exc:
        raise ValidationError("card_declined", reason=exc.code.value) from exc
    except ProviderUnavailable as exc:
        raise Conflict("provider_unavailable") from exc

    method = PaymentMethod(
        user_id=user.id,  # type: ignore[arg-type]
        provider=provider.name,
        provider_token=saved.token,
        brand=saved.brand[:16],
        last4=saved.last4[-4:],
        exp_month=saved.exp_month,
        exp_year=saved.exp_year,
        is_default=False,
    )
    session.add(method)
    session.flush()
    if make_default or not active:
        _make_default(session, user_id=user.id, method_id=method.id)  # type: ignore[arg-type]
    return method


def _make_default(session: Session, *, user_id: int, method_id: int | None) -> None:
    # One statement flips every flag, so two tabs can never leave two defaults behind.
    session.exec(
        update(PaymentMethod)
        .where(col(PaymentMethod.user_id) == user_id, col(PaymentMethod.removed_at).is_(None))
        .values(is_default=col(PaymentMethod.id) == method_id)
        .execution_options(synchronize_session=False)
    )
    session.exec(_active(session, user_id).execution_options(populate_existing=True)).all()


def list_methods(session: Session, *, user: User) -> list[PaymentMethod]:
    """Active cards, the default first, then newest first."""
    return list(
        session.exec(
            _active(session, user.id)  # type: ignore[arg-type]
            .order_by(col(PaymentMethod.is_default).desc(), col(PaymentMethod.id).desc())
            .execution_options(populate_existing=True)
        ).all()
    )


def get_method(session: Session, *, user: User, method_id: object) -> PaymentMethod:
    """The user's active card; NotFound("method_not_found") for garbage, others' or removed cards."""
    parsed = parse_id(method_id)
    method = session.get(PaymentMethod, parsed) if parsed is not None else None
    if method is None or method.user_id != user.id or method.removed_at is not None:
        raise NotFound("method_not_found")
    return method


def set_default(session: Session, *, user: User, method_id: object) -> PaymentMethod:
    method = get_method(session, user=user, method_id=method_id)
    _make_default(session, user_id=user.id, method_id=method.id)  # type: ignore[arg-type]
    return method


def remove_method(session: Session, *, user: User, method_id: object) -> None:
    """Soft delete: payments made with the card keep pointing at it for their history.

    The gateway token is dropped too so a removed card can never be charged again.
    If it was the default, the newest remaining card becomes the default.
    """
    method = get_method(session, user=user, method_id=method_id)
    was_default = method.is_default
    method.removed_at = utcnow()
    method.is_default = False
    method.provider_token = ""
    session.add(method)
    session.flush()
    if was_default:
        successor = session.exec(
            _active(session, user.id).order_by(col(PaymentMethod.id).desc())  # type: ignore[arg-type]
        ).first()
        if successor is not None:
            _make_default(session, user_id=user.id, method_id=successor.id)  # type: ignore[arg-type]
