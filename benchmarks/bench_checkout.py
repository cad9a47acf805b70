"""Checkouts per second through the service layer, with a baseline from the same run.

    python benchmarks/bench_checkout.py [--quick] [--threads 16] [--checkouts 1200]

Runs on a temporary SQLite file and, when REFLEX_DB_URL (or --pg-url) points at
PostgreSQL, on a temporary database created on that server (dropped afterwards).

Each run: BUYERS buyers with a saved sandbox card, products whose total stock is
smaller than what the buyers try to buy (so the out-of-stock path runs under load),
THREADS threads draining a queue of pre-opened attempts. About 5% of the keys are
queued twice, so concurrent replays of one key happen during the run.

Measured: checkout_items() only. PIN verification (argon2, slow on purpose) happens
when an attempt is authorized, once per attempt and before the pay button does
anything; its cost is measured and reported separately, and the queued attempts are
marked authorized directly so the number shows the checkout itself.

Printed per database: throughput, p50/p95 latency, units oversold and duplicate
charges (both must be 0: exit status 1 otherwise, also when the ledger invariants
fail), and a baseline: single-row INSERT + COMMIT with the same number of threads on
the same database, with the ratio checkout/baseline.
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Column, Integer, MetaData, String, Table, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402
from sqlmodel import Session, SQLModel, func, select  # noqa: E402

import socialshop.models  # noqa: E402,F401  (registers every table)
from socialshop import payments  # noqa: E402
from socialshop.db import make_engine  # noqa: E402
from socialshop.models import (  # noqa: E402
    CheckoutAttempt,
    OrderItem,
    Payment,
    PayProfile,
    Product,
    Shop,
    User,
    utcnow,
)
from socialshop.services import checkout, ledger, payment_methods, pin, security  # noqa: E402
from socialshop.services.errors import ServiceError  # noqa: E402

PIN = "2580"
SHIPPING = {"name": "Bench Buyer", "line1": "Via Roma 1", "city": "Milano", "postal_code": "20121", "country": "IT"}


class CountingProvider:
    """The configured gateway, counting charges per idempotency key."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.charges: Counter[str] = Counter()
        self.refunded: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def charge(self, **kwargs):
        with self._lock:
            self.charges[kwargs["idempotency_key"]] += 1
        return self.inner.charge(**kwargs)

    def refund(self, **kwargs):
        # checkout refunds a charge it could not record under "refund:attempt:<key>".
        key = kwargs["idempotency_key"].removeprefix("refund:attempt:")
        with self._lock:
            self.refunded[key] += 1
        return self.inner.refund(**kwargs)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


# ------------------------------------------------------------------ set-up


def setup(engine: Engine, *, buyers: int, products: int, attempts: int, stock_ratio: float, seed: int):
    SQLModel.metadata.create_all(engine)
    rng = random.Random(seed)
    pin_hash = security.hash_secret(PIN)
    with Session(engine, expire_on_commit=False) as session:
        shops = []
        for s in range(4):
            owner = User(email=f"merchant{s}@bench.test", display_name=f"Merchant {s}", password_hash="x", role="merchant")
            session.add(owner)
            session.flush()
            shop = Shop(owner_id=owner.id, name=f"Bench shop {s}", slug=f"bench-{s}", fee_bps=[0, 250, 500, 1234][s])
            session.add(shop)
            shops.append(shop)
        session.flush()
        # Each checkout takes 1-2 lines of 1-2 units: ~2.25 units on average.
        total_stock = int(attempts * 2.25 * stock_ratio)
        product_rows = []
        for p in range(products):
            product = Product(
                shop_id=shops[p % len(shops)].id,
                title=f"Bench product {p}",
                price_cents=rng.randint(100, 20_000),
                stock=max(1, total_stock // products),
            )
            session.add(product)
            product_rows.append(product)
        users = []
        for b in range(buyers):
            user = User(email=f"buyer{b}@bench.test", display_name=f"Buyer {b}", password_hash="x")
            session.add(user)
            users.append(user)
        session.flush()
        for user in users:
            session.add(PayProfile(user_id=user.id, pin_hash=pin_hash))
        session.flush()
        methods = {}
        for user in users:
            method = payment_methods.add_card(
                session, user=user, number="4242424242424242", exp_month=12, exp_year=utcnow().year + 3, cvc="123"
            )
            methods[user.id] = method.id
        session.commit()
        initial_stock = {p.id: p.stock for p in product_rows}
        product_ids = [p.id for p in product_rows]

        # Attempts opened and PIN-authorized ahead of time (see the module docstring).
        now = utcnow()
        rows = []
        for a in range(attempts):
            user = users[a % len(users)]
            rows.append(
                {
                    "idempotency_key": uuid.uuid4().hex,
                    "user_id": user.id,
                    "kind": "purchase",
                    "app": "facebook",
                    "status": "open",
                    "amount_cents": 0,
                    "currency": "EUR",
                    "pin_verified_at": now,
                    "failure_code": "",
                    "failure_message": "",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        session.exec(CheckoutAttempt.__table__.insert(), params=rows)  # type: ignore[attr-defined]
        session.commit()
    jobs = []
    for row in rows:
        lines = rng.sample(product_ids, rng.choice((1, 1, 2, 2)))
        jobs.append((row["user_id"], methods[row["user_id"]], row["idempotency_key"], [(pid, rng.choice((1, 2))) for pid in lines]))
    return jobs, initial_stock


def measure_pin(engine: Engine, samples: int) -> list[float]:
    with Session(engine, expire_on_commit=False) as session:
        user = session.exec(select(User).where(User.email == "buyer0@bench.test")).one()
        timings = []
        for _ in range(samples):
            start = time.perf_counter()
            pin.verify_pin(session, user=user, pin=PIN)
            timings.append(time.perf_counter() - start)
    return timings


# ------------------------------------------------------------------ runs


def run_checkouts(engine: Engine, jobs, *, threads: int, replay_share: float, seed: int):
    rng = random.Random(seed + 1)
    work: queue.Queue = queue.Queue()
    for job in jobs:
        work.put(job)
        if rng.random() < replay_share:
            work.put(job)  # picked up by another thread while the first may be running
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)

    def worker():
        local_lat, local_out = [], Counter()
        with Session(engine, expire_on_commit=False) as session:
            barrier.wait()
            while True:
                try:
                    user_id, method_id, key, items = work.get_nowait()
                except queue.Empty:
                    break
                start = time.perf_counter()
                try:
                    user = session.get(User, user_id)
                    result = checkout.checkout_items(
                        session, user=user, key=key, items=items, method_id=method_id, shipping=SHIPPING, app="facebook"
                    )
                    local_out[result.status] += 1
                except ServiceError as error:
                    session.rollback()
                    local_out[error.code] += 1
                except Exception as error:  # noqa: BLE001 - counted and printed
                    session.rollback()
                    local_out["error"] += 1
                    with lock:
                        errors.append(repr(error))
                local_lat.append(time.perf_counter() - start)
        with lock:
            latencies.extend(local_lat)
            outcomes.update(local_out)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - start
    return elapsed, latencies, outcomes, errors


def run_baseline(engine: Engine, *, threads: int, inserts: int) -> tuple[float, float]:
    """Single-row INSERT + COMMIT, the smallest durable write the database can do."""
    table = Table("bench_baseline", MetaData(), Column("id", Integer, primary_key=True), Column("v", String(32)))
    table.create(engine, checkfirst=True)
    counter = iter(range(inserts))
    lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)

    def worker():
        barrier.wait()
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            with engine.begin() as conn:
                conn.execute(table.insert().values(v=str(n)))

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - start
    return inserts / elapsed, elapsed


def verify(engine: Engine, initial_stock: dict[int, int], provider: CountingProvider) -> tuple[int, int, list[str]]:
    with Session(engine) as session:
        sold = dict(
            session.exec(
                select(OrderItem.product_id, func.sum(OrderItem.quantity)).group_by(OrderItem.product_id)
            ).all()
        )
        stock = dict(session.exec(select(Product.id, Product.stock)).all())
        oversold = 0
        for product_id, initial in initial_stock.items():
            units = int(sold.get(product_id, 0))
            oversold += max(0, units - initial) + max(0, -stock[product_id])
            if stock[product_id] != initial - units:
                oversold += abs(stock[product_id] - (initial - units))
        payments_per_key = Counter(session.exec(select(Payment.idempotency_key)).all())
        duplicates = sum(n - 1 for n in provider.charges.values() if n > 1)
        duplicates += sum(n - 1 for n in payments_per_key.values() if n > 1)
        succeeded_charges = len(payments_per_key)
        problems = ledger.check_invariants(session)
        kept = [key for key in provider.charges if not provider.refunded.get(key)]
        if succeeded_charges != len(kept):
            problems.append(f"{len(kept)} charges kept (not refunded) but {succeeded_charges} payments recorded")
    return oversold, duplicates, problems


# ------------------------------------------------------------------ main


def bench_database(label: str, engine: Engine, args) -> bool:
    print(f"\n== {label} ({engine.url.render_as_string(hide_password=True)})")
    t0 = time.perf_counter()
    jobs, initial_stock = setup(
        engine, buyers=args.buyers, products=args.products, attempts=args.checkouts, stock_ratio=0.8, seed=args.seed
    )
    print(f"set-up: {len(jobs)} attempts, {args.buyers} buyers, {args.products} products, "
          f"{sum(initial_stock.values())} units in stock ({time.perf_counter() - t0:.1f} s)")

    pin_times = measure_pin(engine, args.pin_samples)
    print(f"PIN authorization (argon2, once per attempt, not in the checkout numbers): "
          f"median {statistics.median(pin_times) * 1000:.0f} ms over {len(pin_times)} verifications "
          f"(~{1 / statistics.median(pin_times):.1f}/s per core)")

    provider = CountingProvider(payments.get_provider())
    original = payments.get_provider
    payments.get_provider = lambda: provider  # type: ignore[assignment]
    try:
        elapsed, latencies, outcomes, errors = run_checkouts(
            engine, jobs, threads=args.threads, replay_share=0.05, seed=args.seed
        )
    finally:
        payments.get_provider = original  # type: ignore[assignment]
    calls = len(latencies)
    succeeded = outcomes.get("succeeded", 0)
    oversold, duplicates, problems = verify(engine, initial_stock, provider)
    baseline_tps, _ = run_baseline(engine, threads=args.threads, inserts=args.baseline_inserts)

    tps = succeeded / elapsed
    print(f"checkout_items calls: {calls} in {elapsed:.2f} s with {args.threads} threads -> "
          f"{calls / elapsed:.0f} calls/s, {tps:.0f} successful checkouts/s")
    print(f"outcomes: {dict(sorted(outcomes.items()))}")
    print(f"latency per call: p50 {percentile(latencies, 50) * 1000:.1f} ms, p95 {percentile(latencies, 95) * 1000:.1f} ms")
    print(f"baseline (1-row INSERT+COMMIT, {args.threads} threads): {baseline_tps:.0f}/s -> "
          f"checkout/baseline ratio {tps / baseline_tps:.3f} (calls/baseline {calls / elapsed / baseline_tps:.3f})")
    print(f"oversold units: {oversold}   duplicate charges: {duplicates}   ledger problems: {len(problems)}")
    for problem in problems[:10]:
        print(f"  - {problem}")
    for error in errors[:5]:
        print(f"  ! {error}")
    ok = oversold == 0 and duplicates == 0 and not problems and not errors
    print("result: OK" if ok else "result: FAILED")
    return ok


def _postgres_target(args) -> str | None:
    url = args.pg_url or os.environ.get("REFLEX_DB_URL", "")
    return url if url.startswith("postgresql") else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds: fewer checkouts")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--checkouts", type=int, default=None, help="attempts per database (default 1200, quick 200)")
    parser.add_argument("--buyers", type=int, default=64)
    parser.add_argument("--products", type=int, default=40)
    parser.add_argument("--pin-samples", type=int, default=None)
    parser.add_argument("--baseline-inserts", type=int, default=None)
    parser.add_argument("--pg-url", default=None, help="PostgreSQL server URL (default: REFLEX_DB_URL if PostgreSQL)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    args.checkouts = args.checkouts or (200 if args.quick else 1200)
    args.pin_samples = args.pin_samples or (2 if args.quick else 5)
    args.baseline_inserts = args.baseline_inserts or (300 if args.quick else 2000)
    os.environ.setdefault("SOCIALSHOP_PAYMENT_PROVIDER", "sandbox")

    ok = True
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
            try:
                ok &= bench_database("SQLite (temporary file)", engine, args)
            finally:
                engine.dispose()

    server_url = _postgres_target(args)
    if server_url:
        name = f"socialshop_bench_{uuid.uuid4().hex[:10]}"
        admin = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine = make_engine(make_url(server_url).set(database=name).render_as_string(hide_password=False))
        try:
            ok &= bench_database("PostgreSQL (temporary database)", engine, args)
        finally:
            engine.dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        print("\n(PostgreSQL skipped: set REFLEX_DB_URL=postgresql+psycopg://... or pass --pg-url)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
