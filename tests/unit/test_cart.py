from __future__ import annotations

import pytest
from sqlmodel import select

from socialshop.models import CartItem, Product, Shop, User, utcnow
from socialshop.services import cart
from socialshop.services.errors import Conflict, NotFound, ValidationError


def make_user(session, email):
    user = User(email=email, display_name=email.split("@")[0].title(), password_hash="x")
    session.add(user)
    session.flush()
    return user


def make_shop(session, name, slug):
    shop = Shop(owner_id=make_user(session, f"{slug}@example.com").id, name=name, slug=slug)
    session.add(shop)
    session.flush()
    return shop


def make_product(session, shop, title, price, stock=10, active=True):
    product = Product(shop_id=shop.id, title=title, price_cents=price, stock=stock, active=active)
    session.add(product)
    session.flush()
    return product


@pytest.fixture
def w(session):
    giulia = make_user(session, "giulia@example.com")
    marco = make_user(session, "marco@example.com")
    bottega = make_shop(session, "Bottega Verde", "bottega-verde")
    caffe = make_shop(session, "Caffè Aurora", "caffe-aurora")
    return {
        "giulia": giulia,
        "marco": marco,
        "bottega": bottega,
        "caffe": caffe,
        "olio": make_product(session, bottega, "Olio", 1890, stock=5),
        "sapone": make_product(session, bottega, "Sapone", 650, stock=50),
        "moka": make_product(session, caffe, "Moka", 5900, stock=1),
    }


def test_add_accumulates_and_counts(session, w):
    assert cart.add_to_cart(session, user=w["giulia"], product_id=w["olio"].id) == 1
    assert cart.add_to_cart(session, user=w["giulia"], product_id=str(w["olio"].id), quantity="2") == 3
    assert cart.add_to_cart(session, user=w["giulia"], product_id=w["moka"].id, app="instagram") == 1
    assert cart.cart_count(session, user=w["giulia"]) == 4
    assert cart.cart_items(session, user=w["giulia"]) == sorted([(w["olio"].id, 3), (w["moka"].id, 1)])
    # Carts are per account.
    assert cart.cart_count(session, user=w["marco"]) == 0
    assert cart.cart_items(session, user=w["marco"]) == []
    rows = session.exec(select(CartItem).where(CartItem.user_id == w["giulia"].id)).all()
    assert len(rows) == 2
    assert {r.product_id: r.app for r in rows}[w["moka"].id] == "instagram"


@pytest.mark.parametrize("quantity", [0, -1, "0", "-3", 1.5, "1.5", "two", None, True, [1], ""])
def test_invalid_quantity(session, w, quantity):
    with pytest.raises(ValidationError) as exc:
        cart.add_to_cart(session, user=w["giulia"], product_id=w["olio"].id, quantity=quantity)
    assert exc.value.code == "quantity_invalid"
    assert cart.cart_count(session, user=w["giulia"]) == 0


def test_out_of_stock_counts_what_is_already_in_the_cart(session, w):
    cart.add_to_cart(session, user=w["giulia"], product_id=w["olio"].id, quantity=4)
    with pytest.raises(Conflict) as exc:
        cart.add_to_cart(session, user=w["giulia"], product_id=w["olio"].id, quantity=2)
    assert exc.value.code == "out_of_stock"
    assert exc.value.params["available"] == 5
    assert exc.value.params["in_cart"] == 4
    assert cart.add_to_cart(session, user=w["giulia"], product_id=w["olio"].id, quantity=1) == 5
    with pytest.raises(Conflict):
        cart.add_to_cart(session, user=w["giulia"], product_id=w["olio"].id)
    with pytest.raises(Conflict) as exc:
        cart.add_to_cart(session, user=w["marco"], product_id=w["moka"].id, quantity=10**12)
    assert exc.value.code == "out_of_stock" and exc.value.params["available"] == 1
    assert cart.cart_count(session, user=w["marco"]) == 0


def test_unavailable_products(session, w):
    off = make_product(session, w["bottega"], "Off", 100, active=False)
    with pytest.raises(Conflict) as exc:
        cart.add_to_cart(session, user=w["giulia"], product_id=off.id)
    assert exc.value.code == "product_unavailable"
    w["caffe"].deleted_at = utcnow()
    session.add(w["caffe"])
    session.flush()
    with pytest.raises(Conflict) as exc:
        cart.add_to_cart(session, user=w["giulia"], product_id=w["moka"].id)
    assert exc.value.code == "product_unavailable"


@pytest.mark.parametrize("bad", ["x", None, -1, 0, 99999, 2.0, True])
def test_unknown_product(session, w, bad):
    with pytest.raises(NotFound) as exc:
        cart.add_to_cart(session, user=w["giulia"], product_id=bad)
    assert exc.value.code == "product_not_found"


def test_invalid_app(session, w):
    with pytest.raises(ValidationError) as exc:
        cart.add_to_cart(session, user=w["giulia"], product_id=w["olio"].id, app="myspace")
    assert exc.value.code == "app_invalid"


def test_set_quantity(session, w):
    g = w["giulia"]
    cart.add_to_cart(session, user=g, product_id=w["olio"].id, quantity=2)
    assert cart.set_quantity(session, user=g, product_id=w["olio"].id, quantity=5) == 5
    with pytest.raises(Conflict) as exc:
        cart.set_quantity(session, user=g, product_id=w["olio"].id, quantity=6)
    assert exc.value.code == "out_of_stock"
    assert cart.set_quantity(session, user=g, product_id=w["olio"].id, quantity="1") == 1
    with pytest.raises(ValidationError):
        cart.set_quantity(session, user=g, product_id=w["olio"].id, quantity=-1)
    assert cart.set_quantity(session, user=g, product_id=w["olio"].id, quantity=0) == 0
    assert cart.cart_items(session, user=g) == []
    # Setting a product that is not in the cart is refused; 0 is simply a no-op.
    with pytest.raises(NotFound) as exc:
        cart.set_quantity(session, user=g, product_id=w["olio"].id, quantity=2)
    assert exc.value.code == "cart_item_not_found"
    assert cart.set_quantity(session, user=g, product_id=w["olio"].id, quantity=0) == 0


def test_lowering_is_allowed_for_a_withdrawn_product(session, w):
    g = w["giulia"]
    cart.add_to_cart(session, user=g, product_id=w["olio"].id, quantity=3)
    w["olio"].active = False
    w["olio"].stock = 1
    session.add(w["olio"])
    session.flush()
    assert cart.set_quantity(session, user=g, product_id=w["olio"].id, quantity=2) == 2
    with pytest.raises(Conflict) as exc:
        cart.set_quantity(session, user=g, product_id=w["olio"].id, quantity=3)
    assert exc.value.code == "product_unavailable"


def test_remove_is_idempotent_and_scoped_to_the_user(session, w):
    cart.add_to_cart(session, user=w["giulia"], product_id=w["olio"].id)
    cart.add_to_cart(session, user=w["marco"], product_id=w["olio"].id)
    assert cart.remove_from_cart(session, user=w["giulia"], product_id=w["olio"].id) is True
    assert cart.remove_from_cart(session, user=w["giulia"], product_id=w["olio"].id) is False
    assert cart.cart_items(session, user=w["marco"]) == [(w["olio"].id, 1)]
    with pytest.raises(NotFound):
        cart.remove_from_cart(session, user=w["giulia"], product_id="garbage")


def test_get_cart_groups_by_shop_with_totals(session, w):
    g = w["giulia"]
    cart.add_to_cart(session, user=g, product_id=w["olio"].id, quantity=2)  # 2 x 18.90
    cart.add_to_cart(session, user=g, product_id=w["sapone"].id, quantity=3)  # 3 x 6.50
    cart.add_to_cart(session, user=g, product_id=w["moka"].id)  # 59.00
    view = cart.get_cart(session, user=g, language="en")
    assert [grp.shop_name for grp in view.groups] == ["Bottega Verde", "Caffè Aurora"]
    bottega, caffe = view.groups
    assert bottega.shop_slug == "bottega-verde" and bottega.shop_id == w["bottega"].id
    assert [(line.title, line.quantity, line.line_total_cents) for line in bottega.lines] == [
        ("Olio", 2, 3780),
        ("Sapone", 3, 1950),
    ]
    olio = bottega.lines[0]
    assert (olio.product_id, olio.unit_price_cents, olio.unit_price_label) == (w["olio"].id, 1890, "€18.90")
    assert (olio.line_total_label, olio.stock, olio.available) == ("€37.80", 5, True)
    assert (bottega.subtotal_cents, bottega.subtotal_label) == (5730, "€57.30")
    assert (caffe.subtotal_cents, caffe.subtotal_label) == (5900, "€59.00")
    assert (view.total_cents, view.total_label, view.currency) == (11630, "€116.30", "EUR")
    assert view.item_count == 6 and view.has_unavailable is False
    italian = cart.get_cart(session, user=g, language="it")
    assert italian.total_label == "€\xa0116,30"


def test_unavailable_lines_stay_visible_but_leave_the_totals(session, w):
    g = w["giulia"]
    cart.add_to_cart(session, user=g, product_id=w["olio"].id, quantity=2)
    cart.add_to_cart(session, user=g, product_id=w["moka"].id)
    w["moka"].stock = 0  # someone else bought the last one
    session.add(w["moka"])
    session.flush()
    view = cart.get_cart(session, user=g)
    moka = view.groups[1].lines[0]
    assert moka.available is False
    assert view.groups[1].subtotal_cents == 0
    assert view.total_cents == 3780
    assert view.has_unavailable is True


def test_empty_cart(session, w):
    view = cart.get_cart(session, user=w["giulia"], language="en")
    assert (view.groups, view.total_cents, view.total_label, view.item_count) == ([], 0, "€0.00", 0)


def test_clear_cart(session, w):
    cart.add_to_cart(session, user=w["giulia"], product_id=w["olio"].id)
    cart.add_to_cart(session, user=w["marco"], product_id=w["olio"].id)
    assert cart.clear_cart(session, user=w["giulia"]) == 1
    assert cart.cart_count(session, user=w["giulia"]) == 0
    assert cart.cart_count(session, user=w["marco"]) == 1
