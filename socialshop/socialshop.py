"""The Reflex app: every route of SocialShop."""

from __future__ import annotations

import reflex as rx

import socialshop.models  # noqa: F401  (every table registered before Reflex looks)
from socialshop.api import api_transformer
from socialshop.models import AppSurface
from socialshop.money.reconcile import reconcile_forever
from socialshop.pages import shopping_routes
from socialshop.pages.auth import login_page, signup_page
from socialshop.pages.checkout import checkout_page
from socialshop.pages.feed import feed_page
from socialshop.pages.messenger import messenger_money_page
from socialshop.pages.pay_pin import pin_settings_page
from socialshop.pages.profile import profile_page
from socialshop.state.auth import AuthState
from socialshop.state.checkout import CheckoutState
from socialshop.state.feed import FeedState
from socialshop.state.pay_pin import PinSettingsState
from socialshop.state.profile import ProfileState
from socialshop.state.transfers import TransferState

app = rx.App(
    api_transformer=api_transformer,
    head_components=[rx.el.meta(name="description", content="SocialShop: shop and pay inside your social apps.")],
)
# Settles payments left unresolved by a lost gateway answer or a crashed worker.
app.register_lifespan_task(reconcile_forever)

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
app.add_page(pin_settings_page, route="/pay/pin", title="Pay PIN · SocialShop", on_load=PinSettingsState.load)
shopping_routes.register(app)
