"""Round trips per checkout, and the one-statement stock reservation, on SQLite and PostgreSQL.

A checkout's cost is mostly its statements (each one a server round trip plus the
driver's and SQLAlchemy's CPU), so their number is pinned: it must not grow with the
lines or shops of a cart (one INSERT per table, one UPDATE for all the stock), and a
change that adds one to every payment has to change this test on purpose.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import event, update
from sqlmodel import Session, func, select

from socialshop.models import Order, OrderItem, Payment, Product, User
from socialshop.payments.base import Charge
from socialshop.services import checkout, ledger
from socialshop.services.errors import Conflict
from tests.unit.factories import (
    SHIPPING,
    SpyProvider,
    attempt_of,
    authorized_key,
    install_provider,
    make_buyer,
    make_product,
    make_shop,
    stock_of,
)

ENGINES = ["engine", "pg_engine"]

# Per successful checkout, whatever the cart: 2 reads (attempt with card, Pay switch and
# PIN policy; products), the claim (attempt, Pay switch lock, stock, event) and step 3
# (settle, payment, orders, order events, order lines, ledger transactions, ledger
# entries, cart lines, notification, attempt's payment, event).
STATEMENTS_PER_CHECKOUT = 17
# The claim (with the reads before it) and step 3: the plan is committed before the
# gateway is called, so two is the least there can be.
TRANSACTIONS_PER_CHECKOUT = 2


class DatabaseFreeGateway:
    """Charges without touching the database (the sandbox keeps its charges in it), so
    that every statement counted is the checkout's own."""

    name = "sandbox"

    def __init__(self):
        from socialshop.payments.sandbox import SandboxProvider

        self.charges: list[str] = []
        self._sandbox = SandboxProvider()  # customers and cards: the sandbox's own (no database)

    def __getattr__(self, name):
        return getattr(self._sandbox, name)

    def charge(self, *, idempotency_key, amount_cents, currency, **_kwargs):
        self.charges.append(idempotency_key)
        return Charge(provider_ref=f"ch_{idempotency_key}"[:40], amount_cents=amount_cents, currency=currency)


class Counting:
    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []
        self.transactions = 0

    def _statement(self, _conn, _cursor, statement, *_args):
        self.statements.append(" ".join(statement.split())[:80])

    def _begin(self, _conn):
        self.transactions += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "begin", self._begin)
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "begin", self._begin)


def buy(session, user, key, items, method):
    return checkout.checkout_items(
        session, user=user, key=key, items=items, method_id=method.id, shipping=SHIPPING, app="facebook"
    )


@pytest.mark.parametrize("engine_fixture", ENGINES)
def test_statements_per_checkout_do_not_grow_with_the_cart(request, engine_fixture, monkeypatch):
    engine = request.getfixturevalue(engine_fixture)
    gateway = DatabaseFreeGateway()
    install_provider(monkeypatch, gateway)
    with Session(engine, expire_on_commit=False) as session:
        shop_a, shop_b = make_shop(session), make_shop(session)
        lamp = make_product(session, shop=shop_a, stock=20)
        vase = make_product(session, shop=shop_a, stock=20)
        rug = make_product(session, shop=shop_b, stock=20)
        user, method = make_buyer(session)
        # The first purchase opens the ledger accounts (card, shops, fees): not counted.
        assert buy(session, user, authorized_key(session, user), [(lamp.id, 1), (rug.id, 1)], method).succeeded
        counted = {}
        for label, items in (("one line", [(lamp.id, 1)]), ("three lines, two shops", [(rug.id, 2), (lamp.id, 1), (vase.id, 3)])):
            key = authorized_key(session, user)
            with Counting(engine) as counter:
                result = buy(session, user, key, items, method)
            assert result.succeeded
            counted[label] = (len(counter.statements), counter.transactions)
            assert len(counter.statements) == STATEMENTS_PER_CHECKOUT, (label, "\n".join(counter.statements))
            assert counter.transactions == TRANSACTIONS_PER_CHECKOUT, label
        assert len(set(counted.values())) == 1, counted
        # And the result answered without re-reading is the one a replay reads back.
        assert checkout.attempt_result(session, user=user, key=key) == result
        assert len(result.order_ids) == 2 and stock_of(session, vase.id) == 17
    with Session(engine) as session:
        assert ledger.check_invariants(session) == []


@pytest.mark.parametrize("engine_fixture", ENGINES)
@pytest.mark.parametrize(
    ("left", "active", "code"),
    [(1, True, "not_enough_stock"), (0, True, "sold_out"), (5, False, "product_unavailable")],
)
def test_one_statement_reserves_all_lines_or_none(request, engine_fixture, monkeypatch, left, active, code):
    """The last units go (or the product is withdrawn) between the checkout's stock check
    and its claim: the one UPDATE for every line refuses, the claim rolls back whole
    (the other line keeps its stock), nothing is charged, the attempt stays open."""
    engine = request.getfixturevalue(engine_fixture)
    spy = SpyProvider()
    install_provider(monkeypatch, spy)
    with Session(engine, expire_on_commit=False) as session:
        lamp = make_product(session, title="Lamp", stock=5)
        rug = make_product(session, title="Rug", stock=5)
        user, method = make_buyer(session)
        key = authorized_key(session, user)

    checked = checkout._load_products

    def checked_then_sold_elsewhere(s, lines):
        rows = checked(s, lines)
        with engine.begin() as conn:  # another buyer, committed in between
            conn.execute(update(Product).where(Product.id == rug.id).values(stock=left, active=active))
        return rows

    monkeypatch.setattr(checkout, "_load_products", checked_then_sold_elsewhere)
    with Session(engine, expire_on_commit=False) as session:
        user = session.get(User, user.id)
        with pytest.raises(Conflict) as info:
            buy(session, user, key, [(rug.id, 2), (lamp.id, 3)], method)
        assert (info.value.code, info.value.params["product"]) == (code, "Rug"), info.value.params
        if code != "product_unavailable":
            assert (info.value.params["available"], info.value.params["requested"]) == (left, 2)
        session.rollback()
        assert stock_of(session, lamp.id) == 5 and stock_of(session, rug.id) == left
        assert spy.charges == [] and attempt_of(session, key).status == "open"
        assert session.exec(select(func.count()).select_from(Order)).one() == 0


@pytest.mark.parametrize("engine_fixture", ENGINES)
def test_carts_sharing_products_in_opposite_orders_neither_deadlock_nor_oversell(request, engine_fixture, monkeypatch):
    """Eight carts with the same two products, half listing them the other way round,
    stock for three: the one UPDATE locks rows in id order, so no deadlock, and exactly
    three carts are served."""
    engine = request.getfixturevalue(engine_fixture)
    install_provider(monkeypatch, SpyProvider())
    n = 8
    with Session(engine, expire_on_commit=False) as session:
        shop = make_shop(session)
        first = make_product(session, shop=shop, stock=3)
        second = make_product(session, shop=shop, stock=3)
        session.commit()
        buyers = []
        for _ in range(n):
            user, method = make_buyer(session)
            buyers.append((user.id, method.id, authorized_key(session, user)))
    barrier = threading.Barrier(n)
    outcomes: list[object] = [None] * n

    def worker(i):
        user_id, method_id, key = buyers[i]
        items = [(first.id, 1), (second.id, 1)] if i % 2 else [(second.id, 1), (first.id, 1)]
        with Session(engine, expire_on_commit=False) as session:
            user = session.get(User, user_id)
            barrier.wait(timeout=30)
            try:
                outcomes[i] = checkout.checkout_items(
                    session, user=user, key=key, items=items, method_id=method_id, shipping=SHIPPING, app="facebook"
                ).status
            except Conflict as error:
                outcomes[i] = error.code
            except Exception as error:  # noqa: BLE001 - a deadlock would land here
                outcomes[i] = repr(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert Counter(outcomes) == Counter({"succeeded": 3, "sold_out": 5}), outcomes
    with Session(engine) as session:
        assert stock_of(session, first.id) == 0 and stock_of(session, second.id) == 0
        assert session.exec(select(func.sum(OrderItem.quantity))).one() == 6
        assert session.exec(select(func.count()).select_from(Payment)).one() == 3
        assert ledger.check_invariants(session) == []
