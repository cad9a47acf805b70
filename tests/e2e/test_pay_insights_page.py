"""Pay → Insights: spending charts with their numbers, and the period selector."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from socialshop.models import Payment
from tests.e2e.conftest import DESKTOP
from tests.e2e.pages import log_in_new_shopper
from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_foundation import SCREENSHOTS, shot
from tests.e2e.test_pay_overview import new_user
from tests.e2e.test_payment_faults import new_shopper_with_pin, pay_with_new_card
from tests.e2e.test_payments import PIN, buy_now_from_instagram, paid_entry, pay_button


def _months_ago(months: int) -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    index = now.year * 12 + now.month - 1 - months
    return dt.datetime(index // 12, index % 12 + 1, 15, 12, tzinfo=dt.UTC)


def move_payment_back(entry: str, months: int) -> None:
    """No screen makes a payment in the past: the scenario's own payment is moved there
    in the database the harness serves."""
    from socialshop.db import session_scope

    payment_id = int(entry.removeprefix("payment-"))
    with session_scope() as session:
        session.exec(update(Payment).where(Payment.id == payment_id).values(created_at=_months_ago(months)))


def choose_period(page, name: str) -> None:
    page.get_by_role("combobox", name="Period").click()
    page.get_by_role("option", name=name).click()
    expect(page.get_by_role("combobox", name="Period")).to_have_text(name)


def month_rows(page):
    return page.get_by_role("table", name="By month").locator("tbody tr")


def shopper_buys_on_instagram(page, request) -> str:
    """A shopper of the scenario's own (its totals cannot move while it reads them) pays for
    the seeded Instagram post's product; the history entry of the payment."""
    log_in_new_shopper(page, request, name="Ilaria Spese")
    buy_now_from_instagram(page)
    page.get_by_label("Pay PIN").fill(PIN)
    pay_button(page).click()
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()
    return paid_entry(page)


def test_a_shopper_reads_spending_insights_and_changes_the_period_on_a_phone(phone_page, pytestconfig, request):
    if pytestconfig.getoption("base_url", None):
        pytest.skip("moves a payment back in time in the harness's own database")
    page = phone_page
    move_payment_back(shopper_buys_on_instagram(page, request), months=2)

    page.goto("/pay")
    page.get_by_role("navigation", name="Pay").get_by_role("link", name="Insights").click()
    expect(page).to_have_url(re.compile(r"/pay/insights$"))
    expect(page.get_by_role("heading", name="Insights", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Pay").get_by_role("link", name="Insights")).to_have_attribute(
        "aria-current", "page"
    )

    # Last 3 months (the default): three months, the one two months back holding the purchase.
    expect(page.get_by_role("combobox", name="Period")).to_have_text("Last 3 months")
    chart = page.get_by_role("img", name="By month")
    expect(chart.locator("svg.recharts-surface")).to_be_visible()
    expect(month_rows(page)).to_have_count(3)
    expect(month_rows(page).first).not_to_contain_text("€0.00")
    expect(page.get_by_role("table", name="By app").get_by_role("row", name=re.compile("Instagram"))).to_be_visible()
    expect(page.get_by_role("table", name="By category").locator("tbody tr").first).to_be_visible()
    expect(page.get_by_role("table", name="By merchant").locator("tbody tr").first).to_be_visible()
    total = page.get_by_test_id("insights-total")
    expect(total).to_have_text(re.compile(r"^€[\d,]+\.\d\d$"))
    three_months = total.inner_text()
    shot(page, "pay-insights-phone")
    page.screenshot(path=str(SCREENSHOTS / "pay-insights-phone-full.png"), full_page=True)
    # Every chart fits the phone's width: nothing scrolls sideways.
    for name in ("By month", "By app", "By category", "By merchant"):
        box = page.get_by_role("img", name=name).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # This month leaves the purchase out: another total, or nothing at all.
    choose_period(page, "This month")
    empty = page.get_by_test_id("insights-empty")
    expect(month_rows(page).or_(empty)).to_have_count(1)
    expect(total.or_(empty)).not_to_have_text(three_months)
    shot(page, "pay-insights-this-month-phone")

    # Twelve months: every month listed, months without spending at zero; same total as before.
    choose_period(page, "Last 12 months")
    expect(month_rows(page)).to_have_count(12)
    expect(total).to_have_text(three_months)
    expect(month_rows(page).filter(has_text="€0.00").first).to_be_visible()


def test_logged_out_goes_to_login_and_a_new_person_sees_the_empty_state(page):
    page.set_viewport_size(DESKTOP)
    page.goto("/pay/insights")
    expect(page).to_have_url(re.compile(r"/login\?next=/pay/insights/?$"))
    new_user(page, "Ines Insights")
    page.goto("/pay/insights")
    expect(page.get_by_test_id("insights-empty")).to_contain_text("No spending in this period")
    expect(page.get_by_role("table")).to_have_count(0)
    choose_period(page, "All time")
    expect(page.get_by_test_id("insights-empty")).to_contain_text("No spending yet")
    shot(page, "pay-insights-empty-desktop")


def test_on_a_desktop_the_charts_sit_beside_their_numbers_in_either_language(page):
    page.set_viewport_size(DESKTOP)
    # A new account: switching the language is saved on the account.
    new_shopper_with_pin(page, "Dora Diagram")
    buy_now_from_instagram(page)
    pay_with_new_card(page, "4242 4242 4242 4242")
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()
    page.goto("/pay/insights")
    choose_period(page, "Last 12 months")
    expect(month_rows(page)).to_have_count(12)
    apps = page.get_by_role("img", name="By app").bounding_box()
    table = page.get_by_role("table", name="By app").bounding_box()
    # Beside, not below: the table starts to the right of the chart, on the same band.
    assert apps and table and table["x"] >= apps["x"] + apps["width"] - 1 and table["y"] < apps["y"] + apps["height"]
    page.screenshot(path=str(SCREENSHOTS / "pay-insights-desktop-full.png"), full_page=True)
    shot(page, "pay-insights-desktop")
    assert serious_violations(page) == []

    # In Italian the same numbers read the Italian way, at once.
    page.get_by_role("combobox", name="Language").first.click()
    page.get_by_role("option", name="Italiano").click()
    expect(page.get_by_role("heading", name="Per mese")).to_be_visible()
    expect(page.get_by_role("table", name="Per mese").locator("tbody tr th").last).to_have_text(
        re.compile(r"^(gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre) \d{4}$")
    )
    expect(page.get_by_test_id("insights-total")).to_have_text(re.compile(r"^€\s[\d.]+,\d\d$"))
    shot(page, "pay-insights-italian-desktop")
