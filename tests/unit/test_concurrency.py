"""Many sessions at once, on SQLite and on PostgreSQL: no overselling, no double charge.

Threads start together behind a barrier; each has its own Session, as each browser tab
has its own Reflex event. Nothing here waits on a timer: where a test needs a call to
be in flight while the others run, it blocks on an Event the others release.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlmodel import Session, func, select

from socialshop.models import Fundraiser, Order, Payment, PayProfile, User, utcnow
from socialshop.services import checkout, donations, ledger, pay_pin, transfers
from socialshop.services.errors import ServiceError
from tests.unit.factories import (
    PIN,
    SHIPPING,
    SpyProvider,
    authorized_key,
    install_provider,
    make_buyer,
    make_fundraiser,
    make_product,
    make_user,
    stock_of,
)

N = 8
ENGINES = ["engine", "pg_engine"]


def run_together(engine, work, n=N):
    """Run work(session, i) in n threads with their own sessions; outcome or error per thread."""
    barrier = threading.Barrier(n)
    outcomes: list[object] = [None] * n

    def worker(i):
        with Session(engine, expire_on_commit=False) as session:
            barrier.wait(timeout=30)
            try:
                outcomes[i] = work(session, i)
            except ServiceError as error:
                session.rollback()
                outcomes[i] = error
            except Exception as error:  # noqa: BLE001 - reported by the assertions
                session.rollback()
                outcomes[i] = error

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    return outcomes


def codes(outcomes):
    return Counter(
        o.status if isinstance(o, checkout.CheckoutResult) else getattr(o, "code", repr(o)) for o in outcomes
    )


def books_balance(engine):
    with Session(engine) as session:
        assert ledger.check_invariants(session) == []


@pytest.mark.parametrize("engine_fixture", ENGINES)
def test_eight_buyers_three_items_no_overselling(request, engine_fixture):
    engine = request.getfixturevalue(engine_fixture)
    with Session(engine, expire_on_commit=False) as session:
        product = make_product(session, title="Last lamps", stock=3, price_cents=4_900)
        session.commit()
        buyers = []
        for _ in range(N):
            user, method = make_buyer(session)
            buyers.append((user.id, method.id, authorized_key(session, user)))

    def buy(session, i):
        user_id, method_id, key = buyers[i]
        user = session.get(User, user_id)
        return checkout.checkout_items(
            session, user=user, key=key, items=[(product.id, 1)], method_id=method_id, shipping=SHIPPING, app="facebook"
        )

    outcomes = run_together(engine, buy)

    assert codes(outcomes) == Counter({"succeeded": 3, "sold_out": 5}), outcomes
    with Session(engine) as session:
        assert stock_of(session, product.id) == 0
        assert session.exec(select(func.count()).select_from(Payment)).one() == 3
        assert session.exec(select(func.count()).select_from(Order)).one() == 3
        assert ledger.balance(session, account_code=ledger.platform_fees_account()) == 3 * 245
    books_balance(engine)


@pytest.mark.parametrize("engine_fixture", ENGINES)
def test_one_key_replayed_by_eight_threads_charges_once(request, engine_fixture, monkeypatch):
    engine = request.getfixturevalue(engine_fixture)
    with Session(engine, expire_on_commit=False) as session:
        product = make_product(session, stock=10, price_cents=1_000)
        user, method = make_buyer(session)
        key = authorized_key(session, user)

    others_done = threading.Event()
    finished = Counter()
    lock = threading.Lock()

    def hold_the_charge():
        # The one real charge waits until every replay has answered, so the replays
        # certainly ran while it was in flight.
        assert others_done.wait(timeout=60)

    spy = SpyProvider(before_charge=hold_the_charge)
    install_provider(monkeypatch, spy)

    def replay(session, i):
        try:
            return checkout.checkout_items(
                session, user=session.get(User, user.id), key=key, items=[(product.id, 2)],
                method_id=method.id, shipping=SHIPPING, app="facebook",
            )
        finally:
            with lock:
                finished["n"] += 1
                if finished["n"] == N - 1:
                    others_done.set()

    outcomes = run_together(engine, replay)

    assert codes(outcomes) == Counter({"succeeded": 1, "processing": N - 1}), outcomes
    assert len(spy.charges) == 1 and spy.charges[0]["idempotency_key"] == key
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Payment)).one() == 1
        assert stock_of(session, product.id) == 8
        final = checkout.attempt_result(session, user=user, key=key)
        assert final.status == "succeeded" and final == next(o for o in outcomes if o.status == "succeeded")
    books_balance(engine)


@pytest.mark.parametrize("engine_fixture", ENGINES)
def test_parallel_pin_guesses_get_five_answers_at_most(request, engine_fixture):
    engine = request.getfixturevalue(engine_fixture)
    with Session(engine, expire_on_commit=False) as session:
        user = make_user(session)
        session.commit()
    now = utcnow()

    def guess(session, i):
        pay_pin.verify_pin(session, user=session.get(User, user.id), pin=f"{i:04d}" if f"{i:04d}" != PIN else "9999", now=now)

    outcomes = run_together(engine, guess)

    assert codes(outcomes) == Counter({"pin_wrong": 4, "pin_locked": 4}), outcomes
    with Session(engine) as session:
        profile = session.get(PayProfile, user.id)
        assert profile.pin_lock_count == 1 and profile.pin_locked_until > now


@pytest.mark.parametrize("engine_fixture", ENGINES)
def test_parallel_transfers_respect_the_monthly_limit(request, engine_fixture):
    engine = request.getfixturevalue(engine_fixture)
    with Session(engine, expire_on_commit=False) as session:
        user, method = make_buyer(session)
        friend = make_user(session)
        session.commit()
        keys = [authorized_key(session, user, kind="transfer", app="messenger") for _ in range(N)]

    def send(session, i):
        return transfers.send_money(
            session, user=session.get(User, user.id), key=keys[i], to_user_id=friend.id,
            amount_cents=transfers.MAX_TRANSFER_CENTS, method_id=method.id,
        )

    outcomes = run_together(engine, send)

    assert codes(outcomes) == Counter({"succeeded": 5, "transfer_monthly_limit": 3}), outcomes
    with Session(engine) as session:
        assert ledger.balance(session, account_code=ledger.user_balance_account(friend.id)) == transfers.MONTHLY_LIMIT_CENTS
    books_balance(engine)


@pytest.mark.parametrize("engine_fixture", ENGINES)
def test_parallel_donations_all_count(request, engine_fixture):
    engine = request.getfixturevalue(engine_fixture)
    with Session(engine, expire_on_commit=False) as session:
        fundraiser = make_fundraiser(session)
        session.commit()
        donors = []
        for _ in range(N):
            user, method = make_buyer(session)
            donors.append((user.id, method.id, authorized_key(session, user, kind="donation")))

    def give(session, i):
        user_id, method_id, key = donors[i]
        return donations.donate(
            session, user=session.get(User, user_id), key=key, fundraiser_id=fundraiser.id,
            amount_cents=1_000 + i, method_id=method_id, app="facebook",
        )

    outcomes = run_together(engine, give)

    assert codes(outcomes) == Counter({"succeeded": N}), outcomes
    expected = sum(1_000 + i for i in range(N))
    with Session(engine) as session:
        assert session.get(Fundraiser, fundraiser.id).raised_cents == expected
        assert ledger.balance(session, account_code=ledger.fundraiser_account(fundraiser.id)) == expected
    books_balance(engine)
