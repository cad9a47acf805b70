"""A merchant's money: changing the fee package with the comparison, available and pending
money and Pay out now, and insights that hide groups of fewer than 5 buyers."""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import update
from sqlmodel import select

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_foundation import SCREENSHOTS

# pytest-playwright empties test-results/ between runs; SOCIALSHOP_SCREENSHOTS keeps them elsewhere.
SHOTS = Path(os.environ.get("SOCIALSHOP_SCREENSHOTS", SCREENSHOTS))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

PASSWORD = "a-good-pass-42"


@pytest.fixture(autouse=True)
def _own_database(pytestconfig):
    if pytestconfig.getoption("base_url", None):
        pytest.skip("makes the shop's sales in the harness's own database")


def open_shop(page) -> str:
    """Sign up as a new merchant and log in; the account's email."""
    email = f"shop-{uuid.uuid4().hex[:8]}@example.com"
    page.goto("/signup")
    page.get_by_label("Your name").fill("Mara Rossi")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("checkbox", name="I sell: open a shop").click()
    page.get_by_label("Shop name").fill(f"Forno {email[5:13]}")
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/login\?signed_up=1"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    return email


def sell(email: str, cities: list[str], *, days_ago: int = 0) -> list[tuple[int, int]]:
    """Shoppers (new ones, one per city) buy a €20 product of the merchant's shop through
    checkout; the orders are then moved `days_ago` days back (no screen sells in the past)."""
    from socialshop.db import session_scope
    from socialshop.models import Order, User
    from socialshop.services import checkout, shops
    from tests.unit.factories import SHIPPING, authorized_key, make_buyer, make_product

    with session_scope() as session:
        owner = session.exec(select(User).where(User.email == email)).one()
        shop = shops.shop_of(session, owner=owner)
        assert shop is not None
        product = make_product(session, shop=shop, title="Olive oil", price_cents=2_000, stock=100)
        session.commit()
        order_ids, sold = [], []
        for city in cities:
            buyer, method = make_buyer(session)
            result = checkout.checkout_items(
                session, user=buyer, key=authorized_key(session, buyer, app="instagram"), items=[(product.id, 1)],
                method_id=method.id, shipping={**SHIPPING, "city": city}, app="instagram",
            )
            assert result.succeeded, result
            order_ids.extend(result.order_ids)
            sold.extend((buyer.id, order_id) for order_id in result.order_ids)
        if days_ago:
            when = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
            session.exec(update(Order).where(Order.id.in_(order_ids)).values(paid_at=when, created_at=when))
    return sold


def test_a_merchant_compares_packages_and_moves_to_another(page):
    page.set_viewport_size(DESKTOP)
    email = open_shop(page)
    sell(email, ["Milano", "Roma"], days_ago=3)
    page.goto("/merchant/fees")

    comparison = page.get_by_test_id("fee-comparison")
    expect(comparison.locator("tbody tr")).to_have_count(3)
    # Two €20 orders: Starter 5% = €2.00; Growth 3.99% = €1.60; Pro 2 x (0.58 + 0.30) + €19 a month.
    expect(comparison.locator("tr[data-key=starter]")).to_contain_text("€2.00")
    expect(comparison.locator("tr[data-key=growth]")).to_contain_text("€1.60")
    expect(comparison.locator("tr[data-key=growth]")).to_contain_text("Cheapest for you")
    expect(comparison.locator("tr[data-key=pro]")).to_contain_text("€20.76")
    expect(page.get_by_test_id("fees-actual")).to_have_text("You actually paid €2.00")
    expect(page.get_by_test_id("package-starter")).to_contain_text("Your package")
    shot(page, "merchant-fees-desktop")

    page.get_by_role("button", name="Choose Growth").click()
    expect(page.get_by_role("status")).to_contain_text("You are now on Growth. It applies to orders paid from now on.")
    expect(page.get_by_test_id("package-growth")).to_contain_text("Your package")
    expect(page.get_by_test_id("package-starter").get_by_role("button", name="Choose Starter")).to_be_visible()
    # The orders already paid keep their fee: what was actually paid does not move.
    expect(page.get_by_test_id("fees-actual")).to_have_text("You actually paid €2.00")
    page.set_viewport_size(PHONE)
    shot(page, "merchant-fees-phone")


def test_a_merchant_sees_available_and_pending_money_and_pays_out_once(page):
    page.set_viewport_size(PHONE)
    email = open_shop(page)
    page.goto("/merchant/payouts")
    expect(page.get_by_role("button", name="Nothing to pay out yet")).to_be_disabled()
    expect(page.get_by_text("No payouts yet.")).to_be_visible()

    sell(email, ["Milano", "Roma"], days_ago=10)  # past Starter's week: available
    sell(email, ["Torino"])  # today: pending
    page.reload()
    # Balance 3 x €19.00; pending €19.00; reserve 10% of €60.00; available the rest.
    expect(page.get_by_test_id("payouts-balance")).to_have_text("€57.00")
    expect(page.get_by_test_id("payouts-pending")).to_have_text("€19.00")
    expect(page.get_by_test_id("payouts-held")).to_have_text("€6.00")
    expect(page.get_by_test_id("payouts-available")).to_have_text("€32.00")
    shot(page, "merchant-payouts-phone")

    page.get_by_role("button", name="Pay out €32.00 now").dblclick()
    expect(page.get_by_role("status")).to_have_text("€32.00 is on its way to your bank account.")
    history = page.get_by_test_id("payouts-history")
    expect(history.locator("tbody tr")).to_have_count(1)
    expect(history.locator("tbody tr")).to_contain_text("€32.00")
    expect(page.get_by_test_id("payouts-available")).to_have_text("€0.00")
    expect(page.get_by_role("button", name="Nothing to pay out yet")).to_be_disabled()
    page.reload()
    expect(page.get_by_test_id("payouts-history").locator("tbody tr")).to_have_count(1)
    page.set_viewport_size(DESKTOP)
    shot(page, "merchant-payouts-desktop")

    # The payout is in the merchant's Pay history too, with a receipt.
    page.goto("/pay/history")
    entry = page.get_by_test_id("history-entry")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Payout to your bank")
    expect(entry.get_by_test_id("history-amount")).to_have_text("+€32.00")
    entry.click()
    expect(page.get_by_test_id("receipt-amount")).to_have_text("+€32.00")
    expect(page.get_by_test_id("receipt-id")).to_have_text(re.compile(r"payout-[0-9]+"))
    shot(page, "merchant-payout-receipt-desktop")


def test_a_refund_after_a_payout_shows_what_the_shop_owes(page):
    from socialshop.db import session_scope
    from socialshop.models import Order, User
    from socialshop.services import orders

    page.set_viewport_size(PHONE)
    email = open_shop(page)
    [(buyer_id, order_id)] = sell(email, ["Milano"], days_ago=40)  # no reserve left for it
    page.goto("/merchant/payouts")
    page.get_by_role("button", name="Pay out €19.00 now").click()
    expect(page.get_by_role("status")).to_have_text("€19.00 is on its way to your bank account.")

    # The buyer's refund is honoured although the money has left: the shop now owes it.
    with session_scope() as session:
        buyer = session.get(User, buyer_id)
        paid_at = session.get(Order, order_id).paid_at
        orders.cancel_order(session, user=buyer, order_id=order_id, now=paid_at + dt.timedelta(minutes=5))
    page.reload()
    expect(page.get_by_role("alert")).to_have_text(
        "You owe €19.00: refunds were larger than your balance. It will be taken from your next sales."
    )
    expect(page.get_by_test_id("payouts-balance")).to_have_text("-€19.00")
    expect(page.get_by_test_id("payouts-available")).to_have_text("€0.00")
    expect(page.get_by_role("button", name="Nothing to pay out yet")).to_be_disabled()
    shot(page, "merchant-payouts-owed-phone")


def test_insights_hide_a_city_of_fewer_than_5_buyers(page):
    page.set_viewport_size(DESKTOP)
    email = open_shop(page)
    sell(email, ["Milano"] * 5 + ["Cagliari"] * 4 + ["Nuoro"])
    page.goto("/merchant/insights")

    cities = page.get_by_test_id("minsights-cities")
    expect(cities.locator("tbody tr")).to_have_count(3)
    milano = cities.locator("tr[data-key=milano]")
    expect(milano).to_contain_text("€100.00")
    expect(milano).to_contain_text("5")
    for hidden in ("cagliari", "nuoro"):
        row = cities.locator(f"tr[data-key={hidden}]")
        expect(row).to_contain_text("fewer than 5 buyers")
        expect(row).to_have_attribute("data-suppressed", "true")
        expect(row).not_to_contain_text("€")
    expect(page.get_by_test_id("minsights-total")).to_have_text("€200.00")
    expect(page.get_by_test_id("minsights-apps").locator("tr[data-key=instagram]")).to_contain_text("€200.00")
    shot(page, "merchant-insights-desktop")

    page.get_by_role("combobox", name="Period").click()
    page.get_by_role("option", name="Last 7 days").click()
    expect(page.get_by_role("combobox", name="Period")).to_have_text("Last 7 days")
    expect(cities.locator("tr[data-key=cagliari]")).to_contain_text("fewer than 5 buyers")
    page.set_viewport_size(PHONE)
    shot(page, "merchant-insights-phone")


def test_a_shopper_is_refused_the_merchant_money_pages(page):
    from tests.e2e.conftest import log_in

    log_in(page, "marco@example.com")
    for path in ("/merchant/fees", "/merchant/payouts", "/merchant/insights"):
        page.goto(path)
        expect(page.get_by_role("alert")).to_contain_text("This page is for shop owners.")
