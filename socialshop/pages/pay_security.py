"""Pay → Security: the PIN, when it is asked, passkeys, and where you are signed in."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout, labeled_input, notice_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.pay_authorization import authorization_sections
from socialshop.components.pay_nav import pay_links
from socialshop.state.pay_security import CHANGE, PIN_FORM_ID, RESET, SessionRow
from socialshop.state.pay_security import PaySecurityState as S

PIN_INPUT = {"type_": "password", "input_mode": "numeric", "max_length": 6, "auto_complete": "off"}


def _pin_status() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon(
                rx.cond(S.pin_is_set, "shield-check", "shield-alert"),
                color=rx.cond(S.pin_is_set, rx.color("green", 9), rx.color("amber", 9)),
                flex_shrink="0",
            ),
            rx.text(rx.cond(S.pin_is_set, tr("pinsettings.is_set"), tr("pinsettings.not_set"))),
            align="center",
        ),
        rx.cond(
            S.locked_until_label != "",
            rx.callout.root(
                rx.callout.icon(rx.icon("lock")),
                rx.vstack(
                    rx.text(S.locked_until_label, weight="bold", data_testid="pin-locked-until"),
                    rx.text(tr("security.locked_hint"), size="2"),
                    spacing="1",
                ),
                color_scheme="amber",
                role="alert",
                width="100%",
            ),
        ),
        rx.cond(
            S.tries_left_label != "",
            rx.text(S.tries_left_label, size="2", color_scheme="amber", data_testid="pin-tries-left"),
        ),
        spacing="2",
        width="100%",
    )


def _pin_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.match(
                S.pin_mode,
                (CHANGE, labeled_input("pinsettings.current", "current_pin", **PIN_INPUT)),
                (
                    RESET,
                    rx.vstack(
                        labeled_input("security.password", "password", type_="password",
                                      auto_complete="current-password", max_length=128),
                        rx.text(tr("security.reset_hint"), size="1", color_scheme="gray"),
                        spacing="1",
                        width="100%",
                    ),
                ),
                rx.fragment(),
            ),
            labeled_input("pinsettings.new", "new_pin", **PIN_INPUT),
            labeled_input("pinsettings.repeat", "repeat_pin", **PIN_INPUT),
            rx.text(tr("security.pin_rules"), size="1", color_scheme="gray"),
            rx.button(
                rx.cond(S.saving_pin, rx.spinner(size="2"), rx.fragment()),
                rx.cond(S.pin_mode == RESET, tr("security.reset_save"), tr("pinsettings.save")),
                type="submit",
                width="100%",
                size="3",
                disabled=S.saving_pin,
            ),
            rx.match(
                S.pin_mode,
                (CHANGE, rx.button(tr("security.forgot"), type="button", variant="ghost",
                                   on_click=S.show_reset, align_self="center")),
                (RESET, rx.button(tr("security.remembered"), type="button", variant="ghost",
                                  on_click=S.show_change, align_self="center")),
                rx.fragment(),
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=S.save_pin,
        reset_on_submit=False,
        id=PIN_FORM_ID,
        key=S.form_generation,
        width="100%",
    )


def _pin_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(
                rx.cond(
                    S.locked_until_label != "",
                    tr("pinsettings.title"),
                    rx.match(
                        S.pin_mode,
                        (CHANGE, tr("pinsettings.change")),
                        (RESET, tr("security.reset_title")),
                        tr("pinsettings.choose"),
                    ),
                ),
                size="4",
                as_="h2",
            ),
            _pin_status(),
            rx.cond(S.pin_is_set, rx.fragment(), rx.text(tr("pin.why"), size="2", color_scheme="gray")),
            notice_callout(S.pin_notice),
            error_callout(S.pin_error),
            # While locked, every change or reset would be refused: nothing to fill in.
            rx.cond(S.locked_until_label == "", _pin_form()),
            spacing="3",
            width="100%",
        ),
        id="pin",
        width="100%",
    )


def _session_row(row: SessionRow) -> rx.Component:
    return rx.hstack(
        rx.icon("monitor-smartphone", size=20, color=rx.color("accent", 10), flex_shrink="0"),
        rx.vstack(
            rx.hstack(
                rx.text(row.device, weight="medium"),
                rx.cond(row.is_current, rx.badge(tr("security.this_device"), color_scheme="green", variant="soft")),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(row.detail, size="1", color_scheme="gray"),
            spacing="0",
            min_width="0",
            flex="1",
        ),
        rx.cond(
            row.is_current,
            rx.fragment(),
            rx.button(
                tr("security.sign_out"),
                variant="soft",
                color_scheme="red",
                size="1",
                type="button",
                on_click=S.sign_out_session(row.id),
                aria_label=row.sign_out_label,
            ),
        ),
        align="center",
        width="100%",
        role="listitem",
        data_testid="session-row",
    )


def _sessions_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr("security.sessions_title"), size="4", as_="h2"),
            rx.text(tr("security.sessions_intro"), size="2", color_scheme="gray"),
            rx.vstack(rx.foreach(S.sessions, _session_row), spacing="3", width="100%", role="list",
                      aria_label=tr("security.sessions_title")),
            rx.cond(
                S.sessions.length() < S.sessions_total,
                rx.button(
                    tr("security.show_more"),
                    type="button", variant="ghost", on_click=S.show_more_sessions, align_self="center",
                ),
            ),
            error_callout(S.sessions_error),
            notice_callout(S.sessions_notice),
            rx.cond(
                S.sessions_total > 1,
                rx.button(
                    rx.icon("log-out", size=16),
                    tr("security.sign_out_others"),
                    type="button",
                    color_scheme="red",
                    variant="soft",
                    size="3",
                    width="100%",
                    on_click=S.sign_out_others,
                ),
                rx.text(tr("security.only_here"), size="2"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def pay_security_page() -> rx.Component:
    return page_frame(
        pay_links("/pay/security"),
        _pin_section(),
        authorization_sections(),
        _sessions_section(),
        title_key="passkeys.settings_title",
    )


def pin_link_page() -> rx.Component:
    """/pay/pin: its on_load sends the browser on to /pay/security."""
    return rx.center(rx.spinner(size="3"), min_height="50vh")
