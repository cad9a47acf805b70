"""Two backend worker processes of one deployment (PostgreSQL + Redis), as with `make run WORKERS=2`.

Only in the scale-out pass (`make e2e-scale`). The harness's backend is worker 1; this
module starts worker 2: another process serving the same app (`uvicorn --factory
socialshop.socialshop:app`, no rebuild) on a port of its own, with the same database and
the same Redis.

Behind one port nobody can choose the worker a tab lands on, so the test pins each tab:
the built frontend keeps the backend's address in a chunk of its own
(`assets/reflex-env-*.js`, written at build time), and tab B is served that chunk with
worker 2's address. Everything else tab B loads is the harness's build, unchanged. That
each tab really talks to its own worker is checked twice: in the browser (the address of
each tab's websocket) and in Reflex's own records in Redis (which worker instance owns
each tab's socket).
"""

from __future__ import annotations

import os
import pickle
import re
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from playwright.sync_api import expect
from reflex.utils.token_manager import RedisTokenManager

from tests.e2e.conftest import PROJECT_ROOT
from tests.e2e.pages import log_in_new_shopper
from tests.e2e.test_payments import PIN, buy_now_from_instagram, paid_entry, pay_button

SCALE_OUT = os.environ.get("SOCIALSHOP_E2E_DATABASE") == "postgresql" and bool(os.environ.get("REFLEX_REDIS_URL"))

pytestmark = [
    pytest.mark.skipif(
        not SCALE_OUT,
        reason="needs PostgreSQL and Redis (make e2e-scale): worker processes cannot share Reflex's "
        "in-memory state, and SQLite lets one process write at a time",
    ),
    pytest.mark.skipif(
        "config.getoption('base_url')",
        reason="--base-url is a deployment: this scenario starts a second worker next to the app the harness serves",
    ),
]

# `EVENT:"ws://127.0.0.1:41234/_event"` in the env chunk (quotes or backticks, minified or not).
EVENT_URL = re.compile(r"""EVENT["']?\s*:\s*[`"']wss?://([^/`"']+)/_event""")
ENV_CHUNK = re.compile(r"/assets/reflex-env-[^/]*\.js$")


class SecondWorker:
    def __init__(self, process: subprocess.Popen, address: str, log: Path) -> None:
        self.process = process
        self.address = address  # "127.0.0.1:PORT"
        self.log = log

    def errors(self) -> list[str]:
        text = self.log.read_text(errors="replace")
        return [line for line in text.splitlines() if "ERROR" in line or "Traceback" in line]


@pytest.fixture(scope="module")
def second_worker(base_url, tmp_path_factory) -> Iterator[SecondWorker]:
    """Worker 2: the app in a process of its own, on the harness's database and Redis.

    The listening socket is opened here and handed to uvicorn (`--fd`), so the port is
    known without a race, and the first request simply waits in the socket's queue until
    the worker has started: no polling."""
    listener = socket.create_server(("127.0.0.1", 0))
    address = "{}:{}".format(*listener.getsockname())
    log = tmp_path_factory.mktemp("worker2") / "worker2.log"
    env = {**os.environ, "REFLEX_SKIP_COMPILE": "true"}  # REFLEX_DB_URL: set by base_url
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "socialshop.socialshop:app",
             "--fd", str(listener.fileno()), "--log-level", "warning"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
        )
    listener.close()  # the worker holds the only copy now
    try:
        try:
            with urllib.request.urlopen(f"http://{address}/ping", timeout=90) as response:
                assert response.status == 200
        except OSError as error:
            pytest.fail(f"worker 2 did not start ({error}):\n{log.read_text(errors='replace')}")
        yield SecondWorker(process, address, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def pin_to_worker(page, address: str) -> list[str]:
    """Serve this tab the frontend's env chunk with `address` as the backend; returns the
    backend address the build had (the harness's worker)."""
    built: list[str] = []

    def serve_env(route):
        response = route.fetch()
        body = response.text()
        match = EVENT_URL.search(body)
        assert match, f"no backend address in the env chunk {route.request.url}: {body[:300]}"
        built.append(match.group(1))
        route.fulfill(
            status=200,
            content_type="text/javascript",
            body=body.replace(f"//{match.group(1)}/", f"//{address}/"),
        )

    page.route(ENV_CHUNK, serve_env)
    return built


def websocket_addresses(page) -> list[str]:
    addresses: list[str] = []
    page.on("websocket", lambda ws: addresses.append(ws.url.split("/")[2]))
    return addresses


def collect_console_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def socket_owner(redis_client, page) -> str:
    """The worker instance Reflex recorded in Redis as holding this tab's socket."""
    token = page.evaluate("() => window.sessionStorage.getItem('token')")
    assert token, "the tab has no Reflex client token"
    record = redis_client.get(f"{RedisTokenManager._token_socket_record_prefix}{token}")
    assert record is not None, f"Reflex has no socket record for the tab's token {token}"
    return pickle.loads(record).instance_id


def test_a_purchase_on_one_worker_shows_in_the_history_of_a_tab_on_another(page, new_context, second_worker, request):
    tab_a = page
    sockets_a = websocket_addresses(tab_a)
    # A shopper of its own: nobody else's payment can land between "before" and "paid".
    log_in_new_shopper(tab_a, request, name="Wanda Worker")
    # Tab B has the same login (LocalStorage copied over). Its pages' Content-Security-Policy
    # names the build's backend only, and rewriting the page itself would make Chromium
    # treat it as a public page barred from loopback: its context skips the CSP instead.
    tab_b = new_context(bypass_csp=True, storage_state=tab_a.context.storage_state()).new_page()
    sockets_b = websocket_addresses(tab_b)
    console_b = collect_console_errors(tab_b)
    built = pin_to_worker(tab_b, second_worker.address)
    tab_b.goto("/pay/history")
    entries_b = tab_b.get_by_test_id("history-entry")
    empty_b = tab_b.get_by_text("No payments yet.")
    expect(entries_b.first.or_(empty_b)).to_be_visible()
    before = "" if empty_b.is_visible() else entries_b.first.get_attribute("data-entry")

    buy_now_from_instagram(tab_a)
    tab_a.get_by_label("Pay PIN").fill(PIN)
    pay_button(tab_a).click()
    expect(tab_a.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()
    paid = paid_entry(tab_a)

    # Tab B opens its history again (on worker 2): the payment made on worker 1 is the newest.
    tab_b.goto("/pay/history")
    expect(entries_b.first).to_have_attribute("data-entry", paid)
    if before:
        expect(entries_b.nth(1)).to_have_attribute("data-entry", before)
    expect(entries_b.first).to_contain_text("Instagram")

    # Each tab talked to its own worker only: in the browser...
    worker_1 = built[0]
    assert worker_1 != second_worker.address
    assert set(built) == {worker_1}, built
    assert sockets_a and set(sockets_a) == {worker_1}, sockets_a
    assert sockets_b and set(sockets_b) == {second_worker.address}, sockets_b
    # ...and for Reflex: each worker process has its own instance id, recorded in Redis
    # as the owner of the sockets it holds.
    with redis.Redis.from_url(os.environ["REFLEX_REDIS_URL"]) as client:
        assert socket_owner(client, tab_a) != socket_owner(client, tab_b)
    assert second_worker.process.poll() is None, "worker 2 stopped"
    assert second_worker.process.pid != os.getpid()

    assert not console_b, f"browser console errors in tab B: {console_b}"
    assert not second_worker.errors(), f"worker 2 logged errors: {second_worker.errors()}"
