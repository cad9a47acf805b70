"""Double-entry ledger: every money movement is a transaction whose legs sum to zero.

Sign convention: an entry's amount is what the account gained. Money comes in from
outside (a card), so `external:method:<id>` accounts go negative by what was charged,
and the accounts that now hold that money (merchant, platform fees, fundraiser, a
person's balance) go positive. So a fundraiser's `raised_cents` equals the balance
of its ledger account, and a merchant's balance is what the platform owes it.

Entries are never edited or deleted: a refund is a new transaction that points at the
one it reverses (`reverses_id`).
"""

from __future__ import annotations

import datetime as dt
import re
import weakref
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import event, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from socialshop.models import (
    UNRESOLVED_ATTEMPT_STATUSES,
    AccountKind,
    AttemptStatus,
    CheckoutAttempt,
    Fundraiser,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Order,
    OrderStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
    Payout,
    Product,
    Refund,
    RefundAttempt,
    RefundAttemptStatus,
    utcnow,
)

# The first part of an account code names its kind; codes are built only by the helpers
# below so a typo cannot open a stray account.
_KIND_BY_PREFIX = {
    "external": AccountKind.EXTERNAL,
    "merchant": AccountKind.MERCHANT,
    "platform": AccountKind.PLATFORM_FEES,
    "fundraiser": AccountKind.FUNDRAISER,
    "user": AccountKind.USER_BALANCE,
}
_CODE_RE = re.compile(r"[a-z_]+(:[a-z0-9_]+)+")
_CURRENCY_RE = re.compile(r"[A-Z]{3}")

# Idempotency keys the money-moving services give their ledger transactions; the
# invariant checks find a payment's or an order's transaction through them.
ORDER_KEY_PREFIX = "order:"
PAYMENT_KEY_PREFIX = "payment:"
ORDER_REFUND_KEY_PREFIX = "refund:order:"
PAYOUT_KEY_PREFIX = "payout:"
# Where a shop's payouts go: its bank account, outside SocialShop (services/payouts.py).
PAYOUT_ACCOUNT_PREFIX = "external:payout:"

# An attempt still unresolved after this long has outlived many reconciler runs (see
# money/reconcile.py): the gateway keeps failing to answer, someone has to look at it.
STUCK_ATTEMPT_AFTER = dt.timedelta(minutes=15)


def order_transaction_key(order_id: int) -> str:
    return f"{ORDER_KEY_PREFIX}{int(order_id)}"


def payment_transaction_key(payment_id: int) -> str:
    return f"{PAYMENT_KEY_PREFIX}{int(payment_id)}"


def order_refund_key(order_id: int) -> str:
    return f"{ORDER_REFUND_KEY_PREFIX}{int(order_id)}"


def external_method_account(method_id: int) -> str:
    return f"external:method:{int(method_id)}"


def payout_transaction_key(payout_id: int) -> str:
    return f"{PAYOUT_KEY_PREFIX}{int(payout_id)}"


def payout_account(shop_id: int) -> str:
    return f"{PAYOUT_ACCOUNT_PREFIX}{int(shop_id)}"


def merchant_account(shop_id: int) -> str:
    return f"merchant:{int(shop_id)}"


def platform_fees_account() -> str:
    return "platform:fees"


def fundraiser_account(fundraiser_id: int) -> str:
    return f"fundraiser:{int(fundraiser_id)}"


def user_balance_account(user_id: int) -> str:
    return f"user:{int(user_id)}:balance"


def account_kind(code: str) -> AccountKind:
    if not isinstance(code, str) or len(code) > 64 or not _CODE_RE.fullmatch(code):
        raise ValueError(f"malformed account code {code!r}")
    kind = _KIND_BY_PREFIX.get(code.split(":", 1)[0])
    if kind is None:
        raise ValueError(f"unknown account kind in {code!r}")
    return kind


def dialect_insert(session: Session, model):
    """INSERT that understands ON CONFLICT on both SQLite and PostgreSQL.

    Rows other sessions may be creating at the same moment (ledger accounts, Pay
    profiles, activation switches) are inserted with ON CONFLICT instead of
    "select, then insert", which races; on PostgreSQL a failed INSERT would also abort
    the caller's whole transaction.
    """
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(model)
    if name == "sqlite":
        return sqlite.insert(model)
    raise RuntimeError(f"unsupported database dialect {name!r}")


def ensure_accounts(session: Session, *, codes: Iterable[str], currency: str = "EUR") -> dict[str, int]:
    """Code -> account id, creating missing accounts. Does not commit.

    A new account's row stays locked (in the unique index) until the transaction ends,
    so concurrent transactions must create accounts in one global order or PostgreSQL
    may deadlock. post_transaction creates its own accounts in sorted order; a database
    transaction that posts *several* ledger transactions (a checkout with one order per
    shop) calls this first with every code it will use.
    """
    return _account_ids(session, list(codes), currency)


# Account ids never change once committed, and every checkout needs the same few, so
# they are remembered per engine (a test's fresh database comes with a fresh engine).
# Ids seen inside a transaction are promoted only after it commits: an account created by
# a transaction that rolls back must never be remembered.
_COMMITTED_ACCOUNTS: weakref.WeakKeyDictionary[Engine, dict[str, tuple[int, str]]] = weakref.WeakKeyDictionary()
_SEEN_KEY = "socialshop.ledger.accounts_seen"


@event.listens_for(OrmSession, "after_commit")
def _remember_committed_accounts(session: OrmSession) -> None:
    seen = session.info.pop(_SEEN_KEY, None)
    if seen:
        _COMMITTED_ACCOUNTS.setdefault(seen[0], {}).update(seen[1])


@event.listens_for(OrmSession, "after_rollback")
def _forget_uncommitted_accounts(session: OrmSession) -> None:
    session.info.pop(_SEEN_KEY, None)


def _account_ids(session: Session, codes: Iterable[str], currency: str) -> dict[str, int]:
    wanted = sorted(set(codes))
    engine = session.get_bind()
    known = _COMMITTED_ACCOUNTS.get(engine, {}) if isinstance(engine, Engine) else {}
    found = {code: known[code] for code in wanted if code in known}
    lookup = [code for code in wanted if code not in found]
    if lookup:
        rows = session.exec(
            select(LedgerAccount.code, LedgerAccount.id, LedgerAccount.currency).where(
                LedgerAccount.code.in_(lookup)  # type: ignore[attr-defined]
            )
        ).all()
        found.update({code: (account_id, cur) for code, account_id, cur in rows})
    missing = [code for code in wanted if code not in found]
    if missing:
        # In sorted order: see ensure_accounts.
        for code in missing:
            session.exec(
                dialect_insert(session, LedgerAccount)
                .values(code=code, kind=account_kind(code).value, currency=currency, created_at=utcnow())
                .on_conflict_do_nothing(index_elements=["code"])
            )
        rows = session.exec(
            select(LedgerAccount.code, LedgerAccount.id, LedgerAccount.currency).where(
                LedgerAccount.code.in_(missing)  # type: ignore[attr-defined]
            )
        ).all()
        found.update({code: (account_id, cur) for code, account_id, cur in rows})
    if lookup and isinstance(engine, Engine):
        seen = session.info.setdefault(_SEEN_KEY, (engine, {}))[1]
        seen.update({code: found[code] for code in lookup})
    for code in wanted:
        if found[code][1] != currency:
            # Balances are plain sums, so one account must never mix currencies.
            raise ValueError(f"account {code} holds {found[code][1]}, not {currency}")
    return {code: found[code][0] for code in wanted}


def _check_legs(legs: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    clean: list[tuple[str, int]] = []
    for leg in legs:
        if not isinstance(leg, tuple | list) or len(leg) != 2:
            raise ValueError(f"a leg is (account_code, amount_cents), got {leg!r}")
        code, amount = leg
        account_kind(code)
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise ValueError(f"leg amount must be integer cents, got {amount!r}")
        if amount:
            clean.append((code, amount))
    if len(clean) < 2:
        raise ValueError("a transaction needs at least two non-zero legs")
    if sum(amount for _, amount in clean) != 0:
        raise ValueError(f"legs do not sum to zero: {clean}")
    return clean


def _legs_of(session: Session, transaction_id: int) -> list[tuple[str, int]]:
    rows = session.exec(
        select(LedgerAccount.code, LedgerEntry.amount_cents)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)  # type: ignore[arg-type]
        .where(LedgerEntry.transaction_id == transaction_id)
    ).all()
    return [(code, amount) for code, amount in rows]


def _existing(session: Session, key: str) -> LedgerTransaction | None:
    return session.exec(
        select(LedgerTransaction).where(LedgerTransaction.idempotency_key == key)
    ).first()


def _same_legs(a: Iterable[tuple[str, int]], b: Iterable[tuple[str, int]]) -> bool:
    return sorted(a) == sorted(b)


_INSERT_TRANSACTION: dict[str, object] = {}
# RETURNING only so that SQLAlchemy sends the legs as one multi-row INSERT
# ("insertmanyvalues", compiled once); without it psycopg runs an executemany pipeline,
# three server exchanges for two or three rows.
_INSERT_ENTRIES = LedgerEntry.__table__.insert().returning(LedgerEntry.__table__.c.id)  # type: ignore[attr-defined]


def _insert_transaction(session: Session):
    """INSERT ... ON CONFLICT (idempotency_key) DO NOTHING RETURNING the transaction, built
    once per dialect (values come as parameters): every checkout posts one per order, and
    building the statement cost more CPU than running it."""
    name = session.get_bind().dialect.name
    stmt = _INSERT_TRANSACTION.get(name)
    if stmt is None:
        stmt = _INSERT_TRANSACTION[name] = (
            dialect_insert(session, LedgerTransaction)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(LedgerTransaction)
        )
    return stmt


_INSERT_TRANSACTIONS: dict[str, object] = {}


def _insert_transactions(session: Session):
    """The multi-row form of _insert_transaction (Core: id and key of the rows inserted;
    a key already used returns nothing)."""
    name = session.get_bind().dialect.name
    stmt = _INSERT_TRANSACTIONS.get(name)
    if stmt is None:
        table = LedgerTransaction.__table__  # type: ignore[attr-defined]
        stmt = _INSERT_TRANSACTIONS[name] = (
            dialect_insert(session, table)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(table.c.idempotency_key, table.c.id)
        )
    return stmt


def _check_header(idempotency_key: object, kind: object, currency: object) -> None:
    if not isinstance(idempotency_key, str) or not idempotency_key or len(idempotency_key) > 96:
        raise ValueError("idempotency_key must be a non-empty string of at most 96 characters")
    if not isinstance(kind, str) or not kind or len(kind) > 24:
        raise ValueError("kind must be a non-empty string of at most 24 characters")
    if not isinstance(currency, str) or not _CURRENCY_RE.fullmatch(currency):
        raise ValueError(f"currency must be an ISO code such as 'EUR', got {currency!r}")


def post_transactions(
    session: Session, *, transactions: Sequence[tuple[str, str, list[tuple[str, int]], str]], currency: str = "EUR"
) -> list[int]:
    """Several balanced money movements in one currency, each recorded once, in two
    statements whatever their number: one INSERT for the transactions, one for all
    their legs. `transactions`: (idempotency_key, kind, legs, description) each, with
    distinct keys. Returns their ids in the same order. Same checks and errors as
    post_transaction, which it is equivalent to called once per transaction (a key
    already used for the same legs returns its transaction). Does not commit.
    """
    if not transactions:
        return []
    cleaned = []
    for key, kind, legs, _description in transactions:
        _check_header(key, kind, currency)
        cleaned.append(_check_legs(legs))
    keys = [t[0] for t in transactions]
    if len(set(keys)) != len(keys):
        raise ValueError("post_transactions needs distinct idempotency keys")
    account_ids = _account_ids(session, (code for clean in cleaned for code, _ in clean), currency)
    now = utcnow()
    conn = session.connection()
    rows = [
        {"idempotency_key": key, "kind": kind, "description": (description or "")[:255],
         "reverses_id": None, "created_at": now}
        for key, kind, _legs, description in transactions
    ]
    # A list of one as a plain dict: a single INSERT, cheaper for SQLAlchemy than its
    # multi-row path.
    inserted = dict(conn.execute(_insert_transactions(session), rows[0] if len(rows) == 1 else rows).all())
    ids = []
    entries = []
    for (key, _kind, _legs, _description), clean in zip(transactions, cleaned):
        transaction_id = inserted.get(key)
        if transaction_id is None:
            existing = _existing(session, key)
            assert existing is not None
            if not _same_legs(_legs_of(session, existing.id), clean):  # type: ignore[arg-type]
                raise ValueError(f"idempotency key {key!r} was used for other legs")
            ids.append(existing.id)
            continue
        ids.append(transaction_id)
        entries.extend(
            {"transaction_id": transaction_id, "account_id": account_ids[code], "amount_cents": amount,
             "currency": currency}
            for code, amount in clean
        )
    if entries:
        conn.execute(_INSERT_ENTRIES, entries)
    return ids  # type: ignore[return-value]


def post_transaction(
    session: Session,
    *,
    idempotency_key: str,
    kind: str,
    legs: list[tuple[str, int]],
    currency: str = "EUR",
    description: str = "",
    reverses_id: int | None = None,
) -> LedgerTransaction:
    """Record a balanced money movement once.

    ValueError (a programming error, not user input) when the legs are malformed, do
    not balance, or the key was already used for different legs. Zero legs are dropped.
    Does not commit.
    """
    _check_header(idempotency_key, kind, currency)
    clean = _check_legs(legs)

    account_ids = _account_ids(session, (code for code, _ in clean), currency)
    # Insert first, look up only on conflict: a fresh key (the common case) costs one
    # statement, and a concurrent post of the same key cannot fail the caller's
    # transaction the way a unique violation would on PostgreSQL.
    transaction = session.scalars(
        _insert_transaction(session),
        {
            "idempotency_key": idempotency_key,
            "kind": kind,
            "description": (description or "")[:255],
            "reverses_id": reverses_id,
            "created_at": utcnow(),
        },
    ).first()
    if transaction is None:
        existing = _existing(session, idempotency_key)
        assert existing is not None
        if not _same_legs(_legs_of(session, existing.id), clean):  # type: ignore[arg-type]
            raise ValueError(f"idempotency key {idempotency_key!r} was used for other legs")
        return existing
    # One multi-row INSERT on the session's connection (Core: no ORM bookkeeping).
    session.connection().execute(
        _INSERT_ENTRIES,
        [
            {
                "transaction_id": transaction.id,
                "account_id": account_ids[code],
                "amount_cents": amount,
                "currency": currency,
            }
            for code, amount in clean
        ],
    )
    return transaction


def _allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` (all > 0), in whole cents summing to `total`.

    Largest remainder: each share is rounded down, and the cents left over go to the
    shares that lost the most to rounding (ties: the earlier one).
    """
    weight_sum = sum(weights)
    shares = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    left = total - sum(shares)
    for i in sorted(range(len(weights)), key=lambda i: -remainders[i])[:left]:
        shares[i] += 1
    return shares


def reverse_transaction(
    session: Session,
    *,
    transaction_id: int,
    idempotency_key: str,
    amount_cents: int | None = None,
) -> LedgerTransaction:
    """Undo all (amount_cents=None) or part of a transaction with a new, opposite one.

    A partial reversal takes `amount_cents` off the credited legs and gives it back to
    the debited ones in proportion to what each still holds, so fees come back pro rata.
    Earlier partial reversals are taken into account: the total never exceeds the
    original. ValueError when there is nothing (or not that much) left to reverse.
    Callers serialize reversals of one transaction (e.g. by a conditional UPDATE on the
    order) before calling: two concurrent partial reversals could otherwise both fit.
    """
    existing = _existing(session, idempotency_key) if isinstance(idempotency_key, str) else None
    if existing is not None:
        if existing.reverses_id != transaction_id:
            raise ValueError(f"idempotency key {idempotency_key!r} reverses another transaction")
        return existing
    original = session.get(LedgerTransaction, transaction_id)
    if original is None:
        raise ValueError(f"no ledger transaction {transaction_id}")
    if original.reverses_id is not None:
        raise ValueError("a reversal cannot be reversed; post a new transaction instead")

    rows = session.exec(
        select(LedgerAccount.code, LedgerEntry.amount_cents, LedgerEntry.currency)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)  # type: ignore[arg-type]
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)  # type: ignore[arg-type]
        .where(
            (LedgerTransaction.id == transaction_id) | (LedgerTransaction.reverses_id == transaction_id)
        )
    ).all()
    currencies = {cur for _, _, cur in rows}
    if len(currencies) != 1:
        raise ValueError("only single-currency transactions can be reversed")
    currency = currencies.pop()
    remaining: dict[str, int] = defaultdict(int)
    for code, amount, _ in rows:
        remaining[code] += amount
    codes = sorted(code for code, amount in remaining.items() if amount)
    credited = [code for code in codes if remaining[code] > 0]
    debited = [code for code in codes if remaining[code] < 0]
    left = sum(remaining[code] for code in credited)
    if left == 0:
        raise ValueError(f"transaction {transaction_id} is already fully reversed")
    if amount_cents is None:
        amount = left
    elif isinstance(amount_cents, int) and not isinstance(amount_cents, bool) and 0 < amount_cents <= left:
        amount = amount_cents
    else:
        raise ValueError(f"reversal amount must be 1..{left} cents, got {amount_cents!r}")

    if amount == left:
        legs = [(code, -remaining[code]) for code in codes]
    else:
        legs = list(zip(credited, [-s for s in _allocate(amount, [remaining[c] for c in credited])]))
        legs += list(zip(debited, _allocate(amount, [-remaining[c] for c in debited])))
    return post_transaction(
        session,
        idempotency_key=idempotency_key,
        kind="reversal",
        legs=legs,
        currency=currency,
        description=f"reversal of {original.idempotency_key}"[:255],
        reverses_id=transaction_id,
    )


def balance(session: Session, *, account_code: str) -> int:
    """The account's balance in cents (0 for an account that does not exist yet)."""
    total = session.exec(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)  # type: ignore[arg-type]
        .where(LedgerAccount.code == account_code)
    ).one()
    return int(total)


def _transaction_legs_by_key(session: Session, prefix: str) -> dict[str, dict[str, int]]:
    rows = session.exec(
        select(LedgerTransaction.idempotency_key, LedgerAccount.code, LedgerEntry.amount_cents)
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)  # type: ignore[arg-type]
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)  # type: ignore[arg-type]
        .where(LedgerTransaction.idempotency_key.startswith(prefix))  # type: ignore[attr-defined]
    ).all()
    legs: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, code, amount in rows:
        legs[key][code] += amount
    return legs


def _reversed_by_original(session: Session) -> dict[int, int]:
    """Original transaction id -> total reversed so far (the credited side, in cents)."""
    rows = session.exec(
        select(LedgerTransaction.reverses_id, func.sum(LedgerEntry.amount_cents))
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)  # type: ignore[arg-type]
        .where(LedgerTransaction.reverses_id.is_not(None), LedgerEntry.amount_cents > 0)  # type: ignore[union-attr]
        .group_by(LedgerTransaction.reverses_id)
    ).all()
    return {original: int(total) for original, total in rows}


def _check_structure(session: Session) -> list[str]:
    problems: list[str] = []
    for tx_id, count in session.exec(
        select(LedgerTransaction.id, func.count(LedgerEntry.id))
        .outerjoin(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)  # type: ignore[arg-type]
        .group_by(LedgerTransaction.id)
        .having(func.count(LedgerEntry.id) < 2)
    ).all():
        problems.append(f"transaction {tx_id} has {count} entries (needs at least 2)")
    for tx_id, currency, total in session.exec(
        select(LedgerEntry.transaction_id, LedgerEntry.currency, func.sum(LedgerEntry.amount_cents))
        .group_by(LedgerEntry.transaction_id, LedgerEntry.currency)
        .having(func.sum(LedgerEntry.amount_cents) != 0)
    ).all():
        problems.append(f"transaction {tx_id} sums to {total} {currency}, not 0")
    for entry_id, code, entry_cur, account_cur in session.exec(
        select(LedgerEntry.id, LedgerAccount.code, LedgerEntry.currency, LedgerAccount.currency)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)  # type: ignore[arg-type]
        .where(LedgerEntry.currency != LedgerAccount.currency)
    ).all():
        problems.append(f"entry {entry_id} is in {entry_cur} but account {code} holds {account_cur}")
    for code, kind in session.exec(select(LedgerAccount.code, LedgerAccount.kind)).all():
        try:
            expected = account_kind(code).value
        except ValueError:
            expected = None
        if expected != kind:
            problems.append(f"account {code} has kind {kind!r}, expected {expected!r}")
    for model in (LedgerTransaction, Payment, Refund, CheckoutAttempt, RefundAttempt):
        for key, count in session.exec(
            select(model.idempotency_key, func.count())  # type: ignore[attr-defined]
            .group_by(model.idempotency_key)  # type: ignore[attr-defined]
            .having(func.count() > 1)
        ).all():
            problems.append(f"{model.__name__} idempotency key {key!r} used {count} times")
    return problems


def _check_reversals(session: Session) -> list[str]:
    problems: list[str] = []
    rows = session.exec(
        select(
            LedgerTransaction.id,
            LedgerTransaction.reverses_id,
            LedgerEntry.account_id,
            LedgerEntry.amount_cents,
        )
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)  # type: ignore[arg-type]
        .where(
            LedgerTransaction.reverses_id.is_not(None)  # type: ignore[union-attr]
            | LedgerTransaction.id.in_(  # type: ignore[union-attr]
                select(LedgerTransaction.reverses_id).where(LedgerTransaction.reverses_id.is_not(None))  # type: ignore[union-attr]
            )
        )
    ).all()
    original: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    reversed_: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    chained = set()
    for tx_id, reverses_id, account_id, amount in rows:
        if reverses_id is None:
            original[tx_id][account_id] += amount
        else:
            reversed_[reverses_id][account_id] += amount
    originals_seen = set(original)
    for tx_id, reverses_id, _, _ in rows:
        if reverses_id is not None and reverses_id not in originals_seen:
            chained.add(tx_id)
    for tx_id in sorted(chained):
        problems.append(f"reversal {tx_id} reverses a reversal or a missing transaction")
    for orig_id, by_account in reversed_.items():
        for account_id, amount in by_account.items():
            before = original.get(orig_id, {}).get(account_id, 0)
            after = before + amount
            if before == 0 or after * before < 0 or abs(after) > abs(before):
                problems.append(
                    f"reversals of transaction {orig_id} move account id {account_id} "
                    f"by {amount} against an original leg of {before}"
                )
    return problems


def _check_fundraisers(session: Session) -> list[str]:
    problems: list[str] = []
    balances = {
        code: int(total)
        for code, total in session.exec(
            select(LedgerAccount.code, func.sum(LedgerEntry.amount_cents))
            .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)  # type: ignore[arg-type]
            .where(LedgerAccount.kind == AccountKind.FUNDRAISER.value)
            .group_by(LedgerAccount.code)
        ).all()
    }
    for fundraiser_id, raised in session.exec(select(Fundraiser.id, Fundraiser.raised_cents)).all():
        in_ledger = balances.pop(fundraiser_account(fundraiser_id), 0)  # type: ignore[arg-type]
        if raised != in_ledger:
            problems.append(f"fundraiser {fundraiser_id} shows {raised} raised, ledger holds {in_ledger}")
    for code, total in balances.items():
        problems.append(f"ledger account {code} holds {total} for a fundraiser that does not exist")
    return problems


_PAID_STATUSES = {OrderStatus.PAID.value, OrderStatus.SHIPPED.value, OrderStatus.DELIVERED.value}


def _check_orders(session: Session) -> list[str]:
    problems: list[str] = []
    legs_by_key = _transaction_legs_by_key(session, ORDER_KEY_PREFIX)
    tx_ids = dict(
        session.exec(
            select(LedgerTransaction.idempotency_key, LedgerTransaction.id).where(
                LedgerTransaction.idempotency_key.startswith(ORDER_KEY_PREFIX)  # type: ignore[attr-defined]
            )
        ).all()
    )
    reversed_totals = _reversed_by_original(session)
    orders = session.exec(
        select(
            Order.id,
            Order.number,
            Order.status,
            Order.shop_id,
            Order.subtotal_cents,
            Order.fee_cents,
            Order.refunded_cents,
            Order.paid_at,
            Order.payment_id,
            Order.refund_pending_cents,
            Order.fee_refunded_cents,
        )
    ).all()
    pending_by_order = dict(
        session.exec(
            select(RefundAttempt.order_id, func.sum(RefundAttempt.amount_cents))
            .where(RefundAttempt.status == RefundAttemptStatus.PENDING.value)
            .group_by(RefundAttempt.order_id)
        ).all()
    )
    fee_back_by_tx = _fees_given_back(session)
    for (order_id, number, status, shop_id, subtotal, fee, refunded, paid_at, payment_id, pending,
         fee_refunded) in orders:
        if int(pending_by_order.get(order_id, 0)) != pending:
            problems.append(f"order {number}: {pending} held for refunds but its pending refunds total "
                            f"{pending_by_order.get(order_id, 0)}")
        if pending < 0 or refunded + pending > subtotal:
            problems.append(f"order {number}: refunded {refunded} and pending {pending} exceed {subtotal}")
        key = order_transaction_key(order_id)  # type: ignore[arg-type]
        legs = legs_by_key.pop(key, None)
        if paid_at is None:
            if legs is not None or refunded:
                problems.append(f"order {number} was never paid but has money in the ledger")
            if status not in (OrderStatus.PENDING.value, OrderStatus.CANCELLED.value):
                problems.append(f"order {number} is {status} but was never paid")
            continue
        if payment_id is None:
            problems.append(f"order {number} is paid but has no payment")
        if legs is None:
            problems.append(f"order {number} is paid but has no ledger transaction")
            continue
        expected = {
            code: amount
            for code, amount in (
                (merchant_account(shop_id), subtotal - fee),
                (platform_fees_account(), fee),
            )
            if amount
        }
        external = {code: amount for code, amount in legs.items() if code.startswith("external:")}
        credited = {code: amount for code, amount in legs.items() if not code.startswith("external:")}
        if credited != expected or sum(external.values()) != -subtotal:
            problems.append(f"order {number}: ledger legs {dict(legs)} do not match subtotal {subtotal}, fee {fee}")
        reversed_total = reversed_totals.get(tx_ids[key], 0)
        if reversed_total != refunded:
            problems.append(f"order {number}: refunded {refunded} but the ledger reversed {reversed_total}")
        fee_back = fee_back_by_tx.get(tx_ids[key], 0)
        # Refunds before money.refunds (whole reversals) did not count the fee they gave back.
        if fee_back != fee_refunded and not (fee_refunded == 0 and refunded == subtotal and fee_back == fee):
            problems.append(f"order {number}: {fee_refunded} of the fee given back, the ledger says {fee_back}")
        if not 0 <= refunded <= subtotal:
            problems.append(f"order {number}: refunded {refunded} outside 0..{subtotal}")
        elif status in _PAID_STATUSES and refunded:
            problems.append(f"order {number} is {status} but {refunded} was refunded")
        elif status in (OrderStatus.CANCELLED.value, OrderStatus.REFUNDED.value) and refunded != subtotal:
            problems.append(f"order {number} is {status} but only {refunded} of {subtotal} was refunded")
        elif status == OrderStatus.PARTIALLY_REFUNDED.value and not 0 < refunded < subtotal:
            problems.append(f"order {number} is partially refunded but refunded {refunded} of {subtotal}")
        elif status == OrderStatus.PENDING.value:
            problems.append(f"order {number} is pending but was paid")
    for key in legs_by_key:
        problems.append(f"ledger transaction {key} belongs to no order")
    return problems


def _fees_given_back(session: Session) -> dict[int, int]:
    """Original transaction id -> what its reversals took back from the platform's fees."""
    rows = session.exec(
        select(LedgerTransaction.reverses_id, func.sum(LedgerEntry.amount_cents))
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)  # type: ignore[arg-type]
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)  # type: ignore[arg-type]
        .where(LedgerTransaction.reverses_id.is_not(None), LedgerAccount.code == platform_fees_account())  # type: ignore[union-attr]
        .group_by(LedgerTransaction.reverses_id)
    ).all()
    return {original: -int(total) for original, total in rows}


def _check_payments(session: Session) -> list[str]:
    problems: list[str] = []
    refunds = dict(
        session.exec(
            select(Refund.payment_id, func.sum(Refund.amount_cents)).group_by(Refund.payment_id)
        ).all()
    )
    order_totals = dict(
        session.exec(
            select(Order.payment_id, func.sum(Order.subtotal_cents))
            .where(Order.payment_id.is_not(None))  # type: ignore[union-attr]
            .group_by(Order.payment_id)
        ).all()
    )
    order_refunds = dict(
        session.exec(
            select(Order.payment_id, func.sum(Order.refunded_cents))
            .where(Order.payment_id.is_not(None))  # type: ignore[union-attr]
            .group_by(Order.payment_id)
        ).all()
    )
    legs_by_key = _transaction_legs_by_key(session, PAYMENT_KEY_PREFIX)
    net_charged = 0
    for payment_id, kind, status, amount, refunded in session.exec(
        select(Payment.id, Payment.kind, Payment.status, Payment.amount_cents, Payment.refunded_cents)
    ).all():
        label = f"payment {payment_id} ({kind})"
        if status == PaymentStatus.FAILED.value:
            if legs_by_key.pop(payment_transaction_key(payment_id), None) is not None:  # type: ignore[arg-type]
                problems.append(f"{label} failed but has a ledger transaction")
            continue
        net_charged += amount - refunded
        if int(refunds.get(payment_id, 0)) != refunded:
            problems.append(f"{label}: refunded_cents {refunded} but refunds sum to {refunds.get(payment_id, 0)}")
        if not 0 <= refunded <= amount:
            problems.append(f"{label}: refunded {refunded} outside 0..{amount}")
        expected_status = (
            PaymentStatus.SUCCEEDED.value
            if refunded == 0
            else PaymentStatus.REFUNDED.value
            if refunded == amount
            else PaymentStatus.PARTIALLY_REFUNDED.value
        )
        if status != expected_status:
            problems.append(f"{label} is {status} but refunded {refunded} of {amount}")
        if kind == PaymentKind.PURCHASE.value:
            if int(order_totals.get(payment_id, 0)) != amount:
                problems.append(f"{label}: amount {amount} but its orders total {order_totals.get(payment_id, 0)}")
            if int(order_refunds.get(payment_id, 0)) != refunded:
                problems.append(f"{label}: refunded {refunded} but its orders refunded {order_refunds.get(payment_id, 0)}")
        else:
            legs = legs_by_key.pop(payment_transaction_key(payment_id), None)  # type: ignore[arg-type]
            external = sum(a for code, a in (legs or {}).items() if code.startswith("external:"))
            if legs is None or external != -amount:
                problems.append(f"{label}: ledger moved {-external} from the card, expected {amount}")
    for key in legs_by_key:
        problems.append(f"ledger transaction {key} belongs to no payment")

    external_total = session.exec(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)  # type: ignore[arg-type]
        .where(
            LedgerAccount.kind == AccountKind.EXTERNAL.value,
            # Payouts send shops' money out; they are checked against the Payout rows.
            col(LedgerAccount.code).not_like(f"{PAYOUT_ACCOUNT_PREFIX}%"),
        )
    ).one()
    if int(external_total) != -net_charged:
        problems.append(
            f"cards were charged {net_charged} net of refunds, but external accounts hold {external_total}"
        )
    return problems


def _check_payouts(session: Session) -> list[str]:
    """Every payout moved its amount from its shop's account to the shop's payout account."""
    problems: list[str] = []
    legs_by_key = _transaction_legs_by_key(session, PAYOUT_KEY_PREFIX)
    for payout_id, shop_id, amount in session.exec(select(Payout.id, Payout.shop_id, Payout.amount_cents)).all():
        legs = legs_by_key.pop(payout_transaction_key(payout_id), None)  # type: ignore[arg-type]
        expected = {merchant_account(shop_id): -amount, payout_account(shop_id): amount}
        if legs is None or dict(legs) != expected:
            problems.append(f"payout {payout_id}: ledger legs {dict(legs or {})}, expected {expected}")
    for key in legs_by_key:
        problems.append(f"ledger transaction {key} belongs to no payout")
    return problems


def _check_attempts(session: Session, now: dt.datetime) -> list[str]:
    problems: list[str] = []
    rows = session.exec(
        select(CheckoutAttempt.id, CheckoutAttempt.status, CheckoutAttempt.idempotency_key, Payment.idempotency_key)
        .outerjoin(Payment, Payment.id == CheckoutAttempt.payment_id)  # type: ignore[arg-type]
        .where(CheckoutAttempt.status == AttemptStatus.SUCCEEDED.value)
    ).all()
    for attempt_id, _, key, payment_key in rows:
        if payment_key != key:
            problems.append(f"attempt {attempt_id} succeeded without its payment")
    for attempt_id, since in session.exec(
        select(CheckoutAttempt.id, CheckoutAttempt.updated_at).where(
            col(CheckoutAttempt.status).in_(UNRESOLVED_ATTEMPT_STATUSES),
            CheckoutAttempt.updated_at < now - STUCK_ATTEMPT_AFTER,
        )
    ).all():
        problems.append(
            f"attempt {attempt_id} is unresolved since {since:%Y-%m-%d %H:%M} UTC: "
            "the reconciler could not settle it; check the gateway for a charge with its key"
        )
    for attempt_id, since in session.exec(
        select(RefundAttempt.id, RefundAttempt.updated_at).where(
            RefundAttempt.status == RefundAttemptStatus.PENDING.value,
            RefundAttempt.updated_at < now - STUCK_ATTEMPT_AFTER,
        )
    ).all():
        problems.append(
            f"refund attempt {attempt_id} is pending since {since:%Y-%m-%d %H:%M} UTC: "
            "the reconciler could not settle it; check the gateway for a refund with its key"
        )
    for product_id, stock in session.exec(select(Product.id, Product.stock).where(Product.stock < 0)).all():
        problems.append(f"product {product_id} has negative stock {stock}")
    return problems


def check_invariants(session: Session, *, now: dt.datetime | None = None) -> list[str]:
    """Everything that must hold between the ledger and the tables it explains.

    Returns one sentence per problem; an empty list means the books are consistent.
    Reads everything relevant once, so it is meant for tests and the nightly CLI, not
    for every request.
    """
    return [
        *_check_structure(session),
        *_check_reversals(session),
        *_check_fundraisers(session),
        *_check_orders(session),
        *_check_payments(session),
        *_check_payouts(session),
        *_check_attempts(session, now or utcnow()),
    ]


def counts(session: Session) -> tuple[int, int]:
    """(transactions, entries), for reports."""
    transactions = session.exec(select(func.count()).select_from(LedgerTransaction)).one()
    entries = session.exec(select(func.count()).select_from(LedgerEntry)).one()
    return int(transactions), int(entries)
