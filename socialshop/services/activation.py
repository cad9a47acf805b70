"""Pay switched on or off per app. Everything is on until the user switches it off."""

from __future__ import annotations

from sqlmodel import Session, select

from socialshop.models import AppActivation, AppSurface, User, utcnow
from socialshop.services.errors import Conflict, ValidationError
from socialshop.services.inputs import parse_app
from socialshop.services.ledger import dialect_insert


def list_activation(session: Session, *, user: User) -> dict[str, bool]:
    """Every app, in AppSurface order, mapped to whether Pay is on in it."""
    stored = dict(
        session.exec(
            select(AppActivation.app, AppActivation.enabled).where(AppActivation.user_id == user.id)
        ).all()
    )
    return {app.value: bool(stored.get(app.value, True)) for app in AppSurface}


def set_activation(session: Session, *, user: User, app: object, enabled: object) -> dict[str, bool]:
    """Switch Pay on or off in one app; returns the new state of all apps. Does not commit.

    ValidationError("app_invalid"), ValidationError("enabled_invalid") (a real bool is
    required: the string "false" is truthy).
    """
    surface = parse_app(app)
    if not isinstance(enabled, bool):
        raise ValidationError("enabled_invalid")
    # Upsert: two tabs flipping the same switch must not collide on the unique row.
    stmt = dialect_insert(session, AppActivation).values(
        user_id=user.id, app=surface.value, enabled=enabled, updated_at=utcnow()
    )
    session.exec(
        stmt.on_conflict_do_update(
            index_elements=["user_id", "app"],
            set_={"enabled": stmt.excluded.enabled, "updated_at": stmt.excluded.updated_at},
        )
    )
    return list_activation(session, user=user)


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
        raise Conflict("pay_disabled_in_app", app=surface.value)
    return surface
