"""Pay switched on or off per app, and an optional monthly spending limit per app.

Everything is on, without a limit, until the user changes it. Money paths check both when
an attempt opens and again, authoritatively, when the engine claims it (`enforce_at_claim`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, func
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from socialshop.models import AppActivation, AppSurface, AttemptStatus, CheckoutAttempt, User, utcnow
from socialshop.services.errors import Conflict, ValidationError
from socialshop.services.inputs import parse_app
from socialshop.services.ledger import dialect_insert
from socialshop.services.money import parse_amount

# Where a refused payment sends the payer to change the rule that refused it.
SETTINGS_LINK = "/pay/apps"
LIMIT_CURRENCY = "EUR"
# Higher than this is a typo, not a budget.
MAX_MONTHLY_LIMIT_CENTS = 100_000_00
# What counts as spent: charged, or claimed and not (yet) given back. Counting the
# claimed ones is what stops two concurrent payments from both fitting under a limit.
SPENDING_STATUSES = (
    AttemptStatus.PROCESSING.value,
    AttemptStatus.CONFIRMING.value,
    AttemptStatus.SUCCEEDED.value,
)


@dataclass(frozen=True)
class AppSetting:
    app: str
    enabled: bool
    monthly_limit_cents: int | None
    spent_cents: int


def list_activation(session: Session, *, user: User) -> dict[str, bool]:
    """Every app, in AppSurface order, mapped to whether Pay is on in it."""
    stored = dict(
        session.exec(
            select(AppActivation.app, AppActivation.enabled).where(AppActivation.user_id == user.id)
        ).all()
    )
    return {app.value: bool(stored.get(app.value, True)) for app in AppSurface}


def _upsert(session: Session, *, user: User, surface: AppSurface, **values: object) -> None:
    """Write some columns of the (user, app) row, creating it with the defaults if missing.

    An upsert: two tabs changing the same app must not collide on the unique row.
    """
    now = utcnow()
    stmt = dialect_insert(session, AppActivation).values(
        **{"user_id": user.id, "app": surface.value, "enabled": True, "updated_at": now, **values}
    )
    session.exec(
        stmt.on_conflict_do_update(
            index_elements=["user_id", "app"],
            set_={**{name: getattr(stmt.excluded, name) for name in values}, "updated_at": stmt.excluded.updated_at},
        )
    )


def set_activation(session: Session, *, user: User, app: object, enabled: object) -> dict[str, bool]:
    """Switch Pay on or off in one app; returns the new state of all apps. Does not commit.

    ValidationError("app_invalid"), ValidationError("enabled_invalid") (a real bool is
    required: the string "false" is truthy).
    """
    surface = parse_app(app)
    if not isinstance(enabled, bool):
        raise ValidationError("enabled_invalid")
    _upsert(session, user=user, surface=surface, enabled=enabled)
    return list_activation(session, user=user)


def set_all_activation(session: Session, *, user: User, enabled: object) -> dict[str, bool]:
    """"Use on all apps": every app's switch set to `enabled`. Does not commit.
    ValidationError("enabled_invalid")."""
    if not isinstance(enabled, bool):
        raise ValidationError("enabled_invalid")
    for surface in AppSurface:
        _upsert(session, user=user, surface=surface, enabled=enabled)
    return list_activation(session, user=user)


def parse_monthly_limit(raw: object, *, language: str = "en") -> int | None:
    """Cents from what a person typed; empty means no limit.

    ValidationError("limit_negative" | "limit_too_high" | "amount_not_numeric" |
    "amount_too_many_decimals").
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, str) and raw.strip().startswith("-") or isinstance(raw, int) and not isinstance(raw, bool) and raw < 0:
        raise ValidationError("limit_negative")
    if isinstance(raw, int) and not isinstance(raw, bool):
        cents = raw
    else:
        try:
            cents = parse_amount(raw, LIMIT_CURRENCY, language)
        except ValidationError as error:
            if error.code != "amount_not_positive":
                raise
            cents = 0  # not negative (checked above), so zero: a limit that stops every payment
    if cents > MAX_MONTHLY_LIMIT_CENTS:
        raise ValidationError("limit_too_high", max=MAX_MONTHLY_LIMIT_CENTS, currency=LIMIT_CURRENCY)
    return cents


def set_monthly_limit(
    session: Session, *, user: User, app: object, limit: object, language: str = "en"
) -> int | None:
    """Set (or with an empty value remove) one app's monthly limit: cents typed as text,
    or int cents. Returns the stored limit. Does not commit; raises as parse_monthly_limit
    and ValidationError("app_invalid")."""
    surface = parse_app(app)
    cents = parse_monthly_limit(limit, language=language)
    _upsert(session, user=user, surface=surface, monthly_limit_cents=cents)
    return cents


def month_start(now: dt.datetime) -> dt.datetime:
    """The first instant of `now`'s calendar month (UTC, as every stored time)."""
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _spent_query(user_id: object, since: dt.datetime, currency: str):
    return (
        select(CheckoutAttempt.app, func.coalesce(func.sum(CheckoutAttempt.amount_cents), 0))
        .where(
            CheckoutAttempt.user_id == user_id,
            col(CheckoutAttempt.status).in_(SPENDING_STATUSES),
            col(CheckoutAttempt.claimed_at) >= since,
            CheckoutAttempt.currency == currency,
        )
        .group_by(CheckoutAttempt.app)
    )


def spent_this_month(session: Session, *, user: User, now: dt.datetime | None = None) -> dict[str, int]:
    """Cents paid (or being paid) this calendar month, per app, in the limits' currency."""
    rows = dict(session.exec(_spent_query(user.id, month_start(now or utcnow()), LIMIT_CURRENCY)).all())
    return {app.value: int(rows.get(app.value, 0)) for app in AppSurface}


def list_settings(session: Session, *, user: User, now: dt.datetime | None = None) -> list[AppSetting]:
    """Every app, in AppSurface order: its switch, its limit and this month's spending."""
    stored = {
        app: (enabled, limit)
        for app, enabled, limit in session.exec(
            select(AppActivation.app, AppActivation.enabled, AppActivation.monthly_limit_cents).where(
                AppActivation.user_id == user.id
            )
        ).all()
    }
    spent = spent_this_month(session, user=user, now=now)
    return [
        AppSetting(
            app=app.value,
            enabled=bool(stored.get(app.value, (True, None))[0]),
            monthly_limit_cents=stored.get(app.value, (True, None))[1],
            spent_cents=spent[app.value],
        )
        for app in AppSurface
    ]


_ACTIVATION = AppActivation.__table__  # type: ignore[attr-defined]
# Built once (Core): runs in every payment's claim.
_LOCK_ACTIVATION = (
    core_select(_ACTIVATION.c.enabled, _ACTIVATION.c.monthly_limit_cents)
    .where(_ACTIVATION.c.user_id == bindparam("b_user_id"), _ACTIVATION.c.app == bindparam("b_app"))
    .with_for_update()
)


def enforce_at_claim(
    session: Session,
    *,
    user_id: int,
    app: str,
    amount_cents: int,
    currency: str,
    attempt_id: int,
    now: dt.datetime | None = None,
) -> None:
    """Inside the engine's claim transaction: Pay still on in `app`, and this amount fits
    under its monthly limit. Raises Conflict("pay_disabled_in_app" | "pay_limit_reached").

    The (user, app) row is locked first (PostgreSQL; SQLite's claim already holds the one
    write lock), so concurrent claims in one app are counted one after the other: each
    sees the others' claimed amounts and at most what fits passes.
    """
    row = session.connection().execute(_LOCK_ACTIVATION, {"b_user_id": user_id, "b_app": app}).first()
    if row is None:
        return
    enabled, limit = row
    surface = parse_app(app)
    require_enabled_value(surface, enabled)
    if limit is None:
        return
    if currency != LIMIT_CURRENCY:
        # A limit in euros cannot weigh another currency: refused rather than let through.
        raise Conflict("pay_limit_reached", app=surface.value, limit=limit, remaining=0,
                       currency=LIMIT_CURRENCY, link=SETTINGS_LINK)
    spent = session.exec(
        select(func.coalesce(func.sum(CheckoutAttempt.amount_cents), 0)).where(
            CheckoutAttempt.user_id == user_id,
            CheckoutAttempt.app == app,
            CheckoutAttempt.id != attempt_id,
            col(CheckoutAttempt.status).in_(SPENDING_STATUSES),
            col(CheckoutAttempt.claimed_at) >= month_start(now or utcnow()),
            CheckoutAttempt.currency == currency,
        )
    ).one()
    if int(spent) + amount_cents > limit:
        raise Conflict(
            "pay_limit_reached", app=surface.value, limit=limit, remaining=max(limit - int(spent), 0),
            currency=LIMIT_CURRENCY, link=SETTINGS_LINK,
        )


def is_pay_enabled(session: Session, *, user: User, app: object) -> bool:
    surface = parse_app(app)
    enabled = session.exec(
        select(AppActivation.enabled).where(
            AppActivation.user_id == user.id, AppActivation.app == surface.value
        )
    ).first()
    return True if enabled is None else bool(enabled)


def require_pay_enabled(session: Session, *, user: User, app: object) -> AppSurface:
    """ValidationError("app_invalid") or Conflict("pay_disabled_in_app", app=...) unless Pay is on."""
    surface = parse_app(app)
    return require_enabled_value(surface, is_pay_enabled(session, user=user, app=surface))


def pay_enabled_subquery(user_id: object, app_value: object):
    """AppActivation.enabled for (user, app) as a scalar subquery, NULL when there is no row.

    For a hot path that folds the switch into a query it runs anyway (checkout), instead
    of one more round trip; read the value with require_enabled_value.
    """
    return (
        select(AppActivation.enabled)
        .where(AppActivation.user_id == user_id, AppActivation.app == app_value)
        .scalar_subquery()
    )


def require_enabled_value(surface: AppSurface, enabled: bool | None) -> AppSurface:
    """require_pay_enabled given the stored switch (None: no row, so on)."""
    if enabled is not None and not enabled:
        raise Conflict("pay_disabled_in_app", app=surface.value, link=SETTINGS_LINK)
    return surface
