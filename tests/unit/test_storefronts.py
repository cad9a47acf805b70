"""Opening a shop (name, slug, city, logo) and the public storefront (search, sort, pages, posts)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from socialshop.models import Post, Role, Shop, utcnow
from socialshop.services import catalog, feed, shops
from socialshop.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tests.unit.factories import make_product, make_user

LOGO = "/generated/logos/u-" + "c" * 32 + ".jpg"


def test_open_a_shop_with_every_field(session):
    user = make_user(session)
    shop = shops.create_shop(session, owner=user, name=" Forno Sole ", slug="Forno-Sole", city="  Cagliari ",
                             description="Pane", logo=LOGO)
    assert (shop.name, shop.slug, shop.city, shop.description, shop.logo) == (
        "Forno Sole", "forno-sole", "Cagliari", "Pane", LOGO,
    )
    assert user.role == Role.MERCHANT.value


def test_sign_up_without_a_slug_gets_one_from_the_name(session):
    first = shops.create_shop(session, owner=make_user(session), name="Caffè Aurora")
    assert shops.suggest_slug(session, name="Caffè Aurora") == "caffe-aurora-2"
    assert shops.create_shop(session, owner=make_user(session), name="Caffè Aurora").slug == "caffe-aurora-2"
    assert first.slug == "caffe-aurora"
    assert shops.suggest_slug(session, name="   ") == ""
    assert shops.suggest_slug(session, name=None) == ""


@pytest.mark.parametrize(
    "slug", ["", "a", "-shop", "shop-", "sh--op", "shop!", "negozio dei sogni", "caffè", "../admin", "x" * 61, 5, None]
)
def test_malformed_slug_is_refused_with_nothing_made(session, slug):
    user = make_user(session)
    with pytest.raises(ValidationError) as err:
        shops.create_shop(session, owner=user, name="Shop", slug=slug if slug is not None else 5)
    assert err.value.code == "slug_invalid"
    assert user.role == Role.SHOPPER.value
    assert session.exec(select(Shop)).all() == []


@pytest.mark.parametrize("slug", ["bottega", "BOTTEGA", "merchant", "new"])
def test_taken_or_reserved_slug_is_refused(session, slug):
    shops.create_shop(session, owner=make_user(session), name="Bottega", slug="bottega")
    user = make_user(session)
    with pytest.raises(Conflict) as err:
        shops.create_shop(session, owner=user, name="Another", slug=slug)
    assert err.value.code == "slug_taken"
    assert user.role == Role.SHOPPER.value


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", "  ", "shop_name_required"),
        ("city", "x" * 61, "city_too_long"),
        ("description", "x" * 2001, "description_too_long"),
        ("logo", "https://evil.example/logo.png", "image_invalid"),
        ("logo", "/generated/products/u-" + "c" * 32 + ".jpg", "image_invalid"),
    ],
)
def test_bad_shop_fields_are_refused(session, field, value, code):
    fields = {"name": "Shop", "slug": "shop-ok", **{field: value}}
    with pytest.raises(ValidationError) as err:
        shops.create_shop(session, owner=make_user(session), **fields)
    assert err.value.code == code


def test_one_shop_per_person_and_none_for_support(session):
    user = make_user(session)
    shops.create_shop(session, owner=user, name="One")
    with pytest.raises(Conflict):
        shops.create_shop(session, owner=user, name="Two", slug="two")
    agent = make_user(session)
    agent.role = Role.SUPPORT.value
    with pytest.raises(PermissionDenied):
        shops.create_shop(session, owner=agent, name="Agent shop", slug="agent-shop")


def test_overview_counts_and_refuses_shoppers(session):
    user = make_user(session)
    shop = shops.create_shop(session, owner=user, name="Counted", city="Roma")
    make_product(session, shop=shop)
    make_product(session, shop=shop, stock=0)
    make_product(session, shop=shop, active=False)
    session.add(Post(author_shop_id=shop.id, app="instagram", text="hi"))
    session.flush()
    view = shops.shop_overview(session, user=user)
    assert (view.active_products, view.out_of_stock, view.archived_products, view.posts, view.city) == (
        2, 1, 1, 1, "Roma",
    )
    with pytest.raises(PermissionDenied):
        shops.shop_overview(session, user=make_user(session))


@pytest.fixture
def storefront(session):
    shop = shops.create_shop(session, owner=make_user(session), name="Vetrina", city="Bari")
    base = utcnow() - dt.timedelta(days=1)
    made = []
    for i, price in enumerate([500, 300, 900, 300, 700, 100, 800]):
        product = make_product(session, shop=shop, title=f"Tazza {i}" if i % 2 else f"Piatto {i}", price_cents=price)
        product.created_at = base + dt.timedelta(minutes=i)
        made.append(product)
    make_product(session, shop=shop, title="Tazza archiviata", active=False, price_cents=1)
    session.flush()
    return shop, made


def all_pages(session, shop, **kwargs):
    ids, after = [], None
    while True:
        page = catalog.list_shop_products(session, shop_id=shop.id, after=after, limit=3, **kwargs)
        assert len(page.products) <= 3
        ids += [p.id for p in page.products]
        if not page.next_cursor:
            return ids
        after = page.next_cursor


def test_storefront_sorts_and_pages_without_skipping_or_repeating(session, storefront):
    shop, made = storefront
    assert all_pages(session, shop) == [p.id for p in reversed(made)]
    by_price = sorted(made, key=lambda p: (p.price_cents, p.id))
    assert all_pages(session, shop, sort="price_asc") == [p.id for p in by_price]
    by_price_desc = sorted(made, key=lambda p: (-p.price_cents, -p.id))
    assert all_pages(session, shop, sort="price_desc") == [p.id for p in by_price_desc]


def test_storefront_search_and_archived_products_hidden(session, storefront):
    shop, made = storefront
    found = catalog.list_shop_products(session, shop_id=shop.id, query="  TAZZA ")
    assert {p.title for p in found.products} == {"Tazza 1", "Tazza 3", "Tazza 5"}
    assert catalog.list_shop_products(session, shop_id=shop.id, query="_").products == []
    page = catalog.get_shop_page(session, slug=shop.slug)
    assert page.product_count == 7 and page.city == "Bari"
    assert "Tazza archiviata" not in {p.title for p in page.products}


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"sort": "cheapest"}, ValidationError), ({"sort": None}, ValidationError),
     ({"after": "x"}, ValidationError), ({"query": "x" * 81}, ValidationError)],
)
def test_storefront_bad_input(session, storefront, kwargs, error):
    shop, _ = storefront
    with pytest.raises(error):
        catalog.list_shop_products(session, shop_id=shop.id, **kwargs)


def test_deleted_shop_has_no_storefront(session, storefront):
    shop, _ = storefront
    shop.deleted_at = utcnow()
    session.add(shop)
    session.flush()
    with pytest.raises(NotFound):
        catalog.list_shop_products(session, shop_id=shop.id)


def test_storefront_posts_are_the_shops_own(session, storefront):
    shop, _ = storefront
    other = shops.create_shop(session, owner=make_user(session), name="Altro")
    mine = [Post(author_shop_id=shop.id, app=app, text=app) for app in ("facebook", "instagram")]
    session.add_all([*mine, Post(author_shop_id=other.id, app="instagram", text="theirs")])
    session.flush()
    posts = feed.list_feed(session, viewer=None, shop_id=shop.id)
    assert {p.text for p in posts} == {"facebook", "instagram"}
