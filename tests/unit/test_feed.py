from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event
from sqlmodel import select

from socialshop import images
from socialshop.models import Comment, Fundraiser, Like, Post, Product, ProductTag, Shop, User, utcnow
from socialshop.services import feed
from socialshop.services.errors import Conflict, NotFound, ValidationError

NOW = utcnow()


def make_user(session, email="alice@example.com", name="Alice Rossi"):
    user = User(email=email, display_name=name, password_hash="x")
    session.add(user)
    session.flush()
    return user


def make_shop(session, owner, slug="bottega", name="Bottega"):
    shop = Shop(owner_id=owner.id, name=name, slug=slug)
    session.add(shop)
    session.flush()
    return shop


def make_product(session, shop, title="Olio", price=1250, stock=5, active=True):
    product = Product(shop_id=shop.id, title=title, price_cents=price, stock=stock, active=active)
    session.add(product)
    session.flush()
    return product


def make_post(session, *, user=None, shop=None, app="facebook", text="hi", minutes_ago=0, image=""):
    post = Post(
        author_user_id=user.id if user else None,
        author_shop_id=shop.id if shop else None,
        app=app,
        text=text,
        image=image,
        created_at=NOW - dt.timedelta(minutes=minutes_ago),
    )
    session.add(post)
    session.flush()
    return post


@pytest.fixture
def world(session):
    alice = make_user(session)
    bob = make_user(session, "bob@example.com", "Bob Bianchi")
    merchant = make_user(session, "shop@example.com", "Chiara")
    shop = make_shop(session, merchant)
    olio = make_product(session, shop, "Olio", 1250, stock=5)
    return {"alice": alice, "bob": bob, "merchant": merchant, "shop": shop, "olio": olio}


class QueryCounter:
    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self)


def test_feed_newest_first_with_authors(session, world):
    old = make_post(session, user=world["alice"], text="old", minutes_ago=60)
    new = make_post(session, shop=world["shop"], text="new", minutes_ago=1, image="/generated/posts/1.png")
    posts = feed.list_feed(session, viewer=None, app=None)
    assert [p.id for p in posts] == [new.id, old.id]
    assert posts[0].author_kind == "shop"
    assert posts[0].author_name == "Bottega"
    assert posts[0].author_shop_slug == "bottega"
    assert posts[0].image == "/generated/posts/1.png"
    assert posts[1].author_kind == "user"
    assert posts[1].author_name == "Alice Rossi"
    assert posts[1].author_shop_slug is None


def test_feed_orders_by_time_not_id(session, world):
    # Created later (bigger id) but older: must come second.
    a = make_post(session, user=world["alice"], minutes_ago=1)
    b = make_post(session, user=world["alice"], minutes_ago=30)
    assert [p.id for p in feed.list_feed(session, viewer=None)] == [a.id, b.id]


def test_app_filter_and_invalid_app(session, world):
    fb = make_post(session, user=world["alice"], app="facebook")
    ig = make_post(session, user=world["alice"], app="instagram")
    assert [p.id for p in feed.list_feed(session, viewer=None, app="instagram")] == [ig.id]
    assert [p.id for p in feed.list_feed(session, viewer=None, app="facebook")] == [fb.id]
    for bad in ("tiktok", "", 3, ["facebook"], "FACEBOOK"):
        with pytest.raises(ValidationError) as exc:
            feed.list_feed(session, viewer=None, app=bad)
        assert exc.value.code == "app_invalid"


@pytest.mark.parametrize("limit", [0, -1, 101, "10", 2.5, True, None])
def test_invalid_limit(session, limit):
    with pytest.raises(ValidationError) as exc:
        feed.list_feed(session, viewer=None, limit=limit)
    assert exc.value.code == "limit_invalid"


def test_pagination_with_before_id_covers_every_post_once(session, world):
    # Minutes chosen so id order and time order disagree, and two posts share a time.
    minutes = [5, 50, 20, 20, 1, 70, 33]
    ids = [make_post(session, user=world["alice"], minutes_ago=m).id for m in minutes]
    expected = [i for _, i in sorted(zip(minutes, ids, strict=True), key=lambda t: (t[0], -t[1]))]
    seen, before = [], None
    while True:
        page = feed.list_feed(session, viewer=None, limit=2, before_id=before)
        if not page:
            break
        assert len(page) <= 2
        seen += [p.id for p in page]
        before = page[-1].id
    assert seen == expected


def test_invalid_cursor(session):
    for bad in ("abc", -3, 0, 1.5, True):
        with pytest.raises(ValidationError) as exc:
            feed.list_feed(session, viewer=None, before_id=bad)
        assert exc.value.code == "cursor_invalid"
    assert feed.list_feed(session, viewer=None, before_id=999_999) == []


def test_counts_and_liked_by_viewer(session, world):
    post = make_post(session, user=world["bob"])
    session.add(Like(post_id=post.id, user_id=world["alice"].id))
    session.add(Like(post_id=post.id, user_id=world["merchant"].id))
    session.add(Comment(post_id=post.id, user_id=world["alice"].id, text="bello"))
    session.flush()
    [as_alice] = feed.list_feed(session, viewer=world["alice"])
    assert (as_alice.like_count, as_alice.comment_count, as_alice.liked_by_viewer) == (2, 1, True)
    [as_bob] = feed.list_feed(session, viewer=world["bob"])
    assert as_bob.liked_by_viewer is False
    [anonymous] = feed.list_feed(session, viewer=None)
    assert anonymous.liked_by_viewer is False and anonymous.like_count == 2


def test_tags_are_formatted_and_withdrawn_products_hidden(session, world):
    shop = world["shop"]
    gone = make_product(session, shop, "Ritirato", 900, active=False)
    empty = make_product(session, shop, "Finito", 500, stock=0)
    post = make_post(session, shop=shop)
    for product, x in ((world["olio"], 20), (gone, 40), (empty, 60)):
        session.add(ProductTag(post_id=post.id, product_id=product.id, x_pct=x, y_pct=30))
    session.flush()
    [view] = feed.list_feed(session, viewer=None, language="it")
    assert [t.title for t in view.tags] == ["Olio", "Finito"]
    olio = view.tags[0]
    assert olio.product_id == world["olio"].id
    assert olio.price_cents == 1250 and olio.currency == "EUR"
    assert olio.price_label == "€\xa012,50"
    assert (olio.x_pct, olio.y_pct) == (20.0, 30.0)
    assert (olio.shop_name, olio.shop_slug, olio.in_stock) == ("Bottega", "bottega", True)
    assert view.tags[1].in_stock is False
    [english] = feed.list_feed(session, viewer=None, language="en")
    assert english.tags[0].price_label == "€12.50"


def test_deleted_shop_posts_leave_the_feed(session, world):
    make_post(session, shop=world["shop"])
    world["shop"].deleted_at = utcnow()
    session.add(world["shop"])
    session.flush()
    assert feed.list_feed(session, viewer=None) == []


def test_fundraiser_view(session, world):
    post = make_post(session, user=world["alice"])
    session.add(
        Fundraiser(
            post_id=post.id,
            title="Canile",
            organizer_id=world["alice"].id,
            goal_cents=200_000,
            raised_cents=35_050,
        )
    )
    session.flush()
    [view] = feed.list_feed(session, viewer=None)
    f = view.fundraiser
    assert f is not None
    assert (f.title, f.goal_cents, f.raised_cents, f.percent) == ("Canile", 200_000, 35_050, 17)
    assert f.goal_label == "€2,000.00" and f.raised_label == "€350.50"


def test_fundraiser_percent_is_capped():
    f = Fundraiser(id=1, post_id=1, title="t", organizer_id=1, goal_cents=100, raised_cents=250)
    assert feed.fundraiser_view(f, "en").percent == 100
    zero = Fundraiser(id=2, post_id=1, title="t", organizer_id=1, goal_cents=0, raised_cents=0)
    assert feed.fundraiser_view(zero, "en").percent == 0


def test_created_at_label_uses_language(session, world):
    post = make_post(session, user=world["alice"])
    post.created_at = dt.datetime(2025, 3, 4, 10, 30, tzinfo=dt.UTC)
    session.add(post)
    session.flush()
    [it] = feed.list_feed(session, viewer=None, language="it")
    [en] = feed.list_feed(session, viewer=None, language="en")
    assert "mar 2025" in it.created_at_label
    assert "Mar 2025" in en.created_at_label
    assert it.created_at_iso == "2025-03-04T10:30:00+00:00"


def test_author_avatar_only_when_drawn(session, world, tmp_path, monkeypatch):
    monkeypatch.setattr(images, "ASSETS_DIR", tmp_path)
    make_post(session, user=world["alice"])
    assert feed.list_feed(session, viewer=None)[0].author_avatar == ""
    images.ensure_image("avatars", f"user-{world['alice'].id}", "Alice Rossi", "a")
    assert (
        feed.list_feed(session, viewer=None)[0].author_avatar
        == f"/generated/avatars/user-{world['alice'].id}.png"
    )


def _populate(session, world, n):
    people = [world["alice"], world["bob"], world["merchant"]]
    for i in range(n):
        post = make_post(
            session,
            shop=world["shop"] if i % 2 else None,
            user=None if i % 2 else world["bob"],
            minutes_ago=i,
        )
        product = make_product(session, world["shop"], f"P{i}", 100 + i)
        session.add(ProductTag(post_id=post.id, product_id=product.id))
        for person in people[: i % 4]:
            session.add(Like(post_id=post.id, user_id=person.id))
            session.add(Comment(post_id=post.id, user_id=person.id, text="c"))
        if i % 5 == 0:
            session.add(
                Fundraiser(post_id=post.id, title=f"F{i}", organizer_id=world["bob"].id, goal_cents=1000)
            )
    session.flush()


def test_query_count_does_not_grow_with_page_size(engine, session, world):
    _populate(session, world, 3)
    session.commit()
    with QueryCounter(engine) as small:
        small_page = feed.list_feed(session, viewer=world["alice"], limit=30)
    _populate(session, world, 40)
    session.commit()
    with QueryCounter(engine) as big:
        big_page = feed.list_feed(session, viewer=world["alice"], limit=30)
    assert len(small_page) == 3 and len(big_page) == 30
    assert all(len(p.tags) == 1 for p in big_page)
    assert any(p.fundraiser for p in big_page) and any(p.like_count for p in big_page)
    assert big.count == small.count
    assert big.count <= 3


def test_toggle_like(session, world):
    post = make_post(session, user=world["bob"])
    assert feed.toggle_like(session, user=world["alice"], post_id=post.id) == (True, 1)
    assert feed.toggle_like(session, user=world["bob"], post_id=str(post.id)) == (True, 2)
    assert feed.toggle_like(session, user=world["alice"], post_id=post.id) == (False, 1)
    likes = session.exec(select(Like.user_id).where(Like.post_id == post.id)).all()
    assert likes == [world["bob"].id]


@pytest.mark.parametrize("bad", [None, "x", -1, 0, 10**30, 3.0, True, 999])
def test_toggle_like_unknown_post(session, world, bad):
    with pytest.raises(NotFound) as exc:
        feed.toggle_like(session, user=world["alice"], post_id=bad)
    assert exc.value.code == "post_not_found"


def test_add_and_list_comments(session, world):
    post = make_post(session, user=world["bob"])
    first = feed.add_comment(session, user=world["alice"], post_id=post.id, text="  Bellissimo!  ")
    assert first.text == "Bellissimo!" and first.author_name == "Alice Rossi"
    feed.add_comment(session, user=world["bob"], post_id=post.id, text="Grazie")
    comments = feed.list_comments(session, post_id=post.id)
    assert [c.text for c in comments] == ["Bellissimo!", "Grazie"]
    assert [c.author_name for c in comments] == ["Alice Rossi", "Bob Bianchi"]
    assert feed.list_feed(session, viewer=None)[0].comment_count == 2


@pytest.mark.parametrize("text", ["", "   ", None, 42, "x" * 501, ["hi"]])
def test_comment_invalid(session, world, text):
    post = make_post(session, user=world["bob"])
    with pytest.raises(ValidationError) as exc:
        feed.add_comment(session, user=world["alice"], post_id=post.id, text=text)
    assert exc.value.code == "comment_invalid"
    assert exc.value.params == {"max_length": 500}


def test_comment_of_500_chars_is_fine(session, world):
    post = make_post(session, user=world["bob"])
    assert len(feed.add_comment(session, user=world["alice"], post_id=post.id, text="é" * 500).text) == 500


def test_comment_on_missing_post(session, world):
    with pytest.raises(NotFound):
        feed.add_comment(session, user=world["alice"], post_id=12345, text="hello")
    with pytest.raises(NotFound):
        feed.list_comments(session, post_id="nope")


def test_tag_product_limits(session, world):
    shop = world["shop"]
    post = make_post(session, shop=shop)
    products = [make_product(session, shop, f"T{i}") for i in range(6)]
    for i, product in enumerate(products[:5]):
        feed.tag_product(session, post_id=post.id, product_id=product.id, x_pct=i * 20, y_pct=100)
    with pytest.raises(Conflict) as exc:
        feed.tag_product(session, post_id=post.id, product_id=products[5].id, x_pct=1, y_pct=1)
    assert exc.value.code == "too_many_tags" and exc.value.params == {"max": 5}
    # Re-tagging a product already on the post moves it instead of counting twice.
    moved = feed.tag_product(session, post_id=post.id, product_id=products[0].id, x_pct="12.5", y_pct=0)
    assert (moved.x_pct, moved.y_pct) == (12.5, 0.0)
    assert len(session.exec(select(ProductTag).where(ProductTag.post_id == post.id)).all()) == 5


@pytest.mark.parametrize("pos", [-0.1, 100.01, "abc", None, float("nan"), float("inf"), True, [5]])
def test_tag_position_invalid(session, world, pos):
    post = make_post(session, shop=world["shop"])
    with pytest.raises(ValidationError) as exc:
        feed.tag_product(session, post_id=post.id, product_id=world["olio"].id, x_pct=pos, y_pct=50)
    assert exc.value.code == "tag_position_invalid"


def test_tag_product_checks_product_and_owner(session, world):
    post = make_post(session, shop=world["shop"])
    with pytest.raises(NotFound) as exc:
        feed.tag_product(session, post_id=post.id, product_id="999", x_pct=1, y_pct=1)
    assert exc.value.code == "product_not_found"
    hidden = make_product(session, world["shop"], "Off", active=False)
    with pytest.raises(Conflict) as exc:
        feed.tag_product(session, post_id=post.id, product_id=hidden.id, x_pct=1, y_pct=1)
    assert exc.value.code == "product_unavailable"
    # Another merchant may not tag this shop's post.
    with pytest.raises(NotFound) as exc:
        feed.tag_product(
            session, post_id=post.id, product_id=world["olio"].id, x_pct=1, y_pct=1, user=world["bob"]
        )
    assert exc.value.code == "post_not_found"
    tag = feed.tag_product(
        session, post_id=post.id, product_id=world["olio"].id, x_pct=1, y_pct=1, user=world["merchant"]
    )
    assert tag.product_id == world["olio"].id
