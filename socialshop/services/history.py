"""A user's money history: the list (filtered, keyset-paginated), one entry's receipt, the CSV export.

Amounts are signed from the user's side: money out is negative, money in positive.
Five sources make the list: payments the user made, refunds of those, transfers sent to
the user, refunds of those, and (for a merchant) the payouts of their shop to its bank. A page asks each source for its next `limit + 1` rows after
the cursor and merges them, so a page costs a few indexed queries however long the history.

An entry's id is its source and row id, "payment-12": the receipt's URL, the notification
links and support's "about" all use this one format.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, literal, or_, tuple_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from socialshop.models import (
    AppSurface,
    Fundraiser,
    Order,
    OrderItem,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentMethodKind,
    PaymentStatus,
    Payout,
    Refund,
    Role,
    Shop,
    User,
)
from socialshop.services import (
    payment_methods as _methods,  # module: payment_methods imports us back via notifications
)
from socialshop.services.catalog import iso_utc
from socialshop.services.errors import NotFound, ValidationError
from socialshop.services.inputs import clean_language, parse_id
from socialshop.services.money import format_datetime, format_money, to_decimal

PAGE_SIZE = 20
# The export walks the whole filtered list in batches this big: no cap, bounded memory per query.
EXPORT_BATCH = 500
MAX_LIMIT = 1000
MAX_SEARCH_LENGTH = 100
MAX_ENTRY_ID_LENGTH = 40
MAX_DESCRIPTION = 120
NO_METHOD = "—"
MINUS = "\u2212"  # a real minus sign: a hyphen looks like a dash next to "€"

# Where an entry comes from (the first part of its id).
ENTRY_SOURCES = ("payment", "refund", "received", "returned", "payout")
# What the user sees an entry as (the type filter).
TYPES = ("purchase", "donation", "transfer_sent", "transfer_received", "refund", "transfer_returned", "payout")
STATUSES = tuple(PaymentStatus.values())
CSV_HEADER = (
    "date",
    "app",
    "type",
    "counterparty",
    "description",
    "amount",
    "currency",
    "status",
    "method",
    "transaction_id",
)

_ENTRY_ID = re.compile(r"(payment|refund|received|returned|payout)-([0-9]{1,19})")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_OUT_KINDS = {
    PaymentKind.PURCHASE.value: "purchase",
    PaymentKind.DONATION.value: "donation",
    PaymentKind.TRANSFER.value: "transfer_sent",
}
# Tie-break for equal timestamps: a refund is listed above the payment it reverses.
_RANK = {"payment": 0, "received": 0, "payout": 0, "refund": 1, "returned": 1}
# The sources a type filter leaves, and the payment kind it needs there.
_TYPE_SOURCES = {
    "purchase": ("payment", PaymentKind.PURCHASE.value),
    "donation": ("payment", PaymentKind.DONATION.value),
    "transfer_sent": ("payment", PaymentKind.TRANSFER.value),
    "transfer_received": ("received", None),
    "refund": ("refund", None),
    "transfer_returned": ("returned", None),
    "payout": ("payout", None),
}


# ---------------------------------------------------------------- ids


def entry_id(source: str, row_id: object) -> str:
    """'payment-12': how an entry is named in URLs, notifications and support."""
    return f"{source}-{int(row_id)}"  # type: ignore[call-overload]


def parse_entry_id(raw: object) -> tuple[str, int] | None:
    """('payment', 12) from "payment-12", or None for anything else."""
    if not isinstance(raw, str) or len(raw) > MAX_ENTRY_ID_LENGTH:
        return None
    match = _ENTRY_ID.fullmatch(raw.strip())
    if match is None:
        return None
    row_id = parse_id(match.group(2))
    return (match.group(1), row_id) if row_id is not None else None


# ---------------------------------------------------------------- views


@dataclass(frozen=True)
class HistoryEntry:
    id: str  # "payment-3", "refund-7", "received-5": unique across the list
    kind: str  # one of TYPES
    direction: str  # "out" or "in"
    app: str
    counterparty: str
    description: str
    amount_label: str
    amount_cents: int  # signed: negative when money left the user
    currency: str
    method_label: str
    status: str
    created_at_label: str
    created_at_iso: str
    payment_id: int
    note: str


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HistoryEntry]
    # Where the next (older) page starts; "" when this page is the last.
    next_cursor: str


@dataclass(frozen=True)
class ReceiptOrder:
    """One shop's order in a purchase: where "Report a problem" about it leads."""

    order_id: int
    shop_name: str


@dataclass(frozen=True)
class ReceiptLine:
    title: str
    quantity: int
    amount_label: str


@dataclass(frozen=True)
class ReceiptEvent:
    status: str  # a PaymentStatus value: what the payment became at that time
    at_label: str
    at_iso: str
    amount_label: str


@dataclass(frozen=True)
class Receipt:
    id: str
    kind: str
    direction: str
    app: str
    counterparty: str
    method_label: str
    amount_label: str
    currency: str
    status: str
    created_at_label: str
    created_at_iso: str
    note: str
    # A refund's receipt names the payment it gave back ("payment-12"); "" on the payment's own.
    refund_of: str
    purchase: bool
    order_numbers: str
    items_label: str
    shipping_label: str
    fees_label: str
    refunds_label: str
    total_label: str
    lines: list[ReceiptLine] = field(default_factory=list)
    events: list[ReceiptEvent] = field(default_factory=list)
    orders: list[ReceiptOrder] = field(default_factory=list)


def method_label(brand: str | None, last4: str | None, kind: str | None = None, account_email: str | None = None) -> str:
    """'Visa •••• 4242', 'PayPal g•••@example.com' — only ever from display facts, never the token."""
    if not brand:
        return NO_METHOD
    name = _methods.BRAND_NAMES.get(brand.lower(), brand.title())
    if kind == PaymentMethodKind.PAYPAL.value:
        return f"{name} {_methods.mask_email(account_email)}" if account_email else name
    if not last4:
        return NO_METHOD
    return f"{name} •••• {last4}"


def signed_money(amount_cents: int, currency: str, language: str) -> str:
    sign = MINUS if amount_cents < 0 else "+"
    return sign + format_money(abs(amount_cents), currency, language)


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite reads datetimes back without their zone; they are UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# ---------------------------------------------------------------- filters


@dataclass(frozen=True)
class HistoryFilter:
    app: str = ""
    type: str = ""
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    search: str = ""

    def query(self) -> dict[str, str]:
        """The filter as URL query parameters (only those set): a filtered list can be linked."""
        values = {
            "app": self.app,
            "type": self.type,
            "status": self.status,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "q": self.search,
        }
        return {name: value for name, value in values.items() if value}


NO_FILTER = HistoryFilter()


def _choice(raw: object, allowed: tuple[str, ...], code: str) -> str:
    if raw is None or raw == "":
        return ""
    if not isinstance(raw, str) or raw not in allowed:
        raise ValidationError(code)
    return raw


def _date(raw: object, code: str) -> dt.date | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if not isinstance(raw, str) or not _DATE.fullmatch(raw.strip()):
        raise ValidationError(code)
    try:
        value = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(code) from None
    # Year 1 or 9999 would overflow the day arithmetic below; no payment is that old or new.
    if not 1970 <= value.year <= 9000:
        raise ValidationError(code)
    return value


def parse_filter(
    *,
    app: object = "",
    type: object = "",  # noqa: A002  (the field's name in the URL and the form)
    status: object = "",
    date_from: object = "",
    date_to: object = "",
    search: object = "",
) -> HistoryFilter:
    """A HistoryFilter from what a browser sent, or ValidationError naming the bad field:
    history_app_invalid, history_type_invalid, history_status_invalid, history_from_invalid,
    history_to_invalid, history_dates_reversed, history_search_too_long, history_search_invalid."""
    if search is None:
        search = ""
    if not isinstance(search, str):
        raise ValidationError("history_search_invalid")
    # Checked before stripping: a megabyte of spaces is as much an abuse as a megabyte of text.
    if len(search) > MAX_SEARCH_LENGTH:
        raise ValidationError("history_search_too_long", max=MAX_SEARCH_LENGTH)
    start = _date(date_from, "history_from_invalid")
    end = _date(date_to, "history_to_invalid")
    if start is not None and end is not None and end < start:
        raise ValidationError("history_dates_reversed", start=start, end=end)
    return HistoryFilter(
        app=_choice(app, tuple(AppSurface.values()), "history_app_invalid"),
        type=_choice(type, TYPES, "history_type_invalid"),
        status=_choice(status, STATUSES, "history_status_invalid"),
        date_from=start,
        date_to=end,
        search=" ".join(search.split()),
    )


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# ---------------------------------------------------------------- cursor


def _encode_cursor(at: dt.datetime, rank: int, row_id: int) -> str:
    return f"{_utc(at).isoformat()}|{rank}|{row_id}"


def _decode_cursor(raw: object) -> tuple[dt.datetime, int, int] | None:
    if raw is None or raw == "":
        return None
    try:
        at_text, rank_text, id_text = str(raw).split("|")
        at = _utc(dt.datetime.fromisoformat(at_text))
        rank, row_id = int(rank_text), int(id_text)
    except ValueError:
        raise ValidationError("history_cursor_invalid") from None
    if rank not in (0, 1) or parse_id(row_id) is None:
        raise ValidationError("history_cursor_invalid")
    return at, rank, row_id


def _after(cursor: tuple[dt.datetime, int, int] | None, rank: int, at_col, id_col):
    """Rows listed after the cursor, in (time, rank, id) descending order, for a source of `rank`."""
    if cursor is None:
        return True
    at, c_rank, c_id = cursor
    if rank < c_rank:
        return at_col <= at
    if rank > c_rank:
        return at_col < at
    # A row value, not `at < c OR (at = c AND id < i)`: one range of the (owner, created_at,
    # id) indexes on PostgreSQL and SQLite, so a deep page costs what the first one does.
    return tuple_(at_col, id_col) < tuple_(literal(at, at_col.type), literal(c_id, id_col.type))


# ---------------------------------------------------------------- the list


def _descriptions(session: Session, payment_ids: set[int]) -> dict[int, str]:
    """'Ceramic mug ×2, Scarf' for each purchase of the page (one query)."""
    if not payment_ids:
        return {}
    rows = session.exec(
        select(Order.payment_id, OrderItem.title, OrderItem.quantity)
        .join(Order, col(Order.id) == OrderItem.order_id)
        .where(col(Order.payment_id).in_(payment_ids))
        .order_by(col(Order.id), col(OrderItem.id))
    ).all()
    parts: dict[int, list[str]] = defaultdict(list)
    for payment_id, title, quantity in rows:
        parts[int(payment_id)].append(title if quantity == 1 else f"{title} ×{quantity}")
    out = {}
    for payment_id, titles in parts.items():
        text = ", ".join(titles)
        out[payment_id] = text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1] + "…"
    return out


def list_history(
    session: Session,
    *,
    user: User,
    filters: HistoryFilter | None = None,
    cursor: object = "",
    language: object = "en",
    limit: object = PAGE_SIZE,
) -> HistoryPage:
    """One page of the user's history, newest first, after `cursor` (a previous page's
    next_cursor; "" for the first page)."""
    lang = clean_language(language)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationError("limit_invalid", max=MAX_LIMIT)
    if filters is None:
        filters = NO_FILTER
    after = _decode_cursor(cursor)

    recipient = aliased(User)
    payer = aliased(User)
    # The method must belong to the payer: a bad row can never show another person's card.
    own_method = and_(PaymentMethod.id == Payment.method_id, PaymentMethod.user_id == Payment.payer_id)

    def with_counterparty(query):
        return (
            query.outerjoin(PaymentMethod, own_method)
            .outerjoin(Shop, Shop.id == Payment.counterparty_shop_id)
            .outerjoin(recipient, recipient.id == Payment.counterparty_user_id)
            .outerjoin(Fundraiser, Fundraiser.id == Payment.fundraiser_id)
        )

    detail_columns = (
        PaymentMethod.brand,
        PaymentMethod.last4,
        PaymentMethod.kind,
        PaymentMethod.account_email,
        Shop.name,
        recipient.display_name,
        Fundraiser.title,
    )
    sources = {"payment", "refund", "received", "returned", "payout"}
    payment_kind = None
    if filters.type:
        only, payment_kind = _TYPE_SOURCES[filters.type]
        sources = {only}
    if filters.status and filters.status != PaymentStatus.SUCCEEDED.value:
        # A refund entry is money that came back: it has no other status.
        sources -= {"refund", "returned"}
    if filters.app:
        # A payout goes to the shop's bank, not through an app.
        sources.discard("payout")

    def common(query, source: str, at_col, id_col, *, own_side: bool):
        """The filters every source shares, the cursor, the order and the limit."""
        conditions = [_after(after, _RANK[source], at_col, id_col)]
        if filters.app and source != "payout":
            conditions.append(Payment.app == filters.app)
        if filters.status and source in ("payment", "received"):
            conditions.append(Payment.status == filters.status)
        if filters.date_from:
            conditions.append(at_col >= dt.datetime.combine(filters.date_from, dt.time.min, dt.UTC))
        if filters.date_to:
            next_day = filters.date_to + dt.timedelta(days=1)
            conditions.append(at_col < dt.datetime.combine(next_day, dt.time.min, dt.UTC))
        if filters.search:
            pattern = _like(filters.search)
            if source == "payout":
                conditions.append(col(Shop.name).ilike(pattern, escape="\\"))
            elif own_side:
                item_matches = exists(
                    select(OrderItem.id)
                    .join(Order, col(Order.id) == OrderItem.order_id)
                    .where(Order.payment_id == Payment.id, col(OrderItem.title).ilike(pattern, escape="\\"))
                )
                conditions.append(
                    or_(
                        col(Payment.counterparty_label).ilike(pattern, escape="\\"),
                        col(Shop.name).ilike(pattern, escape="\\"),
                        recipient.display_name.ilike(pattern, escape="\\"),
                        col(Fundraiser.title).ilike(pattern, escape="\\"),
                        col(Payment.note).ilike(pattern, escape="\\"),
                        item_matches,
                    )
                )
            else:
                conditions.append(
                    or_(payer.display_name.ilike(pattern, escape="\\"), col(Payment.note).ilike(pattern, escape="\\"))
                )
        return query.where(*conditions).order_by(at_col.desc(), id_col.desc()).limit(limit + 1)

    keyed: list[tuple[tuple, dict]] = []
    if "payment" in sources:
        query = with_counterparty(select(Payment, *detail_columns)).where(Payment.payer_id == user.id)
        if payment_kind:
            query = query.where(Payment.kind == payment_kind)
        for payment, *details in session.exec(
            common(query, "payment", col(Payment.created_at), col(Payment.id), own_side=True)
        ).all():
            keyed.append(_row("payment", payment.id, payment, None, details))
    if "refund" in sources:
        query = with_counterparty(
            select(Refund, Payment, *detail_columns).join(Payment, Payment.id == Refund.payment_id)
        ).where(Payment.payer_id == user.id)
        for refund, payment, *details in session.exec(
            common(query, "refund", col(Refund.created_at), col(Refund.id), own_side=True)
        ).all():
            keyed.append(_row("refund", refund.id, payment, refund, details))
    # Incoming transfers: no method columns at all, the payer's card is none of our business.
    received_filter = (
        Payment.counterparty_user_id == user.id,
        Payment.kind == PaymentKind.TRANSFER.value,
        Payment.payer_id != user.id,
        Payment.status != PaymentStatus.FAILED.value,
    )
    if "received" in sources:
        query = select(Payment, payer.display_name).join(payer, payer.id == Payment.payer_id).where(*received_filter)
        for payment, payer_name in session.exec(
            common(query, "received", col(Payment.created_at), col(Payment.id), own_side=False)
        ).all():
            keyed.append(_row("received", payment.id, payment, None, payer_name))
    if "returned" in sources:
        query = (
            select(Refund, Payment, payer.display_name)
            .join(Payment, Payment.id == Refund.payment_id)
            .join(payer, payer.id == Payment.payer_id)
            .where(*received_filter)
        )
        for refund, payment, payer_name in session.exec(
            common(query, "returned", col(Refund.created_at), col(Refund.id), own_side=False)
        ).all():
            keyed.append(_row("returned", refund.id, payment, refund, payer_name))

    # Only merchants have payouts: everyone else's page costs no extra query.
    if (
        "payout" in sources
        and user.role == Role.MERCHANT.value
        and (not filters.status or filters.status == PaymentStatus.SUCCEEDED.value)
    ):
        query = select(Payout, Shop.name).join(Shop, col(Shop.id) == Payout.shop_id).where(Shop.owner_id == user.id)
        for payout, shop_name in session.exec(
            common(query, "payout", col(Payout.created_at), col(Payout.id), own_side=True)
        ).all():
            at = _utc(payout.created_at)
            keyed.append(((at, _RANK["payout"], int(payout.id)), {  # type: ignore[arg-type]
                "source": "payout", "row_id": int(payout.id), "payout": payout,  # type: ignore[arg-type]
                "shop_name": shop_name, "at": at, "payment": None,
            }))

    keyed.sort(key=lambda pair: pair[0], reverse=True)
    shown = keyed[:limit]
    next_cursor = _encode_cursor(*shown[-1][0]) if len(keyed) > limit else ""
    purchases = {
        raw["payment"].id
        for _, raw in shown
        if raw["payment"] is not None and raw["payment"].kind == PaymentKind.PURCHASE.value and raw["source"] in ("payment", "refund")
    }
    descriptions = _descriptions(session, purchases)
    return HistoryPage([_entry(raw, descriptions, lang) for _, raw in shown], next_cursor)


def _row(source: str, row_id, payment: Payment, refund: Refund | None, details) -> tuple[tuple, dict]:
    at = _utc(refund.created_at if refund is not None else payment.created_at)
    return (at, _RANK[source], int(row_id)), {
        "source": source,
        "row_id": int(row_id),
        "payment": payment,
        "refund": refund,
        "details": details,
        "at": at,
    }


def _counterparty(payment: Payment, shop_name, user_name, fundraiser_title) -> str:
    return payment.counterparty_label or shop_name or user_name or fundraiser_title or ""


def _facts(source: str, payment: Payment, refund: Refund | None, details) -> tuple[str, int, str, str, str]:
    """(type, signed amount, counterparty, method label, status) of one entry."""
    if source in ("payment", "refund"):
        brand, last4, method_kind, email, shop_name, user_name, title = details
        who = _counterparty(payment, shop_name, user_name, title)
        method = method_label(brand, last4, method_kind, email)
        if source == "payment":
            kind = _OUT_KINDS.get(payment.kind, payment.kind)
            return kind, -payment.amount_cents, who, method, payment.status
        return "refund", refund.amount_cents, who, method, PaymentStatus.SUCCEEDED.value  # type: ignore[union-attr]
    who = details or ""
    if source == "received":
        return "transfer_received", payment.amount_cents, who, NO_METHOD, payment.status
    return "transfer_returned", -refund.amount_cents, who, NO_METHOD, PaymentStatus.SUCCEEDED.value  # type: ignore[union-attr]


def _payout_entry(raw: dict, lang: str) -> HistoryEntry:
    """A payout of the user's shop: money in, to their bank account, through no app."""
    payout: Payout = raw["payout"]
    return HistoryEntry(
        id=entry_id("payout", payout.id),
        kind="payout",
        direction="in",
        app="",
        counterparty=raw["shop_name"],
        description="",
        amount_label=signed_money(payout.amount_cents, payout.currency, lang),
        amount_cents=payout.amount_cents,
        currency=payout.currency,
        method_label=NO_METHOD,
        status=PaymentStatus.SUCCEEDED.value,
        created_at_label=format_datetime(raw["at"], lang),
        created_at_iso=iso_utc(raw["at"]),
        payment_id=0,
        note="",
    )


def _entry(raw: dict, descriptions: dict[int, str], lang: str) -> HistoryEntry:
    if raw["source"] == "payout":
        return _payout_entry(raw, lang)
    payment: Payment = raw["payment"]
    refund: Refund | None = raw["refund"]
    kind, amount, who, method, status = _facts(raw["source"], payment, refund, raw["details"])
    currency = refund.currency if refund is not None else payment.currency
    return HistoryEntry(
        id=entry_id(raw["source"], raw["row_id"]),
        kind=kind,
        direction="out" if amount < 0 else "in",
        app=payment.app,
        counterparty=who,
        description=payment.note or descriptions.get(payment.id, ""),  # type: ignore[arg-type]
        amount_label=signed_money(amount, currency, lang),
        amount_cents=amount,
        currency=currency,
        method_label=method,
        status=status,
        created_at_label=format_datetime(raw["at"], lang),
        created_at_iso=iso_utc(raw["at"]),
        payment_id=payment.id,  # type: ignore[arg-type]
        note=payment.note,
    )


# ---------------------------------------------------------------- CSV


def export_csv(session: Session, *, user: User, filters: HistoryFilter | None = None) -> str:
    """The whole filtered list (every page) as CSV text: a header, then one row per entry.

    Amounts are signed decimals ("-12.50"), dates ISO 8601 in UTC, types and statuses their
    stable codes; an empty result is the header alone.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    cursor = ""
    while True:
        page = list_history(session, user=user, filters=filters, cursor=cursor, limit=EXPORT_BATCH)
        for e in page.entries:
            writer.writerow(
                (
                    e.created_at_iso,
                    e.app,
                    e.kind,
                    e.counterparty,
                    e.description,
                    str(to_decimal(e.amount_cents, e.currency)),
                    e.currency,
                    e.status,
                    "" if e.method_label == NO_METHOD else e.method_label,
                    e.id,
                )
            )
        if not page.next_cursor:
            return out.getvalue()
        cursor = page.next_cursor


# ---------------------------------------------------------------- one entry


def find_entry(session: Session, *, owner_id: int, source: str, row_id: int) -> tuple[Payment, Refund | None] | None:
    """The payment (and refund) of one of `owner_id`'s history entries, or None when there is
    no such entry in their history: the same rules as the list."""
    refund = None
    if source in ("payment", "received"):
        payment = session.get(Payment, row_id)
    elif source in ("refund", "returned"):
        refund = session.get(Refund, row_id)
        payment = session.get(Payment, refund.payment_id) if refund is not None else None
    else:
        return None
    if payment is None:
        return None
    if source in ("payment", "refund"):
        return (payment, refund) if payment.payer_id == owner_id else None
    received = (
        payment.counterparty_user_id == owner_id
        and payment.kind == PaymentKind.TRANSFER.value
        and payment.payer_id != owner_id
        and payment.status != PaymentStatus.FAILED.value
    )
    return (payment, refund) if received else None


def get_receipt(session: Session, *, user: User, entry: object, language: object = "en") -> Receipt:
    """The receipt of one of the user's entries ("payment-12").

    NotFound("history_entry_not_found") for a malformed id, a missing entry or someone
    else's alike: the answer never tells whether an entry exists.
    """
    lang = clean_language(language)
    parsed = parse_entry_id(entry)
    if parsed is not None and parsed[0] == "payout":
        return _payout_receipt(session, user=user, payout_id=parsed[1], lang=lang)
    found = find_entry(session, owner_id=user.id, source=parsed[0], row_id=parsed[1]) if parsed else None  # type: ignore[arg-type]
    if parsed is None or found is None:
        raise NotFound("history_entry_not_found")
    source, row_id = parsed
    payment, refund = found

    if source in ("payment", "refund"):
        method = session.get(PaymentMethod, payment.method_id) if payment.method_id else None
        if method is not None and method.user_id != payment.payer_id:
            method = None
        shop = session.get(Shop, payment.counterparty_shop_id) if payment.counterparty_shop_id else None
        person = session.get(User, payment.counterparty_user_id) if payment.counterparty_user_id else None
        fundraiser = session.get(Fundraiser, payment.fundraiser_id) if payment.fundraiser_id else None
        details = (
            method.brand if method else None,
            method.last4 if method else None,
            method.kind if method else None,
            method.account_email if method else None,
            shop.name if shop else None,
            person.display_name if person else None,
            fundraiser.title if fundraiser else None,
        )
    else:
        sender = session.get(User, payment.payer_id)
        details = sender.display_name if sender else ""
    kind, amount, who, method_text, status = _facts(source, payment, refund, details)

    orders = session.exec(
        select(Order).where(Order.payment_id == payment.id).order_by(col(Order.id))
    ).all() if source in ("payment", "refund") else []
    items = session.exec(
        select(OrderItem).where(col(OrderItem.order_id).in_([o.id for o in orders])).order_by(col(OrderItem.id))
    ).all() if orders else []
    shop_names = dict(
        session.exec(select(Shop.id, Shop.name).where(col(Shop.id).in_({o.shop_id for o in orders}))).all()
    ) if orders else {}
    refunds = session.exec(
        select(Refund).where(Refund.payment_id == payment.id).order_by(col(Refund.created_at), col(Refund.id))
    ).all()

    currency = payment.currency
    money = lambda cents: format_money(cents, currency, lang)  # noqa: E731
    items_total = sum(i.unit_price_cents * i.quantity for i in items) if items else payment.amount_cents
    # Shipping is free on SocialShop and fees are the shop's; whatever else was charged shows as fees.
    shipping = 0
    fees = max(payment.amount_cents - items_total - shipping, 0)
    refunded = sum(r.amount_cents for r in refunds)

    events = [
        ReceiptEvent(
            status=PaymentStatus.FAILED.value
            if payment.status == PaymentStatus.FAILED.value
            else PaymentStatus.SUCCEEDED.value,
            at_label=format_datetime(_utc(payment.created_at), lang),
            at_iso=iso_utc(payment.created_at),
            amount_label=money(payment.amount_cents),
        )
    ]
    running = 0
    for r in refunds:
        running += r.amount_cents
        events.append(
            ReceiptEvent(
                status=PaymentStatus.REFUNDED.value
                if running >= payment.amount_cents
                else PaymentStatus.PARTIALLY_REFUNDED.value,
                at_label=format_datetime(_utc(r.created_at), lang),
                at_iso=iso_utc(r.created_at),
                amount_label=money(r.amount_cents),
            )
        )

    at = _utc(refund.created_at if refund is not None else payment.created_at)
    return Receipt(
        id=entry_id(source, row_id),
        kind=kind,
        direction="out" if amount < 0 else "in",
        app=payment.app,
        counterparty=who,
        method_label=method_text,
        amount_label=signed_money(amount, refund.currency if refund else currency, lang),
        currency=currency,
        # The entry's own status for a refund; the payment's for the others.
        status=status if source in ("refund", "returned") else payment.status,
        created_at_label=format_datetime(at, lang),
        created_at_iso=iso_utc(at),
        note=payment.note,
        refund_of=entry_id("payment" if source == "refund" else "received", payment.id) if refund else "",
        purchase=payment.kind == PaymentKind.PURCHASE.value,
        order_numbers=", ".join(o.number for o in orders),
        items_label=money(items_total),
        shipping_label=money(shipping),
        fees_label=money(fees),
        refunds_label=money(refunded),
        total_label=money(payment.amount_cents - refunded),
        lines=[
            ReceiptLine(title=i.title, quantity=i.quantity, amount_label=money(i.unit_price_cents * i.quantity))
            for i in items
        ],
        events=events,
        orders=[ReceiptOrder(order_id=o.id, shop_name=shop_names.get(o.shop_id, "")) for o in orders],  # type: ignore[arg-type]
    )


def _payout_receipt(session: Session, *, user: User, payout_id: int, lang: str) -> Receipt:
    row = session.exec(
        select(Payout, Shop.name)
        .join(Shop, col(Shop.id) == Payout.shop_id)
        .where(Payout.id == payout_id, Shop.owner_id == user.id)
    ).first()
    if row is None:
        raise NotFound("history_entry_not_found")
    payout, shop_name = row
    entry = _payout_entry({"payout": payout, "shop_name": shop_name, "at": _utc(payout.created_at)}, lang)
    money = format_money(payout.amount_cents, payout.currency, lang)
    return Receipt(
        id=entry.id, kind=entry.kind, direction=entry.direction, app="", counterparty=shop_name,
        method_label=NO_METHOD, amount_label=entry.amount_label, currency=payout.currency,
        status=entry.status, created_at_label=entry.created_at_label, created_at_iso=entry.created_at_iso,
        note="", refund_of="", purchase=False, order_numbers="", items_label=money, shipping_label="",
        fees_label=format_money(0, payout.currency, lang), refunds_label=format_money(0, payout.currency, lang),
        total_label=money,
        events=[ReceiptEvent(status=entry.status, at_label=entry.created_at_label, at_iso=entry.created_at_iso,
                             amount_label=money)],
    )
