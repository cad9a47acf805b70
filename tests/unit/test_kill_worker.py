"""A worker process SIGKILLed between the gateway's charge and the transaction recording it.

The worker (tests/unit/kill_worker.py) is a real process on the test database; nothing
in it gets a chance to clean up. After the kill the attempt is left "processing" with
its reservations and a charge at the gateway; "restarting" means running the reconciler,
which must record that charge exactly once.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from socialshop.models import Order, OrderItem, Payment
from socialshop.models.sandbox import SandboxCharge
from socialshop.money.reconcile import reconcile
from socialshop.services import ledger, transfers
from tests.unit.factories import (
    SpyProvider,
    assert_books_balance,
    attempt_of,
    authorized_key,
    install_provider,
    make_buyer,
    make_product,
    make_user,
    stock_of,
)

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("kill_worker.py")
PYTHON = ROOT / ".venv" / "bin" / "python"
ENGINES = ["engine", "pg_engine"]
WAIT_FOR_CHARGE_SECONDS = 60


def count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def gateway_rows(session, key) -> list[str]:
    return list(session.exec(select(SandboxCharge.status).where(SandboxCharge.idempotency_key == key)).all())


def kill_after_charge(db, tmp_path, *args) -> None:
    """Start the worker, wait (bounded) until it has been charged, SIGKILL it."""
    url = db.url.render_as_string(hide_password=False)
    python = str(PYTHON) if PYTHON.exists() else sys.executable
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    with open(tmp_path / "worker.stderr", "w+") as stderr:
        proc = subprocess.Popen(
            [python, str(WORKER), url, *map(str, args)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True,
        )
        lines: queue.Queue[str | None] = queue.Queue()

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            seen = []
            while True:
                try:
                    line = lines.get(timeout=WAIT_FOR_CHARGE_SECONDS)
                except queue.Empty:
                    pytest.fail(f"worker did not charge within {WAIT_FOR_CHARGE_SECONDS}s; stdout: {seen}")
                if line is None:
                    proc.wait(timeout=10)
                    stderr.seek(0)
                    pytest.fail(f"worker exited ({proc.returncode}) without charging: {seen}\n{stderr.read()}")
                seen.append(line)
                if line.startswith("CHARGED "):
                    assert line.split()[1] == args[2]  # the key
                    break
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(timeout=10) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
            reader.join(timeout=10)
            if proc.stdout is not None:
                proc.stdout.close()


@pytest.fixture
def spy(monkeypatch):
    """The parent's gateway (used by the reconciler): the sandbox on the same database."""
    provider = SpyProvider()
    install_provider(monkeypatch, provider)
    return provider


@pytest.mark.parametrize("engine_fixture", ENGINES)
def test_purchase_killed_after_charge_is_recorded_once_on_restart(request, tmp_path, spy, engine_fixture):
    db = request.getfixturevalue(engine_fixture)
    with Session(db, expire_on_commit=False) as session:
        user, method = make_buyer(session)
        product = make_product(session, stock=5, price_cents=1_100)
        session.commit()
        key = authorized_key(session, user)
        product_id, user_id, method_id = product.id, user.id, method.id

    kill_after_charge(db, tmp_path, "purchase", user_id, key, method_id, product_id, 2)

    with Session(db, expire_on_commit=False) as session:
        attempt = attempt_of(session, key)
        assert (attempt.status, attempt.payment_id) == ("processing", None)
        assert stock_of(session, product_id) == 3  # reserved by the claim, not given back
        assert count(session, Payment) == 0 and count(session, Order) == 0
        assert gateway_rows(session, key) == ["charged"]  # the money did move

    # Restart: the reconciler (no grace: the worker is known dead).
    done = reconcile(db, processing_after=dt.timedelta(0))
    assert [(r.key, r.outcome, r.status) for r in done] == [(key, "charged", "succeeded")]
    assert reconcile(db, processing_after=dt.timedelta(0)) == []

    with Session(db, expire_on_commit=False) as session:
        attempt = attempt_of(session, key)
        assert (attempt.status, attempt.resolved_by) == ("succeeded", "reconciler")
        assert gateway_rows(session, key) == ["charged"]
        payment = session.exec(select(Payment)).one()
        assert (payment.id, payment.idempotency_key, payment.amount_cents) == (attempt.payment_id, key, 2_200)
        order = session.exec(select(Order)).one()
        assert (order.status, order.payment_id, order.checkout_attempt_id) == ("paid", payment.id, attempt.id)
        assert session.exec(select(OrderItem.product_id, OrderItem.quantity)).all() == [(product_id, 2)]
        assert stock_of(session, product_id) == 3
        assert_books_balance(session)
    assert spy.charges == []  # the parent never charged: only looked up


@pytest.mark.parametrize("engine_fixture", ENGINES)
def test_transfer_killed_after_charge_is_recorded_once_on_restart(request, tmp_path, spy, engine_fixture):
    db = request.getfixturevalue(engine_fixture)
    with Session(db, expire_on_commit=False) as session:
        user, method = make_buyer(session)
        friend = make_user(session)
        session.commit()
        key = authorized_key(session, user, kind="transfer", app="messenger")
        user_id, friend_id, method_id = user.id, friend.id, method.id

    kill_after_charge(db, tmp_path, "transfer", user_id, key, method_id, friend_id, 4_500)

    with Session(db, expire_on_commit=False) as session:
        assert attempt_of(session, key).status == "processing"
        assert count(session, Payment) == 0
        assert gateway_rows(session, key) == ["charged"]
        assert ledger.balance(session, account_code=ledger.user_balance_account(friend_id)) == 0
        # The allowance stays taken while the outcome is open.
        assert transfers.monthly_remaining(session, user=user) == transfers.MONTHLY_LIMIT_CENTS - 4_500

    done = reconcile(db, processing_after=dt.timedelta(0))
    assert [(r.key, r.outcome, r.status) for r in done] == [(key, "charged", "succeeded")]
    assert reconcile(db, processing_after=dt.timedelta(0)) == []

    with Session(db, expire_on_commit=False) as session:
        attempt = attempt_of(session, key)
        assert attempt.status == "succeeded"
        payment = session.exec(select(Payment)).one()
        assert (payment.id, payment.kind, payment.amount_cents, payment.counterparty_user_id) == (
            attempt.payment_id, "transfer", 4_500, friend_id
        )
        assert ledger.balance(session, account_code=ledger.user_balance_account(friend_id)) == 4_500
        assert ledger.balance(session, account_code=ledger.external_method_account(method_id)) == -4_500
        assert gateway_rows(session, key) == ["charged"]
        assert transfers.monthly_remaining(session, user=user) == transfers.MONTHLY_LIMIT_CENTS - 4_500
        assert_books_balance(session)
