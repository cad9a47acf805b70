"""/pay/history (every payment, refund, donation and transfer of the signed-in user, filtered
and paged) and /pay/history/<id> (one entry's receipt)."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.pay_nav import pay_links, payment_status_badge
from socialshop.components.posts import app_badge
from socialshop.components.product_sheet import tr_fmt
from socialshop.models import AppSurface
from socialshop.services.history import MAX_SEARCH_LENGTH, NO_METHOD, STATUSES, TYPES
from socialshop.state.pay_history import PayHistoryState, PayReceiptState

HISTORY_KINDS = TYPES
FILTER_FORM_ID = "history-filters"
_FIELD_STYLE = {
    "width": "100%",
    "padding": "0.45em 0.35em",
    "border_radius": "6px",
    "border": f"1px solid {rx.color('gray', 7)}",
    "background": rx.color("gray", 1),
    "color": rx.color("gray", 12),
    "font_size": "0.9em",
    # Inputs are content-box by default: width 100% plus padding would overlap the next field.
    "box_sizing": "border-box",
    "min_width": "0",
}


def _kind_label(kind: rx.Var) -> rx.Component:
    return rx.match(kind, *[(k, tr(f"payhistory.kind.{k}")) for k in HISTORY_KINDS], kind)


def _history_row(entry) -> rx.Component:
    incoming = entry.direction == "in"
    return rx.el.div(
        rx.link(
            rx.card(
                rx.vstack(
                    rx.hstack(
                        # A shop's payout goes to its bank, through no app.
                        rx.cond(entry.app != "", app_badge(entry.app, high_contrast=True)),
                        rx.text(_kind_label(entry.kind), size="1", color_scheme="gray"),
                        rx.spacer(),
                        rx.text(
                            entry.amount_label,
                            weight="bold",
                            size="4",
                            color=rx.cond(incoming, rx.color("green", 11), rx.color("gray", 12)),
                            white_space="nowrap",
                            data_testid="history-amount",
                        ),
                        align="center",
                        width="100%",
                    ),
                    rx.hstack(
                        rx.text(
                            rx.cond(entry.counterparty != "", entry.counterparty, _kind_label(entry.kind)),
                            weight="medium",
                        ),
                        rx.spacer(),
                        payment_status_badge(entry.status),
                        align="center",
                        width="100%",
                    ),
                    rx.cond(
                        entry.description != "",
                        rx.text(entry.description, size="1", color_scheme="gray", font_style="italic", trim="both"),
                    ),
                    rx.hstack(
                        rx.cond(
                            entry.method_label != NO_METHOD,
                            rx.hstack(
                                rx.icon("credit-card", size=14),
                                rx.text(entry.method_label, size="1"),
                                align="center",
                                spacing="1",
                            ),
                        ),
                        rx.spacer(),
                        rx.el.time(entry.created_at_label, date_time=entry.created_at_iso, font_size="0.8em"),
                        color=rx.color("gray", 11),
                        align="center",
                        width="100%",
                    ),
                    spacing="1",
                    width="100%",
                ),
                width="100%",
                data_testid="history-entry",
                # Which payment or refund the row is: lets a tester assert on one entry, not a count.
                custom_attrs={"data-entry": entry.id},
            ),
            href="/pay/history/" + entry.id,
            underline="none",
            color="inherit",
            width="100%",
        ),
        role="listitem",
        width="100%",
    )


def _labeled(label_key: str, field_id: str, control: rx.Component, **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(tr(label_key), html_for=field_id, font_size="0.85em", font_weight="500"),
        control,
        spacing="1",
        min_width="0",
        **props,
    )


def _select(name: str, label_key: str, all_key: str, options: list[tuple[str, str]], value: rx.Var) -> rx.Component:
    field_id = f"history-{name}"
    return _labeled(
        label_key,
        field_id,
        rx.el.select(
            rx.el.option(tr(all_key), value=""),
            *[rx.el.option(tr(text_key), value=option) for option, text_key in options],
            id=field_id,
            name=name,
            default_value=value,
            style=_FIELD_STYLE,
        ),
    )


def _date(name: str, label_key: str, value: rx.Var) -> rx.Component:
    field_id = f"history-{name}"
    return _labeled(
        label_key,
        field_id,
        rx.el.input(type="date", id=field_id, name=name, default_value=value, style=_FIELD_STYLE),
    )


def _filters() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.hstack(
                    rx.vstack(
                        rx.el.label(
                            tr("payhistory.search_label"), html_for="history-q", font_size="0.85em", font_weight="500"
                        ),
                        rx.input(
                            id="history-q",
                            name="q",
                            type="search",
                            default_value=PayHistoryState.filter_search,
                            placeholder=tr("payhistory.search_placeholder"),
                            # One more than allowed: a longer paste reaches the server and gets its message.
                            max_length=MAX_SEARCH_LENGTH + 1,
                            width="100%",
                            size="2",
                        ),
                        spacing="1",
                        flex="1",
                        min_width="0",
                    ),
                    rx.button(rx.icon("search", size=16), tr("payhistory.apply"), type="submit", size="2"),
                    align="end",
                    width="100%",
                ),
                rx.grid(
                    _select(
                        "app",
                        "payhistory.app_label",
                        "payhistory.all_apps",
                        [(a, f"app.{a}") for a in AppSurface.values()],
                        PayHistoryState.filter_app,
                    ),
                    _select(
                        "type",
                        "payhistory.type_label",
                        "payhistory.all_types",
                        [(k, f"payhistory.kind.{k}") for k in TYPES],
                        PayHistoryState.filter_type,
                    ),
                    _select(
                        "status",
                        "payhistory.status_label",
                        "payhistory.all_statuses",
                        [(s, f"payhistory.status.{s}") for s in STATUSES],
                        PayHistoryState.filter_status,
                    ),
                    columns="3",
                    gap="2",
                    width="100%",
                ),
                rx.grid(
                    _date("from", "payhistory.from_label", PayHistoryState.filter_from),
                    _date("to", "payhistory.to_label", PayHistoryState.filter_to),
                    columns="2",
                    gap="2",
                    width="100%",
                ),
                rx.hstack(
                    rx.cond(
                        PayHistoryState.filtered,
                        rx.button(
                            rx.icon("x", size=16),
                            tr("payhistory.clear"),
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            size="2",
                            on_click=PayHistoryState.clear_filters,
                        ),
                    ),
                    rx.spacer(),
                    rx.button(
                        rx.icon("download", size=16),
                        tr("payhistory.export"),
                        type="button",
                        variant="outline",
                        size="2",
                        loading=PayHistoryState.exporting,
                        on_click=PayHistoryState.export_csv,
                    ),
                    width="100%",
                    align="center",
                ),
                spacing="3",
                width="100%",
            ),
            id=FILTER_FORM_ID,
            # New fields on every load: they show the filter of the URL, not what was typed before.
            key=PayHistoryState.form_version,
            on_submit=PayHistoryState.apply_filters,
            reset_on_submit=False,
            role="search",
            aria_label=tr("payhistory.filters"),
            width="100%",
        ),
        width="100%",
    )


def _pager() -> rx.Component:
    return rx.cond(
        PayHistoryState.has_older | (PayHistoryState.page_number > 1),
        rx.el.nav(
            rx.hstack(
                rx.button(
                    rx.icon("chevron-left", size=16),
                    tr("payhistory.newer"),
                    variant="soft",
                    disabled=PayHistoryState.page_number <= 1,
                    on_click=PayHistoryState.newer,
                ),
                rx.spacer(),
                rx.button(
                    tr("payhistory.older"),
                    rx.icon("chevron-right", size=16),
                    variant="soft",
                    disabled=~PayHistoryState.has_older,
                    on_click=PayHistoryState.older,
                ),
                width="100%",
            ),
            aria_label=tr("payhistory.pages"),
            width="100%",
        ),
    )


def pay_history_page() -> rx.Component:
    return page_frame(
        pay_links("/pay/history"),
        _filters(),
        error_callout(PayHistoryState.history_error),
        rx.cond(
            PayHistoryState.entries.length() > 0,
            rx.vstack(
                rx.foreach(PayHistoryState.entries, _history_row),
                spacing="2",
                width="100%",
                role="list",
                aria_label=tr("payhistory.title"),
            ),
            rx.cond(
                PayHistoryState.history_loaded,
                rx.text(
                    rx.cond(PayHistoryState.filtered, tr("payhistory.no_match"), tr("payhistory.empty")),
                    color_scheme="gray",
                ),
            ),
        ),
        _pager(),
        title_key="payhistory.title",
    )


# ---------------------------------------------------------------- one receipt


def _fact(label: rx.Component, value: rx.Component | rx.Var, **props) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label, min_width=rx.breakpoints(initial="7.5em", sm="9em")),
        rx.data_list.value(value, **props),
    )


def _amount_row(label: rx.Component, value: rx.Var, *, bold: bool = False, **props) -> rx.Component:
    return rx.hstack(
        rx.text(label, color_scheme=None if bold else "gray", weight="bold" if bold else "regular"),
        rx.spacer(),
        rx.text(value, weight="bold" if bold else "medium", white_space="nowrap"),
        width="100%",
        **props,
    )


def _line(line) -> rx.Component:
    return _amount_row(
        rx.fragment(line.title, rx.cond(line.quantity > 1, rx.fragment(" × ", line.quantity.to_string()))),
        line.amount_label,
        data_testid="receipt-line",
    )


def _event(event) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.icon(
                rx.match(event.status, ("failed", "circle-x"), ("succeeded", "circle-check"), "undo-2"),
                size=16,
                color=rx.color("gray", 11),
            ),
            rx.vstack(
                rx.hstack(
                    rx.text(
                        rx.match(
                            event.status,
                            *[(s, tr(f"receipt.event.{s}")) for s in STATUSES],
                            event.status,
                        ),
                        weight="medium",
                    ),
                    rx.text(event.amount_label, color_scheme="gray"),
                    spacing="2",
                ),
                rx.el.time(event.at_label, date_time=event.at_iso, font_size="0.8em"),
                spacing="0",
            ),
            align="start",
            spacing="2",
        ),
        data_testid="receipt-event",
        list_style="none",
    )


def _section(title_key: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(tr(title_key), size="3", as_="h2"), *children, spacing="2", width="100%"),
        width="100%",
    )


def _receipt(receipt) -> rx.Component:
    purchase = receipt.purchase
    return rx.vstack(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.cond(receipt.app != "", app_badge(receipt.app, high_contrast=True)),
                    rx.text(_kind_label(receipt.kind), size="2", color_scheme="gray"),
                    rx.spacer(),
                    payment_status_badge(receipt.status),
                    align="center",
                    width="100%",
                ),
                rx.text(
                    receipt.amount_label,
                    size="7",
                    weight="bold",
                    color=rx.cond(receipt.direction == "in", rx.color("green", 11), rx.color("gray", 12)),
                    data_testid="receipt-amount",
                ),
                rx.text(receipt.counterparty, size="4", weight="medium"),
                rx.data_list.root(
                    _fact(tr("receipt.transaction_id"), receipt.id, font_family="monospace", data_testid="receipt-id"),
                    _fact(
                        tr("receipt.time"),
                        rx.el.time(receipt.created_at_label, date_time=receipt.created_at_iso),
                    ),
                    rx.cond(receipt.app != "", _fact(tr("receipt.app"), app_badge(receipt.app))),
                    _fact(
                        rx.cond(receipt.direction == "in", tr("receipt.from"), tr("receipt.to")),
                        receipt.counterparty,
                    ),
                    rx.cond(
                        receipt.method_label != NO_METHOD,
                        _fact(tr("receipt.method"), receipt.method_label, data_testid="receipt-method"),
                    ),
                    rx.cond(
                        receipt.refund_of != "",
                        _fact(
                            tr("receipt.refund_of"),
                            rx.link(receipt.refund_of, href="/pay/history/" + receipt.refund_of, font_family="monospace"),
                        ),
                    ),
                    rx.cond(receipt.order_numbers != "", _fact(tr("receipt.orders"), receipt.order_numbers)),
                    rx.cond(receipt.note != "", _fact(tr("receipt.note"), receipt.note)),
                    orientation="horizontal",
                    size="2",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        _section(
            "receipt.amounts",
            rx.foreach(PayReceiptState.receipt_lines, _line),
            rx.cond(PayReceiptState.receipt_lines.length() > 0, rx.separator(size="4")),
            _amount_row(
                rx.cond(PayReceiptState.receipt_lines.length() > 0, tr("receipt.items"), tr("receipt.amount")),
                receipt.items_label,
            ),
            rx.cond(purchase, _amount_row(tr("receipt.shipping"), receipt.shipping_label)),
            _amount_row(tr("receipt.fees"), receipt.fees_label),
            _amount_row(tr("receipt.refunds"), receipt.refunds_label, data_testid="receipt-refunds"),
            rx.separator(size="4"),
            _amount_row(tr("receipt.total"), receipt.total_label, bold=True),
        ),
        _section(
            "receipt.history",
            rx.el.ul(rx.foreach(PayReceiptState.receipt_events, _event), padding="0", margin="0", width="100%"),
        ),
        # A purchase's problem goes to the shop that sold it (a dispute, one per order); a
        # payout's questions to the payouts page; anything else to support.
        rx.cond(
            PayReceiptState.receipt_orders.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.foreach(
                    PayReceiptState.receipt_orders,
                    lambda o: rx.link(
                        rx.button(rx.icon("message-circle-warning", size=16),
                                  tr_fmt("dispute.report_link", shop=o.shop_name), variant="soft", size="3"),
                        href="/disputes/" + o.order_id.to_string(),
                    ),
                ),
                spacing="2",
            ),
            rx.cond(
                receipt.kind != "payout",
                rx.link(
                    rx.button(rx.icon("message-circle-warning", size=16), tr("receipt.report"), variant="soft", size="3"),
                    href=PayReceiptState.report_link,
                ),
            ),
        ),
        spacing="3",
        width="100%",
    )


def pay_receipt_page() -> rx.Component:
    return page_frame(
        pay_links("/pay/history"),
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), tr("receipt.back"), spacing="1", align="center"),
            href="/pay/history",
            size="2",
        ),
        error_callout(PayReceiptState.receipt_error),
        rx.cond(PayReceiptState.receipt, _receipt(PayReceiptState.receipt)),
        title_key="receipt.title",
    )
