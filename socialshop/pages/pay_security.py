"""Pay security. Stand-in for the security slice's page: only this slice's sections."""

from __future__ import annotations

import reflex as rx

from socialshop.components.layout import page_frame
from socialshop.components.pay_authorization import authorization_sections
from socialshop.components.pay_nav import pay_links


def pay_security_page() -> rx.Component:
    return page_frame(
        pay_links("/pay/security"),
        authorization_sections(),
        title_key="passkeys.settings_title",
    )
