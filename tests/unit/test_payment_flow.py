"""The pay button's work as it runs in a worker thread (PaymentSheetState._execute): PIN,
then a new card, then the payment; a card typed for a refused payment is not kept."""

from __future__ import annotations

import pytest
from sqlmodel import select

from socialshop.models import PaymentMethod, PayProfile, Product, utcnow
from socialshop.services import accounts, payment_methods
from socialshop.services.errors import Conflict
from socialshop.state.checkout import CheckoutState, PaymentRequest
from tests.unit.factories import PIN, SHIPPING, make_product, pin_hash


@pytest.fixture
def shopper(session):
    login = accounts.sign_up_and_log_in(
        session, email="flow@example.com", password="a-good-pass-42", display_name="Flo"
    )
    session.add(PayProfile(user_id=login.user.id, pin_hash=pin_hash()))
    session.commit()
    return login.user, login.token


def _request(session, user, token, product, *, card_number: str, quantity: int = 1) -> PaymentRequest:
    from socialshop.services import checkout

    attempt = checkout.open_attempt(session, user=user, kind="purchase", app="facebook")
    session.commit()
    return PaymentRequest(
        auth_token=token,
        attempt_key=attempt.idempotency_key,
        pin=PIN,
        card={"number": card_number, "exp_month": "12", "exp_year": str(utcnow().year + 2), "cvc": "123",
              "holder_name": "Flo"},
        method_id=None,
        details={"mode": "product", "product_id": product.id, "quantity": quantity, "shipping": SHIPPING,
                 "app": "facebook"},
    )


def _active_cards(session, user) -> list[str]:
    session.expire_all()
    return [m.last4 for m in payment_methods.list_methods(session, user=user)]


def test_a_card_typed_for_a_payment_the_app_refuses_is_not_kept(session, shopper):
    user, token = shopper
    product = make_product(session, title="Lamp", stock=1)
    session.commit()
    request = _request(session, user, token, product, card_number="4242424242424242")
    # Sold out between opening the sheet and paying.
    session.get(Product, product.id).stock = 0
    session.commit()

    with pytest.raises(Conflict) as refused:
        CheckoutState._execute(request)
    assert refused.value.code == "sold_out"
    assert _active_cards(session, user) == []


def test_more_refusals_than_the_card_limit_never_block_adding_a_card(session, shopper):
    user, token = shopper
    product = make_product(session, stock=0)
    session.commit()
    for _ in range(payment_methods.MAX_ACTIVE_METHODS + 2):
        with pytest.raises(Conflict):
            CheckoutState._execute(_request(session, user, token, product, card_number="4242424242424242"))
    product.stock = 5
    session.add(product)
    session.commit()
    result = CheckoutState._execute(_request(session, user, token, product, card_number="4242424242424242"))
    assert result.succeeded
    assert _active_cards(session, user) == ["4242"]


def test_a_declined_new_card_is_forgotten_and_a_confirming_one_is_kept(session, shopper):
    user, token = shopper
    product = make_product(session, stock=5)
    session.commit()
    declined = CheckoutState._execute(_request(session, user, token, product, card_number="4000000000000002"))
    assert declined.status == "failed" and _active_cards(session, user) == []
    # The answer was lost: the card may well have been charged, so it stays on file.
    lost = CheckoutState._execute(_request(session, user, token, product, card_number="4000000000004004"))
    assert lost.status == "confirming" and _active_cards(session, user) == ["4004"]
    removed = session.exec(select(PaymentMethod).where(PaymentMethod.last4 == "0002")).one()
    assert removed.removed_at is not None
