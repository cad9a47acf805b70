"""Checkouts per second through the service layer, with a baseline from the same run.

    python benchmarks/bench_checkout.py [--quick] [--threads 16] [--checkouts 1200] [--processes 1]

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

--processes N (default 1): a checkout costs a few ms of Python CPU, so threads in one
process are bound by the GIL, while a deployment runs several worker processes. With
N > 1 the same pre-opened attempts (replays included) are dealt round-robin to N worker
processes (start method "forkserver", or "spawn" where there is none; each builds its
own engine from the database URL), and --threads is the total, split between them (16
threads, 2 processes: 8 + 8). A key queued twice is always dealt to two different
processes, so idempotency is exercised across processes. The baseline runs with the same processes x threads layout. The
parent collects latencies, outcomes, errors and every worker's per-key charge counts,
and runs the same verification (see verify() for how a double charge is detected).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import random
import statistics
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import postgres_target, sized_engine, temporary_database  # noqa: E402  (benchmarks/)
from sqlalchemy import Column, Integer, MetaData, String, Table, event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
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
from socialshop.services import checkout, ledger, pay_pin, payment_methods, security  # noqa: E402
from socialshop.services.errors import ServiceError  # noqa: E402

PIN = "3917"
SHIPPING = {"name": "Bench Buyer", "line1": "Via Roma 1", "city": "Milano", "postal_code": "20121", "country": "IT"}


# Set while a thread is inside the gateway: the sandbox gateway writes its charges to the
# same database, and StatementCounter counts those statements apart from the checkout's.
_IN_GATEWAY = threading.local()


class StatementCounter:
    """Statements and transactions sent on `engine` while it is attached, the checkout's
    apart from the (sandbox) gateway's.

    Statements: SQLAlchemy's before_cursor_execute, i.e. one per cursor execute (a
    multi-row INSERT is one). Transactions: the engine's "begin" event (on psycopg each
    one costs a BEGIN and a COMMIT or ROLLBACK exchange with the server on top of its
    statements).
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _count(self, what: str) -> None:
        if getattr(_IN_GATEWAY, "active", False):
            what = "gateway_" + what
        with self._lock:
            self.counts[what] += 1

    def _statement(self, *_args) -> None:
        self._count("statements")

    def _begin(self, *_args) -> None:
        self._count("transactions")

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "begin", self._begin)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "begin", self._begin)


def per_call_line(counts: Counter, calls: int, succeeded: int) -> str:
    """statements and transactions per checkout_items call (gateway's in brackets)."""
    n = max(calls, 1)
    return (
        f"statements per call: {counts['statements'] / n:.1f} "
        f"(+{counts['gateway_statements'] / n:.1f} by the sandbox gateway), "
        f"transactions per call: {counts['transactions'] / n:.2f} "
        f"(+{counts['gateway_transactions'] / n:.2f} by the gateway); "
        f"{counts['statements'] / max(succeeded, 1):.1f} statements per successful checkout"
    )


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
        _IN_GATEWAY.active = True
        try:
            return self.inner.charge(**kwargs)
        finally:
            _IN_GATEWAY.active = False

    def refund(self, **kwargs):
        # checkout refunds a charge it could not record under "refund:attempt:<key>".
        key = kwargs["idempotency_key"].removeprefix("refund:attempt:")
        with self._lock:
            self.refunded[key] += 1
        _IN_GATEWAY.active = True
        try:
            return self.inner.refund(**kwargs)
        finally:
            _IN_GATEWAY.active = False


def counting_provider(engine: Engine) -> CountingProvider:
    """The configured gateway, counting; a sandbox gateway keeps its charges in `engine`'s database.

    SandboxProvider() remembers charges in the application's database (REFLEX_DB_URL, else
    the SQLite file under var/), not in the benchmark's temporary one; one that takes no
    engine keeps no state and is used as it is.
    """
    inner = payments.get_provider()
    if inner.name == "sandbox":
        try:
            inner = type(inner)(engine=engine)
        except TypeError:
            pass
    return CountingProvider(inner)


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
        lines = rng.sample(product_ids, min(len(product_ids), rng.choice((1, 1, 2, 2))))
        jobs.append((row["user_id"], methods[row["user_id"]], row["idempotency_key"], [(pid, rng.choice((1, 2))) for pid in lines]))
    return jobs, initial_stock


def measure_pin(engine: Engine, samples: int) -> list[float]:
    with Session(engine, expire_on_commit=False) as session:
        user = session.exec(select(User).where(User.email == "buyer0@bench.test")).one()
        timings = []
        for _ in range(samples):
            start = time.perf_counter()
            pay_pin.verify_pin(session, user=user, pin=PIN)
            timings.append(time.perf_counter() - start)
    return timings


# ------------------------------------------------------------------ runs


def build_work(jobs, *, replay_share: float, seed: int) -> list:
    """The attempts in queue order; about replay_share of them queued twice in a row."""
    rng = random.Random(seed + 1)
    work = []
    for job in jobs:
        work.append(job)
        if rng.random() < replay_share:
            work.append(job)  # picked up by another thread (or process) while the first may be running
    return work


def run_work(engine: Engine, items: list, *, threads: int, gate=None, counts: Counter | None = None):
    """`threads` threads draining `items`; `gate()`, if given, is awaited before the clock starts.

    `counts`, if given, is updated with the statements and transactions the run sent
    (see StatementCounter)."""
    work: queue.Queue = queue.Queue()
    for item in items:
        work.put(item)
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
    with StatementCounter(engine) as counter:
        for t in pool:
            t.start()
        if gate is not None:
            gate()
        barrier.wait()
        start = time.perf_counter()
        for t in pool:
            t.join()
        elapsed = time.perf_counter() - start
    if counts is not None:
        counts.update(counter.counts)
    return elapsed, latencies, outcomes, errors


def run_checkouts(engine: Engine, jobs, *, threads: int, replay_share: float, seed: int, counts: Counter | None = None):
    return run_work(engine, build_work(jobs, replay_share=replay_share, seed=seed), threads=threads, counts=counts)


def _baseline_table() -> Table:
    return Table("bench_baseline", MetaData(), Column("id", Integer, primary_key=True), Column("v", String(32)))


def run_inserts(engine: Engine, *, threads: int, numbers: range, gate=None, latencies: list | None = None) -> float:
    """Single-row INSERT + COMMIT of each of `numbers`, the smallest durable write the database can do.

    The time of each INSERT + COMMIT is appended to `latencies` if one is given.
    """
    table = _baseline_table()
    counter = iter(numbers)
    lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)

    def worker():
        barrier.wait()
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            start = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(table.insert().values(v=str(n)))
            if latencies is not None:
                latencies.append(time.perf_counter() - start)  # list.append is atomic

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    if gate is not None:
        gate()
    barrier.wait()
    start = time.perf_counter()
    for t in pool:
        t.join()
    return time.perf_counter() - start


def run_baseline(engine: Engine, *, threads: int, inserts: int) -> tuple[float, float]:
    """Single-row INSERT + COMMIT, the smallest durable write the database can do."""
    _baseline_table().create(engine, checkfirst=True)
    elapsed = run_inserts(engine, threads=threads, numbers=range(inserts))
    return inserts / elapsed, elapsed


# ------------------------------------------------------------------ runs in several processes

# Nothing here may need the parent's memory: each worker starts from a clean process,
# builds its own engine from the URL and sends its results back as plain data. An
# engine (its pool, its open connections) is never shared across processes.
# "forkserver" where available: the server imports socialshop, SQLAlchemy and the
# driver (~1 s of CPU) once, before any engine exists, and each worker is a fork of it
# that only re-runs this script's top level, its imports already loaded; "spawn"
# elsewhere, which imports everything again in every worker (slower to start, not timed).
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
PROCESS_TIMEOUT = 600.0
# By name: preloading "__main__" is silently skipped by CPython 3.11's forkserver.
# A module that is missing (e.g. no psycopg installed) is skipped too.
PRELOAD = [
    "sqlalchemy", "sqlmodel", "socialshop.models", "socialshop.payments", "socialshop.db",
    "socialshop.services.checkout", "socialshop.services.ledger", "socialshop.services.payment_methods",
    "socialshop.services.pay_pin", "socialshop.services.security", "psycopg",
]


def _mp_context():
    ctx = multiprocessing.get_context(START_METHOD)
    if START_METHOD == "forkserver":
        ctx.set_forkserver_preload(PRELOAD)  # only has an effect before the server starts
    return ctx


def split_threads(threads: int, processes: int) -> list[int]:
    """--threads is the total: 16 over 3 processes is 6 + 5 + 5."""
    return [threads // processes + (1 if i < threads % processes else 0) for i in range(processes)]


def _warm_pool(engine: Engine, connections: int) -> None:
    """Open the connections the threads will use before the clock starts.

    In one process the baseline runs on the engine the checkouts just used, its pool
    full; a fresh worker's pool is empty, and opening its connections inside the timed
    part would be counted against the multi-process layout.
    """
    opened = [engine.connect() for _ in range(connections)]
    for conn in opened:
        conn.close()


def _worker_main(task: str, url: str, payload, threads: int, barrier, results, pool_size: int | None = None) -> None:
    """Entry point of a worker process: one task, its result (or its failure) on `results`.

    pool_size None: the app's engine (make_engine); else at most pool_size connections.
    """
    engine = None
    try:
        engine = make_engine(url) if pool_size is None else sized_engine(url, pool_size)
        _warm_pool(engine, threads if pool_size is None else min(threads, pool_size))
        gate = lambda: barrier.wait(PROCESS_TIMEOUT)  # noqa: E731 - all processes start the clock together
        if task == "checkouts":
            provider = counting_provider(engine)
            payments.get_provider = lambda: provider  # type: ignore[assignment]  # this process only
            counts: Counter[str] = Counter()
            elapsed, latencies, outcomes, errors = run_work(engine, payload, threads=threads, gate=gate, counts=counts)
            results.put(
                {
                    "elapsed": elapsed,
                    "counts": dict(counts),
                    "latencies": latencies,
                    "outcomes": dict(outcomes),
                    "errors": errors,
                    "charges": dict(provider.charges),
                    "refunded": dict(provider.refunded),
                }
            )
        else:
            latencies: list[float] = []
            elapsed = run_inserts(engine, threads=threads, numbers=payload, gate=gate, latencies=latencies)
            results.put({"elapsed": elapsed, "inserts": len(payload), "latencies": latencies})
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the run
        barrier.abort()  # nobody waits for a worker that will never arrive
        results.put({"fatal": traceback.format_exc()})
    finally:
        if engine is not None:
            engine.dispose()


def run_processes(
    task: str, url: str, payloads: list, threads: list[int], *, pool_size: int | None = None
) -> tuple[float, list[dict]]:
    """One worker process per payload; wall time from the common start to the last result.

    pool_size: connections per process (None: the app's engine, see _worker_main).
    """
    ctx = _mp_context()
    barrier = ctx.Barrier(len(payloads) + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_worker_main, args=(task, url, payload, n, barrier, results, pool_size), daemon=True)
        for payload, n in zip(payloads, threads)
    ]
    for proc in procs:
        proc.start()
    try:
        barrier.wait(PROCESS_TIMEOUT)  # every worker has its engine, threads and queue ready
    except threading.BrokenBarrierError:
        pass  # a worker failed to start: its traceback is among the results
    start = time.perf_counter()
    reports = []
    for _ in procs:
        try:
            reports.append(results.get(timeout=PROCESS_TIMEOUT))
        except queue.Empty:
            reports.append({"fatal": "no result from a worker process (it died or hung)"})
            break
    elapsed = time.perf_counter() - start
    for proc in procs:
        proc.join(30)
        if proc.is_alive():
            proc.terminate()
    return elapsed, reports


def run_checkouts_processes(url: str, jobs, *, threads: int, processes: int, replay_share: float, seed: int):
    work = build_work(jobs, replay_share=replay_share, seed=seed)
    # Dealt round-robin: a replay sits right after its original in `work`, so it always
    # lands in the next process, at about the same place in that process's queue, i.e.
    # the two calls with one key run at about the same time in two different processes.
    payloads = [work[i::processes] for i in range(processes)]
    elapsed, reports = run_processes("checkouts", url, payloads, split_threads(threads, processes))
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    errors: list[str] = []
    charges: Counter[str] = Counter()
    refunded: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for report in reports:
        if "fatal" in report:
            errors.append("worker process failed: " + report["fatal"].strip().splitlines()[-1])
            print(report["fatal"], file=sys.stderr)
            continue
        latencies.extend(report["latencies"])
        outcomes.update(report["outcomes"])
        errors.extend(report["errors"])
        # Summed per key: a key charged once in each of two processes counts 2 here.
        charges.update(report["charges"])
        refunded.update(report["refunded"])
        counts.update(report["counts"])
    replayed = len(work) - len(jobs)
    return elapsed, latencies, outcomes, errors, charges, refunded, replayed, counts


def run_baseline_processes(url: str, engine: Engine, *, threads: int, processes: int, inserts: int) -> tuple[float, float]:
    _baseline_table().create(engine, checkfirst=True)
    numbers = range(inserts)
    elapsed, reports = run_processes("inserts", url, [numbers[i::processes] for i in range(processes)],
                                     split_threads(threads, processes))
    fatal = [r["fatal"] for r in reports if "fatal" in r]
    if fatal:
        raise RuntimeError("baseline worker failed:\n" + fatal[0])
    return inserts / elapsed, elapsed


def verify(engine: Engine, initial_stock: dict[int, int], charges: Counter, refunded: Counter) -> tuple[int, int, list[str]]:
    """Oversold units, duplicate charges and ledger problems, from the database and the gateway's side.

    A double charge is a second charge() call at the gateway for one attempt key. The
    database alone cannot show it: Payment.idempotency_key is unique, so a second
    charge could never be recorded as a second Payment (at most its recording fails
    and it is refunded, or it stays "processing"), and the sandbox derives the charge
    reference from the key, so counting distinct references would not see it either.
    So the gateway calls are counted where they are made: every process wraps the
    provider in CountingProvider, and `charges` is the per-key sum over all processes
    (in one process, simply its counter). A key charged by process A and again by
    process B counts 2 and is a duplicate. Cross-checks against the database: more
    than one Payment per key (impossible by the constraint, counted anyway), and the
    set of keys charged and not refunded must be exactly the set of keys with a Payment
    (a charge with no Payment, or a Payment with no charge, is a ledger problem).
    """
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
        duplicates = sum(n - 1 for n in charges.values() if n > 1)
        duplicates += sum(n - 1 for n in payments_per_key.values() if n > 1)
        succeeded_charges = len(payments_per_key)
        problems = ledger.check_invariants(session)
        kept = {key for key in charges if not refunded.get(key)}
        if kept != set(payments_per_key):
            problems.append(
                f"{len(kept)} charges kept (not refunded) but {succeeded_charges} payments recorded "
                f"({len(kept - set(payments_per_key))} charges without a payment, "
                f"{len(set(payments_per_key) - kept)} payments without a charge)"
            )
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

    if args.processes == 1:
        provider = counting_provider(engine)
        original = payments.get_provider
        payments.get_provider = lambda: provider  # type: ignore[assignment]
        counts: Counter[str] = Counter()
        try:
            elapsed, latencies, outcomes, errors = run_checkouts(
                engine, jobs, threads=args.threads, replay_share=0.05, seed=args.seed, counts=counts
            )
        finally:
            payments.get_provider = original  # type: ignore[assignment]
        charges, refunded = provider.charges, provider.refunded
    else:
        url = engine.url.render_as_string(hide_password=False)
        elapsed, latencies, outcomes, errors, charges, refunded, replayed, counts = run_checkouts_processes(
            url, jobs, threads=args.threads, processes=args.processes, replay_share=0.05, seed=args.seed
        )
    calls = len(latencies)
    succeeded = outcomes.get("succeeded", 0)
    oversold, duplicates, problems = verify(engine, initial_stock, charges, refunded)
    if args.processes == 1:
        baseline_tps, _ = run_baseline(engine, threads=args.threads, inserts=args.baseline_inserts)
        layout = f"{args.threads} threads"
    else:
        baseline_tps, _ = run_baseline_processes(
            url, engine, threads=args.threads, processes=args.processes, inserts=args.baseline_inserts
        )
        split = split_threads(args.threads, args.processes)
        layout = f"{args.threads} threads in {args.processes} processes"
        print(f"processes: {args.processes} ({START_METHOD}, one engine each; --threads split: "
              f"{' + '.join(map(str, split))}; {replayed} keys queued twice, each in two processes; "
              f"{sum(charges.values())} gateway charges counted over all processes)")

    tps = succeeded / elapsed
    print(f"checkout_items calls: {calls} in {elapsed:.2f} s with {layout} -> "
          f"{calls / elapsed:.0f} calls/s, {tps:.0f} successful checkouts/s")
    print(f"outcomes: {dict(sorted(outcomes.items()))}")
    print(f"latency per call: p50 {percentile(latencies, 50) * 1000:.1f} ms, p95 {percentile(latencies, 95) * 1000:.1f} ms")
    print(per_call_line(counts, calls, succeeded))
    print(f"baseline (1-row INSERT+COMMIT, {layout}): {baseline_tps:.0f}/s -> "
          f"checkout/baseline ratio {tps / baseline_tps:.3f} (calls/baseline {calls / elapsed / baseline_tps:.3f})")
    print(f"oversold units: {oversold}   duplicate charges: {duplicates}   ledger problems: {len(problems)}")
    for problem in problems[:10]:
        print(f"  - {problem}")
    for error in errors[:5]:
        print(f"  ! {error}")
    ok = oversold == 0 and duplicates == 0 and not problems and not errors
    print("result: OK" if ok else "result: FAILED")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds: fewer checkouts")
    parser.add_argument("--threads", type=int, default=16, help="total, split between --processes")
    parser.add_argument("--processes", type=int, default=1,
                        help="worker processes sharing the attempts (default 1: threads in this process only)")
    parser.add_argument("--checkouts", type=int, default=None, help="attempts per database (default 1200, quick 200)")
    parser.add_argument("--buyers", type=int, default=64)
    parser.add_argument("--products", type=int, default=40)
    parser.add_argument("--pin-samples", type=int, default=None)
    parser.add_argument("--baseline-inserts", type=int, default=None)
    parser.add_argument("--pg-url", default=None, help="PostgreSQL server URL (default: REFLEX_DB_URL if PostgreSQL)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if not 1 <= args.processes <= args.threads:
        parser.error("--processes must be between 1 and --threads")
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

    server_url = postgres_target(args.pg_url)
    if server_url:
        with temporary_database(server_url) as url:
            engine = make_engine(url)
            try:
                ok &= bench_database("PostgreSQL (temporary database)", engine, args)
            finally:
                engine.dispose()
    else:
        print("\n(PostgreSQL skipped: set REFLEX_DB_URL=postgresql+psycopg://... or pass --pg-url)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
