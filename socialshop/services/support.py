"""Support chat: the rule-based assistant, the handover to a person and the agents' queue.

A user talks first to the assistant, which answers the common questions from the user's
own data (refunds, PIN lock, declined card, Pay per app) in the user's language. Anything
else, or "talk to a person", hands the conversation over: it joins the queue agents (the
`support` role) see at /support/agent. Agents see the user's display name, the messages
and what the conversation is about; never card data, hashes or other conversations.

Open tabs poll `poll_messages` / `poll_current`: one indexed statement each, which also
checks the tab's login, so a signed-out tab stops receiving.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from socialshop import i18n
from socialshop.models import (
    QUEUE_STATUSES,
    AttemptStatus,
    AuthSession,
    CheckoutAttempt,
    ConversationStatus,
    MessageSender,
    NotificationKind,
    Order,
    Payment,
    Refund,
    Role,
    SupportConversation,
    SupportMessage,
    User,
    utcnow,
)
from socialshop.services import history, notifications, pay_apps, pay_pin, security
from socialshop.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from socialshop.services.inputs import clean_language, parse_count, parse_id
from socialshop.services.money import format_datetime, format_money

MAX_MESSAGE_LENGTH = 1000
# The latest page of a conversation is all a tab keeps.
MESSAGE_PAGE = 50
QUEUE_PAGE = 10
# A person types at most this many messages a minute; more is a script flooding the queue.
MAX_MESSAGES_PER_MINUTE = 12
# The history's entry kinds a conversation can be about: any entry of the history.
ABOUT_KINDS = history.ENTRY_SOURCES


def _now() -> dt.datetime:
    """The clock; tests monkeypatch it."""
    return utcnow()


# ---------------------------------------------------------------- views


@dataclass(frozen=True)
class MessageView:
    id: int
    sender: str  # user | assistant | agent | system
    author: str  # who the reader sees: "You", "Assistant", "Support", the user's name
    text: str
    created_at_label: str
    mine: bool


@dataclass(frozen=True)
class ConversationView:
    id: int
    status: str
    about: str  # "payment-12", or ""
    about_label: str
    user_name: str
    updated_at_label: str


def is_agent(user: User | None) -> bool:
    return user is not None and user.role == Role.SUPPORT.value


def require_agent(user: User | None) -> User:
    if not is_agent(user):
        raise PermissionDenied("support_agents_only")
    return user  # type: ignore[return-value]


def _message_view(message: SupportMessage, *, viewer_is_agent: bool, user_name: str, lang: str) -> MessageView:
    sender = message.sender
    if sender == MessageSender.SYSTEM.value:
        key = message.body if message.body in i18n.CATALOG else "support.system.changed"
        text, author = i18n.translate(key, lang), ""
    else:
        text = message.body
        if sender == MessageSender.USER.value:
            author = user_name if viewer_is_agent else i18n.translate("support.author.you", lang)
        elif sender == MessageSender.AGENT.value:
            author = i18n.translate("support.author.you" if viewer_is_agent else "support.author.agent", lang)
        else:
            author = i18n.translate("support.author.assistant", lang)
    mine = sender == (MessageSender.AGENT.value if viewer_is_agent else MessageSender.USER.value)
    return MessageView(
        id=message.id,  # type: ignore[arg-type]
        sender=sender,
        author=author,
        text=text,
        created_at_label=format_datetime(message.created_at, lang),
        mine=mine,
    )


def message_views(
    messages: list[SupportMessage], *, viewer_is_agent: bool, user_name: str, language: object
) -> list[MessageView]:
    lang = clean_language(language)
    return [_message_view(m, viewer_is_agent=viewer_is_agent, user_name=user_name, lang=lang) for m in messages]


# ---------------------------------------------------------------- what a conversation is about


def parse_entry_id(raw: object) -> tuple[str, int] | None:
    """('payment', 12) from "payment-12": the history's one id format."""
    return history.parse_entry_id(raw)


def _about_row(session: Session, *, owner_id: int, kind: str, row_id: int) -> tuple[Payment, int, dt.datetime] | None:
    """(payment, signed amount, time) of a history entry of `owner_id`, or None when it is
    not in their history (the history's own rule decides)."""
    found = history.find_entry(session, owner_id=owner_id, source=kind, row_id=row_id)
    if found is None:
        return None
    payment, refund = found
    if kind == "payment":
        return payment, -payment.amount_cents, payment.created_at
    if kind == "received":
        return payment, payment.amount_cents, payment.created_at
    assert refund is not None
    if kind == "refund":
        return payment, refund.amount_cents, refund.created_at
    return payment, -refund.amount_cents, refund.created_at


def check_about(session: Session, *, user: User, entry_id: object) -> tuple[str, int]:
    """The (kind, id) of one of the user's own history entries.

    ValidationError("support_about_invalid") for a malformed id,
    NotFound("support_about_not_found") for a missing entry or someone else's.
    """
    parsed = parse_entry_id(entry_id)
    if parsed is None:
        raise ValidationError("support_about_invalid")
    if _about_row(session, owner_id=user.id, kind=parsed[0], row_id=parsed[1]) is None:  # type: ignore[arg-type]
        raise NotFound("support_about_not_found")
    return parsed


def about_label(session: Session, conversation: SupportConversation, language: object) -> str:
    """'Payment · −€12.50 · Bottega Verde · 12 Nov 2026' — no card, no references."""
    if not conversation.about_kind:
        return ""
    lang = clean_language(language)
    found = _about_row(
        session, owner_id=conversation.user_id, kind=conversation.about_kind, row_id=conversation.about_id
    )
    if found is None:
        return ""
    payment, amount, at = found
    sign = "\u2212" if amount < 0 else "+"
    parts = [
        i18n.translate(f"support.about.{conversation.about_kind}", lang),
        sign + format_money(abs(amount), payment.currency, lang),
        payment.counterparty_label,
        format_datetime(at, lang),
    ]
    return " · ".join(p for p in parts if p)


def _conversation_view(session: Session, conversation: SupportConversation, user_name: str, lang: str) -> ConversationView:
    return ConversationView(
        id=conversation.id,  # type: ignore[arg-type]
        status=conversation.status,
        about=f"{conversation.about_kind}-{conversation.about_id}" if conversation.about_kind else "",
        about_label=about_label(session, conversation, lang),
        user_name=user_name,
        updated_at_label=format_datetime(conversation.updated_at, lang),
    )


# ---------------------------------------------------------------- the user's side


def _own_conversation(session: Session, *, user: User, conversation_id: object) -> SupportConversation:
    cid = parse_id(conversation_id)
    conversation = session.get(SupportConversation, cid) if cid is not None else None
    if conversation is None or conversation.user_id != user.id:
        raise NotFound("support_conversation_not_found")
    return conversation


def current_conversation(session: Session, *, user: User, about: tuple[str, int] | None = None) -> SupportConversation | None:
    """The user's newest conversation that is not closed (about that entry, if given)."""
    query = select(SupportConversation).where(
        SupportConversation.user_id == user.id,
        SupportConversation.status != ConversationStatus.CLOSED.value,
    )
    if about is not None:
        query = query.where(SupportConversation.about_kind == about[0], SupportConversation.about_id == about[1])
    return session.exec(query.order_by(col(SupportConversation.id).desc()).limit(1)).first()


def conversation_view(session: Session, *, user: User, conversation_id: object, language: object = "en") -> ConversationView:
    conversation = _own_conversation(session, user=user, conversation_id=conversation_id)
    return _conversation_view(session, conversation, user.display_name, clean_language(language))


def latest_messages(session: Session, *, conversation_id: int, limit: int = MESSAGE_PAGE) -> list[SupportMessage]:
    rows = session.exec(
        select(SupportMessage)
        .where(SupportMessage.conversation_id == conversation_id)
        .order_by(col(SupportMessage.id).desc())
        .limit(limit)
    ).all()
    return list(reversed(rows))


def user_messages(session: Session, *, user: User, conversation_id: object, language: object = "en") -> list[MessageView]:
    """The latest page of one of the user's conversations. NotFound for anyone else's."""
    conversation = _own_conversation(session, user=user, conversation_id=conversation_id)
    return message_views(
        latest_messages(session, conversation_id=conversation.id),  # type: ignore[arg-type]
        viewer_is_agent=False,
        user_name=user.display_name,
        language=language,
    )


def _clean_text(text: object) -> str:
    if not isinstance(text, str):
        raise ValidationError("support_message_empty")
    # Control characters (other than line breaks) have no place in a chat line.
    cleaned = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc").strip()
    if not cleaned:
        raise ValidationError("support_message_empty")
    if len(cleaned) > MAX_MESSAGE_LENGTH:
        raise ValidationError("support_message_too_long", max_length=MAX_MESSAGE_LENGTH)
    return cleaned


def _add(session: Session, conversation: SupportConversation, sender: MessageSender, body: str, author_id: int | None = None) -> SupportMessage:
    message = SupportMessage(
        conversation_id=conversation.id,  # type: ignore[arg-type]
        sender=sender.value,
        author_id=author_id,
        body=body,
        created_at=_now(),
    )
    session.add(message)
    conversation.updated_at = message.created_at
    session.add(conversation)
    session.flush()
    return message


def _check_flood(session: Session, *, user: User) -> None:
    recent = session.exec(
        select(func.count())
        .select_from(SupportMessage)
        .join(SupportConversation, col(SupportConversation.id) == SupportMessage.conversation_id)
        .where(
            SupportConversation.user_id == user.id,
            SupportMessage.sender == MessageSender.USER.value,
            col(SupportMessage.created_at) > _now() - dt.timedelta(minutes=1),
        )
    ).one()
    if recent >= MAX_MESSAGES_PER_MINUTE:
        raise Conflict("support_too_fast")


def send_message(
    session: Session,
    *,
    user: User,
    text: object,
    conversation_id: object = None,
    about: object = None,
    language: object = "en",
) -> SupportConversation:
    """The user writes. Does not commit.

    Into `conversation_id` (theirs, else NotFound) when given and not closed; otherwise
    into their current conversation about `about` (an entry id of theirs), or a new one.
    While the assistant handles the conversation it answers in `language` at once.
    ValidationError("support_message_empty" | "support_message_too_long"(max_length) |
    "support_about_invalid"), NotFound("support_about_not_found"), Conflict("support_too_fast").
    """
    body = _clean_text(text)
    subject = check_about(session, user=user, entry_id=about) if about not in (None, "") else None
    conversation = None
    if conversation_id not in (None, "", 0):
        conversation = _own_conversation(session, user=user, conversation_id=conversation_id)
        if conversation.status == ConversationStatus.CLOSED.value:
            # A closed chat is not reopened: the new question starts a new one on the same subject.
            subject = (conversation.about_kind, conversation.about_id) if conversation.about_kind else subject
            conversation = None
    if conversation is None:
        conversation = current_conversation(session, user=user, about=subject) if subject else None
    if conversation is None:
        _check_flood(session, user=user)
        conversation = SupportConversation(
            user_id=user.id,  # type: ignore[arg-type]
            about_kind=subject[0] if subject else "",
            about_id=subject[1] if subject else 0,
            created_at=_now(),
            updated_at=_now(),
        )
        session.add(conversation)
        session.flush()
    else:
        _check_flood(session, user=user)
    _add(session, conversation, MessageSender.USER, body, author_id=user.id)
    if conversation.status == ConversationStatus.ASSISTANT.value:
        intent = classify(body)
        if intent == "human":
            _hand_over(session, conversation)
        else:
            _add(session, conversation, MessageSender.ASSISTANT, answer(session, user=user, intent=intent, language=language))
    return conversation


def _hand_over(session: Session, conversation: SupportConversation) -> None:
    conversation.status = ConversationStatus.WAITING.value
    _add(session, conversation, MessageSender.SYSTEM, "support.system.handover")


def request_handover(session: Session, *, user: User, conversation_id: object) -> SupportConversation:
    """"Talk to a person": the conversation joins the agents' queue. Does not commit.

    NotFound for someone else's conversation; Conflict("support_conversation_closed").
    Asking again while already handed over changes nothing.
    """
    conversation = _own_conversation(session, user=user, conversation_id=conversation_id)
    if conversation.status == ConversationStatus.CLOSED.value:
        raise Conflict("support_conversation_closed")
    if conversation.status == ConversationStatus.ASSISTANT.value:
        _hand_over(session, conversation)
    return conversation


def close_conversation(session: Session, *, user: User, conversation_id: object) -> SupportConversation:
    """The owner, or an agent for a handed-over conversation, ends it. Does not commit."""
    if is_agent(user):
        conversation = _agent_conversation(session, conversation_id=conversation_id)
    else:
        conversation = _own_conversation(session, user=user, conversation_id=conversation_id)
    if conversation.status != ConversationStatus.CLOSED.value:
        conversation.status = ConversationStatus.CLOSED.value
        _add(session, conversation, MessageSender.SYSTEM, "support.system.closed")
    return conversation


# ---------------------------------------------------------------- polling from open tabs


def _live_session(token: object):
    """(AuthSession, User) join conditions for the tab's token, or None for garbage."""
    if not isinstance(token, str) or not token or len(token) > 256:
        return None
    return and_(
        col(AuthSession.token_hash) == security.token_digest(token),
        col(AuthSession.expires_at) > utcnow(),
    )


def poll_messages(session: Session, *, token: object, conversation_id: int, after_id: int) -> list[SupportMessage]:
    """Messages after `after_id` in a conversation the tab's user may read (its owner, or
    an agent once handed over): one statement using the (conversation_id, id) index."""
    live = _live_session(token)
    if live is None or parse_id(conversation_id) is None or parse_count(after_id) is None:
        return []
    reader = col(AuthSession.user_id)
    rows = session.exec(
        select(SupportMessage)
        .join(SupportConversation, col(SupportConversation.id) == SupportMessage.conversation_id)
        .join(AuthSession, live)
        .join(User, col(User.id) == reader)
        .where(
            SupportMessage.conversation_id == conversation_id,
            col(SupportMessage.id) > after_id,
            or_(
                col(SupportConversation.user_id) == reader,
                and_(
                    col(User.role) == Role.SUPPORT.value,
                    or_(
                        col(SupportConversation.status).in_(QUEUE_STATUSES),
                        col(SupportConversation.agent_id).is_not(None),
                    ),
                ),
            ),
        )
        .order_by(col(SupportMessage.id))
        .limit(MESSAGE_PAGE)
    ).all()
    return list(rows)


def poll_current(session: Session, *, token: object, about: tuple[str, int] | None = None) -> int | None:
    """For a tab showing no open conversation: the id of the user's newest open one."""
    live = _live_session(token)
    if live is None:
        return None
    query = (
        select(SupportConversation.id)
        .join(AuthSession, live)
        .where(
            col(SupportConversation.user_id) == col(AuthSession.user_id),
            SupportConversation.status != ConversationStatus.CLOSED.value,
        )
    )
    if about is not None:
        query = query.where(SupportConversation.about_kind == about[0], SupportConversation.about_id == about[1])
    return session.exec(query.order_by(col(SupportConversation.id).desc()).limit(1)).first()


def conversation_status(session: Session, *, conversation_id: int) -> str:
    status = session.exec(select(SupportConversation.status).where(SupportConversation.id == conversation_id)).first()
    return status or ""


# ---------------------------------------------------------------- agents


def _agent_conversation(session: Session, *, conversation_id: object) -> SupportConversation:
    """Agents see a conversation once it was handed over, never the assistant-only ones."""
    cid = parse_id(conversation_id)
    conversation = session.get(SupportConversation, cid) if cid is not None else None
    if conversation is None or (conversation.status not in QUEUE_STATUSES and conversation.agent_id is None):
        raise NotFound("support_conversation_not_found")
    return conversation


def queue_pulse(session: Session, *, token: object) -> str | None:
    """For an agent's tab showing the queue: a fingerprint of it (how many are queued and
    the latest change), in one statement that also checks the tab is an agent's live
    login. None for anyone else. The tab reloads the queue only when it changes."""
    live = _live_session(token)
    if live is None:
        return None
    row = session.exec(
        select(func.count(col(SupportConversation.id)), func.max(SupportConversation.updated_at))
        .select_from(AuthSession)
        .join(User, and_(col(User.id) == col(AuthSession.user_id), col(User.role) == Role.SUPPORT.value))
        .outerjoin(SupportConversation, col(SupportConversation.status).in_(QUEUE_STATUSES))
        .where(live)
        .group_by(col(AuthSession.id))
    ).first()
    return None if row is None else f"{row[0]}:{row[1]}"


def queue(session: Session, *, agent: User, page: object = 0, language: object = "en") -> tuple[list[ConversationView], bool]:
    """Handed-over conversations, longest waiting first, a page at a time; and whether
    there is a next page. PermissionDenied("support_agents_only") for anyone else."""
    require_agent(agent)
    number = parse_count(page)
    if number is None or number > 10_000:
        raise ValidationError("support_page_invalid")
    lang = clean_language(language)
    rows = session.exec(
        select(SupportConversation, User.display_name)
        .join(User, col(User.id) == SupportConversation.user_id)
        .where(col(SupportConversation.status).in_(QUEUE_STATUSES))
        .order_by(col(SupportConversation.updated_at), col(SupportConversation.id))
        .offset(number * QUEUE_PAGE)
        .limit(QUEUE_PAGE + 1)
    ).all()
    views = [_conversation_view(session, conversation, name, lang) for conversation, name in rows[:QUEUE_PAGE]]
    return views, len(rows) > QUEUE_PAGE


def agent_view(session: Session, *, agent: User, conversation_id: object, language: object = "en") -> tuple[ConversationView, list[MessageView]]:
    require_agent(agent)
    conversation = _agent_conversation(session, conversation_id=conversation_id)
    owner = session.get(User, conversation.user_id)
    name = owner.display_name if owner is not None else ""
    lang = clean_language(language)
    messages = message_views(
        latest_messages(session, conversation_id=conversation.id),  # type: ignore[arg-type]
        viewer_is_agent=True,
        user_name=name,
        language=lang,
    )
    return _conversation_view(session, conversation, name, lang), messages


def agent_reply(session: Session, *, agent: User, conversation_id: object, text: object) -> SupportMessage:
    """An agent answers; the user is notified in the same transaction. Does not commit.

    PermissionDenied("support_agents_only"), NotFound("support_conversation_not_found"),
    Conflict("support_conversation_closed"), the message errors of send_message.
    """
    require_agent(agent)
    body = _clean_text(text)
    conversation = _agent_conversation(session, conversation_id=conversation_id)
    if conversation.status == ConversationStatus.CLOSED.value:
        raise Conflict("support_conversation_closed")
    conversation.status = ConversationStatus.AGENT.value
    conversation.agent_id = agent.id
    message = _add(session, conversation, MessageSender.AGENT, body, author_id=agent.id)
    notifications.notify(
        session, user_id=conversation.user_id, kind=NotificationKind.SUPPORT_ANSWER,
        params={"preview": body[:80]}, link="/pay/support",
    )
    return message


# ---------------------------------------------------------------- the assistant

# Word stems per intent, English and Italian, accents removed. "*" marks a prefix.
INTENTS: dict[str, tuple[str, ...]] = {
    "human": ("human*", "person", "people", "agent*", "operator*", "operatore", "persona", "umano", "someone", "qualcuno", "staff"),
    "pin": ("pin", "pins", "lock*", "blocc*", "unlock*", "sblocc*"),
    "declined": ("declin*", "rifiut*", "refus*", "reject*", "respint*", "fail*", "failed", "fallit*", "negat*"),
    "refund": ("refund*", "rimbors*", "reimburs*", "cancel*", "annull*", "money back", "restitu*"),
    "apps": ("app", "apps", "applicazion*", "facebook", "instagram", "messenger", "whatsapp", "enabled", "attiv*", "switch*"),
}


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9]+", plain)


def classify(text: str) -> str:
    """The intent of a question: one of INTENTS, or "unknown"."""
    words = _words(text)
    joined = " ".join(words)
    best, best_score = "unknown", 0
    for intent, stems in INTENTS.items():
        score = 0
        for stem in stems:
            if " " in stem:
                score += stem in joined
            elif stem.endswith("*"):
                score += sum(word.startswith(stem[:-1]) for word in words)
            else:
                score += words.count(stem)
        if score > best_score:
            best, best_score = intent, score
    return best


def answer(session: Session, *, user: User, intent: str, language: object = "en") -> str:
    """The assistant's reply to `intent`, from the user's own data, in `language`."""
    lang = clean_language(language)
    t = lambda key, **params: i18n.translate(key, lang, **params)  # noqa: E731
    if intent == "pin":
        status = pay_pin.pin_status(session, user=user, now=_now())
        if not status.is_set:
            return t("support.answer.pin_not_set")
        if status.locked_until is not None:
            return t("support.answer.pin_locked", until=format_datetime(status.locked_until, lang), tries=pay_pin.MAX_TRIES)
        return t("support.answer.pin_ok", tries=status.tries_left, max=pay_pin.MAX_TRIES)
    if intent == "declined":
        attempt = session.exec(
            select(CheckoutAttempt)
            .where(
                CheckoutAttempt.user_id == user.id,
                CheckoutAttempt.status == AttemptStatus.FAILED.value,
                CheckoutAttempt.failure_code != "",
            )
            .order_by(col(CheckoutAttempt.updated_at).desc(), col(CheckoutAttempt.id).desc())
            .limit(1)
        ).first()
        if attempt is None:
            return t("support.answer.declined_none")
        reason_key = f"decline.{attempt.failure_code}"
        return t(
            "support.answer.declined",
            amount=format_money(attempt.amount_cents, attempt.currency, lang),
            app=t(f"app.{attempt.app}") if f"app.{attempt.app}" in i18n.CATALOG else attempt.app,
            when=format_datetime(attempt.updated_at, lang),
            reason=t(reason_key if reason_key in i18n.CATALOG else "decline.card_declined"),
        )
    if intent == "refund":
        rows = session.exec(
            select(Refund, Payment, Order.number, Order.status)
            .join(Payment, col(Payment.id) == Refund.payment_id)
            .outerjoin(Order, col(Order.id) == Refund.order_id)
            .where(Payment.payer_id == user.id)
            .order_by(col(Refund.created_at).desc(), col(Refund.id).desc())
            .limit(3)
        ).all()
        if not rows:
            return t("support.answer.refund_none")
        lines = [
            t(
                "support.answer.refund_line",
                amount=format_money(refund.amount_cents, refund.currency, lang),
                what=number or payment.counterparty_label,
                status=t(f"orderstatus.{status}") if f"orderstatus.{status}" in i18n.CATALOG else t("orderstatus.refunded"),
                when=format_datetime(refund.created_at, lang),
            )
            for refund, payment, number, status in rows
        ]
        return t("support.answer.refund_intro") + "\n" + "\n".join(lines) + "\n" + t("support.answer.refund_outro")
    if intent == "apps":
        switches = pay_apps.list_activation(session, user=user)
        on = [t(f"app.{app}") for app, enabled in switches.items() if enabled]
        off = [t(f"app.{app}") for app, enabled in switches.items() if not enabled]
        text = t("support.answer.apps_on", apps=", ".join(on)) if on else t("support.answer.apps_none")
        if off:
            text += " " + t("support.answer.apps_off", apps=", ".join(off))
        return text + " " + t("support.answer.apps_where")
    return t("support.answer.unknown")
