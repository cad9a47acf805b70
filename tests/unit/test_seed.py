from __future__ import annotations

import time
from collections import Counter

import pytest
from PIL import Image
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

import socialshop.db
from socialshop import images
from socialshop import seed as seed_module
from socialshop.db import make_engine
from socialshop.models import (
    AppSurface,
    Comment,
    Fundraiser,
    Like,
    PaymentMethod,
    PayProfile,
    Post,
    Product,
    ProductTag,
    ShippingAddress,
    Shop,
    User,
    utcnow,
)
from socialshop.payments import reset_provider
from socialshop.payments.sandbox import SandboxProvider
from socialshop.services import feed
from socialshop.services.security import verify_secret

TABLES = (User, Shop, Product, Post, ProductTag, Like, Comment, Fundraiser, PayProfile, PaymentMethod)


def table_counts(session):
    return {model.__name__: session.exec(select(func.count()).select_from(model)).one() for model in TABLES}


@pytest.fixture(scope="module", autouse=True)
def assets(tmp_path_factory):
    """One pictures folder for the whole module: drawing them is the slow part of seeding."""
    root = tmp_path_factory.mktemp("assets")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(images, "ASSETS_DIR", root)
        yield root


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, assets):
    """One seeded database shared by the read-only checks below."""
    root = tmp_path_factory.mktemp("seed")
    engine = make_engine(f"sqlite:///{root / 'seed.db'}")
    SQLModel.metadata.create_all(engine)
    started = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        first = seed_module.seed(session, provider=SandboxProvider())
        session.commit()
    elapsed = time.perf_counter() - started
    with Session(engine, expire_on_commit=False) as session:
        before = table_counts(session)
        second = seed_module.seed(session, provider=SandboxProvider())
        session.commit()
        after = table_counts(session)
    yield {
        "engine": engine,
        "first": first,
        "second": second,
        "before": before,
        "after": after,
        "elapsed": elapsed,
    }
    engine.dispose()


@pytest.fixture
def db(seeded):
    with Session(seeded["engine"], expire_on_commit=False) as session:
        yield session


def test_second_run_changes_nothing(seeded):
    assert seeded["before"] == seeded["after"]
    assert all(value == 0 for value in vars(seeded["second"]).values())
    assert seeded["first"].posts == seeded["before"]["Post"]


def test_seed_is_fast(seeded):
    assert seeded["elapsed"] < 15


def test_minimum_counts(seeded):
    counts = seeded["after"]
    assert counts["Product"] >= 30
    assert counts["Post"] >= 60
    assert counts["Fundraiser"] == 2
    assert counts["Like"] > 0 and counts["Comment"] > 0
    assert counts["PaymentMethod"] == 2 and counts["PayProfile"] == 2


def test_accounts(db):
    users = {u.email: u for u in db.exec(select(User)).all()}
    expected = {
        "giulia@example.com": ("Giulia Rossi", "it", "shopper"),
        "marco@example.com": ("Marco Bianchi", "en", "shopper"),
        "bottega@example.com": (None, "en", "merchant"),
        "caffe@example.com": (None, "en", "merchant"),
        "libreria@example.com": (None, "en", "merchant"),
        "support@example.com": (None, "en", "support"),
    }
    for email, (name, language, role) in expected.items():
        user = users[email]
        if name:
            assert user.display_name == name
        assert (user.language, user.role) == (language, role)
        assert user.phone_number
    # One hash shared by every demo account, and it is the demo password's.
    hashes = {u.password_hash for u in users.values()}
    assert len(hashes) == 1
    assert verify_secret("socialshop-demo", hashes.pop())


def test_shops(db):
    shops = {s.slug: s for s in db.exec(select(Shop)).all()}
    assert {slug: s.name for slug, s in shops.items()} == {
        "bottega-verde": "Bottega Verde",
        "caffe-aurora": "Caffè Aurora",
        "libreria-del-porto": "Libreria del Porto",
    }
    owners = {u.id: u.email for u in db.exec(select(User)).all()}
    assert owners[shops["bottega-verde"].owner_id] == "bottega@example.com"
    assert owners[shops["caffe-aurora"].owner_id] == "caffe@example.com"
    assert owners[shops["libreria-del-porto"].owner_id] == "libreria@example.com"
    assert all(s.logo.startswith("/generated/logos/") for s in shops.values())


def test_products(db):
    products = db.exec(select(Product)).all()
    assert all(p.currency == "EUR" and p.price_cents > 0 and p.active for p in products)
    stocks = sorted(p.stock for p in products)
    assert stocks[0] == 1 and stocks[1] >= 3
    assert stocks[-1] <= 50
    assert len({p.title for p in products}) == len(products)
    assert all(p.description for p in products)


def test_posts_spread_over_apps_and_weeks(db):
    posts = db.exec(select(Post)).all()
    per_app = Counter(p.app for p in posts)
    assert set(per_app) == set(AppSurface.values())
    assert min(per_app.values()) >= 10
    assert any(p.author_shop_id for p in posts) and any(p.author_user_id for p in posts)
    ages = [utcnow() - p.created_at for p in posts]
    assert max(ages).days >= 14
    assert all(p.image.startswith("/generated/posts/") for p in posts)


def test_every_app_has_a_tagged_post_and_tags_are_bounded(db):
    rows = db.exec(select(Post.app, ProductTag.post_id).join(ProductTag, ProductTag.post_id == Post.id)).all()
    assert {app for app, _ in rows} == set(AppSurface.values())
    per_post = Counter(post_id for _, post_id in rows)
    assert max(per_post.values()) <= 5
    # Tags point at the posting shop's own products, inside the picture.
    for tag, post, product in db.exec(
        select(ProductTag, Post, Product)
        .join(Post, Post.id == ProductTag.post_id)
        .join(Product, Product.id == ProductTag.product_id)
    ).all():
        assert post.author_shop_id == product.shop_id
        assert 0 <= tag.x_pct <= 100 and 0 <= tag.y_pct <= 100


def test_newest_instagram_post_is_a_tagged_shop_post(db):
    [newest] = feed.list_feed(db, viewer=None, app="instagram", limit=1)
    assert newest.author_kind == "shop"
    assert newest.tags and all(t.in_stock for t in newest.tags)
    # Newest of all apps too, so it tops the mixed feed.
    assert feed.list_feed(db, viewer=None, limit=1)[0].id == newest.id


def test_fundraisers_start_at_zero(db):
    fundraisers = {f.title: f for f in db.exec(select(Fundraiser)).all()}
    assert fundraisers["Canile di Quartu"].goal_cents == 200_000
    assert fundraisers["Biblioteca di quartiere"].goal_cents == 500_000
    # Nothing raised without ledger transactions behind it.
    assert all(f.raised_cents == 0 for f in fundraisers.values())


def test_pay_profiles_cards_and_pins(db, seeded):
    for email in ("giulia@example.com", "marco@example.com"):
        user = db.exec(select(User).where(User.email == email)).one()
        profile = db.get(PayProfile, user.id)
        assert profile is not None
        assert profile.provider_customer_ref.startswith("sbx_cus_")
        assert verify_secret("3917", profile.pin_hash)
        assert not verify_secret("0000", profile.pin_hash)
        [address] = db.exec(select(ShippingAddress).where(ShippingAddress.user_id == user.id)).all()
        assert address.is_default and address.line1 and address.city and address.postal_code
        assert address.country == "IT"
        [card] = db.exec(select(PaymentMethod).where(PaymentMethod.user_id == user.id)).all()
        assert (card.provider, card.brand, card.last4, card.is_default) == ("sandbox", "visa", "4242", True)
        assert (card.exp_month, card.exp_year) == (12, utcnow().year + 3)
        assert card.removed_at is None
        assert "4242424242424242" not in card.provider_token
        # The token really works with the gateway.
        charge = SandboxProvider(seeded["engine"]).charge(
            customer_ref=profile.provider_customer_ref,
            card_token=card.provider_token,
            amount_cents=100,
            currency="EUR",
            idempotency_key=f"test-{email}",
        )
        assert charge.amount_cents == 100


def test_every_picture_is_a_valid_png(db, assets):
    urls = (
        [p.image for p in db.exec(select(Post)).all()]
        + [p.image for p in db.exec(select(Product)).all()]
        + [s.logo for s in db.exec(select(Shop)).all()]
    )
    assert len(urls) >= 90
    for url in urls:
        path = images.path_for_url(url)
        assert path is not None, url
        assert path.is_relative_to(assets / "generated")
        assert path.is_file(), url
        assert path.stat().st_size < 30_000
        with Image.open(path) as img:
            assert img.format == "PNG"
            img.verify()
    assert len(list((assets / "generated" / "avatars").glob("*.png"))) >= 5


def test_likes_and_comments_are_plausible(db):
    for like, post in db.exec(select(Like, Post).join(Post, Post.id == Like.post_id)).all():
        assert like.user_id != post.author_user_id
        assert like.created_at >= post.created_at
    assert db.exec(select(func.count(func.distinct(Comment.post_id)))).one() >= 10


def test_default_provider_is_used(session, monkeypatch):
    monkeypatch.setenv("SOCIALSHOP_PAYMENT_PROVIDER", "sandbox")
    reset_provider()
    try:
        summary = seed_module.seed(session)
    finally:
        reset_provider()
    assert summary.cards == 2
    assert {m.provider for m in session.exec(select(PaymentMethod)).all()} == {"sandbox"}


def test_user_changes_survive_a_reseed(session):
    seed_module.seed(session, provider=SandboxProvider())
    giulia = session.exec(select(User).where(User.email == "giulia@example.com")).one()
    card = session.exec(select(PaymentMethod).where(PaymentMethod.user_id == giulia.id)).one()
    card.removed_at = utcnow()
    product = session.exec(select(Product).where(Product.stock == 1)).one()
    product.stock = 0
    session.add_all([card, product])
    session.flush()
    summary = seed_module.seed(session, provider=SandboxProvider())
    assert summary.cards == 0 and summary.products == 0
    assert session.get(Product, product.id).stock == 0
    assert len(session.exec(select(PaymentMethod).where(PaymentMethod.user_id == giulia.id)).all()) == 1


def test_print_accounts(capsys):
    assert seed_module.main(["--print-accounts"]) == 0
    out = capsys.readouterr().out
    for text in (
        "socialshop-demo",
        "giulia@example.com",
        "marco@example.com",
        "bottega@example.com",
        "caffe@example.com",
        "libreria@example.com",
        "3917",
        "4242",
    ):
        assert text in out


def test_main_seeds_the_configured_database(tmp_path, monkeypatch, capsys):
    engine = make_engine(f"sqlite:///{tmp_path / 'main.db'}")
    monkeypatch.setattr(socialshop.db, "get_engine", lambda: engine)
    # No tables yet: the schema is the migrations' job, so main refuses.
    assert seed_module.main([]) == 1
    assert "migrate" in capsys.readouterr().err
    SQLModel.metadata.create_all(engine)
    assert seed_module.main([]) == 0
    assert "Seeded" in capsys.readouterr().out
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Post)).one() >= 60
    engine.dispose()
