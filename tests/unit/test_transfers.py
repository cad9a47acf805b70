import datetime as dt

import pytest
from sqlmodel import func, select

from socialshop.models import MoneyRequest, Payment, utcnow
from socialshop.services import ledger, transfers
from socialshop.services.errors import Conflict, NotFound, ValidationError
from tests.unit.factories import (
    assert_books_balance,
    attempt_of,
    authorized_key,
    make_buyer,
    make_user,
)


def send(session, user, to, amount, method, **kwargs):
    key = authorized_key(session, user, kind="transfer", app="messenger")
    return transfers.send_money(session, user=user, key=key, to_user_id=to, amount_cents=amount, method_id=method.id, **kwargs)


def payments(session):
    return session.exec(select(func.count()).select_from(Payment)).one()


def test_send_money(session):
    user, method = make_buyer(session, name="Giulia")
    friend = make_user(session, name="Marco")
    session.commit()
    result = send(session, user, str(friend.id), 4_200, method, note="  pizza  ")
    assert result.succeeded
    payment = session.get(Payment, result.payment_id)
    assert (payment.kind, payment.app, payment.counterparty_user_id, payment.counterparty_label, payment.note) == (
        "transfer", "messenger", friend.id, "Marco", "pizza"
    )
    assert ledger.balance(session, account_code=ledger.user_balance_account(friend.id)) == 4_200
    assert ledger.balance(session, account_code=ledger.external_method_account(method.id)) == -4_200
    assert transfers.monthly_remaining(session, user=user) == 500_000 - 4_200
    assert_books_balance(session)


@pytest.mark.parametrize(
    ("amount", "code", "params"),
    [
        (0, "amount_invalid", {}),
        (-500, "amount_invalid", {}),
        ("abc", "amount_invalid", {}),
        (12.5, "amount_invalid", {}),
        (None, "amount_invalid", {}),
        (100_001, "transfer_over_limit", {"limit": 100_000}),
    ],
)
def test_bad_amounts(session, amount, code, params):
    user, method = make_buyer(session)
    friend = make_user(session)
    session.commit()
    with pytest.raises(ValidationError) as info:
        send(session, user, friend.id, amount, method)
    assert (info.value.code, info.value.params) == (code, params)
    with pytest.raises(ValidationError):
        transfers.request_money(session, user=friend, from_user_id=user.id, amount_cents=amount)
    assert payments(session) == 0


def test_recipients(session):
    user, method = make_buyer(session)
    session.commit()
    with pytest.raises(ValidationError) as info:
        send(session, user, user.id, 100, method)
    assert info.value.code == "transfer_to_self"
    for bad in (987654, "nobody", None, -1):
        with pytest.raises(NotFound) as info:
            send(session, user, bad, 100, method)
        assert info.value.code == "user_not_found"
    with pytest.raises(ValidationError) as info:
        send(session, user, make_user(session).id, 100, method, note="x" * 256)
    assert info.value.code == "note_too_long"
    assert payments(session) == 0


def test_monthly_limit_is_rolling_30_days(session, monkeypatch):
    user, method = make_buyer(session)
    friend = make_user(session)
    session.commit()
    for _ in range(5):
        assert send(session, user, friend.id, 100_000, method).succeeded
    key = authorized_key(session, user, kind="transfer", app="messenger")
    with pytest.raises(Conflict) as info:
        transfers.send_money(session, user=user, key=key, to_user_id=friend.id, amount_cents=1, method_id=method.id)
    assert info.value.code == "transfer_monthly_limit" and info.value.params == {"remaining": 0, "limit": 500_000}
    assert attempt_of(session, key).status == "open"  # nothing changed: the key can be used later
    assert payments(session) == 5
    monkeypatch.setattr(transfers, "_now", lambda: utcnow() + dt.timedelta(days=30, minutes=1))
    result = transfers.send_money(session, user=user, key=key, to_user_id=friend.id, amount_cents=1, method_id=method.id)
    assert result.succeeded
    assert_books_balance(session)


def test_partial_monthly_room(session):
    user, method = make_buyer(session)
    friend = make_user(session)
    session.commit()
    for _ in range(4):
        send(session, user, friend.id, 100_000, method)
    send(session, user, friend.id, 60_000, method)
    with pytest.raises(Conflict) as info:
        send(session, user, friend.id, 50_000, method)
    assert info.value.params["remaining"] == 40_000
    assert send(session, user, friend.id, 40_000, method).succeeded


def test_requests(session):
    payer, method = make_buyer(session, name="Marco")
    requester = make_user(session, name="Giulia")
    stranger, stranger_method = make_buyer(session)
    session.commit()
    request = transfers.request_money(session, user=requester, from_user_id=payer.id, amount_cents=1_500, note="cinema")
    session.commit()
    lists = transfers.list_requests(session, user=payer)
    assert [(r.id, r.requester_name, r.amount_cents, r.status) for r in lists.incoming] == [(request.id, "Giulia", 1_500, "open")]
    assert lists.outgoing == []
    assert [r.payer_name for r in transfers.list_requests(session, user=requester).outgoing] == ["Marco"]

    # Only the payer may pay or decline it; others do not even learn it exists.
    for who, who_method in ((requester, method), (stranger, stranger_method)):
        key = authorized_key(session, who, kind="transfer", app="messenger")
        with pytest.raises(NotFound) as info:
            transfers.pay_request(session, user=who, key=key, request_id=request.id, method_id=who_method.id)
        assert info.value.code == "request_not_found"
        with pytest.raises(NotFound):
            transfers.decline_request(session, user=who, request_id=request.id)

    key = authorized_key(session, payer, kind="transfer", app="messenger")
    result = transfers.pay_request(session, user=payer, key=key, request_id=str(request.id), method_id=method.id)
    assert result.succeeded
    session.refresh(request)
    assert (request.status, request.payment_id) == ("paid", result.payment_id)
    payment = session.get(Payment, result.payment_id)
    assert (payment.counterparty_user_id, payment.amount_cents, payment.note) == (requester.id, 1_500, "cinema")
    assert ledger.balance(session, account_code=ledger.user_balance_account(requester.id)) == 1_500
    assert transfers.pay_request(session, user=payer, key=key, request_id=request.id, method_id=method.id) == result
    key2 = authorized_key(session, payer, kind="transfer", app="messenger")
    with pytest.raises(Conflict) as info:
        transfers.pay_request(session, user=payer, key=key2, request_id=request.id, method_id=method.id)
    assert info.value.code == "request_not_open"
    with pytest.raises(Conflict):
        transfers.decline_request(session, user=payer, request_id=request.id)
    assert payments(session) == 1
    assert_books_balance(session)


def test_decline_and_cancel(session):
    payer, method = make_buyer(session)
    requester = make_user(session)
    session.commit()
    first = transfers.request_money(session, user=requester, from_user_id=payer.id, amount_cents=700)
    second = transfers.request_money(session, user=requester, from_user_id=payer.id, amount_cents=800)
    assert transfers.decline_request(session, user=payer, request_id=first.id).status == "declined"
    with pytest.raises(NotFound):
        transfers.cancel_request(session, user=payer, request_id=second.id)
    assert transfers.cancel_request(session, user=requester, request_id=second.id).status == "cancelled"
    key = authorized_key(session, payer, kind="transfer", app="messenger")
    with pytest.raises(Conflict) as info:
        transfers.pay_request(session, user=payer, key=key, request_id=first.id, method_id=method.id)
    assert info.value.code == "request_not_open" and info.value.params == {"status": "declined"}


def test_a_declined_card_leaves_the_request_open(session):
    payer, method = make_buyer(session, number="4000000000000002")
    requester = make_user(session)
    session.commit()
    request = transfers.request_money(session, user=requester, from_user_id=payer.id, amount_cents=700)
    session.commit()
    key = authorized_key(session, payer, kind="transfer", app="messenger")
    result = transfers.pay_request(session, user=payer, key=key, request_id=request.id, method_id=method.id)
    assert (result.status, result.failure_code) == ("failed", "card_declined")
    session.refresh(request)
    assert (request.status, request.payment_id) == ("open", None)
    assert payments(session) == 0
    assert_books_balance(session)


def test_request_limits(session):
    requester = make_user(session)
    payer = make_user(session)
    session.commit()
    with pytest.raises(ValidationError) as info:
        transfers.request_money(session, user=requester, from_user_id=requester.id, amount_cents=100)
    assert info.value.code == "transfer_to_self"
    with pytest.raises(NotFound):
        transfers.request_money(session, user=requester, from_user_id=10**6, amount_cents=100)
    for _ in range(transfers.MAX_OPEN_REQUESTS):
        transfers.request_money(session, user=requester, from_user_id=payer.id, amount_cents=100)
    with pytest.raises(Conflict) as info:
        transfers.request_money(session, user=requester, from_user_id=payer.id, amount_cents=100)
    assert info.value.code == "too_many_open_requests"
    assert session.exec(select(func.count()).select_from(MoneyRequest)).one() == transfers.MAX_OPEN_REQUESTS
