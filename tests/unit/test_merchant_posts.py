"""Posting to an app as the shop, with product tags on the picture."""

from __future__ import annotations

import pytest
from sqlmodel import select

from socialshop.models import MAX_TAGS_PER_POST, Post, ProductTag
from socialshop.services import feed, shops
from socialshop.services import merchant_posts as posts
from socialshop.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tests.unit.factories import make_product, make_user

PICTURE = "/generated/posts/u-" + "d" * 32 + ".jpg"


@pytest.fixture
def merchant(session):
    user = make_user(session)
    shop = shops.create_shop(session, owner=user, name="Postino")
    products = [make_product(session, shop=shop, title=f"Thing {i}") for i in range(6)]
    return user, shop, products


def tag(product, x=25.5, y=70):
    return {"product_id": product.id, "x_pct": x, "y_pct": y}


def test_a_post_with_tags_shows_in_that_apps_feed(session, merchant):
    user, shop, products = merchant
    post = posts.publish_post(session, user=user, app="instagram", text=" New! ", image=PICTURE,
                              tags=[tag(products[0]), tag(products[1], "10", "0")])
    assert (post.app, post.text, post.image, post.author_shop_id) == ("instagram", "New!", PICTURE, shop.id)
    shown = feed.list_feed(session, viewer=None, app="instagram")[0]
    assert shown.id == post.id and shown.author_name == "Postino"
    assert [(t.product_id, t.x_pct, t.y_pct) for t in shown.tags] == [
        (products[0].id, 25.5, 70.0), (products[1].id, 10.0, 0.0),
    ]
    assert feed.list_feed(session, viewer=None, app="facebook") == []


def test_a_product_photo_can_be_the_picture(session, merchant):
    user, _, products = merchant
    products[0].image = "/generated/products/seed-olio.png"
    session.add(products[0])
    post = posts.publish_post(session, user=user, app="facebook", text="", image=products[0].image)
    assert post.image == products[0].image


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"app": "tiktok"}, "app_invalid"),
        ({"app": None}, "app_invalid"),
        ({"text": "", "image": ""}, "post_empty"),
        ({"text": "x" * 2001}, "post_text_too_long"),
        ({"image": "https://evil.example/a.jpg"}, "image_invalid"),
        ({"image": "/generated/products/seed-someone-elses.png"}, "image_invalid"),
        ({"image": "", "tags": "first"}, "tags_invalid"),
        ({"tags": [5]}, "tags_invalid"),
        ({"tags": {"product_id": 1}}, "tags_invalid"),
    ],
)
def test_bad_posts_are_refused_and_nothing_is_posted(session, merchant, kwargs, code):
    user, _, _ = merchant
    fields = {"app": "instagram", "text": "Hello", "image": PICTURE, **kwargs}
    with pytest.raises(ValidationError) as err:
        posts.publish_post(session, user=user, **fields)
    assert err.value.code == code
    assert session.exec(select(Post)).all() == []


def test_tag_rules(session, merchant):
    user, _, products = merchant
    cases = [
        ([tag(p) for p in products[: MAX_TAGS_PER_POST + 1]], "too_many_tags"),
        ([tag(products[0]), tag(products[0], 5, 5)], "tag_duplicate"),
        ([tag(products[0], 100.5, 5)], "tag_position_invalid"),
        ([tag(products[0], -1, 5)], "tag_position_invalid"),
        ([tag(products[0], "nan", 5)], "tag_position_invalid"),
        ([tag(products[0], True, 5)], "tag_position_invalid"),
    ]
    for tags, code in cases:
        with pytest.raises(ValidationError) as err:
            posts.publish_post(session, user=user, app="instagram", text="x", image=PICTURE, tags=tags)
        assert err.value.code == code
    with pytest.raises(ValidationError) as err:
        posts.publish_post(session, user=user, app="instagram", text="x", image="", tags=[tag(products[0])])
    assert err.value.code == "tags_need_image"
    assert session.exec(select(Post)).all() == []
    post = posts.publish_post(session, user=user, app="instagram", text="x", image=PICTURE,
                              tags=[tag(p) for p in products[:MAX_TAGS_PER_POST]])
    assert len(session.exec(select(ProductTag).where(ProductTag.post_id == post.id)).all()) == MAX_TAGS_PER_POST


def test_only_own_active_products_can_be_tagged(session, merchant):
    user, _, products = merchant
    theirs = make_product(session, title="Not yours")
    with pytest.raises(NotFound):
        posts.publish_post(session, user=user, app="instagram", text="x", image=PICTURE,
                           tags=[tag(products[0]), tag(theirs)])
    with pytest.raises(NotFound):
        posts.publish_post(session, user=user, app="instagram", text="x", image=PICTURE,
                           tags=[{"product_id": "garbage", "x_pct": 1, "y_pct": 1}])
    products[1].active = False
    session.add(products[1])
    with pytest.raises(Conflict):
        posts.publish_post(session, user=user, app="instagram", text="x", image=PICTURE, tags=[tag(products[1])])
    assert session.exec(select(Post)).all() == []
    picker = posts.taggable_products(session, user=user, limit=20)
    assert {p.id for p in picker} == {p.id for p in products} - {products[1].id}
    assert [p.title for p in posts.taggable_products(session, user=user, query="thing 3")] == ["Thing 3"]


def test_a_shopper_cannot_post_as_a_shop(session, merchant):
    _, _, products = merchant
    shopper = make_user(session)
    with pytest.raises(PermissionDenied):
        posts.publish_post(session, user=shopper, app="instagram", text="x", image=PICTURE, tags=[tag(products[0])])
    with pytest.raises(PermissionDenied):
        posts.taggable_products(session, user=shopper)
    assert session.exec(select(Post)).all() == []
