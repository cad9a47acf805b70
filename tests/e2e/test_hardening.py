"""Log-in throttling, security headers and finding people in Messenger money, in a browser."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, log_in, sign_up, submit_sign_up
from tests.e2e.test_foundation import shot

PASSWORD = "a-good-pass-42"


def _try_log_in(page, email: str, password: str) -> None:
    """Send the form and wait for the refusal: a refused password is cleared from its field."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_label("Password")).to_have_value("")


def test_wrong_passwords_are_throttled_and_the_right_one_then_says_when(page):
    email = f"tina-{uuid.uuid4().hex[:8]}@example.com"
    submit_sign_up(page, name="Tina Tentativi", email=email, password=PASSWORD)
    expect(page.get_by_text("Sign-up received.")).to_be_visible()
    alert = page.get_by_role("alert")
    for n in range(1, 5):
        _try_log_in(page, email, f"wrong-password-{n}")
        expect(alert).to_have_text("Wrong email or password.")
    _try_log_in(page, email, "wrong-password-5")
    expect(alert).to_contain_text(re.compile(r"Too many failed log-ins .* Try again in \d+ seconds?\."))
    _try_log_in(page, email, PASSWORD)
    expect(alert).to_contain_text("Try again in")
    expect(page).to_have_url(re.compile(r"/login"))
    page.set_viewport_size(PHONE)
    shot(page, "login-throttled-phone")


def test_pages_and_assets_carry_the_security_headers(page):
    assets = []
    page.on("response", lambda r: assets.append(r) if "/assets/" in r.url else None)
    response = page.goto("/login")
    assert response is not None and response.ok
    headers = response.headers
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert assets, "the page loaded no assets"
    assert all(r.headers.get("x-frame-options") == "DENY" for r in assets)
    # The page still works under the policy (a CSP violation is a console error: it fails).
    log_in(page, "marco@example.com")
    expect(page.get_by_role("article").first).to_be_visible()


def test_messenger_finds_a_person_by_exact_email_or_handle_only(page):
    sign_up(page, name="Pino Nuovo", email=f"pino-{uuid.uuid4().hex[:8]}@example.com", password=PASSWORD)
    page.goto("/messenger/money")
    to = page.get_by_label("To")
    # A new account has exchanged money with nobody: no one else is listed.
    expect(to.locator("option")).to_have_count(1)
    find = page.get_by_label("Find someone by email, phone or @handle")
    find.fill("giulia@example.co")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Nobody has exactly this email, phone number or handle. Check it and try again.")
    expect(to.locator("option")).to_have_count(1)
    find.fill("giulia")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a full email address")
    find.fill("Giulia@Example.com")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_text("Found Giulia Rossi: chosen below.")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(to.locator("option")).to_have_count(2)
    expect(to.locator("option:checked")).to_have_text("Giulia Rossi")
    # By handle: exact (any case), never a prefix of one.
    find.fill("@marc")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("alert")).to_contain_text("Nobody has exactly this email, phone number or handle.")
    find.fill("@Marco")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_text("Found Marco Bianchi: chosen below.")).to_be_visible()
    # The one person found replaces the one found before; nobody else is ever listed.
    expect(to.locator("option")).to_have_count(2)
    expect(to.locator("option:checked")).to_have_text("Marco Bianchi")
    page.set_viewport_size(DESKTOP)
    shot(page, "messenger-find-person-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "messenger-find-person-phone")


def test_a_page_takes_no_input_until_its_load_has_run(page):
    """A full load shows the state's snapshot, then runs the page's on_load: a tap in between
    would be undone by it. The socket's frames after the snapshot are held back here, so the
    page stays between the two for as long as the scenario needs."""
    hydrated = re.compile(r'"is_hydrated_rx_state_":\s*true')
    held: list[str | bytes] = []
    sockets: list = []
    released = False

    def hold_the_load(ws):
        server = ws.connect_to_server()
        sockets.append(ws)

        def from_server(message):
            if not released and (held or (isinstance(message, str) and hydrated.search(message))):
                held.append(message)  # the load's answer, and everything after it, in order
            else:
                ws.send(message)

        server.on_message(from_server)

    page.route_web_socket(re.compile(r"/_event"), hold_the_load)
    page.goto("/signup")
    form = page.locator("[aria-busy]")  # the sign-up card: the frame around the page's content
    expect(form).to_have_count(1)
    expect(form).to_have_attribute("aria-busy", "true")
    expect(form).to_have_attribute("inert", "")

    released = True
    for message in held:
        sockets[0].send(message)
    held.clear()
    expect(form).to_have_attribute("aria-busy", "false")
    expect(form).not_to_have_attribute("inert", "")
    page.get_by_role("checkbox", name="I sell: open a shop").click()
    expect(page.get_by_label("Shop name")).to_be_visible()
