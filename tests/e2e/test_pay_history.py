"""/pay/history: filters, search, pages, receipts, "Report a problem" and the CSV export.

Each scenario signs up a fresh person and gives them a known history, written straight into
the harness's database (the history only reads it; paying 25 times through checkout would
test checkout, not the history): 22 Facebook purchases, an Instagram purchase at Bottega
Verde partly refunded, and money received from Marco on Messenger.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import Session, select

from socialshop.db import make_engine
from socialshop.models import Payment, PaymentMethod, Refund, User
from tests.e2e.conftest import PHONE, sign_up
from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_foundation import shot

FACEBOOK_PURCHASES = 22
DESKTOP = {"width": 1280, "height": 800}


def _history_person(page, request, pytestconfig) -> dict[str, int]:
    """Sign up a new person and write their history; the ids of the entries scenarios open."""
    if pytestconfig.getoption("base_url", None):
        pytest.skip("writes a history straight into the harness's database")
    email = f"lucia-{uuid.uuid4().hex[:8]}@example.com"
    sign_up(page, name="Lucia Storia", email=email, password="a-good-pass-42")
    expect(page.get_by_role("article").first).to_be_visible()
    now = dt.datetime.now(dt.UTC)
    database_url = request.getfixturevalue("test_database")
    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            lucia = session.exec(select(User).where(User.email == email)).one()
            marco = session.exec(select(User).where(User.email == "marco@example.com")).one()
            card = PaymentMethod(
                user_id=lucia.id, provider="sandbox", provider_token="sbx_tok_ok_" + uuid.uuid4().hex,
                brand="visa", last4="4242", exp_month=12, exp_year=now.year + 3, is_default=True,
            )
            session.add(card)
            session.flush()

            written: list[int] = []

            def payment(payer, amount, hours_ago, **fields):
                row = Payment(payer_id=payer.id, amount_cents=amount, provider="sandbox",
                              idempotency_key=f"e2e-history-{uuid.uuid4().hex}",
                              created_at=now - dt.timedelta(hours=hours_ago), **fields)
                session.add(row)
                session.flush()
                written.append(row.id)
                return row

            for i in range(FACEBOOK_PURCHASES):
                payment(lucia, 1000 + i * 10, 30 + i, kind="purchase", app="facebook", method_id=card.id,
                        counterparty_label=f"Forno Sardo {i + 1}")
            bottega = payment(lucia, 2490, 5, kind="purchase", app="instagram", method_id=card.id,
                              counterparty_label="Bottega Verde", status="partially_refunded", refunded_cents=490)
            refund = Refund(payment_id=bottega.id, amount_cents=490, idempotency_key=f"e2e-refund-{uuid.uuid4().hex}",
                            created_at=now - dt.timedelta(hours=4))
            session.add(refund)
            received = payment(marco, 1800, 2, kind="transfer", app="messenger", counterparty_user_id=lucia.id,
                               counterparty_label="Lucia", note="Cena di venerdì")
            session.commit()
            request.addfinalizer(lambda: _remove_history(database_url, written, card.id))
            return {"bottega": bottega.id, "refund": refund.id, "received": received.id}
    finally:
        engine.dispose()


def _remove_history(database_url: str, payment_ids: list[int], method_id: int) -> None:
    """The rows written above have no orders or ledger entries behind them: they go once the
    scenario ends, so the books the last scenario checks hold only what the app itself did."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            session.exec(delete(Refund).where(Refund.payment_id.in_(payment_ids)))
            session.exec(delete(Payment).where(Payment.id.in_(payment_ids)))
            session.exec(delete(PaymentMethod).where(PaymentMethod.id == method_id))
            session.commit()
    finally:
        engine.dispose()


def entries(page):
    return page.get_by_test_id("history-entry")


def test_filter_search_open_a_receipt_and_report_it_on_a_phone(phone_page, request, pytestconfig):
    page = phone_page
    ids = _history_person(page, request, pytestconfig)
    page.goto("/pay/history")
    # Newest first, one page of 20; "Older" pages on, with no gap or repeat.
    expect(entries(page)).to_have_count(20)
    expect(entries(page).first).to_have_attribute("data-entry", f"received-{ids['received']}")
    expect(entries(page).nth(1)).to_have_attribute("data-entry", f"refund-{ids['refund']}")
    expect(entries(page).nth(2)).to_have_attribute("data-entry", f"payment-{ids['bottega']}")
    shot(page, "pay-history-phone")
    newer = page.get_by_role("button", name="Newer")
    expect(newer).to_be_disabled()
    page.get_by_role("button", name="Older").click()
    expect(entries(page)).to_have_count(FACEBOOK_PURCHASES + 3 - 20)
    expect(entries(page).last).to_contain_text("Forno Sardo 22")
    expect(page.get_by_role("button", name="Older")).to_be_disabled()
    newer.click()
    expect(entries(page)).to_have_count(20)

    # Filter by app: the URL carries the filter, so the list can be linked.
    page.get_by_label("App").select_option(label="Instagram")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/pay/history/?\?app=instagram$"))
    expect(entries(page)).to_have_count(2)
    expect(entries(page).first).to_have_attribute("data-entry", f"refund-{ids['refund']}")
    expect(page.get_by_role("button", name="Older")).to_have_count(0)
    page.get_by_role("button", name="Clear filters").click()
    expect(page).to_have_url(re.compile(r"/pay/history$"))
    expect(entries(page)).to_have_count(20)
    expect(page.get_by_label("App")).to_have_value("")

    # Search: any case, on the person and the description.
    page.get_by_label("Search").fill("CENA")
    page.get_by_role("button", name="Show").click()
    expect(entries(page)).to_have_count(1)
    expect(entries(page).first).to_contain_text("Marco Bianchi")
    page.get_by_label("Search").fill("bottega")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"q=bottega"))
    expect(entries(page)).to_have_count(2)
    shot(page, "pay-history-search-phone")

    # The purchase's receipt.
    entries(page).filter(has_text="Purchase").click()
    expect(page).to_have_url(re.compile(rf"/pay/history/payment-{ids['bottega']}$"))
    expect(page.get_by_role("heading", name="Receipt")).to_be_visible()
    expect(page.get_by_test_id("receipt-id")).to_have_text(f"payment-{ids['bottega']}")
    expect(page.get_by_test_id("receipt-amount")).to_have_text("\u2212€24.90")
    expect(page.get_by_test_id("receipt-method")).to_have_text("Visa •••• 4242")
    expect(page.get_by_test_id("receipt-refunds")).to_contain_text("€4.90")
    events = page.get_by_test_id("receipt-event")
    expect(events).to_have_count(2)
    expect(events.nth(0)).to_contain_text("Paid")
    expect(events.nth(1)).to_contain_text("Partly refunded")
    shot(page, "pay-receipt-phone")
    page.get_by_role("link", name="Report a problem").scroll_into_view_if_needed()
    shot(page, "pay-receipt-bottom-phone")
    assert serious_violations(page) == []

    # "Report a problem" opens a support conversation about this very payment.
    page.get_by_role("link", name="Report a problem").click()
    expect(page).to_have_url(re.compile(rf"/pay/support\?about=payment-{ids['bottega']}$"))
    expect(page.get_by_test_id("support-about")).to_contain_text("Bottega Verde")
    expect(page.get_by_role("alert")).to_have_count(0)


def test_bad_filters_and_other_peoples_receipts_get_clear_messages(page, request, pytestconfig):
    ids = _history_person(page, request, pytestconfig)
    page.set_viewport_size(DESKTOP)
    page.goto("/pay/history?app=instagram")
    expect(entries(page)).to_have_count(2)
    # A huge search: named, and nothing changes (same list, same URL).
    page.get_by_label("Search").fill("x" * 101)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert")).to_have_text("Search for at most 100 characters.")
    expect(page).to_have_url(re.compile(r"/pay/history/?\?app=instagram$"))
    expect(entries(page)).to_have_count(2)
    # An end before the start.
    page.get_by_label("Search").fill("")
    page.get_by_label("From", exact=True).fill("2026-03-10")
    page.get_by_label("To", exact=True).fill("2026-03-09")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert")).to_contain_text("The “To” date (9 Mar 2026) is before the “From” date (10 Mar 2026)")
    expect(page).to_have_url(re.compile(r"/pay/history/?\?app=instagram$"))
    expect(entries(page)).to_have_count(2)
    shot(page, "pay-history-error-desktop")
    # A hand-edited link with a bad date says so and shows the whole history.
    page.goto("/pay/history?from=2026-02-30")
    expect(page.get_by_role("alert")).to_contain_text("The “From” date is not a valid date")
    expect(entries(page)).to_have_count(20)

    # Marco's own payment and garbage get the same answer: no hint which exists.
    for forged in (f"payment-{ids['received']}", "payment-999999999", "garbage", "payment:1"):
        page.goto(f"/pay/history/{forged}")
        expect(page.get_by_role("alert")).to_have_text("That transaction is not in your history.")
        expect(page.get_by_test_id("receipt-amount")).to_have_count(0)
    # Her side of the same transfer is hers to see.
    page.goto(f"/pay/history/received-{ids['received']}")
    expect(page.get_by_test_id("receipt-amount")).to_have_text("+€18.00")
    # Marco's card is none of her business: no method at all.
    expect(page.get_by_test_id("receipt-method")).to_have_count(0)
    expect(page.get_by_test_id("receipt-amount")).to_be_visible()
    shot(page, "pay-receipt-received-desktop")


def _download(page) -> list[list[str]]:
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename == "pay-history.csv"
    return list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))


def test_csv_download_of_the_filtered_list(page, request, pytestconfig):
    _history_person(page, request, pytestconfig)
    page.set_viewport_size(DESKTOP)
    page.goto("/pay/history?app=facebook")
    expect(entries(page)).to_have_count(20)
    shot(page, "pay-history-desktop")
    rows = _download(page)
    header, body = rows[0], rows[1:]
    assert header == ["date", "app", "type", "counterparty", "description", "amount", "currency", "status", "method",
                      "transaction_id"]
    # Every page of the filter, not only the 20 shown.
    assert len(body) == FACEBOOK_PURCHASES
    assert {row[1] for row in body} == {"facebook"}
    assert body[0][3] == "Forno Sardo 1" and body[0][5] == "-10.00" and body[0][8] == "Visa •••• 4242"
    assert body[-1][3] == f"Forno Sardo {FACEBOOK_PURCHASES}" and body[-1][5] == "-12.10"
    assert all(re.fullmatch(r"payment-\d+", row[9]) for row in body)

    page.goto("/pay/history?q=nothing%20like%20this")
    expect(page.get_by_text("Nothing in your history matches these filters.")).to_be_visible()
    assert _download(page) == [header]


def test_a_refunds_receipt_fits_a_phone(phone_page, request, pytestconfig):
    page = phone_page
    ids = _history_person(page, request, pytestconfig)
    page.goto(f"/pay/history/refund-{ids['refund']}")
    expect(page.get_by_test_id("receipt-amount")).to_have_text("+€4.90")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    page.set_viewport_size(DESKTOP)
    expect(page.get_by_test_id("receipt-amount")).to_be_visible()
    shot(page, "pay-receipt-desktop")
