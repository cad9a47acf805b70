"""Public pages: a product's permalink belongs to its shop, storefronts and product pages load
logged out without a redirect or anyone's data, and buying logged out asks to log in and
comes back to the product."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import datetime as dt
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from reflex.istate.data import RouterData

from socialshop.models import AppSurface, User, utcnow
from socialshop.services import accounts, catalog, security
from socialshop.services.errors import NotFound
from socialshop.services.login_throttle import throttle_for
from tests.unit.factories import make_product, make_shop, make_user


def test_a_product_page_shows_the_product_of_the_shop_in_its_link(session):
    shop = make_shop(session, name="Caffè Aurora")
    product = make_product(session, shop=shop, title="Moka", price_cents=2490, stock=3)
    view = catalog.get_shop_product(session, slug=shop.slug.upper(), product_id=str(product.id), language="it")
    assert (view.id, view.title, view.shop_slug, view.stock, view.available) == (product.id, "Moka", shop.slug, 3, True)
    assert view.price_label == "€\xa024,90"
    assert catalog.product_path(shop.slug, product.id) == f"/shop/{shop.slug}/product/{product.id}"


def test_a_withdrawn_product_is_shown_as_no_longer_available(session):
    shop = make_shop(session)
    product = make_product(session, shop=shop, active=False)
    assert catalog.get_shop_product(session, slug=shop.slug, product_id=product.id).available is False


@pytest.mark.parametrize("case", ["other_shop", "unknown_id", "unknown_slug", "garbage_id", "garbage_slug", "closed"])
def test_a_wrong_link_is_not_found_whatever_is_wrong(session, case):
    shop, other = make_shop(session), make_shop(session)
    product = make_product(session, shop=shop)
    slug, pid = shop.slug, str(product.id)
    if case == "other_shop":
        slug = other.slug
    elif case == "unknown_id":
        pid = str(product.id + 1000)
    elif case == "unknown_slug":
        slug = "no-such-shop"
    elif case == "garbage_id":
        pid = "1; drop table product"
    elif case == "garbage_slug":
        slug = "../admin"
    else:
        shop.deleted_at = utcnow() - dt.timedelta(minutes=1)
        session.add(shop)
        session.flush()
    with pytest.raises(NotFound) as err:
        catalog.get_shop_product(session, slug=slug, product_id=pid)
    assert err.value.code == "product_not_found"


# --- the states, as the browser drives them ------------------------------------------------


def _state(cls, path: str, params: dict | None = None, token: str = ""):
    from reflex.state import State

    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    state = root
    # Walk down from the root to `cls`, so inherited vars live where Reflex keeps them.
    for sub in reversed([c for c in cls.__mro__ if isinstance(c, type) and issubclass(c, State)][:-1]):
        state = state.substates[sub.get_name()] if sub.get_name() in state.substates else state
    router = RouterData.from_router_data(
        {"pathname": path.split("?")[0], "asPath": path, "query": params or {},
         "headers": {"origin": "http://shop.test"}}
    )
    root.router = router
    assert isinstance(state, cls)
    state.auth_token = token
    return state


def _next_of(spec) -> str:
    """The `next` a login redirect carries."""
    url = str(spec.args[0][1]).strip('"')
    assert url.startswith("/login?next="), url
    return parse_qs(urlsplit(url).query)["next"][0]


def test_a_storefront_loads_logged_out_without_a_redirect_or_anyones_data(engine, session):
    from socialshop.state.shop_catalog import SLUG_ARG, StorefrontState

    shop = make_shop(session, name="Forno Sole")
    make_product(session, shop=shop, title="Pane")
    session.commit()
    state = _state(StorefrontState, f"/shop/{shop.slug}", {SLUG_ARG: shop.slug})
    assert StorefrontState.load.fn(state) is None
    assert state.shop is not None and state.shop.name == "Forno Sole"
    assert [p.title for p in state.shop_products] == ["Pane"]
    assert (state.is_logged_in, state.is_logged_out, state.user_display_name, state.cart_count) == (False, True, "", 0)
    assert state.return_path == f"/shop/{shop.slug}"
    assert state.storefront_title == "Forno Sole · SocialShop"


def test_a_product_page_loads_logged_out_and_buying_asks_to_log_in_and_come_back(engine, session):
    from socialshop.state.product_page import PRODUCT_ARG, ProductPageState
    from socialshop.state.shop_catalog import SLUG_ARG

    shop = make_shop(session, name="Forno Sole")
    product = make_product(session, shop=shop, title="Pane")
    session.commit()
    path = f"/shop/{shop.slug}/product/{product.id}"
    state = _state(ProductPageState, path + "?app=instagram", {SLUG_ARG: shop.slug, PRODUCT_ARG: str(product.id)})
    ProductPageState.load.fn(state)
    assert (state.product_missing, state.product.title, state.sheet_app) == (False, "Pane", "instagram")
    assert state.product_share_url.endswith(path)
    assert state.product_page_title == "Pane · Forno Sole · SocialShop"
    assert state.is_logged_out and state.user_display_name == ""
    for handler in (ProductPageState.add_to_cart, ProductPageState.toggle_save):
        assert _next_of(handler.fn(state)) == path + "?app=instagram"


def test_a_product_of_another_shop_shows_not_found(engine, session):
    from socialshop.state.product_page import PRODUCT_ARG, ProductPageState
    from socialshop.state.shop_catalog import SLUG_ARG

    shop, other = make_shop(session), make_shop(session)
    product = make_product(session, shop=shop)
    session.commit()
    state = _state(ProductPageState, f"/shop/{other.slug}/product/{product.id}",
                   {SLUG_ARG: other.slug, PRODUCT_ARG: str(product.id)})
    ProductPageState.load.fn(state)
    assert state.product_missing is True and state.product is None and state.product_page_loaded


def _run(coroutine):
    """Run an async handler in its own thread: Playwright's loop may be running in this one."""
    context = contextvars.copy_context()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(context.run, asyncio.run, coroutine).result()


def test_buy_now_logged_out_asks_to_log_in_and_logged_in_goes_to_checkout(engine, session):
    from socialshop.state.shopping import ProductSheetState

    shop = make_shop(session)
    product = make_product(session, shop=shop, stock=5)
    user = make_user(session)
    user.password_hash = security.hash_secret("a-good-pass-42")
    session.add(user)
    session.commit()
    state = _state(ProductSheetState, f"/shop/{shop.slug}")
    state.product = catalog.get_product_view(session, product_id=product.id)
    state.sheet_app = AppSurface.WHATSAPP.value
    spec = _run(ProductSheetState.buy_now.fn(state))
    assert _next_of(spec) == f"/shop/{shop.slug}/product/{product.id}?app=whatsapp"
    assert state.sheet_open is False

    login = accounts.log_in(session, email=session.get(User, user.id).email, password="a-good-pass-42",
                            throttle=throttle_for("memory://"))
    session.commit()
    state.auth_token = login.token
    state.product = catalog.get_product_view(session, product_id=product.id)
    checkout_spec = _run(ProductSheetState.buy_now.fn(state))
    assert str(checkout_spec.args[0][1]).strip('"').startswith(f"/checkout?product={product.id}&qty=1&app=whatsapp")


@pytest.mark.parametrize(
    ("raw", "query"),
    [
        ("/shop/forno-sole/product/5?app=instagram", "?next=/shop/forno-sole/product/5%3Fapp%3Dinstagram"),
        ("/shop/forno-sole", "?next=/shop/forno-sole"),
        ("//evil.example", ""),
        ("/login?next=/shop/forno-sole", ""),
        (None, ""),
    ],
)
def test_log_in_and_sign_up_keep_the_way_back_to_a_public_page(raw, query):
    from socialshop.state.auth import AuthState
    from socialshop.state.session import safe_next_path

    params = {} if raw is None else {"next": raw}
    state = _state(AuthState, "/signup?" + urlencode(params) if params else "/signup", params)
    AuthState.open_signup.fn(state)
    assert state.next_query == query
    if query:
        assert safe_next_path(raw) == raw
