"""Buying, paying, cancelling, donating and sending money, as a shopper does it.

Scenarios that read a history, a PIN counter or change a setting shop as a person of their
own (pages.log_in_new_shopper: English UI, saved Visa 4242, PIN 3917, a saved address), so
scenarios running at the same time on other xdist workers cannot add entries to it; the
others shop as marco, whose data they only read.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import log_in, seeded_instagram_post, sign_up
from tests.e2e.pages import FeedPage, PayHistoryPage, log_in_new_shopper
from tests.e2e.test_foundation import shot

PIN = "3917"
NEW_PERSON_PIN = "6152"
MONEY = re.compile(r"€[\d,]+\.\d\d")


def open_first_instagram_product(page):
    page.goto("/feed/instagram")
    tag = seeded_instagram_post(page).get_by_test_id("product-tag").first
    expect(tag).to_be_visible()
    tag.click()
    sheet = page.get_by_test_id("product-sheet")
    expect(sheet.get_by_role("button", name="Buy now")).to_be_enabled()
    return sheet


def buy_now_from_instagram(page):
    sheet = open_first_instagram_product(page)
    sheet.get_by_role("button", name="Buy now").click()
    expect(page).to_have_url(re.compile(r"/checkout/?\?.*app=instagram"))
    expect(page.get_by_role("heading", name="Order summary")).to_be_visible()


def fill_new_card(page, *, number: str, expiry: str, cvc: str) -> None:
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry (MM/YY)").fill(expiry)
    page.get_by_label("CVC").fill(cvc)


def pay_button(page):
    return page.get_by_role("button", name=re.compile(r"^Pay\b"))


def _history_tab(page):
    """/pay/history in a new tab of the same login. A new tab gets a new page state, so the
    first list it shows is the freshly loaded one; a tab that showed the history before
    may show its previous list until the reload lands, and a one-shot read would be stale."""
    tab = page.context.new_page()
    tab.goto("/pay/history")
    return tab


def newest_entry(page) -> str:
    """The newest history entry ("payment-41", "refund-7"), or "" for an empty history."""
    tab = _history_tab(page)
    entries = tab.get_by_test_id("history-entry")
    empty = tab.get_by_text("No payments yet.")
    expect(entries.first.or_(empty)).to_be_visible()
    newest = "" if empty.is_visible() else entries.first.get_attribute("data-entry") or ""
    tab.close()
    return newest


def paid_entry(page) -> str:
    """The history entry of the payment the checkout page just showed as paid."""
    result = page.get_by_test_id("payment-result")
    expect(result).to_have_attribute("data-entry", re.compile(r"^payment-\d+$"))
    return result.get_attribute("data-entry") or ""


def expect_history_starts_with(page, *entries: str) -> None:
    """The newest entries are exactly these, in this order ("" = the list ends there)."""
    tab = _history_tab(page)
    rows = tab.get_by_test_id("history-entry")
    for index, entry in enumerate(entries):
        if entry:
            expect(rows.nth(index)).to_have_attribute("data-entry", entry)
        else:
            expect(rows).to_have_count(index)
            if index == 0:
                expect(tab.get_by_text("No payments yet.")).to_be_visible()
            break
    tab.close()


def test_buy_from_an_instagram_post_with_the_saved_card_and_pin(page, request):
    log_in_new_shopper(page, request, name="Marta Salvi")
    before = newest_entry(page)
    buy_now_from_instagram(page)
    expect(page.get_by_text(re.compile(r"Visa •••• 4242"))).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile("Visa •••• 4242"))).to_be_checked()
    # His saved address is preselected: no form to fill.
    expect(page.get_by_role("radio", name=re.compile(r"\d{5} .+ \(IT\)"))).to_be_checked()
    shot(page, "checkout-desktop")
    page.get_by_label("Pay PIN").fill(PIN)
    pay_button(page).click()
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()
    number = page.get_by_test_id("order-number").first.inner_text()
    assert re.fullmatch(r"SS-\d{8}(-\d+)?", number), number
    expect(pay_button(page)).to_have_count(0)
    shot(page, "checkout-paid-desktop")

    paid = paid_entry(page)
    page.get_by_role("link", name="See my orders").click()
    expect(page.get_by_role("link", name=f"Order {number}")).to_be_visible()
    expect_history_starts_with(page, paid, before)
    page.goto("/pay/history")
    first = page.get_by_test_id("history-entry").first
    expect(first).to_have_attribute("data-entry", paid)
    expect(first).to_contain_text("Instagram")
    expect(first).to_contain_text("•••• 4242")
    expect(first).to_contain_text(MONEY)


def test_declined_card_shows_the_reason_and_charges_nothing(page, request):
    log_in_new_shopper(page, request, name="Dario Rifiutato")
    checkout = FeedPage(page).open("instagram").open_seeded_product().buy_now()
    checkout.use_new_card("4000 0000 0000 0002", expiry="12/39", cvc="123")
    checkout.pay(PIN)
    checkout.expect_refused("Your card was declined.")
    expect(page.get_by_text("Nothing was charged.")).to_be_visible()
    shot(page, "checkout-declined-desktop")
    history = PayHistoryPage.in_new_tab(page)
    history.expect_empty()
    history.close()
    # The refused card was not kept: the next checkout offers only the saved Visa.
    page.get_by_role("button", name="Try again").click()
    expect(checkout.card(re.compile("•••• 0002"))).to_have_count(0)
    expect(checkout.card(re.compile("Visa •••• 4242"))).to_be_checked()


def test_invalid_card_number_is_explained_before_anything_is_sent(page):
    log_in(page, "marco@example.com")
    buy_now_from_instagram(page)
    page.get_by_text("A new card").click()
    fill_new_card(page, number="4242 4242 4242 4241", expiry="01/20", cvc="12")
    page.get_by_label("Pay PIN").fill(PIN)
    pay_button(page).click()
    expect(page.get_by_text("This card number is not valid: check for a typo.")).to_be_visible()
    expect(page.get_by_text("This card has expired.")).to_be_visible()
    expect(page.get_by_text("The CVC is the 3 or 4 digits on the card.")).to_be_visible()
    expect(pay_button(page)).to_be_enabled()


def test_wrong_pin_says_how_many_tries_are_left(page, request):
    log_in_new_shopper(page, request, name="Piero Sbaglio")
    checkout = FeedPage(page).open("instagram").open_seeded_product().buy_now()
    checkout.pay("0000")
    expect(page.get_by_text("Wrong PIN. Tries left: 4.")).to_be_visible()
    # The right PIN still works afterwards.
    checkout.pay(PIN)
    checkout.expect_paid()


def test_double_click_on_pay_charges_once(page, request):
    log_in_new_shopper(page, request, name="Doppio Clic")
    checkout = FeedPage(page).open("instagram").open_seeded_product().buy_now()
    checkout.pay(PIN, double_click=True)
    paid = checkout.expect_paid()
    expect(page.get_by_test_id("order-number")).to_have_count(1)
    # One payment, and nothing else, in the new person's history.
    PayHistoryPage.in_new_tab(page).expect_starts_with(paid, "")


def test_reload_during_checkout_keeps_the_same_attempt(page, request):
    log_in_new_shopper(page, request, name="Rita Ricarica")
    before = newest_entry(page)
    buy_now_from_instagram(page)
    key = page.evaluate("() => window.sessionStorage.getItem('socialshop_payment_key')")
    assert key
    page.reload()
    expect(pay_button(page)).to_be_enabled()
    assert page.evaluate("() => window.sessionStorage.getItem('socialshop_payment_key')") == key
    page.get_by_label("Pay PIN").fill(PIN)
    pay_button(page).click()
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()
    number = page.get_by_test_id("order-number").first.inner_text()
    # Reloading after paying shows the same result instead of offering Pay again.
    page.reload()
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()
    expect(page.get_by_test_id("order-number").first).to_have_text(number)
    expect(pay_button(page)).to_have_count(0)
    expect_history_starts_with(page, paid_entry(page), before)


def test_cancel_within_30_minutes_refunds_in_full(page, request):
    log_in_new_shopper(page, request, name="Carlo Annulla")
    buy_now_from_instagram(page)
    page.get_by_label("Pay PIN").fill(PIN)
    pay_button(page).click()
    number = page.get_by_test_id("order-number").first.inner_text()
    page.get_by_role("link", name="See my orders").click()
    page.get_by_role("link", name=f"Order {number}").click()
    expect(page.get_by_role("heading", name=f"Order {number}")).to_be_visible()
    page.get_by_role("button", name="Cancel order").click()
    page.get_by_role("button", name="Yes, cancel it").click()
    expect(page.get_by_text(re.compile(r"refund of €[\d,.]+ issued"))).to_be_visible()
    expect(page.get_by_text("Cancelled").first).to_be_visible()
    expect(page.get_by_role("button", name="Cancel order")).to_have_count(0)
    shot(page, "order-cancelled-desktop")
    page.goto("/pay/history")
    refund = page.get_by_test_id("history-entry").first
    expect(refund).to_contain_text(re.compile(r"\+€[\d,]+\.\d\d"))


def test_donate_to_a_fundraiser(page):
    log_in(page, "marco@example.com")
    page.goto("/")
    fundraiser = page.get_by_role("article").filter(has=page.get_by_role("button", name="Donate")).first
    expect(fundraiser).to_be_visible()
    raised_before = fundraiser.get_by_text(re.compile(r"raised of")).inner_text()
    fundraiser.get_by_role("button", name="Donate").click()
    expect(page.get_by_role("heading", name="Your donation")).to_be_visible()
    page.get_by_label("Amount (€)").fill("20000")
    page.get_by_label("Pay PIN").fill(PIN)
    pay_button(page).click()
    expect(page.get_by_role("alert")).to_contain_text("Donations go from €1.00 to €10,000.00.")
    page.get_by_label("Amount (€)").fill("abc")
    pay_button(page).click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the amount as a number")
    page.get_by_label("Amount (€)").fill("5")
    page.get_by_label("Pay PIN").fill(PIN)
    pay_button(page).click()
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()
    expect(page.get_by_text("€5.00")).to_be_visible()
    page.goto("/")
    fundraiser = page.get_by_role("article").filter(has=page.get_by_role("button", name="Donate")).first
    expect(fundraiser.get_by_text(re.compile(r"raised of"))).not_to_have_text(raised_before)


def test_send_money_in_messenger(page, request):
    log_in_new_shopper(page, request, name="Sara Invia")
    page.goto("/feed/messenger")
    page.get_by_role("link", name="Send or request money").click()
    expect(page.get_by_role("heading", name="Send money")).to_be_visible()
    # The page's data has loaded: a new person has exchanged money with nobody yet.
    expect(page.get_by_label("To").locator("option")).to_have_count(1)
    page.get_by_label("Find someone by email, phone or @handle").fill("giulia@example.com")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_label("To")).to_have_value(re.compile(r"^\d+$"))
    expect(page.get_by_label("To").locator("option:checked")).to_have_text("Giulia Rossi")
    page.get_by_label("Amount (€)").first.fill("1500")
    page.get_by_label("Pay PIN").fill(PIN)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("You can send at most €1,000.00 in one payment.")
    page.get_by_label("Amount (€)").first.fill("12.50")
    page.get_by_label("Note (optional)").first.fill("Pizza")
    page.get_by_label("Pay PIN").fill(PIN)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Sent €12.50.")).to_be_visible()
    shot(page, "messenger-money-desktop")
    page.goto("/pay/history")
    expect(page.get_by_test_id("history-entry").first).to_contain_text("Giulia Rossi")


def test_pay_switched_off_in_an_app_is_refused_naming_the_app(page, request):
    log_in_new_shopper(page, request, name="Walter Spento")
    page.goto("/pay/apps")
    switch = page.get_by_role("switch", name="WhatsApp")
    expect(switch).to_be_checked()
    switch.click()
    expect(switch).not_to_be_checked()
    page.goto("/feed/whatsapp")
    tag = page.get_by_test_id("product-tag").first
    tag.click()
    page.get_by_test_id("product-sheet").get_by_role("button", name="Buy now").click()
    expect(page.get_by_role("alert")).to_contain_text("WhatsApp")
    expect(pay_button(page)).to_have_count(0)
    page.goto("/pay/apps")
    page.get_by_role("switch", name="WhatsApp").click()
    expect(page.get_by_role("switch", name="WhatsApp")).to_be_checked()


def test_a_donation_shows_up_live_on_another_persons_feed(page, new_context):
    watcher = new_context().new_page()
    log_in(watcher, "davide@example.com")
    watched = watcher.get_by_role("article").filter(has=watcher.get_by_role("button", name="Donate")).first
    expect(watched).to_be_visible()
    title = watched.get_by_text(re.compile(r"raised of")).inner_text()

    log_in(page, "marco@example.com")
    page.goto("/")
    fundraiser = page.get_by_role("article").filter(has=page.get_by_role("button", name="Donate")).first
    fundraiser.get_by_role("button", name="Donate").click()
    page.get_by_label("Amount (€)").fill("7")
    page.get_by_label("Pay PIN").fill(PIN)
    pay_button(page).click()
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()

    # No reload on the watcher's side: the feed refreshes fundraiser totals by itself.
    expect(watched.get_by_text(re.compile(r"raised of"))).not_to_have_text(title, timeout=25_000)


def test_buy_on_a_phone(phone_page):
    page = phone_page
    log_in(page, "marco@example.com")
    sheet = open_first_instagram_product(page)
    shot(page, "product-sheet-phone")
    box = sheet.bounding_box()
    assert box is not None and box["width"] >= 390 * 0.9, box
    sheet.get_by_role("button", name="Buy now").click()
    expect(page.get_by_role("heading", name="Order summary")).to_be_visible()
    shot(page, "checkout-phone")
    page.get_by_label("Pay PIN").fill(PIN)
    pay_button(page).click()
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()
    shot(page, "checkout-paid-phone")
    page.goto("/pay/history")
    expect(page.get_by_test_id("history-entry").first).to_be_visible()
    shot(page, "pay-history-phone")
    page.goto("/messenger/money")
    expect(page.get_by_role("heading", name="Send money")).to_be_visible()
    shot(page, "messenger-money-phone")


def test_new_person_sets_a_pin_and_pays_with_a_new_card(page):
    sign_up(page, name="Nina Nuova", email=f"nina-{uuid.uuid4().hex[:8]}@example.com", password="a-good-pass-42")
    expect(page.get_by_role("article").first).to_be_visible()

    buy_now_from_instagram(page)
    page.get_by_role("link", name="Set your PIN").click()
    expect(page.get_by_text("You have no PIN yet: choose one to start paying.")).to_be_visible()
    page.get_by_label("New PIN (4 to 6 digits)").fill("1234")
    page.get_by_label("Repeat the new PIN").fill("1235")
    page.get_by_role("button", name="Save PIN").click()
    expect(page.get_by_role("alert")).to_have_text("The two new PINs differ: type the same PIN twice.")
    page.get_by_label("New PIN (4 to 6 digits)").fill("1234")
    page.get_by_label("Repeat the new PIN").fill("1234")
    page.get_by_role("button", name="Save PIN").click()
    expect(page.get_by_role("alert")).to_have_text(
        "This PIN is too easy to guess (like 1234, 0000 or 2580): choose another."
    )
    page.get_by_label("New PIN (4 to 6 digits)").fill(NEW_PERSON_PIN)
    page.get_by_label("Repeat the new PIN").fill(NEW_PERSON_PIN)
    page.get_by_role("button", name="Save PIN").click()
    expect(page.get_by_text("Your PIN is set. You can pay now.")).to_be_visible()
    expect(page.get_by_label("Current PIN")).to_be_visible()

    buy_now_from_instagram(page)
    expect(page.get_by_role("radio", name="A new card")).to_be_checked()
    page.get_by_label("Address").fill("Via Garibaldi 3")
    page.get_by_label("Postal code").fill("09124")
    page.get_by_label("City").fill("Cagliari")
    fill_new_card(page, number="4242 4242 4242 4242", expiry="11/38", cvc="321")
    page.get_by_label("Pay PIN").fill(NEW_PERSON_PIN)
    pay_button(page).click()
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()
    page.goto("/pay/history")
    expect(page.get_by_test_id("history-entry").first).to_contain_text("•••• 4242")


def test_italian_shopper_pays_in_italian(page, request):
    log_in_new_shopper(page, request, name="Giorgia Sanna", language="it")
    page.goto("/feed/instagram")
    seeded_instagram_post(page).get_by_test_id("product-tag").first.click()
    page.get_by_test_id("product-sheet").get_by_role("button", name="Compra ora").click()
    expect(page.get_by_role("heading", name="Riepilogo ordine")).to_be_visible()
    expect(page.get_by_test_id("checkout-total")).to_have_text(re.compile(r"^€\s\d+,\d\d$"))
    page.get_by_label("PIN di Pay").fill(PIN)
    page.get_by_role("button", name=re.compile(r"^Paga\b")).click()
    expect(page.get_by_role("heading", name="Già pagato — grazie!")).to_be_visible()
    shot(page, "checkout-paid-italian-desktop")
