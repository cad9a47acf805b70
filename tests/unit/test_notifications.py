"""Notifications: one per event, written in the event's transaction, readable only by their owner."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import Session, select

from socialshop.db import session_scope
from socialshop.models import Notification, Role, utcnow
from socialshop.services import (
    accounts,
    checkout,
    notifications,
    orders,
    pay_pin,
    payment_methods,
    support,
    transfers,
)
from socialshop.services.errors import Conflict, NotFound, ValidationError
from tests.unit.factories import (
    DECLINE_CARDS,
    PIN,
    SHIPPING,
    SpyProvider,
    add_card,
    authorized_key,
    install_provider,
    make_buyer,
    make_product,
    make_user,
)


def entries(engine, user, kind=None):
    """What another connection sees: only committed entries."""
    with Session(engine) as other:
        query = select(Notification).where(Notification.user_id == user.id)
        if kind is not None:
            query = query.where(Notification.kind == kind)
        return list(other.exec(query.order_by(Notification.id)).all())


def login_token(session, user) -> str:
    token = accounts._open_session(session, user)
    session.commit()
    return token


def buy(session, user, method, product, quantity=1):
    key = authorized_key(session, user, app="instagram")
    result = checkout.checkout_items(
        session, user=user, key=key, items=[(product.id, quantity)], method_id=method.id, shipping=SHIPPING, app="instagram"
    )
    assert result.succeeded
    return result


@pytest.fixture
def spy(monkeypatch):
    provider = SpyProvider()
    install_provider(monkeypatch, provider)
    return provider


def test_a_payment_notifies_the_payer_with_amount_shop_and_app(session, engine, spy):
    user, method = make_buyer(session)
    product = make_product(session, price_cents=1250)
    session.commit()
    result = buy(session, user, method, product, quantity=2)
    (entry,) = entries(engine, user, "payment")
    params = json.loads(entry.params)
    assert params["amount_cents"] == result.total_cents >= 2500
    assert params["app"] == "instagram"
    assert entry.link == f"/pay/history/payment-{result.payment_id}"
    text = notifications.render(entry.kind, entry.params, "en")
    assert "Instagram" in text and product.title not in text
    assert "Instagram" in notifications.render(entry.kind, entry.params, "it") and "Hai pagato" in notifications.render(entry.kind, entry.params, "it")


def test_a_declined_payment_notifies_nothing(session, engine, spy):
    number = next(n for n, code in DECLINE_CARDS.items() if code == "card_declined")
    user, method = make_buyer(session, number=number)
    product = make_product(session)
    session.commit()
    key = authorized_key(session, user)
    result = checkout.checkout_items(
        session, user=user, key=key, items=[(product.id, 1)], method_id=method.id, shipping=SHIPPING, app="facebook"
    )
    assert not result.succeeded
    assert entries(engine, user, "payment") == []


def test_cancelling_an_order_notifies_the_refund(session, engine, spy):
    user, method = make_buyer(session)
    product = make_product(session, price_cents=900)
    session.commit()
    result = buy(session, user, method, product)
    orders.cancel_order(session, user=user, order_id=result.order_ids[0])
    (entry,) = entries(engine, user, "refund")
    params = json.loads(entry.params)
    assert (params["amount_cents"], params["order"]) == (900, result.order_numbers[0])
    assert entry.link == f"/orders/{result.order_ids[0]}"
    assert result.order_numbers[0] in notifications.render(entry.kind, entry.params, "en")


def test_an_unconfirmed_or_declined_cancellation_leaves_no_refund_notification(session, engine, monkeypatch):
    from socialshop.payments.base import DeclineCode, PaymentDeclined, ProviderUnavailable

    user, method = make_buyer(session)
    product = make_product(session)
    session.commit()
    declined = buy(session, user, method, product)
    install_provider(monkeypatch, SpyProvider(refund_error=PaymentDeclined(DeclineCode.PROCESSING_ERROR)))
    with pytest.raises(Conflict):
        orders.cancel_order(session, user=user, order_id=declined.order_ids[0])
    install_provider(monkeypatch, SpyProvider(refund_error=ProviderUnavailable("down")))
    assert orders.cancel_order(session, user=user, order_id=declined.order_ids[0]).pending
    # Only a refund the gateway confirmed is announced.
    assert entries(engine, user, "refund") == []


def test_the_fifth_wrong_pin_notifies_the_lock_even_though_the_caller_rolls_back(engine):
    with session_scope() as session:
        user = make_user(session)
    now = utcnow()
    for _ in range(pay_pin.MAX_TRIES):
        with pytest.raises((ValidationError, Conflict)):
            with session_scope() as session:
                pay_pin.verify_pin(session, user=user, pin="0000", now=now)
    (entry,) = entries(engine, user, "pin_locked")
    until = dt.datetime.fromisoformat(json.loads(entry.params)["until"]).replace(tzinfo=dt.UTC)
    assert abs(until - (now + pay_pin.lock_duration(0))) < dt.timedelta(seconds=1)
    assert entry.link == "/pay/security"
    assert "locked" in notifications.render(entry.kind, entry.params, "en")


def test_a_right_fifth_pin_is_no_lock_and_no_notification(engine):
    with session_scope() as session:
        user = make_user(session)
    now = utcnow()
    for _ in range(pay_pin.MAX_TRIES - 1):
        with pytest.raises(ValidationError):
            with session_scope() as session:
                pay_pin.verify_pin(session, user=user, pin="0000", now=now)
    with session_scope() as session:
        pay_pin.verify_pin(session, user=user, pin=PIN, now=now)
    assert entries(engine, user, "pin_locked") == []


def test_adding_a_card_notifies_it_and_a_rolled_back_card_leaves_nothing(session, engine):
    user = make_user(session)
    session.commit()
    add_card(session, user)
    session.rollback()
    assert entries(engine, user) == []
    method = add_card(session, user)
    session.commit()
    (entry,) = entries(engine, user, "method_added")
    assert json.loads(entry.params) == {"method": payment_methods.method_label(method)}
    assert "4242" in notifications.render(entry.kind, entry.params, "en")


def test_money_received_notifies_the_recipient_with_the_senders_name(session, engine):
    sender, method = make_buyer(session, name="Giulia Sender")
    friend = make_user(session, name="Marco Friend")
    session.commit()
    key = authorized_key(session, sender, kind="transfer", app="messenger")
    result = transfers.send_money(session, user=sender, key=key, to_user_id=friend.id, amount_cents=4200, method_id=method.id)
    assert result.succeeded
    (received,) = entries(engine, friend, "money_received")
    assert "Giulia Sender" in notifications.render(received.kind, received.params, "en")
    assert "42" in notifications.render(received.kind, received.params, "en")
    # It links to the friend's receipt of it.
    assert received.link == f"/pay/history/received-{result.payment_id}"
    # The sender gets the payment, not the receipt, and the friend no payment entry.
    assert len(entries(engine, sender, "payment")) == 1 and entries(engine, sender, "money_received") == []
    assert entries(engine, friend, "payment") == []


def test_an_agent_answer_notifies_the_user(session, engine):
    user = make_user(session)
    agent = make_user(session)
    agent.role = Role.SUPPORT.value
    session.commit()
    conversation = support.send_message(session, user=user, text="talk to a person please")
    support.agent_reply(session, agent=agent, conversation_id=conversation.id, text="Hello, I am looking into it.")
    session.commit()
    (entry,) = entries(engine, user, "support_answer")
    assert entry.link == "/pay/support"
    assert "looking into it" in notifications.render(entry.kind, entry.params, "en")
    assert entries(engine, agent) == []


def test_only_the_owner_reads_and_marks_entries(session):
    owner = make_user(session)
    other = make_user(session)
    session.commit()
    for n in range(notifications.PAGE_SIZE + 2):
        notifications.notify(session, user_id=owner.id, kind="refund", params={"amount_cents": 100 + n, "currency": "EUR", "order": f"O-{n}"})
    notifications.notify(session, user_id=other.id, kind="refund", params={"amount_cents": 5, "currency": "EUR", "order": "X"})
    session.commit()
    page, has_older = notifications.list_notifications(session, user=owner)
    assert len(page) == notifications.PAGE_SIZE and has_older
    assert [v.id for v in page] == sorted((v.id for v in page), reverse=True)
    rest, more = notifications.list_notifications(session, user=owner, before_id=page[-1].id)
    assert len(rest) == 2 and not more
    others_page, _ = notifications.list_notifications(session, user=other)
    (foreign,) = others_page
    assert foreign.id not in {v.id for v in page + rest}

    for forged in (foreign.id, str(foreign.id), 0, -1, "abc", None, 10**30, True, {"id": 1}):
        with pytest.raises(NotFound):
            notifications.mark_read(session, user=owner, notification_id=forged)
    assert notifications.unread_count(session, user=other) == 1
    with pytest.raises(ValidationError):
        notifications.list_notifications(session, user=owner, before_id="1; drop table")

    notifications.mark_read(session, user=owner, notification_id=page[0].id)
    assert notifications.unread_count(session, user=owner) == notifications.PAGE_SIZE + 1
    assert notifications.mark_all_read(session, user=owner) == notifications.PAGE_SIZE + 1
    session.commit()
    assert notifications.unread_count(session, user=owner) == 0
    assert notifications.unread_count(session, user=other) == 1


def test_pulse_checks_the_login_and_counts_only_the_owners_entries(session):
    owner = make_user(session)
    other = make_user(session)
    session.commit()
    token = login_token(session, owner)
    assert notifications.pulse(session, token=token).latest_id == 0
    notifications.notify(session, user_id=owner.id, kind="method_added", params={"brand": "visa", "last4": "4242"})
    notifications.notify(session, user_id=other.id, kind="method_added", params={"brand": "visa", "last4": "1111"})
    session.commit()
    pulse = notifications.pulse(session, token=token)
    own_ids = [n.id for n in session.exec(select(Notification).where(Notification.user_id == owner.id)).all()]
    assert (pulse.user_id, pulse.latest_id, pulse.unread) == (owner.id, max(own_ids), 1)
    fresh = notifications.newer_than(session, user_id=owner.id, after_id=0)
    assert [v.id for v in fresh] == own_ids
    for bad in ("", "not-a-token", None, 42, "x" * 300):
        assert notifications.pulse(session, token=bad) is None
    accounts.log_out(session, token=token)
    session.commit()
    assert notifications.pulse(session, token=token) is None


def test_unknown_kinds_and_bad_params_are_refused_or_rendered_safely(session):
    user = make_user(session)
    with pytest.raises(ValueError):
        notifications.notify(session, user_id=user.id, kind="free_money")
    assert notifications.render("payment", "not json", "en")  # never raises
    assert notifications.render("nonsense", "{}", "it") == "È successo qualcosa sul tuo account."
