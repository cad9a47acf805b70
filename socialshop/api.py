"""Plain HTTP routes next to the Reflex app: gateway webhooks.

    app = rx.App(..., api_transformer=api_transformer)

`api_transformer` puts these routes in front of Reflex's backend; everything else falls
through to Reflex unchanged. `build_api` serves only these routes (tests).

POST /api/webhooks/stripe answers:
  200  handled, a duplicate, or a type we ignore ({"outcome": ...});
  400  bad or missing signature, timestamp outside the 5-minute tolerance, not an event;
  413  body larger than MAX_BODY_BYTES;
  503  STRIPE_WEBHOOK_SECRET is not set (our configuration, not the sender's fault: Stripe
       keeps retrying non-2xx answers for days, so nothing is lost once it is set), or the
       gateway could not be asked about the event;
  500  anything else went wrong while applying it (Stripe retries; see the log).
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp

from socialshop.db import session_scope
from socialshop.payments.base import ProviderUnavailable

log = logging.getLogger(__name__)

STRIPE_WEBHOOK_PATH = "/api/webhooks/stripe"
# Stripe events are a few kB; the body is read before its signature can be checked.
MAX_BODY_BYTES = 1024 * 1024


class _TooLarge(Exception):
    pass


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise _TooLarge
    return bytes(body)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def webhook_routes(db: Engine | None = None) -> list[BaseRoute]:
    """The webhook routes; `db` defaults to the app's database."""

    def handle(event: dict) -> str:
        # Imported on first use: the Stripe SDK stays unloaded in a sandbox-only process.
        from socialshop.payments.stripe.webhooks import handle_stripe_event

        with session_scope(db) as session:
            return handle_stripe_event(session, event)

    async def stripe_webhook(request: Request) -> JSONResponse:
        from socialshop.payments.stripe import webhooks

        try:
            payload = await _read_body(request)
        except _TooLarge:
            return _error(413, "body too large")
        try:
            event = webhooks.parse_event(payload, request.headers.get("stripe-signature"))
        except webhooks.WebhookSecretMissing:
            log.error("Stripe webhook refused: %s is not set", webhooks.SECRET_ENV)
            return _error(503, "webhook secret not configured")
        except webhooks.InvalidWebhook as exc:
            log.warning("Stripe webhook refused: %s", exc)
            return _error(400, "invalid signature or payload")
        try:
            outcome = await run_in_threadpool(handle, event)
        except ProviderUnavailable as exc:
            log.warning("Stripe event %s not handled yet: %s", event["id"], exc)
            return _error(503, "payment gateway unavailable")
        except Exception:
            log.exception("Stripe event %s (%s) could not be handled", event["id"], event["type"])
            return _error(500, "event not handled")
        return JSONResponse({"received": True, "outcome": outcome})

    return [Route(STRIPE_WEBHOOK_PATH, stripe_webhook, methods=["POST"])]


def build_api(db: Engine | None = None) -> Starlette:
    """Only the webhook routes, as an ASGI app of their own."""
    return Starlette(routes=webhook_routes(db))


def api_transformer(asgi_app: ASGIApp) -> ASGIApp:
    """For rx.App(api_transformer=...): our routes first, then Reflex's backend."""
    return Starlette(routes=[*webhook_routes(), Mount("", app=asgi_app)])
