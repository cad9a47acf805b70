import pytest
from sqlmodel import select

from socialshop.models import PaymentMethod, PayProfile, utcnow
from socialshop.services import payment_methods as pm
from socialshop.services.errors import NotFound, ValidationError
from tests.unit.factories import GOOD_CARD, SpyProvider, add_card, install_provider, make_user

YEAR = utcnow().year + 2


def test_a_card_keeps_only_token_brand_last4_and_expiry(session):
    user = make_user(session)
    method = pm.add_card(session, user=user, number="4242 4242 4242 4242", exp_month="7", exp_year=str(YEAR % 100), cvc="314", holder_name="Ada")
    session.commit()
    assert (method.brand, method.last4, method.exp_month, method.exp_year) == ("visa", "4242", 7, YEAR)
    assert method.provider == "sandbox" and method.provider_token.startswith("sbx_tok_")
    assert method.is_default
    stored = " ".join(str(v) for v in session.get(PaymentMethod, method.id).model_dump().values())
    stored += " ".join(str(v) for v in session.get(PayProfile, user.id).model_dump().values())
    assert GOOD_CARD not in stored
    assert not any("cvc" in name or "number" in name for name in PaymentMethod.model_fields)


def test_first_card_is_default_and_one_gateway_customer(session, monkeypatch):
    spy = SpyProvider()
    calls = []
    original = spy.create_customer
    spy.create_customer = lambda **kw: calls.append(kw) or original(**kw)
    install_provider(monkeypatch, spy)
    user = make_user(session)
    first = add_card(session, user)
    second = add_card(session, user, "5555555555554444")
    third = add_card(session, user, "378282246310005", make_default=True)
    session.commit()
    assert len(calls) == 1
    assert session.get(PayProfile, user.id).provider_customer_ref.startswith("sbx_cus_")
    methods = pm.list_methods(session, user=user)
    assert [m.id for m in methods] == [third.id, second.id, first.id]
    assert [m.is_default for m in methods] == [True, False, False]
    assert (second.brand, third.brand) == ("mastercard", "amex")
    pm.set_default(session, user=user, method_id=str(first.id))
    assert [m.id for m in pm.list_methods(session, user=user)][0] == first.id
    assert sum(m.is_default for m in pm.list_methods(session, user=user)) == 1


@pytest.mark.parametrize(
    ("number", "month", "year", "cvc", "fields"),
    [
        ("4242424242424241", 12, YEAR, "123", {"number": "luhn"}),
        ("", 12, YEAR, "123", {"number": "required"}),
        ("4242x", 12, YEAR, "123", {"number": "digits"}),
        (GOOD_CARD, 13, YEAR, "123", {"expiry": "invalid"}),
        (GOOD_CARD, 1, 2020, "123", {"expiry": "past"}),
        (GOOD_CARD, 12, YEAR, "12", {"cvc": "digits"}),
        (None, None, None, None, {"number": "required", "expiry": "invalid", "cvc": "digits"}),
    ],
)
def test_invalid_cards_name_the_fields(session, number, month, year, cvc, fields):
    user = make_user(session)
    with pytest.raises(ValidationError) as info:
        pm.add_card(session, user=user, number=number, exp_month=month, exp_year=year, cvc=cvc)
    assert info.value.code == "card_invalid" and info.value.params == {"fields": fields}
    assert session.exec(select(PaymentMethod)).all() == []


def test_holder_name_and_flags_are_checked(session):
    user = make_user(session)
    with pytest.raises(ValidationError) as info:
        add_card(session, user, holder_name="x" * 121)
    assert info.value.params == {"fields": {"holder_name": "too_long"}}
    with pytest.raises(ValidationError) as info:
        add_card(session, user, make_default="yes")
    assert info.value.code == "make_default_invalid"


def test_removing_the_default_promotes_the_newest(session):
    user = make_user(session)
    a = add_card(session, user)
    b = add_card(session, user, "5555555555554444")
    c = add_card(session, user, "4000056655665556")
    pm.set_default(session, user=user, method_id=a.id)
    pm.remove_method(session, user=user, method_id=a.id)
    session.commit()
    methods = pm.list_methods(session, user=user)
    assert [m.id for m in methods] == [c.id, b.id] and methods[0].is_default
    removed = session.get(PaymentMethod, a.id)
    assert removed.removed_at is not None and removed.provider_token == "" and not removed.is_default
    with pytest.raises(NotFound):
        pm.get_method(session, user=user, method_id=a.id)
    with pytest.raises(NotFound):
        pm.remove_method(session, user=user, method_id=a.id)
    pm.remove_method(session, user=user, method_id=b.id)  # not the default: c stays default
    assert [(m.id, m.is_default) for m in pm.list_methods(session, user=user)] == [(c.id, True)]


@pytest.mark.parametrize("garbage", ["abc", -1, 0, None, True, 1.0, "1; drop table", 2**70, [1]])
def test_garbage_and_other_users_ids_are_not_found(session, garbage):
    owner, thief = make_user(session), make_user(session)
    method = add_card(session, owner)
    for method_id in (garbage, method.id, str(method.id)):
        for call in (pm.get_method, pm.set_default, pm.remove_method):
            with pytest.raises(NotFound) as info:
                call(session, user=thief, method_id=method_id)
            assert info.value.code == "method_not_found"
    assert pm.get_method(session, user=owner, method_id=str(method.id)).id == method.id
    assert session.get(PaymentMethod, method.id).removed_at is None
