"""Lighthouse on the feed, a storefront and the Pay pages against a bare Reflex page (the floor).

    python benchmarks/lighthouse.py [--runs 3] [--desktop] [--pages feed,storefront,pay,pay-history]
    make lighthouse

The real app is built and served in prod mode by one backend worker on a throw-away
seeded SQLite database (as event_latency.py does), the floor by benchmarks/_floor.py
(a bare Reflex 0.10.1 app), both on spare loopback ports. One headless Chromium
(Debian's /usr/bin/chromium, `--headless=new --no-sandbox`) is started with remote
debugging; Playwright attaches to it and logs in through the login form (the token then
lives in that browser's LocalStorage, `socialshop_auth`), and the Lighthouse CLI (npm
package, pinned in benchmarks/lighthouse_node/, installed there on first use) audits
every page in that same browser with `--port`. Lighthouse clears the HTTP cache before
each audit but keeps LocalStorage (its default `clearStorageTypes`), so the pages load
cold and logged in.

Pages: the floor's page, the feed (/), the storefront /shop/caffe-aurora logged in and,
before logging in, logged out (counted only if it does not land on /login: it is not
public yet on every branch), /pay and /pay/history. Runs are interleaved (run 1 of
every page, then run 2, ...) so a change in the machine's load weighs on all alike;
the median of each figure over the runs is printed.

Lighthouse's default mobile emulation (Moto G Power, simulated slow 4G and 4x CPU
slowdown: the scores are computed by its simulator, Lantern, from the observed trace),
or `--desktop` (its desktop preset).

Targets (the issue), per page: performance >= floor - 0.03, LCP <= 1.2 x floor's LCP,
accessibility 100. Exit status 1 if a page misses one (the failing accessibility audits
are listed with the elements), 2 if the benchmark could not run. The last run's JSON
reports are kept in var/lighthouse/ for a closer look (open them in
https://googlechrome.github.io/lighthouse/viewer/).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _floor import free_port, serve_floor_app  # noqa: E402
from event_latency import PROJECT_ROOT, VENV_BIN, _app_env, app_root, serve_app  # noqa: E402

NODE_DIR = PROJECT_ROOT / "benchmarks" / "lighthouse_node"
LIGHTHOUSE_CLI = NODE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
REPORT_DIR = PROJECT_ROOT / "var" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EMAIL = "giulia@example.com"  # a seeded shopper
PASSWORD = "socialshop-demo"
SHOP = "caffe-aurora"
AUDIT_TIMEOUT = 180.0

# key: (label, path, logged in)
PAGES = {
    "storefront-public": ("storefront, logged out", f"/shop/{SHOP}", False),
    "feed": ("feed /", "/", True),
    "storefront": (f"storefront /shop/{SHOP}", f"/shop/{SHOP}", True),
    "pay": ("Pay /pay", "/pay", True),
    "pay-history": ("Pay history /pay/history", "/pay/history", True),
}
# The floor app's pages (benchmarks/_floor.py): "/" is the bare page the targets are judged
# against; "/items-state" (20 items from a state var filled by on_load: a first screen that
# waits for hydration and one event, as our feed's does) is printed for comparison.
FLOOR_PAGES = {
    "floor": ("floor: bare Reflex page /", "/"),
    "floor-onload": ("floor: on_load items", "/items-state"),
}
PERF_MARGIN = 0.03
LCP_RATIO = 1.2


def ensure_lighthouse() -> None:
    """The pinned Lighthouse CLI in benchmarks/lighthouse_node/node_modules (npm, first use only).

    `npm install` rather than `npm ci`: one of Lighthouse's packages asks for
    third-party-web "latest", which `npm ci` refuses whatever the lock file says.
    """
    if LIGHTHOUSE_CLI.exists():
        return
    if not shutil.which("npm") or not shutil.which("node"):
        raise RuntimeError("Lighthouse needs Node.js (>= 18.16) and npm")
    print("installing Lighthouse (npm, benchmarks/lighthouse_node) ...", flush=True)
    subprocess.run(["npm", "install", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund", "--loglevel", "error"],
                   check=True)


@contextlib.contextmanager
def chromium(workdir: Path, *, dark: bool = False) -> Iterator[int]:
    """A headless Chromium with remote debugging on a spare port; yields the port.

    `dark`: the system asks for a dark colour scheme (the app's theme follows it).
    """
    port = free_port()
    profile = workdir / "chromium-profile"
    proc = subprocess.Popen(
        [CHROMIUM, *CHROMIUM_FLAGS, *(["--force-dark-mode"] if dark else []), f"--remote-debugging-port={port}",
         f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Chromium ({CHROMIUM}) did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the group of the process started above
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


def _in_browser(port: int, base: str, *, log_in: bool) -> None:
    """Log in through the form, or forget the token (a visitor who never logged in).

    Playwright attaches to the browser only for this: attached, it would also attach to
    (and slow down) the tabs Lighthouse opens. It uses the default context, the one those
    tabs belong to, so they share its LocalStorage.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        page = browser.contexts[0].new_page()
        if log_in:
            page.goto(f"{base}/login")
            page.get_by_label("Email").fill(EMAIL)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(lambda url: "/login" not in url, timeout=60_000)
            if not page.evaluate("() => window.localStorage.getItem('socialshop_auth')"):
                raise RuntimeError("logged in, but no token in LocalStorage 'socialshop_auth'")
        else:
            page.goto(f"{base}/ping")
            page.evaluate("() => window.localStorage.clear()")
        page.close()
        browser.close()  # connected, not launched: this only disconnects


def measure(base: str, floor: str | None, port: int, keys: list[str], runs: int, *,
            desktop: bool, t0: float) -> dict[str, list[dict]]:
    """Every run: the floor and the logged-out pages, log in, the logged-in pages (then log out)."""
    results: dict[str, list[dict]] = {}
    floors = [(k, floor + path) for k, (_, path) in FLOOR_PAGES.items()] if floor else []
    before = floors + [(k, base + PAGES[k][1]) for k in keys if not PAGES[k][2]]
    after = [(k, base + PAGES[k][1]) for k in keys if PAGES[k][2]]
    for run in range(runs):
        _in_browser(port, base, log_in=False)
        for key, url in before:
            results.setdefault(key, []).append(audit(url, port, REPORT_DIR / f"{key}.json", desktop=desktop))
        if after:
            _in_browser(port, base, log_in=True)
        for key, url in after:
            results.setdefault(key, []).append(audit(url, port, REPORT_DIR / f"{key}.json", desktop=desktop))
        print(f"  run {run + 1}/{runs} done ({time.monotonic() - t0:.0f} s)", flush=True)
    return results


def audit(url: str, port: int, out: Path, *, desktop: bool) -> dict:
    """One Lighthouse run (performance + accessibility) in the browser on `port`."""
    cmd = [
        "node", str(LIGHTHOUSE_CLI), url, f"--port={port}", "--output=json", f"--output-path={out}",
        "--only-categories=performance,accessibility", "--quiet", "--max-wait-for-load=60000",
    ]
    if desktop:
        cmd.append("--preset=desktop")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=AUDIT_TIMEOUT,
                          env={**os.environ, "CHROME_PATH": CHROMIUM})
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"lighthouse failed on {url}: {proc.stderr.strip()[-800:]}")
    report = json.loads(out.read_text())
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse on {url}: {report['runtimeError'].get('message')}")
    audits = report["audits"]
    failing = []
    for ref in report["categories"]["accessibility"]["auditRefs"]:
        item = audits[ref["id"]]
        if ref["weight"] and item.get("score") is not None and item["score"] < 1:
            nodes = [
                f"{d.get('node', {}).get('snippet', '')[:110]}  ({d.get('node', {}).get('explanation', '')[:160]})"
                for d in (item.get("details") or {}).get("items", [])[:4]
            ]
            failing.append({"id": ref["id"], "title": item["title"], "nodes": nodes})
    return {
        "final_url": report.get("finalDisplayedUrl", url),
        "performance": report["categories"]["performance"]["score"],
        "accessibility": report["categories"]["accessibility"]["score"],
        "lcp": audits["largest-contentful-paint"].get("numericValue"),
        "fcp": audits["first-contentful-paint"].get("numericValue"),
        "tbt": audits["total-blocking-time"].get("numericValue"),
        "bytes": audits["total-byte-weight"].get("numericValue"),
        "a11y_failing": failing,
    }


def _median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize(runs: list[dict]) -> dict:
    return {
        "performance": _median([r["performance"] for r in runs]),
        "accessibility": min((r["accessibility"] for r in runs if r["accessibility"] is not None), default=None),
        "lcp": _median([r["lcp"] for r in runs]),
        "fcp": _median([r["fcp"] for r in runs]),
        "tbt": _median([r["tbt"] for r in runs]),
        "bytes": _median([r["bytes"] for r in runs]),
        "final_url": runs[-1]["final_url"],
        "a11y_failing": runs[-1]["a11y_failing"],
        "runs": len(runs),
    }


def _prepare_app(workdir: Path) -> tuple[Path, dict[str, str]]:
    env = _app_env(workdir, 0.0)
    root = app_root(workdir)
    for cmd in ([str(VENV_BIN / "reflex"), "db", "migrate"], [sys.executable, "-m", "socialshop.seed"]):
        subprocess.run(cmd, cwd=root, env=env, check=True, capture_output=True)
    return root, env


@contextlib.contextmanager
def _floor(enabled: bool) -> Iterator[str | None]:
    if not enabled:
        yield None
        return
    with serve_floor_app() as url:
        yield url.rstrip("/")


def _fmt_score(score: float | None) -> str:
    return "-" if score is None else f"{round(score * 100):>3d}"


def _fmt_ms(ms: float | None) -> str:
    return "-" if ms is None else f"{ms / 1000:.2f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (median); default 3")
    parser.add_argument("--desktop", action="store_true", help="Lighthouse's desktop preset (default: mobile)")
    parser.add_argument("--dark", action="store_true", help="a browser asking for the dark colour scheme")
    parser.add_argument("--pages", default=",".join(PAGES),
                        help=f"comma-separated subset of {', '.join(PAGES)}")
    parser.add_argument("--no-floor", action="store_true", help="only our pages (no ratios, no verdicts)")
    args = parser.parse_args()
    keys = [k.strip() for k in args.pages.split(",") if k.strip()]
    unknown = [k for k in keys if k not in PAGES]
    if unknown or args.runs < 1:
        parser.error(f"unknown pages {unknown}" if unknown else "--runs must be >= 1")

    t0 = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="socialshop-lighthouse-"))
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    try:
        ensure_lighthouse()
        root, env = _prepare_app(workdir)
        with serve_app(root, env, workdir / "app.log") as base, _floor(not args.no_floor) as floor, \
                chromium(workdir, dark=args.dark) as port:
            print(f"set-up {time.monotonic() - t0:.0f} s: app {base} (prod, 1 worker, SQLite), floor {floor or '-'}, "
                  f"Chromium {CHROMIUM} on :{port}, {'desktop' if args.desktop else 'mobile'} emulation{', dark scheme' if args.dark else ''}, "
                  f"{args.runs} run(s) per page", flush=True)
            results = measure(base, floor, port, keys, args.runs, desktop=args.desktop, t0=t0)
    except Exception as exc:
        detail = exc.stderr if isinstance(exc, subprocess.CalledProcessError) else ""
        print(f"lighthouse could not run: {type(exc).__name__}: {exc}\n{detail or ''}".rstrip(), file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    return report(results, keys)


def report(results: dict[str, list[dict]], keys: list[str]) -> int:
    summary = {key: summarize(runs) for key, runs in results.items()}
    floor = summary.get("floor")
    print()
    print(f"{'page':<32} {'perf':>4} {'LCP':>8} {'FCP':>8} {'TBT':>7} {'KB':>6} {'a11y':>4}  verdict")
    labels = {**{k: v[0] for k, v in FLOOR_PAGES.items()}, **{k: v[0] for k, v in PAGES.items()}}
    onload = summary.get("floor-onload")
    missed = 0
    for key in [*FLOOR_PAGES, *keys]:
        s = summary.get(key)
        if s is None:
            continue
        line = (f"{labels[key]:<32} {_fmt_score(s['performance']):>4} {_fmt_ms(s['lcp']):>8} {_fmt_ms(s['fcp']):>8} "
                f"{(s['tbt'] or 0):>5.0f}ms {(s['bytes'] or 0) / 1024:>6.0f} {_fmt_score(s['accessibility']):>4}")
        if key in FLOOR_PAGES:
            print(line)
            continue
        if "/login" in s["final_url"]:
            print(f"{line}  not measured: it lands on /login (not public)")
            continue
        verdicts = []
        if floor and s["performance"] is not None and floor["performance"] is not None:
            need = floor["performance"] - PERF_MARGIN
            verdicts.append(("perf", s["performance"] >= need - 1e-9, f">= {need * 100:.0f}"))
        if floor and s["lcp"] and floor["lcp"]:
            need = floor["lcp"] * LCP_RATIO
            versus = f", {s['lcp'] / onload['lcp']:.2f}x on_load" if onload and onload["lcp"] else ""
            verdicts.append(("LCP", s["lcp"] <= need, f"<= {need / 1000:.2f} s: {s['lcp'] / floor['lcp']:.2f}x{versus}"))
        verdicts.append(("a11y", s["accessibility"] == 1, "= 100"))
        missed += sum(not ok for _, ok, _ in verdicts)
        print(f"{line}  " + ", ".join(f"{name} {'ok' if ok else 'MISSED'} ({need})" for name, ok, need in verdicts))
    for key in keys:
        s = summary.get(key)
        if s and s["a11y_failing"] and "/login" not in s["final_url"]:
            print(f"\naccessibility audits failing on {labels[key]}:")
            for item in s["a11y_failing"]:
                print(f"  - {item['id']}: {item['title']}")
                for node in item["nodes"]:
                    print(f"      {node}")
    print(f"\nmedians of {max(s['runs'] for s in summary.values())} run(s); accessibility: the lowest run. "
          f"Reports of the last run: {REPORT_DIR}/<page>.json")
    if not floor:
        print("no floor measured: performance and LCP not judged")
    print(f"result: {'all targets met' if not missed else f'{missed} target(s) missed'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
