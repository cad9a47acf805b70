"""A user's contact details and address book: email, phone, shipping addresses with one default."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from socialshop.models import ShippingAddress, User
from socialshop.services.accounts import normalize_email
from socialshop.services.checkout import validate_shipping
from socialshop.services.errors import Conflict, NotFound, ValidationError
from socialshop.services.inputs import parse_id

# Enough for home, work and a few relatives; keeps the page (and its state) small.
MAX_ADDRESSES = 10
# Numbers typed without a country code are read as Italian, the app's home market.
DEFAULT_PHONE_REGION = "IT"
MAX_PHONE_INPUT = 32


@dataclass(frozen=True)
class AddressView:
    id: int
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    is_default: bool

    def fields(self) -> dict[str, str]:
        return {
            "name": self.name, "line1": self.line1, "city": self.city,
            "postal_code": self.postal_code, "country": self.country,
        }


@dataclass(frozen=True)
class ContactView:
    email: str
    phone: str
    addresses: list[AddressView]


def _view(row: ShippingAddress) -> AddressView:
    return AddressView(
        id=row.id, name=row.name, line1=row.line1, city=row.city,  # type: ignore[arg-type]
        postal_code=row.postal_code, country=row.country, is_default=row.is_default,
    )


def list_addresses(session: Session, *, user: User) -> list[AddressView]:
    """The user's addresses, the default first, then oldest first."""
    rows = session.exec(
        select(ShippingAddress)
        .where(ShippingAddress.user_id == user.id)
        .order_by(col(ShippingAddress.is_default).desc(), col(ShippingAddress.id))
        .limit(MAX_ADDRESSES)
    ).all()
    return [_view(row) for row in rows]


def contact_view(session: Session, *, user: User) -> ContactView:
    return ContactView(email=user.email, phone=user.phone_number or "", addresses=list_addresses(session, user=user))


def default_address(session: Session, *, user: User) -> AddressView | None:
    """The address checkout preselects: the default (or, should none be marked, the first)."""
    addresses = list_addresses(session, user=user)
    return addresses[0] if addresses else None


def address_fields(session: Session, *, user: User, address_id: object) -> dict[str, str]:
    """A saved address as checkout's shipping fields. NotFound("address_not_found")."""
    return _view(_own(session, user=user, address_id=address_id)).fields()


def update_email(session: Session, *, user: User, email: object) -> str:
    """Change the sign-in email. Does not commit.

    ValidationError("email_invalid"), Conflict("email_in_use") when another account has
    it in any letter case.
    """
    clean = normalize_email(email)
    taken = session.exec(
        select(User.id).where(func.lower(User.email) == clean, User.id != user.id)
    ).first()
    if taken is not None:
        raise Conflict("email_in_use")
    user.email = clean
    session.add(user)
    session.flush()
    return clean


def normalize_phone(raw: object) -> str:
    """An E.164 number ("+393331234567") from what a person typed; "" for none.

    ValidationError("phone_number_invalid" | "phone_too_long").
    """
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValidationError("phone_number_invalid")
    text = raw.strip()
    if not text:
        return ""
    if len(text) > MAX_PHONE_INPUT:
        raise ValidationError("phone_too_long", max=MAX_PHONE_INPUT)
    try:
        number = phonenumbers.parse(text, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError("phone_number_invalid") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("phone_number_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def update_phone(session: Session, *, user: User, phone: object) -> str:
    """Set (or with an empty value remove) the phone number. Does not commit; raises as
    normalize_phone."""
    clean = normalize_phone(phone)
    user.phone_number = clean or None
    session.add(user)
    session.flush()
    return clean


def _own(session: Session, *, user: User, address_id: object) -> ShippingAddress:
    """The user's address; NotFound("address_not_found") for garbage and others' ids alike."""
    parsed = parse_id(address_id)
    row = session.get(ShippingAddress, parsed) if parsed is not None else None
    if row is None or row.user_id != user.id:
        raise NotFound("address_not_found")
    return row


def _clear_default(session: Session, user: User) -> None:
    # Before marking another one: the partial unique index allows one default per user.
    session.exec(
        update(ShippingAddress)
        .where(col(ShippingAddress.user_id) == user.id, col(ShippingAddress.is_default))
        .values(is_default=False)
    )
    session.expire_all()


def add_address(session: Session, *, user: User, fields: object, make_default: object = False) -> AddressView:
    """A new address; the first one, or with make_default, becomes the default. Does not commit.

    ValidationError("shipping_invalid", fields={field: code}), Conflict("address_limit").
    """
    clean = validate_shipping(fields)
    count = session.exec(
        select(func.count()).select_from(ShippingAddress).where(ShippingAddress.user_id == user.id)
    ).one()
    if count >= MAX_ADDRESSES:
        raise Conflict("address_limit", max=MAX_ADDRESSES)
    is_default = count == 0 or make_default is True
    if is_default:
        _clear_default(session, user)
    row = ShippingAddress(user_id=user.id, is_default=is_default, **clean)  # type: ignore[arg-type]
    session.add(row)
    session.flush()
    return _view(row)


def update_address(session: Session, *, user: User, address_id: object, fields: object) -> AddressView:
    """Change an address's fields. Does not commit. NotFound("address_not_found"),
    ValidationError("shipping_invalid", fields=...)."""
    row = _own(session, user=user, address_id=address_id)
    clean = validate_shipping(fields)
    for name, value in clean.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    return _view(row)


def set_default_address(session: Session, *, user: User, address_id: object) -> AddressView:
    """Make one address the default. Does not commit. NotFound("address_not_found")."""
    row = _own(session, user=user, address_id=address_id)
    row_id = row.id
    _clear_default(session, user)
    row = session.get(ShippingAddress, row_id)  # type: ignore[assignment]
    row.is_default = True
    session.add(row)
    session.flush()
    return _view(row)


def remove_address(session: Session, *, user: User, address_id: object) -> None:
    """Delete an address; if it was the default, the oldest remaining one takes over.
    Does not commit. NotFound("address_not_found")."""
    row = _own(session, user=user, address_id=address_id)
    was_default = row.is_default
    session.delete(row)
    session.flush()
    if was_default:
        successor = session.exec(
            select(ShippingAddress).where(ShippingAddress.user_id == user.id).order_by(col(ShippingAddress.id))
        ).first()
        if successor is not None:
            successor.is_default = True
            session.add(successor)
            session.flush()


def save_from_checkout(session: Session, *, user: User, fields: object) -> AddressView | None:
    """Checkout's "save this address": added unless the same address is already saved.
    Returns the saved address, or None when it was there already (or the book is full).
    Does not commit; ValidationError("shipping_invalid", ...)."""
    clean = validate_shipping(fields)
    for existing in list_addresses(session, user=user):
        if existing.fields() == clean:
            return None
    try:
        return add_address(session, user=user, fields=clean)
    except Conflict:
        return None
