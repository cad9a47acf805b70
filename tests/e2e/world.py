"""Build what a scenario needs straight into the harness's database: a fresh merchant with a
shop and a product, a fresh shopper with a card and a PIN, and a real purchase made through
the same checkout service the app uses (so orders, payment, ledger and sandbox charge agree,
and the books check that runs last stays meaningful).

Everything is new per scenario (uuid e-mails and slugs): no scenario depends on another or
on the demo accounts' counters.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session, select

from socialshop.db import make_engine
from socialshop.models import Order, PayProfile, Post, Product, Role, Shop, User, utcnow
from socialshop.money import engine as money_engine
from socialshop.services import checkout, contact, payment_methods, security

PASSWORD = "a-good-pass-42"
PIN = "3917"
SHIPPING = {"name": "Lucia Verdi", "line1": "Via Roma 1", "city": "Cagliari", "postal_code": "09124", "country": "IT"}
# Hashed once per process: argon2 is slow on purpose.
_HASHES: dict[str, str] = {}


def _hash(secret: str) -> str:
    if secret not in _HASHES:
        _HASHES[secret] = security.hash_secret(secret)
    return _HASHES[secret]


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str


@dataclass(frozen=True)
class Merchant(Person):
    shop_id: int
    shop_name: str
    shop_slug: str
    product_id: int


class World:
    def __init__(self, database_url: str) -> None:
        self.engine = make_engine(database_url)

    def close(self) -> None:
        self.engine.dispose()

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def _user(self, session: Session, name: str, role: Role) -> User:
        tag = uuid.uuid4().hex[:8]
        user = User(email=f"{name.split()[0].lower()}-{tag}@example.com", display_name=name,
                    handle=f"{name.split()[0].lower()}_{tag}", password_hash=_hash(PASSWORD), role=role.value)
        session.add(user)
        session.flush()
        return user

    def merchant(self, *, name: str = "Nadia Fornaio", shop_name: str = "Forno Nadia", city: str = "Cagliari",
                 package: str = "starter", price_cents: int = 2400, stock: int = 20,
                 product_title: str = "Pane carasau 500 g") -> Merchant:
        with self.session() as session:
            owner = self._user(session, name, Role.MERCHANT)
            tag = uuid.uuid4().hex[:6]
            shop = Shop(owner_id=owner.id, name=f"{shop_name} {tag}", slug=f"forno-{tag}", city=city,
                        fee_package=package)
            session.add(shop)
            session.flush()
            product = Product(shop_id=shop.id, title=product_title, price_cents=price_cents, stock=stock,
                              category="food")
            session.add(product)
            session.commit()
            return Merchant(owner.id, owner.email, owner.display_name, shop.id, shop.name, shop.slug, product.id)

    def shopper(self, *, name: str = "Lucia Verdi", language: str = "en",
                address: bool = False) -> tuple[Person, int]:
        """A shopper with the PIN 3917 and a saved Visa ending 4242; (person, card id).
        language="it" for an Italian account; address=True saves SHIPPING as the default
        address, so checkout preselects it (no address form), as for the demo shoppers."""
        with self.session() as session:
            user = self._user(session, name, Role.SHOPPER)
            user.language = language
            session.add(PayProfile(user_id=user.id, pin_hash=_hash(PIN)))
            session.flush()
            card = payment_methods.add_card(session, user=user, number="4242424242424242", exp_month=12,
                                            exp_year=utcnow().year + 3, cvc="123")
            if address:
                contact.add_address(session, user=user, fields=dict(SHIPPING))
            session.commit()
            return Person(user.id, user.email, user.display_name), card.id  # type: ignore[return-value]

    def purchase(self, buyer: Person, card_id: int, product_id: int, *, quantity: int = 1,
                 app: str = "instagram") -> int:
        """Buy through the checkout service, as the pay sheet would; the order's id."""
        with self.session() as session:
            user = session.get(User, buyer.id)
            attempt = money_engine.open_attempt(session, user=user, kind="purchase", app=app)
            attempt.pin_verified_at = utcnow()  # the PIN sheet is the payments scenarios' business
            session.commit()
            result = checkout.checkout_items(session, user=user, key=attempt.idempotency_key,
                                             items=[(product_id, quantity)], method_id=card_id,
                                             shipping=SHIPPING, app=app)
            assert result.succeeded, result
            return result.order_ids[0]

    def post(self, merchant: Merchant, *, app: str = "facebook", text: str = "") -> str:
        """A new post of the merchant's shop, on top of its app's feed; its text, which is
        unique: find the card by it, since other scenarios publish newer posts."""
        text = text or f"Appena sfornato {uuid.uuid4().hex[:8]}"
        with self.session() as session:
            post = Post(author_shop_id=merchant.shop_id, app=app, text=text)
            session.add(post)
            session.commit()
            return text

    def order_payment_id(self, order_id: int) -> int:
        with self.session() as session:
            return session.exec(select(Order.payment_id).where(Order.id == order_id)).one()


def world(request) -> World:
    """The scenario's World on the harness's database (closed when the scenario ends)."""
    made = World(request.getfixturevalue("test_database"))
    request.addfinalizer(made.close)
    return made
