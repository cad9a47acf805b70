"""Messenger money: send, request, and pay requests, with the shared card/PIN inputs."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout, labeled_input, notice_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.passkey_confirm import passkey_confirm
from socialshop.components.payment_form import card_form, confirming_notice, pin_field
from socialshop.state.checkout import NEW_CARD
from socialshop.state.transfers import SEND_FORM_ID, RequestRow, TransferState


def _find_person() -> rx.Component:
    """Anyone beyond the people already listed is found by their exact email or phone."""
    return rx.card(
        rx.form(
            rx.vstack(
                rx.el.label(tr("people.find_label"), html_for="field-person", font_size="0.9em", font_weight="500"),
                rx.hstack(
                    rx.input(id="field-person", name="person", max_length=254, auto_complete="off", width="100%",
                             size="3"),
                    rx.button(tr("people.find"), type="submit", variant="soft", size="3"),
                    width="100%",
                ),
                rx.text(tr("people.find_hint"), " ", tr("people.recent_hint"), size="1", color_scheme="gray"),
                error_callout(TransferState.lookup_error),
                spacing="2",
                width="100%",
            ),
            on_submit=TransferState.find_person,
            reset_on_submit=False,
        ),
        width="100%",
    )


def _person_select(name: str, label_key: str, chosen: rx.Var | None = None) -> rx.Component:
    field_id = f"field-{name}"
    # The send form's choice follows a lookup (the found person is chosen); the request
    # form's stays the reader's own.
    controlled = {"value": chosen, "on_change": TransferState.choose_to} if chosen is not None else {}
    return rx.vstack(
        rx.el.label(tr(label_key), html_for=field_id, font_size="0.9em", font_weight="500"),
        rx.el.select(
            rx.el.option(tr("transfer.choose_person"), value=""),
            rx.foreach(TransferState.people, lambda p: rx.el.option(p.display_name, value=p.id.to_string())),
            id=field_id,
            name=name,
            **controlled,
            style={"width": "100%", "padding": "0.5em", "border_radius": "6px",
                   "border": f"1px solid {rx.color('gray', 7)}", "background": rx.color("gray", 1),
                   "color": rx.color("gray", 12)},
        ),
        spacing="1",
        width="100%",
    )


def _method_select() -> rx.Component:
    return rx.vstack(
        rx.el.label(tr("checkout.pay_with"), html_for="field-method", font_size="0.9em", font_weight="500"),
        rx.select.root(
            rx.select.trigger(id="field-method", width="100%"),
            rx.select.content(
                rx.foreach(TransferState.methods, lambda m: rx.select.item(m.label, value=m.id)),
                rx.select.item(tr("checkout.new_card"), value=NEW_CARD),
            ),
            value=TransferState.selected_method,
            on_change=TransferState.choose_method,
        ),
        rx.cond(TransferState.selected_method == NEW_CARD, card_form(TransferState.card_errors)),
        spacing="2",
        width="100%",
    )


def _send_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(tr("transfer.send_title"), size="4", as_="h2"),
                rx.cond(
                    TransferState.paying_request_id != 0,
                    rx.hstack(
                        rx.badge(tr("transfer.paying_request"), " ", TransferState.paying_request_label, size="2"),
                        rx.button(tr("common.cancel"), variant="ghost", size="1", type="button",
                                  on_click=TransferState.clear_request),
                        align="center",
                    ),
                    rx.vstack(
                        _person_select("to_user", "transfer.to", TransferState.chosen_to),
                        labeled_input("transfer.amount", "amount", input_mode="decimal", placeholder="20"),
                        labeled_input("transfer.note", "note", max_length=255),
                        rx.text(tr("transfer.limits"), " ", TransferState.remaining_label, size="1",
                                color_scheme="gray"),
                        width="100%",
                    ),
                ),
                _method_select(),
                pin_field(TransferState.pin_error, TransferState.has_pin),
                passkey_confirm(TransferState),
                error_callout(TransferState.error),
                rx.cond(TransferState.status == "confirming", confirming_notice(TransferState.confirming_late)),
                rx.cond(
                    TransferState.status == "failed",
                    rx.button(tr("checkout.try_again"), type="button", on_click=TransferState.new_transfer,
                              variant="soft"),
                    rx.button(
                        rx.cond((TransferState.status == "processing") | (TransferState.status == "confirming"),
                                tr("checkout.paying"),
                                rx.cond(TransferState.paying_request_id != 0, tr("transfer.pay_request"),
                                        tr("transfer.send"))),
                        type="submit",
                        size="3",
                        width="100%",
                        disabled=TransferState.busy,
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=TransferState.send,
            reset_on_submit=False,
            id=SEND_FORM_ID,
        ),
        width="100%",
    )


def _request_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(tr("transfer.request_title"), size="4", as_="h2"),
                _person_select("from_user", "transfer.from"),
                labeled_input("transfer.amount", "request_amount", input_mode="decimal", placeholder="20"),
                labeled_input("transfer.note", "request_note", max_length=255),
                error_callout(TransferState.request_error),
                rx.button(tr("transfer.request"), type="submit", variant="soft", width="100%"),
                spacing="3",
                width="100%",
            ),
            on_submit=TransferState.ask,
            reset_on_submit=True,
        ),
        width="100%",
    )


def _status_badge(status: rx.Var) -> rx.Component:
    return rx.badge(
        rx.match(
            status,
            ("open", tr("transfer.status.open")),
            ("paid", tr("transfer.status.paid")),
            ("declined", tr("transfer.status.declined")),
            ("cancelled", tr("transfer.status.cancelled")),
            status,
        ),
        color_scheme=rx.match(status, ("open", "amber"), ("paid", "green"), "gray"),
    )


def _incoming_row(row: RequestRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(row.other_name, " · ", rx.text.strong(row.amount_label)),
            rx.cond(row.note != "", rx.text(row.note, size="2", color_scheme="gray")),
            rx.text(row.created_at_label, size="1", color_scheme="gray"),
            spacing="0",
        ),
        rx.spacer(),
        rx.cond(
            row.status == "open",
            rx.hstack(
                rx.button(tr("transfer.pay"), size="1", on_click=TransferState.choose_request(row.id)),
                rx.button(tr("transfer.decline"), size="1", variant="soft", color_scheme="gray",
                          on_click=TransferState.decline(row.id)),
            ),
            _status_badge(row.status),
        ),
        width="100%",
        align="center",
    )


def _outgoing_row(row: RequestRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(row.other_name, " · ", rx.text.strong(row.amount_label)),
            rx.cond(row.note != "", rx.text(row.note, size="2", color_scheme="gray")),
            spacing="0",
        ),
        rx.spacer(),
        _status_badge(row.status),
        width="100%",
        align="center",
    )


def messenger_money_page() -> rx.Component:
    return page_frame(
        rx.hstack(rx.icon("message-circle", color=rx.color("violet", 9)),
                  rx.heading(tr("transfer.title"), size="6", as_="h1"), align="center"),
        notice_callout(TransferState.notice),
        rx.cond(
            TransferState.incoming.length() > 0,
            rx.card(
                rx.vstack(rx.heading(tr("transfer.incoming"), size="4", as_="h2"),
                          rx.foreach(TransferState.incoming, _incoming_row), width="100%"),
                width="100%",
            ),
        ),
        _find_person(),
        _send_form(),
        _request_form(),
        rx.cond(
            TransferState.outgoing.length() > 0,
            rx.card(
                rx.vstack(rx.heading(tr("transfer.outgoing"), size="4", as_="h2"),
                          rx.foreach(TransferState.outgoing, _outgoing_row), width="100%"),
                width="100%",
            ),
        ),
    )
