"""Support: the assistant answers from the user's own data; handover; agents; forged ids."""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import select

from socialshop.db import session_scope
from socialshop.models import ConversationStatus, Role, SupportConversation, SupportMessage, utcnow
from socialshop.services import accounts, checkout, orders, pay_apps, pay_pin, support
from socialshop.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from socialshop.services.money import format_datetime, format_money
from tests.unit.factories import (
    DECLINE_CARDS,
    SHIPPING,
    SpyProvider,
    authorized_key,
    install_provider,
    make_buyer,
    make_product,
    make_user,
    pin_hash,
)


@pytest.fixture
def spy(monkeypatch):
    provider = SpyProvider()
    install_provider(monkeypatch, provider)
    return provider


def agent_user(session):
    agent = make_user(session, name="Agent Smith", with_pin=False)
    agent.role = Role.SUPPORT.value
    session.add(agent)
    session.commit()
    return agent


def ask(session, user, text, **kwargs):
    conversation = support.send_message(session, user=user, text=text, **kwargs)
    session.commit()
    messages = support.latest_messages(session, conversation_id=conversation.id)
    return conversation, messages


def last_answer(session, user, text, **kwargs) -> str:
    _, messages = ask(session, user, text, **kwargs)
    assert messages[-1].sender == "assistant"
    return messages[-1].body


def token_for(session, user) -> str:
    token = accounts._open_session(session, user)
    session.commit()
    return token


def buy(session, user, method, product, app="facebook"):
    key = authorized_key(session, user, app=app)
    return checkout.checkout_items(
        session, user=user, key=key, items=[(product.id, 1)], method_id=method.id, shipping=SHIPPING, app=app
    )


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Why is my PIN locked?", "pin"),
        ("perché il mio PIN è bloccato", "pin"),
        ("Where is my refund?", "refund"),
        ("Dov'è il mio rimborso?", "refund"),
        ("why was my card declined", "declined"),
        ("Perché la mia carta è stata rifiutata?", "declined"),
        ("Which apps have Pay on?", "apps"),
        ("In quali app è attivo Pay?", "apps"),
        ("I want to talk to a person", "human"),
        ("What's the weather like?", "unknown"),
        ("", "unknown"),
    ],
)
def test_classify(text, intent):
    assert support.classify(text) == intent


# ---------------------------------------------------------------- answers from real data


def test_pin_answer_says_when_the_lock_ends(engine):
    with session_scope() as session:
        user = make_user(session)
    now = utcnow()
    for _ in range(pay_pin.MAX_TRIES):
        with pytest.raises((ValidationError, Conflict)):
            with session_scope() as session:
                pay_pin.verify_pin(session, user=user, pin="0000", now=now)
    with session_scope() as session:
        until = pay_pin.pin_status(session, user=user).locked_until
        assert until is not None
        english = last_answer(session, user, "why is my PIN locked")
        italian = last_answer(session, user, "perché il PIN è bloccato?", language="it")
    assert format_datetime(until, "en") in english and "locked" in english
    assert format_datetime(until, "it") in italian and "bloccato" in italian


def test_pin_answer_when_not_locked_or_not_set(session):
    user = make_user(session)
    no_pin = make_user(session, with_pin=False)
    session.commit()
    with pytest.raises(ValidationError):
        pay_pin.verify_pin(session, user=user, pin="0000")
    assert "4 of 5 tries left" in last_answer(session, user, "is my pin locked?")
    assert "not set a Pay PIN" in last_answer(session, no_pin, "PIN locked?")


def test_declined_answer_gives_the_latest_reason_translated(session, spy):
    number = next(n for n, code in DECLINE_CARDS.items() if code == "insufficient_funds")
    user, method = make_buyer(session, number=number)
    product = make_product(session, price_cents=3300)
    session.commit()
    assert "can't find any refused payment" in last_answer(session, user, "why was my card declined?")
    result = buy(session, user, method, product)
    assert not result.succeeded
    answer = last_answer(session, user, "why was my card declined?")
    assert "insufficient funds" in answer and format_money(result.total_cents, "EUR", "en") in answer
    assert "Facebook" in answer
    italian = last_answer(session, user, "perché la carta è stata rifiutata?", language="it")
    assert "Fondi insufficienti" in italian
    # Never card data in an answer: agents read the conversation too.
    assert method.last4 not in answer and method.provider_token not in answer


def test_refund_answer_lists_the_latest_refunds(session, spy):
    user, method = make_buyer(session)
    product = make_product(session, price_cents=1990)
    session.commit()
    assert "can't find any refund" in last_answer(session, user, "where is my refund?")
    result = buy(session, user, method, product)
    orders.cancel_order(session, user=user, order_id=result.order_ids[0])
    answer = last_answer(session, user, "where is my refund?")
    assert result.order_numbers[0] in answer
    assert format_money(1990, "EUR", "en") in answer and "Cancelled" in answer
    assert "4242" not in answer


def test_apps_answer_reads_the_switches(session):
    user = make_user(session)
    pay_apps.set_activation(session, user=user, app="instagram", enabled=False)
    session.commit()
    answer = last_answer(session, user, "which apps have pay on?")
    on_part, off_part = answer.split("It is off in:")
    assert "Facebook" in on_part and "Instagram" not in on_part
    assert "Instagram" in off_part
    assert "Instagram" in last_answer(session, user, "quali app hanno Pay attivo?", language="it")


# ---------------------------------------------------------------- handover and agents


def test_unknown_question_offers_a_person_and_handover_queues_it(session):
    user = make_user(session)
    agent = agent_user(session)
    conversation, messages = ask(session, user, "my parcel smells funny")
    assert "Talk to a person" in messages[-1].body
    assert conversation.status == ConversationStatus.ASSISTANT.value
    assert support.queue(session, agent=agent)[0] == []  # agents never see assistant-only chats
    with pytest.raises(NotFound):
        support.agent_view(session, agent=agent, conversation_id=conversation.id)

    support.request_handover(session, user=user, conversation_id=conversation.id)
    session.commit()
    (queued,), has_next = support.queue(session, agent=agent)
    assert (queued.id, queued.user_name, queued.status, has_next) == (conversation.id, user.display_name, "waiting", False)
    # From now on the assistant is quiet: a person answers.
    _, messages = ask(session, user, "where is my refund?", conversation_id=conversation.id)
    assert messages[-1].sender == "user"

    support.agent_reply(session, agent=agent, conversation_id=conversation.id, text="Hi, I'm on it.")
    session.commit()
    view, agent_messages = support.agent_view(session, agent=agent, conversation_id=conversation.id)
    assert view.status == "agent"
    assert [m.sender for m in agent_messages] == ["user", "assistant", "system", "user", "agent"]
    assert agent_messages[0].author == user.display_name and agent_messages[-1].mine
    user_side = support.user_messages(session, user=user, conversation_id=conversation.id)
    assert user_side[-1].author == "Support team" and not user_side[-1].mine

    support.close_conversation(session, user=agent, conversation_id=conversation.id)
    session.commit()
    assert support.queue(session, agent=agent)[0] == []
    with pytest.raises(Conflict):
        support.agent_reply(session, agent=agent, conversation_id=conversation.id, text="one more")
    # Writing again after the close starts a new conversation, answered by the assistant.
    again, messages = ask(session, user, "which apps have Pay on?", conversation_id=conversation.id)
    assert again.id != conversation.id and messages[-1].sender == "assistant"


def test_asking_for_a_person_hands_over_at_once(session):
    user = make_user(session)
    conversation, messages = ask(session, user, "Can I speak to a human?")
    assert conversation.status == "waiting"
    assert [m.sender for m in messages] == ["user", "system"]


def test_only_agents_use_the_queue(session):
    user = make_user(session)
    merchant = make_user(session)
    merchant.role = Role.MERCHANT.value
    session.commit()
    conversation, _ = ask(session, user, "talk to a person")
    for someone in (user, merchant, None):
        with pytest.raises(PermissionDenied):
            support.queue(session, agent=someone)
        with pytest.raises(PermissionDenied):
            support.agent_view(session, agent=someone, conversation_id=conversation.id)
        with pytest.raises(PermissionDenied):
            support.agent_reply(session, agent=someone, conversation_id=conversation.id, text="hi")
    assert support.latest_messages(session, conversation_id=conversation.id)[-1].sender == "system"


def test_queue_is_paginated_longest_waiting_first(session):
    agent = agent_user(session)
    users = [make_user(session) for _ in range(support.QUEUE_PAGE + 3)]
    session.commit()
    ids = [ask(session, user, "a person please")[0].id for user in users]
    first, has_next = support.queue(session, agent=agent)
    second, more = support.queue(session, agent=agent, page=1)
    assert [c.id for c in first + second] == ids and has_next and not more
    for bad in (-1, "x", 1.5, None, 10**9):
        with pytest.raises(ValidationError):
            support.queue(session, agent=agent, page=bad)


def test_agents_see_no_card_data_or_hashes(session, spy):
    user, method = make_buyer(session)
    agent = agent_user(session)
    product = make_product(session)
    session.commit()
    result = buy(session, user, method, product)
    conversation, _ = ask(session, user, "talk to a person", about=f"payment-{result.payment_id}")
    (queued,), _ = support.queue(session, agent=agent)
    view, messages = support.agent_view(session, agent=agent, conversation_id=conversation.id)
    shown = repr([dataclasses.asdict(queued), dataclasses.asdict(view), [dataclasses.asdict(m) for m in messages]])
    assert "Payment" in view.about_label and user.display_name in shown
    for secret in (method.last4, method.provider_token, user.email, pin_hash(), "$argon2"):
        assert secret not in shown


# ---------------------------------------------------------------- forged ids and bad input


def test_a_conversation_about_a_transaction_uses_the_historys_id(session, spy):
    user, method = make_buyer(session)
    product = make_product(session, price_cents=1500)
    session.commit()
    result = buy(session, user, method, product)
    assert support.check_about(session, user=user, entry_id=f"payment-{result.payment_id}") == ("payment", result.payment_id)
    # One format everywhere (receipt URLs, notification links): the old list id is refused.
    with pytest.raises(ValidationError):
        support.check_about(session, user=user, entry_id=f"payment:{result.payment_id}")
    conversation, _ = ask(session, user, "this charge looks wrong", about=f"payment-{result.payment_id}")
    assert (conversation.about_kind, conversation.about_id) == ("payment", result.payment_id)
    # The same subject reuses the open conversation.
    again, _ = ask(session, user, "hello?", about=f"payment-{result.payment_id}")
    assert again.id == conversation.id
    label = support.about_label(session, conversation, "en")
    assert format_money(1500, "EUR", "en") in label and "4242" not in label

    orders.cancel_order(session, user=user, order_id=result.order_ids[0])
    refund_id = session.exec(select(support.Refund.id)).one()
    assert support.check_about(session, user=user, entry_id=f"refund-{refund_id}") == ("refund", refund_id)


def test_forged_subjects_are_refused(session, spy):
    owner, method = make_buyer(session)
    intruder = make_user(session)
    product = make_product(session)
    session.commit()
    result = buy(session, owner, method, product)
    for forged in (f"payment-{result.payment_id}", f"received-{result.payment_id}", f"refund-{result.payment_id}", "payment-999999"):
        with pytest.raises(NotFound) as info:
            support.send_message(session, user=intruder, text="hi", about=forged)
        assert info.value.code == "support_about_not_found"
    for garbage in ("payment", "payment-", "payment-abc", "order-1", "payment-1-2", "payment--1", "x" * 100, 12, ["payment-1"]):
        with pytest.raises(ValidationError) as info:
            support.send_message(session, user=intruder, text="hi", about=garbage)
        assert info.value.code == "support_about_invalid"
    session.rollback()
    assert session.exec(select(SupportConversation)).all() == []


def test_forged_conversation_ids_are_refused(session):
    owner = make_user(session)
    intruder = make_user(session)
    session.commit()
    conversation, _ = ask(session, owner, "where is my refund?")
    before = len(support.latest_messages(session, conversation_id=conversation.id))
    for forged in (conversation.id, str(conversation.id), 999999, "abc", -1, None):
        if forged is None:
            continue
        with pytest.raises(NotFound):
            support.send_message(session, user=intruder, text="mine now", conversation_id=forged)
        with pytest.raises(NotFound):
            support.user_messages(session, user=intruder, conversation_id=forged)
        with pytest.raises(NotFound):
            support.request_handover(session, user=intruder, conversation_id=forged)
        with pytest.raises(NotFound):
            support.close_conversation(session, user=intruder, conversation_id=forged)
    session.rollback()
    assert len(support.latest_messages(session, conversation_id=conversation.id)) == before
    assert session.get(SupportConversation, conversation.id).status == "assistant"


def test_polling_returns_only_what_the_tab_may_read(session):
    owner = make_user(session)
    intruder = make_user(session)
    agent = agent_user(session)
    session.commit()
    conversation, messages = ask(session, owner, "where is my refund?")
    owner_token, intruder_token, agent_token = (token_for(session, u) for u in (owner, intruder, agent))
    assert [m.id for m in support.poll_messages(session, token=owner_token, conversation_id=conversation.id, after_id=0)] == [m.id for m in messages]
    assert support.poll_messages(session, token=owner_token, conversation_id=conversation.id, after_id=messages[-1].id) == []
    assert support.poll_messages(session, token=intruder_token, conversation_id=conversation.id, after_id=0) == []
    # An agent reads it only once handed over.
    assert support.poll_messages(session, token=agent_token, conversation_id=conversation.id, after_id=0) == []
    support.request_handover(session, user=owner, conversation_id=conversation.id)
    session.commit()
    assert len(support.poll_messages(session, token=agent_token, conversation_id=conversation.id, after_id=0)) == 3
    assert support.poll_current(session, token=owner_token) == conversation.id
    assert support.poll_current(session, token=intruder_token) is None
    for bad in ("", "nope", None, 5):
        assert support.poll_messages(session, token=bad, conversation_id=conversation.id, after_id=0) == []
        assert support.poll_current(session, token=bad) is None
    accounts.log_out(session, token=owner_token)
    session.commit()
    assert support.poll_messages(session, token=owner_token, conversation_id=conversation.id, after_id=0) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "support_message_empty"), ("   \n ", "support_message_empty"), (None, "support_message_empty"),
     (42, "support_message_empty"), ("x" * (support.MAX_MESSAGE_LENGTH + 1), "support_message_too_long")],
)
def test_bad_messages_change_nothing(session, text, code):
    user = make_user(session)
    session.commit()
    with pytest.raises(ValidationError) as info:
        support.send_message(session, user=user, text=text)
    assert info.value.code == code
    session.rollback()
    assert session.exec(select(SupportMessage)).all() == []


def test_control_characters_are_dropped_and_flooding_is_refused(session):
    user = make_user(session)
    session.commit()
    conversation, messages = ask(session, user, "hel\x00lo\x1b there")
    assert messages[0].body == "hello there"
    for _ in range(support.MAX_MESSAGES_PER_MINUTE - 1):
        ask(session, user, "talk to a person", conversation_id=conversation.id)
    with pytest.raises(Conflict) as info:
        support.send_message(session, user=user, text="again", conversation_id=conversation.id)
    assert info.value.code == "support_too_fast"


def test_queue_pulse_changes_with_the_queue_and_answers_only_agents(session):
    user = make_user(session)
    agent = agent_user(session)
    session.commit()
    agent_token, user_token = token_for(session, agent), token_for(session, user)
    empty = support.queue_pulse(session, token=agent_token)
    assert empty is not None and empty.startswith("0:")
    conversation, _ = ask(session, user, "where is my refund?")
    assert support.queue_pulse(session, token=agent_token) == empty  # assistant-only: not queued
    support.request_handover(session, user=user, conversation_id=conversation.id)
    session.commit()
    queued = support.queue_pulse(session, token=agent_token)
    assert queued.startswith("1:") and queued != empty
    for nobody in (user_token, "", "garbage", None):
        assert support.queue_pulse(session, token=nobody) is None
