"""Payments: the provider interface and the process-wide provider chosen by configuration.

SOCIALSHOP_PAYMENT_PROVIDER picks the gateway: "sandbox" (default, offline) or "stripe"
(STRIPE_API_KEY, and STRIPE_API_BASE to point at localstripe).
"""

from __future__ import annotations

import os
import threading

from socialshop import settings
from socialshop.payments.base import (
    CardInput,
    Charge,
    DeclineCode,
    MethodNotSupported,
    PaymentDeclined,
    PaymentProvider,
    ProviderUnavailable,
    Refund,
    SavedAccount,
    SavedCard,
)
from socialshop.payments.sandbox import SandboxProvider

__all__ = [
    "CardInput",
    "Charge",
    "DeclineCode",
    "MethodNotSupported",
    "PaymentDeclined",
    "PaymentProvider",
    "ProviderUnavailable",
    "Refund",
    "SavedAccount",
    "SavedCard",
    "get_provider",
    "reset_provider",
]

_lock = threading.Lock()
_provider: PaymentProvider | None = None


def _build_provider() -> PaymentProvider:
    name = settings.payment_provider_name()
    if name == "sandbox":
        return SandboxProvider()
    if name == "stripe":
        api_key = os.environ.get("STRIPE_API_KEY", "").strip()
        if not api_key:
            raise RuntimeError("SOCIALSHOP_PAYMENT_PROVIDER=stripe needs STRIPE_API_KEY to be set")
        # Imported here so the sandbox never pays for loading the Stripe SDK.
        from socialshop.payments.stripe import StripeProvider

        return StripeProvider(api_key=api_key, api_base=os.environ.get("STRIPE_API_BASE", "").strip() or None)
    raise RuntimeError(f"Unknown SOCIALSHOP_PAYMENT_PROVIDER {name!r}: expected 'sandbox' or 'stripe'")


def get_provider() -> PaymentProvider:
    """The provider every service of this process uses, built on first use."""
    global _provider
    with _lock:
        if _provider is None:
            _provider = _build_provider()
        return _provider


def reset_provider() -> None:
    """Forget the provider so the next get_provider() reads the environment again (tests)."""
    global _provider
    with _lock:
        _provider = None
