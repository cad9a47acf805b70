"""What the server sends a browser during a whole Pay session: never a card number, a PIN,
a password hash or another person's data.

The websocket frames are recorded from the first page load, so the hydration of every
state (the largest message a browser gets) is checked too."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_pay_methods import PIN, add_card, new_person_with_a_pin
from tests.e2e.test_payments import buy_now_from_instagram, pay_button

CARD_NUMBER = "4242 4242 4242 4242"
OTHER_PEOPLE_EMAILS = (
    "giulia@example.com",
    "marco@example.com",
    "bottega@example.com",
    "caffe@example.com",
    "libreria@example.com",
    "support@example.com",
)


def record_frames_from_server(page) -> list[str]:
    frames: list[str] = []

    def on_websocket(socket) -> None:
        socket.on(
            "framereceived",
            lambda payload: frames.append(
                payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
            ),
        )

    page.on("websocket", on_websocket)
    return frames


def strings_in(frame: str) -> Iterator[str]:
    """Every key and string value of a socket.io message ('42["event", {...}]')."""
    start = frame.find("[")
    if start < 0:
        return
    try:
        message = json.loads(frame[start:])
    except ValueError:
        yield frame
        return
    stack = [message]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
            # A state delta may carry JSON inside a string: look inside it as well.
            if item[:1] in "[{":
                try:
                    stack.append(json.loads(item))
                except ValueError:
                    pass
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def stands_alone(secret: str, text: str) -> bool:
    """The secret as a whole token, not a run of digits inside an id or a timestamp."""
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])", text) is not None


def test_a_whole_pay_session_never_sends_secrets_or_other_peoples_data(phone_page, new_context):
    # Someone else is signed in at the same time: their login token must never reach us.
    other = new_context().new_page()
    log_in(other, "marco@example.com")
    other_token = other.evaluate("() => window.localStorage.getItem('socialshop_auth')")
    assert other_token and len(other_token) >= 32

    page = phone_page
    frames = record_frames_from_server(page)
    new_person_with_a_pin(page)
    add_card(page, CARD_NUMBER, count_after=1)

    buy_now_from_instagram(page)
    expect(page.get_by_role("radio", name=re.compile(r"Visa •••• 4242"))).to_be_checked()
    page.get_by_label("Address").fill("Via Garibaldi 3")
    page.get_by_label("Postal code").fill("09124")
    page.get_by_label("City").fill("Cagliari")
    page.get_by_label("Pay PIN").fill(PIN)
    pay_button(page).click()
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()

    page.goto("/pay/history")
    entries = page.get_by_test_id("history-entry")
    expect(entries).to_have_count(1)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    assert "•••• 4242" in Path(download_info.value.path()).read_text(encoding="utf-8")
    entries.first.click()
    expect(page.get_by_test_id("receipt-method")).to_have_text("Visa •••• 4242")
    page.goto("/pay")
    expect(page.get_by_test_id("month-spending")).not_to_have_text("€0.00")

    texts = [text for frame in frames for text in strings_in(frame)]
    # The recorder sees what the pages show; otherwise the checks below would prove nothing.
    assert any("Marta Metodi" in t for t in texts) and any("•••• 4242" in t for t in texts)
    digits_only = [re.sub(r"[\s-]", "", text) for text in texts]
    assert not [t for t in digits_only if CARD_NUMBER.replace(" ", "") in t], "a card number was sent"
    assert not [t for t in texts if stands_alone(PIN, t)], "the PIN was sent back"
    assert not [t for t in texts if "$argon2" in t], "a password or PIN hash was sent"
    assert not [t for t in texts if other_token in t], "another person's login token was sent"
    leaked = sorted({email for email in OTHER_PEOPLE_EMAILS for t in texts if email in t.lower()})
    assert leaked == [], f"other people's emails were sent: {leaked}"
