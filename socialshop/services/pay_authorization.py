"""When a payment must be confirmed (PIN or passkey): every payment, or only above an amount.

The engine asks `authorization_required` for every attempt it claims, with the amount it
is about to charge: the page only decides whether to show the PIN field, never whether a
payment may skip it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlmodel import Session

from socialshop.models import PayProfile, User
from socialshop.services.errors import ValidationError
from socialshop.services.pay_pin import verify_pin
from socialshop.services.payment_methods import ensure_pay_profile

ALWAYS = "always"
ABOVE = "above"
POLICIES = (ALWAYS, ABOVE)
# The threshold is in euros; a payment in any other currency always asks.
POLICY_CURRENCY = "EUR"
MAX_THRESHOLD_CENTS = 100_00


@dataclasses.dataclass(frozen=True)
class PinPolicy:
    policy: str = ALWAYS
    threshold_cents: int = 0

    @property
    def skips_small_payments(self) -> bool:
        return self.policy == ABOVE and self.threshold_cents > 0


def policy_of(profile: PayProfile | None) -> PinPolicy:
    if profile is None or profile.pin_policy != ABOVE:
        return PinPolicy()
    return PinPolicy(ABOVE, max(0, min(profile.pin_threshold_cents, MAX_THRESHOLD_CENTS)))


def get_policy(session: Session, *, user: User) -> PinPolicy:
    return policy_of(session.get(PayProfile, user.id))


def authorization_required(policy: str | None, threshold_cents: int | None, *, amount_cents: int, currency: str) -> bool:
    """Whether a payment of `amount_cents` needs the PIN or a passkey under these settings
    (the raw profile columns; None for a user without a Pay profile)."""
    if policy != ABOVE or threshold_cents is None or currency != POLICY_CURRENCY:
        return True
    return not 0 < amount_cents <= min(threshold_cents, MAX_THRESHOLD_CENTS)


def set_policy(
    session: Session,
    *,
    user: User,
    policy: object,
    threshold_cents: object = 0,
    pin: object = None,
    now: dt.datetime | None = None,
) -> PinPolicy:
    """Change when the PIN is asked. Does not commit.

    Asking less often needs the PIN (verified like any try); asking for every payment
    does not. ValidationError("pin_policy_invalid" | "pin_threshold_invalid", max=...),
    and whatever verify_pin raises.
    """
    if policy not in POLICIES:
        raise ValidationError("pin_policy_invalid")
    if policy == ALWAYS:
        profile = ensure_pay_profile(session, user=user)
        profile.pin_policy, profile.pin_threshold_cents = ALWAYS, 0
        session.add(profile)
        session.flush()
        return PinPolicy()
    if (
        not isinstance(threshold_cents, int)
        or isinstance(threshold_cents, bool)
        or not 0 < threshold_cents <= MAX_THRESHOLD_CENTS
    ):
        raise ValidationError("pin_threshold_invalid", max=MAX_THRESHOLD_CENTS)
    # Before any write through `session`: verify_pin commits on its own connection.
    verify_pin(session, user=user, pin=pin, now=now)
    profile = ensure_pay_profile(session, user=user)
    profile.pin_policy, profile.pin_threshold_cents = ABOVE, threshold_cents
    session.add(profile)
    session.flush()
    return PinPolicy(ABOVE, threshold_cents)
