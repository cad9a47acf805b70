"""The worked example of README.md ("Writing a new scenario"), kept here so it stays true:
copy it to start a new scenario."""

from playwright.sync_api import expect

from tests.e2e.pages import PIN, FeedPage, PayHistoryPage, log_in_new_shopper


def test_a_new_shopper_pays_and_finds_the_payment_in_the_history(page, request):
    log_in_new_shopper(page, request, name="Teresa Tester")     # a person of this scenario's own
    checkout = FeedPage(page).open("instagram").open_seeded_product().buy_now()
    checkout.pay(PIN)
    paid = checkout.expect_paid()                                # "payment-41"
    history = PayHistoryPage.in_new_tab(page)
    history.expect_starts_with(paid, "")                        # that payment, and nothing else
    expect(history.newest()).to_contain_text("Instagram")
