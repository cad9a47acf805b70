"""Dispute pages: the buyer's report and follow-up, the shop's list, support's decisions."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.merchant_nav import merchant_only
from socialshop.components.product_sheet import tr_fmt
from socialshop.models import DISPUTE_REASONS, DisputeStatus
from socialshop.pages.shop_cart import success_callout
from socialshop.services import disputes
from socialshop.state.disputes import DisputeState, MerchantDisputesState, SupportDisputesState

STATUS_COLORS = {
    DisputeStatus.OPEN.value: "amber",
    DisputeStatus.ANSWERED.value: "blue",
    DisputeStatus.ESCALATED.value: "purple",
    DisputeStatus.REFUNDED.value: "green",
    DisputeStatus.CLOSED.value: "gray",
}


def status_badge(status) -> rx.Component:
    return rx.match(
        status,
        *[(value, rx.badge(tr(f"dispute.status.{value}"), color_scheme=color, variant="soft", high_contrast=True))
          for value, color in STATUS_COLORS.items()],
        rx.badge(status),
    )


def _reason(reason) -> rx.Component:
    return rx.match(reason, *[(r, tr(f"dispute.reason.{r}")) for r in DISPUTE_REASONS], reason)


def _quote(label_key: str, text, **props) -> rx.Component:
    return rx.vstack(
        rx.text(tr(label_key), size="1", weight="medium", color_scheme="gray"),
        rx.text(text, white_space="pre-wrap", **props),
        spacing="1",
        width="100%",
    )


def _escalation_note(view) -> rx.Component:
    return rx.cond(
        view.status == DisputeStatus.ESCALATED.value,
        rx.callout(
            rx.fragment(
                rx.cond(view.escalated_by == "overdue", tr("dispute.escalated.overdue"), tr("dispute.escalated.buyer")),
                " ",
                tr("dispute.escalated_note"),
            ),
            icon="life-buoy",
            color_scheme="purple",
            size="1",
            width="100%",
        ),
    )


# ---------------------------------------------------------------- the buyer


def _report_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(tr("dispute.intro"), size="2", color_scheme="gray"),
            rx.el.fieldset(
                rx.el.legend(tr("dispute.reason"), style={"font_weight": "500", "margin_bottom": "0.4em"}),
                rx.radio_group.root(
                    rx.vstack(
                        *[
                            rx.text(
                                rx.hstack(rx.radio_group.item(value=r), tr(f"dispute.reason.{r}"), spacing="2", align="center"),
                                as_="label",
                                size="2",
                            )
                            for r in DISPUTE_REASONS
                        ],
                        spacing="2",
                    ),
                    # Uncontrolled: the choice shows at once and is sent with the form (a
                    # value round-tripped through the server lags a tap on a slow network).
                    name="reason",
                ),
                style={"border": "none", "padding": "0", "margin": "0"},
            ),
            rx.el.label(tr("dispute.details"), html_for="dispute-details", font_size="0.9em", font_weight="500"),
            rx.text_area(id="dispute-details", name="details", placeholder=tr("dispute.details_hint"), rows="4",
                         max_length=disputes.MAX_TEXT, width="100%"),
            rx.button(rx.icon("send", size=16), tr("dispute.send"), type="submit", size="3"),
            spacing="3",
            width="100%",
        ),
        on_submit=DisputeState.submit,
        width="100%",
    )


def _buyer_dispute(view) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(status_badge(view.status), rx.text(_reason(view.reason), weight="medium"), spacing="2",
                      align="center", wrap="wrap"),
            _quote("dispute.you_wrote", view.details),
            rx.cond(view.status == DisputeStatus.OPEN.value,
                    rx.text(tr("dispute.due"), " ", view.due_label, size="2", color_scheme="gray")),
            rx.cond(view.answer != "", _quote("dispute.shop_answer", view.answer, data_testid="dispute-answer")),
            _escalation_note(view),
            rx.cond(view.resolution != "", _quote("dispute.support_decision", view.resolution)),
            rx.hstack(
                rx.cond(
                    (view.status == DisputeStatus.OPEN.value) | (view.status == DisputeStatus.ANSWERED.value),
                    rx.button(tr("dispute.escalate"), on_click=DisputeState.escalate, variant="soft", size="2"),
                ),
                rx.cond(
                    (view.status != DisputeStatus.REFUNDED.value) & (view.status != DisputeStatus.CLOSED.value),
                    rx.button(tr("dispute.withdraw"), on_click=DisputeState.withdraw, variant="ghost", size="2"),
                ),
                spacing="3",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid="dispute",
    )


def dispute_page() -> rx.Component:
    case = DisputeState.case
    return page_frame(
        error_callout(DisputeState.error),
        success_callout(DisputeState.notice),
        rx.cond(
            case,
            rx.vstack(
                rx.text(tr_fmt("dispute.order", number=case.order_number, shop=case.shop_name, amount=case.amount_label)),
                rx.cond(
                    case.dispute,
                    _buyer_dispute(case.dispute),
                    rx.cond(case.can_report, _report_form(),
                            rx.callout(tr("dispute.not_reportable"), icon="info", width="100%")),
                ),
                rx.link(tr("dispute.back_to_order"), href="/orders/" + case.order_id.to_string(), size="2"),
                spacing="4",
                width="100%",
            ),
            rx.cond(~DisputeState.loaded, rx.spinner()),
        ),
        title_key="dispute.title",
    )


# ---------------------------------------------------------------- the shop


def _merchant_row(view) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                status_badge(view.status),
                rx.text(view.reporter, weight="bold"),
                rx.text(view.order_number, size="2", color_scheme="gray", font_family="monospace"),
                rx.spacer(),
                rx.text(view.amount_label, weight="medium"),
                spacing="2",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.text(_reason(view.reason), weight="medium"),
            _quote("dispute.customer_wrote", view.details),
            rx.cond(
                view.status == DisputeStatus.OPEN.value,
                rx.hstack(
                    rx.text(tr("dispute.due"), " ", view.due_label, size="2"),
                    rx.cond(view.overdue, rx.badge(tr("dispute.overdue"), color_scheme="red")),
                    spacing="2",
                    align="center",
                ),
            ),
            rx.cond(view.answer != "", _quote("mdispute.answer", view.answer)),
            _escalation_note(view),
            rx.cond(view.resolution != "", _quote("dispute.support_decision", view.resolution)),
            rx.cond(
                view.status == DisputeStatus.OPEN.value,
                rx.form(
                    rx.vstack(
                        rx.el.label(tr("mdispute.answer"), html_for="answer-" + view.id.to_string(),
                                    font_size="0.9em", font_weight="500"),
                        rx.text_area(id="answer-" + view.id.to_string(), name="answer", rows="3",
                                     max_length=disputes.MAX_TEXT, width="100%"),
                        rx.el.input(type="hidden", name="dispute_id", value=view.id.to_string()),
                        rx.button(tr("mdispute.send"), type="submit", size="2"),
                        spacing="2",
                        width="100%",
                    ),
                    on_submit=MerchantDisputesState.send_answer,
                    reset_on_submit=True,
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid="dispute-row",
    )


def merchant_disputes_page() -> rx.Component:
    return page_frame(
        merchant_only(
            MerchantDisputesState,
            "/merchant/disputes",
            rx.text(tr("mdispute.intro"), size="2", color_scheme="gray"),
            rx.hstack(
                rx.el.label(tr("mdispute.filter"), html_for="dispute-filter", font_size="0.9em"),
                rx.select.root(
                    rx.select.trigger(id="dispute-filter"),
                    rx.select.content(*[rx.select.item(tr(f"mdispute.filter.{f}"), value=f) for f in disputes.SHOP_FILTERS]),
                    value=MerchantDisputesState.status_filter,
                    on_change=MerchantDisputesState.set_status_filter,
                ),
                spacing="2",
                align="center",
            ),
            error_callout(MerchantDisputesState.error),
            success_callout(MerchantDisputesState.notice),
            rx.cond(
                MerchantDisputesState.rows.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(rx.foreach(MerchantDisputesState.rows, _merchant_row), spacing="3", width="100%"),
                rx.text(tr("mdispute.empty"), color_scheme="gray"),
            ),
            rx.cond(MerchantDisputesState.next_cursor != "",
                    rx.button(tr("mdispute.more"), on_click=MerchantDisputesState.show_more, variant="soft")),
        ),
        title_key="mdispute.title",
    )


# ---------------------------------------------------------------- support


def _support_row(view) -> rx.Component:
    ident = view.id.to_string()
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(view.reporter, weight="bold"),
                rx.text("→ ", view.shop_name),
                rx.text(view.order_number, size="2", color_scheme="gray", font_family="monospace"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.hstack(
                rx.text(tr("sdispute.paid"), ": ", view.amount_label, size="2"),
                rx.text(tr("sdispute.refunded_so_far"), ": ", view.refunded_label, size="2"),
                spacing="4",
                wrap="wrap",
            ),
            rx.text(_reason(view.reason), weight="medium"),
            _quote("dispute.customer_wrote", view.details),
            rx.cond(view.answer != "", _quote("dispute.shop_answer", view.answer)),
            _escalation_note(view),
            rx.form(
                rx.vstack(
                    rx.el.label(tr("sdispute.note"), html_for="refund-note-" + ident, font_size="0.9em", font_weight="500"),
                    rx.text_area(id="refund-note-" + ident, name="note", rows="2", max_length=disputes.MAX_TEXT,
                                 width="100%"),
                    rx.el.label(tr("sdispute.refund_amount"), html_for="amount-" + ident, font_size="0.9em",
                                font_weight="500"),
                    rx.hstack(
                        rx.input(id="amount-" + ident, name="amount", input_mode="decimal", width="10em"),
                        rx.button(tr("sdispute.refund"), type="submit", size="2", loading=SupportDisputesState.busy),
                        spacing="2",
                        align="center",
                    ),
                    rx.el.input(type="hidden", name="dispute_id", value=ident),
                    spacing="2",
                    width="100%",
                ),
                on_submit=SupportDisputesState.refund_dispute,
                width="100%",
            ),
            rx.separator(size="4"),
            rx.form(
                rx.vstack(
                    rx.el.label(tr("sdispute.note"), html_for="close-note-" + ident, font_size="0.9em", font_weight="500"),
                    rx.text_area(id="close-note-" + ident, name="note", rows="2", max_length=disputes.MAX_TEXT,
                                 width="100%"),
                    rx.el.input(type="hidden", name="dispute_id", value=ident),
                    rx.button(tr("sdispute.close"), type="submit", variant="soft", size="2"),
                    spacing="2",
                    width="100%",
                ),
                on_submit=SupportDisputesState.close_dispute,
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid="support-dispute",
    )


def support_disputes_page() -> rx.Component:
    return page_frame(
        rx.cond(
            SupportDisputesState.allowed,
            rx.vstack(
                rx.link(tr("agent.title"), href="/support/agent", size="2"),
                error_callout(SupportDisputesState.error),
                success_callout(SupportDisputesState.notice),
                rx.cond(
                    SupportDisputesState.rows.length() > 0,  # type: ignore[attr-defined]
                    rx.vstack(rx.foreach(SupportDisputesState.rows, _support_row), spacing="3", width="100%"),
                    rx.text(tr("sdispute.empty"), color_scheme="gray"),
                ),
                rx.cond(SupportDisputesState.next_cursor != "",
                        rx.button(tr("mdispute.more"), on_click=SupportDisputesState.show_more, variant="soft")),
                spacing="4",
                width="100%",
            ),
            rx.callout(tr("error.support_agents_only"), icon="lock", color_scheme="amber", width="100%"),
        ),
        title_key="sdispute.title",
    )
