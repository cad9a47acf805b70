"""Contact details and the address book: validation per field, one default, owner only."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from socialshop.models import ShippingAddress, User
from socialshop.services import contact
from socialshop.services.errors import Conflict, NotFound, ValidationError
from tests.unit.factories import SHIPPING, make_user

HOME = {"name": "Ada Lovelace", "line1": "Via Roma 1", "city": "Milano", "postal_code": "20121", "country": "IT"}
WORK = {"name": "Ada L.", "line1": "Rue de Rivoli 5", "city": "Paris", "postal_code": "75001", "country": "fr"}


def _count(session, user) -> int:
    return session.exec(select(func.count()).select_from(ShippingAddress).where(ShippingAddress.user_id == user.id)).one()


# ---------------------------------------------------------------- email


def test_email_is_normalized_and_saved(session):
    user = make_user(session)
    assert contact.update_email(session, user=user, email="  Ada.New@Example.COM ") == "ada.new@example.com"
    assert session.get(User, user.id).email == "ada.new@example.com"


@pytest.mark.parametrize("email", ["", "   ", "not-an-email", "a@", "@b.it", None, 42, "a b@c.it"])
def test_bad_emails_are_refused(session, email):
    user = make_user(session)
    before = user.email
    with pytest.raises(ValidationError) as info:
        contact.update_email(session, user=user, email=email)
    assert info.value.code == "email_invalid"
    assert session.get(User, user.id).email == before


def test_another_accounts_email_is_refused_in_any_case(session):
    user, other = make_user(session), make_user(session)
    # A row stored before emails were lowercased still counts.
    other.email = "Taken@Example.com"
    session.add(other)
    session.flush()
    for variant in ("taken@example.com", "TAKEN@EXAMPLE.COM"):
        with pytest.raises(Conflict) as info:
            contact.update_email(session, user=user, email=variant)
        assert info.value.code == "email_in_use"
    # Your own email in another case is fine.
    assert contact.update_email(session, user=user, email=user.email.upper()) == user.email.lower()


# ---------------------------------------------------------------- phone


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("+39 333 123 4567", "+393331234567"), ("333 1234567", "+393331234567"), ("+1 (202) 555-0143", "+12025550143"),
     ("02 1234 5678", "+390212345678"), ("", ""), ("   ", ""), (None, "")],
)
def test_phone_numbers_are_stored_in_e164(session, raw, stored):
    user = make_user(session)
    assert contact.update_phone(session, user=user, phone=raw) == stored
    assert session.get(User, user.id).phone_number == (stored or None)


@pytest.mark.parametrize(
    ("raw", "code"),
    [("12", "phone_number_invalid"), ("+39 12", "phone_number_invalid"), ("call me", "phone_number_invalid"),
     ("+999 1234567", "phone_number_invalid"), ("+39 333 123 4567 ext. 99999999999999", "phone_too_long"),
     (3331234567, "phone_number_invalid"), (["+393331234567"], "phone_number_invalid")],
)
def test_bad_phone_numbers_are_refused(session, raw, code):
    user = make_user(session)
    contact.update_phone(session, user=user, phone="+393331234567")
    with pytest.raises(ValidationError) as info:
        contact.update_phone(session, user=user, phone=raw)
    assert info.value.code == code
    assert session.get(User, user.id).phone_number == "+393331234567"


# ---------------------------------------------------------------- addresses


def test_first_address_is_the_default_and_the_default_moves(session):
    user = make_user(session)
    home = contact.add_address(session, user=user, fields=HOME)
    work = contact.add_address(session, user=user, fields=WORK)
    assert home.is_default and not work.is_default
    assert work.country == "FR"  # normalized
    contact.set_default_address(session, user=user, address_id=str(work.id))
    listed = contact.list_addresses(session, user=user)
    assert [(a.id, a.is_default) for a in listed] == [(work.id, True), (home.id, False)]
    assert contact.default_address(session, user=user).id == work.id
    third = contact.add_address(session, user=user, fields={**HOME, "line1": "Via Po 3"}, make_default=True)
    assert [a.id for a in contact.list_addresses(session, user=user) if a.is_default] == [third.id]


def test_removing_the_default_hands_it_to_the_oldest(session):
    user = make_user(session)
    home = contact.add_address(session, user=user, fields=HOME)
    work = contact.add_address(session, user=user, fields=WORK)
    contact.remove_address(session, user=user, address_id=home.id)
    assert [(a.id, a.is_default) for a in contact.list_addresses(session, user=user)] == [(work.id, True)]
    contact.remove_address(session, user=user, address_id=work.id)
    assert contact.default_address(session, user=user) is None


def test_edit_an_address(session):
    user = make_user(session)
    home = contact.add_address(session, user=user, fields=HOME)
    edited = contact.update_address(session, user=user, address_id=home.id, fields={**HOME, "city": "Torino"})
    assert edited.city == "Torino" and edited.is_default
    assert contact.address_fields(session, user=user, address_id=home.id)["city"] == "Torino"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("name", "", "required"), ("name", "x" * 121, "too_long"), ("line1", "  ", "required"),
     ("city", "Mil\x00ano", "invalid"), ("postal_code", "20/121", "invalid"), ("country", "XX", "invalid"),
     ("country", "ITA", "too_long"), ("city", 5, "invalid")],
)
def test_each_bad_field_gets_its_own_code(session, field, value, code):
    user = make_user(session)
    home = contact.add_address(session, user=user, fields=HOME)
    for call in (
        lambda: contact.add_address(session, user=user, fields={**HOME, field: value}),
        lambda: contact.update_address(session, user=user, address_id=home.id, fields={**HOME, field: value}),
    ):
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.code == "shipping_invalid"
        assert info.value.params["fields"] == {field: code}
    assert _count(session, user) == 1
    assert contact.list_addresses(session, user=user)[0].fields() == {**HOME}


def test_every_field_error_has_a_message_in_both_languages():
    from socialshop.i18n import CATALOG

    for field in HOME:
        for code in ("required", "too_long", "invalid"):
            assert f"contact.error.{field}.{code}" in CATALOG


def test_address_book_has_a_size_limit(session):
    user = make_user(session)
    for i in range(contact.MAX_ADDRESSES):
        contact.add_address(session, user=user, fields={**HOME, "line1": f"Via Roma {i}"})
    with pytest.raises(Conflict) as info:
        contact.add_address(session, user=user, fields={**HOME, "line1": "One too many"})
    assert info.value.code == "address_limit"
    assert _count(session, user) == contact.MAX_ADDRESSES


@pytest.mark.parametrize("forged", ["other", "999999", "abc", None, -1, 1.5, {"id": 1}])
def test_forged_address_ids_are_refused(session, forged):
    user, other = make_user(session), make_user(session)
    mine = contact.add_address(session, user=user, fields=HOME)
    theirs = contact.add_address(session, user=other, fields=WORK)
    target = theirs.id if forged == "other" else forged
    for call in (
        lambda: contact.update_address(session, user=user, address_id=target, fields=HOME),
        lambda: contact.remove_address(session, user=user, address_id=target),
        lambda: contact.set_default_address(session, user=user, address_id=target),
        lambda: contact.address_fields(session, user=user, address_id=target),
    ):
        with pytest.raises(NotFound) as info:
            call()
        assert info.value.code == "address_not_found"
    assert contact.list_addresses(session, user=other)[0].fields() == {**WORK, "country": "FR"}
    assert contact.list_addresses(session, user=other)[0].is_default
    assert contact.list_addresses(session, user=user)[0].id == mine.id


def test_only_one_default_even_when_written_directly(session):
    """The partial unique index is the last guard, should a bug mark two defaults."""
    from sqlalchemy.exc import IntegrityError

    user = make_user(session)
    contact.add_address(session, user=user, fields=HOME)
    session.commit()
    session.add(ShippingAddress(user_id=user.id, is_default=True, **WORK))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_checkout_saves_a_new_address_once(session):
    user = make_user(session)
    assert contact.save_from_checkout(session, user=user, fields=SHIPPING) is not None
    assert contact.save_from_checkout(session, user=user, fields={**SHIPPING, "city": "  Milano "}) is None
    assert _count(session, user) == 1
    with pytest.raises(ValidationError):
        contact.save_from_checkout(session, user=user, fields={**SHIPPING, "country": "??"})
    assert _count(session, user) == 1


# ---------------------------------------------------------------- checkout with the address book


def _checkout_request(session, user, token, product, **details):
    from socialshop.services import checkout
    from socialshop.state.checkout import PaymentRequest
    from tests.unit.factories import PIN

    attempt = checkout.open_attempt(session, user=user, kind="purchase", app="facebook")
    session.commit()
    return PaymentRequest(
        auth_token=token, attempt_key=attempt.idempotency_key, pin=PIN, card=None, method_id=details.pop("method_id"),
        details={"mode": "product", "product_id": product.id, "quantity": 1, "app": "facebook", "shipping": None,
                 "address_id": None, "save_address": False, **details},
    )


def test_checkout_ships_to_a_saved_address_refuses_a_forged_one_and_saves_a_new_one(session):
    from socialshop.models import Order, PayProfile
    from socialshop.services import accounts
    from socialshop.state.checkout import CheckoutState
    from tests.unit.factories import add_card, make_product, pin_hash

    login = accounts.sign_up_and_log_in(session, email="book@example.com", password="a-good-pass-42",
                                        display_name="Bea")
    user, token = login.user, login.token
    session.add(PayProfile(user_id=user.id, pin_hash=pin_hash()))
    card = add_card(session, user)
    other = make_user(session)
    theirs = contact.add_address(session, user=other, fields=WORK)
    mine = contact.add_address(session, user=user, fields=HOME)
    product = make_product(session, stock=5)
    session.commit()

    with pytest.raises(NotFound) as info:
        CheckoutState._execute(_checkout_request(session, user, token, product, method_id=card.id,
                                                 address_id=theirs.id))
    assert info.value.code == "address_not_found"
    assert session.exec(select(func.count()).select_from(Order)).one() == 0

    result = CheckoutState._execute(_checkout_request(session, user, token, product, method_id=card.id,
                                                      address_id=mine.id))
    assert result.succeeded
    order = session.get(Order, result.order_ids[0])
    assert (order.ship_line1, order.ship_city) == (HOME["line1"], HOME["city"])

    typed = {**SHIPPING, "line1": "Via Garibaldi 3"}
    for _ in range(2):  # the same address typed twice is saved once
        result = CheckoutState._execute(_checkout_request(session, user, token, product, method_id=card.id,
                                                          shipping=typed, save_address=True))
        assert result.succeeded
    session.expire_all()
    saved = contact.list_addresses(session, user=user)
    assert [a.line1 for a in saved] == [HOME["line1"], "Via Garibaldi 3"]
    assert saved[0].is_default and not saved[1].is_default
