"""/merchant/insights: the shop's sales by day, app, product and buyer city, as charts with
their numbers beside them; groups of fewer than 5 buyers say so instead of a number."""

from __future__ import annotations

from typing import Any

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.merchant_nav import merchant_only
from socialshop.services.merchant_insights import Period
from socialshop.state.merchant_insights import GroupRow, MerchantInsightsState

S = MerchantInsightsState
PERIOD_SELECT_ID = "minsights-period"
BAR_HEIGHT = 220

_VISUALLY_HIDDEN = {
    "position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden",
    "clip": "rect(0 0 0 0)", "white_space": "nowrap",
}


def _chart_data(points: rx.Var) -> rx.Var:
    return points.to(list[dict[str, Any]])


def _period_select() -> rx.Component:
    return rx.hstack(
        rx.el.label(tr("minsights.period"), html_for=PERIOD_SELECT_ID, style={"font_weight": "500"}),
        rx.select.root(
            rx.select.trigger(id=PERIOD_SELECT_ID, aria_label=tr("minsights.period"), min_width="11em"),
            rx.select.content(*[rx.select.item(tr(f"minsights.period.{p.value}"), value=p.value) for p in Period]),
            value=S.period,
            on_change=S.set_period,
        ),
        rx.cond(S.minsights_busy, rx.spinner(size="2")),
        align="center",
        spacing="3",
        wrap="wrap",
    )


def _swatch(color: rx.Var) -> rx.Component:
    return rx.box(width="10px", height="10px", border_radius="2px", background=color, flex_shrink="0",
                  aria_hidden="true")


def _group_row(row: GroupRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.hstack(_swatch(row.color), rx.text(row.name), align="center", spacing="2"),
            font_weight="normal",
        ),
        rx.table.cell(
            rx.cond(row.shown, rx.text(row.amount),
                    rx.text(row.amount, color=rx.color("gray", 11), font_style="italic", size="2")),
            justify="end",
            white_space="nowrap",
        ),
        rx.table.cell(row.buyers, justify="end", color=rx.color("gray", 11)),
        custom_attrs={"data-key": row.key, "data-suppressed": rx.cond(row.shown, "false", "true")},
    )


def _table(title_key: str, first_col: str, rows: rx.Var) -> rx.Component:
    return rx.table.root(
        rx.el.caption(tr(title_key), style=_VISUALLY_HIDDEN),
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell(tr(first_col)),
                rx.table.column_header_cell(tr("minsights.col.amount"), justify="end"),
                rx.table.column_header_cell(tr("minsights.col.buyers"), justify="end"),
            )
        ),
        rx.table.body(rx.foreach(rows, _group_row)),
        size="1",
        variant="ghost",
        width="100%",
    )


def _chart_box(title_key: str, points: rx.Var, chart: rx.Component) -> rx.Component:
    return rx.cond(
        points.length() > 0,
        rx.box(chart, role="img", aria_label=tr(title_key), width="100%", min_width="0"),
        rx.center(
            rx.text(tr("minsights.all_hidden"), size="2", color_scheme="gray", align="center"),
            width="100%",
            min_height="80px",
        ),
    )


def _section(title_key: str, testid: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(tr(title_key), size="4", as_="h2"), *children, spacing="3", width="100%"),
        width="100%",
        data_testid=testid,
    )


def _bars_section(title_key: str, rows: rx.Var, points: rx.Var, testid: str) -> rx.Component:
    # Bars, not a pie: the hidden groups are not in the chart, so a pie's whole would lie.
    chart = rx.recharts.bar_chart(
        rx.recharts.x_axis(type_="number", hide=True),
        rx.recharts.y_axis(data_key="name", type_="category", width=110, tick_line=False, axis_line=False),
        rx.recharts.bar(
            rx.foreach(points, lambda p: rx.recharts.cell(fill=p.color)),
            data_key="value",
            radius=[0, 4, 4, 0],
            max_bar_size=28,
            is_animation_active=False,
        ),
        data=_chart_data(points),
        layout="vertical",
        width="100%",
        height=points.length() * 36 + 16,
        margin={"top": 8, "right": 8, "left": 0, "bottom": 8},
    )
    return _section(
        title_key,
        testid,
        _chart_box(title_key, points, chart),
        _table(title_key, "minsights.col.name", rows),
    )


def _days() -> rx.Component:
    chart = rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(vertical=False, stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key="name", tick_line=False, interval="preserveStartEnd", min_tick_gap=4),
        rx.recharts.y_axis(width=48, tick_line=False, axis_line=False, allow_decimals=False),
        rx.recharts.bar(data_key="value", fill=rx.color("accent", 9), radius=[4, 4, 0, 0], max_bar_size=40,
                        is_animation_active=False),
        data=_chart_data(S.day_points),
        width="100%",
        height=BAR_HEIGHT,
        margin={"top": 8, "right": 8, "left": 0, "bottom": 0},
    )
    return _section(
        "minsights.by_day",
        "minsights-days",
        _chart_box("minsights.by_day", S.day_points, chart),
        _table("minsights.by_day", "minsights.col.day", S.day_rows),
    )


def _summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(tr("minsights.total"), size="2", color_scheme="gray"),
            rx.text(S.total_label, size="7", weight="bold", data_testid="minsights-total"),
            rx.cond(S.total_detail != "", rx.text(S.total_detail, size="2", color_scheme="gray")),
            rx.callout(tr("minsights.privacy"), icon="shield-check", size="1", width="100%"),
            spacing="1",
            width="100%",
        ),
        width="100%",
    )


def merchant_insights_page() -> rx.Component:
    return page_frame(
        merchant_only(
            S,
            "/merchant/insights",
            _period_select(),
            error_callout(S.minsights_error),
            rx.cond(
                S.minsights_loaded,
                rx.cond(
                    S.has_sales,
                    rx.vstack(
                        _summary(),
                        _days(),
                        _bars_section("minsights.by_app", S.app_rows, S.app_points, "minsights-apps"),
                        _bars_section("minsights.by_product", S.product_rows, S.product_points, "minsights-products"),
                        _bars_section("minsights.by_city", S.city_rows, S.city_points, "minsights-cities"),
                        spacing="4",
                        width="100%",
                    ),
                    rx.card(
                        rx.vstack(
                            rx.icon("chart-column", size=40, color=rx.color("gray", 9)),
                            rx.text(tr("minsights.empty"), align="center", data_testid="minsights-empty"),
                            align="center",
                            spacing="3",
                            padding="1.5em",
                            width="100%",
                        ),
                        width="100%",
                    ),
                ),
                rx.center(rx.spinner(size="3"), width="100%", padding="2em"),
            ),
        ),
        title_key="minsights.title",
    )
