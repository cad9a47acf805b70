"""The offline sandbox gateway, and get_provider()'s default choice of it."""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
from pathlib import Path

import pytest

from socialshop import payments
from socialshop.payments import CardInput, DeclineCode, PaymentDeclined
from socialshop.payments.sandbox import SandboxProvider

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NEXT_YEAR = datetime.date.today().year + 1


@pytest.fixture
def provider(engine) -> SandboxProvider:
    """It remembers its charges in the database, like a real gateway on its side."""
    return SandboxProvider(engine)


def card(number: str, exp_month: int = 12, exp_year: int = NEXT_YEAR, cvc: str = "123") -> CardInput:
    return CardInput(
        number=number, exp_month=exp_month, exp_year=exp_year, cvc=cvc, holder_name="Ada Lovelace"
    )


def test_customer_refs_are_unique_sandbox_refs(provider):
    first = provider.create_customer(email="ada@example.com", name="Ada")
    second = provider.create_customer(email="ada@example.com", name="Ada")
    assert re.fullmatch(r"sbx_cus_[0-9a-f]{24}", first)
    assert first != second


def test_tokenize_keeps_only_what_we_may_store(provider):
    saved = provider.tokenize_card(
        customer_ref="sbx_cus_1", card=card("4242 4242 4242 4242", 7, NEXT_YEAR % 100)
    )
    assert saved.brand == "visa"
    assert saved.last4 == "4242"
    assert (saved.exp_month, saved.exp_year) == (7, NEXT_YEAR)
    assert re.fullmatch(r"sbx_tok_ok_[0-9a-f]{32}", saved.token)
    assert "42424242" not in saved.token


def test_tokens_of_the_same_card_differ(provider):
    first = provider.tokenize_card(customer_ref="sbx_cus_1", card=card("4242424242424242"))
    second = provider.tokenize_card(customer_ref="sbx_cus_1", card=card("4242424242424242"))
    assert first.token != second.token


def test_good_card_charges(provider):
    saved = provider.tokenize_card(customer_ref="sbx_cus_1", card=card("4242424242424242"))
    charge = provider.charge(
        customer_ref="sbx_cus_1",
        card_token=saved.token,
        amount_cents=1999,
        currency="EUR",
        idempotency_key="order-1",
        description="Order #1",
    )
    assert re.fullmatch(r"sbx_ch_[0-9a-f]{24}", charge.provider_ref)
    assert charge.amount_cents == 1999
    assert charge.currency == "EUR"


def test_any_other_valid_number_charges(provider):
    saved = provider.tokenize_card(customer_ref="sbx_cus_1", card=card("5555 5555 5555 4444"))
    assert (saved.brand, saved.last4) == ("mastercard", "4444")
    amex = provider.tokenize_card(customer_ref="sbx_cus_1", card=card("378282246310005", cvc="1234"))
    assert (amex.brand, amex.last4) == ("amex", "0005")
    for token in (saved.token, amex.token):
        charge = provider.charge(
            customer_ref="sbx_cus_1",
            card_token=token,
            amount_cents=500,
            currency="EUR",
            idempotency_key=token,
        )
        assert charge.amount_cents == 500


@pytest.mark.parametrize(
    "number, code, message",
    [
        ("4000000000000002", DeclineCode.CARD_DECLINED, "Your card was declined."),
        ("4000000000009995", DeclineCode.INSUFFICIENT_FUNDS, "Your card has insufficient funds."),
        ("4000000000000069", DeclineCode.EXPIRED_CARD, "Your card has expired."),
        ("4000000000000127", DeclineCode.INCORRECT_CVC, "Your card's security code is incorrect."),
        ("4000000000000119", DeclineCode.PROCESSING_ERROR, None),
    ],
)
def test_stripe_test_cards_tokenize_then_decline_at_charge(provider, number, code, message):
    saved = provider.tokenize_card(customer_ref="sbx_cus_1", card=card(number))
    assert saved.last4 == number[-4:]
    with pytest.raises(PaymentDeclined) as info:
        provider.charge(
            customer_ref="sbx_cus_1",
            card_token=saved.token,
            amount_cents=1000,
            currency="EUR",
            idempotency_key="k",
        )
    assert info.value.code is code
    if message is not None:
        assert info.value.message == message


@pytest.mark.parametrize(
    "bad_card",
    [
        card("4242424242424241"),  # fails Luhn
        card("4242424242424242", exp_month=1, exp_year=2020),
        card("4242424242424242", exp_month=13),
        card("4242424242424242", cvc="12"),
        card(""),
    ],
)
def test_tokenize_refuses_invalid_input(provider, bad_card):
    with pytest.raises(PaymentDeclined) as info:
        provider.tokenize_card(customer_ref="sbx_cus_1", card=bad_card)
    assert info.value.code is DeclineCode.CARD_DECLINED


def test_tokens_survive_a_process_restart(provider):
    """Seeded demo cards were tokenized by another process: the token alone must be enough."""
    script = (
        "from socialshop.payments import CardInput\n"
        "from socialshop.payments.sandbox import SandboxProvider\n"
        "for number in ('4242424242424242', '4000000000009995'):\n"
        f"    card = CardInput(number, 12, {NEXT_YEAR}, '123')\n"
        "    print(SandboxProvider().tokenize_card(customer_ref='c', card=card).token)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    good, poor = out.stdout.split()
    charge = provider.charge(
        customer_ref="c", card_token=good, amount_cents=250, currency="EUR", idempotency_key="a"
    )
    assert charge.amount_cents == 250
    with pytest.raises(PaymentDeclined) as info:
        provider.charge(
            customer_ref="c", card_token=poor, amount_cents=250, currency="EUR", idempotency_key="b"
        )
    assert info.value.code is DeclineCode.INSUFFICIENT_FUNDS


def test_hand_written_seed_tokens_follow_the_documented_format(provider):
    charge = provider.charge(
        customer_ref="c",
        card_token="sbx_tok_ok_" + "0" * 32,
        amount_cents=100,
        currency="EUR",
        idempotency_key="s",
    )
    assert charge.amount_cents == 100
    with pytest.raises(PaymentDeclined) as info:
        provider.charge(
            customer_ref="c",
            card_token="sbx_tok_expired_card_abc123",
            amount_cents=1,
            currency="EUR",
            idempotency_key="t",
        )
    assert info.value.code is DeclineCode.EXPIRED_CARD


@pytest.mark.parametrize("token", ["pm_1Abc", "sbx_tok_ok_", "sbx_tok_bogus_0123abcd", "sbx_tok_", ""])
def test_unknown_tokens_are_declined(provider, token):
    with pytest.raises(PaymentDeclined) as info:
        provider.charge(
            customer_ref="c", card_token=token, amount_cents=100, currency="EUR", idempotency_key="u"
        )
    assert info.value.code is DeclineCode.CARD_DECLINED


def test_same_idempotency_key_same_reference(provider):
    token = provider.tokenize_card(customer_ref="c", card=card("4242424242424242")).token

    def pay(key: str) -> str:
        return provider.charge(
            customer_ref="c", card_token=token, amount_cents=100, currency="EUR", idempotency_key=key
        ).provider_ref

    assert pay("order-7") == pay("order-7")
    assert pay("order-7") != pay("order-8")
    with pytest.raises(ValueError):
        pay("")


def test_refund(provider):
    refund = provider.refund(charge_ref="sbx_ch_abc", amount_cents=300, idempotency_key="refund-1")
    assert re.fullmatch(r"sbx_re_[0-9a-f]{24}", refund.provider_ref)
    assert refund.amount_cents == 300
    again = provider.refund(charge_ref="sbx_ch_abc", amount_cents=300, idempotency_key="refund-1")
    other = provider.refund(charge_ref="sbx_ch_abc", amount_cents=300, idempotency_key="refund-2")
    assert again.provider_ref == refund.provider_ref != other.provider_ref


@pytest.mark.parametrize("amount", [0, -1])
def test_non_positive_amounts_are_programming_errors(provider, amount):
    token = provider.tokenize_card(customer_ref="c", card=card("4242424242424242")).token
    with pytest.raises(ValueError):
        provider.refund(charge_ref="sbx_ch_abc", amount_cents=amount, idempotency_key="r")
    with pytest.raises(ValueError):
        provider.charge(
            customer_ref="c", card_token=token, amount_cents=amount, currency="EUR", idempotency_key="c"
        )


@pytest.fixture
def fresh_provider_registry(monkeypatch):
    monkeypatch.delenv("SOCIALSHOP_PAYMENT_PROVIDER", raising=False)
    payments.reset_provider()
    yield monkeypatch
    payments.reset_provider()


def test_get_provider_defaults_to_one_sandbox_per_process(fresh_provider_registry):
    first = payments.get_provider()
    assert isinstance(first, SandboxProvider)
    assert first.name == "sandbox"
    assert payments.get_provider() is first
    payments.reset_provider()
    assert payments.get_provider() is not first


def test_get_provider_rejects_an_unknown_name(fresh_provider_registry):
    fresh_provider_registry.setenv("SOCIALSHOP_PAYMENT_PROVIDER", "paypal")
    with pytest.raises(RuntimeError, match="paypal"):
        payments.get_provider()
