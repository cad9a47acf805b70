"""/pay/insights: spending by month, app, category and merchant, as charts with their numbers."""

from __future__ import annotations

from typing import Any

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.pay_nav import pay_links
from socialshop.services.pay_insights import Period
from socialshop.state.pay_insights import PayInsightsState
from socialshop.state.session import SessionState

PERIOD_SELECT_ID = "insights-period"
# Charts keep a fixed height so the page does not jump while a new period loads.
PIE_HEIGHT = 200
BAR_HEIGHT = 220


def _pick(english: rx.Var, italian: rx.Var) -> rx.Var:
    """The reader's language of a label the state made in both."""
    return rx.cond(SessionState.lang == "it", italian, english)


def _label(both: rx.Var) -> rx.Var:
    return _pick(both["en"], both["it"])


def _chart_data(rows: rx.Var) -> rx.Var:
    """Recharts takes a list of plain objects: the rows are dataclasses serialized as such."""
    return rows.to(list[dict[str, Any]])


def _period_select() -> rx.Component:
    return rx.hstack(
        rx.el.label(tr("insights.period"), html_for=PERIOD_SELECT_ID, style={"font_weight": "500"}),
        rx.select.root(
            rx.select.trigger(id=PERIOD_SELECT_ID, aria_label=tr("insights.period"), min_width="11em"),
            rx.select.content(*[rx.select.item(tr(f"insights.period.{p.value}"), value=p.value) for p in Period]),
            value=PayInsightsState.period,
            on_change=PayInsightsState.set_period,
        ),
        rx.cond(PayInsightsState.insights_busy, rx.spinner(size="2")),
        align="center",
        spacing="3",
        wrap="wrap",
    )


def _section(title_key: str, *children: rx.Component, testid: str) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(tr(title_key), size="4", as_="h2"), *children, spacing="3", width="100%"),
        width="100%",
        data_testid=testid,
    )


def _swatch(color: rx.Var) -> rx.Component:
    return rx.box(width="10px", height="10px", border_radius="2px", background=color, flex_shrink="0",
                  aria_hidden="true")


# Radix puts a table's props on a wrapper <div>: a caption is what names the <table> itself.
_VISUALLY_HIDDEN = {
    "position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden",
    "clip": "rect(0 0 0 0)", "white_space": "nowrap",
}


def _caption(title_key: str) -> rx.Component:
    return rx.el.caption(tr(title_key), style=_VISUALLY_HIDDEN)


def _header(*keys: str) -> rx.Component:
    return rx.table.header(
        rx.table.row(
            *[
                rx.table.column_header_cell(tr(key), **({} if n == 0 else {"justify": "end"}))
                for n, key in enumerate(keys)
            ]
        )
    )


def _slice_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.hstack(_swatch(row.color), rx.text(_pick(row.name_en, row.name_it)), align="center", spacing="2"),
            font_weight="normal",
        ),
        rx.table.cell(_pick(row.amount_en, row.amount_it), justify="end", white_space="nowrap"),
        rx.table.cell(_pick(row.share_en, row.share_it), justify="end", white_space="nowrap",
                      color=rx.color("gray", 11)),
        custom_attrs={"data-key": row.key},
    )


def _slice_section(title_key: str, rows: rx.Var, testid: str) -> rx.Component:
    chart = rx.box(
        rx.recharts.pie_chart(
            rx.recharts.pie(
                rx.foreach(rows, lambda row: rx.recharts.cell(fill=row.color)),
                data=_chart_data(rows),
                data_key="value",
                name_key=rx.cond(SessionState.lang == "it", "name_it", "name_en"),
                inner_radius="55%",
                outer_radius="90%",
                padding_angle=1,
                stroke="none",
                is_animation_active=False,
            ),
            width="100%",
            height=PIE_HEIGHT,
        ),
        role="img",
        aria_label=tr(title_key),
        width="100%",
        min_width="0",
    )
    table = rx.table.root(
        _caption(title_key),
        _header("insights.col.name", "insights.col.amount", "insights.col.share"),
        rx.table.body(rx.foreach(rows, _slice_row)),
        size="1",
        variant="ghost",
        width="100%",
    )
    return _section(
        title_key,
        rx.grid(chart, table, columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
                align_items="center"),
        testid=testid,
    )


def _month_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(_pick(row.name_en, row.name_it), font_weight="normal"),
        rx.table.cell(_pick(row.amount_en, row.amount_it), justify="end", white_space="nowrap"),
        custom_attrs={"data-key": row.key},
    )


def _months() -> rx.Component:
    chart = rx.box(
        rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(vertical=False, stroke_dasharray="3 3"),
            rx.recharts.x_axis(data_key=rx.cond(SessionState.lang == "it", "axis_it", "axis_en"), tick_line=False, interval="preserveStartEnd", min_tick_gap=4),
            rx.recharts.y_axis(width=48, tick_line=False, axis_line=False, allow_decimals=False),
            rx.recharts.bar(data_key="value", fill=rx.color("accent", 9), radius=[4, 4, 0, 0], max_bar_size=48,
                            is_animation_active=False),
            data=_chart_data(PayInsightsState.month_rows),
            width="100%",
            height=BAR_HEIGHT,
            margin={"top": 8, "right": 8, "left": 0, "bottom": 0},
        ),
        role="img",
        aria_label=tr("insights.by_month"),
        width="100%",
        min_width="0",
    )
    table = rx.table.root(
        _caption("insights.by_month"),
        _header("insights.col.month", "insights.col.amount"),
        rx.table.body(rx.foreach(PayInsightsState.month_rows, _month_row)),
        size="1",
        variant="ghost",
        width="100%",
    )
    return _section(
        "insights.by_month",
        chart,
        rx.cond(_label(PayInsightsState.months_note) != "",
                rx.text(_label(PayInsightsState.months_note), size="1", color_scheme="gray")),
        table,
        testid="insights-months",
    )


def _summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(tr("insights.total"), size="2", color_scheme="gray"),
            rx.text(_label(PayInsightsState.total_label), size="7", weight="bold", data_testid="insights-total"),
            rx.cond(_label(PayInsightsState.since_label) != "",
                    rx.text(_label(PayInsightsState.since_label), size="2", color_scheme="gray")),
            rx.text(tr("insights.intro"), size="2"),
            rx.cond(
                _label(PayInsightsState.currency_note) != "",
                rx.callout(_label(PayInsightsState.currency_note), icon="info", size="1", width="100%"),
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
    )


def _empty() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("chart-pie", size=40, color=rx.color("gray", 9)),
            rx.text(
                rx.cond(PayInsightsState.period == "all", tr("insights.empty_ever"), tr("insights.empty")),
                align="center",
                data_testid="insights-empty",
            ),
            rx.link(tr("notfound.home"), href="/"),
            align="center",
            spacing="3",
            padding="1.5em",
            width="100%",
        ),
        width="100%",
    )


def pay_insights_page() -> rx.Component:
    return page_frame(
        pay_links("/pay/insights"),
        _period_select(),
        error_callout(PayInsightsState.insights_error),
        rx.cond(
            PayInsightsState.insights_loaded,
            rx.cond(
                PayInsightsState.has_spending,
                rx.vstack(
                    _summary(),
                    _months(),
                    _slice_section("insights.by_app", PayInsightsState.app_rows, "insights-apps"),
                    _slice_section("insights.by_category", PayInsightsState.category_rows, "insights-categories"),
                    _slice_section("insights.by_merchant", PayInsightsState.merchant_rows, "insights-merchants"),
                    spacing="4",
                    width="100%",
                ),
                _empty(),
            ),
            rx.center(rx.spinner(size="3"), width="100%", padding="2em"),
        ),
        title_key="insights.title",
    )
