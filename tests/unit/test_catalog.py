from __future__ import annotations

import pytest

from socialshop.models import Product, Shop, User, utcnow
from socialshop.services import catalog, inputs
from socialshop.services.errors import NotFound


def make_user(session, email):
    user = User(email=email, display_name=email.split("@")[0], password_hash="x")
    session.add(user)
    session.flush()
    return user


def make_shop(session, email, name, slug):
    shop = Shop(owner_id=make_user(session, email).id, name=name, slug=slug, description=f"About {name}")
    session.add(shop)
    session.flush()
    return shop


def make_product(session, shop, title, price=1990, stock=7, active=True):
    product = Product(
        shop_id=shop.id,
        title=title,
        description=f"{title}!",
        price_cents=price,
        stock=stock,
        active=active,
        image=f"/generated/products/{title.lower()}.png",
    )
    session.add(product)
    session.flush()
    return product


def test_product_view_fields_and_labels(session):
    shop = make_shop(session, "c@example.com", "Caffè Aurora", "caffe-aurora")
    product = make_product(session, shop, "Moka", price=5900, stock=1)
    view = catalog.get_product_view(session, product_id=product.id, language="it")
    assert view.id == product.id
    assert (view.title, view.description) == ("Moka", "Moka!")
    assert (view.price_cents, view.currency, view.price_label) == (5900, "EUR", "€\xa059,00")
    assert (view.stock, view.in_stock, view.available) == (1, True, True)
    assert view.image == "/generated/products/moka.png"
    assert (view.shop_name, view.shop_slug, view.shop_id) == ("Caffè Aurora", "caffe-aurora", shop.id)
    assert (
        catalog.get_product_view(session, product_id=str(product.id), language="en").price_label == "€59.00"
    )
    # An unknown language falls back to English instead of failing the page.
    assert catalog.get_product_view(session, product_id=product.id, language="xx").price_label == "€59.00"


def test_withdrawn_product_and_closed_shop_are_unavailable(session):
    shop = make_shop(session, "b@example.com", "Bottega", "bottega")
    inactive = make_product(session, shop, "Old", active=False)
    live = make_product(session, shop, "Live")
    assert catalog.get_product_view(session, product_id=inactive.id).available is False
    assert catalog.get_product_view(session, product_id=live.id).available is True
    shop.deleted_at = utcnow()
    session.add(shop)
    session.flush()
    assert catalog.get_product_view(session, product_id=live.id).available is False


def test_out_of_stock_is_still_available_but_not_in_stock(session):
    shop = make_shop(session, "b@example.com", "Bottega", "bottega")
    product = make_product(session, shop, "Empty", stock=0)
    view = catalog.get_product_view(session, product_id=product.id)
    assert (view.available, view.in_stock, view.stock) == (True, False, 0)


@pytest.mark.parametrize(
    "bad", [None, "", "abc", "1; drop table", -1, 0, 2**63, 1.0, True, [1], {"id": 1}, 404]
)
def test_garbage_product_ids(session, bad):
    with pytest.raises(NotFound) as exc:
        catalog.get_product_view(session, product_id=bad)
    assert exc.value.code == "product_not_found"


def test_shop_page_lists_active_products_newest_first(session):
    shop = make_shop(session, "b@example.com", "Bottega", "bottega")
    other = make_shop(session, "o@example.com", "Other", "other")
    first = make_product(session, shop, "First")
    second = make_product(session, shop, "Second")
    make_product(session, shop, "Hidden", active=False)
    make_product(session, other, "Elsewhere")
    page = catalog.get_shop_page(session, slug="bottega", language="en")
    assert (page.id, page.name, page.slug, page.description) == (
        shop.id,
        "Bottega",
        "bottega",
        "About Bottega",
    )
    assert {p.id for p in page.products} == {first.id, second.id}
    assert [p.id for p in page.products] == [second.id, first.id]
    assert page.product_count == 2
    assert all(p.available for p in page.products)
    assert catalog.get_shop_page(session, slug="  BOTTEGA ").id == shop.id


@pytest.mark.parametrize("slug", ["nope", "", None, 5, "../bottega", "a" * 200])
def test_unknown_shop(session, slug):
    make_shop(session, "b@example.com", "Bottega", "bottega")
    with pytest.raises(NotFound) as exc:
        catalog.get_shop_page(session, slug=slug)
    assert exc.value.code == "shop_not_found"


def test_deleted_shop_page_is_not_found(session):
    shop = make_shop(session, "b@example.com", "Bottega", "bottega")
    shop.deleted_at = utcnow()
    session.add(shop)
    session.flush()
    with pytest.raises(NotFound):
        catalog.get_shop_page(session, slug="bottega")


def test_list_shops(session):
    b = make_shop(session, "b@example.com", "bottega Verde", "bottega-verde")
    a = make_shop(session, "a@example.com", "Aurora", "aurora")
    gone = make_shop(session, "g@example.com", "Gone", "gone")
    gone.deleted_at = utcnow()
    session.add(gone)
    make_product(session, b, "One")
    make_product(session, b, "Two")
    make_product(session, b, "Off", active=False)
    shops = catalog.list_shops(session)
    assert [(s.id, s.slug, s.product_count) for s in shops] == [
        (a.id, "aurora", 0),
        (b.id, "bottega-verde", 2),
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (5, 5),
        ("5", 5),
        (" 12 ", 12),
        ("0", None),
        (0, None),
        (-2, None),
        ("-2", None),
        (2.0, None),
        (True, None),
        ("1e3", None),
        ("", None),
        (None, None),
        (2**63, None),
        ("9" * 30, None),
    ],
)
def test_parse_id(raw, expected):
    assert inputs.parse_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(0, 0), ("0", 0), (3, 3), ("3", 3), (-1, None), (2.5, None), ("2.5", None), (False, None), ("x", None)],
)
def test_parse_count(raw, expected):
    assert inputs.parse_count(raw) == expected
