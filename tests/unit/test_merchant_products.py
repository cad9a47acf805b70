"""A merchant's products: every rule and bad input, and that nobody reaches another shop's."""

from __future__ import annotations

import pytest
from sqlmodel import select

from socialshop.models import Product, Role
from socialshop.services import merchant_products as mp
from socialshop.services import shops
from socialshop.services.errors import NotFound, PermissionDenied, ValidationError
from tests.unit.factories import make_product, make_user

IMAGE = "/generated/products/u-" + "b" * 32 + ".jpg"


@pytest.fixture
def merchant(session):
    user = make_user(session, name="Bea")
    shops.create_shop(session, owner=user, name="Bottega Bea")
    return user


@pytest.fixture
def rival(session):
    user = make_user(session, name="Rita")
    shop = shops.create_shop(session, owner=user, name="Rival")
    return user, make_product(session, shop=shop, title="Rival's jam", price_cents=500)


def create(session, user, **overrides):
    fields = {"title": "Olio nuovo", "price": "12,50", "stock": "5", "category": "food", "language": "it"}
    return mp.create_product(session, user=user, **{**fields, **overrides})


def test_create_parses_the_price_in_either_notation(session, merchant):
    assert create(session, merchant).price_cents == 1250
    assert create(session, merchant, price="12.50", language="en").price_cents == 1250
    assert create(session, merchant, price="€ 3").price_cents == 300
    product = create(session, merchant, image=IMAGE, description=" Extra vergine ")
    assert (product.image, product.description, product.category, product.stock, product.active) == (
        IMAGE, "Extra vergine", "food", 5, True,
    )


@pytest.mark.parametrize(
    ("price", "code"),
    [
        ("0", "price_not_positive"),
        ("0,00", "price_not_positive"),
        ("-5", "price_not_positive"),
        ("10000,01", "price_too_high"),
        ("99999999", "price_too_high"),
        ("1e9", "amount_not_numeric"),
        ("dodici", "amount_not_numeric"),
        ("", "amount_required"),
        ("1,234", "amount_too_many_decimals"),
        (None, "amount_not_numeric"),
        (True, "amount_not_numeric"),
    ],
)
def test_bad_prices_are_refused(session, merchant, price, code):
    with pytest.raises(ValidationError) as err:
        create(session, merchant, price=price)
    assert err.value.code == code
    assert session.exec(select(Product)).all() == []


def test_ten_thousand_euros_is_the_highest_price(session, merchant):
    assert create(session, merchant, price="10.000,00").price_cents == mp.MAX_PRICE_CENTS


@pytest.mark.parametrize(
    ("stock", "code"),
    [("-1", "stock_negative"), (-3, "stock_negative"), ("100001", "stock_too_high"), ("2.5", "stock_invalid"),
     ("", "stock_invalid"), (None, "stock_invalid"), (True, "stock_invalid"), ("9" * 30, "stock_invalid")],
)
def test_bad_stock_is_refused(session, merchant, stock, code):
    with pytest.raises(ValidationError) as err:
        create(session, merchant, stock=stock)
    assert err.value.code == code


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("title", "   ", "product_title_required"),
        ("title", "x" * 121, "product_title_too_long"),
        ("title", None, "product_title_required"),
        ("category", "weapons", "category_invalid"),
        ("category", None, "category_invalid"),
        ("description", "x" * 4001, "description_too_long"),
        ("image", "https://evil.example/x.jpg", "image_invalid"),
        ("image", "/generated/logos/u-" + "b" * 32 + ".jpg", "image_invalid"),
    ],
)
def test_bad_fields_are_refused(session, merchant, field, value, code):
    with pytest.raises(ValidationError) as err:
        create(session, merchant, **{field: value})
    assert err.value.code == code


def test_a_shopper_calling_merchant_functions_is_refused(session, rival):
    shopper = make_user(session)
    _, product = rival
    calls = [
        lambda: create(session, shopper),
        lambda: mp.list_products(session, user=shopper),
        lambda: mp.get_product(session, user=shopper, product_id=product.id),
        lambda: mp.update_product(session, user=shopper, product_id=product.id, title="Mine", price="1", stock="1",
                                  category="food"),
        lambda: mp.set_archived(session, user=shopper, product_id=product.id, archived=True),
        lambda: mp.list_products(session, user=None),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied) as err:
            call()
        assert err.value.code == "merchant_only"
    session.refresh(product)
    assert (product.title, product.active) == ("Rival's jam", True)
    assert shopper.role == Role.SHOPPER.value


@pytest.mark.parametrize("forged", ["other", 0, -1, "1 OR 1=1", None, 2**70, [1]])
def test_another_shops_product_or_a_forged_id_is_not_found_and_unchanged(session, merchant, rival, forged):
    _, theirs = rival
    product_id = theirs.id if forged == "other" else forged
    with pytest.raises(NotFound):
        mp.update_product(session, user=merchant, product_id=product_id, title="Stolen", price="1", stock="0",
                          category="food")
    with pytest.raises(NotFound):
        mp.set_archived(session, user=merchant, product_id=product_id, archived=True)
    with pytest.raises(NotFound):
        mp.get_product(session, user=merchant, product_id=product_id)
    session.refresh(theirs)
    assert (theirs.title, theirs.price_cents, theirs.active) == ("Rival's jam", 500, True)


def test_update_keeps_the_picture_unless_given_and_refuses_bad_values_whole(session, merchant):
    product = create(session, merchant, image=IMAGE)
    mp.update_product(session, user=merchant, product_id=str(product.id), title="Olio 2026", price="14,00",
                      stock="3", category="food", language="it")
    session.refresh(product)
    assert (product.title, product.price_cents, product.stock, product.image) == ("Olio 2026", 1400, 3, IMAGE)
    with pytest.raises(ValidationError):
        mp.update_product(session, user=merchant, product_id=product.id, title="Changed", price="-1", stock="3",
                          category="food")
    session.refresh(product)
    assert product.title == "Olio 2026"
    mp.update_product(session, user=merchant, product_id=product.id, title="Olio", price="14", stock="3",
                      category="food", image="")
    assert product.image == ""


def test_archive_and_unarchive_move_products_between_the_lists(session, merchant):
    product = create(session, merchant)
    mp.set_archived(session, user=merchant, product_id=product.id, archived=True)
    assert [p.id for p in mp.list_products(session, user=merchant, status="archived").products] == [product.id]
    assert mp.list_products(session, user=merchant).products == []
    mp.set_archived(session, user=merchant, product_id=product.id, archived=False)
    assert [p.id for p in mp.list_products(session, user=merchant).products] == [product.id]
    with pytest.raises(ValidationError):
        mp.set_archived(session, user=merchant, product_id=product.id, archived="yes")
    with pytest.raises(ValidationError):
        mp.list_products(session, user=merchant, status="deleted")


def test_the_list_is_keyset_paginated_newest_first_and_only_own(session, merchant, rival):
    made = [create(session, merchant, title=f"Item {i:02d}") for i in range(23)]
    seen, after = [], None
    while True:
        page = mp.list_products(session, user=merchant, after=after, limit=10)
        assert len(page.products) <= 10
        seen += [p.id for p in page.products]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert seen == [p.id for p in reversed(made)]
    found = mp.list_products(session, user=merchant, query="item 1")
    assert {p.title for p in found.products} == {f"Item {i}" for i in range(10, 20)}
    assert mp.list_products(session, user=merchant, query="%").products == []
    with pytest.raises(ValidationError):
        mp.list_products(session, user=merchant, after="garbage")


def test_the_edit_form_shows_the_price_as_typed_in_the_language(session, merchant):
    product = create(session, merchant, price="1234,5")
    assert mp.get_product(session, user=merchant, product_id=product.id, language="it").price_input == "1234,50"
    assert mp.get_product(session, user=merchant, product_id=product.id, language="en").price_input == "1234.50"
