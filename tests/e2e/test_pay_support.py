"""Support chat and notifications, live across tabs and people, as a user sees them.

Scenarios that lock a PIN use a fresh account; marco's scenarios leave his PIN and
cards as they were.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import log_in, sign_up
from tests.e2e.pages import log_in_new_shopper
from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_foundation import shot
from tests.e2e.test_payments import buy_now_from_instagram, fill_new_card, pay_button

PIN = "3917"
NEW_PIN = "4826"


def bell_count(page):
    return page.get_by_test_id("notification-count")


def chat(page):
    return page.get_by_role("log")


def send(page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Send").click()


def lock_pin_at_checkout(page) -> None:
    """Five wrong PINs in the checkout's PIN field (the card is never reached)."""
    buy_now_from_instagram(page)
    page.get_by_label("Address").fill("Via Garibaldi 3")
    page.get_by_label("Postal code").fill("09124")
    page.get_by_label("City").fill("Cagliari")
    fill_new_card(page, number="4242 4242 4242 4242", expiry="11/38", cvc="321")
    for tries_left in (4, 3, 2, 1):
        page.get_by_label("Pay PIN").fill("0000")
        pay_button(page).click()
        expect(page.get_by_text(f"Wrong PIN. Tries left: {tries_left}.")).to_be_visible()
    page.get_by_label("Pay PIN").fill("0000")
    pay_button(page).click()
    expect(page.get_by_text(re.compile(r"Too many wrong PINs: payments are locked until"))).to_be_visible()


def test_locked_pin_is_explained_in_every_tab_and_an_agent_answers_live(page, new_context):
    name = f"Lia Lock {uuid.uuid4().hex[:4]}"
    sign_up(page, name=name, email=f"lia-{uuid.uuid4().hex[:8]}@example.com", password="a-good-pass-42")
    expect(page.get_by_role("article").first).to_be_visible()
    page.goto("/pay/security")
    expect(page.get_by_test_id("session-row")).to_have_count(1)  # the page has loaded
    page.get_by_label("New PIN (4 to 6 digits)").fill(NEW_PIN)
    page.get_by_label("Repeat the new PIN").fill(NEW_PIN)
    page.get_by_role("button", name="Save PIN").click()
    expect(page.get_by_text("Your PIN is set. You can pay now.")).to_be_visible()
    lock_pin_at_checkout(page)
    # The lock is a notification too.
    expect(bell_count(page)).to_have_text("1")

    page.goto("/pay/support")
    expect(page.get_by_text("No messages yet. Ask a question below.")).to_be_visible()
    second = page.context.new_page()
    second.goto("/pay/support")
    expect(second.get_by_text("No messages yet. Ask a question below.")).to_be_visible()

    agent = new_context().new_page()
    log_in(agent, "support@example.com", next_path="/support/agent")
    expect(agent.get_by_role("heading", name="Support queue")).to_be_visible()
    expect(agent.get_by_role("button", name="Refresh")).to_be_visible()
    row = agent.get_by_test_id("queue-row").filter(has_text=name)
    expect(row).to_have_count(0)

    send(page, "why is my PIN locked")
    answer = chat(page).get_by_test_id("chat-message").filter(has_text="Your Pay PIN is locked")
    expect(answer).to_contain_text(re.compile(r"entered wrong 5 times in a row\. It unlocks on .+\d"))
    expect(page.get_by_label("Your message")).to_have_value("")
    # The other tab shows the question and the answer without a reload.
    expect(chat(second).get_by_test_id("chat-message")).to_have_count(2)
    expect(chat(second).get_by_test_id("chat-message").last).to_contain_text("Your Pay PIN is locked")
    shot(page, "support-assistant-desktop")

    page.get_by_role("button", name="Talk to a person").click()
    expect(chat(second).get_by_test_id("chat-system")).to_contain_text("A person from our team will answer here.")
    expect(second.get_by_text("Waiting for a person")).to_be_visible()

    # The agent's queue, open since before the handover, shows it without a reload.
    expect(row).to_have_count(1)
    shot(agent, "support-agent-queue-desktop")
    row.get_by_role("button", name="Open").click()
    expect(chat(agent).get_by_test_id("chat-message").first).to_contain_text("why is my PIN locked")
    agent.get_by_label("Your answer").fill("Hi! Your PIN unlocks by itself; I have checked your account.")
    agent.get_by_role("button", name="Answer").click()
    expect(chat(agent).get_by_test_id("chat-message").last).to_contain_text("I have checked your account")
    shot(agent, "support-agent-conversation-desktop")
    assert serious_violations(agent) == []

    for tab in (page, second):
        reply = chat(tab).get_by_test_id("chat-message").last
        expect(reply).to_contain_text("I have checked your account")
        expect(reply).to_contain_text("Support team")
    # The answer is a notification: the lock's and this one.
    expect(bell_count(second)).to_have_text("2")

    # The user writes back; the agent sees it live, then closes the conversation.
    send(second, "Thank you!")
    expect(chat(agent).get_by_test_id("chat-message").last).to_contain_text("Thank you!")
    agent.get_by_role("button", name="End conversation").click()
    expect(page.get_by_text("This conversation was closed.")).to_be_visible()
    expect(page.get_by_role("button", name="New conversation")).to_be_visible()


def test_the_bell_counts_a_payment_and_toasts_it_in_another_tab(page, request):
    # A person of its own: a payment anyone else makes as marco meanwhile would ring marco's bell.
    log_in_new_shopper(page, request, name="Bruno Campanella")
    page.goto("/pay/history")
    page.get_by_role("button", name="Notifications").click()
    popover = page.get_by_role("dialog")
    expect(popover.get_by_test_id("notification-entry").first.or_(popover.get_by_text("Nothing new yet."))).to_be_visible()
    mark_all = popover.get_by_role("button", name="Mark all read")
    if mark_all.is_visible():
        mark_all.click()
    expect(mark_all).to_have_count(0)
    page.keyboard.press("Escape")
    expect(bell_count(page)).to_have_count(0)

    other = page.context.new_page()
    other.goto("/")
    expect(other.get_by_role("article").first).to_be_visible()
    expect(bell_count(other)).to_have_count(0)

    buy_now_from_instagram(page)
    page.get_by_label("Pay PIN").fill(PIN)
    pay_button(page).click()
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()
    expect(bell_count(page)).to_have_text("1")
    # The other tab, untouched: the count and a toast arrive by themselves.
    expect(bell_count(other)).to_have_text("1")
    expect(other.get_by_text(re.compile(r"You paid €[\d,]+\.\d\d to .+ on Instagram\."))).to_be_visible()

    other.get_by_role("button", name="Notifications").click()
    entry = other.get_by_test_id("notification-entry").first
    expect(entry).to_contain_text("on Instagram")
    entry.get_by_role("button", name="Mark read").click()
    expect(bell_count(other)).to_have_count(0)


def test_support_on_a_phone_with_a_forged_link_and_no_agent_access(phone_page):
    page = phone_page
    log_in(page, "marco@example.com")
    page.goto("/pay/support?about=payment-999999")
    expect(page.get_by_role("alert")).to_have_text(
        "That payment is not in your history, so you can't open a conversation about it."
    )
    expect(page.get_by_test_id("support-about")).to_have_count(0)
    page.get_by_role("button", name="Which apps have Pay on?").click()
    expect(chat(page).get_by_test_id("chat-message").last).to_contain_text("Pay is on in: Facebook")
    shot(page, "support-chat-phone")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Notifications").click()
    expect(page.get_by_role("dialog").get_by_role("heading", name="Notifications")).to_be_visible()
    shot(page, "notifications-phone")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="End conversation").click()
    expect(page.get_by_text("This conversation was closed.")).to_be_visible()

    page.goto("/support/agent")
    expect(page.get_by_role("alert")).to_have_text("This page is for the support team. Your account cannot open it.")
    expect(page.get_by_test_id("queue-row")).to_have_count(0)
