from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import event

from socialshop.models import Fundraiser, Payment, PaymentMethod, Post, Refund, Shop, User, utcnow
from socialshop.services import history
from socialshop.services.errors import ValidationError

NOW = utcnow()
_keys = itertools.count(1)


def make_user(session, email, name):
    user = User(email=email, display_name=name, password_hash="x")
    session.add(user)
    session.flush()
    return user


def make_method(session, user, brand, last4, token):
    method = PaymentMethod(
        user_id=user.id,
        provider="sandbox",
        provider_token=token,
        brand=brand,
        last4=last4,
        exp_month=12,
        exp_year=2030,
    )
    session.add(method)
    session.flush()
    return method


def pay(session, payer, amount, *, kind="purchase", hours_ago=0, method=None, app="facebook", **extra):
    payment = Payment(
        payer_id=payer.id,
        kind=kind,
        app=app,
        amount_cents=amount,
        method_id=method.id if method else None,
        provider="sandbox",
        idempotency_key=f"pay-{next(_keys)}",
        created_at=NOW - dt.timedelta(hours=hours_ago),
        **extra,
    )
    session.add(payment)
    session.flush()
    return payment


def refund(session, payment, amount, hours_ago=0):
    row = Refund(
        payment_id=payment.id,
        amount_cents=amount,
        idempotency_key=f"ref-{next(_keys)}",
        created_at=NOW - dt.timedelta(hours=hours_ago),
    )
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def w(session):
    giulia = make_user(session, "giulia@example.com", "Giulia Rossi")
    marco = make_user(session, "marco@example.com", "Marco Bianchi")
    merchant = make_user(session, "shop@example.com", "Chiara")
    shop = Shop(owner_id=merchant.id, name="Bottega Verde", slug="bottega-verde")
    session.add(shop)
    session.flush()
    post = Post(author_user_id=marco.id, app="facebook")
    session.add(post)
    session.flush()
    fundraiser = Fundraiser(
        post_id=post.id, title="Canile di Quartu", organizer_id=marco.id, goal_cents=200_000
    )
    session.add(fundraiser)
    session.flush()
    return {
        "giulia": giulia,
        "marco": marco,
        "shop": shop,
        "fundraiser": fundraiser,
        "g_card": make_method(session, giulia, "visa", "4242", "sbx_tok_ok_giulia_secret"),
        "m_card": make_method(session, marco, "mastercard", "4444", "sbx_tok_ok_marco_secret"),
    }


def test_history_entries(session, w):
    g, m = w["giulia"], w["marco"]
    purchase = pay(
        session,
        g,
        1250,
        hours_ago=5,
        method=w["g_card"],
        counterparty_shop_id=w["shop"].id,
        status="partially_refunded",
        refunded_cents=500,
        app="instagram",
    )
    back = refund(session, purchase, 500, hours_ago=1)
    donation = pay(
        session, g, 2000, kind="donation", hours_ago=4, method=w["g_card"], fundraiser_id=w["fundraiser"].id
    )
    sent = pay(
        session,
        g,
        1500,
        kind="transfer",
        hours_ago=3,
        method=w["g_card"],
        counterparty_user_id=m.id,
        counterparty_label="Marco B.",
        note="pizza",
        app="messenger",
    )
    received = pay(
        session, m, 700, kind="transfer", hours_ago=2, method=w["m_card"], counterparty_user_id=g.id
    )
    pay(session, m, 999, hours_ago=2, method=w["m_card"], counterparty_shop_id=w["shop"].id)  # not Giulia's
    pay(
        session, m, 300, kind="transfer", hours_ago=2, counterparty_user_id=g.id, status="failed"
    )  # never arrived

    entries = history.list_history(session, user=g, language="en")
    assert [e.id for e in entries] == [
        f"refund:{back.id}",
        f"received:{received.id}",
        f"payment:{sent.id}",
        f"payment:{donation.id}",
        f"payment:{purchase.id}",
    ]
    by_id = {e.id: e for e in entries}

    p = by_id[f"payment:{purchase.id}"]
    assert (p.kind, p.direction, p.app, p.counterparty) == ("purchase", "out", "instagram", "Bottega Verde")
    assert (p.amount_cents, p.amount_label) == (-1250, "\u2212€12.50")
    assert (p.method_label, p.status, p.payment_id) == ("Visa •••• 4242", "partially_refunded", purchase.id)

    r = by_id[f"refund:{back.id}"]
    assert (r.kind, r.direction, r.amount_cents, r.amount_label) == ("refund", "in", 500, "+€5.00")
    assert (r.counterparty, r.method_label, r.payment_id, r.app) == (
        "Bottega Verde",
        "Visa •••• 4242",
        purchase.id,
        "instagram",
    )

    d = by_id[f"payment:{donation.id}"]
    assert (d.kind, d.counterparty, d.amount_label) == ("donation", "Canile di Quartu", "\u2212€20.00")

    s = by_id[f"payment:{sent.id}"]
    assert (s.kind, s.counterparty, s.note, s.app) == ("transfer_sent", "Marco B.", "pizza", "messenger")

    rec = by_id[f"received:{received.id}"]
    assert (rec.kind, rec.direction, rec.counterparty) == ("transfer_received", "in", "Marco Bianchi")
    assert (rec.amount_cents, rec.amount_label) == (700, "+€7.00")
    # Marco's card is none of Giulia's business.
    assert rec.method_label == "—"
    assert "4444" not in repr(entries) and "secret" not in repr(entries)


def test_italian_labels(session, w):
    pay(session, w["giulia"], 1250, method=w["g_card"], counterparty_label="Caffè Aurora")
    [entry] = history.list_history(session, user=w["giulia"], language="it")
    assert entry.amount_label == "\u2212€\xa012,50"
    assert str(NOW.year) in entry.created_at_label


def test_marco_sees_his_side(session, w):
    g, m = w["giulia"], w["marco"]
    sent = pay(session, g, 1500, kind="transfer", method=w["g_card"], counterparty_user_id=m.id, hours_ago=2)
    returned = refund(session, sent, 1500, hours_ago=1)
    entries = history.list_history(session, user=m)
    assert [e.id for e in entries] == [f"returned:{returned.id}", f"received:{sent.id}"]
    assert entries[0].kind == "transfer_returned" and entries[0].amount_cents == -1500
    assert entries[0].amount_label == "\u2212€15.00"
    assert all(e.method_label == "—" for e in entries)
    assert all(e.counterparty == "Giulia Rossi" for e in entries)


def test_a_method_of_someone_else_is_never_shown(session, w):
    # A corrupt row pointing at Marco's card must not leak it into Giulia's history.
    pay(session, w["giulia"], 100, method=w["m_card"], counterparty_label="X")
    [entry] = history.list_history(session, user=w["giulia"])
    assert entry.method_label == "—"


def test_removed_card_still_labels_old_payments(session, w):
    pay(session, w["giulia"], 100, method=w["g_card"])
    w["g_card"].removed_at = utcnow()
    session.add(w["g_card"])
    session.flush()
    assert history.list_history(session, user=w["giulia"])[0].method_label == "Visa •••• 4242"


def test_empty_history_and_limit(session, w):
    assert history.list_history(session, user=w["giulia"]) == []
    for i in range(5):
        pay(session, w["giulia"], 100 + i, hours_ago=i, method=w["g_card"])
    entries = history.list_history(session, user=w["giulia"], limit=3)
    assert [e.amount_cents for e in entries] == [-100, -101, -102]
    for bad in (0, -1, "3", 10_000, True, None):
        with pytest.raises(ValidationError) as exc:
            history.list_history(session, user=w["giulia"], limit=bad)
        assert exc.value.code == "limit_invalid"


def test_ids_are_unique(session, w):
    g, m = w["giulia"], w["marco"]
    # Same numeric id for a payment and a refund must not collide.
    p = pay(session, g, 100, method=w["g_card"])
    refund(session, p, 50)
    pay(session, m, 100, kind="transfer", counterparty_user_id=g.id)
    ids = [e.id for e in history.list_history(session, user=g)]
    assert len(ids) == len(set(ids)) == 3


def test_method_label_helper():
    assert history.method_label("visa", "4242") == "Visa •••• 4242"
    assert history.method_label("amex", "0005") == "American Express •••• 0005"
    assert history.method_label("mastercard", "4444") == "Mastercard •••• 4444"
    assert history.method_label(None, None) == "—"


def test_constant_number_of_queries(engine, session, w):
    g, m = w["giulia"], w["marco"]

    def add(n):
        for i in range(n):
            p = pay(session, g, 100 + i, method=w["g_card"], counterparty_shop_id=w["shop"].id)
            refund(session, p, 10)
            pay(session, m, 200 + i, kind="transfer", counterparty_user_id=g.id)
        session.commit()

    counts = []

    def count(*_args, **_kwargs):
        counts[-1] += 1

    for n in (1, 25):
        add(n)
        counts.append(0)
        event.listen(engine, "before_cursor_execute", count)
        try:
            entries = history.list_history(session, user=g)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert len(entries) == 78
    assert counts[0] == counts[1] <= 4
