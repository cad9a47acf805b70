import pytest
from sqlmodel import func, select

from socialshop.models import AppActivation, AppSurface, Payment
from socialshop.services import activation, checkout
from socialshop.services.errors import Conflict, ValidationError
from tests.unit.factories import SHIPPING, make_buyer, make_product, make_user, stock_of


def test_everything_is_on_by_default_in_app_order(session):
    user = make_user(session)
    result = activation.list_activation(session, user=user)
    assert list(result) == ["facebook", "instagram", "messenger", "whatsapp"]
    assert list(result) == AppSurface.values()
    assert all(result.values())
    activation.require_pay_enabled(session, user=user, app="instagram")


def test_switch_off_and_on_again(session):
    user, other = make_user(session), make_user(session)
    state = activation.set_activation(session, user=user, app="whatsapp", enabled=False)
    assert state == {"facebook": True, "instagram": True, "messenger": True, "whatsapp": False}
    with pytest.raises(Conflict) as info:
        activation.require_pay_enabled(session, user=user, app="whatsapp")
    assert info.value.code == "pay_disabled_in_app" and info.value.params == {"app": "whatsapp"}
    # Another user's switches are untouched.
    activation.require_pay_enabled(session, user=other, app="whatsapp")
    activation.set_activation(session, user=user, app=AppSurface.WHATSAPP, enabled=True)
    activation.set_activation(session, user=user, app="whatsapp", enabled=True)
    session.commit()
    activation.require_pay_enabled(session, user=user, app="whatsapp")
    rows = session.exec(select(func.count()).select_from(AppActivation)).one()
    assert rows == 1  # upserted, never duplicated


@pytest.mark.parametrize("app", ["myspace", "", None, 3, "FACEBOOK ", ["facebook"]])
def test_unknown_apps_are_refused(session, app):
    user = make_user(session)
    for call in (
        lambda: activation.set_activation(session, user=user, app=app, enabled=False),
        lambda: activation.require_pay_enabled(session, user=user, app=app),
    ):
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.code == "app_invalid"


@pytest.mark.parametrize("enabled", ["false", "true", 0, 1, None])
def test_enabled_must_be_a_real_bool(session, enabled):
    user = make_user(session)
    with pytest.raises(ValidationError) as info:
        activation.set_activation(session, user=user, app="facebook", enabled=enabled)
    assert info.value.code == "enabled_invalid"
    assert activation.list_activation(session, user=user)["facebook"] is True


def test_no_payment_in_a_switched_off_app(session):
    user, method = make_buyer(session)
    product = make_product(session, stock=5)
    session.commit()
    attempt = checkout.open_attempt(session, user=user, kind="purchase", app="instagram")
    attempt.pin_verified_at = attempt.created_at
    session.commit()
    activation.set_activation(session, user=user, app="instagram", enabled=False)
    session.commit()
    with pytest.raises(Conflict) as info:
        checkout.checkout_items(
            session, user=user, key=attempt.idempotency_key, items=[(product.id, 1)],
            method_id=method.id, shipping=SHIPPING, app="instagram",
        )
    assert info.value.code == "pay_disabled_in_app"
    assert stock_of(session, product.id) == 5
    assert session.exec(select(func.count()).select_from(Payment)).one() == 0
    with pytest.raises(Conflict):
        checkout.open_attempt(session, user=user, kind="purchase", app="instagram")
