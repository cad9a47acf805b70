"""WhatsApp chats between a buyer and a shop, with order messages the buyer pays in the chat.

An order message is a dynamic payment code (services/payment_codes.py) tied to the chat,
valid longer than a counter QR: paying it goes through the same engine, claim and
handler, and makes an order of source "chat". The shop sees the buyer as its pseudonym
("Customer 7F3K") only; the buyer sees the shop's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from socialshop.models import (
    ChatMessage,
    ChatSender,
    PaymentCode,
    Shop,
    ShopChat,
    User,
)
from socialshop.services import payment_codes, shop_customers, shops
from socialshop.services.errors import NotFound, PermissionDenied, ValidationError
from socialshop.services.inputs import parse_id

MAX_BODY = 1000
PAGE_SIZE = 50
LIST_SIZE = 30


def _now() -> dt.datetime:
    return payment_codes._now()


@dataclass(frozen=True)
class ChatRef:
    """A chat as one side is allowed to see it."""

    chat_id: int
    shop_id: int
    # The buyer sees the shop's name; the shop sees "Customer 7F3K".
    other_name: str
    viewer_is_shop: bool


def open_chat(session: Session, *, user: User, shop_slug: object) -> ShopChat:
    """The buyer's chat with a shop, made on first use. Does not commit.
    NotFound("shop_not_found") (closed shops too), ValidationError("chat_own_shop")."""
    shop = None
    if isinstance(shop_slug, str) and 0 < len(shop_slug) <= 80:
        shop = session.exec(select(Shop).where(Shop.slug == shop_slug, col(Shop.deleted_at).is_(None))).first()
    if shop is None:
        raise NotFound("shop_not_found")
    if shop.owner_id == user.id:
        raise ValidationError("chat_own_shop")
    chat = session.exec(select(ShopChat).where(ShopChat.shop_id == shop.id, ShopChat.buyer_id == user.id)).first()
    if chat is None:
        chat = ShopChat(shop_id=shop.id, buyer_id=user.id, created_at=_now(), last_message_at=_now())  # type: ignore[arg-type]
        session.add(chat)
        session.flush()
        # Talking to a shop introduces the buyer to it, by pseudonym.
        shop_customers.customer_alias(session, shop_id=shop.id, user_id=user.id)  # type: ignore[arg-type]
    return chat


def chat_ref(session: Session, *, user: User, chat_id: object) -> ChatRef:
    """The chat if the user is its buyer or owns its shop; NotFound("chat_not_found") otherwise."""
    parsed = parse_id(chat_id)
    row = None
    if parsed is not None:
        row = session.exec(
            select(ShopChat, Shop).join(Shop, col(Shop.id) == ShopChat.shop_id).where(ShopChat.id == parsed)
        ).first()
    if row is None:
        raise NotFound("chat_not_found")
    chat, shop = row
    if chat.buyer_id == user.id:
        return ChatRef(chat.id, shop.id, shop.name, False)  # type: ignore[arg-type]
    if shop.owner_id == user.id and user.role == "merchant":
        alias = shop_customers.customer_alias(session, shop_id=shop.id, user_id=chat.buyer_id)  # type: ignore[arg-type]
        return ChatRef(chat.id, shop.id, shop_customers.display(alias), True)  # type: ignore[arg-type]
    raise NotFound("chat_not_found")


@dataclass(frozen=True)
class ChatListRow:
    chat_id: int
    name: str
    last_message_at: dt.datetime


def buyer_chats(session: Session, *, user: User, limit: int = LIST_SIZE) -> list[ChatListRow]:
    rows = session.exec(
        select(ShopChat.id, Shop.name, ShopChat.last_message_at)
        .join(Shop, col(Shop.id) == ShopChat.shop_id)
        .where(ShopChat.buyer_id == user.id)
        .order_by(col(ShopChat.last_message_at).desc(), col(ShopChat.id).desc())
        .limit(limit)
    ).all()
    return [ChatListRow(chat_id, name, at) for chat_id, name, at in rows]


def merchant_chats(session: Session, *, user: User, limit: int = LIST_SIZE) -> list[ChatListRow]:
    """The shop's chats, newest first, each named by the buyer's pseudonym."""
    shop = shops.require_shop(session, user=user)
    rows = session.exec(
        select(ShopChat.id, ShopChat.buyer_id, ShopChat.last_message_at)
        .where(ShopChat.shop_id == shop.id)
        .order_by(col(ShopChat.last_message_at).desc(), col(ShopChat.id).desc())
        .limit(limit)
    ).all()
    names = shop_customers.aliases(session, shop_id=shop.id, user_ids={buyer for _, buyer, _ in rows})  # type: ignore[arg-type]
    return [ChatListRow(chat_id, shop_customers.display(names[buyer]), at) for chat_id, buyer, at in rows]


def _clean_body(body: object) -> str:
    if not isinstance(body, str):
        raise ValidationError("message_invalid")
    text = body.strip()
    if not text:
        raise ValidationError("message_empty")
    if len(text) > MAX_BODY:
        raise ValidationError("message_too_long", max_length=MAX_BODY)
    return text


def _post(session: Session, ref: ChatRef, *, body: str, code_id: int | None = None) -> ChatMessage:
    now = _now()
    message = ChatMessage(
        chat_id=ref.chat_id, sender=(ChatSender.SHOP if ref.viewer_is_shop else ChatSender.BUYER).value,
        body=body, payment_code_id=code_id, created_at=now,
    )
    session.add(message)
    session.exec(
        update(ShopChat).where(col(ShopChat.id) == ref.chat_id).values(last_message_at=now)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return message


def send_message(session: Session, *, user: User, chat_id: object, body: object) -> ChatMessage:
    """A text message from whichever side the user is. Does not commit.
    NotFound("chat_not_found"), ValidationError("message_invalid" | "message_empty" | "message_too_long")."""
    ref = chat_ref(session, user=user, chat_id=chat_id)
    return _post(session, ref, body=_clean_body(body))


def send_order(session: Session, *, user: User, chat_id: object, amount_cents: object, items: object) -> ChatMessage:
    """The shop asks the buyer to pay: an order message carrying a payment code for this
    amount, valid payment_codes.CHAT_LIFETIME. Does not commit.
    NotFound("chat_not_found"), PermissionDenied("merchant_only") for the buyer's side,
    and what payment_codes.create_dynamic raises."""
    ref = chat_ref(session, user=user, chat_id=chat_id)
    if not ref.viewer_is_shop:
        raise PermissionDenied("merchant_only")
    code = payment_codes.create_dynamic(
        session, user=user, amount_cents=amount_cents, description=items,
        lifetime=payment_codes.CHAT_LIFETIME, chat_id=ref.chat_id,
    )
    return _post(session, ref, body=code.description, code_id=code.id)


@dataclass(frozen=True)
class MessageView:
    id: int
    mine: bool
    body: str
    created_at: dt.datetime
    # An order message's code (0: a text message)
    code_id: int
    amount_cents: int
    currency: str
    reference: str
    # open | claimed | paid | cancelled | expired
    code_status: str
    order_number: str


def messages(session: Session, *, user: User, chat_id: object, limit: int = PAGE_SIZE) -> list[MessageView]:
    """The chat's latest messages, oldest first, with each order message's current status."""
    ref = chat_ref(session, user=user, chat_id=chat_id)
    rows = list(session.exec(
        select(ChatMessage)
        .where(ChatMessage.chat_id == ref.chat_id)
        .order_by(col(ChatMessage.id).desc())
        .limit(max(1, min(limit, PAGE_SIZE)))
    ).all())[::-1]
    code_ids = [m.payment_code_id for m in rows if m.payment_code_id is not None]
    codes = {
        c.id: c for c in session.exec(
            select(PaymentCode).where(col(PaymentCode.id).in_(code_ids)).execution_options(populate_existing=True)
        ).all()
    } if code_ids else {}
    from socialshop.models import Order

    order_ids = [c.order_id for c in codes.values() if c.order_id is not None]
    numbers = dict(session.exec(select(Order.id, Order.number).where(col(Order.id).in_(order_ids))).all()) if order_ids else {}
    now = _now()
    mine = ChatSender.SHOP.value if ref.viewer_is_shop else ChatSender.BUYER.value
    views = []
    for m in rows:
        code = codes.get(m.payment_code_id) if m.payment_code_id is not None else None
        views.append(MessageView(
            id=m.id, mine=m.sender == mine, body=m.body, created_at=m.created_at,  # type: ignore[arg-type]
            code_id=code.id if code else 0, amount_cents=code.amount_cents if code else 0,  # type: ignore[arg-type]
            currency=code.currency if code else "EUR", reference=code.reference if code else "",
            code_status=payment_codes._status_of(code, now) if code else "",
            order_number=numbers.get(code.order_id, "") if code and code.order_id else "",
        ))
    return views


def order_payload(session: Session, *, user: User, message_id: object) -> str:
    """The code of an order message, for its buyer to pay. NotFound("message_not_found")
    unless the user is the chat's buyer and the message is an order message."""
    parsed = parse_id(message_id)
    row = None
    if parsed is not None:
        row = session.exec(
            select(ChatMessage, ShopChat, PaymentCode, Shop)
            .join(ShopChat, col(ShopChat.id) == ChatMessage.chat_id)
            .join(PaymentCode, col(PaymentCode.id) == ChatMessage.payment_code_id)
            .join(Shop, col(Shop.id) == PaymentCode.shop_id)
            .where(ChatMessage.id == parsed)
        ).first()
    if row is None or row[1].buyer_id != user.id:
        raise NotFound("message_not_found")
    return payment_codes.build_payload(row[2], row[3])
