"""Concurrency: (a) buyers racing for the last units on PostgreSQL, (b) event latency while a slow gateway pays.

    python benchmarks/bench_concurrency.py [--buyers 500] [--stock 10] [--processes 4]
                                           [--pool-size N] [--pg-url URL] [--seed 7]
                                           [--latency-only | --skip-latency]
                                           [--observers 5] [--payers 3] [--samples 40] [--slow-seconds 2]

(a) BUYERS buyers, each with a saved sandbox card and one pre-opened, PIN-authorized
attempt, call checkout_items() for 1 unit of ONE product that has STOCK units, all at
once: BUYERS threads split over PROCESSES worker processes (the worker machinery of
bench_checkout.py: one engine per process, every process starts the clock together,
and every process counts its gateway charges per key). The database is a throw-away
one created on the server of --pg-url (else REFLEX_DB_URL if it is PostgreSQL, else
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) and dropped afterwards.

Each process holds at most --pool-size connections (default: the server's free
connections shared between the processes, at most 40, the app's own 20 + 20), so the
BUYERS calls are all in flight at once but at most PROCESSES x pool-size of them talk to
the database at a time; the wait for a connection counts in the latency, as it would
for requests in a worker whose pool is exhausted.

Printed: units sold, units oversold, duplicate charges (see bench_checkout.verify),
deadlocks (errors whose message mentions "deadlock"), p50/p95 latency of one call, and
a baseline measured in the same run with the same layout: BUYERS concurrent single-row
INSERT + COMMITs, with the ratios checkout/baseline. Exit status 1 unless sold == STOCK,
oversold == 0, duplicate charges == 0, deadlocks == 0, no ledger problem (the ledger
invariants, and charges kept == payments recorded) and no worker process failed.

(b) Event latency of other clients while a slow gateway is paying (event_latency.py):
the real app in prod mode with ONE backend worker, on a throw-away SQLite database;
OBSERVERS browser sessions time a cheap event (click -> DOM updated) while idle, then
while PAYERS other sessions pay with the sandbox's slow card (4000 0000 0000 6009, the
gateway answers after SLOW_SECONDS). Printed: p50/p95 of both phases and the ratio
busy/idle; fails unless the p50 ratio is <= 1.5 (the issue's target) and every payment
and round trip completed. Needs bun and Chromium (`make browser`); about a minute.

    --latency-only / --skip-latency   run one part only (both by default)
    --observers 5 --payers 3 --samples 40 --slow-seconds 2
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import DEFAULT_PG_URL, connection_budget, postgres_target, sized_engine, temporary_database  # noqa: E402
from bench_checkout import (  # noqa: E402
    START_METHOD,
    _baseline_table,
    percentile,
    run_processes,
    setup,
    verify,
)
from event_latency import measure_event_latency  # noqa: E402
from sqlalchemy import update  # noqa: E402
from sqlmodel import Session, func, select  # noqa: E402

from socialshop.models import Order, OrderItem, OrderStatus, Product  # noqa: E402

# Connections left free on the server for everything else (psql, the app, autovacuum).
SPARE_CONNECTIONS = 6
APP_POOL = 40  # socialshop.db.make_engine: pool_size 20 + max_overflow 20


def deal(items: list, processes: int) -> list[list]:
    return [items[i::processes] for i in range(processes)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def units_sold(engine, product_id: int) -> int:
    """Units of the product in orders that are not cancelled or refunded."""
    with Session(engine) as session:
        units = session.exec(
            select(func.coalesce(func.sum(OrderItem.quantity), 0))
            .join(Order, Order.id == OrderItem.order_id)
            .where(OrderItem.product_id == product_id)
            .where(Order.status.not_in([OrderStatus.CANCELLED.value, OrderStatus.REFUNDED.value]))
        ).one()
    return int(units)


def race(url: str, args) -> bool:
    """Part (a) on the database at `url`; True if every check passed."""
    engine = sized_engine(url, 4)
    try:
        t0 = time.perf_counter()
        jobs, initial_stock = setup(
            engine, buyers=args.buyers, products=1, attempts=args.buyers, stock_ratio=0.8, seed=args.seed
        )
        # bench_checkout.setup sizes stock for its mixed baskets: here one product with
        # exactly --stock units, and every buyer asks for 1 unit of it.
        (product_id,) = initial_stock
        with Session(engine) as session:
            session.exec(update(Product).where(Product.id == product_id).values(stock=args.stock))
            session.commit()
        initial_stock = {product_id: args.stock}
        jobs = [(user_id, method_id, key, [(product_id, 1)]) for user_id, method_id, key, _ in jobs]
        print(f"set-up: {len(jobs)} buyers with a saved card and an authorized attempt, "
              f"1 product with {args.stock} in stock ({time.perf_counter() - t0:.1f} s)")

        payloads = deal(jobs, args.processes)
        threads = [len(p) for p in payloads]  # one thread per buyer: all calls in flight at once
        elapsed, reports = run_processes("checkouts", url, payloads, threads, pool_size=args.pool_size)
        latencies: list[float] = []
        outcomes: Counter[str] = Counter()
        errors: list[str] = []
        charges: Counter[str] = Counter()
        refunded: Counter[str] = Counter()
        fatal: list[str] = []
        for report in reports:
            if "fatal" in report:
                fatal.append(report["fatal"])
                continue
            latencies.extend(report["latencies"])
            outcomes.update(report["outcomes"])
            errors.extend(report["errors"])
            charges.update(report["charges"])
            refunded.update(report["refunded"])
        oversold, duplicates, problems = verify(engine, initial_stock, charges, refunded)
        sold = units_sold(engine, product_id)
        deadlocks = sum("deadlock" in error.lower() for error in errors + fatal)

        _baseline_table().create(engine, checkfirst=True)
        numbers = range(args.buyers)
        base_elapsed, base_reports = run_processes(
            "inserts", url, deal(list(numbers), args.processes), threads, pool_size=args.pool_size
        )
        base_fatal = [r["fatal"] for r in base_reports if "fatal" in r]
        base_lat = [t for r in base_reports if "fatal" not in r for t in r["latencies"]]
    finally:
        engine.dispose()

    layout = f"{args.processes} processes x {'/'.join(map(str, sorted(set(threads), reverse=True)))} threads"
    print(f"checkout_items: {len(latencies)} calls in {elapsed:.2f} s ({layout}, "
          f"{args.pool_size} DB connections per process)")
    print(f"outcomes: {dict(sorted(outcomes.items()))}   gateway charges: {sum(charges.values())}, "
          f"refunded: {sum(refunded.values())}")
    print(f"sold: {sold}/{args.stock}   oversold: {oversold}   duplicate charges: {duplicates}   "
          f"deadlocks: {deadlocks}   other errors: {len(errors) - deadlocks}   ledger problems: {len(problems)}")
    print(f"latency per call: p50 {ms(percentile(latencies, 50))}, p95 {ms(percentile(latencies, 95))}, "
          f"max {ms(max(latencies, default=0.0))}")
    if base_lat:
        b50, b95 = percentile(base_lat, 50), percentile(base_lat, 95)
        print(f"baseline ({len(base_lat)} concurrent 1-row INSERT+COMMIT, same layout): "
              f"p50 {ms(b50)}, p95 {ms(b95)}, all done in {base_elapsed:.2f} s")
        print(f"ratio checkout/baseline: p50 {percentile(latencies, 50) / b50:.1f}x, "
              f"p95 {percentile(latencies, 95) / b95:.1f}x, wall time {elapsed / base_elapsed:.1f}x")
    for problem in problems[:10]:
        print(f"  - {problem}")
    for error in (errors + [f.strip().splitlines()[-1] for f in fatal + base_fatal])[:5]:
        print(f"  ! {error}")
    for text in fatal + base_fatal:
        print(text, file=sys.stderr)
    return (
        sold == args.stock and oversold == 0 and duplicates == 0 and deadlocks == 0
        and not problems and not fatal and not base_fatal
    )


# ------------------------------------------------------------------ (b)
# measure_event_latency() lives in event_latency.py (imported above): the app served by
# one worker, Playwright observers and payers; its docstring has the details.


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=500, help="concurrent buyers, 1 unit each (default 500)")
    parser.add_argument("--stock", type=int, default=10, help="units of the one product (default 10)")
    parser.add_argument("--processes", type=int, default=4, help="worker processes (default 4)")
    parser.add_argument("--pool-size", type=int, default=None,
                        help="DB connections per process (default: free server connections / processes, max 40)")
    parser.add_argument("--pg-url", default=None, help=f"PostgreSQL server (default REFLEX_DB_URL, else {DEFAULT_PG_URL})")
    parser.add_argument("--seed", type=int, default=7)
    parts = parser.add_mutually_exclusive_group()
    parts.add_argument("--latency-only", action="store_true", help="only part (b), the event latency")
    parts.add_argument("--skip-latency", action="store_true", help="only part (a), the race")
    parser.add_argument("--observers", type=int, default=5, help="(b) sessions timing a cheap event (default 5)")
    parser.add_argument("--payers", type=int, default=3, help="(b) sessions paying with the slow card (default 3)")
    parser.add_argument("--samples", type=int, default=40, help="(b) round trips per observer and phase (default 40)")
    parser.add_argument("--slow-seconds", type=float, default=2.0, help="(b) the slow gateway's delay (default 2)")
    args = parser.parse_args(argv)
    if not 1 <= args.processes <= args.buyers:
        parser.error("--processes must be between 1 and --buyers")
    if args.stock < 1:
        parser.error("--stock must be at least 1")
    if min(args.observers, args.payers, args.samples) < 1 or args.slow_seconds <= 0:
        parser.error("--observers, --payers, --samples and --slow-seconds must be positive")
    os.environ.setdefault("SOCIALSHOP_PAYMENT_PROVIDER", "sandbox")

    ok = True
    if not args.latency_only:
        ok = race_on_postgres(args)
    if not args.skip_latency:
        print(f"== (b) event latency of {args.observers} sessions while {args.payers} others pay "
              f"through a {args.slow_seconds:g} s gateway (1 backend worker)")
        latency = measure_event_latency(
            observers=args.observers, payers=args.payers, samples=args.samples, slow_seconds=args.slow_seconds
        )
        ok = ok and latency["ok"]
    print("result: OK" if ok else "result: FAILED")
    return 0 if ok else 1


def race_on_postgres(args) -> bool:
    """Part (a) on a throw-away PostgreSQL database."""
    server_url = postgres_target(args.pg_url, default=DEFAULT_PG_URL)
    usable, in_use = connection_budget(server_url)
    free = usable - in_use - SPARE_CONNECTIONS
    if args.pool_size is None:
        args.pool_size = max(1, min(APP_POOL, free // args.processes))
    print(f"== (a) {args.buyers} buyers, 1 product with {args.stock} in stock, {args.processes} processes "
          f"({START_METHOD}); PostgreSQL: {usable} usable connections, {in_use} in use -> "
          f"{args.pool_size} per process (the app's engine would open up to {APP_POOL} per process)")
    if args.processes * args.pool_size > free + SPARE_CONNECTIONS:
        print(f"warning: {args.processes} x {args.pool_size} connections exceed the server's free ones", file=sys.stderr)

    with temporary_database(server_url, prefix="socialshop_bench_conc") as url:
        # Anything in the workers that uses the application's own engine (socialshop.db)
        # must reach this database, not the developer's: set before any worker starts.
        os.environ["REFLEX_DB_URL"] = url
        return race(url, args)


if __name__ == "__main__":
    sys.exit(main())
