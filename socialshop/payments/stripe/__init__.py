"""The Stripe gateway (or localstripe, for development and tests)."""

from socialshop.payments.stripe.provider import StripeProvider, decline_code_for

__all__ = ["StripeProvider", "decline_code_for"]
