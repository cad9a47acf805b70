"""Page objects: the steps scenarios repeat most, written once, with role and label locators
and Playwright's auto-waiting `expect` (no sleeps). See README.md, "Writing a new scenario".

    person, _card = world(request).shopper(address=True)   # PIN 3917, Visa •••• 4242, an address
    log_in_as(page, person)
    checkout = FeedPage(page).open("instagram").open_seeded_product().buy_now()
    checkout.pay(PIN)
    entry = checkout.expect_paid()                            # "payment-41"
    PayHistoryPage.in_new_tab(page).expect_starts_with(entry)

Each method waits for the screen it leads to, so a scenario reads as a list of steps and a
failure points at the step that did not happen.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import log_in, seeded_instagram_post
from tests.e2e.world import PASSWORD, PIN, Person, world

__all__ = ["PIN", "CheckoutPage", "FeedPage", "PayHistoryPage", "ProductSheet", "log_in_as", "log_in_new_shopper"]

PAID = "Already paid — thank you!"


def log_in_as(page: Page, person: Person, *, next_path: str = "") -> None:
    """Log in a person world.py made (they all have world.PASSWORD)."""
    log_in(page, person.email, PASSWORD, next_path=next_path)


def log_in_new_shopper(page: Page, request, *, name: str = "Lucia Verdi", language: str = "en",
                       address: bool = True) -> Person:
    """A shopper of this scenario's own (PIN 3917, Visa •••• 4242, by default a saved address),
    logged in: what the demo shoppers offer, without sharing their history, notifications,
    PIN tries or settings with scenarios running at the same time."""
    person, _card = world(request).shopper(name=name, language=language, address=address)
    log_in_as(page, person)
    return person


class FeedPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, app: str = "") -> FeedPage:
        """The feed of all apps, or of one ("instagram", "facebook", "messenger", "whatsapp")."""
        self.page.goto(f"/feed/{app}" if app else "/")
        expect(self.articles.first).to_be_visible()
        return self

    @property
    def articles(self) -> Locator:
        return self.page.get_by_role("article")

    def seeded_instagram_post(self) -> Locator:
        """Caffè Aurora's seeded Instagram post (two tagged products). Never "the first post":
        merchant scenarios publish newer ones at any time."""
        return seeded_instagram_post(self.page)

    def open_seeded_product(self, tag: int = 0) -> ProductSheet:
        """Tap a product tag of the seeded Instagram post (open the Instagram feed first)."""
        return self.open_product(self.seeded_instagram_post(), tag)

    def open_product(self, post: Locator, tag: int = 0) -> ProductSheet:
        product_tag = post.get_by_test_id("product-tag").nth(tag)
        expect(product_tag).to_be_visible()
        product_tag.click()
        sheet = ProductSheet(self.page)
        expect(sheet.buy_now_button).to_be_enabled()
        return sheet


class ProductSheet:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.root = page.get_by_test_id("product-sheet")

    @property
    def buy_now_button(self) -> Locator:
        return self.root.get_by_role("button", name="Buy now")

    def buy_now(self) -> CheckoutPage:
        self.buy_now_button.click()
        expect(self.page).to_have_url(re.compile(r"/checkout/?\?"))
        return CheckoutPage(self.page).wait()

    def add_to_cart(self) -> None:
        self.root.get_by_role("button", name="Add to cart").click()
        expect(self.root.get_by_text("Added to cart")).to_be_visible()


class CheckoutPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def wait(self) -> CheckoutPage:
        expect(self.page.get_by_role("heading", name="Order summary")).to_be_visible()
        return self

    @property
    def pay_button(self) -> Locator:
        return self.page.get_by_role("button", name=re.compile(r"^Pay\b"))

    def card(self, name: str | re.Pattern) -> Locator:
        """A payment method's radio, e.g. card(re.compile("Visa •••• 4242"))."""
        return self.page.get_by_role("radio", name=name)

    def use_new_card(self, number: str, *, expiry: str = "12/39", cvc: str = "123") -> None:
        self.page.get_by_text("A new card").click()
        self.page.get_by_label("Card number").fill(number)
        self.page.get_by_label("Expiry (MM/YY)").fill(expiry)
        self.page.get_by_label("CVC").fill(cvc)

    def pay(self, pin: str = PIN, *, double_click: bool = False) -> None:
        self.page.get_by_label("Pay PIN").fill(pin)
        if double_click:
            self.pay_button.dblclick()
        else:
            self.pay_button.click()

    def expect_paid(self) -> str:
        """Waits for the paid screen; the payment's history entry ("payment-41")."""
        expect(self.page.get_by_role("heading", name=PAID)).to_be_visible()
        result = self.page.get_by_test_id("payment-result")
        expect(result).to_have_attribute("data-entry", re.compile(r"^payment-\d+$"))
        return result.get_attribute("data-entry") or ""

    def expect_refused(self, reason: str) -> None:
        expect(self.page.get_by_role("heading", name="Payment refused")).to_be_visible()
        expect(self.page.get_by_role("alert")).to_contain_text(reason)

    def order_number(self) -> str:
        return self.page.get_by_test_id("order-number").first.inner_text()


class PayHistoryPage:
    """/pay/history. Open it in a new tab to read the list after paying: a new tab's page state
    is fresh, while a tab that showed the history before may briefly show its previous list."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @classmethod
    def in_new_tab(cls, page: Page) -> PayHistoryPage:
        tab = page.context.new_page()
        tab.goto("/pay/history")
        return cls(tab)

    @property
    def entries(self) -> Locator:
        return self.page.get_by_test_id("history-entry")

    def newest(self) -> Locator:
        return self.entries.first

    def expect_starts_with(self, *entries: str) -> None:
        """The newest entries are exactly these ids, in this order ("" = the list ends there)."""
        for index, entry in enumerate(entries):
            if entry:
                expect(self.entries.nth(index)).to_have_attribute("data-entry", entry)
            else:
                expect(self.entries).to_have_count(index)
                if index == 0:
                    expect(self.page.get_by_text("No payments yet.")).to_be_visible()
                break

    def expect_empty(self) -> None:
        self.expect_starts_with("")

    def close(self) -> None:
        self.page.close()
