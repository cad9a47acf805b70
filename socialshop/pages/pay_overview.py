"""/pay: the Pay hub's overview, and the not-found page every unknown route gets."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import color_mode_toggle, language_select, page_frame
from socialshop.components.pay_nav import pay_links, payment_status_badge
from socialshop.components.posts import app_badge
from socialshop.state.pay_overview import PayOverviewState


def _section(title_key: str, *children: rx.Component, action: rx.Component | None = None) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(tr(title_key), size="4", as_="h2"),
                rx.spacer(),
                *([action] if action is not None else []),
                align="center",
                width="100%",
            ),
            *children,
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _attention_row(item) -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("triangle-alert", size=16)),
        rx.hstack(
            rx.callout.text(item.text, flex="1"),
            rx.link(tr("overview.attention.open"), href=item.link, weight="medium", white_space="nowrap"),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        color_scheme="amber",
        # Radix's amber and green callout text is below WCAG contrast on their backgrounds.
        high_contrast=True,
        width="100%",
        role="listitem",
        data_testid="attention-item",
        custom_attrs={"data-kind": item.kind},
    )


def _attention() -> rx.Component:
    return rx.cond(
        PayOverviewState.attention.length() > 0,
        rx.vstack(
            rx.heading(tr("overview.attention"), size="4", as_="h2"),
            rx.vstack(rx.foreach(PayOverviewState.attention, _attention_row), role="list", width="100%",
                      spacing="2"),
            width="100%",
            spacing="2",
        ),
        rx.callout(tr("overview.all_good"), icon="circle-check", color_scheme="green", high_contrast=True,
                   width="100%"),
    )


def _default_method() -> rx.Component:
    return _section(
        "overview.default_method",
        rx.cond(
            PayOverviewState.method_label != "",
            rx.hstack(
                rx.icon("credit-card", size=20),
                rx.text(PayOverviewState.method_label, weight="medium", data_testid="default-method"),
                rx.cond(PayOverviewState.method_expired,
                        rx.badge(tr("overview.expired"), color_scheme="red", variant="soft")),
                align="center",
                wrap="wrap",
            ),
            rx.text(tr("overview.no_method"), color_scheme="gray"),
        ),
        action=rx.link(
            rx.cond(PayOverviewState.method_label != "", tr("overview.manage_methods"), tr("overview.add_method")),
            href="/pay/methods",
            size="2",
        ),
    )


def _app_state(row) -> rx.Component:
    return rx.hstack(
        app_badge(row.app, high_contrast=True),
        rx.spacer(),
        rx.badge(
            rx.cond(row.enabled, tr("payapps.on"), tr("payapps.off")),
            color_scheme=rx.cond(row.enabled, "green", "gray"),
            variant=rx.cond(row.enabled, "soft", "outline"),
        ),
        width="100%",
        align="center",
        data_testid="overview-app",
        custom_attrs={"data-app": row.app},
    )


def _apps() -> rx.Component:
    return _section(
        "overview.apps",
        rx.grid(
            rx.foreach(PayOverviewState.app_rows, _app_state),
            columns=rx.breakpoints(initial="1", xs="2"),
            spacing="2",
            width="100%",
        ),
        action=rx.link(tr("overview.manage_apps"), href="/pay/apps", size="2"),
    )


def _spending() -> rx.Component:
    return _section(
        "overview.month_spending",
        rx.text(PayOverviewState.spending_label, size="7", weight="bold", data_testid="month-spending"),
    )


def _recent_row(row) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(
                rx.cond(
                    row.counterparty != "",
                    row.counterparty,
                    rx.match(row.kind, *[(k, tr(f"payhistory.kind.{k}")) for k in ("purchase", "donation")],
                             row.kind),
                ),
                weight="medium",
            ),
            rx.hstack(app_badge(row.app), rx.text(row.date_label, size="1", color_scheme="gray"),
                      align="center", wrap="wrap"),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        rx.vstack(
            rx.text(row.amount_label, weight="bold", white_space="nowrap"),
            payment_status_badge(row.status),
            align="end",
            spacing="1",
        ),
        width="100%",
        align="center",
        padding_y="0.4em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        role="listitem",
        data_testid="recent-payment",
        custom_attrs={"data-entry": row.entry},
    )


def _recent() -> rx.Component:
    return _section(
        "overview.recent",
        rx.cond(
            PayOverviewState.recent.length() > 0,
            rx.vstack(rx.foreach(PayOverviewState.recent, _recent_row), spacing="0", width="100%", role="list"),
            rx.text(tr("overview.no_payments"), color_scheme="gray"),
        ),
        action=rx.link(tr("overview.all_payments"), href="/pay/history", size="2"),
    )


def pay_overview_page() -> rx.Component:
    return page_frame(
        pay_links("/pay"),
        error_callout(PayOverviewState.overview_error),
        rx.cond(
            PayOverviewState.overview_loaded,
            rx.vstack(_attention(), _spending(), _default_method(), _apps(), _recent(), spacing="4", width="100%"),
            rx.center(rx.spinner(size="3"), width="100%", padding="2em"),
        ),
        title_key="overview.title",
    )


def not_found_page() -> rx.Component:
    """Every unknown route: says so in the reader's language and offers a way back."""
    return rx.center(
        rx.vstack(
            rx.hstack(rx.spacer(), language_select(), color_mode_toggle(), width="100%"),
            rx.card(
                rx.vstack(
                    rx.icon("compass", size=48, color=rx.color("accent", 9)),
                    rx.heading(tr("notfound.title"), size="7", as_="h1"),
                    rx.text(tr("notfound.text"), align="center", color_scheme="gray"),
                    rx.hstack(
                        rx.link(rx.button(rx.icon("house", size=16), tr("notfound.home"), size="3"), href="/"),
                        rx.link(rx.button(rx.icon("wallet", size=16), tr("notfound.pay"), size="3", variant="soft"),
                                href="/pay"),
                        spacing="3",
                        wrap="wrap",
                        justify="center",
                    ),
                    align="center",
                    spacing="4",
                    width="100%",
                    padding="1em",
                ),
                width="100%",
                size="3",
            ),
            width="100%",
            max_width="460px",
            spacing="3",
        ),
        min_height="100vh",
        padding="1em",
        background=rx.color("gray", 2),
        role="main",
    )


