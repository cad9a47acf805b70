"""Stripe webhooks: signature checks, once-only handling, and their effect through the real engine.

Payloads are signed by the Stripe SDK's own code (`WebhookSignature.generate_signature_header`);
the last test has localstripe sign and deliver its own events to the route over HTTP.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import stripe
import uvicorn
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

import socialshop.models.webhooks  # noqa: F401  (the table, until socialshop.models imports it)
from socialshop import payments
from socialshop.api import STRIPE_WEBHOOK_PATH, api_transformer, build_api
from socialshop.models import AttemptEvent, AttemptStatus, CheckoutAttempt, Payment
from socialshop.models.webhooks import WebhookEvent
from socialshop.money import engine as money_engine
from socialshop.payments import Charge, ProviderUnavailable
from socialshop.payments.stripe import webhooks
from socialshop.payments.stripe.webhooks import handle_stripe_event
from tests.unit.factories import attempt_of, install_provider, make_user
from tests.unit.test_stripe_provider import API_KEY, card, localstripe_url, sdk  # noqa: F401  (fixtures)

SECRET = "whsec_socialshop_test"
HANDLER = "webhook_test"


# ---------------------------------------------------------------- a plan the engine can settle


class Recorder:
    """The engine handler of the test attempts: remembers what the engine asked of it."""

    def __init__(self) -> None:
        self.recorded: list[tuple[str, int]] = []
        self.released: list[str] = []

    def record(self, session, attempt, plan, paid):
        self.recorded.append((attempt.idempotency_key, paid.id))
        return []

    def release(self, session, attempt, plan):
        self.released.append(attempt.idempotency_key)


@pytest.fixture
def handler(monkeypatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setitem(
        money_engine._HANDLERS, HANDLER, money_engine.Handler(record=recorder.record, release=recorder.release)
    )
    return recorder


_keys = iter(range(1, 10**6))


def make_attempt(
    session: Session, *, status: str = AttemptStatus.CONFIRMING.value, provider: str = "stripe", amount: int = 2599
) -> str:
    """An attempt the payer claimed and charged but never heard back about."""
    user = make_user(session, with_pin=False)
    key = f"attempt-key-{next(_keys):06d}-xxxxxxxxxxxxxxxxxx"
    session.add(
        CheckoutAttempt(
            idempotency_key=key,
            user_id=user.id,
            kind="purchase",
            app="facebook",
            status=status,
            amount_cents=amount,
            currency="EUR",
            provider=provider,
            plan=json.dumps({"handler": HANDLER}),
        )
    )
    session.commit()
    return key


@pytest.fixture
def resolutions(monkeypatch) -> list[dict]:
    """Spy on the real resolve_attempt: every call the webhooks make."""
    calls: list[dict] = []
    real = money_engine.resolve_attempt

    def spy(session, *, key, charge, source):
        calls.append({"key": key, "charge": charge, "source": source})
        return real(session, key=key, charge=charge, source=source)

    monkeypatch.setattr(money_engine, "resolve_attempt", spy)
    return calls


class RefundingGateway:
    """What the engine needs of a gateway to refund a late charge."""

    name = "stripe"

    def __init__(self, error: Exception | None = None) -> None:
        self.refunds: list[dict] = []
        self.error = error

    def refund(self, **kwargs):
        if self.error is not None:
            raise self.error
        self.refunds.append(kwargs)
        return payments.Refund(provider_ref=f"re_{len(self.refunds)}", amount_cents=kwargs["amount_cents"])


# ---------------------------------------------------------------- events and signatures

_event_ids = iter(range(1, 10**6))


def intent_event(
    event_type: str, key: str | None, *, intent_id: str = "pi_123", amount: int = 2599, event_id: str | None = None
) -> dict:
    """A Stripe event about a PaymentIntent, shaped as Stripe sends it."""
    status = {"payment_intent.succeeded": "succeeded"}.get(event_type, "requires_payment_method")
    return {
        "id": event_id or f"evt_{next(_event_ids):08d}",
        "object": "event",
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "livemode": False,
        "type": event_type,
        "data": {
            "object": {
                "id": intent_id,
                "object": "payment_intent",
                "amount": amount,
                "amount_received": amount if status == "succeeded" else 0,
                "currency": "eur",
                "customer": "cus_1",
                "status": status,
                "metadata": {"socialshop_key": key, "description": "Order"} if key else {},
            }
        },
    }


def refund_event(intent_id: str = "pi_123", *, amount: int = 2599, key: str | None = None) -> dict:
    """charge.refunded: about the Charge, whose metadata does not repeat the intent's."""
    return {
        "id": f"evt_{next(_event_ids):08d}",
        "object": "event",
        "created": int(time.time()),
        "type": "charge.refunded",
        "data": {
            "object": {
                "id": "ch_123",
                "object": "charge",
                "amount": amount,
                "amount_refunded": amount,
                "currency": "eur",
                "payment_intent": intent_id,
                "refunded": True,
                "metadata": {"socialshop_key": key} if key else {},
            }
        },
    }


def signed(event: dict, *, secret: str = SECRET, timestamp: int | None = None) -> tuple[str, dict[str, str]]:
    body = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)
    return body, {"Stripe-Signature": header, "Content-Type": "application/json"}


@pytest.fixture
def secret(monkeypatch) -> str:
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
    return SECRET


@pytest.fixture
def client(engine, secret) -> Iterator[TestClient]:
    with TestClient(build_api(engine)) as test_client:
        yield test_client


def post(client: TestClient, event: dict, **sign):
    body, headers = signed(event, **sign)
    return client.post(STRIPE_WEBHOOK_PATH, content=body, headers=headers)


def stored_events(session: Session) -> list[WebhookEvent]:
    return list(session.exec(select(WebhookEvent).execution_options(populate_existing=True)).all())


def payments_of(session: Session, key: str) -> list[Payment]:
    return list(session.exec(select(Payment).where(Payment.idempotency_key == key)).all())


# ---------------------------------------------------------------- handling (no HTTP)


def test_succeeded_records_the_charge_like_the_payer_would(session, handler, resolutions):
    key = make_attempt(session)

    outcome = handle_stripe_event(session, intent_event("payment_intent.succeeded", key, intent_id="pi_abc"))

    assert outcome == "applied"
    assert resolutions == [
        {"key": key, "charge": Charge(provider_ref="pi_abc", amount_cents=2599, currency="EUR"), "source": "webhook"}
    ]
    attempt = attempt_of(session, key)
    assert (attempt.status, attempt.resolved_by, attempt.charge_ref) == ("succeeded", "webhook", "pi_abc")
    [payment] = payments_of(session, key)
    assert (payment.provider_ref, payment.amount_cents, payment.id) == ("pi_abc", 2599, attempt.payment_id)
    assert handler.recorded == [(key, payment.id)]
    [row] = stored_events(session)
    assert (row.provider, row.type, row.outcome, row.attempt_key) == (
        "stripe",
        "payment_intent.succeeded",
        "applied",
        key,
    )
    assert row.handled_at is not None


def test_the_same_event_five_times_changes_things_once(session, handler, resolutions):
    key = make_attempt(session)
    event = intent_event("payment_intent.succeeded", key)

    outcomes = [handle_stripe_event(session, event) for _ in range(5)]

    assert outcomes == ["applied"] + ["duplicate"] * 4
    assert len(resolutions) == 1
    assert len(payments_of(session, key)) == 1
    assert len(handler.recorded) == 1
    assert len(stored_events(session)) == 1


def test_another_event_about_a_settled_attempt_changes_nothing(session, handler):
    key = make_attempt(session)
    handle_stripe_event(session, intent_event("payment_intent.succeeded", key))
    # Stripe may send two events with the same content (different ids): the engine leaves it alone.
    assert handle_stripe_event(session, intent_event("payment_intent.succeeded", key)) == "applied"
    assert len(payments_of(session, key)) == 1
    assert len(handler.recorded) == 1
    assert len(stored_events(session)) == 2


def test_payment_failed_fails_the_attempt_and_releases_it(session, handler):
    key = make_attempt(session, status=AttemptStatus.PROCESSING.value)

    assert handle_stripe_event(session, intent_event("payment_intent.payment_failed", key)) == "applied"

    attempt = attempt_of(session, key)
    assert (attempt.status, attempt.resolved_by, attempt.failure_code) == ("failed", "webhook", "not_charged")
    assert handler.released == [key]
    assert payments_of(session, key) == []


def test_a_late_success_for_a_failed_attempt_is_refunded_once(session, handler, monkeypatch):
    gateway = RefundingGateway()
    install_provider(monkeypatch, gateway)
    key = make_attempt(session)
    handle_stripe_event(session, intent_event("payment_intent.payment_failed", key, intent_id="pi_a"))
    late = intent_event("payment_intent.succeeded", key, intent_id="pi_b", amount=2599)

    for _ in range(3):
        handle_stripe_event(session, late)

    assert attempt_of(session, key).status == "failed"
    assert [(r["charge_ref"], r["amount_cents"]) for r in gateway.refunds] == [("pi_b", 2599)]
    assert payments_of(session, key) == []


def test_a_failure_while_handling_lets_the_next_delivery_try_again(session, handler, monkeypatch):
    gateway = RefundingGateway(error=ProviderUnavailable("Stripe: timeout"))
    install_provider(monkeypatch, gateway)
    key = make_attempt(session, status=AttemptStatus.FAILED.value)
    late = intent_event("payment_intent.succeeded", key, intent_id="pi_late")

    with pytest.raises(ProviderUnavailable):
        handle_stripe_event(session, late)
    [row] = stored_events(session)
    assert row.outcome == "error"
    assert "timeout" in row.detail

    gateway.error = None
    assert handle_stripe_event(session, late) == "applied"
    assert [r["charge_ref"] for r in gateway.refunds] == ["pi_late"]
    assert handle_stripe_event(session, late) == "duplicate"
    assert [row.outcome for row in stored_events(session)] == ["applied"]


def test_a_delivery_that_died_long_ago_does_not_block_the_event_forever(session, handler):
    key = make_attempt(session)
    event = intent_event("payment_intent.succeeded", key)
    session.add(
        WebhookEvent(
            provider="stripe",
            event_id=event["id"],
            type=event["type"],
            received_at=money_engine._now() - webhooks.STALE_CLAIM * 2,
        )
    )
    session.commit()
    assert handle_stripe_event(session, event) == "applied"
    assert attempt_of(session, key).status == "succeeded"


def test_a_delivery_in_progress_is_a_duplicate(session, handler, resolutions):
    key = make_attempt(session)
    event = intent_event("payment_intent.succeeded", key)
    session.add(WebhookEvent(provider="stripe", event_id=event["id"], type=event["type"]))
    session.commit()
    assert handle_stripe_event(session, event) == "duplicate"
    assert resolutions == []


def test_charge_refunded_settles_an_unresolved_attempt_as_charged(session, handler):
    key = make_attempt(session)
    lookups: list[str] = []

    def intent_key(intent_id: str) -> str:
        lookups.append(intent_id)
        return key

    outcome = handle_stripe_event(session, refund_event("pi_r", amount=2599), intent_key=intent_key)

    assert outcome == "applied"
    assert lookups == ["pi_r"]
    attempt = attempt_of(session, key)
    assert (attempt.status, attempt.charge_ref) == ("succeeded", "pi_r")
    assert len(payments_of(session, key)) == 1


@pytest.mark.parametrize("status", ["succeeded", "failed"])
def test_charge_refunded_of_a_settled_attempt_is_only_recorded(session, handler, resolutions, status):
    key = make_attempt(session, status=status)
    outcome = handle_stripe_event(session, refund_event(key=key))
    assert outcome == "ignored"
    assert resolutions == []
    [row] = stored_events(session)
    assert (row.type, row.outcome, row.attempt_key) == ("charge.refunded", "ignored", key)
    assert status in row.detail


def test_charge_refunded_when_stripe_cannot_say_whose_it_is_is_retried(session, handler):
    def unavailable(intent_id: str) -> str:
        raise ProviderUnavailable("Stripe: down")

    event = refund_event("pi_r")
    with pytest.raises(ProviderUnavailable):
        handle_stripe_event(session, event, intent_key=unavailable)
    key = make_attempt(session)
    assert handle_stripe_event(session, event, intent_key=lambda _: key) == "applied"


def test_charge_refunded_asks_the_configured_stripe_provider(session, handler, monkeypatch):
    key = make_attempt(session)

    class Stripeish(payments.stripe.StripeProvider):
        def __init__(self) -> None:
            self.asked: list[str] = []

        def intent_key(self, intent_id: str) -> str:
            self.asked.append(intent_id)
            return key

    gateway = Stripeish()
    install_provider(monkeypatch, gateway)
    assert handle_stripe_event(session, refund_event("pi_q")) == "applied"
    assert gateway.asked == ["pi_q"]


def test_events_without_our_key_are_recorded_and_ignored(session, handler, resolutions):
    assert handle_stripe_event(session, intent_event("payment_intent.succeeded", None)) == "ignored"
    assert handle_stripe_event(session, refund_event(), intent_key=lambda _: None) == "ignored"
    assert resolutions == []
    assert [row.outcome for row in stored_events(session)] == ["ignored", "ignored"]


def test_a_key_without_an_attempt(session, handler):
    event = intent_event("payment_intent.succeeded", "no-such-attempt")
    assert handle_stripe_event(session, event) == "no_attempt"
    assert [row.outcome for row in stored_events(session)] == ["no_attempt"]


def test_an_attempt_charged_through_another_gateway_is_left_alone(session, handler, resolutions):
    key = make_attempt(session, provider="sandbox")
    assert handle_stripe_event(session, intent_event("payment_intent.succeeded", key)) == "ignored"
    assert resolutions == []
    assert attempt_of(session, key).status == "confirming"


def test_unknown_types_are_ignored_and_not_stored(session, resolutions):
    assert handle_stripe_event(session, intent_event("payment_intent.created", "k")) == "ignored"
    assert handle_stripe_event(session, {"id": "evt_x", "type": "customer.updated", "data": {}}) == "ignored"
    assert resolutions == []
    assert stored_events(session) == []


# ---------------------------------------------------------------- signatures


def test_parse_event_checks_the_signature_with_the_sdk():
    event = intent_event("payment_intent.succeeded", "k")
    body, headers = signed(event)
    assert webhooks.parse_event(body.encode(), headers["Stripe-Signature"], secret=SECRET) == event
    with pytest.raises(webhooks.InvalidWebhook):
        webhooks.parse_event(body, headers["Stripe-Signature"], secret="whsec_other")
    with pytest.raises(webhooks.InvalidWebhook):
        webhooks.parse_event(body, None, secret=SECRET)
    with pytest.raises(webhooks.WebhookSecretMissing):
        webhooks.parse_event(body, headers["Stripe-Signature"], secret="  ")


# ---------------------------------------------------------------- HTTP


def test_http_valid_succeeded_event_resolves_the_attempt(client, session, handler):
    key = make_attempt(session)
    response = post(client, intent_event("payment_intent.succeeded", key, intent_id="pi_http"))
    assert response.status_code == 200
    assert response.json() == {"received": True, "outcome": "applied"}
    attempt = attempt_of(session, key)
    assert (attempt.status, attempt.resolved_by, attempt.charge_ref) == ("succeeded", "webhook", "pi_http")
    events = session.exec(select(AttemptEvent.event, AttemptEvent.source).where(AttemptEvent.attempt_id == attempt.id))
    assert ("charged", "webhook") in list(events)


def test_http_same_event_five_times_resolves_once(client, session, handler, resolutions):
    key = make_attempt(session)
    event = intent_event("payment_intent.succeeded", key)
    answers = [post(client, event) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    assert [a.json()["outcome"] for a in answers] == ["applied"] + ["duplicate"] * 4
    assert len(resolutions) == 1
    assert len(payments_of(session, key)) == 1
    assert len(handler.recorded) == 1


def test_http_bad_signature_is_400_and_changes_nothing(client, session, handler, resolutions):
    key = make_attempt(session)
    event = intent_event("payment_intent.succeeded", key)
    assert post(client, event, secret="whsec_someone_else").status_code == 400

    body, headers = signed(event)
    tampered = body.replace('"amount": 2599', '"amount": 1')
    assert client.post(STRIPE_WEBHOOK_PATH, content=tampered, headers=headers).status_code == 400
    assert client.post(STRIPE_WEBHOOK_PATH, content=body).status_code == 400  # no header
    garbled = {"Stripe-Signature": "nonsense"}
    assert client.post(STRIPE_WEBHOOK_PATH, content=body, headers=garbled).status_code == 400

    assert resolutions == []
    assert stored_events(session) == []
    assert attempt_of(session, key).status == "confirming"


def test_http_stale_timestamp_is_400(client, session, handler, resolutions):
    key = make_attempt(session)
    stale = int(time.time()) - webhooks.TOLERANCE_SECONDS - 60
    response = post(client, intent_event("payment_intent.succeeded", key), timestamp=stale)
    assert response.status_code == 400
    assert resolutions == []
    assert stored_events(session) == []


def test_http_signed_body_that_is_not_an_event_is_400(client):
    for body in ("not json", "[1, 2]", json.dumps({"hello": "world"}), json.dumps({"object": "v2.core.event"})):
        header = stripe.WebhookSignature.generate_signature_header(body, SECRET)
        assert client.post(STRIPE_WEBHOOK_PATH, content=body, headers={"Stripe-Signature": header}).status_code == 400


def test_http_unknown_type_is_200_and_ignored(client, session, resolutions):
    response = post(client, intent_event("payment_intent.created", "k"))
    assert (response.status_code, response.json()["outcome"]) == (200, "ignored")
    assert resolutions == []
    assert stored_events(session) == []


def test_http_without_a_configured_secret_is_503(engine, monkeypatch):
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET", raising=False)
    with TestClient(build_api(engine)) as test_client:
        assert post(test_client, intent_event("payment_intent.succeeded", "k")).status_code == 503


def test_http_gateway_trouble_while_handling_is_503_then_retried(client, session, handler, monkeypatch):
    gateway = RefundingGateway(error=ProviderUnavailable("Stripe: timeout"))
    install_provider(monkeypatch, gateway)
    key = make_attempt(session, status=AttemptStatus.FAILED.value)
    event = intent_event("payment_intent.succeeded", key, intent_id="pi_late")
    assert post(client, event).status_code == 503
    gateway.error = None
    assert post(client, event).json()["outcome"] == "applied"
    assert len(gateway.refunds) == 1


def test_http_unexpected_error_is_500(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(webhooks, "handle_stripe_event", broken)
    assert post(client, intent_event("payment_intent.succeeded", "k")).status_code == 500


def test_http_oversized_body_is_413(client):
    body = "x" * (2 * 1024 * 1024)
    response = client.post(STRIPE_WEBHOOK_PATH, content=body, headers={"Stripe-Signature": "t=1,v1=x"})
    assert response.status_code == 413


def test_api_transformer_puts_the_webhook_in_front_of_reflex(engine, session, handler, secret, monkeypatch):
    import socialshop.api
    import socialshop.db

    # The transformed app uses the app's database: point it at this test's.
    monkeypatch.setattr(socialshop.api, "session_scope", lambda db=None: socialshop.db.session_scope(engine))
    inner = Starlette(routes=[Route("/{path:path}", lambda request: PlainTextResponse("reflex"), methods=["GET", "POST"])])
    key = make_attempt(session)
    with TestClient(api_transformer(inner)) as test_client:
        assert test_client.get("/ping").text == "reflex"
        assert test_client.post("/_event").text == "reflex"
        assert test_client.get(STRIPE_WEBHOOK_PATH).text == "reflex"  # only POST is ours
        assert post(test_client, intent_event("payment_intent.succeeded", key), secret="whsec_x").status_code == 400
        response = post(test_client, intent_event("payment_intent.succeeded", key))
        assert response.json() == {"received": True, "outcome": "applied"}
    assert attempt_of(session, key).status == "succeeded"


# ---------------------------------------------------------------- localstripe delivering over HTTP


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served_api(engine, secret) -> Iterator[str]:
    """The webhook routes on a real HTTP port, for localstripe to call."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(build_api(engine), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def test_localstripe_signs_and_delivers_a_success_that_settles_the_attempt(
    localstripe_url, sdk, served_api, session, handler, secret  # noqa: F811
):
    import httpx

    from socialshop.payments.stripe import StripeProvider

    hook = f"socialshop-{_free_port()}"
    registered = httpx.post(
        f"{localstripe_url}/_config/webhooks/{hook}",
        json={"url": served_api + STRIPE_WEBHOOK_PATH, "secret": secret, "events": ["payment_intent.succeeded"]},
    )
    assert registered.status_code == 200
    provider = StripeProvider(api_key=API_KEY, api_base=localstripe_url)
    customer = provider.create_customer(email="hook@example.com", name="Hook")
    saved = provider.tokenize_card(customer_ref=customer, card=card("4242424242424242"))
    key = make_attempt(session, amount=1800)

    # The payer's charge went through but its answer never reached us: only the webhook tells.
    made = provider.charge(
        customer_ref=customer, card_token=saved.token, amount_cents=1800, currency="EUR", idempotency_key=key
    )

    deadline = time.monotonic() + 15  # localstripe waits 1 s before delivering
    while attempt_of(session, key).status != "succeeded":
        assert time.monotonic() < deadline, "the webhook never settled the attempt"
        time.sleep(0.1)
    attempt = attempt_of(session, key)
    assert (attempt.resolved_by, attempt.charge_ref) == ("webhook", made.provider_ref)
    # The attempt commits first; the event row learns its key when its handling ends.
    while not (rows := [row for row in stored_events(session) if row.attempt_key == key]):
        assert time.monotonic() < deadline, "the webhook event was never marked handled"
        time.sleep(0.1)
    [row] = rows
    assert (row.type, row.outcome) == ("payment_intent.succeeded", "applied")
