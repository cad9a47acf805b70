"""axe-core on the main pages: no serious or critical accessibility violations."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

PAGES = ["/", "/feed/instagram", "/shops", "/cart", "/orders", "/pay", "/pay/history", "/pay/apps", "/pay/security",
         "/pay/contact", "/pay/scan", "/pay/privacy", "/whatsapp/chats",
         "/messenger/money", "/profile", "/checkout?product=1&qty=1&app=instagram"]


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_login_page_is_accessible(page):
    page.goto("/login")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert serious_violations(page) == []


@pytest.mark.parametrize("path", PAGES)
def test_signed_in_pages_are_accessible(page, path):
    log_in(page, "marco@example.com", next_path=path)
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []
