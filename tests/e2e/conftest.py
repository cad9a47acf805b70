"""Browser scenarios: against the app the harness builds and starts (default) or any
running deployment (`--base-url https://...`).

The harness gives the app its own temporary database, migrated with `reflex db migrate`
and seeded with the demo data, so scenarios never touch a developer's data. One server and one
database serve the whole run, serial or spread over pytest-xdist workers (shared_server.py).
Every scenario fails on a browser console error or a backend ERROR log, and the ledger
invariants are checked once all scenarios have run (by the controller, at session end).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.conftest import POSTGRES_ADMIN_URL, _postgres_available
from tests.e2e import shared_server

# expect() returns as soon as its condition holds; the ceiling only matters on a loaded
# 2-core machine (CI builds, PostgreSQL and the browser share it), where 5 s is too tight.
expect.set_options(timeout=15_000)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
DEMO_PASSWORD = "socialshop-demo"


def pytest_configure(config):
    """Failure videos need Playwright's ffmpeg (`make e2e` provides it); without it, skip videos."""
    if getattr(config.option, "video", "off") == "off":
        return
    sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
    from install_browser import playwright_ffmpeg_path

    if not playwright_ffmpeg_path().exists():
        config.option.video = "off"


# The scenarios `make e2e-scale` runs again on PostgreSQL + Redis: where the scale-out mode
# behaves differently (state in Redis across workers and tabs, row locks and concurrent money
# paths on PostgreSQL). The rest only render pages, which the SQLite run already covers; running
# all of them twice would take `make test` past CI's time budget.
SCALE_MODULES = {
    "test_workers.py",
    "test_payment_faults.py",
    "test_pay_journey.py",
    "test_privacy.py",
    "test_merchant_journey.py",
}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if Path(str(item.fspath)).name in SCALE_MODULES:
                item.add_marker(pytest.mark.scale)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    if os.path.exists(CHROMIUM):
        args["executable_path"] = CHROMIUM
    return args


def _shared_server(pytestconfig) -> dict:
    """The run's one app server and database (shared_server.py), started on first use by
    whichever process (serial run or xdist worker) needs it first."""
    if os.environ.get("SOCIALSHOP_E2E_DATABASE") == "postgresql" and not _postgres_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}")
        pytest.skip("PostgreSQL is not reachable")
    try:
        return shared_server.ensure_started()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def test_database(pytestconfig) -> str:
    """The migrated, seeded database the app server serves: SQLite by default, a throw-away
    PostgreSQL one with SOCIALSHOP_E2E_DATABASE=postgresql (the scale-out mode). Shared by
    every scenario of the run: write only rows of your own (world.py makes them)."""
    if pytestconfig.getoption("base_url", None):
        pytest.skip("writes its data straight into the harness's database (not with --base-url)")
    return _shared_server(pytestconfig)["database_url"]


@pytest.fixture(scope="session")
def base_url(pytestconfig) -> str:
    """pytest-playwright resolves relative `page.goto` against this."""
    given = pytestconfig.getoption("base_url", None)
    if given:
        return given.rstrip("/")
    server = _shared_server(pytestconfig)
    # Code a scenario runs in this process (socialshop.db.session_scope, a second worker in
    # test_workers.py) uses the server's database.
    os.environ["REFLEX_DB_URL"] = server["database_url"]
    os.environ.setdefault("REFLEX_USE_SYSTEM_BUN", "1")
    os.environ["REFLEX_TELEMETRY_ENABLED"] = "false"

    from socialshop.db import get_engine

    get_engine.cache_clear()
    return server["base_url"]


class _ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def fail_on_errors(request) -> Iterator[None]:
    """Any backend ERROR log or browser console error fails the scenario that caused it."""
    pages = [request.getfixturevalue(name) for name in ("page", "phone_page") if name in request.fixturenames]
    console_errors: list[str] = []
    for page in pages:
        page.on(
            "console",
            lambda msg: console_errors.append(f"{msg.text} ({msg.location.get('url', '')})")
            if msg.type == "error"
            else None,
        )
        page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    handler = _ErrorRecords()
    logging.getLogger().addHandler(handler)
    server_log_offset = shared_server.backend_errors_offset()
    try:
        yield
    finally:
        logging.getLogger().removeHandler(handler)
    backend_errors = [handler.format(r) for r in handler.records]
    # The app server is shared by the run: with xdist workers, an error it logs while two
    # scenarios run is reported by both (a backend ERROR is a bug either way).
    server_errors = shared_server.backend_errors_since(server_log_offset)
    if server_errors:
        backend_errors.append(server_errors)
    assert not backend_errors, f"backend logged errors: {backend_errors}"
    assert not console_errors, f"browser console errors: {console_errors}"


@pytest.fixture
def phone_page(new_context):
    """A phone-sized page; pytest-playwright's new_context keeps its trace/video on failure."""
    return new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()


def log_in(page, email: str, password: str = DEMO_PASSWORD, *, next_path: str = "") -> None:
    """Log in through the form (the page is in English until the account's language loads)."""
    page.goto(f"/login?next={quote(next_path, safe='/')}" if next_path else "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def submit_sign_up(page, *, name: str, email: str, password: str) -> None:
    """Fill and send the sign-up form."""
    page.goto("/signup")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign up").click()


def sign_up(page, *, name: str, email: str, password: str) -> None:
    """Create an account and log in with it (sign-up itself never logs in: its answer must
    be the same whether the email is new or already registered)."""
    submit_sign_up(page, name=name, email=email, password=password)
    expect(page).to_have_url(re.compile(r"/login\?signed_up=1"))
    expect(page.get_by_text("Sign-up received.")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def seeded_instagram_post(page):
    """The newest seeded Instagram post: Caffè Aurora's, tagging two products. Scenarios that
    publish posts (merchant products, the merchants' journey) put theirs on top of the feed,
    so "the first article" would depend on which scenarios ran before."""
    return page.get_by_role("article").filter(has_text="Caffè Aurora").first
