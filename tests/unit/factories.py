"""Small builders for payment tests: users, shops, products, fundraisers, cards, attempts."""

from __future__ import annotations

import functools
import itertools
import uuid

from sqlmodel import Session, select

from socialshop.models import (
    CheckoutAttempt,
    Fundraiser,
    PaymentMethod,
    PayProfile,
    Post,
    Product,
    Shop,
    User,
    utcnow,
)
from socialshop.services import checkout, ledger, payment_methods, security

PIN = "3917"
GOOD_CARD = "4242424242424242"
DECLINE_CARDS = {
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
    "4000000000000069": "expired_card",
}
SHIPPING = {"name": "Ada Lovelace", "line1": "Via Roma 1", "city": "Milano", "postal_code": "20121", "country": "IT"}

_seq = itertools.count(1)
# The browser scenarios use these factories on the one database every xdist worker shares:
# a per-process tag keeps e-mails unique across workers.
_PROCESS = uuid.uuid4().hex[:6]


@functools.cache
def pin_hash(pin: str = PIN) -> str:
    """argon2 takes ~0.2 s: hash the test PIN once per run, not once per user."""
    return security.hash_secret(pin)


def make_user(session: Session, *, name: str | None = None, with_pin: bool = True) -> User:
    n = next(_seq)
    user = User(email=f"user{n}-{_PROCESS}@example.com", display_name=name or f"User {n}", password_hash="x")
    session.add(user)
    session.flush()
    if with_pin:
        session.add(PayProfile(user_id=user.id, pin_hash=pin_hash()))
        session.flush()
    return user


def make_shop(
    session: Session, *, owner: User | None = None, name: str | None = None, fee_package: str = "starter"
) -> Shop:
    owner = owner or make_user(session, with_pin=False)
    if owner.role != "merchant":
        owner.role = "merchant"
        session.add(owner)
    n = next(_seq)
    shop = Shop(owner_id=owner.id, name=name or f"Shop {n}", slug=f"shop-{n}", fee_package=fee_package)
    session.add(shop)
    session.flush()
    return shop


def make_product(
    session: Session,
    *,
    shop: Shop | None = None,
    title: str | None = None,
    price_cents: int = 1250,
    stock: int = 10,
    active: bool = True,
    currency: str = "EUR",
    category: str = "other",
) -> Product:
    shop = shop or make_shop(session)
    product = Product(
        shop_id=shop.id,
        title=title or f"Product {next(_seq)}",
        price_cents=price_cents,
        stock=stock,
        active=active,
        currency=currency,
        category=category,
    )
    session.add(product)
    session.flush()
    return product


def make_fundraiser(session: Session, *, organizer: User | None = None, title: str = "New roof for the library", goal_cents: int = 500_000) -> Fundraiser:
    organizer = organizer or make_user(session, with_pin=False)
    post = Post(author_user_id=organizer.id, app="facebook", text=title)
    session.add(post)
    session.flush()
    fundraiser = Fundraiser(post_id=post.id, title=title, organizer_id=organizer.id, goal_cents=goal_cents)
    session.add(fundraiser)
    session.flush()
    return fundraiser


def add_card(session: Session, user: User, number: str = GOOD_CARD, **kwargs) -> PaymentMethod:
    return payment_methods.add_card(
        session, user=user, number=number, exp_month=12, exp_year=utcnow().year + 3, cvc="123", **kwargs
    )


def make_buyer(session: Session, *, number: str = GOOD_CARD, name: str | None = None) -> tuple[User, PaymentMethod]:
    user = make_user(session, name=name)
    method = add_card(session, user, number)
    session.commit()
    return user, method


def authorized_key(session: Session, user: User, *, kind: str = "purchase", app: str = "facebook", real_pin: bool = False) -> str:
    """An open attempt whose PIN step is done.

    real_pin=False marks it authorized directly, skipping the deliberately slow argon2
    check; the PIN path itself is covered by test_pin and the real_pin=True tests.
    """
    attempt = checkout.open_attempt(session, user=user, kind=kind, app=app)
    session.commit()
    if real_pin:
        checkout.authorize_attempt(session, user=user, key=attempt.idempotency_key, pin=PIN)
    else:
        attempt.pin_verified_at = utcnow()
        session.add(attempt)
    session.commit()
    return attempt.idempotency_key


def stock_of(session: Session, product_id: int) -> int:
    return session.exec(select(Product.stock).where(Product.id == product_id)).one()


def attempt_of(session: Session, key: str) -> CheckoutAttempt:
    return session.exec(
        select(CheckoutAttempt).where(CheckoutAttempt.idempotency_key == key).execution_options(populate_existing=True)
    ).one()


def assert_books_balance(session: Session) -> None:
    problems = ledger.check_invariants(session)
    assert problems == [], problems


class SpyProvider:
    """Wraps the sandbox gateway and counts money-moving calls (thread safe).

    `before_charge` runs inside charge() before the sandbox answers, so a test can hold
    the one real charge until its concurrent replays have returned.
    """

    def __init__(self, inner=None, *, before_charge=None, refund_error: Exception | None = None):
        import threading

        from socialshop.payments.sandbox import SandboxProvider

        self.inner = inner or SandboxProvider()
        self.name = self.inner.name
        self.charges: list[dict] = []
        self.refunds: list[dict] = []
        self.detached: list[dict] = []
        self.before_charge = before_charge
        self.refund_error = refund_error
        self._lock = threading.Lock()

    def create_customer(self, **kwargs):
        return self.inner.create_customer(**kwargs)

    def tokenize_card(self, **kwargs):
        return self.inner.tokenize_card(**kwargs)

    def charge(self, **kwargs):
        with self._lock:
            self.charges.append(kwargs)
        if self.before_charge is not None:
            self.before_charge()
        return self.inner.charge(**kwargs)

    def refund(self, **kwargs):
        if self.refund_error is not None:
            raise self.refund_error
        with self._lock:
            self.refunds.append(kwargs)
        return self.inner.refund(**kwargs)

    def find_or_void_charge(self, **kwargs):
        return self.inner.find_or_void_charge(**kwargs)

    def link_account(self, **kwargs):
        return self.inner.link_account(**kwargs)

    def detach_method(self, **kwargs):
        with self._lock:
            self.detached.append(kwargs)
        return self.inner.detach_method(**kwargs)


def install_provider(monkeypatch, provider) -> None:
    """Every service asks socialshop.payments.get_provider() at call time."""
    from socialshop import payments

    monkeypatch.setattr(payments, "get_provider", lambda: provider)
