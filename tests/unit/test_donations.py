import pytest
from sqlmodel import func, select

from socialshop.models import Fundraiser, LedgerEntry, Payment
from socialshop.services import donations, ledger
from socialshop.services.errors import NotFound, ValidationError
from tests.unit.factories import (
    assert_books_balance,
    attempt_of,
    authorized_key,
    make_buyer,
    make_fundraiser,
)


def give(session, user, key, fundraiser, amount, method, app="facebook"):
    return donations.donate(
        session, user=user, key=key, fundraiser_id=fundraiser.id, amount_cents=amount, method_id=method.id, app=app
    )


def test_donation_moves_money_to_the_fundraiser(session):
    user, method = make_buyer(session)
    fundraiser = make_fundraiser(session, title="Canile di Roma", goal_cents=10_000)
    session.commit()
    key = authorized_key(session, user, kind="donation", real_pin=True)
    result = give(session, user, key, fundraiser, 2_500, method)
    assert result.succeeded and result.total_cents == 2_500 and result.order_ids == ()
    payment = session.get(Payment, result.payment_id)
    assert (payment.kind, payment.fundraiser_id, payment.counterparty_label) == ("donation", fundraiser.id, "Canile di Roma")
    assert ledger.balance(session, account_code=ledger.fundraiser_account(fundraiser.id)) == 2_500
    assert ledger.balance(session, account_code=ledger.external_method_account(method.id)) == -2_500
    progress = donations.fundraiser_progress(session, fundraiser_id=str(fundraiser.id), language="it")
    assert (progress.raised_cents, progress.goal_cents, progress.percent, progress.donations) == (2_500, 10_000, 25, 1)
    assert progress.raised_label == "€\xa025,00"
    # Replaying the key gives the same answer and no second donation.
    assert give(session, user, key, fundraiser, 2_500, method) == result
    assert give(session, user, key, fundraiser, -1, method) == result
    session.refresh(fundraiser)
    assert fundraiser.raised_cents == 2_500
    assert_books_balance(session)


@pytest.mark.parametrize("amount", [0, -100, 99, 1_000_001, "abc", None, 5.5, True, "1e3"])
def test_amounts_outside_1_to_10000_euros(session, amount):
    user, method = make_buyer(session)
    fundraiser = make_fundraiser(session)
    session.commit()
    key = authorized_key(session, user, kind="donation")
    with pytest.raises(ValidationError) as info:
        give(session, user, key, fundraiser, amount, method)
    assert info.value.code == "donation_out_of_range"
    assert info.value.params == {"min": 100, "max": 1_000_000}
    assert attempt_of(session, key).status == "open"
    assert session.exec(select(func.count()).select_from(Payment)).one() == 0


@pytest.mark.parametrize("amount", [100, "1000000"])
def test_bounds_are_inclusive(session, amount):
    user, method = make_buyer(session)
    fundraiser = make_fundraiser(session)
    session.commit()
    key = authorized_key(session, user, kind="donation")
    assert give(session, user, key, fundraiser, amount, method).total_cents == int(amount)
    assert_books_balance(session)


def test_declined_donation_changes_nothing(session):
    user, method = make_buyer(session, number="4000000000009995")
    fundraiser = make_fundraiser(session)
    session.commit()
    key = authorized_key(session, user, kind="donation")
    result = give(session, user, key, fundraiser, 500, method)
    assert (result.status, result.failure_code) == ("failed", "insufficient_funds")
    session.refresh(fundraiser)
    assert fundraiser.raised_cents == 0
    assert session.exec(select(func.count()).select_from(LedgerEntry)).one() == 0
    assert_books_balance(session)


def test_unknown_fundraisers_and_wrong_attempts(session):
    user, method = make_buyer(session)
    fundraiser = make_fundraiser(session)
    session.commit()
    key = authorized_key(session, user, kind="donation")
    for bad in (999, "x", None, -1):
        with pytest.raises(NotFound) as info:
            donations.donate(session, user=user, key=key, fundraiser_id=bad, amount_cents=500, method_id=method.id, app="facebook")
        assert info.value.code == "fundraiser_not_found"
        with pytest.raises(NotFound):
            donations.fundraiser_progress(session, fundraiser_id=bad)
    other, _ = make_buyer(session)
    with pytest.raises(NotFound) as info:
        give(session, other, key, fundraiser, 500, method)
    assert info.value.code == "attempt_not_found"
    assert session.get(Fundraiser, fundraiser.id).raised_cents == 0
