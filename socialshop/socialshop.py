"""The Reflex app: every route of SocialShop."""

from __future__ import annotations

import reflex as rx

import socialshop.models  # noqa: F401  (every table registered before Reflex looks)
from socialshop.api import api_transformer
from socialshop.jobs import deadlines_forever
from socialshop.models import AppSurface
from socialshop.money.reconcile import reconcile_forever
from socialshop.pages.auth import login_page, signup_page
from socialshop.pages.checkout import checkout_page
from socialshop.pages.disputes import dispute_page, merchant_disputes_page, support_disputes_page
from socialshop.pages.feed import feed_page, post_page
from socialshop.pages.merchant_fees import merchant_fees_page
from socialshop.pages.merchant_insights import merchant_insights_page
from socialshop.pages.merchant_orders import merchant_orders_page
from socialshop.pages.merchant_overview import merchant_overview_page
from socialshop.pages.merchant_payouts import merchant_payouts_page
from socialshop.pages.merchant_posts import merchant_posts_page
from socialshop.pages.merchant_products import merchant_products_page
from socialshop.pages.messenger import messenger_money_page
from socialshop.pages.pay_apps import pay_apps_page
from socialshop.pages.pay_contact import pay_contact_page
from socialshop.pages.pay_history import pay_history_page, pay_receipt_page
from socialshop.pages.pay_insights import pay_insights_page
from socialshop.pages.pay_methods import pay_methods_page
from socialshop.pages.pay_overview import not_found_page, pay_overview_page
from socialshop.pages.pay_security import pay_security_page, pin_link_page
from socialshop.pages.pay_support import pay_support_page
from socialshop.pages.payment_codes import merchant_qr_page, pay_privacy_page, pay_scan_page
from socialshop.pages.product_page import product_page
from socialshop.pages.profile import profile_page
from socialshop.pages.shop_cart import cart_page
from socialshop.pages.shop_catalog import shops_page, storefront_page
from socialshop.pages.shop_chats import buyer_chats_page, merchant_chats_page
from socialshop.pages.shop_orders import order_detail_page, orders_page
from socialshop.pages.shop_saved import saved_page
from socialshop.pages.support_agent import support_agent_page
from socialshop.state.auth import AuthState
from socialshop.state.checkout import CheckoutState
from socialshop.state.disputes import DISPUTE_ARG, DisputeState, MerchantDisputesState, SupportDisputesState
from socialshop.state.feed import POST_ARG, FeedState
from socialshop.state.merchant_fees import MerchantFeesState
from socialshop.state.merchant_insights import MerchantInsightsState
from socialshop.state.merchant_orders import MerchantOrdersState
from socialshop.state.merchant_overview import MerchantOverviewState
from socialshop.state.merchant_payouts import MerchantPayoutsState
from socialshop.state.merchant_posts import MerchantPostsState
from socialshop.state.merchant_products import MerchantProductsState
from socialshop.state.pay_apps import PayAppsState
from socialshop.state.pay_authorization import PayAuthorizationState
from socialshop.state.pay_contact import PayContactState
from socialshop.state.pay_history import ENTRY_ARG, PayHistoryState, PayReceiptState
from socialshop.state.pay_insights import PayInsightsState
from socialshop.state.pay_methods import PayMethodsState
from socialshop.state.pay_overview import PayOverviewState
from socialshop.state.pay_security import PaySecurityState
from socialshop.state.pay_support import SupportState
from socialshop.state.payment_codes import MerchantCodesState, PayCodeState, PayPrivacyState
from socialshop.state.product_page import PRODUCT_ARG, ProductPageState
from socialshop.state.profile import ProfileState
from socialshop.state.shop_cart import CartState
from socialshop.state.shop_catalog import SLUG_ARG, ShopsState, StorefrontState
from socialshop.state.shop_chats import BuyerChatsState, MerchantChatsState
from socialshop.state.shop_orders import ORDER_ARG, OrderDetailState, OrdersState
from socialshop.state.shop_saved import SavedState
from socialshop.state.shopping import ProductSheetState
from socialshop.state.support_agent import SupportAgentState
from socialshop.state.transfers import TransferState
from socialshop.static_pages import directory_pages
from socialshop.web_security import private_state_files, security_headers

# Tabs' state files hold who is logged in: not for other local users to read.
private_state_files()
app = rx.App(
    # directory_pages: /pay answers with its page at once (no redirect to /pay/).
    api_transformer=[api_transformer, directory_pages, security_headers],
    head_components=[rx.el.meta(name="description", content="SocialShop: shop and pay inside your social apps.")],
)
# Settles payments left unresolved by a lost gateway answer or a crashed worker.
app.register_lifespan_task(reconcile_forever)
app.register_lifespan_task(deadlines_forever)

app.add_page(login_page, route="/login", title="Log in · SocialShop", on_load=AuthState.open_login)
app.add_page(signup_page, route="/signup", title="Sign up · SocialShop", on_load=AuthState.open_signup)
app.add_page(feed_page, route="/", title="SocialShop", on_load=FeedState.load(""))
for surface in AppSurface:
    app.add_page(
        feed_page,
        route=f"/feed/{surface.value}",
        title=f"{surface.value.capitalize()} · SocialShop",
        on_load=FeedState.load(surface.value),
    )
app.add_page(profile_page, route="/profile", title="Profile · SocialShop", on_load=ProfileState.load)
app.add_page(checkout_page, route="/checkout", title="Checkout · SocialShop", on_load=CheckoutState.load)
app.add_page(
    messenger_money_page, route="/messenger/money", title="Messenger money · SocialShop", on_load=TransferState.load
)

# (component, route, title, on_load). Pages showing the product sheet close it on load:
# a sheet left open before navigating must not pop up again on the next page.
PAGES = (
    # The PIN's old address: links in sent notifications and bookmarks still lead there.
    (pin_link_page, "/pay/pin", "Pay security", [PaySecurityState.open_pin_link]),
    (shops_page, "/shops", "Shops", [ProductSheetState.close_sheet, ShopsState.load]),
    (cart_page, "/cart", "Cart", [ProductSheetState.close_sheet, CartState.load]),
    (saved_page, "/saved", "Saved", [ProductSheetState.close_sheet, SavedState.load]),
    # A post's public address (readable logged out); the feed's cards link to it.
    (post_page, f"/post/[{POST_ARG}]", "Post", [ProductSheetState.close_sheet, FeedState.open_post]),
    (orders_page, "/orders", "Orders", [OrdersState.load]),
    (order_detail_page, f"/orders/[{ORDER_ARG}]", "Order", [OrderDetailState.load]),
    (pay_history_page, "/pay/history", "Pay history", [PayHistoryState.load]),
    (pay_receipt_page, f"/pay/history/[{ENTRY_ARG}]", "Receipt", [PayReceiptState.load]),
    (pay_apps_page, "/pay/apps", "Pay in apps", [PayAppsState.load]),
    (pay_security_page, "/pay/security", "Pay security", [PayAuthorizationState.load, PaySecurityState.load]),
    (pay_methods_page, "/pay/methods", "Payment methods", [PayMethodsState.load]),
    (pay_support_page, "/pay/support", "Support", [SupportState.load]),
    (support_agent_page, "/support/agent", "Support queue", [SupportAgentState.load]),
    (dispute_page, f"/disputes/[{DISPUTE_ARG}]", "Report a problem", [DisputeState.load]),
    (merchant_disputes_page, "/merchant/disputes", "Disputes", [MerchantDisputesState.load]),
    (support_disputes_page, "/support/disputes", "Escalated disputes", [SupportDisputesState.load]),
    (pay_overview_page, "/pay", "Pay", [PayOverviewState.load]),
    (pay_contact_page, "/pay/contact", "Contact and addresses", [PayContactState.load]),
    (pay_insights_page, "/pay/insights", "Pay insights", [PayInsightsState.load]),
    (merchant_orders_page, "/merchant/orders", "Orders", [MerchantOrdersState.load]),
    (merchant_fees_page, "/merchant/fees", "Fees", [MerchantFeesState.load]),
    (merchant_payouts_page, "/merchant/payouts", "Payouts", [MerchantPayoutsState.load]),
    (merchant_insights_page, "/merchant/insights", "Insights", [MerchantInsightsState.load]),
    (pay_scan_page, "/pay/scan", "Scan to pay", [PayCodeState.load]),
    (pay_privacy_page, "/pay/privacy", "Privacy", [PayPrivacyState.load]),
    (merchant_qr_page, "/merchant/qr", "QR codes", [MerchantCodesState.load]),
    (buyer_chats_page, "/whatsapp/chats", "Chats", [BuyerChatsState.load]),
    (merchant_chats_page, "/merchant/chats", "Chats", [MerchantChatsState.load]),
    (merchant_overview_page, "/merchant", "Your shop", [MerchantOverviewState.load]),
    (merchant_products_page, "/merchant/products", "Products", [MerchantProductsState.load]),
    (merchant_posts_page, "/merchant/posts", "Post to an app", [MerchantPostsState.load]),
    # Reflex serves this page for every route it does not know.
    (not_found_page, "404", "Page not found", []),
)


# `app.add_page` rather than `@rx.page`: Reflex applies decorated pages at every compile,
# and `reflex run --env prod` compiles twice in the backend process, which logs a
# "Page ... is being redefined" warning per decorated page.
for component, route, title, on_load in PAGES:
    app.add_page(component, route=route, title=f"{title} · SocialShop", on_load=on_load)


def _share_meta(title: rx.Var, description: rx.Var, og_type: str) -> list:
    """Open Graph tags for a shared link (filled in once the page's state has loaded)."""
    return [
        rx.el.meta(property="og:site_name", content="SocialShop"),
        rx.el.meta(property="og:type", content=og_type),
        rx.el.meta(property="og:title", content=title),
        rx.el.meta(property="og:description", content=description),
    ]


# Public pages, readable logged out; their titles name the shop or the product.
app.add_page(
    storefront_page,
    route=f"/shop/[{SLUG_ARG}]",
    title=StorefrontState.storefront_title,
    meta=_share_meta(StorefrontState.storefront_title, StorefrontState.storefront_description, "website"),
    on_load=[ProductSheetState.close_sheet, StorefrontState.load],
)
app.add_page(
    product_page,
    route=f"/shop/[{SLUG_ARG}]/product/[{PRODUCT_ARG}]",
    title=ProductPageState.product_page_title,
    meta=_share_meta(ProductPageState.product_page_title, ProductPageState.product_page_description, "product"),
    on_load=[ProductSheetState.close_sheet, ProductPageState.load],
)
