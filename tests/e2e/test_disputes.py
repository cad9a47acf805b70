"""Disputes in the browser: a buyer reports a problem from the receipt, the shop answers
seeing only "Customer XXXX", the buyer asks support, support refunds part of the order."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_foundation import shot
from tests.e2e.world import PASSWORD, world


@pytest.fixture
def needs_database(pytestconfig):
    if pytestconfig.getoption("base_url", None):
        pytest.skip("builds its shop and purchase straight into the harness's database")


def test_report_answer_escalate_and_refund(needs_database, phone_page, new_context, request):
    w = world(request)
    shop = w.merchant(price_cents=2400)
    buyer, card = w.shopper()
    order_id = w.purchase(buyer, card, shop.product_id)
    payment_id = w.order_payment_id(order_id)

    # The buyer, on a phone: the receipt's "Report a problem" goes to the shop that sold it.
    page = phone_page
    log_in(page, buyer.email, PASSWORD, next_path=f"/pay/history/payment-{payment_id}")
    report = page.get_by_role("link", name=f"Report a problem with {shop.shop_name}")
    report.click()
    expect(page).to_have_url(re.compile(rf"/disputes/{order_id}$"))
    expect(page.get_by_role("heading", name="Report a problem")).to_be_visible()
    page.get_by_role("button", name="Send to the shop").click()
    expect(page.get_by_role("alert")).to_have_text("Choose what went wrong.")
    page.get_by_label("It arrived damaged").check()
    page.get_by_role("button", name="Send to the shop").click()
    expect(page.get_by_role("alert")).to_have_text("Tell the shop what happened.")
    page.get_by_label("Details for the shop").fill("The bag was torn and half the bread was crumbs.")
    page.get_by_role("button", name="Send to the shop").click()
    dispute = page.get_by_test_id("dispute")
    expect(dispute).to_contain_text("Waiting for the shop")
    expect(dispute).to_contain_text("Answer due by")
    shot(page, "dispute-buyer-phone")

    # The shop, on a desktop: the buyer is a pseudonym, never a name or an e-mail.
    merchant = new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(merchant, shop.email, PASSWORD, next_path="/merchant/disputes")
    rows = merchant.get_by_test_id("dispute-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(re.compile(r"Customer [2-9A-Z]{4}"))
    expect(rows.first).to_contain_text("half the bread was crumbs")
    expect(rows.first).not_to_contain_text(buyer.name)
    expect(rows.first).not_to_contain_text(buyer.email)
    rows.first.get_by_label("Your answer").fill("Sorry! Send us a photo and we will bake you a new one.")
    rows.first.get_by_role("button", name="Send answer").click()
    expect(merchant.get_by_text("Answer sent.")).to_be_visible()
    expect(rows).to_have_count(0)  # "Waiting for you" is empty now
    merchant.get_by_label("Show").click()
    merchant.get_by_role("option", name="Answered").click()
    expect(rows).to_have_count(1)
    shot(merchant, "dispute-merchant-desktop")

    # The buyer sees the answer and asks support to decide.
    page.reload()
    expect(page.get_by_test_id("dispute-answer")).to_contain_text("bake you a new one")
    page.get_by_role("button", name="Ask support to decide").click()
    expect(dispute).to_contain_text("With support")

    # Support refunds €10.00 of the €24.00 order, through the one refund path.
    agent = new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(agent, "support@example.com", next_path="/support/disputes")
    case = agent.get_by_test_id("support-dispute").filter(has_text=shop.shop_name)
    expect(case).to_have_count(1)
    expect(case).to_contain_text(buyer.name)
    case.get_by_label("Refund amount").fill("30")
    case.get_by_label("Decision, shown to the customer").first.fill("Half the order was unusable.")
    case.get_by_role("button", name="Refund", exact=True).click()
    expect(agent.get_by_role("alert")).to_contain_text("€")  # more than was paid: refused, nothing changed
    case.get_by_label("Refund amount").fill("10")
    case.get_by_role("button", name="Refund", exact=True).click()
    expect(agent.get_by_text("Refunded and closed.")).to_be_visible()
    expect(case).to_have_count(0)
    shot(agent, "dispute-support-desktop")

    page.reload()
    expect(dispute).to_contain_text("Refunded")
    expect(dispute).to_contain_text("Half the order was unusable.")
    page.goto(f"/pay/history/payment-{payment_id}")
    expect(page.get_by_test_id("receipt-refunds")).to_contain_text("€10.00")


def test_a_shopper_gets_a_refusal_on_the_shops_disputes(needs_database, page, request):
    w = world(request)
    buyer, _ = w.shopper()
    log_in(page, buyer.email, PASSWORD, next_path="/merchant/disputes")
    expect(page.get_by_role("alert")).to_contain_text("This page is for shop owners.")
    expect(page.get_by_test_id("dispute-row")).to_have_count(0)
    page.goto("/support/disputes")
    expect(page.get_by_text("support")).not_to_have_count(0)
    expect(page.get_by_test_id("support-dispute")).to_have_count(0)
