from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import func, select

from socialshop.models import Product, SavedItem, Shop, User, utcnow
from socialshop.services import saved
from socialshop.services.catalog import insert_ignore
from socialshop.services.errors import Conflict, NotFound


def make_user(session, email):
    user = User(email=email, display_name=email, password_hash="x")
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def w(session):
    giulia = make_user(session, "giulia@example.com")
    marco = make_user(session, "marco@example.com")
    shop = Shop(owner_id=make_user(session, "m@example.com").id, name="Libreria", slug="libreria")
    session.add(shop)
    session.flush()
    products = []
    for title, price in (("Racconti", 1600), ("Quaderno", 1900), ("Mappa", 2500)):
        product = Product(shop_id=shop.id, title=title, price_cents=price, stock=3)
        session.add(product)
        products.append(product)
    session.flush()
    return {"giulia": giulia, "marco": marco, "shop": shop, "products": products}


def saved_rows(session, user):
    return session.exec(select(func.count(SavedItem.id)).where(SavedItem.user_id == user.id)).one()


def test_save_is_idempotent(session, w):
    g, racconti = w["giulia"], w["products"][0]
    assert saved.save_product(session, user=g, product_id=racconti.id) is True
    assert saved.save_product(session, user=g, product_id=str(racconti.id)) is True
    assert saved_rows(session, g) == 1
    assert saved.is_saved(session, user=g, product_id=racconti.id) is True
    assert saved.is_saved(session, user=w["marco"], product_id=racconti.id) is False


def test_unsave_is_idempotent(session, w):
    g, racconti = w["giulia"], w["products"][0]
    saved.save_product(session, user=g, product_id=racconti.id)
    saved.save_product(session, user=w["marco"], product_id=racconti.id)
    assert saved.unsave_product(session, user=g, product_id=racconti.id) is False
    assert saved.unsave_product(session, user=g, product_id=racconti.id) is False
    assert saved.is_saved(session, user=g, product_id=racconti.id) is False
    # Only Giulia's bookmark went away.
    assert saved.is_saved(session, user=w["marco"], product_id=racconti.id) is True


def test_toggle(session, w):
    g, p = w["giulia"], w["products"][1]
    assert saved.toggle_saved(session, user=g, product_id=p.id) is True
    assert saved.toggle_saved(session, user=g, product_id=p.id) is False
    assert saved_rows(session, g) == 0


@pytest.mark.parametrize("bad", ["x", None, 0, -5, 10**25, 1.0, True, 99999])
def test_garbage_ids(session, w, bad):
    with pytest.raises(NotFound) as exc:
        saved.save_product(session, user=w["giulia"], product_id=bad)
    assert exc.value.code == "product_not_found"
    assert saved.is_saved(session, user=w["giulia"], product_id=bad) is False


def test_unavailable_product_cannot_be_newly_saved(session, w):
    p = w["products"][2]
    saved.save_product(session, user=w["marco"], product_id=p.id)
    p.active = False
    session.add(p)
    session.flush()
    with pytest.raises(Conflict) as exc:
        saved.save_product(session, user=w["giulia"], product_id=p.id)
    assert exc.value.code == "product_unavailable"
    # Already saved stays saved (idempotent), and is listed as unavailable.
    assert saved.save_product(session, user=w["marco"], product_id=p.id) is True
    [view] = saved.list_saved(session, user=w["marco"])
    assert view.available is False


def test_list_saved_newest_first_with_views(session, w):
    g = w["giulia"]
    racconti, quaderno, mappa = w["products"]
    for product in (racconti, mappa, quaderno):
        saved.save_product(session, user=g, product_id=product.id)
    # Make the order independent of the clock's resolution.
    base = utcnow()
    for minutes, product in ((30, racconti), (20, mappa), (10, quaderno)):
        item = session.exec(select(SavedItem).where(SavedItem.product_id == product.id)).one()
        item.created_at = base - dt.timedelta(minutes=minutes)
        session.add(item)
    session.flush()
    views = saved.list_saved(session, user=g, language="it")
    assert [v.title for v in views] == ["Quaderno", "Mappa", "Racconti"]
    assert views[0].price_label == "€\xa019,00"
    assert views[0].shop_slug == "libreria"
    assert saved.list_saved(session, user=w["marco"]) == []
    assert saved.saved_product_ids(session, user=g) == {racconti.id, quaderno.id, mappa.id}


def test_insert_ignore_reports_duplicates(session, w):
    g, p = w["giulia"], w["products"][0]
    assert insert_ignore(session, SavedItem, user_id=g.id, product_id=p.id, created_at=utcnow()) is True
    assert insert_ignore(session, SavedItem, user_id=g.id, product_id=p.id, created_at=utcnow()) is False
    assert saved_rows(session, g) == 1
