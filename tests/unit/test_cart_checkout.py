"""Checkout defects found by trying it as a shopper: the cart's app, quantities, subjects."""

from __future__ import annotations

import pytest
from sqlmodel import select

from socialshop.models import CartItem, Order, Payment
from socialshop.services import cart, checkout, pay_apps
from socialshop.services.errors import Conflict, ValidationError
from tests.unit.factories import (
    SHIPPING,
    assert_books_balance,
    authorized_key,
    make_buyer,
    make_product,
    stock_of,
)


def test_cart_lines_are_paid_in_the_app_they_were_found_in(session):
    user, method = make_buyer(session)
    from_instagram = make_product(session, price_cents=1500)
    from_facebook = make_product(session, price_cents=700)
    cart.add_to_cart(session, user=user, product_id=from_instagram.id, app="instagram")
    cart.add_to_cart(session, user=user, product_id=from_facebook.id, app="facebook")
    session.commit()

    view = cart.get_cart(session, user=user)
    assert [(a.app, a.total_cents, a.item_count) for a in view.apps] == [("facebook", 700, 1), ("instagram", 1500, 1)]

    key = authorized_key(session, user, app="instagram")
    result = checkout.checkout_cart(session, user=user, key=key, method_id=method.id, shipping=SHIPPING, app="instagram")

    assert result.succeeded and result.total_cents == 1500
    payment = session.get(Payment, result.payment_id)
    order = session.get(Order, result.order_ids[0])
    assert (payment.app, order.app) == ("instagram", "instagram")
    # Only the Instagram line was bought; the Facebook one waits for its own checkout.
    remaining = session.exec(select(CartItem.product_id).where(CartItem.user_id == user.id)).all()
    assert remaining == [from_facebook.id]
    assert stock_of(session, from_facebook.id) == 10
    assert_books_balance(session)


def test_the_cart_line_apps_switch_decides_and_the_message_names_it(session):
    user, method = make_buyer(session)
    product = make_product(session)
    cart.add_to_cart(session, user=user, product_id=product.id, app="instagram")
    session.commit()
    # A key opened while Pay was still on (a second tab), then Instagram is switched off.
    key = authorized_key(session, user, app="instagram")
    pay_apps.set_activation(session, user=user, app="instagram", enabled=False)
    session.commit()

    with pytest.raises(Conflict) as refused:
        checkout.checkout_cart(session, user=user, key=key, method_id=method.id, shipping=SHIPPING, app="instagram")
    assert refused.value.code == "pay_disabled_in_app" and refused.value.params["app"] == "instagram"

    # The Instagram line cannot be smuggled through a Facebook checkout either.
    facebook_key = authorized_key(session, user, app="facebook")
    with pytest.raises(ValidationError) as empty:
        checkout.checkout_cart(
            session, user=user, key=facebook_key, method_id=method.id, shipping=SHIPPING, app="facebook"
        )
    assert empty.value.code == "cart_empty"
    assert session.exec(select(Payment)).all() == [] and stock_of(session, product.id) == 10


@pytest.mark.parametrize("quantity", [0, -1, 100, "lots", None])
def test_a_quantity_out_of_range_is_refused_before_any_pin(session, quantity):
    product = make_product(session, stock=500)
    session.commit()
    with pytest.raises(ValidationError) as refused:
        checkout.preview_lines(session, items=[(product.id, quantity)])
    assert refused.value.code == "quantity_out_of_range"
    assert (refused.value.params["min"], refused.value.params["max"]) == (1, checkout.MAX_QUANTITY)


def test_more_than_the_stock_is_refused_before_any_pin_naming_the_stock(session):
    product = make_product(session, title="Mug", stock=3)
    session.commit()
    with pytest.raises(Conflict) as refused:
        checkout.preview_lines(session, items=[(product.id, 4)])
    assert refused.value.code == "not_enough_stock"
    assert (refused.value.params["product"], refused.value.params["available"]) == ("Mug", 3)
    assert [row.id for row in checkout.preview_lines(session, items=[(product.id, 3)])] == [product.id]


def test_an_attempt_remembers_what_its_sheet_was_opened_for(session):
    user, _ = make_buyer(session)
    attempt = checkout.open_attempt(session, user=user, kind="purchase", app="facebook", subject="product:7x1")
    assert attempt.subject == "product:7x1"
    for bad in ("x" * 65, 12, ["product:7x1"]):
        with pytest.raises(ValidationError) as refused:
            checkout.open_attempt(session, user=user, kind="purchase", app="facebook", subject=bad)
        assert refused.value.code == "subject_invalid"
