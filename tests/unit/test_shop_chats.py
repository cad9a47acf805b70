"""Shop chats: messages both ways, order messages paid through the engine, privacy."""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import select

from socialshop.models import Order, utcnow
from socialshop.services import payment_codes, shop_chats
from socialshop.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tests.unit.factories import assert_books_balance, authorized_key, make_buyer, make_user
from tests.unit.test_payment_codes import merchant_with_shop


def chat_between(session):
    owner, shop = merchant_with_shop(session)
    buyer, method = make_buyer(session, name="Giulia Rossi")
    buyer.phone_number = "+393331234567"
    session.add(buyer)
    chat = shop_chats.open_chat(session, user=buyer, shop_slug=shop.slug)
    session.commit()
    return owner, shop, buyer, method, chat


def test_messages_both_ways_and_the_shop_sees_a_pseudonym(session):
    owner, shop, buyer, _, chat = chat_between(session)
    shop_chats.send_message(session, user=buyer, chat_id=chat.id, body="  Do you have cornetti?  ")
    shop_chats.send_message(session, user=owner, chat_id=chat.id, body="Yes!")
    session.commit()
    buyer_view = shop_chats.messages(session, user=buyer, chat_id=chat.id)
    assert [(m.body, m.mine) for m in buyer_view] == [("Do you have cornetti?", True), ("Yes!", False)]
    shop_view = shop_chats.messages(session, user=owner, chat_id=chat.id)
    assert [m.mine for m in shop_view] == [False, True]
    listed = shop_chats.merchant_chats(session, user=owner)
    assert [r.name.startswith("Customer ") for r in listed] == [True]
    text = repr(listed) + repr([dataclasses.asdict(m) for m in shop_view])
    text += repr(shop_chats.chat_ref(session, user=owner, chat_id=chat.id))
    assert "Giulia" not in text and buyer.email not in text and "3331234567" not in text
    assert [r.name for r in shop_chats.buyer_chats(session, user=buyer)] == [shop.name]


def test_strangers_and_forged_ids(session):
    owner, shop, buyer, _, chat = chat_between(session)
    stranger = make_user(session)
    other_owner, _ = merchant_with_shop(session, name="Bottega")
    session.commit()
    for who in (stranger, other_owner):
        for forged in (chat.id, "x", None, -3, 10**12):
            with pytest.raises(NotFound):
                shop_chats.send_message(session, user=who, chat_id=forged, body="hi")
            with pytest.raises(NotFound):
                shop_chats.messages(session, user=who, chat_id=forged)
    with pytest.raises(PermissionDenied):
        shop_chats.send_order(session, user=buyer, chat_id=chat.id, amount_cents=100, items="x")
    with pytest.raises(NotFound):
        shop_chats.open_chat(session, user=buyer, shop_slug="no-such-shop")
    with pytest.raises(ValidationError):
        shop_chats.open_chat(session, user=owner, shop_slug=shop.slug)


@pytest.mark.parametrize(("body", "code"), [("", "message_empty"), ("   ", "message_empty"), (None, "message_invalid"),
                                            ("x" * 1001, "message_too_long")])
def test_bad_messages(session, body, code):
    _, _, buyer, _, chat = chat_between(session)
    with pytest.raises(ValidationError) as info:
        shop_chats.send_message(session, user=buyer, chat_id=chat.id, body=body)
    assert info.value.code == code


def test_order_message_paid_in_the_chat(session):
    owner, shop, buyer, method, chat = chat_between(session)
    order_message = shop_chats.send_order(session, user=owner, chat_id=chat.id, amount_cents=1_890, items="Olive oil 1 l")
    session.commit()
    # Only the chat's buyer can get the code to pay.
    with pytest.raises(NotFound):
        shop_chats.order_payload(session, user=owner, message_id=order_message.id)
    payload = shop_chats.order_payload(session, user=buyer, message_id=order_message.id)
    [view] = shop_chats.messages(session, user=buyer, chat_id=chat.id)
    assert (view.amount_cents, view.code_status, view.body) == (1_890, "open", "Olive oil 1 l")
    key = authorized_key(session, buyer, app="whatsapp")
    result = payment_codes.pay_code(session, user=buyer, key=key, payload=payload, method_id=method.id, app="whatsapp")
    assert result.succeeded
    order = session.exec(select(Order).where(Order.payment_id == result.payment_id)).one()
    assert (order.source, order.needs_shipping, order.number.startswith("CH-")) == ("chat", False, True)
    for who in (buyer, owner):
        [view] = shop_chats.messages(session, user=who, chat_id=chat.id)
        assert (view.code_status, view.order_number) == ("paid", order.number)
    # Chat codes stay out of the counter's QR list.
    assert payment_codes.recent_codes(session, user=owner) == []
    with pytest.raises(Conflict):
        payment_codes.pay_code(session, user=buyer, key=authorized_key(session, buyer, app="whatsapp"),
                               payload=payload, method_id=method.id, app="whatsapp")
    assert_books_balance(session)


def test_closed_shop_cannot_be_chatted_with(session):
    owner, shop = merchant_with_shop(session)
    buyer, _ = make_buyer(session)
    shop.deleted_at = utcnow()
    session.add(shop)
    session.commit()
    with pytest.raises(NotFound):
        shop_chats.open_chat(session, user=buyer, shop_slug=shop.slug)
