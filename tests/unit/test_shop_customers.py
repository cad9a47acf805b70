"""Customer pseudonyms: one per buyer and shop, unrelated across shops, resettable."""

import pytest

from socialshop.services import shop_customers
from socialshop.services.errors import NotFound
from tests.unit.factories import make_shop, make_user


def test_the_same_buyer_has_one_alias_per_shop_and_different_ones_elsewhere(session):
    buyer = make_user(session)
    shop_a, shop_b = make_shop(session), make_shop(session)
    alias_a = shop_customers.customer_alias(session, shop_id=shop_a.id, user_id=buyer.id)
    assert alias_a == shop_customers.customer_alias(session, shop_id=shop_a.id, user_id=buyer.id)
    assert len(alias_a) == 4 and alias_a.isalnum()
    assert alias_a != shop_customers.customer_alias(session, shop_id=shop_b.id, user_id=buyer.id)
    assert shop_customers.user_for_alias(session, shop_id=shop_a.id, alias=f"Customer {alias_a.lower()}") == buyer.id
    assert shop_customers.user_for_alias(session, shop_id=shop_b.id, alias=alias_a) is None


def test_aliases_of_a_page_of_buyers_are_distinct(session):
    shop = make_shop(session)
    buyers = [make_user(session) for _ in range(30)]
    found = shop_customers.aliases(session, shop_id=shop.id, user_ids=[b.id for b in buyers])
    assert len(set(found.values())) == 30


def test_the_buyer_sees_which_shops_know_them_and_can_reset_one(session):
    buyer, other = make_user(session), make_user(session)
    shop = make_shop(session)
    old = shop_customers.customer_alias(session, shop_id=shop.id, user_id=buyer.id)
    session.commit()
    [known] = shop_customers.known_shops(session, user=buyer)
    assert (known.shop_id, known.alias) == (shop.id, old)
    new = shop_customers.reset_alias(session, user=buyer, shop_id=shop.id)
    assert new != old
    assert shop_customers.customer_alias(session, shop_id=shop.id, user_id=buyer.id) == new
    assert shop_customers.user_for_alias(session, shop_id=shop.id, alias=old) is None
    for forged in (shop.id + 999, "1; drop", None, -1):
        with pytest.raises(NotFound):
            shop_customers.reset_alias(session, user=buyer, shop_id=forged)
    with pytest.raises(NotFound):
        shop_customers.reset_alias(session, user=other, shop_id=shop.id)
