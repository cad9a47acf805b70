"""Registers the storefront, cart, saved-items, orders and Pay pages on the app.

`app.add_page` rather than `@rx.page`: Reflex applies decorated pages at every compile,
and `reflex run --env prod` compiles twice in the backend process, which logs a
"Page ... is being redefined" warning per decorated page.
"""

from __future__ import annotations

from socialshop.pages.shop_cart import cart_page
from socialshop.pages.shop_catalog import shops_page, storefront_page
from socialshop.pages.shop_orders import order_detail_page, orders_page
from socialshop.pages.shop_pay import pay_apps_page, pay_history_page
from socialshop.pages.shop_saved import saved_page
from socialshop.state.shop_cart import CartState
from socialshop.state.shop_catalog import SLUG_ARG, ShopsState, StorefrontState
from socialshop.state.shop_orders import ORDER_ARG, OrderDetailState, OrdersState
from socialshop.state.shop_pay import PayAppsState, PayHistoryState
from socialshop.state.shop_saved import SavedState
from socialshop.state.shopping import ProductSheetState

# (component, route, title, on_load). Pages showing the product sheet close it on load:
# a sheet left open before navigating must not pop up again on the next page.
PAGES = (
    (shops_page, "/shops", "Shops", [ProductSheetState.close_sheet, ShopsState.load]),
    (storefront_page, f"/shop/[{SLUG_ARG}]", "Shop", [ProductSheetState.close_sheet, StorefrontState.load]),
    (cart_page, "/cart", "Cart", [ProductSheetState.close_sheet, CartState.load]),
    (saved_page, "/saved", "Saved", [ProductSheetState.close_sheet, SavedState.load]),
    (orders_page, "/orders", "Orders", [OrdersState.load]),
    (order_detail_page, f"/orders/[{ORDER_ARG}]", "Order", [OrderDetailState.load]),
    (pay_history_page, "/pay/history", "Pay history", [PayHistoryState.load]),
    (pay_apps_page, "/pay/apps", "Pay in apps", [PayAppsState.load]),
)


def register(app) -> None:
    for component, route, title, on_load in PAGES:
        app.add_page(component, route=route, title=f"{title} · SocialShop", on_load=on_load)

