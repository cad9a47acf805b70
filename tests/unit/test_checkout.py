import datetime as dt

import pytest
from sqlmodel import func, select

from socialshop.models import (
    CartItem,
    LedgerEntry,
    Order,
    OrderEvent,
    OrderItem,
    Payment,
    Product,
    utcnow,
)
from socialshop.money import engine
from socialshop.services import checkout, ledger
from socialshop.services.errors import Conflict, NotFound, ValidationError
from tests.unit.factories import (
    DECLINE_CARDS,
    PIN,
    SHIPPING,
    SpyProvider,
    assert_books_balance,
    attempt_of,
    authorized_key,
    install_provider,
    make_buyer,
    make_product,
    make_shop,
    make_user,
    stock_of,
)


def buy(session, user, key, items, method, **kwargs):
    args = {"shipping": SHIPPING, "app": "facebook", **kwargs}
    return checkout.checkout_items(session, user=user, key=key, items=items, method_id=method.id, **args)


def count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def spy(monkeypatch):
    provider = SpyProvider()
    install_provider(monkeypatch, provider)
    return provider


def test_fee_follows_the_shops_package():
    assert checkout.fee_for(1000, "growth").fee_cents == 40  # 39.9 rounds half up
    assert checkout.fee_for(1010, "pro").fee_cents == 29 + 30  # 29.29 + flat 30
    small = checkout.fee_for(800, "starter")
    assert (small.package, small.commission_cents, small.flat_cents, small.fee_cents) == ("starter", 40, 40, 80)
    assert checkout.fee_for(801, "starter").flat_cents == 0
    # Orders made before packages (or a package that no longer exists) fall back to the default.
    assert checkout.fee_for(1000, "").package == "starter"


def test_single_shop_purchase(session, spy):
    user, method = make_buyer(session)
    shop = make_shop(session, name="Bottega Verde", fee_package="pro")
    mug = make_product(session, shop=shop, title="Mug", price_cents=1250, stock=5)
    tea = make_product(session, shop=shop, title="Tea", price_cents=510, stock=2)
    session.add(CartItem(user_id=user.id, product_id=mug.id, quantity=2))
    session.add(CartItem(user_id=user.id, product_id=tea.id, quantity=1))
    other_line = make_product(session)
    session.add(CartItem(user_id=user.id, product_id=other_line.id, quantity=1))
    session.commit()
    key = authorized_key(session, user, real_pin=True)

    result = buy(session, user, key, [(mug.id, 2), (tea.id, "1")], method)

    assert result.status == "succeeded" and result.succeeded
    assert result.total_cents == 3010 and result.currency == "EUR"
    order = session.get(Order, result.order_ids[0])
    assert result.order_numbers == (order.number,) and order.number.startswith("SS-")
    # Pro: 2.9% of 30.10 = 87.29 -> 87, plus the 30 cent flat fee.
    assert (order.status, order.subtotal_cents, order.fee_cents) == ("paid", 3010, 117)
    assert (order.fee_package, order.fee_flat_cents) == ("pro", 30)
    assert order.paid_at is not None and order.ship_city == "Milano" and order.ship_country == "IT"
    items = session.exec(select(OrderItem).where(OrderItem.order_id == order.id).order_by(OrderItem.id)).all()
    assert [(i.title, i.unit_price_cents, i.quantity) for i in items] == [("Mug", 1250, 2), ("Tea", 510, 1)]
    events = session.exec(select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)).all()
    assert [(e.from_status, e.to_status, e.actor_id) for e in events] == [(None, "pending", user.id), ("pending", "paid", user.id)]
    payment = session.get(Payment, result.payment_id)
    assert (payment.kind, payment.amount_cents, payment.method_id, payment.counterparty_shop_id) == ("purchase", 3010, method.id, shop.id)
    assert payment.counterparty_label == "Bottega Verde" and payment.idempotency_key == key
    assert (stock_of(session, mug.id), stock_of(session, tea.id)) == (3, 1)
    # Only the bought products leave the cart.
    assert session.exec(select(CartItem.product_id).where(CartItem.user_id == user.id)).all() == [other_line.id]
    assert len(spy.charges) == 1 and spy.charges[0]["idempotency_key"] == key and spy.charges[0]["amount_cents"] == 3010
    assert ledger.balance(session, account_code=ledger.external_method_account(method.id)) == -3010
    assert ledger.balance(session, account_code=ledger.merchant_account(shop.id)) == 3010 - 117
    assert ledger.balance(session, account_code=ledger.platform_fees_account()) == 117
    assert attempt_of(session, key).status == "succeeded"
    assert_books_balance(session)


def test_one_charge_one_order_per_shop(session, spy):
    user, method = make_buyer(session)
    a, b = make_shop(session, fee_package="starter"), make_shop(session, fee_package="growth")
    pa = make_product(session, shop=a, price_cents=1000)
    pb = make_product(session, shop=b, price_cents=2000)
    session.commit()
    key = authorized_key(session, user)
    result = buy(session, user, key, [(pb.id, 1), (pa.id, 3)], method)
    assert result.status == "succeeded" and result.total_cents == 5000
    assert len(result.order_ids) == 2 and len(spy.charges) == 1
    assert result.order_numbers[0].endswith("-1") and result.order_numbers[1].endswith("-2")
    orders = [session.get(Order, i) for i in result.order_ids]
    # Each shop's own package: starter 5% of 30.00; growth 3.99% of 20.00 = 79.8 -> 80.
    assert [(o.shop_id, o.subtotal_cents, o.fee_cents, o.fee_package) for o in orders] == [
        (a.id, 3000, 150, "starter"), (b.id, 2000, 80, "growth")]
    assert {o.payment_id for o in orders} == {result.payment_id}
    assert session.get(Payment, result.payment_id).counterparty_shop_id is None
    assert ledger.balance(session, account_code=ledger.merchant_account(a.id)) == 2850
    assert ledger.balance(session, account_code=ledger.merchant_account(b.id)) == 1920
    assert ledger.balance(session, account_code=ledger.platform_fees_account()) == 230
    assert_books_balance(session)


@pytest.mark.parametrize("card", sorted(DECLINE_CARDS))
def test_declined_cards_charge_nothing_and_keep_the_stock(session, card):
    user, method = make_buyer(session, number=card)
    product = make_product(session, stock=3)
    session.add(CartItem(user_id=user.id, product_id=product.id, quantity=1))
    session.commit()
    key = authorized_key(session, user)
    result = buy(session, user, key, [(product.id, 2)], method)
    assert result.status == "failed"
    assert result.failure_code == DECLINE_CARDS[card] and result.failure_message
    assert result.payment_id is None and result.order_ids == ()
    assert stock_of(session, product.id) == 3
    assert count(session, Payment) == 0 and count(session, Order) == 0 and count(session, LedgerEntry) == 0
    assert count(session, CartItem) == 1
    # The attempt stays failed: a replay answers the same, a new attempt is needed.
    assert buy(session, user, key, [(product.id, 2)], method) == result
    assert_books_balance(session)


def test_a_replayed_key_does_not_charge_again(session, spy):
    user, method = make_buyer(session)
    product = make_product(session, stock=5)
    session.commit()
    key = authorized_key(session, user)
    first = buy(session, user, key, [(product.id, 2)], method)
    # Even with other items, or garbage, the key answers with its first result.
    assert buy(session, user, key, [(product.id, 1)], method) == first
    assert buy(session, user, key, [], method) == first
    assert checkout.attempt_result(session, user=user, key=key) == first
    assert len(spy.charges) == 1 and count(session, Payment) == 1
    assert stock_of(session, product.id) == 3
    assert_books_balance(session)


def test_the_pin_must_authorize_the_attempt(session, monkeypatch):
    user, method = make_buyer(session)
    product = make_product(session)
    session.commit()
    attempt = checkout.open_attempt(session, user=user, kind="purchase", app="facebook")
    session.commit()
    key = attempt.idempotency_key
    with pytest.raises(Conflict) as info:
        buy(session, user, key, [(product.id, 1)], method)
    assert info.value.code == "pin_required"
    with pytest.raises(ValidationError) as info:
        checkout.authorize_attempt(session, user=user, key=key, pin="1111")
    assert info.value.code == "pin_wrong"
    session.rollback()
    with pytest.raises(Conflict):
        buy(session, user, key, [(product.id, 1)], method)
    checkout.authorize_attempt(session, user=user, key=key, pin=PIN)
    session.commit()
    # Ten minutes later the authorization has expired.
    later = utcnow() + checkout.PIN_AUTH_TTL + dt.timedelta(seconds=5)
    with monkeypatch.context() as m:
        m.setattr(engine, "_now", lambda: later)
        with pytest.raises(Conflict) as info:
            buy(session, user, key, [(product.id, 1)], method)
        assert info.value.code == "pin_required"
    assert buy(session, user, key, [(product.id, 1)], method).succeeded
    with pytest.raises(Conflict) as info:
        checkout.authorize_attempt(session, user=user, key=key, pin=PIN)
    assert info.value.code == "attempt_not_open"


def _nothing_changed(session, key, product, stock):
    assert stock_of(session, product.id) == stock
    assert attempt_of(session, key).status == "open"
    assert count(session, Payment) == 0 and count(session, LedgerEntry) == 0


@pytest.mark.parametrize("quantity", [0, -1, "abc", "", None, 1.5, True, "2.0", 100, [1]])
def test_invalid_quantities(session, quantity):
    user, method = make_buyer(session)
    product = make_product(session, stock=500)
    session.commit()
    key = authorized_key(session, user)
    with pytest.raises(ValidationError) as info:
        buy(session, user, key, [(product.id, quantity)], method)
    assert info.value.code == "quantity_out_of_range"
    _nothing_changed(session, key, product, 500)


def test_above_stock_says_how_many_are_left(session):
    user, method = make_buyer(session)
    product = make_product(session, title="Lamp", stock=2)
    session.commit()
    key = authorized_key(session, user)
    for items in ([(product.id, 3)], [(product.id, 2), (product.id, 1)]):
        with pytest.raises(Conflict) as info:
            buy(session, user, key, items, method)
        assert info.value.code == "not_enough_stock"
        assert info.value.params == {"product": "Lamp", "available": 2, "requested": 3}
    _nothing_changed(session, key, product, 2)
    assert buy(session, user, key, [(product.id, 2)], method).succeeded


@pytest.mark.parametrize("items", [[], (), None, "1,2", {}])
def test_empty_cart(session, items):
    user, method = make_buyer(session)
    product = make_product(session)
    session.commit()
    key = authorized_key(session, user)
    with pytest.raises(ValidationError) as info:
        buy(session, user, key, items, method)
    assert info.value.code == "cart_empty"
    _nothing_changed(session, key, product, 10)


def test_unavailable_products(session):
    user, method = make_buyer(session)
    gone_shop = make_shop(session)
    of_deleted_shop = make_product(session, shop=gone_shop, title="Vase")
    gone_shop.deleted_at = utcnow()
    inactive = make_product(session, title="Old", active=False)
    session.commit()
    key = authorized_key(session, user)
    for product in (of_deleted_shop, inactive):
        with pytest.raises(Conflict) as info:
            buy(session, user, key, [(product.id, 1)], method)
        assert info.value.code == "product_unavailable" and info.value.params == {"product": product.title}
        _nothing_changed(session, key, product, 10)
    for missing in (999_999, "abc", -3, None):
        with pytest.raises(NotFound) as info:
            buy(session, user, key, [(missing, 1)], method)
        assert info.value.code == "product_not_found"
    with pytest.raises(ValidationError) as info:
        buy(session, user, key, [(inactive.id,)], method)
    assert info.value.code == "cart_item_invalid"


def test_mixed_currencies_are_refused(session):
    user, method = make_buyer(session)
    eur = make_product(session)
    usd = make_product(session, currency="USD")
    session.commit()
    key = authorized_key(session, user)
    with pytest.raises(ValidationError) as info:
        buy(session, user, key, [(eur.id, 1), (usd.id, 1)], method)
    assert info.value.code == "currency_mixed"


def test_other_users_attempts_and_cards_are_not_found(session):
    user, method = make_buyer(session)
    thief, thief_method = make_buyer(session)
    product = make_product(session)
    session.commit()
    key = authorized_key(session, user)
    for bad_key in (key, "", None, 42, "x" * 65, "nope"):
        with pytest.raises(NotFound) as info:
            buy(session, thief, bad_key, [(product.id, 1)], thief_method)
        assert info.value.code == "attempt_not_found"
        with pytest.raises(NotFound):
            checkout.get_attempt(session, user=thief, key=bad_key)
    with pytest.raises(NotFound) as info:
        buy(session, user, key, [(product.id, 1)], thief_method)
    assert info.value.code == "method_not_found"
    _nothing_changed(session, key, product, 10)


@pytest.mark.parametrize(
    ("shipping", "fields"),
    [
        ({**SHIPPING, "name": "  "}, {"name": "required"}),
        ({**SHIPPING, "country": "Italy"}, {"country": "too_long"}),
        ({**SHIPPING, "country": "XX"}, {"country": "invalid"}),
        ({**SHIPPING, "city": "x" * 101}, {"city": "too_long"}),
        ({**SHIPPING, "postal_code": "<b>"}, {"postal_code": "invalid"}),
        ({**SHIPPING, "line1": 5}, {"line1": "invalid"}),
        (None, {name: "required" for name in ("name", "line1", "city", "postal_code", "country")}),
    ],
)
def test_shipping_is_validated(session, shipping, fields):
    user, method = make_buyer(session)
    product = make_product(session)
    session.commit()
    key = authorized_key(session, user)
    with pytest.raises(ValidationError) as info:
        buy(session, user, key, [(product.id, 1)], method, shipping=shipping)
    assert info.value.code == "shipping_invalid" and info.value.params == {"fields": fields}
    _nothing_changed(session, key, product, 10)


def test_lowercase_country_is_normalized(session):
    user, method = make_buyer(session)
    product = make_product(session)
    session.commit()
    key = authorized_key(session, user)
    result = buy(session, user, key, [(product.id, 1)], method, shipping={**SHIPPING, "country": "de"})
    assert session.get(Order, result.order_ids[0]).ship_country == "DE"


def test_attempt_kind_and_app_must_match(session):
    user, method = make_buyer(session)
    product = make_product(session)
    session.commit()
    donation_key = authorized_key(session, user, kind="donation")
    with pytest.raises(Conflict) as info:
        buy(session, user, donation_key, [(product.id, 1)], method)
    assert info.value.code == "attempt_kind_mismatch"
    key = authorized_key(session, user, app="facebook")
    for app, code in (("instagram", "app_invalid"), ("tiktok", "app_invalid")):
        with pytest.raises(ValidationError) as info:
            buy(session, user, key, [(product.id, 1)], method, app=app)
        assert info.value.code == code
    for kind, app in (("gift", "facebook"), ("purchase", "orkut")):
        with pytest.raises(ValidationError):
            checkout.open_attempt(session, user=user, kind=kind, app=app)


def test_a_gateway_outage_is_never_reported_as_nothing_charged(session, monkeypatch):
    """The old behaviour failed the attempt and released the stock: a charge whose answer
    was lost then stayed on the card while "try again" charged a second time."""
    from socialshop.payments.base import ProviderUnavailable

    class Down(SpyProvider):
        def charge(self, **kwargs):
            raise ProviderUnavailable("timeout")

    user, method = make_buyer(session)
    product = make_product(session, stock=4)
    session.commit()
    install_provider(monkeypatch, Down())
    key = authorized_key(session, user)
    result = buy(session, user, key, [(product.id, 2)], method)
    assert (result.status, result.failure_code) == ("confirming", "")
    # Still reserved: whether it was charged is not known yet.
    assert stock_of(session, product.id) == 2 and count(session, Payment) == 0
    assert buy(session, user, key, [(product.id, 2)], method).status == "confirming"
    assert_books_balance(session)


def test_recording_failure_after_a_charge_refunds_it(session, monkeypatch):
    spy = SpyProvider()
    install_provider(monkeypatch, spy)
    user, method = make_buyer(session)
    product = make_product(session, stock=4)
    session.commit()
    key = authorized_key(session, user)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    with monkeypatch.context() as m:
        m.setattr(ledger, "post_transactions", broken)
        with pytest.raises(RuntimeError):
            buy(session, user, key, [(product.id, 1)], method)
    assert len(spy.charges) == 1 and len(spy.refunds) == 1
    assert spy.refunds[0]["idempotency_key"] == f"refund:attempt:{key}"
    attempt = attempt_of(session, key)
    assert (attempt.status, attempt.failure_code) == ("failed", "processing_error")
    assert stock_of(session, product.id) == 4 and count(session, Payment) == 0 and count(session, Order) == 0
    assert_books_balance(session)


def test_stale_objects_in_the_callers_session_do_not_oversell(session):
    user, method = make_buyer(session)
    product = make_product(session, stock=1)
    session.commit()
    key = authorized_key(session, user)
    session.get(Product, product.id)  # cached with stock=1
    assert buy(session, user, key, [(product.id, 1)], method).succeeded
    key2 = authorized_key(session, user)
    with pytest.raises(Conflict) as info:
        buy(session, user, key2, [(product.id, 1)], method)
    assert info.value.params["available"] == 0
    assert stock_of(session, product.id) == 0


def test_buyer_cannot_be_anyone_else(session):
    user, method = make_buyer(session)
    other = make_user(session)
    product = make_product(session)
    session.commit()
    key = authorized_key(session, user)
    result = buy(session, user, key, [(product.id, 1)], method)
    assert session.get(Order, result.order_ids[0]).buyer_id == user.id
    assert session.get(Payment, result.payment_id).payer_id == user.id
    with pytest.raises(NotFound):
        checkout.attempt_result(session, user=other, key=key)
