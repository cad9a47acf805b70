"""Payment codes: /pay/scan (read a code, pay it), /merchant/qr (the shop's codes) and
/pay/privacy (which shops know you as whom)."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout, labeled_input, notice_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.merchant_nav import merchant_only
from socialshop.components.passkey_confirm import passkey_confirm
from socialshop.components.pay_nav import pay_links
from socialshop.components.payment_form import card_form, confirming_notice, pin_field
from socialshop.components.posts import app_badge
from socialshop.services import payment_codes
from socialshop.state.checkout import NEW_CARD
from socialshop.state.payment_codes import (
    PAY_FORM_ID,
    POLL_INTERVAL_MS,
    UPLOAD_ID,
    CodeRowView,
    KnownShopRow,
    MerchantCodesState,
    PayCodeState,
    PayPrivacyState,
    StaticPaymentView,
)

S = PayCodeState
M = MerchantCodesState


# ---------------------------------------------------------------- the buyer: scan, then pay


def _scan_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr("qr.scan_title"), size="4", as_="h2"),
            rx.text(tr("qr.scan_intro"), size="2", color_scheme="gray"),
            rx.upload.root(
                rx.vstack(
                    rx.button(
                        rx.icon("camera", size=18),
                        rx.el.span(tr("qr.choose_image"), id="code-image-label"),
                        type="button",
                        size="3",
                        style={"height": "auto", "padding": "0.6em 1.2em", "text_align": "center"},
                    ),
                    rx.text(tr("qr.image_hint"), size="1", color_scheme="gray", text_align="center"),
                    align="center",
                    spacing="2",
                    padding="1.2em",
                    width="100%",
                    # The dropzone's file input takes no props of its own: name it by the button's text.
                    on_mount=rx.call_script(
                        f"document.querySelector('#{UPLOAD_ID} input[type=file]')"
                        "?.setAttribute('aria-labelledby', 'code-image-label')"
                    ),
                ),
                id=UPLOAD_ID,
                accept={"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"], "image/webp": [".webp"],
                        "image/gif": [".gif"]},
                max_files=1,
                max_size=payment_codes.MAX_IMAGE_BYTES,
                multiple=False,
                on_drop=S.read_image(rx.upload_files(upload_id=UPLOAD_ID)),
                border=f"2px dashed {rx.color('accent', 7)}",
                border_radius="12px",
                width="100%",
                aria_label=tr("qr.choose_image"),
            ),
            rx.form(
                rx.vstack(
                    rx.el.label(tr("qr.paste_label"), html_for="field-code-text", font_size="0.9em",
                                font_weight="500"),
                    rx.text_area(id="field-code-text", name="code_text", rows="3", width="100%",
                                 max_length=payment_codes.MAX_PAYLOAD_LENGTH + 1,
                                 placeholder="000201…", font_family="monospace"),
                    rx.button(tr("qr.read_code"), type="submit", variant="soft", width="100%"),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.read_text,
                reset_on_submit=False,
                width="100%",
            ),
            error_callout(S.scan_error),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _method_select(state) -> rx.Component:
    return rx.vstack(
        rx.el.label(tr("checkout.pay_with"), html_for="field-method", font_size="0.9em", font_weight="500"),
        rx.select.root(
            rx.select.trigger(id="field-method", width="100%"),
            rx.select.content(
                rx.foreach(state.methods, lambda m: rx.select.item(m.label, value=m.id)),
                rx.select.item(tr("checkout.new_card"), value=NEW_CARD),
            ),
            value=state.selected_method,
            on_change=state.choose_method,
        ),
        rx.cond(state.selected_method == NEW_CARD, card_form(state.card_errors)),
        spacing="2",
        width="100%",
    )


def code_summary(state) -> rx.Component:
    """Who is paid and for what: the shop's name and city, the fixed amount or the inputs."""
    return rx.vstack(
        rx.hstack(
            rx.icon("store", size=28, color=rx.color("accent", 10)),
            rx.vstack(
                rx.heading(state.shop_name, size="5", as_="h2"),
                rx.cond(state.shop_city != "", rx.text(state.shop_city, size="2", color_scheme="gray")),
                spacing="0",
            ),
            align="center",
        ),
        rx.cond(
            state.is_static,
            rx.vstack(
                labeled_input("qr.amount", "amount", input_mode="decimal", placeholder="4.50", max_length=12,
                              required=True),
                labeled_input("qr.note", "note", max_length=payment_codes.MAX_NOTE,
                              placeholder=tr("qr.note_placeholder")),
                spacing="3",
                width="100%",
            ),
            rx.vstack(
                rx.text(tr("qr.amount_to_pay"), size="2", color_scheme="gray"),
                rx.heading(state.amount_label, size="8", as_="p", data_testid="code-amount"),
                rx.cond(state.description != "", rx.text(state.description)),
                rx.text(tr("qr.valid_until"), " ", state.expires_label, size="1", color_scheme="gray"),
                spacing="1",
                width="100%",
            ),
        ),
        rx.text(tr("qr.reference"), " ", rx.code(state.reference), size="1", color_scheme="gray"),
        spacing="3",
        width="100%",
    )


def code_pay_form(state, on_submit) -> rx.Component:
    """The PIN / passkey form that pays the code held by `state` (a PayCodeState)."""
    return rx.form(
        rx.vstack(
            code_summary(state),
            rx.divider(),
            _method_select(state),
            pin_field(state.pin_error, state.has_pin),
            passkey_confirm(state),
            error_callout(state.error),
            rx.cond(state.status == "confirming", confirming_notice(state.confirming_late)),
            rx.cond(
                state.status == "failed",
                rx.button(tr("checkout.try_again"), type="button", on_click=state.try_again, variant="soft"),
                rx.button(
                    rx.cond(state.busy, tr("checkout.paying"),
                            rx.cond(state.is_static, tr("qr.pay"), rx.fragment(tr("qr.pay"), " ", state.amount_label))),
                    type="submit",
                    size="3",
                    width="100%",
                    disabled=state.busy,
                ),
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        id=PAY_FORM_ID,
        width="100%",
    )


def _paid_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("circle-check", size=40, color=rx.color("green", 9)),
            rx.heading(tr("qr.paid_title"), size="6", as_="h2"),
            rx.text(S.paid_label, " · ", S.paid_shop, weight="medium"),
            rx.foreach(S.order_numbers, lambda n: rx.text(tr("qr.order_number"), " ", rx.code(n), size="2")),
            rx.hstack(
                rx.link(rx.button(tr("qr.see_receipt"), variant="soft"), href="/pay/history/" + S.paid_entry),
                rx.button(tr("qr.scan_another"), on_click=S.scan_another),
                wrap="wrap",
            ),
            align="center",
            spacing="3",
            width="100%",
            role="status",
        ),
        width="100%",
    )


def pay_scan_page() -> rx.Component:
    return page_frame(
        pay_links("/pay/scan"),
        rx.hstack(
            rx.heading(tr("qr.scan_heading"), size="6", as_="h1"),
            rx.text(tr("qr.paying_in"), size="2", color_scheme="gray"),
            app_badge(S.app, high_contrast=True),
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            S.status == "succeeded",
            _paid_card(),
            rx.cond(
                S.code_loaded,
                rx.vstack(
                    rx.card(code_pay_form(S, S.pay), width="100%"),
                    rx.button(tr("qr.scan_another"), variant="ghost", on_click=S.scan_another, disabled=S.busy),
                    width="100%",
                ),
                # Only once the page's state has loaded: a picture read before that would be
                # wiped by the load that follows it.
                rx.cond(S.status == "loading", rx.center(rx.spinner(size="3"), width="100%", padding="2em"),
                        _scan_card()),
            ),
        ),
    )


# ---------------------------------------------------------------- the buyer's privacy


def _known_shop(row: KnownShopRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.link(row.shop_name, href="/shop/" + row.shop_slug, weight="medium"),
            rx.text(tr("privacy.knows_you_as"), " ", rx.text.strong(row.shown_as), size="2"),
            rx.text(tr("privacy.since"), " ", row.since_label, size="1", color_scheme="gray"),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.button(
            tr("privacy.reset"),
            variant="soft",
            size="2",
            on_click=PayPrivacyState.reset_alias(row.shop_id),
            aria_label=tr("privacy.reset") + " · " + row.shop_name,
        ),
        align="center",
        width="100%",
        data_testid="known-shop",
    )


def pay_privacy_page() -> rx.Component:
    return page_frame(
        pay_links("/pay/privacy"),
        rx.heading(tr("privacy.title"), size="6", as_="h1"),
        rx.text(tr("privacy.intro"), color_scheme="gray"),
        notice_callout(PayPrivacyState.privacy_notice),
        error_callout(PayPrivacyState.privacy_error),
        rx.card(
            rx.cond(
                PayPrivacyState.shops.length() > 0,
                rx.vstack(rx.foreach(PayPrivacyState.shops, _known_shop), spacing="4", width="100%"),
                rx.cond(PayPrivacyState.privacy_loaded, rx.text(tr("privacy.none")), rx.spinner()),
            ),
            width="100%",
        ),
    )


# ---------------------------------------------------------------- the merchant


def code_status_badge(status: rx.Var) -> rx.Component:
    return rx.badge(
        rx.match(
            status,
            ("open", tr("qr.status.open")),
            ("claimed", tr("qr.status.claimed")),
            ("paid", tr("qr.status.paid")),
            ("expired", tr("qr.status.expired")),
            ("cancelled", tr("qr.status.cancelled")),
            ("failed", tr("qr.status.failed")),
            status,
        ),
        color_scheme=rx.match(status, ("open", "amber"), ("claimed", "blue"), ("paid", "green"), ("failed", "red"),
                              "gray"),
        size="2",
    )


def paid_by_line(row: CodeRowView) -> rx.Component:
    """"Paid by Customer 7F3K" and the fee under the shop's package: never the buyer's identity."""
    return rx.vstack(
        rx.text(tr("qr.paid_by"), " ", rx.text.strong(row.paid_by), data_testid="paid-by"),
        rx.text(
            tr("qr.fee"), " ", row.fee_label, " (", row.package_label, ") · ", tr("qr.you_receive"), " ",
            rx.text.strong(row.net_label),
            size="2",
            color_scheme="gray",
            data_testid="paid-fee",
        ),
        spacing="0",
    )


def _static_payment(row: StaticPaymentView) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.text.strong(row.amount_label), rx.text(tr("qr.paid_by"), " ", row.paid_by, size="2"),
                  align="center", wrap="wrap"),
        rx.cond(row.note != "", rx.text("“", row.note, "”", size="2")),
        rx.text(tr("qr.fee"), " ", row.fee_label, " (", row.package_label, ") · ", row.paid_label, " · ",
                row.order_number, size="1", color_scheme="gray"),
        spacing="0",
        width="100%",
        data_testid="static-payment",
    )


def _static_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.image(src=M.static_png, alt=tr("qr.static_alt"), width="180px", height="180px",
                         style={"image_rendering": "pixelated"}),
                rx.vstack(
                    rx.heading(tr("qr.static_title"), size="4", as_="h2"),
                    rx.text(tr("qr.static_intro"), size="2", color_scheme="gray"),
                    rx.hstack(
                        rx.button(rx.icon("download", size=16), tr("qr.download_png"), variant="soft",
                                  on_click=M.download_png),
                        rx.button(rx.icon("printer", size=16), tr("qr.download_sheet"), variant="soft",
                                  on_click=M.download_sheet),
                        wrap="wrap",
                    ),
                    rx.text(tr("qr.fees_under"), " ", rx.text.strong(M.package_label), size="1", color_scheme="gray"),
                    spacing="2",
                    flex="1",
                ),
                direction=rx.breakpoints(initial="column", sm="row"),
                align="center",
                spacing="4",
                width="100%",
            ),
            rx.cond(
                M.static_rows.length() > 0,
                rx.vstack(
                    rx.heading(tr("qr.static_payments"), size="3", as_="h3"),
                    rx.foreach(M.static_rows, _static_payment),
                    spacing="2",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )


def _create_card() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(tr("qr.create_title"), size="4", as_="h2"),
                rx.text(tr("qr.create_intro"), size="2", color_scheme="gray"),
                labeled_input("qr.amount", "amount", input_mode="decimal", placeholder="4.50", max_length=12,
                              required=True),
                labeled_input("qr.items", "items", max_length=payment_codes.MAX_DESCRIPTION,
                              placeholder=tr("qr.items_placeholder")),
                error_callout(M.create_error),
                rx.button(rx.icon("qr-code", size=16), tr("qr.create"), type="submit", size="3", width="100%"),
                spacing="3",
                width="100%",
            ),
            on_submit=M.create,
            reset_on_submit=False,
            id="qr-create-form",
        ),
        width="100%",
    )


def _current_card() -> rx.Component:
    row = M.current
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(row.amount_label, size="8", as_="h2", data_testid="current-amount"),
                rx.spacer(),
                code_status_badge(row.status),
                align="center",
                width="100%",
            ),
            rx.cond(row.description != "", rx.text(row.description)),
            rx.cond(
                (row.status == "open") | (row.status == "claimed") | (row.status == "failed"),
                rx.center(
                    rx.image(src=M.current_png, alt=tr("qr.dynamic_alt"), width="min(320px, 80vw)",
                             height="auto", style={"image_rendering": "pixelated"}),
                    width="100%",
                ),
            ),
            rx.cond(
                (row.status == "open") | (row.status == "failed"),
                rx.text(tr("qr.expires_in"), " ", rx.text.strong(M.countdown_label), data_testid="countdown",
                        aria_live="off"),
            ),
            rx.cond(row.status == "paid", paid_by_line(row)),
            rx.text(tr("qr.reference"), " ", rx.code(row.reference), size="1", color_scheme="gray"),
            rx.hstack(
                rx.cond(
                    (row.status == "open") | (row.status == "claimed") | (row.status == "failed"),
                    rx.button(rx.icon("download", size=16), tr("qr.download_png"), variant="soft",
                              on_click=M.download_current),
                ),
                rx.cond(
                    (row.status == "open") | (row.status == "failed"),
                    rx.button(tr("qr.cancel_code"), variant="soft", color_scheme="red", on_click=M.cancel(row.id)),
                ),
                rx.button(tr("qr.close"), variant="ghost", on_click=M.close_current),
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
            role="region",
            aria_live="polite",
            aria_label=tr("qr.current_label"),
        ),
        width="100%",
    )


def _code_row(row: CodeRowView) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(rx.text.strong(row.amount_label), code_status_badge(row.status), align="center"),
            rx.cond(row.description != "", rx.text(row.description, size="2")),
            rx.cond(row.status == "paid", paid_by_line(row)),
            rx.text(row.created_label, " · ", row.reference, size="1", color_scheme="gray"),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        rx.cond(
            (row.status == "open") | (row.status == "claimed") | (row.status == "failed"),
            rx.button(tr("qr.show"), size="1", variant="soft", on_click=M.show(row.id)),
        ),
        align="start",
        width="100%",
        data_testid="code-row",
    )


def merchant_qr_page() -> rx.Component:
    return page_frame(
        merchant_only(
            M,
            "/merchant/qr",
            rx.heading(tr("qr.merchant_title"), size="6", as_="h1"),
            error_callout(M.codes_error),
            rx.cond(M.current_id != 0, _current_card()),
            _create_card(),
            _static_card(),
            rx.cond(
                M.rows.length() > 0,
                rx.card(
                    rx.vstack(
                        rx.heading(tr("qr.recent_title"), size="4", as_="h2"),
                        rx.vstack(rx.foreach(M.rows, _code_row), spacing="4", width="100%"),
                        rx.hstack(
                            rx.cond(~M.on_first_page, rx.button(tr("qr.newest"), variant="soft", on_click=M.newest)),
                            rx.cond(M.has_more, rx.button(tr("qr.older"), variant="soft", on_click=M.older)),
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    width="100%",
                ),
            ),
            rx.moment(interval=POLL_INTERVAL_MS, format="HH:mm:ss", on_change=M.poll, display="none"),
        ),
    )
