"""The Stripe gateway against a real localstripe server, plus a stub API for what localstripe cannot say.

What each check reads back goes through the official SDK, not through the provider under test.
"""

from __future__ import annotations

import datetime
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO
from urllib.parse import parse_qs

import pytest
import stripe

from socialshop import payments
from socialshop.payments import CardInput, DeclineCode, PaymentDeclined, ProviderUnavailable
from socialshop.payments.stripe import StripeProvider, decline_code_for

API_KEY = "sk_test_socialshop"
NEXT_YEAR = datetime.date.today().year + 1


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_listening(proc: subprocess.Popen, port: int, log: IO[bytes]) -> None:
    deadline = time.monotonic() + 20
    while True:
        if proc.poll() is not None:
            log.seek(0)
            pytest.fail(f"localstripe exited with {proc.returncode}: {log.read().decode(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail("localstripe did not accept connections within 20 s")
            time.sleep(0.05)


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    port = _free_port()
    with tempfile.TemporaryFile() as log:
        # --from-scratch: localstripe otherwise reloads whatever an earlier run pickled to /tmp.
        proc = subprocess.Popen(
            [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_listening(proc, port, log)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def sdk(localstripe_url) -> stripe.StripeClient:
    return stripe.StripeClient(API_KEY, base_addresses={"api": localstripe_url})


@pytest.fixture
def provider(localstripe_url) -> StripeProvider:
    return StripeProvider(api_key=API_KEY, api_base=localstripe_url)


@pytest.fixture
def customer(provider) -> str:
    return provider.create_customer(email="ada@example.com", name="Ada Lovelace")


def card(number: str, cvc: str = "123") -> CardInput:
    return CardInput(number=number, exp_month=12, exp_year=NEXT_YEAR, cvc=cvc, holder_name="Ada Lovelace")


def succeeded_charges(sdk: stripe.StripeClient, customer: str) -> list[str]:
    intents = [
        pi.id
        for pi in sdk.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
        if pi.customer == customer and pi.status == "succeeded"
    ]
    charges = [
        ch.id
        for ch in sdk.v1.charges.list(params={"customer": customer, "limit": 100}).auto_paging_iter()
        if ch.status == "succeeded"
    ]
    return intents + charges


def latest_charge_id(sdk: stripe.StripeClient, intent_id: str) -> str:
    latest = sdk.v1.payment_intents.retrieve(intent_id).latest_charge
    # localstripe expands the charge where Stripe gives its id.
    return latest if isinstance(latest, str) else latest.id


def test_customer_exists_with_its_details(provider, sdk):
    ref = provider.create_customer(email="grace@example.com", name="Grace Hopper")
    remote = sdk.v1.customers.retrieve(ref)
    assert (remote.email, remote.name) == ("grace@example.com", "Grace Hopper")


def test_tokenize_and_charge_a_good_card(provider, sdk, customer):
    saved = provider.tokenize_card(customer_ref=customer, card=card("4242 4242 4242 4242"))
    assert (saved.brand, saved.last4, saved.exp_month, saved.exp_year) == ("visa", "4242", 12, NEXT_YEAR)
    method = sdk.v1.payment_methods.retrieve(saved.token)
    assert method.customer == customer
    assert method.billing_details.name == "Ada Lovelace"

    charge = provider.charge(
        customer_ref=customer,
        card_token=saved.token,
        amount_cents=2599,
        currency="EUR",
        idempotency_key="order-42-attempt-1",
        description="Order #42",
    )

    assert charge.amount_cents == 2599
    assert charge.currency == "EUR"
    intent = sdk.v1.payment_intents.retrieve(charge.provider_ref)
    assert intent.status == "succeeded"
    assert intent.amount == 2599
    assert intent.currency == "eur"
    assert intent.customer == customer
    assert intent.payment_method == saved.token
    assert intent.metadata["description"] == "Order #42"
    assert intent.metadata["socialshop_key"] == "order-42-attempt-1"
    assert succeeded_charges(sdk, customer) == [
        charge.provider_ref,
        latest_charge_id(sdk, charge.provider_ref),
    ]


def charge_new_card(provider: StripeProvider, customer: str, number: str) -> None:
    """Save and charge a card the way checkout does: a gateway may refuse at either step."""
    saved = provider.tokenize_card(customer_ref=customer, card=card(number))
    provider.charge(
        customer_ref=customer,
        card_token=saved.token,
        amount_cents=1000,
        currency="EUR",
        idempotency_key=number,
    )


def test_declined_card(provider, sdk, customer):
    with pytest.raises(PaymentDeclined) as info:
        charge_new_card(provider, customer, "4000000000000002")
    assert info.value.code is DeclineCode.CARD_DECLINED
    assert info.value.message == "Your card was declined."
    assert succeeded_charges(sdk, customer) == []
    assert list(sdk.v1.payment_methods.list(params={"customer": customer, "type": "card"}).data) == []


def test_insufficient_funds_card(provider, sdk, customer):
    with pytest.raises(PaymentDeclined) as info:
        charge_new_card(provider, customer, "4000000000009995")
    assert succeeded_charges(sdk, customer) == []
    if info.value.code is DeclineCode.CARD_DECLINED:
        pytest.skip(
            "localstripe refuses 4000000000009995 at attach with the generic card_declined code; "
            "the insufficient_funds mapping is covered against the stub API below"
        )
    assert info.value.code is DeclineCode.INSUFFICIENT_FUNDS


def test_card_refused_at_charge_time(provider, sdk, customer):
    # localstripe attaches 4000000000000341 and refuses it when the PaymentIntent is confirmed.
    saved = provider.tokenize_card(customer_ref=customer, card=card("4000000000000341"))
    with pytest.raises(PaymentDeclined) as info:
        provider.charge(
            customer_ref=customer,
            card_token=saved.token,
            amount_cents=1000,
            currency="EUR",
            idempotency_key="k341",
        )
    assert info.value.code is DeclineCode.CARD_DECLINED
    assert succeeded_charges(sdk, customer) == []


def attached_card(sdk: stripe.StripeClient, customer: str, number: str) -> str:
    """A card attached behind the provider's back (as one saved by an older version, before
    cards went through a SetupIntent): how a 3-D Secure card reaches a charge."""
    method = sdk.v1.payment_methods.create(
        params={"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": NEXT_YEAR, "cvc": "123"}}
    )
    sdk.v1.payment_methods.attach(method.id, params={"customer": customer})
    return method.id


def setup_intents_of(sdk: stripe.StripeClient, customer: str) -> list[tuple[str, str | None]]:
    return [
        (si.status, si.payment_method)
        for si in sdk.v1.setup_intents.list(params={"limit": 100}).auto_paging_iter()
        if si.customer == customer
    ]


def test_a_card_is_saved_through_a_confirmed_setup_intent(provider, sdk, customer):
    saved = provider.tokenize_card(customer_ref=customer, card=card("4242424242424242"))
    assert setup_intents_of(sdk, customer) == [("succeeded", saved.token)]
    assert sdk.v1.setup_intents.list(params={"limit": 100}).data[0].usage == "off_session"
    assert sdk.v1.payment_methods.retrieve(saved.token).customer == customer


def test_a_card_needing_authentication_is_refused_at_setup_and_its_setup_intent_canceled(provider, sdk, customer):
    # 3-D Secure needs the cardholder on Stripe's page, which a server-side save cannot show.
    with pytest.raises(PaymentDeclined) as info:
        provider.tokenize_card(customer_ref=customer, card=card("4000002500003155"))
    assert info.value.code is DeclineCode.CARD_DECLINED
    assert [status for status, _ in setup_intents_of(sdk, customer)] == ["canceled"]
    assert list(sdk.v1.payment_methods.list(params={"customer": customer, "type": "card"}).data) == []


def test_a_declined_card_is_refused_at_setup(provider, sdk, customer):
    with pytest.raises(PaymentDeclined) as info:
        provider.tokenize_card(customer_ref=customer, card=card("4000000000000002"))
    assert info.value.code is DeclineCode.CARD_DECLINED
    assert [status for status, _ in setup_intents_of(sdk, customer)] == ["canceled"]


def test_detach_removes_the_card_from_the_customer_and_cannot_be_charged(provider, sdk, customer):
    saved = provider.tokenize_card(customer_ref=customer, card=card("4242424242424242"))
    other = provider.tokenize_card(customer_ref=customer, card=card("5555555555554444"))
    provider.detach_method(customer_ref=customer, token=saved.token)
    assert sdk.v1.payment_methods.retrieve(saved.token).customer is None
    assert sdk.v1.payment_methods.retrieve(other.token).customer == customer
    # Twice, or a token Stripe never issued: quiet, there is nothing left to charge.
    provider.detach_method(customer_ref=customer, token=saved.token)
    provider.detach_method(customer_ref=customer, token="pm_unknown0000")
    provider.detach_method(customer_ref=customer, token="")


def test_detach_when_stripe_is_down_is_unavailable():
    down = StripeProvider(api_key=API_KEY, api_base=f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(ProviderUnavailable):
        down.detach_method(customer_ref="cus_x", token="pm_x")


def test_paypal_is_not_supported_on_stripe(provider, customer):
    with pytest.raises(payments.MethodNotSupported):
        provider.link_account(customer_ref=customer, kind="paypal", email="ada@example.com")


def test_card_needing_authentication_is_declined_and_its_intent_canceled(provider, sdk, customer):
    # 3-D Secure cannot happen off-session: the intent stops at requires_action.
    token = attached_card(sdk, customer, "4000002500003155")
    with pytest.raises(PaymentDeclined) as info:
        provider.charge(
            customer_ref=customer,
            card_token=token,
            amount_cents=1000,
            currency="EUR",
            idempotency_key="k3ds",
        )
    assert info.value.code is DeclineCode.CARD_DECLINED
    statuses = [
        pi.status
        for pi in sdk.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
        if pi.customer == customer
    ]
    assert statuses == ["canceled"]


@pytest.fixture
def paid(provider, customer) -> str:
    saved = provider.tokenize_card(customer_ref=customer, card=card("4242424242424242"))
    return provider.charge(
        customer_ref=customer,
        card_token=saved.token,
        amount_cents=5000,
        currency="EUR",
        idempotency_key="order-9",
    ).provider_ref


def refunded_amounts(sdk: stripe.StripeClient, intent_id: str) -> list[int]:
    return sorted(r.amount for r in sdk.v1.refunds.list(params={"payment_intent": intent_id}).data)


def test_full_refund(provider, sdk, paid):
    refund = provider.refund(charge_ref=paid, amount_cents=5000, idempotency_key="refund-9-1")
    assert refund.amount_cents == 5000
    assert refund.provider_ref.startswith("re_")
    assert sdk.v1.refunds.retrieve(refund.provider_ref).amount == 5000
    assert refunded_amounts(sdk, paid) == [5000]
    charge = sdk.v1.charges.retrieve(latest_charge_id(sdk, paid))
    assert (charge.amount_refunded, charge.refunded) == (5000, True)


def test_partial_refunds(provider, sdk, paid):
    first = provider.refund(charge_ref=paid, amount_cents=1200, idempotency_key="refund-9-1")
    second = provider.refund(charge_ref=paid, amount_cents=800, idempotency_key="refund-9-2")
    assert (first.amount_cents, second.amount_cents) == (1200, 800)
    assert first.provider_ref != second.provider_ref
    assert refunded_amounts(sdk, paid) == [800, 1200]
    charge = sdk.v1.charges.retrieve(latest_charge_id(sdk, paid))
    assert (charge.amount_refunded, charge.refunded) == (2000, False)


def test_refund_of_an_unknown_charge_is_not_a_decline(provider):
    with pytest.raises(ProviderUnavailable):
        provider.refund(charge_ref="pi_doesnotexist", amount_cents=100, idempotency_key="r-unknown")


# --- find_or_void_charge: what became of a charge whose answer was lost ---------------------


def intent_for(
    sdk: stripe.StripeClient, customer: str, method: str, key: str, *, confirm: bool = False
) -> stripe.PaymentIntent:
    """A PaymentIntent carrying our key, made behind the provider's back (as a lost request leaves it)."""
    params = {
        "amount": 1500,
        "currency": "eur",
        "customer": customer,
        "payment_method": method,
        "metadata": {"socialshop_key": key},
    }
    if confirm:
        params.update(confirm=True, off_session=True)
    return sdk.v1.payment_intents.create(params=params)


def intents_of(sdk: stripe.StripeClient, customer: str) -> dict[str, str]:
    return {
        pi.id: pi.status
        for pi in sdk.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
        if pi.customer == customer
    }


def test_find_returns_the_charge_made_with_the_key(provider, sdk, customer):
    saved = provider.tokenize_card(customer_ref=customer, card=card("4242424242424242"))
    made = provider.charge(
        customer_ref=customer,
        card_token=saved.token,
        amount_cents=2599,
        currency="EUR",
        idempotency_key="attempt-lost-1",
        description="Order #7",
    )
    other = provider.charge(
        customer_ref=customer, card_token=saved.token, amount_cents=100, currency="EUR", idempotency_key="other"
    )
    before = intents_of(sdk, customer)

    found = provider.find_or_void_charge(idempotency_key="attempt-lost-1", customer_ref=customer)

    assert found == made
    assert found.currency == "EUR" and found.amount_cents == 2599
    assert found.provider_ref != other.provider_ref
    # Asking again gives the same answer, and asking never charges.
    assert provider.find_or_void_charge(idempotency_key="attempt-lost-1", customer_ref=customer) == made
    assert intents_of(sdk, customer) == before


def test_find_without_any_intent_is_none(provider, sdk, customer):
    saved = provider.tokenize_card(customer_ref=customer, card=card("4242424242424242"))
    provider.charge(
        customer_ref=customer, card_token=saved.token, amount_cents=100, currency="EUR", idempotency_key="k-1"
    )
    before = intents_of(sdk, customer)
    assert provider.find_or_void_charge(idempotency_key="never-sent", customer_ref=customer) is None
    assert intents_of(sdk, customer) == before


def test_find_ignores_another_customers_intent_with_the_same_key(provider, sdk, customer):
    stranger = provider.create_customer(email="eve@example.com", name="Eve")
    saved = provider.tokenize_card(customer_ref=stranger, card=card("4242424242424242"))
    provider.charge(
        customer_ref=stranger, card_token=saved.token, amount_cents=100, currency="EUR", idempotency_key="shared"
    )
    assert provider.find_or_void_charge(idempotency_key="shared", customer_ref=customer) is None


def test_find_cancels_an_intent_that_could_still_succeed(provider, sdk, customer):
    saved = provider.tokenize_card(customer_ref=customer, card=card("4242424242424242"))
    pending = intent_for(sdk, customer, saved.token, "attempt-pending")
    assert pending.status == "requires_confirmation"

    assert provider.find_or_void_charge(idempotency_key="attempt-pending", customer_ref=customer) is None

    assert intents_of(sdk, customer) == {pending.id: "canceled"}
    assert succeeded_charges(sdk, customer) == []
    # Already canceled: found again, nothing more to do.
    assert provider.find_or_void_charge(idempotency_key="attempt-pending", customer_ref=customer) is None


def test_find_cancels_an_intent_waiting_for_authentication(provider, sdk, customer):
    waiting = intent_for(sdk, customer, attached_card(sdk, customer, "4000002500003155"), "attempt-3ds", confirm=True)
    assert waiting.status == "requires_action"

    assert provider.find_or_void_charge(idempotency_key="attempt-3ds", customer_ref=customer) is None
    assert intents_of(sdk, customer) == {waiting.id: "canceled"}


def test_find_after_a_decline_is_none(provider, sdk, customer):
    saved = provider.tokenize_card(customer_ref=customer, card=card("4000000000000341"))
    with pytest.raises(PaymentDeclined):
        provider.charge(
            customer_ref=customer, card_token=saved.token, amount_cents=100, currency="EUR", idempotency_key="k341"
        )
    assert provider.find_or_void_charge(idempotency_key="k341", customer_ref=customer) is None
    assert set(intents_of(sdk, customer).values()) == {"canceled"}


def test_find_with_a_duplicate_intent_returns_the_success_and_voids_the_rest(provider, sdk, customer):
    # localstripe ignores idempotency keys: a retried request can leave two intents for one key.
    saved = provider.tokenize_card(customer_ref=customer, card=card("4242424242424242"))
    made = provider.charge(
        customer_ref=customer, card_token=saved.token, amount_cents=1500, currency="EUR", idempotency_key="dup"
    )
    pending = intent_for(sdk, customer, saved.token, "dup")

    assert provider.find_or_void_charge(idempotency_key="dup", customer_ref=customer) == made
    assert intents_of(sdk, customer) == {made.provider_ref: "succeeded", pending.id: "canceled"}


def test_intent_key_reads_our_key_back(provider, sdk, customer):
    saved = provider.tokenize_card(customer_ref=customer, card=card("4242424242424242"))
    made = provider.charge(
        customer_ref=customer, card_token=saved.token, amount_cents=100, currency="EUR", idempotency_key="key-back"
    )
    assert provider.intent_key(made.provider_ref) == "key-back"
    foreign = sdk.v1.payment_intents.create(params={"amount": 100, "currency": "eur", "customer": customer})
    assert provider.intent_key(foreign.id) is None
    with pytest.raises(ProviderUnavailable):
        provider.intent_key("pi_doesnotexist")


def test_find_on_an_unreachable_gateway_is_unavailability():
    provider = StripeProvider(api_key=API_KEY, api_base=f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(ProviderUnavailable):
        provider.find_or_void_charge(idempotency_key="k", customer_ref="cus_x")


def test_non_positive_amounts_are_refused_before_any_call():
    # Nothing listens on this address: reaching the network would raise ProviderUnavailable instead.
    provider = StripeProvider(api_key=API_KEY, api_base=f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(ValueError):
        provider.charge(
            customer_ref="cus_x", card_token="pm_x", amount_cents=0, currency="EUR", idempotency_key="k"
        )
    with pytest.raises(ValueError):
        provider.refund(charge_ref="pi_x", amount_cents=-5, idempotency_key="k")


def test_unreachable_gateway():
    provider = StripeProvider(api_key=API_KEY, api_base=f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(ProviderUnavailable):
        provider.create_customer(email="ada@example.com", name="Ada")
    with pytest.raises(ProviderUnavailable):
        provider.tokenize_card(customer_ref="cus_x", card=card("4242424242424242"))
    with pytest.raises(ProviderUnavailable):
        provider.charge(
            customer_ref="cus_x", card_token="pm_x", amount_cents=100, currency="EUR", idempotency_key="k"
        )
    with pytest.raises(ProviderUnavailable):
        provider.refund(charge_ref="pi_x", amount_cents=100, idempotency_key="k")


class StubStripe:
    """A canned Stripe API: answers by (method, path) and records every request."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], tuple[int, dict]] = {}
        self.requests: list[tuple[str, str, dict[str, str], dict[str, list[str]]]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                stub.requests.append(("POST", self.path, dict(self.headers), parse_qs(body)))
                self._answer(("POST", self.path))

            def do_GET(self) -> None:
                # Routed on the path alone; the query string is recorded like a POST's form.
                path, _, query = self.path.partition("?")
                stub.requests.append(("GET", path, dict(self.headers), parse_qs(query)))
                self._answer(("GET", path))

            def _answer(self, route: tuple[str, str]) -> None:
                status, payload = stub.routes.get(route, (404, {"error": {"type": "invalid_request_error"}}))
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                # As Stripe does on errors that a retry would only repeat; keeps the test fast.
                self.send_header("Stripe-Should-Retry", "false")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def stub() -> Iterator[StubStripe]:
    api = StubStripe()
    thread = threading.Thread(target=api.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield api
    api.server.shutdown()
    api.server.server_close()


def card_error(code: str, decline_code: str | None, message: str) -> tuple[int, dict]:
    error = {"type": "card_error", "code": code, "message": message}
    if decline_code:
        error["decline_code"] = decline_code
    return 402, {"error": error}


def stub_charge(stub: StubStripe) -> None:
    StripeProvider(api_key=API_KEY, api_base=stub.url).charge(
        customer_ref="cus_1", card_token="pm_1", amount_cents=1000, currency="EUR", idempotency_key="order-5"
    )


@pytest.mark.parametrize(
    "code, decline, message, expected",
    [
        (
            "card_declined",
            "insufficient_funds",
            "Your card has insufficient funds.",
            DeclineCode.INSUFFICIENT_FUNDS,
        ),
        ("expired_card", "expired_card", "Your card has expired.", DeclineCode.EXPIRED_CARD),
        (
            "incorrect_cvc",
            "incorrect_cvc",
            "Your card's security code is incorrect.",
            DeclineCode.INCORRECT_CVC,
        ),
        (
            "processing_error",
            None,
            "An error occurred while processing your card.",
            DeclineCode.PROCESSING_ERROR,
        ),
        ("card_declined", "generic_decline", "Your card was declined.", DeclineCode.CARD_DECLINED),
        ("card_declined", "do_not_honor", "Your card was declined.", DeclineCode.CARD_DECLINED),
    ],
)
def test_stripe_card_errors_map_to_decline_codes(stub, code, decline, message, expected):
    stub.routes[("POST", "/v1/payment_intents")] = card_error(code, decline, message)
    with pytest.raises(PaymentDeclined) as info:
        stub_charge(stub)
    assert info.value.code is expected
    assert info.value.message == message


def _stub_card(stub: StubStripe) -> None:
    stub.routes[("POST", "/v1/payment_methods")] = (
        200,
        {
            "id": "pm_1",
            "object": "payment_method",
            "card": {"last4": "9995", "exp_month": 12, "exp_year": NEXT_YEAR},
        },
    )
    stub.routes[("POST", "/v1/setup_intents")] = (
        200, {"id": "seti_1", "object": "setup_intent", "status": "requires_payment_method"},
    )


def test_card_error_at_setup_is_a_decline(stub):
    _stub_card(stub)
    stub.routes[("POST", "/v1/setup_intents/seti_1/confirm")] = card_error(
        "card_declined", "insufficient_funds", "Your card has insufficient funds."
    )
    with pytest.raises(PaymentDeclined) as info:
        StripeProvider(api_key=API_KEY, api_base=stub.url).tokenize_card(
            customer_ref="cus_1", card=card("4000 0000 0000 9995")
        )
    assert info.value.code is DeclineCode.INSUFFICIENT_FUNDS
    sent = stub.requests[0][3]
    assert sent["card[number]"] == ["4000000000009995"]
    assert sent["billing_details[name]"] == ["Ada Lovelace"]
    setup = stub.requests[1][3]
    assert (setup["customer"], setup["usage"]) == (["cus_1"], ["off_session"])
    assert stub.requests[2][3]["payment_method"] == ["pm_1"]


def test_stripe_attaches_on_setup_so_the_card_is_not_attached_again(stub):
    # Real Stripe attaches the card to the SetupIntent's customer itself (localstripe does not).
    _stub_card(stub)
    stub.routes[("POST", "/v1/setup_intents/seti_1/confirm")] = (
        200, {"id": "seti_1", "object": "setup_intent", "status": "succeeded", "payment_method": "pm_1"},
    )
    stub.routes[("GET", "/v1/payment_methods/pm_1")] = (
        200, {"id": "pm_1", "object": "payment_method", "customer": "cus_1"},
    )
    saved = StripeProvider(api_key=API_KEY, api_base=stub.url).tokenize_card(
        customer_ref="cus_1", card=card("4242424242424242")
    )
    assert saved.token == "pm_1"
    assert [(method, path) for method, path, _, _ in stub.requests] == [
        ("POST", "/v1/payment_methods"),
        ("POST", "/v1/setup_intents"),
        ("POST", "/v1/setup_intents/seti_1/confirm"),
        ("GET", "/v1/payment_methods/pm_1"),
    ]


def test_intent_left_unpaid_is_canceled_and_declined_with_its_last_error(stub):
    stub.routes[("POST", "/v1/payment_intents")] = (
        200,
        {
            "id": "pi_1",
            "object": "payment_intent",
            "status": "requires_payment_method",
            "amount": 1000,
            "last_payment_error": {
                "type": "card_error",
                "code": "card_declined",
                "decline_code": "insufficient_funds",
                "message": "Your card has insufficient funds.",
            },
        },
    )
    stub.routes[("POST", "/v1/payment_intents/pi_1/cancel")] = (
        200,
        {"id": "pi_1", "object": "payment_intent", "status": "canceled"},
    )
    with pytest.raises(PaymentDeclined) as info:
        stub_charge(stub)
    assert info.value.code is DeclineCode.INSUFFICIENT_FUNDS
    assert info.value.message == "Your card has insufficient funds."
    assert [path for _, path, _, _ in stub.requests] == [
        "/v1/payment_intents",
        "/v1/payment_intents/pi_1/cancel",
    ]


def test_intent_that_cannot_be_canceled_is_not_reported_as_a_decline(stub):
    # Without the cancel we cannot promise "nothing was charged", which PaymentDeclined means.
    stub.routes[("POST", "/v1/payment_intents")] = (
        200,
        {"id": "pi_1", "object": "payment_intent", "status": "requires_action", "amount": 1000},
    )
    stub.routes[("POST", "/v1/payment_intents/pi_1/cancel")] = (
        400,
        {"error": {"type": "invalid_request_error", "message": "You cannot cancel this PaymentIntent."}},
    )
    with pytest.raises(ProviderUnavailable):
        stub_charge(stub)


def test_money_moving_calls_carry_our_idempotency_key(stub):
    stub.routes[("POST", "/v1/payment_intents")] = (
        200,
        {"id": "pi_1", "object": "payment_intent", "status": "succeeded", "amount": 1000},
    )
    stub.routes[("POST", "/v1/refunds")] = (200, {"id": "re_1", "object": "refund", "amount": 400})
    provider = StripeProvider(api_key=API_KEY, api_base=stub.url)

    charge = provider.charge(
        customer_ref="cus_1", card_token="pm_1", amount_cents=1000, currency="EUR", idempotency_key="order-5"
    )
    refund = provider.refund(charge_ref=charge.provider_ref, amount_cents=400, idempotency_key="refund-5-1")

    assert (charge.provider_ref, refund.provider_ref, refund.amount_cents) == ("pi_1", "re_1", 400)
    (_, _, charge_headers, charge_form), (_, _, refund_headers, refund_form) = stub.requests
    assert charge_headers["Idempotency-Key"] == "order-5"
    assert refund_headers["Idempotency-Key"] == "refund-5-1"
    assert charge_form["amount"] == ["1000"]
    assert charge_form["currency"] == ["eur"]
    assert charge_form["confirm"] == ["true"]
    assert charge_form["off_session"] == ["true"]
    assert charge_form["metadata[socialshop_key]"] == ["order-5"]
    assert refund_form == {"payment_intent": ["pi_1"], "amount": ["400"]}


def intent_json(id: str, status: str, key: str, *, customer: str = "cus_1", amount: int = 1000) -> dict:
    return {
        "id": id,
        "object": "payment_intent",
        "status": status,
        "amount": amount,
        "currency": "eur",
        "customer": customer,
        "metadata": {"socialshop_key": key},
    }


def intent_list(*intents: dict, has_more: bool = False) -> tuple[int, dict]:
    return 200, {"object": "list", "url": "/v1/payment_intents", "has_more": has_more, "data": list(intents)}


def stub_find(stub: StubStripe, key: str = "order-5"):
    return StripeProvider(api_key=API_KEY, api_base=stub.url).find_or_void_charge(
        idempotency_key=key, customer_ref="cus_1"
    )


def test_find_lists_by_customer_where_stripe_can(stub):
    stub.routes[("GET", "/v1/payment_intents")] = intent_list(
        intent_json("pi_0", "succeeded", "someone-else"), intent_json("pi_1", "succeeded", "order-5", amount=725)
    )
    assert stub_find(stub) == payments.Charge(provider_ref="pi_1", amount_cents=725, currency="EUR")
    [(method, path, _, query)] = stub.requests
    assert (method, path, query["customer"]) == ("GET", "/v1/payment_intents", ["cus_1"])


def test_find_without_a_customer_looks_at_intents_without_one(stub):
    stub.routes[("GET", "/v1/payment_intents")] = intent_list(
        intent_json("pi_0", "succeeded", "order-5"), {**intent_json("pi_1", "succeeded", "order-5"), "customer": None}
    )
    found = StripeProvider(api_key=API_KEY, api_base=stub.url).find_or_void_charge(
        idempotency_key="order-5", customer_ref=""
    )
    assert found.provider_ref == "pi_1"
    assert "customer" not in stub.requests[0][3]


class InTurn(dict):
    """Stub routes answering every request with the next of `answers`, then with a 500."""

    def __init__(self, *answers: tuple[int, dict]) -> None:
        super().__init__()
        self._answers = iter(answers)

    def get(self, route, default=None):
        return next(self._answers, (500, {"error": {"type": "api_error", "message": "Boom"}}))


def test_find_reads_every_page(stub):
    stub.routes = InTurn(
        intent_list(intent_json("pi_0", "succeeded", "other"), has_more=True),
        intent_list(intent_json("pi_1", "succeeded", "order-5")),
    )
    assert stub_find(stub).provider_ref == "pi_1"
    assert stub.requests[1][3]["starting_after"] == ["pi_0"]


def test_a_processing_intent_leaves_the_outcome_unknown(stub):
    # Stripe cannot cancel a processing intent: it may still succeed, so "nothing charged" would be a guess.
    stub.routes[("GET", "/v1/payment_intents")] = intent_list(intent_json("pi_1", "processing", "order-5"))
    with pytest.raises(ProviderUnavailable):
        stub_find(stub)
    assert [(m, p) for m, p, _, _ in stub.requests] == [("GET", "/v1/payment_intents")]


def test_an_intent_that_succeeded_while_being_canceled_is_the_charge(stub):
    stub.routes[("GET", "/v1/payment_intents")] = intent_list(intent_json("pi_1", "requires_action", "order-5"))
    stub.routes[("POST", "/v1/payment_intents/pi_1/cancel")] = (
        400,
        {"error": {"type": "invalid_request_error", "message": "This PaymentIntent has already succeeded."}},
    )
    stub.routes[("GET", "/v1/payment_intents/pi_1")] = (200, intent_json("pi_1", "succeeded", "order-5"))
    assert stub_find(stub).provider_ref == "pi_1"


def test_an_intent_that_cannot_be_canceled_leaves_the_outcome_unknown(stub):
    stub.routes[("GET", "/v1/payment_intents")] = intent_list(intent_json("pi_1", "requires_action", "order-5"))
    stub.routes[("POST", "/v1/payment_intents/pi_1/cancel")] = (500, {"error": {"type": "api_error"}})
    stub.routes[("GET", "/v1/payment_intents/pi_1")] = (200, intent_json("pi_1", "requires_action", "order-5"))
    with pytest.raises(ProviderUnavailable):
        stub_find(stub)


@pytest.mark.parametrize("status", [500, 401, 429, 400])
def test_find_with_an_api_error_is_unavailability(stub, status):
    stub.routes[("GET", "/v1/payment_intents")] = (status, {"error": {"type": "api_error", "message": "Boom"}})
    with pytest.raises(ProviderUnavailable):
        stub_find(stub)


def test_find_with_an_error_on_a_later_page_is_unavailability(stub):
    stub.routes = InTurn(intent_list(intent_json("pi_0", "canceled", "order-5"), has_more=True))
    with pytest.raises(ProviderUnavailable):
        stub_find(stub)


@pytest.mark.parametrize("status", [500, 401, 429])
def test_api_errors_are_unavailability(stub, status):
    stub.routes[("POST", "/v1/customers")] = (status, {"error": {"type": "api_error", "message": "Boom"}})
    with pytest.raises(ProviderUnavailable):
        StripeProvider(api_key=API_KEY, api_base=stub.url).create_customer(email="a@example.com", name="A")


@pytest.mark.parametrize(
    "code, decline, expected",
    [
        ("card_declined", "insufficient_funds", DeclineCode.INSUFFICIENT_FUNDS),
        ("expired_card", None, DeclineCode.EXPIRED_CARD),
        ("invalid_cvc", None, DeclineCode.INCORRECT_CVC),
        (None, None, DeclineCode.CARD_DECLINED),
        ("something_new", "also_new", DeclineCode.CARD_DECLINED),
    ],
)
def test_decline_code_for(code, decline, expected):
    assert decline_code_for(code=code, decline_code=decline) is expected


@pytest.fixture
def fresh_provider_registry(monkeypatch):
    payments.reset_provider()
    yield monkeypatch
    payments.reset_provider()


def test_get_provider_builds_stripe_from_the_environment(fresh_provider_registry, localstripe_url, sdk):
    fresh_provider_registry.setenv("SOCIALSHOP_PAYMENT_PROVIDER", "stripe")
    fresh_provider_registry.setenv("STRIPE_API_KEY", API_KEY)
    fresh_provider_registry.setenv("STRIPE_API_BASE", localstripe_url)
    provider = payments.get_provider()
    assert isinstance(provider, StripeProvider)
    assert provider.name == "stripe"
    # Proves STRIPE_API_BASE was honoured: the customer exists on this localstripe.
    ref = provider.create_customer(email="env@example.com", name="Env")
    assert sdk.v1.customers.retrieve(ref).email == "env@example.com"


def test_get_provider_needs_a_stripe_key(fresh_provider_registry):
    fresh_provider_registry.setenv("SOCIALSHOP_PAYMENT_PROVIDER", "stripe")
    fresh_provider_registry.delenv("STRIPE_API_KEY", raising=False)
    with pytest.raises(RuntimeError, match="STRIPE_API_KEY"):
        payments.get_provider()


def test_the_pay_hub_adds_and_removes_a_card_on_stripe(session, provider, sdk, monkeypatch):
    """Service level: add (SetupIntent) and remove (detach) as /pay/methods does, read back via the SDK."""
    from socialshop.services import payment_methods
    from tests.unit.factories import PIN, install_provider, make_user

    install_provider(monkeypatch, provider)
    user = make_user(session)
    session.commit()
    method = payment_methods.add_card_with_pin(
        session, user=user, pin=PIN, number="4242 4242 4242 4242", exp_month="12", exp_year=str(NEXT_YEAR), cvc="123",
        holder_name="Ada Lovelace",
    )
    session.commit()
    customer = payment_methods.ensure_pay_profile(session, user=user).provider_customer_ref
    assert method.provider == "stripe" and method.provider_token.startswith("pm_")
    assert sdk.v1.payment_methods.retrieve(method.provider_token).customer == customer
    assert setup_intents_of(sdk, customer) == [("succeeded", method.provider_token)]

    token = method.provider_token
    payment_methods.remove_method_with_pin(session, user=user, method_id=method.id, pin=PIN)
    session.commit()
    assert sdk.v1.payment_methods.retrieve(token).customer is None
    assert payment_methods.list_methods(session, user=user) == []
