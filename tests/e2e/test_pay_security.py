"""Pay → Security: the PIN (set, change, reset, refused, locked) and where you are signed in.

Each scenario signs up a fresh account: it locks and signs out nobody else.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, log_in, sign_up
from tests.e2e.test_foundation import shot

PASSWORD = "a-good-pass-42"
WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def new_person(page, name: str) -> str:
    email = f"sec-{uuid.uuid4().hex[:8]}@example.com"
    sign_up(page, name=name, email=email, password=PASSWORD)
    expect(page.get_by_role("article").first).to_be_visible()
    return email


def save_pin(page, new_pin: str, *, current: str | None = None, password: str | None = None) -> None:
    if current is not None:
        page.get_by_label("Current PIN").fill(current)
    if password is not None:
        page.get_by_label("Account password").fill(password)
    page.get_by_label("New PIN (4 to 6 digits)").fill(new_pin)
    page.get_by_label("Repeat the new PIN").fill(new_pin)
    page.get_by_role("button", name=re.compile(r"^(Save|Reset) PIN$")).click()


def test_set_change_reset_and_lock_the_pin_on_a_phone(phone_page):
    page = phone_page
    new_person(page, "Sara Sicura")
    # The PIN's old address leads here.
    page.goto("/pay/pin")
    expect(page).to_have_url(re.compile(r"/pay/security$"))
    # The list of sessions comes with the page's last on_load: the page is ready.
    expect(page.get_by_test_id("session-row")).to_have_count(1)
    expect(page.get_by_text("You have no PIN yet: choose one to start paying.")).to_be_visible()
    expect(page.get_by_role("heading", name="Choose your PIN")).to_be_visible()

    save_pin(page, "1234")
    expect(page.get_by_role("alert")).to_have_text(
        "This PIN is too easy to guess (like 1234, 0000 or 2580): choose another."
    )
    expect(page.get_by_text("You have no PIN yet: choose one to start paying.")).to_be_visible()
    save_pin(page, "4826")
    expect(page.get_by_text("Your PIN is set. You can pay now.")).to_be_visible()
    expect(page.get_by_role("heading", name="Change your PIN")).to_be_visible()
    # The passkey section on the same page no longer asks for a PIN first.
    expect(page.get_by_role("link", name="Set your PIN")).to_have_count(0)

    # Changing needs the old PIN; a common new one is refused before the old one is tried.
    save_pin(page, "0000", current="4826")
    expect(page.get_by_role("alert")).to_contain_text("too easy to guess")
    expect(page.get_by_test_id("pin-tries-left")).to_have_count(0)
    save_pin(page, "5917", current="4826")
    expect(page.get_by_text("Your PIN was changed.")).to_be_visible()

    # Forgotten: reset with the account password; a wrong one counts as a wrong try.
    page.get_by_role("button", name="Forgot your PIN?").click()
    expect(page.get_by_role("heading", name="Reset your PIN")).to_be_visible()
    expect(page.get_by_label("Current PIN")).to_have_count(0)
    save_pin(page, "6152", password="not-my-password-1")
    expect(page.get_by_role("alert")).to_have_text("Wrong account password. Tries left: 4.")
    expect(page.get_by_test_id("pin-tries-left")).to_have_text("Wrong tries left before a lock: 4 of 5.")
    shot(page, "pay-security-reset-phone")
    save_pin(page, "6152", password=PASSWORD)
    expect(page.get_by_text("Your PIN was reset.")).to_be_visible()
    expect(page.get_by_role("heading", name="Change your PIN")).to_be_visible()
    expect(page.get_by_test_id("pin-tries-left")).to_have_count(0)

    # Five wrong current PINs lock it: the page says until when, and offers no form meanwhile.
    for tries_left in (4, 3, 2, 1):
        save_pin(page, "7305", current="0001")
        expect(page.get_by_role("alert")).to_have_text(f"Wrong PIN. Tries left: {tries_left}.")
    save_pin(page, "7305", current="0001")
    expect(page.get_by_test_id("pin-locked-until")).to_have_text(re.compile(r"^Locked until \d{1,2}:\d{2}$"))
    expect(page.get_by_label("Current PIN")).to_have_count(0)
    # One message, the lock's own, with its end.
    expect(page.get_by_role("alert")).to_have_count(1)
    expect(page.get_by_role("alert")).to_contain_text("Too many wrong PINs.")
    expect(page.get_by_text("Your PIN was changed.")).to_have_count(0)
    shot(page, "pay-security-locked-phone")
    # Still locked after a reload: the lock is the server's, not the page's.
    page.reload()
    expect(page.get_by_test_id("pin-locked-until")).to_have_text(re.compile(r"^Locked until \d{1,2}:\d{2}$"))


def test_sign_out_everywhere_else_logs_the_other_browser_out(new_context):
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True, user_agent=ANDROID_CHROME).new_page()
    desktop = new_context(viewport=DESKTOP, user_agent=WINDOWS_CHROME).new_page()
    email = new_person(phone, "Dario Doppio")
    log_in(desktop, email, PASSWORD, next_path="/pay/security")
    expect(desktop).to_have_url(re.compile(r"/pay/security$"))

    rows = desktop.get_by_test_id("session-row")
    expect(rows).to_have_count(2)
    this_one = rows.filter(has_text="This device")
    expect(this_one).to_have_count(1)
    expect(this_one).to_contain_text("Chrome on Windows")
    expect(rows.filter(has_text="Chrome Mobile on Android")).to_contain_text(re.compile(r"Last seen .* ago"))
    desktop.get_by_role("heading", name="Where you're signed in").scroll_into_view_if_needed()
    shot(desktop, "pay-security-sessions-desktop")

    phone.goto("/pay/security")
    phone_rows = phone.get_by_test_id("session-row")
    expect(phone_rows).to_have_count(2)
    expect(phone_rows.filter(has_text="This device")).to_contain_text("Chrome Mobile on Android")
    phone.get_by_test_id("session-row").filter(has_text="This device").scroll_into_view_if_needed()
    shot(phone, "pay-security-sessions-phone")
    phone.get_by_role("button", name="Sign out everywhere else").click()
    expect(phone.get_by_text("Signed out everywhere else (1).")).to_be_visible()
    expect(phone_rows).to_have_count(1)
    expect(phone.get_by_text("You're signed in only on this device.")).to_be_visible()
    expect(phone.get_by_role("button", name="Sign out everywhere else")).to_have_count(0)

    # The desktop tab still shows the page; its next event finds its login gone.
    desktop.get_by_role("button", name="Sign out everywhere else").click()
    expect(desktop).to_have_url(re.compile(r"/login"))
    desktop.goto("/pay/security")
    expect(desktop).to_have_url(re.compile(r"/login\?next=/pay/security"))
    # The phone stays signed in.
    phone.reload()
    expect(phone_rows).to_have_count(1)
