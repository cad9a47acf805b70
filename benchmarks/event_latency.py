"""Part (b) of bench_concurrency.py: other clients' event latency while a slow gateway pays.

    python benchmarks/bench_concurrency.py --latency-only [--observers 5] [--payers 3]
                                           [--samples 40] [--slow-seconds 2]

The real app, built and served in prod mode by ONE backend worker (`reflex run --env prod
--single-port`, Granian; no Redis, so the worker keeps the states itself) on a spare
loopback port, with a throw-away SQLite database (migrated, seeded with the demo data)
in a temporary folder and the sandbox gateway. Its slow test card 4000 0000 0000 6009 answers after
SOCIALSHOP_SANDBOX_SLOW_SECONDS.

Browsers: one headless Chromium (Debian's /usr/bin/chromium when present, else
Playwright's), one context per person, every one logged in through the login form as its
own account (made beforehand through the services):

- OBSERVERS shoppers have a product sheet open on /feed/instagram and click "One more" /
  "One less" in turn: `increment_quantity` / `decrement_quantity`, plain event handlers
  that touch neither the database nor the gateway. A round trip is timed inside the page
  (performance.now()): from the click to the DOM showing the new quantity, i.e. the event
  over the websocket, the handler, the delta back and React's render.
- PAYERS shoppers each have a Pay PIN (3917) and the slow card saved as their default.
  A payer opens /checkout?product=ID&app=facebook&qty=1 (then qty=2, 1, ...: a new
  subject, so every load opens a new payment attempt), types the PIN, and on the signal
  clicks Pay and waits for "Already paid". Each payment waits SLOW_SECONDS in the gateway.

Idle windows and busy waves alternate, so a change in the machine's load (other
programs, Chromium) weighs on both alike. Before each pair the payers load a fresh
checkout page and type their PIN (not measured: loading and rendering pages is the
browsers' work, which here shares the server's cores). Idle window: nobody pays, for as
long as the last wave lasted (3 s at first). Busy wave: every payer clicks Pay at once,
and round trips are timed from the clicks until the last payer sees "Already paid".
Until every observer has SAMPLES round trips of each kind.

Each observer clicks on a timetable, one round trip due every 150-300 ms (random), and a
round trip counts from when it was due: if the previous one is still waiting (a stalled
worker), the clicks due meanwhile go out as soon as it answers and count as late as they
are. Timing each click from when it was made (a closed loop) would count a stall once,
however long it lasted, and hide most of it (coordinated omission).

Printed: p50/p95/max per phase; the busy round trips split into those started in the
first 0.5 s of a wave (the PIN checks: argon2, CPU-heavy, in worker threads) and the
rest (the payments waiting on the gateway); how many payments were done and how long a
payment took (click -> "Already paid"); the ratios busy/idle. Target (the issue): p50
busy/idle <= 1.5. The run fails if that is missed, if a round trip never showed its
result (10 s), or if a payment did not complete. About 50 s when `.web` is up to date
(a first build with package install adds a minute or so).

What a synchronous handler does: Reflex runs a plain `def` handler on the worker's event
loop, so each payment holds the loop for its PIN check plus SLOW_SECONDS and the
payments of a wave run one after the other: the loop is frozen for about PAYERS x
SLOW_SECONDS, and every other client's event waits for the end of it. Measured once
with a private copy of the app whose CheckoutState.pay was a plain `def` (not part of
this benchmark): busy p50 4.6 s, p95 6.5 s against an idle p50 of 18 ms, a p50 ratio
of about 260x; each payment took 7 s from the click instead of about 3 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from _floor import base_env, serve_reflex, socialshop_root

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "socialshop-demo"
PIN = "3917"
SLOW_CARD = "4000000000006009"
APP = "facebook"
BUILD_TIMEOUT = 240.0  # first build with package install; later ones take seconds
ROUND_TRIP_TIMEOUT_MS = 10_000
PAY_TIMEOUT_MS = 30_000
GAP_SECONDS = (0.15, 0.3)  # between two round trips of one observer, on its timetable
EARLY_SECONDS = 0.5

# One round trip, timed in the page: click "One more" (quantity 1 -> 2) or "One less"
# (2 -> 1) and wait for the quantity box to show it. The decrement button's `disabled`
# flips in the same render, so a MutationObserver sees the commit at once; a slow poll
# is only a fallback. Returns milliseconds, or -1 after the timeout.
ROUND_TRIP_JS = """
async ([timeoutMs]) => {
  const sheet = document.querySelector('[data-testid="product-sheet"]');
  const input = sheet.querySelector('#sheet-quantity');
  const target = input.value === '1' ? '2' : '1';
  const button = sheet.querySelector(target === '2' ? '[aria-label="One more"]' : '[aria-label="One less"]');
  return await new Promise((resolve) => {
    let done = false, t0 = 0, poll = 0, timer = 0, observer = null;
    const finish = (value) => {
      if (done) return;
      done = true;
      observer.disconnect();
      clearInterval(poll);
      clearTimeout(timer);
      resolve(value);
    };
    const check = () => { if (input.value === target) finish(performance.now() - t0); };
    observer = new MutationObserver(check);
    observer.observe(document.body, {subtree: true, attributes: true, childList: true, characterData: true});
    poll = setInterval(check, 20);
    timer = setTimeout(() => finish(-1), timeoutMs);
    t0 = performance.now();
    button.click();
  });
}
"""


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# ------------------------------------------------------------------ the app


def _app_env(workdir: Path, slow_seconds: float) -> dict[str, str]:
    # One worker (as `make run WORKERS=1`), so its state lives in memory: no Redis.
    return base_env({
        "REFLEX_DB_URL": f"sqlite:///{workdir / 'latency.db'}",
        "SOCIALSHOP_DATA_DIR": str(workdir),
        "SOCIALSHOP_PAYMENT_PROVIDER": "sandbox",
        "SOCIALSHOP_SANDBOX_SLOW_SECONDS": str(slow_seconds),
    })


def app_root(workdir: Path) -> Path:
    """A private copy of the project to build and serve from (sources linked, `.web` copied),
    so the build neither touches nor waits for the checkout's `.web`, which a `make run` or a
    browser test run may be using at the same time."""
    return socialshop_root(workdir)


def prepare_database(root: Path, env: dict[str, str], *, observers: int, payers: int) -> dict:
    """Migrate and seed the throw-away database, then add the benchmark's accounts."""
    subprocess.run([str(VENV_BIN / "reflex"), "db", "migrate"], cwd=root, env=env, check=True,
                   capture_output=True)
    subprocess.run([sys.executable, "-m", "socialshop.seed"], cwd=root, env=env, check=True,
                   capture_output=True)
    out = subprocess.run(
        [sys.executable, __file__, "setup", str(observers), str(payers)],
        cwd=root, env=env, check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _setup_accounts(observers: int, payers: int) -> None:
    """In a subprocess whose environment points at the throw-away database: prints JSON."""
    sys.path.insert(0, str(PROJECT_ROOT))
    from sqlalchemy import update
    from sqlmodel import select

    from socialshop.db import session_scope
    from socialshop.models import Product
    from socialshop.services import accounts, pay_pin, payment_methods

    made: dict[str, list[str]] = {"observers": [], "payers": []}
    with session_scope() as session:
        for role, count in (("observer", observers), ("payer", payers)):
            for n in range(count):
                email = f"bench-{role}-{n}@example.com"
                user = accounts.sign_up(session, email=email, password=PASSWORD,
                                        display_name=f"Bench {role} {n}", language="en")
                if role == "payer":
                    profile = payment_methods.ensure_pay_profile(session, user=user)
                    profile.ship_line1, profile.ship_city = "Via Roma 1", "Cagliari"
                    profile.ship_postal_code, profile.ship_country = "09124", "IT"
                    session.add(profile)
                    pay_pin.set_pin(session, user=user, pin=PIN)
                    payment_methods.add_card(session, user=user, number=SLOW_CARD, exp_month="12",
                                             exp_year="39", cvc="123", holder_name=f"Bench payer {n}",
                                             make_default=True)
                made[f"{role}s"].append(email)
        # Plenty of stock everywhere: neither the observers' sheets nor the payers run out.
        session.exec(update(Product).values(stock=100_000))
        product_id = session.exec(
            select(Product.id).where(Product.active == True).order_by(Product.id)  # noqa: E712
        ).first()
        session.commit()
    print(json.dumps({**made, "product_id": product_id}))


@contextlib.contextmanager
def serve_app(root: Path, env: dict[str, str], log_path: Path) -> Iterator[str]:
    """`reflex run --env prod --single-port` on a spare port; yields the base URL, stops it after."""
    with serve_reflex(root, env, log_path, ready_path="/login") as (base, _pid):
        yield base


# ------------------------------------------------------------------ the browsers


@dataclass
class Payments:
    intervals: list[list[float]] = field(default_factory=list)  # [clicked, paid or inf]
    errors: list[str] = field(default_factory=list)

    def in_flight_at(self, t: float) -> bool:
        return any(start <= t < end for start, end in self.intervals)

    def durations(self) -> list[float]:
        return [end - start for start, end in self.intervals if end != float("inf")]


async def _log_in(page, base: str, email: str) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(lambda url: "/login" not in url, timeout=30_000)


async def _open_sheet(page, base: str) -> None:
    from playwright.async_api import expect

    await page.goto(f"{base}/feed/instagram")
    tag = page.get_by_role("article").first.get_by_test_id("product-tag").first
    await expect(tag).to_be_visible(timeout=30_000)
    await tag.click()
    sheet = page.get_by_test_id("product-sheet")
    await expect(sheet.get_by_role("button", name="One more")).to_be_enabled(timeout=30_000)
    await expect(sheet.locator("#sheet-quantity")).to_have_value("1")


@dataclass
class Window:
    """A measuring window: open until `close()`; round trips due before then still count."""

    closed_at: float = float("inf")

    @property
    def open(self) -> bool:
        return self.closed_at == float("inf")

    def close(self) -> None:
        self.closed_at = time.monotonic()


async def _observe(page, quota: int, window: Window, out: list[tuple[float, float]]) -> None:
    """Round trips on a timetable, one every 150-300 ms (random), due while `window` is
    open, until this observer has `quota` of them; appends (due time, ms or -1) to `out`.

    A round trip is timed from when it was due, not from when the previous one let it
    start: after a 2 s stall, the clicks that were due meanwhile go out at once and
    count as late as they are. Timing from the click only (a closed loop) would count a
    stall once, however long, and hide most of it (coordinated omission).
    """
    mine: list[tuple[float, float]] = []
    due = time.monotonic()
    while len(mine) < quota:
        wait = due - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        if due >= window.closed_at:
            break
        started = time.monotonic()
        elapsed = float(await page.evaluate(ROUND_TRIP_JS, [ROUND_TRIP_TIMEOUT_MS]))
        mine.append((due, (started - due) * 1000 + elapsed if elapsed >= 0 else -1.0))
        due += random.uniform(*GAP_SECONDS)
    out.extend(mine)


async def _open_checkout(page, base: str, product_id: int, qty: int) -> None:
    """A fresh checkout page (the quantity alternates: a new subject, so a new attempt), PIN typed."""
    from playwright.async_api import expect

    await page.goto(f"{base}/checkout?product={product_id}&app={APP}&qty={qty}")
    await expect(_pay_button(page)).to_be_enabled(timeout=PAY_TIMEOUT_MS)
    await page.locator("#field-pin").fill(PIN)


def _pay_button(page):
    return page.get_by_role("button", name=re.compile(r"^Pay\b"))


async def _pay(page, payments: Payments) -> None:
    interval = [time.monotonic(), float("inf")]
    payments.intervals.append(interval)
    try:
        await _pay_button(page).click()
        # wait_for polls on every animation frame (expect() backs off to 1 s between checks).
        await page.get_by_role("heading", name="Already paid — thank you!").wait_for(timeout=PAY_TIMEOUT_MS)
        interval[1] = time.monotonic()
    except Exception as exc:  # reported, and the run fails
        payments.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")


async def _run(base: str, accounts: dict, samples: int) -> dict:
    from playwright.async_api import async_playwright

    launch: dict = {"headless": True, "args": CHROMIUM_ARGS}
    if os.path.exists(CHROMIUM):
        launch["executable_path"] = CHROMIUM
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch)
        try:
            pages = {}
            for email in accounts["observers"] + accounts["payers"]:
                context = await browser.new_context(viewport={"width": 1280, "height": 900})
                pages[email] = await context.new_page()
            await asyncio.gather(*(_log_in(page, base, email) for email, page in pages.items()))
            observers = [pages[e] for e in accounts["observers"]]
            payers = [pages[e] for e in accounts["payers"]]
            await asyncio.gather(*(_open_sheet(page, base) for page in observers))
            # Warm-up (first renders, JIT): not counted.
            await asyncio.gather(*(_observe(page, 3, Window(), []) for page in observers))

            # Idle windows and busy waves alternate, so a change in the machine's load
            # (other programs, Chromium) weighs on both alike. Before each pair the
            # payers load a fresh checkout page and type their PIN (not measured:
            # loading pages is the browsers' work, and here they share the server's cores).
            # Idle: nobody pays, for as long as the last wave lasted. Busy: every payer
            # clicks Pay at once; round trips are timed until the last "Already paid".
            payments = Payments()
            idle: list[tuple[float, float]] = []
            busy: list[tuple[float, float]] = []
            counts = {"idle": {id(page): 0 for page in observers}, "busy": {id(page): 0 for page in observers}}
            waves = 0
            wave_starts: list[float] = []
            idle_seconds = 3.0
            deadline = time.monotonic() + 150

            def missing(phase: str) -> bool:
                return min(counts[phase].values()) < samples

            async def measure(phase: str, out: list, until) -> None:
                window = Window()
                got: dict[int, list[tuple[float, float]]] = {id(page): [] for page in observers}
                tasks = [
                    asyncio.create_task(_observe(page, samples - counts[phase][id(page)], window, got[id(page)]))
                    for page in observers
                ]
                await until
                window.close()
                await asyncio.gather(*tasks)
                for key, mine in got.items():
                    counts[phase][key] += len(mine)
                    out.extend(mine)

            while (missing("idle") or missing("busy")) and not payments.errors and time.monotonic() < deadline:
                await asyncio.gather(
                    *(_open_checkout(page, base, accounts["product_id"], 1 + waves % 2) for page in payers)
                )
                await asyncio.sleep(0.5)
                if missing("idle"):
                    await measure("idle", idle, asyncio.sleep(idle_seconds))
                if missing("busy"):
                    waves += 1
                    wave_starts.append(time.monotonic())
                    await measure("busy", busy, asyncio.gather(*(_pay(page, payments) for page in payers)))
                    idle_seconds = time.monotonic() - wave_starts[-1]
        finally:
            await browser.close()
    return {"idle": idle, "busy": busy, "payments": payments, "waves": waves, "wave_starts": wave_starts}


# ------------------------------------------------------------------ the measurement


def measure_event_latency(
    *,
    observers: int = 5,
    payers: int = 3,
    slow_seconds: float = 2.0,
    samples: int = 40,
    target_ratio: float = 1.5,
) -> dict:
    """Run part (b) and print it; returns the numbers and "ok" (see the module docstring)."""
    t0 = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="socialshop-latency-"))
    try:
        env = _app_env(workdir, slow_seconds)
        root = app_root(workdir)
        accounts = prepare_database(root, env, observers=observers, payers=payers)
        t_db = time.monotonic()
        with serve_app(root, env, workdir / "app.log") as base:
            t_up = time.monotonic()
            print(f"set-up: database {t_db - t0:.0f} s, app built and up {t_up - t_db:.0f} s "
                  f"({base}, 1 worker, SQLite)")
            result = asyncio.run(_run(base, accounts, samples))
    except Exception as exc:  # the build, the set-up or a browser: part (b) fails, part (a) stands
        detail = exc.stderr if isinstance(exc, subprocess.CalledProcessError) else ""
        print(f"(b) could not run: {type(exc).__name__}: {exc}\n{detail or ''}".rstrip(), file=sys.stderr)
        if "Executable doesn't exist" in str(exc) or "executable_path" in str(exc):
            print("(b) needs Chromium: `make browser`", file=sys.stderr)
        print("(b) FAILED")
        return {"ok": False}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    idle = [ms for _, ms in result["idle"] if ms >= 0]
    busy = [ms for _, ms in result["busy"] if ms >= 0]
    lost = sum(ms < 0 for _, ms in result["idle"] + result["busy"])
    payments: Payments = result["payments"]
    durations = payments.durations()
    covered = sum(payments.in_flight_at(start) for start, _ in result["busy"])
    numbers = {
        "idle_p50": percentile(idle, 50), "idle_p95": percentile(idle, 95),
        "busy_p50": percentile(busy, 50), "busy_p95": percentile(busy, 95),
    }
    numbers["ratio_p50"] = numbers["busy_p50"] / numbers["idle_p50"] if numbers["idle_p50"] else float("inf")
    numbers["ratio_p95"] = numbers["busy_p95"] / numbers["idle_p95"] if numbers["idle_p95"] else float("inf")

    # When in a wave a busy round trip started: the PIN checks (argon2, CPU-heavy) run
    # right after the clicks, then every payment waits in the gateway.
    early, late = [], []
    for start, ms in result["busy"]:
        if ms >= 0:
            wave_start = max((w for w in result["wave_starts"] if w <= start), default=start)
            (early if start - wave_start < EARLY_SECONDS else late).append(ms)

    def spread(values: list[float]) -> str:
        return (f"p50 {percentile(values, 50):.1f} ms, p95 {percentile(values, 95):.1f} ms, "
                f"max {max(values, default=0):.1f} ms")

    print(f"round trip ({observers} observers x {samples}, 'One more'/'One less' on a product sheet, "
          f"click -> DOM updated):")
    print(f"  idle: {spread(idle)}")
    print(f"  busy: {spread(busy)}  ({result['waves']} waves of payments, "
          f"{covered}/{len(result['busy'])} started while a payment was in flight)")
    print(f"    first {EARLY_SECONDS:g} s of a wave (PIN checks), {len(early)} round trips: {spread(early)}")
    print(f"    the rest (waiting on the gateway), {len(late)} round trips: {spread(late)}")
    print(f"payments by {payers} payers with the slow card ({slow_seconds:g} s): {len(durations)} done, "
          f"click -> paid p50 {percentile(durations, 50):.2f} s, max {max(durations, default=0):.2f} s")
    numbers["gateway_ratio_p50"] = percentile(late, 50) / numbers["idle_p50"] if numbers["idle_p50"] else float("inf")
    print(f"ratio busy/idle: p50 {numbers['ratio_p50']:.2f}x (target <= {target_ratio:g}x), "
          f"p95 {numbers['ratio_p95']:.2f}x; while waiting on the gateway only: "
          f"p50 {numbers['gateway_ratio_p50']:.2f}x")
    for error in payments.errors:
        print(f"  ! payer: {error}")
    if lost:
        print(f"  ! {lost} round trips never showed their result ({ROUND_TRIP_TIMEOUT_MS / 1000:.0f} s)")
    ok = (
        numbers["ratio_p50"] <= target_ratio and not lost and not payments.errors
        and len(durations) >= payers and covered > 0
    )
    print(f"(b) took {time.monotonic() - t0:.0f} s: {'OK' if ok else 'FAILED'}")
    return {**numbers, "payments": len(durations), "ok": ok}


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "setup":
    _setup_accounts(int(sys.argv[2]), int(sys.argv[3]))
