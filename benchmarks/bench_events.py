"""SocialShop's events against the bare-Reflex floor, both served in the same run.

    .venv/bin/python benchmarks/bench_events.py [--quick] [--clients 1,10,30] [--no-browser]

(a) bytes sent to the browser per event (websocket frames, light client): like a post,
    open the product sheet, add to cart, on the first feed page and after "Show more
    posts" twice; vs the floor's counter click. Target: a like <= 2 KB at any depth.
(b) server round trip p50/p95 at 1, 10, 30 concurrent light clients (each hydrated and
    logged in with its own account's token, liking posts; the floor's clients click the
    counter). Target: p95 <= 2x the floor at 30 clients.
(c) click -> screen p50/p95 in Chromium, 1 client: the like button until its count
    changes in the DOM, vs the floor's counter. Target: p95 <= 3x.

See benchmarks/README.md for the method and how to read the table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _floor import FEED_APP, PASSWORD, group_cpu_seconds, serve_floor_app, serve_socialshop  # noqa: E402
from _reflex_client import LightClient, state_name  # noqa: E402

FEED_PATH = f"/feed/{FEED_APP}"
FLOOR_INCREMENT = state_name("floor.floor", "CounterState") + ".increment"
QUIET_SECONDS = 0.3  # (a): an event's frames are those received until none came for this long
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TARGET_BYTES = 2048
TARGET_SERVER_RATIO = 2.0
TARGET_BROWSER_RATIO = 3.0


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class Names:
    """The full names of the app's handlers, found by name in its state tree (see _floor._setup)."""

    def __init__(self, handlers: dict[str, list[str]]):
        self.handlers = handlers
        self.session_state = self.one("require_login").rpartition(".")[0]

    def one(self, handler: str) -> str:
        found = self.handlers.get(handler, [])
        if len(found) != 1:
            raise RuntimeError(f"expected one event handler named {handler!r}, found {found}")
        return found[0]

    def storage(self, token: str) -> dict:
        return {f"{self.session_state}.auth_token": token}


# ------------------------------------------------------------------ (a) bytes per event


async def measure_bytes(floor: str, app, repeats: int) -> dict[str, float]:
    names = Names(app.info["handlers"])
    like, load_more = names.one("toggle_like"), names.one("load_more")
    open_product, add_to_cart = names.one("open_product"), names.one("add_to_cart")
    post_id = app.info["feed_post_ids"][0]
    product_id = app.info["product_id"]
    out: dict[str, float] = {}

    client = await LightClient.connect(floor, path="/")
    sizes = [(await client.send(FLOOR_INCREMENT, until_quiet=QUIET_SECONDS)).bytes for _ in range(repeats)]
    out["floor counter click"] = statistics.median(sizes)
    floor_hydrate = client.hydrate_bytes
    await client.close()

    # The last account: (b)'s clients use the others.
    client = await LightClient.connect(app, path=FEED_PATH, storage=names.storage(app.tokens[-1]))
    for depth in ("first page", "after Show more x2"):
        if depth != "first page":
            for _ in range(2):
                reply = await client.send(load_more, until_quiet=QUIET_SECONDS)
                out.setdefault("Show more posts", reply.bytes)
        sizes = [(await client.send(like, {"post_id": post_id}, until_quiet=QUIET_SECONDS)).bytes
                 for _ in range(repeats)]
        out[f"like, {depth}"] = statistics.median(sizes)
        sheet = await client.send(open_product, {"product_id": product_id, "app": FEED_APP, "post_id": post_id},
                                  until_quiet=QUIET_SECONDS)
        out[f"open product sheet, {depth}"] = sheet.bytes
        sizes = [(await client.send(add_to_cart, until_quiet=QUIET_SECONDS)).bytes for _ in range(repeats)]
        out[f"add to cart, {depth}"] = statistics.median(sizes)
    await client.close()
    out["hydrate: floor counter page"] = floor_hydrate
    out["hydrate: feed page (no compiled-state hashes sent)"] = client.hydrate_bytes
    return out


# ------------------------------------------------------------------ (b) server round trips


async def _client_loop(client: LightClient, event: str, payload: dict, count: int, think_ms: float,
                       out: list[float], start: asyncio.Event) -> None:
    await start.wait()
    for _ in range(count):
        out.append((await client.send(event, payload)).ms)
        await asyncio.sleep(random.uniform(0, 2 * think_ms) / 1000)


async def measure_round_trips(base, clients: int, *, events: int, think_ms: float, cpu_ms: list[float],
                              app=None) -> list[float]:
    """`clients` light clients at once, each sending `events` events (closed loop, think time).

    Appends to `cpu_ms` the server's CPU per event (its process group's, over the timed part).
    """
    if app is None:
        connected = await asyncio.gather(*(LightClient.connect(base, path="/") for _ in range(clients)))
        jobs = [(c, FLOOR_INCREMENT, {}) for c in connected]
    else:
        names = Names(app.info["handlers"])
        like = names.one("toggle_like")
        post_ids = app.info["feed_post_ids"]
        connected = []
        for n in range(clients):  # one at a time: 30 hydrates at once would only time out
            connected.append(await LightClient.connect(base, path=FEED_PATH, storage=names.storage(app.tokens[n])))
        jobs = [(c, like, {"post_id": post_ids[n % len(post_ids)]}) for n, c in enumerate(connected)]
    try:
        for client, event, payload in jobs:  # warm-up, not counted
            await client.send(event, payload)
        samples: list[float] = []
        start = asyncio.Event()
        tasks = [asyncio.create_task(_client_loop(c, e, p, events, think_ms, samples, start)) for c, e, p in jobs]
        cpu = group_cpu_seconds(base.pid)
        start.set()
        await asyncio.gather(*tasks)
        cpu_ms.append((group_cpu_seconds(base.pid) - cpu) * 1000 / max(len(samples), 1))
        return samples
    finally:
        await asyncio.gather(*(c.close() for c in connected), return_exceptions=True)


# ------------------------------------------------------------------ (c) click -> screen

# Click `button` and resolve with the ms until `target`'s text differs (-1 after 10 s).
CLICK_JS = """
async ([button, target]) => {
  const before = target.textContent;
  return await new Promise((resolve) => {
    let done = false;
    const finish = (v) => { if (!done) { done = true; observer.disconnect(); clearTimeout(timer); resolve(v); } };
    const observer = new MutationObserver(() => {
      if (target.textContent !== before) finish(performance.now() - t0);
    });
    observer.observe(target, {subtree: true, childList: true, characterData: true});
    const timer = setTimeout(() => finish(-1), 10000);
    const t0 = performance.now();
    button.click();
  });
}
"""


async def measure_browser(floor: str, app, samples: int) -> dict[str, list[float]]:
    from playwright.async_api import async_playwright, expect

    launch: dict = {"headless": True, "args": CHROMIUM_ARGS}
    if os.path.exists(CHROMIUM):
        launch["executable_path"] = CHROMIUM
    out: dict[str, list[float]] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch)
        try:
            page = await (await browser.new_context()).new_page()
            await page.goto(floor + "/")
            button = page.get_by_role("button", name="Increment")
            await expect(button).to_be_enabled()
            await expect(page.locator("#count")).to_have_text("0")
            handles = [await button.element_handle(), await page.locator("#count").element_handle()]
            out["floor counter"] = await _clicks(page, handles, samples)

            page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
            frames: list[int] = []
            page.on("websocket", lambda ws: ws.on("framereceived", lambda p: frames.append(
                len(p.encode()) if isinstance(p, str) else len(p))))
            await page.goto(f"{app}/login?next={FEED_PATH}")
            await page.get_by_label("Email").fill(app.emails[-1])
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_role("button", name="Log in").click()
            await page.wait_for_url(f"**{FEED_PATH}", timeout=30_000)
            articles = page.get_by_role("article")
            await expect(articles.first.get_by_role("button", name="Like")).to_be_visible(timeout=30_000)
            for depth in ("first page", "after Show more x2"):
                if depth != "first page":
                    for _ in range(2):
                        before = await articles.count()
                        more = page.get_by_role("button", name="Show more posts")
                        if await more.count():
                            await more.click()
                        else:  # an infinite scroll: the end of the list loads the next page
                            await articles.last.scroll_into_view_if_needed()
                        await expect(articles).not_to_have_count(before, timeout=30_000)
                like = articles.first.get_by_role("button", name="Like")
                handle = await like.element_handle()
                await page.wait_for_timeout(300)  # (not a test: let the page settle before timing)
                frames.clear()
                out[f"like, {depth} ({await articles.count()} posts)"] = await _clicks(page, [handle, handle], samples)
                out[f"browser bytes per like, {depth}"] = [sum(frames) / max(samples + 2, 1)]
        finally:
            await browser.close()
    return out


async def _clicks(page, handles, samples: int) -> list[float]:
    times = []
    for n in range(samples + 2):
        ms = float(await page.evaluate(CLICK_JS, handles))
        if ms < 0:
            raise RuntimeError("a click did not change the screen within 10 s")
        if n >= 2:  # the first two warm up
            times.append(ms)
        await asyncio.sleep(0.05)
    return times


# ------------------------------------------------------------------ the run


def _fmt_bytes(n: float) -> str:
    return f"{n:,.0f} B" if n < 10_000 else f"{n / 1024:,.1f} KB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer events and clicks (checks the run works)")
    parser.add_argument("--clients", default="1,10,30", help="concurrent light clients for (b)")
    parser.add_argument("--events", type=int, help="events per client in (b) (default 40, quick 10)")
    parser.add_argument("--think-ms", type=float, default=100.0, help="(b): mean pause between a client's events")
    parser.add_argument("--clicks", type=int, help="clicks timed in (c) (default 40, quick 10)")
    parser.add_argument("--no-browser", action="store_true", help="skip (c)")
    parser.add_argument("--only", choices=("a", "b", "c"), help="run one part")
    parser.add_argument("--source", type=Path, help="serve SocialShop from this tree's sources (e.g. an older "
                        "commit's `git archive`, to compare before/after)")
    args = parser.parse_args(argv)
    levels = [int(n) for n in args.clients.split(",")]
    events = args.events or (10 if args.quick else 40)
    clicks = args.clicks or (10 if args.quick else 40)
    repeats = 3 if args.quick else 5
    parts = {args.only} if args.only else {"a", "b", "c"} - ({"c"} if args.no_browser else set())

    t0 = time.monotonic()
    verdicts: list[bool] = []
    with serve_floor_app() as floor, serve_socialshop(users=max(levels) + 1, posts=70, source=args.source) as app:
        print(f"set-up {time.monotonic() - t0:.0f} s: floor {floor}, SocialShop {app} "
              f"({app.info['posts']} posts on {FEED_PATH}); 1 Granian worker each, {os.cpu_count()} CPUs")
        if "a" in parts:
            sizes = asyncio.run(measure_bytes(floor, app, repeats))
            floor_bytes = sizes["floor counter click"]
            print("\n(a) bytes sent to the browser per event (websocket frames, median)")
            print(f"  {'event':<52}{'bytes':>10}{'x floor':>10}")
            for name, size in sizes.items():
                base = sizes["hydrate: floor counter page"] if name.startswith("hydrate") else floor_bytes
                print(f"  {name:<52}{_fmt_bytes(size):>10}{size / base:>9.0f}x")
            worst_like = max(v for k, v in sizes.items() if k.startswith("like"))
            ok = worst_like <= TARGET_BYTES
            verdicts.append(ok)
            print(f"  target: a like <= {TARGET_BYTES} B at any depth: {_fmt_bytes(worst_like)} -> "
                  f"{'MET' if ok else 'NOT MET'}")
        if "b" in parts:
            print(f"\n(b) server round trip (light clients, event -> first delta frame; {events} events per "
                  f"client, think time 0-{2 * args.think_ms:.0f} ms)")
            print(f"  {'clients':>7}  {'floor p50':>10}{'p95':>9}  {'like p50':>10}{'p95':>9}  {'ratio p50':>10}{'p95':>7}"
                  f"  {'server CPU/event floor':>23}{'like':>9}")
            last_ratio = float("nan")
            for n in levels:
                cpu: list[float] = []
                floor_ms = asyncio.run(measure_round_trips(floor, n, events=events, think_ms=args.think_ms, cpu_ms=cpu))
                app_ms = asyncio.run(measure_round_trips(app, n, events=events, think_ms=args.think_ms, cpu_ms=cpu,
                                                         app=app))
                f50, f95 = percentile(floor_ms, 50), percentile(floor_ms, 95)
                a50, a95 = percentile(app_ms, 50), percentile(app_ms, 95)
                last_ratio = a95 / f95
                print(f"  {n:>7}  {f50:>8.1f}ms{f95:>7.1f}ms  {a50:>8.1f}ms{a95:>7.1f}ms  "
                      f"{a50 / f50:>9.1f}x{last_ratio:>6.1f}x  {cpu[0]:>20.2f}ms{cpu[1]:>7.2f}ms")
            ok = last_ratio <= TARGET_SERVER_RATIO
            verdicts.append(ok)
            print(f"  target: p95 <= {TARGET_SERVER_RATIO:g}x the floor at {levels[-1]} clients: "
                  f"{last_ratio:.1f}x -> {'MET' if ok else 'NOT MET'}")
        if "c" in parts:
            result = asyncio.run(measure_browser(floor, app, clicks))
            base = result.pop("floor counter")
            b50, b95 = percentile(base, 50), percentile(base, 95)
            print(f"\n(c) click -> screen in Chromium, 1 client, {clicks} clicks (p50 / p95)")
            print(f"  {'floor counter':<40}{b50:>8.1f}ms{b95:>8.1f}ms")
            worst = 0.0
            for name, values in result.items():
                if name.startswith("browser bytes"):
                    print(f"  {name:<40}{_fmt_bytes(values[0]):>18}")
                    continue
                p50, p95 = percentile(values, 50), percentile(values, 95)
                worst = max(worst, p95 / b95)
                print(f"  {name:<40}{p50:>8.1f}ms{p95:>8.1f}ms  {p50 / b50:>5.1f}x{p95 / b95:>6.1f}x")
            ok = worst <= TARGET_BROWSER_RATIO
            verdicts.append(ok)
            print(f"  target: p95 <= {TARGET_BROWSER_RATIO:g}x the floor: {worst:.1f}x -> {'MET' if ok else 'NOT MET'}")
    print(f"\ntook {time.monotonic() - t0:.0f} s; targets met: {sum(verdicts)}/{len(verdicts)}")
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
