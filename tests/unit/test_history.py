from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from decimal import Decimal

import pytest
from sqlalchemy import event

from socialshop.models import (
    Fundraiser,
    Order,
    OrderItem,
    Payment,
    PaymentMethod,
    Post,
    Product,
    Refund,
    Shop,
    User,
    utcnow,
)
from socialshop.services import history
from socialshop.services.errors import NotFound, ValidationError

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

    entries = history.list_history(session, user=g, language="en").entries
    assert [e.id for e in entries] == [
        f"refund-{back.id}",
        f"received-{received.id}",
        f"payment-{sent.id}",
        f"payment-{donation.id}",
        f"payment-{purchase.id}",
    ]
    by_id = {e.id: e for e in entries}

    p = by_id[f"payment-{purchase.id}"]
    assert (p.kind, p.direction, p.app, p.counterparty) == ("purchase", "out", "instagram", "Bottega Verde")
    assert (p.amount_cents, p.amount_label) == (-1250, "\u2212€12.50")
    assert (p.method_label, p.status, p.payment_id) == ("Visa •••• 4242", "partially_refunded", purchase.id)

    r = by_id[f"refund-{back.id}"]
    assert (r.kind, r.direction, r.amount_cents, r.amount_label) == ("refund", "in", 500, "+€5.00")
    assert (r.counterparty, r.method_label, r.payment_id, r.app) == (
        "Bottega Verde",
        "Visa •••• 4242",
        purchase.id,
        "instagram",
    )

    d = by_id[f"payment-{donation.id}"]
    assert (d.kind, d.counterparty, d.amount_label) == ("donation", "Canile di Quartu", "\u2212€20.00")

    s = by_id[f"payment-{sent.id}"]
    assert (s.kind, s.counterparty, s.note, s.app) == ("transfer_sent", "Marco B.", "pizza", "messenger")

    rec = by_id[f"received-{received.id}"]
    assert (rec.kind, rec.direction, rec.counterparty) == ("transfer_received", "in", "Marco Bianchi")
    assert (rec.amount_cents, rec.amount_label) == (700, "+€7.00")
    # Marco's card is none of Giulia's business.
    assert rec.method_label == "—"
    assert "4444" not in repr(entries) and "secret" not in repr(entries)


def test_italian_labels(session, w):
    pay(session, w["giulia"], 1250, method=w["g_card"], counterparty_label="Caffè Aurora")
    [entry] = history.list_history(session, user=w["giulia"], language="it").entries
    assert entry.amount_label == "\u2212€\xa012,50"
    assert str(NOW.year) in entry.created_at_label


def test_marco_sees_his_side(session, w):
    g, m = w["giulia"], w["marco"]
    sent = pay(session, g, 1500, kind="transfer", method=w["g_card"], counterparty_user_id=m.id, hours_ago=2)
    returned = refund(session, sent, 1500, hours_ago=1)
    entries = history.list_history(session, user=m).entries
    assert [e.id for e in entries] == [f"returned-{returned.id}", f"received-{sent.id}"]
    assert entries[0].kind == "transfer_returned" and entries[0].amount_cents == -1500
    assert entries[0].amount_label == "\u2212€15.00"
    assert all(e.method_label == "—" for e in entries)
    assert all(e.counterparty == "Giulia Rossi" for e in entries)


def test_a_method_of_someone_else_is_never_shown(session, w):
    # A corrupt row pointing at Marco's card must not leak it into Giulia's history.
    pay(session, w["giulia"], 100, method=w["m_card"], counterparty_label="X")
    [entry] = history.list_history(session, user=w["giulia"]).entries
    assert entry.method_label == "—"


def test_removed_card_still_labels_old_payments(session, w):
    pay(session, w["giulia"], 100, method=w["g_card"])
    w["g_card"].removed_at = utcnow()
    session.add(w["g_card"])
    session.flush()
    assert history.list_history(session, user=w["giulia"]).entries[0].method_label == "Visa •••• 4242"


def test_empty_history_and_limit(session, w):
    assert history.list_history(session, user=w["giulia"]) == history.HistoryPage([], "")
    for i in range(5):
        pay(session, w["giulia"], 100 + i, hours_ago=i, method=w["g_card"])
    entries = history.list_history(session, user=w["giulia"], limit=3).entries
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
    ids = [e.id for e in history.list_history(session, user=g).entries]
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
            page = history.list_history(session, user=g)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    # A page is a page however long the history: four sources and the purchases' descriptions.
    assert len(page.entries) == history.PAGE_SIZE and page.next_cursor
    assert counts[0] == counts[1] <= 5


# ---------------------------------------------------------------- pages, filters, search


def order_for(session, payment, shop, lines):
    """An order paid by `payment` with (title, unit price, quantity) lines."""
    order = Order(
        number=f"SS-{next(_keys):08d}",
        buyer_id=payment.payer_id,
        shop_id=shop.id,
        app=payment.app,
        subtotal_cents=sum(price * qty for _, price, qty in lines),
        payment_id=payment.id,
    )
    session.add(order)
    session.flush()
    for title, price, qty in lines:
        product = Product(shop_id=shop.id, title=title, price_cents=price, stock=5)
        session.add(product)
        session.flush()
        session.add(OrderItem(order_id=order.id, product_id=product.id, title=title, unit_price_cents=price, quantity=qty))
    session.flush()
    return order


def all_pages(session, user, filters=None, limit=7):
    """Every page in turn, following next_cursor; the pages as lists of ids."""
    pages, cursor = [], ""
    while True:
        page = history.list_history(session, user=user, filters=filters, cursor=cursor, limit=limit)
        pages.append([e.id for e in page.entries])
        if not page.next_cursor:
            return pages
        cursor = page.next_cursor


def test_pages_cover_the_whole_history_once_in_order(session, w):
    g, m = w["giulia"], w["marco"]
    expected = []
    for i in range(12):
        p = pay(session, g, 100 + i, hours_ago=i, method=w["g_card"], counterparty_shop_id=w["shop"].id)
        expected.append((p.created_at, 0, p.id, f"payment-{p.id}"))
        if i % 3 == 0:
            # Same second as its payment: the tie-break (refund above) must survive page cuts.
            r = refund(session, p, 10, hours_ago=i)
            expected.append((r.created_at, 1, r.id, f"refund-{r.id}"))
        t = pay(session, m, 500 + i, kind="transfer", hours_ago=i, counterparty_user_id=g.id)
        expected.append((t.created_at, 0, t.id, f"received-{t.id}"))
    # Three entries at exactly one instant, so a page boundary falls inside a tie.
    same = NOW - dt.timedelta(minutes=30)
    for _ in range(3):
        p = pay(session, g, 42, method=w["g_card"])
        p.created_at = same
        session.add(p)
        session.flush()
        expected.append((same, 0, p.id, f"payment-{p.id}"))
    expected.sort(key=lambda row: row[:3], reverse=True)

    assert len(expected) == 12 + 4 + 12 + 3
    # Every page size: each kind of boundary (inside a tie, refund then payment...) gets cut.
    for limit in range(1, 9):
        pages = all_pages(session, g, limit=limit)
        assert all(len(page) == limit for page in pages[:-1]) and 1 <= len(pages[-1]) <= limit
        assert [entry for page in pages for entry in page] == [row[3] for row in expected], limit


def test_an_entry_added_meanwhile_does_not_shift_older_pages(session, w):
    g = w["giulia"]
    for i in range(6):
        pay(session, g, 100 + i, hours_ago=i + 1, method=w["g_card"])
    first = history.list_history(session, user=g, limit=3)
    pay(session, g, 999, method=w["g_card"])  # a new payment lands on top
    second = history.list_history(session, user=g, cursor=first.next_cursor, limit=3)
    assert [e.amount_cents for e in first.entries + second.entries] == [-100, -101, -102, -103, -104, -105]
    assert second.next_cursor == ""


def test_a_forged_cursor_is_refused(session, w):
    for bad in ("garbage", "2026-01-01T00:00:00|7|1", "2026-01-01T00:00:00|0|0", "x|0|1", "a|b|c|d"):
        with pytest.raises(ValidationError) as exc:
            history.list_history(session, user=w["giulia"], cursor=bad)
        assert exc.value.code == "history_cursor_invalid"


@pytest.fixture
def mixed(session, w):
    """Giulia's history: one entry of each type, in different apps and statuses."""
    g, m = w["giulia"], w["marco"]
    purchase = pay(session, g, 1250, hours_ago=50, method=w["g_card"], counterparty_shop_id=w["shop"].id,
                   app="instagram", status="partially_refunded", refunded_cents=250)
    order_for(session, purchase, w["shop"], [("Tazza in ceramica", 500, 2), ("Sciarpa di lana", 250, 1)])
    back = refund(session, purchase, 250, hours_ago=26)
    donation = pay(session, g, 2000, kind="donation", hours_ago=30, method=w["g_card"],
                   fundraiser_id=w["fundraiser"].id)
    sent = pay(session, g, 1500, kind="transfer", hours_ago=3, method=w["g_card"], counterparty_user_id=m.id,
               counterparty_label="Marco B.", note="Pizza 100% margherita", app="messenger")
    failed = pay(session, g, 800, kind="transfer", hours_ago=2, method=w["g_card"], counterparty_user_id=m.id,
                 status="failed", app="messenger")
    received = pay(session, m, 700, kind="transfer", hours_ago=1, method=w["m_card"], counterparty_user_id=g.id,
                   app="whatsapp", note="cinema")
    returned = refund(session, received, 700, hours_ago=0)
    return {
        "purchase": f"payment-{purchase.id}",
        "refund": f"refund-{back.id}",
        "donation": f"payment-{donation.id}",
        "sent": f"payment-{sent.id}",
        "failed": f"payment-{failed.id}",
        "received": f"received-{received.id}",
        "returned": f"returned-{returned.id}",
        "purchase_row": purchase,
    }


def ids(session, user, **raw):
    filters = history.parse_filter(**raw)
    return [id_ for page in all_pages(session, user, filters, limit=2) for id_ in page]


def test_each_filter(session, w, mixed):
    g = w["giulia"]
    everything = ids(session, g)
    assert set(everything) == {v for k, v in mixed.items() if k != "purchase_row"}
    assert ids(session, g, app="instagram") == [mixed["refund"], mixed["purchase"]]
    assert ids(session, g, app="messenger") == [mixed["failed"], mixed["sent"]]
    assert ids(session, g, app="whatsapp") == [mixed["returned"], mixed["received"]]
    assert ids(session, g, type="purchase") == [mixed["purchase"]]
    assert ids(session, g, type="donation") == [mixed["donation"]]
    assert ids(session, g, type="transfer_sent") == [mixed["failed"], mixed["sent"]]
    assert ids(session, g, type="transfer_received") == [mixed["received"]]
    assert ids(session, g, type="refund") == [mixed["refund"]]
    assert ids(session, g, type="transfer_returned") == [mixed["returned"]]
    assert ids(session, g, status="failed") == [mixed["failed"]]
    assert ids(session, g, status="partially_refunded") == [mixed["purchase"]]
    assert set(ids(session, g, status="succeeded")) == set(everything) - {mixed["failed"], mixed["purchase"]}
    assert ids(session, g, type="refund", status="failed") == []
    assert ids(session, g, app="instagram", type="donation") == []


def test_date_range_is_whole_days_inclusive(session, w, mixed):
    g = w["giulia"]
    purchase_day = mixed["purchase_row"].created_at.date()
    assert mixed["purchase"] in ids(session, g, date_from=purchase_day.isoformat(), date_to=purchase_day.isoformat())
    after = (purchase_day + dt.timedelta(days=1)).isoformat()
    assert mixed["purchase"] not in ids(session, g, date_from=after)
    before = (purchase_day - dt.timedelta(days=1)).isoformat()
    assert ids(session, g, date_to=before) == []
    assert set(ids(session, g, date_from=before)) == set(ids(session, g))


def test_search_is_case_insensitive_on_shop_person_and_description(session, w, mixed):
    g = w["giulia"]
    assert ids(session, g, search="bottega") == [mixed["refund"], mixed["purchase"]]  # the shop
    assert ids(session, g, search="CANILE") == [mixed["donation"]]  # the fundraiser
    assert ids(session, g, search="marco") == [mixed["returned"], mixed["received"], mixed["failed"], mixed["sent"]]
    assert ids(session, g, search="sciarpa") == [mixed["refund"], mixed["purchase"]]  # an item of the order
    assert ids(session, g, search="Cinema") == [mixed["returned"], mixed["received"]]  # the note
    # LIKE's wildcards are searched as themselves.
    assert ids(session, g, search="100%") == [mixed["sent"]]
    assert ids(session, g, search="%") == [mixed["sent"]]
    assert ids(session, g, search="_") == []
    assert ids(session, g, search="nobody at all") == []
    # Other people's data never matches into Giulia's list.
    assert ids(session, w["marco"], search="bottega") == []


def test_description_names_the_items_or_the_note(session, w, mixed):
    entries = {e.id: e for e in history.list_history(session, user=w["giulia"]).entries}
    assert entries[mixed["purchase"]].description == "Tazza in ceramica ×2, Sciarpa di lana"
    assert entries[mixed["refund"]].description == "Tazza in ceramica ×2, Sciarpa di lana"
    assert entries[mixed["sent"]].description == "Pizza 100% margherita"
    assert entries[mixed["donation"]].description == ""


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ({"search": "x" * 101}, "history_search_too_long"),
        ({"search": " " * 5000}, "history_search_too_long"),
        ({"search": ["a"]}, "history_search_invalid"),
        ({"date_from": "2026-03-10", "date_to": "2026-03-09"}, "history_dates_reversed"),
        ({"date_from": "2026-02-30"}, "history_from_invalid"),
        ({"date_from": "yesterday"}, "history_from_invalid"),
        ({"date_to": "20260301"}, "history_to_invalid"),
        ({"date_to": "0001-01-01"}, "history_to_invalid"),
        ({"app": "tiktok"}, "history_app_invalid"),
        ({"app": ["facebook"]}, "history_app_invalid"),
        ({"type": "payouts"}, "history_type_invalid"),
        ({"status": "pending"}, "history_status_invalid"),
    ],
)
def test_bad_filters_are_refused_naming_the_field(raw, code):
    with pytest.raises(ValidationError) as exc:
        history.parse_filter(**raw)
    assert exc.value.code == code


def test_reversed_dates_message_names_both_dates():
    from socialshop import i18n

    with pytest.raises(ValidationError) as exc:
        history.parse_filter(date_from="2026-03-10", date_to="2026-03-09")
    message = i18n.error_message(exc.value.code, "en", **exc.value.params)
    assert "9 Mar 2026" in message and "10 Mar 2026" in message


def test_a_good_filter_round_trips_through_its_url_query():
    filters = history.parse_filter(app="instagram", type="purchase", status="succeeded",
                                   date_from="2026-01-01", date_to="2026-01-31", search="  Bottega   verde ")
    assert filters.search == "Bottega verde"
    query = filters.query()
    assert query == {"app": "instagram", "type": "purchase", "status": "succeeded", "from": "2026-01-01",
                     "to": "2026-01-31", "q": "Bottega verde"}
    again = history.parse_filter(app=query["app"], type=query["type"], status=query["status"],
                                 date_from=query["from"], date_to=query["to"], search=query["q"])
    assert again == filters
    assert history.parse_filter().query() == {}


# ---------------------------------------------------------------- receipts


def test_receipt_of_a_purchase(session, w, mixed):
    receipt = history.get_receipt(session, user=w["giulia"], entry=mixed["purchase"], language="en")
    assert (receipt.id, receipt.kind, receipt.app, receipt.counterparty) == (
        mixed["purchase"], "purchase", "instagram", "Bottega Verde")
    assert (receipt.method_label, receipt.amount_label, receipt.status) == (
        "Visa •••• 4242", "\u2212€12.50", "partially_refunded")
    assert [(line.title, line.quantity, line.amount_label) for line in receipt.lines] == [
        ("Tazza in ceramica", 2, "€10.00"), ("Sciarpa di lana", 1, "€2.50")]
    assert (receipt.items_label, receipt.shipping_label, receipt.fees_label) == ("€12.50", "€0.00", "€0.00")
    assert (receipt.refunds_label, receipt.total_label) == ("€2.50", "€10.00")
    assert receipt.order_numbers.startswith("SS-")
    assert [(e.status, e.amount_label) for e in receipt.events] == [
        ("succeeded", "€12.50"), ("partially_refunded", "€2.50")]
    assert "secret" not in repr(receipt)


def test_receipt_of_a_refund_and_of_money_received(session, w, mixed):
    refund_receipt = history.get_receipt(session, user=w["giulia"], entry=mixed["refund"])
    assert (refund_receipt.kind, refund_receipt.direction, refund_receipt.amount_label) == ("refund", "in", "+€2.50")
    assert refund_receipt.status == "succeeded"
    assert refund_receipt.refund_of == mixed["purchase"] and refund_receipt.purchase
    assert history.get_receipt(session, user=w["giulia"], entry=mixed["purchase"]).refund_of == ""
    returned = history.get_receipt(session, user=w["giulia"], entry=mixed["returned"])
    assert (returned.refund_of, returned.purchase, returned.amount_label) == (mixed["received"], False, "\u2212€7.00")
    received = history.get_receipt(session, user=w["giulia"], entry=mixed["received"])
    assert (received.kind, received.counterparty, received.amount_label) == (
        "transfer_received", "Marco Bianchi", "+€7.00")
    # Marco's card is none of Giulia's business.
    assert received.method_label == "—" and "4444" not in repr(received)
    assert [e.status for e in received.events] == ["succeeded", "refunded"]


def test_paypal_shows_its_account_not_a_number(session, w):
    paypal = make_method(session, w["giulia"], "paypal", "", "sbx_pp_tok_secret")
    paypal.kind, paypal.account_email = "paypal", "giulia.rossi@example.com"
    session.add(paypal)
    session.flush()
    p = pay(session, w["giulia"], 900, method=paypal, counterparty_label="Caffè Aurora")
    [entry] = history.list_history(session, user=w["giulia"]).entries
    receipt = history.get_receipt(session, user=w["giulia"], entry=f"payment-{p.id}")
    assert entry.method_label == receipt.method_label == "PayPal g•••@example.com"


def test_foreign_and_garbage_receipts_are_the_same_not_found(session, w, mixed):
    marco = w["marco"]
    theirs = [mixed["purchase"], mixed["refund"], mixed["donation"], mixed["sent"]]
    # Real rows under a source that does not make them his: a purchase is not money he
    # received, its refund is not a transfer returned, a failed transfer never arrived.
    forged = [mixed["purchase"].replace("payment", "received"), mixed["refund"].replace("refund", "returned"),
              mixed["failed"].replace("payment", "received")]
    garbage = ["", "payment", "payment-", "payment:1", "payment-abc", "payout-1", "payment-1' OR 1=1", "x" * 10_000,
               None, 12, ["payment-1"], "payment-99999999999999999999", "payment-0"]
    for entry in theirs + forged + garbage:
        with pytest.raises(NotFound) as exc:
            history.get_receipt(session, user=marco, entry=entry)
        assert exc.value.code == "history_entry_not_found", entry


def test_csv_export_parses_back(session, w, mixed):
    text = history.export_csv(session, user=w["giulia"])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0].keys()) == list(history.CSV_HEADER)
    by_id = {row["transaction_id"]: row for row in rows}
    assert set(by_id) == {v for k, v in mixed.items() if k != "purchase_row"}
    purchase = by_id[mixed["purchase"]]
    assert (purchase["app"], purchase["type"], purchase["counterparty"], purchase["amount"], purchase["currency"]) == (
        "instagram", "purchase", "Bottega Verde", "-12.50", "EUR")
    assert (purchase["status"], purchase["method"]) == ("partially_refunded", "Visa •••• 4242")
    assert purchase["description"] == "Tazza in ceramica ×2, Sciarpa di lana"
    assert dt.datetime.fromisoformat(purchase["date"]) == mixed["purchase_row"].created_at.replace(tzinfo=dt.UTC)
    assert Decimal(by_id[mixed["refund"]]["amount"]) == Decimal("2.50")
    assert by_id[mixed["received"]]["method"] == ""
    assert by_id[mixed["sent"]]["description"] == "Pizza 100% margherita"
    # Newest first, like the list.
    assert [row["transaction_id"] for row in rows] == ids(session, w["giulia"])


def test_csv_export_is_every_page_of_the_filter(session, w, monkeypatch):
    monkeypatch.setattr(history, "EXPORT_BATCH", 4)
    for i in range(11):
        pay(session, w["giulia"], 100 + i, hours_ago=i, method=w["g_card"], app="instagram" if i % 2 else "facebook")
    rows = list(csv.reader(io.StringIO(history.export_csv(session, user=w["giulia"],
                                                          filters=history.parse_filter(app="facebook")))))
    assert rows[0] == list(history.CSV_HEADER)
    assert [row[5] for row in rows[1:]] == ["-1.00", "-1.02", "-1.04", "-1.06", "-1.08", "-1.10"]


def test_csv_of_an_empty_filter_is_the_header_alone(session, w, mixed):
    text = history.export_csv(session, user=w["giulia"], filters=history.parse_filter(search="no such thing"))
    assert list(csv.reader(io.StringIO(text))) == [list(history.CSV_HEADER)]
    assert history.export_csv(session, user=w["marco"], filters=history.parse_filter(type="donation")) == (
        ",".join(history.CSV_HEADER) + "\r\n")


def test_one_id_format_for_receipts_notifications_and_support(session, w, mixed):
    from socialshop.services import notifications, support

    assert notifications.entry_link("payment", 12) == "/pay/history/payment-12"
    assert history.parse_entry_id("payment-12") == ("payment", 12)
    assert support.ABOUT_KINDS == history.ENTRY_SOURCES
    for key in ("purchase", "refund", "received", "returned"):
        source, row_id = history.parse_entry_id(mixed[key])
        assert history.get_receipt(session, user=w["giulia"], entry=mixed[key]).id == mixed[key]
        assert support.check_about(session, user=w["giulia"], entry_id=mixed[key]) == (source, row_id)
        assert notifications.entry_link(source, row_id) == f"/pay/history/{mixed[key]}"
