"""Feed pages read at the index: row-value keyset, one statement per page, on SQLite and PostgreSQL.

Each feed test runs on both databases (PostgreSQL skipped where there is none, required in
CI). The history's and the order desk's keyset tests of their own modules run here on
PostgreSQL too (their SQLite runs are in test_history.py and test_merchant_orders.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import event, text
from sqlmodel import Session

from socialshop.models import Comment, Fundraiser, Like, Post, Product, ProductTag, Shop, User, utcnow
from socialshop.services import feed
from socialshop.services.errors import ValidationError

NOW = utcnow().replace(microsecond=0)
BACKENDS = ["engine", "pg_engine"]


@pytest.fixture(params=BACKENDS)
def db(request) -> Iterator[tuple[object, Session]]:
    engine = request.getfixturevalue(request.param)
    with Session(engine, expire_on_commit=False) as session:
        yield engine, session


class StatementCounter:
    def __init__(self, engine) -> None:
        self.engine, self.count = engine, 0

    def __call__(self, *_args, **_kwargs) -> None:
        self.count += 1

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self)


def add(session, row):
    session.add(row)
    session.flush()
    return row


def people(session) -> dict[str, object]:
    alice = add(session, User(email="alice@example.com", display_name="Alice", password_hash="x"))
    bob = add(session, User(email="bob@example.com", display_name="Bob", password_hash="x"))
    owner = add(session, User(email="shop@example.com", display_name="Chiara", password_hash="x"))
    shop = add(session, Shop(owner_id=owner.id, name="Bottega", slug="bottega"))
    other_owner = add(session, User(email="other@example.com", display_name="Dario", password_hash="x"))
    other = add(session, Shop(owner_id=other_owner.id, name="Emporio", slug="emporio"))
    return {"alice": alice, "bob": bob, "shop": shop, "other": other}


def post(session, *, seconds_ago: int, app: str = "facebook", user=None, shop=None) -> Post:
    return add(
        session,
        Post(
            author_user_id=user.id if user else None,
            author_shop_id=shop.id if shop else None,
            app=app,
            text=f"{app} {seconds_ago}",
            created_at=NOW - dt.timedelta(seconds=seconds_ago),
        ),
    )


def walk(session, *, limit: int, **kwargs) -> list[list[int]]:
    """Every page of a feed in turn, each resumed after the previous page's last post."""
    pages, before = [], None
    while True:
        page = feed.list_feed(session, limit=limit, before_id=before, **kwargs)
        if not page:
            return pages
        assert len(page) <= limit
        pages.append([p.id for p in page])
        before = page[-1].id


def newest_first(posts: list[Post]) -> list[int]:
    return [p.id for p in sorted(posts, key=lambda p: (p.created_at, p.id), reverse=True)]


def test_pages_with_equal_times_neither_skip_nor_repeat(db):
    _engine, session = db
    ppl = people(session)
    # Runs of posts sharing one instant, created out of time order: every page size cuts
    # inside a run somewhere.
    seconds = [30, 10, 30, 50, 10, 30, 10, 70, 50, 30, 0, 10, 30]
    made = [post(session, seconds_ago=s, user=ppl["alice"]) for s in seconds]
    session.commit()
    expected = newest_first(made)
    for limit in range(1, 8):
        pages = walk(session, viewer=None, limit=limit)
        assert [i for page in pages for i in page] == expected, limit
        assert all(len(page) == limit for page in pages[:-1])


def test_an_unknown_or_bad_cursor(db):
    _engine, session = db
    ppl = people(session)
    post(session, seconds_ago=5, user=ppl["alice"])
    session.commit()
    assert feed.list_feed(session, viewer=None, before_id=999_999) == []
    with pytest.raises(ValidationError) as exc:
        feed.list_feed(session, viewer=None, before_id="1 OR 1=1")
    assert exc.value.code == "cursor_invalid"


def test_app_feed_and_storefront_pages_keep_to_their_posts(db):
    _engine, session = db
    ppl = people(session)
    made = []
    for i in range(24):
        app = ("facebook", "instagram", "messenger")[i % 3]
        author = {"shop": ppl["shop"]} if i % 2 else {"shop": ppl["other"]} if i % 4 == 0 else {"user": ppl["bob"]}
        made.append(post(session, seconds_ago=i // 4, app=app, **author))
    session.commit()
    for app in ("instagram", "whatsapp"):
        pages = walk(session, viewer=None, app=app, limit=3)
        assert [i for page in pages for i in page] == newest_first([p for p in made if p.app == app])
    pages = walk(session, viewer=None, shop_id=ppl["shop"].id, limit=4)
    assert [i for page in pages for i in page] == newest_first([p for p in made if p.author_shop_id == ppl["shop"].id])
    # The cursor post may belong to another feed: the page resumes at its place in time.
    middle = made[13]
    rest = feed.list_feed(session, viewer=None, app="facebook", limit=100, before_id=middle.id)
    assert [p.id for p in rest] == [
        i for i in newest_first([p for p in made if p.app == "facebook"])
        if (session.get(Post, i).created_at, i) < (middle.created_at, middle.id)
    ]


def test_a_deleted_shops_posts_and_withdrawn_products_leave_the_page(db):
    _engine, session = db
    ppl = people(session)
    gone = post(session, seconds_ago=1, shop=ppl["other"])
    kept = post(session, seconds_ago=2, shop=ppl["shop"])
    on_sale = add(session, Product(shop_id=ppl["shop"].id, title="Olio", price_cents=1250, stock=3))
    withdrawn = add(session, Product(shop_id=ppl["shop"].id, title="Vino", price_cents=900, stock=3, active=False))
    elsewhere = add(session, Product(shop_id=ppl["other"].id, title="Sale", price_cents=300, stock=3))
    for product in (on_sale, withdrawn, elsewhere):
        add(session, ProductTag(post_id=kept.id, product_id=product.id))
    ppl["other"].deleted_at = NOW
    session.add(ppl["other"])
    session.commit()
    [view] = feed.list_feed(session, viewer=None)
    assert view.id == kept.id != gone.id
    assert [(t.product_id, t.title, t.price_label, t.shop_slug) for t in view.tags] == [
        (on_sale.id, "Olio", "€12.50", "bottega")
    ]


def test_counts_and_the_liked_flag_are_the_viewers_own(db):
    _engine, session = db
    ppl = people(session)
    liked, other = post(session, seconds_ago=1, user=ppl["bob"]), post(session, seconds_ago=2, user=ppl["bob"])
    add(session, Like(post_id=liked.id, user_id=ppl["alice"].id))
    add(session, Like(post_id=liked.id, user_id=ppl["bob"].id))
    add(session, Like(post_id=other.id, user_id=ppl["bob"].id))
    add(session, Comment(post_id=other.id, user_id=ppl["alice"].id, text="bello"))
    add(session, Fundraiser(post_id=other.id, title="Canile", organizer_id=ppl["bob"].id, goal_cents=1000, raised_cents=250))
    session.commit()
    as_alice = {p.id: p for p in feed.list_feed(session, viewer=ppl["alice"])}
    assert (as_alice[liked.id].liked_by_viewer, as_alice[other.id].liked_by_viewer) == (True, False)
    assert (as_alice[liked.id].like_count, as_alice[other.id].like_count) == (2, 1)
    assert (as_alice[liked.id].comment_count, as_alice[other.id].comment_count) == (0, 1)
    assert as_alice[other.id].fundraiser.percent == 25 and as_alice[liked.id].fundraiser is None
    as_bob = feed.list_feed(session, viewer=ppl["bob"])
    assert [p.liked_by_viewer for p in as_bob] == [True, True]
    assert [p.liked_by_viewer for p in feed.list_feed(session, viewer=None)] == [False, False]


def test_one_statement_per_page_at_any_depth(db):
    engine, session = db
    ppl = people(session)
    products = [add(session, Product(shop_id=ppl["shop"].id, title=f"P{i}", price_cents=100 + i, stock=2)) for i in range(3)]
    for i in range(90):
        p = post(session, seconds_ago=i // 2, user=ppl["bob"] if i % 2 else None, shop=None if i % 2 else ppl["shop"])
        for product in products[: i % 4]:
            add(session, ProductTag(post_id=p.id, product_id=product.id))
        if i % 3 == 0:
            add(session, Like(post_id=p.id, user_id=ppl["alice"].id))
    session.commit()
    counts, before, pages = [], None, 0
    while True:
        with StatementCounter(engine) as counter:
            page = feed.list_feed(session, viewer=ppl["alice"], limit=10, before_id=before)
        if not page:
            break
        pages += 1
        counts.append(counter.count)
        # A page of posts with up to three tags each is still ten posts, each with its tags.
        assert len(page) == 10 and {len(p.tags) for p in page} == {0, 1, 2, 3}
        before = page[-1].id
    assert pages == 9
    assert set(counts) == {1}


def test_postgresql_reads_the_page_as_an_index_range(request):
    """The row value is an index condition: the old OR form was a filter over every newer post."""
    engine = request.getfixturevalue("pg_engine")
    statement = feed._feed_statement(with_viewer=True, with_app=True, with_shop=False, with_cursor=True)
    with Session(engine) as session:
        ppl = people(session)
        first = post(session, seconds_ago=1, app="instagram", user=ppl["alice"])
        session.commit()
        connection = session.connection()
        # A few rows only: forbid the sequential scan so the plan shows what the index can do.
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        params = {"viewer_id": ppl["alice"].id, "app": "instagram", "cursor_id": first.id, "page_size": 30}
        cursor = connection.connection.dbapi_connection.cursor()
        cursor.execute("EXPLAIN " + str(statement.compile(dialect=engine.dialect)), params)
        plan = [row[0] for row in cursor.fetchall()]
    conditions = [line for line in plan if "Index Cond:" in line]
    assert any("ROW(created_at, id) < ROW(" in line for line in conditions), plan
    assert not any("Filter:" in line and "created_at" in line for line in plan), plan


# The history's and the order desk's own keyset tests, on PostgreSQL: `session` is a
# PostgreSQL session for the tests imported below (their fixtures ask for it by name).
from tests.unit.test_history import (  # noqa: E402
    test_pages_cover_the_whole_history_once_in_order as test_history_pages_on_postgresql,
)
from tests.unit.test_history import w  # noqa: E402,F401
from tests.unit.test_merchant_orders import (  # noqa: E402
    desk,  # noqa: F401
    spy,  # noqa: F401
)
from tests.unit.test_merchant_orders import (  # noqa: E402
    test_keyset_pages_and_filters as test_desk_pages_on_postgresql,
)


@pytest.fixture
def session(request) -> Iterator[Session]:
    engine = request.getfixturevalue("pg_engine")
    with Session(engine, expire_on_commit=False) as s:
        yield s


__all__ = ["test_desk_pages_on_postgresql", "test_history_pages_on_postgresql"]
