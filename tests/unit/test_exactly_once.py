"""Exactly once, fault by fault: what the payer is told and what the books show.

Each test drives a service (checkout, transfers, donations) with one of the sandbox's
fault cards, then settles the attempt the way production does (`money.reconcile`), and
checks both sides: the CheckoutResult the payer sees, and the rows (Payment, Order,
stock, the gateway's SandboxCharge memory, the ledger) after every step.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, SQLModel, func, select

import socialshop.db
from socialshop import payments
from socialshop.db import make_engine
from socialshop.models import (
    AttemptEvent,
    CartItem,
    CheckoutAttempt,
    Fundraiser,
    Order,
    OrderItem,
    Payment,
)
from socialshop.models.sandbox import SandboxCharge
from socialshop.money import engine as money
from socialshop.money.reconcile import reconcile
from socialshop.payments.base import Charge, PaymentDeclined
from socialshop.payments.sandbox import SandboxProvider
from socialshop.services import cart, checkout, donations, ledger, transfers
from socialshop.services.errors import Conflict, ValidationError
from tests.unit.factories import (
    GOOD_CARD,
    SHIPPING,
    SpyProvider,
    add_card,
    assert_books_balance,
    attempt_of,
    authorized_key,
    install_provider,
    make_buyer,
    make_fundraiser,
    make_product,
    make_shop,
    make_user,
    stock_of,
)

ROOT = Path(__file__).resolve().parents[2]
ANSWER_LOST = "4000000000004004"  # charges, then the answer is lost
TIMEOUT = "4000000000005001"  # times out before charging
DECLINE = "4000000000000002"
ZERO = dt.timedelta(0)


# ---------------------------------------------------------------- helpers


def count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def gateway_rows(session, key) -> list[str]:
    """The sandbox gateway's memory of this key: one status per row."""
    return list(session.exec(select(SandboxCharge.status).where(SandboxCharge.idempotency_key == key)).all())


def settle_all(db):
    """The reconciler with no grace period, as `reconcile --all` runs it."""
    return reconcile(db, processing_after=ZERO, confirming_after=ZERO)


def buy(session, user, key, items, method, **kwargs):
    args = {"shipping": SHIPPING, "app": "facebook", **kwargs}
    return checkout.checkout_items(session, user=user, key=key, items=items, method_id=method.id, **args)


@pytest.fixture
def spy(monkeypatch):
    provider = SpyProvider()
    install_provider(monkeypatch, provider)
    return provider


@pytest.fixture(autouse=True)
def default_grace(monkeypatch):
    """Tests that rely on the default grace periods must not inherit them from the shell."""
    for name in ("SOCIALSHOP_RECONCILE_PROCESSING_GRACE_SECONDS", "SOCIALSHOP_RECONCILE_CONFIRMING_GRACE_SECONDS"):
        monkeypatch.delenv(name, raising=False)


# ---------------------------------------------------------------- 1. charged, answer lost


def test_lost_answer_purchase_is_confirming_then_recorded_once(engine, session, spy):
    user, method = make_buyer(session, number=ANSWER_LOST)
    shop = make_shop(session)
    mug = make_product(session, shop=shop, title="Mug", stock=5, price_cents=1_250)
    tea = make_product(session, shop=shop, title="Tea", stock=3, price_cents=500)
    elsewhere = make_product(session, title="Seen on Instagram", stock=4)
    session.add(CartItem(user_id=user.id, product_id=mug.id, quantity=2, app="facebook"))
    session.add(CartItem(user_id=user.id, product_id=tea.id, quantity=1, app="facebook"))
    session.add(CartItem(user_id=user.id, product_id=elsewhere.id, quantity=1, app="instagram"))
    session.commit()
    key = authorized_key(session, user)

    def pay():
        return checkout.checkout_cart(session, user=user, key=key, method_id=method.id, shipping=SHIPPING, app="facebook")

    result = pay()
    # Money may have moved: never shown as a decline.
    assert (result.status, result.failure_code, result.payment_id, result.order_ids) == ("confirming", "", None, ())
    assert result.total_cents == 3_000
    assert (stock_of(session, mug.id), stock_of(session, tea.id)) == (3, 2)  # still reserved
    assert count(session, Payment) == 0 and count(session, Order) == 0
    assert gateway_rows(session, key) == ["charged"]
    assert len(spy.charges) == 1
    assert_books_balance(session)

    # Replays (double click, reload) get the same answer and never reach the gateway.
    assert pay() == result
    assert buy(session, user, key, [(mug.id, 1)], method) == result
    assert len(spy.charges) == 1 and gateway_rows(session, key) == ["charged"]
    assert (stock_of(session, mug.id), stock_of(session, tea.id)) == (3, 2)

    done = settle_all(engine)
    attempt = attempt_of(session, key)
    assert [(r.attempt_id, r.outcome, r.status) for r in done] == [(attempt.id, "charged", "succeeded")]
    assert (attempt.status, attempt.resolved_by) == ("succeeded", "reconciler")
    payment = session.exec(select(Payment)).one()
    assert (payment.id, payment.idempotency_key, payment.amount_cents, payment.status) == (
        attempt.payment_id, key, 3_000, "succeeded"
    )
    assert attempt.charge_ref == payment.provider_ref
    order = session.exec(select(Order)).one()
    assert (order.status, order.payment_id, order.checkout_attempt_id, order.subtotal_cents) == (
        "paid", payment.id, attempt.id, 3_000
    )
    items = session.exec(select(OrderItem.product_id, OrderItem.quantity).where(OrderItem.order_id == order.id)).all()
    assert sorted(items) == sorted([(mug.id, 2), (tea.id, 1)])
    assert (stock_of(session, mug.id), stock_of(session, tea.id), stock_of(session, elsewhere.id)) == (3, 2, 4)
    assert_books_balance(session)

    # The payer's page now shows the success, with its order.
    final = checkout.attempt_result(session, user=user, key=key)
    assert (final.status, final.payment_id, final.order_ids) == ("succeeded", payment.id, (order.id,))
    assert pay() == final
    # No "try again" is ever needed: the lines bought left the cart (the Instagram one stays),
    # so a new attempt for the Facebook cart has nothing to buy.
    assert cart.cart_items(session, user=user) == [(elsewhere.id, 1)]
    retry = authorized_key(session, user)
    with pytest.raises(ValidationError) as info:
        checkout.checkout_cart(session, user=user, key=retry, method_id=method.id, shipping=SHIPPING, app="facebook")
    assert info.value.code == "cart_empty"

    # A second run finds nothing to do and changes nothing.
    assert settle_all(engine) == []
    session.rollback()
    assert count(session, Payment) == 1 and count(session, Order) == 1
    assert gateway_rows(session, key) == ["charged"] and len(spy.charges) == 1
    assert (stock_of(session, mug.id), stock_of(session, tea.id)) == (3, 2)
    assert_books_balance(session)


# ---------------------------------------------------------------- 2. timeout before charging


def test_timeout_before_charge_is_voided_and_a_late_charge_is_refused(engine, session, spy):
    user, method = make_buyer(session, number=TIMEOUT)
    good = add_card(session, user, GOOD_CARD)
    product = make_product(session, stock=4, price_cents=990)
    session.commit()
    key = authorized_key(session, user)

    result = buy(session, user, key, [(product.id, 3)], method)
    assert (result.status, result.failure_code, result.payment_id) == ("confirming", "", None)
    assert stock_of(session, product.id) == 1
    assert gateway_rows(session, key) == [] and count(session, Payment) == 0
    assert buy(session, user, key, [(product.id, 3)], method) == result
    assert len(spy.charges) == 1

    done = settle_all(engine)
    assert [(r.key, r.outcome, r.status) for r in done] == [(key, "not charged", "failed")]
    attempt = attempt_of(session, key)
    assert (attempt.status, attempt.failure_code, attempt.resolved_by, attempt.payment_id) == (
        "failed", "not_charged", "reconciler", None
    )
    shown = checkout.attempt_result(session, user=user, key=key)
    assert (shown.status, shown.failure_code) == ("failed", "not_charged")
    assert buy(session, user, key, [(product.id, 3)], method) == shown
    assert stock_of(session, product.id) == 4  # given back
    assert gateway_rows(session, key) == ["voided"]

    # The payer's request, still on its way, reaching the gateway now: refused.
    with pytest.raises(PaymentDeclined):
        SandboxProvider().charge(
            customer_ref="",
            card_token=good.provider_token,
            amount_cents=result.total_cents,
            currency="EUR",
            idempotency_key=key,
        )
    assert gateway_rows(session, key) == ["voided"]
    assert count(session, Payment) == 0 and count(session, Order) == 0
    assert settle_all(engine) == []
    assert stock_of(session, product.id) == 4
    assert_books_balance(session)


# ---------------------------------------------------------------- 3. transfers


def test_transfer_timeout_holds_the_monthly_allowance_until_voided(engine, session, spy):
    user, method = make_buyer(session, number=TIMEOUT)
    friend = make_user(session)
    session.commit()
    assert transfers.monthly_remaining(session, user=user) == transfers.MONTHLY_LIMIT_CENTS
    key = authorized_key(session, user, kind="transfer", app="messenger")

    result = transfers.send_money(session, user=user, key=key, to_user_id=friend.id, amount_cents=40_000, method_id=method.id)
    assert (result.status, result.failure_code) == ("confirming", "")
    assert transfers.monthly_remaining(session, user=user) == transfers.MONTHLY_LIMIT_CENTS - 40_000
    assert count(session, Payment) == 0

    assert [r.status for r in settle_all(engine)] == ["failed"]
    attempt = attempt_of(session, key)
    assert (attempt.status, attempt.failure_code) == ("failed", "not_charged")
    assert transfers.monthly_remaining(session, user=user) == transfers.MONTHLY_LIMIT_CENTS
    assert gateway_rows(session, key) == ["voided"]
    assert count(session, Payment) == 0
    assert ledger.balance(session, account_code=ledger.user_balance_account(friend.id)) == 0
    assert_books_balance(session)


def test_request_paid_with_timeout_card_reopens_when_voided(engine, session, spy):
    payer, method = make_buyer(session, number=TIMEOUT)
    good = add_card(session, payer, GOOD_CARD)
    requester = make_user(session)
    session.commit()
    request = transfers.request_money(session, user=requester, from_user_id=payer.id, amount_cents=3_000, note="dinner")
    session.commit()
    key = authorized_key(session, payer, kind="transfer", app="messenger")

    result = transfers.pay_request(session, user=payer, key=key, request_id=request.id, method_id=method.id)
    assert result.status == "confirming"
    session.refresh(request)
    assert (request.status, request.payment_id) == ("paid", None)  # taken while unknown

    assert [r.status for r in settle_all(engine)] == ["failed"]
    session.refresh(request)
    assert (request.status, request.payment_id) == ("open", None)
    assert count(session, Payment) == 0
    assert ledger.balance(session, account_code=ledger.user_balance_account(requester.id)) == 0
    assert_books_balance(session)

    # Reopened for real: the payer can pay it with another card.
    again = authorized_key(session, payer, kind="transfer", app="messenger")
    paid = transfers.pay_request(session, user=payer, key=again, request_id=request.id, method_id=good.id)
    assert paid.succeeded
    session.refresh(request)
    assert (request.status, request.payment_id) == ("paid", paid.payment_id)
    assert ledger.balance(session, account_code=ledger.user_balance_account(requester.id)) == 3_000
    assert_books_balance(session)


def test_request_paid_with_lost_answer_is_paid_once_after_reconcile(engine, session, spy):
    payer, method = make_buyer(session, number=ANSWER_LOST)
    requester = make_user(session)
    session.commit()
    request = transfers.request_money(session, user=requester, from_user_id=payer.id, amount_cents=2_500)
    session.commit()
    key = authorized_key(session, payer, kind="transfer", app="messenger")

    result = transfers.pay_request(session, user=payer, key=key, request_id=request.id, method_id=method.id)
    assert (result.status, result.failure_code) == ("confirming", "")
    session.refresh(request)
    assert (request.status, request.payment_id) == ("paid", None)
    assert ledger.balance(session, account_code=ledger.user_balance_account(requester.id)) == 0
    assert gateway_rows(session, key) == ["charged"]

    for _ in range(2):  # the second run must change nothing
        settle_all(engine)
        attempt = attempt_of(session, key)
        session.refresh(request)
        assert attempt.status == "succeeded" and attempt.payment_id is not None
        assert (request.status, request.payment_id) == ("paid", attempt.payment_id)
        assert count(session, Payment) == 1
        payment = session.get(Payment, attempt.payment_id)
        assert (payment.kind, payment.amount_cents, payment.counterparty_user_id) == ("transfer", 2_500, requester.id)
        assert ledger.balance(session, account_code=ledger.user_balance_account(requester.id)) == 2_500
        assert gateway_rows(session, key) == ["charged"]
        assert_books_balance(session)
    assert len(spy.charges) == 1
    assert transfers.monthly_remaining(session, user=payer) == transfers.MONTHLY_LIMIT_CENTS - 2_500


# ---------------------------------------------------------------- 4. donations


def test_donation_with_lost_answer_raises_the_total_once(engine, session, spy):
    user, method = make_buyer(session, number=ANSWER_LOST)
    fundraiser = make_fundraiser(session, goal_cents=10_000)
    session.commit()
    key = authorized_key(session, user, kind="donation")

    def give():
        return donations.donate(
            session, user=user, key=key, fundraiser_id=fundraiser.id, amount_cents=1_500, method_id=method.id, app="facebook"
        )

    result = give()
    assert (result.status, result.failure_code) == ("confirming", "")
    assert give() == result
    session.refresh(fundraiser)
    assert fundraiser.raised_cents == 0 and count(session, Payment) == 0

    for _ in range(2):
        settle_all(engine)
        session.expire_all()
        assert session.get(Fundraiser, fundraiser.id).raised_cents == 1_500
        assert ledger.balance(session, account_code=ledger.fundraiser_account(fundraiser.id)) == 1_500
        assert count(session, Payment) == 1
        assert donations.fundraiser_progress(session, fundraiser_id=fundraiser.id).donations == 1
        assert gateway_rows(session, key) == ["charged"]
        assert_books_balance(session)
    assert give().status == "succeeded"
    assert len(spy.charges) == 1


# ---------------------------------------------------------------- 5. grace periods


class BlockingProvider(SpyProvider):
    """The payer's charge waits (inside the gateway call) until the test releases it."""

    def __init__(self):
        self.entered = threading.Event()
        self.release = threading.Event()
        super().__init__(before_charge=self._block)

    def _block(self):
        self.entered.set()
        assert self.release.wait(timeout=30), "charge never released"


def test_a_processing_attempt_is_left_alone_during_its_grace_period(engine, session, monkeypatch):
    provider = BlockingProvider()
    install_provider(monkeypatch, provider)
    user, method = make_buyer(session)
    product = make_product(session, stock=2)
    session.commit()
    key = authorized_key(session, user)
    outcome: dict = {}

    def payer():
        with Session(engine, expire_on_commit=False) as own:
            try:
                outcome["result"] = buy(own, own.merge(user), key, [(product.id, 1)], method)
            except BaseException as error:  # noqa: BLE001 - asserted below
                outcome["error"] = error

    thread = threading.Thread(target=payer)
    thread.start()
    try:
        assert provider.entered.wait(timeout=30), "the payer never reached the gateway"
        attempt = attempt_of(session, key)
        assert attempt.status == "processing" and stock_of(session, product.id) == 1

        # Default grace (60 s for processing): the payer is still in its gateway call.
        assert reconcile(engine) == []
        assert reconcile(engine, now=attempt.updated_at + dt.timedelta(seconds=59)) == []
        assert attempt_of(session, key).status == "processing"
        assert gateway_rows(session, key) == [] and stock_of(session, product.id) == 1

        # Past the grace period it is looked up: never charged, so the key is closed.
        done = reconcile(engine, now=attempt.updated_at + dt.timedelta(seconds=61))
        assert [(r.key, r.outcome, r.status) for r in done] == [(key, "not charged", "failed")]
        assert gateway_rows(session, key) == ["voided"] and stock_of(session, product.id) == 2
    finally:
        provider.release.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    # The payer's late charge was refused by the gateway; it is told what the reconciler found.
    assert "error" not in outcome, outcome
    assert (outcome["result"].status, outcome["result"].failure_code) == ("failed", "not_charged")
    assert gateway_rows(session, key) == ["voided"]
    assert count(session, Payment) == 0 and stock_of(session, product.id) == 2
    assert_books_balance(session)


class NoVoidProvider(BlockingProvider):
    """A gateway whose look-up finds nothing yet cannot stop a charge already under way
    (a real gateway still processing the request): the late charge then succeeds."""

    def find_or_void_charge(self, **kwargs):
        return None


def test_a_charge_that_lands_after_the_reconciler_gave_up_is_refunded_by_the_payer(engine, session, monkeypatch):
    provider = NoVoidProvider()
    install_provider(monkeypatch, provider)
    user, method = make_buyer(session)
    product = make_product(session, stock=2)
    session.commit()
    key = authorized_key(session, user)
    outcome: dict = {}

    def payer():
        with Session(engine, expire_on_commit=False) as own:
            outcome["result"] = buy(own, own.merge(user), key, [(product.id, 1)], method)

    thread = threading.Thread(target=payer)
    thread.start()
    try:
        assert provider.entered.wait(timeout=30), "the payer never reached the gateway"
        attempt = attempt_of(session, key)
        done = reconcile(engine, now=attempt.updated_at + dt.timedelta(seconds=61))
        assert [(r.outcome, r.status) for r in done] == [("not charged", "failed")]
    finally:
        provider.release.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    # The gateway charged after all: the payer's request gives that money back, once.
    assert (outcome["result"].status, outcome["result"].failure_code) == ("failed", "not_charged")
    assert [r["idempotency_key"] for r in provider.refunds] == [f"refund:late:{key}"]
    assert count(session, Payment) == 0 and stock_of(session, product.id) == 2
    assert_books_balance(session)


def test_a_confirming_attempt_waits_for_its_short_grace(engine, session, spy):
    user, method = make_buyer(session, number=ANSWER_LOST)
    product = make_product(session, stock=2)
    session.commit()
    key = authorized_key(session, user)
    assert buy(session, user, key, [(product.id, 1)], method).status == "confirming"
    since = attempt_of(session, key).updated_at
    assert reconcile(engine, now=since + dt.timedelta(seconds=1)) == []
    assert attempt_of(session, key).status == "confirming"
    assert [r.status for r in reconcile(engine, now=since + dt.timedelta(seconds=3))] == ["succeeded"]
    assert count(session, Payment) == 1 and stock_of(session, product.id) == 1
    assert_books_balance(session)


# ---------------------------------------------------------------- 6. two reconcilers at once


class LookupTogether(SpyProvider):
    """Both reconcilers get the gateway's answer before either applies it."""

    def __init__(self, parties: int):
        super().__init__()
        self.barrier = threading.Barrier(parties)

    def find_or_void_charge(self, **kwargs):
        answer = super().find_or_void_charge(**kwargs)
        self.barrier.wait(timeout=30)
        return answer


@pytest.mark.parametrize("engine_fixture", ["engine", "pg_engine"])
def test_two_reconcilers_record_one_charge_once(request, monkeypatch, engine_fixture):
    db = request.getfixturevalue(engine_fixture)
    provider = LookupTogether(2)
    install_provider(monkeypatch, provider)
    with Session(db, expire_on_commit=False) as session:
        user, method = make_buyer(session, number=ANSWER_LOST)
        product = make_product(session, stock=5, price_cents=700)
        session.commit()
        key = authorized_key(session, user)
        assert buy(session, user, key, [(product.id, 2)], method).status == "confirming"

    outcomes: list = [None, None]

    def reconciler(i):
        try:
            outcomes[i] = settle_all(db)
        except BaseException as error:  # noqa: BLE001 - asserted below
            outcomes[i] = error

    threads = [threading.Thread(target=reconciler, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a reconciler hung"
    assert all(isinstance(o, list) for o in outcomes), outcomes
    assert sorted((r.outcome, r.status) for o in outcomes for r in o) == [("charged", "succeeded")] * 2

    with Session(db) as session:
        attempt = attempt_of(session, key)
        assert attempt.status == "succeeded"
        assert count(session, Payment) == 1 and count(session, Order) == 1
        assert session.exec(select(Order.payment_id)).one() == attempt.payment_id
        assert stock_of(session, product.id) == 3
        assert gateway_rows(session, key) == ["charged"]
        assert count(session, AttemptEvent, AttemptEvent.attempt_id == attempt.id, AttemptEvent.event == "charged") == 1
        assert_books_balance(session)


# ---------------------------------------------------------------- 7. a late charge for a failed attempt


def test_a_late_charge_for_a_failed_attempt_is_refunded_once(engine, session, spy):
    user, method = make_buyer(session, number=DECLINE)
    product = make_product(session, stock=3, price_cents=2_000)
    session.commit()
    key = authorized_key(session, user)
    result = buy(session, user, key, [(product.id, 1)], method)
    assert (result.status, result.failure_code) == ("failed", "card_declined")
    assert stock_of(session, product.id) == 3

    late = Charge(provider_ref="sbx_ch_late_one", amount_cents=2_000, currency="EUR")
    assert money.resolve_attempt(session, key=key, charge=late, source="webhook") == "failed"
    assert spy.refunds == [
        {"charge_ref": "sbx_ch_late_one", "amount_cents": 2_000, "idempotency_key": f"refund:late:{key}"}
    ]
    # The same webhook delivered again: no second refund.
    assert money.resolve_attempt(session, key=key, charge=late, source="webhook") == "failed"
    assert len(spy.refunds) == 1

    attempt = attempt_of(session, key)
    assert (attempt.status, attempt.failure_code, attempt.payment_id) == ("failed", "card_declined", None)
    assert checkout.attempt_result(session, user=user, key=key) == result
    assert count(session, Payment) == 0 and count(session, Order) == 0
    assert stock_of(session, product.id) == 3
    events = [e.event for e in money.attempt_events(session, attempt_id=attempt.id)]
    assert events.count("late_charge_refunded") == 1
    assert_books_balance(session)


def test_resolve_attempt_for_an_unknown_key_does_nothing(session, spy):
    late = Charge(provider_ref="sbx_ch_nobody", amount_cents=100, currency="EUR")
    assert money.resolve_attempt(session, key="no-such-key", charge=late, source="webhook") is None
    assert spy.refunds == [] and count(session, Payment) == 0


# ---------------------------------------------------------------- 8. the command


def test_reconcile_command_settles_a_confirming_attempt(engine, session):
    payments.reset_provider()
    user, method = make_buyer(session, number=ANSWER_LOST)
    product = make_product(session, stock=3)
    session.commit()
    key = authorized_key(session, user)
    assert buy(session, user, key, [(product.id, 1)], method).status == "confirming"
    attempt_id = attempt_of(session, key).id
    session.rollback()

    env = {
        **os.environ,
        "REFLEX_DB_URL": engine.url.render_as_string(hide_password=False),
        "SOCIALSHOP_PAYMENT_PROVIDER": "sandbox",
    }
    done = subprocess.run(
        [sys.executable, "-m", "socialshop.payments", "reconcile", "--all"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"attempt {attempt_id}: charged -> succeeded" in done.stdout, done.stdout
    assert "1 attempt(s) looked at" in done.stdout

    attempt = attempt_of(session, key)
    assert (attempt.status, attempt.resolved_by) == ("succeeded", "reconciler")
    assert count(session, Payment) == 1 and count(session, Order) == 1
    assert stock_of(session, product.id) == 2
    assert_books_balance(session)


# ---------------------------------------------------------------- 9. any sequence of faults


CARDS = {"good": GOOD_CARD, "decline": DECLINE, "lost": ANSWER_LOST, "timeout": TIMEOUT}
# What the payer is told at once, and what the attempt ends as after one reconcile.
FIRST = {"good": "succeeded", "decline": "failed", "lost": "confirming", "timeout": "confirming"}
FINAL = {"good": "succeeded", "decline": "failed", "lost": "succeeded", "timeout": "failed"}


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    purchases=st.lists(
        st.tuples(st.sampled_from(sorted(CARDS)), st.integers(min_value=1, max_value=3)), min_size=1, max_size=6
    ),
    initial_stock=st.integers(min_value=1, max_value=5),
)
def test_any_sequence_of_faults_settles_exactly_once(monkeypatch, purchases, initial_stock):
    with tempfile.TemporaryDirectory() as tmp, monkeypatch.context() as m:
        db = make_engine(f"sqlite:///{Path(tmp) / 'property.db'}")
        try:
            SQLModel.metadata.create_all(db)
            m.setattr(socialshop.db, "get_engine", lambda: db)
            provider = SandboxProvider(db)
            m.setattr(payments, "get_provider", lambda: provider)
            with Session(db, expire_on_commit=False) as session:
                user = make_user(session)
                methods = {name: add_card(session, user, number) for name, number in CARDS.items()}
                product = make_product(session, stock=initial_stock, price_cents=300)
                session.commit()

                expected: dict[str, str] = {}
                for card, quantity in purchases:
                    key = authorized_key(session, user)
                    try:
                        result = buy(session, user, key, [(product.id, quantity)], methods[card])
                    except Conflict as refused:
                        assert refused.code in ("not_enough_stock", "sold_out")
                        assert attempt_of(session, key).status == "open"
                        continue
                    assert result.status == FIRST[card], (card, result)
                    if card == "decline":
                        assert result.failure_code == "card_declined"
                    expected[key] = FINAL[card]

                settle_all(db)
                session.rollback()

                assert count(
                    session, CheckoutAttempt, CheckoutAttempt.status.in_(("processing", "confirming"))
                ) == 0
                for key, status in expected.items():
                    assert attempt_of(session, key).status == status
                sold = session.exec(
                    select(func.coalesce(func.sum(OrderItem.quantity), 0))
                    .join(Order, Order.id == OrderItem.order_id)
                    .where(Order.status == "paid")
                ).one()
                assert stock_of(session, product.id) + sold == initial_stock
                charged = count(session, SandboxCharge, SandboxCharge.status == "charged")
                assert charged == count(session, Payment, Payment.status == "succeeded")
                assert charged == sum(1 for s in expected.values() if s == "succeeded")
                assert_books_balance(session)
        finally:
            db.dispose()



# ---------------------------------------------------------------- more settlers racing the payer


def test_payer_resuming_after_the_reconciler_recorded_its_charge_records_nothing(engine, session, monkeypatch, spy):
    """The payer's process stalls between charge and record (GC pause, slow disk) past
    the grace period; the reconciler records the charge; then the payer wakes up."""
    stalled, resume = threading.Event(), threading.Event()

    def stall(_key):
        stalled.set()
        assert resume.wait(timeout=30), "payer never resumed"

    user, method = make_buyer(session)
    product = make_product(session, stock=3, price_cents=800)
    session.commit()
    key = authorized_key(session, user)
    outcome: dict = {}

    def payer():
        with Session(engine, expire_on_commit=False) as own:
            try:
                outcome["result"] = buy(own, own.merge(user), key, [(product.id, 2)], method)
            except BaseException as error:  # noqa: BLE001 - asserted below
                outcome["error"] = error

    with monkeypatch.context() as m:
        m.setattr(money, "after_charge_hook", stall)
        thread = threading.Thread(target=payer)
        thread.start()
        try:
            assert stalled.wait(timeout=30), "the payer was never charged"
            since = attempt_of(session, key).updated_at
            done = reconcile(engine, now=since + dt.timedelta(seconds=61))
            assert [(r.outcome, r.status) for r in done] == [("charged", "succeeded")]
        finally:
            resume.set()
            thread.join(timeout=30)
    assert not thread.is_alive()
    assert "error" not in outcome, outcome
    result = outcome["result"]
    assert result.status == "succeeded" and result.payment_id == attempt_of(session, key).payment_id
    assert len(result.order_ids) == 1
    assert count(session, Payment) == 1 and count(session, Order) == 1
    assert stock_of(session, product.id) == 1
    assert gateway_rows(session, key) == ["charged"] and len(spy.charges) == 1
    assert_books_balance(session)


def test_resolve_own_attempt_settles_only_the_owners_attempt(engine, session, monkeypatch, spy):
    from socialshop.money.reconcile import resolve_own_attempt

    user, method = make_buyer(session, number=ANSWER_LOST)
    stranger = make_user(session)
    product = make_product(session, stock=3)
    session.commit()
    key = authorized_key(session, user)
    assert buy(session, user, key, [(product.id, 1)], method).status == "confirming"
    # Within the confirming grace: not yet.
    assert resolve_own_attempt(engine, key=key, user_id=user.id) is None
    later = money._now() + dt.timedelta(seconds=5)
    with monkeypatch.context() as m:
        m.setattr(money, "_now", lambda: later)
        assert resolve_own_attempt(engine, key=key, user_id=stranger.id) is None
        assert attempt_of(session, key).status == "confirming"
        assert resolve_own_attempt(engine, key=key, user_id=user.id) == "succeeded"
        assert resolve_own_attempt(engine, key=key, user_id=user.id) is None
    assert count(session, Payment) == 1 and stock_of(session, product.id) == 2
    assert_books_balance(session)


def test_a_charge_refunded_after_failed_recording_is_not_refunded_again_by_its_webhook(engine, session, monkeypatch, spy):
    """Recording failed after the charge, so the payer's request refunded it at once
    (`_refund_unrecorded`, event "refunded_unrecorded") and failed the attempt. The
    gateway's own "payment succeeded" notification for that charge then arrives
    (Stripe sends payment_intent.succeeded for every successful charge)."""
    user, method = make_buyer(session)
    product = make_product(session, stock=4, price_cents=1_000)
    session.commit()
    key = authorized_key(session, user)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    with monkeypatch.context() as m:
        m.setattr(ledger, "post_transactions", broken)
        with pytest.raises(RuntimeError):
            buy(session, user, key, [(product.id, 1)], method)
    attempt = attempt_of(session, key)
    assert (attempt.status, attempt.failure_code) == ("failed", "processing_error")
    assert [r["idempotency_key"] for r in spy.refunds] == [f"refund:attempt:{key}"]

    charge = Charge(provider_ref=spy.refunds[0]["charge_ref"], amount_cents=1_000, currency="EUR")
    assert money.resolve_attempt(session, key=key, charge=charge, source="webhook") == "failed"
    # The charge was already given back: a second refund of it must not be asked for.
    assert [r["idempotency_key"] for r in spy.refunds] == [f"refund:attempt:{key}"]


def test_recording_and_refund_both_failing_leave_it_to_the_reconciler(engine, session, monkeypatch):
    from socialshop.payments.base import ProviderUnavailable

    spy = SpyProvider(refund_error=ProviderUnavailable("gateway down"))
    install_provider(monkeypatch, spy)
    user, method = make_buyer(session)
    product = make_product(session, stock=4, price_cents=1_000)
    session.commit()
    key = authorized_key(session, user)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    with monkeypatch.context() as m:
        m.setattr(ledger, "post_transactions", broken)
        with pytest.raises(RuntimeError):
            buy(session, user, key, [(product.id, 1)], method)
    # Charged, not recorded, not refunded: unknown to the payer, still reserved.
    assert checkout.attempt_result(session, user=user, key=key).status == "confirming"
    assert stock_of(session, product.id) == 3 and count(session, Payment) == 0
    assert [r.status for r in settle_all(engine)] == ["succeeded"]
    assert count(session, Payment) == 1 and count(session, Order) == 1 and stock_of(session, product.id) == 3
    assert gateway_rows(session, key) == ["charged"] and len(spy.charges) == 1
    assert_books_balance(session)


def test_a_charge_of_another_amount_is_never_booked(engine, session, spy):
    """A gateway (or a forged event) reporting a different amount than the plan: nothing is
    recorded, the attempt stays unresolved for the books check to flag."""
    user, method = make_buyer(session, number=ANSWER_LOST)
    product = make_product(session, stock=4, price_cents=1_000)
    session.commit()
    key = authorized_key(session, user)
    assert buy(session, user, key, [(product.id, 1)], method).status == "confirming"
    status = money.resolve_attempt(
        session, key=key, charge=Charge(provider_ref="ch_x", amount_cents=1, currency="EUR"), source="webhook"
    )
    assert status == "confirming" and count(session, Payment) == 0 and stock_of(session, product.id) == 3
