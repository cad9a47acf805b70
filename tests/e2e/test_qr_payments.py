"""QR payments as a café and its customer do them: the café makes a code for €4.50, the
customer uploads its picture on the scan page and pays with the PIN, the café's page turns
"Paid by Customer …" with the fee without a reload, and the code cannot be paid twice."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from socialshop.state.payment_codes import UPLOAD_ID
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_foundation import shot

PIN = "3917"

# What the buyer is, which the shop's browser must never receive (any case, any spacing).
BUYER_SECRETS = ("marco@example.com", "marco bianchi", "348 555 0102", "3485550102", "corso vittorio")


def record_frames(page) -> list[str]:
    """Every websocket frame the page receives (Reflex sends state updates this way)."""
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(
        payload if isinstance(payload, str) else payload.decode("utf-8", "replace"))))
    return frames


def assert_no_buyer_identity(frames: list[str]) -> None:
    assert frames, "no websocket frame was recorded"
    text = "\n".join(frames).lower()
    leaked = [s for s in BUYER_SECRETS if s in text]
    assert not leaked, f"the shop's browser received {leaked}"


def upload_code(page, path) -> None:
    page.locator(f"#{UPLOAD_ID} input[type=file]").set_input_files(str(path))


def test_dynamic_qr_paid_once_and_the_cafe_sees_a_pseudonym(page, phone_page, tmp_path):
    cafe = page
    frames = record_frames(cafe)
    log_in(cafe, "caffe@example.com", next_path="/merchant/qr")
    expect(cafe.get_by_role("heading", name="QR codes")).to_be_visible()
    expect(cafe.get_by_role("img", name="Your shop's QR code")).to_be_visible()
    cafe.get_by_label("Amount (€)").fill("4.50")
    cafe.get_by_label("Items (optional)").fill("2 cappuccini")
    cafe.get_by_role("button", name="Create QR code").click()
    current = cafe.get_by_role("region", name="The QR code being paid")
    expect(current.get_by_test_id("current-amount")).to_have_text("€4.50")
    expect(current.get_by_text("Waiting for payment")).to_be_visible()
    expect(current.get_by_test_id("countdown")).to_contain_text(re.compile(r"Expires in (9|10):\d\d"))
    shot(cafe, "merchant-qr-open-desktop")
    with cafe.expect_download() as download:
        current.get_by_role("button", name="Download PNG").click()
    png = tmp_path / "code.png"
    download.value.save_as(png)

    buyer = phone_page
    log_in(buyer, "marco@example.com", next_path="/pay/scan?app=whatsapp")
    expect(buyer.get_by_role("heading", name="Scan a shop's QR code")).to_be_visible()
    shot(buyer, "pay-scan-phone")
    upload_code(buyer, png)
    expect(buyer.get_by_role("heading", name="Caffè Aurora")).to_be_visible()
    expect(buyer.get_by_test_id("code-amount")).to_have_text("€4.50")
    # A dynamic code has no amount field: nothing else can be paid.
    expect(buyer.get_by_label("Amount (€)")).to_have_count(0)
    shot(buyer, "pay-code-dynamic-phone")
    buyer.get_by_label("Pay PIN").fill(PIN)
    buyer.get_by_role("button", name="Pay €4.50").click()
    expect(buyer.get_by_role("heading", name="Paid")).to_be_visible()
    expect(buyer.get_by_text(re.compile(r"€4\.50 · Caffè Aurora"))).to_be_visible()
    shot(buyer, "pay-code-paid-phone")

    # The café's page turns paid by itself (it polls), with a pseudonym and the fee.
    expect(current.get_by_test_id("paid-by")).to_have_text(re.compile(r"^Paid by Customer [2-9A-Z]{4,}$"))
    expect(current.get_by_test_id("paid-fee")).to_contain_text(re.compile(r"Fee €\d+\.\d\d \(\w+\) · you receive €\d+\.\d\d"))
    body = cafe.locator("body").inner_text()
    assert "marco" not in body.lower()
    assert_no_buyer_identity(frames)
    shot(cafe, "merchant-qr-paid-desktop")
    assert serious_violations(cafe) == []

    # The same picture again: refused, nothing charged.
    buyer.get_by_role("button", name="Scan another code").click()
    upload_code(buyer, png)
    expect(buyer.get_by_role("alert")).to_contain_text("This code has already been paid.")

    # Pasted text that is not a code, then the buyer's privacy page lists the café.
    buyer.get_by_label("Or paste the code's text").fill("hello")
    buyer.get_by_role("button", name="Read code").click()
    expect(buyer.get_by_role("alert")).to_contain_text("This is not a SocialShop payment code.")
    buyer.goto("/pay/privacy")
    cafe_row = buyer.get_by_test_id("known-shop").filter(has_text="Caffè Aurora")
    expect(cafe_row).to_have_count(1)
    alias = re.search(r"Customer [2-9A-Z]+", cafe_row.inner_text()).group(0)
    shot(buyer, "pay-privacy-phone")
    cafe_row.get_by_role("button", name="Reset · Caffè Aurora").click()
    expect(buyer.get_by_text(re.compile(r"Caffè Aurora now knows you as Customer"))).to_be_visible()
    expect(cafe_row).not_to_contain_text(alias)


def test_static_qr_amount_and_a_shopper_on_the_merchant_page(page, phone_page, tmp_path):
    cafe = phone_page
    log_in(cafe, "caffe@example.com", next_path="/merchant/qr")
    expect(cafe.get_by_role("img", name="Your shop's QR code")).to_be_visible()
    assert serious_violations(cafe) == []
    shot(cafe, "merchant-qr-phone")
    with cafe.expect_download() as download:
        cafe.get_by_role("button", name="Download PNG").click()
    png = tmp_path / "static.png"
    download.value.save_as(png)
    with cafe.expect_download() as sheet:
        cafe.get_by_role("button", name="Printable A6 sheet (PDF)").click()
    assert (sheet.value.path().read_bytes()[:4]) == b"%PDF"

    buyer = page
    log_in(buyer, "marco@example.com", next_path="/pay/scan?app=instagram")
    upload_code(buyer, png)
    expect(buyer.get_by_role("heading", name="Caffè Aurora")).to_be_visible()
    buyer.get_by_label("Amount (€)").fill("0")
    buyer.get_by_label("Pay PIN").fill(PIN)
    buyer.get_by_role("button", name="Pay", exact=True).click()
    expect(buyer.get_by_role("alert")).to_contain_text("more than zero")
    buyer.get_by_label("Amount (€)").fill("2.80")
    buyer.get_by_label("Note for the shop (optional)").fill("table 4")
    buyer.get_by_label("Pay PIN").fill(PIN)
    shot(buyer, "pay-code-static-desktop")
    buyer.get_by_role("button", name="Pay", exact=True).click()
    expect(buyer.get_by_text(re.compile(r"€2\.80 · Caffè Aurora"))).to_be_visible()
    # The café's open page lists it by itself: amount, note, pseudonym and fee.
    latest = cafe.get_by_test_id("static-payment").first
    expect(latest).to_contain_text(re.compile(r"€2\.80\s*Paid by Customer [2-9A-Z]{4,}"))
    expect(latest).to_contain_text("table 4")
    expect(latest).to_contain_text(re.compile(r"Fee €\d+\.\d\d"))
    shot(cafe, "merchant-qr-static-paid-phone")

    # A shopper on the merchant page is refused, and sees no shop data.
    buyer.goto("/merchant/qr")
    expect(buyer.get_by_role("alert")).to_contain_text("This page is for shop owners.")
    expect(buyer.get_by_role("button", name="Create QR code")).to_have_count(0)
