"""A real paying process for test_kill_worker.py (not a test module; run as a script).

    python tests/unit/kill_worker.py DB_URL purchase USER_ID KEY METHOD_ID PRODUCT_ID QUANTITY
    python tests/unit/kill_worker.py DB_URL transfer USER_ID KEY METHOD_ID TO_USER_ID AMOUNT_CENTS

It pays through the normal service with the engine's after_charge_hook set: once the
gateway has charged, it prints "CHARGED <key>" and sleeps, so the parent can SIGKILL it
in the window between the charge and the transaction that records it.
"""

from __future__ import annotations

import os
import sys
import time

SHIPPING = {"name": "Ada Lovelace", "line1": "Via Roma 1", "city": "Milano", "postal_code": "20121", "country": "IT"}


def main(argv: list[str]) -> int:
    url, kind, user_id, key, method_id, target_id, amount = argv
    # Before anything imports socialshop.db: the worker's database and gateway memory.
    os.environ["REFLEX_DB_URL"] = url
    os.environ["SOCIALSHOP_PAYMENT_PROVIDER"] = "sandbox"

    from sqlmodel import Session

    from socialshop import db
    from socialshop.models import User
    from socialshop.money import engine
    from socialshop.services import checkout, transfers

    def hang_after_charge(charged_key: str) -> None:
        print(f"CHARGED {charged_key}", flush=True)
        time.sleep(60)

    engine.after_charge_hook = hang_after_charge
    with Session(db.get_engine(), expire_on_commit=False) as session:
        user = session.get(User, int(user_id))
        if kind == "purchase":
            result = checkout.checkout_items(
                session, user=user, key=key, items=[(int(target_id), int(amount))],
                method_id=int(method_id), shipping=SHIPPING, app="facebook",
            )
        elif kind == "transfer":
            result = transfers.send_money(
                session, user=user, key=key, to_user_id=int(target_id), amount_cents=int(amount),
                method_id=int(method_id), app="messenger",
            )
        else:
            raise SystemExit(f"unknown kind {kind!r}")
    # Only reached if the hook returned (it should have been killed first).
    print(f"DONE {result.status}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
