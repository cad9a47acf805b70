import subprocess
import sys

import pytest
import sqlalchemy
from sqlalchemy import text
from sqlmodel import Session, select

from socialshop import ledger as ledger_cli
from socialshop.models import CheckoutAttempt, LedgerAccount, LedgerEntry, LedgerTransaction, utcnow
from socialshop.services import ledger
from socialshop.settings import PROJECT_ROOT
from tests.unit.factories import make_fundraiser, make_shop, make_user

EXT = ledger.external_method_account(7)


def purchase(session, key="order:1", total=1000, shop_id=3, fee=50):
    return ledger.post_transaction(
        session,
        idempotency_key=key,
        kind="purchase",
        legs=[(EXT, -total), (ledger.merchant_account(shop_id), total - fee), (ledger.platform_fees_account(), fee)],
    )


def test_account_codes_and_kinds():
    assert ledger.external_method_account(12) == "external:method:12"
    assert ledger.merchant_account(3) == "merchant:3"
    assert ledger.platform_fees_account() == "platform:fees"
    assert ledger.fundraiser_account(4) == "fundraiser:4"
    assert ledger.user_balance_account(9) == "user:9:balance"
    assert ledger.account_kind("user:9:balance").value == "user_balance"
    assert ledger.account_kind("platform:fees").value == "platform_fees"
    for bad in ("bank:1", "merchant", "merchant:", "Merchant:1", "merchant:1; drop", 5):
        with pytest.raises(ValueError):
            ledger.account_kind(bad)


def test_post_creates_accounts_on_demand_and_balances(session):
    tx = purchase(session)
    session.commit()
    assert ledger.balance(session, account_code=EXT) == -1000
    assert ledger.balance(session, account_code="merchant:3") == 950
    assert ledger.balance(session, account_code="platform:fees") == 50
    assert ledger.balance(session, account_code="merchant:999") == 0
    kinds = dict(session.exec(select(LedgerAccount.code, LedgerAccount.kind)).all())
    assert kinds == {EXT: "external", "merchant:3": "merchant", "platform:fees": "platform_fees"}
    assert len(session.exec(select(LedgerEntry).where(LedgerEntry.transaction_id == tx.id)).all()) == 3
    # Money in the ledger that no order or payment explains is itself a problem.
    assert ledger.check_invariants(session) == [
        "ledger transaction order:1 belongs to no order",
        "cards were charged 0 net of refunds, but external accounts hold -1000",
    ]


def test_replaying_a_key_returns_the_first_transaction_without_new_entries(session):
    first = purchase(session)
    again = purchase(session)
    session.commit()
    assert again.id == first.id
    assert ledger.counts(session) == (1, 3)
    assert ledger.balance(session, account_code="merchant:3") == 950


def test_replaying_a_key_with_other_legs_is_refused(session):
    purchase(session)
    with pytest.raises(ValueError):
        purchase(session, total=2000)


@pytest.mark.parametrize(
    "legs",
    [
        [(EXT, -100), ("merchant:1", 99)],  # does not balance
        [(EXT, -100)],  # one leg
        [(EXT, 0), ("merchant:1", 0)],  # zero legs are dropped, leaving none
        [],
        [(EXT, -True), ("merchant:1", True)],  # bools are not cents
        [(EXT, -1.5), ("merchant:1", 1.5)],
        [("bank:1", -100), ("merchant:1", 100)],
        [(EXT, -100, 1), ("merchant:1", 100)],
    ],
)
def test_malformed_transactions_are_refused(session, legs):
    with pytest.raises(ValueError):
        ledger.post_transaction(session, idempotency_key="k", kind="test", legs=legs)
    assert ledger.counts(session) == (0, 0)


def test_an_account_never_mixes_currencies(session):
    purchase(session)
    with pytest.raises(ValueError):
        ledger.post_transaction(
            session, idempotency_key="usd", kind="purchase", legs=[(EXT, -100), ("merchant:5", 100)], currency="USD"
        )


def test_full_reversal_is_a_new_transaction(session):
    tx = purchase(session)
    rev = ledger.reverse_transaction(session, transaction_id=tx.id, idempotency_key="refund:1")
    session.commit()
    assert rev.id != tx.id and rev.reverses_id == tx.id and rev.kind == "reversal"
    for code in (EXT, "merchant:3", "platform:fees"):
        assert ledger.balance(session, account_code=code) == 0
    # The original entries are untouched.
    assert sorted(session.exec(select(LedgerEntry.amount_cents).where(LedgerEntry.transaction_id == tx.id)).all()) == [-1000, 50, 950]
    again = ledger.reverse_transaction(session, transaction_id=tx.id, idempotency_key="refund:1")
    assert again.id == rev.id
    with pytest.raises(ValueError):
        ledger.reverse_transaction(session, transaction_id=tx.id, idempotency_key="refund:2")


def test_partial_reversals_are_pro_rata_and_never_exceed_the_original(session):
    tx = purchase(session)
    ledger.reverse_transaction(session, transaction_id=tx.id, idempotency_key="r1", amount_cents=400)
    assert ledger.balance(session, account_code="merchant:3") == 950 - 380
    assert ledger.balance(session, account_code="platform:fees") == 50 - 20
    assert ledger.balance(session, account_code=EXT) == -600
    with pytest.raises(ValueError):
        ledger.reverse_transaction(session, transaction_id=tx.id, idempotency_key="r2", amount_cents=601)
    for bad in (0, -5, True, "100"):
        with pytest.raises(ValueError):
            ledger.reverse_transaction(session, transaction_id=tx.id, idempotency_key="r2", amount_cents=bad)
    ledger.reverse_transaction(session, transaction_id=tx.id, idempotency_key="r3", amount_cents=333)
    ledger.reverse_transaction(session, transaction_id=tx.id, idempotency_key="r4")  # the rest
    for code in (EXT, "merchant:3", "platform:fees"):
        assert ledger.balance(session, account_code=code) == 0
    session.commit()
    problems = ledger.check_invariants(session)
    assert problems == ["ledger transaction order:1 belongs to no order"]


def test_a_reversal_cannot_be_reversed(session):
    tx = purchase(session)
    rev = ledger.reverse_transaction(session, transaction_id=tx.id, idempotency_key="r1", amount_cents=10)
    with pytest.raises(ValueError):
        ledger.reverse_transaction(session, transaction_id=rev.id, idempotency_key="r2")
    with pytest.raises(ValueError):
        ledger.reverse_transaction(session, transaction_id=12345, idempotency_key="r3")


def test_allocation_sums_exactly():
    assert ledger._allocate(1, [1, 1]) == [1, 0]
    assert ledger._allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert ledger._allocate(400, [950, 50]) == [380, 20]
    assert sum(ledger._allocate(997, [13, 7, 980])) == 997


def test_invariants_ok_on_an_empty_database(session):
    assert ledger.check_invariants(session) == []


def test_invariants_catch_an_unbalanced_transaction(session):
    tx = purchase(session, key="payment:77")
    session.commit()
    session.exec(text("UPDATE ledgerentry SET amount_cents = amount_cents + 1 WHERE transaction_id = :t AND amount_cents > 900").bindparams(t=tx.id))
    session.commit()
    problems = ledger.check_invariants(session)
    assert any("sums to 1 EUR" in p for p in problems), problems


def test_invariants_catch_a_transaction_with_one_entry(session):
    session.add(LedgerTransaction(idempotency_key="lonely", kind="test"))
    session.commit()
    assert any("has 0 entries" in p for p in ledger.check_invariants(session))


def test_invariants_catch_a_fundraiser_out_of_step(session):
    fundraiser = make_fundraiser(session)
    fundraiser.raised_cents = 500
    session.add(fundraiser)
    session.commit()
    assert ledger.check_invariants(session) == [f"fundraiser {fundraiser.id} shows 500 raised, ledger holds 0"]


def test_invariants_catch_a_stuck_attempt(session):
    user = make_user(session)
    old = utcnow() - ledger.STUCK_ATTEMPT_AFTER * 2
    session.add(CheckoutAttempt(idempotency_key="stuck", user_id=user.id, kind="purchase", app="facebook", status="processing", updated_at=old))
    session.add(CheckoutAttempt(idempotency_key="fresh", user_id=user.id, kind="purchase", app="facebook", status="processing"))
    session.commit()
    problems = ledger.check_invariants(session)
    assert len(problems) == 1 and "attempt" in problems[0] and "unresolved since" in problems[0]


def test_cli_check(tmp_path, engine, capsys):
    url = str(engine.url)
    assert ledger_cli.main(["check", "--db-url", url]) == 0
    assert capsys.readouterr().out.strip() == "ledger OK: 0 transactions, 0 entries"
    with Session(engine) as session:
        make_shop(session)
        make_fundraiser(session, title="Roof").raised_cents = 100
        session.commit()
    assert ledger_cli.main(["check", "--db-url", url]) == 1
    out = capsys.readouterr().out
    assert "ledger has 1 problem(s)" in out and "shows 100 raised" in out


def test_cli_runs_as_a_module(engine):
    result = subprocess.run(
        [sys.executable, "-m", "socialshop.ledger", "check", "--db-url", str(engine.url)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ledger OK: 0 transactions, 0 entries")


def _account_selects(engine):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if "FROM ledgeraccount" in statement:
            statements.append(statement)

    sqlalchemy.event.listen(engine, "before_cursor_execute", count)
    return statements


def test_committed_account_ids_are_reused_without_a_query(engine):
    with Session(engine) as session:
        ledger.post_transaction(session, idempotency_key="t1", kind="test", legs=[("platform:fees", 5), ("merchant:1", -5)])
        session.commit()
    selects = _account_selects(engine)
    with Session(engine) as session:
        ledger.post_transaction(session, idempotency_key="t2", kind="test", legs=[("platform:fees", 7), ("merchant:1", -7)])
        session.commit()
        assert selects == []
        assert ledger.balance(session, account_code="platform:fees") == 12


def test_accounts_from_a_rolled_back_transaction_are_not_remembered(engine):
    with Session(engine) as session:
        ledger.post_transaction(session, idempotency_key="gone", kind="test", legs=[("merchant:9", 3), ("platform:fees", -3)])
        session.rollback()
    with Session(engine) as session:
        # A new account takes the rolled-back one's id; a stale cache would point at nothing.
        ledger.post_transaction(session, idempotency_key="other", kind="test", legs=[("merchant:4", 1), ("platform:fees", -1)])
        ledger.post_transaction(session, idempotency_key="again", kind="test", legs=[("merchant:9", 3), ("platform:fees", -3)])
        session.commit()
        assert ledger.balance(session, account_code="merchant:9") == 3
        assert ledger.balance(session, account_code="merchant:4") == 1
        assert ledger.check_invariants(session) == []


def test_post_transactions_writes_several_at_once_and_each_only_once(session):
    """The batch form used by checkouts (one INSERT for the transactions, one for every
    leg): same checks and the same replay rule per key as post_transaction."""
    legs_a = [(EXT, -1000), (ledger.merchant_account(3), 950), (ledger.platform_fees_account(), 50)]
    legs_b = [(EXT, -400), (ledger.merchant_account(4), 400)]
    first = purchase(session, key="order:1")  # already posted on its own
    ids = ledger.post_transactions(
        session,
        transactions=[("order:2", "purchase", legs_b, "order 2"), ("order:1", "purchase", legs_a, "order 1")],
    )
    assert ids[1] == first.id and ids[0] != first.id
    assert sorted(ledger._legs_of(session, ids[0])) == sorted(legs_b)
    assert len(session.exec(select(LedgerEntry)).all()) == 5  # 3 + 2: the replayed key added none
    assert ledger.balance(session, account_code=ledger.merchant_account(4)) == 400
    with pytest.raises(ValueError, match="other legs"):
        ledger.post_transactions(session, transactions=[("order:2", "purchase", legs_a, "")])
    session.rollback()
    for bad in (
        [("order:9", "purchase", [(EXT, -5), (ledger.merchant_account(3), 4)], "")],  # does not balance
        [("order:9", "purchase", legs_b, ""), ("order:9", "purchase", legs_b, "")],  # one key twice
    ):
        with pytest.raises(ValueError):
            ledger.post_transactions(session, transactions=bad)
    assert ledger.post_transactions(session, transactions=[]) == []
    assert ledger.check_invariants(session) == []
