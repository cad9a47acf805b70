"""The Pay overview: default method, switches, this month's spending, last payments, attention items."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlmodel import select

from socialshop.models import AttemptStatus, CheckoutAttempt, Payment, PaymentMethod, PayProfile, utcnow
from socialshop.services import checkout, pay_apps, pay_overview, payment_methods
from socialshop.services.money import format_money
from tests.unit.factories import SHIPPING, add_card, authorized_key, make_buyer, make_product, make_user


def _buy(session, user, method, product, quantity=1, app="facebook"):
    key = authorized_key(session, user, app=app)
    result = checkout.checkout_items(
        session, user=user, key=key, items=[(product.id, quantity)], method_id=method.id, shipping=SHIPPING, app=app,
    )
    assert result.succeeded
    return result


def test_a_fresh_user_sees_an_empty_overview_and_is_asked_for_a_pin(session):
    user = make_user(session, with_pin=False)
    view = pay_overview.overview(session, user=user)
    assert view.default_method is None
    assert view.apps == {"facebook": True, "instagram": True, "messenger": True, "whatsapp": True}
    assert view.month_spending == [] and view.recent == []
    assert [(i.kind, i.link) for i in view.attention] == [("pin_not_set", "/pay/security")]


def test_default_method_switches_and_spending(session):
    user, visa = make_buyer(session)
    second = add_card(session, user, "5555555555554444")
    payment_methods.set_default(session, user=user, method_id=second.id)
    pay_apps.set_activation(session, user=user, app="whatsapp", enabled=False)
    product = make_product(session, price_cents=1_250)
    session.commit()
    _buy(session, user, visa, product, 2)
    _buy(session, user, visa, product, 1, app="instagram")
    other, other_card = make_buyer(session)
    _buy(session, other, other_card, product, 3)

    view = pay_overview.overview(session, user=user)

    assert view.default_method.last4 == "4444" and view.default_method.expired is False
    assert view.apps["whatsapp"] is False and view.apps["facebook"] is True
    assert view.month_spending == [("EUR", 3 * 1_250)]
    assert format_money(view.month_spending[0][1], "EUR", "it") == "€\xa037,50"
    assert [p.amount_cents for p in view.recent] == [1_250, 2_500]  # newest first, only mine
    assert view.attention == []


def test_spending_counts_this_month_less_refunds_and_no_failures(session):
    user, card = make_buyer(session)
    product = make_product(session, price_cents=1_000)
    session.commit()
    first = _buy(session, user, card, product, 1)
    second = _buy(session, user, card, product, 2)
    third = _buy(session, user, card, product, 3)
    session.exec(update(Payment).where(Payment.id == first.payment_id).values(refunded_cents=400))
    session.exec(update(Payment).where(Payment.id == second.payment_id).values(status="failed"))
    last_month = pay_apps.month_start(utcnow()) - dt.timedelta(hours=1)
    session.exec(update(Payment).where(Payment.id == third.payment_id).values(created_at=last_month))
    session.commit()
    assert pay_overview.month_spending(session, user=user) == [("EUR", 600)]


def test_the_last_payments_are_capped(session):
    user, card = make_buyer(session)
    product = make_product(session, price_cents=100, stock=50)
    session.commit()
    for _ in range(pay_overview.RECENT_PAYMENTS + 2):
        _buy(session, user, card, product)
    assert len(pay_overview.recent_payments(session, user=user)) == pay_overview.RECENT_PAYMENTS
    assert len(pay_overview.recent_payments(session, user=user, limit=10**9)) == pay_overview.RECENT_PAYMENTS


def test_attention_items_expired_card_locked_pin_confirming(session):
    user, card = make_buyer(session)
    now = utcnow()
    # An expired card (the seed's cards expire in the future; this one ended last year).
    session.exec(update(PaymentMethod).where(PaymentMethod.id == card.id).values(exp_year=now.year - 1))
    until = now + dt.timedelta(minutes=15)
    session.exec(update(PayProfile).where(PayProfile.user_id == user.id).values(pin_locked_until=until))
    key = authorized_key(session, user)
    session.exec(
        update(CheckoutAttempt).where(CheckoutAttempt.idempotency_key == key)
        .values(status=AttemptStatus.CONFIRMING.value)
    )
    session.commit()

    items = pay_overview.attention_items(session, user=user, now=now)

    assert [i.kind for i in items] == ["card_expired", "pin_locked", "payments_confirming"]
    assert items[0].params == {"brand": "Visa", "last4": "4242"} and items[0].link == "/pay/methods"
    assert items[1].params["until"].replace(tzinfo=None) == until.replace(tzinfo=None)
    assert items[2].params == {"count": 1} and items[2].link == "/pay/history"
    view = pay_overview.overview(session, user=user, now=now)
    assert view.default_method.expired is True
    # A lock that has run out is no longer news.
    later = pay_overview.attention_items(session, user=user, now=until + dt.timedelta(seconds=1))
    assert [i.kind for i in later] == ["card_expired", "payments_confirming"]


def test_a_card_is_good_through_its_expiry_month():
    now = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)
    assert not pay_overview.card_expired(11, 2026, now)
    assert pay_overview.card_expired(10, 2026, now)
    assert pay_overview.card_expired(12, 2025, now)
    assert not pay_overview.card_expired(1, 2027, now)


def test_other_users_attention_is_not_mine(session):
    user, _ = make_buyer(session)
    other, card = make_buyer(session)
    session.exec(update(PaymentMethod).where(PaymentMethod.id == card.id).values(exp_year=2000))
    session.commit()
    assert pay_overview.attention_items(session, user=user) == []
    assert session.exec(select(PaymentMethod.user_id).where(PaymentMethod.exp_year == 2000)).one() == other.id


def test_every_attention_kind_has_a_message():
    from socialshop.i18n import CATALOG

    for kind in ("card_expired", "pin_locked", "payments_confirming", "pin_not_set"):
        assert f"overview.attention.{kind}" in CATALOG


def test_a_conversation_handed_to_support_needs_attention_until_closed(session):
    from socialshop.services import support

    user = make_user(session)
    support.send_message(session, user=user, conversation_id=None, text="where is my refund?")
    session.commit()
    kinds = lambda: [i.kind for i in pay_overview.overview(session, user=user).attention]  # noqa: E731
    assert "support_open" not in kinds()  # the assistant alone answered: nothing to chase
    conversation = support.current_conversation(session, user=user)
    support.request_handover(session, user=user, conversation_id=conversation.id)
    session.commit()
    assert "support_open" in kinds()
    support.close_conversation(session, user=user, conversation_id=conversation.id)
    session.commit()
    assert "support_open" not in kinds()
